package resp

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// chunkReader returns at most n bytes per Read.
type chunkReader struct {
	data []byte
	n    int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), c.n, len(c.data))
	copy(p, c.data[:k])
	c.data = c.data[k:]
	return k, nil
}

// readAll reads commands until an error and returns copies of them.
func readAll(r *Reader) ([][]string, error) {
	var out [][]string
	for {
		args, err := r.ReadCommand()
		if err != nil {
			return out, err
		}
		cmd := make([]string, len(args))
		for i, a := range args {
			cmd[i] = string(a)
		}
		out = append(out, cmd)
	}
}

type cmdCase struct {
	name string
	in   string
	want [][]string
	err  error // final error; nil means io.EOF
}

func cmdCases() []cmdCase {
	big := strings.Repeat("a", 70000)
	return []cmdCase{
		{"multibulk", "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n", [][]string{{"GET", "key"}}, nil},
		{"pipeline", "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
			[][]string{{"PING"}, {"SET", "k", "v"}, {"GET", "k"}}, nil},
		{"binary bulk", "*2\r\n$4\r\necho\r\n$6\r\na\r\n\x00b\n\r\n", [][]string{{"echo", "a\r\n\x00b\n"}}, nil},
		{"empty bulk", "*2\r\n$3\r\nSET\r\n$0\r\n\r\n", [][]string{{"SET", ""}}, nil},
		{"crlf after bulk unchecked", "*1\r\n$4\r\nPINGxx", [][]string{{"PING"}}, nil},
		{"byte after header CR unchecked", "*1\rx$4\rxPINGxx", [][]string{{"PING"}}, nil},
		{"empty arrays skipped", "*0\r\n*-1\r\n*-7\r\n*1\r\n$1\r\nx\r\n", [][]string{{"x"}}, nil},
		{"inline", "PING\r\n", [][]string{{"PING"}}, nil},
		{"inline LF only", "PING\nECHO hi\n", [][]string{{"PING"}, {"ECHO", "hi"}}, nil},
		{"inline spaces", "  SET \t a   b  \r\n", [][]string{{"SET", "a", "b"}}, nil},
		{"blank lines skipped", "\r\n\n   \r\n\t\r\nPING\r\n\r\n", [][]string{{"PING"}}, nil},
		{"inline CR separator", "a\rb\r\n", [][]string{{"a", "b"}}, nil},
		{"inline vtab is not a separator", "ECHO a\vb\r\n", [][]string{{"ECHO", "a\vb"}}, nil},
		{"inline vtab leading skipped", "ECHO \v a\r\n", [][]string{{"ECHO", "a"}}, nil},
		{"inline NUL ordinary", "ECHO a\x00b\r\n", [][]string{{"ECHO", "a\x00b"}}, nil},
		{"double quotes", `SET "a b" "c"` + "\r\n", [][]string{{"SET", "a b", "c"}}, nil},
		{"double quote escapes", `ECHO "\x41\x4g\q\n\r\t\b\a\\\"\xfF"` + "\r\n",
			[][]string{{"ECHO", "Ax4gq\n\r\t\b\a\\\"\xff"}}, nil},
		{"short hex escape", `ECHO "\x4"` + "\r\n", [][]string{{"ECHO", "x4"}}, nil},
		{"single quotes", `ECHO 'it\'s' 'a\nb' '"'` + "\r\n", [][]string{{"ECHO", "it's", `a\nb`, `"`}}, nil},
		{"empty quoted args", `SET "" ''` + "\r\n", [][]string{{"SET", "", ""}}, nil},
		{"quote inside word", `ECHO ab"c d" e` + "\r\n", [][]string{{"ECHO", "abc d", "e"}}, nil},
		{"quote then vtab", "ECHO \"a\"\vb\r\n", [][]string{{"ECHO", "a", "b"}}, nil},
		{"inline then multibulk", "PING\r\n*1\r\n$4\r\nPING\r\n", [][]string{{"PING"}, {"PING"}}, nil},
		{"inline at 64KB", strings.Repeat("x", InlineMax-1) + "\r\n", [][]string{{strings.Repeat("x", InlineMax-1)}}, nil},
		{"inline at 64KB LF", strings.Repeat("x", InlineMax) + "\n", [][]string{{strings.Repeat("x", InlineMax)}}, nil},
		{"inline over 64KB CRLF", strings.Repeat("x", InlineMax) + "\r\n", nil, ErrTooBigInline},

		{"eof inside multibulk", "*2\r\n$3\r\nGET\r\n", nil, io.ErrUnexpectedEOF},
		{"eof inside bulk", "PING\r\n*1\r\n$4\r\nPI", [][]string{{"PING"}}, io.ErrUnexpectedEOF},
		{"eof inside inline", "PING", nil, io.ErrUnexpectedEOF},
		{"eof before CRLF", "*1\r", nil, io.ErrUnexpectedEOF},

		{"bad multibulk", "*abc\r\n", nil, ErrInvalidMultibulkLength},
		{"empty multibulk count", "*\r\n", nil, ErrInvalidMultibulkLength},
		{"multibulk leading zero", "*01\r\n$4\r\nPING\r\n", nil, ErrInvalidMultibulkLength},
		{"multibulk plus", "*+1\r\n", nil, ErrInvalidMultibulkLength},
		{"multibulk minus zero", "*-0\r\n", nil, ErrInvalidMultibulkLength},
		{"multibulk space", "*1 \r\n", nil, ErrInvalidMultibulkLength},
		{"multibulk too large", "*2147483648\r\n", nil, ErrInvalidMultibulkLength},
		{"multibulk 21 digits", "*123456789012345678901\r\n", nil, ErrInvalidMultibulkLength},
		{"multibulk overflow", "*99999999999999999999\r\n", nil, ErrInvalidMultibulkLength},
		{"expected dollar", "*1\r\nx\r\n", nil, errExpectedDollar('x')},
		{"expected dollar got CR", "*1\r\n\r\n", nil, errExpectedDollar('\r')},
		{"expected dollar later", "*2\r\n$1\r\na\r\n:1\r\n", nil, errExpectedDollar(':')},
		{"bad bulk", "*1\r\n$abc\r\n", nil, ErrInvalidBulkLength},
		{"negative bulk", "*1\r\n$-1\r\n", nil, ErrInvalidBulkLength},
		{"bulk leading zero", "*1\r\n$04\r\nPING\r\n", nil, ErrInvalidBulkLength},
		{"bulk minus zero", "*1\r\n$-0\r\n", nil, ErrInvalidBulkLength},
		{"bulk too large", "*1\r\n$536870913\r\n", nil, ErrInvalidBulkLength},
		{"bulk at max then eof", "*1\r\n$536870912\r\nabc", nil, io.ErrUnexpectedEOF},
		{"unbalanced double", "ECHO \"abc\r\n", nil, ErrUnbalancedQuotes},
		{"unbalanced single", "ECHO 'abc\r\n", nil, ErrUnbalancedQuotes},
		{"escaped single quote at end", `ECHO 'a\'` + "\r\n", nil, ErrUnbalancedQuotes},
		{"backslash at end in quotes", `ECHO "a\` + "\r\n", nil, ErrUnbalancedQuotes},
		{"closing quote followed by char", `ECHO "a"b` + "\r\n", nil, ErrUnbalancedQuotes},
		{"closing single quote followed by char", `ECHO 'a'b` + "\r\n", nil, ErrUnbalancedQuotes},
		{"word quote word", `ECHO a"b c"d` + "\r\n", nil, ErrUnbalancedQuotes},
		{"error after good commands", "PING\r\n*x\r\nPING\r\n", [][]string{{"PING"}}, ErrInvalidMultibulkLength},
		{"too big inline", "ECHO " + big, nil, ErrTooBigInline},
		{"too big inline with newline", "ECHO " + big + "\r\n", nil, ErrTooBigInline},
		{"too big mbulk count", "*" + big, nil, ErrTooBigMbulkCount},
		{"too big mbulk count with CR", "*" + big + "\r\n", nil, ErrTooBigMbulkCount},
		{"too big bulk count", "*1\r\n$" + big, nil, ErrTooBigBulkCount},
		{"too big bulk count no dollar", "*1\r\n" + big, nil, ErrTooBigBulkCount},
	}
}

func TestReadCommand(t *testing.T) {
	readers := []struct {
		name string
		mk   func(s string) io.Reader
		size int
	}{
		{"whole", func(s string) io.Reader { return strings.NewReader(s) }, 0},
		{"whole/buf1", func(s string) io.Reader { return strings.NewReader(s) }, 1},
		{"onebyte/buf16", func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) }, 16},
		{"chunk3/buf5", func(s string) io.Reader { return &chunkReader{[]byte(s), 3} }, 5},
		{"chunk7/buf64", func(s string) io.Reader { return &chunkReader{[]byte(s), 7} }, 64},
		{"dataerr", func(s string) io.Reader { return iotest.DataErrReader(strings.NewReader(s)) }, 0},
	}
	for _, tc := range cmdCases() {
		for _, rd := range readers {
			t.Run(tc.name+"/"+rd.name, func(t *testing.T) {
				r := NewReader(rd.mk(tc.in), rd.size)
				got, err := readAll(r)
				want := tc.err
				if want == nil {
					want = io.EOF
				}
				if err == nil || err.Error() != want.Error() {
					t.Fatalf("error = %v, want %v", err, want)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("commands = %q, want %q", got, tc.want)
				}
				if _, err2 := r.ReadCommand(); err2 != err {
					t.Fatalf("error not sticky: %v then %v", err, err2)
				}
			})
		}
	}
}

// TestReadCommandSplitEverywhere feeds a pipeline split into two reads at
// every byte position.
func TestReadCommandSplitEverywhere(t *testing.T) {
	in := "*3\r\n$3\r\nSET\r\n$5\r\nk\r\ney\r\n$0\r\n\r\nPING\r\n\r\n" +
		`SET "a\x41" 'b\'c'` + "\n*0\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n"
	want := [][]string{{"SET", "k\r\ney", ""}, {"PING"}, {"SET", "aA", "b'c"}, {"ECHO", "hi"}}
	for i := 0; i <= len(in); i++ {
		for _, size := range []int{1, 8, 1024} {
			r := NewReader(io.MultiReader(strings.NewReader(in[:i]), strings.NewReader(in[i:])), size)
			got, err := readAll(r)
			if err != io.EOF || !reflect.DeepEqual(got, want) {
				t.Fatalf("split %d size %d: %q, %v", i, size, got, err)
			}
		}
	}
}

func TestReadCommandBigBulk(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MB
	var in []byte
	in = AppendCommand(in, []byte("SET"), []byte("key"), payload)
	for range 2 * shrinkAfter {
		in = AppendCommandString(in, "GET", "key")
	}
	for _, size := range []int{1, 16, 4096} {
		r := NewReader(&chunkReader{in, 1000}, size)
		args, err := r.ReadCommand()
		if err != nil || len(args) != 3 || !bytes.Equal(args[2], payload) {
			t.Fatalf("size %d: big SET: %d args, err %v", size, len(args), err)
		}
		if len(r.buf) > 2*len(payload) {
			t.Errorf("size %d: buffer grew to %d for a %d byte command", size, len(r.buf), len(payload))
		}
		for i := range 2 * shrinkAfter {
			args, err := r.ReadCommand()
			if err != nil || len(args) != 2 || string(args[1]) != "key" {
				t.Fatalf("size %d: GET %d: %q %v", size, i, args, err)
			}
		}
		if len(r.buf) > max(keepBuf, size) {
			t.Errorf("size %d: buffer not shrunk: %d", size, len(r.buf))
		}
		if _, err := r.ReadCommand(); err != io.EOF {
			t.Fatalf("size %d: want EOF, got %v", size, err)
		}
	}
}

// TestReadCommandNoHugePrealloc checks that a huge bulk header does not
// allocate the announced size up front.
func TestReadCommandNoHugePrealloc(t *testing.T) {
	r := NewReader(strings.NewReader("*1\r\n$536870912\r\n"+strings.Repeat("z", 100000)), 1024)
	if _, err := r.ReadCommand(); err != io.ErrUnexpectedEOF {
		t.Fatalf("err = %v", err)
	}
	if len(r.buf) > 256*1024 {
		t.Fatalf("buffer is %d bytes for 100 KB of data", len(r.buf))
	}
	r = NewReader(strings.NewReader("*2147483647\r\n$1\r\nx\r\n"), 0)
	if _, err := r.ReadCommand(); err != io.ErrUnexpectedEOF {
		t.Fatalf("err = %v", err)
	}
	if cap(r.offs) > 1024 {
		t.Fatalf("argument offsets preallocated: %d", cap(r.offs))
	}
}

func TestReadCommandLimits(t *testing.T) {
	tests := []struct {
		name  string
		setup func(r *Reader)
		in    string
		err   error
	}{
		{"max bulk", func(r *Reader) { r.MaxBulkLen = 3 }, "*1\r\n$4\r\nPING\r\n", ErrInvalidBulkLength},
		{"max bulk ok", func(r *Reader) { r.MaxBulkLen = 4 }, "*1\r\n$4\r\nPING\r\n", io.EOF},
		{"max multibulk", func(r *Reader) { r.MaxMultibulkLen = 1 }, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", ErrInvalidMultibulkLength},
		{"unauth multibulk", func(r *Reader) { r.AuthRequired = true }, "*11\r\n", ErrUnauthenticatedMultibulkLength},
		{"unauth multibulk ok", func(r *Reader) { r.AuthRequired = true }, "*10\r\n", io.ErrUnexpectedEOF},
		{"unauth bulk", func(r *Reader) { r.AuthRequired = true }, "*1\r\n$16385\r\n", ErrUnauthenticatedBulkLength},
		{"unauth bulk ok", func(r *Reader) { r.AuthRequired = true }, "*1\r\n$16384\r\n", io.ErrUnexpectedEOF},
		{"unauth invalid first", func(r *Reader) { r.AuthRequired = true }, "*2147483648\r\n", ErrInvalidMultibulkLength},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tc.in), 0)
			tc.setup(r)
			_, err := readAll(r)
			if err != tc.err {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
		})
	}
}

func TestProtocolErrorText(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{ErrInvalidMultibulkLength, "Protocol error: invalid multibulk length"},
		{ErrInvalidBulkLength, "Protocol error: invalid bulk length"},
		{ErrUnbalancedQuotes, "Protocol error: unbalanced quotes in request"},
		{ErrTooBigInline, "Protocol error: too big inline request"},
		{ErrTooBigMbulkCount, "Protocol error: too big mbulk count string"},
		{ErrTooBigBulkCount, "Protocol error: too big bulk count string"},
		{ErrUnauthenticatedMultibulkLength, "Protocol error: unauthenticated multibulk length"},
		{ErrUnauthenticatedBulkLength, "Protocol error: unauthenticated bulk length"},
		{errExpectedDollar('x'), "Protocol error: expected '$', got 'x'"},
		{errExpectedDollar('\r'), "Protocol error: expected '$', got ' '"},
	}
	for _, tc := range tests {
		var pe *ProtocolError
		if !errors.As(tc.err, &pe) || tc.err.Error() != tc.want {
			t.Errorf("%v: want %q as *ProtocolError", tc.err, tc.want)
		}
	}
}

func TestReaderBufferedAndReset(t *testing.T) {
	in := "*1\r\n$4\r\nPING\r\nPING\r\n"
	r := NewReader(strings.NewReader(in), 0)
	if _, err := r.ReadCommand(); err != nil {
		t.Fatal(err)
	}
	if got := r.Buffered(); got != len("PING\r\n") {
		t.Fatalf("Buffered = %d after first command", got)
	}
	if _, err := r.ReadCommand(); err != nil {
		t.Fatal(err)
	}
	if got := r.Buffered(); got != 0 {
		t.Fatalf("Buffered = %d at end", got)
	}
	if _, err := r.ReadCommand(); err != io.EOF {
		t.Fatalf("err = %v", err)
	}
	r.Reset(strings.NewReader("ECHO x\r\n"))
	got, err := readAll(r)
	if err != io.EOF || !reflect.DeepEqual(got, [][]string{{"ECHO", "x"}}) {
		t.Fatalf("after Reset: %q %v", got, err)
	}
}

// TestReadCommandReaderError checks that a non-EOF read error is returned
// after the commands read before it.
func TestReadCommandReaderError(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader("PING\r\nPI"), iotest.ErrReader(boom)), 0)
	got, err := readAll(r)
	if err != boom || !reflect.DeepEqual(got, [][]string{{"PING"}}) {
		t.Fatalf("%q %v", got, err)
	}
}

// TestReadCommandArgsCapped checks that appending to a returned argument
// cannot overwrite the following one.
func TestReadCommandArgsCapped(t *testing.T) {
	r := NewReader(strings.NewReader("*2\r\n$1\r\na\r\n$1\r\nb\r\nECHO x y\r\n"), 0)
	for range 2 {
		args, err := r.ReadCommand()
		if err != nil {
			t.Fatal(err)
		}
		_ = append(args[0], "ZZZZ"...)
		if last := string(args[len(args)-1]); last != "b" && last != "y" {
			t.Fatalf("argument clobbered: %q", args)
		}
	}
}

// cycleReader returns data endlessly.
type cycleReader struct {
	data []byte
	off  int
}

func (c *cycleReader) Read(p []byte) (int, error) {
	n := copy(p, c.data[c.off:])
	c.off = (c.off + n) % len(c.data)
	return n, nil
}

func TestReadCommandZeroAlloc(t *testing.T) {
	var in []byte
	for range 100 {
		in = AppendCommandString(in, "SET", "key:000001", "value-value-value")
		in = append(in, "GET \"key:000001\"\r\n"...)
	}
	r := NewReader(&cycleReader{data: in}, 4096)
	allocs := testing.AllocsPerRun(10000, func() {
		if _, err := r.ReadCommand(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("ReadCommand allocates %.1f times per call", allocs)
	}
}
