package bench

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/kevydb/kevy"
)

// MemConfig configures shape d.
type MemConfig struct {
	// Keys is the number of keys "key:%08d" to store (10,000,000 in the
	// published shape).
	Keys int
	// TTL gives every key a one-hour TTL.
	TTL bool
	// Load is how long the steady GET/SET load runs after the memory
	// measurement; 0 skips it.
	Load time.Duration
	// Workers is the number of load goroutines; 0 means GOMAXPROCS.
	Workers int
	// SetPercent is the share of SETs in the load, 0..100.
	SetPercent int
	// AppendGet makes kevy's load read with AppendGet (no allocation)
	// instead of Get (one copy per read), when kevy has it.
	AppendGet bool
	// AfterBuild, when set, is called once the store is built and
	// measured, before the load (e.g. to write a heap profile).
	AfterBuild func()
}

// MemResult is what shape d measured for one store.
type MemResult struct {
	Store string // "kevy" or "map"
	Keys  int
	TTL   bool
	Build time.Duration // time to insert all keys from one goroutine

	// HeapBytes is HeapAlloc after a full GC with the store built, minus
	// HeapAlloc after a full GC before it; BytesPerKey is that per key.
	HeapBytes   uint64
	BytesPerKey float64
	// GCPerCycle is the GC CPU time of one forced full collection of the
	// built store (seconds): the marking cost of its heap.
	GCPerCycle float64

	// The steady load, when MemConfig.Load > 0.
	LoadOps     uint64        // operations done across workers
	LoadTime    time.Duration // wall time of the load
	GCCycles    uint64        // GC cycles that completed during the load
	GCCPU       float64       // /cpu/classes/gc/total:cpu-seconds of the cycles that ended during the load
	TotalCPU    float64       // GOMAXPROCS × load wall time (what /cpu/classes/total counts)
	AllocBytes  uint64        // bytes allocated during the load
	GCShare     float64       // GCCPU / TotalCPU
	Projected   float64       // steady-state GC share from allocation rate and GCPerCycle
	Description string        // how the store was driven
}

// Mops returns the load's throughput in millions of operations per second.
func (r MemResult) Mops() float64 {
	if r.LoadTime <= 0 {
		return 0
	}
	return float64(r.LoadOps) / r.LoadTime.Seconds() / 1e6
}

// KeyLen is the length of shape d's keys.
const KeyLen = 12

// PutKey writes "key:%08d" for i (0 <= i < 1e8) into k.
func PutKey(k *[KeyLen]byte, i int) {
	copy(k[:4], "key:")
	for j := KeyLen - 1; j >= 4; j-- {
		k[j] = byte('0' + i%10)
		i /= 10
	}
}

// putValue writes a 16-byte value distinct per key into v.
func putValue(v *[ValueSize]byte, i int) {
	copy(v[:], "val:")
	for j := ValueSize - 1; j >= 4; j-- {
		v[j] = byte('0' + i%10)
		i /= 10
	}
}

// viewKey views k as a string without copying. Only for calls that do
// not retain the key (kevy copies keys it stores; map lookups do not
// keep theirs).
func viewKey(k *[KeyLen]byte) string { return unsafe.String(&k[0], KeyLen) }

var memSamples = []metrics.Sample{
	{Name: "/cpu/classes/gc/total:cpu-seconds"},
	{Name: "/gc/cycles/total:gc-cycles"},
	{Name: "/gc/heap/allocs:bytes"},
}

type memSnap struct {
	gc     float64
	cycles uint64
	allocs uint64
}

func snap() memSnap {
	metrics.Read(memSamples)
	return memSnap{
		gc:     memSamples[0].Value.Float64(),
		cycles: memSamples[1].Value.Uint64(),
		allocs: memSamples[2].Value.Uint64(),
	}
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// memStore is what RunMem needs from a store. It is used once per key
// while building and once per operation under load, where the dynamic
// call costs the same for both stores.
type memStore interface {
	build(k *[KeyLen]byte, i int, v []byte)
	get(k *[KeyLen]byte, dst []byte) ([]byte, bool)
	set(k *[KeyLen]byte, v []byte)
	close()
}

type kevyMem struct {
	db  *kevy.DB
	ttl bool
	ag  appendGetter
}

func (s *kevyMem) build(k *[KeyLen]byte, _ int, v []byte) { s.set(k, v) }

func (s *kevyMem) set(k *[KeyLen]byte, v []byte) {
	if s.ttl {
		s.db.SetArgs(viewKey(k), v, kevy.SetOpts{TTL: TTL})
		return
	}
	s.db.Set(viewKey(k), v)
}

func (s *kevyMem) get(k *[KeyLen]byte, dst []byte) ([]byte, bool) {
	if s.ag != nil {
		v, err := s.ag.AppendGet(dst[:0], viewKey(k))
		return v, err == nil
	}
	v, err := s.db.Get(viewKey(k))
	return v, err == nil
}

func (s *kevyMem) close() { s.db.Close() }

// mapMem drives the baseline. Unlike shapes a-c, where the baseline keeps
// the caller's one shared value, here every key owns its key string and a
// private copy of its value, as a store must; an overwrite stores a fresh
// copy.
type mapMem struct {
	m   *MapStore
	tm  *TTLMapStore
	clk *Clock
}

func (s *mapMem) build(k *[KeyLen]byte, _ int, v []byte) { s.set(k, v) }

func (s *mapMem) set(k *[KeyLen]byte, v []byte) {
	if s.tm != nil {
		s.tm.Set(string(k[:]), bytes.Clone(v), TTL.Milliseconds())
		return
	}
	s.m.Set(string(k[:]), bytes.Clone(v))
}

func (s *mapMem) get(k *[KeyLen]byte, _ []byte) ([]byte, bool) {
	if s.tm != nil {
		return s.tm.Get(viewKey(k))
	}
	return s.m.Get(viewKey(k))
}

func (s *mapMem) close() {
	if s.clk != nil {
		s.clk.Stop()
	}
}

// RunMem runs shape d for store "kevy" or "map": it builds cfg.Keys keys,
// measures the heap they hold, then (if cfg.Load > 0) runs a steady
// random GET/SET load over all keys and measures the GC's CPU share.
// Run it in a process doing nothing else: the heap and CPU figures are
// process-wide.
func RunMem(store string, cfg MemConfig) (MemResult, error) {
	if cfg.Keys <= 0 || cfg.Keys > 1e8 {
		return MemResult{}, fmt.Errorf("bench: Keys must be in 1..100000000, got %d", cfg.Keys)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	res := MemResult{Store: store, Keys: cfg.Keys, TTL: cfg.TTL}
	debug.FreeOSMemory()
	base := heapAlloc()

	var s memStore
	switch store {
	case "kevy":
		db, err := kevy.Open("", nil)
		if err != nil {
			return res, err
		}
		ks := &kevyMem{db: db, ttl: cfg.TTL}
		res.Description = "kevy Get (copy)"
		if cfg.AppendGet {
			if ag, ok := any(db).(appendGetter); ok {
				ks.ag = ag
				res.Description = "kevy AppendGet"
			}
		}
		s = ks
	case "map":
		ms := &mapMem{}
		if cfg.TTL {
			ms.clk = NewClock()
			ms.tm = NewTTLMapStore(ms.clk)
		} else {
			ms.m = NewMapStore()
		}
		res.Description = "map+RWMutex, SET stores a fresh copy"
		s = ms
	default:
		return res, fmt.Errorf("bench: unknown store %q (want kevy or map)", store)
	}
	defer s.close()

	start := time.Now()
	var k [KeyLen]byte
	var v [ValueSize]byte
	for i := 0; i < cfg.Keys; i++ {
		PutKey(&k, i)
		putValue(&v, i)
		s.build(&k, i, v[:])
	}
	res.Build = time.Since(start)

	after := heapAlloc()
	if after > base {
		res.HeapBytes = after - base
	}
	res.BytesPerKey = float64(res.HeapBytes) / float64(cfg.Keys)
	before := snap()
	runtime.GC()
	res.GCPerCycle = snap().gc - before.gc

	// Check the store holds what was written before trusting its size.
	for _, i := range []int{0, cfg.Keys / 2, cfg.Keys - 1} {
		PutKey(&k, i)
		putValue(&v, i)
		got, ok := s.get(&k, make([]byte, 0, 32))
		if !ok || !bytes.Equal(got, v[:]) {
			return res, fmt.Errorf("bench: %s lost key %q after build", store, k[:])
		}
	}

	if cfg.AfterBuild != nil {
		cfg.AfterBuild()
	}
	if cfg.Load > 0 {
		runLoad(s, cfg, &res)
	}
	runtime.KeepAlive(s)
	return res, nil
}

// runLoad drives cfg.Workers goroutines doing random GET/SET over all the
// keys for cfg.Load and records throughput and GC figures.
func runLoad(s memStore, cfg MemConfig, res *MemResult) {
	var stop atomic.Bool
	var ops atomic.Uint64
	var wg sync.WaitGroup
	setThreshold := uint64(cfg.SetPercent) * (1 << 32) / 100
	s0 := snap()
	t0 := time.Now()
	for w := 0; w < cfg.Workers; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			x := seed*0x9e3779b97f4a7c15 | 1
			var k [KeyLen]byte
			dst := make([]byte, 0, 32)
			n := uint64(0)
			for {
				for j := 0; j < 1024; j++ {
					// xorshift64*
					x ^= x >> 12
					x ^= x << 25
					x ^= x >> 27
					r := x * 0x2545f4914f6cdd1d
					i := int((r >> 32) * uint64(cfg.Keys) >> 32)
					PutKey(&k, i)
					if r&0xffffffff < setThreshold {
						s.set(&k, Value)
					} else {
						dst, _ = s.get(&k, dst)
					}
				}
				n += 1024
				if stop.Load() {
					break
				}
			}
			ops.Add(n)
		}(uint64(w) + 1)
	}
	time.Sleep(cfg.Load)
	stop.Store(true)
	wg.Wait()
	res.LoadTime = time.Since(t0)
	s1 := snap()
	res.LoadOps = ops.Load()
	res.GCCycles = s1.cycles - s0.cycles
	res.GCCPU = s1.gc - s0.gc
	// The runtime folds CPU classes into its metrics when a cycle ends,
	// so /cpu/classes/total does not move in a window without a GC; its
	// definition (GOMAXPROCS integrated over wall time) is computed here.
	res.TotalCPU = float64(runtime.GOMAXPROCS(0)) * res.LoadTime.Seconds()
	res.AllocBytes = s1.allocs - s0.allocs
	if res.TotalCPU > 0 {
		res.GCShare = res.GCCPU / res.TotalCPU
	}
	// Projection: with GOGC=100 a cycle starts after allocating about the
	// live heap again, so cycles/s = alloc rate / heap; each costs about
	// GCPerCycle CPU-seconds out of GOMAXPROCS CPU-seconds per second.
	if res.HeapBytes > 0 {
		rate := float64(res.AllocBytes) / res.LoadTime.Seconds()
		cps := rate / float64(res.HeapBytes)
		res.Projected = cps * res.GCPerCycle / float64(runtime.GOMAXPROCS(0))
	}
}

// WriteMemTable prints shape d results as a Markdown table.
func WriteMemTable(w io.Writer, rs []MemResult) {
	fmt.Fprintln(w, "| store | keys | TTL | B/key | build s | GC s/full cycle | load Mops/s | GC cycles | GC CPU % | GC % projected | alloc MB/s |")
	fmt.Fprintln(w, "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rs {
		ttl := "no"
		if r.TTL {
			ttl = "1h"
		}
		rate := 0.0
		if r.LoadTime > 0 {
			rate = float64(r.AllocBytes) / r.LoadTime.Seconds() / 1e6
		}
		fmt.Fprintf(w, "| %s | %d | %s | %.1f | %.1f | %.2f | %.2f | %d | %.2f | %.2f | %.0f |\n",
			r.Store, r.Keys, ttl, r.BytesPerKey, r.Build.Seconds(), r.GCPerCycle,
			r.Mops(), r.GCCycles, 100*r.GCShare, 100*r.Projected, rate)
	}
}

// Machine describes where the figures come from: CPU model, core count,
// GOMAXPROCS and Go version.
func Machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, GOMAXPROCS=%d, %s %s/%s",
		model, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
