package command

import (
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/kevydb/kevy/internal/clock"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
)

// keysRec is a Reply that renders replies as space-separated tokens:
// +status !error :int $bulk nil *len.
type keysRec struct{ b strings.Builder }

func (r *keysRec) tok(s string) {
	if r.b.Len() > 0 {
		r.b.WriteByte(' ')
	}
	r.b.WriteString(s)
}
func (r *keysRec) SimpleString(s string)       { r.tok("+" + s) }
func (r *keysRec) Error(msg string)            { r.tok("!" + msg) }
func (r *keysRec) Int(n int64)                 { r.tok(":" + strconv.FormatInt(n, 10)) }
func (r *keysRec) Bulk(b []byte)               { r.tok("$" + string(b)) }
func (r *keysRec) BulkString(s string)         { r.tok("$" + s) }
func (r *keysRec) Null()                       { r.tok("nil") }
func (r *keysRec) NullArray()                  { r.tok("nil") }
func (r *keysRec) ArrayLen(n int)              { r.tok("*" + strconv.Itoa(n)) }
func (r *keysRec) MapLen(n int)                { r.tok("%" + strconv.Itoa(n)) }
func (r *keysRec) SetLen(n int)                { r.tok("~" + strconv.Itoa(n)) }
func (r *keysRec) Double(f float64)            { r.tok("," + strconv.FormatFloat(f, 'g', -1, 64)) }
func (r *keysRec) Bool(b bool)                 { r.tok("#" + strconv.FormatBool(b)) }
func (r *keysRec) Verbatim(_ string, b []byte) { r.tok("=" + string(b)) }
func (r *keysRec) Proto() int                  { return 3 }

// keysEnv is an engine over a fresh keyspace with a settable clock.
type keysEnv struct {
	t   *testing.T
	now atomic.Int64
	ks  *keyspace.Keyspace
	e   *Engine
	s   *Session
}

const keysT0 = 1_700_000_000_000

func newKeysEnv(t *testing.T, shards int) *keysEnv {
	env := &keysEnv{t: t}
	env.now.Store(keysT0)
	clk := clock.FromFunc(env.now.Load)
	env.ks = keyspace.New(keyspace.Config{Shards: shards, Databases: 16, Clock: clk})
	env.e = NewEngine(env.ks, clk)
	env.s = NewSession(0)
	return env
}

// do runs a command given as space-separated words.
func (env *keysEnv) do(line string) string {
	var args [][]byte
	for _, f := range strings.Fields(line) {
		args = append(args, []byte(f))
	}
	var r keysRec
	env.e.Exec(env.s, args, &r)
	return r.b.String()
}

func (env *keysEnv) expect(line, want string) {
	env.t.Helper()
	if got := env.do(line); got != want {
		env.t.Errorf("%s:\n got %s\nwant %s", line, got, want)
	}
}

// add stores a non-string value directly in database db.
func (env *keysEnv) add(db int, key string, typ keyspace.Type, obj unsafe.Pointer) *keyspace.Entry {
	sh := env.ks.ShardFor(key)
	sh.Lock()
	defer sh.Unlock()
	return sh.Add(db, key, typ, obj)
}

func keysSampleObjects() map[string]struct {
	typ keyspace.Type
	obj unsafe.Pointer
	enc string
} {
	l := object.NewList(nil)
	l.PushBack([]byte("x"))
	l.PushBack([]byte("y"))
	h := object.NewHash()
	h.Set(nil, []byte("f"), []byte("v"))
	s := object.NewSet()
	s.Add(nil, []byte("1"))
	z := object.NewZSet()
	if _, _, err := z.Add(nil, []byte("m"), 1, 0); err != nil {
		panic(err)
	}
	return map[string]struct {
		typ keyspace.Type
		obj unsafe.Pointer
		enc string
	}{
		"list": {keyspace.TypeList, unsafe.Pointer(l), "quicklist"},
		"hash": {keyspace.TypeHash, unsafe.Pointer(h), "listpack"},
		"set":  {keyspace.TypeSet, unsafe.Pointer(s), "intset"},
		"zset": {keyspace.TypeZSet, unsafe.Pointer(z), "listpack"},
	}
}

func TestKeysNonStringTypes(t *testing.T) {
	for _, shards := range []int{1, 8} {
		env := newKeysEnv(t, shards)
		for name, o := range keysSampleObjects() {
			key := "k:" + name
			env.add(0, key, o.typ, o.obj)
			env.expect("TYPE "+key, "+"+name)
			env.expect("OBJECT ENCODING "+key, "$"+o.enc)
			env.expect("OBJECT REFCOUNT "+key, ":1")
			env.expect("SCAN 0 TYPE "+name+" COUNT 100", "*2 $0 *1 $"+key)

			// COPY clones the value: a different object of the same type.
			env.expect("COPY "+key+" c:"+name, ":1")
			env.expect("COPY "+key+" "+key+" DB 5", ":1")
			for _, dst := range []struct {
				db  int
				key string
			}{{0, "c:" + name}, {5, key}} {
				sh := env.ks.ShardFor(dst.key)
				sh.Lock()
				e := sh.Peek(dst.db, dst.key, keysT0)
				if e == nil || e.Type() != o.typ || e.Obj() == o.obj || e.Obj() == nil {
					t.Errorf("copy of %s in db %d: %+v", name, dst.db, e)
				}
				sh.Unlock()
			}

			// RENAME and MOVE keep the very same object.
			env.expect("RENAME c:"+name+" r:"+name, "+OK")
			env.expect("MOVE r:"+name+" 3", ":1")
			sh := env.ks.ShardFor("r:" + name)
			sh.Lock()
			if e := sh.Peek(3, "r:"+name, keysT0); e == nil || e.Type() != o.typ {
				t.Errorf("moved %s: %+v", name, e)
			}
			sh.Unlock()
			env.expect("DEL "+key, ":1")
			env.expect("TYPE "+key, "+none")
		}
	}
}

func TestKeysCopyIsIndependent(t *testing.T) {
	env := newKeysEnv(t, 4)
	l := object.NewList(nil)
	l.PushBack([]byte("a"))
	env.add(0, "src", keyspace.TypeList, unsafe.Pointer(l))
	env.expect("COPY src dst", ":1")
	sh := env.ks.ShardFor("dst")
	sh.Lock()
	cp := (*object.List)(sh.Peek(0, "dst", keysT0).Obj())
	sh.Unlock()
	cp.PushBack([]byte("b"))
	if l.Len() != 1 || cp.Len() != 2 {
		t.Fatalf("source len %d, copy len %d", l.Len(), cp.Len())
	}
}

func TestKeysRawStringEncoding(t *testing.T) {
	env := newKeysEnv(t, 1)
	env.expect("SET n 5", "+OK")
	env.expect("OBJECT REFCOUNT n", ":2147483647")
	sh := env.ks.ShardFor("n")
	sh.Lock()
	e := sh.Peek(0, "n", keysT0)
	sh.GrowString(e, 1) // what APPEND or SETRANGE would do
	sh.Unlock()
	env.expect("OBJECT ENCODING n", "$raw")
	env.expect("OBJECT REFCOUNT n", ":1")
	env.expect("COPY n m", ":1")
	env.expect("OBJECT ENCODING m", "$raw") // COPY keeps the encoding
	env.expect("SET n 5", "+OK")
	env.expect("OBJECT ENCODING n", "$int")
}

// TestKeysStatsAndAccessClock checks which commands count keyspace hits
// and misses and which update the access clock, as Redis's lookup flags
// do.
func TestKeysStatsAndAccessClock(t *testing.T) {
	env := newKeysEnv(t, 1)
	sh := env.ks.Shard(0)
	env.do("SET k v")
	cases := []struct {
		cmd          string
		hits, misses int64
		touches      bool
	}{
		{"EXISTS k nope", 1, 1, false},
		{"TYPE k", 1, 0, false},
		{"TTL k", 1, 0, false},
		{"PEXPIRETIME k", 1, 0, false},
		{"OBJECT ENCODING k", 1, 0, false},
		{"GET k", 1, 0, true},
		{"TOUCH k nope", 1, 1, true},
		{"EXPIRE k 1000", 0, 0, true},
		{"PERSIST k", 0, 0, true},
		{"RENAME k k", 0, 0, true},
		{"COPY k k2", 1, 0, true},
	}
	for _, c := range cases {
		env.now.Add(5000)
		before := env.do("OBJECT IDLETIME k")
		h0, m0 := sh.Hits, sh.Misses
		env.do(c.cmd)
		h1, m1 := sh.Hits, sh.Misses
		after := env.do("OBJECT IDLETIME k")
		if h1-h0 != c.hits || m1-m0 != c.misses {
			t.Errorf("%s: hits +%d misses +%d, want +%d +%d", c.cmd, h1-h0, m1-m0, c.hits, c.misses)
		}
		if touched := after == ":0" && before != ":0"; touched != c.touches {
			t.Errorf("%s: idle %s -> %s, touches=%v", c.cmd, before, after, c.touches)
		}
	}
}

func TestKeysSelectChangesSession(t *testing.T) {
	env := newKeysEnv(t, 2)
	env.expect("SELECT 3", "+OK")
	if env.s.DB != 3 {
		t.Fatalf("session DB = %d", env.s.DB)
	}
	env.expect("SET a 1", "+OK")
	env.expect("SELECT 16", "!ERR DB index is out of range")
	if env.s.DB != 3 {
		t.Fatalf("failed SELECT changed the DB to %d", env.s.DB)
	}
	env.expect("SELECT 0", "+OK")
	env.expect("EXISTS a", ":0")
	env.expect("MOVE a 3", ":0")
	env.expect("SELECT 3", "+OK")
	env.expect("EXISTS a", ":1")
}

func TestParseCursor(t *testing.T) {
	cases := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"", 0, true},
		{"\x00", 0, true},
		{"12\x00junk", 12, true},
		{"007", 7, true},
		{"+5", 5, true},
		{"-1", math.MaxUint64, true},
		{"-18446744073709551615", 1, true},
		{"18446744073709551615", math.MaxUint64, true},
		{"18446744073709551616", 0, false},
		{"-18446744073709551616", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"\t1", 0, false},
		{"+", 0, false},
		{"-", 0, false},
		{"+-1", 0, false},
		{"0x10", 0, false},
		{"1e3", 0, false},
		{"abc", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseCursor([]byte(c.in))
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("ParseCursor(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestExpireDeadline(t *testing.T) {
	const now = keysT0
	cases := []struct {
		v       int64
		seconds bool
		base    int64
		want    int64
		ok      bool
	}{
		{10, true, now, now + 10000, true},
		{10, false, now, now + 10, true},
		{-10, true, now, now - 10000, true},
		{5, true, 0, 5000, true},
		{math.MaxInt64 / 1000, true, 0, math.MaxInt64 / 1000 * 1000, true},
		{math.MaxInt64/1000 + 1, true, 0, 0, false},
		{math.MinInt64 / 1000, true, 0, math.MinInt64 / 1000 * 1000, true},
		{math.MinInt64/1000 - 1, true, 0, 0, false},
		{math.MaxInt64 / 1000, true, now, 0, false},
		{math.MaxInt64, false, 0, math.MaxInt64, true},
		{math.MaxInt64, false, now, 0, false},
		{math.MaxInt64 - now, false, now, math.MaxInt64, true},
		{math.MinInt64, false, now, math.MinInt64 + now, true},
	}
	for _, c := range cases {
		got, err := ExpireDeadline(c.v, c.seconds, c.base, "expire")
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("ExpireDeadline(%d, %v, %d) = %d, %v", c.v, c.seconds, c.base, got, err)
		}
		if err != nil && ToWire(err) != "ERR invalid expire time in 'expire' command" {
			t.Errorf("error text %q", ToWire(err))
		}
	}
}

func TestExpireCondCheck(t *testing.T) {
	cases := []struct {
		f    ExpireCond
		want error
	}{
		{0, nil},
		{ExpireNX, nil},
		{ExpireXX | ExpireGT, nil},
		{ExpireXX | ExpireLT, nil},
		{ExpireNX | ExpireXX, errNXAndOther},
		{ExpireNX | ExpireGT, errNXAndOther},
		{ExpireNX | ExpireLT, errNXAndOther},
		{ExpireNX | ExpireGT | ExpireLT, errNXAndOther},
		{ExpireGT | ExpireLT, errGTAndLT},
		{ExpireXX | ExpireGT | ExpireLT, errGTAndLT},
	}
	for _, c := range cases {
		if got := c.f.Check(); got != c.want {
			t.Errorf("Check(%b) = %v, want %v", c.f, got, c.want)
		}
	}
}

func TestIdleSecondsWraps(t *testing.T) {
	ks := keyspace.New(keyspace.Config{Shards: 1, Databases: 1, Clock: clock.FromFunc(func() int64 { return 0 })})
	sh := ks.Shard(0)
	sh.Lock()
	defer sh.Unlock()
	e := sh.SetString(0, "k", []byte("v"), 0, false)
	cases := []struct {
		lru  uint32
		now  int64 // ms
		want int64
	}{
		{100, 100_000, 0},
		{100, 160_000, 60},
		{keyspace.ClockMax - 10, 5_000, 15}, // the 24-bit clock wrapped
		// Redis's formula is one second short across the wrap.
		{keyspace.ClockMax, (keyspace.ClockMax + 1) * 1000, 0},
	}
	for _, c := range cases {
		e.SetClock(c.lru)
		if got := IdleSeconds(ks, e, c.now); got != c.want {
			t.Errorf("lru %d now %d: idle %d, want %d", c.lru, c.now, got, c.want)
		}
	}
}

// TestScanKeysCountIsAHint checks that COUNT bounds the keys examined
// before MATCH filtering, so a call may return nothing before the end,
// and that a full iteration sees each key.
func TestScanKeysCountIsAHint(t *testing.T) {
	for _, shards := range []int{1, 3, 64} {
		env := newKeysEnv(t, shards)
		for i := range 500 {
			env.do("SET key:" + strconv.Itoa(i) + " v")
		}
		o := ScanOptions{Count: 1, Match: "nomatch", UseMatch: true}
		n := 0
		next := ScanKeys(env.ks, 0, 0, &o, keysT0, func(string) { n++ })
		if next == 0 || n != 0 {
			t.Errorf("shards=%d: COUNT 1 MATCH nomatch: next=%d keys=%d", shards, next, n)
		}
		seen := map[string]int{}
		cursor, calls := uint64(0), 0
		o = ScanOptions{Count: 7}
		for {
			got := 0
			cursor = ScanKeys(env.ks, 0, cursor, &o, keysT0, func(k string) { seen[k]++; got++ })
			calls++
			if cursor == 0 {
				break
			}
			if got > 7+20 { // a bucket chain may overshoot COUNT a little
				t.Errorf("shards=%d: %d keys for COUNT 7", shards, got)
			}
		}
		if len(seen) != 500 {
			t.Errorf("shards=%d: full scan saw %d keys in %d calls", shards, len(seen), calls)
		}
		if calls < 500/30 {
			t.Errorf("shards=%d: only %d calls for 500 keys with COUNT 7", shards, calls)
		}
	}
}

func TestRandomKeySpreadsAcrossShards(t *testing.T) {
	env := newKeysEnv(t, 8)
	const n = 40
	for i := range n {
		env.do("SET r" + strconv.Itoa(i) + " v")
	}
	counts := map[string]int{}
	env.ks.LockAll()
	for range 20000 {
		k, ok := RandomKey(env.ks, 0, keysT0)
		if !ok {
			t.Fatal("RandomKey found nothing")
		}
		counts[k]++
	}
	env.ks.UnlockAll()
	if len(counts) != n {
		t.Fatalf("RandomKey returned %d distinct keys of %d", len(counts), n)
	}
	for k, c := range counts {
		if c < 20000/n/5 {
			t.Errorf("key %s drawn %d times of 20000", k, c)
		}
	}
}

func TestRandomKeySkipsExpired(t *testing.T) {
	env := newKeysEnv(t, 4)
	for i := range 300 {
		env.do("SET e" + strconv.Itoa(i) + " v PX 10")
	}
	env.do("SET live v")
	env.now.Add(10)
	env.expect("RANDOMKEY", "$live")
	env.do("DEL live")
	env.expect("RANDOMKEY", "nil")
	env.expect("DBSIZE", ":0")
}

func BenchmarkExistsCommand(b *testing.B) {
	env := newKeysEnv(&testing.T{}, 8)
	env.do("SET k v")
	args := [][]byte{[]byte("EXISTS"), []byte("k")}
	var r keysRec
	b.ReportAllocs()
	for b.Loop() {
		r.b.Reset()
		env.e.Exec(env.s, args, &r)
	}
}

func BenchmarkScanCommand(b *testing.B) {
	env := newKeysEnv(&testing.T{}, 8)
	for i := range 1000 {
		env.do("SET key:" + strconv.Itoa(i) + " v")
	}
	var r keysRec
	b.ReportAllocs()
	cursor := "0"
	for b.Loop() {
		r.b.Reset()
		env.e.Exec(env.s, [][]byte{[]byte("SCAN"), []byte(cursor)}, &r)
		cursor = strings.Fields(r.b.String())[1][1:]
	}
}
