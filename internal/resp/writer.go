package resp

import (
	"io"
	"math"
	"strconv"
)

// maxKeepWriteBuf is the largest buffer capacity a Writer keeps after Flush.
const maxKeepWriteBuf = 64 * 1024

// Writer encodes replies into an internal buffer and writes them to an
// io.Writer on Flush. All reply methods only append to the buffer and do
// not allocate once it has grown to the working size. The zero protocol
// version is RESP2. A Writer is not safe for concurrent use.
type Writer struct {
	w     io.Writer
	buf   []byte  // nil after Release until Acquire
	box   *[]byte // buf's pool box, nil if buf is not pooled
	proto int
	size  int
	// OnError, when set, is called with the text of every error reply
	// written (the server counts them for INFO errorstats).
	OnError func(msg string)
}

// NewWriter returns a Writer for w speaking RESP2 with an initial buffer of
// size bytes (DefaultBufSize if size <= 0), rounded up to a power of two
// between 512 bytes and 64 KiB and taken from a shared pool.
func NewWriter(w io.Writer, size int) *Writer {
	if size <= 0 {
		size = DefaultBufSize
	}
	wr := &Writer{w: w, proto: 2, size: size}
	wr.Acquire()
	return wr
}

// Release gives the buffer back to a shared pool if nothing is waiting to
// be flushed, and reports whether the Writer holds no buffer now. A
// server calls it while a connection waits for input, so that an idle
// connection holds no buffer, and Acquire when it has input again.
// Replies written in between still work but allocate.
func (w *Writer) Release() bool {
	if w.buf == nil {
		return true
	}
	if len(w.buf) > 0 {
		return false
	}
	putBuf(w.buf, w.box)
	w.buf, w.box = nil, nil
	return true
}

// Acquire takes a buffer of the initial size from the pool if Release
// gave the previous one back.
func (w *Writer) Acquire() {
	if w.buf == nil {
		w.buf, w.box = getBuf(w.size)
		w.buf = w.buf[:0]
	}
}

// Reset discards buffered data, makes the Writer write to w and selects
// RESP2.
func (w *Writer) Reset(dst io.Writer) {
	w.w = dst
	w.buf = w.buf[:0]
	w.proto = 2
}

// SetProto selects the protocol version: 3 for RESP3, anything else RESP2.
func (w *Writer) SetProto(p int) {
	if p == 3 {
		w.proto = 3
	} else {
		w.proto = 2
	}
}

// Proto returns the protocol version in use, 2 or 3.
func (w *Writer) Proto() int {
	if w.proto == 3 {
		return 3
	}
	return 2
}

// Buffered returns the number of bytes waiting to be flushed.
func (w *Writer) Buffered() int { return len(w.buf) }

// Bytes returns the bytes waiting to be flushed. The slice is valid until
// the next method call on w.
func (w *Writer) Bytes() []byte { return w.buf }

// Flush writes the buffered replies to the underlying writer and empties the
// buffer, giving back memory if one large reply made it grow beyond 64 KB.
// The buffer is emptied even on error. With a nil destination Flush returns
// io.ErrClosedPipe.
func (w *Writer) Flush() error {
	var err error
	if len(w.buf) > 0 {
		if w.w == nil {
			err = io.ErrClosedPipe
		} else {
			_, err = w.w.Write(w.buf)
		}
	}
	if cap(w.buf) > maxKeepWriteBuf && cap(w.buf) > w.size {
		putBuf(w.buf, w.box)
		w.buf, w.box = getBuf(w.size)
		w.buf = w.buf[:0]
	} else {
		w.buf = w.buf[:0]
	}
	return err
}

// Raw appends b unchanged; b must be valid RESP.
func (w *Writer) Raw(b []byte) { w.buf = append(w.buf, b...) }

// SimpleString writes a status reply "+s". CR and LF in s are replaced by
// spaces to keep the protocol intact.
func (w *Writer) SimpleString(s string) { w.buf = appendLine(w.buf, '+', s) }

// OK writes the "+OK" status reply.
func (w *Writer) OK() { w.buf = append(w.buf, "+OK\r\n"...) }

// Error writes an error reply "-msg". msg starts with the error code, e.g.
// "ERR syntax error" or "WRONGTYPE ..."; a leading '-' is tolerated. CR and
// LF in msg are replaced by spaces.
func (w *Writer) Error(msg string) {
	if len(msg) > 0 && msg[0] == '-' {
		msg = msg[1:]
	}
	if w.OnError != nil {
		w.OnError(msg)
	}
	w.buf = appendLine(w.buf, '-', msg)
}

// Int writes an integer reply ":n".
func (w *Writer) Int(n int64) { w.buf = appendHeader(w.buf, ':', n) }

// Bulk writes a bulk string reply. A nil b is written as an empty bulk, not
// as null; use Null for that.
func (w *Writer) Bulk(b []byte) { w.buf = AppendBulk(w.buf, b) }

// BulkString writes a bulk string reply.
func (w *Writer) BulkString(s string) { w.buf = AppendBulkString(w.buf, s) }

// BulkInt writes n formatted in decimal as a bulk string reply.
func (w *Writer) BulkInt(n int64) {
	var tmp [20]byte
	w.buf = AppendBulk(w.buf, strconv.AppendInt(tmp[:0], n, 10))
}

// Null writes a null reply: "$-1" in RESP2, "_" in RESP3.
func (w *Writer) Null() {
	if w.proto == 3 {
		w.buf = append(w.buf, "_\r\n"...)
	} else {
		w.buf = append(w.buf, "$-1\r\n"...)
	}
}

// NullArray writes a null array reply: "*-1" in RESP2, "_" in RESP3.
func (w *Writer) NullArray() {
	if w.proto == 3 {
		w.buf = append(w.buf, "_\r\n"...)
	} else {
		w.buf = append(w.buf, "*-1\r\n"...)
	}
}

// ArrayLen writes the header of an array of n elements.
func (w *Writer) ArrayLen(n int) { w.buf = appendHeader(w.buf, '*', int64(n)) }

// MapLen writes the header of a map of n key/value pairs: "%n" in RESP3, a
// flat array "*2n" in RESP2.
func (w *Writer) MapLen(n int) {
	if w.proto == 3 {
		w.buf = appendHeader(w.buf, '%', int64(n))
	} else {
		w.buf = appendHeader(w.buf, '*', 2*int64(n))
	}
}

// SetLen writes the header of a set of n elements: "~n" in RESP3, "*n" in
// RESP2.
func (w *Writer) SetLen(n int) {
	if w.proto == 3 {
		w.buf = appendHeader(w.buf, '~', int64(n))
	} else {
		w.buf = appendHeader(w.buf, '*', int64(n))
	}
}

// PushLen writes the header of a push message of n elements: ">n" in RESP3,
// "*n" in RESP2.
func (w *Writer) PushLen(n int) {
	if w.proto == 3 {
		w.buf = appendHeader(w.buf, '>', int64(n))
	} else {
		w.buf = appendHeader(w.buf, '*', int64(n))
	}
}

// Double writes a floating point reply formatted like Redis 7.0 ("%.17g",
// "inf", "-inf", "nan"): a bulk string in RESP2, ",f" in RESP3.
func (w *Writer) Double(f float64) {
	if w.proto == 3 {
		w.buf = append(w.buf, ',')
		w.buf = AppendDouble(w.buf, f)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	var tmp [32]byte
	w.buf = AppendBulk(w.buf, AppendDouble(tmp[:0], f))
}

// Bool writes a boolean reply: ":1"/":0" in RESP2, "#t"/"#f" in RESP3.
func (w *Writer) Bool(b bool) {
	switch {
	case w.proto == 3 && b:
		w.buf = append(w.buf, "#t\r\n"...)
	case w.proto == 3:
		w.buf = append(w.buf, "#f\r\n"...)
	case b:
		w.buf = append(w.buf, ":1\r\n"...)
	default:
		w.buf = append(w.buf, ":0\r\n"...)
	}
}

// Verbatim writes a verbatim string: "=len\r\nfmt:s" in RESP3, a plain bulk
// string of s in RESP2. format must be three bytes such as "txt" or "mkd";
// any other value is replaced by "txt".
func (w *Writer) Verbatim(format string, s []byte) {
	if w.proto != 3 {
		w.buf = AppendBulk(w.buf, s)
		return
	}
	if len(format) != 3 {
		format = "txt"
	}
	w.buf = appendHeader(w.buf, '=', int64(len(s))+4)
	w.buf = append(w.buf, format...)
	w.buf = append(w.buf, ':')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// BigNumber writes a big number given as its decimal digits: "(s" in RESP3,
// a bulk string in RESP2.
func (w *Writer) BigNumber(s string) {
	if w.proto == 3 {
		w.buf = appendLine(w.buf, '(', s)
	} else {
		w.buf = AppendBulkString(w.buf, s)
	}
}

// appendHeader appends a type byte, n in decimal and CRLF.
func appendHeader(dst []byte, typ byte, n int64) []byte {
	// Most lengths and counts are short: one append for the whole line.
	switch {
	case uint64(n) < 10:
		return append(dst, typ, byte('0'+n), '\r', '\n')
	case uint64(n) < 100:
		return append(dst, typ, byte('0'+n/10), byte('0'+n%10), '\r', '\n')
	case uint64(n) < 1000:
		return append(dst, typ, byte('0'+n/100), byte('0'+n/10%10), byte('0'+n%10), '\r', '\n')
	}
	dst = append(dst, typ)
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, '\r', '\n')
}

// appendLine appends a type byte, s with CR and LF replaced by spaces, and
// CRLF.
func appendLine(dst []byte, typ byte, s string) []byte {
	dst = append(dst, typ)
	start := len(dst)
	dst = append(dst, s...)
	for i := start; i < len(dst); i++ {
		if dst[i] == '\r' || dst[i] == '\n' {
			dst[i] = ' '
		}
	}
	return append(dst, '\r', '\n')
}

// AppendArrayLen appends the header of an array of n elements.
func AppendArrayLen(dst []byte, n int) []byte { return appendHeader(dst, '*', int64(n)) }

// AppendBulk appends b as a bulk string.
func AppendBulk(dst, b []byte) []byte {
	dst = appendHeader(dst, '$', int64(len(b)))
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

// AppendBulkString appends s as a bulk string.
func AppendBulkString(dst []byte, s string) []byte {
	dst = appendHeader(dst, '$', int64(len(s)))
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendCommand appends a command as a RESP array of bulk strings, the
// request format and the format of the append-only file.
func AppendCommand(dst []byte, args ...[]byte) []byte {
	dst = appendHeader(dst, '*', int64(len(args)))
	for _, a := range args {
		dst = AppendBulk(dst, a)
	}
	return dst
}

// CommandLen returns the size of AppendCommand's encoding of args.
func CommandLen(args [][]byte) int {
	n := 3 + decimalLen(len(args))
	for _, a := range args {
		n += 5 + decimalLen(len(a)) + len(a)
	}
	return n
}

// decimalLen returns the number of decimal digits of n >= 0.
func decimalLen(n int) int {
	switch {
	case n < 10:
		return 1
	case n < 100:
		return 2
	case n < 1000:
		return 3
	}
	d := 4
	for n /= 1000; n >= 10; n /= 10 {
		d++
	}
	return d
}

// AppendCommandString is AppendCommand for string arguments.
func AppendCommandString(dst []byte, args ...string) []byte {
	dst = appendHeader(dst, '*', int64(len(args)))
	for _, a := range args {
		dst = AppendBulkString(dst, a)
	}
	return dst
}

// AppendDouble appends f formatted the way Redis 7.0 replies with doubles:
// C's "%.17g", with "inf", "-inf" and "nan" for the special values.
func AppendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}
