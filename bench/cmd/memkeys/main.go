// Command memkeys runs kevy's shape d: it stores -keys keys ("key:%08d",
// 16-byte values) in kevy and in a bare Go map+RWMutex baseline, with and
// without a TTL on every key, and reports heap bytes per key and the GC's
// CPU share under a steady random GET/SET load over all keys.
//
// Usage:
//
//	go run ./cmd/memkeys [-keys 10000000] [-load 10s] [-setpct 50]
//	                     [-stores kevy,map] [-ttl both|on|off] [-appendget]
//	                     [-cpuprofile file] [-heapprofile file]
//
// The default 10M keys need about 2-3 GB of RAM. -heapprofile writes a
// heap profile taken while the last store measured is still built (use
// one -stores and one -ttl value to profile one configuration).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/kevydb/kevy/bench"
)

func main() {
	keys := flag.Int("keys", 10_000_000, "number of keys")
	load := flag.Duration("load", 10*time.Second, "duration of the steady GET/SET load (0 skips it)")
	setpct := flag.Int("setpct", 50, "percentage of SETs in the load")
	stores := flag.String("stores", "kevy,map", "comma-separated stores to measure: kevy, map")
	ttl := flag.String("ttl", "both", "TTL on every key: both, on or off")
	appendGet := flag.Bool("appendget", false, "kevy's load reads with AppendGet (if present) instead of Get")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	heapprofile := flag.String("heapprofile", "", "write a heap profile after the last build to this file")
	flag.Parse()

	var ttls []bool
	switch *ttl {
	case "both":
		ttls = []bool{false, true}
	case "on":
		ttls = []bool{true}
	case "off":
		ttls = []bool{false}
	default:
		fatal(fmt.Errorf("-ttl must be both, on or off, not %q", *ttl))
	}
	if *setpct < 0 || *setpct > 100 {
		fatal(fmt.Errorf("-setpct must be 0..100"))
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}

	fmt.Printf("memkeys %s — %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), bench.Machine())
	fmt.Printf("%d keys, %v load, %d%% SET, %d workers\n\n", *keys, *load, *setpct, runtime.GOMAXPROCS(0))
	var rs []bench.MemResult
	for _, store := range strings.Split(*stores, ",") {
		for _, t := range ttls {
			cfg := bench.MemConfig{Keys: *keys, TTL: t, Load: *load, SetPercent: *setpct, AppendGet: *appendGet}
			if *heapprofile != "" {
				cfg.AfterBuild = func() {
					f, err := os.Create(*heapprofile)
					if err != nil {
						fatal(err)
					}
					if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
						fatal(err)
					}
					f.Close()
				}
			}
			r, err := bench.RunMem(strings.TrimSpace(store), cfg)
			if err != nil {
				fatal(err)
			}
			rs = append(rs, r)
		}
	}
	bench.WriteMemTable(os.Stdout, rs)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "memkeys:", err)
	os.Exit(1)
}
