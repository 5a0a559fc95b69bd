package resp

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestWriterReplies(t *testing.T) {
	tests := []struct {
		name  string
		write func(w *Writer)
		resp2 string
		resp3 string
	}{
		{"simple", func(w *Writer) { w.SimpleString("OK") }, "+OK\r\n", "+OK\r\n"},
		{"simple sanitized", func(w *Writer) { w.SimpleString("a\r\nb") }, "+a  b\r\n", "+a  b\r\n"},
		{"ok", func(w *Writer) { w.OK() }, "+OK\r\n", "+OK\r\n"},
		{"error", func(w *Writer) { w.Error("ERR syntax error") }, "-ERR syntax error\r\n", "-ERR syntax error\r\n"},
		{"error dash", func(w *Writer) { w.Error("-WRONGTYPE x") }, "-WRONGTYPE x\r\n", "-WRONGTYPE x\r\n"},
		{"error sanitized", func(w *Writer) { w.Error("ERR a\nb") }, "-ERR a b\r\n", "-ERR a b\r\n"},
		{"int", func(w *Writer) { w.Int(-123) }, ":-123\r\n", ":-123\r\n"},
		{"int min", func(w *Writer) { w.Int(math.MinInt64) }, ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
		{"bulk", func(w *Writer) { w.Bulk([]byte("a\r\nb")) }, "$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n"},
		{"bulk nil", func(w *Writer) { w.Bulk(nil) }, "$0\r\n\r\n", "$0\r\n\r\n"},
		{"bulk string", func(w *Writer) { w.BulkString("hello") }, "$5\r\nhello\r\n", "$5\r\nhello\r\n"},
		{"bulk int", func(w *Writer) { w.BulkInt(-42) }, "$3\r\n-42\r\n", "$3\r\n-42\r\n"},
		{"null", func(w *Writer) { w.Null() }, "$-1\r\n", "_\r\n"},
		{"null array", func(w *Writer) { w.NullArray() }, "*-1\r\n", "_\r\n"},
		{"array", func(w *Writer) { w.ArrayLen(2); w.Int(1); w.BulkString("x") }, "*2\r\n:1\r\n$1\r\nx\r\n", "*2\r\n:1\r\n$1\r\nx\r\n"},
		{"empty array", func(w *Writer) { w.ArrayLen(0) }, "*0\r\n", "*0\r\n"},
		{"map", func(w *Writer) { w.MapLen(1); w.BulkString("k"); w.Int(1) }, "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n"},
		{"set", func(w *Writer) { w.SetLen(1); w.Int(1) }, "*1\r\n:1\r\n", "~1\r\n:1\r\n"},
		{"push", func(w *Writer) { w.PushLen(1); w.Int(1) }, "*1\r\n:1\r\n", ">1\r\n:1\r\n"},
		{"double", func(w *Writer) { w.Double(1.5) }, "$3\r\n1.5\r\n", ",1.5\r\n"},
		{"double 17g", func(w *Writer) { w.Double(1.1) }, "$18\r\n1.1000000000000001\r\n", ",1.1000000000000001\r\n"},
		{"double inf", func(w *Writer) { w.Double(math.Inf(1)) }, "$3\r\ninf\r\n", ",inf\r\n"},
		{"double -inf", func(w *Writer) { w.Double(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
		{"double nan", func(w *Writer) { w.Double(math.NaN()) }, "$3\r\nnan\r\n", ",nan\r\n"},
		{"bool true", func(w *Writer) { w.Bool(true) }, ":1\r\n", "#t\r\n"},
		{"bool false", func(w *Writer) { w.Bool(false) }, ":0\r\n", "#f\r\n"},
		{"verbatim", func(w *Writer) { w.Verbatim("txt", []byte("hi")) }, "$2\r\nhi\r\n", "=6\r\ntxt:hi\r\n"},
		{"verbatim bad format", func(w *Writer) { w.Verbatim("markdown", []byte("hi")) }, "$2\r\nhi\r\n", "=6\r\ntxt:hi\r\n"},
		{"big number", func(w *Writer) { w.BigNumber("12345678901234567890") }, "$20\r\n12345678901234567890\r\n", "(12345678901234567890\r\n"},
		{"raw", func(w *Writer) { w.Raw([]byte("+PONG\r\n")) }, "+PONG\r\n", "+PONG\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for proto, want := range map[int]string{2: tc.resp2, 3: tc.resp3} {
				var out bytes.Buffer
				w := NewWriter(&out, 0)
				w.SetProto(proto)
				tc.write(w)
				if w.Buffered() != len(want) || string(w.Bytes()) != want {
					t.Fatalf("RESP%d buffered %q, want %q", proto, w.Bytes(), want)
				}
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
				if out.String() != want || w.Buffered() != 0 {
					t.Fatalf("RESP%d wrote %q, want %q", proto, out.String(), want)
				}
				// Every reply must be parseable.
				if _, err := NewReader(&out, 0).ReadValue(); err != nil {
					t.Fatalf("RESP%d reply does not parse: %v", proto, err)
				}
			}
		})
	}
}

func TestAppendDouble(t *testing.T) {
	// Expected strings are C printf("%.17g") output, as Redis 7.0 replies.
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{1, "1"},
		{1.5, "1.5"},
		{-2.5, "-2.5"},
		{100, "100"},
		{1.1, "1.1000000000000001"},
		{0.1, "0.10000000000000001"},
		{0.3, "0.29999999999999999"},
		{3.14159, "3.1415899999999999"},
		{1e15, "1000000000000000"},
		{1e16, "10000000000000000"},
		{12345678901234567, "12345678901234568"},
		{1e17, "1e+17"},
		{1e20, "1e+20"},
		{123456789012345678, "1.2345678901234568e+17"},
		{0.0001, "0.0001"},
		{1e-5, "1.0000000000000001e-05"},
		{2.5e-308, "2.4999999999999998e-308"},
		{5e-324, "4.9406564584124654e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	}
	for _, tc := range tests {
		if got := string(AppendDouble(nil, tc.f)); got != tc.want {
			t.Errorf("AppendDouble(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

func TestWriterProto(t *testing.T) {
	w := NewWriter(io.Discard, 0)
	if w.Proto() != 2 {
		t.Fatal("default protocol is not 2")
	}
	for _, tc := range []struct{ set, want int }{{3, 3}, {2, 2}, {7, 2}, {0, 2}} {
		w.SetProto(tc.set)
		if w.Proto() != tc.want {
			t.Errorf("SetProto(%d): Proto() = %d", tc.set, w.Proto())
		}
	}
	w.SetProto(3)
	w.Reset(io.Discard)
	if w.Proto() != 2 {
		t.Fatal("Reset keeps RESP3")
	}
}

type failWriter struct{}

func (failWriter) Write(p []byte) (int, error) { return 0, errors.New("broken") }

func TestWriterFlush(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, 16)
	if err := w.Flush(); err != nil || out.Len() != 0 {
		t.Fatal("empty flush wrote data")
	}
	big := strings.Repeat("x", 200000)
	w.BulkString(big)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if out.Len() != len(big)+len("$200000\r\n\r\n") {
		t.Fatalf("wrote %d bytes", out.Len())
	}
	if cap(w.buf) > maxKeepWriteBuf {
		t.Fatalf("buffer kept %d bytes after a big reply", cap(w.buf))
	}
	// A moderately grown buffer is kept.
	w.BulkString(strings.Repeat("y", 1000))
	_ = w.Flush()
	if c := cap(w.buf); c < 1000 {
		t.Fatalf("buffer under 64 KB was dropped: cap %d", c)
	}

	w.Reset(failWriter{})
	w.OK()
	if err := w.Flush(); err == nil || w.Buffered() != 0 {
		t.Fatalf("failed flush: err %v, buffered %d", err, w.Buffered())
	}
	w.Reset(nil)
	w.OK()
	if err := w.Flush(); err != io.ErrClosedPipe {
		t.Fatalf("nil writer: %v", err)
	}
	w.Reset(&out)
	w.OK()
	w.Reset(&out)
	if w.Buffered() != 0 {
		t.Fatal("Reset kept data")
	}
}

func TestAppendCommand(t *testing.T) {
	want := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"
	if got := string(AppendCommand(nil, []byte("SET"), []byte("k"), []byte{})); got != want {
		t.Fatalf("AppendCommand = %q", got)
	}
	if got := string(AppendCommandString([]byte("x"), "SET", "k", "")); got != "x"+want {
		t.Fatalf("AppendCommandString = %q", got)
	}
	if got := string(AppendCommand(nil)); got != "*0\r\n" {
		t.Fatalf("empty command = %q", got)
	}
	if got := string(AppendArrayLen(nil, 5)); got != "*5\r\n" {
		t.Fatalf("AppendArrayLen = %q", got)
	}
	args, err := NewReader(strings.NewReader(want), 0).ReadCommand()
	if err != nil || len(args) != 3 || string(args[0]) != "SET" || len(args[2]) != 0 {
		t.Fatalf("round trip: %q %v", args, err)
	}
}

func TestWriterZeroAlloc(t *testing.T) {
	w := NewWriter(io.Discard, 0)
	val := []byte("value")
	allocs := testing.AllocsPerRun(1000, func() {
		writeMix(w, val)
		_ = w.Flush()
	})
	if allocs != 0 {
		t.Fatalf("writer allocates %.1f times per batch", allocs)
	}
}

// writeMix writes one of each common reply.
func writeMix(w *Writer, val []byte) {
	w.OK()
	w.SimpleString("PONG")
	w.Error("ERR unknown command")
	w.Int(123456)
	w.Bulk(val)
	w.BulkString("hello")
	w.BulkInt(77)
	w.Null()
	w.ArrayLen(3)
	w.MapLen(1)
	w.Double(3.25)
	w.Bool(true)
	w.Verbatim("txt", val)
}

// TestAppendHeaderLengths checks the length line of bulk strings and
// arrays around the short-number fast paths against strconv.
func TestAppendHeaderLengths(t *testing.T) {
	for _, n := range []int64{-1, 0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 1001, 65535, 1 << 40} {
		want := "*" + strconv.FormatInt(n, 10) + "\r\n"
		if got := string(appendHeader(nil, '*', n)); got != want {
			t.Errorf("appendHeader(%d) = %q, want %q", n, got, want)
		}
	}
	for _, n := range []int{0, 9, 10, 99, 100, 999, 1000} {
		b := bytes.Repeat([]byte("x"), n)
		want := "$" + strconv.Itoa(n) + "\r\n" + string(b) + "\r\n"
		if got := string(AppendBulk(nil, b)); got != want {
			t.Errorf("AppendBulk(%d bytes) = %q", n, got)
		}
	}
}

// TestCommandLen checks CommandLen against the encoding's length.
func TestCommandLen(t *testing.T) {
	for _, n := range []int{0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 123456} {
		args := [][]byte{[]byte("SET"), bytes.Repeat([]byte("k"), n%17), bytes.Repeat([]byte("v"), n)}
		if got, want := CommandLen(args), len(AppendCommand(nil, args...)); got != want {
			t.Errorf("CommandLen(value of %d bytes) = %d, want %d", n, got, want)
		}
	}
	many := make([][]byte, 1234)
	for i := range many {
		many[i] = []byte("x")
	}
	if got, want := CommandLen(many), len(AppendCommand(nil, many...)); got != want {
		t.Errorf("CommandLen(1234 args) = %d, want %d", got, want)
	}
}
