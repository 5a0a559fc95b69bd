package bench

import (
	"flag"
	"testing"
	"time"
)

var (
	memKeys = flag.Int("memkeys", 0, "run BenchmarkMem (shape d) with this many keys; 0 skips it")
	memLoad = flag.Duration("memload", 10*time.Second, "steady load duration of BenchmarkMem")
)

func benchGroup(b *testing.B, group string) {
	for _, s := range Shapes() {
		if s.Group != group {
			continue
		}
		b.Run(s.Name+"/kevy", s.Kevy)
		b.Run(s.Name+"/map", s.Base)
	}
}

// BenchmarkA is shape a: one goroutine, 256 keys, 16-byte values.
func BenchmarkA(b *testing.B) { benchGroup(b, "a") }

// BenchmarkB is shape b: shape a with a one-hour TTL on every key.
func BenchmarkB(b *testing.B) { benchGroup(b, "b") }

// BenchmarkC is shape c: 1 and 2 goroutines over 4096 keys.
func BenchmarkC(b *testing.B) { benchGroup(b, "c") }

// BenchmarkMem is shape d. It needs -memkeys (10000000 for the published
// figures) and reports bytes/key and the GC share as metrics; each
// sub-benchmark runs once whatever b.N is.
func BenchmarkMem(b *testing.B) {
	if *memKeys == 0 {
		b.Skip("shape d needs -memkeys N (e.g. -memkeys 10000000)")
	}
	for _, store := range []string{"kevy", "map"} {
		for _, ttl := range []bool{false, true} {
			name := store
			if ttl {
				name += "+TTL"
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				r, err := RunMem(store, MemConfig{Keys: *memKeys, TTL: ttl, Load: *memLoad, SetPercent: 50})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(r.BytesPerKey, "B/key")
				b.ReportMetric(100*r.GCShare, "gc%")
				b.ReportMetric(r.Mops(), "Mops/s")
			})
		}
	}
}

func TestKeys(t *testing.T) {
	ks := Keys(SharedKeys)
	seen := make(map[string]bool, len(ks))
	for _, k := range ks {
		if seen[k] {
			t.Fatalf("duplicate key %q", k)
		}
		seen[k] = true
	}
	for _, tc := range []struct {
		i    int
		want string
	}{{0, "k0"}, {255, "k255"}, {4095, "k4095"}} {
		if ks[tc.i] != tc.want {
			t.Errorf("Keys[%d] = %q, want %q", tc.i, ks[tc.i], tc.want)
		}
	}
	if len(Value) != ValueSize {
		t.Fatalf("Value is %d bytes, want %d", len(Value), ValueSize)
	}
}

func TestPutKeyAndValue(t *testing.T) {
	for _, tc := range []struct {
		i          int
		key, value string
	}{
		{0, "key:00000000", "val:000000000000"},
		{42, "key:00000042", "val:000000000042"},
		{9_999_999, "key:09999999", "val:000009999999"},
		{99_999_999, "key:99999999", "val:000099999999"},
	} {
		var k [KeyLen]byte
		var v [ValueSize]byte
		PutKey(&k, tc.i)
		putValue(&v, tc.i)
		if string(k[:]) != tc.key || string(v[:]) != tc.value {
			t.Errorf("%d: key %q value %q, want %q %q", tc.i, k[:], v[:], tc.key, tc.value)
		}
	}
}

func TestMapStore(t *testing.T) {
	m := NewMapStore()
	for _, tc := range []struct {
		op, key, val string
		want         string
		ok           bool
	}{
		{"get", "a", "", "", false},
		{"set", "a", "1", "", false},
		{"get", "a", "", "1", true},
		{"set", "a", "22", "", false},
		{"get", "a", "", "22", true},
		{"get", "b", "", "", false},
	} {
		if tc.op == "set" {
			m.Set(tc.key, []byte(tc.val))
			continue
		}
		v, ok := m.Get(tc.key)
		if ok != tc.ok || string(v) != tc.want {
			t.Errorf("Get(%q) = %q, %v; want %q, %v", tc.key, v, ok, tc.want, tc.ok)
		}
	}
	if m.Len() != 1 {
		t.Fatalf("Len = %d, want 1", m.Len())
	}
}

func TestTTLMapStoreExpiry(t *testing.T) {
	clk := newFixedClock(1_000_000)
	m := NewTTLMapStore(clk)
	m.Set("k", []byte("v"), 100)
	for _, tc := range []struct {
		now int64
		ok  bool
	}{
		{1_000_000, true},
		{1_000_099, true},
		{1_000_100, false}, // the deadline itself is expired, as in Redis
		{1_000_500, false},
	} {
		clk.set(tc.now)
		v, ok := m.Get("k")
		if ok != tc.ok || (ok && string(v) != "v") {
			t.Errorf("at %d: Get = %q, %v; want ok=%v", tc.now, v, ok, tc.ok)
		}
	}
	m.Set("k", []byte("w"), 100) // a SET renews the deadline
	if v, ok := m.Get("k"); !ok || string(v) != "w" {
		t.Fatalf("after renewal: Get = %q, %v", v, ok)
	}
	if m.Len() != 1 {
		t.Fatalf("Len = %d, want 1", m.Len())
	}
}

func TestClockTicks(t *testing.T) {
	c := NewClock()
	defer c.Stop()
	if d := time.Now().UnixMilli() - c.NowMs(); d < 0 || d > 1000 {
		t.Fatalf("clock is %d ms off", d)
	}
}

func TestShapesList(t *testing.T) {
	want := map[string]int{"a": 2, "b": 2, "c": 4}
	if HasAppendGet() {
		want = map[string]int{"a": 3, "b": 3, "c": 6}
	}
	got := map[string]int{}
	for _, s := range Shapes() {
		got[s.Group]++
		if s.Kevy == nil || s.Base == nil || s.Goroutines < 1 {
			t.Errorf("shape %s %s is incomplete", s.Group, s.Name)
		}
	}
	for g, n := range want {
		if got[g] != n {
			t.Errorf("group %s has %d shapes, want %d", g, got[g], n)
		}
	}
}

// TestRunMemSmall runs shape d on a small key count to check that both
// stores hold every key, that the accounting is plausible and that the
// load runs.
func TestRunMemSmall(t *testing.T) {
	const keys = 50_000
	for _, tc := range []struct {
		store string
		ttl   bool
	}{{"kevy", false}, {"kevy", true}, {"map", false}, {"map", true}} {
		r, err := RunMem(tc.store, MemConfig{Keys: keys, TTL: tc.ttl, Load: 50 * time.Millisecond, SetPercent: 50})
		if err != nil {
			t.Fatalf("%s ttl=%v: %v", tc.store, tc.ttl, err)
		}
		// A key and a 16-byte value cannot take less than 28 bytes; more
		// than 1 KiB per key would mean the measurement is broken.
		if r.BytesPerKey < 28 || r.BytesPerKey > 1024 {
			t.Errorf("%s ttl=%v: %.1f B/key is implausible", tc.store, tc.ttl, r.BytesPerKey)
		}
		if r.LoadOps == 0 || r.TotalCPU <= 0 {
			t.Errorf("%s ttl=%v: load did nothing: %+v", tc.store, tc.ttl, r)
		}
	}
	if _, err := RunMem("nope", MemConfig{Keys: 1}); err == nil {
		t.Error("unknown store accepted")
	}
	if _, err := RunMem("kevy", MemConfig{Keys: 0}); err == nil {
		t.Error("zero keys accepted")
	}
}
