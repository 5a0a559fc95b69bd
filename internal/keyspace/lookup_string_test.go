package keyspace

import (
	"strconv"
	"sync/atomic"
	"testing"
	"unsafe"
)

// TestLookupStringMatchesLookup builds two identical keyspaces (strings,
// an aggregate, keys with past and future deadlines, tables caught in the
// middle of a rehash) and reads every key with Lookup in one and
// LookupString in the other: the entries found, the counters and the
// keys left must agree.
func TestLookupStringMatchesLookup(t *testing.T) {
	var now atomic.Int64
	now.Store(1_000_000)
	build := func() *Shard {
		ks := newMemKeyspace(1, &now)
		sh := ks.Shard(0)
		sh.Lock()
		for i := 0; i < 270; i++ { // the 257th insert starts a rehash that 270 leave unfinished
			k := "k" + strconv.Itoa(i)
			switch i % 5 {
			case 0:
				sh.Add(0, k, TypeHash, unsafe.Pointer(&fakeObj{size: 64}))
			case 1:
				sh.SetString(0, k, []byte("v"+k), now.Load()-1, false) // already expired
			case 2:
				sh.SetString(0, k, []byte("v"+k), now.Load()+1000, false)
			default:
				sh.SetString(0, k, []byte("v"+k), 0, false)
			}
		}
		sh.Unlock()
		return sh
	}
	a, b := build(), build()
	a.Lock()
	b.Lock()
	defer a.Unlock()
	defer b.Unlock()
	if a.dbs[0].keys.rehashIdx < 0 {
		t.Fatal("the table is not rehashing: the test no longer covers LookupString's fallback during a rehash")
	}
	for i := 0; i < 290; i++ { // 20 missing keys too
		k := "k" + strconv.Itoa(i)
		ea := a.Lookup(0, k, now.Load())
		eb := b.LookupString(0, k, now.Load())
		if (ea == nil) != (eb == nil) {
			t.Fatalf("%s: Lookup found %v, LookupString found %v", k, ea != nil, eb != nil)
		}
		if ea != nil && (ea.Type() != eb.Type() || string(ea.Str()) != string(eb.Str()) || ea.meta != eb.meta) {
			t.Fatalf("%s: entries differ: %v %q %x vs %v %q %x", k, ea.Type(), ea.Str(), ea.meta, eb.Type(), eb.Str(), eb.meta)
		}
	}
	if a.Hits != b.Hits || a.Misses != b.Misses || a.ExpiredKeys != b.ExpiredKeys || a.Len(0) != b.Len(0) {
		t.Fatalf("counters differ: hits %d/%d misses %d/%d expired %d/%d len %d/%d",
			a.Hits, b.Hits, a.Misses, b.Misses, a.ExpiredKeys, b.ExpiredKeys, a.Len(0), b.Len(0))
	}
	if b.Hits != 216 || b.Misses != 74 || b.ExpiredKeys != 54 {
		t.Fatalf("hits %d misses %d expired %d, want 216 74 54", b.Hits, b.Misses, b.ExpiredKeys)
	}
}
