package persist

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/clock"
	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
	"github.com/kevydb/kevy/internal/rdb"
)

// shardImage renders the keys of sh live at now, every database, sorted:
// a deep copy taken with the shard lock held by the caller.
func shardImage(sh *keyspace.Shard, dbs int, now int64) string {
	out := appendShardLines(nil, sh, dbs, now)
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// shardShot is the image of a shard at its snapshot point.
type shardShot struct {
	now   int64
	image string
}

// captureShots installs the test hook that records each shard's image at
// its snapshot point.
func captureShots(d *testDB) func() map[int]shardShot {
	var mu sync.Mutex
	shots := map[int]shardShot{}
	d.st.snapHook = func(shard int, now int64) {
		img := shardImage(d.eng.KS.Shard(shard), d.eng.KS.Databases(), now)
		mu.Lock()
		shots[shard] = shardShot{now, img}
		mu.Unlock()
	}
	return func() map[int]shardShot {
		mu.Lock()
		defer mu.Unlock()
		out := shots
		shots = map[int]shardShot{}
		return out
	}
}

// loadBase reads shard i's current base file into a fresh keyspace and
// renders it as of now.
func loadBase(t *testing.T, d *testDB, i int, now int64) string {
	t.Helper()
	d.st.snapMu.Lock()
	base, ok := d.st.shards[i].man.Base()
	d.st.snapMu.Unlock()
	if !ok {
		t.Fatalf("shard %d has no base", i)
	}
	path := d.st.path(base.Name)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ks := keyspace.New(keyspace.Config{Shards: d.eng.KS.NumShards(), Databases: d.eng.KS.Databases(),
		Clock: clock.FromFunc(func() int64 { return now })})
	if _, err := loadRDB(f, path, ks, &d.eng.Limits, i, now, nil); err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	sh := ks.Shard(i)
	sh.Lock()
	defer sh.Unlock()
	return shardImage(sh, ks.Databases(), now)
}

// mutator runs random writes of every type, on a small key space of two
// databases, until stop is closed.
func mutator(d *testDB, seed uint64, stop <-chan struct{}, ops *atomic.Int64, flushes bool) {
	rnd := rand.New(rand.NewPCG(seed, 99))
	sess := command.NewSession(0)
	var r textReply
	k := func(prefix string) string { return prefix + strconv.Itoa(rnd.IntN(300)) }
	n := func() string { return strconv.Itoa(rnd.IntN(1000)) }
	cmds := []func() []string{
		func() []string { return []string{"SET", k("s"), n()} },
		func() []string { return []string{"SET", k("s"), n(), "PX", strconv.Itoa(1 + rnd.IntN(30))} },
		func() []string { return []string{"APPEND", k("s"), "xy"} },
		func() []string { return []string{"SETRANGE", k("s"), strconv.Itoa(rnd.IntN(8)), "Z"} },
		func() []string { return []string{"INCR", k("c")} },
		func() []string { return []string{"INCRBYFLOAT", k("c"), "0.5"} },
		func() []string { return []string{"GETDEL", k("s")} },
		func() []string { return []string{"GETEX", k("s"), "PX", strconv.Itoa(1 + rnd.IntN(30))} },
		func() []string { return []string{"DEL", k("s"), k("h"), k("l")} },
		func() []string { return []string{"UNLINK", k("z")} },
		func() []string { return []string{"PEXPIRE", k("h"), strconv.Itoa(1 + rnd.IntN(40))} },
		func() []string { return []string{"EXPIRE", k("z"), "1000"} },
		func() []string { return []string{"PERSIST", k("s")} },
		func() []string { return []string{"HSET", k("h"), "f" + n(), n()} },
		func() []string { return []string{"HDEL", k("h"), "f" + n()} },
		func() []string { return []string{"HINCRBY", k("h"), "f1", "3"} },
		func() []string { return []string{"LPUSH", k("l"), n(), n()} },
		func() []string { return []string{"RPUSH", k("l"), n()} },
		func() []string { return []string{"LPOP", k("l")} },
		func() []string { return []string{"LSET", k("l"), "0", n()} },
		func() []string { return []string{"LMOVE", k("l"), k("l"), "LEFT", "RIGHT"} },
		func() []string { return []string{"SADD", k("t"), n(), n(), n()} },
		func() []string { return []string{"SREM", k("t"), n()} },
		func() []string { return []string{"SPOP", k("t")} },
		func() []string { return []string{"SMOVE", k("t"), k("t"), n()} },
		func() []string { return []string{"ZADD", k("z"), n(), "m" + n()} },
		func() []string { return []string{"ZINCRBY", k("z"), "2", "m" + n()} },
		func() []string { return []string{"ZREM", k("z"), "m" + n()} },
		func() []string { return []string{"ZUNIONSTORE", k("z"), "2", k("z"), k("z")} },
		func() []string { return []string{"RENAME", k("s"), k("s")} },
		func() []string { return []string{"RENAME", k("h"), k("h")} },
		func() []string { return []string{"COPY", k("z"), k("z"), "REPLACE"} },
		func() []string { return []string{"MOVE", k("l"), strconv.Itoa(rnd.IntN(2))} },
		func() []string { return []string{"SELECT", strconv.Itoa(rnd.IntN(2))} },
		func() []string { return []string{"GET", k("s")} },
		func() []string { return []string{"HGETALL", k("h")} },
	}
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		var argv []string
		switch {
		case flushes && rnd.IntN(3000) == 0:
			argv = []string{"FLUSHDB"}
		case flushes && rnd.IntN(3000) == 0:
			argv = []string{"SWAPDB", "0", "1"}
		case rnd.IntN(50) == 0:
			d.clk.Advance(time.Duration(rnd.IntN(5)) * time.Millisecond) // TTLs run out
			continue
		case rnd.IntN(200) == 0:
			d.eng.KS.ActiveExpireCycle(20)
			continue
		default:
			argv = cmds[rnd.IntN(len(cmds))]()
		}
		b := make([][]byte, len(argv))
		for j, a := range argv {
			b[j] = []byte(a)
		}
		d.eng.Exec(sess, b, &r)
		sess.ClearPending()
		r.reset()
		ops.Add(1)
	}
}

// TestBGSaveIsPointInTimeUnderWriters runs background saves while several
// goroutines write keys of every type, and checks that each shard's
// snapshot equals the shard's image at its snapshot point exactly, and
// that the snapshots plus the logs reload to the final data.
func TestBGSaveIsPointInTimeUnderWriters(t *testing.T) {
	cases := []struct {
		name    string
		batch   int
		flushes bool
	}{
		{"small batches", 8, false},
		{"flushdb and swapdb", 8, true},
		{"default batches", snapBatch, false},
		{"whole shard", 1 << 30, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			old := snapBatch
			snapBatch = tc.batch
			defer func() { snapBatch = old }()
			dir := t.TempDir()
			d := mustOpen(t, 4, defaultOpts(dir), nil)
			// A starting population of every type, in two databases.
			for db := range 2 {
				d.do("SELECT", strconv.Itoa(db))
				for i := range 300 {
					is := strconv.Itoa(i)
					d.do("SET", "s"+is, "v"+is)
					d.do("HSET", "h"+is, "a", is, "b", "x")
					d.do("RPUSH", "l"+is, "1", "2", is)
					d.do("SADD", "t"+is, "x", is)
					d.do("ZADD", "z"+is, "1", "a", is, "b")
				}
				// Big collections: other encodings, longer to save.
				for i := range 200 {
					is := strconv.Itoa(i)
					d.do("HSET", "h1", "big"+is, is)
					d.do("ZADD", "z1", is, "big"+is)
					d.do("SADD", "t1", "big"+is)
					d.do("RPUSH", "l1", "big"+is)
				}
			}
			d.do("SELECT", "0")
			shots := captureShots(d)
			stop := make(chan struct{})
			var ops atomic.Int64
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					mutator(d, uint64(g), stop, &ops, tc.flushes)
				}()
			}
			var handed int64
			for round := range 5 {
				before := ops.Load()
				h0 := d.st.snapHanded.Load()
				if err := d.st.BGSave(); err != nil {
					t.Fatal(err)
				}
				waitBGSave(d)
				if err := d.st.LastBGSaveErr(); err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				handed += d.st.snapHanded.Load() - h0
				got := shots()
				if len(got) != 4 {
					t.Fatalf("round %d: %d shards captured, want 4", round, len(got))
				}
				for i, shot := range got {
					if img := loadBase(t, d, i, shot.now); img != shot.image {
						t.Fatalf("round %d, shard %d: the snapshot differs from the shard at its snapshot point:\n%s",
							round, i, lineDiff(shot.image, img))
					}
				}
				if ops.Load() == before {
					t.Fatalf("round %d: no write ran during the save", round)
				}
			}
			close(stop)
			wg.Wait()
			if handed == 0 && tc.batch < 1<<20 {
				t.Error("no writer ever handed a key over to a snapshot: the test does not exercise serialize-before-mutate")
			}
			d.st.snapHook = nil
			want := d.dump()
			clk := d.clk
			d.close()
			d2 := mustOpen(t, 4, defaultOpts(dir), clk)
			defer d2.close()
			if got := d2.dump(); got != want {
				t.Fatalf("reopened data differs:\n%s", lineDiff(want, got))
			}
		})
	}
}

// lineDiff lists the lines only in want and only in got.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for _, l := range w {
		if !slices.Contains(g, l) {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}

// TestBGSaveDoesNotStopWriters checks that a writer of a shard being
// saved waits far less than the serialization of the whole shard, which
// is what it waited for when the shard lock was held for the whole save.
func TestBGSaveDoesNotStopWriters(t *testing.T) {
	keys := 300_000
	if raceEnabled {
		keys = 60_000
	}
	d := mustOpen(t, 1, Options{Dir: t.TempDir(), RewritePercentage: -1}, nil)
	defer d.close()
	fillStrings(d, keys)
	sh := d.eng.KS.Shard(0)
	// The whole shard serialized under its lock, as a save used to.
	var whole time.Duration
	for range 3 {
		ss := &shardSnap{curDB: -1}
		w, err := newRDBWriter(ss, &d.eng.Limits, 0)
		if err != nil {
			t.Fatal(err)
		}
		ss.w = w
		t0 := time.Now()
		sh.Lock()
		sn := sh.BeginSnapshot(d.clk.NowMs(), ss)
		for !sn.Step(1 << 30) {
		}
		sh.Unlock()
		if el := time.Since(t0); whole == 0 || el < whole {
			whole = el
		}
		if ss.err != nil || ss.keys != int64(keys) {
			t.Fatalf("whole-shard save: %d keys, err %v", ss.keys, ss.err)
		}
	}
	// The best of three background saves, each with a writer running.
	var best time.Duration
	for range 3 {
		stop := make(chan struct{})
		var started sync.WaitGroup
		maxLat, ops, done := writerLatency(d, keys, stop, &started)
		started.Wait()
		if err := d.st.BGSave(); err != nil {
			t.Fatal(err)
		}
		waitBGSave(d)
		close(stop)
		<-done
		if err := d.st.LastBGSaveErr(); err != nil {
			t.Fatal(err)
		}
		if ops.Load() == 0 {
			t.Fatal("the writer made no progress during the save")
		}
		if l := time.Duration(maxLat.Load()); best == 0 || l < best {
			best = l
		}
	}
	t.Logf("whole-shard serialization %v, writer's worst latency during a background save %v", whole, best)
	if best*4 > whole {
		t.Fatalf("a writer waited %v during a background save: not far below the %v of serializing the whole shard", best, whole)
	}
}

// TestRedisLoadsInterleavedSnapshot: a snapshot in which writers handed
// keys of several databases over in the middle of the walk (SELECTDB
// repeated) loads in redis-server with the data of the snapshot point.
func TestRedisLoadsInterleavedSnapshot(t *testing.T) {
	requireRedis(t)
	old := snapBatch
	snapBatch = 4
	defer func() { snapBatch = old }()
	dir := t.TempDir()
	d := mustOpen(t, 1, defaultOpts(dir), nil)
	for db := range 3 {
		d.do("SELECT", strconv.Itoa(db))
		for i := range 50 {
			is := strconv.Itoa(i)
			d.do("SET", "s"+is, is, "EX", "1000")
			d.do("HSET", "h"+is, "f", is)
			d.do("ZADD", "z"+is, is, "m")
		}
	}
	var want string
	d.st.snapHook = func(shard int, now int64) {
		sh := d.eng.KS.Shard(shard)
		want = shardImage(sh, d.eng.KS.Databases(), now)
		// Writers change keys of databases 2 and 1 before the walk
		// reaches them (still at the snapshot point's lock hold: they
		// are the first keys handed over).
		for _, db := range []int{2, 1, 2} {
			for i := range 5 {
				key := "s" + strconv.Itoa(i*7+db)
				if e := sh.LookupWrite(db, key, now); e != nil {
					sh.SetString(db, key, []byte("changed"), 0, false)
				}
			}
			sh.Delete(db, "h"+strconv.Itoa(db), now)
		}
	}
	h0 := d.st.snapHanded.Load()
	if err := d.st.Save(); err != nil {
		t.Fatal(err)
	}
	if d.st.snapHanded.Load()-h0 < 10 {
		t.Fatalf("only %d keys handed over by writers", d.st.snapHanded.Load()-h0)
	}
	d.st.snapHook = nil
	base, _ := d.st.shards[0].man.Base()
	data, err := os.ReadFile(d.st.path(base.Name))
	if err != nil {
		t.Fatal(err)
	}
	d.close()
	rdir := t.TempDir()
	if err := os.WriteFile(filepath.Join(rdir, "dump.rdb"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	c := startRedis(t, rdir, "--appendonly", "no", "--dbfilename", "dump.rdb")
	if got := redisDump(t, c); got != want {
		t.Fatalf("redis-server loaded:\n%s", lineDiff(want, got))
	}
}

// TestBaseKeepsKeysExpiredAtLoad: a key saved with a deadline in a base,
// then made persistent by a record of the log that follows, survives a
// reopen after the deadline (the base is loaded whole, like Redis loads
// an AOF preamble).
func TestBaseKeepsKeysExpiredAtLoad(t *testing.T) {
	dir := t.TempDir()
	d := mustOpen(t, 2, defaultOpts(dir), nil)
	d.do("SET", "k", "v", "PX", "100")
	d.do("HSET", "h", "f", "v")
	d.do("PEXPIRE", "h", "100")
	d.do("SET", "gone", "v", "PX", "100")
	if err := d.st.Save(); err != nil {
		t.Fatal(err)
	}
	d.do("PERSIST", "k")
	d.do("PERSIST", "h")
	clk := d.clk
	d.close()
	clk.Advance(time.Second)
	d = mustOpen(t, 2, defaultOpts(dir), clk)
	defer d.close()
	for _, c := range []struct{ cmd, want string }{
		{"GET k", "v"}, {"PTTL k", ":-1"}, {"HGET h f", "v"}, {"PTTL h", ":-1"}, {"GET gone", "(nil)"},
	} {
		if got := d.do(strings.Fields(c.cmd)...); got != c.want {
			t.Errorf("%s = %s, want %s", c.cmd, got, c.want)
		}
	}
}

// TestResizeHintIsBounded: a RESIZEDB hint far beyond what the file holds
// does not size tables for it.
func TestResizeHintIsBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dump.rdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	lim := object.DefaultLimits()
	w, err := newRDBWriter(f, &lim, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []error{w.SelectDB(0), w.ResizeDB(1<<40, 0), w.WriteString([]byte("k"), []byte("v"), rdb.NoExpire), w.Close(), f.Close()} {
		if step != nil {
			t.Fatal(step)
		}
	}
	ks := keyspace.New(keyspace.Config{Shards: 2, Databases: 16, Clock: clock.FromFunc(func() int64 { return 0 })})
	r, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	l, err := loadRDB(r, path, ks, &lim, -1, 0, nil)
	if err != nil || l.keys != 1 {
		t.Fatalf("load: %d keys, %v", l.keys, err)
	}
	if used := ks.UsedMemory(); used > 64<<10 {
		t.Fatalf("%d bytes used after loading one key", used)
	}
}
