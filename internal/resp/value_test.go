package resp

import (
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

func bs(s string) []byte { return []byte(s) }

func TestReadValue(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Value
	}{
		{"simple", "+OK\r\n", Value{Kind: KindSimpleString, Str: bs("OK")}},
		{"empty simple", "+\r\n", Value{Kind: KindSimpleString, Str: bs("")}},
		{"error", "-ERR bad thing\r\n", Value{Kind: KindError, Str: bs("ERR bad thing")}},
		{"integer", ":42\r\n", Value{Kind: KindInteger, Int: 42}},
		{"negative integer", ":-9223372036854775808\r\n", Value{Kind: KindInteger, Int: math.MinInt64}},
		{"bulk", "$5\r\nhe\r\no\r\n", Value{Kind: KindBulk, Str: bs("he\r\no")}},
		{"empty bulk", "$0\r\n\r\n", Value{Kind: KindBulk, Str: bs("")}},
		{"null bulk", "$-1\r\n", Value{Kind: KindBulk, Null: true}},
		{"array", "*2\r\n:1\r\n$1\r\na\r\n", Value{Kind: KindArray, Elems: []Value{
			{Kind: KindInteger, Int: 1}, {Kind: KindBulk, Str: bs("a")}}}},
		{"empty array", "*0\r\n", Value{Kind: KindArray, Elems: []Value{}}},
		{"null array", "*-1\r\n", Value{Kind: KindArray, Null: true}},
		{"nested", "*1\r\n*1\r\n+x\r\n", Value{Kind: KindArray, Elems: []Value{
			{Kind: KindArray, Elems: []Value{{Kind: KindSimpleString, Str: bs("x")}}}}}},
		{"null", "_\r\n", Value{Kind: KindNull, Null: true}},
		{"true", "#t\r\n", Value{Kind: KindBool, Int: 1}},
		{"false", "#f\r\n", Value{Kind: KindBool}},
		{"double", ",1.5\r\n", Value{Kind: KindDouble, Float: 1.5}},
		{"double exp", ",1e+20\r\n", Value{Kind: KindDouble, Float: 1e20}},
		{"inf", ",inf\r\n", Value{Kind: KindDouble, Float: math.Inf(1)}},
		{"-inf", ",-inf\r\n", Value{Kind: KindDouble, Float: math.Inf(-1)}},
		{"big number", "(3492890328409238509324850943850943825024385\r\n",
			Value{Kind: KindBigNumber, Str: bs("3492890328409238509324850943850943825024385")}},
		{"bulk error", "!21\r\nSYNTAX invalid syntax\r\n", Value{Kind: KindBulkError, Str: bs("SYNTAX invalid syntax")}},
		{"verbatim", "=15\r\ntxt:Some string\r\n", Value{Kind: KindVerbatim, Str: bs("txt:Some string")}},
		{"map", "%2\r\n+a\r\n:1\r\n+b\r\n_\r\n", Value{Kind: KindMap, Elems: []Value{
			{Kind: KindSimpleString, Str: bs("a")}, {Kind: KindInteger, Int: 1},
			{Kind: KindSimpleString, Str: bs("b")}, {Kind: KindNull, Null: true}}}},
		{"set", "~2\r\n+a\r\n+b\r\n", Value{Kind: KindSet, Elems: []Value{
			{Kind: KindSimpleString, Str: bs("a")}, {Kind: KindSimpleString, Str: bs("b")}}}},
		{"push", ">2\r\n$7\r\nmessage\r\n$1\r\nx\r\n", Value{Kind: KindPush, Elems: []Value{
			{Kind: KindBulk, Str: bs("message")}, {Kind: KindBulk, Str: bs("x")}}}},
		{"attribute", "|1\r\n+ttl\r\n:3\r\n:7\r\n", Value{Kind: KindInteger, Int: 7, Attrs: []Value{
			{Kind: KindSimpleString, Str: bs("ttl")}, {Kind: KindInteger, Int: 3}}}},
		{"attribute in array", "*2\r\n|1\r\n+k\r\n+v\r\n:1\r\n:2\r\n", Value{Kind: KindArray, Elems: []Value{
			{Kind: KindInteger, Int: 1, Attrs: []Value{{Kind: KindSimpleString, Str: bs("k")}, {Kind: KindSimpleString, Str: bs("v")}}},
			{Kind: KindInteger, Int: 2}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, rd := range []io.Reader{strings.NewReader(tc.in), iotest.OneByteReader(strings.NewReader(tc.in))} {
				r := NewReader(rd, 4)
				v, err := r.ReadValue()
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(v, tc.want) {
					t.Fatalf("got %+v, want %+v", v, tc.want)
				}
				if _, err := r.ReadValue(); err != io.EOF {
					t.Fatalf("want EOF after value, got %v", err)
				}
			}
			// AppendValue writes the value back in its wire form.
			if got := string(AppendValue(nil, &tc.want)); got != tc.in && tc.name != "double exp" {
				t.Fatalf("AppendValue = %q, want %q", got, tc.in)
			}
		})
	}
}

func TestReadValueErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		err  error
	}{
		{"bad type", "?x\r\n", errBadType},
		{"empty line", "\r\n", errBadType},
		{"LF only", "+OK\n", errBadLine},
		{"bad integer", ":12a\r\n", errBadInt},
		{"bad bool", "#x\r\n", errBadBool},
		{"bad null", "_x\r\n", errBadNull},
		{"bad double", ",abc\r\n", errBadDouble},
		{"bad bulk length", "$-2\r\n", ErrInvalidBulkLength},
		{"bulk missing CRLF", "$1\r\nab\r\n", errBadLine},
		{"bad array length", "*x\r\n", ErrInvalidMultibulkLength},
		{"null map", "%-1\r\n", ErrInvalidMultibulkLength},
		{"truncated bulk", "$5\r\nab", io.ErrUnexpectedEOF},
		{"truncated array", "*2\r\n:1\r\n", io.ErrUnexpectedEOF},
		{"truncated attribute", "|1\r\n+a\r\n+b\r\n", io.ErrUnexpectedEOF},
		{"too deep", strings.Repeat("*1\r\n", maxDepth+2) + ":1\r\n", errTooDeep},
		{"empty input", "", io.EOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tc.in), 0)
			_, err := r.ReadValue()
			if err != tc.err {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if _, err2 := r.ReadValue(); err2 != err {
				t.Fatalf("error not sticky: %v", err2)
			}
		})
	}
}

func TestReadValueLimits(t *testing.T) {
	r := NewReader(strings.NewReader("$10\r\n0123456789\r\n"), 0)
	r.MaxBulkLen = 9
	if _, err := r.ReadValue(); err != ErrInvalidBulkLength {
		t.Fatalf("err = %v", err)
	}
	r = NewReader(strings.NewReader("*3\r\n"), 0)
	r.MaxMultibulkLen = 2
	if _, err := r.ReadValue(); err != ErrInvalidMultibulkLength {
		t.Fatalf("err = %v", err)
	}
}

// TestReadValueAfterCommand mixes both read methods on one stream.
func TestReadValueAfterCommand(t *testing.T) {
	r := NewReader(strings.NewReader("PING\r\n+PONG\r\n*1\r\n$1\r\nx\r\n"), 0)
	if args, err := r.ReadCommand(); err != nil || string(args[0]) != "PING" {
		t.Fatal(args, err)
	}
	if v, err := r.ReadValue(); err != nil || string(v.Str) != "PONG" {
		t.Fatal(v, err)
	}
	if args, err := r.ReadCommand(); err != nil || string(args[0]) != "x" {
		t.Fatal(args, err)
	}
}

func TestValueHelpers(t *testing.T) {
	v := Value{Kind: KindVerbatim, Str: bs("mkd:# hi")}
	if v.VerbatimFormat() != "mkd" || string(v.VerbatimText()) != "# hi" {
		t.Fatalf("%q %q", v.VerbatimFormat(), v.VerbatimText())
	}
	b := Value{Kind: KindBulk, Str: bs("x")}
	if b.VerbatimFormat() != "" || string(b.VerbatimText()) != "x" || b.IsError() {
		t.Fatal("bulk helpers")
	}
	if e := (Value{Kind: KindBulkError}); !e.IsError() {
		t.Fatal("bulk error is an error")
	}
	if KindMap.String() != "map" || Kind('?').String() != "kind(63)" {
		t.Fatal(KindMap.String(), Kind('?').String())
	}
}
