package dict

import (
	"hash/maphash"
	"iter"
	"math/bits"
	"math/rand/v2"
	"unsafe"
)

const (
	// minBuckets is the smallest bucket array ever allocated.
	minBuckets = 4
	// maxHintBuckets caps the preallocation requested through New, so that an
	// absurd hint (for instance derived from untrusted input) cannot allocate
	// an enormous array up front; growth beyond it happens normally.
	maxHintBuckets = 1 << 22
	// rehashBucketsPerOp is how many non-empty buckets each Set/Delete
	// migrates while a resize is in progress.
	rehashBucketsPerOp = 2
	// emptyVisitsPerBucket bounds the empty buckets skipped per migrated
	// bucket, so that one step has bounded cost in sparse tables.
	emptyVisitsPerBucket = 10
	// minFillPercent is the fill ratio below which the table shrinks.
	minFillPercent = 10
)

// seed is the per-process hash seed shared by all dicts.
var seed = maphash.MakeSeed()

func hashKey(key string) uint64 { return maphash.String(seed, key) }

// entry is one element of a bucket chain.
type entry[V any] struct {
	// val comes first: a zero-size V (sets use struct{}) in the last
	// position would be padded to a whole word.
	val  V
	next *entry[V]
	key  string
}

// Dict is a string-keyed hash table with incremental rehashing, a resumable
// Redis-style Scan cursor and approximately uniform random sampling. Create
// one with New; the zero value is not usable. See the package documentation
// for the resizing, scan and concurrency rules.
type Dict[V any] struct {
	// t0 is the main table; while a resize is in progress (t1 != nil) it is
	// the old table, whose buckets below idx have already been migrated.
	t0 []*entry[V]
	// t1 is the table being migrated to, nil when no resize is in progress.
	t1     []*entry[V]
	n0, n1 int // elements in t0 and t1
	idx    int // next t0 bucket to migrate while t1 != nil
}

// New returns an empty Dict sized for about hint elements. A hint <= 0
// defers allocating the bucket array until the first insertion.
func New[V any](hint int) *Dict[V] {
	d := &Dict[V]{}
	if hint > 0 {
		d.t0 = make([]*entry[V], bucketsFor(min(hint, maxHintBuckets)))
	}
	return d
}

// bucketsFor returns the smallest power of two >= n, and at least minBuckets.
func bucketsFor(n int) int {
	if n <= minBuckets {
		return minBuckets
	}
	return 1 << bits.Len(uint(n-1))
}

// Len returns the number of elements.
func (d *Dict[V]) Len() int { return d.n0 + d.n1 }

// lookup returns the entry for key (whose hash is h), or nil.
func (d *Dict[V]) lookup(h uint64, key string) *entry[V] {
	if d.n0+d.n1 == 0 {
		return nil
	}
	t0 := d.t0
	if i := h & uint64(len(t0)-1); d.t1 == nil || i >= uint64(d.idx) {
		for e := t0[i]; e != nil; e = e.next {
			if e.key == key {
				return e
			}
		}
	}
	if t1 := d.t1; t1 != nil {
		for e := t1[h&uint64(len(t1)-1)]; e != nil; e = e.next {
			if e.key == key {
				return e
			}
		}
	}
	return nil
}

// Get returns the value stored under key and whether it was present.
func (d *Dict[V]) Get(key string) (V, bool) {
	if d.n0+d.n1 != 0 {
		if e := d.lookup(hashKey(key), key); e != nil {
			return e.val, true
		}
	}
	var zero V
	return zero, false
}

// Has reports whether key is present.
func (d *Dict[V]) Has(key string) bool {
	return d.n0+d.n1 != 0 && d.lookup(hashKey(key), key) != nil
}

// GetPtr returns a pointer to the value stored under key, or nil if the key is
// absent. The pointer may be used to update the value in place and is valid
// until the next mutation of the dict (in practice, until the entry is
// deleted or the dict cleared).
func (d *Dict[V]) GetPtr(key string) *V {
	if d.n0+d.n1 != 0 {
		if e := d.lookup(hashKey(key), key); e != nil {
			return &e.val
		}
	}
	return nil
}

// Set stores v under key, inserting or overwriting, and reports whether the
// key was newly added. On insertion the dict retains key as given, so the
// caller must pass a string it owns. Overwriting keeps the originally stored
// key string and does not allocate.
func (d *Dict[V]) Set(key string, v V) (added bool) {
	if d.t1 != nil {
		d.rehash(rehashBucketsPerOp)
	}
	h := hashKey(key)
	if e := d.lookup(h, key); e != nil {
		e.val = v
		return false
	}
	d.growIfNeeded()
	e := &entry[V]{key: key, val: v}
	if t1 := d.t1; t1 != nil {
		i := h & uint64(len(t1)-1)
		e.next = t1[i]
		t1[i] = e
		d.n1++
	} else {
		t0 := d.t0
		i := h & uint64(len(t0)-1)
		e.next = t0[i]
		t0[i] = e
		d.n0++
	}
	return true
}

// Delete removes key and returns its value and whether it was present.
func (d *Dict[V]) Delete(key string) (old V, ok bool) {
	if d.n0+d.n1 == 0 {
		return old, false
	}
	if d.t1 != nil {
		d.rehash(rehashBucketsPerOp)
	}
	h := hashKey(key)
	t0 := d.t0
	if i := h & uint64(len(t0)-1); d.t1 == nil || i >= uint64(d.idx) {
		for pp := &t0[i]; *pp != nil; pp = &(*pp).next {
			if e := *pp; e.key == key {
				*pp = e.next
				d.n0--
				old, ok = e.val, true
				break
			}
		}
	}
	if !ok && d.t1 != nil {
		t1 := d.t1
		for pp := &t1[h&uint64(len(t1)-1)]; *pp != nil; pp = &(*pp).next {
			if e := *pp; e.key == key {
				*pp = e.next
				d.n1--
				old, ok = e.val, true
				break
			}
		}
	}
	if !ok {
		return old, false
	}
	if d.t1 != nil {
		if d.n0 == 0 {
			d.finishRehash()
		}
		return old, true
	}
	d.shrinkIfNeeded()
	return old, true
}

// Clear removes all elements and releases the bucket arrays.
func (d *Dict[V]) Clear() {
	*d = Dict[V]{}
}

// growIfNeeded allocates the first table or starts a resize when the load
// factor reaches 1. It does nothing while a resize is in progress.
func (d *Dict[V]) growIfNeeded() {
	if d.t1 != nil {
		return
	}
	if d.t0 == nil {
		d.t0 = make([]*entry[V], minBuckets)
		return
	}
	if d.n0 >= len(d.t0) {
		d.resize(bucketsFor(d.n0 + 1))
	}
}

// shrinkIfNeeded starts a shrinking resize when fewer than minFillPercent of
// the buckets would be used. Must not be called during a resize.
func (d *Dict[V]) shrinkIfNeeded() {
	if len(d.t0) > minBuckets && d.n0*100 < len(d.t0)*minFillPercent {
		d.resize(bucketsFor(d.n0))
	}
}

// Shrink starts resizing the table to the smallest size that fits the current
// elements (without exceeding load factor 1), if that is smaller than the
// current size and no resize is in progress. The migration proceeds
// incrementally with later mutations.
func (d *Dict[V]) Shrink() {
	if d.t1 == nil && d.t0 != nil && bucketsFor(d.n0) < len(d.t0) {
		d.resize(bucketsFor(d.n0))
	}
}

// resize starts an incremental migration to a table of size buckets (a power
// of two). Must not be called during a resize.
func (d *Dict[V]) resize(size int) {
	if size == len(d.t0) {
		return
	}
	if d.n0 == 0 {
		d.t0 = make([]*entry[V], size)
		return
	}
	d.t1 = make([]*entry[V], size)
	d.idx = 0
}

// rehash migrates up to n non-empty buckets from t0 to t1, visiting at most
// n*emptyVisitsPerBucket empty buckets, and finishes the resize when t0 is
// empty.
func (d *Dict[V]) rehash(n int) {
	t0, t1 := d.t0, d.t1
	m1 := uint64(len(t1) - 1)
	empty := n * emptyVisitsPerBucket
	for ; n > 0 && d.n0 > 0; n-- {
		// Invariant: t0 buckets below idx are empty, so with n0 > 0 a
		// non-empty bucket exists at or after idx and this stays in range.
		for t0[d.idx] == nil {
			d.idx++
			if empty--; empty == 0 {
				return
			}
		}
		e := t0[d.idx]
		t0[d.idx] = nil
		d.idx++
		for e != nil {
			next := e.next
			i := hashKey(e.key) & m1
			e.next = t1[i]
			t1[i] = e
			d.n0--
			d.n1++
			e = next
		}
	}
	if d.n0 == 0 {
		d.finishRehash()
	}
}

// finishRehash makes t1 the main table. t0 must be empty.
func (d *Dict[V]) finishRehash() {
	d.t0, d.n0 = d.t1, d.n1
	d.t1, d.n1, d.idx = nil, 0, 0
}

// rehashing reports whether an incremental resize is in progress.
func (d *Dict[V]) rehashing() bool { return d.t1 != nil }

// Scan calls fn for the elements of one step of a Redis-style SCAN starting
// at cursor and returns the cursor for the next call; 0 means the scan is
// complete (start a scan with cursor 0). Each call visits one bucket, or
// during a resize one bucket of the smaller table plus the buckets of the
// larger table that expand from it; so a call may call fn zero times while
// returning a non-zero cursor.
//
// Every element present in the dict from the first call to the last is passed
// to fn at least once, however the dict is mutated or resized between calls.
// Elements may be reported more than once when the table shrinks. Any cursor
// value is accepted. fn must not mutate the dict.
func (d *Dict[V]) Scan(cursor uint64, fn func(key string, v V)) (next uint64) {
	if d.n0+d.n1 == 0 {
		return 0
	}
	v := cursor
	if d.t1 == nil {
		m := uint64(len(d.t0) - 1)
		scanChain(d.t0[v&m], fn)
		return bits.Reverse64(bits.Reverse64(v|^m) + 1)
	}
	small, large := d.t0, d.t1
	if len(small) > len(large) {
		small, large = large, small
	}
	m0, m1 := uint64(len(small)-1), uint64(len(large)-1)
	// Buckets of t0 below idx are empty, so visiting them is harmless.
	scanChain(small[v&m0], fn)
	for {
		scanChain(large[v&m1], fn)
		// Increment the bits above the small mask (reverse order) while
		// keeping the low bits, until they wrap back to zero.
		v = bits.Reverse64(bits.Reverse64(v|^m1) + 1)
		if v&(m0^m1) == 0 {
			return v
		}
	}
}

func scanChain[V any](e *entry[V], fn func(key string, v V)) {
	for e != nil {
		next := e.next
		fn(e.key, e.val)
		e = next
	}
}

// randN returns a uniform number in [0, n) from r, or from the global
// generator when r is nil.
func randN(r *rand.Rand, n uint64) uint64 {
	if r == nil {
		return rand.Uint64N(n)
	}
	return r.Uint64N(n)
}

// RandomKey returns an approximately uniformly chosen element, or ok == false
// if the dict is empty. r supplies the randomness; nil uses the global
// math/rand/v2 generator.
func (d *Dict[V]) RandomKey(r *rand.Rand) (key string, v V, ok bool) {
	n := d.n0 + d.n1
	if n == 0 {
		return key, v, false
	}
	lo := 0
	if d.t1 != nil {
		lo = d.idx
	}
	s0 := len(d.t0) - lo // unmigrated slots of t0
	slots := s0 + len(d.t1)
	c := chainCap(d.n0, s0, d.n1, len(d.t1))
	tries := min(max(8*c*slots/n, 32), 1024)
	span := uint64(slots) * uint64(c)
	for range tries {
		u := randN(r, span)
		s, j := int(u/uint64(c)), int(u%uint64(c))
		var head *entry[V]
		if s < s0 {
			head = d.t0[lo+s]
		} else {
			head = d.t1[s-s0]
		}
		if head == nil {
			continue
		}
		l := 0
		for e := head; e != nil && l <= c; e = e.next {
			l++
		}
		if l > c {
			// Rare long chain: pick uniformly within it.
			l = 0
			for e := head; e != nil; e = e.next {
				l++
			}
			j = int(randN(r, uint64(l)))
		} else if j >= l {
			continue
		}
		e := head
		for ; j > 0; j-- {
			e = e.next
		}
		return e.key, e.val, true
	}
	// Very sparse table: exact pick by rank.
	k := int(randN(r, uint64(n)))
	for _, t := range [2][]*entry[V]{d.t0[lo:], d.t1} {
		for _, e := range t {
			for ; e != nil; e = e.next {
				if k == 0 {
					return e.key, e.val, true
				}
				k--
			}
		}
	}
	return key, v, false // unreachable while n is accurate
}

// chainCap returns the chain position cap for RandomKey given the element
// counts and slot counts of the two tables. Positions below the cap are
// sampled exactly uniformly; elements further down a chain are sampled with
// probability cap/len relative to the others. The cap follows the higher of
// the two load factors λ so that, chain lengths being about Poisson(λ), fewer
// than ~0.5% of the elements sit beyond it, while keeping the expected number
// of attempts (about cap/λ) small.
func chainCap(n0, s0, n1, s1 int) int {
	// Load factors in 1/64ths.
	load := 0
	if s0 > 0 {
		load = n0 * 64 / s0
	}
	if s1 > 0 {
		load = max(load, n1*64/s1)
	}
	switch {
	case load > 64: // λ > 1, only transiently during a resize
		return 8
	case load > 32: // λ in (0.5, 1]
		return 6
	case load > 16: // λ in (0.25, 0.5]
		return 4
	case load > 6: // λ in (~0.1, 0.25]
		return 3
	default:
		return 2
	}
}

// All returns an iterator over all elements in table order. The dict must not
// be mutated during the iteration.
func (d *Dict[V]) All() iter.Seq2[string, V] {
	return func(yield func(string, V) bool) {
		t0, t1 := d.t0, d.t1
		if t1 != nil {
			t0 = t0[d.idx:]
		}
		for _, t := range [2][]*entry[V]{t0, t1} {
			for _, e := range t {
				for e != nil {
					next := e.next
					if !yield(e.key, e.val) {
						return
					}
					e = next
				}
			}
		}
	}
}

// Overhead returns the bytes used by the table structure: the Dict header,
// the bucket arrays and one allocation per entry (next pointer, key string
// header and the inline V, rounded to the allocator's size class). It
// excludes the key bytes and anything V points to, which the caller accounts
// for separately.
func (d *Dict[V]) Overhead() int {
	return int(unsafe.Sizeof(*d)) +
		(len(d.t0)+len(d.t1))*int(unsafe.Sizeof((*entry[V])(nil))) +
		(d.n0+d.n1)*EntrySize[V]()
}

// EntrySize returns the bytes one element of a Dict[V] costs besides its key
// bytes and what V points to: the entry allocation rounded to the allocator's
// size class. It does not include the element's share of the bucket array.
func EntrySize[V any]() int {
	return allocSize(int(unsafe.Sizeof(entry[V]{})))
}

// sizeClasses are the Go allocator's small size classes up to 1024 bytes.
var sizeClasses = [...]int{
	8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224,
	240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768,
	896, 1024,
}

// allocSize approximates the bytes the Go allocator uses for an object of n
// bytes.
func allocSize(n int) int {
	for _, c := range sizeClasses {
		if n <= c {
			return c
		}
	}
	return (n + 127) &^ 127
}
