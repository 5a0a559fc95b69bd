package object

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"testing"
)

func setTFrom(lim *Limits, members ...string) *Set {
	s := NewSet()
	for _, m := range members {
		s.Add(lim, []byte(m))
	}
	return s
}

// setTMembers returns the sorted members.
func setTMembers(s *Set) []string {
	out := []string{}
	for m := range s.Members() {
		out = append(out, string(m))
	}
	sort.Strings(out)
	return out
}

func setTSorted(m map[string]bool) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func setTLimits(intsetMax int) *Limits {
	lim := DefaultLimits()
	lim.SetMaxIntsetEntries = intsetMax
	return &lim
}

// setTCheck verifies s against the model and the intset invariants.
func setTCheck(t *testing.T, s *Set, m map[string]bool) {
	t.Helper()
	if s.Len() != len(m) {
		t.Fatalf("Len = %d, want %d", s.Len(), len(m))
	}
	if got, want := setTMembers(s), setTSorted(m); !slices.Equal(got, want) {
		t.Fatalf("members\n got %v\nwant %v", got, want)
	}
	if s.ht == nil {
		n := s.intsetLen()
		for i := 1; i < n; i++ {
			if s.intsetGet(i-1) >= s.intsetGet(i) {
				t.Fatalf("intset not strictly ascending at %d", i)
			}
		}
		minW := uint8(2)
		for i := range n {
			minW = max(minW, intsetWidthFor(s.intsetGet(i)))
		}
		if n > 0 && len(s.ints)%s.intsetW() != 0 {
			t.Fatalf("intset byte length %d not a multiple of width %d", len(s.ints), s.intsetW())
		}
		_ = minW // width may stay wider after removals, as in Redis
	}
}

func TestSetParseInt(t *testing.T) {
	tests := []struct {
		in   string
		v    int64
		isOK bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"123", 123, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false}, {"99999999999999999999", 0, false},
		{"-0", 0, false}, {"00", 0, false}, {"01", 0, false}, {"-01", 0, false},
		{"+1", 0, false}, {"", 0, false}, {"-", 0, false}, {" 1", 0, false},
		{"1 ", 0, false}, {"1a", 0, false}, {"1.0", 0, false}, {"0x10", 0, false},
		{"123456789012345678901", 0, false},
	}
	for _, tc := range tests {
		v, ok := setParseInt(tc.in)
		vb, okb := setParseInt([]byte(tc.in))
		if ok != tc.isOK || (ok && v != tc.v) || v != vb || ok != okb {
			t.Errorf("setParseInt(%q) = %d,%v want %d,%v", tc.in, v, ok, tc.v, tc.isOK)
		}
	}
}

func TestSetIntsetWidths(t *testing.T) {
	tests := []struct {
		name  string
		add   []int64
		width int
	}{
		{"int16", []int64{5, -3, 32767, -32768}, 2},
		{"int32 up", []int64{1, 2, 32768}, 4},
		{"int32 down", []int64{1, 2, -32769}, 4},
		{"int64 up", []int64{1, math.MaxInt32 + 1, 3}, 8},
		{"int64 down", []int64{7, -40000, math.MinInt64, math.MaxInt64}, 8},
	}
	for _, tc := range tests {
		s := NewSet()
		m := map[string]bool{}
		for _, v := range tc.add {
			k := strconv.FormatInt(v, 10)
			if got := s.Add(nil, []byte(k)); got != !m[k] {
				t.Fatalf("%s: Add(%s) = %v", tc.name, k, got)
			}
			m[k] = true
			if s.Add(nil, []byte(k)) {
				t.Fatalf("%s: duplicate Add(%s) = true", tc.name, k)
			}
		}
		if s.intsetW() != tc.width || s.Encoding() != "intset" {
			t.Fatalf("%s: width %d encoding %s", tc.name, s.intsetW(), s.Encoding())
		}
		setTCheck(t, s, m)
		for _, probe := range []int64{0, 4, math.MaxInt64 - 1, math.MinInt64 + 1, 1 << 40} {
			k := strconv.FormatInt(probe, 10)
			if s.Contains([]byte(k)) != m[k] {
				t.Fatalf("%s: Contains(%s)", tc.name, k)
			}
		}
		for _, v := range tc.add {
			k := strconv.FormatInt(v, 10)
			if !s.Remove([]byte(k)) || s.Remove([]byte(k)) {
				t.Fatalf("%s: Remove(%s)", tc.name, k)
			}
			delete(m, k)
			setTCheck(t, s, m)
		}
	}
}

func TestSetEncodingConversion(t *testing.T) {
	tests := []struct {
		name    string
		limit   int
		members []string
		want    string
	}{
		{"empty", 512, nil, "intset"},
		{"ints at limit", 4, []string{"1", "2", "3", "4"}, "intset"},
		{"ints over limit", 4, []string{"1", "2", "3", "4", "5"}, "hashtable"},
		{"duplicates do not count", 4, []string{"1", "2", "3", "4", "4", "1"}, "intset"},
		{"string member", 512, []string{"1", "a"}, "hashtable"},
		{"non-canonical int", 512, []string{"01"}, "hashtable"},
		{"minus zero", 512, []string{"-0"}, "hashtable"},
		{"plus sign", 512, []string{"+5"}, "hashtable"},
		{"int64 bounds", 512, []string{"9223372036854775807", "-9223372036854775808"}, "intset"},
		{"overflow", 512, []string{"9223372036854775808"}, "hashtable"},
		{"zero limit", 0, []string{"1"}, "hashtable"},
	}
	for _, tc := range tests {
		lim := setTLimits(tc.limit)
		s := setTFrom(lim, tc.members...)
		if s.Encoding() != tc.want {
			t.Errorf("%s: encoding %s want %s", tc.name, s.Encoding(), tc.want)
		}
		m := map[string]bool{}
		for _, k := range tc.members {
			m[k] = true
		}
		setTCheck(t, s, m)
	}
	// Default threshold: 512 integers stay an intset, the 513th converts.
	s := NewSet()
	for i := range 512 {
		s.Add(nil, []byte(strconv.Itoa(i*3-700)))
	}
	if s.Encoding() != "intset" || s.Len() != 512 {
		t.Fatalf("512 ints: %s %d", s.Encoding(), s.Len())
	}
	s.Add(nil, []byte("100000"))
	if s.Encoding() != "hashtable" || s.Len() != 513 || !s.Contains([]byte("-700")) || !s.Contains([]byte("100000")) {
		t.Fatalf("513 ints: %s %d", s.Encoding(), s.Len())
	}
	// Never converts back on removal.
	for i := range 500 {
		s.Remove([]byte(strconv.Itoa(i*3 - 700)))
	}
	if s.Encoding() != "hashtable" {
		t.Fatal("converted back after removals")
	}
}

func TestSetPopNRebuild(t *testing.T) {
	// Mirrors Redis 7.0: with set-max-intset-entries 4, SADD 1..10 gives a
	// hashtable; SPOP 9 keeps one member and rebuilds it as an intset, while
	// SPOP 2 pops one by one and keeps the hashtable.
	lim := setTLimits(4)
	r := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		members []string
		count   int
		want    string
		left    int
	}{
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, 9, "intset", 1},
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, 2, "hashtable", 8},
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, 10, "intset", 0},
		{[]string{"a", "b", "c", "d", "e", "f", "g"}, 6, "hashtable", 1},
		{[]string{"1", "2", "3"}, 2, "intset", 1},
		{[]string{"1", "2", "3"}, 0, "intset", 3},
	}
	for _, tc := range tests {
		s := setTFrom(lim, tc.members...)
		m := map[string]bool{}
		for _, k := range tc.members {
			m[k] = true
		}
		got := s.PopN(lim, tc.count, r)
		if len(got) != min(tc.count, len(tc.members)) || s.Len() != tc.left || s.Encoding() != tc.want {
			t.Fatalf("PopN(%d) of %v: %d popped, %d left, %s", tc.count, tc.members, len(got), s.Len(), s.Encoding())
		}
		for _, k := range got {
			if !m[k] {
				t.Fatalf("popped %q twice or never present", k)
			}
			delete(m, k)
		}
		setTCheck(t, s, m)
	}
}

func TestSetRandomMembers(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 5, 100, 600, 3000} {
		for _, strs := range []bool{false, true} {
			s := NewSet()
			m := map[string]bool{}
			for i := range n {
				k := strconv.Itoa(i * 7)
				if strs {
					k = "m" + k
				}
				s.Add(nil, []byte(k))
				m[k] = true
			}
			for _, count := range []int{1, 2, n / 4, n / 3, n/3 + 1, n / 2, n - 1, n, n + 5, -1, -n, -3 * n} {
				if count == 0 {
					continue
				}
				got := s.RandomMembers(count, r)
				want := count
				if count > n {
					want = n
				}
				if count < 0 {
					want = -count
				}
				if len(got) != want {
					t.Fatalf("n=%d count=%d: %d results", n, count, len(got))
				}
				seen := map[string]bool{}
				for _, k := range got {
					if !m[k] {
						t.Fatalf("n=%d count=%d: %q not a member", n, count, k)
					}
					if count > 0 && seen[k] {
						t.Fatalf("n=%d count=%d: duplicate %q", n, count, k)
					}
					seen[k] = true
				}
			}
			if s.RandomMembers(0, r) != nil {
				t.Fatal("count 0 returned members")
			}
			setTCheck(t, s, m)
		}
	}
	if NewSet().RandomMembers(5, r) != nil || NewSet().RandomMembers(-5, r) != nil {
		t.Fatal("empty set returned members")
	}
}

// TestSetRandomUniform checks that sampling is roughly uniform for both
// encodings.
func TestSetRandomUniform(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, prefix := range []string{"", "k"} {
		s := NewSet()
		const n = 50
		for i := range n {
			s.Add(nil, []byte(prefix+strconv.Itoa(i)))
		}
		hits := map[string]int{}
		const draws = 50000
		for range draws {
			m, ok := s.RandomMember(r)
			if !ok {
				t.Fatal("RandomMember on non-empty set failed")
			}
			hits[m]++
		}
		for i := range n {
			k := prefix + strconv.Itoa(i)
			if c := hits[k]; c < draws/n*7/10 || c > draws/n*13/10 {
				t.Fatalf("%s drawn %d times, expected about %d", k, c, draws/n)
			}
		}
	}
}

func TestSetRandomOps(t *testing.T) {
	for _, limit := range []int{512, 3, 0} {
		t.Run(strconv.Itoa(limit), func(t *testing.T) {
			lim := setTLimits(limit)
			r := rand.New(rand.NewPCG(uint64(limit), 9))
			s := NewSet()
			m := map[string]bool{}
			isHT := false
			for step := range 20000 {
				var k string
				switch x := r.IntN(10); {
				case x < 6:
					k = strconv.Itoa(r.IntN(200) - 100)
				case x < 7:
					k = strconv.FormatInt(int64(r.Uint64()), 10)
				case x < 8:
					k = []string{"-0", "01", "+1", "a", "", "1.5"}[r.IntN(6)]
				default:
					k = fmt.Sprintf("member:%d", r.IntN(100))
				}
				switch op := r.IntN(100); {
				case op < 45:
					if got := s.Add(lim, []byte(k)); got != !m[k] {
						t.Fatalf("step %d Add(%q) = %v", step, k, got)
					}
					m[k] = true
					if _, err := strconv.ParseInt(k, 10, 64); err != nil || strconv.FormatInt(setTMust(strconv.ParseInt(k, 10, 64)), 10) != k || len(m) > limit {
						isHT = true
					}
				case op < 70:
					if got := s.Remove([]byte(k)); got != m[k] {
						t.Fatalf("step %d Remove(%q) = %v", step, k, got)
					}
					delete(m, k)
				case op < 80:
					if got := s.Contains([]byte(k)); got != m[k] {
						t.Fatalf("step %d Contains(%q) = %v", step, k, got)
					}
				case op < 85:
					got, ok := s.Pop(r)
					if ok != (len(m) > 0) || (ok && !m[got]) {
						t.Fatalf("step %d Pop = %q,%v", step, got, ok)
					}
					delete(m, got)
				case op < 88:
					count := r.IntN(len(m) + 3)
					before := len(m)
					got := s.PopN(lim, count, r)
					if len(got) != min(count, before) {
						t.Fatalf("step %d PopN(%d) returned %d", step, count, len(got))
					}
					for _, g := range got {
						if !m[g] {
							t.Fatalf("step %d PopN returned %q", step, g)
						}
						delete(m, g)
					}
					if before > 0 && count >= before {
						isHT = false
					} else if count > 0 && count < before && (before-count)*5 <= count {
						isHT = len(m) > limit
						for g := range m {
							if _, ok := setParseInt(g); !ok {
								isHT = true
							}
						}
					}
				case op < 92:
					seen := map[string]bool{}
					cursor := uint64(0)
					for {
						cursor = s.Scan(cursor, func(b []byte) { seen[string(b)] = true })
						if cursor == 0 {
							break
						}
					}
					if got := setTSorted(seen); !slices.Equal(got, setTSorted(m)) {
						t.Fatalf("step %d Scan mismatch", step)
					}
				case op < 96:
					c := s.Clone()
					setTCheck(t, c, m)
					c.Add(lim, []byte("clone-only"))
					if s.Contains([]byte("clone-only")) {
						t.Fatal("clone shares storage")
					}
				default:
					if len(m) == 0 {
						isHT = false // Redis deletes empty keys; start over
						s = NewSet()
					}
				}
				if s.Len() != len(m) {
					t.Fatalf("step %d: Len %d, model %d", step, s.Len(), len(m))
				}
				if got := s.Encoding() == "hashtable"; got != isHT {
					t.Fatalf("step %d: encoding %s, model hashtable=%v (len %d)", step, s.Encoding(), isHT, len(m))
				}
				if step%100 == 0 {
					setTCheck(t, s, m)
				}
			}
			setTCheck(t, s, m)
		})
	}
}

func setTMust[T any](v T, _ error) T { return v }

func TestSetScanIntset(t *testing.T) {
	s := setTFrom(nil, "3", "1", "2")
	var got []string
	if c := s.Scan(12345, func(b []byte) { got = append(got, string(b)) }); c != 0 {
		t.Fatalf("intset Scan cursor %d", c)
	}
	if !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Fatalf("intset Scan = %v", got)
	}
}

func TestSetAlgebra(t *testing.T) {
	lim := setTLimits(4)
	ints := setTFrom(lim, "1", "2", "3")
	bigInts := setTFrom(lim, "1", "2", "3", "4", "5", "6")
	mixed := setTFrom(lim, "2", "3", "a", "b")
	strs := setTFrom(lim, "a", "b", "c")
	empty := NewSet()
	tests := []struct {
		name      string
		op        func([]*Set) *Set
		sets      []*Set
		want      []string
		encoding  string
		cardLimit int
	}{
		{"inter ints", func(s []*Set) *Set { return SetIntersect(lim, s) }, []*Set{ints, bigInts}, []string{"1", "2", "3"}, "intset", 0},
		{"inter mixed", func(s []*Set) *Set { return SetIntersect(lim, s) }, []*Set{bigInts, mixed}, []string{"2", "3"}, "intset", 0},
		{"inter strs", func(s []*Set) *Set { return SetIntersect(lim, s) }, []*Set{strs, mixed}, []string{"a", "b"}, "hashtable", 0},
		{"inter nil", func(s []*Set) *Set { return SetIntersect(lim, s) }, []*Set{ints, nil}, []string{}, "intset", 0},
		{"inter empty", func(s []*Set) *Set { return SetIntersect(lim, s) }, []*Set{empty, ints}, []string{}, "intset", 0},
		{"inter self", func(s []*Set) *Set { return SetIntersect(lim, s) }, []*Set{mixed, mixed}, []string{"2", "3", "a", "b"}, "hashtable", 0},
		{"inter one", func(s []*Set) *Set { return SetIntersect(lim, s) }, []*Set{bigInts}, []string{"1", "2", "3", "4", "5", "6"}, "hashtable", 0},
		{"inter none", func(s []*Set) *Set { return SetIntersect(lim, s) }, nil, []string{}, "intset", 0},
		{"union", func(s []*Set) *Set { return SetUnion(lim, s) }, []*Set{ints, nil, strs}, []string{"1", "2", "3", "a", "b", "c"}, "hashtable", 0},
		{"union ints", func(s []*Set) *Set { return SetUnion(lim, s) }, []*Set{ints, setTFrom(lim, "3", "4")}, []string{"1", "2", "3", "4"}, "intset", 0},
		{"union over limit", func(s []*Set) *Set { return SetUnion(lim, s) }, []*Set{ints, setTFrom(lim, "4", "5")}, []string{"1", "2", "3", "4", "5"}, "hashtable", 0},
		{"diff", func(s []*Set) *Set { return SetDiff(lim, s) }, []*Set{bigInts, ints, nil}, []string{"4", "5", "6"}, "intset", 0},
		{"diff mixed", func(s []*Set) *Set { return SetDiff(lim, s) }, []*Set{mixed, strs}, []string{"2", "3"}, "intset", 0},
		{"diff self", func(s []*Set) *Set { return SetDiff(lim, s) }, []*Set{mixed, mixed}, []string{}, "intset", 0},
		{"diff nil first", func(s []*Set) *Set { return SetDiff(lim, s) }, []*Set{nil, mixed}, []string{}, "intset", 0},
		{"diff only first", func(s []*Set) *Set { return SetDiff(lim, s) }, []*Set{strs}, []string{"a", "b", "c"}, "hashtable", 0},
		// Small other sets: algorithm 2 (copy then remove) keeps the hashtable
		// encoding the string members forced, as Redis 7.0 does.
		{"diff algo2", func(s []*Set) *Set { return SetDiff(lim, s) }, []*Set{setTFrom(lim, "1", "2", "3", "4", "a", "b"), setTFrom(lim, "a"), setTFrom(lim, "b")}, []string{"1", "2", "3", "4"}, "hashtable", 0},
		{"diff algo1", func(s []*Set) *Set { return SetDiff(lim, s) }, []*Set{setTFrom(lim, "1", "2", "3", "4", "a", "b"), setTFrom(lim, "a", "b")}, []string{"1", "2", "3", "4"}, "intset", 0},
	}
	for _, tc := range tests {
		before := make([][]string, len(tc.sets))
		for i, s := range tc.sets {
			if s != nil {
				before[i] = setTMembers(s)
			}
		}
		res := tc.op(tc.sets)
		if got := setTMembers(res); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v want %v", tc.name, got, tc.want)
		}
		if res.Encoding() != tc.encoding {
			t.Errorf("%s: encoding %s want %s", tc.name, res.Encoding(), tc.encoding)
		}
		for i, s := range tc.sets {
			if s != nil && !slices.Equal(setTMembers(s), before[i]) {
				t.Errorf("%s: input %d modified", tc.name, i)
			}
		}
	}
	cards := []struct {
		sets  []*Set
		limit int
		want  int
	}{
		{[]*Set{bigInts, mixed}, 0, 2},
		{[]*Set{bigInts, mixed}, 1, 1},
		{[]*Set{bigInts, ints}, 2, 2},
		{[]*Set{bigInts, ints}, 10, 3},
		{[]*Set{bigInts, nil}, 0, 0},
		{[]*Set{strs, mixed, bigInts}, 0, 0},
	}
	for _, tc := range cards {
		if got := SetIntersectCard(tc.sets, tc.limit); got != tc.want {
			t.Errorf("SetIntersectCard limit %d = %d want %d", tc.limit, got, tc.want)
		}
	}
	var got []string
	SetIntersectEach([]*Set{mixed, bigInts, ints}, func(b []byte) bool {
		got = append(got, string(b))
		return len(got) < 1
	})
	if len(got) != 1 || (got[0] != "2" && got[0] != "3") {
		t.Errorf("SetIntersectEach early stop: %v", got)
	}
}

// TestSetAlgebraRandom compares the algebra helpers with map-based results.
func TestSetAlgebraRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	lim := setTLimits(20)
	for round := range 300 {
		k := 1 + r.IntN(4)
		sets := make([]*Set, k)
		models := make([]map[string]bool, k)
		for i := range sets {
			models[i] = map[string]bool{}
			if r.IntN(8) == 0 {
				continue // nil: missing key
			}
			sets[i] = NewSet()
			n := r.IntN(40)
			for range n {
				key := strconv.Itoa(r.IntN(60))
				if r.IntN(5) == 0 {
					key = "s" + key
				}
				sets[i].Add(lim, []byte(key))
				models[i][key] = true
			}
		}
		if k > 1 && r.IntN(5) == 0 {
			sets[k-1], models[k-1] = sets[0], models[0]
		}
		inter, union, diff := map[string]bool{}, map[string]bool{}, map[string]bool{}
		for key := range models[0] {
			in, out := true, true
			for _, m := range models[1:] {
				in = in && m[key]
				out = out && !m[key]
			}
			if in {
				inter[key] = true
			}
			if out {
				diff[key] = true
			}
		}
		for _, m := range models {
			for key := range m {
				union[key] = true
			}
		}
		if slices.Contains(sets, nil) {
			inter = map[string]bool{}
		}
		if got, want := setTMembers(SetIntersect(lim, sets)), setTSorted(inter); !slices.Equal(got, want) {
			t.Fatalf("round %d intersect %v want %v", round, got, want)
		}
		if got := SetIntersectCard(sets, 0); got != len(inter) {
			t.Fatalf("round %d card %d want %d", round, got, len(inter))
		}
		if got, want := setTMembers(SetUnion(lim, sets)), setTSorted(union); !slices.Equal(got, want) {
			t.Fatalf("round %d union %v want %v", round, got, want)
		}
		if got, want := setTMembers(SetDiff(lim, sets)), setTSorted(diff); !slices.Equal(got, want) {
			t.Fatalf("round %d diff %v want %v", round, got, want)
		}
	}
}

// TestSetAgainstRedis cross-checks encodings and algebra with redis-server.
func TestSetAgainstRedis(t *testing.T) {
	rc := listTDialRedis(t)
	r := rand.New(rand.NewPCG(21, 22))
	const limit = 8
	rc.do(t, "CONFIG", "SET", "set-max-intset-entries", strconv.Itoa(limit))
	defer rc.do(t, "CONFIG", "SET", "set-max-intset-entries", "512")
	lim := setTLimits(limit)
	keys := []string{"kevy:s:0", "kevy:s:1", "kevy:s:2"}
	for round := range 400 {
		sets := make([]*Set, len(keys))
		for i, key := range keys {
			rc.do(t, "DEL", key)
			n := r.IntN(14)
			if n == 0 {
				continue
			}
			sets[i] = NewSet()
			for range n {
				m := strconv.Itoa(r.IntN(16) - 4)
				if r.IntN(12) == 0 {
					m = []string{"x", "y", "-0", "07"}[r.IntN(4)]
				}
				rc.do(t, "SADD", key, m)
				sets[i].Add(lim, []byte(m))
			}
			if enc := rc.do(t, "OBJECT", "ENCODING", key); enc != sets[i].Encoding() {
				t.Fatalf("round %d SADD encoding: redis %v kevy %s", round, enc, sets[i].Encoding())
			}
		}
		dst := "kevy:s:dst"
		check := func(name string, res *Set, args ...string) {
			t.Helper()
			card := rc.do(t, append([]string{name, dst}, args...)...)
			want := listTStrings(rc.do(t, "SMEMBERS", dst))
			sort.Strings(want)
			if got := setTMembers(res); !slices.Equal(got, want) || card != int64(len(want)) {
				t.Fatalf("round %d %s: redis %v kevy %v", round, name, want, got)
			}
			if len(want) > 0 {
				if enc := rc.do(t, "OBJECT", "ENCODING", dst); enc != res.Encoding() {
					t.Fatalf("round %d %s encoding: redis %v kevy %s (%v)", round, name, enc, res.Encoding(), want)
				}
			}
		}
		perm := r.Perm(3)[:1+r.IntN(3)]
		args := make([]string, len(perm))
		in := make([]*Set, len(perm))
		for i, p := range perm {
			args[i], in[i] = keys[p], sets[p]
		}
		check("SINTERSTORE", SetIntersect(lim, in), args...)
		check("SUNIONSTORE", SetUnion(lim, in), args...)
		check("SDIFFSTORE", SetDiff(lim, in), args...)
		// SPOP with count: contents are random, compare size and encoding.
		if s := sets[0]; s != nil {
			count := r.IntN(s.Len() + 2)
			// Which members survive is random, so the resulting encoding is
			// only comparable when members are all integers or all strings.
			nInts := 0
			for m := range s.Members() {
				if _, ok := setParseInt(m); ok {
					nInts++
				}
			}
			comparable := nInts == 0 || nInts == s.Len()
			popped := listTStrings(rc.do(t, "SPOP", keys[0], strconv.Itoa(count)))
			got := s.PopN(lim, count, r)
			if len(got) != len(popped) || rc.do(t, "SCARD", keys[0]) != int64(s.Len()) {
				t.Fatalf("round %d SPOP %d: redis %d kevy %d", round, count, len(popped), len(got))
			}
			if s.Len() > 0 && comparable {
				if enc := rc.do(t, "OBJECT", "ENCODING", keys[0]); enc != s.Encoding() {
					t.Fatalf("round %d SPOP %d encoding: redis %v kevy %s", round, count, enc, s.Encoding())
				}
			}
		}
	}
	for _, key := range append(keys, "kevy:s:dst") {
		rc.do(t, "DEL", key)
	}
}

func setTHeapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestSetMemoryPerElement builds a 1M-member set of 16-byte members and
// checks measured heap growth and MemUsage per member.
func TestSetMemoryPerElement(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement")
	}
	const n = 1 << 20
	before := setTHeapInUse()
	s := NewSet()
	b := []byte("member:000000000")
	for i := range n {
		copy(b[7:], fmt.Sprintf("%09d", i))
		s.Add(nil, b)
	}
	heap := float64(setTHeapInUse()-before) / n
	usage := float64(s.MemUsage()) / n
	runtime.KeepAlive(s)
	t.Logf("hashtable: heap %.2f B/member, MemUsage %.2f B/member", heap, usage)
	if heap > 64 || usage < heap*0.9 || usage > heap*1.1 {
		t.Fatalf("heap %.2f, MemUsage %.2f B/member", heap, usage)
	}
	is := NewSet()
	for i := range 512 {
		is.Add(nil, []byte(strconv.Itoa(i)))
	}
	if mu := is.MemUsage(); mu > setStructAlloc+2*512*2 {
		t.Fatalf("512-member int16 intset MemUsage %d", mu)
	}
}

// ---- benchmarks ----

func BenchmarkSetAddHashtable(b *testing.B) {
	b.ReportAllocs()
	s := NewSet()
	keys := make([][]byte, 1<<16)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "member:%09d", i)
	}
	i := 0
	for b.Loop() {
		s.Add(nil, keys[i&(len(keys)-1)])
		i++
	}
}

func BenchmarkSetAddIntset(b *testing.B) {
	b.ReportAllocs()
	keys := make([][]byte, 512)
	for i := range keys {
		keys[i] = strconv.AppendInt(nil, int64(i*7919%100000), 10)
	}
	s := NewSet()
	i := 0
	for b.Loop() {
		if i&511 == 0 {
			s = NewSet()
		}
		s.Add(nil, keys[i&511])
		i++
	}
}

func BenchmarkSetContains(b *testing.B) {
	for _, enc := range []string{"intset", "hashtable"} {
		b.Run(enc, func(b *testing.B) {
			b.ReportAllocs()
			s := NewSet()
			keys := make([][]byte, 512)
			for i := range keys {
				keys[i] = strconv.AppendInt(nil, int64(i*7919), 10)
				if enc == "hashtable" {
					keys[i] = append([]byte("k"), keys[i]...)
				}
				s.Add(nil, keys[i])
			}
			i := 0
			for b.Loop() {
				s.Contains(keys[i&511])
				i++
			}
		})
	}
}

func BenchmarkSetPopAdd(b *testing.B) {
	b.ReportAllocs()
	s := NewSet()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 10000 {
		s.Add(nil, fmt.Appendf(nil, "member:%09d", i))
	}
	for b.Loop() {
		m, _ := s.Pop(r)
		s.AddString(nil, m)
	}
}

func BenchmarkSetRandomMembers10(b *testing.B) {
	b.ReportAllocs()
	s := NewSet()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 100000 {
		s.Add(nil, fmt.Appendf(nil, "member:%09d", i))
	}
	for b.Loop() {
		s.RandomMembers(10, r)
	}
}

func BenchmarkSetIntersectCard(b *testing.B) {
	b.ReportAllocs()
	a, c := NewSet(), NewSet()
	for i := range 100000 {
		a.Add(nil, fmt.Appendf(nil, "member:%09d", i))
		c.Add(nil, fmt.Appendf(nil, "member:%09d", i*2))
	}
	sets := []*Set{a, c}
	for b.Loop() {
		SetIntersectCard(sets, 1000)
	}
}

// BenchmarkSetMemory1M reports heap bytes per member of a 1M-member set of
// 16-byte members.
func BenchmarkSetMemory1M(b *testing.B) {
	b.ReportAllocs()
	const n = 1 << 20
	keys := make([]byte, 16*n)
	for i := range n {
		copy(keys[16*i:], fmt.Sprintf("member:%09d", i))
	}
	var heap, usage float64
	for b.Loop() {
		before := setTHeapInUse()
		s := NewSet()
		for i := range n {
			s.Add(nil, keys[16*i:16*i+16])
		}
		heap = float64(setTHeapInUse()-before) / n
		usage = float64(s.MemUsage()) / n
		runtime.KeepAlive(s)
	}
	b.ReportMetric(heap, "heapB/elem")
	b.ReportMetric(usage, "usageB/elem")
}
