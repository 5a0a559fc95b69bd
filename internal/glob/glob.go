package glob

import (
	"strings"
	"unsafe"
)

// maxStarGroups is the largest number of non-trailing '*' groups Redis will
// recurse through before declaring a mismatch.
const maxStarGroups = 1000

// Match reports whether s matches the Redis glob pattern. When nocase is
// true, ASCII letters match regardless of case (except for escaped bytes
// inside brackets, as in Redis). It never allocates.
func Match(pattern, s string, nocase bool) bool {
	if len(s) == 0 {
		// Every token of a non-empty pattern has to consume a byte before
		// Redis considers trailing stars, so only "" matches "".
		return len(pattern) == 0
	}
	if !match(pattern, s, nocase) {
		return false
	}
	// Only patterns of more than 2*maxStarGroups bytes can hit Redis's
	// recursion limit; they are rare, so count lazily.
	return len(pattern) <= 2*maxStarGroups || innerStarGroups(pattern) <= maxStarGroups
}

// MatchBytes is like [Match] for byte slices. It neither retains nor
// modifies its arguments and never allocates.
func MatchBytes(pattern, s []byte, nocase bool) bool {
	return Match(bytesToString(pattern), bytesToString(s), nocase)
}

// IsLiteral reports whether pattern contains none of the special bytes
// '*', '?', '[' and '\'. For such a pattern, Match(pattern, s, false) is
// exactly pattern == s, so a single lookup can replace a scan.
func IsLiteral(pattern string) bool {
	for i := 0; i < len(pattern); i++ {
		if special[pattern[i]] {
			return false
		}
	}
	return true
}

// special marks the bytes that start a non-literal token.
var special = [256]bool{'*': true, '?': true, '[': true, '\\': true}

// bytesToString returns a zero-copy string view of b; the result must not
// outlive the call that made it.
func bytesToString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// match reports whether the non-empty s matches pat.
//
// The pattern is a sequence of segments separated by '*' groups. Every token
// inside a segment matches exactly one byte, so each segment has a fixed
// width. The first segment is anchored at the start of s and the last one at
// the end; each segment in between is placed at its leftmost possible
// position, which is always safe because an earlier placement leaves more
// room for everything after it. That makes matching O(len(pat)*len(s)) at
// worst, with no backtracking across stars.
func match(pat, s string, nocase bool) bool {
	p, i, ok := matchSeg(pat, 0, s, 0, nocase)
	if !ok {
		return false
	}
	if p == len(pat) {
		return i == len(s)
	}
	for {
		for p < len(pat) && pat[p] == '*' {
			p++
		}
		if p == len(pat) {
			return true // a trailing star takes the rest
		}
		end, w, plain := segInfo(pat, p)
		if w > len(s)-i {
			return false
		}
		if end == len(pat) {
			// Last segment: it must sit exactly at the end of s.
			if plain && !nocase {
				return s[len(s)-w:] == pat[p:end]
			}
			_, _, ok := matchSeg(pat, p, s, len(s)-w, nocase)
			return ok
		}
		// Middle segment: find its leftmost placement at or after i.
		if plain && !nocase {
			k := strings.Index(s[i:], pat[p:end])
			if k < 0 {
				return false
			}
			i += k + w
			p = end
			continue
		}
		last := len(s) - w // last possible start
		lit, hasLit := byte(0), false
		if !nocase {
			lit, hasLit = literalAt(pat, p)
		}
		found := false
		for j := i; j <= last; j++ {
			if hasLit {
				k := strings.IndexByte(s[j:last+1], lit)
				if k < 0 {
					return false
				}
				j += k
			}
			if _, ni, ok := matchSeg(pat, p, s, j, nocase); ok {
				i = ni
				found = true
				break
			}
		}
		if !found {
			return false
		}
		p = end
	}
}

// matchSeg matches the segment starting at pat[p] (up to the next '*' or the
// end of the pattern) against s starting at i. It returns the positions just
// past the segment and its match in s, and whether it matched.
func matchSeg(pat string, p int, s string, i int, nocase bool) (int, int, bool) {
	for p < len(pat) {
		c := pat[p]
		if c == '*' {
			break
		}
		if i >= len(s) {
			return p, i, false
		}
		switch c {
		case '?':
			p++
		case '[':
			ok, next := matchClass(pat, p, s[i], nocase)
			if !ok {
				return p, i, false
			}
			p = next
		case '\\':
			if p+1 < len(pat) {
				p++
				c = pat[p]
			} // else: a trailing backslash is a literal backslash
			if c != s[i] && (!nocase || lower(c) != lower(s[i])) {
				return p, i, false
			}
			p++
		default:
			if c != s[i] {
				if !nocase || lower(c) != lower(s[i]) {
					return p, i, false
				}
				p++
				i++
				continue
			}
			p++
			i++
			// Tight loops over a run of plain matching bytes: eight at a
			// time while possible, then one at a time.
			for len(pat)-p >= 8 && len(s)-i >= 8 {
				w := load64(pat, p)
				if w != load64(s, i) || hasSpecial(w) {
					break
				}
				p += 8
				i += 8
			}
			n := commonPlain(pat[p:], s[i:])
			p += n
			i += n
			continue
		}
		i++
	}
	return p, i, true
}

// segInfo scans the segment starting at pat[p] and returns the index where it
// ends (the next '*' outside brackets, or len(pat)), its width in bytes of
// input, and whether it is plain, i.e. consists of unescaped literal bytes
// only, so that pat[p:end] can be compared directly.
func segInfo(pat string, p int) (end, width int, plain bool) {
	plain = true
	for p < len(pat) {
		if !special[pat[p]] {
			p++
			width++
			continue
		}
		switch pat[p] {
		case '*':
			return p, width, plain
		case '[':
			p = classEnd(pat, p)
			plain = false
		case '\\':
			p += 2
			if p > len(pat) {
				p = len(pat)
			}
			plain = false
		case '?':
			p++
			plain = false
		default:
			p++
		}
		width++
	}
	return p, width, plain
}

// classEnd returns the index just past the bracket expression starting at
// pat[p] == '[', parsing it exactly as matchClass does.
func classEnd(pat string, p int) int {
	p++
	if p < len(pat) && pat[p] == '^' {
		p++
	}
	for p < len(pat) {
		switch {
		case pat[p] == '\\' && p+1 < len(pat):
			p += 2
		case pat[p] == ']':
			return p + 1
		case p+2 < len(pat) && pat[p+1] == '-':
			p += 3
		default:
			p++
		}
	}
	return p
}

// literalAt reports whether the token at pat[p] is a plain or escaped literal
// and returns the byte it matches.
func literalAt(pat string, p int) (byte, bool) {
	switch c := pat[p]; c {
	case '*', '?', '[':
		return 0, false
	case '\\':
		if p+1 < len(pat) {
			return pat[p+1], true
		}
		return c, true
	default:
		return c, true
	}
}

// matchClass matches byte c against the bracket expression starting at
// pat[p] == '['. It returns whether c matched and the index just past the
// expression. An unterminated expression extends to the end of the pattern.
func matchClass(pat string, p int, c byte, nocase bool) (bool, int) {
	p++ // '['
	negate := p < len(pat) && pat[p] == '^'
	if negate {
		p++
	}
	matched := false
	for {
		if p >= len(pat) {
			break // unterminated: the set runs to the end of the pattern
		}
		b := pat[p]
		if b == '\\' && p+1 < len(pat) {
			// Escaped byte: always compared case-sensitively.
			p++
			if pat[p] == c {
				matched = true
			}
		} else if b == ']' {
			p++
			break
		} else if p+2 < len(pat) && pat[p+1] == '-' {
			// Range; the ends and c compare as signed chars.
			lo, hi, x := int8(b), int8(pat[p+2]), int8(c)
			if lo > hi {
				lo, hi = hi, lo
			}
			if nocase {
				lo, hi, x = int8(lower(byte(lo))), int8(lower(byte(hi))), int8(lower(c))
			}
			if x >= lo && x <= hi {
				matched = true
			}
			p += 2
		} else if b == c || nocase && lower(b) == lower(c) {
			matched = true
		}
		p++
	}
	return matched != negate, p
}

// commonPlain returns the length of the longest common prefix of a and b
// that contains no special pattern bytes.
func commonPlain(a, b string) int {
	if len(b) < len(a) {
		a = a[:len(b)]
	}
	b = b[:len(a)]
	for k := 0; k < len(a); k++ {
		if a[k] != b[k] || special[a[k]] {
			return k
		}
	}
	return len(a)
}

// load64 returns the eight bytes of s starting at i as a little-endian word.
// The caller guarantees i+8 <= len(s).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// Word-at-a-time constants for hasSpecial.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasZeroByte reports whether any byte of x is zero (exact, no false
// positives for the existence test).
func hasZeroByte(x uint64) bool {
	return (x-ones)&^x&highs != 0
}

// hasSpecial reports whether any byte of w is one of '*', '?', '[' or '\'.
func hasSpecial(w uint64) bool {
	return hasZeroByte(w^('*'*ones)) || hasZeroByte(w^('?'*ones)) ||
		hasZeroByte(w^('['*ones)) || hasZeroByte(w^('\\'*ones))
}

// lower folds ASCII upper-case letters to lower case, like C's tolower in
// the "C" locale.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// innerStarGroups counts the '*' groups of pattern that are followed by at
// least one more token, parsing brackets and escapes as the matcher does.
func innerStarGroups(pat string) int {
	n := 0
	for p := 0; p < len(pat); {
		switch pat[p] {
		case '*':
			for p < len(pat) && pat[p] == '*' {
				p++
			}
			if p < len(pat) {
				n++
			}
		case '[':
			p = classEnd(pat, p)
		case '\\':
			p += 2
		default:
			p++
		}
	}
	return n
}
