package keyspace

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/kevydb/kevy/internal/clock"
)

// snapObj is the value object of the test's aggregate keys (TypeList): a
// slice changed in place, as command handlers change real objects.
type snapObj struct{ items []string }

// render is an entry's value and deadline as text.
func render(e *Entry) string {
	v := ""
	if e.Type() == TypeString {
		v = "s:" + string(e.Str())
	} else {
		v = "l:" + strings.Join((*snapObj)(e.Obj()).items, ",")
	}
	if e.Expire() != 0 {
		v += "@" + strconv.FormatInt(e.Expire(), 10)
	}
	return v
}

// imageSink records what a snapshot hands over, failing on a key given
// twice.
type imageSink struct {
	t     *testing.T
	got   map[string]string
	begun map[int]int
}

func (k *imageSink) BeginDB(db, keys, _ int) { k.begun[db] = keys }

func (k *imageSink) Entry(db int, e *Entry) {
	id := strconv.Itoa(db) + "/" + e.Key()
	if _, dup := k.got[id]; dup {
		k.t.Errorf("key %s saved twice", id)
	}
	k.got[id] = render(e)
}

// image returns the live keys of every database of s at now (lock held).
func image(s *Shard, now int64) map[string]string {
	m := map[string]string{}
	for db := range s.dbs {
		s.Each(db, now, func(e *Entry) bool {
			m[strconv.Itoa(db)+"/"+e.Key()] = render(e)
			return true
		})
	}
	return m
}

// checkMarks fails unless every entry of s carries the shard's mark.
func checkMarks(t *testing.T, s *Shard, when string) {
	t.Helper()
	for db, tb := range s.dbs {
		if tb == nil {
			continue
		}
		tb.keys.each(func(e *Entry) bool {
			if e.capm&markBit != s.mark {
				t.Fatalf("%s: db %d key %q does not carry the shard's mark", when, db, e.Key())
			}
			return true
		})
	}
}

func TestEntryStaysSmall(t *testing.T) {
	if n := unsafe.Sizeof(Entry{}); n != 48 {
		t.Fatalf("Entry is %d bytes, want 48 (one size class)", n)
	}
}

// TestSnapshotImageUnderMutation checks that a snapshot hands over exactly
// the image of the shard at its start while every kind of mutation runs
// between its steps.
func TestSnapshotImageUnderMutation(t *testing.T) {
	cases := []struct {
		name        string
		keys, batch int
		flushEvery  int // a FLUSHDB/SWAPDB about every that many mutations (0: never)
		discard     bool
	}{
		{"tiny batches", 600, 4, 0, false},
		{"flush and swap", 600, 8, 20, false},
		{"big batches", 3000, 256, 0, false},
		{"rehash heavy", 50, 2, 0, false},
		{"discarded then again", 800, 16, 0, true},
	}
	for ci, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var now atomic.Int64
			now.Store(ksT0)
			ks := New(Config{Shards: 1, Databases: 3, Clock: clock.FromFunc(now.Load)})
			s := ks.Shard(0)
			rnd := rand.New(rand.NewPCG(uint64(ci), 7))
			key := func() string { return "k" + strconv.Itoa(rnd.IntN(tc.keys)) }
			s.Lock()
			defer s.Unlock()
			mutate := func() {
				db := rnd.IntN(3)
				k := key()
				n := now.Load()
				switch op := rnd.IntN(16); op {
				case 0, 1: // SET, possibly replacing an aggregate
					var dl int64
					if rnd.IntN(4) == 0 {
						dl = n + int64(rnd.IntN(50))
					}
					s.SetString(db, k, []byte("v"+strconv.Itoa(rnd.IntN(1000))), dl, rnd.IntN(2) == 0)
				case 2: // APPEND, through a write lookup or not
					e := s.Peek(db, k, n)
					if rnd.IntN(2) == 0 {
						e = s.LookupWrite(db, k, n)
					}
					if e != nil && e.Type() == TypeString {
						old := len(e.Str())
						copy(s.GrowString(e, old+3)[old:], "abc")
					}
				case 3: // an aggregate changed in place after a read lookup
					if e := s.Peek(db, k, n); e != nil && e.Type() == TypeList {
						o := (*snapObj)(e.Obj())
						o.items = append(o.items, "x"+strconv.Itoa(rnd.IntN(9)))
					}
				case 4: // a new aggregate (or over a stale key)
					if s.Peek(db, k, n) == nil {
						s.Add(db, k, TypeList, unsafe.Pointer(&snapObj{items: []string{"a"}}))
					}
				case 5:
					s.Delete(db, k, n)
				case 6: // EXPIRE / PERSIST, through a write lookup or not
					e := s.Peek(db, k, n)
					if rnd.IntN(2) == 0 {
						e = s.LookupWrite(db, k, n)
					}
					if e != nil {
						if rnd.IntN(3) == 0 {
							s.SetExpire(db, e, 0)
						} else {
							s.SetExpire(db, e, n+int64(rnd.IntN(40)))
						}
					}
				case 7: // MOVE
					to := (db + 1) % 3
					if e := s.Peek(db, k, n); e != nil && s.Peek(to, k, n) == nil {
						s.Unlink(db, e)
						s.Insert(to, e)
					}
				case 8: // RENAME
					k2 := key()
					if e := s.Peek(db, k, n); e != nil && k2 != k {
						if old := s.Peek(db, k2, n); old != nil {
							s.Unlink(db, old)
						}
						r := Rekey(e, k2)
						s.Unlink(db, e)
						s.Insert(db, r)
					}
				case 9: // time passes: lazy and active expiry
					now.Add(int64(rnd.IntN(5)))
					s.ActiveExpire(db, now.Load(), 20)
				case 10: // an aggregate emptied and deleted
					if e := s.LookupWrite(db, k, n); e != nil && e.Type() == TypeList {
						(*snapObj)(e.Obj()).items = nil
						s.Unlink(db, e)
					}
				case 11:
					if tc.flushEvery > 0 && rnd.IntN(tc.flushEvery) == 0 {
						s.Flush(db)
					}
				case 12:
					if tc.flushEvery > 0 && rnd.IntN(tc.flushEvery) == 0 {
						s.Swap(db, (db+1)%3)
					}
				default: // reads change nothing
					s.Lookup(db, k, n)
				}
			}
			for range tc.keys * 2 {
				mutate()
			}
			for round := range 3 {
				snapNow := now.Load()
				want := image(s, snapNow)
				sink := &imageSink{t: t, got: map[string]string{}, begun: map[int]int{}}
				sn := s.BeginSnapshot(snapNow, sink)
				if !s.SnapshotRunning() && len(want) > 0 {
					t.Fatal("no snapshot running")
				}
				discard := tc.discard && round == 0
				steps := 0
				for !sn.Step(tc.batch) {
					if discard && steps == 3 {
						sn.Discard()
					}
					for range 1 + rnd.IntN(tc.batch) {
						mutate()
					}
					steps++
				}
				if s.SnapshotRunning() {
					t.Fatal("snapshot still running after the walk")
				}
				checkMarks(t, s, fmt.Sprintf("round %d", round))
				if discard {
					continue
				}
				if !maps.Equal(sink.got, want) {
					t.Fatalf("round %d: the snapshot differs from the image at its start:\n%s", round, diffImages(want, sink.got))
				}
				if len(want) > 0 && steps == 0 && tc.batch < 100 {
					t.Fatalf("round %d: the walk took a single step", round)
				}
			}
		})
	}
}

func diffImages(want, got map[string]string) string {
	var b strings.Builder
	keys := slices.Sorted(maps.Keys(want))
	for _, k := range keys {
		if g, ok := got[k]; !ok {
			fmt.Fprintf(&b, "missing %s = %s\n", k, want[k])
		} else if g != want[k] {
			fmt.Fprintf(&b, "%s = %s, want %s\n", k, g, want[k])
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			fmt.Fprintf(&b, "extra %s = %s\n", k, g)
		}
	}
	return b.String()
}

// TestSnapshotEmptyShard: a shard without keys completes at once.
func TestSnapshotEmptyShard(t *testing.T) {
	ks := newTestKeyspace(1)
	s := ks.Shard(0)
	s.Lock()
	defer s.Unlock()
	sink := &imageSink{t: t, got: map[string]string{}, begun: map[int]int{}}
	sn := s.BeginSnapshot(ksT0, sink)
	if !sn.Step(10) || !sn.Done() || s.SnapshotRunning() || len(sink.got) != 0 {
		t.Fatal("a snapshot of an empty shard did not complete at once")
	}
}

// BenchmarkSnapshotWalk measures the walk of 1M small string keys.
func BenchmarkSnapshotWalk(b *testing.B) {
	ks := newTestKeyspace(1)
	s := ks.Shard(0)
	s.Lock()
	defer s.Unlock()
	for i := range 1_000_000 {
		s.SetString(0, "key:"+strconv.Itoa(i), []byte("value-"+strconv.Itoa(i)), 0, false)
	}
	var sink countSink
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		sn := s.BeginSnapshot(ksT0, &sink)
		for !sn.Step(1024) {
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ns/key")
}

// countSink counts keys and reads their bytes, like an encoder would.
type countSink struct {
	n   int
	sum byte
}

func (c *countSink) BeginDB(int, int, int) {}

func (c *countSink) Entry(_ int, e *Entry) {
	c.n++
	k, v := e.Key(), e.Str()
	c.sum ^= k[len(k)-1] ^ v[len(v)-1]
}
