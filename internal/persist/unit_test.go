package persist

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/aof"
	"github.com/kevydb/kevy/internal/clock"
)

// Units of records: the records of one command or one EXEC in a shard's
// log are a MULTI ... EXEC block when there are several (unit.go), and
// replay applies a block all or nothing.

// logRecords parses a log file's raw records (markers included), rendered
// as space-joined arguments; records of more than 6 arguments are shown
// as their first two and the count of the others.
func logRecords(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	line := func() string {
		i := bytes.Index(data, []byte("\r\n"))
		if i < 0 {
			t.Fatalf("bad log %q", data)
		}
		l := string(data[:i])
		data = data[i+2:]
		return l
	}
	for len(data) > 0 {
		n, err := strconv.Atoi(strings.TrimPrefix(line(), "*"))
		if err != nil {
			t.Fatal(err)
		}
		args := make([]string, n)
		for i := range args {
			l, _ := strconv.Atoi(strings.TrimPrefix(line(), "$"))
			args[i] = string(data[:l])
			data = data[l+2:]
		}
		if n > 6 {
			args = append(args[:2], "(+"+strconv.Itoa(n-2)+")")
		}
		out = append(out, strings.Join(args, " "))
	}
	return out
}

// keyIn returns a key (prefix + number) that lives in shard of a database
// with shards shards.
func keyIn(d *testDB, prefix string, shard int) string {
	for i := 0; ; i++ {
		if k := prefix + strconv.Itoa(i); d.eng.KS.ShardIndex(k) == shard {
			return k
		}
	}
}

func TestUnitWrapping(t *testing.T) {
	at := func(ms int64) string { return strconv.FormatInt(baseTime.UnixMilli()+ms, 10) }
	spop := [][]string{{"SADD", "s"}}
	for i := range 2100 {
		spop[0] = append(spop[0], strconv.Itoa(i))
	}
	tests := []struct {
		name  string
		setup [][]string
		cmds  [][]string // "ADVANCE" advances the clock by 1 s
		want  []string   // the records the commands add to the log
	}{
		{"one record", nil, [][]string{{"SET", "k", "v"}}, []string{"SET k v"}},
		{"effect form", nil, [][]string{{"SET", "k", "v", "EX", "10"}}, []string{"SET k v PXAT " + at(10000)}},
		{"exec", nil, [][]string{{"MULTI"}, {"SET", "a", "1"}, {"INCR", "n"}, {"GET", "a"}, {"EXEC"}},
			[]string{"MULTI", "SET a 1", "INCR n", "EXEC"}},
		{"exec of one write", nil, [][]string{{"MULTI"}, {"SET", "a", "1"}, {"GET", "b"}, {"EXEC"}}, []string{"SET a 1"}},
		{"exec of effect forms", nil, [][]string{{"MULTI"}, {"SET", "a", "1", "PX", "5"}, {"EXPIRE", "a", "9"}, {"EXEC"}},
			[]string{"MULTI", "SET a 1 PXAT " + at(5), "PEXPIREAT a " + at(9000), "EXEC"}},
		{"exec with select", nil, [][]string{{"SELECT", "1"}, {"MULTI"}, {"SET", "a", "1"}, {"SELECT", "2"}, {"SET", "b", "2"}, {"EXEC"}},
			[]string{"SELECT 1", "MULTI", "SET a 1", "SELECT 2", "SET b 2", "EXEC"}},
		{"exec without writes", [][]string{{"SET", "a", "1"}}, [][]string{{"MULTI"}, {"GET", "a"}, {"EXEC"}}, nil},
		{"exec of a no-op", nil, [][]string{{"MULTI"}, {"DEL", "nothing"}, {"EXEC"}}, nil},
		{"expired key deleted by the command", [][]string{{"SET", "k", "v", "PX", "10"}},
			[][]string{{"ADVANCE"}, {"APPEND", "k", "x"}},
			[]string{"MULTI", "DEL k", "APPEND k x", "EXEC"}},
		{"several records of one command", [][]string{spop[0]}, [][]string{{"SPOP", "s", "2060"}},
			[]string{"MULTI", "SREM s (+1024)", "SREM s (+1024)", "SREM s (+12)", "EXEC"}},
		{"flushall in exec", [][]string{{"SET", "a", "1"}}, [][]string{{"MULTI"}, {"FLUSHALL"}, {"SET", "b", "2"}, {"EXEC"}},
			[]string{"MULTI", "FLUSHALL", "SET b 2", "EXEC"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			d := mustOpen(t, 1, defaultOpts(dir), nil)
			d.do("SET", "first", "record") // the log's SELECT 0 comes first
			for _, c := range tc.setup {
				d.do(c...)
			}
			if err := d.st.Sync(); err != nil {
				t.Fatal(err)
			}
			before := len(logRecords(t, incrPath(dir, 0)))
			for _, c := range tc.cmds {
				if c[0] == "ADVANCE" {
					d.clk.Advance(time.Second)
					continue
				}
				if r := d.do(c...); strings.HasPrefix(r, "!") {
					t.Fatalf("%v: %s", c, r)
				}
			}
			want := d.dump()
			d.close()
			got := logRecords(t, incrPath(dir, 0))[before:]
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("log records\n%q\nwant\n%q", got, tc.want)
			}
			d = mustOpen(t, 1, defaultOpts(dir), d.clk)
			defer d.close()
			if got := d.dump(); got != want {
				t.Fatalf("replayed:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestUnitWrappingShards: each shard's part of a command or transaction
// spanning shards is its own unit in its own log.
func TestUnitWrappingShards(t *testing.T) {
	dir := t.TempDir()
	d := mustOpen(t, 2, defaultOpts(dir), nil)
	a0, b0, a1 := keyIn(d, "a", 0), keyIn(d, "b", 0), keyIn(d, "a", 1)
	for _, c := range [][]string{
		{"RPUSH", a1, "x", "y"},
		{"RENAME", a1, a0}, // shard 1: DEL; shard 0: DEL + RPUSH
		{"MULTI"}, {"SET", b0, "1"}, {"SET", a1, "2"}, {"INCR", b0}, {"EXEC"},
	} {
		d.do(c...)
	}
	want := d.dump()
	d.close()
	logs := [][]string{
		{"SELECT 0", "MULTI", "DEL " + a0, "RPUSH " + a0 + " x y", "EXEC", "MULTI", "SET " + b0 + " 1", "INCR " + b0, "EXEC"},
		{"SELECT 0", "RPUSH " + a1 + " x y", "DEL " + a1, "SET " + a1 + " 2"},
	}
	for i, w := range logs {
		if got := logRecords(t, incrPath(dir, i)); strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("shard %d log\n%q\nwant\n%q", i, got, w)
		}
	}
	d = mustOpen(t, 2, defaultOpts(dir), nil)
	defer d.close()
	if got := d.dump(); got != want {
		t.Fatalf("replayed:\n%s\nwant:\n%s", got, want)
	}
}

// copyDir copies the directory tree src into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if e.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if e.Name() == "LOCK" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUnitCrashEveryOffset simulates a crash that tears a shard's log at
// every byte offset of a transaction's block (and of a command's block):
// reopening applies either the whole block or nothing of it, says so in
// the log, reports the truncation, and keeps working.
func TestUnitCrashEveryOffset(t *testing.T) {
	type scenario struct {
		name   string
		shards int
		setup  func(d *testDB)
		unit   func(d *testDB)
	}
	scenarios := []scenario{
		{"exec", 1,
			func(d *testDB) { d.do("SET", "n", "1"); d.do("RPUSH", "l", "a") },
			func(d *testDB) {
				for _, c := range [][]string{
					{"MULTI"}, {"SET", "a", "1"}, {"INCR", "n"}, {"RPUSH", "l", "b", "c"},
					{"SELECT", "3"}, {"HSET", "h", "f", strings.Repeat("v", 40)}, {"EXEC"},
				} {
					d.do(c...)
				}
			}},
		{"command across shards", 2,
			func(d *testDB) {
				d.do("SADD", keyIn(d, "src", 1), "m1", "m2", "m3")
				d.do("SET", keyIn(d, "dst", 0), "old")
			},
			func(d *testDB) { d.do("RENAME", keyIn(d, "src", 1), keyIn(d, "dst", 0)) }},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			orig := t.TempDir()
			clk := clock.NewManual(baseTime)
			d := mustOpen(t, sc.shards, defaultOpts(orig), clk)
			sc.setup(d)
			before := d.dump()
			if err := d.st.Sync(); err != nil {
				t.Fatal(err)
			}
			// The block is the only one in its shard's log: find it.
			shard, blockStart := -1, -1
			sizes := make([]int, sc.shards)
			for i := range sc.shards {
				data, _ := os.ReadFile(incrPath(orig, i))
				sizes[i] = len(data)
			}
			sc.unit(d)
			after := d.dump()
			d.close()
			for i := range sc.shards {
				data, _ := os.ReadFile(incrPath(orig, i))
				if j := bytes.Index(data[sizes[i]:], multiRecord); j >= 0 {
					shard, blockStart = i, sizes[i]+j
				}
			}
			if shard < 0 {
				t.Fatal("no MULTI block in any log")
			}
			data, _ := os.ReadFile(incrPath(orig, shard))
			if !bytes.HasSuffix(data, execRecord) {
				t.Fatalf("the log does not end with the block's EXEC: %q", data[blockStart:])
			}
			// With several shards, the others keep their part of the unit.
			var partial string
			if sc.shards > 1 {
				dir := t.TempDir()
				copyDir(t, orig, dir)
				os.Truncate(incrPath(dir, shard), int64(blockStart))
				d := mustOpen(t, sc.shards, defaultOpts(dir), clk)
				partial = d.dump()
				d.close()
				if partial == before || partial == after {
					t.Fatal("the other shard's part of the unit is not separate")
				}
			}
			var wg sync.WaitGroup
			errs := make(chan string, len(data))
			cuts := make(chan int)
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for cut := range cuts {
						if msg := crashAt(t, orig, sc.shards, shard, cut, blockStart, len(data), clk, before, after, partial); msg != "" {
							errs <- msg
						}
					}
				}()
			}
			for cut := blockStart; cut <= len(data); cut++ {
				cuts <- cut
			}
			close(cuts)
			wg.Wait()
			close(errs)
			n := 0
			for msg := range errs {
				if n++; n <= 5 {
					t.Error(msg)
				}
			}
		})
	}
}

// crashAt copies orig, cuts shard's log at cut, reopens it and checks the
// outcome. It returns a description of what is wrong, or "".
func crashAt(t *testing.T, orig string, shards, shard, cut, blockStart, size int, clk *clock.Manual, before, after, partial string) string {
	dir := t.TempDir()
	copyDir(t, orig, dir)
	if err := os.Truncate(incrPath(dir, shard), int64(cut)); err != nil {
		return err.Error()
	}
	var mu sync.Mutex
	var truncated int64
	o := defaultOpts(dir)
	o.Event = func(e Event) {
		if e.Kind == EventTruncated && e.Shard == shard {
			mu.Lock()
			truncated += e.Count
			mu.Unlock()
		}
	}
	d, err := openTestDB(t, shards, o, clk)
	if err != nil {
		return "cut " + strconv.Itoa(cut) + ": open: " + err.Error()
	}
	defer d.close()
	want := after
	if cut < size {
		want = before
		if partial != "" {
			want = partial
		}
	}
	if got := d.dump(); got != want {
		return "cut " + strconv.Itoa(cut) + ": got\n" + got + "\nwant\n" + want
	}
	logs := d.logs.String()
	switch {
	case cut == blockStart || cut == size:
		if truncated != 0 || strings.Contains(logs, "truncating") {
			return "cut " + strconv.Itoa(cut) + ": truncation at a clean end: " + logs
		}
	case cut < blockStart+len(multiRecord):
		if truncated != int64(cut-blockStart) || !strings.Contains(logs, "torn final record") {
			return "cut " + strconv.Itoa(cut) + ": torn MULTI record not reported: " + logs
		}
	default:
		if truncated != int64(cut-blockStart) || !strings.Contains(logs, "incomplete MULTI/EXEC block") {
			return "cut " + strconv.Itoa(cut) + ": incomplete block not reported (truncated " + strconv.FormatInt(truncated, 10) + "): " + logs
		}
	}
	if st, err := os.Stat(incrPath(dir, shard)); err != nil || (cut < size && st.Size() != int64(blockStart)) {
		return "cut " + strconv.Itoa(cut) + ": the log was not cut back to before the MULTI"
	}
	// The database keeps logging after the recovery.
	if r := d.do("SET", "after-crash", "1"); r != "OK" {
		return "cut " + strconv.Itoa(cut) + ": SET after recovery: " + r
	}
	return ""
}

// TestFlushAllSwapDBReplay: FLUSHALL, FLUSHDB and SWAPDB are logged in
// every shard they changed (and only there) and replay per shard, in order
// with the writes before and after them.
func TestFlushAllSwapDBReplay(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewManual(baseTime)
	d := mustOpen(t, 4, defaultOpts(dir), clk)
	k := make([]string, 4)
	for i := range k {
		k[i] = keyIn(d, "k", i)
	}
	do := func(db int, args ...string) {
		t.Helper()
		d.sess.DB = db
		if r := d.do(args...); strings.HasPrefix(r, "!") {
			t.Fatalf("%v: %s", args, r)
		}
	}
	// Shards 0 and 1 hold data; 2 and 3 stay empty until after FLUSHALL.
	do(0, "SET", k[0], "before")
	do(1, "RPUSH", k[1], "a", "b")
	do(2, "SET", k[0], "db2")
	do(0, "FLUSHALL")
	do(0, "SET", k[0], "after")
	do(0, "SET", k[2], "after")
	do(2, "HSET", k[3], "f", "v")
	do(2, "SET", k[1], "x", "EX", "100")
	do(0, "SWAPDB", "0", "2")
	do(0, "SET", k[2], "swapped")
	do(2, "FLUSHDB")
	do(2, "SET", k[1], "post-flushdb")
	for i := range k {
		do(5, "SET", k[i], "everywhere")
	}
	do(0, "MULTI")
	do(0, "FLUSHALL")
	do(0, "SET", k[3], "tx")
	do(0, "SWAPDB", "0", "1")
	do(0, "EXEC")
	do(1, "INCR", k[0])
	want := d.dump()
	d.close()
	final := []string{"db1 " + strconv.Quote(k[0]) + " string \"1\"", "db1 " + strconv.Quote(k[3]) + " string \"tx\""}
	sort.Strings(final)
	if want != strings.Join(final, "\n") {
		t.Fatalf("unexpected dataset:\n%s", want)
	}
	count := func(recs []string, name string) int {
		n := 0
		for _, r := range recs {
			if strings.HasPrefix(r, name) {
				n++
			}
		}
		return n
	}
	for i := range 4 {
		recs := logRecords(t, incrPath(dir, i))
		// Every shard had data at the second FLUSHALL; only 0 and 1 at
		// the first.
		wantFlush := 1
		if i < 2 {
			wantFlush = 2
		}
		if n := count(recs, "FLUSHALL"); n != wantFlush {
			t.Errorf("shard %d logs FLUSHALL %d times, want %d: %q", i, n, wantFlush, recs)
		}
		// The transaction's FLUSHALL and SWAPDB are one block with the
		// shard's other writes.
		if i == d.eng.KS.ShardIndex(k[3]) && count(recs, "MULTI") != 1 {
			t.Errorf("shard %d: the transaction is not one block: %q", i, recs)
		}
	}
	d = mustOpen(t, 4, defaultOpts(dir), clk)
	if got := d.dump(); got != want {
		t.Fatalf("replayed:\n%s\nwant:\n%s", got, want)
	}
	// And once more after a rewrite (the logs start from a snapshot).
	if err := d.st.Save(); err != nil {
		t.Fatal(err)
	}
	d.close()
	d = mustOpen(t, 4, defaultOpts(dir), clk)
	defer d.close()
	if got := d.dump(); got != want {
		t.Fatalf("after a rewrite:\n%s\nwant:\n%s", got, want)
	}
}

// TestUnitAlwaysDurableOnReply: with the always policy, a transaction
// spanning shards returns only once every shard log it wrote (its whole
// block, EXEC included) is fsynced.
func TestUnitAlwaysDurableOnReply(t *testing.T) {
	o := defaultOpts(t.TempDir())
	o.Fsync = aof.FsyncAlways
	d := mustOpen(t, 4, o, nil)
	defer d.close()
	var keys []string
	for i := range 4 {
		keys = append(keys, keyIn(d, "a", i), keyIn(d, "b", i))
	}
	d.do("MULTI")
	for _, k := range keys {
		d.do("SET", k, "v")
	}
	if r := d.do("EXEC"); r != "[OK OK OK OK OK OK OK OK]" {
		t.Fatalf("EXEC = %s", r)
	}
	for i := range 4 {
		st := d.st.shards[i].log.Stats()
		if st.Synced != st.Appended || st.Appended == 0 {
			t.Fatalf("shard %d: appended %d, synced %d when EXEC returned", i, st.Appended, st.Synced)
		}
		if recs := logRecords(t, st.Path); recs[len(recs)-1] != "EXEC" {
			t.Fatalf("shard %d log: %q", i, recs)
		}
	}
}
