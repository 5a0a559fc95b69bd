package difftest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/kevydb/kevy"
)

// notifyScript is a script run with keyspace notifications on: flags is
// the notify-keyspace-events value, set on both sides before the script
// (and cleared after it, since the redis-server is shared).
type notifyScript struct {
	name, flags, src string
}

var notifyScripts []notifyScript

func addNotifyScripts(s ...notifyScript) { notifyScripts = append(notifyScripts, s...) }

// keyPatterns is what the listeners subscribe to: every keyspace and
// keyevent channel of every database.
var keyPatterns = []string{"__key*__:*"}

// setNotify sets notify-keyspace-events on a target.
func setNotify(t testing.TB, tg Target, flags string) {
	t.Helper()
	r, err := tg.Do(toBytes([]string{"CONFIG", "SET", "notify-keyspace-events", flags}))
	if err != nil || string(r) != "+OK\r\n" {
		t.Fatalf("%s: CONFIG SET notify-keyspace-events %q: %q %v", tg.Name(), flags, r, err)
	}
}

// TestNotifyScripts compares the keyspace notifications of every command
// family: redis-server with a listening connection against in-process
// kevy with a Go subscription, for each shard count.
func TestNotifyScripts(t *testing.T) {
	srv := SharedRedis(t)
	rc := dialRedis(t)
	for _, shards := range scriptShards {
		k := newKevy(t, shards)
		for _, s := range notifyScripts {
			t.Run(fmt.Sprintf("%s/shards=%d", s.name, shards), func(t *testing.T) {
				cmds := mustParse(t, Script{Name: s.name, Src: s.src})
				if missing := missingCommands(cmds); len(missing) > 0 {
					t.Skipf("kevy lacks %s", strings.Join(missing, ", "))
				}
				if err := rc.Reset(2); err != nil {
					t.Fatal(err)
				}
				if err := k.Reset(2); err != nil {
					t.Fatal(err)
				}
				setNotify(t, rc, s.flags)
				defer setNotify(t, rc, "")
				setNotify(t, k, s.flags)
				lr, err := DialListener("redis-listener", srv.Addr, 2, keyPatterns, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer lr.Close()
				lk, err := ListenKevy(k.DB(), keyPatterns, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer lk.Close()
				ms, err := RunNotifyScript(rc, k, lr, lk, s.name, cmds)
				report(t, ms)
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestNotifyScriptsTCP is TestNotifyScripts against kevy's server, with
// listeners speaking RESP2 and RESP3 on both sides.
func TestNotifyScriptsTCP(t *testing.T) {
	srv := SharedRedis(t)
	rc := dialRedis(t)
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
	for _, s := range notifyScripts {
		for _, proto := range []int{2, 3} {
			t.Run(s.name+"/resp"+strconv.Itoa(proto), func(t *testing.T) {
				cmds := mustParse(t, Script{Name: s.name, Src: s.src})
				if missing := missingCommands(cmds); len(missing) > 0 {
					t.Skipf("kevy lacks %s", strings.Join(missing, ", "))
				}
				for _, c := range []*Conn{rc, kc} {
					if err := c.Reset(proto); err != nil {
						t.Fatal(err)
					}
				}
				setNotify(t, rc, s.flags)
				defer setNotify(t, rc, "")
				setNotify(t, kc, s.flags)
				defer setNotify(t, kc, "")
				lr, err := DialListener("redis-listener", srv.Addr, proto, keyPatterns, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer lr.Close()
				lk, err := DialListener("kevy-listener", ks.Addr, proto, keyPatterns, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer lk.Close()
				ms, err := RunNotifyScript(rc, kc, lr, lk, s.name, cmds)
				report(t, ms)
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// pubsubListenScripts publish to channels a listener subscribed to
// (SUBSCRIBE news news.x, PSUBSCRIBE news.* n?ws*, SSUBSCRIBE shard1)
// and query PUBSUB with those subscriptions in place. Redis delivers to
// the matching patterns in its hash table's order, kevy in subscription
// order: such publishes are [unordered].
var pubsubListenScripts = []Script{
	{Name: "pubsub/listen", Src: `
PUBLISH news hello
[unordered] PUBLISH news.it ciao
[unordered] PUBLISH news.x both
PUBLISH other nobody
PUBLISH nws ""
PUBLISH "news\x00bin" "a\r\nb"
SPUBLISH shard1 s-msg
SPUBLISH news not-a-shard-subscriber
PUBLISH shard1 nobody
[unordered] PUBSUB CHANNELS
[unordered] PUBSUB CHANNELS news*
PUBSUB CHANNELS nomatch*
PUBSUB NUMSUB news news.x other difftest:mark
PUBSUB NUMPAT
[unordered] PUBSUB SHARDCHANNELS
PUBSUB SHARDNUMSUB shard1 news
`},
}

// TestPubSubListenTCP compares message delivery and PUBSUB introspection
// with live subscribers, over TCP, RESP2 and RESP3 listeners.
func TestPubSubListenTCP(t *testing.T) {
	srv := SharedRedis(t)
	rc := dialRedis(t)
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
	patterns := []string{"news.*", "n?ws*"}
	channels := []string{"news", "news.x"}
	for _, s := range pubsubListenScripts {
		for _, proto := range []int{2, 3} {
			t.Run(s.Name+"/resp"+strconv.Itoa(proto), func(t *testing.T) {
				cmds := mustParse(t, s)
				for _, c := range []*Conn{rc, kc} {
					if err := c.Reset(proto); err != nil {
						t.Fatal(err)
					}
				}
				var ls [2]*SubConn
				for i, addr := range []string{srv.Addr, ks.Addr} {
					l, err := DialListener([]string{"redis-listener", "kevy-listener"}[i], addr, proto, patterns, channels)
					if err != nil {
						t.Fatal(err)
					}
					defer l.Close()
					if err := l.send([]string{"SSUBSCRIBE", "shard1"}); err != nil {
						t.Fatal(err)
					}
					if _, err := l.read(); err != nil {
						t.Fatal(err)
					}
					ls[i] = l
				}
				ms, err := RunNotifyScript(rc, kc, ls[0], ls[1], s.Name, cmds)
				report(t, ms)
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// subscribedScripts run on one connection that subscribes itself: the
// replies of the subscription commands, the RESP2 subscribed context and
// messages to the connection itself. Each command's replies (however
// many) are compared byte for byte (SyncConn). UNSUBSCRIBE without
// arguments is only used with at most one subscription: Redis replies in
// its hash table's order.
var subscribedScripts = []Script{
	{Name: "subscribed/replies", Src: `
SUBSCRIBE a b a
PSUBSCRIBE p* p*
SSUBSCRIBE s
PING
PING m
GET x
[type] CLIENT ID
[type] client id
[type] HELLO
ECHO
GET
NOSUCH
CLIENT FOO
PUBLISH a x
UNSUBSCRIBE b
UNSUBSCRIBE b c
UNSUBSCRIBE
UNSUBSCRIBE
PUNSUBSCRIBE p* q*
PUNSUBSCRIBE
SUNSUBSCRIBE s t
SUNSUBSCRIBE
GET x
SET x 1
SUBSCRIBE c
SSUBSCRIBE s2
UNSUBSCRIBE
GET x
SUNSUBSCRIBE s2
GET x
`},
	{Name: "subscribed/self-publish", Src: `
SUBSCRIBE a
PSUBSCRIBE a*
PUBLISH a x
PUBLISH ab y
SPUBLISH a z
SSUBSCRIBE a
SPUBLISH a z
PUBSUB NUMSUB a
PUBSUB NUMPAT
UNSUBSCRIBE a
PUBLISH a after
PUNSUBSCRIBE a*
SUNSUBSCRIBE a
PUBLISH a none
`},
	{Name: "subscribed/reset", Src: `
SUBSCRIBE a
PSUBSCRIBE p*
RESET
GET x
PUBSUB NUMSUB a
PUBSUB NUMPAT
UNSUBSCRIBE a
PUNSUBSCRIBE
SUNSUBSCRIBE x y
`},
	{Name: "subscribed/unsubscribed-client", Src: `
UNSUBSCRIBE
UNSUBSCRIBE a b
PUNSUBSCRIBE
PUNSUBSCRIBE p
SUNSUBSCRIBE
SUNSUBSCRIBE s
GET x
SUBSCRIBE
PSUBSCRIBE
SSUBSCRIBE
`},
	{Name: "subscribed/keyspace-self", Src: `
CONFIG SET notify-keyspace-events KEA
PSUBSCRIBE __keyevent@0__:*
SET k v
CONFIG SET notify-keyspace-events ""
PUNSUBSCRIBE
`},
}

// TestSubscribedScripts compares a subscribing connection's replies on
// redis-server and kevy's server, in RESP2 and RESP3.
func TestSubscribedScripts(t *testing.T) {
	srv := SharedRedis(t)
	ks, err := StartKevyServer(&kevy.Options{Shards: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Stop()
	for _, s := range subscribedScripts {
		cmds := mustParse(t, s)
		for _, proto := range protos(s) {
			t.Run(s.Name+"/resp"+strconv.Itoa(proto), func(t *testing.T) {
				var tg [2]SyncConn
				for i, addr := range []string{srv.Addr, ks.Addr} {
					c, err := Dial([]string{"redis", "kevy-server"}[i], addr)
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close()
					tg[i] = SyncConn{c}
				}
				defer tg[0].DoStrings("CONFIG", "SET", "notify-keyspace-events", "")
				ms, err := RunScript(tg[0], tg[1], s.Name, cmds, proto)
				report(t, ms)
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func TestPushMsgParse(t *testing.T) {
	tests := []struct {
		raw  string
		want string
		err  bool
	}{
		{"*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\np\r\n", `message "c" "p"`, false},
		{">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$1\r\nc\r\n$0\r\n\r\n", `pmessage "c*" "c" ""`, false},
		{">3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$1\r\nx\r\n", `smessage "s" "x"`, false},
		{"*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n", "", true},
		{"+OK\r\n", "", true},
	}
	for _, tc := range tests {
		v, err := parse([]byte(tc.raw))
		if err != nil {
			t.Fatal(err)
		}
		m, err := parseMessage(v)
		if (err != nil) != tc.err || (err == nil && m.String() != tc.want) {
			t.Errorf("%q: %v, %v; want %s", tc.raw, m, err, tc.want)
		}
	}
}

// lazyExpiryScript touches keys after their deadline with active expiry
// off on both sides (DEBUG SET-ACTIVE-EXPIRE 0 on redis-server, a kevy DB
// with ManualExpiry): every "expired" event comes from a command's
// lookup, in a deterministic order.
const lazyExpiryScript = `
SET a v PX 100
SET b v PX 100
SET c v PX 100
HSET h f v
PEXPIRE h 100
RPUSH l x
PEXPIRE l 100
SADD s m
PEXPIRE s 100
ZADD z 1 m
PEXPIRE z 100
SET keep v
!sleep 250
GET a
MGET b c keep
EXISTS h
LPUSH l y
SADD s n
ZSCORE z m
GET a
SET x v PXAT 1
GET x
`

// TestNotifyLazyExpiry compares the events of lazy expiry.
func TestNotifyLazyExpiry(t *testing.T) {
	srv := SharedRedis(t)
	rc := dialRedis(t)
	if r, err := rc.DoStrings("DEBUG", "SET-ACTIVE-EXPIRE", "0"); err != nil || string(r) != "+OK\r\n" {
		t.Skipf("DEBUG SET-ACTIVE-EXPIRE refused: %q %v", r, err)
	}
	defer rc.DoStrings("DEBUG", "SET-ACTIVE-EXPIRE", "1")
	k := NewKevy(&kevy.Options{Shards: 8, ManualExpiry: true})
	defer k.Close()
	cmds := mustParse(t, Script{Name: "lazy", Src: lazyExpiryScript})
	for _, flags := range []string{"KEA", "Ex", "KEAn"} {
		t.Run(flags, func(t *testing.T) {
			if err := rc.Reset(2); err != nil {
				t.Fatal(err)
			}
			if err := k.Reset(2); err != nil {
				t.Fatal(err)
			}
			setNotify(t, rc, flags)
			defer setNotify(t, rc, "")
			setNotify(t, k, flags)
			lr, err := DialListener("redis-listener", srv.Addr, 2, keyPatterns, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer lr.Close()
			lk, err := ListenKevy(k.DB(), keyPatterns, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer lk.Close()
			ms, err := RunNotifyScript(rc, k, lr, lk, "lazy/"+flags, cmds)
			report(t, ms)
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
