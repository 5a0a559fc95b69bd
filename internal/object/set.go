package object

import (
	"cmp"
	"encoding/binary"
	"iter"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"unsafe"

	"github.com/kevydb/kevy/internal/dict"
)

// setStructAlloc is the allocation size of a Set header (its size class).
const setStructAlloc = 48

// Set is a Redis set. While every member is a canonical integer (see
// Redis's string2ll: optional '-', no leading zeros or '+', "-0" excluded,
// fits int64) and there are at most Limits.SetMaxIntsetEntries of them, it
// is an "intset": a sorted array of little-endian integers whose width (2, 4
// or 8 bytes) is the smallest that holds every member. Otherwise it is a
// "hashtable" (a dict.Dict keyed by member). Like Redis 7.0, a set never
// converts back to an intset, except that SPOP with a count close to the
// set size rebuilds it (see PopN).
//
// It is not safe for concurrent use. The zero value is an empty intset.
//
// Byte slices passed to callbacks (Members, Scan, SetIntersectEach) are
// valid only during the callback and must not be modified. Members returned
// as strings are owned by the caller (strings are immutable, so they may
// share storage with the set).
type Set struct {
	ints     []byte               // intset: packed members, ascending
	width    uint8                // intset member width in bytes; 0 means 2
	ht       *dict.Dict[struct{}] // hashtable encoding when non-nil
	keyBytes int                  // approximate heap bytes of hashtable members
}

// NewSet returns an empty set (intset encoded, as Redis creates sets whose
// first member is an integer and SINTERSTORE/SUNIONSTORE/SDIFFSTORE
// destinations).
func NewSet() *Set { return &Set{} }

// setStr views b as a string without copying; the result must not be
// retained beyond b's lifetime or b's next modification.
func setStr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// setBytes views s as a byte slice without copying; it must not be modified.
func setBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// setStrAlloc approximates the heap bytes of an n-byte string's data.
func setStrAlloc(n int) int {
	switch {
	case n == 0:
		return 0
	case n < 16:
		return (n + 7) &^ 7 // tiny allocator
	case n <= 256:
		return (n + 15) &^ 15
	default:
		g := 1 << (bits.Len(uint(n)) - 3)
		return (n + g - 1) &^ (g - 1)
	}
}

// setParseInt parses b as a canonical int64 with Redis string2ll rules.
func setParseInt[T string | []byte](b T) (int64, bool) {
	n := len(b)
	if n == 0 || n > 20 {
		return 0, false
	}
	i := 0
	neg := b[0] == '-'
	if neg {
		if n == 1 {
			return 0, false
		}
		i = 1
	}
	if b[i] == '0' {
		return 0, n == 1
	}
	var u uint64
	for ; i < n; i++ {
		c := uint64(b[i]) - '0'
		if c > 9 || u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + c
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return int64(-u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// ---- intset internals ----

// intsetWidthFor returns the smallest width holding v.
func intsetWidthFor(v int64) uint8 {
	switch {
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return 2
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return 4
	default:
		return 8
	}
}

// intsetLen returns the number of intset members.
func (s *Set) intsetLen() int {
	switch s.width {
	case 0, 2:
		return len(s.ints) >> 1
	case 4:
		return len(s.ints) >> 2
	default:
		return len(s.ints) >> 3
	}
}

// intsetGet returns intset member i.
func (s *Set) intsetGet(i int) int64 {
	switch s.width {
	case 0, 2:
		return int64(int16(binary.LittleEndian.Uint16(s.ints[i<<1:])))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(s.ints[i<<2:])))
	default:
		return int64(binary.LittleEndian.Uint64(s.ints[i<<3:]))
	}
}

// intsetPut stores v at position i with the current width.
func intsetPut(b []byte, w uint8, i int, v int64) {
	switch w {
	case 0, 2:
		binary.LittleEndian.PutUint16(b[i<<1:], uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(b[i<<2:], uint32(v))
	default:
		binary.LittleEndian.PutUint64(b[i<<3:], uint64(v))
	}
}

// intsetW returns the effective width.
func (s *Set) intsetW() int {
	if s.width == 0 {
		return 2
	}
	return int(s.width)
}

// intsetSearch returns the position of v (or where it would be inserted)
// and whether it is present.
func (s *Set) intsetSearch(v int64) (int, bool) {
	n := s.intsetLen()
	if n == 0 || intsetWidthFor(v) > uint8(s.intsetW()) {
		if v < 0 {
			return 0, false
		}
		return n, false
	}
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.intsetGet(m) < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < n && s.intsetGet(lo) == v
}

// intsetAdd inserts v and reports whether it was absent.
func (s *Set) intsetAdd(v int64) bool {
	if w := intsetWidthFor(v); w > uint8(s.intsetW()) {
		s.intsetUpgrade(w, v)
		return true
	}
	i, found := s.intsetSearch(v)
	if found {
		return false
	}
	w := s.intsetW()
	old := len(s.ints)
	s.ints = slices.Grow(s.ints, w)[:old+w]
	copy(s.ints[(i+1)*w:], s.ints[i*w:old])
	intsetPut(s.ints, s.width, i, v)
	return true
}

// intsetUpgrade re-encodes the intset with width w and adds v, which does not
// fit the current width and so is smaller or larger than every member.
func (s *Set) intsetUpgrade(w uint8, v int64) {
	n := s.intsetLen()
	nb := make([]byte, (n+1)*int(w), (n+1+n/4+1)*int(w))
	shift := 0
	if v < 0 {
		shift = 1
		intsetPut(nb, w, 0, v)
	} else {
		intsetPut(nb, w, n, v)
	}
	for i := range n {
		intsetPut(nb, w, i+shift, s.intsetGet(i))
	}
	s.ints, s.width = nb, w
}

// intsetRemoveAt deletes member i.
func (s *Set) intsetRemoveAt(i int) {
	w := s.intsetW()
	copy(s.ints[i*w:], s.ints[(i+1)*w:])
	s.ints = s.ints[:len(s.ints)-w]
}

// toHashtable converts the intset to a hashtable sized for extra more
// members.
func (s *Set) toHashtable(extra int) {
	n := s.intsetLen()
	d := dict.New[struct{}](n + extra)
	kb := 0
	for i := range n {
		k := strconv.FormatInt(s.intsetGet(i), 10)
		d.Set(k, struct{}{})
		kb += setStrAlloc(len(k))
	}
	*s = Set{ht: d, keyBytes: kb}
}

// ---- single-member operations ----

// Len returns the number of members (SCARD).
func (s *Set) Len() int {
	if s.ht != nil {
		return s.ht.Len()
	}
	return s.intsetLen()
}

// Encoding returns the OBJECT ENCODING name: "intset" or "hashtable".
func (s *Set) Encoding() string {
	if s.ht != nil {
		return "hashtable"
	}
	return "intset"
}

// Add adds a copy of member and reports whether it was absent (SADD).
func (s *Set) Add(lim *Limits, member []byte) bool {
	if s.ht == nil {
		if v, ok := setParseInt(member); ok {
			return s.addInt(lim, v)
		}
		s.toHashtable(1)
	}
	if s.ht.Has(setStr(member)) {
		return false
	}
	s.ht.Set(string(member), struct{}{})
	s.keyBytes += setStrAlloc(len(member))
	return true
}

// AddString adds member, retaining the string (no copy), and reports whether
// it was absent.
func (s *Set) AddString(lim *Limits, member string) bool {
	if s.ht == nil {
		if v, ok := setParseInt(member); ok {
			return s.addInt(lim, v)
		}
		s.toHashtable(1)
	}
	if !s.ht.Set(member, struct{}{}) {
		return false
	}
	s.keyBytes += setStrAlloc(len(member))
	return true
}

// addInt adds the integer member v.
func (s *Set) addInt(lim *Limits, v int64) bool {
	if s.ht != nil {
		var buf [20]byte
		b := strconv.AppendInt(buf[:0], v, 10)
		if s.ht.Has(setStr(b)) {
			return false
		}
		s.ht.Set(string(b), struct{}{})
		s.keyBytes += setStrAlloc(len(b))
		return true
	}
	if !s.intsetAdd(v) {
		return false
	}
	if s.intsetLen() > lim.resolve().SetMaxIntsetEntries {
		s.toHashtable(0)
	}
	return true
}

// Remove deletes member and reports whether it was present (SREM).
func (s *Set) Remove(member []byte) bool {
	return s.RemoveString(setStr(member))
}

// RemoveString deletes member and reports whether it was present.
func (s *Set) RemoveString(member string) bool {
	if s.ht == nil {
		v, ok := setParseInt(member)
		if !ok {
			return false
		}
		i, found := s.intsetSearch(v)
		if found {
			s.intsetRemoveAt(i)
		}
		return found
	}
	if _, ok := s.ht.Delete(member); !ok {
		return false
	}
	s.keyBytes -= setStrAlloc(len(member))
	return true
}

// Contains reports whether member is in the set (SISMEMBER).
func (s *Set) Contains(member []byte) bool {
	return s.ContainsString(setStr(member))
}

// ContainsString reports whether member is in the set.
func (s *Set) ContainsString(member string) bool {
	if s.ht == nil {
		v, ok := setParseInt(member)
		if !ok {
			return false
		}
		_, found := s.intsetSearch(v)
		return found
	}
	return s.ht.Has(member)
}

// containsInt reports whether the integer v is a member.
func (s *Set) containsInt(v int64) bool {
	if s.ht == nil {
		_, found := s.intsetSearch(v)
		return found
	}
	var buf [20]byte
	return s.ht.Has(setStr(strconv.AppendInt(buf[:0], v, 10)))
}

// ---- iteration ----

// Members returns an iterator over the members (SMEMBERS): ascending for an
// intset, table order for a hashtable. Each slice is valid only until the
// next iteration step and must not be modified; the set must not be mutated
// during the iteration.
func (s *Set) Members() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		if s.ht != nil {
			for k := range s.ht.All() {
				if !yield(setBytes(k)) {
					return
				}
			}
			return
		}
		var buf [20]byte
		for i, n := 0, s.intsetLen(); i < n; i++ {
			if !yield(strconv.AppendInt(buf[:0], s.intsetGet(i), 10)) {
				return
			}
		}
	}
}

// Scan performs one SSCAN step from cursor, calling fn for the members it
// visits, and returns the next cursor (0 when done). An intset is returned
// whole in one call with cursor 0, like Redis does for small encodings. The
// slice passed to fn is valid only during the call and must not be modified;
// fn must not mutate the set.
func (s *Set) Scan(cursor uint64, fn func(member []byte)) uint64 {
	if s.ht != nil {
		return s.ht.Scan(cursor, func(k string, _ struct{}) { fn(setBytes(k)) })
	}
	var buf [20]byte
	for i, n := 0, s.intsetLen(); i < n; i++ {
		fn(strconv.AppendInt(buf[:0], s.intsetGet(i), 10))
	}
	return 0
}

// setIntStrings formats vals as strings sharing one backing buffer.
func setIntStrings(vals []int64) []string {
	buf := make([]byte, 0, len(vals)*6)
	ends := make([]int32, len(vals))
	for i, v := range vals {
		buf = strconv.AppendInt(buf, v, 10)
		ends[i] = int32(len(buf))
	}
	res := make([]string, len(vals))
	start := int32(0)
	for i, e := range ends {
		if e > start {
			res[i] = unsafe.String(&buf[start], int(e-start))
		}
		start = e
	}
	return res
}

// strings returns all members as owned strings.
func (s *Set) strings() []string {
	if s.ht != nil {
		res := make([]string, 0, s.ht.Len())
		for k := range s.ht.All() {
			res = append(res, k)
		}
		return res
	}
	vals := make([]int64, s.intsetLen())
	for i := range vals {
		vals[i] = s.intsetGet(i)
	}
	return setIntStrings(vals)
}

// ---- random access ----

// RandomMember returns a uniformly chosen member, or false if the set is
// empty (SRANDMEMBER without count). r may be nil (global generator).
func (s *Set) RandomMember(r *rand.Rand) (string, bool) {
	if s.ht != nil {
		k, _, ok := s.ht.RandomKey(r)
		return k, ok
	}
	n := s.intsetLen()
	if n == 0 {
		return "", false
	}
	return strconv.FormatInt(s.intsetGet(setRandN(r, n)), 10), true
}

// setRandN returns a uniform int in [0, n) from r or the global generator.
func setRandN(r *rand.Rand, n int) int {
	if r == nil {
		return rand.IntN(n)
	}
	return r.IntN(n)
}

// Pop removes and returns a random member, or false if the set is empty
// (SPOP without count).
func (s *Set) Pop(r *rand.Rand) (string, bool) {
	if s.ht != nil {
		k, _, ok := s.ht.RandomKey(r)
		if ok {
			s.ht.Delete(k)
			s.keyBytes -= setStrAlloc(len(k))
		}
		return k, ok
	}
	n := s.intsetLen()
	if n == 0 {
		return "", false
	}
	i := setRandN(r, n)
	v := s.intsetGet(i)
	s.intsetRemoveAt(i)
	return strconv.FormatInt(v, 10), true
}

// RandomMembers implements SRANDMEMBER with a count: for count > 0 up to
// count distinct members (all of them if count >= Len), for count < 0
// exactly -count members chosen independently (with repetition). The order
// is random except when the whole set is returned.
func (s *Set) RandomMembers(count int, r *rand.Rand) []string {
	n := s.Len()
	if count == 0 || n == 0 {
		return nil
	}
	if count < 0 {
		k := -count
		if k < 0 { // math.MinInt
			k = math.MaxInt
		}
		if s.ht == nil {
			vals := make([]int64, 0, min(k, 1<<16))
			for range k {
				vals = append(vals, s.intsetGet(setRandN(r, n)))
			}
			return setIntStrings(vals)
		}
		res := make([]string, 0, min(k, 1<<16))
		for range k {
			m, _, _ := s.ht.RandomKey(r)
			res = append(res, m)
		}
		return res
	}
	if count >= n {
		return s.strings()
	}
	if s.ht == nil {
		vals := make([]int64, n)
		for i := range vals {
			vals[i] = s.intsetGet(i)
		}
		for i := range count {
			j := i + setRandN(r, n-i)
			vals[i], vals[j] = vals[j], vals[i]
		}
		return setIntStrings(vals[:count])
	}
	if count*3 > n {
		// Large share of the set: shuffle a snapshot of the keys.
		all := s.strings()
		for i := range count {
			j := i + setRandN(r, n-i)
			all[i], all[j] = all[j], all[i]
		}
		return all[:count:count]
	}
	// Small share: sample until count distinct members are found.
	res := make([]string, 0, count)
	seen := make(map[string]struct{}, count)
	for len(res) < count {
		m, _, _ := s.ht.RandomKey(r)
		if _, dup := seen[m]; dup {
			continue
		}
		seen[m] = struct{}{}
		res = append(res, m)
	}
	return res
}

// PopN implements SPOP with a count: it removes and returns min(count, Len)
// random members. Like Redis 7.0, when fewer than a sixth of the members
// would remain, it instead picks the survivors and rebuilds the set from
// them, which can turn a hashtable back into an intset (using lim).
func (s *Set) PopN(lim *Limits, count int, r *rand.Rand) []string {
	n := s.Len()
	if count <= 0 || n == 0 {
		return nil
	}
	if count >= n {
		res := s.strings()
		*s = Set{}
		return res
	}
	remaining := n - count
	if remaining*5 > count {
		if s.ht == nil {
			vals := make([]int64, count)
			for i := range vals {
				j := setRandN(r, s.intsetLen())
				vals[i] = s.intsetGet(j)
				s.intsetRemoveAt(j)
			}
			return setIntStrings(vals)
		}
		res := make([]string, count)
		for i := range res {
			res[i], _ = s.Pop(r)
		}
		return res
	}
	keep := NewSet()
	if s.ht == nil {
		for range remaining {
			j := setRandN(r, s.intsetLen())
			keep.addInt(lim, s.intsetGet(j))
			s.intsetRemoveAt(j)
		}
	} else {
		for range remaining {
			m, _ := s.Pop(r)
			keep.AddString(lim, m)
		}
	}
	res := s.strings()
	*s = *keep
	return res
}

// Clone returns a copy of s (member strings are shared, being immutable).
func (s *Set) Clone() *Set {
	if s.ht == nil {
		return &Set{ints: slices.Clone(s.ints), width: s.width}
	}
	d := dict.New[struct{}](s.ht.Len())
	for k := range s.ht.All() {
		d.Set(k, struct{}{})
	}
	return &Set{ht: d, keyBytes: s.keyBytes}
}

// MemUsage returns the approximate heap bytes held by the set: header plus
// intset array, or header plus hash table structure and member strings.
func (s *Set) MemUsage() int {
	if s.ht == nil {
		return setStructAlloc + cap(s.ints)
	}
	return setStructAlloc + s.ht.Overhead() + s.keyBytes
}

// ---- set algebra ----

// setMemberFn receives one member: integers from an intset as (v, "", true),
// hashtable members as (0, k, false).
type setMemberFn func(v int64, k string, isInt bool) bool

// each calls fn for every member until it returns false.
func (s *Set) each(fn setMemberFn) {
	if s.ht != nil {
		for k := range s.ht.All() {
			if !fn(0, k, false) {
				return
			}
		}
		return
	}
	for i, n := 0, s.intsetLen(); i < n; i++ {
		if !fn(s.intsetGet(i), "", true) {
			return
		}
	}
}

// setIntersectWalk calls fn for each member of the intersection of sets,
// iterating the smallest set and probing the others in increasing size.
func setIntersectWalk(sets []*Set, fn setMemberFn) {
	if len(sets) == 0 {
		return
	}
	for _, s := range sets {
		if s == nil || s.Len() == 0 {
			return
		}
	}
	ordered := slices.Clone(sets)
	slices.SortStableFunc(ordered, func(a, b *Set) int { return cmp.Compare(a.Len(), b.Len()) })
	first, rest := ordered[0], ordered[1:]
	first.each(func(v int64, k string, isInt bool) bool {
		for _, o := range rest {
			if o == first {
				continue
			}
			var in bool
			if isInt {
				in = o.containsInt(v)
			} else {
				in = o.ContainsString(k)
			}
			if !in {
				return true
			}
		}
		return fn(v, k, isInt)
	})
}

// SetIntersectEach calls fn for each member of the intersection of sets (nil
// entries are missing keys, i.e. empty sets) until fn returns false. The
// slice is valid only during the call and must not be modified; the sets
// must not be mutated meanwhile.
func SetIntersectEach(sets []*Set, fn func(member []byte) bool) {
	var buf [20]byte
	setIntersectWalk(sets, func(v int64, k string, isInt bool) bool {
		if isInt {
			return fn(strconv.AppendInt(buf[:0], v, 10))
		}
		return fn(setBytes(k))
	})
}

// SetIntersect returns the intersection of sets (SINTER/SINTERSTORE); nil
// entries are empty sets. The result is built like a new Redis set: intset
// while possible under lim.
func SetIntersect(lim *Limits, sets []*Set) *Set {
	res := NewSet()
	setIntersectWalk(sets, func(v int64, k string, isInt bool) bool {
		res.addMember(lim, v, k, isInt)
		return true
	})
	return res
}

// SetIntersectCard returns the size of the intersection of sets
// (SINTERCARD), stopping once it reaches limit when limit > 0.
func SetIntersectCard(sets []*Set, limit int) int {
	n := 0
	setIntersectWalk(sets, func(int64, string, bool) bool {
		n++
		return limit <= 0 || n < limit
	})
	return n
}

// addMember adds a member in setMemberFn form.
func (s *Set) addMember(lim *Limits, v int64, k string, isInt bool) bool {
	if isInt {
		return s.addInt(lim, v)
	}
	return s.AddString(lim, k)
}

// removeMember removes a member in setMemberFn form.
func (s *Set) removeMember(v int64, k string, isInt bool) {
	if !isInt {
		s.RemoveString(k)
		return
	}
	if s.ht == nil {
		if i, found := s.intsetSearch(v); found {
			s.intsetRemoveAt(i)
		}
		return
	}
	var buf [20]byte
	b := strconv.AppendInt(buf[:0], v, 10)
	if _, ok := s.ht.Delete(setStr(b)); ok {
		s.keyBytes -= setStrAlloc(len(b))
	}
}

// SetUnion returns the union of sets (SUNION/SUNIONSTORE); nil entries are
// empty sets.
func SetUnion(lim *Limits, sets []*Set) *Set {
	res := NewSet()
	for _, s := range sets {
		if s == nil {
			continue
		}
		s.each(func(v int64, k string, isInt bool) bool {
			res.addMember(lim, v, k, isInt)
			return true
		})
	}
	return res
}

// SetDiff returns the members of sets[0] that are in none of the other sets
// (SDIFF/SDIFFSTORE); nil entries are empty sets. Like Redis 7.0 it picks,
// by estimated cost, between probing the other sets for each member of the
// first, and copying the first then removing the others' members; the choice
// can affect the result's encoding exactly as in Redis.
func SetDiff(lim *Limits, sets []*Set) *Set {
	res := NewSet()
	if len(sets) == 0 || sets[0] == nil || sets[0].Len() == 0 {
		return res
	}
	first := sets[0]
	work1, work2 := 0, 0
	for _, s := range sets {
		if s == nil {
			continue
		}
		work1 += first.Len()
		work2 += s.Len()
	}
	work1 /= 2
	if work1 <= work2 {
		others := slices.Clone(sets[1:])
		slices.SortStableFunc(others, func(a, b *Set) int {
			return cmp.Compare(setLenOrZero(b), setLenOrZero(a))
		})
		first.each(func(v int64, k string, isInt bool) bool {
			for _, o := range others {
				if o == nil {
					continue
				}
				if o == first {
					return true
				}
				var in bool
				if isInt {
					in = o.containsInt(v)
				} else {
					in = o.ContainsString(k)
				}
				if in {
					return true
				}
			}
			res.addMember(lim, v, k, isInt)
			return true
		})
		return res
	}
	first.each(func(v int64, k string, isInt bool) bool {
		res.addMember(lim, v, k, isInt)
		return true
	})
	for _, o := range sets[1:] {
		if o == nil {
			continue
		}
		o.each(func(v int64, k string, isInt bool) bool {
			res.removeMember(v, k, isInt)
			return res.Len() > 0
		})
		if res.Len() == 0 {
			break
		}
	}
	return res
}

// setLenOrZero returns s.Len(), or 0 for nil.
func setLenOrZero(s *Set) int {
	if s == nil {
		return 0
	}
	return s.Len()
}
