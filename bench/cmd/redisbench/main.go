//go:build linux

// Command redisbench compares kevy's server with redis-server under
// Debian's redis-benchmark, both measured in the same run.
//
// It builds cmd/kevy from this repository and starts one
//
//	kevy serve --dir "" --bind 127.0.0.1 --port PORT --procs N
//
// process per -procs value (in memory, default shards and server
// configuration, GOMAXPROCS N), and redis-server on another free port with
// saving and the append-only file off: both servers are child processes
// measured the same way. For each round, pipeline depth and test it then
// runs
//
//	redis-benchmark -h 127.0.0.1 -p PORT -c CLIENTS -n N*P -P P -t TEST --csv -q
//
// against redis-server, against each kevy process and against
// redis-server again. So every line of the table is measured seconds
// apart on each server, and the two redis-server series give the
// scatter of redis-server against itself ("redis B/A"), the yardstick for
// the kevy ratios. Figures are medians over -rounds; the reference of a
// kevy ratio is the median of both redis-server series.
//
// The number of requests per test is -n times the pipeline depth, so a
// test lasts about as long at -P 16 as at -P 1.
//
// A second table gives the CPU time each server used per request (µs,
// median): on a small machine redis-benchmark takes a core of its own, and
// requests/s then says as much about the scheduler as about the server.
// Both servers' figures come from /proc. Its last column is the CPU the
// machine's other processes used during the runs (from /proc/stat,
// median, in cores): anything well above 0 means the figures were taken
// on a busy machine.
//
// Usage:
//
//	go run ./cmd/redisbench [-n 100000] [-rounds 5] [-clients 50]
//	                        [-pipelines 1,16] [-procs 1,2]
//	                        [-tests set,get,incr,lpush,lpop,sadd,hset,zadd]
//	                        [-r 0] [-kevy host:port] [-inprocess]
//	                        [-cpuprofile file]
//
// With -inprocess kevy's server runs in this process instead, configured
// as kevy serve configures it, once per -procs value (GOMAXPROCS of this
// process for that run); its CPU time is then this process's. With
// -cpuprofile (which implies -inprocess) the CPU profile of the whole run
// is written to file: this process is idle while redis-server is measured,
// so the profile is kevy's server under redis-benchmark's load (use -procs
// and -pipelines to choose which). With -kevy an already running kevy
// server is measured instead, and -procs is ignored.
package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/bench"
	"github.com/kevydb/kevy/server"
)

var (
	flagN         = flag.Int("n", 100_000, "requests per test at -P 1; at -P p, n*p")
	flagRounds    = flag.Int("rounds", 5, "rounds; each figure is the median over them")
	flagClients   = flag.Int("clients", 50, "redis-benchmark -c")
	flagPipelines = flag.String("pipelines", "1,16", "comma-separated redis-benchmark -P values")
	flagProcs     = flag.String("procs", "1,2", "comma-separated GOMAXPROCS values (kevy serve --procs) kevy's server runs with")
	flagInProcess = flag.Bool("inprocess", false, "run kevy's server in this process rather than as a kevy serve process")
	flagTests     = flag.String("tests", "set,get,incr,lpush,lpop,sadd,hset,zadd", "comma-separated redis-benchmark -t tests")
	flagKeyspace  = flag.Int("r", 0, "redis-benchmark -r (random keys); 0 uses one key per test, as redis-benchmark does by default")
	flagKevy      = flag.String("kevy", "", "host:port of a running kevy server to measure instead of the in-process one")
	flagRedis     = flag.String("redis-server", "redis-server", "redis-server binary")
	flagBench     = flag.String("redis-benchmark", "redis-benchmark", "redis-benchmark binary")
	flagProfile   = flag.String("cpuprofile", "", "write a CPU profile of this process (kevy's server) to file")
)

// target is one server configuration measured on every line.
type target struct {
	name  string
	addr  string
	procs int                  // GOMAXPROCS for the run; 0 leaves it
	cpu   func() time.Duration // the server's CPU time so far
}

// sample is one redis-benchmark run of one test against one target.
type sample struct {
	rps    float64       // requests per second, as redis-benchmark reports
	cpu    time.Duration // server CPU time during the run
	client time.Duration // redis-benchmark's CPU time
	others float64       // cores used by other processes during the run
	reqs   int
}

// line is one row of the tables: a test at a pipeline depth.
type line struct {
	test string
	p    int
}

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "redisbench:", err)
		os.Exit(1)
	}
}

func run() error {
	pipelines, err := ints(*flagPipelines)
	if err != nil {
		return fmt.Errorf("-pipelines: %w", err)
	}
	procs, err := ints(*flagProcs)
	if err != nil {
		return fmt.Errorf("-procs: %w", err)
	}
	tests := strings.Split(*flagTests, ",")
	if *flagN < 1 || *flagRounds < 1 || *flagClients < 1 || len(pipelines) == 0 || len(procs) == 0 {
		return errors.New("-n, -rounds, -clients, -pipelines and -procs must be positive")
	}
	benchBin, err := exec.LookPath(*flagBench)
	if err != nil {
		return err
	}

	redisBin, err := exec.LookPath(*flagRedis)
	if err != nil {
		return err
	}
	redisAddr, redisPID, stopRedis, err := startServer(redisBin, "--save", "", "--appendonly", "no")
	if err != nil {
		return fmt.Errorf("redis-server: %w", err)
	}
	defer stopRedis()

	var kevyTargets []target
	if *flagKevy != "" {
		kevyTargets = []target{{name: "kevy", addr: *flagKevy, cpu: func() time.Duration { return 0 }}}
	} else if *flagInProcess || *flagProfile != "" {
		addr, stop, err := startKevy()
		if err != nil {
			return err
		}
		defer stop()
		for _, p := range procs {
			kevyTargets = append(kevyTargets, target{name: fmt.Sprintf("kevy GOMAXPROCS=%d", p), addr: addr, procs: p, cpu: bench.ProcessCPU})
		}
	} else {
		bin, cleanup, err := buildKevy()
		if err != nil {
			return err
		}
		defer cleanup()
		for _, p := range procs {
			addr, pid, stop, err := startServer(bin, "serve", "--dir", "", "--procs", strconv.Itoa(p))
			if err != nil {
				return fmt.Errorf("kevy serve --procs %d: %w", p, err)
			}
			defer stop()
			kevyTargets = append(kevyTargets, target{name: fmt.Sprintf("kevy GOMAXPROCS=%d", p), addr: addr,
				cpu: func() time.Duration { return bench.ProcCPU(pid) }})
		}
	}
	redisCPU := func() time.Duration { return bench.ProcCPU(redisPID) }
	redisA := target{name: "redis A", addr: redisAddr, cpu: redisCPU}
	redisB := target{name: "redis B", addr: redisAddr, cpu: redisCPU}
	targets := append(append([]target{redisA}, kevyTargets...), redisB)

	if *flagProfile != "" {
		f, err := os.Create(*flagProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}

	startProcs := runtime.GOMAXPROCS(0)
	var lines []line
	for _, p := range pipelines {
		for _, t := range tests {
			lines = append(lines, line{strings.ToLower(strings.TrimSpace(t)), p})
		}
	}
	res := make(map[line][][]sample, len(lines)) // [target][round]
	for _, l := range lines {
		res[l] = make([][]sample, len(targets))
	}
	start := time.Now()
	load0 := loadavg()
	for r := range *flagRounds {
		for _, l := range lines {
			for i, t := range targets {
				if t.procs > 0 {
					runtime.GOMAXPROCS(t.procs)
				}
				s, err := runBenchmark(benchBin, t, l)
				runtime.GOMAXPROCS(startProcs)
				if err != nil {
					return fmt.Errorf("%s %s -P %d: %w", t.name, l.test, l.p, err)
				}
				res[l][i] = append(res[l][i], s)
			}
		}
		fmt.Fprintf(os.Stderr, "round %d/%d done (%v)\n", r+1, *flagRounds, time.Since(start).Round(time.Second))
	}

	fmt.Printf("redisbench %s — %s, %d cores, %s; %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"),
		runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), runtime.Version(), redisVersion())
	fmt.Printf("redis-benchmark -c %d -n %d×P", *flagClients, *flagN)
	if *flagKeyspace > 0 {
		fmt.Printf(" -r %d", *flagKeyspace)
	}
	fmt.Printf(", median of %d rounds, %v; load average before/after: %s / %s\n\n", *flagRounds, time.Since(start).Round(time.Second), load0, loadavg())

	kevyCols := targets[1 : len(targets)-1]
	// Requests per second.
	printHeader("redis req/s", kevyCols, " %s req/s | ratio |", "---:|---:|", "redis B/A | redis spread")
	for _, l := range lines {
		rs := res[l]
		all := append(rps(rs[0]), rps(rs[len(rs)-1])...)
		ref := median(all)
		fmt.Printf("| %s | %d | %s |", strings.ToUpper(l.test), l.p, human(ref))
		for i := range kevyCols {
			k := median(rps(rs[i+1]))
			fmt.Printf(" %s | %.2f |", human(k), k/ref)
		}
		a, b := median(rps(rs[0])), median(rps(rs[len(rs)-1]))
		fmt.Printf(" %.2f | ±%.0f %% |\n", b/a, 100*spread(all))
	}

	// CPU per request.
	fmt.Println()
	printHeader("redis CPU µs/req", kevyCols, " %s CPU µs/req |", "---:|", "redis-benchmark CPU µs/req | other processes, cores")
	for _, l := range lines {
		rs := res[l]
		fmt.Printf("| %s | %d | %.2f |", strings.ToUpper(l.test), l.p, median(cpuPerReq(append(slices.Clone(rs[0]), rs[len(rs)-1]...))))
		for i := range kevyCols {
			if *flagKevy != "" {
				fmt.Print(" – |")
				continue
			}
			fmt.Printf(" %.2f |", median(cpuPerReq(rs[i+1])))
		}
		var client, others []float64
		for i, ss := range rs {
			for _, s := range ss {
				client = append(client, float64(s.client.Microseconds())/float64(s.reqs))
				// An external kevy's CPU is not known: it would count as
				// another process's.
				if *flagKevy == "" || i == 0 || i == len(rs)-1 {
					others = append(others, s.others)
				}
			}
		}
		fmt.Printf(" %.2f | %.2f |\n", median(client), median(others))
	}
	return nil
}

// printHeader prints the header of a Markdown table: test, P and redis
// columns, then for each kevy column cells (a format taking its name) with
// the alignment row part align, then the two trailing columns tail.
func printHeader(redis string, kevyCols []target, cells, align, tail string) {
	fmt.Print("| test | P | " + redis + " |")
	for _, t := range kevyCols {
		fmt.Printf(cells, t.name)
	}
	fmt.Println(" " + tail + " |")
	fmt.Print("|---|---:|---:|")
	for range kevyCols {
		fmt.Print(align)
	}
	fmt.Println("---:|---:|")
}

// runBenchmark runs redis-benchmark for one line against one target.
func runBenchmark(bin string, t target, l line) (sample, error) {
	host, port, err := net.SplitHostPort(t.addr)
	if err != nil {
		return sample{}, err
	}
	n := *flagN * l.p
	args := []string{"-h", host, "-p", port, "-c", strconv.Itoa(*flagClients), "-n", strconv.Itoa(n),
		"-P", strconv.Itoa(l.p), "-t", l.test, "--csv", "-q"}
	if *flagKeyspace > 0 {
		args = append(args, "-r", strconv.Itoa(*flagKeyspace))
	}
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	c0, b0, t0 := t.cpu(), bench.SystemBusy(), time.Now()
	err = cmd.Run()
	c1, b1, el := t.cpu(), bench.SystemBusy(), time.Since(t0)
	if err != nil {
		return sample{}, fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	recs, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		return sample{}, fmt.Errorf("reading redis-benchmark's CSV: %w", err)
	}
	for _, rec := range recs {
		if len(rec) >= 2 && strings.EqualFold(rec[0], l.test) {
			v, err := strconv.ParseFloat(rec[1], 64)
			if err != nil {
				return sample{}, fmt.Errorf("redis-benchmark rps %q: %w", rec[1], err)
			}
			client := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			others := max(0, float64(b1-b0-(c1-c0)-client)/float64(el))
			return sample{rps: v, cpu: c1 - c0, client: client, others: others, reqs: n}, nil
		}
	}
	return sample{}, fmt.Errorf("no %s line in redis-benchmark's output: %q", l.test, out.String())
}

// startKevy serves an in-memory kevy database on a free loopback port,
// configured as kevy serve configures it with an empty --dir.
func startKevy() (addr string, stop func(), err error) {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	db, err := kevy.Open("", &kevy.Options{Logger: logger})
	if err != nil {
		return "", nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		return "", nil, err
	}
	srv := server.New(db, &server.Config{MaxClients: server.DefaultMaxClients, Logger: logger})
	done := make(chan struct{})
	go func() { srv.Serve(l); close(done) }()
	return l.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
		db.Close()
	}, nil
}

// buildKevy builds cmd/kevy into a temporary directory.
func buildKevy() (bin string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "redisbench")
	if err != nil {
		return "", nil, err
	}
	bin = filepath.Join(dir, "kevy")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/kevydb/kevy/cmd/kevy")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("building kevy: %w", err)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// startServer starts bin (redis-server, or kevy with its serve arguments)
// with args followed by --bind 127.0.0.1 --port on a free port, and waits
// until it answers PING. Both servers take those two flags.
func startServer(bin string, args ...string) (addr string, pid int, stop func(), err error) {
	port, err := bench.FreePort()
	if err != nil {
		return "", 0, nil, err
	}
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(bin, append(args, "--bind", "127.0.0.1", "--port", strconv.Itoa(port))...)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the benchmark
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	stop = func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		if err = ping(addr); err == nil {
			return addr, cmd.Process.Pid, stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return "", 0, nil, fmt.Errorf("%s did not start: %w", filepath.Base(bin), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ping sends an inline PING and expects +PONG.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(c, "PING\r\n"); err != nil {
		return err
	}
	buf := make([]byte, 7)
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != "+PONG\r\n" {
		return fmt.Errorf("PING: %q", buf)
	}
	return nil
}

// redisVersion is redis-server's version line, shortened.
func redisVersion() string {
	out, err := exec.Command(*flagRedis, "--version").Output()
	if err != nil {
		return "redis-server ?"
	}
	f := strings.Fields(string(out))
	for _, s := range f {
		if strings.HasPrefix(s, "v=") {
			return "redis-server " + strings.TrimPrefix(s, "v=")
		}
	}
	return strings.TrimSpace(string(out))
}

// loadavg is the one-minute load average, or "?".
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func rps(ss []sample) []float64 {
	out := make([]float64, len(ss))
	for i, s := range ss {
		out[i] = s.rps
	}
	return out
}

func cpuPerReq(ss []sample) []float64 {
	out := make([]float64, len(ss))
	for i, s := range ss {
		out[i] = float64(s.cpu.Nanoseconds()) / 1e3 / float64(s.reqs)
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// spread is the largest distance of a value from the median, relative to
// the median.
func spread(v []float64) float64 {
	m := median(v)
	if m == 0 {
		return 0
	}
	var d float64
	for _, x := range v {
		d = max(d, abs(x-m)/m)
	}
	return d
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// human formats requests per second with thousands separators.
func human(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
