// Command types measures kevy's per-type throughput and memory per
// element beside a real redis-server.
//
// For each collection type (hash, list, set, sorted set) and each size
// it fills one key with that many elements of 16-byte members/values and
// reports:
//
//   - memory per element: for kevy the live-heap delta after GC divided
//     by the element count; for Redis the INFO used_memory delta;
//   - ops/s of the type's commands on that key: kevy through the embedded
//     typed API on one goroutine, Redis through one pipelined raw RESP
//     connection (pipeline depth -pipe).
//
// Writes keep the size constant: HSET and ZADD overwrite existing fields
// and members (ZADD with a new score), SADD adds existing members, and
// the LPUSH run is followed by as many LPOPs. ZRANGE reads the first ten
// members. Redis is skipped when redis-server is not on PATH.
//
// Usage:
//
//	go run ./types -sizes 10,10000,1000000 -d 300ms
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/kevydb/kevy"
)

var (
	sizesFlag = flag.String("sizes", "10,10000,1000000", "comma-separated collection sizes")
	dur       = flag.Duration("d", 300*time.Millisecond, "measuring time per command")
	pipe      = flag.Int("pipe", 64, "Redis pipeline depth")
	noRedis   = flag.Bool("noredis", false, "skip redis-server")
)

// member returns the i-th 16-byte member or value.
func member(i int) string { return fmt.Sprintf("m%015d", i) }

func main() {
	flag.Parse()
	var sizes []int
	for _, s := range strings.Split(*sizesFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fmt.Fprintln(os.Stderr, "bad -sizes:", s)
			os.Exit(2)
		}
		sizes = append(sizes, n)
	}
	var rc *redisConn
	if !*noRedis {
		var stop func()
		var err error
		rc, stop, err = startRedis()
		if err != nil {
			fmt.Fprintln(os.Stderr, "redis skipped:", err)
		} else {
			defer stop()
			fmt.Println("redis:", rc.version)
		}
	}
	fmt.Printf("go %s, GOMAXPROCS %d, %d-byte members/values\n\n", runtime.Version(), runtime.GOMAXPROCS(0), len(member(0)))
	fmt.Printf("| type | size | command | kevy ops/s | redis ops/s | kevy B/elem | redis B/elem |\n")
	fmt.Printf("|---|---:|---|---:|---:|---:|---:|\n")
	for _, t := range types {
		for _, n := range sizes {
			runType(t, n, rc)
		}
	}
}

// typeBench describes one collection type.
type typeBench struct {
	name string
	// fill adds members [lo, hi) to key k.
	fill func(db *kevy.DB, members []string)
	// redisFill returns the command adding members.
	redisFill func(members []string) []string
	ops       []opBench
}

// opBench is one measured command: kevy runs it through the typed API,
// redis gets args(i).
type opBench struct {
	name  string
	kevy  func(db *kevy.DB, i int)
	redis func(i int) []string
}

const key = "k"

var members []string

// pickN returns a pseudo-random index below n, cheap and allocation free.
func pickN(i, n int) int { return int(uint64(i)*0x9e3779b97f4a7c15>>1) % n }

var types = []typeBench{
	{
		name: "hash",
		fill: func(db *kevy.DB, ms []string) {
			fv := make([]string, 0, 2*len(ms))
			for _, m := range ms {
				fv = append(fv, m, m)
			}
			must(db.HSet(key, fv...))
		},
		redisFill: func(ms []string) []string {
			a := []string{"HSET", key}
			for _, m := range ms {
				a = append(a, m, m)
			}
			return a
		},
		ops: []opBench{
			{"HSET", func(db *kevy.DB, i int) { m := members[pickN(i, size)]; must(db.HSet(key, m, m)) },
				func(i int) []string { m := members[pickN(i, size)]; return []string{"HSET", key, m, m} }},
			{"HGET", func(db *kevy.DB, i int) { mustB(db.HGet(key, members[pickN(i, size)])) },
				func(i int) []string { return []string{"HGET", key, members[pickN(i, size)]} }},
		},
	},
	{
		name: "list",
		fill: func(db *kevy.DB, ms []string) { must(db.RPush(key, ms...)) },
		redisFill: func(ms []string) []string {
			return append([]string{"RPUSH", key}, ms...)
		},
		ops: []opBench{
			{"LPUSH", func(db *kevy.DB, i int) { must(db.LPush(key, members[i%size])) },
				func(i int) []string { return []string{"LPUSH", key, members[i%size]} }},
			{"LPOP", func(db *kevy.DB, i int) { mustB(db.LPop(key)) },
				func(i int) []string { return []string{"LPOP", key} }},
		},
	},
	{
		name: "set",
		fill: func(db *kevy.DB, ms []string) { must(db.SAdd(key, ms...)) },
		redisFill: func(ms []string) []string {
			return append([]string{"SADD", key}, ms...)
		},
		ops: []opBench{
			{"SADD", func(db *kevy.DB, i int) { must(db.SAdd(key, members[pickN(i, size)])) },
				func(i int) []string { return []string{"SADD", key, members[pickN(i, size)]} }},
			{"SISMEMBER", func(db *kevy.DB, i int) {
				if _, err := db.SIsMember(key, members[pickN(i, size)]); err != nil {
					panic(err)
				}
			}, func(i int) []string { return []string{"SISMEMBER", key, members[pickN(i, size)]} }},
		},
	},
	{
		name: "zset",
		fill: func(db *kevy.DB, ms []string) {
			zs := make([]kevy.Z, len(ms))
			for j, m := range ms {
				zs[j] = kevy.Z{Member: m, Score: float64(pickN(j, 1<<30))}
			}
			must(db.ZAdd(key, zs...))
		},
		redisFill: func(ms []string) []string {
			a := []string{"ZADD", key}
			for j, m := range ms {
				a = append(a, strconv.Itoa(pickN(j, 1<<30)), m)
			}
			return a
		},
		ops: []opBench{
			{"ZADD", func(db *kevy.DB, i int) {
				must(db.ZAdd(key, kevy.Z{Member: members[pickN(i, size)], Score: float64(i)}))
			}, func(i int) []string { return []string{"ZADD", key, strconv.Itoa(i), members[pickN(i, size)]} }},
			{"ZRANGE 0 9", func(db *kevy.DB, i int) {
				if _, err := db.ZRange(key, 0, 9); err != nil {
					panic(err)
				}
			}, func(i int) []string { return []string{"ZRANGE", key, "0", "9"} }},
			{"ZRANK", func(db *kevy.DB, i int) {
				if _, err := db.ZRank(key, members[pickN(i, size)]); err != nil {
					panic(err)
				}
			}, func(i int) []string { return []string{"ZRANK", key, members[pickN(i, size)]} }},
		},
	},
}

// size is the collection size of the current run (the ops read it).
var size int

func must(_ int, err error) {
	if err != nil {
		panic(err)
	}
}

func mustB(_ []byte, err error) {
	if err != nil && err != kevy.ErrNil {
		panic(err)
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

const batch = 1000

func runType(t typeBench, n int, rc *redisConn) {
	size = n
	members = make([]string, n)
	for i := range members {
		members[i] = member(i)
	}
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	before := liveHeap()
	for lo := 0; lo < n; lo += batch {
		t.fill(db, members[lo:min(lo+batch, n)])
	}
	after := liveHeap()
	kevyB := (float64(after) - float64(before)) / float64(n)

	var redisB float64
	if rc != nil {
		rc.do("FLUSHALL")
		rb := rc.usedMemory()
		var cmds [][]string
		for lo := 0; lo < n; lo += batch {
			cmds = append(cmds, t.redisFill(members[lo:min(lo+batch, n)]))
			if len(cmds) == 16 {
				rc.pipeline(cmds)
				cmds = cmds[:0]
			}
		}
		rc.pipeline(cmds)
		redisB = (float64(rc.usedMemory()) - float64(rb)) / float64(n)
	}
	for j, op := range t.ops {
		kops := measureKevy(db, op)
		var rops float64
		if rc != nil {
			rops = measureRedis(rc, op)
		}
		mem := func(v float64, ok bool) string {
			if j != 0 || !ok {
				return ""
			}
			return fmt.Sprintf("%.0f", v)
		}
		ro := ""
		if rc != nil {
			ro = fmt.Sprintf("%.0f", rops)
		}
		fmt.Printf("| %s | %d | %s | %.0f | %s | %s | %s |\n", t.name, n, op.name, kops, ro,
			mem(kevyB, true), mem(redisB, rc != nil))
	}
	db.Close()
}

// pushes counts the last LPUSH run's commands per side: the following
// LPOP run stops there, so the list keeps its size.
var kevyPushes, redisPushes int

// measureKevy runs op for about *dur and returns ops/s.
func measureKevy(db *kevy.DB, op opBench) float64 {
	limit := -1
	if op.name == "LPOP" {
		limit = kevyPushes
	}
	start := time.Now()
	i := 0
	for {
		for j := 0; j < 256 && i != limit; j++ {
			op.kevy(db, i)
			i++
		}
		if el := time.Since(start); el >= *dur || i == limit {
			if op.name == "LPUSH" {
				kevyPushes = i
			}
			return float64(i) / el.Seconds()
		}
	}
}

// measureRedis runs op pipelined for about *dur and returns ops/s.
func measureRedis(rc *redisConn, op opBench) float64 {
	limit := -1
	if op.name == "LPOP" {
		limit = redisPushes
	}
	start := time.Now()
	i := 0
	cmds := make([][]string, 0, *pipe)
	for {
		cmds = cmds[:0]
		for j := 0; j < *pipe && i != limit; j++ {
			cmds = append(cmds, op.redis(i))
			i++
		}
		rc.pipeline(cmds)
		if el := time.Since(start); el >= *dur || i == limit {
			if op.name == "LPUSH" {
				redisPushes = i
			}
			return float64(i) / el.Seconds()
		}
	}
}

// redisConn is a minimal pipelined RESP2 client.
type redisConn struct {
	c       net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	version string
}

func startRedis() (*redisConn, func(), error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir, err := os.MkdirTemp("", "kevy-types-redis")
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
		os.RemoveAll(dir)
	}
	var c net.Conn
	for i := 0; i < 100; i++ {
		if c, err = net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		stop()
		return nil, nil, err
	}
	rc := &redisConn{c: c, r: bufio.NewReaderSize(c, 1<<16), w: bufio.NewWriterSize(c, 1<<16)}
	info := string(rc.do("INFO", "server"))
	if i := strings.Index(info, "redis_version:"); i >= 0 {
		rc.version = strings.Fields(info[i+len("redis_version:"):])[0]
	}
	return rc, stop, nil
}

func (rc *redisConn) write(args []string) {
	fmt.Fprintf(rc.w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(rc.w, "$%d\r\n%s\r\n", len(a), a)
	}
}

// pipeline sends cmds and reads (and discards) their replies.
func (rc *redisConn) pipeline(cmds [][]string) {
	for _, a := range cmds {
		rc.write(a)
	}
	if err := rc.w.Flush(); err != nil {
		panic(err)
	}
	for range cmds {
		rc.read()
	}
}

func (rc *redisConn) do(args ...string) []byte {
	rc.write(args)
	if err := rc.w.Flush(); err != nil {
		panic(err)
	}
	return rc.read()
}

// read reads one reply and returns the payload of a simple or bulk
// string (nil for others).
func (rc *redisConn) read() []byte {
	line, err := rc.r.ReadSlice('\n')
	if err != nil || len(line) < 3 {
		panic(fmt.Sprint("redis read: ", err))
	}
	body := string(line[1 : len(line)-2])
	switch line[0] {
	case '+', ':':
		return []byte(body)
	case '-':
		panic("redis error: " + body)
	case '$':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rc.r, buf); err != nil {
			panic(err)
		}
		return buf[:n]
	case '*':
		n, _ := strconv.Atoi(body)
		for i := 0; i < n; i++ {
			rc.read()
		}
		return nil
	}
	panic("redis: unexpected reply " + strconv.Quote(string(line)))
}

func (rc *redisConn) usedMemory() uint64 {
	info := string(rc.do("INFO", "memory"))
	i := strings.Index(info, "used_memory:")
	if i < 0 {
		return 0
	}
	v, _ := strconv.ParseUint(strings.Fields(info[i+len("used_memory:"):])[0], 10, 64)
	return v
}
