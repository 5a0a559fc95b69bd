package keyspace

import (
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// newEvictKeyspace is a keyspace configured as Open configures it
// (defaults, no limit).
func newEvictKeyspace(shards int, now *atomic.Int64) *Keyspace {
	ks := newMemKeyspace(shards, now)
	ks.SetEviction(EvictionConfig{})
	return ks
}

// fill stores n string keys of 100 bytes in database 0.
func fill(ks *Keyspace, n int) {
	for i := range n {
		key := "k" + strconv.Itoa(i)
		s := ks.ShardFor(key)
		s.Lock()
		s.SetString(0, key, make([]byte, 100), 0, false)
		s.Unlock()
	}
}

func keyCount(ks *Keyspace) int {
	n := 0
	for i := range ks.NumShards() {
		s := ks.Shard(i)
		s.Lock()
		if t := s.dbs[0]; t != nil {
			n += t.keys.len()
		}
		s.Unlock()
	}
	return n
}

// TestRuntimeEvictionSettings: the run-time setters change the limit and
// the policy of a keyspace holding data; Evict then honours them.
func TestRuntimeEvictionSettings(t *testing.T) {
	tests := []struct {
		name     string
		policy   Policy
		evicts   bool
		fraction int64 // the new limit is used/fraction
	}{
		{"noeviction", NoEviction, false, 2},
		{"allkeys-lru", AllKeysLRU, true, 2},
		{"allkeys-lfu", AllKeysLFU, true, 3},
		{"allkeys-random", AllKeysRandom, true, 4},
		{"volatile-ttl without TTLs", VolatileTTL, false, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var now atomic.Int64
			now.Store(1_700_000_000_000)
			ks := newEvictKeyspace(4, &now)
			fill(ks, 1000)
			used := ks.UsedMemory()
			limit := used / tc.fraction
			ks.LockAll()
			ks.SetMaxMemory(uint64(limit))
			ks.SetPolicy(tc.policy)
			ks.UnlockAll()
			if got := ks.MaxMemory(); got != limit {
				t.Fatalf("MaxMemory = %d, want %d", got, limit)
			}
			if !ks.OverLimit() {
				t.Fatal("OverLimit is false right after lowering the limit under the memory in use")
			}
			keys, _, ok := ks.Evict()
			if ok != tc.evicts {
				t.Fatalf("Evict ok = %v, want %v", ok, tc.evicts)
			}
			if tc.evicts {
				if keys == 0 || ks.UsedMemory() > limit || keyCount(ks) != 1000-keys {
					t.Errorf("evicted %d keys, %d left, used %d, limit %d", keys, keyCount(ks), ks.UsedMemory(), limit)
				}
			} else if keys != 0 || keyCount(ks) != 1000 {
				t.Errorf("evicted %d keys under %v", keys, tc.policy)
			}
		})
	}
}

// TestSetMaxMemoryConfigured: the configured value is kept as given
// (CONFIG GET), the limit enforced is capped to the int64 range, and the
// batching threshold follows the limit.
func TestSetMaxMemoryConfigured(t *testing.T) {
	var now atomic.Int64
	ks := newEvictKeyspace(2, &now)
	for _, tc := range []struct {
		set     uint64
		limit   int64
		flushOK func(int64) bool
	}{
		{100 << 20, 100 << 20, func(thr int64) bool { return thr == defaultFlushThr }},
		{1 << 20, 1 << 20, func(thr int64) bool { return thr == (1<<20)/(256*2) }},
		{1000, 1000, func(thr int64) bool { return thr == 256 }},
		{math.MaxUint64, math.MaxInt64, func(thr int64) bool { return thr == defaultFlushThr }},
		{0, 0, func(thr int64) bool { return thr == defaultFlushThr }},
	} {
		ks.LockAll()
		ks.SetMaxMemory(tc.set)
		ks.UnlockAll()
		if ks.MaxMemoryConfig() != tc.set || ks.MaxMemory() != tc.limit || !tc.flushOK(ks.FlushThreshold()) {
			t.Errorf("SetMaxMemory(%d): config %d, limit %d, flush threshold %d", tc.set,
				ks.MaxMemoryConfig(), ks.MaxMemory(), ks.FlushThreshold())
		}
	}
}

// TestTuningSetters: the tuning values round-trip, a sample count over
// 64 is kept as configured but sampling is capped, and switching the
// policy to or from LFU switches the meaning of new access clocks.
func TestTuningSetters(t *testing.T) {
	var now atomic.Int64
	now.Store(1_700_000_000_000)
	ks := newEvictKeyspace(1, &now)
	ks.LockAll()
	ks.SetSamples(1000)
	ks.SetLFULogFactor(3)
	ks.SetLFUDecayTime(0)
	ks.SetEvictionTenacity(77)
	ks.UnlockAll()
	if ks.Samples() != 1000 || ks.LFULogFactor() != 3 || ks.LFUDecayTime() != 0 || ks.EvictionTenacity() != 77 {
		t.Errorf("got samples %d, lfu-log-factor %d, lfu-decay-time %d, tenacity %d",
			ks.Samples(), ks.LFULogFactor(), ks.LFUDecayTime(), ks.EvictionTenacity())
	}
	fill(ks, 200)
	ev := &ks.acct.ev
	s := ks.Shard(0)
	s.Lock()
	got := s.sample(ev, false, now.Load())
	s.Unlock()
	if got > maxSamples {
		t.Errorf("sampled %d keys, want at most %d", got, maxSamples)
	}
	ks.LockAll()
	ks.SetPolicy(AllKeysLFU)
	ks.UnlockAll()
	if c := ks.NewClock(now.Load()); c&0xff != lfuInitVal {
		t.Errorf("new clock under LFU = %#x, want the initial counter %d", c, lfuInitVal)
	}
	ks.LockAll()
	ks.SetPolicy(AllKeysLRU)
	ks.UnlockAll()
	if c := ks.NewClock(now.Load()); c != ks.LRUClock(now.Load()) {
		t.Errorf("new clock under LRU = %#x, want %#x", c, ks.LRUClock(now.Load()))
	}
}

// TestPolicyChangeDuringEviction: changing the policy and the limit while
// other goroutines evict is safe (run with -race) and evictions follow
// the new policy.
func TestPolicyChangeDuringEviction(t *testing.T) {
	var now atomic.Int64
	now.Store(1_700_000_000_000)
	ks := newEvictKeyspace(4, &now)
	fill(ks, 2000)
	used := ks.UsedMemory()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				key := "w" + strconv.Itoa(g) + ":" + strconv.Itoa(i)
				s := ks.ShardFor(key)
				s.Lock()
				s.SetString(0, key, make([]byte, 50), 0, false)
				s.Unlock()
				ks.Evict()
			}
		}()
	}
	policies := []Policy{AllKeysLRU, AllKeysLFU, AllKeysRandom, NoEviction, AllKeysLRM}
	for i := range 50 {
		ks.LockAll()
		ks.SetPolicy(policies[i%len(policies)])
		ks.SetMaxMemory(uint64(used * int64(2+i%3) / 4))
		ks.UnlockAll()
	}
	wg.Wait()
	ks.LockAll()
	ks.SetPolicy(AllKeysLRU)
	ks.SetMaxMemory(uint64(used / 2))
	ks.UnlockAll()
	if _, _, ok := ks.Evict(); !ok || ks.UsedMemory() > used/2 {
		t.Errorf("after the changes: ok %v, used %d, limit %d", ok, ks.UsedMemory(), used/2)
	}
}
