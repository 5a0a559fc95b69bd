// Command savebench measures snapshot (Save) and restart times of kevy
// beside redis-server's SAVE and restart, on the same data in the same run.
//
// For each key count in -keys it stores the keys "key:%d" with distinct
// 16-byte values ("v:%014d"), one SET per key, then:
//
//   - kevy, embedded: kevy.Open on a fresh temporary directory with the
//     append-only file on (FsyncEverySec, automatic rewrite off), one
//     db.Set per key; then db.Save() is timed (every shard's snapshot,
//     written and fsynced), db.Close(), and the restart (kevy.Open of the
//     directory until it returns, data loaded) is timed; DBSIZE must be N.
//   - redis-server (-redis, started on a free loopback port with
//     --save "" --appendonly no in a temporary directory): the same SETs
//     sent pipelined over one connection; SAVE is timed (the command's
//     round trip), then SHUTDOWN NOSAVE, and the restart is timed from
//     starting the process until INFO persistence reports loading:0 and
//     DBSIZE is answered; DBSIZE must be N.
//
// With -aof, both sides also restart from their plain append-only file
// before the Save: kevy closes without saving (its logs hold N SET
// records) and reopens; redis-server runs with --appendonly yes
// --aof-use-rdb-preamble no --auto-aof-rewrite-percentage 0 (its
// incremental AOF holds N SET commands), is shut down with SHUTDOWN
// NOSAVE and restarted with the same options.
//
// -runs repeats each Save and RDB restart and reports the medians and
// ranges (every sample is printed as it is measured). Before each timed
// step it waits (up to -wait) for a second in which other processes use
// less than 0.2 core, and each sample is printed with "others": the CPU,
// in cores, that processes other than savebench and the measured
// redis-server used meanwhile (from /proc/stat; steal included). The
// output ends with Markdown tables for docs/performance.md. Restart times are not quite alike: kevy's
// is an in-process Open, redis-server's includes starting the process
// (a few milliseconds).
//
// Usage:
//
//	go run ./cmd/savebench [-keys 1000000,10000000] [-aof] [-runs 1]
//	                       [-wait 1m] [-redis redis-server] [-noredis]
//	                       [-dir /tmp] [-v]
//
// 10M keys need about 3 GB of RAM and 2 GB of disk at the peak.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/bench"
)

var (
	keysFlag  = flag.String("keys", "1000000,10000000", "comma-separated key counts")
	aofFlag   = flag.Bool("aof", false, "also time a restart from the plain append-only file (kevy and redis-server)")
	runsFlag  = flag.Int("runs", 1, "repetitions of each Save and RDB restart (medians are reported)")
	waitFlag  = flag.Duration("wait", time.Minute, "longest wait for a quiet machine before each timed step")
	redisBin  = flag.String("redis", "redis-server", "redis-server binary")
	noRedis   = flag.Bool("noredis", false, "skip redis-server")
	tmpDir    = flag.String("dir", "", "parent of the temporary data directories (default: the system's)")
	verbosity = flag.Bool("v", false, "log kevy's persistence messages")
)

// result is one key count's figures.
type result struct {
	keys int

	kevyLoad                   time.Duration
	kevySave, kevyRestart      samples
	kevyAOFRestart             time.Duration
	kevyRDB, kevyAOF, kevyLogs int64 // bytes: snapshots and logs after Save; logs before it

	redisOK                 bool
	redisLoad               time.Duration
	redisSave, redisRestart samples
	redisAOFRestart         time.Duration
	redisRDB, redisAOF      int64
}

// samples are the durations measured for one figure.
type samples []time.Duration

func (s samples) median() time.Duration {
	if len(s) == 0 {
		return 0
	}
	c := slices.Clone(s)
	slices.Sort(c)
	return c[len(c)/2]
}

// String formats the median, and the range when there are several.
func (s samples) String() string {
	if len(s) == 0 {
		return "-"
	}
	if len(s) == 1 {
		return fmt.Sprintf("%.2f", s[0].Seconds())
	}
	return fmt.Sprintf("%.2f (%.2f–%.2f)", s.median().Seconds(), slices.Min(s).Seconds(), slices.Max(s).Seconds())
}

// waitQuiet waits, up to -wait, for a second during which other
// processes use less than 0.2 core.
func waitQuiet() {
	deadline := time.Now().Add(*waitFlag)
	for {
		m := startMeter(0)
		time.Sleep(time.Second)
		o := m.others(0)
		if o < 0.2 {
			return
		}
		if time.Now().After(deadline) {
			logf("(machine still busy: others %.2f cores; measuring anyway)", o)
			return
		}
	}
}

func main() {
	flag.Parse()
	var counts []int
	for _, s := range strings.Split(*keysFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fatal(fmt.Errorf("-keys: bad count %q", s))
		}
		counts = append(counts, n)
	}
	if *runsFlag < 1 {
		fatal(errors.New("-runs must be at least 1"))
	}
	redisVersion := ""
	if !*noRedis {
		out, err := exec.Command(*redisBin, "--version").Output()
		if err != nil {
			fatal(fmt.Errorf("%s: %v (use -noredis to skip it)", *redisBin, err))
		}
		redisVersion = strings.TrimSpace(string(out))
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("savebench %s — %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), bench.Machine())
	if redisVersion != "" {
		fmt.Println(redisVersion)
	}
	fmt.Printf("load average at start: %s\n", strings.TrimSpace(string(load)))

	var rs []result
	for _, n := range counts {
		r := result{keys: n}
		if err := runKevy(&r); err != nil {
			fatal(fmt.Errorf("kevy, %d keys: %w", n, err))
		}
		runtime.GC()
		if !*noRedis {
			if err := runRedis(&r); err != nil {
				fatal(fmt.Errorf("redis-server, %d keys: %w", n, err))
			}
			r.redisOK = true
		}
		rs = append(rs, r)
	}
	fmt.Println()
	writeTable(os.Stdout, rs)
}

// key and value of key i: "key:i" and a distinct 16-byte value.
func appendKey(b []byte, i int) []byte   { return strconv.AppendInt(append(b, "key:"...), int64(i), 10) }
func appendValue(b []byte, i int) []byte { return fmt.Appendf(b, "v:%014d", i) }

func logf(format string, args ...any) {
	fmt.Printf("  "+format+"\n", args...)
}

// ---------------------------------------------------------------- kevy

func kevyOptions() *kevy.Options {
	lg := slog.New(slog.NewTextHandler(io.Discard, nil))
	if *verbosity {
		lg = slog.Default()
	}
	return &kevy.Options{
		Logger:                lg,
		AppendFsync:           kevy.FsyncEverySec,
		AutoRewritePercentage: -1,
	}
}

// kevyBytes sums the sizes of the snapshot (.rdb) and log (.aof) files
// under dir.
func kevyBytes(dir string) (rdb, aof int64, err error) {
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(p, ".rdb"):
			rdb += info.Size()
		case strings.HasSuffix(p, ".aof"):
			aof += info.Size()
		}
		return nil
	})
	return rdb, aof, err
}

// openKevy times kevy.Open of dir and checks that it holds n keys.
func openKevy(dir string, n int, what string) (*kevy.DB, time.Duration, error) {
	runtime.GC()
	waitQuiet()
	m := startMeter(0)
	t0 := time.Now()
	db, err := kevy.Open(dir, kevyOptions())
	d := time.Since(t0)
	others := m.others(0)
	if err != nil {
		return nil, 0, err
	}
	logf("restart from the %s: %.3f s (others %.2f cores)", what, d.Seconds(), others)
	if got, err := db.DBSize(); err != nil || got != n {
		db.Close()
		return nil, 0, fmt.Errorf("after restart: DBSIZE %d (%v), want %d", got, err, n)
	}
	return db, d, nil
}

func runKevy(r *result) error {
	n := r.keys
	fmt.Printf("\nkevy, %d keys\n", n)
	dir, err := os.MkdirTemp(*tmpDir, "kevy-savebench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	db, err := kevy.Open(dir, kevyOptions())
	if err != nil {
		return err
	}
	t0 := time.Now()
	var kb, vb []byte
	for i := range n {
		kb, vb = appendKey(kb[:0], i), appendValue(vb[:0], i)
		if err := db.Set(string(kb), vb); err != nil {
			db.Close()
			return err
		}
	}
	r.kevyLoad = time.Since(t0)
	logf("load (db.Set, AOF everysec): %.2f s, %.2f M keys/s", r.kevyLoad.Seconds(), float64(n)/r.kevyLoad.Seconds()/1e6)

	if *aofFlag {
		if err := db.Close(); err != nil { // the AOF is on: Close does not save
			return err
		}
		db = nil
		rdb, aof, err := kevyBytes(dir)
		if err != nil {
			return err
		}
		r.kevyLogs = aof
		logf("closed without saving: %d B of logs, %d B of snapshots", aof, rdb)
		if db, r.kevyAOFRestart, err = openKevy(dir, n, "logs"); err != nil {
			return err
		}
	}

	for run := range *runsFlag {
		if run > 0 || db == nil {
			var d time.Duration
			if db, d, err = openKevy(dir, n, "snapshots"); err != nil {
				return err
			}
			r.kevyRestart = append(r.kevyRestart, d)
		}
		runtime.GC()
		waitQuiet()
		m := startMeter(0)
		t0 = time.Now()
		if err := db.Save(); err != nil {
			db.Close()
			return err
		}
		d := time.Since(t0)
		others := m.others(0)
		r.kevySave = append(r.kevySave, d)
		if err := db.Close(); err != nil {
			return err
		}
		db = nil
		rdb, aof, err := kevyBytes(dir)
		if err != nil {
			return err
		}
		r.kevyRDB, r.kevyAOF = rdb, aof
		logf("Save: %.3f s (others %.2f cores); %d B of snapshots, %d B of logs", d.Seconds(), others, rdb, aof)
	}
	db, d, err := openKevy(dir, n, "snapshots")
	if err != nil {
		return err
	}
	r.kevyRestart = append(r.kevyRestart, d)
	return db.Close()
}

// ---------------------------------------------------------------- redis

// redisServer is a redis-server process and one connection to it.
type redisServer struct {
	cmd    *exec.Cmd
	port   int
	others float64 // the noise during the start, in cores
	c      net.Conn
	r      *bufio.Reader
	w      *bufio.Writer
}

// startRedis starts redis-server on port in dir and returns once it
// answers with its data loaded (INFO persistence says loading:0 and
// DBSIZE is answered), and how long that took from the start of the
// process.
func startRedis(dir string, port int, aof bool) (*redisServer, time.Duration, error) {
	args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--logfile", filepath.Join(dir, "redis.log")}
	if aof {
		args = append(args, "--appendonly", "yes", "--appendfsync", "everysec",
			"--aof-use-rdb-preamble", "no", "--auto-aof-rewrite-percentage", "0")
	} else {
		args = append(args, "--appendonly", "no")
	}
	cmd := exec.Command(*redisBin, args...)
	waitQuiet()
	m := startMeter(0)
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	pid := cmd.Process.Pid
	rs := &redisServer{cmd: cmd, port: port}
	deadline := t0.Add(10 * time.Minute)
	for {
		if time.Now().After(deadline) {
			rs.kill()
			return nil, 0, errors.New("redis-server did not finish loading within 10 minutes")
		}
		if rs.c == nil {
			c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
			if err != nil {
				time.Sleep(time.Millisecond)
				continue
			}
			rs.c, rs.r, rs.w = c, bufio.NewReaderSize(c, 1<<16), bufio.NewWriterSize(c, 1<<16)
		}
		reply, err := rs.do("INFO", "persistence")
		if err != nil {
			var re redisError
			if errors.As(err, &re) { // -LOADING
				time.Sleep(time.Millisecond)
				continue
			}
			rs.kill()
			return nil, 0, err
		}
		if strings.Contains(reply, "loading:0") {
			// INFO can say loading:0 between the files of a multi-part
			// AOF; DBSIZE answers -LOADING until everything is loaded.
			_, err := rs.do("DBSIZE")
			if err == nil {
				d := time.Since(t0)
				rs.others = m.others(pid)
				return rs, d, nil
			}
			if !errors.As(err, new(redisError)) {
				rs.kill()
				return nil, 0, err
			}
		}
		time.Sleep(time.Millisecond)
	}
}

func (rs *redisServer) kill() {
	if rs.c != nil {
		rs.c.Close()
	}
	rs.cmd.Process.Kill()
	rs.cmd.Wait()
}

// shutdown sends SHUTDOWN NOSAVE and waits for the process to exit.
func (rs *redisServer) shutdown() error {
	writeCmd(rs.w, "SHUTDOWN", "NOSAVE")
	rs.w.Flush()
	io.Copy(io.Discard, rs.r) // the server closes the connection
	rs.c.Close()
	done := make(chan error, 1)
	go func() { done <- rs.cmd.Wait() }()
	select {
	case <-done:
		return nil
	case <-time.After(2 * time.Minute):
		rs.cmd.Process.Kill()
		<-done
		return errors.New("redis-server did not exit after SHUTDOWN NOSAVE")
	}
}

type redisError string

func (e redisError) Error() string { return "redis: " + string(e) }

func writeCmd(w *bufio.Writer, args ...string) {
	w.WriteString("*")
	w.WriteString(strconv.Itoa(len(args)))
	w.WriteString("\r\n")
	for _, a := range args {
		w.WriteString("$")
		w.WriteString(strconv.Itoa(len(a)))
		w.WriteString("\r\n")
		w.WriteString(a)
		w.WriteString("\r\n")
	}
}

// do sends one command and returns its reply as a string (simple,
// integer or bulk); an error reply is a redisError.
func (rs *redisServer) do(args ...string) (string, error) {
	writeCmd(rs.w, args...)
	if err := rs.w.Flush(); err != nil {
		return "", err
	}
	return readReply(rs.r)
}

func readReply(r *bufio.Reader) (string, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return "", err
	}
	if len(line) < 3 {
		return "", fmt.Errorf("redis: short reply %q", line)
	}
	body := string(line[1 : len(line)-2])
	switch line[0] {
	case '+', ':':
		return body, nil
	case '-':
		return "", redisError(body)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return "", err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	}
	return "", fmt.Errorf("redis: unexpected reply %q", line)
}

// load sends n SETs pipelined: a goroutine writes, this one reads.
func (rs *redisServer) load(n int) error {
	errc := make(chan error, 1)
	go func() {
		var kb, vb []byte
		kb = append(kb, "*3\r\n$3\r\nSET\r\n"...)
		for i := range n {
			kb = kb[:len("*3\r\n$3\r\nSET\r\n")]
			vb = appendKey(vb[:0], i)
			kb = append(kb, '$')
			kb = strconv.AppendInt(kb, int64(len(vb)), 10)
			kb = append(kb, "\r\n"...)
			kb = append(kb, vb...)
			vb = appendValue(vb[:0], i)
			kb = append(kb, "\r\n$16\r\n"...)
			kb = append(kb, vb...)
			kb = append(kb, "\r\n"...)
			if _, err := rs.w.Write(kb); err != nil {
				errc <- err
				return
			}
		}
		errc <- rs.w.Flush()
	}()
	var err error
	for range n {
		var line []byte
		if line, err = rs.r.ReadSlice('\n'); err != nil {
			break
		}
		if string(line) != "+OK\r\n" {
			err = fmt.Errorf("redis: SET replied %q", line)
			break
		}
	}
	if werr := <-errc; err == nil {
		err = werr
	}
	return err
}

func (rs *redisServer) dbsize(n int) error {
	s, err := rs.do("DBSIZE")
	if err != nil {
		return err
	}
	if s != strconv.Itoa(n) {
		return fmt.Errorf("DBSIZE %s, want %d", s, n)
	}
	return nil
}

func dirSize(dir string) int64 {
	var total int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				total += info.Size()
			}
		}
		return nil
	})
	return total
}

func runRedis(r *result) (err error) {
	n := r.keys
	fmt.Printf("\nredis-server, %d keys\n", n)
	dir, err := os.MkdirTemp(*tmpDir, "kevy-savebench-redis")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	port, err := bench.FreePort()
	if err != nil {
		return err
	}
	rs, _, err := startRedis(dir, port, *aofFlag)
	if err != nil {
		return err
	}
	defer func() {
		if rs != nil {
			rs.kill()
		}
	}()
	t0 := time.Now()
	if err := rs.load(n); err != nil {
		return err
	}
	r.redisLoad = time.Since(t0)
	if err := rs.dbsize(n); err != nil {
		return err
	}
	logf("load (pipelined SET over loopback): %.2f s, %.2f M keys/s", r.redisLoad.Seconds(), float64(n)/r.redisLoad.Seconds()/1e6)

	if *aofFlag {
		err := rs.shutdown()
		rs = nil
		if err != nil {
			return err
		}
		r.redisAOF = dirSize(filepath.Join(dir, "appendonlydir"))
		logf("shut down: %d B of AOF (appendonlydir)", r.redisAOF)
		var d time.Duration
		if rs, d, err = startRedis(dir, port, true); err != nil {
			return err
		}
		if err := rs.dbsize(n); err != nil {
			return err
		}
		r.redisAOFRestart = d
		logf("restart from the plain AOF: %.3f s (others %.2f cores)", d.Seconds(), rs.others)
	}

	for run := range *runsFlag {
		if run > 0 {
			var d time.Duration
			if rs, d, err = startRedis(dir, port, false); err != nil {
				return err
			}
			if err := rs.dbsize(n); err != nil {
				return err
			}
			r.redisRestart = append(r.redisRestart, d)
			logf("restart from the RDB: %.3f s (others %.2f cores)", d.Seconds(), rs.others)
		}
		waitQuiet()
		pid := rs.cmd.Process.Pid
		m := startMeter(pid)
		t0 := time.Now()
		if _, err := rs.do("SAVE"); err != nil {
			return err
		}
		d := time.Since(t0)
		others := m.others(pid)
		r.redisSave = append(r.redisSave, d)
		info, err := os.Stat(filepath.Join(dir, "dump.rdb"))
		if err != nil {
			return err
		}
		r.redisRDB = info.Size()
		logf("SAVE: %.3f s (others %.2f cores); %d B", d.Seconds(), others, r.redisRDB)
		err = rs.shutdown()
		rs = nil
		if err != nil {
			return err
		}
	}
	// appendonly no: the restart loads dump.rdb even when an AOF exists.
	rs, d, err := startRedis(dir, port, false)
	if err != nil {
		return err
	}
	if err := rs.dbsize(n); err != nil {
		return err
	}
	r.redisRestart = append(r.redisRestart, d)
	logf("restart from the RDB: %.3f s (others %.2f cores)", d.Seconds(), rs.others)
	err = rs.shutdown()
	rs = nil
	return err
}

// ---------------------------------------------------------------- output

func ratio(a, b time.Duration) string {
	if a <= 0 || b <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a.Seconds()/b.Seconds())
}

func secs(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", d.Seconds())
}

func mb(b int64, ok bool) string {
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(b)/1e6)
}

func writeTable(w io.Writer, rs []result) {
	fmt.Fprintln(w, "Save and restart from the snapshot: seconds, median (min–max) of the samples; ratio = kevy / redis-server medians.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| keys | kevy Save s | redis SAVE s | ratio | kevy restart s | redis restart s | ratio | kevy snapshots MB | redis RDB MB |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rs {
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.keys,
			r.kevySave, r.redisSave, ratio(r.kevySave.median(), r.redisSave.median()),
			r.kevyRestart, r.redisRestart, ratio(r.kevyRestart.median(), r.redisRestart.median()),
			mb(r.kevyRDB, true), mb(r.redisRDB, r.redisOK))
	}
	if !*aofFlag {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Restart from a plain append-only file of N SETs (one sample):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| keys | kevy restart s | redis restart s | ratio | kevy logs MB | redis AOF MB |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|")
	for _, r := range rs {
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s |\n", r.keys,
			secs(r.kevyAOFRestart), secs(r.redisAOFRestart), ratio(r.kevyAOFRestart, r.redisAOFRestart),
			mb(r.kevyLogs, true), mb(r.redisAOF, r.redisOK))
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "savebench:", err)
	os.Exit(1)
}
