package dict

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"unsafe"
)

// checkInvariants verifies the internal counters and table placement.
func checkInvariants[V any](t *testing.T, d *Dict[V], ctx string) {
	t.Helper()
	count := func(tab []*entry[V], from int) int {
		n := 0
		for i, e := range tab {
			for ; e != nil; e = e.next {
				if i < from {
					t.Fatalf("%s: entry %q in already migrated bucket %d", ctx, e.key, i)
				}
				if hashKey(e.key)&uint64(len(tab)-1) != uint64(i) {
					t.Fatalf("%s: entry %q in wrong bucket %d", ctx, e.key, i)
				}
				n++
			}
		}
		return n
	}
	from := 0
	if d.t1 != nil {
		from = d.idx
	}
	if got := count(d.t0, from); got != d.n0 {
		t.Fatalf("%s: t0 holds %d entries, n0=%d", ctx, got, d.n0)
	}
	if got := count(d.t1, 0); got != d.n1 {
		t.Fatalf("%s: t1 holds %d entries, n1=%d", ctx, got, d.n1)
	}
	if d.t1 == nil && d.n1 != 0 {
		t.Fatalf("%s: n1=%d without t1", ctx, d.n1)
	}
	for _, tab := range [][]*entry[V]{d.t0, d.t1} {
		if l := len(tab); l != 0 && (l < minBuckets || l&(l-1) != 0) {
			t.Fatalf("%s: bad table size %d", ctx, l)
		}
	}
}

// fullScan runs a complete scan with no interleaved mutation and returns
// how often each key was reported.
func fullScan[V any](d *Dict[V]) map[string]int {
	seen := map[string]int{}
	c := uint64(0)
	for {
		c = d.Scan(c, func(k string, _ V) { seen[k]++ })
		if c == 0 {
			return seen
		}
	}
}

func TestRandomOpsVsMap(t *testing.T) {
	tests := []struct {
		name     string
		seed     uint64
		keySpace int
		ops      int
		hint     int
		setPct   int // percentage of mutations that are Set (rest Delete)
	}{
		{"tiny", 1, 8, 5000, 0, 60},
		{"small-churn", 2, 64, 20000, 0, 50},
		{"grow-heavy", 3, 5000, 30000, 0, 80},
		{"shrink-heavy", 4, 5000, 40000, 0, 35},
		{"hinted", 5, 2000, 20000, 1000, 55},
		{"huge-hint", 6, 100, 5000, 1 << 30, 50},
		{"balanced", 7, 20000, 60000, 0, 50},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(tc.seed, 42))
			d := New[int](tc.hint)
			ref := map[string]int{}
			fail := func(format string, args ...any) {
				t.Helper()
				t.Fatalf("seed=%d: %s", tc.seed, fmt.Sprintf(format, args...))
			}
			for i := range tc.ops {
				k := "key:" + strconv.Itoa(r.IntN(tc.keySpace))
				switch op := r.IntN(100); {
				case op < 40:
					// Bias mutations so the table both grows and shrinks
					// over time.
					phaseSet := tc.setPct
					if (i/(tc.ops/6))%2 == 1 {
						phaseSet = 100 - tc.setPct
					}
					if r.IntN(100) < phaseSet {
						_, had := ref[k]
						if added := d.Set(k, i); added == had {
							fail("op %d Set(%q) added=%v, had=%v", i, k, added, had)
						}
						ref[k] = i
					} else {
						want, had := ref[k]
						got, ok := d.Delete(k)
						if ok != had || got != want {
							fail("op %d Delete(%q)=(%d,%v) want (%d,%v)", i, k, got, ok, want, had)
						}
						delete(ref, k)
					}
				case op < 80:
					want, had := ref[k]
					got, ok := d.Get(k)
					if ok != had || got != want {
						fail("op %d Get(%q)=(%d,%v) want (%d,%v)", i, k, got, ok, want, had)
					}
					if d.Has(k) != had {
						fail("op %d Has(%q) != %v", i, k, had)
					}
				case op < 90:
					p := d.GetPtr(k)
					if _, had := ref[k]; (p != nil) != had {
						fail("op %d GetPtr(%q) nil=%v, had=%v", i, k, p == nil, had)
					}
					if p != nil {
						*p = -i
						ref[k] = -i
					}
				default:
					if d.Len() != len(ref) {
						fail("op %d Len=%d want %d", i, d.Len(), len(ref))
					}
				}
				if i%997 == 0 {
					checkInvariants(t, d, fmt.Sprintf("seed=%d op=%d", tc.seed, i))
					got := map[string]int{}
					for k, v := range d.All() {
						if _, dup := got[k]; dup {
							fail("All yielded %q twice", k)
						}
						got[k] = v
					}
					if len(got) != len(ref) {
						fail("All yielded %d elements, want %d", len(got), len(ref))
					}
					for k, v := range ref {
						if got[k] != v {
							fail("All: %q=%d want %d", k, got[k], v)
						}
					}
				}
			}
			checkInvariants(t, d, fmt.Sprintf("seed=%d final", tc.seed))
		})
	}
}

func TestScanNoResizeExactlyOnce(t *testing.T) {
	for _, n := range []int{0, 1, 3, 4, 5, 100, 1000, 4097} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			d := New[int](0)
			for i := range n {
				d.Set("k"+strconv.Itoa(i), i)
			}
			// Also covers the mid-rehash state when the last insertion
			// triggered a resize.
			seen := fullScan(d)
			if len(seen) != n {
				t.Fatalf("scan saw %d distinct keys, want %d", len(seen), n)
			}
			for k, c := range seen {
				if c != 1 {
					t.Fatalf("key %q reported %d times", k, c)
				}
			}
		})
	}
}

func TestScanArbitraryCursor(t *testing.T) {
	d := New[int](0)
	for i := range 100 {
		d.Set(strconv.Itoa(i), i)
	}
	for _, c := range []uint64{1, 12345, math.MaxUint64, 1 << 63} {
		steps := 0
		for {
			c = d.Scan(c, func(string, int) {})
			steps++
			if c == 0 {
				break
			}
			if steps > 1000 {
				t.Fatalf("scan from arbitrary cursor did not terminate")
			}
		}
	}
	if got := New[int](0).Scan(77, func(string, int) { t.Fatal("callback on empty dict") }); got != 0 {
		t.Fatalf("Scan on empty dict returned %d, want 0", got)
	}
}

// TestScanGuarantee checks the SCAN contract: every element present for the
// whole scan is reported at least once while other keys are inserted and
// deleted between calls, making the table grow, shrink and rehash.
func TestScanGuarantee(t *testing.T) {
	type pattern int
	const (
		grow pattern = iota
		shrink
		oscillate
		churn
	)
	patterns := []struct {
		name string
		p    pattern
	}{{"grow", grow}, {"shrink", shrink}, {"oscillate", oscillate}, {"churn", churn}}
	sizes := []int{1, 7, 64, 300, 2000}
	for _, pt := range patterns {
		for _, n := range sizes {
			for seed := uint64(1); seed <= 12; seed++ {
				name := fmt.Sprintf("%s/n=%d/seed=%d", pt.name, n, seed)
				t.Run(name, func(t *testing.T) {
					scanGuaranteeCase(t, pt.p == grow, pt.p == shrink, pt.p == oscillate, n, seed)
				})
			}
		}
	}
}

func scanGuaranteeCase(t *testing.T, grow, shrink, oscillate bool, n int, seed uint64) {
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	d := New[string](0)
	stable := map[string]bool{}
	for i := range n {
		k := "k" + strconv.Itoa(i)
		d.Set(k, k)
		stable[k] = true
	}
	others := []string{}
	nextOther := 0
	addOther := func() {
		k := "o" + strconv.Itoa(nextOther)
		nextOther++
		d.Set(k, k)
		others = append(others, k)
	}
	delOther := func() {
		if len(others) == 0 {
			return
		}
		i := r.IntN(len(others))
		k := others[i]
		others[i] = others[len(others)-1]
		others = others[:len(others)-1]
		if _, ok := d.Delete(k); !ok {
			t.Fatalf("seed=%d: other key %q missing", seed, k)
		}
	}
	if shrink {
		for range 20*n + 200 {
			addOther()
		}
	}
	// Start some scans mid-rehash.
	for range r.IntN(3 * (n + 4)) {
		addOther()
	}

	growing := true
	sizesSeen := map[int]bool{}
	sawRehash := false
	seen := map[string]bool{}
	cursor := uint64(0)
	steps := 0
	for {
		cursor = d.Scan(cursor, func(k string, v string) {
			if k != v {
				t.Fatalf("seed=%d: key %q has value %q", seed, k, v)
			}
			seen[k] = true
		})
		if cursor == 0 {
			break
		}
		steps++
		if steps > 1_000_000 {
			t.Fatalf("seed=%d: scan did not terminate", seed)
		}
		// Mutate other keys between calls.
		ops := 1 + r.IntN(8+n/64)
		for range ops {
			switch {
			case grow:
				// Bounded growth: a table growing without limit faster
				// than the scan advances would keep it from finishing.
				if len(others) < 16*n+64 {
					addOther()
				}
			case shrink:
				delOther()
				delOther()
			case oscillate:
				// Grow to many times the stable size, then delete all
				// other keys (which shrinks the table), and repeat.
				if len(others) == 0 {
					growing = true
				} else if len(others) >= 12*n+64 {
					growing = false
				}
				if growing {
					addOther()
					addOther()
				} else {
					delOther()
					delOther()
					delOther()
				}
			default:
				if r.IntN(2) == 0 {
					addOther()
				} else {
					delOther()
				}
			}
		}
		// Occasionally delete a stable key: it no longer needs reporting.
		if n > 1 && r.IntN(50) == 0 {
			k := "k" + strconv.Itoa(r.IntN(n))
			if stable[k] {
				d.Delete(k)
				delete(stable, k)
			}
		}
		sizesSeen[len(d.t0)] = true
		if d.rehashing() {
			sawRehash = true
		}
	}
	for k := range stable {
		if !seen[k] {
			t.Fatalf("seed=%d n=%d: key %q present for the whole scan was not reported (steps=%d, sizes seen %v)",
				seed, n, k, steps, sizesSeen)
		}
	}
	checkInvariants(t, d, fmt.Sprintf("seed=%d", seed))
	if (grow || shrink || oscillate) && n >= 300 {
		if len(sizesSeen) < 2 || !sawRehash {
			t.Fatalf("seed=%d: table was not resized during the scan (sizes %v, rehash %v)", seed, sizesSeen, sawRehash)
		}
	}
}

// TestScanResizeBetweenEveryCall exercises extreme resizes between calls:
// the table jumps between very different sizes.
func TestScanResizeBetweenEveryCall(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		d := New[int](0)
		const n = 300
		for i := range n {
			d.Set("s"+strconv.Itoa(i), i)
		}
		seen := map[string]bool{}
		cursor := uint64(0)
		extra := 0
		for steps := 0; ; steps++ {
			cursor = d.Scan(cursor, func(k string, _ int) { seen[k] = true })
			if cursor == 0 {
				break
			}
			if steps > 100000 {
				t.Fatalf("seed=%d: no termination", seed)
			}
			if r.IntN(2) == 0 {
				for range r.IntN(1500) {
					d.Set("x"+strconv.Itoa(extra), 0)
					extra++
				}
			} else {
				for i := range extra {
					d.Delete("x" + strconv.Itoa(i))
				}
				extra = 0
			}
		}
		for i := range n {
			if k := "s" + strconv.Itoa(i); !seen[k] {
				t.Fatalf("seed=%d: key %q missed", seed, k)
			}
		}
	}
}

// chiSquare returns the chi-square statistic of counts against a uniform
// expectation.
func chiSquare(counts map[string]int, n, samples int) float64 {
	exp := float64(samples) / float64(n)
	var x float64
	for _, c := range counts {
		diff := float64(c) - exp
		x += diff * diff / exp
	}
	// Keys never drawn contribute exp each.
	x += float64(n-len(counts)) * exp
	return x
}

func TestRandomKeyUniform(t *testing.T) {
	tests := []struct {
		name    string
		build   func() *Dict[int]
		perKey  int
		useNilR bool
	}{
		{"tiny", func() *Dict[int] { return filled(3, 0) }, 2000, false},
		{"full-load", func() *Dict[int] { return filled(1024, 0) }, 300, false},
		{"half-load", func() *Dict[int] { return filled(1025, 0) }, 300, false},
		{"mid-rehash", func() *Dict[int] {
			d := filled(1024, 0)
			for i := range 100 {
				d.Set("extra"+strconv.Itoa(i), 0)
			}
			return d
		}, 300, false},
		{"sparse-hint", func() *Dict[int] { return filled(40, 1<<14) }, 1000, false},
		{"after-deletes", func() *Dict[int] {
			d := filled(4000, 0)
			for i := 500; i < 4000; i++ {
				d.Delete("key" + strconv.Itoa(i))
			}
			return d
		}, 300, false},
		{"global-rand", func() *Dict[int] { return filled(200, 0) }, 500, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.build()
			n := d.Len()
			samples := n * tc.perKey
			var r *rand.Rand
			if !tc.useNilR {
				r = rand.New(rand.NewPCG(99, uint64(n)))
			}
			counts := map[string]int{}
			for range samples {
				k, v, ok := d.RandomKey(r)
				if !ok {
					t.Fatal("RandomKey on non-empty dict returned ok=false")
				}
				if got, _ := d.Get(k); got != v {
					t.Fatalf("RandomKey returned value %d for %q, stored %d", v, k, got)
				}
				counts[k]++
			}
			if len(counts) != n {
				t.Fatalf("only %d of %d keys ever returned", len(counts), n)
			}
			df := float64(n - 1)
			x := chiSquare(counts, n, samples)
			// Mean df, standard deviation sqrt(2 df); allow a generous
			// margin for the rare long-chain bias.
			t.Logf("chi2=%.1f df=%.0f", x, df)
			if limit := df + 8*math.Sqrt(2*df) + 10; x > limit {
				t.Fatalf("chi-square %.1f exceeds %.1f (n=%d)", x, limit, n)
			}
		})
	}
	if _, _, ok := New[int](0).RandomKey(nil); ok {
		t.Fatal("RandomKey on empty dict returned ok=true")
	}
}

// filled returns a dict with keys key0..key{n-1} and values 0..n-1.
func filled(n, hint int) *Dict[int] {
	d := New[int](hint)
	for i := range n {
		d.Set("key"+strconv.Itoa(i), i)
	}
	return d
}

func TestGetPtr(t *testing.T) {
	type pair struct{ a, b int }
	d := New[pair](0)
	if p := d.GetPtr("missing"); p != nil {
		t.Fatal("GetPtr on empty dict returned non-nil")
	}
	for i := range 100 {
		d.Set(strconv.Itoa(i), pair{i, i})
	}
	tests := []struct {
		key  string
		want bool
	}{{"0", true}, {"57", true}, {"99", true}, {"100", false}, {"", false}}
	for _, tc := range tests {
		p := d.GetPtr(tc.key)
		if (p != nil) != tc.want {
			t.Fatalf("GetPtr(%q) non-nil=%v, want %v", tc.key, p != nil, tc.want)
		}
		if p == nil {
			continue
		}
		p.b += 1000
		if got, _ := d.Get(tc.key); got.b != p.a+1000 {
			t.Fatalf("update through GetPtr(%q) not visible: %+v", tc.key, got)
		}
	}
	// Overwrite through Set is visible through a fresh pointer.
	d.Set("57", pair{1, 2})
	if p := d.GetPtr("57"); *p != (pair{1, 2}) {
		t.Fatalf("GetPtr after Set = %+v", *p)
	}
	d.Delete("57")
	if d.GetPtr("57") != nil {
		t.Fatal("GetPtr after Delete returned non-nil")
	}
}

func TestSetDeleteReturnValues(t *testing.T) {
	d := New[string](0)
	steps := []struct {
		op, key, val string
		wantOK       bool
		wantOld      string
	}{
		{"set", "a", "1", true, ""},
		{"set", "a", "2", false, ""},
		{"set", "", "empty", true, ""},
		{"del", "a", "", true, "2"},
		{"del", "a", "", false, ""},
		{"del", "", "", true, "empty"},
		{"del", "never", "", false, ""},
	}
	for i, s := range steps {
		switch s.op {
		case "set":
			if got := d.Set(s.key, s.val); got != s.wantOK {
				t.Fatalf("step %d: Set(%q) added=%v want %v", i, s.key, got, s.wantOK)
			}
		case "del":
			old, ok := d.Delete(s.key)
			if ok != s.wantOK || old != s.wantOld {
				t.Fatalf("step %d: Delete(%q)=(%q,%v) want (%q,%v)", i, s.key, old, ok, s.wantOld, s.wantOK)
			}
		}
	}
	if d.Len() != 0 {
		t.Fatalf("Len=%d want 0", d.Len())
	}
}

func TestResizeBehaviour(t *testing.T) {
	d := New[int](0)
	if d.t0 != nil {
		t.Fatal("New(0) allocated buckets")
	}
	d.Set("a", 1)
	if len(d.t0) != minBuckets {
		t.Fatalf("first insert allocated %d buckets, want %d", len(d.t0), minBuckets)
	}
	const n = 10000
	maxBuckets := 0
	for i := range n {
		d.Set(strconv.Itoa(i), i)
		maxBuckets = max(maxBuckets, len(d.t0), len(d.t1))
		// Load factor stays bounded during growth.
		if d.Len() > 2*max(len(d.t0), len(d.t1)) {
			t.Fatalf("overloaded: %d elements in %d/%d buckets", d.Len(), len(d.t0), len(d.t1))
		}
	}
	if maxBuckets < n || maxBuckets > 4*n {
		t.Fatalf("max buckets %d not proportional to %d elements", maxBuckets, n)
	}
	for i := range n - 10 {
		d.Delete(strconv.Itoa(i))
	}
	// Further deletes of absent keys are no-ops; drive the rehash with
	// deletes of the remaining keys after re-adding them.
	for i := n - 10; i < n; i++ {
		d.Delete(strconv.Itoa(i))
		d.Set(strconv.Itoa(i), i)
	}
	for i := 0; d.rehashing() && i < 10000; i++ {
		d.Set("tmp", 0)
		d.Delete("tmp")
	}
	if d.rehashing() {
		t.Fatal("rehash never finished")
	}
	if len(d.t0) > 64 {
		t.Fatalf("table did not shrink: %d buckets for %d elements", len(d.t0), d.Len())
	}
	checkInvariants(t, d, "after shrink")
	for i := n - 10; i < n; i++ {
		if v, ok := d.Get(strconv.Itoa(i)); !ok || v != i {
			t.Fatalf("lost key %d after shrink", i)
		}
	}
	// Deleting everything keeps the minimum table.
	d.Delete("a")
	for i := n - 10; i < n; i++ {
		d.Delete(strconv.Itoa(i))
	}
	for i := 0; d.rehashing() && i < 1000; i++ {
		d.Set("tmp", 0)
		d.Delete("tmp")
	}
	if d.Len() != 0 || len(d.t0) != minBuckets {
		t.Fatalf("empty dict has %d elements, %d buckets", d.Len(), len(d.t0))
	}
}

func TestHintPreallocates(t *testing.T) {
	tests := []struct{ hint, want int }{
		{-5, 0}, {0, 0}, {1, 4}, {4, 4}, {5, 8}, {1000, 1024}, {1024, 1024},
		{1 << 40, maxHintBuckets},
	}
	for _, tc := range tests {
		d := New[int](tc.hint)
		if len(d.t0) != tc.want {
			t.Fatalf("New(%d) has %d buckets, want %d", tc.hint, len(d.t0), tc.want)
		}
	}
	d := New[int](1000)
	for i := range 1000 {
		d.Set(strconv.Itoa(i), i)
		if d.rehashing() || len(d.t0) != 1024 {
			t.Fatalf("hinted dict resized at %d elements", i+1)
		}
	}
}

func TestShrinkExplicit(t *testing.T) {
	d := New[int](4096)
	for i := range 100 {
		d.Set(strconv.Itoa(i), i)
	}
	d.Shrink()
	for i := 0; d.rehashing() && i < 10000; i++ {
		d.Set("tmp", 0)
		d.Delete("tmp")
	}
	if len(d.t0) != 128 {
		t.Fatalf("Shrink left %d buckets, want 128", len(d.t0))
	}
	checkInvariants(t, d, "shrink")
	if d.Len() != 100 {
		t.Fatalf("Len=%d after Shrink", d.Len())
	}
}

func TestClear(t *testing.T) {
	d := filled(1000, 0)
	d.Clear()
	if d.Len() != 0 || d.Has("key1") || d.Overhead() != int(unsafe.Sizeof(*d)) {
		t.Fatalf("Clear left Len=%d overhead=%d", d.Len(), d.Overhead())
	}
	for range d.All() {
		t.Fatal("All yielded after Clear")
	}
	d.Set("x", 1)
	if v, ok := d.Get("x"); !ok || v != 1 {
		t.Fatal("dict unusable after Clear")
	}
}

func TestAllEarlyStop(t *testing.T) {
	d := filled(100, 0)
	n := 0
	for range d.All() {
		n++
		if n == 10 {
			break
		}
	}
	if n != 10 {
		t.Fatalf("iterated %d, want 10", n)
	}
}

func TestOverhead(t *testing.T) {
	hdr := int(unsafe.Sizeof(Dict[float64]{}))
	ptr := int(unsafe.Sizeof(uintptr(0)))
	d := New[float64](0)
	if got := d.Overhead(); got != hdr {
		t.Fatalf("empty Overhead=%d want %d", got, hdr)
	}
	if es := EntrySize[float64](); es != 4*ptr {
		t.Fatalf("EntrySize[float64]=%d want %d", es, 4*ptr)
	}
	if es := EntrySize[[]byte](); es != 48 {
		t.Fatalf("EntrySize[[]byte]=%d want 48", es)
	}
	prev := d.Overhead()
	for i := range 5000 {
		d.Set("m"+strconv.Itoa(i), float64(i))
		got := d.Overhead()
		want := hdr + (len(d.t0)+len(d.t1))*ptr + d.Len()*EntrySize[float64]()
		if got != want {
			t.Fatalf("Overhead=%d want %d", got, want)
		}
		prev = got
	}
	if prev <= hdr+5000*EntrySize[float64]() {
		t.Fatalf("Overhead %d does not include buckets", prev)
	}
	// Per element cost stays within a small constant.
	if per := float64(prev) / 5000; per < 32 || per > 64 {
		t.Fatalf("per-element overhead %.1f outside [32,64]", per)
	}
	for i := range 5000 {
		d.Delete("m" + strconv.Itoa(i))
	}
	if got := d.Overhead(); got > hdr+1024 {
		t.Fatalf("Overhead after deleting everything = %d", got)
	}
}

func TestAllocs(t *testing.T) {
	d := filled(10000, 0)
	r := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		name string
		fn   func()
	}{
		{"Get", func() { d.Get("key1234") }},
		{"GetMiss", func() { d.Get("nope") }},
		{"GetPtr", func() { *d.GetPtr("key77") += 1 }},
		{"SetOverwrite", func() { d.Set("key4321", 5) }},
		{"DeleteMiss", func() { d.Delete("nope") }},
		{"Scan", func() { d.Scan(5, func(string, int) {}) }},
		{"RandomKey", func() { d.RandomKey(r) }},
	}
	for _, tc := range tests {
		if a := testing.AllocsPerRun(1000, tc.fn); a != 0 {
			t.Errorf("%s allocates %.1f per op", tc.name, a)
		}
	}
}
