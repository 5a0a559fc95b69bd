package glob

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// redisKeysCases were recorded from redis-server 7.0.15 by storing each key
// and running KEYS pattern (case-sensitive matching).
var redisKeysCases = []struct {
	pattern, s string
	want       bool
}{
	{"", "", true},
	{"", "a", false},
	{"*", "a", true},
	{"*", "abc", true},
	{"**", "", false},
	{"**", "a", true},
	{"**", "abc", true},
	{"a*", "", false},
	{"a*", "a", true},
	{"a*", "ab", true},
	{"a*", "ba", false},
	{"*a", "a", true},
	{"*a", "ba", true},
	{"*a", "ab", false},
	{"a*b", "ab", true},
	{"a*b", "axxb", true},
	{"a*b", "axxbx", false},
	{"a*b", "ba", false},
	{"*a*b*", "ab", true},
	{"*a*b*", "xaxbx", true},
	{"*a*b*", "ba", false},
	{"*a*b*", "aab", true},
	{"h?llo", "hello", true},
	{"h?llo", "hallo", true},
	{"h?llo", "hllo", false},
	{"h?llo", "heello", false},
	{"?", "", false},
	{"?", "a", true},
	{"?", "ab", false},
	{"?", "\xff", true},
	{"h*llo", "hllo", true},
	{"h*llo", "heeeello", true},
	{"h*llo", "hello!", false},
	{"h[ae]llo", "hello", true},
	{"h[ae]llo", "hallo", true},
	{"h[ae]llo", "hillo", false},
	{"h[^e]llo", "hallo", true},
	{"h[^e]llo", "hbllo", true},
	{"h[^e]llo", "hello", false},
	{"h[^e]llo", "hllo", false},
	{"h[a-b]llo", "hallo", true},
	{"h[a-b]llo", "hbllo", true},
	{"h[a-b]llo", "hcllo", false},
	{"h[b-a]llo", "hallo", true},
	{"h[b-a]llo", "hbllo", true},
	{"h[b-a]llo", "hcllo", false},
	{"[z-a]", "a", true},
	{"[z-a]", "m", true},
	{"[z-a]", "z", true},
	{"[z-a]", "A", false},
	{"[z-a]", "-", false},
	{"[a-]", "a", true},
	{"[a-]", "-", false},
	{"[a-]", "]", true},
	{"[a-]", "^", true},
	{"[a-]", "_", true},
	{"[a-]", "`", true},
	{"[a-]", "\\", false},
	{"[a-]", "b", false},
	{"[-a]", "a", true},
	{"[-a]", "-", true},
	{"[-a]", "b", false},
	{"[a-c-e]", "a", true},
	{"[a-c-e]", "b", true},
	{"[a-c-e]", "c", true},
	{"[a-c-e]", "d", false},
	{"[a-c-e]", "e", true},
	{"[a-c-e]", "-", true},
	{"[]", "", false},
	{"[]", "]", false},
	{"[]", "a", false},
	{"[]]", "]", false},
	{"[]]", "]]", false},
	{"[]]", "a", false},
	{"[]a]", "a]", false},
	{"[]a]", "]", false},
	{"[]a]", "a", false},
	{"[^]", "", false},
	{"[^]", "a", true},
	{"[^]", "]", true},
	{"[^]", "^", true},
	{"[^]]", "a", false},
	{"[^]]", "]", false},
	{"[^]]", "a]", true},
	{"[^]]", "]]", true},
	{"[", "", false},
	{"[", "[", false},
	{"[", "a", false},
	{"[^", "", false},
	{"[^", "a", true},
	{"[^", "^", true},
	{"[^", "[", true},
	{"[^", "ab", false},
	{"a[", "a", false},
	{"a[", "a[", false},
	{"a[", "ab", false},
	{"[abc", "a", true},
	{"[abc", "c", true},
	{"[abc", "[", false},
	{"[abc", "d", false},
	{"[abc", "ab", false},
	{"[^abc", "a", false},
	{"[^abc", "d", true},
	{"[^abc", "^", true},
	{"[a-", "a", true},
	{"[a-", "-", true},
	{"[a-", "b", false},
	{"[\\]", "]", true},
	{"[\\]", "\\", false},
	{"[\\]", "\\]", false},
	{"[\\]]", "]", true},
	{"[\\]]", "\\", false},
	{"[\\", "\\", true},
	{"[\\", "a", false},
	{"[\\a]", "a", true},
	{"[\\a]", "\\", false},
	{"[\\a]", "A", false},
	{"[\\-a]", "-", true},
	{"[\\-a]", "a", true},
	{"[\\-a]", "\\", false},
	{"[\\-a]", "b", false},
	{"[a\\-z]", "a", true},
	{"[a\\-z]", "-", true},
	{"[a\\-z]", "z", true},
	{"[a\\-z]", "m", false},
	{"[a\\-z]", "\\", false},
	{"[a-\\z]", "a", true},
	{"[a-\\z]", "z", true},
	{"[a-\\z]", "]", true},
	{"[a-\\z]", "\\", true},
	{"[a-\\z]", "`", true},
	{"[a-\\z]", "b", false},
	{"[\\^a]", "^", true},
	{"[\\^a]", "a", true},
	{"[\\^a]", "b", false},
	{"[^^]", "^", false},
	{"[^^]", "a", true},
	{"[*?]", "*", true},
	{"[*?]", "?", true},
	{"[*?]", "a", false},
	{"[[]", "[", true},
	{"[[]", "a", false},
	{"\\", "\\", true},
	{"\\", "", false},
	{"\\", "a", false},
	{"a\\", "a\\", true},
	{"a\\", "a", false},
	{"a\\", "ab", false},
	{"\\\\", "\\", true},
	{"\\\\", "\\\\", false},
	{"\\*", "*", true},
	{"\\*", "a", false},
	{"\\*", "\\*", false},
	{"\\?", "?", true},
	{"\\?", "a", false},
	{"\\[a]", "[a]", true},
	{"\\[a]", "a", false},
	{"\\a", "a", true},
	{"\\a", "\\a", false},
	{"a\\*b", "a*b", true},
	{"a\\*b", "axb", false},
	{"a\\*b", "ab", false},
	{"*\\", "\\", true},
	{"*\\", "a\\", true},
	{"*\\", "a", false},
	{"*[", "[", false},
	{"*[", "a[", false},
	{"*[^", "a", true},
	{"*[^", "ab", true},
	{"*[^", "", false},
	{"[a-\xff]", "a", true},
	{"[a-\xff]", "b", false},
	{"[a-\xff]", "\x00", true},
	{"[a-\xff]", "\x7f", false},
	{"[a-\xff]", "\x80", false},
	{"[a-\xff]", "\xfe", false},
	{"[a-\xff]", "\xff", true},
	{"[\x80-\xff]", "\x80", true},
	{"[\x80-\xff]", "\xc0", true},
	{"[\x80-\xff]", "\xff", true},
	{"[\x80-\xff]", "\x00", false},
	{"[\x80-\xff]", "a", false},
	{"[\x00-\x7f]", "\x00", true},
	{"[\x00-\x7f]", "a", true},
	{"[\x00-\x7f]", "\x7f", true},
	{"[\x00-\x7f]", "\x80", false},
	{"[\x00-\x7f]", "\xff", false},
	{"[\xff-\x01]", "\xff", true},
	{"[\xff-\x01]", "\x00", true},
	{"[\xff-\x01]", "\x01", true},
	{"[\xff-\x01]", "\x02", false},
	{"[\xff-\x01]", "\xfe", false},
	{"\xff*", "\xff", true},
	{"\xff*", "\xffa", true},
	{"\xff*", "a", false},
	{"a\x00*", "a\x00", true},
	{"a\x00*", "a\x00b", true},
	{"a\x00*", "a", false},
	{"user:*:name", "user:1:name", true},
	{"user:*:name", "user::name", true},
	{"user:*:name", "user:1:namex", false},
	{"user:*:name", "user:1:nam", false},
	{"user:*:name", "user:a:b:name", true},
	{"*:*:*", "a:b:c", true},
	{"*:*:*", "::", true},
	{"*:*:*", "a:b", false},
	{"*:*:*", ":::", true},
	{"a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", true},
	{"a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	{"*?", "a", true},
	{"*?", "ab", true},
	{"*?", "", false},
	{"?*?", "a", false},
	{"?*?", "ab", true},
	{"?*?", "abc", true},
	{"*[ab]", "xa", true},
	{"*[ab]", "xc", false},
	{"*[ab]", "b", true},
	{"A*", "a", false},
	{"A*", "A", true},
	{"A*", "Ab", true},
}

func TestMatchRedisKeys(t *testing.T) {
	for _, tt := range redisKeysCases {
		if got := Match(tt.pattern, tt.s, false); got != tt.want {
			t.Errorf("Match(%q, %q, false) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
		if got := MatchBytes([]byte(tt.pattern), []byte(tt.s), false); got != tt.want {
			t.Errorf("MatchBytes(%q, %q, false) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
		if got := refMatch(tt.pattern, tt.s, false); got != tt.want {
			t.Errorf("refMatch(%q, %q, false) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

// redisNocaseCases were recorded from redis-server 7.0.15 with CONFIG GET,
// which matches parameter names case-insensitively.
var redisNocaseCases = []struct {
	pattern, s string
	want       bool
}{
	{"[M]axmemory", "maxmemory", true},
	{"[\\M]axmemory", "maxmemory", false}, // escapes in brackets keep case
	{"[\\m]axmemory", "maxmemory", true},
	{"[L-N]axmemory", "maxmemory", true},
	{"[A-M]axmemory", "maxmemory", true},
	{"[m-Z]axmemory", "maxmemory", false}, // ordered as Z..m, then folded to z..m
	{"[Z-m]axmemory", "maxmemory", false},
	{"[a-Z]axmemory", "maxmemory", false},
	{"[^M]axmemory", "maxmemory", false},
	{"[^\\M]axmemory", "maxmemory", true},
	{"maxmemor[^\\Y]", "maxmemory", true},
	{"maxmemor[\\Y]", "maxmemory", false},
	{"maxmemor[\\y]*", "maxmemory", true},
	{"\\MAXMEMOR?", "maxmemory", true}, // escapes outside brackets fold
	{"\\maxmemor?", "maxmemory", true},
	{"MAXMEMORY*", "maxmemory-samples", true},
	{"*-POLICY", "maxmemory-policy", true},
	{"maxmemory-polic?", "maxmemory-policy", true},
	{"[^]axmemory", "maxmemory", true},
	{"[]axmemory", "maxmemory", false},
	{"maxmemor[^", "maxmemory", true},
	{"maxmemory-cl[ij]", "maxmemory-clients", false},
}

func TestMatchRedisNocase(t *testing.T) {
	for _, tt := range redisNocaseCases {
		if got := Match(tt.pattern, tt.s, true); got != tt.want {
			t.Errorf("Match(%q, %q, true) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
		if got := refMatch(tt.pattern, tt.s, true); got != tt.want {
			t.Errorf("refMatch(%q, %q, true) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestMatchNocase(t *testing.T) {
	tests := []struct {
		pattern, s     string
		nocase, wanted bool
	}{
		{"HELLO", "hello", true, true},
		{"HELLO", "hello", false, false},
		{"h*O", "HellO", true, true},
		{"h*O", "Hello", true, true},
		{"h*O", "Hellx", true, false},
		{"[A-Z]", "q", true, true},
		{"[A-Z]", "q", false, false},
		{"[a-z]", "Q", true, true},
		{"[^a-z]", "Q", true, false},
		{"[xyz]", "Y", true, true},
		{"[\\y]", "Y", true, false},
		{"\\y", "Y", true, true},
		{"\xc0", "\xe0", true, false}, // only ASCII folds
		{"[[-a]", "A", true, true},    // 'A' folds to 'a', inside '['..'a'
		{"[[-a]", "A", false, false},
		{"[[-a]", "_", true, true},
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, tt.s, tt.nocase); got != tt.wanted {
			t.Errorf("Match(%q, %q, %v) = %v, want %v", tt.pattern, tt.s, tt.nocase, got, tt.wanted)
		}
		if got := refMatch(tt.pattern, tt.s, tt.nocase); got != tt.wanted {
			t.Errorf("refMatch(%q, %q, %v) = %v, want %v", tt.pattern, tt.s, tt.nocase, got, tt.wanted)
		}
	}
}

// TestMatchStarLimit checks Redis's limit of 1000 nested '*' groups, verified
// against redis-server 7.0.15 with KEYS.
func TestMatchStarLimit(t *testing.T) {
	tests := []struct {
		groups int
		suffix string
		want   bool
	}{
		{999, "", true},
		{999, "*", true},
		{1000, "", true},
		{1000, "*", true},
		{1001, "", false},
		{1001, "*", false},
		{1002, "", false},
	}
	for _, tt := range tests {
		pat := strings.Repeat("*a", tt.groups) + tt.suffix
		s := strings.Repeat("a", tt.groups)
		if got := Match(pat, s, false); got != tt.want {
			t.Errorf("Match(\"*a\"x%d+%q, \"a\"x%d) = %v, want %v", tt.groups, tt.suffix, tt.groups, got, tt.want)
		}
	}
	// Stars inside brackets or escaped do not count.
	pat := strings.Repeat("[*]\\*", 1500) + "*x"
	s := strings.Repeat("**", 1500) + "x"
	if !Match(pat, s, false) {
		t.Errorf("bracketed/escaped stars must not count towards the limit")
	}
}

func TestMatchPathological(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{strings.Repeat("a*", 200) + "b", strings.Repeat("a", 20000), false},
		{strings.Repeat("*a", 200) + "*b", strings.Repeat("a", 20000), false},
		{strings.Repeat("?*", 200) + "b", strings.Repeat("a", 20000), false},
		{strings.Repeat("a*", 200) + "b", strings.Repeat("a", 20000) + "b", true},
		{strings.Repeat("[a]*", 200) + "b", strings.Repeat("a", 20000), false},
		{strings.Repeat("*[ab]", 500), strings.Repeat("ab", 10000), true},
		{"*" + strings.Repeat("?", 500) + "b*", strings.Repeat("a", 20000), false},
		{"*" + strings.Repeat("[a]", 300) + "b*x", strings.Repeat("a", 20000) + "bx", true},
	}
	for _, tt := range tests {
		start := time.Now()
		if got := Match(tt.pattern, tt.s, false); got != tt.want {
			t.Errorf("Match(len %d, len %d) = %v, want %v", len(tt.pattern), len(tt.s), got, tt.want)
		}
		if got := Match(tt.pattern, tt.s, true); got != tt.want {
			t.Errorf("Match(len %d, len %d, nocase) = %v, want %v", len(tt.pattern), len(tt.s), got, tt.want)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Match(len %d, len %d) took %v", len(tt.pattern), len(tt.s), d)
		}
	}
}

func TestIsLiteral(t *testing.T) {
	tests := []struct {
		pattern string
		want    bool
	}{
		{"", true},
		{"foo", true},
		{"user:1000:name", true},
		{"a]b", true},
		{"a^b-c", true},
		{"{tag}", true},
		{"\xff\x00", true},
		{"foo*", false},
		{"fo?", false},
		{"f[o]o", false},
		{"foo\\", false},
		{"foo\\*", false},
	}
	for _, tt := range tests {
		if got := IsLiteral(tt.pattern); got != tt.want {
			t.Errorf("IsLiteral(%q) = %v, want %v", tt.pattern, got, tt.want)
		}
		if tt.want && tt.pattern != "" {
			if !Match(tt.pattern, tt.pattern, false) || Match(tt.pattern, tt.pattern+"x", false) {
				t.Errorf("literal %q should match only itself", tt.pattern)
			}
		}
	}
}

func TestMatchNoAllocs(t *testing.T) {
	p, s := []byte("user:*:[a-z]?name"), []byte("user:12345:xyname")
	allocs := testing.AllocsPerRun(100, func() {
		if !Match("user:*:[a-z]?name", "user:12345:xyname", false) || !MatchBytes(p, s, true) {
			t.Fatal("expected match")
		}
	})
	if allocs != 0 {
		t.Fatalf("allocs = %v, want 0", allocs)
	}
}

// refTok is a parsed pattern token for the reference matcher.
type refTok struct {
	kind  byte // '*' any run, '?' any byte, 'l' literal, '[' set
	lit   byte
	neg   bool
	items []refItem
}

// refItem is one element of a bracket set.
type refItem struct {
	kind   byte // 'e' escaped byte, 'b' plain byte, 'r' range
	lo, hi byte
}

// refParse splits a pattern into tokens following the Redis rules described
// in the package documentation.
func refParse(pat string) []refTok {
	var toks []refTok
	for p := 0; p < len(pat); {
		switch pat[p] {
		case '*':
			for p < len(pat) && pat[p] == '*' {
				p++
			}
			toks = append(toks, refTok{kind: '*'})
		case '?':
			toks = append(toks, refTok{kind: '?'})
			p++
		case '\\':
			if p+1 < len(pat) {
				toks = append(toks, refTok{kind: 'l', lit: pat[p+1]})
				p += 2
			} else {
				toks = append(toks, refTok{kind: 'l', lit: '\\'})
				p++
			}
		case '[':
			tok := refTok{kind: '['}
			p++
			if p < len(pat) && pat[p] == '^' {
				tok.neg = true
				p++
			}
			for p < len(pat) {
				if pat[p] == '\\' && p+1 < len(pat) {
					tok.items = append(tok.items, refItem{kind: 'e', lo: pat[p+1]})
					p += 2
				} else if pat[p] == ']' {
					p++
					break
				} else if p+2 < len(pat) && pat[p+1] == '-' {
					tok.items = append(tok.items, refItem{kind: 'r', lo: pat[p], hi: pat[p+2]})
					p += 3
				} else {
					tok.items = append(tok.items, refItem{kind: 'b', lo: pat[p]})
					p++
				}
			}
			toks = append(toks, tok)
		default:
			toks = append(toks, refTok{kind: 'l', lit: pat[p]})
			p++
		}
	}
	return toks
}

func refFold(c byte) int {
	if c >= 'A' && c <= 'Z' {
		return int(c) + 32
	}
	return int(c)
}

// refSigned mimics a signed C char.
func refSigned(c byte) int {
	if c >= 0x80 {
		return int(c) - 256
	}
	return int(c)
}

func refByte(tok refTok, c byte, nocase bool) bool {
	eq := func(a, b byte) bool { return a == b || nocase && refFold(a) == refFold(b) }
	switch tok.kind {
	case '?':
		return true
	case 'l':
		return eq(tok.lit, c)
	}
	in := false
	for _, it := range tok.items {
		switch it.kind {
		case 'e':
			in = in || it.lo == c
		case 'b':
			in = in || eq(it.lo, c)
		case 'r':
			lo, hi, x := refSigned(it.lo), refSigned(it.hi), refSigned(c)
			if lo > hi {
				lo, hi = hi, lo
			}
			if nocase {
				// Fold after ordering; folding only touches 'A'..'Z'.
				if lo >= 'A' && lo <= 'Z' {
					lo += 32
				}
				if hi >= 'A' && hi <= 'Z' {
					hi += 32
				}
				if x >= 'A' && x <= 'Z' {
					x += 32
				}
			}
			in = in || lo <= x && x <= hi
		}
	}
	return in != tok.neg
}

// refMatch is the slow, obviously-correct reference: plain recursion over
// the token list with memoisation.
func refMatch(pat, s string, nocase bool) bool {
	if s == "" {
		return pat == ""
	}
	toks := refParse(pat)
	inner := 0
	for i, tok := range toks {
		if tok.kind == '*' && i != len(toks)-1 {
			inner++
		}
	}
	if inner > 1000 {
		return false
	}
	memo := make(map[[2]int]bool)
	var rec func(i, j int) bool
	rec = func(i, j int) bool {
		if i == len(toks) {
			return j == len(s)
		}
		key := [2]int{i, j}
		if v, ok := memo[key]; ok {
			return v
		}
		res := false
		if toks[i].kind == '*' {
			for k := j; k <= len(s) && !res; k++ {
				res = rec(i+1, k)
			}
		} else {
			res = j < len(s) && refByte(toks[i], s[j], nocase) && rec(i+1, j+1)
		}
		memo[key] = res
		return res
	}
	return rec(0, 0)
}

// patternFor builds a random pattern that mostly matches s, then sometimes
// damages it, so that both outcomes are common.
func patternFor(r *rand.Rand, s []byte) []byte {
	var pat []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch r.IntN(8) {
		case 0:
			pat = append(pat, '?')
		case 1:
			pat = append(pat, '*')
			i += r.IntN(4) - 1 // the star absorbs 0..3 bytes
		case 2:
			pat = append(pat, '[', 'b', '\\', c, ']')
		case 3:
			pat = append(pat, '\\', c)
		default:
			if special[c] {
				pat = append(pat, '\\')
			}
			pat = append(pat, c)
		}
	}
	if r.IntN(3) == 0 && len(pat) > 0 {
		pat[r.IntN(len(pat))] = "ab*?[]\\"[r.IntN(7)]
	}
	return pat
}

// TestMatchRandomReference compares Match with the reference on random
// inputs that are longer than typical fuzz seeds, exercising the word-wise
// literal comparison and the placement of middle segments.
func TestMatchRandomReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const salpha = "aaaaaaabbbbAc]-\\*?["
	matches := 0
	for iter := 0; iter < 30000; iter++ {
		s := make([]byte, 1+r.IntN(48))
		for i := range s {
			s[i] = salpha[r.IntN(len(salpha))]
		}
		pat := patternFor(r, s)
		nocase := r.IntN(4) == 0
		if got, want := Match(string(pat), string(s), nocase), refMatch(string(pat), string(s), nocase); got != want {
			t.Fatalf("Match(%q, %q, %v) = %v, reference says %v", pat, s, nocase, got, want)
		} else if got {
			matches++
		}
	}
	if matches < 5000 || matches > 25000 {
		t.Fatalf("%d of 30000 random inputs matched; want a mix of outcomes", matches)
	}
}

func FuzzMatch(f *testing.F) {
	for _, tt := range redisKeysCases {
		f.Add(tt.pattern, tt.s, false)
	}
	for _, tt := range redisNocaseCases {
		f.Add(tt.pattern, tt.s, true)
	}
	f.Fuzz(func(t *testing.T, pattern, s string, nocase bool) {
		if len(pattern) > 64 || len(s) > 64 {
			return
		}
		got := Match(pattern, s, nocase)
		if want := refMatch(pattern, s, nocase); got != want {
			t.Fatalf("Match(%q, %q, %v) = %v, reference says %v", pattern, s, nocase, got, want)
		}
		if b := MatchBytes([]byte(pattern), []byte(s), nocase); b != got {
			t.Fatalf("MatchBytes(%q, %q, %v) = %v, Match = %v", pattern, s, nocase, b, got)
		}
		if IsLiteral(pattern) && got != (pattern == s) && !nocase {
			t.Fatalf("literal %q: Match(%q) = %v", pattern, s, got)
		}
	})
}

var sinkBool bool

func BenchmarkMatch(b *testing.B) {
	benches := []struct {
		name, pattern, s string
		nocase           bool
	}{
		{"literal", "user:1000:profile", "user:1000:profile", false},
		{"prefix", "user:*", "user:1000:profile", false},
		{"suffix", "*:profile", "user:1000:profile", false},
		{"infix", "user:*:profile", "user:1000:profile", false},
		{"miss", "session:*", "user:1000:profile", false},
		{"class", "user:[0-9][0-9][0-9][0-9]:*", "user:1000:profile", false},
		{"question", "user:????:profile", "user:1000:profile", false},
		{"nocase", "USER:*:PROFILE", "user:1000:profile", true},
		{"multistar", "*a*b*c*d*", "xxaxxbxxcxxdxx", false},
		{"pathological", strings.Repeat("a*", 30) + "b", strings.Repeat("a", 100), false},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			var r bool
			for i := 0; i < b.N; i++ {
				r = Match(bb.pattern, bb.s, bb.nocase)
			}
			sinkBool = r
		})
	}
}

func BenchmarkMatchBytes(b *testing.B) {
	p, s := []byte("user:*:profile"), []byte("user:1000:profile")
	b.ReportAllocs()
	var r bool
	for i := 0; i < b.N; i++ {
		r = MatchBytes(p, s, false)
	}
	sinkBool = r
}

func BenchmarkIsLiteral(b *testing.B) {
	b.ReportAllocs()
	var r bool
	for i := 0; i < b.N; i++ {
		r = IsLiteral("object:cache:users:profile:00000000042")
	}
	sinkBool = r
}
