package persist

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/aof"
	"github.com/kevydb/kevy/internal/clock"
	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
)

// textReply renders a reply as compact text: strings bare, ints as :n,
// nulls as (nil), errors as !text, arrays as [a b c].
type textReply struct {
	b     strings.Builder
	stack []int
}

func (r *textReply) item(s string) {
	if r.b.Len() > 0 && !strings.HasSuffix(r.b.String(), "[") {
		r.b.WriteByte(' ')
	}
	r.b.WriteString(s)
	r.pop()
}

func (r *textReply) pop() {
	for len(r.stack) > 0 {
		r.stack[len(r.stack)-1]--
		if r.stack[len(r.stack)-1] > 0 {
			return
		}
		r.stack = r.stack[:len(r.stack)-1]
		r.b.WriteByte(']')
	}
}

func (r *textReply) open(n int) {
	if n == 0 {
		r.item("[]")
		return
	}
	if r.b.Len() > 0 && !strings.HasSuffix(r.b.String(), "[") {
		r.b.WriteByte(' ')
	}
	r.b.WriteByte('[')
	r.stack = append(r.stack, n)
}

func (r *textReply) SimpleString(s string)       { r.item(s) }
func (r *textReply) Error(msg string)            { r.item("!" + msg) }
func (r *textReply) Int(n int64)                 { r.item(":" + strconv.FormatInt(n, 10)) }
func (r *textReply) Bulk(b []byte)               { r.item(string(b)) }
func (r *textReply) BulkString(s string)         { r.item(s) }
func (r *textReply) Null()                       { r.item("(nil)") }
func (r *textReply) NullArray()                  { r.item("(nil)") }
func (r *textReply) ArrayLen(n int)              { r.open(n) }
func (r *textReply) MapLen(n int)                { r.open(2 * n) }
func (r *textReply) SetLen(n int)                { r.open(n) }
func (r *textReply) Double(f float64)            { r.item(strconv.FormatFloat(f, 'g', -1, 64)) }
func (r *textReply) Bool(b bool)                 { r.item(strconv.FormatBool(b)) }
func (r *textReply) Verbatim(_ string, s []byte) { r.item(string(s)) }
func (r *textReply) Proto() int                  { return 2 }
func (r *textReply) String() string              { return r.b.String() }
func (r *textReply) reset()                      { r.b.Reset(); r.stack = r.stack[:0] }

// testLogger returns a logger writing into a buffer (safe for concurrent
// use) and the buffer's reader.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func testLogger() (*slog.Logger, *logBuf) {
	lb := &logBuf{}
	return slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})), lb
}

// testDB is an engine with a store, driven by commands.
type testDB struct {
	t     testing.TB
	eng   *command.Engine
	st    *Store
	sess  *command.Session
	clk   *clock.Manual
	logs  *logBuf
	opts  Options
	nowFn *clock.Clock
}

// baseTime is the manual clock's start.
var baseTime = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func newEngine(shards int, clk *clock.Clock) *command.Engine {
	ks := keyspace.New(keyspace.Config{Shards: shards, Databases: 16, Clock: clk})
	return command.NewEngine(ks, clk)
}

func defaultOpts(dir string) Options {
	return Options{Dir: dir, AppendOnly: true, Fsync: aof.FsyncEverySec, RewritePercentage: -1}
}

// openTestDB opens dir with shards shards; manual may be nil (a fresh
// manual clock at baseTime).
func openTestDB(t testing.TB, shards int, o Options, manual *clock.Manual) (*testDB, error) {
	t.Helper()
	if manual == nil {
		manual = clock.NewManual(baseTime)
	}
	clk := clock.FromFunc(manual.NowMs)
	eng := newEngine(shards, clk)
	logger, lb := testLogger()
	o.Logger = logger
	st, err := Open(eng, o)
	if err != nil {
		return nil, err
	}
	return &testDB{t: t, eng: eng, st: st, sess: command.NewSession(0), clk: manual, logs: lb, opts: o, nowFn: clk}, nil
}

func mustOpen(t testing.TB, shards int, o Options, manual *clock.Manual) *testDB {
	t.Helper()
	db, err := openTestDB(t, shards, o, manual)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return db
}

// do runs a command and returns its reply as text; with Always it waits
// for durability like the embedded API does.
func (d *testDB) do(args ...string) string {
	d.t.Helper()
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	var r textReply
	d.eng.Exec(d.sess, argv, &r)
	if err := d.st.Wait(d.sess.Pending()); err != nil {
		d.sess.ClearPending()
		return "!WAIT " + err.Error()
	}
	d.sess.ClearPending()
	return r.String()
}

func (d *testDB) close() {
	d.t.Helper()
	if err := d.st.Close(); err != nil {
		d.t.Fatalf("close: %v", err)
	}
}

// dump renders the whole dataset canonically: per database, sorted keys,
// type, value (sets and hashes sorted) and deadline.
func dump(ks *keyspace.Keyspace, now int64) string {
	var out []string
	for i := range ks.NumShards() {
		sh := ks.Shard(i)
		sh.Lock()
		out = appendShardLines(out, sh, ks.Databases(), now)
		sh.Unlock()
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// appendShardLines appends to out the entryLine of every key of sh live
// at now, in databases [0, dbs). The shard lock must be held.
func appendShardLines(out []string, sh *keyspace.Shard, dbs int, now int64) []string {
	for db := range dbs {
		sh.Each(db, now, func(e *keyspace.Entry) bool {
			out = append(out, entryLine(db, e))
			return true
		})
	}
	return out
}

// entryLine renders one key as dump shows it.
func entryLine(db int, e *keyspace.Entry) string {
	var v string
	switch e.Type() {
	case keyspace.TypeString:
		v = strconv.Quote(string(e.Str()))
	case keyspace.TypeList:
		var parts []string
		for x := range (*object.List)(e.Obj()).All() {
			parts = append(parts, strconv.Quote(string(x)))
		}
		v = "[" + strings.Join(parts, " ") + "]"
	case keyspace.TypeSet:
		var parts []string
		for x := range (*object.Set)(e.Obj()).Members() {
			parts = append(parts, strconv.Quote(string(x)))
		}
		sort.Strings(parts)
		v = "{" + strings.Join(parts, " ") + "}"
	case keyspace.TypeHash:
		var parts []string
		for f, x := range (*object.Hash)(e.Obj()).All() {
			parts = append(parts, strconv.Quote(string(f))+"="+strconv.Quote(string(x)))
		}
		sort.Strings(parts)
		v = "{" + strings.Join(parts, " ") + "}"
	case keyspace.TypeZSet:
		var parts []string
		for m, s := range (*object.ZSet)(e.Obj()).All() {
			parts = append(parts, strconv.Quote(string(m))+":"+strconv.FormatFloat(s, 'g', -1, 64))
		}
		v = "<" + strings.Join(parts, " ") + ">"
	}
	ttl := ""
	if e.Expire() != 0 {
		ttl = " @" + strconv.FormatInt(e.Expire(), 10)
	}
	return fmt.Sprintf("db%d %s %s %s%s", db, strconv.Quote(e.Key()), e.Type(), v, ttl)
}

func (d *testDB) dump() string { return dump(d.eng.KS, d.clk.NowMs()) }

var _ = io.Discard

// waitBGSave waits for the background save in progress to end.
func waitBGSave(d *testDB) {
	for d.st.BGSaveInProgress() {
		time.Sleep(time.Millisecond)
	}
}
