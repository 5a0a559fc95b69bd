// Command kevybench runs kevy's comparative benchmark shapes (a, b, c and,
// with -mem, d) against kevy and against a bare Go map+RWMutex baseline in
// the same process, and prints Markdown tables ready for
// docs/performance.md.
//
// Usage:
//
//	go run ./cmd/kevybench [-benchtime 1s] [-count 3] [-stat median|best]
//	                       [-run regexp] [-shards n]
//	                       [-mem [-keys 10000000] [-load 10s]]
//	                       [-cpuprofile file] [-memprofile file]
//
// Each figure is the median (or with -stat best, the highest) of -count
// runs; kevy and baseline runs alternate so that both see the same
// machine conditions. The ratio is
// kevy's throughput divided by the baseline's. For multi-goroutine shapes
// the last column is the CPU the process used per second of wall time:
// well under the goroutine count means the machine was shared. Runs
// during which other processes used more than 0.1 core (per /proc/stat)
// are set aside when any run was quiet; the last column counts the quiet
// runs of each side.
package main

import (
	"cmp"
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"testing"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/bench"
)

func main() {
	testing.Init() // registers test.benchtime, which testing.Benchmark reads
	fs := flag.NewFlagSet("kevybench", flag.ExitOnError)
	benchtime := fs.Duration("benchtime", time.Second, "target duration of each benchmark run")
	count := fs.Int("count", 3, "runs per figure")
	stat := fs.String("stat", "median", "how -count runs combine: median, or best (highest throughput: the least disturbed run on a shared machine)")
	run := fs.String("run", "", "only shapes whose \"group/name\" matches this regexp (e.g. '^a/', 'GET')")
	mem := fs.Bool("mem", false, "also run shape d (10M keys: needs ~2-3 GB and a minute or two)")
	keys := fs.Int("keys", 10_000_000, "shape d: number of keys")
	load := fs.Duration("load", 10*time.Second, "shape d: duration of the steady GET/SET load")
	setpct := fs.Int("setpct", 50, "shape d: percentage of SETs in the load")
	appendGet := fs.Bool("appendget", false, "shape d: kevy reads with AppendGet (if present) instead of Get")
	shards := fs.Int("shards", 0, "kevy Options.Shards (0 = kevy.DefaultShards)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	memprofile := fs.String("memprofile", "", "write an allocation profile at the end to this file")
	fs.Parse(os.Args[1:])

	if err := flag.CommandLine.Set("test.benchtime", benchtime.String()); err != nil {
		fatal(err)
	}
	re, err := regexp.Compile(*run)
	if err != nil {
		fatal(err)
	}
	pick := median
	switch *stat {
	case "median":
	case "best":
		pick = best
	default:
		fatal(fmt.Errorf("-stat must be median or best, not %q", *stat))
	}
	if *count < 1 {
		fatal(fmt.Errorf("-count must be at least 1"))
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

	fmt.Printf("kevybench %s — %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), bench.Machine())
	nsh := *shards
	if nsh == 0 {
		nsh = kevy.DefaultShards
	}
	fmt.Printf("benchtime %v, %s of %d runs, kevy shards %d, kevy AppendGet present: %v\n\n", *benchtime, *stat, *count, nsh, bench.HasAppendGet())
	fmt.Println("| shape | kevy Mops/s | kevy range | baseline Mops/s | baseline range | ratio | kevy ns/op | kevy allocs/op | cores kevy/base | quiet runs kevy/base |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, s := range bench.ShapesWith(&kevy.Options{Shards: *shards}) {
		id := s.Group + "/" + s.Name
		if !re.MatchString(id) {
			continue
		}
		if s.Goroutines > runtime.GOMAXPROCS(0) {
			fmt.Fprintf(os.Stderr, "note: %s uses %d goroutines but GOMAXPROCS is %d\n", id, s.Goroutines, runtime.GOMAXPROCS(0))
		}
		var kv, bv, kc, bc []float64
		var kq, bq []bool
		var allocs int64
		for i := 0; i < *count; i++ {
			rk := testing.Benchmark(s.Kevy)
			rb := testing.Benchmark(s.Base)
			if rk.N == 0 || rb.N == 0 {
				fatal(fmt.Errorf("%s: benchmark failed or was skipped", id))
			}
			kv = append(kv, mops(rk))
			bv = append(bv, mops(rb))
			kc = append(kc, rk.Extra["cores"])
			bc = append(bc, rb.Extra["cores"])
			kq = append(kq, quiet(rk))
			bq = append(bq, quiet(rb))
			allocs = rk.AllocsPerOp()
		}
		ki, kn := pickQuiet(kv, kq, pick)
		bi, bn := pickQuiet(bv, bq, pick)
		k, b := kv[ki], bv[bi]
		cores := "-"
		if s.Goroutines > 1 {
			cores = fmt.Sprintf("%.2f/%.2f", kc[ki], bc[bi])
		}
		fmt.Printf("| %s %s | %.1f | %s | %.1f | %s | %.2f | %.1f | %d | %s | %d/%d |\n",
			s.Group, s.Name, k, spread(kv, kq), b, spread(bv, bq), k/b, 1e3/k, allocs, cores, kn, bn)
	}

	if *mem {
		fmt.Printf("\nshape d: %d keys, %v load, %d%% SET, %d workers\n\n", *keys, *load, *setpct, runtime.GOMAXPROCS(0))
		var rs []bench.MemResult
		for _, store := range []string{"kevy", "map"} {
			for _, ttl := range []bool{false, true} {
				r, err := bench.RunMem(store, bench.MemConfig{Keys: *keys, TTL: ttl, Load: *load, SetPercent: *setpct, AppendGet: *appendGet})
				if err != nil {
					fatal(err)
				}
				rs = append(rs, r)
			}
		}
		bench.WriteMemTable(os.Stdout, rs)
	}

	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		if err != nil {
			fatal(err)
		}
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			fatal(err)
		}
		f.Close()
	}
}

// quietLimit is the most CPU (in cores) other processes may use during a
// run for it to count as undisturbed.
const quietLimit = 0.1

// quiet reports whether other processes left the machine alone during
// the run (always true where the "others" metric is unavailable).
func quiet(r testing.BenchmarkResult) bool {
	o, ok := r.Extra["others"]
	return !ok || o <= quietLimit
}

// pickQuiet applies pick to the quiet runs only, or to all runs when
// none was quiet, and returns the chosen index and the quiet count.
func pickQuiet(v []float64, q []bool, pick func([]float64) int) (int, int) {
	var idx []int
	var sub []float64
	for i, ok := range q {
		if ok {
			idx = append(idx, i)
			sub = append(sub, v[i])
		}
	}
	if len(idx) == 0 {
		return pick(v), 0
	}
	return idx[pick(sub)], len(idx)
}

// spread formats the lowest and highest of the quiet runs (of all runs
// when none was quiet).
func spread(v []float64, q []bool) string {
	lo, hi := 0.0, 0.0
	n := 0
	for pass := 0; pass < 2 && n == 0; pass++ {
		for i, x := range v {
			if pass == 0 && !q[i] {
				continue
			}
			if n == 0 || x < lo {
				lo = x
			}
			if n == 0 || x > hi {
				hi = x
			}
			n++
		}
	}
	return fmt.Sprintf("%.1f–%.1f", lo, hi)
}

// mops is a result's throughput in millions of operations per second
// (across all goroutines: N operations in T wall time).
func mops(r testing.BenchmarkResult) float64 {
	return float64(r.N) / r.T.Seconds() / 1e6
}

// median returns the index of the median of v (the upper one for an
// even count), so that the run's other figures can be reported with it.
func median(v []float64) int {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(v[a], v[b]) })
	return idx[len(idx)/2]
}

// best returns the index of the largest value of v.
func best(v []float64) int {
	b := 0
	for i, x := range v {
		if x > v[b] {
			b = i
		}
	}
	return b
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "kevybench:", err)
	os.Exit(1)
}
