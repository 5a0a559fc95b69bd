package aof

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

func sampleManifest() *Manifest {
	return &Manifest{
		Shards:  16,
		Shard:   3,
		Routing: "crc16-16384",
		Files: []ManifestFile{
			{Name: "kevy.3.2.base.rdb", Seq: 2, Type: FileBase},
			{Name: "kevy.3.1.incr.aof", Seq: 1, Type: FileHistory},
			{Name: "kevy.3.2.incr.aof", Seq: 2, Type: FileIncr},
			{Name: "kevy.3.3.incr.aof", Seq: 3, Type: FileIncr},
		},
	}
}

func TestManifestRoundTrip(t *testing.T) {
	for _, m := range []*Manifest{sampleManifest(), {Shards: 1, Shard: 0}} {
		path := filepath.Join(t.TempDir(), "kevy.manifest")
		if err := m.Save(nil, path); err != nil {
			t.Fatal(err)
		}
		got, err := LoadManifest(path)
		if err != nil {
			t.Fatal(err)
		}
		want := *m
		want.Version = FormatVersion
		if !reflect.DeepEqual(got, &want) {
			t.Fatalf("got %+v, want %+v", got, &want)
		}
	}
}

func TestManifestText(t *testing.T) {
	text, err := sampleManifest().AppendText(nil)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(text), "\n")
	want := []string{
		"# kevy-aof-manifest 1",
		"# shards 16",
		"# shard 3",
		"# routing crc16-16384",
		"file kevy.3.2.base.rdb seq 2 type b",
		"file kevy.3.1.incr.aof seq 1 type h",
		"file kevy.3.2.incr.aof seq 2 type i",
		"file kevy.3.3.incr.aof seq 3 type i",
	}
	if !reflect.DeepEqual(lines[:len(want)], want) || !strings.HasPrefix(lines[len(want)], "# checksum crc32c ") || lines[len(want)+1] != "" {
		t.Fatalf("text:\n%s", text)
	}
}

func TestManifestAccessors(t *testing.T) {
	m := sampleManifest()
	if b, ok := m.Base(); !ok || b.Name != "kevy.3.2.base.rdb" {
		t.Fatal(b, ok)
	}
	if inc := m.Incr(); len(inc) != 2 || inc[0].Seq != 2 || inc[1].Seq != 3 {
		t.Fatal(inc)
	}
	if m.MaxSeq(FileIncr) != 3 || m.MaxSeq(FileBase) != 2 || (&Manifest{}).MaxSeq(FileIncr) != 0 {
		t.Fatal("MaxSeq")
	}
	if _, ok := (&Manifest{}).Base(); ok {
		t.Fatal("base in an empty manifest")
	}
}

// TestManifestTorn checks that every truncation and every single-byte
// change of a saved manifest is detected.
func TestManifestTorn(t *testing.T) {
	text, err := sampleManifest().AppendText(nil)
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(text) {
		if _, err := ParseManifest(text[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("prefix of %d bytes: err = %v", n, err)
		}
	}
	for i := range len(text) - 1 {
		b := bytes.Clone(text)
		b[i] ^= 0x01
		if _, err := ParseManifest(b); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("flip at %d: err = %v", i, err)
		}
	}
}

// withChecksum appends a valid checksum line to body.
func withChecksum(body string) []byte {
	b := []byte(body)
	sum := crc32c(b)
	return append(b, []byte("# checksum crc32c "+sum+"\n")...)
}

func TestManifestInvalid(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"no header", "# shards 1\n# shard 0\n"},
		{"future version", "# kevy-aof-manifest 9\n# shards 1\n# shard 0\n"},
		{"missing shards", "# kevy-aof-manifest 1\n# shard 0\n"},
		{"shard out of range", "# kevy-aof-manifest 1\n# shards 2\n# shard 2\n"},
		{"repeated shard", "# kevy-aof-manifest 1\n# shards 2\n# shard 1\n# shard 1\n"},
		{"empty line", "# kevy-aof-manifest 1\n# shards 1\n# shard 0\n\n"},
		{"short file line", "# kevy-aof-manifest 1\n# shards 1\n# shard 0\nfile a seq 1\n"},
		{"bad type", "# kevy-aof-manifest 1\n# shards 1\n# shard 0\nfile a seq 1 type x\n"},
		{"bad seq", "# kevy-aof-manifest 1\n# shards 1\n# shard 0\nfile a seq z type i\n"},
		{"two bases", "# kevy-aof-manifest 1\n# shards 1\n# shard 0\nfile a seq 1 type b\nfile b seq 2 type b\n"},
		{"base not first", "# kevy-aof-manifest 1\n# shards 1\n# shard 0\nfile a seq 1 type i\nfile b seq 2 type b\n"},
		{"duplicate name", "# kevy-aof-manifest 1\n# shards 1\n# shard 0\nfile a seq 1 type i\nfile a seq 2 type i\n"},
		{"duplicate seq", "# kevy-aof-manifest 1\n# shards 1\n# shard 0\nfile a seq 1 type i\nfile b seq 1 type i\n"},
		{"path in name", "# kevy-aof-manifest 1\n# shards 1\n# shard 0\nfile ../a seq 1 type i\n"},
		{"unknown key", "# kevy-aof-manifest 1\n# shards 1\n# shard 0\nfile a seq 1 kind i\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseManifest(withChecksum(tc.body)); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	// Pairs in another order and unknown comments are accepted.
	m, err := ParseManifest(withChecksum("# kevy-aof-manifest 1\n# a comment line\n# shards 1\n# shard 0\nfile a seq 1 type i\ntype i seq 2 file b\n"))
	if err != nil || len(m.Files) != 2 || m.Files[1] != (ManifestFile{Name: "b", Seq: 2, Type: FileIncr}) {
		t.Fatal(m, err)
	}
}

func TestManifestSaveValidates(t *testing.T) {
	tests := []struct {
		name string
		m    Manifest
	}{
		{"no shards", Manifest{}},
		{"negative shard", Manifest{Shards: 1, Shard: -1}},
		{"space in routing", Manifest{Shards: 1, Routing: "a b"}},
		{"space in name", Manifest{Shards: 1, Files: []ManifestFile{{Name: "a b", Seq: 1, Type: FileIncr}}}},
		{"dot name", Manifest{Shards: 1, Files: []ManifestFile{{Name: "..", Seq: 1, Type: FileIncr}}}},
		{"zero seq", Manifest{Shards: 1, Files: []ManifestFile{{Name: "a", Seq: 0, Type: FileIncr}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m")
			if err := tc.m.Save(nil, path); err == nil {
				t.Fatal("saved")
			}
			if _, err := os.Stat(path); err == nil {
				t.Fatal("file written")
			}
		})
	}
}

func TestLoadManifestErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadManifest(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
	path := filepath.Join(dir, "torn")
	text, _ := sampleManifest().AppendText(nil)
	if err := os.WriteFile(path, text[:len(text)-5], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadManifest(path); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v", err)
	}
}

// TestWriteFileAtomicCrashPoints fails each step in turn: before the
// rename the old file stays intact and no temporary file is left.
func TestWriteFileAtomicCrashPoints(t *testing.T) {
	tests := []struct {
		op        fop
		replaced  bool // the new content is in place despite the error
		writerErr bool
	}{
		{op: fopOpen},
		{op: fopWrite},
		{op: fopSync},
		{op: fopClose},
		{op: fopRename},
		{op: fopSyncDir, replaced: true},
		{writerErr: true},
	}
	for _, tc := range tests {
		name := string(tc.op)
		if tc.writerErr {
			name = "callback"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f")
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			ffs := newFaultFS()
			ffs.setFail(func(op fop, _ string) error {
				if op == tc.op {
					return syscall.EIO
				}
				return nil
			})
			err := WriteFileAtomic(ffs, path, func(w io.Writer) error {
				if tc.writerErr {
					return errors.New("callback failed")
				}
				_, err := w.Write([]byte("new"))
				return err
			})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name the file", err)
			}
			got, _ := os.ReadFile(path)
			want := "old"
			if tc.replaced {
				want = "new"
			}
			if string(got) != want {
				t.Fatalf("content %q, want %q", got, want)
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 {
				t.Fatalf("directory has %d entries (temporary file left?)", len(ents))
			}
		})
	}
}

func TestWriteFileAtomicOK(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	ffs := newFaultFS()
	for _, content := range []string{"first", "second"} {
		if err := WriteFileAtomic(ffs, path, func(w io.Writer) error {
			_, err := io.WriteString(w, content)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); string(got) != content {
			t.Fatalf("content %q", got)
		}
	}
	if ffs.count(fopSync) != 2 || ffs.count(fopRename) != 2 || ffs.count(fopSyncDir) != 2 {
		t.Fatalf("counts %v", ffs.counts)
	}
}

// crc32c returns the manifest checksum of b in hex.
func crc32c(b []byte) string {
	return fmt.Sprintf("%08x", crc32.Checksum(b, castagnoli))
}
