package aof

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// MULTI ... EXEC blocks: applied all or nothing.

func TestReplayBlocks(t *testing.T) {
	multi, exec := rec("MULTI"), rec("EXEC")
	tests := []struct {
		name   string
		data   []byte
		want   []string
		blocks int64
	}{
		{"block", join(rec("SET", "a", "1"), multi, rec("SET", "b", "2"), rec("DEL", "a"), exec, rec("SET", "c", "3")),
			[]string{"SET a 1", "SET b 2", "DEL a", "SET c 3"}, 1},
		{"select inside", join(rec("SELECT", "1"), multi, rec("SET", "b", "2"), rec("SELECT", "3"), rec("SET", "c", "3"), exec),
			[]string{"SELECT 1", "SET b 2", "SELECT 3", "SET c 3"}, 1},
		{"any case", join(rec("multi"), rec("SET", "b", "2"), rec("Exec")), []string{"SET b 2"}, 1},
		{"annotation inside", join(multi, []byte("#TS:1\r\n"), rec("SET", "b", "2"), exec), []string{"SET b 2"}, 1},
		{"empty block", join(multi, exec, rec("PING")), []string{"PING"}, 1},
		{"two blocks", join(multi, rec("SET", "a", "1"), exec, multi, rec("SET", "b", "2"), exec),
			[]string{"SET a 1", "SET b 2"}, 2},
		{"not markers", join(rec("MULTI", "x"), rec("EXEC", "y"), rec("MULTIX"), rec("EXE")),
			[]string{"MULTI x", "EXEC y", "MULTIX", "EXE"}, 0},
		{"binary in block", join(multi, rec("SET", "k\r\n*1\r\n$4\r\nEXEC\r\n", "v"), exec),
			[]string{"SET k\r\n*1\r\n$4\r\nEXEC\r\n v"}, 1},
	}
	for _, tc := range tests {
		for _, buf := range []int64{0, 1} { // default, and read ahead at once
			t.Run(fmt.Sprintf("%s/buffer=%d", tc.name, buf), func(t *testing.T) {
				path := writeFile(t, tc.data)
				got, res, err := replayAll(t, path, ReplayOptions{MaxBlockBuffer: buf})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
				if res.Records != int64(len(tc.want)) || res.Blocks != tc.blocks || res.Bytes != int64(len(tc.data)) ||
					res.TruncatedBytes != 0 || res.IncompleteBlock {
					t.Fatalf("result %+v", res)
				}
				// Validation only counts the same records.
				vres, err := Replay(path, nil, ReplayOptions{})
				if err != nil || vres.Records != res.Records || vres.Bytes != res.Bytes || vres.Blocks != res.Blocks {
					t.Fatalf("validation: %v %+v", err, vres)
				}
			})
		}
	}
}

// TestReplayBlockTornEveryOffset cuts a file at every byte inside its last
// block: nothing of the block is applied, the file is cut back to before
// its MULTI with a log line, and the log appends after that.
func TestReplayBlockTornEveryOffset(t *testing.T) {
	prefix := join(rec("SET", "a", "1"), rec("SELECT", "2"))
	block := join(rec("MULTI"), rec("SET", "b", "2"), []byte("#TS:5\r\n"), rec("SELECT", "3"),
		rec("RPUSH", "l", strings.Repeat("x", 100), "y"), rec("EXEC"))
	full := join(prefix, block)
	wantPrefix := []string{"SET a 1", "SELECT 2"}
	for _, fnNil := range []bool{false, true} {
		for _, buf := range []int64{0, 1} {
			for _, zeros := range []int{0, 5} {
				for cut := len(prefix) + 1; cut < len(full); cut++ {
					name := fmt.Sprintf("validate=%v/buffer=%d/zeros=%d/cut=%d", fnNil, buf, zeros, cut)
					data := append(bytes.Clone(full[:cut]), make([]byte, zeros)...)
					path := writeFile(t, data)
					logger, logs := testLogger()
					var got []string
					var fn func([][]byte) error
					if !fnNil {
						fn = func(args [][]byte) error {
							got = append(got, string(bytes.Join(args, []byte(" "))))
							return nil
						}
					}
					res, err := Replay(path, fn, ReplayOptions{Logger: logger, MaxBlockBuffer: buf})
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if !fnNil && !reflect.DeepEqual(got, wantPrefix) {
						t.Fatalf("%s: applied %q, want only %q", name, got, wantPrefix)
					}
					// Cut inside the MULTI record itself, the tail is a
					// torn record like any other.
					inBlock := cut >= len(prefix)+len(rec("MULTI"))
					if res.Records != 2 || res.Bytes != int64(len(prefix)) || res.TruncatedBytes != int64(len(data)-len(prefix)) ||
						res.IncompleteBlock != inBlock || res.Repaired {
						t.Fatalf("%s: result %+v", name, res)
					}
					if fileSize(t, path) != int64(len(prefix)) {
						t.Fatalf("%s: file not cut back to before the MULTI: %d bytes", name, fileSize(t, path))
					}
					if line := map[bool]string{true: "incomplete MULTI/EXEC block", false: "torn final record"}[inBlock]; !strings.Contains(logs.String(), line) {
						t.Fatalf("%s: no log line: %q", name, logs.String())
					}
				}
			}
		}
	}
	// The log reopens after the valid prefix and its next block replays.
	path := writeFile(t, full[:len(full)-3])
	logger, _ := testLogger()
	res, err := Replay(path, nil, ReplayOptions{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(path, Options{Logger: logger, Replayed: &res})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(join(rec("MULTI"), rec("SET", "c", "3"), rec("SET", "d", "4"), rec("EXEC"))); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	got, res, err := replayAll(t, path, ReplayOptions{Logger: logger})
	if err != nil || res.TruncatedBytes != 0 || res.Blocks != 1 {
		t.Fatal(err, res)
	}
	if want := []string{"SET a 1", "SELECT 2", "SET c 3", "SET d 4"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after reopen got %q", got)
	}
}

// TestReplayBlockDropped reports the complete records of a torn block.
func TestReplayBlockDropped(t *testing.T) {
	data := join(rec("MULTI"), rec("SET", "a", "1"), rec("SET", "b", "2"), rec("SET", "c", "3")[:7])
	for _, buf := range []int64{0, 1} {
		path := writeFile(t, data)
		logger, logs := testLogger()
		got, res, err := replayAll(t, path, ReplayOptions{Logger: logger, MaxBlockBuffer: buf})
		if err != nil || len(got) != 0 || res.DroppedRecords != 2 || !res.IncompleteBlock || res.Bytes != 0 {
			t.Fatalf("buffer %d: %v %q %+v", buf, err, got, res)
		}
		if !strings.Contains(logs.String(), "dropped_records=2") {
			t.Fatalf("log %q", logs.String())
		}
	}
}

// TestReplayBlockCorrupt: an unterminated block followed by more data, a
// stray EXEC, and damage inside a block are corruption; the valid prefix
// ends before the block, which is where Repair cuts.
func TestReplayBlockCorrupt(t *testing.T) {
	good := rec("SET", "a", "1")
	multi, exec := rec("MULTI"), rec("EXEC")
	inner := rec("SET", "b", "2")
	blockAt := int64(len(good))
	tests := []struct {
		name   string
		data   []byte
		offset int64 // valid prefix
		bad    int64
		reason string
	}{
		{"nested MULTI", join(good, multi, inner, multi, inner, exec), blockAt, blockAt + int64(len(multi)+len(inner)), "MULTI inside"},
		{"MULTI again after a torn block", join(good, multi, inner, multi, inner), blockAt, blockAt + int64(len(multi)+len(inner)), "MULTI inside"},
		{"stray EXEC", join(good, exec, inner), blockAt, blockAt, "EXEC without MULTI"},
		{"garbage in block", join(good, multi, inner, []byte("junk\r\n"), inner, exec), blockAt, blockAt + int64(len(multi)+len(inner)), "expected '*'"},
		{"torn record then data", join(good, multi, inner, []byte("*1\r\n$500\r\nab"), inner, exec), blockAt, blockAt + int64(len(multi)+len(inner)), "valid records follow"},
	}
	for _, tc := range tests {
		for _, buf := range []int64{0, 1} {
			t.Run(fmt.Sprintf("%s/buffer=%d", tc.name, buf), func(t *testing.T) {
				path := writeFile(t, tc.data)
				got, res, err := replayAll(t, path, ReplayOptions{MaxBlockBuffer: buf})
				var ce *CorruptError
				if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
					t.Fatalf("err = %v, want ErrCorrupt", err)
				}
				if ce.Offset != tc.offset || ce.Bad != tc.bad || ce.Path != path || !strings.Contains(ce.Reason, tc.reason) {
					t.Fatalf("error %+v", ce)
				}
				if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), fmt.Sprint("offset ", tc.offset)) {
					t.Fatalf("message %q lacks the file or offset", err)
				}
				if !reflect.DeepEqual(got, []string{"SET a 1"}) || res.Bytes != tc.offset {
					t.Fatalf("applied %q, %+v", got, res)
				}
				if fileSize(t, path) != int64(len(tc.data)) {
					t.Fatal("a corrupt file was modified")
				}
				// Repair cuts at the block's MULTI.
				logger, logs := testLogger()
				got, res, err = replayAll(t, path, ReplayOptions{Repair: true, Logger: logger, MaxBlockBuffer: buf})
				if err != nil || !res.Repaired || res.Bytes != tc.offset || !reflect.DeepEqual(got, []string{"SET a 1"}) {
					t.Fatalf("repair: %v %q %+v", err, got, res)
				}
				if fileSize(t, path) != tc.offset || !strings.Contains(logs.String(), "repairing") {
					t.Fatalf("repair: size %d, log %q", fileSize(t, path), logs.String())
				}
			})
		}
	}
}

// TestReplayBigBlock replays a block larger than MaxBlockBuffer: read
// ahead, then applied as read, all of it or (torn) none of it.
func TestReplayBigBlock(t *testing.T) {
	var recs [][]byte
	var want []string
	recs = append(recs, rec("MULTI"))
	for i := range 200 {
		k := fmt.Sprint("key", i)
		recs = append(recs, rec("SET", k, strings.Repeat("v", i)))
		want = append(want, "SET "+k+" "+strings.Repeat("v", i))
	}
	recs = append(recs, rec("EXEC"), rec("PING"))
	want = append(want, "PING")
	full := join(recs...)
	path := writeFile(t, full)
	got, res, err := replayAll(t, path, ReplayOptions{MaxBlockBuffer: 1000})
	if err != nil || !reflect.DeepEqual(got, want) || res.Blocks != 1 || res.Bytes != int64(len(full)) {
		t.Fatalf("%v %+v %d records", err, res, len(got))
	}
	torn := full[:len(full)-len(rec("EXEC"))-len(rec("PING"))]
	path = writeFile(t, torn)
	logger, _ := testLogger()
	got, res, err = replayAll(t, path, ReplayOptions{MaxBlockBuffer: 1000, Logger: logger})
	if err != nil || len(got) != 0 || !res.IncompleteBlock || res.DroppedRecords != 200 || res.Bytes != 0 {
		t.Fatalf("torn: %v %+v %d records", err, res, len(got))
	}
	// A callback error inside a block names the record's offset.
	path = writeFile(t, full)
	boom := errors.New("boom")
	_, err = Replay(path, func(args [][]byte) error {
		if string(args[1]) == "key150" {
			return boom
		}
		return nil
	}, ReplayOptions{MaxBlockBuffer: 1000})
	off := len(recs[0])
	for _, r := range recs[1:151] {
		off += len(r)
	}
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), fmt.Sprint("offset ", off)) {
		t.Fatalf("err %v, want the offset %d", err, off)
	}
}
