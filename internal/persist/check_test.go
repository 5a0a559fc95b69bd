package persist

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(t *testing.T, dir string)
		shards  int
		want    []string
		corrupt bool
	}{
		{"empty", func(t *testing.T, dir string) {}, 2, []string{"Open would create a new database with 2 shards"}, false},
		{"healthy", func(t *testing.T, dir string) {
			d := mustOpen(t, 2, defaultOpts(dir), nil)
			writeSome(d, 10)
			d.st.Save()
			d.do("SET", "x", "1")
			d.close()
		}, 2, []string{"base kevy.0.2.base.rdb", "log kevy.1.2.incr.aof", "OK: Open would succeed"}, false},
		{"reshard", func(t *testing.T, dir string) {
			d := mustOpen(t, 2, defaultOpts(dir), nil)
			d.close()
		}, 3, []string{"re-shard the database from 2 to 3"}, false},
		{"torn tail", func(t *testing.T, dir string) {
			d := mustOpen(t, 1, defaultOpts(dir), nil)
			writeSome(d, 3)
			d.close()
			f, _ := os.OpenFile(incrPath(dir, 0), os.O_APPEND|os.O_WRONLY, 0)
			f.Write([]byte("*2\r\n$3\r\nDEL"))
			f.Close()
		}, 1, []string{"truncate a torn final record of 11 bytes", "OK"}, false},
		{"incomplete block", func(t *testing.T, dir string) {
			d := mustOpen(t, 1, defaultOpts(dir), nil)
			writeSome(d, 3)
			d.close()
			f, _ := os.OpenFile(incrPath(dir, 0), os.O_APPEND|os.O_WRONLY, 0)
			f.Write([]byte("*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1\r\n*3\r\n$3\r\nSET"))
			f.Close()
		}, 1, []string{"incomplete MULTI/EXEC block at the end (53 bytes, 1 complete records", "transaction would not be applied", "OK"}, false},
		{"foreign key in log", func(t *testing.T, dir string) {
			d := mustOpen(t, 2, defaultOpts(dir), nil)
			d.close()
			// "a" lives in shard 1 of 2: put a record about it in shard 0.
			os.WriteFile(incrPath(dir, 0), []byte("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nv\r\n"), 0o644)
		}, 2, []string{"in the log of shard 0", "FAILED"}, true},
		{"interrupted creation", func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(dir, "aof-1"), 0o755)
			os.WriteFile(filepath.Join(dir, "aof-1", incompleteName), nil, 0o644)
		}, 2, []string{"creation interrupted", "Open would create a new database"}, false},
		{"dump.rdb", func(t *testing.T, dir string) {
			src := t.TempDir()
			d := mustOpen(t, 2, defaultOpts(src), nil)
			writeSome(d, 7)
			d.close()
			if err := Export(src, filepath.Join(dir, dumpName), ToolOptions{}); err != nil {
				t.Fatal(err)
			}
		}, 4, []string{"9 keys, valid", "Open would import"}, false},
		{"bad snapshot", func(t *testing.T, dir string) {
			d := mustOpen(t, 1, defaultOpts(dir), nil)
			writeSome(d, 10)
			d.st.Save()
			d.close()
			p := filepath.Join(dir, "aof-1", baseName(0, 2))
			b, _ := os.ReadFile(p)
			b[len(b)-3] ^= 1
			os.WriteFile(p, b, 0o644)
		}, 1, []string{"checksum", "FAILED"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.prepare(t, dir)
			var out bytes.Buffer
			err := Check(dir, tc.shards, ToolOptions{}, &out)
			if tc.corrupt != errors.Is(err, ErrCorrupt) {
				t.Fatalf("Check: %v\n%s", err, out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}
