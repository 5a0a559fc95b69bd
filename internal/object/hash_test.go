package object

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"testing"
)

// hpair is one element of the reference model.
type hpair struct{ f, v string }

// hmodel is a trivially correct hash keeping insertion order, like the
// listpack encoding.
type hmodel []hpair

func (m hmodel) find(f string) int {
	for i, p := range m {
		if p.f == f {
			return i
		}
	}
	return -1
}

func hashPairs(h *Hash) hmodel {
	var out hmodel
	for f, v := range h.All() {
		out = append(out, hpair{string(f), string(v)})
	}
	return out
}

func sameHash(t *testing.T, h *Hash, m hmodel, ctx string) {
	t.Helper()
	got := hashPairs(h)
	if h.Len() != len(m) || len(got) != len(m) {
		t.Fatalf("%s: len %d/%d, want %d", ctx, h.Len(), len(got), len(m))
	}
	if h.Encoding() == "listpack" {
		if !slices.Equal(got, m) {
			t.Fatalf("%s: listpack order %v, want %v", ctx, got, m)
		}
		if off := h.lpOffsets(nil); len(off) != h.n {
			t.Fatalf("%s: %d entries, n %d", ctx, len(off), h.n)
		}
		return
	}
	sorted := slices.Clone(m)
	cmpPair := func(a, b hpair) int { return bytes.Compare([]byte(a.f), []byte(b.f)) }
	slices.SortFunc(sorted, cmpPair)
	slices.SortFunc(got, cmpPair)
	if !slices.Equal(got, sorted) {
		t.Fatalf("%s: hashtable content differs", ctx)
	}
	bytes := 0
	for _, p := range m {
		bytes += hashPairSize(len(p.f), len(p.v))
	}
	if bytes != h.bytes {
		t.Fatalf("%s: tracked bytes %d, want %d", ctx, h.bytes, bytes)
	}
}

func randHashValue(r *rand.Rand) string {
	switch r.IntN(6) {
	case 0:
		return ""
	case 1:
		return string(bytes.Repeat([]byte{'v'}, 40+r.IntN(200))) // multi-byte length, rekey path
	}
	return strconv.Itoa(r.IntN(1000))
}

func TestHashRandomOps(t *testing.T) {
	limits := map[string]Limits{
		"listpack":  {HashMaxListpackEntries: 1 << 20, HashMaxListpackValue: 1 << 20},
		"hashtable": {HashMaxListpackEntries: 0, HashMaxListpackValue: 64},
		"convert":   {HashMaxListpackEntries: 30, HashMaxListpackValue: 1 << 20},
		"longvalue": {HashMaxListpackEntries: 1 << 20, HashMaxListpackValue: 100},
	}
	for name, lim := range limits {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(len(name))))
			for round := 0; round < 20; round++ {
				h := NewHash()
				var m hmodel
				for op := 0; op < 300; op++ {
					f := randMember(r)
					ctx := fmt.Sprintf("round %d op %d", round, op)
					switch r.IntN(10) {
					case 0, 1, 2:
						v := randHashValue(r)
						added := h.Set(&lim, []byte(f), []byte(v))
						i := m.find(f)
						if added != (i < 0) {
							t.Fatalf("%s: Set added=%v", ctx, added)
						}
						if i < 0 {
							m = append(m, hpair{f, v})
						} else {
							m[i].v = v
						}
					case 3:
						v := randHashValue(r)
						ok := h.SetNX(&lim, []byte(f), []byte(v))
						i := m.find(f)
						if ok != (i < 0) {
							t.Fatalf("%s: SetNX=%v", ctx, ok)
						}
						if ok {
							m = append(m, hpair{f, v})
						}
					case 4, 5:
						ok := h.Delete([]byte(f))
						i := m.find(f)
						if ok != (i >= 0) {
							t.Fatalf("%s: Delete=%v", ctx, ok)
						}
						if ok {
							m = slices.Delete(m, i, i+1)
						}
					case 6:
						v, ok := h.Get([]byte(f))
						i := m.find(f)
						if ok != (i >= 0) || (ok && string(v) != m[i].v) {
							t.Fatalf("%s: Get(%q) = %q %v", ctx, f, v, ok)
						}
						if h.Exists([]byte(f)) != ok {
							t.Fatalf("%s: Exists disagrees", ctx)
						}
						if h.StrLen([]byte(f)) != len(v) {
							t.Fatalf("%s: StrLen disagrees", ctx)
						}
					case 7:
						seen := map[string]string{}
						cursor := uint64(0)
						for {
							cursor = h.Scan(cursor, func(f, v []byte) { seen[string(f)] = string(v) })
							if cursor == 0 {
								break
							}
						}
						if len(seen) != len(m) {
							t.Fatalf("%s: Scan saw %d of %d", ctx, len(seen), len(m))
						}
						for _, p := range m {
							if seen[p.f] != p.v {
								t.Fatalf("%s: Scan value of %q", ctx, p.f)
							}
						}
					case 8:
						count := r.IntN(20) - 8
						calls := 0
						distinct := map[string]bool{}
						h.RandomFields(r, count, func(f, v []byte) {
							calls++
							distinct[string(f)] = true
							if i := m.find(string(f)); i < 0 || m[i].v != string(v) {
								t.Fatalf("%s: RandomFields returned %q=%q", ctx, f, v)
							}
						})
						want := 0
						switch {
						case len(m) == 0:
						case count < 0:
							want = -count
						default:
							want = min(count, len(m))
							if len(distinct) != want {
								t.Fatalf("%s: RandomFields(%d) gave %d distinct", ctx, count, len(distinct))
							}
						}
						if calls != want {
							t.Fatalf("%s: RandomFields(%d) made %d calls, want %d", ctx, count, calls, want)
						}
					case 9:
						f, v, ok := h.RandomField(r)
						if ok != (len(m) > 0) {
							t.Fatalf("%s: RandomField ok=%v", ctx, ok)
						}
						if i := m.find(string(f)); ok && (i < 0 || m[i].v != string(v)) {
							t.Fatalf("%s: RandomField returned %q=%q", ctx, f, v)
						}
					}
					if op%10 == 0 {
						sameHash(t, h, m, ctx)
					}
				}
				sameHash(t, h, m, "end")
				c := h.Clone()
				sameHash(t, c, m, "clone")
				if c.Encoding() != h.Encoding() {
					t.Fatalf("clone encoding %s, want %s", c.Encoding(), h.Encoding())
				}
				c.Set(&lim, []byte("clone-only"), []byte("x"))
				sameHash(t, h, m, "original after clone mutation")
				if h.MemUsage() <= 0 {
					t.Fatal("MemUsage <= 0")
				}
			}
		})
	}
}

// TestHashListpackOrder checks the order Redis 7.0 gives HGETALL on a small
// hash (verified with redis-server): updates keep the position, re-added
// fields go last.
func TestHashListpackOrder(t *testing.T) {
	h := NewHash()
	for _, p := range [][2]string{{"a", "1"}, {"b", "2"}, {"c", "3"}, {"a", "9"}} {
		h.Set(nil, []byte(p[0]), []byte(p[1]))
	}
	if got := hashPairs(h); !slices.Equal(got, hmodel{{"a", "9"}, {"b", "2"}, {"c", "3"}}) {
		t.Errorf("after update: %v", got)
	}
	h.Delete([]byte("a"))
	h.Set(nil, []byte("a"), []byte("1"))
	if got := hashPairs(h); !slices.Equal(got, hmodel{{"b", "2"}, {"c", "3"}, {"a", "1"}}) {
		t.Errorf("after re-add: %v", got)
	}
	// Value growing and shrinking in place keeps the order and neighbours.
	h.Set(nil, []byte("b"), bytes.Repeat([]byte("y"), 60))
	h.Set(nil, []byte("c"), nil)
	if got := hashPairs(h); !slices.Equal(got, hmodel{{"b", string(bytes.Repeat([]byte("y"), 60))}, {"c", ""}, {"a", "1"}}) {
		t.Errorf("after resize: %v", got)
	}
}

// TestHashEncodingThresholds mirrors redis-server 7.0 conversions: more
// entries than hash-max-listpack-entries, or a field or value longer than
// hash-max-listpack-value (even through HINCRBY-style Set on an existing
// field); HSETNX on an existing field does not convert.
func TestHashEncodingThresholds(t *testing.T) {
	lim := DefaultLimits()
	long := bytes.Repeat([]byte("x"), lim.HashMaxListpackValue+1)
	exact := long[:lim.HashMaxListpackValue]
	tests := []struct {
		name string
		ops  func(h *Hash)
		want string
	}{
		{"max entries", func(h *Hash) {
			for i := 0; i < lim.HashMaxListpackEntries; i++ {
				h.Set(&lim, []byte(strconv.Itoa(i)), []byte("v"))
			}
		}, "listpack"},
		{"max entries + 1", func(h *Hash) {
			for i := 0; i <= lim.HashMaxListpackEntries; i++ {
				h.Set(&lim, []byte(strconv.Itoa(i)), []byte("v"))
			}
		}, "hashtable"},
		{"value at limit", func(h *Hash) { h.Set(&lim, []byte("f"), exact) }, "listpack"},
		{"field at limit", func(h *Hash) { h.Set(&lim, exact, []byte("v")) }, "listpack"},
		{"long value", func(h *Hash) { h.Set(&lim, []byte("f"), long) }, "hashtable"},
		{"long field", func(h *Hash) { h.Set(&lim, long, []byte("1")) }, "hashtable"},
		{"long value on existing field", func(h *Hash) {
			h.Set(&lim, []byte("a"), []byte("1"))
			h.Set(&lim, []byte("a"), long)
		}, "hashtable"},
		{"setnx existing long", func(h *Hash) {
			h.Set(&lim, []byte("a"), []byte("1"))
			h.SetNX(&lim, []byte("a"), long)
		}, "listpack"},
		{"setnx new long", func(h *Hash) {
			h.Set(&lim, []byte("a"), []byte("1"))
			h.SetNX(&lim, []byte("b"), long)
		}, "hashtable"},
		{"entries 0", func(h *Hash) { h.Set(&Limits{HashMaxListpackValue: 64}, []byte("a"), []byte("1")) }, "hashtable"},
		{"nil limits", func(h *Hash) { h.Set(nil, []byte("a"), long) }, "hashtable"},
	}
	for _, tc := range tests {
		h := NewHash()
		tc.ops(h)
		if h.Encoding() != tc.want {
			t.Errorf("%s: encoding %s, want %s", tc.name, h.Encoding(), tc.want)
		}
	}
	// Deleting never converts back.
	h := NewHash()
	h.Set(&lim, []byte("f"), long)
	h.Delete([]byte("f"))
	if h.Encoding() != "hashtable" || h.Len() != 0 {
		t.Errorf("after delete: %s %d", h.Encoding(), h.Len())
	}
}

func TestHashRandomFieldsUniform(t *testing.T) {
	for _, lim := range []Limits{DefaultLimits(), {HashMaxListpackValue: 64}} {
		r := rand.New(rand.NewPCG(5, 6))
		h := NewHash()
		for i := 0; i < 100; i++ {
			h.Set(&lim, []byte(strconv.Itoa(i)), []byte("v"+strconv.Itoa(i)))
		}
		for _, count := range []int{-10, 10, 40} {
			hits := map[string]int{}
			const draws = 3000
			for range draws {
				h.RandomFields(r, count, func(f, v []byte) {
					if string(v) != "v"+string(f) {
						t.Fatalf("field %s value %s", f, v)
					}
					hits[string(f)]++
				})
			}
			exp := draws * max(count, -count) / 100
			for i := 0; i < 100; i++ {
				if n := hits[strconv.Itoa(i)]; n < exp*6/10 || n > exp*14/10 {
					t.Errorf("%s count %d: field %d drawn %d times, expected about %d", h.Encoding(), count, i, n, exp)
				}
			}
		}
		// count >= Len returns everything once, in iteration order.
		var got hmodel
		h.RandomFields(r, 1000, func(f, v []byte) { got = append(got, hpair{string(f), string(v)}) })
		if !slices.Equal(got, hashPairs(h)) {
			t.Errorf("%s: RandomFields(1000) is not the whole hash in order", h.Encoding())
		}
	}
	if _, _, ok := NewHash().RandomField(nil); ok {
		t.Error("RandomField on empty hash")
	}
}

func TestHashMemUsage(t *testing.T) {
	h := NewHash()
	small := h.MemUsage()
	for i := 0; i < 2000; i++ {
		h.Set(nil, []byte(strconv.Itoa(i)), []byte("value"))
	}
	big := h.MemUsage()
	if small <= 0 || big < 2000*40 || big > 2000*150 {
		t.Errorf("MemUsage small %d big %d", small, big)
	}
	for i := 0; i < 1900; i++ {
		h.Delete([]byte(strconv.Itoa(i)))
	}
	if after := h.MemUsage(); after >= big/2 {
		t.Errorf("MemUsage did not shrink: %d -> %d", big, after)
	}
}

func hashBenchField(i int) []byte { return fmt.Appendf(nil, "field:%010d", i) } // 16 bytes

func BenchmarkHashSet(b *testing.B) {
	for _, size := range []int{64, 100000} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			b.ReportAllocs()
			fields := make([][]byte, size)
			for i := range fields {
				fields[i] = hashBenchField(i)
			}
			val := []byte("0123456789abcdef")
			h := NewHash()
			i := 0
			for b.Loop() {
				h.Set(nil, fields[i%size], val)
				i++
			}
		})
	}
}

func BenchmarkHashGet(b *testing.B) {
	for _, size := range []int{64, 100000} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			b.ReportAllocs()
			fields := make([][]byte, size)
			h := NewHash()
			for i := range fields {
				fields[i] = hashBenchField(i)
				h.Set(nil, fields[i], []byte("0123456789abcdef"))
			}
			i := 0
			for b.Loop() {
				if _, ok := h.Get(fields[i%size]); !ok {
					b.Fatal("missing")
				}
				i++
			}
		})
	}
}

// BenchmarkHashMemory1M measures the heap bytes per element of a 1M-field
// hash with 16-byte fields and values.
func BenchmarkHashMemory1M(b *testing.B) {
	b.ReportAllocs()
	const n = 1_000_000
	fields := make([][]byte, n)
	for i := range fields {
		fields[i] = hashBenchField(i)
	}
	val := []byte("0123456789abcdef")
	for b.Loop() {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.HeapAlloc
		h := NewHash()
		for _, f := range fields {
			h.Set(nil, f, val)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc-before)/n, "B/element")
		b.ReportMetric(float64(h.MemUsage())/n, "memusage-B/element")
		runtime.KeepAlive(h)
	}
}
