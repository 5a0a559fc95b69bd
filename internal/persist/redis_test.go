package persist

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/aof"
	"github.com/kevydb/kevy/internal/clock"
)

// Interoperability with a real redis-server 7 (skipped when it is not
// installed): kevy's exported RDB loads in Redis, Redis's dump.rdb loads
// in kevy, and kevy's append-only logs replay in Redis.

// redisConn is a minimal RESP2 client.
type redisConn struct {
	c net.Conn
	r *bufio.Reader
}

func (c *redisConn) do(args ...string) (any, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.c.Write(b.Bytes()); err != nil {
		return nil, err
	}
	return c.read()
}

func (c *redisConn) read() (any, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return nil, fmt.Errorf("redis: %s", body)
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := io_ReadFull(c.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return nil, nil
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = c.read(); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("bad reply %q", line)
}

func io_ReadFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// startRedis runs redis-server on a free port with dir as its directory.
func startRedis(t *testing.T, dir string, args ...string) *redisConn {
	t.Helper()
	server, err := exec.LookPath("redis-server")
	if err != nil && os.Getenv("CI") == "true" {
		t.Fatalf("redis-server is required when CI=true: %v", err)
	}
	if err != nil || testing.Short() {
		t.Skip("redis-server not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	var out bytes.Buffer
	argv := append([]string{"--port", port, "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--daemonize", "no"}, args...)
	cmd := exec.Command(server, argv...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("redis-server log:\n%s", out.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", "127.0.0.1:"+port)
		if err == nil {
			rc := &redisConn{c: c, r: bufio.NewReader(c)}
			for {
				_, err := rc.do("PING")
				if err == nil {
					t.Cleanup(func() { c.Close() })
					return rc
				}
				if !strings.Contains(err.Error(), "LOADING") || time.Now().After(deadline) {
					t.Fatalf("redis-server: %v\n%s", err, out.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// must returns a reply, failing the test on an error.
func (c *redisConn) must(t *testing.T, args ...string) any {
	t.Helper()
	v, err := c.do(args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return v
}

func strList(v any) []string {
	var s []string
	for _, e := range v.([]any) {
		s = append(s, e.(string))
	}
	return s
}

// redisDump renders a redis-server's data in dump's format.
func redisDump(t *testing.T, c *redisConn) string {
	t.Helper()
	var out []string
	for db := range 16 {
		c.must(t, "SELECT", strconv.Itoa(db))
		for _, key := range strList(c.must(t, "KEYS", "*")) {
			typ := c.must(t, "TYPE", key).(string)
			var v string
			switch typ {
			case "string":
				v = strconv.Quote(c.must(t, "GET", key).(string))
			case "list":
				var parts []string
				for _, x := range strList(c.must(t, "LRANGE", key, "0", "-1")) {
					parts = append(parts, strconv.Quote(x))
				}
				v = "[" + strings.Join(parts, " ") + "]"
			case "set":
				var parts []string
				for _, x := range strList(c.must(t, "SMEMBERS", key)) {
					parts = append(parts, strconv.Quote(x))
				}
				sort.Strings(parts)
				v = "{" + strings.Join(parts, " ") + "}"
			case "hash":
				var parts []string
				l := strList(c.must(t, "HGETALL", key))
				for i := 0; i+1 < len(l); i += 2 {
					parts = append(parts, strconv.Quote(l[i])+"="+strconv.Quote(l[i+1]))
				}
				sort.Strings(parts)
				v = "{" + strings.Join(parts, " ") + "}"
			case "zset":
				var parts []string
				l := strList(c.must(t, "ZRANGE", key, "0", "-1", "WITHSCORES"))
				for i := 0; i+1 < len(l); i += 2 {
					f, err := strconv.ParseFloat(l[i+1], 64)
					if err != nil {
						switch l[i+1] {
						case "inf":
							f = inf(1)
						case "-inf":
							f = inf(-1)
						}
					}
					parts = append(parts, strconv.Quote(l[i])+":"+strconv.FormatFloat(f, 'g', -1, 64))
				}
				v = "<" + strings.Join(parts, " ") + ">"
			}
			ttl := ""
			if at := c.must(t, "PEXPIRETIME", key).(int64); at > 0 {
				ttl = " @" + strconv.FormatInt(at, 10)
			}
			out = append(out, fmt.Sprintf("db%d %s %s %s%s", db, strconv.Quote(key), typ, v, ttl))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func inf(sign int) float64 {
	f, _ := strconv.ParseFloat(strconv.Itoa(sign)+"e400", 64)
	return f
}

// bigCollections writes collections beyond every compact encoding's
// limits, and long and compressible strings.
func bigCollections(d *testDB) {
	for i := range 600 {
		s := strconv.Itoa(i)
		d.do("RPUSH", "biglist", "element-"+s)
		d.do("SADD", "bigset", "member-"+s)
		d.do("SADD", "bigintset", s)
		d.do("HSET", "bighash", "field-"+s, strings.Repeat("v", i%100))
		d.do("ZADD", "bigzset", strconv.Itoa(i%37)+".5", "member-"+s)
	}
	d.do("HSET", "longvalue", "f", strings.Repeat("x", 100))
	d.do("ZADD", "longmember", "1", strings.Repeat("m", 100))
	d.do("SET", "compressible", strings.Repeat("abc", 10000))
	d.do("SET", "int", "12345")
	d.do("SET", "negint", "-9000000000")
	d.do("SET", "empty", "")
}

// requireRedis skips the test when redis-server is not installed, except
// with CI=true, where the interop tests must run.
func requireRedis(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server is required when CI=true: %v", err)
		}
		t.Skip("redis-server not installed")
	}
}

func TestRedisLoadsExport(t *testing.T) {
	requireRedis(t)
	dir := t.TempDir()
	clk := clock.NewManual(baseTime) // deadlines in 2030: in Redis's future
	d := mustOpen(t, 4, defaultOpts(dir), clk)
	workload(d)
	bigCollections(d)
	want := d.dump()
	d.close()
	rdir := t.TempDir()
	if err := Export(dir, filepath.Join(rdir, "dump.rdb"), ToolOptions{}); err != nil {
		t.Fatal(err)
	}
	c := startRedis(t, rdir, "--appendonly", "no", "--dbfilename", "dump.rdb")
	if got := redisDump(t, c); got != want {
		t.Fatalf("redis-server loaded:\n%s\nwant:\n%s", got, want)
	}
}

func TestKevyLoadsRedisDump(t *testing.T) {
	rdir := t.TempDir()
	c := startRedis(t, rdir, "--appendonly", "no", "--dbfilename", "dump.rdb")
	now := time.Now()
	for _, args := range [][]string{
		{"SET", "s", "hello"},
		{"SET", "n", "42"},
		{"SET", "ttl", "v", "PX", "3600000"},
		{"RPUSH", "small", "a", "b", "c"},
		{"SADD", "ints", "1", "2", "3"},
		{"SADD", "strs", "a", "b"},
		{"HSET", "h", "f", "v"},
		{"ZADD", "z", "1.5", "a", "-inf", "b"},
		{"SELECT", "5"},
		{"SET", "in5", "x"},
		{"SELECT", "0"},
	} {
		c.must(t, args...)
	}
	for i := range 600 {
		s := strconv.Itoa(i)
		c.must(t, "RPUSH", "biglist", "element-"+s)
		c.must(t, "SADD", "bigset", "member-"+s)
		c.must(t, "HSET", "bighash", "field-"+s, s)
		c.must(t, "ZADD", "bigzset", s, "member-"+s)
	}
	c.must(t, "SET", "long", strings.Repeat("abc", 5000))
	c.must(t, "SAVE")
	want := redisDump(t, c)

	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(rdir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, dumpName), data, 0o644)
	d := mustOpen(t, 4, defaultOpts(dir), clock.NewManual(now))
	if got := d.dump(); got != want {
		t.Fatalf("kevy loaded:\n%s\nwant:\n%s", got, want)
	}
	d.close()
}

// TestRedisReplaysAOF builds a Redis 7 append-only directory from a kevy
// database's shard logs: one incremental file per shard, listed in a
// manifest, and checks that redis-server replays them to the same data.
// (Each shard's log only mentions that shard's keys, so their
// concatenation is equivalent, except for SWAPDB, FLUSHDB and FLUSHALL,
// which every shard's log holds a copy of: see the package doc.)
func TestRedisReplaysAOF(t *testing.T) {
	requireRedis(t)
	dir := t.TempDir()
	clk := clock.NewManual(baseTime)
	d := mustOpen(t, 4, defaultOpts(dir), clk)
	workloadOpts(d, false)
	bigCollections(d)
	txWorkload(d)
	want := d.dump()
	d.close()
	blocks := 0
	for i := range 4 {
		data, _ := os.ReadFile(incrPath(dir, i))
		blocks += bytes.Count(data, multiRecord)
	}
	t.Logf("%d MULTI blocks", blocks)
	if blocks < 8 {
		t.Fatalf("only %d MULTI blocks in the logs: the test does not exercise them", blocks)
	}
	rdir := t.TempDir()
	adir := filepath.Join(rdir, "appendonlydir")
	os.Mkdir(adir, 0o755)
	m := &aof.Manifest{Shards: 1, Shard: 0}
	for i := range 4 {
		data, err := os.ReadFile(incrPath(dir, i))
		if err != nil {
			t.Fatal(err)
		}
		name := "appendonly.aof." + strconv.Itoa(i+1) + ".incr.aof"
		os.WriteFile(filepath.Join(adir, name), data, 0o644)
		m.Files = append(m.Files, aof.ManifestFile{Name: name, Seq: int64(i + 1), Type: aof.FileIncr})
	}
	if err := m.Save(nil, filepath.Join(adir, "appendonly.aof.manifest")); err != nil {
		t.Fatal(err)
	}
	c := startRedis(t, rdir, "--appendonly", "yes", "--appenddirname", "appendonlydir")
	if got := redisDump(t, c); got != want {
		t.Fatalf("redis-server replayed:\n%s\nwant:\n%s", got, want)
	}
}

// txWorkload runs transactions and commands logged as several records in
// a shard (MULTI ... EXEC blocks in the logs): transactions within a
// shard and across shards, with SELECT inside, effect forms, key states
// rebuilt in another shard, SPOP in batches, and a key found expired by
// the command that writes it.
func txWorkload(d *testDB) {
	pop := []string{"SADD", "bigpop"}
	for i := range 2500 {
		pop = append(pop, "m"+strconv.Itoa(i))
	}
	cmds := [][]string{
		{"MULTI"}, {"SET", "tx{a}1", "1"}, {"INCR", "tx{a}2"}, {"RPUSH", "tx{a}l", "x", "y"}, {"EXEC"},
		{"MULTI"}, {"SET", "txa", "1"}, {"SET", "txb", "2"}, {"SET", "txc", "3", "EX", "100"},
		{"HSET", "txh", "f", "v", "g", "w"}, {"SELECT", "4"}, {"SET", "tx{a}1", "db4"}, {"SADD", "txs", "m"},
		{"INCRBYFLOAT", "tx{a}f", "1.5"}, {"EXEC"},
		{"SELECT", "0"},
		{"MULTI"}, {"SET", "tx{b}1", "only"}, {"GET", "tx{b}1"}, {"EXEC"},
		pop, {"SPOP", "bigpop", "1500"},
		{"RENAME", "txh", "txh-renamed"},
		{"SUNIONSTORE", "txu", "txs", "set2"},
		{"MULTI"}, {"RENAME", "tx{a}l", "txl"}, {"LPUSH", "txl", "head"}, {"DEL", "txb"}, {"EXEC"},
		{"SET", "short", "v", "PX", "10"}, {"ADVANCE"}, {"APPEND", "short", "x"},
	}
	for _, c := range cmds {
		if c[0] == "ADVANCE" {
			d.clk.Advance(time.Second)
			continue
		}
		if r := d.do(c...); strings.HasPrefix(r, "!") || strings.Contains(r, "[!") || strings.Contains(r, " !") {
			d.t.Fatalf("%v: %s", c, r)
		}
	}
	d.sess.DB = 0
}
