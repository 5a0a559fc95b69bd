package rdb

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ---- a tiny RESP2 client ----

type respConn struct {
	c net.Conn
	r *bufio.Reader
	w *bufio.Writer
}

type respError string

func (e respError) Error() string { return string(e) }

func (c *respConn) send(args ...string) {
	fmt.Fprintf(c.w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c.w, "$%d\r\n%s\r\n", len(a), a)
	}
}

func (c *respConn) read() (any, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 {
		return nil, fmt.Errorf("short reply line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return respError(body), nil
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, b); err != nil {
			return nil, err
		}
		return string(b[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = c.read(); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("bad reply line %q", line)
}

// do runs one command and fails the test on an error reply.
func (c *respConn) do(t testing.TB, args ...string) any {
	t.Helper()
	c.send(args...)
	if err := c.w.Flush(); err != nil {
		t.Fatal(err)
	}
	v, err := c.read()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	if e, ok := v.(respError); ok {
		t.Fatalf("%.60v: %v", args, e)
	}
	return v
}

// pipeline sends all commands and checks every reply.
func (c *respConn) pipeline(t testing.TB, cmds [][]string) {
	t.Helper()
	for _, cmd := range cmds {
		c.send(cmd...)
	}
	if err := c.w.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range cmds {
		v, err := c.read()
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := v.(respError); ok {
			t.Fatalf("%.60v: %v", cmd, e)
		}
	}
}

func strList(t testing.TB, v any) []string {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("not an array: %v", v)
	}
	out := make([]string, len(a))
	for i, x := range a {
		out[i], _ = x.(string)
	}
	return out
}

// ---- redis-server process ----

type redisServer struct {
	cmd  *exec.Cmd
	dir  string
	conn *respConn
}

func redisPath(t *testing.T) string {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server not found (required when CI=true): %v", err)
		}
		t.Skip("redis-server not installed")
	}
	return path
}

// startRedis runs redis-server on a unix socket in dir, loading
// dir/dump.rdb if present.
func startRedis(t *testing.T, dir string, extra ...string) *redisServer {
	t.Helper()
	path := redisPath(t)
	sock := filepath.Join(dir, "redis.sock")
	logf := filepath.Join(dir, "redis.log")
	args := append([]string{"--port", "0", "--unixsocket", sock, "--dir", dir,
		"--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--logfile", logf}, extra...)
	cmd := exec.Command(path, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	s := &redisServer{cmd: cmd, dir: dir}
	t.Cleanup(func() {
		if s.conn != nil {
			s.conn.send("SHUTDOWN", "NOSAVE")
			s.conn.w.Flush()
			s.conn.c.Close()
		}
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(logf)
			t.Fatalf("redis-server exited (%v):\n%s", err, log)
		default:
		}
		if c, err := net.Dial("unix", sock); err == nil {
			rc := &respConn{c: c, r: bufio.NewReader(c), w: bufio.NewWriter(c)}
			rc.send("PING")
			rc.w.Flush()
			if v, err := rc.read(); err == nil && v == "PONG" {
				s.conn = rc
				return s
			}
			c.Close()
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("redis-server did not come up")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ---- dataset <-> commands ----

func fmtScore(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// populate loads items into a server with ordinary commands.
func populate(t *testing.T, c *respConn, items []item) {
	var cmds [][]string
	db := -1
	for _, it := range items {
		if it.db != db {
			db = it.db
			cmds = append(cmds, []string{"SELECT", strconv.Itoa(db)})
		}
		k, v := it.key, it.v
		batch := func(cmd string, args []string) {
			for i := 0; i < len(args); i += 1000 {
				cmds = append(cmds, append([]string{cmd, k}, args[i:min(i+1000, len(args))]...))
			}
		}
		switch v.Kind {
		case KindString:
			cmds = append(cmds, []string{"SET", k, v.Str})
		case KindList:
			batch("RPUSH", v.Elems)
		case KindSet:
			batch("SADD", v.Elems)
		case KindHash:
			var a []string
			for _, p := range v.Pairs {
				a = append(a, p[0], p[1])
			}
			batch("HSET", a)
		case KindZSet:
			var a []string
			for _, m := range v.Zset {
				a = append(a, fmtScore(m.S), m.M)
			}
			batch("ZADD", a)
		}
		if v.Expire != NoExpire {
			cmds = append(cmds, []string{"PEXPIREAT", k, strconv.FormatInt(v.Expire, 10)})
		}
	}
	c.pipeline(t, cmds)
}

// liveItems drops keys whose expiry has passed (Redis drops them on load).
func liveItems(items []item) []item {
	now := time.Now().UnixMilli()
	var out []item
	for _, it := range items {
		if it.v.Expire == NoExpire || it.v.Expire > now {
			out = append(out, it)
		}
	}
	return out
}

// verify checks with commands that the server holds exactly items.
func verify(t *testing.T, c *respConn, items []item, dbs []int) {
	t.Helper()
	count := map[int]int64{}
	for _, it := range items {
		count[it.db]++
	}
	now := time.Now().UnixMilli()
	for _, db := range dbs {
		c.do(t, "SELECT", strconv.Itoa(db))
		if n := c.do(t, "DBSIZE").(int64); n != count[db] {
			t.Errorf("db %d: DBSIZE %d, want %d", db, n, count[db])
		}
	}
	for _, it := range items {
		c.do(t, "SELECT", strconv.Itoa(it.db))
		k, v := it.key, it.v
		if typ := c.do(t, "TYPE", k); typ != v.Kind.String() {
			t.Errorf("%q: TYPE %v, want %s", k, typ, v.Kind)
			continue
		}
		got := value{Kind: v.Kind, Type: 0xFF, Expire: v.Expire, Idle: -2, Freq: -2}
		switch v.Kind {
		case KindString:
			got.Str = c.do(t, "GET", k).(string)
		case KindList:
			got.Elems = strList(t, c.do(t, "LRANGE", k, "0", "-1"))
		case KindSet:
			got.Elems = strList(t, c.do(t, "SMEMBERS", k))
		case KindHash:
			a := strList(t, c.do(t, "HGETALL", k))
			for i := 0; i+1 < len(a); i += 2 {
				got.Pairs = append(got.Pairs, [2]string{a[i], a[i+1]})
			}
		case KindZSet:
			a := strList(t, c.do(t, "ZRANGE", k, "0", "-1", "WITHSCORES"))
			for i := 0; i+1 < len(a); i += 2 {
				f, err := strconv.ParseFloat(a[i+1], 64)
				if err != nil {
					t.Fatalf("%q: score %q", k, a[i+1])
				}
				got.Zset = append(got.Zset, zm{a[i], f})
			}
			// Redis returns members in (score, member) order.
			if !slices.IsSortedFunc(got.Zset, func(a, b zm) int {
				if a.S != b.S {
					return cmpFloat(a.S, b.S)
				}
				return cmpStr(a.M, b.M)
			}) {
				t.Errorf("%q: ZRANGE not in score order", k)
			}
		}
		pttl := c.do(t, "PTTL", k).(int64)
		if v.Expire == NoExpire && pttl != -1 || v.Expire != NoExpire && (pttl <= 0 || pttl > v.Expire-now+1000) {
			t.Errorf("%q: PTTL %d for expiry %d (now %d)", k, pttl, v.Expire, now)
		}
		want := v
		want.Type, want.Idle, want.Freq = 0xFF, -2, -2
		if !equalValue(got, want) {
			t.Errorf("%q:\n got  %v\n want %v", k, got, want)
		}
	}
}

func cmpFloat(a, b float64) int {
	if a < b {
		return -1
	}
	return 1
}

// ---- the interop tests ----

// TestInteropReadRedisDump populates a real redis-server with every kind of
// value, has it SAVE, and checks that Parse decodes exactly that.
func TestInteropReadRedisDump(t *testing.T) {
	redisPath(t)
	items := liveItems(writerDataset())
	const lib = "#!lua name=kevylib\nredis.register_function('kf', function() return 1 end)"
	for _, tc := range []struct {
		name  string
		extra []string
	}{
		{"default", nil},
		{"lru-compressed", []string{"--maxmemory-policy", "allkeys-lru", "--list-compress-depth", "1"}},
		{"lfu-nocompression", []string{"--maxmemory-policy", "allkeys-lfu", "--rdbcompression", "no"}},
		{"nochecksum", []string{"--rdbchecksum", "no"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := startRedis(t, dir, tc.extra...)
			populate(t, s.conn, items)
			s.conn.do(t, "FUNCTION", "LOAD", lib)
			// Cross-check CRC64 with a DUMP payload: its last 8 bytes are
			// the CRC of the rest.
			s.conn.do(t, "SELECT", "0")
			p := []byte(s.conn.do(t, "DUMP", "h:small").(string))
			if got, want := CRC64(0, p[:len(p)-8]), leUint64(p[len(p)-8:]); got != want {
				t.Errorf("DUMP crc: computed %016x, payload has %016x", got, want)
			}
			s.conn.do(t, "SAVE")
			data, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
			if err != nil {
				t.Fatal(err)
			}
			d := mustParse(t, data)
			if !strings.HasPrefix(d.Aux["redis-ver"], "7.0") || d.Aux["redis-bits"] != "64" {
				t.Errorf("aux %v", d.Aux)
			}
			if len(d.Funcs) != 1 || d.Funcs[0] != lib {
				t.Errorf("functions %q", d.Funcs)
			}
			want := expectDBs(items)
			for db, keys := range want {
				for k, v := range keys {
					switch tc.name {
					case "lru-compressed":
						v.Idle = -2 // present, value not predictable
						if g := d.DBs[db][k]; g.Idle < 0 {
							t.Errorf("%q: no IDLE opcode", k)
						}
					case "lfu-nocompression":
						v.Freq = -2
						if g := d.DBs[db][k]; g.Freq < 0 {
							t.Errorf("%q: no FREQ opcode", k)
						}
					}
					keys[k] = v
				}
				checkDB(t, d.DBs[db], keys)
			}
			if len(d.DBs) != len(want) {
				t.Errorf("%d databases, want %d", len(d.DBs), len(want))
			}
		})
	}
}

func leUint64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// TestInteropRedisLoadsWriter writes a file with the Writer, starts
// redis-server on it and checks every key with commands.
func TestInteropRedisLoadsWriter(t *testing.T) {
	redisPath(t)
	items := writerDataset()
	for _, tc := range []struct {
		name        string
		compression bool
		checksum    bool
	}{{"default", true, true}, {"plain", false, false}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var buf bytes.Buffer
			w := NewWriter(&buf)
			w.Compression, w.Checksum = tc.compression, tc.checksum
			w.StandardAux("7.0.15", time.Now().Unix(), 1<<20)
			w.Function([]byte("#!lua name=wlib\nredis.register_function('wf', function() return 2 end)"))
			writeDataset(t, w, items)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "dump.rdb"), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			s := startRedis(t, dir)
			live := liveItems(items)
			verify(t, s.conn, live, []int{0, 1, 15})
			if fl := fmt.Sprint(s.conn.do(t, "FUNCTION", "LIST")); !strings.Contains(fl, "wlib") {
				t.Errorf("FUNCTION LIST: %s", fl)
			}
			if got := s.conn.do(t, "FCALL", "wf", "0"); got != int64(2) {
				t.Errorf("FCALL wf = %v", got)
			}
			// Redis keeps the encodings we chose.
			s.conn.do(t, "SELECT", "0")
			for k, enc := range map[string]string{"h:small": "listpack", "h:513": "hashtable",
				"set:ints": "intset", "set:mixed": "hashtable", "z:small": "listpack",
				"z:129": "skiplist", "l:big": "quicklist", "s:int8": "int", "s:big": "raw"} {
				if got := s.conn.do(t, "OBJECT", "ENCODING", k); got != enc {
					t.Errorf("OBJECT ENCODING %s = %v, want %s", k, got, enc)
				}
			}
		})
	}
}

// TestInteropRedisLoadsLegacy checks the hand-built legacy encodings (and
// so the test encoders) against Redis's own loader, then re-reads Redis's
// re-encoded snapshot of them.
func TestInteropRedisLoadsLegacy(t *testing.T) {
	redisPath(t)
	data, want := legacyFile()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dump.rdb"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	s := startRedis(t, dir)
	var items []item
	for _, db := range []int{0, 3} {
		for k, v := range want[db] {
			items = append(items, item{db, k, v})
		}
	}
	slices.SortFunc(items, func(a, b item) int {
		if a.db != b.db {
			return a.db - b.db
		}
		return cmpStr(a.key, b.key)
	})
	verify(t, s.conn, items, []int{0, 3})
	s.conn.do(t, "SAVE")
	saved, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	d := mustParse(t, saved)
	for db, keys := range want {
		for k, v := range keys {
			v.Type, v.Idle, v.Freq = 0xFF, -2, -2
			keys[k] = v
		}
		checkDB(t, d.DBs[db], keys)
	}
}
