package keyspace

import (
	"math"
	"sync/atomic"
	"unsafe"
)

// Memory accounting.
//
// Every byte the keyspace holds on the Go heap for a key is attributed to
// the table (one logical database of one shard) that holds it, and the
// tables of a shard are summed in Shard.acct.mem. The figures are kept up
// to date as the data changes, never recomputed by walking keys:
//
//   - a key costs EntryBytes for its Entry, plus the capacity of its data
//     allocation (the key bytes followed by a string value), plus
//     TTLBytes while it has a deadline (its slot in the expires set);
//   - a value of the other types costs what its object's MemUsage reports
//     (O(1): the objects keep running totals). Such objects are changed in
//     place by the command handlers, so the shard cannot see each change;
//     instead, every non-string entry that a lookup returns is noted, and
//     the noted values are measured again, the difference accounted, by
//     Settle: the engine calls it after each command, LockSet.Unlock and
//     UnlockAll before releasing, and the expiry cycle, eviction and the
//     memory reports before reading the figures. A lookup of an entry
//     already noted measures it at once, so a value changed through an
//     API that settles nothing is accounted by its next lookup at the
//     latest;
//   - a table costs tableBytes for its structures and 8 bytes per bucket of
//     its hash table (both tables while rehashing).
//
// The keyspace-wide total used for the maxmemory check is an atomic
// counter that each shard feeds in batches (when its unflushed change
// exceeds flushThr bytes either way), so that writers do not all contend
// on one cache line; it lags the exact sum by less than flushThr bytes per
// shard. UsedMemory computes the exact sum.

const (
	// EntryBytes is the fixed cost of a key: its Entry (48 bytes, one Go
	// size class).
	EntryBytes = int64(unsafe.Sizeof(Entry{}))
	// TTLBytes is the amortised cost of a deadline: a slot of the expires
	// set (ptrSet), 8 bytes at a load between 3/8 and 3/4, so 10.7 to 21.3
	// bytes per key with a TTL.
	TTLBytes = 16
	// bucketBytes is the cost of one hash-table bucket (a *Entry).
	bucketBytes = int64(unsafe.Sizeof((*Entry)(nil)))
	// objUnitShift: a value object's accounted size is stored in the
	// Entry's vlen (unused by non-string types) in 16-byte units, which
	// covers objects up to 64 GB.
	objUnitShift = 4
	// mapHeaderBytes is the size class of an empty Go map's header.
	mapHeaderBytes = 48
)

// tableBytes is the fixed cost of a table: its struct, its dict's struct
// and the expires map header (buckets are accounted separately).
var tableBytes = sizeClass(unsafe.Sizeof(table{})) + sizeClass(unsafe.Sizeof(dict{})) + mapHeaderBytes

// sizeClass rounds a small allocation up to the Go allocator's size class
// (the classes up to 256 bytes, which is all this package needs).
func sizeClass(n uintptr) int64 {
	for _, c := range [...]int64{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256} {
		if int64(n) <= c {
			return c
		}
	}
	return int64(n+15) &^ 15
}

// accounting is the keyspace-wide memory state.
type accounting struct {
	used   atomic.Int64 // sum of the shards' flushed figures
	peak   atomic.Int64 // highest value used has reached
	maxmem atomic.Int64 // maxmemory; 0 = no limit
	// flushThr is the unflushed change a shard may hold back from used.
	flushThr int64
	// objectSize measures a value object; nil counts objects as 0 bytes.
	objectSize func(t Type, obj unsafe.Pointer) int

	// maxmemCfg is maxmemory as configured (CONFIG GET shows it; maxmem
	// is the limit enforced, capped to the int64 range).
	maxmemCfg atomic.Uint64

	// Eviction settings (evict.go), set by SetEviction before use and
	// changed at run time by the setters there, which run with every
	// shard lock held; policy is also read without a lock (Evict, Policy),
	// hence atomic.
	policy   atomic.Uint32 // a Policy
	mode     clockMode
	samples  int // as configured; sampling uses at most maxSamples
	lfuLog   int
	lfuDecay int
	tenacity int // maxmemory-eviction-tenacity, kept for CONFIG GET
	ev       evictor
}

// shardAcct is one shard's share of the accounting, guarded by its lock.
type shardAcct struct {
	mem     int64 // bytes attributed to this shard's tables
	pending int64 // change not yet added to accounting.used
	// noted are the non-string entries looked up since the lock was
	// taken, measured again by settle when it is released.
	noted []notedEntry
}

type notedEntry struct {
	t *table
	e *Entry
}

// defaultFlushThr is the batching threshold when no limit is set (the
// batched total then only feeds the peak figure).
const defaultFlushThr = 64 << 10

// SetObjectSizer installs the function that measures value objects of the
// non-string types (the command layer passes one calling each object's
// O(1) MemUsage). It must be called before the keyspace is used.
func (ks *Keyspace) SetObjectSizer(f func(t Type, obj unsafe.Pointer) int) {
	ks.acct.objectSize = f
}

func (ks *Keyspace) objSize(e *Entry) int64 {
	if f := ks.acct.objectSize; f != nil && e.obj != nil {
		return int64(f(e.Type(), e.obj))
	}
	return 0
}

// objUnits converts an object size to the 16-byte units kept in vlen.
func objUnits(n int64) uint32 {
	u := (n + 1<<objUnitShift - 1) >> objUnitShift
	if u > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(u)
}

// entryBytes is what e is accounted for: entry, data allocation, value
// object (as last measured) and deadline.
func entryBytes(e *Entry) int64 {
	n := EntryBytes + int64(e.dcap())
	if e.meta&metaTypeMask != uint32(TypeString) {
		n += int64(e.vlen) << objUnitShift
	}
	if e.expire != 0 {
		n += TTLBytes
	}
	return n
}

// account adds d bytes to table t of shard s (lock held).
func (s *Shard) account(t *table, d int64) {
	t.used += d
	s.acct.mem += d
	p := s.acct.pending + d
	if thr := s.ks.acct.flushThr; p > thr || p < -thr {
		s.ks.addUsed(p)
		p = 0
	}
	s.acct.pending = p
}

// flushPending publishes the shard's unflushed change at once (after an
// eviction, so the evictor sees its effect).
func (s *Shard) flushPending() {
	if p := s.acct.pending; p != 0 {
		s.acct.pending = 0
		s.ks.addUsed(p)
	}
}

func (ks *Keyspace) addUsed(d int64) {
	u := ks.acct.used.Add(d)
	if d > 0 {
		for {
			p := ks.acct.peak.Load()
			if u <= p || ks.acct.peak.CompareAndSwap(p, u) {
				return
			}
		}
	}
}

// note records a non-string entry returned by a lookup, to be measured
// again by Settle (its value may be changed in place).
func (s *Shard) note(t *table, e *Entry) {
	if len(s.acct.noted) >= maxNoted {
		s.settle() // bound the list: whatever changes later is caught on the next lookup
	}
	e.meta |= flagNoted
	s.acct.noted = append(s.acct.noted, notedEntry{t, e})
}

// lookedUp handles an aggregate entry returned by a lookup in table t:
// noted the first time, measured again (and kept noted) when it already
// was, which accounts what earlier callers changed.
func (s *Shard) lookedUp(t *table, e *Entry) {
	if e.meta&flagNoted == 0 {
		s.note(t, e)
		return
	}
	if u := objUnits(s.ks.objSize(e)); u != e.vlen {
		s.account(t, (int64(u)-int64(e.vlen))<<objUnitShift)
		e.vlen = u
	}
}

// Settle accounts the size changes of the aggregate values looked up
// since the last settle (lock held). It is cheap when there are none.
func (s *Shard) Settle() {
	if len(s.acct.noted) != 0 {
		s.settle()
	}
}

// unnote clears the noted mark of an entry that is on no list.
func unnote(e *Entry) {
	if e.meta&metaTypeMask != uint32(TypeString) { // strings use the bit as flagPrivate
		e.meta &^= flagNoted
	}
}

// unnote takes an entry leaving its table (or becoming a string) off the
// noted list, so that a later settle cannot charge its old table.
func (s *Shard) unnote(e *Entry) {
	if e.meta&metaTypeMask == uint32(TypeString) || e.meta&flagNoted == 0 {
		return
	}
	e.meta &^= flagNoted
	for i := range s.acct.noted {
		if s.acct.noted[i].e == e {
			s.acct.noted[i] = notedEntry{}
		}
	}
}

// settle measures the noted entries again and accounts the differences.
func (s *Shard) settle() {
	for i := range s.acct.noted {
		n := &s.acct.noted[i]
		e := n.e
		if e == nil || e.Type() == TypeString || e.meta&flagNoted == 0 { // removed, converted, or listed twice
			continue
		}
		e.meta &^= flagNoted
		if u := objUnits(s.ks.objSize(e)); u != e.vlen {
			s.account(n.t, (int64(u)-int64(e.vlen))<<objUnitShift)
			e.vlen = u
		}
	}
	clear(s.acct.noted)
	s.acct.noted = s.acct.noted[:0]
}

// maxNoted bounds the noted list: at that length it is settled before
// another entry is added, which bounds the aggregates whose last change
// awaits accounting (see Settle).
const maxNoted = 128

// measure sets a detached non-string entry's accounted object size.
func (s *Shard) measure(e *Entry) {
	if e.Type() != TypeString {
		e.vlen = objUnits(s.ks.objSize(e))
	}
}

// EntryMemory returns the bytes key e costs, measured now (MEMORY USAGE):
// its Entry, key and string bytes (allocation capacity), its value object
// and its deadline slot.
func (s *Shard) EntryMemory(e *Entry) int64 {
	n := EntryBytes + int64(e.dcap()) + s.ks.objSize(e)
	if e.expire != 0 {
		n += TTLBytes
	}
	return n
}

// Memory returns the bytes accounted to this shard (lock held), after
// settling pending measurements.
func (s *Shard) Memory() int64 {
	s.Settle()
	return s.acct.mem
}

// TableOverhead returns database db's structural overhead in this shard
// (lock held): main is the hash table (buckets and the Entry of every
// key), expires the deadline slots. Both are part of Memory.
func (s *Shard) TableOverhead(db int) (main, expires int64) {
	t := s.dbs[db]
	if t == nil {
		return 0, 0
	}
	main = tableBytes + int64(t.keys.buckets())*bucketBytes + int64(t.keys.len())*EntryBytes
	return main, int64(t.expires.len()) * TTLBytes
}

// UsedMemory returns the exact accounted total, locking one shard at a
// time.
func (ks *Keyspace) UsedMemory() int64 {
	var n int64
	for i := range ks.shards {
		s := &ks.shards[i]
		s.Lock()
		n += s.Memory()
		s.Unlock()
	}
	return n
}

// UsedMemoryFast returns the accounted total as last published by the
// shards, without locking: it differs from UsedMemory by less than
// FlushThreshold bytes per shard.
func (ks *Keyspace) UsedMemoryFast() int64 { return ks.acct.used.Load() }

// PeakMemory returns the highest published accounted total.
func (ks *Keyspace) PeakMemory() int64 {
	return max(ks.acct.peak.Load(), ks.acct.used.Load())
}

// FlushThreshold returns the batching threshold of the published total
// (see UsedMemoryFast).
func (ks *Keyspace) FlushThreshold() int64 { return ks.acct.flushThr }

// accountBuckets accounts n buckets allocated (n < 0: freed) to the
// dict's owner.
func (d *dict) accountBuckets(n int) {
	if t := d.owner; t != nil {
		t.sh.account(t, int64(n)*bucketBytes)
	}
}

// tableOf returns the table of a live entry of this shard (GrowString is
// not told the database; this only runs when a string's allocation
// grows, which amortised doubling makes rare).
func (s *Shard) tableOf(e *Entry) *table {
	key := e.Key()
	h := hashKey(key)
	for _, t := range s.dbs {
		if t != nil && t.keys.find(key, h) == e {
			return t
		}
	}
	return nil // detached: Insert will account it whole
}

// SampleTTL sums the remaining TTL (ms) of up to n keys with a deadline
// in db, skipping keys already past it, and returns the sum and how many
// keys it covers: INFO's avg_ttl estimate (lock held).
func (s *Shard) SampleTTL(db int, now int64, n int) (sum int64, count int) {
	t := s.dbs[db]
	if t == nil {
		return 0, 0
	}
	seen := 0
	for e := range t.expires.from(s.rnd.Uint64()) {
		if seen++; seen > n {
			break
		}
		if e.expire > now {
			sum += e.expire - now
			count++
		}
	}
	return sum, count
}
