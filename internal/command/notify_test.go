package command

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kevydb/kevy/internal/clock"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/pubsub"
)

func TestParseNotifyFlags(t *testing.T) {
	// CONFIG SET then CONFIG GET notify-keyspace-events on Redis 7.0.15.
	tests := []struct {
		in, out string
		ok      bool
	}{
		{"", "", true},
		{"K", "K", true},
		{"E", "E", true},
		{"KE", "KE", true},
		{"g", "g", true},
		{"A", "A", true},
		{"AKE", "AKE", true},
		{"AKEn", "AKE", true}, // Redis drops n after A
		{"KEAm", "AKEm", true},
		{"nKE", "nKE", true},
		{"g$lshzxetd", "A", true},
		{"g$lshzxetdK", "AK", true},
		{"KEmn", "nKEm", true},
		{"x", "x", true},
		{"KExe", "xeKE", true},
		{"Kg", "gK", true},
		{"AA", "A", true},
		{"z", "z", true},
		{"Q", "", false},
		{"KEQ", "", false},
		{"a", "", false},
	}
	for _, tc := range tests {
		f, ok := ParseNotifyFlags(tc.in)
		if ok != tc.ok {
			t.Errorf("ParseNotifyFlags(%q) ok = %v, want %v", tc.in, ok, tc.ok)
			continue
		}
		if ok && f.String() != tc.out {
			t.Errorf("ParseNotifyFlags(%q).String() = %q, want %q", tc.in, f.String(), tc.out)
		}
	}
	if f, _ := ParseNotifyFlags("AKEn"); f&NotifyNew == 0 {
		t.Error("AKEn lost the n flag")
	}
}

// notifyEnv is an engine with a controllable clock and a subscriber to
// every keyevent channel.
type notifyEnv struct {
	t   *testing.T
	e   *Engine
	now atomic.Int64
	sub *pubsub.Sub
}

func newNotifyEnv(t *testing.T, flags string) *notifyEnv {
	t.Helper()
	n := &notifyEnv{t: t}
	n.now.Store(1_700_000_000_000)
	clk := clock.FromFunc(n.now.Load)
	n.e = NewEngine(keyspace.New(keyspace.Config{Shards: 4, Databases: 16, Clock: clk}), clk)
	n.e.PubSub = pubsub.New()
	f, ok := ParseNotifyFlags(flags)
	if !ok {
		t.Fatalf("bad flags %q", flags)
	}
	n.e.SetNotifyFlags(f)
	sub, err := n.e.PubSub.NewSub(pubsub.SubOptions{Buffer: 1 << 16})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sub.Subscribe(pubsub.ModePattern, []string{"__keyevent@*__:*"}, nil); err != nil {
		t.Fatal(err)
	}
	n.sub = sub
	t.Cleanup(sub.Close)
	return n
}

// events drains the subscriber and renders each message as
// "event(db):key", the way the Redis reference was recorded.
func (n *notifyEnv) events() string {
	var out []string
	buf := make([]*pubsub.Message, 256)
	for {
		k := n.sub.Drain(buf)
		if k == 0 {
			return strings.Join(out, " ")
		}
		for _, m := range buf[:k] {
			rest := strings.TrimPrefix(m.Channel, "__keyevent@")
			db, ev, _ := strings.Cut(rest, "__:")
			out = append(out, ev+"("+db+"):"+string(m.Payload))
		}
	}
}

// run executes a command line (space-separated; two single quotes stand
// for the empty string)
// and returns the events it caused.
func (n *notifyEnv) run(line string) string {
	args := strings.Fields(line)
	for i, a := range args {
		if a == "''" {
			args[i] = ""
		}
	}
	psExec(n.e, args...)
	return n.events()
}

// TestNotifyEvents replays command sequences recorded against Redis 7.0.15
// with notify-keyspace-events KEAn and a subscriber on __keyevent@*__:*.
func TestNotifyEvents(t *testing.T) {
	scripts := map[string][][2]string{
		"string": {
			{"SET a 1", "new(0):a set(0):a"},
			{"SET a 2", "set(0):a"},
			{"SET a 3 EX 100", "set(0):a expire(0):a"},
			{"SET a 3 KEEPTTL", "set(0):a"},
			{"SET a 4 GET", "set(0):a"},
			{"SETNX a 1", ""},
			{"SETNX b 1", "new(0):b set(0):b"},
			{"SETEX c 10 x", "new(0):c set(0):c expire(0):c"},
			{"GETSET c y", "set(0):c"},
			{"GETDEL c", "del(0):c"},
			{"GETEX a EX 100", "expire(0):a"},
			{"GETEX a PERSIST", "persist(0):a"},
			{"GETEX a PERSIST", ""},
			{"GETEX a", ""},
			{"GETEX a PXAT 1", "del(0):a"},
			{"MSET a 1 b 2", "new(0):a set(0):a set(0):b"},
			{"MSETNX x 1 y 2", "new(0):x set(0):x new(0):y set(0):y"},
			{"MSET m 1 m 2", "new(0):m set(0):m set(0):m"},
			{"APPEND z a", "new(0):z append(0):z"},
			{"APPEND z b", "append(0):z"},
			{"SETRANGE z 0 ''", ""},
			{"SETRANGE w 0 ''", ""},
			{"SETRANGE w 1 x", "new(0):w setrange(0):w"},
			{"INCR n", "new(0):n incrby(0):n"},
			{"DECRBY n 5", "incrby(0):n"},
			{"INCRBYFLOAT n 1.5", "incrbyfloat(0):n"},
			{"SET f v NX", "new(0):f set(0):f"},
			{"SET f v NX", ""},
			{"SET f v XX", "set(0):f"},
			{"LPUSH f x", ""},
		},
		"keys": {
			{"MSET a 1 b 2 c 3", "new(0):a set(0):a new(0):b set(0):b new(0):c set(0):c"},
			{"DEL a x b", "del(0):a del(0):b"},
			{"UNLINK c", "del(0):c"},
			{"SET k v", "new(0):k set(0):k"},
			{"EXPIRE k 100", "expire(0):k"},
			{"EXPIRE k 100 NX", ""},
			{"EXPIRE k 50 GT", ""},
			{"PEXPIRE k 1000000", "expire(0):k"},
			{"PERSIST k", "persist(0):k"},
			{"PERSIST k", ""},
			{"EXPIRE k 0", "del(0):k"},
			{"SET k v", "new(0):k set(0):k"},
			{"PEXPIREAT k 1", "del(0):k"},
			{"SET s v", "new(0):s set(0):s"},
			{"RENAME s d", "new(0):d rename_from(0):s rename_to(0):d"},
			{"SET s2 v", "new(0):s2 set(0):s2"},
			{"RENAME s2 d", "new(0):d rename_from(0):s2 rename_to(0):d"},
			{"RENAME d d", ""},
			{"RENAMENX d s2", "new(0):s2 rename_from(0):d rename_to(0):s2"},
			{"SET x 1", "new(0):x set(0):x"},
			{"RENAMENX x s2", ""},
			{"MOVE s2 3", "new(3):s2 move_from(0):s2 move_to(3):s2"},
			{"SET y 1", "new(0):y set(0):y"},
			{"COPY y z", "new(0):z copy_to(0):z"},
			{"COPY y z", ""},
			{"COPY y z REPLACE", "new(0):z copy_to(0):z"},
			{"COPY y y9 DB 2", "new(2):y9 copy_to(2):y9"},
			{"SWAPDB 0 1", ""},
			{"FLUSHALL", ""},
		},
		"list": {
			{"LPUSH l a b c", "new(0):l lpush(0):l"},
			{"RPUSH l d", "rpush(0):l"},
			{"LPUSHX l x", "lpush(0):l"},
			{"LPUSHX nol x", ""},
			{"RPUSHX l y", "rpush(0):l"},
			{"LINSERT l BEFORE a z", "linsert(0):l"},
			{"LINSERT l BEFORE nope z", ""},
			{"LSET l 0 q", "lset(0):l"},
			{"LPOP l", "lpop(0):l"},
			{"RPOP l 2", "rpop(0):l"},
			{"LREM l 0 nope", ""},
			{"LREM l 1 z", "lrem(0):l"},
			{"LTRIM l 0 -1", "ltrim(0):l"},
			{"LTRIM l 5 10", "ltrim(0):l del(0):l"},
			{"LTRIM l 0 1", ""},
			{"RPUSH l 1 2 3", "new(0):l rpush(0):l"},
			{"LMOVE l m LEFT RIGHT", "new(0):m rpush(0):m lpop(0):l"},
			{"RPOPLPUSH l m", "lpush(0):m rpop(0):l"},
			{"LMOVE l m LEFT LEFT", "lpush(0):m lpop(0):l del(0):l"},
			{"LMOVE m m LEFT RIGHT", "rpush(0):m lpop(0):m"},
			{"LPOP m 0", ""},
			{"LMPOP 2 x m LEFT COUNT 5", "lpop(0):m del(0):m"},
			{"RPUSH b 1", "new(0):b rpush(0):b"},
			{"BLPOP b 0", "lpop(0):b del(0):b"},
			{"RPUSH b 1 2", "new(0):b rpush(0):b"},
			{"BRPOP b 0", "rpop(0):b"},
			{"BLMOVE b c RIGHT LEFT 0", "new(0):c lpush(0):c rpop(0):b del(0):b"},
			{"LPOP nol", ""},
		},
		"set": {
			{"SADD s a b c", "new(0):s sadd(0):s"},
			{"SADD s a", ""},
			{"SREM s x", ""},
			{"SREM s a", "srem(0):s"},
			{"SPOP s", "spop(0):s"},
			{"SPOP s 0", ""},
			{"SADD s x y z", "sadd(0):s"},
			{"SPOP s 2", "spop(0):s"},
			{"SPOP s 10", "spop(0):s del(0):s"},
			{"SADD s 1 2", "new(0):s sadd(0):s"},
			{"SMOVE s t 1", "srem(0):s new(0):t sadd(0):t"},
			{"SMOVE s t 1", ""},
			{"SMOVE s t 2", "srem(0):s del(0):s sadd(0):t"},
			{"SMOVE t t 1", ""},
			{"SADD s 1", "new(0):s sadd(0):s"},
			{"SADD t 5", "sadd(0):t"},
			{"SMOVE s t 1", "srem(0):s del(0):s"},
			{"SADD a 1 2", "new(0):a sadd(0):a"},
			{"SADD b 2 3", "new(0):b sadd(0):b"},
			{"SINTERSTORE d a b", "new(0):d sinterstore(0):d"},
			{"SINTERSTORE d a b", "sinterstore(0):d"},
			{"SUNIONSTORE d a b", "sunionstore(0):d"},
			{"SDIFFSTORE d a a", "del(0):d"},
			{"SDIFFSTORE d a a", ""},
			{"SINTERSTORE e a nokey", ""},
			{"SDIFFSTORE a a b", "sdiffstore(0):a"},
		},
		"hash": {
			{"HSET h a 1 b 2", "new(0):h hset(0):h"},
			{"HSET h a 1", "hset(0):h"},
			{"HMSET h c 3", "hset(0):h"},
			{"HSETNX h a 1", ""},
			{"HSETNX h d 1", "hset(0):h"},
			{"HDEL h x", ""},
			{"HDEL h a b", "hdel(0):h"},
			{"HINCRBY h n 1", "hincrby(0):h"},
			{"HINCRBYFLOAT h f 1.5", "hincrbyfloat(0):h"},
			{"HDEL h c d n f", "hdel(0):h del(0):h"},
		},
		"zset": {
			{"ZADD z 1 a 2 b", "new(0):z zadd(0):z"},
			{"ZADD z 1 a", ""},
			{"ZADD z 5 a", "zadd(0):z"},
			{"ZADD z XX 5 c", ""},
			{"ZADD z INCR 1 a", "zincr(0):z"},
			{"ZADD z INCR 0 a", ""},
			{"ZINCRBY z 0 a", ""},
			{"ZINCRBY z 2 q", "zincr(0):z"},
			{"ZADD z CH 7 a", "zadd(0):z"},
			{"ZADD z NX INCR 1 a", ""},
			{"ZREM z nope", ""},
			{"ZREM z q", "zrem(0):z"},
			{"ZREMRANGEBYRANK z 5 6", ""},
			{"ZREMRANGEBYRANK z 0 0", "zremrangebyrank(0):z"},
			{"ZREMRANGEBYSCORE z 100 200", ""},
			{"ZADD z 1 x 1 y", "zadd(0):z"},
			{"ZREMRANGEBYSCORE z 1 1", "zremrangebyscore(0):z"},
			{"ZADD z 0 m 0 n", "zadd(0):z"},
			{"ZPOPMIN z", "zpopmin(0):z"},
			{"ZPOPMAX z 5", "zpopmax(0):z del(0):z"},
			{"ZADD z 1 a 2 b 3 c", "new(0):z zadd(0):z"},
			{"ZPOPMIN z 0", ""},
			{"ZMPOP 1 z MAX COUNT 1", "zpopmax(0):z"},
			{"BZPOPMIN z 0", "zpopmin(0):z"},
			{"BZMPOP 0 1 z MIN COUNT 5", "zpopmin(0):z del(0):z"},
			{"ZADD a 1 a 2 b", "new(0):a zadd(0):a"},
			{"ZADD b 1 b", "new(0):b zadd(0):b"},
			{"ZINTERSTORE d 2 a b", "new(0):d zinterstore(0):d"},
			{"ZUNIONSTORE d 2 a b", "zunionstore(0):d"},
			{"ZDIFFSTORE d 2 a b", "zdiffstore(0):d"},
			{"ZDIFFSTORE d 2 a a", "del(0):d"},
			{"ZRANGESTORE d a 0 -1", "new(0):d zrangestore(0):d"},
			{"ZRANGESTORE d a 5 6", "del(0):d"},
			{"ZRANGESTORE d a 5 6", ""},
			{"ZINTERSTORE e 2 a x", ""},
			{"ZADD lx 0 a 0 b 0 c", "new(0):lx zadd(0):lx"},
			{"ZREMRANGEBYLEX lx [a [b", "zremrangebylex(0):lx"},
			{"ZREMRANGEBYLEX lx [x [y", ""},
			{"ZREMRANGEBYLEX lx - +", "zremrangebylex(0):lx del(0):lx"},
		},
	}
	for name, steps := range scripts {
		t.Run(name, func(t *testing.T) {
			n := newNotifyEnv(t, "KEAn")
			for _, st := range steps {
				if got := n.run(st[0]); got != st[1] {
					t.Errorf("%s: events %q, want %q", st[0], got, st[1])
				}
			}
		})
	}
}

func TestNotifyKeyMiss(t *testing.T) {
	// Recorded on Redis 7.0.15 with notify-keyspace-events KEm.
	n := newNotifyEnv(t, "KEm")
	steps := [][2]string{
		{"GET a", "keymiss(0):a"},
		{"MGET a b", "keymiss(0):a keymiss(0):b"},
		{"EXISTS a", "keymiss(0):a"},
		{"TYPE a", "keymiss(0):a"},
		{"TTL a", "keymiss(0):a"},
		{"LRANGE a 0 1", "keymiss(0):a"},
		{"HGET a f", "keymiss(0):a"},
		{"SMEMBERS a", "keymiss(0):a"},
		{"ZSCORE a m", "keymiss(0):a"},
		{"GETDEL a", "keymiss(0):a"},
		{"DEL a", ""},
		{"SET b 1", ""},
		{"MGET a b a", "keymiss(0):a keymiss(0):a"},
		{"GET b", ""},
	}
	for _, st := range steps {
		if got := n.run(st[0]); got != st[1] {
			t.Errorf("%s: events %q, want %q", st[0], got, st[1])
		}
	}
}

func TestNotifyExpired(t *testing.T) {
	n := newNotifyEnv(t, "Ex")
	n.run("SET a 1 PX 100")
	n.run("SET b 1 PX 100")
	if got := n.run("GET a"); got != "" {
		t.Fatalf("before the deadline: %q", got)
	}
	n.now.Add(200)
	if got := n.run("GET a"); got != "expired(0):a" {
		t.Errorf("lazy expiry: %q", got)
	}
	n.e.KS.ActiveExpireCycle(1000)
	if got := n.events(); got != "expired(0):b" {
		t.Errorf("active expiry: %q", got)
	}
}

func TestNotifyChannels(t *testing.T) {
	tests := []struct {
		flags string
		want  []string // channel payload
	}{
		{"KEA", []string{"__keyspace@0__:k set", "__keyevent@0__:set k"}},
		{"K$", []string{"__keyspace@0__:k set"}},
		{"E$", []string{"__keyevent@0__:set k"}},
		{"A", nil},   // no channel kind selected
		{"KEl", nil}, // class not selected
		{"", nil},
	}
	for _, tc := range tests {
		n := newNotifyEnv(t, tc.flags)
		all, _ := n.e.PubSub.NewSub(pubsub.SubOptions{})
		all.Subscribe(pubsub.ModePattern, []string{"*"}, nil)
		psExec(n.e, "SET", "k", "v")
		buf := make([]*pubsub.Message, 8)
		k := all.Drain(buf)
		var got []string
		for _, m := range buf[:k] {
			got = append(got, m.Channel+" "+string(m.Payload))
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("flags %q: got %q, want %q", tc.flags, got, tc.want)
		}
		all.Close()
	}
}

func TestNotifyHooks(t *testing.T) {
	n := newNotifyEnv(t, "") // pub/sub notifications off
	var mu sync.Mutex
	var got []string
	remove := n.e.OnKeyEvent(NotifyString|NotifyGeneric, func(db int, class NotifyClass, event, key string) {
		mu.Lock()
		got = append(got, event+":"+strings.Clone(key))
		mu.Unlock()
	})
	n.run("SET a 1")
	n.run("LPUSH l x") // list class not selected
	n.run("DEL a")
	if strings.Join(got, " ") != "set:a del:a" {
		t.Errorf("hook got %q", got)
	}
	if n.events() != "" {
		t.Error("pub/sub events published while notify-keyspace-events is empty")
	}
	remove()
	remove() // idempotent
	n.run("SET a 1")
	if len(got) != 2 {
		t.Errorf("hook called after removal: %q", got)
	}
	if n.e.Notifying(NotifyAll) {
		t.Error("mask not cleared after the hook was removed")
	}
}

func TestConfigCommand(t *testing.T) {
	e := newPubSubEngine(true)
	steps := [][2]string{
		{"CONFIG GET notify-keyspace-events", "%1 $notify-keyspace-events $\"\""},
		{"CONFIG SET notify-keyspace-events KEA", "+OK"},
		{"CONFIG GET notify-keyspace-events", "%1 $notify-keyspace-events $AKE"},
		{"CONFIG SET notify-keyspace-events KEQ", "!ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
		{"CONFIG GET hash-max-ziplist-entries HASH-MAX-LISTPACK-ENTRIES", "%2 $hash-max-ziplist-entries $512 $HASH-MAX-LISTPACK-ENTRIES $512"},
		{"CONFIG GET hash-max-*", "%4 $hash-max-listpack-entries $512 $hash-max-listpack-value $64 $hash-max-ziplist-entries $512 $hash-max-ziplist-value $64"},
		{"CONFIG GET nosuch", "%0"},
		{"CONFIG SET foo bar", "!ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{"CONFIG SET hash-max-listpack-entries abc", "!ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - argument couldn't be parsed into an integer"},
		{"CONFIG SET hash-max-listpack-entries -1", "!ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - argument must be between 0 and 9223372036854775807 inclusive"},
		{"CONFIG SET hash-max-listpack-entries 1 hash-max-listpack-entries 2", "!ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - duplicate parameter"},
		{"CONFIG SET hash-max-listpack-value 1kb", "+OK"},
		{"CONFIG GET hash-max-listpack-value", "%1 $hash-max-listpack-value $1024"},
		{"CONFIG SET hash-max-listpack-value 1.5k", "!ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-value') - argument must be a memory value"},
		{"CONFIG SET list-max-listpack-size 2147483648", "!ERR CONFIG SET failed (possibly related to argument 'list-max-listpack-size') - argument must be between -2147483648 and 2147483647 inclusive"},
		// All or nothing: the second value is refused, the first restored.
		{"CONFIG SET set-max-intset-entries 7 zset-max-listpack-entries x", "!ERR CONFIG SET failed (possibly related to argument 'zset-max-listpack-entries') - argument couldn't be parsed into an integer"},
		{"CONFIG GET set-max-intset-entries", "%1 $set-max-intset-entries $512"},
		{"CONFIG SET set-max-intset-entries 7 zset-max-listpack-entries 9", "+OK"},
		{"CONFIG GET set-max-intset-entries zset-max-ziplist-entries", "%2 $set-max-intset-entries $7 $zset-max-ziplist-entries $9"},
		{"CONFIG SET a b c", "!ERR syntax error"},
		{"CONFIG SET maxmemory 100mb", "+OK"}, // settable at run time (cmd_config_test.go)
		{"CONFIG GET maxmemory", "%1 $maxmemory $104857600"},
		{"CONFIG SET maxmemory 0", "+OK"},
		{"CONFIG GET maxmemory-policy", "%1 $maxmemory-policy $noeviction"},
		{"CONFIG RESETSTAT", "+OK"},
		{"CONFIG REWRITE", "!ERR The server is running without a config file"},
		{"CONFIG FOO", "!ERR unknown subcommand 'FOO'. Try CONFIG HELP."},
		{"CONFIG GET", "!ERR wrong number of arguments for 'config|get' command"},
	}
	for _, st := range steps {
		args := strings.Fields(st[0])
		if got := psExec(e, args...); got != st[1] {
			t.Errorf("%s:\n got %s\nwant %s", st[0], got, st[1])
		}
	}
	if e.Limits.SetMaxIntsetEntries != 7 || e.Limits.ZSetMaxListpackEntries != 9 || e.Limits.HashMaxListpackValue != 1024 {
		t.Errorf("limits not applied: %+v", e.Limits)
	}
	if e.NotifyFlags() != NotifyAll|NotifyKeyspace|NotifyKeyevent {
		t.Errorf("notify flags %v", e.NotifyFlags())
	}
}

func TestParseMemory(t *testing.T) {
	tests := []struct {
		in  string
		out uint64
		ok  bool
	}{
		{"", 0, true}, {"kb", 0, true}, {"0kb", 0, true}, {"1KB", 1024, true}, {"1Gb", 1 << 30, true},
		{"1k", 1000, true}, {"2m", 2000000, true}, {"3mb", 3 << 20, true}, {"5b", 5, true},
		{"00012", 12, true}, {"99999999999999999999999", 1<<64 - 1, true},
		{" 5", 0, false}, {"+5", 0, false}, {"1.5k", 0, false}, {"5x", 0, false}, {"-1", 0, false},
		{"18446744073709551615kb", 1<<64 - 1024, true}, // wraps, as Redis's does
	}
	for _, tc := range tests {
		v, ok := ParseMemory(tc.in)
		if ok != tc.ok || (ok && v != tc.out) {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d, %v", tc.in, v, ok, tc.out, tc.ok)
		}
	}
}

// BenchmarkNotifyOff measures what a handler's Notify call costs when no
// event is wanted: the hot path of every write command.
func BenchmarkNotifyOff(b *testing.B) {
	e := newPubSubEngine(true)
	c := &Ctx{E: e}
	b.ReportAllocs()
	for b.Loop() {
		c.Notify(NotifyString, "set", "key")
	}
}

// BenchmarkNotifyNoSubscriber measures an event that is configured but
// has no subscriber (the bus is idle).
func BenchmarkNotifyNoSubscriber(b *testing.B) {
	e := newPubSubEngine(true)
	e.SetNotifyFlags(NotifyAll | NotifyKeyspace | NotifyKeyevent)
	c := &Ctx{E: e}
	b.ReportAllocs()
	for b.Loop() {
		c.Notify(NotifyString, "set", "key")
	}
}

// BenchmarkNotifyPublish measures an event delivered to one pattern
// subscriber on both channels.
func BenchmarkNotifyPublish(b *testing.B) {
	e := newPubSubEngine(true)
	e.SetNotifyFlags(NotifyAll | NotifyKeyspace | NotifyKeyevent)
	sub, _ := e.PubSub.NewSub(pubsub.SubOptions{Policy: pubsub.PolicyDropNewest})
	sub.Subscribe(pubsub.ModePattern, []string{"__key*__:*"}, nil)
	buf := make([]*pubsub.Message, 64)
	c := &Ctx{E: e}
	b.ReportAllocs()
	for b.Loop() {
		c.Notify(NotifyString, "set", "key")
		sub.Drain(buf)
	}
}
