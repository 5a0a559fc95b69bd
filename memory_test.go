package kevy_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kevydb/kevy"
)

var memT0 = time.Unix(1_700_000_000, 0)

// limitFor returns the accounted bytes of n keys "k0".."k{n-1}" holding
// size-byte values in a database configured like opts (no limit): a
// MaxMemory under which exactly about n such keys fit.
func limitFor(t *testing.T, opts kevy.Options, n, size int) int64 {
	t.Helper()
	opts.MaxMemory = 0
	opts.EvictionPolicy = kevy.NoEviction
	db := openTest(t, &opts)
	for i := range n {
		if err := db.Set("k"+strconv.Itoa(i), make([]byte, size)); err != nil {
			t.Fatal(err)
		}
	}
	return db.UsedMemory()
}

func exists(t *testing.T, db *kevy.DB, key string) bool {
	t.Helper()
	n, err := db.Exists(key)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// TestEvictionLRU: among the sampled keys, the least recently touched go
// first; keys read after the others were written survive.
func TestEvictionLRU(t *testing.T) {
	clk := kevy.NewManualClock(memT0)
	opts := kevy.Options{Shards: 4, Clock: clk, ManualExpiry: true, EvictionPolicy: kevy.AllKeysLRU, MaxMemorySamples: 64}
	opts.MaxMemory = limitFor(t, opts, 100, 100)
	db := openTest(t, &opts)
	for i := range 100 {
		if err := db.Set("k"+strconv.Itoa(i), make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(10 * time.Second)
	for i := range 50 { // touch the first half
		if _, err := db.Get("k" + strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(10 * time.Second)
	for i := range 30 {
		if err := db.Set("new"+strconv.Itoa(i), make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	evicted := 0
	for i := range 100 {
		alive := exists(t, db, "k"+strconv.Itoa(i))
		if i < 50 && !alive {
			t.Errorf("recently read k%d was evicted", i)
		}
		if !alive {
			evicted++
		}
	}
	if evicted < 20 {
		t.Fatalf("only %d keys evicted for 30 new ones", evicted)
	}
	in, _ := db.Info()
	if in.Stats.EvictedKeys != int64(evicted) {
		t.Errorf("INFO evicted_keys %d, want %d", in.Stats.EvictedKeys, evicted)
	}
}

// TestEvictionLFU: frequently read keys survive; keys read once do not.
func TestEvictionLFU(t *testing.T) {
	clk := kevy.NewManualClock(memT0)
	opts := kevy.Options{Shards: 4, Clock: clk, ManualExpiry: true, EvictionPolicy: kevy.AllKeysLFU, MaxMemorySamples: 64}
	opts.MaxMemory = limitFor(t, opts, 100, 100)
	db := openTest(t, &opts)
	ctx := context.Background()
	for i := range 100 {
		if err := db.Set("k"+strconv.Itoa(i), make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	for range 100 {
		for i := range 20 {
			if _, err := db.Get("k" + strconv.Itoa(i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	v, err := db.Do(ctx, "OBJECT", "FREQ", "k0")
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := v.Int(); f <= 5 {
		t.Fatalf("OBJECT FREQ of a hot key = %d", f)
	}
	if v, err := db.Do(ctx, "OBJECT", "FREQ", "k99"); err != nil || v.String() != "5" {
		t.Fatalf("OBJECT FREQ of a new key = %v, %v", v, err)
	}
	for i := range 50 {
		if err := db.Set("new"+strconv.Itoa(i), make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		if !exists(t, db, "k"+strconv.Itoa(i)) {
			t.Errorf("frequently read k%d was evicted", i)
		}
	}
	// OBJECT IDLETIME is not tracked under LFU.
	if _, err := db.Do(ctx, "OBJECT", "IDLETIME", "k0"); err == nil || !strings.Contains(err.Error(), "An LFU maxmemory policy is selected, idle time not tracked") {
		t.Errorf("OBJECT IDLETIME under LFU: %v", err)
	}
}

// TestEvictionVolatile: volatile policies never evict keys without a TTL,
// and refuse writes once no key with a TTL is left.
func TestEvictionVolatile(t *testing.T) {
	for _, p := range []kevy.EvictionPolicy{kevy.VolatileLRU, kevy.VolatileLFU, kevy.VolatileRandom, kevy.VolatileTTL, kevy.VolatileLRM} {
		t.Run(p.String(), func(t *testing.T) {
			clk := kevy.NewManualClock(memT0)
			opts := kevy.Options{Shards: 4, Clock: clk, ManualExpiry: true, EvictionPolicy: p}
			opts.MaxMemory = limitFor(t, opts, 100, 100)
			db := openTest(t, &opts)
			for i := range 100 {
				o := kevy.SetOpts{}
				if i%2 == 0 {
					o.TTL = time.Hour
				}
				if _, _, err := db.SetArgs("k"+strconv.Itoa(i), make([]byte, 100), o); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			wrote := 0
			for ; wrote < 200; wrote++ {
				if err = db.Set("new"+strconv.Itoa(wrote), make([]byte, 100)); err != nil {
					break
				}
			}
			if !errors.Is(err, kevy.ErrOOM) {
				t.Fatalf("after %d writes with no TTL key left: %v", wrote, err)
			}
			if wrote < 40 {
				t.Fatalf("only %d writes before OOM, with 50 volatile keys", wrote)
			}
			for i := 1; i < 100; i += 2 {
				if !exists(t, db, "k"+strconv.Itoa(i)) {
					t.Errorf("key k%d without TTL was evicted", i)
				}
			}
		})
	}
}

// TestEvictionVolatileTTL: the nearest deadlines are evicted first.
func TestEvictionVolatileTTL(t *testing.T) {
	clk := kevy.NewManualClock(memT0)
	opts := kevy.Options{Shards: 4, Clock: clk, ManualExpiry: true, EvictionPolicy: kevy.VolatileTTL, MaxMemorySamples: 64}
	opts.MaxMemory = limitFor(t, opts, 100, 100)
	db := openTest(t, &opts)
	perm := rand.New(rand.NewPCG(1, 2)).Perm(100)
	for _, i := range perm { // deadline grows with i, written in random order
		o := kevy.SetOpts{TTL: time.Hour + time.Duration(i)*time.Second}
		if _, _, err := db.SetArgs("k"+strconv.Itoa(i), make([]byte, 100), o); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		if err := db.Set("new"+strconv.Itoa(i), make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	evicted := 0
	for i := range 100 {
		alive := exists(t, db, "k"+strconv.Itoa(i))
		if !alive {
			evicted++
			if i >= 50 {
				t.Errorf("k%d evicted although 50 keys expire sooner", i)
			}
		}
	}
	for i := range evicted - 2 { // the nearest deadlines all went
		if exists(t, db, "k"+strconv.Itoa(i)) {
			t.Errorf("k%d, among the %d nearest deadlines, survived", i, evicted)
		}
	}
}

// TestEvictionLRM: under allkeys-lrm only modifications protect a key.
func TestEvictionLRM(t *testing.T) {
	clk := kevy.NewManualClock(memT0)
	opts := kevy.Options{Shards: 4, Clock: clk, ManualExpiry: true, EvictionPolicy: kevy.AllKeysLRM, MaxMemorySamples: 64}
	opts.MaxMemory = limitFor(t, opts, 100, 100)
	db := openTest(t, &opts)
	ctx := context.Background()
	for i := range 100 {
		if err := db.Set("k"+strconv.Itoa(i), make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(30 * time.Second)
	for i := range 100 {
		k := "k" + strconv.Itoa(i)
		if i < 50 {
			if _, err := db.Get(k); err != nil { // read only
				t.Fatal(err)
			}
		} else if _, err := db.Do(ctx, "SETRANGE", k, 0, "x"); err != nil { // modified
			t.Fatal(err)
		}
	}
	// IDLETIME reports the time since the last modification.
	if v, err := db.Do(ctx, "OBJECT", "IDLETIME", "k0"); err != nil || v.String() != "30" {
		t.Fatalf("IDLETIME of a read key = %v, %v", v, err)
	}
	if v, err := db.Do(ctx, "OBJECT", "IDLETIME", "k99"); err != nil || v.String() != "0" {
		t.Fatalf("IDLETIME of a modified key = %v, %v", v, err)
	}
	clk.Advance(time.Second)
	for i := range 30 {
		if err := db.Set("new"+strconv.Itoa(i), make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 50; i < 100; i++ {
		if !exists(t, db, "k"+strconv.Itoa(i)) {
			t.Errorf("recently modified k%d was evicted", i)
		}
	}
}

// TestOOMNoEviction: over the limit, writes that grow memory fail with
// Redis's error (Do) and ErrOOM (typed API); reads and deletes work.
func TestOOMNoEviction(t *testing.T) {
	opts := kevy.Options{Shards: 4, ManualExpiry: true}
	opts.MaxMemory = limitFor(t, opts, 50, 200)
	db := openTest(t, &opts)
	ctx := context.Background()
	for i := range 60 { // the last writes go over the limit
		_ = db.Set("k"+strconv.Itoa(i), make([]byte, 200))
	}
	if db.UsedMemory() <= opts.MaxMemory {
		t.Fatalf("used %d not over %d", db.UsedMemory(), opts.MaxMemory)
	}
	const wire = "OOM command not allowed when used memory > 'maxmemory'."
	for _, args := range [][]any{
		{"SET", "x", "v"},
		{"LPUSH", "l", "a"},
		{"HSET", "h", "f", "v"},
		{"SADD", "s", "m"},
		{"ZADD", "z", 1, "m"},
		{"APPEND", "k0", "more"},
		{"INCR", "n"},
	} {
		_, err := db.Do(ctx, args...)
		if !errors.Is(err, kevy.ErrOOM) || !strings.Contains(err.Error(), wire) {
			t.Errorf("%v: %v", args, err)
		}
	}
	if err := db.Set("x", []byte("v")); !errors.Is(err, kevy.ErrOOM) {
		t.Errorf("typed Set: %v", err)
	}
	if _, err := db.LPush("l", "a"); !errors.Is(err, kevy.ErrOOM) {
		t.Errorf("typed LPush: %v", err)
	}
	if _, err := db.HSet("h", "f", "v"); !errors.Is(err, kevy.ErrOOM) {
		t.Errorf("typed HSet: %v", err)
	}
	// Reads and deletes still work.
	if v, err := db.Get("k0"); err != nil || len(v) != 200 {
		t.Fatalf("GET over the limit: %v", err)
	}
	if _, err := db.Do(ctx, "GET", "k1"); err != nil {
		t.Fatalf("Do GET over the limit: %v", err)
	}
	if _, err := db.Do(ctx, "EXPIRE", "k1", 100); err != nil { // not denyoom
		t.Fatalf("EXPIRE over the limit: %v", err)
	}
	for i := range 20 {
		if _, err := db.Do(ctx, "DEL", "k"+strconv.Itoa(i)); err != nil {
			t.Fatalf("DEL over the limit: %v", err)
		}
	}
	if err := db.Set("x", []byte("v")); err != nil {
		t.Fatalf("Set after freeing memory: %v", err)
	}
	in, _ := db.Info()
	if in.Stats.EvictedKeys != 0 {
		t.Fatalf("noeviction evicted %d keys", in.Stats.EvictedKeys)
	}
}

// TestEvictionMetric: each batch of evictions emits one MetricEvicted
// with the keys and bytes freed.
func TestEvictionMetric(t *testing.T) {
	var mu sync.Mutex
	var ms []kevy.Metric
	opts := kevy.Options{Shards: 2, ManualExpiry: true, EvictionPolicy: kevy.AllKeysRandom,
		MetricSink: func(m kevy.Metric) {
			if m.Kind == kevy.MetricEvicted {
				mu.Lock()
				ms = append(ms, m)
				mu.Unlock()
			}
		}}
	opts.MaxMemory = limitFor(t, opts, 100, 100)
	db := openTest(t, &opts)
	for i := range 200 {
		if err := db.Set("k"+strconv.Itoa(i), make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	in, _ := db.Info()
	mu.Lock()
	defer mu.Unlock()
	var keys, bytes int64
	for _, m := range ms {
		if m.Count <= 0 || m.Bytes < m.Count*100 {
			t.Errorf("metric %+v", m)
		}
		keys += m.Count
		bytes += m.Bytes
	}
	if len(ms) == 0 || keys != in.Stats.EvictedKeys {
		t.Fatalf("%d metrics for %d keys, INFO says %d", len(ms), keys, in.Stats.EvictedKeys)
	}
}

func heapLive() int64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// Stated bounds (docs/memory.md): the accounted total exceeds MaxMemory
// by at most MaxMemory/256 (the shards' batched publication, at least 256
// bytes per shard) plus one value per concurrent writer; the live Go heap of the data is within
// heapFactor of the accounted figure.
const heapFactor = 1.5

// TestMemoryLimitUnderLoad writes mixed-size values from several
// goroutines under allkeys-lru and checks the limit and the heap factor.
func TestMemoryLimitUnderLoad(t *testing.T) {
	const (
		limit    = 8 << 20
		writers  = 8
		maxValue = 4096
	)
	for _, p := range []kevy.EvictionPolicy{kevy.AllKeysLRU, kevy.AllKeysLFU, kevy.AllKeysRandom} {
		t.Run(p.String(), func(t *testing.T) {
			base := heapLive()
			db := openTest(t, &kevy.Options{MaxMemory: limit, EvictionPolicy: p, ManualExpiry: true})
			ops := 60000
			if testing.Short() {
				ops = 10000
			}
			var worst atomic.Int64
			var wg sync.WaitGroup
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(w), 42))
					buf := make([]byte, maxValue)
					for i := range ops / writers {
						k := "key:" + strconv.Itoa(r.IntN(200000))
						size := 10 + r.IntN(300)
						if r.IntN(10) == 0 {
							size = r.IntN(maxValue)
						}
						var err error
						switch r.IntN(8) {
						case 0:
							_, err = db.LPush("list:"+strconv.Itoa(r.IntN(500)), string(buf[:size/4]))
						case 1:
							_, err = db.HSet("hash:"+strconv.Itoa(r.IntN(500)), strconv.Itoa(r.IntN(100)), string(buf[:size/4]))
						default:
							err = db.Set(k, buf[:size])
						}
						if err != nil {
							t.Error(err)
							return
						}
						if i%500 == 0 {
							if u := db.UsedMemory(); u > worst.Load() {
								worst.Store(u)
							}
						}
					}
				}()
			}
			wg.Wait()
			used := db.UsedMemory()
			worst.Store(max(worst.Load(), used))
			margin := int64(limit/256 + writers*maxValue*2)
			if worst.Load() > limit+margin {
				t.Fatalf("accounted %d, limit %d + margin %d", worst.Load(), limit, margin)
			}
			live := heapLive() - base
			ratio := float64(live) / float64(used)
			t.Logf("%v: used %d (worst %d, limit %d), live heap %d, heap/accounted %.3f", p, used, worst.Load(), limit, live, ratio)
			if ratio > heapFactor || ratio < 1/heapFactor {
				t.Fatalf("live heap %d vs accounted %d: ratio %.2f beyond %.2f", live, used, ratio, heapFactor)
			}
		})
	}
}

func TestMemoryUsage(t *testing.T) {
	db := openTest(t, &kevy.Options{Shards: 2, ManualExpiry: true})
	ctx := context.Background()
	if _, err := db.MemoryUsage("missing"); !errors.Is(err, kevy.ErrNil) {
		t.Fatalf("missing key: %v", err)
	}
	_ = db.Set("small", []byte("v"))
	_ = db.Set("big", make([]byte, 10000))
	small, _ := db.MemoryUsage("small")
	big, _ := db.MemoryUsage("big")
	if small < 48 || small > 100 || big < 10000 || big > 10000+48+1024 {
		t.Fatalf("small %d, big %d", small, big)
	}
	for i := range 1000 {
		if _, err := db.RPush("list", "element-"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	l, _ := db.MemoryUsage("list")
	if l < 1000*10 {
		t.Fatalf("list of 1000 elements: %d bytes", l)
	}
	for _, c := range []struct {
		args []any
		want string // reply, or error substring
	}{
		{[]any{"MEMORY", "USAGE", "small"}, strconv.FormatInt(small, 10)},
		{[]any{"MEMORY", "USAGE", "small", "SAMPLES", 0}, strconv.FormatInt(small, 10)},
		{[]any{"MEMORY", "USAGE", "small", "samples", 10}, strconv.FormatInt(small, 10)},
		{[]any{"MEMORY", "USAGE", "missing"}, "<nil>"},
		{[]any{"MEMORY", "USAGE", "small", "SAMPLES"}, "ERR syntax error"},
		{[]any{"MEMORY", "USAGE", "small", "SAMPLES", -1}, "ERR syntax error"},
		{[]any{"MEMORY", "USAGE", "small", "SAMPLES", "x"}, "ERR value is not an integer or out of range"},
		{[]any{"MEMORY", "USAGE", "small", "FOO", 1}, "ERR syntax error"},
		{[]any{"MEMORY", "USAGE"}, "ERR wrong number of arguments for 'memory|usage' command"},
		{[]any{"MEMORY"}, "ERR wrong number of arguments for 'memory' command"},
		{[]any{"MEMORY", "FOO"}, "ERR unknown subcommand 'FOO'. Try MEMORY HELP."},
		{[]any{"MEMORY", "STATS", "x"}, "ERR wrong number of arguments for 'memory|stats' command"},
		{[]any{"MEMORY", "DOCTOR", "x"}, "ERR wrong number of arguments for 'memory|doctor' command"},
		{[]any{"MEMORY", "PURGE"}, "OK"},
	} {
		v, err := db.Do(ctx, c.args...)
		got := ""
		if err != nil {
			got = err.Error()
		} else if v.IsNil() {
			got = "<nil>"
		} else {
			got = v.String()
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("%v = %q, want %q", c.args, got, c.want)
		}
	}
	v, err := db.Do(ctx, "MEMORY", "HELP")
	if err != nil || v.Len() != 14 || !strings.HasPrefix(v.Elems()[0].String(), "MEMORY <subcommand>") {
		t.Fatalf("MEMORY HELP = %v, %v", v, err)
	}
	v, err = db.Do(ctx, "MEMORY", "DOCTOR")
	if err != nil || !strings.HasPrefix(v.String(), "Hi Sam") {
		t.Fatalf("MEMORY DOCTOR = %v, %v", v, err)
	}
}

func TestMemoryStats(t *testing.T) {
	db := openTest(t, &kevy.Options{Shards: 2, ManualExpiry: true})
	ctx := context.Background()
	_ = db.Set("a", []byte("1"))
	_, _, _ = db.SetArgs("b", []byte("2"), kevy.SetOpts{TTL: time.Hour})
	d1, _ := db.Database(1)
	_ = d1.Set("c", []byte("3"))
	v, err := db.Do(ctx, "MEMORY", "STATS")
	if err != nil || v.Kind() != kevy.KindMap {
		t.Fatalf("MEMORY STATS = %v, %v", v, err)
	}
	fields := map[string]kevy.Value{}
	var order []string
	e := v.Elems()
	for i := 0; i+1 < len(e); i += 2 {
		fields[e[i].String()] = e[i+1]
		order = append(order, e[i].String())
	}
	want := []string{"peak.allocated", "total.allocated", "startup.allocated", "replication.backlog",
		"clients.slaves", "clients.normal", "cluster.links", "aof.buffer", "lua.caches", "functions.caches",
		"db.0", "db.1", "overhead.total", "keys.count", "keys.bytes-per-key", "dataset.bytes",
		"dataset.percentage", "peak.percentage", "allocator.allocated", "allocator.active",
		"allocator.resident", "allocator-fragmentation.ratio", "allocator-fragmentation.bytes",
		"allocator-rss.ratio", "allocator-rss.bytes", "rss-overhead.ratio", "rss-overhead.bytes",
		"fragmentation", "fragmentation.bytes"}
	if strings.Join(order, ",") != strings.Join(want, ",") {
		t.Fatalf("fields:\n%v\nwant\n%v", order, want)
	}
	if n, _ := fields["keys.count"].Int(); n != 3 {
		t.Errorf("keys.count %d", n)
	}
	total, _ := fields["total.allocated"].Int()
	if total != db.UsedMemory() {
		t.Errorf("total.allocated %d, UsedMemory %d", total, db.UsedMemory())
	}
	db0 := fields["db.0"].Elems()
	if len(db0) != 6 || db0[2].String() != "overhead.hashtable.expires" {
		t.Fatalf("db.0 = %v", fields["db.0"])
	}
	if x, _ := db0[3].Int(); x != 16 { // one TTL slot (keyspace.TTLBytes)
		t.Errorf("db.0 expires overhead %d", x)
	}
	if _, err := fields["dataset.percentage"].Float(); err != nil || fields["dataset.percentage"].Kind() != kevy.KindDouble {
		t.Errorf("dataset.percentage %v", fields["dataset.percentage"])
	}
}

// TestMemoryAccountingCollections: in-place changes of aggregates are
// accounted when the command finishes, and deleting everything returns
// the accounted figure to the empty database's.
func TestMemoryAccountingCollections(t *testing.T) {
	db := openTest(t, &kevy.Options{Shards: 4, ManualExpiry: true})
	ctx := context.Background()
	empty := db.UsedMemory()
	for i := range 2000 {
		k := strconv.Itoa(i % 10)
		cmds := [][]any{
			{"RPUSH", "l" + k, "value-" + strconv.Itoa(i)},
			{"HSET", "h" + k, "f" + strconv.Itoa(i), "value"},
			{"SADD", "s" + k, "member-" + strconv.Itoa(i)},
			{"ZADD", "z" + k, i, "member-" + strconv.Itoa(i)},
		}
		for _, c := range cmds {
			if _, err := db.Do(ctx, c...); err != nil {
				t.Fatal(err)
			}
		}
	}
	grown := db.UsedMemory()
	var sum int64
	for _, p := range []string{"l", "h", "s", "z"} {
		for i := range 10 {
			n, err := db.MemoryUsage(p + strconv.Itoa(i))
			if err != nil {
				t.Fatal(err)
			}
			sum += n
		}
	}
	// Accounted growth = the keys' usage + table buckets (within 16-byte
	// rounding per key).
	if d := grown - empty - sum; d < 0 || d > 4096 {
		t.Fatalf("grown %d, sum of MEMORY USAGE %d (difference %d)", grown-empty, sum, d)
	}
	for i := range 2000 { // shrink in place
		k := strconv.Itoa(i % 10)
		_, _ = db.Do(ctx, "LPOP", "l"+k)
		_, _ = db.Do(ctx, "HDEL", "h"+k, "f"+strconv.Itoa(i))
		_, _ = db.Do(ctx, "SREM", "s"+k, "member-"+strconv.Itoa(i))
		_, _ = db.Do(ctx, "ZREM", "z"+k, "member-"+strconv.Itoa(i))
	}
	if n, _ := db.DBSize(); n != 0 {
		t.Fatalf("%d keys left", n)
	}
	if got := db.UsedMemory(); got > empty+4096 {
		t.Fatalf("after emptying: %d accounted, empty database %d", got, empty)
	}
	if _, err := db.Do(ctx, "FLUSHALL"); err != nil {
		t.Fatal(err)
	}
	if got := db.UsedMemory(); got != 0 {
		t.Fatalf("after FLUSHALL: %d", got)
	}
}

func TestParseEvictionPolicy(t *testing.T) {
	for p := kevy.NoEviction; p <= kevy.VolatileLRM; p++ {
		got, err := kevy.ParseEvictionPolicy(strings.ToUpper(p.String()))
		if err != nil || got != p {
			t.Errorf("ParseEvictionPolicy(%q) = %v, %v", p.String(), got, err)
		}
	}
	if _, err := kevy.ParseEvictionPolicy("lru"); !errors.Is(err, kevy.ErrInvalidArgument) {
		t.Errorf("unknown name: %v", err)
	}
	for _, o := range []kevy.Options{
		{MaxMemory: -1},
		{EvictionPolicy: 99},
		{MaxMemorySamples: 65},
		{MaxMemorySamples: -1},
	} {
		if _, err := kevy.Open("", &o); !errors.Is(err, kevy.ErrInvalidArgument) {
			t.Errorf("Open(%+v): %v", o, err)
		}
	}
}

// ExampleOptions_maxMemory caps a cache at 1 MB with LRU eviction.
func ExampleOptions_maxMemory() {
	policy, _ := kevy.ParseEvictionPolicy("allkeys-lru")
	db, err := kevy.Open("", &kevy.Options{MaxMemory: 1 << 20, EvictionPolicy: policy})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	for i := range 100_000 {
		_ = db.Set(fmt.Sprintf("key:%d", i), make([]byte, 100))
	}
	n, _ := db.DBSize()
	in, _ := db.Info()
	fmt.Println(n < 100_000, in.Stats.EvictedKeys > 0, db.UsedMemory() <= 1<<20+32*256+100)
	fmt.Println(in.Memory.MaxMemoryPolicy)
	// Output:
	// true true true
	// allkeys-lru
}
