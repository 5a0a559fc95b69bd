package resp

import (
	"bytes"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestPoolClass(t *testing.T) {
	tests := []struct {
		size, class, capacity int
	}{
		{1, -1, 1},
		{511, -1, 511},
		{512, 0, 512},
		{513, 1, 1024},
		{4096, 3, 4096},
		{10000, 5, 16384},
		{16384, 5, 16384},
		{16385, 6, 32768},
		{65536, 7, 65536},
		{65537, -1, 65537},
	}
	for _, tc := range tests {
		if got := poolClass(tc.size); got != tc.class {
			t.Errorf("poolClass(%d) = %d, want %d", tc.size, got, tc.class)
		}
		b, box := getBuf(tc.size)
		if len(b) != tc.capacity || cap(b) != tc.capacity || (box == nil) != (tc.class < 0) {
			t.Errorf("getBuf(%d): len %d cap %d box %v, want %d", tc.size, len(b), cap(b), box != nil, tc.capacity)
		}
		putBuf(b, box)
	}
}

// releasingSource reads from src and, like the server's connection,
// gives the Reader's buffer back before every read it can (unless keep),
// reading into ReadBuffer then.
type releasingSource struct {
	r        *Reader
	src      io.Reader
	keep     bool
	released int
}

func (s *releasingSource) Read(p []byte) (int, error) {
	if !s.keep && s.r.Release() {
		s.released++
		p = s.r.ReadBuffer()
	}
	return s.src.Read(p)
}

// parseReleasing is parseAll with a source that releases the buffer
// whenever it may.
func parseReleasing(rd io.Reader, size int) ([][][]byte, int, error) {
	s := &releasingSource{src: rd}
	s.r = NewReader(s, size)
	var out [][][]byte
	for {
		args, err := s.r.ReadCommand()
		if err != nil {
			return out, s.released, err
		}
		cmd := make([][]byte, len(args))
		for i, a := range args {
			cmd[i] = bytes.Clone(a)
		}
		out = append(out, cmd)
	}
}

func TestReaderRelease(t *testing.T) {
	in := "PING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + "70000\r\n" + strings.Repeat("v", 70000) + "\r\nECHO x\r\n"
	want, err := parseAll(strings.NewReader(in), 0)
	if err != io.EOF {
		t.Fatal(err)
	}
	for _, chunk := range []int{1, 7, 100, 1 << 20} {
		got, released, err := parseReleasing(&chunkReader{[]byte(in), chunk}, 0)
		if err != io.EOF || !reflect.DeepEqual(got, want) {
			t.Fatalf("chunk %d: %q, %v", chunk, got, err)
		}
		if released == 0 {
			t.Errorf("chunk %d: the buffer was never released", chunk)
		}
	}
}

func TestReaderReleaseOnlyBetweenCommands(t *testing.T) {
	r := NewReader(&chunkReader{[]byte("*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\nPI"), 13}, 0)
	if !r.Release() {
		t.Fatal("a new Reader has no buffer to keep")
	}
	args, err := r.ReadCommand()
	if err != nil || len(args) != 2 {
		t.Fatalf("%q %v", args, err)
	}
	if r.Release() {
		t.Fatal("released with PING buffered")
	}
	if args, err := r.ReadCommand(); err != nil || string(args[0]) != "PING" {
		t.Fatalf("%q %v", args, err)
	}
	if !r.Release() || r.buf != nil {
		t.Fatal("not released between commands")
	}
	for i := range cap(r.args) {
		if r.args[:cap(r.args)][i] != nil {
			t.Fatal("released Reader still points into its old buffer")
		}
	}
	if _, err := r.ReadCommand(); err != io.ErrUnexpectedEOF {
		t.Fatalf("err = %v", err)
	}
	if r.Release() {
		t.Fatal("released with half a command buffered")
	}
}

// TestReadValueKeepsBuffer checks that a source cannot take the buffer
// away in the middle of a value.
func TestReadValueKeepsBuffer(t *testing.T) {
	in := "*2\r\n$3\r\nabc\r\n:5\r\n"
	s := &releasingSource{src: &chunkReader{[]byte(in), 4}}
	s.r = NewReader(s, 0)
	v, err := s.r.ReadValue()
	if err != nil || len(v.Elems) != 2 || string(v.Elems[0].Str) != "abc" || v.Elems[1].Int != 5 {
		t.Fatalf("%+v %v", v, err)
	}
	if s.released != 1 { // only before the first byte
		t.Fatalf("released %d times", s.released)
	}
}

func TestWriterReleaseAcquire(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, 0)
	w.OK()
	if w.Release() {
		t.Fatal("released with a reply pending")
	}
	w.Flush()
	if !w.Release() || w.buf != nil {
		t.Fatal("not released when empty")
	}
	w.Int(7) // works without a buffer, allocating
	w.Flush()
	w.Release()
	w.Acquire()
	if cap(w.buf) != DefaultBufSize || len(w.buf) != 0 {
		t.Fatalf("Acquire: len %d cap %d", len(w.buf), cap(w.buf))
	}
	w.BulkString("x")
	w.Flush()
	if got := out.String(); got != "+OK\r\n:7\r\n$1\r\nx\r\n" {
		t.Fatalf("wrote %q", got)
	}
}

// TestReleaseCycleZeroAlloc checks that giving the buffers back and
// taking them again around every read allocates nothing.
func TestReleaseCycleZeroAlloc(t *testing.T) {
	data := AppendCommandString(nil, "GET", "key:000001")
	s := &releasingSource{src: &cycleReader{data: data}}
	s.r = NewReader(s, 0)
	w := NewWriter(io.Discard, 0)
	allocs := testing.AllocsPerRun(10000, func() {
		if _, err := s.r.ReadCommand(); err != nil {
			t.Fatal(err)
		}
		w.BulkString("value")
		w.Flush()
		w.Release()
		w.Acquire()
	})
	if s.released == 0 {
		t.Fatal("the buffer was never released")
	}
	if allocs != 0 {
		t.Fatalf("%.2f allocations per command with buffers released", allocs)
	}
}

// TestHugeHeaderAllocation checks that announced lengths allocate
// nothing up front: memory follows the bytes received.
func TestHugeHeaderAllocation(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"400 MB bulk", "*1\r\n$400000000\r\n0123456789"},
		{"512 MB bulk", "*2\r\n$3\r\nSET\r\n$536870912\r\n0123456789"},
		{"2^31-1 elements", "*2147483647\r\n$1\r\nx\r\n$1\r\ny\r\n"},
		{"2^31-1 elements and a big bulk", "*2147483647\r\n$1\r\nx\r\n$400000000\r\n0123"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			r := NewReader(strings.NewReader(tc.in), 0)
			_, err := r.ReadCommand()
			runtime.ReadMemStats(&after)
			if err != io.ErrUnexpectedEOF {
				t.Fatalf("err = %v", err)
			}
			if d := after.TotalAlloc - before.TotalAlloc; d > 256<<10 {
				t.Fatalf("%d bytes allocated for %d bytes of input", d, len(tc.in))
			}
		})
	}
}
