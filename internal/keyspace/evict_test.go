package keyspace

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

func TestPolicyNames(t *testing.T) {
	for p := NoEviction; p <= VolatileLRM; p++ {
		got, ok := ParsePolicy(p.String())
		if !ok || got != p {
			t.Errorf("ParsePolicy(%q) = %v, %v", p.String(), got, ok)
		}
	}
	for _, c := range []struct {
		name string
		want Policy
		ok   bool
	}{
		{"ALLKEYS-LRU", AllKeysLRU, true},
		{"volatile-ttl", VolatileTTL, true},
		{"allkeys-lrm", AllKeysLRM, true},
		{"lru", NoEviction, false},
		{"", NoEviction, false},
	} {
		if got, ok := ParsePolicy(c.name); got != c.want || ok != c.ok {
			t.Errorf("ParsePolicy(%q) = %v, %v", c.name, got, ok)
		}
	}
	for _, c := range []struct {
		p                  Policy
		lfu, lrm, volatile bool
	}{
		{NoEviction, false, false, false},
		{AllKeysLFU, true, false, false},
		{VolatileLFU, true, false, true},
		{AllKeysLRM, false, true, false},
		{VolatileLRM, false, true, true},
		{VolatileTTL, false, false, true},
		{AllKeysRandom, false, false, false},
	} {
		if c.p.LFU() != c.lfu || c.p.LRM() != c.lrm || c.p.Volatile() != c.volatile {
			t.Errorf("%v: LFU %v LRM %v Volatile %v", c.p, c.p.LFU(), c.p.LRM(), c.p.Volatile())
		}
	}
}

func TestEvictionPoolOrder(t *testing.T) {
	var ev evictor
	entries := make([]Entry, 40)
	for i, sc := range rand.New(rand.NewPCG(3, 4)).Perm(40) {
		ev.offer(poolSlot{e: &entries[i], score: uint64(sc)})
	}
	if ev.n != evictionPoolSize {
		t.Fatalf("pool holds %d", ev.n)
	}
	for i := 0; i < ev.n; i++ { // the 16 best of 0..39, ascending
		if want := uint64(40 - evictionPoolSize + i); ev.pool[i].score != want {
			t.Fatalf("slot %d score %d, want %d", i, ev.pool[i].score, want)
		}
	}
	// A worse candidate than all is refused when full.
	ev.offer(poolSlot{e: &Entry{}, score: 1})
	if ev.pool[0].score != 24 {
		t.Fatalf("worst slot %d after a worse offer", ev.pool[0].score)
	}
	// Offering a pooled entry again replaces its score.
	best := ev.pool[ev.n-1].e
	ev.offer(poolSlot{e: best, score: 30})
	seen := 0
	for i := 0; i < ev.n; i++ {
		if ev.pool[i].e == best {
			seen++
			if ev.pool[i].score != 30 {
				t.Fatalf("re-offered entry has score %d", ev.pool[i].score)
			}
		}
		if i > 0 && ev.pool[i-1].score > ev.pool[i].score {
			t.Fatalf("pool not sorted at %d", i)
		}
	}
	if seen != 1 {
		t.Fatalf("entry pooled %d times", seen)
	}
}

func TestDictSample(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 3, 100, 5000} {
		d := newDict()
		in := map[*Entry]bool{}
		for i := range n {
			e := dictAdd(d, "s"+strconv.Itoa(i))
			in[e] = true
		}
		var buf [maxSamples]*Entry
		for range 50 {
			k := d.sample(r, buf[:5])
			if k > min(5, n) || (n >= 100 && k == 0) {
				t.Fatalf("n=%d: sampled %d", n, k)
			}
			for _, e := range buf[:k] {
				if !in[e] {
					t.Fatalf("n=%d: sampled an entry not in the dict", n)
				}
			}
		}
	}
}

func TestLFUCounter(t *testing.T) {
	var now atomic.Int64
	now.Store(ksT0)
	ks := newMemKeyspace(1, &now)
	ks.SetEviction(EvictionConfig{Policy: AllKeysLFU, LFULogFactor: 0, LFUDecayTime: 1})
	s := ks.Shard(0)
	s.Lock()
	defer s.Unlock()
	e := s.SetString(0, "k", []byte("v"), 0, false)
	if f := ks.LFUFrequency(e, now.Load()); f != lfuInitVal {
		t.Fatalf("new key frequency %d, want %d", f, lfuInitVal)
	}
	for range 10 { // log factor 0: every access counts
		s.Lookup(0, "k", now.Load())
	}
	if f := ks.LFUFrequency(e, now.Load()); f != lfuInitVal+10 {
		t.Fatalf("after 10 reads: %d", f)
	}
	now.Add(3 * 60_000) // three decay periods
	if f := ks.LFUFrequency(e, now.Load()); f != lfuInitVal+10-3 {
		t.Fatalf("after 3 minutes: %d", f)
	}
	now.Add(100 * 60_000)
	if f := ks.LFUFrequency(e, now.Load()); f != 0 {
		t.Fatalf("after 103 minutes: %d", f)
	}

	// With the default log factor the counter grows logarithmically.
	ks.SetEviction(EvictionConfig{Policy: AllKeysLFU, LFULogFactor: 10, LFUDecayTime: 0})
	e = s.SetString(0, "hot", []byte("v"), 0, false)
	e.SetClock(ks.NewClock(now.Load()))
	for range 100_000 {
		s.lfuTouch(e, now.Load())
	}
	// Redis's table: 100K hits with factor 10 reach about 142.
	if f := ks.LFUFrequency(e, now.Load()); f < 120 || f > 170 {
		t.Fatalf("100K hits at factor 10: counter %d", f)
	}
}

// evictKS builds a keyspace with a policy and the given keys (value of 100
// bytes each, TTL per ttl(i) when non-zero).
func evictKS(t *testing.T, p Policy, shards, keys, samples int, ttl func(i int) int64) (*Keyspace, *atomic.Int64) {
	t.Helper()
	var now atomic.Int64
	now.Store(ksT0)
	ks := newMemKeyspace(shards, &now)
	ks.SetEviction(EvictionConfig{Policy: p, Samples: samples, LFULogFactor: 10, LFUDecayTime: 1})
	for i := range keys {
		k := "k" + strconv.Itoa(i)
		s := ks.ShardFor(k)
		s.Lock()
		var dl int64
		if ttl != nil {
			dl = ttl(i)
		}
		s.SetString(0, k, make([]byte, 100), dl, false)
		s.Unlock()
	}
	return ks, &now
}

func exists(ks *Keyspace, k string) bool {
	s := ks.ShardFor(k)
	s.Lock()
	defer s.Unlock()
	return s.Peek(0, k, ks.NowMs()) != nil
}

func TestEvictPolicies(t *testing.T) {
	const keys = 200
	for _, c := range []struct {
		name string
		p    Policy
		ttl  func(i int) int64
		// check is called with the key indexes that survived.
		check func(t *testing.T, alive map[int]bool)
	}{
		{"noeviction", NoEviction, nil, nil},
		{"allkeys-lru", AllKeysLRU, nil, func(t *testing.T, alive map[int]bool) {
			// Keys 100.. were read 100s later; sampling 64 keys of
			// shards holding about 50 sees them all (exact LRU).
			recent := 0
			for i := range alive {
				if i >= 100 {
					recent++
				}
			}
			if recent != 100 {
				t.Errorf("LRU evicted %d recently read keys", 100-recent)
			}
		}},
		{"volatile-lru", VolatileLRU, func(i int) int64 {
			if i%2 == 0 {
				return ksT0 + 1e9
			}
			return 0
		}, func(t *testing.T, alive map[int]bool) {
			for i := 1; i < keys; i += 2 {
				if !alive[i] {
					t.Errorf("volatile-lru evicted key %d without TTL", i)
				}
			}
		}},
		{"volatile-ttl", VolatileTTL, func(i int) int64 { return ksT0 + 1e6 + int64(i)*1000 }, func(t *testing.T, alive map[int]bool) {
			// The nearest deadlines (lowest i) go first.
			for i := range alive {
				if i < 60 {
					t.Errorf("volatile-ttl kept key %d with a near deadline", i)
				}
			}
		}},
		{"allkeys-random", AllKeysRandom, nil, nil},
		{"volatile-random", VolatileRandom, func(i int) int64 {
			if i < 120 {
				return ksT0 + 1e9
			}
			return 0
		}, func(t *testing.T, alive map[int]bool) {
			for i := 120; i < keys; i++ {
				if !alive[i] {
					t.Errorf("volatile-random evicted key %d without TTL", i)
				}
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ks, now := evictKS(t, c.p, 4, keys, 64, c.ttl)
			var evicted atomic.Int64
			ks.OnDelete = func(_ *Shard, db int, key string, why DeleteReason) {
				if why != ReasonEvicted || db != 0 {
					t.Errorf("OnDelete(%d, %q, %d)", db, key, why)
				}
				evicted.Add(1)
			}
			now.Add(100_000)
			for i := 100; i < keys; i++ { // read the second half later
				k := "k" + strconv.Itoa(i)
				s := ks.ShardFor(k)
				s.Lock()
				s.Lookup(0, k, now.Load())
				s.Unlock()
			}
			used := ks.UsedMemory()
			limit := used * 6 / 10
			ks.acct.maxmem.Store(limit)
			for i := range ks.shards {
				ks.shards[i].Lock()
				ks.shards[i].flushPending()
				ks.shards[i].Unlock()
			}
			n, b, ok := ks.Evict()
			if c.p == NoEviction {
				if ok || n != 0 {
					t.Fatalf("noeviction: Evict = %d, %v", n, ok)
				}
				return
			}
			if !ok || n == 0 || b <= 0 {
				t.Fatalf("Evict = %d keys, %d bytes, %v", n, b, ok)
			}
			if int64(n) != evicted.Load() {
				t.Fatalf("Evict reported %d keys, OnDelete saw %d", n, evicted.Load())
			}
			if got := ks.UsedMemory(); got > limit || got < limit-2*b/int64(n) {
				t.Fatalf("after eviction %d bytes, limit %d", got, limit)
			}
			var evictedKeys int64
			for i := range ks.shards {
				evictedKeys += ks.shards[i].EvictedKeys
			}
			if evictedKeys != int64(n) {
				t.Fatalf("EvictedKeys %d, want %d", evictedKeys, n)
			}
			alive := map[int]bool{}
			for i := range keys {
				if exists(ks, "k"+strconv.Itoa(i)) {
					alive[i] = true
				}
			}
			if c.check != nil {
				c.check(t, alive)
			}
		})
	}
}

// TestEvictVolatileNothingToEvict: with no key carrying a TTL, a
// volatile policy cannot free memory and reports failure.
func TestEvictVolatileNothingToEvict(t *testing.T) {
	for _, p := range []Policy{VolatileLRU, VolatileLFU, VolatileTTL, VolatileRandom, VolatileLRM} {
		ks, _ := evictKS(t, p, 4, 100, 5, nil)
		ks.acct.maxmem.Store(1)
		for i := range ks.shards {
			ks.shards[i].Lock()
			ks.shards[i].flushPending()
			ks.shards[i].Unlock()
		}
		if n, _, ok := ks.Evict(); ok || n != 0 {
			t.Errorf("%v: Evict = %d, %v with no volatile key", p, n, ok)
		}
	}
}

// TestEvictLRM: under LRM, reads do not protect a key; writes do.
func TestEvictLRM(t *testing.T) {
	ks, now := evictKS(t, AllKeysLRM, 2, 100, 64, nil)
	now.Add(50_000)
	for i := range 100 {
		k := "k" + strconv.Itoa(i)
		s := ks.ShardFor(k)
		s.Lock()
		if i < 50 {
			s.Lookup(0, k, now.Load()) // read: no effect under LRM
		} else {
			s.SetString(0, k, make([]byte, 100), 0, false) // modified
		}
		s.Unlock()
	}
	ks.acct.maxmem.Store(ks.UsedMemory() * 7 / 10)
	for i := range ks.shards {
		ks.shards[i].Lock()
		ks.shards[i].flushPending()
		ks.shards[i].Unlock()
	}
	if _, _, ok := ks.Evict(); !ok {
		t.Fatal("Evict failed")
	}
	for i := 50; i < 100; i++ {
		if !exists(ks, "k"+strconv.Itoa(i)) {
			t.Errorf("LRM evicted recently modified key %d", i)
		}
	}
}

// TestEvictConcurrent runs evictions against concurrent writers (for the
// race detector and lock order) and checks the limit holds afterwards.
func TestEvictConcurrent(t *testing.T) {
	var now atomic.Int64
	now.Store(ksT0)
	ks := newMemKeyspace(8, &now)
	const limit = 1 << 20
	ks.SetEviction(EvictionConfig{MaxMemory: limit, Policy: AllKeysLRU, LFULogFactor: 10, LFUDecayTime: 1})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 9))
			for i := range 20000 {
				if ks.OverLimit() {
					if _, _, ok := ks.Evict(); !ok {
						t.Error("Evict failed under allkeys-lru")
						return
					}
				}
				k := "w" + strconv.Itoa(w) + ":" + strconv.Itoa(r.IntN(50000))
				s := ks.ShardFor(k)
				s.Lock()
				s.SetString(0, k, make([]byte, 50+i%400), 0, false)
				s.Unlock()
			}
		}()
	}
	wg.Wait()
	// Each shard may hold back flushThr; each writer's last write may go
	// over by one value.
	margin := int64(len(ks.shards))*ks.FlushThreshold() + 4*1024
	if got := ks.UsedMemory(); got > limit+margin {
		t.Fatalf("used %d, limit %d + margin %d", got, limit, margin)
	}
}

// TestEvictLRUQuarterSeconds: eviction ranks LRU clocks to the quarter
// second, below the seconds OBJECT IDLETIME reports.
func TestEvictLRUQuarterSeconds(t *testing.T) {
	ks, now := evictKS(t, AllKeysLRU, 1, 0, 64, nil)
	s := ks.Shard(0)
	s.Lock()
	now.Store(ksT0 + 100)
	a := s.SetString(0, "a", make([]byte, 100), 0, false)
	now.Store(ksT0 + 600) // same second, two quarters later
	b := s.SetString(0, "b", make([]byte, 100), 0, false)
	if a.Clock() != b.Clock() {
		t.Fatalf("seconds clocks differ: %d %d", a.Clock(), b.Clock())
	}
	if sa, sb := ks.evictScore(a, now.Load()), ks.evictScore(b, now.Load()); sa != 2 || sb != 0 {
		t.Fatalf("scores a %d b %d, want 2 and 0", sa, sb)
	}
	s.flushPending()
	s.Unlock()
	ks.acct.maxmem.Store(ks.UsedMemory() - 1)
	if n, _, ok := ks.Evict(); !ok || n != 1 {
		t.Fatalf("Evict = %d, %v", n, ok)
	}
	if exists(ks, "a") || !exists(ks, "b") {
		t.Fatal("the key written half a second later was evicted")
	}
	// The quarter seconds wrap with the clock.
	if got := idleQuarters(1, fineMax); got != 1 {
		t.Fatalf("wrapped idle %d", got)
	}
}
