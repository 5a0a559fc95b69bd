package persist

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kevydb/kevy/internal/aof"
	"github.com/kevydb/kevy/internal/clock"
)

// writeSome fills a database with n string keys, a list and a hash.
func writeSome(d *testDB, n int) {
	for i := range n {
		d.do("SET", "key:"+strconv.Itoa(i), strings.Repeat("v", i%50))
	}
	d.do("RPUSH", "list", "a", "b", "c")
	d.do("HSET", "hash", "f", "v")
}

func TestReshard(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewManual(baseTime)
	d := mustOpen(t, 1, defaultOpts(dir), clk)
	workload(d)
	writeSome(d, 300)
	want := d.dump()
	d.close()
	for _, shards := range []int{4, 3, 1, 7} {
		d = mustOpen(t, shards, defaultOpts(dir), clk)
		if got := d.dump(); got != want {
			t.Fatalf("after re-sharding to %d:\n%s\nwant:\n%s", shards, got, want)
		}
		if !d.st.Stats().Resharded {
			t.Fatalf("%d shards: not re-sharded", shards)
		}
		// The re-sharded database keeps working and logging.
		d.do("SET", "after-"+strconv.Itoa(shards), "1")
		d.do("RPUSH", "list", strconv.Itoa(shards))
		want = d.dump()
		d.close()
		d = mustOpen(t, shards, defaultOpts(dir), clk)
		if got := d.dump(); got != want {
			t.Fatalf("reopened with %d shards:\n%s\nwant:\n%s", shards, got, want)
		}
		if d.st.Stats().Resharded {
			t.Fatal("re-sharded twice")
		}
		d.close()
	}
	ents, _ := os.ReadDir(dir)
	backups := 0
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), backupPrefix) {
			backups++
		}
	}
	if backups != 4 {
		t.Fatalf("%d backups, want 4: %v", backups, ents)
	}
}

// TestReshardCrash simulates a crash in the middle of a re-shard: the new
// generation was partly written but not committed.
func TestReshardCrash(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewManual(baseTime)
	d := mustOpen(t, 2, defaultOpts(dir), clk)
	writeSome(d, 50)
	want := d.dump()
	d.close()
	// An interrupted generation 2: marked, not named by the layout.
	g2 := filepath.Join(dir, "aof-2")
	if err := os.Mkdir(g2, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(g2, incompleteName), nil, 0o644)
	os.WriteFile(filepath.Join(g2, "kevy.0.1.base.rdb"), []byte("REDIS0010partial"), 0o644)
	d = mustOpen(t, 2, defaultOpts(dir), clk)
	if got := d.dump(); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	if _, err := os.Stat(g2); !os.IsNotExist(err) {
		t.Fatalf("the interrupted generation was not removed: %v", err)
	}
	if !strings.Contains(d.logs.String(), "interrupted") {
		t.Fatal("the removal was not logged")
	}
	d.close()
}

// incrPath returns shard i's (single) incremental log in generation 1.
func incrPath(dir string, i int) string { return filepath.Join(dir, "aof-1", incrName(i, 1)) }

func TestTornTailTruncated(t *testing.T) {
	dir := t.TempDir()
	d := mustOpen(t, 1, defaultOpts(dir), nil)
	writeSome(d, 10)
	want := d.dump()
	d.close()
	f, _ := os.OpenFile(incrPath(dir, 0), os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab"))
	f.Close()
	var events []Event
	o := defaultOpts(dir)
	o.Event = func(e Event) { events = append(events, e) }
	d = mustOpen(t, 1, o, nil)
	if got := d.dump(); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	if d.st.Stats().TruncatedBytes == 0 {
		t.Fatal("no truncation reported")
	}
	found := false
	for _, e := range events {
		found = found || e.Kind == EventTruncated && e.Count > 0
	}
	if !found {
		t.Fatalf("no EventTruncated: %+v", events)
	}
	if !strings.Contains(d.logs.String(), "torn") {
		t.Fatalf("truncation not logged:\n%s", d.logs.String())
	}
	// Appending resumes after the valid prefix.
	d.do("SET", "after", "1")
	want = d.dump()
	d.close()
	d = mustOpen(t, 1, defaultOpts(dir), nil)
	if got := d.dump(); got != want {
		t.Fatalf("after appending past the cut:\n%s\nwant:\n%s", got, want)
	}
	d.close()
}

func TestGarbageInTheMiddle(t *testing.T) {
	dir := t.TempDir()
	d := mustOpen(t, 1, defaultOpts(dir), nil)
	writeSome(d, 20)
	d.close()
	path := incrPath(dir, 0)
	data, _ := os.ReadFile(path)
	at := len(data) / 2
	copy(data[at:], "GARBAGE!")
	os.WriteFile(path, data, 0o644)
	_, err := openTestDB(t, 1, defaultOpts(dir), nil)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open: %v, want ErrCorrupt", err)
	}
	var ce *aof.CorruptError
	if !errors.As(err, &ce) || ce.Path != path {
		t.Fatalf("error does not name the file: %v", err)
	}
	if !strings.Contains(err.Error(), "offset") {
		t.Fatalf("error does not name the offset: %v", err)
	}
	// The file is untouched by the failed Open.
	if after, _ := os.ReadFile(path); string(after) != string(data) {
		t.Fatal("a failed Open modified the log")
	}
	// Repair truncates at the damage and opens.
	o := defaultOpts(dir)
	o.Repair = true
	d = mustOpen(t, 1, o, nil)
	if n := d.eng.KS.DBSize(0); n == 0 || n >= 22 {
		t.Fatalf("after repair %d keys, want some but not all", n)
	}
	if !strings.Contains(d.logs.String(), "repair") {
		t.Fatal("repair not logged")
	}
	d.close()
}

func TestZeroLengthLog(t *testing.T) {
	dir := t.TempDir()
	d := mustOpen(t, 2, defaultOpts(dir), nil)
	d.close()
	if err := os.Truncate(incrPath(dir, 0), 0); err != nil {
		t.Fatal(err)
	}
	d = mustOpen(t, 2, defaultOpts(dir), nil)
	d.do("SET", "k", "v")
	d.close()
	d = mustOpen(t, 2, defaultOpts(dir), nil)
	if d.do("GET", "k") != "v" {
		t.Fatal("write after an empty log lost")
	}
	d.close()
}

func TestFlippedByteInSnapshot(t *testing.T) {
	dir := t.TempDir()
	d := mustOpen(t, 1, defaultOpts(dir), nil)
	writeSome(d, 100)
	if err := d.st.Save(); err != nil {
		t.Fatal(err)
	}
	d.close()
	base := filepath.Join(dir, "aof-1", baseName(0, 2))
	data, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x40
	os.WriteFile(base, data, 0o644)
	_, err = openTestDB(t, 1, defaultOpts(dir), nil)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), base) {
		t.Fatalf("Open: %v, want ErrCorrupt naming %s", err, base)
	}
}

func TestMissingFiles(t *testing.T) {
	cases := []struct {
		name   string
		damage func(dir string)
		want   string
	}{
		{"manifest", func(dir string) { os.Remove(filepath.Join(dir, "aof-1", manifestName(1))) }, "manifest of shard 1"},
		{"log", func(dir string) { os.Remove(incrPath(dir, 0)) }, "which is missing"},
		{"layout", func(dir string) { os.Remove(filepath.Join(dir, layoutName)) }, "no layout file"},
		{"torn manifest", func(dir string) {
			p := filepath.Join(dir, "aof-1", manifestName(0))
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)-10], 0o644)
		}, "manifest"},
		{"layout garbage", func(dir string) { os.WriteFile(filepath.Join(dir, layoutName), []byte("hello\n"), 0o644) }, "layout"},
		{"generation", func(dir string) { os.RemoveAll(filepath.Join(dir, "aof-1")) }, "missing"},
		{"manifest from another layout", func(dir string) {
			m := &aof.Manifest{Shards: 3, Shard: 0, Routing: Routing, Files: []aof.ManifestFile{{Name: incrName(0, 1), Seq: 1, Type: aof.FileIncr}}}
			m.Save(nil, filepath.Join(dir, "aof-1", manifestName(0)))
		}, "expected shard 0 of 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			d := mustOpen(t, 2, defaultOpts(dir), nil)
			writeSome(d, 5)
			d.close()
			tc.damage(dir)
			_, err := openTestDB(t, 2, defaultOpts(dir), nil)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open: %v, want ErrCorrupt mentioning %q", err, tc.want)
			}
		})
	}
}

func TestReadOnlyDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	dir := t.TempDir()
	d := mustOpen(t, 1, defaultOpts(dir), nil)
	d.close()
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	if _, err := openTestDB(t, 1, defaultOpts(dir), nil); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("Open of a read-only directory: %v", err)
	}
	fresh := filepath.Join(dir, "sub")
	if _, err := openTestDB(t, 1, defaultOpts(fresh), nil); err == nil {
		t.Fatal("Open created a directory inside a read-only one")
	}
}

func TestImportDumpRDB(t *testing.T) {
	// Export a database to an RDB, then open a directory holding only it.
	src := t.TempDir()
	clk := clock.NewManual(baseTime)
	d := mustOpen(t, 3, defaultOpts(src), clk)
	workload(d)
	want := d.dump()
	d.close()
	dst := t.TempDir()
	if err := Export(src, filepath.Join(dst, dumpName), ToolOptions{}); err != nil {
		t.Fatal(err)
	}
	d = mustOpen(t, 5, defaultOpts(dst), clk)
	if got := d.dump(); got != want {
		t.Fatalf("imported:\n%s\nwant:\n%s", got, want)
	}
	if d.st.Stats().Imported == "" {
		t.Fatal("not reported as imported")
	}
	d.close()
	// The second Open loads the kevy files, not the dump again.
	d = mustOpen(t, 5, defaultOpts(dst), clk)
	if d.st.Stats().Imported != "" || d.dump() != want {
		t.Fatal("reimported or lost data")
	}
	d.close()
	// Import into a new directory with Import.
	dst2 := t.TempDir()
	if err := Import(filepath.Join(dst, dumpName), dst2, 2, ToolOptions{AppendOnly: true}); err != nil {
		t.Fatal(err)
	}
	if err := Import(filepath.Join(dst, dumpName), dst2, 2, ToolOptions{}); err == nil {
		t.Fatal("Import into a database directory succeeded")
	}
	d = mustOpen(t, 2, defaultOpts(dst2), clk)
	if got := d.dump(); got != want {
		t.Fatalf("Import:\n%s\nwant:\n%s", got, want)
	}
	d.close()
}

// TestTornBeforeSwitch: a crash while a rewrite was completing its switch
// leaves the previous log with a torn record, followed by the new, empty
// log. That is the end of the log, not corruption. With a record in the
// new log, the same torn record is corruption.
func TestTornBeforeSwitch(t *testing.T) {
	for _, newLog := range []string{"", "*2\r\n$3\r\nDEL\r\n$1\r\nx\r\n"} {
		dir := t.TempDir()
		d := mustOpen(t, 1, defaultOpts(dir), nil)
		writeSome(d, 5)
		want := d.dump()
		d.close()
		f, _ := os.OpenFile(incrPath(dir, 0), os.O_APPEND|os.O_WRONLY, 0)
		f.Write([]byte("*3\r\n$3\r\nSET\r\n$1"))
		f.Close()
		gdir := filepath.Join(dir, "aof-1")
		os.WriteFile(filepath.Join(gdir, incrName(0, 2)), []byte(newLog), 0o644)
		m := &aof.Manifest{Shards: 1, Shard: 0, Routing: Routing, Files: []aof.ManifestFile{
			{Name: incrName(0, 1), Seq: 1, Type: aof.FileIncr}, {Name: incrName(0, 2), Seq: 2, Type: aof.FileIncr}}}
		if err := m.Save(nil, filepath.Join(gdir, manifestName(0))); err != nil {
			t.Fatal(err)
		}
		d, err := openTestDB(t, 1, defaultOpts(dir), nil)
		if newLog != "" {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("torn record followed by records: %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := d.dump(); got != want {
			t.Fatalf("got:\n%s\nwant:\n%s", got, want)
		}
		d.do("SET", "after", "1")
		want = d.dump()
		d.close()
		d = mustOpen(t, 1, defaultOpts(dir), nil)
		if got := d.dump(); got != want {
			t.Fatalf("after reopen:\n%s\nwant:\n%s", got, want)
		}
		d.close()
	}
}

func TestOrphansRemoved(t *testing.T) {
	dir := t.TempDir()
	d := mustOpen(t, 1, defaultOpts(dir), nil)
	writeSome(d, 5)
	d.close()
	gdir := filepath.Join(dir, "aof-1")
	for _, name := range []string{baseName(0, 9), "kevy.0.manifest.tmp-1-2", "notours.txt"} {
		os.WriteFile(filepath.Join(gdir, name), []byte("x"), 0o644)
	}
	d = mustOpen(t, 1, defaultOpts(dir), nil)
	d.close()
	for name, keep := range map[string]bool{baseName(0, 9): false, "kevy.0.manifest.tmp-1-2": false, "notours.txt": true, incrName(0, 1): true} {
		_, err := os.Stat(filepath.Join(gdir, name))
		if (err == nil) != keep {
			t.Errorf("%s: exists=%v, want %v", name, err == nil, keep)
		}
	}
}
