package aof

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestReplayValidFiles(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"empty", nil, nil},
		{"one", rec("SET", "k", "v"), []string{"SET k v"}},
		{"several", join(rec("SET", "a", "1"), rec("DEL", "a"), rec("PING")), []string{"SET a 1", "DEL a", "PING"}},
		{"binary", rec("SET", "k\r\n*1\r\n", "\x00\xff"), []string{"SET k\r\n*1\r\n \x00\xff"}},
		{"empty arg", rec("SET", "k", ""), []string{"SET k "}},
		{"annotations", join([]byte("#TS:1700000000\r\n"), rec("SET", "a", "1"), []byte("#\r\n"), rec("DEL", "a")), []string{"SET a 1", "DEL a"}},
		{"big arg", rec("SET", "k", strings.Repeat("x", 1<<20)), []string{"SET k " + strings.Repeat("x", 1<<20)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.data)
			got, res, err := replayAll(t, path, ReplayOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if res.Records != int64(len(tc.want)) || res.Bytes != int64(len(tc.data)) || res.TruncatedBytes != 0 || res.Path != path {
				t.Fatalf("result %+v", res)
			}
		})
	}
}

func TestReplayMissingFile(t *testing.T) {
	_, _, err := replayAll(t, t.TempDir()+"/nope.aof", ReplayOptions{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want ErrNotExist", err)
	}
}

// TestReplayTornTail cuts the last record at every byte and checks that
// the tail is truncated with a log line and that the log reopens and
// appends after the valid prefix.
func TestReplayTornTail(t *testing.T) {
	prefix := join(rec("SET", "a", "1"), []byte("#TS:1\r\n"), rec("SET", "b", "2"))
	last := rec("SET", "key", "va\r\nlue")
	full := join(prefix, last)
	for _, zeros := range []int{0, 7} {
		for cut := len(prefix) + 1; cut < len(full); cut++ {
			t.Run(fmt.Sprintf("cut=%d/zeros=%d", cut, zeros), func(t *testing.T) {
				data := append(bytes.Clone(full[:cut]), make([]byte, zeros)...)
				path := writeFile(t, data)
				logger, logs := testLogger()
				got, res, err := replayAll(t, path, ReplayOptions{Logger: logger})
				if err != nil {
					t.Fatal(err)
				}
				if want := []string{"SET a 1", "SET b 2"}; !reflect.DeepEqual(got, want) {
					t.Fatalf("got %q", got)
				}
				if res.Bytes != int64(len(prefix)) || res.TruncatedBytes != int64(len(data)-len(prefix)) || res.Repaired {
					t.Fatalf("result %+v", res)
				}
				if fileSize(t, path) != int64(len(prefix)) {
					t.Fatalf("file not truncated: %d bytes", fileSize(t, path))
				}
				if !strings.Contains(logs.String(), "torn final record") {
					t.Fatalf("no log line: %q", logs.String())
				}
				l, err := Open(path, Options{Logger: logger, Replayed: &res})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := l.Append(rec("SET", "c", "3")); err != nil {
					t.Fatal(err)
				}
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
				got, res, err = replayAll(t, path, ReplayOptions{Logger: logger})
				if err != nil || res.TruncatedBytes != 0 {
					t.Fatal(err, res)
				}
				if want := []string{"SET a 1", "SET b 2", "SET c 3"}; !reflect.DeepEqual(got, want) {
					t.Fatalf("after reopen got %q", got)
				}
			})
		}
	}
}

func TestReplayTornTailOnlyZeros(t *testing.T) {
	r := rec("SET", "a", "1")
	path := writeFile(t, append(bytes.Clone(r), make([]byte, 4096)...))
	logger, _ := testLogger()
	got, res, err := replayAll(t, path, ReplayOptions{Logger: logger})
	if err != nil || len(got) != 1 || res.Bytes != int64(len(r)) || res.TruncatedBytes != 4096 {
		t.Fatal(err, got, res)
	}
}

// TestReplayCorrupt checks that damage followed by more data is reported
// with the offset of the bad record.
func TestReplayCorrupt(t *testing.T) {
	good := rec("SET", "a", "1")
	after := rec("SET", "b", "2")
	tests := []struct {
		name    string
		garbage []byte
		bad     int // offset of the bad byte relative to the garbage
	}{
		{"inline command", []byte("SET x y\r\n"), 0},
		{"junk", []byte("\x01\x02garbage"), 0},
		{"empty array", []byte("*0\r\n"), 1},
		{"negative array", []byte("*-1\r\n"), 1},
		{"leading zero in array", []byte("*01\r\n$1\r\nx\r\n"), 1},
		{"leading zero in bulk", []byte("*1\r\n$01\r\nx\r\n"), 6},
		{"too many digits", []byte("*1\r\n$1234567890123456789\r\n"), 23},
		{"missing dollar", []byte("*1\r\n:1\r\n"), 4},
		{"bad bulk length", []byte("*1\r\n$x\r\n"), 5},
		{"negative bulk", []byte("*1\r\n$-1\r\n"), 5},
		{"bad CRLF after payload", []byte("*1\r\n$1\r\nxZZ"), 9},
		{"LF missing after payload", []byte("*1\r\n$1\r\nx\rZ"), 10},
		{"LF missing in header", []byte("*1\rZ$1\r\nx\r\n"), 3},
		{"long annotation", append([]byte("#"), bytes.Repeat([]byte("a"), 2000)...), 1024},
		{"control byte in annotation", []byte("#a\x01\r\n"), 2},
		{"zeros then data", make([]byte, 16), 0},
		{"length past the end", []byte("*1\r\n$99999\r\nxx\r\n"), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := join(good, tc.garbage, after, after)
			path := writeFile(t, data)
			got, res, err := replayAll(t, path, ReplayOptions{})
			var ce *CorruptError
			if !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			if ce.Offset != int64(len(good)) || ce.Bad != int64(len(good)+tc.bad) || ce.Path != path || ce.Size != int64(len(data)) {
				t.Fatalf("error %+v", ce)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), fmt.Sprint(len(good))) {
				t.Fatalf("message %q lacks the file or offset", err)
			}
			if len(got) != 1 || res.Records != 1 || res.Bytes != int64(len(good)) {
				t.Fatalf("got %q, %+v", got, res)
			}
			if fileSize(t, path) != int64(len(data)) {
				t.Fatal("corrupt file was modified")
			}
		})
	}
}

// TestReplayBadTail checks that an invalid final record that is not a
// valid prefix is corruption too (only torn prefixes are truncated).
func TestReplayBadTail(t *testing.T) {
	good := rec("SET", "a", "1")
	path := writeFile(t, join(good, []byte("*1\r\n$1\r\nxAB")))
	if _, _, err := replayAll(t, path, ReplayOptions{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v", err)
	}
}

func TestReplayRepair(t *testing.T) {
	good := rec("SET", "a", "1")
	data := join(good, []byte("garbage\r\n"), rec("SET", "b", "2"))
	for _, dry := range []bool{false, true} {
		t.Run(fmt.Sprint("dry=", dry), func(t *testing.T) {
			path := writeFile(t, data)
			logger, logs := testLogger()
			got, res, err := replayAll(t, path, ReplayOptions{Repair: true, DryRun: dry, Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !res.Repaired || res.Bytes != int64(len(good)) || res.TruncatedBytes != int64(len(data)-len(good)) {
				t.Fatalf("got %q %+v", got, res)
			}
			want := int64(len(good))
			if dry {
				want = int64(len(data))
			}
			if fileSize(t, path) != want {
				t.Fatalf("size %d, want %d", fileSize(t, path), want)
			}
			if !strings.Contains(logs.String(), "dropped_bytes="+fmt.Sprint(len(data)-len(good))) {
				t.Fatalf("log %q", logs.String())
			}
		})
	}
}

func TestReplayCallbackError(t *testing.T) {
	first := rec("SET", "a", "1")
	path := writeFile(t, join(first, rec("BAD"), rec("SET", "b", "2")))
	boom := errors.New("boom")
	n := 0
	res, err := Replay(path, func(args [][]byte) error {
		n++
		if string(args[0]) == "BAD" {
			return boom
		}
		return nil
	}, ReplayOptions{})
	if !errors.Is(err, boom) || n != 2 || res.Records != 1 || !strings.Contains(err.Error(), fmt.Sprint("offset ", len(first))) {
		t.Fatalf("err %v, n %d, res %+v", err, n, res)
	}
}

func TestReplayMaxBulkLen(t *testing.T) {
	path := writeFile(t, join(rec("SET", "k", "0123456789"), rec("PING")))
	_, _, err := replayAll(t, path, ReplayOptions{MaxBulkLen: 5})
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Offset != 0 || !strings.Contains(ce.Reason, "limit") {
		t.Fatalf("err = %v", err)
	}
}

func TestReplayProgress(t *testing.T) {
	var data []byte
	for i := range 100 {
		data = append(data, rec("SET", fmt.Sprint("k", i), "v")...)
	}
	path := writeFile(t, data)
	var calls []ReplayProgress
	res, err := Replay(path, nil, ReplayOptions{ProgressRecords: 30, Progress: func(p ReplayProgress) { calls = append(calls, p) }})
	if err != nil || res.Records != 100 {
		t.Fatal(err, res)
	}
	// At 30, 60, 90 records and at the end.
	if len(calls) != 4 {
		t.Fatalf("%d progress calls: %+v", len(calls), calls)
	}
	for i, c := range calls[:3] {
		if c.Records != int64(30*(i+1)) || c.Size != int64(len(data)) || c.Bytes <= 0 {
			t.Fatalf("call %d: %+v", i, c)
		}
	}
	if last := calls[3]; last.Records != 100 || last.Bytes != int64(len(data)) {
		t.Fatalf("last call %+v", last)
	}
}

func TestReplayNilCallbackValidates(t *testing.T) {
	path := writeFile(t, join(rec("SET", "a", "1"), []byte("oops\r\n"), rec("PING")))
	if _, err := Replay(path, nil, ReplayOptions{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v", err)
	}
}

func TestReplayReadError(t *testing.T) {
	path := writeFile(t, rec("PING"))
	ffs := newFaultFS()
	ffs.setFail(func(op fop, name string) error {
		if op == fopOpen {
			return fs.ErrPermission
		}
		return nil
	})
	if _, err := Replay(path, nil, ReplayOptions{FS: ffs}); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("err = %v", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
}
