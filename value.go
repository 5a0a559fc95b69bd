package kevy

import (
	"fmt"
	"math"
	"strconv"

	"github.com/kevydb/kevy/internal/command"
)

// Kind is the type of a Value, one per RESP3 reply type.
type Kind uint8

// Reply kinds.
const (
	KindNil      Kind = iota // null bulk string or null array
	KindStatus               // simple string, e.g. OK
	KindBulk                 // bulk string
	KindInt                  // integer
	KindDouble               // floating-point number
	KindBool                 // boolean
	KindArray                // ordered list of values
	KindMap                  // key/value pairs, in Elems as k0, v0, k1, v1...
	KindSet                  // unordered collection
	KindVerbatim             // verbatim string (INFO, LOLWUT)
	KindError                // error reply inside an aggregate (EXEC results)
)

var kindNames = [...]string{"nil", "status", "bulk", "int", "double", "bool", "array", "map", "set", "verbatim", "error"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is a command reply as returned by DB.Do. It mirrors RESP3: maps,
// sets, doubles and booleans keep their type. Byte slices in a Value
// belong to the caller.
type Value struct {
	kind  Kind
	str   []byte // bulk and verbatim strings
	text  string // status and error text: mostly constants, so not copied
	num   int64  // integers, booleans, and a double's IEEE 754 bits
	elems []Value
}

// Kind returns the value's type.
func (v Value) Kind() Kind { return v.kind }

// IsNil reports whether the value is a null reply.
func (v Value) IsNil() bool { return v.kind == KindNil }

// Bytes returns the content of a bulk, status or verbatim string, or the
// text form of a number; nil for nil and aggregates. For a status (and
// a number) it is a new copy on each call; String returns a status
// without copying.
func (v Value) Bytes() []byte {
	switch v.kind {
	case KindBulk, KindVerbatim:
		return v.str
	case KindStatus, KindInt, KindDouble, KindBool:
		return []byte(v.String())
	}
	return nil
}

// String returns the value as text: the string itself, a number in
// decimal, "1"/"0" for booleans, "<nil>" for nil, and a bracketed list
// for aggregates (for debugging).
func (v Value) String() string {
	switch v.kind {
	case KindNil:
		return "<nil>"
	case KindBulk, KindVerbatim:
		return string(v.str)
	case KindStatus, KindError:
		return v.text
	case KindInt:
		return strconv.FormatInt(v.num, 10)
	case KindDouble:
		return strconv.FormatFloat(v.double(), 'g', -1, 64)
	case KindBool:
		if v.num != 0 {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(v.elems)
}

// Int returns an integer reply, or a string reply parsed as an integer.
func (v Value) Int() (int64, error) {
	switch v.kind {
	case KindInt, KindBool:
		return v.num, nil
	case KindBulk, KindStatus:
		s := v.String()
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: %q", ErrNotInteger, s)
		}
		return n, nil
	case KindNil:
		return 0, ErrNil
	}
	return 0, fmt.Errorf("%w: %s reply is not an integer", ErrWrongType, v.kind)
}

// Float returns a double reply, or a string or integer reply as a float.
func (v Value) Float() (float64, error) {
	switch v.kind {
	case KindDouble:
		return v.double(), nil
	case KindInt:
		return float64(v.num), nil
	case KindBulk, KindStatus:
		s := v.String()
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: %q", ErrNotFloat, s)
		}
		return f, nil
	case KindNil:
		return 0, ErrNil
	}
	return 0, fmt.Errorf("%w: %s reply is not a number", ErrWrongType, v.kind)
}

// Err returns the error of an error element (an EXEC result that
// failed), matching kevy's sentinels with errors.Is; nil for other kinds.
func (v Value) Err() error {
	if v.kind != KindError {
		return nil
	}
	return command.FromWire(v.text)
}

// double is a KindDouble value's number.
func (v Value) double() float64 { return math.Float64frombits(uint64(v.num)) }

// Bool returns a boolean reply (or an integer reply as non-zero).
func (v Value) Bool() bool { return (v.kind == KindBool || v.kind == KindInt) && v.num != 0 }

// Elems returns the elements of an array, set or map (a map as
// alternating keys and values); nil otherwise.
func (v Value) Elems() []Value { return v.elems }

// Len returns the number of elements of an aggregate (pairs for a map),
// or 0.
func (v Value) Len() int {
	if v.kind == KindMap {
		return len(v.elems) / 2
	}
	return len(v.elems)
}

// valueBuilder implements command.Reply by building a Value tree. It
// speaks RESP3, so maps and doubles keep their types.
type valueBuilder struct {
	root  Value
	stack []frame
	// eng, when set, counts the error replies (INFO errorstats).
	eng *command.Engine
}

type frame struct {
	kind  Kind
	want  int
	elems []Value
}

func (b *valueBuilder) put(v Value) {
	for {
		if len(b.stack) == 0 {
			b.root = v
			return
		}
		top := &b.stack[len(b.stack)-1]
		top.elems = append(top.elems, v)
		if len(top.elems) < top.want {
			return
		}
		v = Value{kind: top.kind, elems: top.elems}
		b.stack = b.stack[:len(b.stack)-1]
	}
}

func (b *valueBuilder) open(k Kind, n int) {
	if n <= 0 {
		b.put(Value{kind: k, elems: []Value{}})
		return
	}
	b.stack = append(b.stack, frame{kind: k, want: n, elems: make([]Value, 0, n)})
}

func (b *valueBuilder) SimpleString(s string) { b.put(Value{kind: KindStatus, text: s}) }
func (b *valueBuilder) Error(msg string) {
	if b.eng != nil {
		b.eng.CountError(msg)
	}
	b.put(Value{kind: KindError, text: msg})
}
func (b *valueBuilder) Int(n int64) { b.put(Value{kind: KindInt, num: n}) }
func (b *valueBuilder) Bulk(p []byte) {
	b.put(Value{kind: KindBulk, str: append(make([]byte, 0, len(p)), p...)})
}
func (b *valueBuilder) BulkString(s string) { b.put(Value{kind: KindBulk, str: []byte(s)}) }
func (b *valueBuilder) Null()               { b.put(Value{kind: KindNil}) }
func (b *valueBuilder) NullArray()          { b.put(Value{kind: KindNil}) }
func (b *valueBuilder) ArrayLen(n int)      { b.open(KindArray, n) }
func (b *valueBuilder) MapLen(n int)        { b.open(KindMap, 2*n) }
func (b *valueBuilder) SetLen(n int)        { b.open(KindSet, n) }
func (b *valueBuilder) Double(f float64) {
	b.put(Value{kind: KindDouble, num: int64(math.Float64bits(f))})
}
func (b *valueBuilder) Bool(v bool) {
	n := int64(0)
	if v {
		n = 1
	}
	b.put(Value{kind: KindBool, num: n})
}
func (b *valueBuilder) Verbatim(_ string, s []byte) {
	b.put(Value{kind: KindVerbatim, str: append([]byte(nil), s...)})
}
func (b *valueBuilder) Proto() int { return 3 }
