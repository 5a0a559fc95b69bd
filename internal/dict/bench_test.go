package dict

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

var benchSizes = []int{1 << 10, 1 << 17, 1 << 20}

func benchKeys(n int, prefix string) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = prefix + strconv.Itoa(i)
	}
	return keys
}

func benchDict(keys []string) *Dict[float64] {
	d := New[float64](0)
	for i, k := range keys {
		d.Set(k, float64(i))
	}
	return d
}

func BenchmarkGet(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			keys := benchKeys(n, "member:")
			d := benchDict(keys)
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				if _, ok := d.Get(keys[i]); !ok {
					b.Fatal("missing")
				}
				if i++; i == n {
					i = 0
				}
			}
		})
	}
}

func BenchmarkGetMiss(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			d := benchDict(benchKeys(n, "member:"))
			miss := benchKeys(n, "absent:")
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				if _, ok := d.Get(miss[i]); ok {
					b.Fatal("found")
				}
				if i++; i == n {
					i = 0
				}
			}
		})
	}
}

func BenchmarkSetOverwrite(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			keys := benchKeys(n, "member:")
			d := benchDict(keys)
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				d.Set(keys[i], 1)
				if i++; i == n {
					i = 0
				}
			}
		})
	}
}

// BenchmarkSetInsert measures inserting new keys, including the amortized
// cost of growth (one entry allocation per insert, plus bucket arrays).
func BenchmarkSetInsert(b *testing.B) {
	keys := benchKeys(1<<20, "member:")
	b.ReportAllocs()
	d := New[float64](0)
	i := 0
	for b.Loop() {
		if i == len(keys) {
			b.StopTimer()
			d = New[float64](0)
			i = 0
			b.StartTimer()
		}
		d.Set(keys[i], 1)
		i++
	}
}

// BenchmarkDeleteInsert deletes a key and re-inserts it, keeping the size
// stable.
func BenchmarkDeleteInsert(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			keys := benchKeys(n, "member:")
			d := benchDict(keys)
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				if _, ok := d.Delete(keys[i]); !ok {
					b.Fatal("missing")
				}
				d.Set(keys[i], 2)
				if i++; i == n {
					i = 0
				}
			}
		})
	}
}

func BenchmarkDeleteMiss(b *testing.B) {
	keys := benchKeys(1<<17, "member:")
	d := benchDict(keys)
	miss := benchKeys(1<<17, "absent:")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Delete(miss[i])
		if i++; i == len(miss) {
			i = 0
		}
	}
}

func BenchmarkRandomKey(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			d := benchDict(benchKeys(n, "member:"))
			r := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, _, ok := d.RandomKey(r); !ok {
					b.Fatal("empty")
				}
			}
		})
	}
}

// BenchmarkScan reports the cost per element of a full scan.
func BenchmarkScan(b *testing.B) {
	d := benchDict(benchKeys(1<<17, "member:"))
	sum := 0.0
	fn := func(_ string, v float64) { sum += v }
	b.ReportAllocs()
	for b.Loop() {
		c := uint64(0)
		for {
			if c = d.Scan(c, fn); c == 0 {
				break
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(d.Len()), "ns/elem")
}
