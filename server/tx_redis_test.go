package server_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kevydb/kevy/internal/difftest"
	"github.com/kevydb/kevy/internal/resp"
)

// execACLScript changes a user's rules between the queueing of commands
// and EXEC: Redis 7.0 checks every queued command again when EXEC runs
// it, answers the ones now refused with its "ACLs rules changed" NOPERM
// error (the others run) and records them in ACL LOG with the context
// "multi". Connection 1 is the default user, 2 the user u.
const execACLScript = `
1 ACL SETUSER u on nopass allcommands allkeys allchannels
2 AUTH u x

# A command, a subcommand and a channel refused at EXEC.
2 MULTI
2 SET k v
2 GET k
2 CLIENT SETNAME nm
2 CLIENT GETNAME
2 PUBLISH ch m
2 PING
1 ACL SETUSER u -set -client|setname resetchannels
2 EXEC
2 GET k
2 CLIENT GETNAME
1 !log 10

# Keys: a key pattern removed, a write to a read-only key.
1 ACL SETUSER u reset on nopass allcommands allkeys
1 ACL LOG RESET
2 MULTI
2 GET k
2 SET k2 v
2 MSET a 1 k2 2
2 SET k v3
1 ACL SETUSER u resetkeys ~a* %R~k
2 EXEC
1 !log 10

# A first argument allowed, a selector allowing what the root does not.
1 ACL SETUSER u reset on nopass allcommands allkeys
1 ACL LOG RESET
2 MULTI
2 SELECT 0
2 SELECT 1
2 SET sel 1
2 GET sel
2 SELECT 0
1 ACL SETUSER u -select +select|0 -set (+set ~sel)
2 EXEC
1 !log 10

# Rules unchanged, or changed and restored: everything runs.
2 MULTI
2 SET sel 2
1 ACL SETUSER u -get
1 ACL SETUSER u +get
2 EXEC

# EXEC itself refused: the transaction is discarded.
1 ACL SETUSER u reset on nopass allcommands allkeys
1 ACL LOG RESET
2 MULTI
2 SET k v4
1 ACL SETUSER u -exec
2 EXEC
2 DISCARD
2 GET k
1 !log 10

# EXEC refused outside MULTI: Redis discards the transaction state all
# the same, so the key watched before is no longer watched.
1 ACL SETUSER u reset on nopass allcommands allkeys
2 WATCH wk
1 ACL SETUSER u -exec
2 EXEC
1 ACL SETUSER u +exec
1 SET wk changed
2 MULTI
2 GET wk
2 EXEC

# The default user restricted while a transaction of its own is queued.
1 ACL LOG RESET
3 MULTI
3 INCR cnt
3 ECHO x
1 ACL SETUSER default -incr
3 EXEC
1 ACL SETUSER default +incr
1 !log 10
3 GET cnt
`

// TestExecACLRecheckVersusRedis runs execACLScript on redis-server and
// on kevy's server and compares every reply and the ACL log.
func TestExecACLRecheckVersusRedis(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) { runConnScript(t, proto, "exec-acl", execACLScript) })
	}
}

// noMultiOOMScript: with memory over maxmemory (noeviction), a command
// not allowed inside MULTI (SAVE, SHUTDOWN) is refused as such, while
// every other command but EXEC and DISCARD gets the OOM error (WATCH and
// a nested MULTI included); the not-allowed error also comes before ACL
// checks, which log nothing then.
const noMultiOOMScript = `
1 SET big "some data"
1 CONFIG SET maxmemory-policy noeviction
1 CONFIG SET maxmemory 1
1 MULTI
1 SAVE
1 SAVE x
1 SHUTDOWN
1 SHUTDOWN NOSAVE
1 WATCH k
1 MULTI
1 SUBSCRIBE ch
1 PSUBSCRIBE c*
1 MONITOR
1 CLIENT ID
1 CLIENT NOSUCH
1 CLIENT KILL
1 HELLO 2
1 ACL WHOAMI
1 COMMAND COUNT
1 SLOWLOG LEN
1 SELECT 0
1 GET big
1 SET k v
1 NOSUCH
1 GET
1 EXEC
1 MULTI
1 DISCARD
1 ACL SETUSER v on nopass +multi +discard +exec +get ~*
1 ACL LOG RESET
2 AUTH v x
2 MULTI
2 SAVE
2 SHUTDOWN
2 SET k v
2 CLIENT ID
2 DISCARD
1 !log 10
1 CONFIG SET maxmemory 0
2 MULTI
2 SAVE
2 SHUTDOWN
2 SET k v
2 EXEC
`

// TestNoMultiBeforeOOMVersusRedis runs noMultiOOMScript on redis-server
// and on kevy's server and compares every reply and the ACL log.
func TestNoMultiBeforeOOMVersusRedis(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) { runConnScript(t, proto, "nomulti-oom", noMultiOOMScript) })
	}
}

// txStep is a command sent by connection conn ("A", "B"...) of a
// scenario whose replies are compared between Redis and kevy.
type txStep struct {
	conn string
	args []string
}

func tx(conn string, args ...string) txStep { return txStep{conn, args} }

// slowlogTxScenario covers what the slow log records around
// transactions: MULTI and DISCARD, each command EXEC runs (the ones
// queued are not recorded when queued, the ones refused at EXEC by
// changed ACL rules not at all), never EXEC itself, the commands refused
// while queueing or before running (unknown, wrong arity, NOPERM, the
// subscribed context) and the transactions that do not run.
var slowlogTxScenario = []txStep{
	tx("A", "MULTI"),
	tx("A", "SET", "k", "v"),
	tx("A", "GET", "k"),
	tx("A", "INCR", "k"),
	tx("A", "BLPOP", "nolist", "0"),
	tx("A", "AUTH", "a", "b"),
	tx("A", "CLIENT", "SETNAME", "nm"),
	tx("A", "SELECT", "1"),
	tx("A", "PING"),
	tx("A", "EXEC"),
	tx("A", "SELECT", "0"),
	tx("A", "MULTI"),
	tx("A", "SET", "a", "b"),
	tx("A", "DISCARD"),
	tx("A", "MULTI"),
	tx("A", "NOSUCH"),
	tx("A", "GET"),
	tx("A", "WATCH", "x"),
	tx("A", "MULTI"),
	tx("A", "DISCARD", "x"),
	tx("A", "CLIENT", "NOSUCH"),
	tx("A", "SET", "q", "1"),
	tx("A", "EXEC"),
	tx("A", "EXEC"),
	tx("A", "WATCH", "w"),
	tx("A", "MULTI"),
	tx("A", "SET", "q", "1"),
	tx("B", "SET", "w", "1"),
	tx("A", "EXEC"),
	tx("B", "ACL", "SETUSER", "u", "on", "nopass", "allcommands", "allkeys"),
	tx("C", "AUTH", "u", "p"),
	tx("C", "MULTI"),
	tx("C", "SET", "x", "1"),
	tx("C", "GET", "x"),
	tx("B", "ACL", "SETUSER", "u", "-set"),
	tx("C", "EXEC"),
	tx("C", "SET", "x", "2"),
	tx("A", "NOSUCH"),
	tx("A", "GET"),
	tx("A", "CLIENT", "NOSUCH"),
	tx("A", "CLIENT", "KILL"),
	tx("A", "GET", "k"),
	tx("D", "SUBSCRIBE", "ch"),
	tx("D", "GET", "k"),
	tx("A", "MULTI"),
	tx("A", "RESET"),
	tx("A", "MULTI"), // RESET gives a new session: EXEC must still record
	tx("A", "SET", "r", "1"),
	tx("A", "EXEC"),
	tx("A", "MULTI"),
	tx("A", "QUIT"),
}

// slowlogTxRun runs slowlogTxScenario on the server at addr with every
// command logged, and returns the replies and the slow log's entries
// (arguments and client name), oldest first.
func slowlogTxRun(t *testing.T, addr string) (replies, entries []string) {
	t.Helper()
	conns := map[string]*difftest.Conn{}
	get := func(name string) *difftest.Conn {
		if c := conns[name]; c != nil {
			return c
		}
		c, err := difftest.Dial(name, addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns[name] = c
		return c
	}
	b := get("B")
	if r, err := b.DoStrings("CONFIG", "SET", "slowlog-log-slower-than", "0"); err != nil || string(r) != "+OK\r\n" {
		t.Fatalf("CONFIG SET slowlog-log-slower-than: %q %v", r, err)
	}
	if _, err := b.DoStrings("SLOWLOG", "RESET"); err != nil {
		t.Fatal(err)
	}
	for _, s := range slowlogTxScenario {
		raw, err := get(s.conn).DoStrings(s.args...)
		if err != nil {
			t.Fatalf("%s %q: %v", s.conn, s.args, err)
		}
		replies = append(replies, s.conn+" "+strings.Join(s.args, " ")+" -> "+string(raw))
	}
	raw, err := b.DoStrings("SLOWLOG", "GET", "-1")
	if err != nil {
		t.Fatal(err)
	}
	v, err := resp.NewReader(bytes.NewReader(raw), 0).ReadValue()
	if err != nil {
		t.Fatalf("SLOWLOG GET %q: %v", raw, err)
	}
	return replies, slowlogEntries(v)
}

// TestSlowlogExecVersusRedis: the slow log records the commands a
// transaction runs, one by one, and never EXEC, exactly as redis-server
// does; the replies agree too.
func TestSlowlogExecVersusRedis(t *testing.T) {
	slowlogVersusRedis(t, slowlogTxRun)
}

// clientFlags returns the flags field of the connection named name in a
// CLIENT LIST (or INFO) reply, or "" if it is not listed.
func clientFlags(t *testing.T, raw []byte, name string) string {
	t.Helper()
	v, err := resp.NewReader(bytes.NewReader(raw), 0).ReadValue()
	if err != nil {
		t.Fatalf("CLIENT LIST %q: %v", raw, err)
	}
	for _, line := range strings.Split(string(v.Str), "\n") {
		if !strings.Contains(line, " name="+name+" ") {
			continue
		}
		for _, f := range strings.Fields(line) {
			if flags, ok := strings.CutPrefix(f, "flags="); ok {
				return flags
			}
		}
	}
	return ""
}

// monitorFlagsRun makes a connection a monitor and back, and returns, at
// each stage, its flags and those of a client in MULTI as CLIENT LIST
// shows them, and whether TYPE normal, replica and pubsub list it.
func monitorFlagsRun(t *testing.T, addr string) []string {
	t.Helper()
	dialName := func(name string) *difftest.Conn {
		c, err := difftest.Dial(name, addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if raw, err := c.DoStrings("CLIENT", "SETNAME", name); err != nil || string(raw) != "+OK\r\n" {
			t.Fatalf("CLIENT SETNAME: %q %v", raw, err)
		}
		return c
	}
	o, x := dialName("obs"), dialName("tx")
	m := dial(t, addr) // a monitor: its stream is read with the plain client
	m.cmd("CLIENT", "SETNAME", "mon")
	m.expect("+OK\r\n")
	var out []string
	snapshot := func(stage string) {
		for _, typ := range []string{"", "normal", "replica", "pubsub"} {
			args := []string{"CLIENT", "LIST"}
			if typ != "" {
				args = append(args, "TYPE", typ)
			}
			raw, err := o.DoStrings(args...)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, stage+" "+strings.Join(args, " ")+": mon="+clientFlags(t, raw, "mon")+" tx="+clientFlags(t, raw, "tx"))
		}
		raw, err := x.DoStrings("CLIENT", "INFO")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, stage+" CLIENT INFO of tx: "+string(raw[:min(len(raw), 1)])+" "+clientFlags(t, raw, "tx"))
	}
	snapshot("before")
	m.cmd("MONITOR")
	m.expect("+OK\r\n")
	snapshot("monitoring")
	if raw, err := x.DoStrings("MULTI"); err != nil || string(raw) != "+OK\r\n" {
		t.Fatalf("MULTI: %q %v", raw, err)
	}
	snapshot("multi")
	if raw, err := x.DoStrings("DISCARD"); err != nil || string(raw) != "+OK\r\n" {
		t.Fatalf("DISCARD: %q %v", raw, err)
	}
	// RESET ends monitoring; the monitor lines sent before its reply are
	// skipped.
	m.cmd("RESET")
	for {
		if v := m.value(); v.Kind == resp.KindSimpleString && string(v.Str) == "RESET" {
			break
		}
	}
	snapshot("reset")
	return out
}

// TestClientListMonitorFlagVersusRedis: CLIENT LIST shows a monitor with
// the O flag (and as a normal client), until RESET, as redis-server does.
func TestClientListMonitorFlagVersusRedis(t *testing.T) {
	rs := startOwnRedis(t)
	want := monitorFlagsRun(t, rs.Addr)
	ts := startServer(t, nil)
	got := monitorFlagsRun(t, ts.addr)
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("flags differ:\nredis:\n%s\nkevy:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
}

// TestEngineNoMultiBeforeOOMVersusRedis: the engine's own queueing (the
// embedded kevy.Session, without the server's checks) also refuses SAVE
// inside MULTI as not allowed before it checks memory, as redis-server.
func TestEngineNoMultiBeforeOOMVersusRedis(t *testing.T) {
	rs := startOwnRedis(t)
	rc, err := difftest.Dial("redis", rs.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.Close() })
	k := difftest.NewKevy(nil)
	if err := k.Reset(2); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	cmds, err := difftest.ParseScript(`
SET big "some data"
CONFIG SET maxmemory-policy noeviction
CONFIG SET maxmemory 1
MULTI
SAVE
SAVE x
WATCH k
MULTI
GET big
DISCARD
CONFIG SET maxmemory 0
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		m, err := difftest.Exec(rc, k, c)
		if err != nil {
			t.Fatal(err)
		}
		if m != nil {
			t.Errorf("%s", m)
		}
	}
}
