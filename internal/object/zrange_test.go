package object

import (
	"math"
	"testing"
)

// The expected strings below were produced by redis-server 7.0.15:
// ZADD z <input> a; ZSCORE z a (skiplist encoding for "-0").
func TestFormatScoreMatchesRedis(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{1.1, "1.1000000000000001"},
		{3, "3"},
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{1e20, "1e+20"},
		{1e16, "10000000000000000"},
		{1e17, "1e+17"},
		{123456789012345678, "1.2345678901234568e+17"},
		{0.1, "0.10000000000000001"},
		{1e-5, "1.0000000000000001e-05"},
		{0.0001, "0.0001"},
		{1.5e-7, "1.4999999999999999e-07"},
		{-2.5, "-2.5"},
		{1e308, "1e+308"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{5e-324, "4.9406564584124654e-324"},
		{2.2250738585072014e-308, "2.2250738585072014e-308"},
		{1e-320, "9.9998886718268301e-321"},
		{100, "100"},
		{1e15, "1000000000000000"},
		{123.456, "123.456"},
		{0.3, "0.29999999999999999"},
		{1e22, "1e+22"},
		{9007199254740992, "9007199254740992"},
		{-4503599627370497, "-4503599627370497"},
		{12345678.9, "12345678.9"},
		{0.5, "0.5"},
		{100000, "100000"},
	}
	for _, tc := range tests {
		if got := string(FormatScore([]byte("x"), tc.in)); got != "x"+tc.want {
			t.Errorf("FormatScore(%v) = %q, want %q", tc.in, got[1:], tc.want)
		}
	}
}

// Accepted/rejected inputs and resulting scores checked against
// redis-server 7.0.15 (ZADD z <input> a; ZSCORE z a).
func TestParseScore(t *testing.T) {
	tests := []struct {
		in   string
		want string // FormatScore of the result, "" for an error
	}{
		{"1.1", "1.1000000000000001"},
		{"3", "3"},
		{"-0", "-0"},
		{"+inf", "inf"},
		{"inf", "inf"},
		{"-inf", "-inf"},
		{"INF", "inf"},
		{"Infinity", "inf"},
		{"-Infinity", "-inf"},
		{"infinit", ""},
		{"1e20", "1e+20"},
		{"123456789012345678", "1.2345678901234568e+17"},
		{"9007199254740993", "9007199254740992"},
		{"4.9e-324", "4.9406564584124654e-324"},
		{"1e-320", "9.9998886718268301e-321"},
		{"2.4703282292062328e-324", "4.9406564584124654e-324"},
		{"2.4703282292062327e-324", ""},
		{"1e-324", ""},
		{"1e-400", ""},
		{"1e400", ""},
		{"1e309", ""},
		{"0e-500", "0"},
		{"0.000e5000", "0"},
		{"0x10", "16"},
		{"0X10", "16"},
		{"-0x10", "-16"},
		{"0x.8", "0.5"},
		{"0x1.8p1", "3"},
		{"0x1p3", "8"},
		{"0x1P-1074", "4.9406564584124654e-324"},
		{"0x1p", ""},
		{"0x1.p1", "2"},
		{"0x1.", "1"},
		{"0xaP2", "40"},
		{"1e99999999999999999999", ""},
		{"-1e-99999999999999999999", ""},
		{"0x1p99999999999999999999", ""},
		{"0x1p-2000", ""},
		{"0x1p2000", ""},
		{"0xg", ""},
		{"0x", ""},
		{".5", "0.5"},
		{"5.", "5"},
		{"1.e2", "100"},
		{"+5", "5"},
		{"00012", "12"},
		{"1E5", "100000"},
		{"1e+5", "100000"},
		{"-.e1", ""},
		{"+-1", ""},
		{" 1", ""},
		{"1 ", ""},
		{"", ""},
		{"nan", ""},
		{"-nan", ""},
		{"nan(123)", ""},
		{"1_0", ""},
		{"1e", ""},
		{"1\x00", ""},
		{".", ""},
		{"-", ""},
	}
	for _, tc := range tests {
		f, err := ParseScore([]byte(tc.in))
		if tc.want == "" {
			if err != ErrScoreNotFloat {
				t.Errorf("ParseScore(%q) = %v, %v; want error", tc.in, f, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseScore(%q) error %v", tc.in, err)
			continue
		}
		if got := string(FormatScore(nil, f)); got != tc.want {
			t.Errorf("ParseScore(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// Bound parsing checked against redis-server 7.0.15 with ZCOUNT.
func TestParseScoreRange(t *testing.T) {
	inf, ninf := math.Inf(1), math.Inf(-1)
	tests := []struct {
		in  string
		ok  bool
		val float64
		ex  bool
	}{
		{"1.5", true, 1.5, false},
		{"(1.5", true, 1.5, true},
		{"-inf", true, ninf, false},
		{"+inf", true, inf, false},
		{"inf", true, inf, false},
		{"(inf", true, inf, true},
		{"(-inf", true, ninf, true},
		{"infinity", true, inf, false},
		{"", true, 0, false},
		{"(", true, 0, true},
		{" 1", true, 1, false},
		{"( 1", true, 1, true},
		{"1e400", true, inf, false},
		{"-1e400", true, ninf, false},
		{"1e-400", true, 0, false},
		{"0x10", true, 16, false},
		{"1\x00junk", true, 1, false},
		{"1 ", false, 0, false},
		{"nan", false, 0, false},
		{"(nan", false, 0, false},
		{"-nan", false, 0, false},
		{"[1", false, 0, false},
		{"((1", false, 0, false},
		{"-", false, 0, false},
		{"+", false, 0, false},
		{"1e", false, 0, false},
		{"  ", false, 0, false},
		{"0x", false, 0, false},
		{"1e+", false, 0, false},
		{"  (1", false, 0, false},
	}
	for _, tc := range tests {
		r, err := ParseScoreRange([]byte(tc.in), []byte("+inf"))
		if !tc.ok {
			if err != ErrRangeNotFloat {
				t.Errorf("min %q: got %+v, %v; want error", tc.in, r, err)
			}
			if _, err := ParseScoreRange([]byte("-inf"), []byte(tc.in)); err != ErrRangeNotFloat {
				t.Errorf("max %q: want error, got %v", tc.in, err)
			}
			continue
		}
		if err != nil || r.Min != tc.val || r.MinEx != tc.ex || r.Max != inf || r.MaxEx {
			t.Errorf("min %q: got %+v, %v; want %v ex=%v", tc.in, r, err, tc.val, tc.ex)
		}
		r, err = ParseScoreRange([]byte("-inf"), []byte(tc.in))
		if err != nil || r.Max != tc.val || r.MaxEx != tc.ex || r.Min != ninf || r.MinEx {
			t.Errorf("max %q: got %+v, %v; want %v ex=%v", tc.in, r, err, tc.val, tc.ex)
		}
	}
}

func TestScoreRangeContainsEmpty(t *testing.T) {
	tests := []struct {
		min, max string
		empty    bool
		in, out  []float64
	}{
		{"1", "2", false, []float64{1, 1.5, 2}, []float64{0.5, 2.5}},
		{"(1", "2", false, []float64{1.5, 2}, []float64{1}},
		{"1", "(2", false, []float64{1}, []float64{2}},
		{"(1", "(1", true, nil, []float64{1}},
		{"1", "(1", true, nil, []float64{1}},
		{"1", "1", false, []float64{1}, []float64{0}},
		{"2", "1", true, nil, []float64{1.5}},
		{"-inf", "+inf", false, []float64{math.Inf(-1), 0, math.Inf(1)}, nil},
		{"(-inf", "(+inf", false, []float64{0}, []float64{math.Inf(-1), math.Inf(1)}},
	}
	for _, tc := range tests {
		r, err := ParseScoreRange([]byte(tc.min), []byte(tc.max))
		if err != nil {
			t.Fatal(err)
		}
		if r.Empty() != tc.empty {
			t.Errorf("%s %s: Empty = %v", tc.min, tc.max, r.Empty())
		}
		for _, f := range tc.in {
			if !r.Contains(f) {
				t.Errorf("%s %s should contain %v", tc.min, tc.max, f)
			}
		}
		for _, f := range tc.out {
			if r.Contains(f) {
				t.Errorf("%s %s should not contain %v", tc.min, tc.max, f)
			}
		}
	}
}

// Counts checked against redis-server 7.0.15: ZADD z 0 a 0 b 0 c 0 "";
// ZLEXCOUNT z <min> <max>.
func TestParseLexRange(t *testing.T) {
	members := []string{"", "a", "b", "c"}
	tests := []struct {
		min, max string
		count    int // -1: parse error
	}{
		{"-", "+", 4},
		{"+", "-", 0},
		{"-", "-", 0},
		{"+", "+", 0},
		{"[a", "[a", 1},
		{"(a", "[a", 0},
		{"[a", "(a", 0},
		{"(", "+", 3},
		{"[", "+", 4},
		{"-", "(", 0},
		{"-", "[", 1},
		{"[b", "+", 2},
		{"(a", "(c", 1},
		{"[c", "[a", 0},
		{"-", "[b", 3},
		{"+\x00", "-", 0},
		{"", "+", -1},
		{"+x", "+", -1},
		{"-x", "+", -1},
		{"a", "+", -1},
		{"-", "b", -1},
	}
	for _, tc := range tests {
		r, err := ParseLexRange([]byte(tc.min), []byte(tc.max))
		if tc.count < 0 {
			if err != ErrLexRangeItem {
				t.Errorf("%q %q: want error, got %v", tc.min, tc.max, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q %q: %v", tc.min, tc.max, err)
			continue
		}
		n := 0
		for _, m := range members {
			if r.Contains([]byte(m)) {
				n++
			}
		}
		if n != tc.count {
			t.Errorf("%q %q: count %d, want %d", tc.min, tc.max, n, tc.count)
		}
		if r.Empty() && n != 0 {
			t.Errorf("%q %q: Empty but contains members", tc.min, tc.max)
		}
	}
}

func BenchmarkParseScore(b *testing.B) {
	b.ReportAllocs()
	in := []byte("12345.678")
	for b.Loop() {
		if _, err := ParseScore(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormatScore(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 32)
	for b.Loop() {
		buf = FormatScore(buf[:0], 1.1)
	}
}
