package keyspace

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

func dictAdd(d *dict, key string) *Entry {
	e := newEntry(key, 0)
	d.insert(e, hashKey(key))
	return e
}

func dictHas(d *dict, key string) bool { return d.find(key, hashKey(key)) != nil }

// dictScanAll runs a whole scan and counts how often each key is seen.
func dictScanAll(d *dict) map[string]int {
	seen := map[string]int{}
	c := uint64(0)
	for {
		c = d.scan(c, func(e *Entry) { seen[e.Key()]++ })
		if c == 0 {
			return seen
		}
	}
}

// TestDictRandomOpsMatchMap drives the dict with random inserts, removes
// and finds over a key range that makes it grow and shrink repeatedly
// (so most operations run mid-rehash), checking it against a Go map.
func TestDictRandomOpsMatchMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	d := newDict()
	ref := map[string]bool{}
	rehashOps := 0
	for i := range 200_000 {
		// The key range breathes between 16 and 4096 keys.
		span := 16 + (i/20_000%2)*4080
		key := "k" + strconv.Itoa(r.IntN(span))
		if d.rehashing() {
			rehashOps++
		}
		switch op := r.IntN(10); {
		case op < 5:
			if !ref[key] {
				dictAdd(d, key)
				ref[key] = true
			}
		case op < 8:
			e := d.remove(key, hashKey(key))
			if (e != nil) != ref[key] {
				t.Fatalf("op %d: remove(%s) = %v, map has %v", i, key, e, ref[key])
			}
			if e != nil && (e.Key() != key || e.next != nil) {
				t.Fatalf("op %d: removed entry %q next=%p", i, e.Key(), e.next)
			}
			delete(ref, key)
		default:
			if dictHas(d, key) != ref[key] {
				t.Fatalf("op %d: find(%s) = %v, map has %v", i, key, !ref[key], ref[key])
			}
		}
		if d.len() != len(ref) {
			t.Fatalf("op %d: len %d, map %d", i, d.len(), len(ref))
		}
		if i%5000 == 0 {
			n := 0
			d.each(func(e *Entry) bool {
				if !ref[e.Key()] {
					t.Fatalf("op %d: each visited unknown key %s", i, e.Key())
				}
				n++
				return true
			})
			if n != len(ref) {
				t.Fatalf("op %d: each visited %d of %d", i, n, len(ref))
			}
			for k, c := range dictScanAll(d) {
				if !ref[k] || c != 1 {
					t.Fatalf("op %d: static scan saw %s %d times (in map: %v)", i, k, c, ref[k])
				}
			}
		}
	}
	if rehashOps == 0 {
		t.Fatal("no operation ran while rehashing")
	}
	// A table that shrank back holds no more buckets than needed.
	for k := range ref {
		d.remove(k, hashKey(k))
	}
	for range 100 {
		d.find("x", hashKey("x")) // let a pending rehash finish
	}
	if d.len() != 0 || d.buckets() > 8 {
		t.Fatalf("emptied dict: len %d, %d buckets", d.len(), d.buckets())
	}
}

// TestDictScanGuaranteeDuringRehash checks the SCAN promise on one table:
// keys present for the whole scan are all returned, while other keys are
// inserted and removed between calls so that the table doubles, halves
// and is often mid-rehash when scan runs.
func TestDictScanGuaranteeDuringRehash(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 7))
		d := newDict()
		stable := 50 + r.IntN(500)
		for i := range stable {
			dictAdd(d, "s"+strconv.Itoa(i))
		}
		var churn []string
		next := 0
		seen := map[string]bool{}
		calls, midRehash, sizes := 0, 0, map[int]bool{}
		c := uint64(0)
		for {
			if d.rehashing() {
				midRehash++
			}
			sizes[len(d.t[0].b)] = true
			c = d.scan(c, func(e *Entry) { seen[e.Key()] = true })
			calls++
			if c == 0 {
				break
			}
			// Alternate bursts of growth and shrinkage.
			if (calls/40)%2 == 0 {
				for range r.IntN(60) {
					k := "c" + strconv.Itoa(next)
					next++
					dictAdd(d, k)
					churn = append(churn, k)
				}
			} else {
				for range r.IntN(90) {
					if len(churn) == 0 {
						break
					}
					j := r.IntN(len(churn))
					d.remove(churn[j], hashKey(churn[j]))
					churn[j] = churn[len(churn)-1]
					churn = churn[:len(churn)-1]
				}
			}
		}
		for i := range stable {
			if k := "s" + strconv.Itoa(i); !seen[k] {
				t.Fatalf("seed %d: stable key %s missed (%d calls, %d mid-rehash, sizes %v)", seed, k, calls, midRehash, sizes)
			}
		}
		if midRehash == 0 || len(sizes) < 2 {
			t.Logf("seed %d: weak run: %d calls mid-rehash, sizes %v", seed, midRehash, sizes)
		}
	}
}

// TestDictScanAcrossShrink makes the table shrink in the middle of a
// scan, several times over, with the cursor at every position.
func TestDictScanAcrossShrink(t *testing.T) {
	for stop := range 64 {
		d := newDict()
		for i := range 4096 {
			dictAdd(d, "k"+strconv.Itoa(i))
		}
		c := uint64(0)
		seen := map[string]bool{}
		for range stop {
			c = d.scan(c, func(e *Entry) { seen[e.Key()] = true })
		}
		// Delete all but 8 keys: the table shrinks (in steps) to 8 buckets.
		for i := 8; i < 4096; i++ {
			k := "k" + strconv.Itoa(i)
			d.remove(k, hashKey(k))
		}
		for {
			c = d.scan(c, func(e *Entry) { seen[e.Key()] = true })
			if c == 0 {
				break
			}
		}
		for i := range 8 {
			if !seen["k"+strconv.Itoa(i)] {
				t.Fatalf("stop %d: k%d missed across the shrink", stop, i)
			}
		}
	}
}

// TestDictRandom checks that random returns every key with a roughly
// even spread, including while rehashing.
func TestDictRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	d := newDict()
	if d.random(r) != nil {
		t.Fatal("random on an empty dict")
	}
	const n = 64
	for i := range n {
		dictAdd(d, "k"+strconv.Itoa(i))
	}
	dictAdd(d, "k64") // 65 keys in 64 buckets: starts a rehash to 128
	if !d.rehashing() {
		t.Fatal("expected a rehash in progress")
	}
	counts := map[string]int{}
	const draws = 65_000
	for range draws {
		counts[d.random(r).Key()]++
	}
	if len(counts) != n+1 {
		t.Fatalf("random returned %d distinct keys of %d", len(counts), n+1)
	}
	for k, c := range counts {
		// Chained keys are less likely than lone ones (as in Redis), but
		// not by much at this load.
		if c < draws/(n+1)/5 || c > draws/(n+1)*5 {
			t.Errorf("key %s drawn %d times (mean %d)", k, c, draws/(n+1))
		}
	}
}

func TestNextCursorVisitsEveryBucketOnce(t *testing.T) {
	for _, size := range []uint64{1, 4, 8, 1024} {
		m := size - 1
		seen := map[uint64]bool{}
		v := uint64(0)
		for {
			if seen[v] {
				t.Fatalf("size %d: bucket %d twice", size, v)
			}
			seen[v] = true
			if v = nextCursor(v, m); v == 0 {
				break
			}
		}
		if uint64(len(seen)) != size {
			t.Fatalf("size %d: visited %d buckets", size, len(seen))
		}
	}
}

func BenchmarkDictFind(b *testing.B) {
	d := newDict()
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
		dictAdd(d, keys[i])
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := keys[i&(len(keys)-1)]
		d.find(k, hashKey(k))
		i++
	}
}
