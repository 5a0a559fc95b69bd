package command

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/kevydb/kevy/internal/clock"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
	"github.com/kevydb/kevy/internal/resp"
)

// hzEnv runs hash and sorted-set commands through the engine and returns
// their wire replies in a compact form: the RESP bytes with every CRLF
// turned into a space ("*2 $1 a ,1.5").
type hzEnv struct {
	t   testing.TB
	ks  *keyspace.Keyspace
	eng *Engine
	man *clock.Manual
	s   *Session
	w   *resp.Writer
}

const hzT0 = 1_700_000_000_000 // the test clock's start, Unix ms

func newHZEnv(t testing.TB, shards int) *hzEnv {
	t.Helper()
	man := clock.NewManual(time.UnixMilli(hzT0))
	clk := clock.FromFunc(man.NowMs)
	ks := keyspace.New(keyspace.Config{Shards: shards, Databases: 16, Clock: clk})
	return &hzEnv{t: t, ks: ks, eng: NewEngine(ks, clk), man: man, s: NewSession(0), w: resp.NewWriter(nil, 0)}
}

// hzArgs splits a command line on spaces. A token in double quotes is a
// Go string literal ("" is the empty argument, "a\x20b" has a space).
func hzArgs(t testing.TB, line string) [][]byte {
	t.Helper()
	var argv [][]byte
	for _, f := range strings.Fields(line) {
		if strings.HasPrefix(f, `"`) {
			u, err := strconv.Unquote(f)
			if err != nil {
				t.Fatalf("bad token %s in %q", f, line)
			}
			f = u
		}
		argv = append(argv, []byte(f))
	}
	return argv
}

// execArgs runs argv speaking proto and returns the compact reply.
// Until the set commands exist, SADD is emulated so that sets can be
// inputs of the sorted-set commands.
func (e *hzEnv) execArgs(proto int, argv [][]byte) string {
	if len(argv) > 2 && EqualFold(argv[0], "sadd") && Lookup(argv[0]) == nil {
		return e.sadd(Key(argv[1]), argv[2:])
	}
	e.w.Reset(nil)
	e.w.SetProto(proto)
	e.eng.Exec(e.s, argv, e.w)
	return strings.TrimSuffix(strings.ReplaceAll(string(e.w.Bytes()), "\r\n", " "), " ")
}

// sadd adds members to the set at key directly in the keyspace.
func (e *hzEnv) sadd(key string, members [][]byte) string {
	sh := e.ks.ShardFor(key)
	sh.Lock()
	defer sh.Unlock()
	en := sh.Lookup(0, key, e.man.NowMs())
	if en != nil && en.Type() != keyspace.TypeSet {
		return hzWrong
	}
	if en == nil {
		en = sh.Add(0, key, keyspace.TypeSet, unsafe.Pointer(object.NewSet()))
	}
	s := (*object.Set)(en.Obj())
	n := 0
	for _, m := range members {
		if s.Add(&e.eng.Limits, m) {
			n++
		}
	}
	return ":" + strconv.Itoa(n)
}

func (e *hzEnv) exec(proto int, line string) string {
	return e.execArgs(proto, hzArgs(e.t, line))
}

// hzStep is one scripted command with its compact RESP2 reply and, when
// it differs, its RESP3 reply.
type hzStep struct {
	cmd, want2, want3 string
}

// runHZScript runs steps on a fresh keyspace for each protocol, so that
// every step is checked in both. A command starting with "!" checks a
// kevy-specific reply.
//
// When KEVY_HZ_REDIS names a redis-server 7.0 address (host:port, a
// server whose data may be flushed), the expected replies are checked
// against it too, which is how they were established.
func runHZScript(t *testing.T, shards int, steps []hzStep) {
	t.Helper()
	for _, proto := range []int{2, 3} {
		e := newHZEnv(t, shards)
		r := hzDialRedis(t, proto)
		for i, st := range steps {
			want := st.want2
			if proto == 3 && st.want3 != "" {
				want = st.want3
			}
			cmd, kevyOnly := strings.CutPrefix(st.cmd, "!")
			if got := e.exec(proto, cmd); got != want {
				t.Errorf("RESP%d step %d %q:\n got  %q\n want %q", proto, i, cmd, got, want)
			}
			if r != nil && !kevyOnly {
				if got := r.do(hzArgs(t, cmd)); got != want {
					t.Errorf("redis RESP%d step %d %q:\n got  %q\n want %q", proto, i, cmd, got, want)
				}
			}
		}
	}
}

// hzRedis is a raw RESP connection to a real server (KEVY_HZ_REDIS).
type hzRedis struct {
	t  testing.TB
	c  net.Conn
	rd *bufio.Reader
}

func hzDialRedis(t testing.TB, proto int) *hzRedis {
	addr := os.Getenv("KEVY_HZ_REDIS")
	if addr == "" {
		return nil
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	r := &hzRedis{t: t, c: c, rd: bufio.NewReader(c)}
	r.do(hzBytesArgs([]string{"HELLO", strconv.Itoa(proto)}))
	r.do(hzBytesArgs([]string{"FLUSHALL"}))
	return r
}

// do sends argv and returns the compact reply.
func (r *hzRedis) do(argv [][]byte) string {
	r.c.Write(resp.AppendCommand(nil, argv...))
	var out []byte
	r.read(&out)
	return strings.TrimSuffix(strings.ReplaceAll(string(out), "\r\n", " "), " ")
}

func (r *hzRedis) read(out *[]byte) {
	line, err := r.rd.ReadBytes('\n')
	if err != nil {
		r.t.Fatal(err)
	}
	*out = append(*out, line...)
	n, _ := strconv.Atoi(string(line[1 : len(line)-2]))
	switch line[0] {
	case '$', '=', '!':
		if n >= 0 {
			b := make([]byte, n+2)
			if _, err := io.ReadFull(r.rd, b); err != nil {
				r.t.Fatal(err)
			}
			*out = append(*out, b...)
		}
	case '*', '~', '>', '%':
		if line[0] == '%' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			r.read(out)
		}
	}
}

// hzWrong is the compact WRONGTYPE reply.
const hzWrong = "-" + WireWrongType

// hzBulks renders bulk strings in compact form.
func hzBulks(ss ...string) string {
	parts := make([]string, 0, 2*len(ss))
	for _, s := range ss {
		parts = append(parts, "$"+strconv.Itoa(len(s)), s)
	}
	return strings.Join(parts, " ")
}

func TestHashBasicCommands(t *testing.T) {
	runHZScript(t, 4, []hzStep{
		{"HSET h a 1 b 2", ":2", ""},
		{"HSET h a 10 c 3", ":1", ""},
		{"HSET h a", "-ERR wrong number of arguments for 'hset' command", ""},
		{"HSET h", "-ERR wrong number of arguments for 'hset' command", ""},
		{"HMSET h d 4", "+OK", ""},
		{"HMSET h d", "-ERR wrong number of arguments for 'hmset' command", ""},
		{"HGET h a", "$2 10", ""},
		{"HGET h nosuch", "$-1", "_"},
		{"HGET nokey a", "$-1", "_"},
		{"HMGET h a nosuch b", "*3 $2 10 $-1 $1 2", "*3 $2 10 _ $1 2"},
		{"HMGET nokey a b", "*2 $-1 $-1", "*2 _ _"},
		{"HLEN h", ":4", ""},
		{"HLEN nokey", ":0", ""},
		{"HEXISTS h a", ":1", ""},
		{"HEXISTS h z", ":0", ""},
		{"HEXISTS nokey a", ":0", ""},
		{"HSTRLEN h a", ":2", ""},
		{"HSTRLEN h z", ":0", ""},
		{"HSTRLEN nokey z", ":0", ""},
		// Listpack hashes keep insertion order (updates keep the position).
		{"HKEYS h", "*4 " + hzBulks("a", "b", "c", "d"), ""},
		{"HVALS h", "*4 " + hzBulks("10", "2", "3", "4"), ""},
		{"HGETALL h", "*8 " + hzBulks("a", "10", "b", "2", "c", "3", "d", "4"),
			"%4 " + hzBulks("a", "10", "b", "2", "c", "3", "d", "4")},
		{"HKEYS nokey", "*0", ""},
		{"HVALS nokey", "*0", ""},
		{"HGETALL nokey", "*0", "%0"},
		{"HSETNX h a x", ":0", ""},
		{"HSETNX h e 5", ":1", ""},
		{"HSETNX new f v", ":1", ""},
		{"HGET new f", "$1 v", ""},
		{"HDEL h a nosuch b", ":2", ""},
		{"HDEL nokey a", ":0", ""},
		{"HDEL h c d e", ":3", ""},
		{"EXISTS h", ":0", ""}, // emptied hashes are deleted
		{`HSET h "" ""`, ":1", ""},
		{`HGET h ""`, "$0 ", ""},
		{`HSTRLEN h ""`, ":0", ""},
		{`HGETALL h`, "*2 $0  $0 ", "%1 $0  $0 "},
		// Other types.
		{"SET s v", "+OK", ""},
		{"HSET s a 1", hzWrong, ""},
		{"HMSET s a 1", hzWrong, ""},
		{"HSETNX s a 1", hzWrong, ""},
		{"HGET s a", hzWrong, ""},
		{"HMGET s a", hzWrong, ""},
		{"HDEL s a", hzWrong, ""},
		{"HLEN s", hzWrong, ""},
		{"HEXISTS s a", hzWrong, ""},
		{"HSTRLEN s a", hzWrong, ""},
		{"HKEYS s", hzWrong, ""},
		{"HVALS s", hzWrong, ""},
		{"HGETALL s", hzWrong, ""},
		{"HINCRBY s a 1", hzWrong, ""},
		{"HINCRBYFLOAT s a 1", hzWrong, ""},
		{"HRANDFIELD s", hzWrong, ""},
		{"HRANDFIELD s 1", hzWrong, ""},
		{"HSCAN s 0", hzWrong, ""},
		{"GET s", "$1 v", ""},
		{"HGET", "-ERR wrong number of arguments for 'hget' command", ""},
		{"HSETNX h a", "-ERR wrong number of arguments for 'hsetnx' command", ""},
	})
}

func TestHashIncr(t *testing.T) {
	runHZScript(t, 1, []hzStep{
		{"HINCRBY h n 5", ":5", ""},
		{"HINCRBY h n -7", ":-2", ""},
		{"HINCRBY h n x", "-ERR value is not an integer or out of range", ""},
		{"HINCRBY h n 1.5", "-ERR value is not an integer or out of range", ""},
		{`HSET h big 9223372036854775806 neg -9223372036854775807 s abc lead 01 sp "\x20" f 1.5`, ":6", ""},
		{"HINCRBY h big 1", ":9223372036854775807", ""},
		{"HINCRBY h big 1", "-ERR increment or decrement would overflow", ""},
		{"HINCRBY h neg -1", ":-9223372036854775808", ""},
		{"HINCRBY h neg -1", "-ERR increment or decrement would overflow", ""},
		{"HINCRBY h s 1", "-ERR hash value is not an integer", ""},
		{"HINCRBY h lead 1", "-ERR hash value is not an integer", ""},
		{"HINCRBY h f 1", "-ERR hash value is not an integer", ""},
		{"HINCRBY new x 0", ":0", ""},
		{"HGET new x", "$1 0", ""},
		{"HINCRBYFLOAT h fl 0.1", "$3 0.1", ""},
		{"HINCRBYFLOAT h fl 0.2", "$3 0.3", ""},
		{"HINCRBYFLOAT h fl 5e3", "$22 5000.29999999999999982", ""}, // long double rounding, as Redis
		{"HINCRBYFLOAT h fl -5000.3", "$1 0", ""},
		{"HINCRBYFLOAT h f 1", "$3 2.5", ""},
		{"HINCRBYFLOAT h big 1", "$19 9223372036854775808", ""},
		{"HINCRBYFLOAT h fl 0x10", "$2 16", ""},
		{"HINCRBYFLOAT h fl abc", "-ERR value is not a valid float", ""},
		{"HINCRBYFLOAT h fl nan", "-ERR value is not a valid float", ""},
		{`HINCRBYFLOAT h fl ""`, "-ERR value is not a valid float", ""},
		{`HINCRBYFLOAT h fl "\x201"`, "-ERR value is not a valid float", ""},
		{"HINCRBYFLOAT h fl inf", "-ERR value is NaN or Infinity", ""},
		{"HINCRBYFLOAT h fl -Infinity", "-ERR value is NaN or Infinity", ""},
		{"HINCRBYFLOAT h s 1", "-ERR hash value is not a float", ""},
		{"HINCRBYFLOAT h sp 1", "-ERR hash value is not a float", ""},
		{"HSET h huge 1e4932", ":1", ""},
		{"HINCRBYFLOAT h huge 1e4932", "-ERR increment would produce NaN or Infinity", ""},
		{"HINCRBYFLOAT nokey2 f 1.5e-3", "$6 0.0015", ""},
		{"HINCRBYFLOAT nokey3 f 1e-20", "$1 0", ""},
		// Failed increments create nothing.
		{"HINCRBYFLOAT nokey4 f inf", "-ERR value is NaN or Infinity", ""},
		{"EXISTS nokey4", ":0", ""},
	})
}

func TestHashRandField(t *testing.T) {
	runHZScript(t, 2, []hzStep{
		{"HRANDFIELD nokey", "$-1", "_"},
		{"HRANDFIELD nokey 3", "*0", ""},
		{"HRANDFIELD nokey -3 WITHVALUES", "*0", ""},
		{"HSET h a 1", ":1", ""},
		{"HRANDFIELD h", "$1 a", ""},
		{"HRANDFIELD h 0", "*0", ""},
		{"HRANDFIELD h 5", "*1 $1 a", ""},
		{"HRANDFIELD h 5 withvalues", "*2 $1 a $1 1", "*1 *2 $1 a $1 1"},
		{"HRANDFIELD h -3", "*3 $1 a $1 a $1 a", ""},
		{"HRANDFIELD h -2 WITHVALUES", "*4 $1 a $1 1 $1 a $1 1", "*2 *2 $1 a $1 1 *2 $1 a $1 1"},
		{"HRANDFIELD h 1 withvalue", "-ERR syntax error", ""},
		{"HRANDFIELD h 1 withvalues x", "-ERR syntax error", ""},
		{"HRANDFIELD h x", "-ERR value is not an integer or out of range", ""},
		{"HRANDFIELD h -9223372036854775808",
			"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807", ""},
		{"HRANDFIELD h 4611686018427387904 withvalues", "-ERR value is out of range", ""},
		{"HRANDFIELD h -4611686018427387904 withvalues", "-ERR value is out of range", ""},
		{"HRANDFIELD h 4611686018427387903 withvalues", "*2 $1 a $1 1", "*1 *2 $1 a $1 1"},
		// kevy bounds repetition counts (Redis would exhaust memory).
		{"!HRANDFIELD h -9223372036854775807", "-ERR value is out of range", ""},
	})
}

func TestHashRandFieldDistribution(t *testing.T) {
	for _, n := range []int{5, 300, 1000} { // listpack, hashtable
		e := newHZEnv(t, 1)
		args := []string{"HSET", "h"}
		for i := 0; i < n; i++ {
			args = append(args, "f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
		}
		e.execArgs(2, hzBytesArgs(args))
		for _, count := range []int{1, 3, n / 2, n - 1, n, n + 10} {
			got := hzParseArray(t, e.exec(3, fmt.Sprintf("HRANDFIELD h %d WITHVALUES", count)))
			want := min(count, n)
			if len(got) != 2*want {
				t.Fatalf("n=%d count=%d: %d elements", n, count, len(got))
			}
			seen := map[string]bool{}
			for i := 0; i < len(got); i += 2 {
				f, v := got[i], got[i+1]
				if seen[f] || "v"+f[1:] != v {
					t.Fatalf("n=%d count=%d: bad or repeated pair %s=%s", n, count, f, v)
				}
				seen[f] = true
			}
		}
		got := hzParseArray(t, e.exec(2, "HRANDFIELD h -50"))
		if len(got) != 50 {
			t.Fatalf("negative count: %d elements", len(got))
		}
	}
}

func hzBytesArgs(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// hzParseArray extracts the bulk strings of a compact reply (headers and
// RESP3 pair headers are skipped). Bulk strings must not contain spaces.
func hzParseArray(t testing.TB, compact string) []string {
	t.Helper()
	toks := strings.Split(compact, " ")
	var out []string
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		switch {
		case strings.HasPrefix(tok, "-"):
			t.Fatalf("error reply: %s", compact)
		case strings.HasPrefix(tok, "$"):
			i++
			out = append(out, toks[i])
		case strings.HasPrefix(tok, ","):
			out = append(out, tok[1:])
		}
	}
	return out
}

func TestHashScan(t *testing.T) {
	runHZScript(t, 1, []hzStep{
		{"HSCAN nokey 0", "*2 $1 0 *0", ""},
		{"HSCAN nokey 0 TYPE string", "*2 $1 0 *0", ""}, // options unchecked for a missing key
		{"HSCAN nokey x", "-ERR invalid cursor", ""},
		{`HSET h a 1 b 2 ab 3 "" e`, ":4", ""},
		{"HSCAN h 0", "*2 $1 0 *8 " + hzBulks("a", "1", "b", "2", "ab", "3", "", "e"), ""},
		{"HSCAN h 12345", "*2 $1 0 *8 " + hzBulks("a", "1", "b", "2", "ab", "3", "", "e"), ""},
		{"HSCAN h 0 MATCH a*", "*2 $1 0 *4 " + hzBulks("a", "1", "ab", "3"), ""},
		{"HSCAN h 0 match * count 1", "*2 $1 0 *8 " + hzBulks("a", "1", "b", "2", "ab", "3", "", "e"), ""},
		{"HSCAN h 0 MATCH ?", "*2 $1 0 *4 " + hzBulks("a", "1", "b", "2"), ""},
		{"HSCAN h 0 MATCH *z*", "*2 $1 0 *0", ""},
		{"HSCAN h 0 COUNT 0", "-ERR syntax error", ""},
		{"HSCAN h 0 COUNT -1", "-ERR syntax error", ""},
		{"HSCAN h 0 COUNT x", "-ERR value is not an integer or out of range", ""},
		{"HSCAN h 0 MATCH", "-ERR syntax error", ""},
		{"HSCAN h 0 TYPE string", "-ERR syntax error", ""},
		{"HSCAN h -1", "*2 $1 0 *8 " + hzBulks("a", "1", "b", "2", "ab", "3", "", "e"), ""},
		{"HSCAN h 1x", "-ERR invalid cursor", ""},
	})
}

// TestHashScanHashtable walks a hashtable hash with HSCAN until the
// cursor returns to 0 and checks every field comes back, with COUNT as a
// hint and MATCH applied after it.
func TestHashScanHashtable(t *testing.T) {
	e := newHZEnv(t, 1)
	const n = 2000
	args := []string{"HSET", "h"}
	for i := 0; i < n; i++ {
		args = append(args, "f"+strconv.Itoa(i), strconv.Itoa(i))
	}
	e.execArgs(2, hzBytesArgs(args))
	if got := e.exec(2, "OBJECT ENCODING h"); got != "$9 hashtable" {
		t.Fatalf("encoding %s", got)
	}
	for _, opts := range []string{"", " COUNT 1", " COUNT 100", " MATCH f1*", " MATCH * COUNT 7"} {
		seen := map[string]int{}
		cursor, calls := "0", 0
		for {
			calls++
			toks := hzParseArray(t, e.exec(2, "HSCAN h "+cursor+opts))
			cursor = toks[0]
			for i := 1; i < len(toks); i += 2 {
				if "f"+toks[i+1] != toks[i] {
					t.Fatalf("bad pair %s=%s", toks[i], toks[i+1])
				}
				seen[toks[i]]++
			}
			if cursor == "0" {
				break
			}
		}
		want := n
		if strings.Contains(opts, "f1*") {
			want = 1111 // f1, f10-f19, f100-f199, f1000-f1999
		}
		if len(seen) != want {
			t.Errorf("opts %q: %d distinct fields, want %d", opts, len(seen), want)
		}
		if opts == " COUNT 1" && calls < n/4 {
			t.Errorf("COUNT 1 finished in %d calls", calls)
		}
	}
}

func TestHashEncodingConversion(t *testing.T) {
	e := newHZEnv(t, 1)
	e.eng.Limits.HashMaxListpackEntries = 3
	e.eng.Limits.HashMaxListpackValue = 8
	steps := []hzStep{
		{"HSET h a 1 b 2 c 3", ":3", ""},
		{"OBJECT ENCODING h", "$8 listpack", ""},
		{"HSET h d 4", ":1", ""},
		{"OBJECT ENCODING h", "$9 hashtable", ""},
		{"HDEL h a b c", ":3", ""},
		{"OBJECT ENCODING h", "$9 hashtable", ""}, // never converts back
		{"HSET v a 12345678", ":1", ""},
		{"OBJECT ENCODING v", "$8 listpack", ""},
		{"HSET v b 123456789", ":1", ""},
		{"OBJECT ENCODING v", "$9 hashtable", ""},
		{"HSETNX w 123456789 x", ":1", ""},
		{"OBJECT ENCODING w", "$9 hashtable", ""},
		{"HINCRBYFLOAT x f 1e10", "$11 10000000000", ""},
		{"OBJECT ENCODING x", "$9 hashtable", ""},
		{"HINCRBY y f 12345678", ":12345678", ""},
		{"OBJECT ENCODING y", "$8 listpack", ""},
	}
	for i, st := range steps {
		if got := e.exec(2, st.cmd); got != st.want2 {
			t.Errorf("step %d %q: got %q, want %q", i, st.cmd, got, st.want2)
		}
	}
}

func TestHashExpiredKeyIsMissing(t *testing.T) {
	e := newHZEnv(t, 1)
	e.exec(2, "HSET h a 1")
	e.exec(2, "PEXPIRE h 100")
	e.man.Advance(100 * time.Millisecond)
	for _, st := range []hzStep{
		{"HGET h a", "$-1", ""},
		{"HLEN h", ":0", ""},
		{"HSETNX h a 2", ":1", ""},
		{"PTTL h", ":-1", ""},
		{"HINCRBY h a 1", ":3", ""},
	} {
		if got := e.exec(2, st.cmd); got != st.want2 {
			t.Errorf("%q: got %q, want %q", st.cmd, got, st.want2)
		}
	}
}

func TestHashSemanticFunctions(t *testing.T) {
	e := newHZEnv(t, 1)
	sh := e.ks.ShardFor("h")
	sh.Lock()
	defer sh.Unlock()
	lim := &e.eng.Limits
	n, err := HashSet(sh, lim, 0, "h", [][]byte{[]byte("a"), []byte("1"), []byte("b"), []byte("2")}, hzT0)
	if n != 2 || err != nil {
		t.Fatalf("HashSet = %d, %v", n, err)
	}
	if v, err := HashIncrByFloat(sh, lim, 0, "h", []byte("a"), []byte("0.5"), hzT0); string(v) != "1.5" || err != nil {
		t.Fatalf("HashIncrByFloat = %q, %v", v, err)
	}
	if _, err := HashIncrBy(sh, lim, 0, "h", []byte("a"), 1, hzT0); err != errHashNotInteger {
		t.Fatalf("HashIncrBy on a float: %v", err)
	}
	if _, err := HashIncrBy(sh, lim, 0, "h", []byte("b"), math.MaxInt64, hzT0); err != ErrOverflow {
		t.Fatalf("HashIncrBy overflow: %v", err)
	}
	if ok, err := HashSetNX(sh, lim, 0, "h", []byte("b"), []byte("x"), hzT0); ok || err != nil {
		t.Fatalf("HashSetNX existing = %v, %v", ok, err)
	}
	sh.Add(0, "list", keyspace.TypeList, unsafe.Pointer(object.NewList(nil)))
	if _, err := HashValue(sh, 0, "list", hzT0); err != ErrWrongType {
		t.Fatalf("HashValue on a list: %v", err)
	}
	if n, err := HashDel(sh, 0, "h", [][]byte{[]byte("a"), []byte("b"), []byte("a")}, hzT0); n != 2 || err != nil {
		t.Fatalf("HashDel = %d, %v", n, err)
	}
	if sh.Peek(0, "h", hzT0) != nil {
		t.Fatal("emptied hash still present")
	}
}

func BenchmarkHSetHGet(b *testing.B) {
	e := newHZEnv(b, 1)
	set := hzArgs(b, "HSET h field value")
	get := hzArgs(b, "HGET h field")
	e.w.SetProto(2)
	b.ReportAllocs()
	for b.Loop() {
		e.w.Reset(nil)
		e.eng.Exec(e.s, set, e.w)
		e.eng.Exec(e.s, get, e.w)
	}
}

func BenchmarkHIncrBy(b *testing.B) {
	e := newHZEnv(b, 1)
	args := hzArgs(b, "HINCRBY h counter 1")
	e.w.SetProto(2)
	b.ReportAllocs()
	for b.Loop() {
		e.w.Reset(nil)
		e.eng.Exec(e.s, args, e.w)
	}
}
