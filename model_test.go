package kevy_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy"
)

// The model tests check that sharding is invisible: the same command
// stream gives the same replies and the same final data whatever the
// shard count, and concurrent clients working on disjoint keys see
// exactly what a lone client would.

// modelShards are the shard counts compared; 1 is the reference.
var modelShards = []int{1, 2, 8, 64}

// modelEpoch is the ManualClock's start; absolute expire times are
// chosen around it.
var modelEpoch = time.Unix(1_700_000_000, 0)

// modelSeed returns KEVY_MODEL_SEED if set (to replay a failure), or a
// fresh seed.
func modelSeed(t *testing.T) uint64 {
	if s := os.Getenv("KEVY_MODEL_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("KEVY_MODEL_SEED: %v", err)
		}
		return v
	}
	return uint64(time.Now().UnixNano())
}

// opGen generates random string and key commands over a small keyspace.
type opGen struct {
	r    *rand.Rand
	keys []string
	now  func() time.Time
}

func (g *opGen) pick(list []string) string { return list[g.r.IntN(len(list))] }
func (g *opGen) key() string               { return g.keys[g.r.IntN(len(g.keys))] }
func (g *opGen) chance(pct int) bool       { return g.r.IntN(100) < pct }
func (g *opGen) num(lo, hi int) string     { return strconv.Itoa(lo + g.r.IntN(hi-lo+1)) }

var modelVals = []string{
	"0", "1", "-7", "42", "9999", "10000", "9223372036854775807", "-9223372036854775808", "1.5", "-0.5", "1e3",
	"", "a", "hello", "x y", "\x00\r\n", " 1", "01", strings.Repeat("v", 60),
}

var modelDeltas = []string{"1", "-1", "7", "-100", "9223372036854775807", "-9223372036854775808", "x", "1.5"}
var modelFloats = []string{"0.1", "-2.5", "1e3", "3", "1e308", "x", "inf", "-0.125"}

func (g *opGen) val() string { return g.pick(modelVals) }

// abs returns an absolute Unix time (seconds or ms) near the clock's
// current time: sometimes past, mostly within the next minute.
func (g *opGen) abs(ms bool) string {
	d := time.Duration(g.r.IntN(70_000)-10_000) * time.Millisecond
	t := g.now().Add(d)
	if ms {
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	return strconv.FormatInt(t.Unix(), 10)
}

func (g *opGen) flag() []string {
	if g.chance(50) {
		return nil
	}
	return []string{g.pick([]string{"NX", "XX", "GT", "LT"})}
}

func (g *opGen) nkeys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = g.key()
	}
	return out
}

// op returns the next command. whole enables commands that read or write
// the whole keyspace (KEYS, SCAN, DBSIZE, FLUSHDB), which concurrent
// clients on disjoint keys must not use.
func (g *opGen) op(whole bool) []string {
	for {
		if args := g.try(whole); args != nil {
			return args
		}
	}
}

func (g *opGen) try(whole bool) []string {
	k := g.key()
	switch g.r.IntN(40) {
	case 0, 1:
		return []string{"GET", k}
	case 2, 3:
		args := []string{"SET", k, g.val()}
		switch g.r.IntN(8) {
		case 0:
			args = append(args, "EX", g.num(1, 20))
		case 1:
			args = append(args, "PX", g.num(1, 20000))
		case 2:
			args = append(args, "EXAT", g.abs(false))
		case 3:
			args = append(args, "PXAT", g.abs(true))
		case 4:
			args = append(args, "KEEPTTL")
		}
		if g.chance(20) {
			args = append(args, g.pick([]string{"NX", "XX", "GET"}))
		}
		return args
	case 4:
		return []string{g.pick([]string{"SETNX", "GETSET"}), k, g.val()}
	case 5:
		return []string{g.pick([]string{"SETEX", "PSETEX"}), k, g.num(-1, 20000), g.val()}
	case 6:
		opts := [][]string{nil, {"EX", g.num(0, 20)}, {"PX", g.num(1, 20000)}, {"EXAT", g.abs(false)}, {"PXAT", g.abs(true)}, {"PERSIST"}}
		return append([]string{"GETEX", k}, opts[g.r.IntN(len(opts))]...)
	case 7:
		return []string{"GETDEL", k}
	case 8, 9:
		return append([]string{"MGET"}, g.nkeys(1+g.r.IntN(5))...)
	case 10, 11:
		args := []string{g.pick([]string{"MSET", "MSET", "MSETNX"})}
		for n := 1 + g.r.IntN(4); n > 0; n-- {
			args = append(args, g.key(), g.val())
		}
		return args
	case 12:
		return []string{"APPEND", k, g.val()}
	case 13:
		return []string{g.pick([]string{"STRLEN", "TYPE", "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME", "PERSIST"}), k}
	case 14:
		return []string{g.pick([]string{"GETRANGE", "SUBSTR"}), k, g.num(-10, 10), g.num(-10, 10)}
	case 15:
		return []string{"SETRANGE", k, g.num(-1, 30), g.val()}
	case 16, 17:
		return []string{g.pick([]string{"INCRBY", "DECRBY"}), k, g.pick(modelDeltas)}
	case 18:
		return []string{g.pick([]string{"INCR", "DECR"}), k}
	case 19:
		return []string{"INCRBYFLOAT", k, g.pick(modelFloats)}
	case 20:
		args := []string{"LCS", k, g.key()}
		if g.chance(50) {
			args = append(args, "IDX", "WITHMATCHLEN")
		}
		return args
	case 21, 22:
		return append([]string{g.pick([]string{"DEL", "UNLINK", "EXISTS", "TOUCH"})}, g.nkeys(1+g.r.IntN(4))...)
	case 23, 24:
		return append([]string{g.pick([]string{"EXPIRE", "EXPIRE", "PEXPIRE"}), k, g.num(-1, 30)}, g.flag()...)
	case 25:
		return append([]string{g.pick([]string{"EXPIREAT", "PEXPIREAT"}), k, g.abs(g.chance(50))}, g.flag()...)
	case 26, 27:
		return []string{g.pick([]string{"RENAME", "RENAMENX"}), k, g.key()}
	case 28:
		args := []string{"COPY", k, g.key()}
		if g.chance(30) {
			args = append(args, "DB", g.pick([]string{"0", "1"}))
		}
		if g.chance(50) {
			args = append(args, "REPLACE")
		}
		return args
	case 29:
		return []string{"MOVE", k, g.pick([]string{"1", "1", "0"})}
	case 30:
		return []string{"OBJECT", g.pick([]string{"ENCODING", "REFCOUNT"}), k}
	case 31:
		if whole {
			return []string{"KEYS", g.pick([]string{"*", "k*", "{a}*", "*1*", "x?"})}
		}
	case 32:
		if whole {
			return []string{"SCAN", "0", "MATCH", g.pick([]string{"*", "k*", "{b}?"}), "COUNT", g.num(1, 10)}
		}
	case 33:
		if whole {
			return []string{"DBSIZE"}
		}
	case 34:
		if whole && g.chance(5) {
			return []string{"FLUSHDB"}
		}
	default:
		return []string{"GET", k}
	}
	return nil
}

// doModel runs args on db and renders the reply canonically: the order
// of KEYS and of a SCAN iteration is not specified, so they are sorted
// (SCAN is iterated to the end).
func doModel(ctx context.Context, db *kevy.DB, args []string) string {
	if strings.EqualFold(args[0], "scan") {
		keys, err := scanAllModel(ctx, db, args)
		if err != nil {
			return "error: " + err.Error()
		}
		return "scan" + fmt.Sprint(keys)
	}
	v, err := db.Do(ctx, toAny(args)...)
	if err != nil {
		return "error: " + err.Error()
	}
	if strings.EqualFold(args[0], "keys") {
		elems := v.Elems()
		keys := make([]string, len(elems))
		for i, e := range elems {
			keys[i] = e.String()
		}
		slices.Sort(keys)
		return "keys" + fmt.Sprintf("%q", keys)
	}
	return renderValue(v)
}

func toAny(args []string) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a
	}
	return out
}

// renderValue formats a Value with its kind at every level.
func renderValue(v kevy.Value) string {
	switch v.Kind() {
	case kevy.KindArray, kevy.KindSet, kevy.KindMap:
		var b strings.Builder
		b.WriteString(v.Kind().String())
		b.WriteByte('[')
		for i, e := range v.Elems() {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(renderValue(e))
		}
		b.WriteByte(']')
		return b.String()
	}
	return v.Kind().String() + ":" + strconv.Quote(v.String())
}

// scanAllModel iterates SCAN from args' cursor to 0 and returns the
// sorted, de-duplicated keys.
func scanAllModel(ctx context.Context, db *kevy.DB, args []string) ([]string, error) {
	seen := map[string]bool{}
	cur := slices.Clone(args)
	for calls := 0; ; calls++ {
		if calls > 1_000_000 {
			return nil, fmt.Errorf("SCAN did not finish")
		}
		v, err := db.Do(ctx, toAny(cur)...)
		if err != nil {
			return nil, err
		}
		e := v.Elems()
		if len(e) != 2 {
			return nil, fmt.Errorf("SCAN reply %s", renderValue(v))
		}
		for _, k := range e[1].Elems() {
			seen[k.String()] = true
		}
		if e[0].String() == "0" {
			break
		}
		cur[1] = e[0].String()
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, nil
}

// dumpDB renders the whole content of databases 0 and 1 of db: every key
// with its type, value, TTL and encoding, in key order.
func dumpDB(t *testing.T, ctx context.Context, db *kevy.DB) string {
	t.Helper()
	var b strings.Builder
	for _, n := range []int{0, 1} {
		h, err := db.Database(n)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := scanAllModel(ctx, h, []string{"SCAN", "0", "COUNT", "7"})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "db%d: %d keys\n", n, len(keys))
		for _, k := range keys {
			fmt.Fprintf(&b, "  %q", k)
			for _, probe := range []string{"TYPE", "GET", "PTTL", "OBJECT"} {
				args := []string{probe, k}
				if probe == "OBJECT" {
					args = []string{"OBJECT", "ENCODING", k}
				}
				fmt.Fprintf(&b, " %s", doModel(ctx, h, args))
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// modelKeys spreads over shards (plain names), shares shards on purpose
// ({a} and {b} hash tags), and includes binary and empty names.
var modelKeys = []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "{a}1", "{a}2", "{b}1", "{b}2", "x1", "x2", "", "\x00\xff"}

// TestModelShardsAgree runs one seeded random stream on DBs with 1, 2, 8
// and 64 shards, advancing a shared ManualClock between commands so keys
// expire mid-run, and requires identical replies and identical final
// contents. KEVY_MODEL_SEED replays a failure.
func TestModelShardsAgree(t *testing.T) {
	ctx := context.Background()
	seed := modelSeed(t)
	ops := 6000
	if testing.Short() {
		ops = 1000
	}
	clk := kevy.NewManualClock(modelEpoch)
	dbs := make([]*kevy.DB, len(modelShards))
	for i, n := range modelShards {
		dbs[i] = openTest(t, &kevy.Options{Shards: n, Clock: clk, ManualExpiry: true})
	}
	g := &opGen{r: rand.New(rand.NewPCG(seed, 1)), keys: modelKeys, now: clk.Now}
	var hist []string
	for i := 0; i < ops; i++ {
		if g.chance(10) {
			clk.Advance(time.Duration(g.r.IntN(3000)) * time.Millisecond)
			hist = append(hist, "(clock +)")
		}
		args := g.op(true)
		hist = append(hist, fmt.Sprintf("%q", args))
		want := doModel(ctx, dbs[0], args)
		for j, db := range dbs[1:] {
			if got := doModel(ctx, db, args); got != want {
				t.Fatalf("seed %d (KEVY_MODEL_SEED replays), step %d: %q\n  shards=1:  %s\n  shards=%d: %s\nlast commands:\n  %s",
					seed, i+1, args, want, modelShards[j+1], got, strings.Join(hist[max(0, len(hist)-20):], "\n  "))
			}
		}
	}
	want := dumpDB(t, ctx, dbs[0])
	for j, db := range dbs[1:] {
		if got := dumpDB(t, ctx, db); got != want {
			t.Fatalf("seed %d: final contents differ\nshards=1:\n%s\nshards=%d:\n%s", seed, want, modelShards[j+1], got)
		}
	}
	if !strings.Contains(want, "keys") || strings.Count(want, "\n") < 3 {
		t.Fatalf("seed %d: suspiciously empty final state:\n%s", seed, want)
	}
	t.Logf("seed %d: %d commands agree across shard counts %v", seed, ops, modelShards)
	if os.Getenv("KEVY_MODEL_DUMP") != "" {
		t.Logf("final state:\n%s\nlast commands:\n%s", want, strings.Join(hist[len(hist)-30:], "\n"))
	}
}

// TestModelConcurrent runs several clients at once on one 8-shard DB,
// each on its own keys (which span shards) with multi-key commands, and
// compares every reply with the same client's stream replayed on a
// private 1-shard DB. A reader client meanwhile walks the whole keyspace
// (SCAN, KEYS, DBSIZE) to contend for every lock. Run it with -race.
func TestModelConcurrent(t *testing.T) {
	ctx := context.Background()
	seed := modelSeed(t)
	const clients = 4
	ops := 1500
	if testing.Short() {
		ops = 300
	}
	// The clock is shared and never advanced: TTL replies are then the
	// same on the shared and the private DBs.
	clk := kevy.NewManualClock(modelEpoch)
	shared := openTest(t, &kevy.Options{Shards: 8, Clock: clk, ManualExpiry: true})
	var wg sync.WaitGroup
	errs := make(chan string, clients)
	stop := make(chan struct{})
	var readerWG sync.WaitGroup
	readerWG.Add(1)
	go func() {
		defer readerWG.Done()
		r := rand.New(rand.NewPCG(seed, 99))
		for {
			select {
			case <-stop:
				return
			default:
			}
			var args []string
			switch r.IntN(4) {
			case 0:
				args = []string{"SCAN", "0", "COUNT", "3"}
			case 1:
				args = []string{"KEYS", "*"}
			case 2:
				args = []string{"DBSIZE"}
			default:
				args = []string{"EXISTS", "c0:k0", "c1:k1", "c2:k2", "c3:k3"}
			}
			if out := doModel(ctx, shared, args); strings.HasPrefix(out, "error") {
				errs <- fmt.Sprintf("reader: %q: %s", args, out)
				return
			}
		}
	}()
	private := make([]*kevy.DB, clients)
	keysOf := make([][]string, clients)
	for c := range clients {
		private[c] = openTest(t, &kevy.Options{Shards: 1, Clock: clk, ManualExpiry: true})
		for i := range 8 {
			keysOf[c] = append(keysOf[c], fmt.Sprintf("c%d:k%d", c, i))
		}
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			g := &opGen{r: rand.New(rand.NewPCG(seed, uint64(c)+2)), keys: keysOf[c], now: clk.Now}
			for i := 0; i < ops; i++ {
				args := g.op(false)
				want := doModel(ctx, private[c], args)
				if got := doModel(ctx, shared, args); got != want {
					errs <- fmt.Sprintf("seed %d client %d step %d: %q\n  alone:  %s\n  shared: %s", seed, c, i+1, args, want, got)
					return
				}
			}
		}(c)
	}
	wg.Wait()
	close(stop)
	readerWG.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if t.Failed() {
		return
	}
	// Each client's keys hold in the shared DB what they hold alone.
	for c := range clients {
		for _, n := range []int{0, 1} {
			sh, _ := shared.Database(n)
			pr, _ := private[c].Database(n)
			for _, k := range keysOf[c] {
				for _, probe := range [][]string{{"TYPE", k}, {"GET", k}, {"PTTL", k}} {
					if a, b := doModel(ctx, pr, probe), doModel(ctx, sh, probe); a != b {
						t.Errorf("seed %d client %d db%d %q: alone %s, shared %s", seed, c, n, probe, a, b)
					}
				}
			}
		}
	}
	t.Logf("seed %d: %d clients x %d commands agree", seed, clients, ops)
}
