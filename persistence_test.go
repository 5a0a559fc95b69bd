package kevy_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kevydb/kevy"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// openDir opens dir with opts (Logger defaults to a silent one).
func openDir(t *testing.T, dir string, opts kevy.Options) *kevy.DB {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	db, err := kevy.Open(dir, &opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return db
}

// do runs a command and fails the test on error.
func do(t *testing.T, db *kevy.DB, args ...any) kevy.Value {
	t.Helper()
	v, err := db.Do(context.Background(), args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return v
}

// snapshot renders every key of databases 0..3 with its type, value and
// TTL, through commands.
func snapshot(t *testing.T, db *kevy.DB) string {
	t.Helper()
	var out []string
	for n := range 4 {
		h, err := db.Database(n)
		if err != nil {
			t.Fatal(err)
		}
		keys := do(t, h, "KEYS", "*").Elems()
		for _, k := range keys {
			key := k.String()
			typ := do(t, h, "TYPE", key).String()
			var val string
			switch typ {
			case "string":
				val = do(t, h, "GET", key).String()
			case "list":
				val = fmt.Sprint(pstrs(do(t, h, "LRANGE", key, 0, -1)))
			case "set":
				s := pstrs(do(t, h, "SMEMBERS", key))
				sort.Strings(s)
				val = fmt.Sprint(s)
			case "hash":
				s := pstrs(do(t, h, "HGETALL", key))
				var pairs []string
				for i := 0; i+1 < len(s); i += 2 {
					pairs = append(pairs, s[i]+"="+s[i+1])
				}
				sort.Strings(pairs)
				val = fmt.Sprint(pairs)
			case "zset":
				val = fmt.Sprint(pstrs(do(t, h, "ZRANGE", key, 0, -1, "WITHSCORES")))
			}
			pttl := do(t, h, "PEXPIRETIME", key).String()
			out = append(out, fmt.Sprintf("db%d %q %s %s ttl=%s", n, key, typ, val, pttl))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func pstrs(v kevy.Value) []string {
	var s []string
	for _, e := range v.Elems() {
		s = append(s, e.String())
	}
	return s
}

// fill writes data of every type, with TTLs and in several databases.
func fill(t *testing.T, db *kevy.DB) {
	cmds := [][]any{
		{"SET", "str", "value"},
		{"SET", "ttl", "v", "EX", 1000},
		{"INCRBY", "n", 42},
		{"INCRBYFLOAT", "f", "3.25"},
		{"RPUSH", "list", "a", "b", "c"},
		{"LPUSH", "list", "z"},
		{"SADD", "set", "x", "y", "1"},
		{"SPOP", "set"},
		{"HSET", "hash", "f1", "v1", "f2", "v2"},
		{"HINCRBYFLOAT", "hash", "f3", "0.5"},
		{"ZADD", "zset", 1, "one", 2, "two", "+inf", "inf"},
		{"ZPOPMAX", "zset"},
		{"EXPIRE", "hash", 5000},
		{"MSET", "m1", "1", "m2", "2", "m3", "3"},
		{"RENAME", "m1", "renamed"},
		{"LMOVE", "list", "list2", "LEFT", "RIGHT"},
	}
	for _, c := range cmds {
		do(t, db, c...)
	}
	for n := 1; n <= 3; n++ {
		h, _ := db.Database(n)
		do(t, h, "SET", "k"+strconv.Itoa(n), n)
		do(t, h, "RPUSH", "l", n, n+1)
	}
}

func TestPersistenceRoundTrip(t *testing.T) {
	for _, fsync := range []kevy.FsyncPolicy{kevy.FsyncEverySec, kevy.FsyncAlways, kevy.FsyncNo} {
		t.Run(fsync.String(), func(t *testing.T) {
			dir := t.TempDir()
			clk := kevy.NewManualClock(time.Unix(1_800_000_000, 0))
			opts := kevy.Options{Shards: 4, Clock: clk, AppendFsync: fsync}
			db := openDir(t, dir, opts)
			fill(t, db)
			want := snapshot(t, db)
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db = openDir(t, dir, opts)
			if got := snapshot(t, db); got != want {
				t.Fatalf("after reopen:\n%s\nwant:\n%s", got, want)
			}
			if err := db.Save(); err != nil {
				t.Fatal(err)
			}
			do(t, db, "DEL", "str")
			want = snapshot(t, db)
			db.Close()
			db = openDir(t, dir, opts)
			defer db.Close()
			if got := snapshot(t, db); got != want {
				t.Fatalf("after save and reopen:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestBGSaveAndLastSave(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir, kevy.Options{Shards: 2})
	defer db.Close()
	before := db.LastSave()
	if before.IsZero() {
		t.Fatal("LastSave is zero for an open directory")
	}
	for i := range 1000 {
		do(t, db, "SET", "k"+strconv.Itoa(i), i)
	}
	time.Sleep(2 * time.Millisecond)
	if err := db.BGSave(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !db.LastSave().After(before) {
		if time.Now().After(deadline) {
			t.Fatal("BGSave did not complete")
		}
		time.Sleep(time.Millisecond)
	}
	if err := db.LastBGSaveError(); err != nil {
		t.Fatal(err)
	}
	mem, _ := kevy.Open("", nil)
	defer mem.Close()
	if err := mem.Save(); !errors.Is(err, kevy.ErrInvalidArgument) {
		t.Fatalf("Save in memory: %v", err)
	}
}

func TestDisableAppendOnly(t *testing.T) {
	dir := t.TempDir()
	opts := kevy.Options{Shards: 2, DisableAppendOnly: true}
	db := openDir(t, dir, opts)
	fill(t, db)
	want := snapshot(t, db)
	db.Close() // saves
	db = openDir(t, dir, opts)
	defer db.Close()
	if got := snapshot(t, db); got != want {
		t.Fatalf("after reopen:\n%s\nwant:\n%s", got, want)
	}
}

func TestOpenLockedDir(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir, kevy.Options{Shards: 1})
	defer db.Close()
	if _, err := kevy.Open(dir, &kevy.Options{Shards: 1, Logger: quiet}); !errors.Is(err, kevy.ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
}

// ---------------------------------------------------------------- crashes

// crashEnv names the environment variables of the crash child.
const (
	crashDirEnv   = "KEVY_CRASH_DIR"
	crashFsyncEnv = "KEVY_CRASH_FSYNC"
)

// TestCrashChild is the child process of the crash tests: it writes with
// INCR and RPUSH from several goroutines and acknowledges every write on
// stdout ("g i unixnano") once Do returned. It runs only when re-executed
// by a crash test.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("only run as the child of a crash test")
	}
	// "no>always": open with no, then CONFIG SET appendfsync always.
	openWith, setTo, switched := strings.Cut(os.Getenv(crashFsyncEnv), ">")
	fsync, err := kevy.ParseFsyncPolicy(openWith)
	if err != nil {
		t.Fatal(err)
	}
	db, err := kevy.Open(dir, &kevy.Options{Shards: 4, AppendFsync: fsync, Logger: quiet,
		AutoRewriteMinSize: 64 << 10, AutoRewritePercentage: 50})
	if err != nil {
		fmt.Println("OPEN-ERROR", err)
		os.Exit(3)
	}
	if switched {
		if fsync, err = kevy.ParseFsyncPolicy(setTo); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Do(context.Background(), "CONFIG", "SET", "appendfsync", setTo); err != nil {
			fmt.Println("ERROR config set", err)
			os.Exit(6)
		}
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	var wg sync.WaitGroup
	ctx := context.Background()
	// Snapshots (which cut every shard's log) run all the time, so that
	// kills land in the middle of them too.
	go func() {
		for {
			time.Sleep(time.Duration(1+rand.IntN(5)) * time.Millisecond)
			if err := db.Save(); err != nil {
				fmt.Println("ERROR save", err)
				os.Exit(5)
			}
		}
	}()
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ck, lk := crashKeys(fsync, g)
			die := func(v ...any) {
				fmt.Println(append([]any{"ERROR"}, v...)...)
				os.Exit(4)
			}
			// Resume where the previous incarnation stopped: INCR precedes
			// RPUSH, so the counter is the list length or one more.
			lv, err := db.Do(ctx, "LLEN", lk)
			if err != nil {
				die(err)
			}
			n, _ := lv.Int()
			cv, err := db.Do(ctx, "GET", ck)
			if err != nil && !errors.Is(err, kevy.ErrNil) {
				die(err)
			}
			c, _ := strconv.ParseInt(cv.String(), 10, 64)
			if c == n+1 {
				if _, err := db.Do(ctx, "RPUSH", lk, n); err != nil {
					die(err)
				}
				n++
			} else if c != n {
				die("counter", c, "list length", n)
			}
			for i := n; ; i++ {
				v, err := db.Do(ctx, "INCR", ck)
				if err != nil {
					die(err)
				}
				if got, _ := v.Int(); got != i+1 {
					die("INCR returned", got, "want", i+1)
				}
				if _, err := db.Do(ctx, "RPUSH", lk, i); err != nil {
					die(err)
				}
				mu.Lock()
				fmt.Fprintf(out, "%d %d %d\n", g, i, time.Now().UnixNano())
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// crashKeys returns the counter and list keys of goroutine g. With
// FsyncAlways they live in different shards (every acknowledged write of
// each is durable); otherwise they share a shard (hash tag), since each
// shard's log loses its own unwritten tail independently.
func crashKeys(fsync kevy.FsyncPolicy, g int) (string, string) {
	if fsync == kevy.FsyncAlways {
		return "c" + strconv.Itoa(g), "l" + strconv.Itoa(g)
	}
	tag := "{" + strconv.Itoa(g) + "}"
	return tag + "c", tag + "l"
}

// ack is an acknowledged write of the crash child.
type ack struct {
	i  int
	at time.Time
}

// runCrashCycles re-executes the test binary as a writer, SIGKILLs it at
// random moments and checks after each restart that every acknowledged
// write is present exactly once. It returns the acks per cycle's last
// second, for the EverySec bound.
func runCrashCycles(t *testing.T, fsync string, cycles int, check func(cycle int, acks [4][]ack, killedAt time.Time, lens [4]int)) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for cycle := range cycles {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashFsyncEnv+"="+fsync)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var last [4]ack
		for g := range last {
			last[g].i = -1
		}
		var acks [4][]ack
		done := make(chan struct{})
		first := make(chan struct{})
		var firstOnce sync.Once
		go func() {
			defer close(done)
			defer firstOnce.Do(func() { close(first) })
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				if len(f) != 3 {
					t.Errorf("child: %s", sc.Text())
					continue
				}
				g, _ := strconv.Atoi(f[0])
				i, _ := strconv.Atoi(f[1])
				ns, _ := strconv.ParseInt(f[2], 10, 64)
				last[g] = ack{i: i, at: time.Unix(0, ns)}
				acks[g] = append(acks[g], last[g])
				firstOnce.Do(func() { close(first) })
			}
		}()
		if rng.IntN(10) == 0 {
			// Sometimes kill it while it opens the directory.
			time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
		} else {
			select {
			case <-first:
			case <-time.After(10 * time.Second):
				t.Fatalf("cycle %d: the child acknowledged nothing", cycle)
			}
			run := time.Duration(rng.IntN(30)) * time.Millisecond
			if cycle%25 == 7 {
				run = 1200 * time.Millisecond // long enough for fsyncs and rewrites
			}
			time.Sleep(run)
		}
		killedAt := time.Now()
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
		_ = cmd.Wait()

		db := openDir(t, dir, kevy.Options{Shards: 4, Logger: quiet})
		var counters, lens [4]int
		_, final, switched := strings.Cut(fsync, ">")
		if !switched {
			final = fsync
		}
		policy, _ := kevy.ParseFsyncPolicy(final)
		for g := range 4 {
			ck, lk := crashKeys(policy, g)
			c, _ := db.Do(context.Background(), "GET", ck)
			counters[g], _ = strconv.Atoi(c.String())
			l := pstrs(do(t, db, "LRANGE", lk, 0, -1))
			lens[g] = len(l)
			for j, v := range l {
				if v != strconv.Itoa(j) {
					t.Fatalf("cycle %d: l%d[%d] = %s: a write was lost or doubled: %v", cycle, g, j, v, l)
				}
			}
			// INCR precedes RPUSH: the counter is the list length, or one
			// more when the kill fell between them.
			if counters[g] != lens[g] && counters[g] != lens[g]+1 {
				t.Fatalf("cycle %d: c%d = %d but l%d has %d elements: a write was lost or doubled", cycle, g, counters[g], g, lens[g])
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		check(cycle, acks, killedAt, lens)
		if cycle == cycles-1 {
			t.Logf("%d cycles; final list lengths %v", cycles, lens)
			if bases, _ := filepathGlob(dir, "aof-*/*.base.rdb"); len(bases) == 0 {
				t.Error("the children never completed a snapshot")
			}
		}
	}
}

func crashCycles(t *testing.T) int {
	if testing.Short() {
		return 20
	}
	if n, err := strconv.Atoi(os.Getenv("KEVY_CRASH_CYCLES")); err == nil {
		return n
	}
	return 150
}

// TestCrashAlways: with FsyncAlways every acknowledged write survives a
// SIGKILL, and none is applied twice (rewrites included: the child
// compacts its logs every 64 KB).
func TestCrashAlways(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip()
	}
	runCrashCycles(t, "always", crashCycles(t), func(cycle int, acks [4][]ack, _ time.Time, lens [4]int) {
		for g := range 4 {
			if n := len(acks[g]); n > 0 && acks[g][n-1].i >= lens[g] {
				t.Fatalf("cycle %d: write %d of goroutine %d was acknowledged but l%d has %d elements", cycle, acks[g][n-1].i, g, g, lens[g])
			}
		}
	})
}

// TestCrashSwitchedToAlways: a database opened with FsyncNo and switched
// to always by CONFIG SET appendfsync keeps every write acknowledged
// after the switch through a SIGKILL, as one opened with FsyncAlways.
func TestCrashSwitchedToAlways(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip()
	}
	runCrashCycles(t, "no>always", max(crashCycles(t)/3, 10), func(cycle int, acks [4][]ack, _ time.Time, lens [4]int) {
		for g := range 4 {
			if n := len(acks[g]); n > 0 && acks[g][n-1].i >= lens[g] {
				t.Fatalf("cycle %d: write %d of goroutine %d was acknowledged but l%d has %d elements", cycle, acks[g][n-1].i, g, g, lens[g])
			}
		}
	})
}

// TestCrashEverySec: with FsyncEverySec a process kill loses at most the
// writes acknowledged in the last second (in practice a millisecond's
// worth: the page cache survives a process crash).
func TestCrashEverySec(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip()
	}
	n := crashCycles(t) / 3
	lost := 0
	var oldest time.Duration
	runCrashCycles(t, "everysec", max(n, 10), func(cycle int, acks [4][]ack, killedAt time.Time, lens [4]int) {
		for g := range 4 {
			for _, a := range acks[g] {
				if a.i < lens[g] {
					continue
				}
				lost++
				age := killedAt.Sub(a.at)
				oldest = max(oldest, age)
				if age > time.Second {
					t.Fatalf("cycle %d: write %d acknowledged %v before the kill was lost", cycle, a.i, age)
				}
			}
		}
	})
	t.Logf("%d acknowledged writes lost in all, the oldest acknowledged %v before its kill", lost, oldest)
}

func TestPersistenceCommands(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	kinds := map[kevy.MetricKind]int{}
	sink := func(m kevy.Metric) {
		mu.Lock()
		kinds[m.Kind]++
		mu.Unlock()
	}
	db := openDir(t, dir, kevy.Options{Shards: 2, MetricSink: sink})
	do(t, db, "SET", "k", "v")
	if v := do(t, db, "SAVE"); v.String() != "OK" {
		t.Fatalf("SAVE = %v", v)
	}
	last := do(t, db, "LASTSAVE")
	if n, _ := last.Int(); n < time.Now().Add(-time.Minute).Unix() {
		t.Fatalf("LASTSAVE = %v", last)
	}
	if v := do(t, db, "BGSAVE"); v.String() != "Background saving started" {
		t.Fatalf("BGSAVE = %v", v)
	}
	// A second one while the first may still run: started or busy.
	if v, err := db.Do(context.Background(), "BGREWRITEAOF"); err != nil &&
		!strings.Contains(err.Error(), "already in progress") {
		t.Fatalf("BGREWRITEAOF = %v, %v", v, err)
	}
	if _, err := db.Do(context.Background(), "BGSAVE", "NOW"); !errors.Is(err, kevy.ErrSyntax) {
		t.Fatalf("BGSAVE NOW: %v", err)
	}
	db.Close()
	// Reopen after appending a torn record: MetricAOFTruncated.
	logs, _ := filepathGlob(dir, "aof-1/*.incr.aof")
	f, _ := os.OpenFile(logs[0], os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("*1\r\n$4\r\nPI")
	f.Close()
	db = openDir(t, dir, kevy.Options{Shards: 2, MetricSink: sink})
	defer db.Close()
	if v := do(t, db, "GET", "k"); v.String() != "v" {
		t.Fatalf("GET k = %v", v)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, k := range []kevy.MetricKind{kevy.MetricSave, kevy.MetricLoad, kevy.MetricAOFTruncated} {
		if kinds[k] == 0 {
			t.Errorf("no metric of kind %d: %v", k, kinds)
		}
	}
	mem, _ := kevy.Open("", &kevy.Options{Logger: quiet})
	defer mem.Close()
	if _, err := mem.Do(context.Background(), "SAVE"); err == nil || !strings.Contains(err.Error(), "no data directory") {
		t.Fatalf("SAVE in memory: %v", err)
	}
}

func filepathGlob(dir, pattern string) ([]string, error) {
	return filepath.Glob(filepath.Join(dir, pattern))
}

// TestOpenCorrupt: damage in the middle of a log fails Open with
// ErrCorrupt; RepairAOF opens it anyway.
func TestOpenCorrupt(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir, kevy.Options{Shards: 1})
	for i := range 100 {
		do(t, db, "SET", "k"+strconv.Itoa(i), i)
	}
	db.Close()
	logs, _ := filepathGlob(dir, "aof-1/*.incr.aof")
	data, _ := os.ReadFile(logs[0])
	copy(data[len(data)/2:], "#!garbage!#")
	os.WriteFile(logs[0], data, 0o644)
	_, err := kevy.Open(dir, &kevy.Options{Shards: 1, Logger: quiet})
	if !errors.Is(err, kevy.ErrCorrupt) || !strings.Contains(err.Error(), logs[0]) {
		t.Fatalf("Open: %v", err)
	}
	var report strings.Builder
	if err := kevy.CheckDir(dir, &kevy.Options{Shards: 1}, &report); !errors.Is(err, kevy.ErrCorrupt) {
		t.Fatalf("CheckDir: %v", err)
	}
	db = openDir(t, dir, kevy.Options{Shards: 1, RepairAOF: true})
	defer db.Close()
	n := do(t, db, "DBSIZE")
	if c, _ := n.Int(); c == 0 || c >= 100 {
		t.Fatalf("DBSIZE after repair = %d", c)
	}
}

// TestReshardRoundTrip re-shards 1 → 4 → 3 → 1 through Open.
func TestReshardRoundTrip(t *testing.T) {
	dir := t.TempDir()
	clk := kevy.NewManualClock(time.Unix(1_800_000_000, 0))
	db := openDir(t, dir, kevy.Options{Shards: 1, Clock: clk})
	fill(t, db)
	want := snapshot(t, db)
	db.Close()
	for _, n := range []int{4, 3, 1} {
		db = openDir(t, dir, kevy.Options{Shards: n, Clock: clk})
		if got := snapshot(t, db); got != want {
			t.Fatalf("%d shards:\n%s\nwant:\n%s", n, got, want)
		}
		do(t, db, "INCR", "n")
		want = snapshot(t, db)
		db.Close()
	}
}

// TestShardsZeroKeepsLayout: Shards 0 opens a directory with the shard
// count it was written with instead of re-sharding it.
func TestShardsZeroKeepsLayout(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir, kevy.Options{Shards: 5})
	do(t, db, "SET", "k", "v")
	db.Close()
	db = openDir(t, dir, kevy.Options{})
	defer db.Close()
	if n := db.Shards(); n != 5 {
		t.Fatalf("Shards() = %d, want 5", n)
	}
	if v := do(t, db, "GET", "k"); v.String() != "v" {
		t.Fatalf("GET = %v", v)
	}
}

// TestLoadOverMaxMemory: a directory holding more than MaxMemory loads
// completely (Redis loads, then evicts on the next writes).
func TestLoadOverMaxMemory(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir, kevy.Options{Shards: 2})
	for i := range 2000 {
		do(t, db, "SET", "key:"+strconv.Itoa(i), strings.Repeat("x", 100))
	}
	db.Close()
	db = openDir(t, dir, kevy.Options{Shards: 2, MaxMemory: 64 << 10, EvictionPolicy: kevy.AllKeysLRU})
	defer db.Close()
	if n, _ := do(t, db, "DBSIZE").Int(); n != 2000 {
		t.Fatalf("DBSIZE after load = %d, want 2000", n)
	}
}

// TestEvictionsLogged: keys evicted over MaxMemory are logged as DEL, so
// a restart without the limit gives the same keys.
func TestEvictionsLogged(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir, kevy.Options{Shards: 2, MaxMemory: 256 << 10, EvictionPolicy: kevy.AllKeysLRU})
	for i := range 5000 {
		do(t, db, "SET", "key:"+strconv.Itoa(i), strings.Repeat("x", 200))
	}
	want, _ := do(t, db, "DBSIZE").Int()
	if want >= 5000 {
		t.Fatalf("nothing evicted (%d keys)", want)
	}
	db.Close()
	db = openDir(t, dir, kevy.Options{Shards: 2})
	defer db.Close()
	if got, _ := do(t, db, "DBSIZE").Int(); got != want {
		t.Fatalf("DBSIZE after restart = %d, want %d", got, want)
	}
}
