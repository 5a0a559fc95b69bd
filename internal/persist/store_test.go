package persist

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/aof"
	"github.com/kevydb/kevy/internal/clock"
)

// workload exercises every type, TTLs, logical databases and the commands
// logged in an effect form.
func workload(d *testDB) { workloadOpts(d, true) }

// workloadOpts is workload; swap=false leaves SWAPDB out (a concatenation
// of shard logs replayed by Redis applies it once per shard).
func workloadOpts(d *testDB, swap bool) {
	abs := strconv.FormatInt(d.clk.NowMs()/1000+5000, 10)
	cmds := [][]string{
		{"SET", "s1", "hello"},
		{"SET", "s2", "world", "EX", "100"},
		{"SETEX", "s3", "50", "v"},
		{"PSETEX", "s4", "50000", "v"},
		{"SET", "s5", "v", "PX", "100000", "GET"},
		{"SET", "s6", "v", "EXAT", abs},
		{"INCR", "counter"}, {"INCR", "counter"}, {"INCRBY", "counter", "40"},
		{"SET", "fl", "1", "EX", "1000"},
		{"INCRBYFLOAT", "fl", "1.5"}, {"INCRBYFLOAT", "fl", "0.1"},
		{"APPEND", "s1", " there"},
		{"SETRANGE", "s1", "0", "J"},
		{"MSET", "m1", "a", "m2", "b", "m3", "c", "{t}m4", "d"},
		{"MSETNX", "n1", "a", "n2", "b"},
		{"RPUSH", "l", "a", "b", "c", "d", "e", "f", "g"},
		{"LPUSH", "l", "z"},
		{"LPOP", "l"},
		{"RPOP", "l", "2"},
		{"LINSERT", "l", "BEFORE", "b", "x"},
		{"LSET", "l", "0", "first"},
		{"LTRIM", "l", "0", "10"},
		{"LREM", "l", "1", "x"},
		{"LMOVE", "l", "l2", "LEFT", "RIGHT"},
		{"LMOVE", "l", "{l}x", "RIGHT", "LEFT"},
		{"RPOPLPUSH", "l", "l2"},
		{"LMPOP", "2", "nolist", "l", "LEFT", "COUNT", "1"},
		{"BLPOP", "nolist", "l2", "0"},
		{"SADD", "set", "a", "b", "c", "d", "e", "f", "1", "2", "3"},
		{"SREM", "set", "a"},
		{"SPOP", "set"},
		{"SPOP", "set", "2"},
		{"SMOVE", "set", "set2", "b"},
		{"SMOVE", "set", "set2", "c"},
		{"SADD", "set2", "d", "e", "q"},
		{"SINTERSTORE", "set3", "set", "set2"},
		{"SUNIONSTORE", "set4", "set", "set2"},
		{"SADD", "ints", "1", "2", "3"},
		{"HSET", "h", "f1", "v1", "f2", "v2", "f3", "3"},
		{"HDEL", "h", "f2"},
		{"HINCRBY", "h", "f3", "5"},
		{"HINCRBYFLOAT", "h", "f4", "2.5"},
		{"HSETNX", "h", "f5", "x"},
		{"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"},
		{"ZINCRBY", "z", "10", "a"},
		{"ZREM", "z", "b"},
		{"ZPOPMIN", "z"},
		{"ZMPOP", "1", "z", "MAX", "COUNT", "1"},
		{"ZADD", "zinf", "+inf", "top", "-inf", "bottom", "0.1", "tenth"},
		{"ZUNIONSTORE", "z2", "2", "z", "zinf"},
		{"ZRANGESTORE", "z3", "z", "0", "-1"},
		{"EXPIRE", "h", "1000"},
		{"PEXPIRE", "z", "100000"},
		{"EXPIREAT", "l2", abs},
		{"EXPIRE", "s3", "10", "GT"},
		{"PERSIST", "s4"},
		{"GETEX", "s1", "EX", "500"},
		{"GETDEL", "m3"},
		{"RENAME", "m1", "m1renamed"},
		{"RENAME", "{t}m4", "{t}m5"},
		{"COPY", "h", "hcopy"},
		{"COPY", "z", "zcopy", "DB", "5"},
		{"SET", "gone", "x"},
		{"EXPIRE", "gone", "-1"},
		{"SET", "gone2", "x"},
		{"GETEX", "gone2", "PXAT", "1"},
		{"SELECT", "3"},
		{"SET", "db3key", "v"},
		{"RPUSH", "db3list", "a"},
		{"MOVE", "db3key", "4"},
		{"SET", "db3key", "again"},
		{"SWAPDB", "3", "6"},
		{"SELECT", "0"},
		{"DEL", "m2", "n1", "nothing"},
		{"UNLINK", "n2"},
		{"SET", "big", strings.Repeat("x", 100000)},
	}
	for _, c := range cmds {
		if c[0] == "SWAPDB" && !swap {
			continue
		}
		if c[0] == "SELECT" {
			d.sess.DB, _ = strconv.Atoi(c[1])
			continue
		}
		if r := d.do(c...); strings.HasPrefix(r, "!") {
			d.t.Fatalf("%v: %s", c, r)
		}
	}
}

func TestRoundTripAOF(t *testing.T) {
	for _, shards := range []int{1, 4, 16} {
		t.Run(strconv.Itoa(shards), func(t *testing.T) {
			dir := t.TempDir()
			clk := clock.NewManual(baseTime)
			d := mustOpen(t, shards, defaultOpts(dir), clk)
			workload(d)
			want := d.dump()
			if want == "" {
				t.Fatal("empty dataset")
			}
			d.close()
			d2 := mustOpen(t, shards, defaultOpts(dir), clk)
			if got := d2.dump(); got != want {
				t.Fatalf("after replay:\n%s\nwant:\n%s", got, want)
			}
			if d2.st.Stats().Records == 0 {
				t.Fatal("nothing replayed")
			}
			// Once more after a save (base snapshots + empty logs).
			if err := d2.st.Save(); err != nil {
				t.Fatal(err)
			}
			d2.do("SET", "after-save", "1")
			want2 := d2.dump()
			d2.close()
			d3 := mustOpen(t, shards, defaultOpts(dir), clk)
			if got := d3.dump(); got != want2 {
				t.Fatalf("after save+replay:\n%s\nwant:\n%s", got, want2)
			}
			if d3.st.Stats().BaseKeys == 0 {
				t.Fatal("no key loaded from the snapshots")
			}
			d3.close()
		})
	}
}

// TestExpiredWhileDown checks that records replayed after their deadline
// passed keep Redis's loading semantics: the key is kept with its TTL
// while later records are applied (PERSIST then saves it).
func TestExpiredWhileDown(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewManual(baseTime)
	d := mustOpen(t, 2, defaultOpts(dir), clk)
	d.do("SET", "k", "v", "PX", "1000")
	d.do("PERSIST", "k")
	d.do("SET", "t", "v", "PX", "1000")
	d.close()
	clk.Advance(time.Hour)
	d2 := mustOpen(t, 2, defaultOpts(dir), clk)
	if got := d2.do("GET", "k"); got != "v" {
		t.Fatalf("GET k = %q after restart, want v", got)
	}
	if got := d2.do("GET", "t"); got != "(nil)" {
		t.Fatalf("GET t = %q after restart, want (nil)", got)
	}
	d2.close()
}

// TestExpiryLogged checks that keys removed by expiry are logged as DEL.
func TestExpiryLogged(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewManual(baseTime)
	d := mustOpen(t, 1, defaultOpts(dir), clk)
	d.do("SET", "k", "v", "PX", "1000")
	clk.Advance(2 * time.Second)
	d.do("GET", "k") // lazy expiry
	d.close()
	data, err := os.ReadFile(filepath.Join(dir, "aof-1", incrName(0, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n") {
		t.Fatalf("no DEL record for the expired key:\n%q", data)
	}
}

func TestAlwaysFsync(t *testing.T) {
	dir := t.TempDir()
	o := defaultOpts(dir)
	o.Fsync = aof.FsyncAlways
	d := mustOpen(t, 4, o, nil)
	for i := range 50 {
		if r := d.do("RPUSH", "list", strconv.Itoa(i)); r != ":"+strconv.Itoa(i+1) {
			t.Fatalf("RPUSH = %s", r)
		}
	}
	// Every acknowledged write is already in the file (fsynced).
	st := d.st.shards[d.eng.KS.ShardIndex("list")].log.Stats()
	if st.Synced != st.Appended {
		t.Fatalf("synced %d of %d bytes", st.Synced, st.Appended)
	}
	d.close()
}

func TestSnapshotOnlyMode(t *testing.T) {
	dir := t.TempDir()
	o := defaultOpts(dir)
	o.AppendOnly = false
	clk := clock.NewManual(baseTime)
	d := mustOpen(t, 3, o, clk)
	workload(d)
	want := d.dump()
	d.close() // saves
	d2 := mustOpen(t, 3, o, clk)
	if got := d2.dump(); got != want {
		t.Fatalf("after close+open without AOF:\n%s\nwant:\n%s", got, want)
	}
	d2.close()
	// Turning the AOF on later keeps the data and starts logging.
	d3 := mustOpen(t, 3, defaultOpts(dir), clk)
	d3.do("SET", "new", "1")
	want = d3.dump()
	d3.close()
	d4 := mustOpen(t, 3, defaultOpts(dir), clk)
	if got := d4.dump(); got != want {
		t.Fatalf("after enabling the AOF:\n%s\nwant:\n%s", got, want)
	}
	d4.close()
}

func TestLocked(t *testing.T) {
	dir := t.TempDir()
	d := mustOpen(t, 1, defaultOpts(dir), nil)
	if _, err := openTestDB(t, 1, defaultOpts(dir), nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	d.close()
	d2 := mustOpen(t, 1, defaultOpts(dir), nil)
	d2.close()
}

// TestSetFsync: SetFsync changes the policy of every shard's log.
func TestSetFsync(t *testing.T) {
	d := mustOpen(t, 3, defaultOpts(t.TempDir()), nil)
	defer d.close()
	d.do("SET", "a", "1")
	for _, p := range []aof.FsyncPolicy{aof.FsyncAlways, aof.FsyncNo, aof.FsyncEverySec} {
		d.st.SetFsync(p)
		for i := range d.st.shards {
			if got := d.st.shards[i].log.Policy(); got != p {
				t.Fatalf("shard %d: policy %v after SetFsync(%v)", i, got, p)
			}
		}
		if r := d.do("SET", "b", p.String()); r != "OK" {
			t.Fatalf("SET under %v: %s", p, r)
		}
	}
}
