package main

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// config is one hit-ratio experiment.
type config struct {
	Keys      int     // key universe: "key:0".."key:{Keys-1}"
	Theta     float64 // Zipf exponent
	Requests  int     // measured requests
	Warmup    int     // requests before measuring
	ValueSize int
	MaxMemory int64
	Batch     int // requests per get/set round (the Redis pipeline depth)
	Seed      uint64
}

// result is what one store achieved on the trace.
type result struct {
	Store, Policy string
	HitRatio      float64
	Keys          int   // keys held at the end (-1: unknown)
	Used          int64 // accounted bytes at the end (-1: unknown)
	Heap          int64 // live Go heap grown by the store (-1: not in process)
	Elapsed       time.Duration
}

// trace draws the request sequence once, shared by every store.
func trace(c config) []uint32 {
	z := newZipf(rand.New(rand.NewPCG(c.Seed, 0x7a697066)), c.Keys, c.Theta)
	t := make([]uint32, c.Warmup+c.Requests)
	for i := range t {
		t[i] = uint32(z.next())
	}
	return t
}

// run replays the trace against s: each batch is read with get and its
// misses are then written with set.
func run(c config, tr []uint32, s store) (hitRatio float64, elapsed time.Duration) {
	value := make([]byte, c.ValueSize)
	keys := make([]string, c.Keys)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
	}
	batch := make([]string, 0, c.Batch)
	miss := make([]string, 0, c.Batch)
	hit := make([]bool, c.Batch)
	hits, counted := 0, 0
	start := time.Now()
	for i := 0; i < len(tr); i += c.Batch {
		batch = batch[:0]
		for _, r := range tr[i:min(i+c.Batch, len(tr))] {
			batch = append(batch, keys[r])
		}
		s.get(batch, hit[:len(batch)])
		miss = miss[:0]
		for j, k := range batch {
			if hit[j] {
				if i+j >= c.Warmup {
					hits++
				}
			} else {
				miss = append(miss, k)
			}
			if i+j >= c.Warmup {
				counted++
			}
		}
		if len(miss) > 0 {
			s.set(miss, value)
		}
	}
	return float64(hits) / float64(counted), time.Since(start)
}
