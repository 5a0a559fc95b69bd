package keyspace

import (
	"math"
	"math/rand/v2"
	"strings"
	"sync"
)

// Policy is a maxmemory eviction policy (Redis's maxmemory-policy).
type Policy uint8

// The eviction policies. The allkeys-* policies consider every key, the
// volatile-* ones only keys with a TTL. LRU evicts the least recently
// used (read or written), LRM the least recently modified (reads do not
// count), LFU the least frequently used, TTL the nearest deadline, random
// any key.
const (
	NoEviction Policy = iota
	AllKeysLRU
	AllKeysLFU
	AllKeysRandom
	VolatileLRU
	VolatileLFU
	VolatileRandom
	VolatileTTL
	AllKeysLRM
	VolatileLRM
)

var policyNames = [...]string{
	NoEviction:     "noeviction",
	AllKeysLRU:     "allkeys-lru",
	AllKeysLFU:     "allkeys-lfu",
	AllKeysRandom:  "allkeys-random",
	VolatileLRU:    "volatile-lru",
	VolatileLFU:    "volatile-lfu",
	VolatileRandom: "volatile-random",
	VolatileTTL:    "volatile-ttl",
	AllKeysLRM:     "allkeys-lrm",
	VolatileLRM:    "volatile-lrm",
}

// String returns the policy's configuration name ("allkeys-lru").
func (p Policy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "unknown"
}

// ParsePolicy maps a configuration name (case-insensitive) to a Policy.
func ParsePolicy(name string) (Policy, bool) {
	for i, n := range policyNames {
		if strings.EqualFold(n, name) {
			return Policy(i), true
		}
	}
	return NoEviction, false
}

// LFU reports whether the access clocks hold LFU data under p.
func (p Policy) LFU() bool { return p == AllKeysLFU || p == VolatileLFU }

// LRM reports whether only writes update the access clocks under p.
func (p Policy) LRM() bool { return p == AllKeysLRM || p == VolatileLRM }

// Volatile reports whether p only evicts keys with a TTL.
func (p Policy) Volatile() bool {
	return p == VolatileLRU || p == VolatileLFU || p == VolatileRandom || p == VolatileTTL || p == VolatileLRM
}

// clockMode says what the 24-bit access clock holds and when it moves.
type clockMode uint8

const (
	clockLRU clockMode = iota // seconds; reads and writes
	clockLFU                  // minutes<<8 | log counter; reads and writes
	clockLRM                  // seconds; writes only
)

// EvictionConfig is the memory limit and how to honour it.
type EvictionConfig struct {
	// MaxMemory is the limit on accounted bytes; 0 means none.
	MaxMemory int64
	Policy    Policy
	// Samples is how many keys are sampled per shard and database per
	// eviction (maxmemory-samples), 1..64; 0 means 5.
	Samples int
	// LFULogFactor is lfu-log-factor (>= 0): how slowly the logarithmic
	// counter saturates.
	LFULogFactor int
	// LFUDecayTime is lfu-decay-time in minutes (>= 0): the counter loses
	// one per period of inactivity; 0 never decays.
	LFUDecayTime int
}

// Redis's defaults and bounds.
const (
	DefaultSamples      = 5
	maxSamples          = 64
	DefaultLFULogFactor = 10
	DefaultLFUDecayTime = 1
	lfuInitVal          = 5
	evictionPoolSize    = 16
)

// SetEviction configures the limit and policy. Call it before the
// keyspace is used; the setters below change the settings at run time.
func (ks *Keyspace) SetEviction(c EvictionConfig) {
	a := &ks.acct
	ks.setPolicy(c.Policy)
	a.samples = c.Samples
	if a.samples <= 0 {
		a.samples = DefaultSamples
	}
	a.samples = min(a.samples, maxSamples)
	a.lfuLog = max(c.LFULogFactor, 0)
	a.lfuDecay = max(c.LFUDecayTime, 0)
	a.tenacity = DefaultEvictionTenacity
	m := max(c.MaxMemory, 0)
	a.maxmemCfg.Store(uint64(m))
	a.maxmem.Store(m)
	a.flushThr = flushThreshold(m, len(ks.shards))
}

// flushThreshold is the unflushed change a shard may hold back from the
// published total under limit m: 1/256 of its share of the limit, between
// 256 bytes and defaultFlushThr.
func flushThreshold(m int64, shards int) int64 {
	if m <= 0 {
		return defaultFlushThr
	}
	return min(max(m/int64(256*shards), 256), defaultFlushThr)
}

func (ks *Keyspace) setPolicy(p Policy) {
	a := &ks.acct
	a.policy.Store(uint32(p))
	switch {
	case p.LFU():
		a.mode = clockLFU
	case p.LRM():
		a.mode = clockLRM
	default:
		a.mode = clockLRU
	}
}

// Run-time changes of the eviction settings (CONFIG SET). Each setter
// must be called with every shard lock held (LockAll), since commands
// read the settings under their shard's lock; the getters too, except
// Policy and MaxMemory, which may be called without any lock.

// SetMaxMemory changes the limit (CONFIG SET maxmemory): n is the value
// as configured, which MaxMemoryConfig reports; the limit enforced is n
// capped to the int64 range, 0 meaning none. The shards' unpublished
// changes are published, so that the next OverLimit check sees exact
// figures. Lowering the limit under the memory in use evicts nothing by
// itself: the caller evicts (Evict) once it released the locks, and the
// writes that follow evict too.
func (ks *Keyspace) SetMaxMemory(n uint64) {
	a := &ks.acct
	m := int64(min(n, math.MaxInt64))
	a.maxmemCfg.Store(n)
	a.flushThr = flushThreshold(m, len(ks.shards))
	for i := range ks.shards {
		ks.shards[i].flushPending()
	}
	a.maxmem.Store(m)
}

// MaxMemoryConfig returns maxmemory as configured (see SetMaxMemory).
func (ks *Keyspace) MaxMemoryConfig() uint64 { return ks.acct.maxmemCfg.Load() }

// SetPolicy changes the eviction policy (CONFIG SET maxmemory-policy).
// As in Redis, the access clocks of existing keys are not converted when
// switching between LRU and LFU data: they are read under the new
// meaning until the keys are next touched.
func (ks *Keyspace) SetPolicy(p Policy) { ks.setPolicy(p) }

// SetSamples changes maxmemory-samples (n >= 1); sampling looks at no
// more than 64 keys per shard and database whatever the value.
func (ks *Keyspace) SetSamples(n int) { ks.acct.samples = max(n, 1) }

// Samples returns maxmemory-samples as configured.
func (ks *Keyspace) Samples() int { return ks.acct.samples }

// SetLFULogFactor changes lfu-log-factor (n >= 0).
func (ks *Keyspace) SetLFULogFactor(n int) { ks.acct.lfuLog = max(n, 0) }

// LFULogFactor returns lfu-log-factor.
func (ks *Keyspace) LFULogFactor() int { return ks.acct.lfuLog }

// SetLFUDecayTime changes lfu-decay-time in minutes (n >= 0).
func (ks *Keyspace) SetLFUDecayTime(n int) { ks.acct.lfuDecay = max(n, 0) }

// LFUDecayTime returns lfu-decay-time.
func (ks *Keyspace) LFUDecayTime() int { return ks.acct.lfuDecay }

// DefaultEvictionTenacity is Redis's maxmemory-eviction-tenacity default.
const DefaultEvictionTenacity = 10

// SetEvictionTenacity records maxmemory-eviction-tenacity (0..100). kevy
// keeps it for CONFIG GET only: Evict always frees memory down to the
// limit before the write that needed it goes on, which is Redis's
// behaviour at tenacity 100.
func (ks *Keyspace) SetEvictionTenacity(n int) { ks.acct.tenacity = n }

// EvictionTenacity returns maxmemory-eviction-tenacity.
func (ks *Keyspace) EvictionTenacity() int { return ks.acct.tenacity }

// Policy returns the eviction policy. It may be called without a lock.
func (ks *Keyspace) Policy() Policy { return Policy(ks.acct.policy.Load()) }

// MaxMemory returns the limit on accounted bytes (0 = none).
func (ks *Keyspace) MaxMemory() int64 { return ks.acct.maxmem.Load() }

// OverLimit reports whether a limit is set and the published accounted
// total exceeds it. It is the cheap check made before every write that may
// grow memory.
func (ks *Keyspace) OverLimit() bool {
	m := ks.acct.maxmem.Load()
	return m > 0 && ks.acct.used.Load() > m
}

// ---- access clocks ----

// LRUClock returns the current 24-bit LRU clock (seconds).
func (ks *Keyspace) LRUClock(now int64) uint32 {
	return uint32(now/1000) & ClockMax
}

// lfuMinutes is Redis's LFUGetTimeInMinutes: 16 bits of minutes.
func lfuMinutes(now int64) uint32 { return uint32(now/60000) & 0xffff }

// NewClock returns the access clock of a key created at now: the LRU
// clock, or under an LFU policy the current minutes with the initial
// counter (5), as Redis gives new objects.
func (ks *Keyspace) NewClock(now int64) uint32 {
	if ks.acct.mode == clockLFU {
		return lfuMinutes(now)<<8 | lfuInitVal
	}
	return ks.LRUClock(now)
}

// initClock sets a new entry's access clock (see NewClock), to the
// quarter second under LRU and LRM.
func (s *Shard) initClock(e *Entry, now int64) {
	if s.ks.acct.mode == clockLFU {
		e.SetClock(lfuMinutes(now)<<8 | lfuInitVal)
		return
	}
	e.setLRU(now)
}

// lfuDecr is Redis's LFUDecrAndReturn: the counter after the decay due
// since its last update (not stored).
func (ks *Keyspace) lfuDecr(clock uint32, now int64) uint32 {
	ldt, counter := clock>>8, clock&0xff
	if d := uint32(ks.acct.lfuDecay); d > 0 {
		m := lfuMinutes(now)
		var elapsed uint32
		if m >= ldt {
			elapsed = m - ldt
		} else {
			elapsed = 65535 - ldt + m
		}
		if p := elapsed / d; p > 0 {
			if p > counter {
				counter = 0
			} else {
				counter -= p
			}
		}
	}
	return counter
}

// LFUFrequency returns e's decayed LFU counter (OBJECT FREQ). It is only
// meaningful under an LFU policy.
func (ks *Keyspace) LFUFrequency(e *Entry, now int64) int {
	return int(ks.lfuDecr(e.Clock(), now))
}

// lfuTouch is Redis's updateLFU: decay, then a logarithmic increment.
func (s *Shard) lfuTouch(e *Entry, now int64) {
	c := s.ks.lfuDecr(e.Clock(), now)
	if c < 255 {
		base := float64(c) - lfuInitVal
		if base < 0 {
			base = 0
		}
		if s.rnd.Float64() < 1/(base*float64(s.ks.acct.lfuLog)+1) {
			c++
		}
	}
	e.SetClock(lfuMinutes(now)<<8 | c)
}

// touchRead updates e's clock for a read: LRU and LFU count it, LRM not.
// Lookup inlines the LRU case.
func (s *Shard) touchRead(e *Entry, now int64) {
	switch s.ks.acct.mode {
	case clockLRU:
		e.setLRU(now)
	case clockLFU:
		s.lfuTouch(e, now)
	}
}

// TouchWrite updates e's access clock for a write (every policy counts
// writes). The lock must be held.
func (s *Shard) TouchWrite(e *Entry, now int64) {
	if s.ks.acct.mode == clockLFU {
		s.lfuTouch(e, now)
		return
	}
	e.setLRU(now)
}

// fineMax is the largest value of the 26-bit LRU clock in quarter
// seconds: the 24-bit seconds clock and two more bits below it.
const fineMax = 1<<26 - 1

// fineClock is the 26-bit LRU clock of now, in 250 ms units; shifted
// right by two it is the 24-bit seconds clock Redis keeps.
func fineClock(now int64) uint32 { return uint32(now/250) & fineMax }

// setLRU stores the LRU clock of now (to the quarter second), writing
// only when it changed.
func (e *Entry) setLRU(now int64) {
	if c := fineClock(now); e.meta>>metaFineSh != c {
		e.meta = e.meta&(1<<metaFineSh-1) | c<<metaFineSh
	}
}

// idleQuarters is the distance from an entry's 26-bit LRU clock to now's,
// in quarter seconds, with wrap-around (as Redis's
// estimateObjectIdleTime, at a finer grain that breaks its ties).
func idleQuarters(clk, lru uint32) uint64 {
	if clk >= lru {
		return uint64(clk - lru)
	}
	return uint64(clk) + uint64(fineMax-lru)
}

// evictScore ranks an eviction candidate: higher is evicted first.
func (ks *Keyspace) evictScore(e *Entry, now int64) uint64 {
	switch {
	case ks.Policy() == VolatileTTL:
		return math.MaxUint64 - uint64(e.expire)
	case ks.acct.mode == clockLFU:
		return 255 - uint64(ks.lfuDecr(e.Clock(), now))
	default:
		return idleQuarters(fineClock(now), e.meta>>metaFineSh)
	}
}

// ---- eviction ----

// evictor is the state kept between evictions: Redis's eviction pool of
// the best candidates seen so far, sorted by ascending score, and the
// round-robin position over shards and databases.
type evictor struct {
	mu     sync.Mutex
	policy Policy // the policy the pool's candidates were scored under
	pool   [evictionPoolSize]poolSlot
	n      int
	next   int // next shard to sample
	nextDB int // first database tried by random eviction
	buf    [maxSamples]*Entry
}

type poolSlot struct {
	e     *Entry
	score uint64
	shard int32
	db    int32
}

// offer puts a candidate in the pool if it ranks among the best, as
// Redis's evictionPoolPopulate does: ties go before the existing ones, and
// when the pool is full the worst candidate is dropped.
func (ev *evictor) offer(c poolSlot) {
	for i := 0; i < ev.n; i++ {
		if ev.pool[i].e == c.e { // sampled again: take its fresh score
			copy(ev.pool[i:ev.n-1], ev.pool[i+1:ev.n])
			ev.n--
			ev.pool[ev.n] = poolSlot{}
			break
		}
	}
	k := 0
	for k < ev.n && ev.pool[k].score < c.score {
		k++
	}
	if ev.n == evictionPoolSize {
		if k == 0 {
			return
		}
		copy(ev.pool[:k-1], ev.pool[1:k])
		k--
	} else {
		copy(ev.pool[k+1:ev.n+1], ev.pool[k:ev.n])
		ev.n++
	}
	ev.pool[k] = c
}

// Evict removes keys by the policy until the published accounted total is
// back under the limit. It returns the keys and bytes freed, and ok=false
// when the total is still over the limit because nothing could be evicted
// (noeviction, or a volatile policy with no key that has a TTL): the
// caller then refuses the write with Redis's OOM error. It must be called
// with no shard lock held; concurrent callers take turns.
func (ks *Keyspace) Evict() (keys int, bytes int64, ok bool) {
	a := &ks.acct
	limit := a.maxmem.Load()
	if limit <= 0 || a.used.Load() <= limit {
		return 0, 0, true
	}
	if ks.Policy() == NoEviction {
		return 0, 0, false
	}
	a.ev.mu.Lock()
	defer a.ev.mu.Unlock()
	p := ks.Policy()
	if p != a.ev.policy {
		// The policy changed (CONFIG SET): the pool's scores are stale.
		clear(a.ev.pool[:])
		a.ev.n, a.ev.policy = 0, p
	}
	if p == NoEviction {
		return 0, 0, false
	}
	now := ks.clk.NowMs()
	for a.used.Load() > limit {
		var b int64
		var done bool
		if p == AllKeysRandom || p == VolatileRandom {
			b, done = ks.evictRandom(now)
		} else {
			b, done = ks.evictPooled(now)
		}
		if !done {
			return keys, bytes, false
		}
		keys++
		bytes += b
	}
	return keys, bytes, true
}

// evictRandom evicts one random key (or key with a TTL), visiting shards
// round-robin and databases in rotation.
func (ks *Keyspace) evictRandom(now int64) (int64, bool) {
	ev := &ks.acct.ev
	volatile := ks.Policy().Volatile()
	ev.nextDB = (ev.nextDB + 1) % ks.databases
	for range ks.shards {
		s := &ks.shards[ev.next]
		ev.next = (ev.next + 1) % len(ks.shards)
		s.mu.Lock()
		for j := range s.dbs {
			db := (ev.nextDB + j) % len(s.dbs)
			t := s.dbs[db]
			if t == nil {
				continue
			}
			var e *Entry
			if volatile {
				for x := range t.expires.from(s.rnd.Uint64()) {
					e = x
					break
				}
			} else {
				e = t.keys.random(s.rnd)
			}
			if e != nil {
				b := s.evictEntry(db, t, e, hashKey(e.Key()))
				s.Unlock()
				return b, true
			}
		}
		s.Unlock()
	}
	return 0, false
}

// evictPooled evicts the best candidate of the pool after sampling the
// next shard that has candidates into it (Redis's approximated LRU, LFU
// and TTL eviction, with shards in the role of Redis's databases).
func (ks *Keyspace) evictPooled(now int64) (int64, bool) {
	ev := &ks.acct.ev
	volatile := ks.Policy().Volatile()
	for {
		sampled := 0
		for range ks.shards {
			s := &ks.shards[ev.next]
			ev.next = (ev.next + 1) % len(ks.shards)
			s.mu.Lock()
			s.Settle() // rank with up-to-date figures
			sampled = s.sample(ev, volatile, now)
			s.mu.Unlock()
			if sampled > 0 {
				break
			}
		}
		if sampled == 0 && ev.n == 0 {
			return 0, false
		}
		for ev.n > 0 {
			ev.n--
			c := ev.pool[ev.n]
			ev.pool[ev.n] = poolSlot{}
			s := &ks.shards[c.shard]
			s.mu.Lock()
			t := s.dbs[c.db]
			if t == nil {
				s.Unlock()
				continue
			}
			key := c.e.Key()
			h := hashKey(key)
			if t.keys.find(key, h) != c.e || (volatile && c.e.expire == 0) {
				s.Unlock() // deleted, moved or persisted since it was sampled
				continue
			}
			if sc := ks.evictScore(c.e, now); sc < c.score {
				// Used since it was sampled: rank it again.
				c.score = sc
				ev.offer(c)
				s.Unlock()
				continue
			}
			b := s.evictEntry(int(c.db), t, c.e, h)
			s.Unlock()
			return b, true
		}
		if sampled == 0 {
			return 0, false
		}
	}
}

// sample offers up to the configured number of keys of each database of
// s to the pool and returns how many it looked at (lock held).
func (s *Shard) sample(ev *evictor, volatile bool, now int64) int {
	n := min(s.ks.acct.samples, maxSamples)
	got := 0
	for db, t := range s.dbs {
		if t == nil {
			continue
		}
		buf := ev.buf[:n]
		k := 0
		if volatile {
			for e := range t.expires.from(s.rnd.Uint64()) {
				buf[k] = e
				if k++; k == n {
					break
				}
			}
		} else {
			k = t.keys.sample(s.rnd, buf)
		}
		for _, e := range buf[:k] {
			ev.offer(poolSlot{e: e, score: s.ks.evictScore(e, now), shard: int32(s.idx), db: int32(db)})
		}
		clear(buf[:k])
		got += k
	}
	return got
}

// evictEntry removes e (in table t of db) as evicted and returns the
// bytes it was accounted for.
func (s *Shard) evictEntry(db int, t *table, e *Entry, h uint64) int64 {
	s.saveOld(t, e) // a snapshot in progress still saves it
	b := entryBytes(e)
	key := e.Key()
	t.keys.remove(key, h)
	t.dropExpire(e)
	s.unnote(e)
	s.account(t, -b)
	s.flushPending()
	s.EvictedKeys++
	s.Dirty++
	if f := s.ks.OnDelete; f != nil {
		f(s, db, key, ReasonEvicted)
	}
	return b
}

// sample fills out with entries from consecutive buckets starting at a
// random one, like Redis's dictGetSomeKeys, and returns how many it
// found (fewer when the table is small or sparse).
func (d *dict) sample(r *rand.Rand, out []*Entry) int {
	want := min(len(out), d.len())
	if want == 0 {
		return 0
	}
	rehashing := d.rehashIdx >= 0
	mask := d.t[0].mask()
	if rehashing && d.t[1].mask() > mask {
		mask = d.t[1].mask()
	}
	i := r.Uint64() & mask
	got := 0
	for steps := 0; got < want && steps < 10*want+16; steps++ {
		for k := 0; k < 2 && got < want; k++ {
			t := &d.t[k]
			if k == 1 && !rehashing {
				break
			}
			j := i & t.mask()
			if k == 0 && rehashing && int(j) < d.rehashIdx {
				continue // already moved to t[1]
			}
			for e := t.b[j]; e != nil && got < want; e = e.next {
				out[got] = e
				got++
			}
		}
		i = (i + 1) & mask
	}
	return got
}
