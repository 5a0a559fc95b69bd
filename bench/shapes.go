package bench

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy"
)

// ValueSize is the value length of every shape.
const ValueSize = 16

// Value is the 16-byte value every shape writes.
var Value = []byte("0123456789abcdef")

// TTL is the time to live of shape b's keys (and of shape d's TTL runs).
const TTL = time.Hour

// Key counts of the shapes. Both are powers of two so that the loops pick
// a key with a mask.
const (
	SmallKeys  = 256  // shapes a and b
	SharedKeys = 4096 // shape c
)

// Keys returns the n keys "k0".."k<n-1>", precomputed so that no shape
// measures key formatting.
func Keys(n int) []string {
	ks := make([]string, n)
	for i := range ks {
		ks[i] = "k" + strconv.Itoa(i)
	}
	return ks
}

// Shape is one benchmark shape, measured on kevy and on the baseline.
type Shape struct {
	// Group is the shape's letter in the issue: "a", "b" or "c", or
	// "floor" for the reference cost of locking and copying alone.
	Group string
	// Name is the operation, e.g. "GET" or "SET-2g" (2 goroutines).
	Name string
	// Goroutines is how many goroutines share the work.
	Goroutines int
	// Kevy measures kevy; Base measures the bare map baseline doing the
	// closest equivalent operation.
	Kevy, Base func(b *testing.B)
}

// appendGetter is the signature of kevy's allocation-free read. It is
// matched at run time so that this module builds whether or not the DB
// in ../ has the method yet.
type appendGetter interface {
	AppendGet(dst []byte, key string) ([]byte, error)
}

// HasAppendGet reports whether kevy.DB has AppendGet.
func HasAppendGet() bool {
	_, ok := any((*kevy.DB)(nil)).(appendGetter)
	return ok
}

// Shapes returns shapes a, b and c in order, with kevy opened with
// default options. AppendGet lines are present only when kevy has the
// method.
func Shapes() []Shape { return ShapesWith(nil) }

// ShapesWith is Shapes with kevy opened with opts (e.g. another shard
// count); nil means the defaults.
func ShapesWith(opts *kevy.Options) []Shape {
	ag := HasAppendGet()
	var s []Shape
	for _, ttl := range []bool{false, true} {
		g, suffix := "a", ""
		if ttl {
			g, suffix = "b", "+TTL"
		}
		s = append(s,
			Shape{g, "SET" + suffix, 1, kevySet(opts, SmallKeys, 1, ttl), mapSet(SmallKeys, 1, ttl)},
			Shape{g, "GET" + suffix, 1, kevyGet(opts, SmallKeys, 1, ttl, false), mapGet(SmallKeys, 1, ttl)},
		)
		if ag {
			s = append(s, Shape{g, "AppendGet" + suffix, 1, kevyGet(opts, SmallKeys, 1, ttl, true), mapGet(SmallKeys, 1, ttl)})
		}
	}
	for _, n := range []int{1, 2} {
		sfx := "-" + strconv.Itoa(n) + "g"
		s = append(s,
			Shape{"c", "GET" + sfx, n, kevyGet(opts, SharedKeys, n, false, false), mapGet(SharedKeys, n, false)},
			Shape{"c", "SET" + sfx, n, kevySet(opts, SharedKeys, n, false), mapSet(SharedKeys, n, false)},
		)
		if ag {
			s = append(s, Shape{"c", "AppendGet" + sfx, n, kevyGet(opts, SharedKeys, n, false, true), mapGet(SharedKeys, n, false)})
		}
	}
	// The floor of any design that locks and copies: a mutex round trip
	// and a fresh 16-byte copy per read, with no lookup at all.
	s = append(s, Shape{"floor", "lock+copy", 1, floorLockCopy, mapGet(SmallKeys, 1, false)})
	return s
}

// floorSink makes floorLockCopy's copies escape to the heap, as a GET's
// returned value does.
var floorSink []byte

// floorLockCopy measures a mutex lock/unlock plus a copy of Value into a
// new slice: what every GET that returns a caller-owned copy under a shard
// lock pays before it looks anything up.
func floorLockCopy(b *testing.B) {
	defer func() { floorSink = nil }()
	var mu sync.Mutex
	run(b, 1, 1, func(_, n int) int {
		total := 0
		for i := 0; i < n; i++ {
			mu.Lock()
			floorSink = append(make([]byte, 0, len(Value)), Value...)
			mu.Unlock()
			total += len(floorSink)
		}
		return total
	})
}

// cpuMark is the process and system CPU counters at a benchmark's start.
type cpuMark struct{ proc, sys time.Duration }

func markCPU() cpuMark { return cpuMark{ProcessCPU(), SystemBusy()} }

// report adds the throughput across all goroutines as an ops/s metric,
// and two measures of how much of the machine the run had:
//
//   - cores (multi-goroutine shapes): CPU this process used per second
//     of wall time; on 2 cores a 2-goroutine shape well under 2 was
//     sharing the machine or waiting on locks;
//   - others: CPU that other processes (and the hypervisor's steal) used
//     per second of wall time, from /proc/stat; a run with others above
//     ~0.1 was disturbed and its figure is not the machine's.
func report(b *testing.B, g int, m cpuMark) {
	s := b.Elapsed().Seconds()
	if s <= 0 {
		return
	}
	b.ReportMetric(float64(b.N)/s, "ops/s")
	proc := ProcessCPU()
	if proc == 0 || m.proc == 0 || s < 0.05 {
		return // too short for the OS's CPU accounting to mean anything
	}
	if g > 1 {
		b.ReportMetric((proc-m.proc).Seconds()/s, "cores")
	}
	if sys := SystemBusy(); sys > 0 && m.sys > 0 {
		b.ReportMetric(max(0, (sys-m.sys-(proc-m.proc)).Seconds()/s), "others")
	}
}

// run splits b.N operations over g goroutines and waits for them. body
// runs n operations starting at key offset start and returns the bytes
// it read (0 for writes). The timer covers only the goroutines' work.
// With g == 1 the body runs on the benchmark goroutine itself.
func run(b *testing.B, g, nkeys int, body func(start, n int) int) int {
	b.ReportAllocs()
	m := markCPU()
	b.ResetTimer()
	if g == 1 {
		total := body(0, b.N)
		b.StopTimer()
		report(b, g, m)
		return total
	}
	var wg sync.WaitGroup
	sums := make([]int, g)
	for id := 0; id < g; id++ {
		n := b.N / g
		if id == 0 {
			n += b.N % g
		}
		wg.Add(1)
		go func(id, n int) {
			defer wg.Done()
			sums[id] = body(id*nkeys/g, n)
		}(id, n)
	}
	wg.Wait()
	b.StopTimer()
	report(b, g, m)
	total := 0
	for _, v := range sums {
		total += v
	}
	return total
}

// checkRead fails the benchmark unless every one of b.N reads hit.
func checkRead(b *testing.B, got int) {
	if want := b.N * ValueSize; got != want {
		b.Fatalf("read %d bytes, want %d: some GETs missed", got, want)
	}
}

// openKevy opens an in-memory kevy with opts and fills every key once
// (the shapes are measured warm).
func openKevy(b *testing.B, opts *kevy.Options, keys []string, ttl bool) *kevy.DB {
	db, err := kevy.Open("", opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	for _, k := range keys {
		if ttl {
			_, _, err = db.SetArgs(k, Value, kevy.SetOpts{TTL: TTL})
		} else {
			err = db.Set(k, Value)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	return db
}

func kevySet(opts *kevy.Options, nkeys, g int, ttl bool) func(*testing.B) {
	return func(b *testing.B) {
		keys := Keys(nkeys)
		db := openKevy(b, opts, keys, ttl)
		mask := nkeys - 1
		if ttl {
			opts := kevy.SetOpts{TTL: TTL}
			run(b, g, nkeys, func(start, n int) int {
				for i := start; i < start+n; i++ {
					if _, _, err := db.SetArgs(keys[i&mask], Value, opts); err != nil {
						b.Error(err)
						return 0
					}
				}
				return 0
			})
			return
		}
		run(b, g, nkeys, func(start, n int) int {
			for i := start; i < start+n; i++ {
				if err := db.Set(keys[i&mask], Value); err != nil {
					b.Error(err)
					return 0
				}
			}
			return 0
		})
	}
}

func kevyGet(opts *kevy.Options, nkeys, g int, ttl, appendGet bool) func(*testing.B) {
	return func(b *testing.B) {
		keys := Keys(nkeys)
		db := openKevy(b, opts, keys, ttl)
		mask := nkeys - 1
		if appendGet {
			ag, ok := any(db).(appendGetter)
			if !ok {
				b.Skip("kevy.DB has no AppendGet")
			}
			checkRead(b, run(b, g, nkeys, func(start, n int) int {
				dst := make([]byte, 0, 64)
				total := 0
				for i := start; i < start+n; i++ {
					var err error
					dst, err = ag.AppendGet(dst[:0], keys[i&mask])
					if err != nil {
						b.Error(err)
						return 0
					}
					total += len(dst)
				}
				return total
			}))
			return
		}
		checkRead(b, run(b, g, nkeys, func(start, n int) int {
			total := 0
			for i := start; i < start+n; i++ {
				v, err := db.Get(keys[i&mask])
				if err != nil {
					b.Error(err)
					return 0
				}
				total += len(v)
			}
			return total
		}))
	}
}

func mapSet(nkeys, g int, ttl bool) func(*testing.B) {
	return func(b *testing.B) {
		keys := Keys(nkeys)
		mask := nkeys - 1
		if ttl {
			clk := NewClock()
			b.Cleanup(clk.Stop)
			m := NewTTLMapStore(clk)
			ttlMs := TTL.Milliseconds()
			for _, k := range keys {
				m.Set(k, Value, ttlMs)
			}
			run(b, g, nkeys, func(start, n int) int {
				for i := start; i < start+n; i++ {
					m.Set(keys[i&mask], Value, ttlMs)
				}
				return 0
			})
			return
		}
		m := NewMapStore()
		for _, k := range keys {
			m.Set(k, Value)
		}
		run(b, g, nkeys, func(start, n int) int {
			for i := start; i < start+n; i++ {
				m.Set(keys[i&mask], Value)
			}
			return 0
		})
	}
}

func mapGet(nkeys, g int, ttl bool) func(*testing.B) {
	return func(b *testing.B) {
		keys := Keys(nkeys)
		mask := nkeys - 1
		if ttl {
			clk := NewClock()
			b.Cleanup(clk.Stop)
			m := NewTTLMapStore(clk)
			ttlMs := TTL.Milliseconds()
			for _, k := range keys {
				m.Set(k, Value, ttlMs)
			}
			checkRead(b, run(b, g, nkeys, func(start, n int) int {
				total := 0
				for i := start; i < start+n; i++ {
					v, _ := m.Get(keys[i&mask])
					total += len(v)
				}
				return total
			}))
			return
		}
		m := NewMapStore()
		for _, k := range keys {
			m.Set(k, Value)
		}
		checkRead(b, run(b, g, nkeys, func(start, n int) int {
			total := 0
			for i := start; i < start+n; i++ {
				v, _ := m.Get(keys[i&mask])
				total += len(v)
			}
			return total
		}))
	}
}
