package keyspace

import (
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/kevydb/kevy/internal/clock"
)

// fakeObj stands for a value object of an aggregate type whose size the
// test changes in place, as command handlers change lists or hashes.
type fakeObj struct{ size int }

func fakeSizer(_ Type, p unsafe.Pointer) int { return (*fakeObj)(p).size }

func newMemKeyspace(shards int, now *atomic.Int64) *Keyspace {
	ks := New(Config{Shards: shards, Databases: 4, Clock: clock.FromFunc(now.Load)})
	ks.SetObjectSizer(fakeSizer)
	return ks
}

// recount computes a table's accounted bytes from scratch.
func recount(t *table) int64 {
	n := tableBytes + int64(t.keys.buckets())*bucketBytes
	t.keys.each(func(e *Entry) bool {
		n += EntryBytes + int64(e.dcap())
		if e.Type() != TypeString {
			n += int64(objUnits(int64((*fakeObj)(e.obj).size))) << objUnitShift
		}
		if e.expire != 0 {
			n += TTLBytes
		}
		return true
	})
	return n
}

// checkAccounting verifies, with no lock held, that every table's and
// shard's running figure equals a recount, and that the published total
// plus the shards' unflushed changes equals their sum.
func checkAccounting(t *testing.T, ks *Keyspace, step int) {
	t.Helper()
	var sum, pending int64
	for i := range ks.shards {
		s := &ks.shards[i]
		s.mu.Lock()
		s.Settle() // as every reader of the figures does
		var shardSum int64
		for db, tb := range s.dbs {
			if tb == nil {
				continue
			}
			if want := recount(tb); tb.used != want {
				t.Fatalf("step %d shard %d db %d: table accounted %d, recount %d", step, i, db, tb.used, want)
			}
			shardSum += tb.used
		}
		if s.acct.mem != shardSum {
			t.Fatalf("step %d shard %d: shard %d, tables %d", step, i, s.acct.mem, shardSum)
		}
		if p := s.acct.pending; p > ks.acct.flushThr || p < -ks.acct.flushThr {
			t.Fatalf("step %d shard %d: pending %d beyond threshold %d", step, i, p, ks.acct.flushThr)
		}
		sum += s.acct.mem
		pending += s.acct.pending
		s.mu.Unlock()
	}
	if got := ks.UsedMemoryFast() + pending; got != sum {
		t.Fatalf("step %d: published %d + pending %d != %d", step, ks.UsedMemoryFast(), pending, sum)
	}
	if got := ks.UsedMemory(); got != sum {
		t.Fatalf("step %d: UsedMemory %d, want %d", step, got, sum)
	}
}

// TestAccountingMatchesRecount drives every keyspace mutation at random
// and checks after each lock release that the incremental figures equal a
// full recount.
func TestAccountingMatchesRecount(t *testing.T) {
	for run := range 6 {
		thr := []int64{0, 1 << 40}[run%2] // publish at once / never
		var now atomic.Int64
		now.Store(ksT0)
		ks := newMemKeyspace(3, &now)
		ks.acct.flushThr = thr
		r := rand.New(rand.NewPCG(uint64(run), 99))
		key := func() string { return "k" + strconv.Itoa(r.IntN(300)) }
		val := func() []byte { return make([]byte, r.IntN(5)*r.IntN(200)) }
		for step := 0; step < 20000; step++ {
			k := key()
			db := r.IntN(4)
			s := ks.ShardFor(k)
			s.Lock()
			switch op := r.IntN(14); op {
			case 0, 1:
				var dl int64
				if r.IntN(3) == 0 {
					dl = now.Load() + int64(r.IntN(5000))
				}
				s.SetString(db, k, val(), dl, r.IntN(4) == 0)
			case 2:
				if s.Peek(db, k, now.Load()) == nil {
					s.Add(db, k, TypeList, unsafe.Pointer(&fakeObj{size: r.IntN(500)}))
				}
			case 3, 4: // change an aggregate in place after a lookup
				if e := s.LookupWrite(db, k, now.Load()); e != nil && e.Type() != TypeString {
					(*fakeObj)(e.Obj()).size = r.IntN(100000)
				}
			case 5:
				s.Delete(db, k, now.Load())
			case 6:
				if e := s.Lookup(db, k, now.Load()); e != nil {
					s.Unlink(db, e)
				}
			case 7:
				if e := s.Peek(db, k, now.Load()); e != nil {
					var dl int64
					if r.IntN(2) == 0 {
						dl = now.Load() + int64(1+r.IntN(5000))
					}
					s.SetExpire(db, e, dl)
				}
			case 8:
				if e := s.Peek(db, k, now.Load()); e != nil && e.Type() == TypeString {
					s.GrowString(e, len(e.Str())+r.IntN(300))
				}
			case 9: // MOVE to another database of the shard
				dst := (db + 1) % 4
				if e := s.Peek(db, k, now.Load()); e != nil && s.Peek(dst, k, now.Load()) == nil {
					s.Unlink(db, e)
					s.Insert(dst, e)
				}
			case 10: // RENAME within the shard, keeping the value object
				if e := s.Peek(db, k, now.Load()); e != nil {
					dst := k + "{" + k + "}"
					if s2 := ks.ShardFor(dst); s2 == s && s.Peek(db, dst, now.Load()) == nil {
						n := Rekey(e, dst)
						s.Unlink(db, e)
						s.Insert(db, n)
					}
				}
			case 11:
				if r.IntN(40) == 0 {
					s.Flush(db)
				} else if r.IntN(40) == 0 {
					s.Swap(db, (db+1)%4)
				}
			case 12:
				now.Add(int64(r.IntN(300)))
				s.ActiveExpire(db, now.Load(), 50)
			case 13:
				s.Scan(db, 0, now.Load(), func(*Entry) {})
			}
			if r.IntN(2) == 0 {
				s.Settle() // the engine's path; the typed API's does not settle
			}
			s.Unlock()
			if step%97 == 0 {
				checkAccounting(t, ks, step)
			}
		}
		checkAccounting(t, ks, -1)
	}
}

// TestAccountingDeleteEverything checks that removing every key leaves
// only the tables' fixed cost, and flushing leaves nothing.
func TestAccountingDeleteEverything(t *testing.T) {
	var now atomic.Int64
	now.Store(ksT0)
	ks := newMemKeyspace(2, &now)
	ks.acct.flushThr = 0
	for i := range 5000 {
		k := "key:" + strconv.Itoa(i)
		s := ks.ShardFor(k)
		s.Lock()
		s.SetString(0, k, make([]byte, i%300), now.Load()+int64(i), false)
		s.Unlock()
	}
	if ks.UsedMemory() < 5000*(EntryBytes+8) {
		t.Fatalf("5000 keys accounted only %d bytes", ks.UsedMemory())
	}
	for i := range 5000 {
		k := "key:" + strconv.Itoa(i)
		s := ks.ShardFor(k)
		s.Lock()
		s.Delete(0, k, now.Load())
		s.Unlock()
	}
	checkAccounting(t, ks, 0)
	for i := range ks.shards {
		s := &ks.shards[i]
		s.Lock()
		s.Flush(0)
		s.Unlock()
	}
	if got := ks.UsedMemory(); got != 0 {
		t.Fatalf("after flush: %d bytes accounted", got)
	}
	if ks.UsedMemoryFast() != 0 {
		t.Fatalf("published %d after flush", ks.UsedMemoryFast())
	}
	if ks.PeakMemory() < 5000*EntryBytes {
		t.Fatalf("peak %d", ks.PeakMemory())
	}
}

// TestAccountingOnNextLookup: an aggregate changed under a lock released
// without Settle (the typed API's path) is accounted by its next lookup.
func TestAccountingOnNextLookup(t *testing.T) {
	var now atomic.Int64
	now.Store(ksT0)
	ks := newMemKeyspace(1, &now)
	s := ks.Shard(0)
	obj := &fakeObj{size: 100}
	s.Lock()
	s.Add(0, "l", TypeList, unsafe.Pointer(obj))
	obj.size = 5000 // filled after Add, as handlers do
	s.Unlock()
	for i, size := range []int{20000, 64} {
		s.Lock()
		before := s.acct.mem
		s.LookupWrite(0, "l", now.Load()) // accounts the previous change
		if s.acct.mem == before {
			t.Fatalf("step %d: the lookup accounted nothing", i)
		}
		obj.size = size // shows at the next lookup or Settle
		s.Unlock()
	}
	s.Lock()
	s.Settle()
	if want := recount(s.dbs[0]); s.dbs[0].used != want {
		t.Fatalf("accounted %d, recount %d", s.dbs[0].used, want)
	}
	// MOVE while noted: the change after the move is charged to the new
	// table only.
	s.LookupWrite(0, "l", now.Load())
	e := s.Peek(0, "l", now.Load())
	s.Unlink(0, e)
	s.Insert(1, e)
	s.Peek(1, "l", now.Load())
	obj.size = 30000
	s.Settle()
	for db := range 2 {
		if want := recount(s.dbs[db]); s.dbs[db].used != want {
			t.Fatalf("db %d: accounted %d, recount %d", db, s.dbs[db].used, want)
		}
	}
	s.Unlock()
}

func TestEntryMemory(t *testing.T) {
	var now atomic.Int64
	now.Store(ksT0)
	ks := newMemKeyspace(1, &now)
	s := ks.Shard(0)
	s.Lock()
	defer s.Unlock()
	e := s.SetString(0, "k", []byte("v"), 0, false)
	if got, want := s.EntryMemory(e), EntryBytes+8; got != want { // "kv" in an 8-byte class
		t.Errorf("string: %d, want %d", got, want)
	}
	s.SetExpire(0, e, ksT0+1000)
	if got, want := s.EntryMemory(e), EntryBytes+8+TTLBytes; got != want {
		t.Errorf("with TTL: %d, want %d", got, want)
	}
	l := s.Add(0, "list", TypeList, unsafe.Pointer(&fakeObj{size: 1000}))
	if got, want := s.EntryMemory(l), EntryBytes+8+1000; got != want {
		t.Errorf("aggregate: %d, want %d", got, want)
	}
}

func TestSampleTTL(t *testing.T) {
	var now atomic.Int64
	now.Store(ksT0)
	ks := newMemKeyspace(1, &now)
	s := ks.Shard(0)
	s.Lock()
	defer s.Unlock()
	for i := range 10 {
		s.SetString(0, "t"+strconv.Itoa(i), nil, ksT0+1000, false)
	}
	s.SetString(0, "p", nil, 0, false)
	sum, n := s.SampleTTL(0, ksT0, 16)
	if n != 10 || sum != 10*1000 {
		t.Fatalf("SampleTTL = %d over %d keys", sum, n)
	}
	if _, n := s.SampleTTL(0, ksT0, 4); n != 4 {
		t.Fatalf("sample of 4 covered %d", n)
	}
	if _, n := s.SampleTTL(1, ksT0, 4); n != 0 {
		t.Fatalf("empty db covered %d", n)
	}
}

// BenchmarkSetStringOverwrite is the keyspace side of SET on an existing
// key: it must not allocate.
func BenchmarkSetStringOverwrite(b *testing.B) {
	var now atomic.Int64
	now.Store(ksT0)
	ks := newMemKeyspace(1, &now)
	s := ks.Shard(0)
	v := make([]byte, 100)
	s.Lock()
	s.SetString(0, "key", v, 0, false)
	s.Unlock()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s.Lock()
		s.SetString(0, "key", v, 0, false)
		s.Unlock()
	}
}

// BenchmarkLookup is the keyspace side of GET.
func BenchmarkLookup(b *testing.B) {
	var now atomic.Int64
	now.Store(ksT0)
	ks := newMemKeyspace(1, &now)
	s := ks.Shard(0)
	s.Lock()
	s.SetString(0, "key", make([]byte, 100), 0, false)
	s.Unlock()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s.Lock()
		if s.Lookup(0, "key", ksT0) == nil {
			b.Fatal("missing")
		}
		s.Unlock()
	}
}
