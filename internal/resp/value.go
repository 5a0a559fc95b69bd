package resp

import (
	"bytes"
	"io"
	"math"
	"strconv"
)

// Kind is the type of a RESP value; its value is the type's prefix byte.
type Kind byte

// RESP2 and RESP3 value kinds.
const (
	KindSimpleString Kind = '+' // RESP2 simple string; Str
	KindError        Kind = '-' // RESP2 error; Str holds the message
	KindInteger      Kind = ':' // RESP2 integer; Int
	KindBulk         Kind = '$' // RESP2 bulk string; Str, or Null for $-1
	KindArray        Kind = '*' // RESP2 array; Elems, or Null for *-1
	KindNull         Kind = '_' // RESP3 null; Null is true
	KindBool         Kind = '#' // RESP3 boolean; Int is 1 or 0
	KindDouble       Kind = ',' // RESP3 double; Float
	KindBigNumber    Kind = '(' // RESP3 big number; Str holds the digits
	KindBulkError    Kind = '!' // RESP3 bulk error; Str holds the message
	KindVerbatim     Kind = '=' // RESP3 verbatim string; Str holds "fmt:text"
	KindMap          Kind = '%' // RESP3 map; Elems holds key, value, key, value...
	KindSet          Kind = '~' // RESP3 set; Elems
	KindAttribute    Kind = '|' // RESP3 attribute; only found in Value.Attrs
	KindPush         Kind = '>' // RESP3 push; Elems
)

// String returns the name of the kind.
func (k Kind) String() string {
	switch k {
	case KindSimpleString:
		return "simple-string"
	case KindError:
		return "error"
	case KindInteger:
		return "integer"
	case KindBulk:
		return "bulk"
	case KindArray:
		return "array"
	case KindNull:
		return "null"
	case KindBool:
		return "boolean"
	case KindDouble:
		return "double"
	case KindBigNumber:
		return "big-number"
	case KindBulkError:
		return "bulk-error"
	case KindVerbatim:
		return "verbatim"
	case KindMap:
		return "map"
	case KindSet:
		return "set"
	case KindAttribute:
		return "attribute"
	case KindPush:
		return "push"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one parsed RESP value. Which fields are meaningful depends on
// Kind, see the Kind constants. Values returned by ReadValue own their
// memory.
type Value struct {
	// Kind is the wire type of the value.
	Kind Kind
	// Null is set for "_", "$-1" and "*-1".
	Null bool
	// Str holds the payload of string-like kinds.
	Str []byte
	// Int holds integers and booleans (1 for true).
	Int int64
	// Float holds doubles.
	Float float64
	// Elems holds the elements of aggregates; maps are flattened into
	// key, value pairs.
	Elems []Value
	// Attrs holds the flattened key, value pairs of a RESP3 attribute that
	// preceded the value, or nil.
	Attrs []Value
}

// IsError reports whether v is an error or a bulk error.
func (v *Value) IsError() bool { return v.Kind == KindError || v.Kind == KindBulkError }

// VerbatimFormat returns the three-byte format of a verbatim string ("txt",
// "mkd"), or "" if v is not a well-formed verbatim string.
func (v *Value) VerbatimFormat() string {
	if v.Kind != KindVerbatim || len(v.Str) < 4 || v.Str[3] != ':' {
		return ""
	}
	return string(v.Str[:3])
}

// VerbatimText returns the text of a verbatim string without its format
// prefix; for other kinds it returns Str.
func (v *Value) VerbatimText() []byte {
	if v.Kind != KindVerbatim || len(v.Str) < 4 || v.Str[3] != ':' {
		return v.Str
	}
	return v.Str[4:]
}

// maxDepth bounds aggregate nesting in ReadValue.
const maxDepth = 1000

var (
	errBadLine    = protoErr("Protocol error: invalid line terminator")
	errBadType    = protoErr("Protocol error: invalid type byte")
	errBadInt     = protoErr("Protocol error: invalid integer")
	errBadDouble  = protoErr("Protocol error: invalid double")
	errBadBool    = protoErr("Protocol error: invalid boolean")
	errBadNull    = protoErr("Protocol error: invalid null")
	errTooDeep    = protoErr("Protocol error: nesting too deep")
	errTooBigLine = protoErr("Protocol error: too big line")
)

// ReadValue reads one RESP2 or RESP3 value of any type. A RESP3 attribute
// is returned in the Attrs field of the value that follows it. Bulk and
// aggregate lengths are bounded by MaxBulkLen and MaxMultibulkLen.
//
// At a clean end of input the error is io.EOF; if the input ends inside a
// value it is io.ErrUnexpectedEOF. Malformed input yields a *ProtocolError.
// Errors are sticky.
func (r *Reader) ReadValue() (Value, error) {
	if r.err != nil {
		return Value{}, r.err
	}
	for r.r == r.w {
		if err := r.fill(); err != nil {
			r.err = err
			return Value{}, err
		}
	}
	r.inValue = true
	v, err := r.readValue(0)
	r.inValue = false
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		r.err = err
		return Value{}, err
	}
	return v, nil
}

// readLine consumes a CRLF terminated line and returns it without the
// terminator. The result aliases the buffer until the next fill.
func (r *Reader) readLine() ([]byte, error) {
	off := 0 // searched bytes from r.r
	for {
		if i := bytes.IndexByte(r.buf[r.r+off:r.w], '\n'); i >= 0 {
			end := r.r + off + i
			if end == r.r || r.buf[end-1] != '\r' {
				return nil, errBadLine
			}
			line := r.buf[r.r : end-1]
			r.r = end + 1
			return line, nil
		}
		off = r.w - r.r
		if int64(off) > r.MaxBulkLen {
			return nil, errTooBigLine
		}
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
}

// readBulk consumes n payload bytes and the CRLF after them and returns a
// copy of the payload. Memory grows with the data actually received.
func (r *Reader) readBulk(n int) ([]byte, error) {
	dst := make([]byte, 0, min(n, 64*1024))
	for len(dst) < n {
		if r.r == r.w {
			if err := r.fill(); err != nil {
				return nil, err
			}
		}
		k := min(n-len(dst), r.w-r.r)
		dst = append(dst, r.buf[r.r:r.r+k]...)
		r.r += k
	}
	for r.w-r.r < 2 {
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
	if r.buf[r.r] != '\r' || r.buf[r.r+1] != '\n' {
		return nil, errBadLine
	}
	r.r += 2
	return dst, nil
}

// parseInt parses a decimal int64 with an optional sign.
func parseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' || v > (math.MaxUint64-9)/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// readValue reads one value at the given aggregate nesting depth.
func (r *Reader) readValue(depth int) (Value, error) {
	if depth > maxDepth {
		return Value{}, errTooDeep
	}
	line, err := r.readLine()
	if err != nil {
		return Value{}, err
	}
	if len(line) == 0 {
		return Value{}, errBadType
	}
	v := Value{Kind: Kind(line[0])}
	body := line[1:]
	switch v.Kind {
	case KindSimpleString, KindError, KindBigNumber:
		v.Str = append([]byte{}, body...)
	case KindInteger:
		n, ok := parseInt(body)
		if !ok {
			return Value{}, errBadInt
		}
		v.Int = n
	case KindNull:
		if len(body) != 0 {
			return Value{}, errBadNull
		}
		v.Null = true
	case KindBool:
		switch {
		case len(body) == 1 && body[0] == 't':
			v.Int = 1
		case len(body) == 1 && body[0] == 'f':
		default:
			return Value{}, errBadBool
		}
	case KindDouble:
		f, err := strconv.ParseFloat(string(body), 64)
		if err != nil && !isRangeErr(err) {
			return Value{}, errBadDouble
		}
		v.Float = f
	case KindBulk, KindBulkError, KindVerbatim:
		n, ok := parseInt(body)
		if ok && n == -1 && v.Kind == KindBulk {
			v.Null = true
			break
		}
		if !ok || n < 0 || n > r.MaxBulkLen {
			return Value{}, ErrInvalidBulkLength
		}
		if v.Str, err = r.readBulk(int(n)); err != nil {
			return Value{}, err
		}
	case KindArray, KindSet, KindPush, KindMap, KindAttribute:
		n, ok := parseInt(body)
		if ok && n == -1 && v.Kind == KindArray {
			v.Null = true
			break
		}
		if !ok || n < 0 || n > r.MaxMultibulkLen {
			return Value{}, ErrInvalidMultibulkLength
		}
		if v.Kind == KindMap || v.Kind == KindAttribute {
			n *= 2
		}
		// n is not trusted for preallocation: deeply nested headers
		// announcing huge counts must not allocate much.
		v.Elems = make([]Value, 0, min(n, 16))
		for ; n > 0; n-- {
			e, err := r.readValue(depth + 1)
			if err != nil {
				return Value{}, err
			}
			v.Elems = append(v.Elems, e)
		}
		if v.Kind == KindAttribute {
			attrs := v.Elems
			if v, err = r.readValue(depth + 1); err != nil {
				return Value{}, err
			}
			v.Attrs = attrs
		}
	default:
		return Value{}, errBadType
	}
	return v, nil
}

// isRangeErr reports a strconv range error; the value is still usable
// (±Inf or 0).
func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// AppendValue appends the RESP encoding of v to dst, writing every kind
// as-is (RESP3 kinds are not downgraded) and attributes before the value.
// Reading the result with ReadValue yields an equal value.
func AppendValue(dst []byte, v *Value) []byte {
	if v.Attrs != nil {
		dst = appendHeader(dst, byte(KindAttribute), int64(len(v.Attrs)/2))
		for i := range v.Attrs {
			dst = AppendValue(dst, &v.Attrs[i])
		}
	}
	switch v.Kind {
	case KindSimpleString, KindError, KindBigNumber:
		dst = append(dst, byte(v.Kind))
		dst = append(dst, v.Str...)
		dst = append(dst, '\r', '\n')
	case KindInteger:
		dst = appendHeader(dst, ':', v.Int)
	case KindNull:
		dst = append(dst, "_\r\n"...)
	case KindBool:
		if v.Int != 0 {
			dst = append(dst, "#t\r\n"...)
		} else {
			dst = append(dst, "#f\r\n"...)
		}
	case KindDouble:
		dst = append(dst, ',')
		dst = AppendDouble(dst, v.Float)
		dst = append(dst, '\r', '\n')
	case KindBulk, KindBulkError, KindVerbatim:
		if v.Null {
			return append(dst, "$-1\r\n"...)
		}
		dst = appendHeader(dst, byte(v.Kind), int64(len(v.Str)))
		dst = append(dst, v.Str...)
		dst = append(dst, '\r', '\n')
	case KindArray, KindSet, KindPush, KindMap, KindAttribute:
		if v.Null {
			return append(dst, "*-1\r\n"...)
		}
		n := int64(len(v.Elems))
		if v.Kind == KindMap || v.Kind == KindAttribute {
			n /= 2
		}
		dst = appendHeader(dst, byte(v.Kind), n)
		for i := range v.Elems {
			dst = AppendValue(dst, &v.Elems[i])
		}
	}
	return dst
}
