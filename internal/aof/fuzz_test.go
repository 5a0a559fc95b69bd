package aof

import (
	"bytes"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/resp"
)

// scanBytes replays data from memory and returns the re-encoded records.
func scanBytes(data []byte, opts ReplayOptions) ([]byte, verdict, ReplayResult, error) {
	var out []byte
	var res ReplayResult
	v, err := scan(bytes.NewReader(data), int64(len(data)), "fuzz", func(args [][]byte) error {
		out = resp.AppendCommand(out, args...)
		return nil
	}, &opts, time.Now(), &res)
	return out, v, res, err
}

// FuzzReplay checks that replay never panics, that the valid prefix it
// reports replays cleanly to the same records, and that re-encoded records
// are read back identically.
func FuzzReplay(f *testing.F) {
	seeds := [][]byte{
		nil,
		rec("SET", "k", "v"),
		join(rec("SET", "a", "1"), rec("DEL", "a")),
		join(rec("SET", "a", "1"), rec("DEL", "a")[:5]),
		join(rec("SET", "a", "1"), []byte("#TS:1700000000\r\n"), rec("PING")),
		join(rec("SET", "a", "1"), []byte("garbage\r\n"), rec("PING")),
		join(rec("SET", "a", "1"), make([]byte, 10)),
		[]byte("*1\r\n$99999\r\nx\r\n*1\r\n$1\r\nx\r\n"),
		[]byte("*2\r\n$3\r\nGET\r\n$-1\r\n"),
		[]byte("*0\r\n"),
		[]byte("*1\r\n$0\r\n\r\n"),
		[]byte("\n*1\r\n$1\r\na\r\n"),
		[]byte("#\r"),
		[]byte("*9999999999999999999\r\n"),
		join(rec("MULTI"), rec("SET", "a", "1"), rec("EXEC")),
		join(rec("MULTI"), rec("SET", "a", "1"), rec("SE")),
		join(rec("SET", "a", "1"), rec("MULTI"), rec("SET", "b", "2")),
		join(rec("MULTI"), rec("MULTI"), rec("EXEC")),
		join(rec("EXEC"), rec("SET", "a", "1")),
		join(rec("multi"), []byte("#TS:1\r\n"), rec("SELECT", "1"), rec("exec")),
	}
	for _, s := range seeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, repair bool) {
		opts := ReplayOptions{Repair: repair, MaxBulkLen: 1 << 16}
		out, v, res, err := scanBytes(data, opts)
		if err != nil {
			t.Fatalf("error from memory: %v", err)
		}
		if res.Bytes < 0 || res.Bytes > int64(len(data)) {
			t.Fatalf("valid length %d of %d", res.Bytes, len(data))
		}
		if v.kind == endClean && res.Bytes != int64(len(data)) {
			t.Fatalf("clean end at %d of %d", res.Bytes, len(data))
		}
		if v.kind == endCorrupt && (v.bad < res.Bytes || v.bad > int64(len(data))) {
			t.Fatalf("bad byte %d outside [%d, %d]", v.bad, res.Bytes, len(data))
		}
		out2, v2, res2, err := scanBytes(data[:res.Bytes], opts)
		if err != nil || v2.kind != endClean || res2.Records != res.Records || !bytes.Equal(out, out2) {
			t.Fatalf("valid prefix does not replay the same: %v %+v %+v", err, v2, res2)
		}
		// Reading a block ahead gives the same outcome as buffering it.
		small := opts
		small.MaxBlockBuffer = 8
		out4, v4, res4, err := scanBytes(data, small)
		if err != nil || v4 != v || res4.Records != res.Records || res4.Bytes != res.Bytes || res4.Blocks != res.Blocks || !bytes.Equal(out, out4) {
			t.Fatalf("reading ahead differs: %v %+v %+v, want %+v %+v", err, v4, res4, v, res)
		}
		out3, v3, res3, err := scanBytes(out, opts)
		if err != nil || v3.kind != endClean || res3.Records != res.Records || !bytes.Equal(out, out3) {
			t.Fatalf("re-encoded records do not replay the same: %v %+v", err, v3)
		}
	})
}
