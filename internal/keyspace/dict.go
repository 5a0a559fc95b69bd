package keyspace

import (
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
)

// dict is the keyspace hash table: chained buckets of *Entry (the chain
// pointer lives in the Entry, so a key costs one bucket slot plus its
// entry), power-of-two sizes, and incremental rehashing between two tables
// as in Redis. It exists, instead of a Go map, for three things a map
// cannot give:
//
//   - a SCAN cursor (reverse-binary increment of the bucket index) that
//     returns every key present for the whole scan at least once, even when
//     the table grows or shrinks between calls;
//   - cheap uniform-ish random sampling for RANDOMKEY and eviction;
//   - bounded per-operation work: a resize moves a few buckets per
//     operation instead of stopping the shard.
type dict struct {
	t         [2]bucketTable
	rehashIdx int // next bucket of t[0] to move; -1 when not rehashing
	// owner, when set, is accounted for the bucket arrays (memory.go).
	owner *table
}

type bucketTable struct {
	b    []*Entry
	used int
}

func (t *bucketTable) mask() uint64 { return uint64(len(t.b) - 1) }

var seed = maphash.MakeSeed()

func hashKey(key string) uint64 { return maphash.String(seed, key) }

// minBuckets is the smallest table. Four keeps empty databases cheap.
const minBuckets = 4

// rehashSteps is how many buckets each write moves while rehashing: enough
// that a doubling finishes long before the next one is due, small enough
// that no single operation does noticeable work.
const rehashSteps = 4

func newDict() *dict {
	return &dict{rehashIdx: -1, t: [2]bucketTable{{b: make([]*Entry, minBuckets)}}}
}

func (d *dict) len() int { return d.t[0].used + d.t[1].used }

func (d *dict) rehashing() bool { return d.rehashIdx >= 0 }

// find returns the entry for key, or nil.
func (d *dict) find(key string, h uint64) *Entry {
	if d.rehashIdx >= 0 {
		d.rehashStep(1)
	}
	for i := 0; i < 2; i++ {
		t := &d.t[i]
		for e := t.b[h&t.mask()]; e != nil; e = e.next {
			if int(e.klen) == len(key) && e.Key() == key {
				return e
			}
		}
		if d.rehashIdx < 0 {
			break
		}
	}
	return nil
}

// insert links e (whose key must be absent) into the table.
func (d *dict) insert(e *Entry, h uint64) {
	if d.rehashIdx >= 0 {
		d.rehashStep(rehashSteps)
	} else if d.t[0].used >= len(d.t[0].b) {
		d.resize(d.t[0].used + 1)
	}
	t := &d.t[0]
	if d.rehashIdx >= 0 {
		t = &d.t[1]
	}
	i := h & t.mask()
	e.next = t.b[i]
	t.b[i] = e
	t.used++
}

// remove unlinks and returns the entry for key, or nil.
func (d *dict) remove(key string, h uint64) *Entry {
	if d.rehashIdx >= 0 {
		d.rehashStep(rehashSteps)
	}
	for i := 0; i < 2; i++ {
		t := &d.t[i]
		p := &t.b[h&t.mask()]
		for e := *p; e != nil; e = e.next {
			if int(e.klen) == len(key) && e.Key() == key {
				*p = e.next
				e.next = nil
				t.used--
				d.maybeShrink()
				return e
			}
			p = &e.next
		}
		if d.rehashIdx < 0 {
			break
		}
	}
	return nil
}

// maxReserve bounds reserve's table: a sizing hint read from a file is
// not trusted beyond it (the table grows as usual past it).
const maxReserve = 1 << 24

// reserve sizes an empty dict for n entries at once, so that filling it
// rehashes nothing (a bulk load that knows its key count). A dict holding
// entries is left alone.
func (d *dict) reserve(n int) {
	n = min(n, maxReserve)
	if d.len() != 0 || d.rehashIdx >= 0 || n <= len(d.t[0].b) {
		return
	}
	size := 1 << bits.Len(uint(n-1))
	d.accountBuckets(size - len(d.t[0].b))
	d.t[0] = bucketTable{b: make([]*Entry, size)}
}

// maybeShrink starts a shrink when fewer than 10% of buckets are used,
// as Redis does (HASHTABLE_MIN_FILL).
func (d *dict) maybeShrink() {
	if d.rehashIdx < 0 && len(d.t[0].b) > minBuckets && d.t[0].used*10 < len(d.t[0].b) {
		d.resize(d.t[0].used)
	}
}

// resize starts rehashing into a table of the next power of two >= n.
func (d *dict) resize(n int) {
	size := minBuckets
	if n > minBuckets {
		size = 1 << bits.Len(uint(n-1))
	}
	if size == len(d.t[0].b) {
		return
	}
	d.t[1] = bucketTable{b: make([]*Entry, size)}
	d.accountBuckets(size)
	d.rehashIdx = 0
	if d.t[0].used == 0 {
		d.finishRehash()
	}
}

// rehashStep moves up to n non-empty buckets from t[0] to t[1], visiting
// at most 10*n empty ones.
func (d *dict) rehashStep(n int) {
	empty := n * 10
	t0, t1 := &d.t[0], &d.t[1]
	m1 := t1.mask()
	for ; n > 0 && t0.used > 0; n-- {
		for t0.b[d.rehashIdx] == nil {
			d.rehashIdx++
			if empty--; empty == 0 {
				return
			}
		}
		e := t0.b[d.rehashIdx]
		for e != nil {
			next := e.next
			j := hashKey(e.Key()) & m1
			e.next = t1.b[j]
			t1.b[j] = e
			t0.used--
			t1.used++
			e = next
		}
		t0.b[d.rehashIdx] = nil
		d.rehashIdx++
	}
	if t0.used == 0 {
		d.finishRehash()
	}
}

func (d *dict) finishRehash() {
	d.accountBuckets(-len(d.t[0].b))
	d.t[0] = d.t[1]
	d.t[1] = bucketTable{}
	d.rehashIdx = -1
}

// scan visits the buckets that cursor names and returns the next cursor
// (0 when the iteration is complete). fn must not modify the dict.
//
// The cursor is a bucket index whose bits are incremented from the most
// significant end (reverse binary). Because a table of size 2^k splits
// bucket i into i and i+2^k when doubled, and merges them when halved,
// the buckets not yet visited in one size are exactly the ones not yet
// visited in the other, so no key present for the whole scan is missed;
// a key may be returned twice after a shrink, as Redis allows.
func (d *dict) scan(cursor uint64, fn func(*Entry)) uint64 {
	if d.len() == 0 {
		return 0
	}
	v := cursor
	if d.rehashIdx < 0 {
		t := &d.t[0]
		m := t.mask()
		for e := t.b[v&m]; e != nil; e = e.next {
			fn(e)
		}
		return nextCursor(v, m)
	}
	small, large := &d.t[0], &d.t[1]
	if len(small.b) > len(large.b) {
		small, large = large, small
	}
	m0, m1 := small.mask(), large.mask()
	for e := small.b[v&m0]; e != nil; e = e.next {
		fn(e)
	}
	for {
		for e := large.b[v&m1]; e != nil; e = e.next {
			fn(e)
		}
		v = nextCursor(v, m1)
		if v&(m0^m1) == 0 {
			break
		}
	}
	return v
}

// nextCursor increments the bits of v covered by mask in reverse order.
func nextCursor(v, mask uint64) uint64 {
	v |= ^mask
	v = bits.Reverse64(v)
	v++
	return bits.Reverse64(v)
}

// random returns a pseudo-random entry, or nil if the dict is empty. It
// picks a random non-empty bucket, then a random element of its chain, like
// Redis's dictGetRandomKey (chains are short, so the bias is small).
func (d *dict) random(r *rand.Rand) *Entry {
	if d.len() == 0 {
		return nil
	}
	if d.rehashIdx >= 0 {
		d.rehashStep(1)
	}
	var head *Entry
	for head == nil {
		if d.rehashIdx >= 0 {
			// Buckets below rehashIdx in t[0] are empty.
			n0, n1 := len(d.t[0].b), len(d.t[1].b)
			i := d.rehashIdx + r.IntN(n0+n1-d.rehashIdx)
			if i >= n0 {
				head = d.t[1].b[i-n0]
			} else {
				head = d.t[0].b[i]
			}
		} else {
			head = d.t[0].b[r.IntN(len(d.t[0].b))]
		}
	}
	n := 0
	for e := head; e != nil; e = e.next {
		n++
	}
	k := r.IntN(n)
	e := head
	for ; k > 0; k-- {
		e = e.next
	}
	return e
}

// each calls fn for every entry; fn must not modify the dict. It stops
// early when fn returns false.
func (d *dict) each(fn func(*Entry) bool) {
	for i := 0; i < 2; i++ {
		for _, e := range d.t[i].b {
			for ; e != nil; e = e.next {
				if !fn(e) {
					return
				}
			}
		}
	}
}

// buckets returns the number of bucket slots allocated, for memory
// accounting.
func (d *dict) buckets() int { return len(d.t[0].b) + len(d.t[1].b) }
