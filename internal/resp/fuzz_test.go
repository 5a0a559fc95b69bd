package resp

import (
	"bytes"
	"io"
	"math"
	"reflect"
	"testing"
	"testing/iotest"
)

// parseAll reads every command of data and returns copies plus the final
// error.
func parseAll(rd io.Reader, size int) ([][][]byte, error) {
	r := NewReader(rd, size)
	var out [][][]byte
	for {
		args, err := r.ReadCommand()
		if err != nil {
			return out, err
		}
		cmd := make([][]byte, len(args))
		for i, a := range args {
			cmd[i] = bytes.Clone(a)
		}
		out = append(out, cmd)
	}
}

func FuzzReadCommand(f *testing.F) {
	f.Add([]byte("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"))
	f.Add([]byte("PING\r\nSET \"a\\x41\" 'b\\'c'\n\r\n*0\r\n"))
	f.Add([]byte("*1\r\n$-1\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cmds, err := parseAll(bytes.NewReader(data), 64)
		if err == nil {
			t.Fatal("nil error at end of input")
		}
		// The result must not depend on how the input is split into reads.
		cmds1, err1 := parseAll(iotest.OneByteReader(bytes.NewReader(data)), 1)
		if err1.Error() != err.Error() || !reflect.DeepEqual(cmds, cmds1) {
			t.Fatalf("one-byte reads differ: %q %v vs %q %v", cmds1, err1, cmds, err)
		}
		// Nor on the buffer being given back between commands, as the
		// server does while a connection waits for input.
		cmds2, _, err2 := parseReleasing(iotest.HalfReader(bytes.NewReader(data)), 64)
		if err2.Error() != err.Error() || !reflect.DeepEqual(cmds, cmds2) {
			t.Fatalf("releasing reads differ: %q %v vs %q %v", cmds2, err2, cmds, err)
		}
		// Re-encoding what was parsed gives the same commands back.
		var enc []byte
		for _, c := range cmds {
			if len(c) == 0 {
				t.Fatal("empty command returned")
			}
			enc = AppendCommand(enc, c...)
		}
		again, err := parseAll(bytes.NewReader(enc), 0)
		if err != io.EOF || !reflect.DeepEqual(again, cmds) {
			t.Fatalf("re-encoded parse: %q %v, want %q", again, err, cmds)
		}
	})
}

func FuzzReadValue(f *testing.F) {
	f.Add([]byte("*2\r\n:1\r\n$1\r\na\r\n"))
	f.Add([]byte("%1\r\n+a\r\n,1.5\r\n|1\r\n+k\r\n#t\r\n~1\r\n_\r\n"))
	f.Add([]byte(">2\r\n=5\r\ntxt:x\r\n(123\r\n!3\r\nERR\r\n$-1\r\n*-1\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), 16)
		for {
			v, err := r.ReadValue()
			if err != nil {
				return
			}
			enc := AppendValue(nil, &v)
			v2, err := NewReader(bytes.NewReader(enc), 0).ReadValue()
			if err != nil {
				t.Fatalf("re-encoded %q: %v", enc, err)
			}
			if !sameValue(&v, &v2) {
				t.Fatalf("round trip of %q: %+v vs %+v", enc, v, v2)
			}
		}
	})
}

// sameValue is reflect.DeepEqual with NaN equal to NaN.
func sameValue(a, b *Value) bool {
	if a.Kind != b.Kind || a.Null != b.Null || !bytes.Equal(a.Str, b.Str) || a.Int != b.Int ||
		len(a.Elems) != len(b.Elems) || len(a.Attrs) != len(b.Attrs) || (a.Attrs == nil) != (b.Attrs == nil) {
		return false
	}
	if a.Float != b.Float && !(math.IsNaN(a.Float) && math.IsNaN(b.Float)) {
		return false
	}
	if math.Signbit(a.Float) != math.Signbit(b.Float) && !math.IsNaN(a.Float) {
		return false
	}
	for i := range a.Elems {
		if !sameValue(&a.Elems[i], &b.Elems[i]) {
			return false
		}
	}
	for i := range a.Attrs {
		if !sameValue(&a.Attrs[i], &b.Attrs[i]) {
			return false
		}
	}
	return true
}
