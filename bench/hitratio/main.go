// Command hitratio compares the hit ratio of kevy's approximated LRU and
// LFU eviction with redis-server's under the same byte limit, and with
// the Go caches an embedding program might pick instead (otter,
// ristretto), on a cache-aside workload: requests draw keys from a Zipf
// distribution; a miss stores the key with a fixed-size value.
//
//	cd bench && go run ./hitratio                  # 1M keys, s=0.99, 16 MB
//	go run ./hitratio -requests 2000000 -redis ""   # without Redis
//
// Every store replays the same trace in batches (-batch, 100 by default):
// the batch's keys are read, then its misses are written, which is how
// the Redis pipeline has to proceed. Redis runs on a free loopback port,
// started and shut down by the command. docs/memory.md records results.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"text/tabwriter"
)

func main() {
	var c config
	flag.IntVar(&c.Keys, "keys", 1_000_000, "key universe")
	flag.Float64Var(&c.Theta, "theta", 0.99, "Zipf exponent")
	flag.IntVar(&c.Requests, "requests", 5_000_000, "measured requests")
	flag.IntVar(&c.Warmup, "warmup", 2_000_000, "requests before measuring")
	flag.IntVar(&c.ValueSize, "value", 100, "value size in bytes")
	flag.Int64Var(&c.MaxMemory, "maxmemory", 16<<20, "byte limit of every store")
	flag.IntVar(&c.Batch, "batch", 100, "requests per get/set round")
	flag.Uint64Var(&c.Seed, "seed", 1, "trace seed")
	redis := flag.String("redis", "redis-server", "redis-server binary (\"\" to skip Redis)")
	policies := flag.String("policies", "allkeys-lru,allkeys-lfu", "eviction policies for kevy and Redis")
	flag.Parse()

	if *redis != "" {
		if p, err := exec.LookPath(*redis); err == nil {
			*redis = p
		} else {
			fmt.Fprintln(os.Stderr, "hitratio: redis-server not found, skipping Redis:", err)
			*redis = ""
		}
	}
	results, err := compare(c, splitComma(*policies), *redis, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hitratio:", err)
		os.Exit(1)
	}
	fmt.Printf("Zipf s=%.2f over %d keys, %d-byte values, %d MB limit, %d requests after %d warm-up, batches of %d\n\n",
		c.Theta, c.Keys, c.ValueSize, c.MaxMemory>>20, c.Requests, c.Warmup, c.Batch)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "store\tpolicy\thit ratio\tkeys held\taccounted MB\tlive heap MB\ttime\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%.4f\t%s\t%s\t%s\t%.1fs\t\n", r.Store, r.Policy, r.HitRatio,
			orDash(int64(r.Keys), 1), orDash(r.Used, 1<<20), orDash(r.Heap, 1<<20), r.Elapsed.Seconds())
	}
	tw.Flush()
}

func orDash(v int64, unit int64) string {
	if v < 0 {
		return "-"
	}
	if unit == 1 {
		return fmt.Sprint(v)
	}
	return fmt.Sprintf("%.1f", float64(v)/float64(unit))
}

func splitComma(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != ',' {
			i++
		}
		if i > 0 {
			out = append(out, s[:i])
		}
		if i == len(s) {
			break
		}
		s = s[i+1:]
	}
	return out
}

// compare runs every store on one trace. With goCaches it includes otter
// and ristretto.
func compare(c config, policies []string, redisPath string, goCaches bool) ([]result, error) {
	tr := trace(c)
	var out []result
	for _, p := range policies {
		base := heapLive()
		k, err := newKevy(c.MaxMemory, p)
		if err != nil {
			return nil, err
		}
		r := result{Store: "kevy", Policy: p}
		r.HitRatio, r.Elapsed = run(c, tr, k)
		r.Keys, r.Used = k.stats()
		r.Heap = heapLive() - base
		k.close()
		out = append(out, r)
		if redisPath != "" {
			rs, err := startRedis(redisPath, c.MaxMemory, p)
			if err != nil {
				return nil, err
			}
			r := result{Store: "redis-server", Policy: p, Heap: -1}
			r.HitRatio, r.Elapsed = run(c, tr, rs)
			r.Keys, r.Used = rs.stats()
			rs.close()
			out = append(out, r)
		}
	}
	if goCaches {
		base := heapLive()
		o := newOtter(c.MaxMemory)
		r := result{Store: "otter v2", Policy: "W-TinyLFU"}
		r.HitRatio, r.Elapsed = run(c, tr, o)
		r.Keys, r.Used = o.stats()
		r.Heap = heapLive() - base
		runtime.KeepAlive(o)
		out = append(out, r)

		base = heapLive()
		rc, err := newRistretto(c.MaxMemory, c.Keys)
		if err != nil {
			return nil, err
		}
		r = result{Store: "ristretto v2", Policy: "TinyLFU+sampled LFU"}
		r.HitRatio, r.Elapsed = run(c, tr, rc)
		r.Keys, r.Used = rc.stats()
		r.Heap = heapLive() - base
		rc.close()
		out = append(out, r)
	}
	return out, nil
}
