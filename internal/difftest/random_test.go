package difftest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/command"
)

// randKeys is the random run's keyspace: few keys, so commands collide
// often; hash tags and plain names so multi-key commands span shards;
// binary and empty names.
var randKeys = []string{
	"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9",
	"{t}a", "{t}b", "{t}c", "x:1", "x:2", "user:1000", "bin\x00\r\n", "", "K0", "long-key-name-" + strings.Repeat("z", 40),
}

// randVals mixes integers (incl. the int64 limits), floats, strings that
// look almost like numbers, binary and long strings.
var randVals = []string{
	"0", "1", "-1", "5", "42", "123", "-5", "9999", "10000", "9223372036854775807", "-9223372036854775808",
	"1.5", "-0.25", "1e3", "3.0", "0.1", " 1", "01", "+1", "-0",
	"", "a", "hello", "x y", "ohmytext", "mynewtext", "\x00\xff\r\n", strings.Repeat("v", 50),
}

var randDeltas = []string{
	"0", "1", "-1", "5", "-5", "100", "9223372036854775807", "-9223372036854775808", "9223372036854775806",
	"abc", "1.5", "", " 1",
}

var randFloats = []string{
	"0", "1", "-1", "0.1", "0.2", "1.5", "-2.5", "1e3", "1e-3", "3.0e2", "1e308", "-1e308", "abc", "inf", "",
	"5.0e3", "0.3333333333333333", "123456789.123456789",
}

var randFields = []string{"f1", "f2", "f3", "n", "", "\x00"}

var randScores = []string{"0", "1", "-1", "2.5", "1e3", "-inf", "+inf", "0.1", "abc", "1e-5"}

// Relative TTLs are large (they must not expire during the run) and far
// apart from the absolute times, so GT/LT comparisons are decided the same
// way on both sides.
var (
	randSecs   = []string{"1000", "2000", "5000", "100000"}
	randMillis = []string{"1000000", "2000000", "5000000"}
	randBad    = []string{"0", "-1", "abc", "1.5", "", "9223372036854775807", "-9223372036854775808"}
)

// gen produces random commands.
type gen struct {
	r       *rand.Rand
	absBase int64 // Unix seconds far in the future, a multiple of 1000
	gens    []genFunc
}

type genFunc struct {
	name   string // command that must be registered for this generator
	weight int
	fn     func(g *gen) Cmd
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }
func (g *gen) key() string               { return g.pick(randKeys) }
func (g *gen) val() string               { return g.pick(randVals) }
func (g *gen) chance(pct int) bool       { return g.r.IntN(100) < pct }
func (g *gen) small(lo, hi int) string   { return strconv.Itoa(lo + g.r.IntN(hi-lo+1)) }

// absSec returns an absolute expire time in seconds (sometimes past).
func (g *gen) absSec() string {
	if g.chance(15) {
		return g.pick([]string{"1", "1000", "0"})
	}
	return strconv.FormatInt(g.absBase+int64(g.r.IntN(10))*1000, 10)
}

func (g *gen) absMs() string {
	if g.chance(15) {
		return g.pick([]string{"1", "1000"})
	}
	return strconv.FormatInt((g.absBase+int64(g.r.IntN(10))*1000)*1000+int64(g.r.IntN(1000)), 10)
}

func (g *gen) keys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = g.key()
	}
	return out
}

func c(args ...string) Cmd { return Cmd{Args: args} }

func approx(tol int64, args ...string) Cmd { return Cmd{Args: args, Mode: Approx, Tol: tol} }

// setOpts returns random SET options, occasionally invalid ones.
func (g *gen) setOpts() []string {
	var o []string
	switch g.r.IntN(6) {
	case 1:
		o = append(o, "NX")
	case 2:
		o = append(o, "XX")
	}
	if g.chance(30) {
		o = append(o, "GET")
	}
	switch g.r.IntN(9) {
	case 1:
		o = append(o, "EX", g.pick(randSecs))
	case 2:
		o = append(o, "PX", g.pick(randMillis))
	case 3:
		o = append(o, "EXAT", g.absSec())
	case 4:
		o = append(o, "PXAT", g.absMs())
	case 5:
		o = append(o, "KEEPTTL")
	case 6:
		if g.chance(30) {
			o = append(o, g.pick([]string{"EX", "PX", "EXAT", "PXAT"}), g.pick(randBad))
		}
	}
	if g.chance(3) {
		o = append(o, g.pick([]string{"NX", "XX", "FOO", "KEEPTTL", "EX"}))
	}
	return o
}

// expireFlag returns an optional NX/XX (relative times) or NX/XX/GT/LT
// (absolute times) flag.
func (g *gen) expireFlag(absolute bool) []string {
	flags := []string{"NX", "XX"}
	if absolute {
		flags = append(flags, "GT", "LT")
	}
	if g.chance(50) {
		return nil
	}
	out := []string{g.pick(flags)}
	if g.chance(5) {
		extra := []string{"NX", "XX", "FOO"}
		if absolute {
			extra = append(extra, "GT", "LT")
		}
		out = append(out, g.pick(extra))
	}
	return out
}

func (g *gen) getexOpts() []string {
	switch g.r.IntN(8) {
	case 0:
		return []string{"EX", g.pick(randSecs)}
	case 1:
		return []string{"PX", g.pick(randMillis)}
	case 2:
		return []string{"EXAT", g.absSec()}
	case 3:
		return []string{"PXAT", g.absMs()}
	case 4:
		return []string{"PERSIST"}
	case 5:
		if g.chance(30) {
			return []string{g.pick([]string{"EX", "PX", "FOO", "PERSIST"}), g.pick(randBad)}
		}
	}
	return nil
}

func (g *gen) scanCmd() Cmd {
	args := []string{"SCAN", "0"}
	if g.chance(40) {
		args = append(args, "MATCH", g.pick([]string{"k*", "*1*", "{t}*", "x:?", "*", "nomatch", "k[0-4]"}))
	}
	if g.chance(40) {
		args = append(args, "COUNT", g.pick([]string{"1", "3", "100"}))
	}
	if g.chance(30) {
		args = append(args, "TYPE", g.pick([]string{"string", "list", "hash", "set", "zset"}))
	}
	return Cmd{Args: args, Mode: Scan}
}

var generators = []genFunc{
	{"get", 8, func(g *gen) Cmd { return c("GET", g.key()) }},
	{"set", 10, func(g *gen) Cmd { return c(append([]string{"SET", g.key(), g.val()}, g.setOpts()...)...) }},
	{"setnx", 2, func(g *gen) Cmd { return c("SETNX", g.key(), g.val()) }},
	{"setex", 2, func(g *gen) Cmd {
		t := g.pick(randSecs)
		if g.chance(20) {
			t = g.pick(randBad)
		}
		return c("SETEX", g.key(), t, g.val())
	}},
	{"psetex", 2, func(g *gen) Cmd {
		t := g.pick(randMillis)
		if g.chance(20) {
			t = g.pick(randBad)
		}
		return c("PSETEX", g.key(), t, g.val())
	}},
	{"getset", 2, func(g *gen) Cmd { return c("GETSET", g.key(), g.val()) }},
	{"getdel", 2, func(g *gen) Cmd { return c("GETDEL", g.key()) }},
	{"getex", 3, func(g *gen) Cmd { return c(append([]string{"GETEX", g.key()}, g.getexOpts()...)...) }},
	{"mget", 3, func(g *gen) Cmd { return c(append([]string{"MGET"}, g.keys(1+g.r.IntN(4))...)...) }},
	{"mset", 3, func(g *gen) Cmd {
		args := []string{"MSET"}
		for n := 1 + g.r.IntN(3); n > 0; n-- {
			args = append(args, g.key(), g.val())
		}
		return c(args...)
	}},
	{"msetnx", 2, func(g *gen) Cmd {
		args := []string{"MSETNX"}
		for n := 1 + g.r.IntN(3); n > 0; n-- {
			args = append(args, g.key(), g.val())
		}
		return c(args...)
	}},
	{"append", 3, func(g *gen) Cmd { return c("APPEND", g.key(), g.val()) }},
	{"strlen", 2, func(g *gen) Cmd { return c("STRLEN", g.key()) }},
	{"getrange", 3, func(g *gen) Cmd { return c("GETRANGE", g.key(), g.small(-20, 20), g.small(-20, 20)) }},
	{"substr", 1, func(g *gen) Cmd { return c("SUBSTR", g.key(), g.small(-10, 10), g.small(-10, 10)) }},
	{"setrange", 3, func(g *gen) Cmd {
		off := g.small(0, 40)
		if g.chance(10) {
			off = g.pick([]string{"-1", "abc", "536870912"})
		}
		return c("SETRANGE", g.key(), off, g.val())
	}},
	{"incr", 4, func(g *gen) Cmd { return c("INCR", g.key()) }},
	{"decr", 2, func(g *gen) Cmd { return c("DECR", g.key()) }},
	{"incrby", 3, func(g *gen) Cmd { return c("INCRBY", g.key(), g.pick(randDeltas)) }},
	{"decrby", 2, func(g *gen) Cmd { return c("DECRBY", g.key(), g.pick(randDeltas)) }},
	{"incrbyfloat", 4, func(g *gen) Cmd { return c("INCRBYFLOAT", g.key(), g.pick(randFloats)) }},
	{"lcs", 2, func(g *gen) Cmd {
		args := []string{"LCS", g.key(), g.key()}
		switch g.r.IntN(5) {
		case 1:
			args = append(args, "LEN")
		case 2:
			args = append(args, "IDX")
		case 3:
			args = append(args, "IDX", "MINMATCHLEN", g.small(0, 3), "WITHMATCHLEN")
		}
		return c(args...)
	}},
	{"del", 3, func(g *gen) Cmd { return c(append([]string{"DEL"}, g.keys(1+g.r.IntN(3))...)...) }},
	{"unlink", 1, func(g *gen) Cmd { return c(append([]string{"UNLINK"}, g.keys(1+g.r.IntN(3))...)...) }},
	{"exists", 3, func(g *gen) Cmd { return c(append([]string{"EXISTS"}, g.keys(1+g.r.IntN(3))...)...) }},
	{"type", 2, func(g *gen) Cmd { return c("TYPE", g.key()) }},
	{"touch", 1, func(g *gen) Cmd { return c(append([]string{"TOUCH"}, g.keys(1+g.r.IntN(3))...)...) }},
	{"expire", 3, func(g *gen) Cmd {
		t := g.pick(randSecs)
		if g.chance(20) {
			t = g.pick(randBad)
		}
		return c(append([]string{"EXPIRE", g.key(), t}, g.expireFlag(false)...)...)
	}},
	{"pexpire", 2, func(g *gen) Cmd {
		t := g.pick(randMillis)
		if g.chance(20) {
			t = g.pick(randBad)
		}
		return c(append([]string{"PEXPIRE", g.key(), t}, g.expireFlag(false)...)...)
	}},
	{"expireat", 3, func(g *gen) Cmd {
		return c(append([]string{"EXPIREAT", g.key(), g.absSec()}, g.expireFlag(true)...)...)
	}},
	{"pexpireat", 2, func(g *gen) Cmd {
		return c(append([]string{"PEXPIREAT", g.key(), g.absMs()}, g.expireFlag(true)...)...)
	}},
	{"ttl", 3, func(g *gen) Cmd { return approx(1, "TTL", g.key()) }},
	{"pttl", 2, func(g *gen) Cmd { return approx(1000, "PTTL", g.key()) }},
	{"expiretime", 2, func(g *gen) Cmd { return approx(1, "EXPIRETIME", g.key()) }},
	{"pexpiretime", 2, func(g *gen) Cmd { return approx(1000, "PEXPIRETIME", g.key()) }},
	{"persist", 2, func(g *gen) Cmd { return c("PERSIST", g.key()) }},
	{"rename", 2, func(g *gen) Cmd { return c("RENAME", g.key(), g.key()) }},
	{"renamenx", 2, func(g *gen) Cmd { return c("RENAMENX", g.key(), g.key()) }},
	{"copy", 2, func(g *gen) Cmd {
		args := []string{"COPY", g.key(), g.key()}
		if g.chance(30) {
			args = append(args, "DB", g.pick([]string{"0", "1", "1", "16", "x"}))
		}
		if g.chance(40) {
			args = append(args, "REPLACE")
		}
		return c(args...)
	}},
	{"move", 1, func(g *gen) Cmd { return c("MOVE", g.key(), g.pick([]string{"0", "1", "1", "16", "x"})) }},
	{"keys", 1, func(g *gen) Cmd {
		return Cmd{Args: []string{"KEYS", g.pick([]string{"*", "k*", "{t}?", "x:[12]", "*\x00*", "nomatch"})}, Mode: Unordered}
	}},
	{"scan", 1, func(g *gen) Cmd { return g.scanCmd() }},
	{"dbsize", 1, func(g *gen) Cmd { return c("DBSIZE") }},
	{"select", 1, func(g *gen) Cmd { return c("SELECT", g.pick([]string{"0", "0", "0", "1", "16"})) }},
	{"swapdb", 1, func(g *gen) Cmd { return c("SWAPDB", g.pick([]string{"0", "1"}), g.pick([]string{"0", "1", "2"})) }},
	{"flushdb", 1, func(g *gen) Cmd {
		// Weight 1 is still too often: flushing every ~150 commands would
		// keep the keyspace nearly empty.
		if g.chance(90) {
			return c("EXISTS", g.key())
		}
		return c("FLUSHDB")
	}},
	{"object", 2, func(g *gen) Cmd { return c("OBJECT", g.pick([]string{"ENCODING", "ENCODING", "REFCOUNT"}), g.key()) }},
	{"echo", 1, func(g *gen) Cmd { return c("ECHO", g.val()) }},
	{"ping", 1, func(g *gen) Cmd { return c("PING") }},
	// Hashes and sorted sets; lists and sets are in random_types_test.go.
	// Keys of every type share randKeys, so each type's commands also hit
	// the WRONGTYPE paths of the others.
	{"hset", 2, func(g *gen) Cmd {
		args := []string{"HSET", g.key()}
		for n := 1 + g.r.IntN(3); n > 0; n-- {
			args = append(args, g.pick(randFields), g.val())
		}
		return c(args...)
	}},
	{"hget", 1, func(g *gen) Cmd { return c("HGET", g.key(), g.pick(randFields)) }},
	{"hmget", 1, func(g *gen) Cmd { return c("HMGET", g.key(), g.pick(randFields), g.pick(randFields)) }},
	{"hdel", 1, func(g *gen) Cmd { return c("HDEL", g.key(), g.pick(randFields), g.pick(randFields)) }},
	{"hsetnx", 1, func(g *gen) Cmd { return c("HSETNX", g.key(), g.pick(randFields), g.val()) }},
	{"hincrby", 1, func(g *gen) Cmd { return c("HINCRBY", g.key(), g.pick(randFields), g.pick(randDeltas)) }},
	{"hincrbyfloat", 1, func(g *gen) Cmd { return c("HINCRBYFLOAT", g.key(), g.pick(randFields), g.pick(randFloats)) }},
	{"hlen", 1, func(g *gen) Cmd {
		return c(g.pick([]string{"HLEN", "HSTRLEN", "HEXISTS"}), g.key(), g.pick(randFields))
	}},
	{"hgetall", 1, func(g *gen) Cmd { return Cmd{Args: []string{"HGETALL", g.key()}, Mode: Pairs} }},
	{"hkeys", 1, func(g *gen) Cmd {
		return Cmd{Args: []string{g.pick([]string{"HKEYS", "HVALS"}), g.key()}, Mode: Unordered}
	}},
	{"zadd", 2, func(g *gen) Cmd {
		args := []string{"ZADD", g.key()}
		if g.chance(30) {
			args = append(args, g.pick([]string{"NX", "XX", "GT", "LT", "CH", "INCR"}))
		}
		for n := 1 + g.r.IntN(3); n > 0; n-- {
			args = append(args, g.pick(randScores), g.pick(randFields))
		}
		return c(args...)
	}},
	{"zscore", 1, func(g *gen) Cmd { return c("ZSCORE", g.key(), g.pick(randFields)) }},
	{"zincrby", 1, func(g *gen) Cmd { return c("ZINCRBY", g.key(), g.pick(randScores), g.pick(randFields)) }},
	{"zrem", 1, func(g *gen) Cmd { return c("ZREM", g.key(), g.pick(randFields), g.pick(randFields)) }},
	{"zrange", 2, func(g *gen) Cmd {
		switch g.r.IntN(3) {
		case 0:
			return c("ZRANGE", g.key(), g.small(-4, 4), g.small(-4, 4), "WITHSCORES")
		case 1:
			return c("ZRANGE", g.key(), g.pick([]string{"-inf", "(0", "1"}), g.pick([]string{"+inf", "(5", "2"}), "BYSCORE", "WITHSCORES")
		}
		return c("ZRANGE", g.key(), "+", "-", "BYLEX", "REV", "LIMIT", "0", g.small(1, 3))
	}},
	{"zpopmin", 1, func(g *gen) Cmd { return c(g.pick([]string{"ZPOPMIN", "ZPOPMAX"}), g.key(), g.small(1, 3)) }},
	{"zunion", 1, func(g *gen) Cmd {
		return c("ZUNION", "2", g.key(), g.key(), "AGGREGATE", g.pick([]string{"SUM", "MIN", "MAX"}), "WITHSCORES")
	}},
	{"zcard", 1, func(g *gen) Cmd { return c("ZCARD", g.key()) }},
	{"hscan", 1, func(g *gen) Cmd { return Cmd{Args: []string{"HSCAN", g.key(), "0", "MATCH", "f*"}, Mode: Scan} }},
}

// newGen returns a generator over the commands kevy has registered.
func newGen(seed uint64) *gen {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	g.absBase = (time.Now().Unix()/1000 + 100_000) * 1000
	for _, f := range generators {
		if command.Lookup([]byte(f.name)) != nil {
			g.gens = append(g.gens, f)
		}
	}
	for _, f := range listSetGenerators {
		if command.Lookup([]byte(f.name)) != nil {
			g.gens = append(g.gens, f)
		}
	}
	return g
}

// next returns the next command, sometimes with an argument dropped or
// added (arity and syntax errors), or an unknown command.
func (g *gen) next() Cmd {
	if g.chance(1) {
		return c("NOSUCHCMD", g.key())
	}
	total := 0
	for _, f := range g.gens {
		total += f.weight
	}
	n := g.r.IntN(total)
	var cmd Cmd
	for _, f := range g.gens {
		if n < f.weight {
			cmd = f.fn(g)
			break
		}
		n -= f.weight
	}
	if cmd.Mode == Exact && g.chance(3) {
		if g.chance(50) && len(cmd.Args) > 1 {
			cmd.Args = cmd.Args[:len(cmd.Args)-1]
		} else {
			cmd.Args = append(cmd.Args, g.pick([]string{"junk", "1", "NX", ""}))
		}
	}
	return cmd
}

// relevant formats the commands that may explain the last one's reply:
// the last n commands, and every earlier one naming one of its arguments
// or switching databases.
func relevant(hist []Cmd, n int) string {
	keys := map[string]bool{}
	for _, k := range keyArgs(hist[len(hist)-1]) {
		keys[k] = true
	}
	var b strings.Builder
	for i, c := range hist {
		keep := i >= len(hist)-n
		switch c.Name() {
		case "select", "swapdb", "flushdb", "flushall":
			keep = true
		}
		for _, k := range keyArgs(c) {
			keep = keep || keys[k]
		}
		if keep {
			fmt.Fprintf(&b, "\t%5d  %s\n", c.Line, c)
		}
	}
	return b.String()
}

// postMortem shows what both sides hold under the keys of cmd.
func postMortem(a, b Target, cmd Cmd) string {
	var sb strings.Builder
	keys := keyArgs(cmd)
	if len(keys) == 0 {
		ra, _ := scanAll(a, []string{"SCAN", "0"})
		rb, _ := scanAll(b, []string{"SCAN", "0"})
		fmt.Fprintf(&sb, "\tall keys: %s %q\n\t          %s %q\n", a.Name(), ra, b.Name(), rb)
	}
	for _, k := range keys {
		for _, probe := range [][]string{{"TYPE", k}, {"GET", k}, {"OBJECT", "ENCODING", k}, {"PTTL", k}} {
			ra, errA := a.Do(toBytes(probe))
			rb, errB := b.Do(toBytes(probe))
			fmt.Fprintf(&sb, "\t%s: %s %q %v / %s %q %v\n", FormatArgs(toBytes(probe)), a.Name(), ra, errA, b.Name(), rb, errB)
		}
	}
	return sb.String()
}

// keyArgs returns the key arguments of c, per kevy's command table (all
// arguments for commands kevy lacks).
func keyArgs(c Cmd) []string {
	cmd := command.Lookup([]byte(c.Name()))
	if cmd == nil {
		return c.Args[1:]
	}
	idx, _ := cmd.KeyIndexes(toBytes(c.Args), nil)
	out := make([]string, 0, len(idx))
	for _, i := range idx {
		out = append(out, c.Args[i])
	}
	return out
}

// knownRandomMismatch recognises mismatches caused by reported, not yet
// fixed kevy bugs, so the random run keeps looking for new ones. Each
// entry must go once the bug is fixed.
func knownRandomMismatch(cmd Cmd, redis, kevy []byte) string {
	return ""
}

func envInt(name string, def uint64) uint64 {
	if s := os.Getenv(name); s != "" {
		if v, err := strconv.ParseUint(s, 10, 64); err == nil {
			return v
		}
	}
	return def
}

// TestRandomDiff sends the same seeded random command stream to
// redis-server and to kevy and requires identical replies. Set
// DIFFTEST_SEED to replay a failure and DIFFTEST_OPS to change the
// length.
func TestRandomDiff(t *testing.T) {
	rc := dialRedis(t)
	seed := envInt("DIFFTEST_SEED", uint64(time.Now().UnixNano()))
	ops := int(envInt("DIFFTEST_OPS", 6000))
	if testing.Short() {
		ops = 500
	}
	for _, tc := range []struct{ shards, proto int }{{1, 2}, {8, 2}, {8, 3}} {
		t.Run(fmt.Sprintf("shards=%d/resp%d", tc.shards, tc.proto), func(t *testing.T) {
			k := newKevy(t, tc.shards)
			runRandom(t, rc, k, seed, ops, tc.proto)
		})
	}
	t.Run("tcp/shards=8/resp3", func(t *testing.T) {
		ks, err := StartKevyServer(&kevy.Options{Shards: 8})
		if err != nil {
			t.Fatal(err)
		}
		defer ks.Stop()
		kc, err := Dial("kevy-server", ks.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer kc.Close()
		runRandom(t, rc, kc, seed, ops, 3)
	})
}

// runRandom runs ops random commands on redis and target b and stops at
// the first mismatch, printing the seed and the commands that led to it.
func runRandom(t *testing.T, redis, b Target, seed uint64, ops, proto int) {
	t.Helper()
	if err := redis.Reset(proto); err != nil {
		t.Fatal(err)
	}
	if err := b.Reset(proto); err != nil {
		t.Fatal(err)
	}
	g := newGen(seed)
	var hist []Cmd
	known := map[string]int{}
	for i := 0; i < ops; i++ {
		cmd := g.next()
		cmd.Line = i + 1
		if cmd.Name() == "dbsize" {
			// Redis keeps a key SET with a past EXAT/PXAT until it is
			// touched or actively expired, and DBSIZE counts it: touch
			// every key first so both sides count the same.
			touch := Cmd{Args: append([]string{"EXISTS"}, randKeys...), Line: i + 1}
			hist = append(hist, touch)
			if m, err := Exec(redis, b, touch); err != nil || m != nil {
				t.Fatalf("seed %d step %d: %v %v", seed, i+1, m, err)
			}
		}
		hist = append(hist, cmd)
		m, err := Exec(redis, b, cmd)
		if err != nil {
			t.Fatalf("seed %d step %d: %v", seed, i+1, err)
		}
		if m == nil {
			continue
		}
		if why := knownRandomMismatch(cmd, m.A, m.B); why != "" {
			known[why]++
			continue
		}
		m.Script = fmt.Sprintf("random seed=%d step", seed)
		t.Fatalf("%s\nrelevant history (DIFFTEST_SEED=%d replays it):\n%s\nstate of its keys afterwards:\n%s",
			m, seed, relevant(hist, 15), postMortem(redis, b, cmd))
	}
	for why, n := range known {
		t.Logf("known kevy bug seen %d times: %s", n, why)
	}
	t.Logf("seed %d: %d commands, no mismatch", seed, ops)
}
