package object

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"unsafe"
)

// Errors returned by the sorted-set argument parsers. Their texts are the
// complete Redis error replies, "ERR" prefix included.
var (
	// ErrScoreNotFloat is returned by ParseScore for a malformed score.
	ErrScoreNotFloat = errors.New("ERR value is not a valid float")
	// ErrRangeNotFloat is returned by ParseScoreRange for a malformed bound.
	ErrRangeNotFloat = errors.New("ERR min or max is not a float")
	// ErrLexRangeItem is returned by ParseLexRange for a malformed bound.
	ErrLexRangeItem = errors.New("ERR min or max not valid string range item")
	// ErrScoreNaN is returned by ZSet.Add when an increment produces NaN
	// (for instance +inf plus -inf).
	ErrScoreNaN = errors.New("ERR resulting score is not a number (NaN)")
)

// ScoreRange is a score interval as given to ZRANGEBYSCORE, ZCOUNT and
// ZREMRANGEBYSCORE: Min <= score <= Max, with either end made strict by
// MinEx / MaxEx. The bounds may be infinite.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// GteMin reports whether f satisfies the lower bound of r.
func (r *ScoreRange) GteMin(f float64) bool {
	if r.MinEx {
		return f > r.Min
	}
	return f >= r.Min
}

// LteMax reports whether f satisfies the upper bound of r.
func (r *ScoreRange) LteMax(f float64) bool {
	if r.MaxEx {
		return f < r.Max
	}
	return f <= r.Max
}

// Contains reports whether f lies within r.
func (r *ScoreRange) Contains(f float64) bool { return r.GteMin(f) && r.LteMax(f) }

// Empty reports whether no score can lie within r (Min > Max, or Min == Max
// with an exclusive end).
func (r *ScoreRange) Empty() bool {
	return r.Min > r.Max || (r.Min == r.Max && (r.MinEx || r.MaxEx))
}

// LexBound is one end of a LexRange: "-" (Inf < 0), "+" (Inf > 0), or a
// member value that is inclusive ("[a") or exclusive ("(a").
type LexBound struct {
	// Value is the member bytes of a finite bound (Inf == 0).
	Value []byte
	// Exclusive is set for "(" bounds.
	Exclusive bool
	// Inf is -1 for "-" (smaller than every member), +1 for "+" (greater
	// than every member) and 0 for a finite bound.
	Inf int8
}

// LexRange is a member interval as given to ZRANGEBYLEX, ZLEXCOUNT and
// ZREMRANGEBYLEX. Members are compared bytewise.
type LexRange struct {
	Min, Max LexBound
}

// GteMin reports whether member satisfies the lower bound of r.
func (r *LexRange) GteMin(member []byte) bool {
	switch {
	case r.Min.Inf < 0:
		return true
	case r.Min.Inf > 0:
		return false
	}
	c := bytes.Compare(member, r.Min.Value)
	if r.Min.Exclusive {
		return c > 0
	}
	return c >= 0
}

// LteMax reports whether member satisfies the upper bound of r.
func (r *LexRange) LteMax(member []byte) bool {
	switch {
	case r.Max.Inf > 0:
		return true
	case r.Max.Inf < 0:
		return false
	}
	c := bytes.Compare(member, r.Max.Value)
	if r.Max.Exclusive {
		return c < 0
	}
	return c <= 0
}

// Contains reports whether member lies within r.
func (r *LexRange) Contains(member []byte) bool { return r.GteMin(member) && r.LteMax(member) }

// Empty reports whether no member can lie within r.
func (r *LexRange) Empty() bool {
	if r.Min.Inf > 0 || r.Max.Inf < 0 {
		return true // "+" as minimum or "-" as maximum
	}
	if r.Min.Inf < 0 || r.Max.Inf > 0 {
		return false
	}
	c := bytes.Compare(r.Min.Value, r.Max.Value)
	return c > 0 || (c == 0 && (r.Min.Exclusive || r.Max.Exclusive))
}

// ParseScore parses a ZADD / ZINCRBY score the way Redis does: the whole
// argument must be a C strtod number (decimal or hexadecimal, "inf",
// "infinity", optional sign; no leading or trailing space). NaN, values that
// overflow to infinity and non-zero values that underflow to zero are
// rejected with ErrScoreNotFloat.
func ParseScore(b []byte) (float64, error) {
	if len(b) == 0 || zrIsSpace(b[0]) {
		return 0, ErrScoreNotFloat
	}
	v, n, erange := zrStrtod(b)
	if n != len(b) || math.IsNaN(v) || (erange && (v == 0 || math.IsInf(v, 0))) {
		return 0, ErrScoreNotFloat
	}
	return v, nil
}

// ParseScoreRange parses the min and max arguments of ZRANGEBYSCORE-like
// commands. A leading "(" makes a bound exclusive; the rest is parsed like C
// strtod, so "-inf", "+inf", "inf", leading spaces, hexadecimal numbers and
// even the empty string (zero) are accepted, out-of-range values saturate to
// infinity or zero, and parsing stops at a NUL byte, all as in Redis. NaN is
// rejected with ErrRangeNotFloat.
func ParseScoreRange(min, max []byte) (ScoreRange, error) {
	var r ScoreRange
	var ok bool
	if r.Min, r.MinEx, ok = zrParseScoreBound(min); !ok {
		return ScoreRange{}, ErrRangeNotFloat
	}
	if r.Max, r.MaxEx, ok = zrParseScoreBound(max); !ok {
		return ScoreRange{}, ErrRangeNotFloat
	}
	return r, nil
}

func zrParseScoreBound(b []byte) (v float64, ex, ok bool) {
	if len(b) > 0 && b[0] == '(' {
		ex = true
		b = b[1:]
	}
	v, n, _ := zrStrtod(b)
	if (n < len(b) && b[n] != 0) || math.IsNaN(v) {
		return 0, false, false
	}
	return v, ex, true
}

// ParseLexRange parses the min and max arguments of ZRANGEBYLEX-like
// commands: "-", "+", "[member" (inclusive) or "(member" (exclusive).
// Anything else yields ErrLexRangeItem. The returned range aliases min and
// max.
func ParseLexRange(min, max []byte) (LexRange, error) {
	var r LexRange
	var ok bool
	if r.Min, ok = zrParseLexBound(min); !ok {
		return LexRange{}, ErrLexRangeItem
	}
	if r.Max, ok = zrParseLexBound(max); !ok {
		return LexRange{}, ErrLexRangeItem
	}
	return r, nil
}

func zrParseLexBound(b []byte) (LexBound, bool) {
	if len(b) == 0 {
		return LexBound{}, false
	}
	switch b[0] {
	case '+', '-':
		// Redis checks the next C character, so "+" followed by a NUL
		// byte is still "+".
		if len(b) > 1 && b[1] != 0 {
			return LexBound{}, false
		}
		if b[0] == '+' {
			return LexBound{Inf: 1, Exclusive: true}, true
		}
		return LexBound{Inf: -1, Exclusive: true}, true
	case '(':
		return LexBound{Value: b[1:], Exclusive: true}, true
	case '[':
		return LexBound{Value: b[1:]}, true
	}
	return LexBound{}, false
}

// FormatScore appends the textual form of a score exactly as Redis 7.0 sends
// it in replies: "inf" / "-inf" for infinities and C printf "%.17g"
// otherwise (so 1.1 is "1.1000000000000001", 3 is "3", 1e20 is "1e+20" and
// negative zero is "-0").
func FormatScore(dst []byte, f float64) []byte {
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

func zrIsSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

func zrIsDigit(c byte) bool { return c >= '0' && c <= '9' }

func zrIsHex(c byte) bool {
	return zrIsDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

// zrHasPrefixFold reports whether b starts with the lower-case ASCII word w,
// ignoring case.
func zrHasPrefixFold(b []byte, w string) bool {
	if len(b) < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if b[i]|0x20 != w[i] {
			return false
		}
	}
	return true
}

// zrStrtod emulates glibc strtod in the C locale: it parses the longest
// prefix of s that forms a number and returns its value, the number of bytes
// consumed (0 when no conversion is possible, like strtod setting endptr to
// its input) and whether the conversion overflowed to infinity or
// underflowed to zero (strtod's ERANGE for those cases).
func zrStrtod(s []byte) (v float64, n int, erange bool) {
	i := 0
	for i < len(s) && zrIsSpace(s[i]) {
		i++
	}
	start := i
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	rest := s[i:]
	switch {
	case zrHasPrefixFold(rest, "inf"):
		n = i + 3
		if zrHasPrefixFold(rest, "infinity") {
			n = i + 8
		}
		if neg {
			return math.Inf(-1), n, false
		}
		return math.Inf(1), n, false
	case zrHasPrefixFold(rest, "nan"):
		n = i + 3
		if n < len(s) && s[n] == '(' {
			j := n + 1
			for j < len(s) && (zrIsDigit(s[j]) || s[j] == '_' || (s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z')) {
				j++
			}
			if j < len(s) && s[j] == ')' {
				n = j + 1
			}
		}
		return math.NaN(), n, false
	case len(rest) >= 2 && rest[0] == '0' && rest[1]|0x20 == 'x' &&
		((len(rest) > 2 && zrIsHex(rest[2])) || (len(rest) > 3 && rest[2] == '.' && zrIsHex(rest[3]))):
		return zrStrtodHex(s, i+2, neg)
	}
	// Decimal: digits [. digits] [e [sign] digits], with at least one
	// mantissa digit.
	digits, nonzero := 0, false
	for i < len(s) && zrIsDigit(s[i]) {
		nonzero = nonzero || s[i] != '0'
		digits++
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && zrIsDigit(s[i]) {
			nonzero = nonzero || s[i] != '0'
			digits++
			i++
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	if i < len(s) && s[i]|0x20 == 'e' {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && zrIsDigit(s[j]) {
			for j < len(s) && zrIsDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	num := s[start:i]
	v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(num), len(num)), 64)
	if err != nil && !math.IsInf(v, 0) {
		// Cannot happen for the validated syntax; treat as no conversion.
		return 0, 0, false
	}
	return v, i, err != nil || (v == 0 && nonzero)
}

// zrStrtodHex parses a hexadecimal float whose digits start at s[i] (just
// after "0x"); the caller has checked that a hex digit is present.
func zrStrtodHex(s []byte, i int, neg bool) (float64, int, bool) {
	var buf [64]byte
	num := buf[:0]
	if neg {
		num = append(num, '-')
	}
	num = append(num, "0x"...)
	nonzero := false
	for i < len(s) && zrIsHex(s[i]) {
		nonzero = nonzero || s[i] != '0'
		num = append(num, s[i])
		i++
	}
	if i < len(s) && s[i] == '.' {
		num = append(num, '.')
		i++
		for i < len(s) && zrIsHex(s[i]) {
			nonzero = nonzero || s[i] != '0'
			num = append(num, s[i])
			i++
		}
	}
	exp := false
	if i < len(s) && s[i]|0x20 == 'p' {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && zrIsDigit(s[j]) {
			for j < len(s) && zrIsDigit(s[j]) {
				j++
			}
			num = append(num, s[i:j]...)
			i = j
			exp = true
		}
	}
	if !exp {
		num = append(num, "p0"...)
	}
	v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(num), len(num)), 64)
	if err != nil && !math.IsInf(v, 0) {
		return 0, 0, false
	}
	return v, i, err != nil || (v == 0 && nonzero)
}
