package main

import (
	"math"
	"math/rand/v2"
	"os/exec"
	"testing"
)

func TestZipf(t *testing.T) {
	const n = 1000
	for _, theta := range []float64{0.5, 0.99, 1.2} {
		z := newZipf(rand.New(rand.NewPCG(1, 2)), n, theta)
		counts := make([]int, n)
		const draws = 400_000
		for range draws {
			r := z.next()
			if r < 0 || r >= n {
				t.Fatalf("theta %v: rank %d out of range", theta, r)
			}
			counts[r]++
		}
		// P(rank 0) = 1/zeta(n); rank 9 is 10^theta times rarer.
		want0 := draws / zeta(n, theta)
		if got := float64(counts[0]); math.Abs(got-want0) > 0.05*want0 {
			t.Errorf("theta %v: rank 0 drawn %v times, want about %.0f", theta, got, want0)
		}
		if ratio := float64(counts[0]) / float64(counts[9]); math.Abs(ratio-math.Pow(10, theta)) > 0.25*math.Pow(10, theta) {
			t.Errorf("theta %v: rank0/rank9 = %.2f, want about %.2f", theta, ratio, math.Pow(10, theta))
		}
	}
}

func smallConfig() config {
	return config{Keys: 100_000, Theta: 0.99, Requests: 300_000, Warmup: 100_000,
		ValueSize: 100, MaxMemory: 2 << 20, Batch: 100, Seed: 7}
}

// TestKevyHitRatio checks kevy's policies on a small trace: the limit is
// respected and the informed policies beat random eviction.
func TestKevyHitRatio(t *testing.T) {
	c := smallConfig()
	tr := trace(c)
	ratios := map[string]float64{}
	for _, p := range []string{"allkeys-random", "allkeys-lru", "allkeys-lfu"} {
		s, err := newKevy(c.MaxMemory, p)
		if err != nil {
			t.Fatal(err)
		}
		ratios[p], _ = run(c, tr, s)
		keys, used := s.stats()
		s.close()
		margin := c.MaxMemory/64 + int64(c.ValueSize)*2
		if used > c.MaxMemory+margin || keys < 5000 {
			t.Errorf("%s: %d keys in %d bytes (limit %d)", p, keys, used, c.MaxMemory)
		}
		if ratios[p] <= 0.3 || ratios[p] >= 1 {
			t.Errorf("%s: hit ratio %.3f", p, ratios[p])
		}
	}
	if ratios["allkeys-lfu"] <= ratios["allkeys-random"] {
		t.Errorf("LFU %.4f not above random %.4f", ratios["allkeys-lfu"], ratios["allkeys-random"])
	}
	t.Logf("hit ratios: %v", ratios)
}

// BenchmarkHitRatio runs the small trace against kevy and, when installed,
// redis-server, reporting each hit ratio as a metric.
func BenchmarkHitRatio(b *testing.B) {
	c := smallConfig()
	path, _ := exec.LookPath("redis-server")
	for range b.N {
		res, err := compare(c, []string{"allkeys-lru", "allkeys-lfu"}, path, false)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			b.ReportMetric(r.HitRatio, r.Store+"/"+r.Policy+"-hits")
		}
	}
}
