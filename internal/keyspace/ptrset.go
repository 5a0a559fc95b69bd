package keyspace

import (
	"iter"
	"math/bits"
	"unsafe"
)

// ptrSet is the set of entries that carry a deadline: the index the
// active expiry cycle, volatile-* eviction and INFO's avg_ttl sample
// from. It replaces a map[*Entry]struct{}, whose swiss-table slots cost
// 24–38 bytes per key, with open addressing over bare pointers: 8 bytes a
// slot at a load between 3/8 and 3/4, about 14 bytes per key with a TTL.
//
// Entries are hashed by address: Go's collector does not move heap
// objects, so an entry's address is stable for its lifetime. Collisions
// are resolved by linear probing, and removal shifts the following run
// back (no tombstones), so the table never degrades under churn.
type ptrSet struct {
	slots []*Entry
	n     int
	shift uint8 // 64 - log2(len(slots))
}

// minPtrSlots is the smallest non-empty table; small enough that a
// database with a handful of volatile keys stays cheap.
const minPtrSlots = 8

func (p *ptrSet) len() int { return p.n }

func (p *ptrSet) home(e *Entry) uint64 {
	// Fibonacci hashing of the address; the low bits of an address are
	// always zero (alignment), the multiply spreads the high ones.
	return uint64(uintptr(unsafe.Pointer(e))) * 0x9E3779B97F4A7C15 >> p.shift
}

func (p *ptrSet) add(e *Entry) {
	if (p.n+1)*4 > len(p.slots)*3 {
		p.resize(max(minPtrSlots, len(p.slots)*2))
	}
	mask := uint64(len(p.slots) - 1)
	for i := p.home(e); ; i = (i + 1) & mask {
		switch p.slots[i] {
		case nil:
			p.slots[i] = e
			p.n++
			return
		case e:
			return
		}
	}
}

func (p *ptrSet) remove(e *Entry) {
	if p.n == 0 {
		return
	}
	mask := uint64(len(p.slots) - 1)
	i := p.home(e)
	for p.slots[i] != e {
		if p.slots[i] == nil {
			return
		}
		i = (i + 1) & mask
	}
	// Backward-shift deletion: move later members of the probe run into
	// the hole when their home position allows it.
	for j := (i + 1) & mask; p.slots[j] != nil; j = (j + 1) & mask {
		h := p.home(p.slots[j])
		if (j-h)&mask >= (j-i)&mask {
			p.slots[i] = p.slots[j]
			i = j
		}
	}
	p.slots[i] = nil
	p.n--
	if len(p.slots) > minPtrSlots && p.n*8 < len(p.slots) {
		p.resize(len(p.slots) / 2)
	}
}

func (p *ptrSet) resize(size int) {
	old := p.slots
	p.slots = make([]*Entry, size)
	p.shift = uint8(64 - bits.TrailingZeros(uint(size)))
	mask := uint64(size - 1)
	for _, e := range old {
		if e == nil {
			continue
		}
		i := p.home(e)
		for p.slots[i] != nil {
			i = (i + 1) & mask
		}
		p.slots[i] = e
	}
}

// from yields every member once, starting at a slot chosen by r, so that
// callers that stop early get a pseudo-random sample (as ranging over a Go
// map did). The set must not change during the iteration.
func (p *ptrSet) from(r uint64) iter.Seq[*Entry] {
	return func(yield func(*Entry) bool) {
		size := len(p.slots)
		if p.n == 0 {
			return
		}
		start := int(r & uint64(size-1))
		for k := 0; k < size; k++ {
			if e := p.slots[(start+k)&(size-1)]; e != nil && !yield(e) {
				return
			}
		}
	}
}

// bytes returns the memory the table takes.
func (p *ptrSet) bytes() int64 { return int64(len(p.slots)) * 8 }
