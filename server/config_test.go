package server_test

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/server"
)

// configScript exercises the server's CONFIG parameters (and the
// database's it shows next to them) in the format of aclScript: values,
// ranges and error texts, all-or-nothing CONFIG SET, requirepass with
// the default user, maxclients refusing a new connection, slowlog-max-len
// trimming the slow log.
const configScript = `
1 CONFIG GET maxclients
1 CONFIG GET timeout
1 CONFIG GET slowlog-log-slower-than
1 CONFIG GET slowlog-max-len
1 CONFIG GET protected-mode
1 CONFIG GET requirepass
1 CONFIG GET appendfsync
1 CONFIG GET databases
1 CONFIG GET MaxClients

# Ranges and parsing.
1 CONFIG SET maxclients 0
1 CONFIG SET maxclients abc
1 CONFIG SET maxclients 4294967296
1 CONFIG SET maxclients 4294967295
1 CONFIG GET maxclients
1 CONFIG SET maxclients 10000
1 CONFIG SET timeout -1
1 CONFIG SET timeout 2147483648
1 CONFIG SET timeout 1.5
1 CONFIG SET timeout 300
1 CONFIG GET timeout
1 CONFIG SET timeout 0
1 CONFIG SET slowlog-log-slower-than -2
1 CONFIG SET slowlog-log-slower-than 99999999999999999999
1 CONFIG SET slowlog-log-slower-than -1
1 CONFIG GET slowlog-log-slower-than
1 CONFIG SET slowlog-log-slower-than 9223372036854775807
1 CONFIG GET slowlog-log-slower-than
1 CONFIG SET slowlog-max-len -1
1 CONFIG SET slowlog-max-len 9223372036854775807
1 CONFIG GET slowlog-max-len
1 CONFIG SET protected-mode maybe
1 CONFIG SET protected-mode NO
1 CONFIG GET protected-mode
1 CONFIG SET protected-mode yes
1 CONFIG SET appendfsync bogus
1 CONFIG SET appendfsync EverySec
1 CONFIG SET dir /tmp
1 CONFIG SET databases 4
1 CONFIG GET hz
1 CONFIG SET hz 1000
1 CONFIG GET hz
1 CONFIG SET hz 0
1 CONFIG GET hz
1 CONFIG SET hz -1
1 CONFIG SET hz 10
1 CONFIG GET auto-aof-rewrite-percentage
1 CONFIG GET auto-aof-rewrite-min-size
1 CONFIG SET auto-aof-rewrite-percentage -1
1 CONFIG SET auto-aof-rewrite-min-size 1x
1 CONFIG SET auto-aof-rewrite-min-size -1
1 CONFIG SET auto-aof-rewrite-percentage 0 auto-aof-rewrite-min-size 1mb
1 CONFIG GET auto-aof-rewrite-percentage
1 CONFIG GET auto-aof-rewrite-min-size
1 CONFIG SET auto-aof-rewrite-percentage 100 auto-aof-rewrite-min-size 64mb
1 CONFIG GET client-output-buffer-limit
1 CONFIG SET client-output-buffer-limit "pubsub 1mb 512kb 30"
1 CONFIG GET client-output-buffer-limit
1 CONFIG SET client-output-buffer-limit "bogus 1 1 1"
1 CONFIG SET client-output-buffer-limit "pubsub 1 1"
1 CONFIG SET client-output-buffer-limit "pubsub x 1 1"
1 CONFIG SET client-output-buffer-limit "pubsub 1 1 -1"
1 CONFIG SET client-output-buffer-limit "master 1 2 3"
1 CONFIG SET client-output-buffer-limit "replica 1 2 3 PUBSUB 4 5 6"
1 CONFIG GET client-output-buffer-limit
1 CONFIG SET client-output-buffer-limit ""
1 CONFIG GET client-output-buffer-limit
1 CONFIG SET client-output-buffer-limit "slave 256mb 64mb 60 pubsub 32mb 8mb 60 normal 0 0 0"
1 CONFIG GET client-output-buffer-limit

# All or nothing, duplicates.
1 CONFIG SET timeout 10 maxclients 0
1 CONFIG GET timeout
1 CONFIG SET timeout 10 timeout 20
1 CONFIG SET timeout 10 maxclients 5000 slowlog-max-len 64
1 CONFIG GET timeout
1 CONFIG GET maxclients
1 CONFIG GET slowlog-max-len
1 CONFIG SET timeout 0 maxclients 10000 slowlog-max-len 128

# slowlog-max-len and slowlog-log-slower-than at work.
1 CONFIG SET slowlog-log-slower-than 0
1 SLOWLOG RESET
1 SET a 1
1 SET a 2
1 SET a 3
1 SLOWLOG LEN
1 CONFIG SET slowlog-max-len 2
1 SLOWLOG LEN
1 SET a 4
1 SLOWLOG LEN
1 CONFIG SET slowlog-max-len 0
1 SLOWLOG LEN
1 CONFIG SET slowlog-max-len 128
1 SET a 5
1 SET a 6
1 SET a 7
1 CONFIG SET slowlog-log-slower-than 1000000 slowlog-max-len 2
1 SLOWLOG LEN
1 CONFIG SET slowlog-log-slower-than 0 slowlog-max-len 128
1 SET a 8
1 SET a 9
1 CONFIG SET slowlog-log-slower-than -1
1 CONFIG SET slowlog-max-len 1
1 SLOWLOG LEN
1 CONFIG SET slowlog-log-slower-than 1000000
1 SLOWLOG LEN
1 CONFIG SET slowlog-max-len 128
1 CONFIG SET slowlog-max-len 128 slowlog-log-slower-than -1
1 SLOWLOG RESET
1 SET a 5
1 SLOWLOG LEN
1 CONFIG SET slowlog-log-slower-than 10000

# requirepass is the default user's password.
1 CONFIG SET requirepass secret
1 CONFIG GET requirepass
1 ACL LIST
2 PING
2 AUTH wrong
2 AUTH secret
2 PING
1 ACL SETUSER default >other
1 CONFIG GET requirepass
3 AUTH other
3 ACL WHOAMI
1 CONFIG SET requirepass secret
1 CONFIG SET requirepass x maxclients 0
1 CONFIG SET maxclients 0 requirepass x
1 ACL LIST
8 AUTH other
1 CONFIG SET requirepass ""
1 ACL LIST
1 CONFIG GET requirepass
4 PING
1 CONFIG SET requirepass "with space" maxclients 0
1 CONFIG GET requirepass
5 PING

# maxclients below the connections open: new ones are refused.
1 CONFIG SET maxclients 2
6 !closed
1 CONFIG SET maxclients 10000
7 PING
`

// TestConfigVersusRedis runs configScript on redis-server and on kevy's
// server and compares every reply, in RESP2 and RESP3.
func TestConfigVersusRedis(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) { runConnScript(t, proto, "config", configScript) })
	}
}

// TestConfigSetTimeoutAtRuntime: CONFIG SET timeout applies to the
// connections already open. With no timeout at first, an idle client is
// closed once it has been idle for the new timeout, while a subscriber, a
// monitor and a client blocked in BLPOP, which Redis never times out,
// stay and keep working. A timeout set back to 0 spares a client whose
// read already had the old deadline.
func TestConfigSetTimeoutAtRuntime(t *testing.T) {
	ts := startServer(t, nil)
	admin := dial(t, ts.addr)
	idle := dial(t, ts.addr)
	idle.send("PING\r\n")
	idle.expect("+PONG\r\n")
	sub := dial(t, ts.addr)
	sub.send("SUBSCRIBE ch\r\n")
	sub.expect("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n")
	mon := dial(t, ts.addr)
	mon.send("MONITOR\r\n")
	mon.expect("+OK\r\n")
	blocked := dial(t, ts.addr)
	blocked.send("BLPOP q 0\r\n")
	waitBlockedClient(t, admin)

	start := time.Now()
	admin.send("CONFIG SET timeout 1\r\n")
	admin.expect("+OK\r\n")
	idle.expectClosed()
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Fatalf("idle client closed %v after CONFIG SET timeout 1", d)
	}
	admin.expectClosed() // idle as long
	admin = dial(t, ts.addr)

	admin.send("PUBLISH ch hello\r\n")
	admin.expect(":1\r\n")
	sub.expect("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n")
	admin.send("RPUSH q v\r\n")
	admin.expect(":1\r\n")
	blocked.expect("*2\r\n$1\r\nq\r\n$1\r\nv\r\n")
	for _, want := range []string{`"BLPOP" "q" "0"`, `"PUBLISH" "ch" "hello"`, `"RPUSH" "q" "v"`} {
		if v := string(mon.value().Str); !strings.Contains(v, want) {
			t.Fatalf("monitor line %q, want %s", v, want)
		}
	}

	// Timeout back to 0 after a client's read took the 1 s deadline.
	late := dial(t, ts.addr)
	late.send("PING\r\n")
	late.expect("+PONG\r\n")
	admin.send("CONFIG SET timeout 0\r\n")
	admin.expect("+OK\r\n")
	time.Sleep(1500 * time.Millisecond)
	late.send("PING\r\n")
	late.expect("+PONG\r\n")
	sub.send("PING\r\n")
	sub.expect("*2\r\n$4\r\npong\r\n$0\r\n\r\n")
}

// TestConfigSetTimeoutAfterLongCommand: a connection whose last input is
// older than the timeout but whose last reply is recent (a BLPOP that
// timed out) is not idle: CONFIG SET timeout does not close it.
func TestConfigSetTimeoutAfterLongCommand(t *testing.T) {
	ts := startServer(t, &server.Config{IdleTimeout: time.Second})
	a := dial(t, ts.addr)
	a.send("BLPOP nokey 1.5\r\n")
	a.expect("*-1\r\n")
	b := dial(t, ts.addr)
	b.send("CONFIG SET timeout 1\r\n")
	b.expect("+OK\r\n")
	time.Sleep(100 * time.Millisecond)
	a.send("PING\r\n")
	a.expect("+PONG\r\n")
}

// waitBlockedClient waits until a client is blocked, as CLIENT LIST
// shows (an admin command, which monitors do not see).
func waitBlockedClient(t *testing.T, c *client) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		c.cmd("CLIENT", "LIST")
		if strings.Contains(string(c.value().Str), " flags=b ") {
			return
		}
	}
	t.Fatal("no client blocked")
}

// TestConfigSetServerParams: the server's parameters start from its
// Config; a program's own (Config.Settings) are shown, refused when
// read-only, and their Set's error is Redis's error text; ConfigSet and
// ConfigParams give a program the same view; maxclients applies at once.
func TestConfigSetServerParams(t *testing.T) {
	ts := startServer(t, &server.Config{MaxClients: 3, IdleTimeout: 7 * time.Second, DisableProtectedMode: true,
		SlowlogLogSlowerThan: 2500 * time.Microsecond, SlowlogMaxLen: 9, RequirePass: "pw",
		Settings: []server.Setting{
			{Name: "port", Get: func() string { return "7777" }},
			{Name: "greeting", Get: func() string { return "hi there" }, Quoted: true,
				Set: func(v string) error {
					if v == "" {
						return errors.New("greeting must not be empty")
					}
					return nil
				}},
		}})
	c := dial(t, ts.addr)
	c.send("AUTH pw\r\n")
	c.expect("+OK\r\n")
	for _, kv := range [][2]string{{"maxclients", "3"}, {"timeout", "7"}, {"protected-mode", "no"},
		{"slowlog-log-slower-than", "2500"}, {"slowlog-max-len", "9"}, {"requirepass", "pw"},
		{"port", "7777"}, {"greeting", "hi there"}} {
		c.cmd("CONFIG", "GET", kv[0])
		v := c.value()
		if len(v.Elems) != 2 || string(v.Elems[1].Str) != kv[1] {
			t.Errorf("CONFIG GET %s = %v, want %q", kv[0], v, kv[1])
		}
	}
	c.cmd("CONFIG", "SET", "port", "1")
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config\r\n")
	c.cmd("CONFIG", "SET", "greeting", "")
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'greeting') - greeting must not be empty\r\n")

	// ConfigSet and ConfigParams, the program's view.
	if err := ts.srv.ConfigSet("maxclients", "5", "timeout", "0"); err != nil {
		t.Fatal(err)
	}
	err := ts.srv.ConfigSet("maxclients", "0")
	if err == nil || err.Error() != "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive" {
		t.Fatalf("ConfigSet maxclients 0: %v", err)
	}
	if err := ts.srv.ConfigSet("maxclients"); err == nil {
		t.Fatal("ConfigSet with a name and no value succeeded")
	}
	// kevy never disconnects a normal client for its output: it says so.
	err = ts.srv.ConfigSet("client-output-buffer-limit", "normal 1mb 0 0")
	if err == nil || !strings.Contains(err.Error(), "kevy does not limit the output of normal clients") {
		t.Fatalf("normal class limit: %v", err)
	}
	params, err := ts.srv.ConfigParams()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range params {
		got[p.Name] = p.Line
	}
	for name, line := range map[string]string{"maxclients": "maxclients 5", "timeout": "timeout 0",
		"requirepass": `requirepass "pw"`, "greeting": `greeting "hi there"`, "maxmemory": "maxmemory 0"} {
		if got[name] != line {
			t.Errorf("ConfigParams %s: %q, want %q", name, got[name], line)
		}
	}
	// The database alone does not have the server's.
	dbParams, err := ts.db.ConfigParams()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range dbParams {
		if p.Name == "maxclients" || p.Name == "port" {
			t.Errorf("DB.ConfigParams has the server's %s", p.Name)
		}
	}
	if _, err := ts.db.Do(t.Context(), "CONFIG", "SET", "maxclients", "9"); err == nil {
		t.Error("DB.Do CONFIG SET maxclients succeeded without a server")
	}

	// maxclients counts at once: with 5 allowed, the sixth is refused.
	for range 4 {
		d := dial(t, ts.addr)
		d.send("AUTH pw\r\n")
		d.expect("+OK\r\n")
	}
	extra := dial(t, ts.addr)
	extra.expect("-ERR max number of clients reached\r\n")
	extra.expectClosed()
}

// TestConfigResetStatVersusRedis: CONFIG RESETSTAT zeroes the counters
// INFO stats shows, the server's connection counts and the commands that
// touch no key included, as redis-server does.
func TestConfigResetStatVersusRedis(t *testing.T) {
	rs := startOwnRedis(t)
	ts := startServer(t, &server.Config{MaxClients: 3})
	fields := []string{"total_connections_received", "total_commands_processed", "rejected_connections",
		"keyspace_hits", "keyspace_misses", "expired_keys", "evicted_keys"}
	run := func(addr string) []string {
		a := dial(t, addr)
		for _, cmd := range []string{"PING\r\n", "SET k v\r\n", "GET k\r\n", "GET nokey\r\n", "CONFIG SET maxclients 2\r\n"} {
			a.send(cmd)
			a.value()
		}
		b := dial(t, addr)
		b.send("PING\r\n")
		b.value()
		refused := dial(t, addr) // over maxclients: counted as rejected
		refused.expect("-ERR max number of clients reached\r\n")
		a.send("CONFIG SET maxclients 10000\r\n")
		a.value()
		a.send("CONFIG RESETSTAT\r\n")
		a.expect("+OK\r\n")
		c := dial(t, addr)
		c.send("GET k\r\n")
		c.value()
		c.send("INFO stats\r\n")
		info := string(c.value().Str)
		var out []string
		for _, f := range fields {
			_, rest, ok := strings.Cut(info, "\r\n"+f+":")
			v, _, _ := strings.Cut(rest, "\r\n")
			if !ok {
				v = "(missing)"
			}
			out = append(out, f+":"+v)
		}
		return out
	}
	sameLines(t, "INFO stats after CONFIG RESETSTAT", run(rs.Addr), run(ts.addr))
}

// TestErrorStatsVersusRedis: INFO's total_error_replies and errorstats
// count the error replies by code as redis-server does: runtime errors,
// refused commands, errors inside EXEC, EXECABORT, CONFIG RESETSTAT.
func TestErrorStatsVersusRedis(t *testing.T) {
	rs := startOwnRedis(t)
	ts := startServer(t, nil)
	script := []string{"SET s v", "LPUSH s x", "INCR s", "NOSUCHCMD", "GET", "SET k v XX NX",
		"MULTI", "LPUSH s x", "INCR k", "EXEC", "MULTI", "NOSUCH", "EXEC", "EXEC",
		"CONFIG SET maxclients 0", "AUTH wrong", "BLPOP q -1",
		"CLIENT REPLY OFF", "GET", "CLIENT REPLY ON"} // the last three have no reply but ON's
	run := func(addr string) []string {
		c := dial(t, addr)
		for i, cmd := range script {
			c.send(cmd + "\r\n")
			if i < len(script)-3 || i == len(script)-1 {
				c.value()
			}
		}
		var out []string
		for _, sec := range []string{"errorstats", "stats"} {
			c.send("INFO " + sec + "\r\n")
			for _, l := range strings.Split(string(c.value().Str), "\r\n") {
				if strings.HasPrefix(l, "errorstat_") || strings.HasPrefix(l, "total_error_replies:") {
					out = append(out, l)
				}
			}
		}
		c.send("CONFIG RESETSTAT\r\n")
		c.expect("+OK\r\n")
		c.send("INFO errorstats\r\n")
		out = append(out, strings.TrimSpace(string(c.value().Str)))
		return out
	}
	sameLines(t, "error statistics", run(rs.Addr), run(ts.addr))
}

// TestInfoSeveralServers: two servers on one database (TCP and
// in-memory, as kevy serve with go-redis clients in the same process):
// INFO counts the clients of both and shows the TCP one's port; a
// stopped server leaves the figures.
func TestInfoSeveralServers(t *testing.T) {
	db, err := kevy.Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mem := server.New(db, nil) // added first, but without TCP
	tcp := server.New(db, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go tcp.Serve(l)
	defer tcp.Close()
	c := dial(t, l.Addr().String())
	mc, err := mem.DialInMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Close()
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	check := func(clients, port string) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			c.send("INFO\r\n")
			info := string(c.value().Str)
			if strings.Contains(info, "\r\nconnected_clients:"+clients+"\r\n") && strings.Contains(info, "\r\ntcp_port:"+port+"\r\n") {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("want connected_clients:%s and tcp_port:%s in:\n%s", clients, port, info)
			}
		}
	}
	check("2", port)
	mem.Close()
	check("1", port)
}
