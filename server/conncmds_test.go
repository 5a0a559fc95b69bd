package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/resp"
	"github.com/kevydb/kevy/server"
)

// exchange is one request and the exact reply bytes expected.
type exchange struct {
	name string
	in   string
	want string
}

// run sends each request on c and checks the reply, in order.
func (c *client) run(t *testing.T, tests []exchange) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			c.send(tc.in)
			c.expect(tc.want)
		})
	}
	c.t = t
}

// noReply checks that nothing arrives on c for a short while.
func (c *client) noReply(d time.Duration) {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(d))
	var b [64]byte
	n, err := c.nc.Read(b[:])
	c.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	var ne net.Error
	if n > 0 || err == nil || !errors.As(err, &ne) || !ne.Timeout() {
		c.t.Fatalf("got %q (%v), want no reply", b[:n], err)
	}
}

const (
	noAuth    = "-NOAUTH Authentication required.\r\n"
	wrongPass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
	helloAuth = "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n"
)

func TestRequirePass(t *testing.T) {
	ts := startServer(t, &server.Config{RequirePass: "s3cret"})
	c := dial(t, ts.addr)
	c.run(t, []exchange{
		{"command before auth", "GET k\r\n", noAuth},
		{"ping before auth", "PING\r\n", noAuth},
		{"client before auth", "CLIENT ID\r\n", noAuth},
		{"unknown command first", "NOSUCH x\r\n", "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n"},
		{"arity first", "GET\r\n", "-ERR wrong number of arguments for 'get' command\r\n"},
		{"unknown subcommand first", "CLIENT FOO\r\n", "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n"},
		{"subcommand arity first", "CLIENT SETNAME\r\n", "-ERR wrong number of arguments for 'client|setname' command\r\n"},
		{"hello needs auth", "HELLO 3\r\n", helloAuth},
		{"hello protocol checked first", "HELLO 4\r\n", "-NOPROTO unsupported protocol version\r\n"},
		{"auth arity", "AUTH\r\n", "-ERR wrong number of arguments for 'auth' command\r\n"},
		{"auth syntax", "AUTH a b c\r\n", "-ERR syntax error\r\n"},
		{"wrong password", "AUTH nope\r\n", wrongPass},
		{"wrong user", "AUTH bob s3cret\r\n", wrongPass},
		{"still refused", "GET k\r\n", noAuth},
		{"hello auth wrong", "HELLO 2 AUTH default nope\r\n", wrongPass},
		{"auth", "AUTH s3cret\r\n", "+OK\r\n"},
		{"commands work", "SET k v\r\nGET k\r\n", "+OK\r\n$1\r\nv\r\n"},
		{"failed auth keeps the session", "AUTH nope\r\nGET k\r\n", wrongPass + "$1\r\nv\r\n"},
		{"auth with user", "AUTH default s3cret\r\n", "+OK\r\n"},
		{"reset deauthenticates", "RESET\r\nGET k\r\n", "+RESET\r\n" + noAuth},
		{"quit allowed", "QUIT\r\n", "+OK\r\n"},
	})
	c.expectClosed()

	// HELLO AUTH authenticates, and SETNAME applies even when refused.
	c = dial(t, ts.addr)
	c.send("HELLO 2 SETNAME early\r\n")
	c.expect(helloAuth)
	c.send("HELLO 2 AUTH default s3cret\r\n")
	if v := c.value(); v.Kind != resp.KindArray || len(v.Elems) != 14 {
		t.Fatalf("HELLO AUTH = %+v", v)
	}
	c.send("CLIENT GETNAME\r\nGET k\r\n")
	c.expect("$5\r\nearly\r\n$1\r\nv\r\n")
}

func TestAuthWithoutPassword(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	c.run(t, []exchange{
		{"auth password", "AUTH x\r\n", "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n"},
		{"auth default any", "AUTH default whatever\r\n", "+OK\r\n"},
		{"auth other user", "AUTH bob x\r\n", wrongPass},
	})
}

func TestAuthFailuresLoggedAndRateLimited(t *testing.T) {
	var logs lockedBuffer
	ts := startServer(t, &server.Config{RequirePass: "pw", Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	c := dial(t, ts.addr)
	const n = 50
	c.send(strings.Repeat("AUTH wrong\r\n", n))
	c.expect(strings.Repeat(wrongPass, n))
	got := strings.Count(logs.String(), "authentication failed")
	if got < 1 || got > 2 {
		t.Fatalf("%d log lines for %d failures:\n%s", got, n, logs.String())
	}
	if strings.Contains(logs.String(), "pw") || strings.Contains(logs.String(), "wrong") {
		t.Fatalf("password leaked to the log:\n%s", logs.String())
	}
}

// fakeRemote is a connection that reports another peer address.
type fakeRemote struct {
	net.Conn
	remote net.Addr
}

func (f fakeRemote) RemoteAddr() net.Addr { return f.remote }

func TestProtectedMode(t *testing.T) {
	external := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 5000}
	loopback6 := &net.TCPAddr{IP: net.IPv6loopback, Port: 5000}
	const denied = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user."
	tests := []struct {
		name   string
		cfg    *server.Config
		remote net.Addr
		denied bool
	}{
		{"external refused", nil, external, true},
		{"loopback v6 allowed", nil, loopback6, false},
		{"unix allowed", nil, &net.UnixAddr{Name: "/tmp/x.sock", Net: "unix"}, false},
		{"password set", &server.Config{RequirePass: "pw"}, external, false},
		{"disabled", &server.Config{DisableProtectedMode: true}, external, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, tc.cfg)
			cl, sv := net.Pipe()
			defer cl.Close()
			done := make(chan error, 1)
			go func() { done <- ts.srv.ServeConn(fakeRemote{sv, tc.remote}) }()
			cl.SetDeadline(time.Now().Add(10 * time.Second))
			go cl.Write([]byte("PING\r\n"))
			r := resp.NewReader(cl, 0)
			v, err := r.ReadValue()
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.denied && (v.Kind != resp.KindError || !strings.HasPrefix("-"+string(v.Str), denied)):
				t.Fatalf("reply %+v, want DENIED", v)
			case !tc.denied && v.Kind == resp.KindError && strings.HasPrefix(string(v.Str), "DENIED"):
				t.Fatalf("refused: %s", v.Str)
			}
			if tc.denied {
				if _, err := r.ReadValue(); err == nil {
					t.Fatal("connection left open after DENIED")
				}
			}
			cl.Close()
			if err := <-done; err != nil {
				t.Fatalf("ServeConn = %v", err)
			}
			// A refused connection counts as rejected, not as received,
			// as in Redis.
			info, err := ts.db.Info()
			if err != nil {
				t.Fatal(err)
			}
			wantRej, wantRecv := int64(0), int64(1)
			if tc.denied {
				wantRej, wantRecv = 1, 0
			}
			if info.Stats.RejectedConnections != wantRej || info.Stats.TotalConnectionsReceived != wantRecv {
				t.Errorf("rejected %d, received %d; want %d, %d", info.Stats.RejectedConnections,
					info.Stats.TotalConnectionsReceived, wantRej, wantRecv)
			}
		})
	}
}

// infoLine matches a CLIENT LIST line in Redis 7.0's layout.
var infoLine = regexp.MustCompile(`^id=(\d+) addr=(\S+) laddr=(\S+) fd=(-?\d+) name=(\S*) age=\d+ idle=\d+ flags=(\w+) db=(\d+) sub=0 psub=0 ssub=0 multi=-1 qbuf=\d+ qbuf-free=\d+ argv-mem=\d+ multi-mem=\d+ rbs=\d+ rbp=\d+ obl=\d+ oll=\d+ omem=\d+ tot-mem=\d+ events=r cmd=(\S+) user=default redir=-1 resp=([23])$`)

// clientLines runs CLIENT LIST args on c and parses the lines.
func clientLines(t *testing.T, c *client, cmd string) [][]string {
	t.Helper()
	c.send(cmd + "\r\n")
	v := c.value()
	if v.IsError() {
		t.Fatalf("%s: %s", cmd, v.Str)
	}
	var out [][]string
	text := string(v.Str)
	if v.Kind == resp.KindVerbatim {
		text = string(v.VerbatimText())
	}
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if line == "" {
			continue
		}
		m := infoLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("%s: line %q does not match Redis's layout", cmd, line)
		}
		out = append(out, m)
	}
	return out
}

func TestClientListAndInfo(t *testing.T) {
	ts := startServer(t, nil)
	a, b := dial(t, ts.addr), dial(t, ts.addr)
	a.send("CLIENT SETNAME alpha\r\nSELECT 3\r\nCLIENT NO-EVICT on\r\n")
	a.expect("+OK\r\n+OK\r\n+OK\r\n")
	b.send("HELLO 3\r\n")
	b.value()
	b.send("GET x\r\n")
	b.expect("_\r\n")

	lines := clientLines(t, a, "CLIENT LIST")
	if len(lines) != 2 {
		t.Fatalf("%d clients listed, want 2", len(lines))
	}
	la, lb := lines[0], lines[1]
	if la[5] != "alpha" || la[6] != "e" || la[7] != "3" || la[8] != "client|list" || la[9] != "2" {
		t.Fatalf("first client: %q", la[0])
	}
	if la[2] != a.nc.LocalAddr().String() || la[3] != ts.addr || la[4] == "-1" {
		t.Fatalf("first client addresses: %q (client at %s)", la[0], a.nc.LocalAddr())
	}
	if lb[5] != "" || lb[6] != "N" || lb[7] != "0" || lb[8] != "get" || lb[9] != "3" {
		t.Fatalf("second client: %q", lb[0])
	}
	idA, _ := strconv.ParseInt(la[1], 10, 64)
	idB, _ := strconv.ParseInt(lb[1], 10, 64)
	if idA >= idB {
		t.Fatalf("not sorted by id: %d, %d", idA, idB)
	}
	// RESP3 gets a verbatim string, with the same content.
	if l := clientLines(t, b, "CLIENT INFO"); len(l) != 1 || l[0][1] != lb[1] || l[0][8] != "client|info" {
		t.Fatalf("CLIENT INFO = %v", l)
	}
	if l := clientLines(t, a, "CLIENT LIST ID "+lb[1]+" 999999"); len(l) != 1 || l[0][1] != lb[1] {
		t.Fatalf("CLIENT LIST ID = %v", l)
	}
	if l := clientLines(t, a, "CLIENT LIST TYPE normal"); len(l) != 2 {
		t.Fatalf("CLIENT LIST TYPE normal = %v", l)
	}
	if l := clientLines(t, a, "CLIENT LIST TYPE pubsub"); len(l) != 0 {
		t.Fatalf("CLIENT LIST TYPE pubsub = %v", l)
	}
	a.send("CLIENT NO-TOUCH on\r\n")
	a.expect("+OK\r\n")
	if l := clientLines(t, a, "CLIENT INFO"); l[0][6] != "eT" {
		t.Fatalf("flags after NO-TOUCH: %q", l[0][6])
	}
	a.run(t, []exchange{
		{"list bad type", "CLIENT LIST TYPE foo\r\n", "-ERR Unknown client type 'foo'\r\n"},
		{"list bad id", "CLIENT LIST ID abc\r\n", "-ERR Invalid client ID\r\n"},
		{"list syntax", "CLIENT LIST foo\r\n", "-ERR syntax error\r\n"},
		{"list type arity", "CLIENT LIST TYPE normal ID 1\r\n", "-ERR syntax error\r\n"},
		{"no-evict syntax", "CLIENT NO-EVICT maybe\r\n", "-ERR syntax error\r\n"},
		{"info arity", "CLIENT INFO x\r\n", "-ERR wrong number of arguments for 'client|info' command\r\n"},
	})
}

func TestClientKill(t *testing.T) {
	ts := startServer(t, nil)
	a := dial(t, ts.addr)
	victim := func() (*client, string, string) {
		c := dial(t, ts.addr)
		c.send("CLIENT ID\r\n")
		return c, strconv.FormatInt(c.value().Int, 10), c.nc.LocalAddr().String()
	}
	a.run(t, []exchange{
		{"old form unknown", "CLIENT KILL 1.2.3.4:5\r\n", "-ERR No such client\r\n"},
		{"id zero", "CLIENT KILL ID 0\r\n", "-ERR client-id should be greater than 0\r\n"},
		{"id not a number", "CLIENT KILL ID abc\r\n", "-ERR client-id should be greater than 0\r\n"},
		{"unknown id", "CLIENT KILL ID 99999\r\n", ":0\r\n"},
		{"bad option", "CLIENT KILL foo bar\r\n", "-ERR syntax error\r\n"},
		{"missing value", "CLIENT KILL ADDR 1.2.3.4:5 ID\r\n", "-ERR syntax error\r\n"},
		{"bad type", "CLIENT KILL TYPE foo\r\n", "-ERR Unknown client type 'foo'\r\n"},
		{"bad user", "CLIENT KILL USER bob\r\n", "-ERR No such user 'bob'\r\n"},
		{"bad skipme", "CLIENT KILL SKIPME maybe\r\n", "-ERR syntax error\r\n"},
		{"skips itself by default", "CLIENT KILL TYPE normal USER default\r\n", ":0\r\n"},
		{"arity", "CLIENT KILL\r\n", "-ERR wrong number of arguments for 'client|kill' command\r\n"},
	})

	v, id, _ := victim()
	a.send("CLIENT KILL ID " + id + "\r\n")
	a.expect(":1\r\n")
	v.expectClosed()

	v, _, addr := victim()
	a.send("CLIENT KILL " + addr + "\r\n")
	a.expect("+OK\r\n")
	v.expectClosed()

	v, _, addr = victim()
	a.send("CLIENT KILL ADDR " + addr + " TYPE normal\r\n")
	a.expect(":1\r\n")
	v.expectClosed()

	// A connection that kills itself gets the reply, then is closed.
	a.send("CLIENT KILL SKIPME no ID 99999\r\nCLIENT KILL SKIPME no LADDR " + ts.addr + "\r\nPING\r\n")
	a.expect(":0\r\n:1\r\n")
	a.expectClosed()
}

func TestClientReply(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	c.run(t, []exchange{
		{"skip", "CLIENT REPLY SKIP\r\nSET a 1\r\nGET a\r\n", "$1\r\n1\r\n"},
		{"off", "CLIENT REPLY OFF\r\nSET b 2\r\nGET b\r\nGET\r\nCLIENT REPLY ON\r\nGET b\r\n", "+OK\r\n$1\r\n2\r\n"},
		{"skip while off", "CLIENT REPLY OFF\r\nCLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nGET a\r\n", "+OK\r\n$1\r\n1\r\n"},
		{"syntax", "CLIENT REPLY foo\r\n", "-ERR syntax error\r\n"},
		{"arity", "CLIENT REPLY\r\n", "-ERR wrong number of arguments for 'client|reply' command\r\n"},
		{"reset turns replies on", "CLIENT REPLY OFF\r\nRESET\r\nGET a\r\n", "+RESET\r\n$1\r\n1\r\n"},
	})
}

func TestClientPause(t *testing.T) {
	ts := startServer(t, nil)
	admin, other := dial(t, ts.addr), dial(t, ts.addr)
	admin.run(t, []exchange{
		{"arity", "CLIENT PAUSE\r\n", "-ERR wrong number of arguments for 'client|pause' command\r\n"},
		{"not a number", "CLIENT PAUSE abc\r\n", "-ERR timeout is not an integer or out of range\r\n"},
		{"negative", "CLIENT PAUSE -1\r\n", "-ERR timeout is negative\r\n"},
		{"bad mode", "CLIENT PAUSE 10 foo\r\n", "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n"},
		{"extra", "CLIENT PAUSE 10 write x\r\n", "-ERR unknown subcommand or wrong number of arguments for 'pause'. Try CLIENT HELP.\r\n"},
		{"unpause arity", "CLIENT UNPAUSE x\r\n", "-ERR wrong number of arguments for 'client|unpause' command\r\n"},
		{"write pause", "SET k v\r\nCLIENT PAUSE 60000 WRITE\r\n", "+OK\r\n+OK\r\n"},
	})
	// Reads go on; a write waits, holding back the commands behind it,
	// and the replies before it are sent.
	other.send("GET k\r\nSET k w\r\nGET k\r\n")
	other.expect("$1\r\nv\r\n")
	other.noReply(100 * time.Millisecond)
	admin.send("GET k\r\nCLIENT UNPAUSE\r\n")
	admin.expect("$1\r\nv\r\n+OK\r\n")
	other.expect("+OK\r\n$1\r\nw\r\n")

	// ALL holds every command, of every client, until it expires.
	admin.send("CLIENT PAUSE 300 ALL\r\n")
	admin.expect("+OK\r\n")
	start := time.Now()
	other.send("GET k\r\n")
	other.expect("$1\r\nw\r\n")
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("GET answered after %v during a 300ms pause", d)
	}

	// Shutdown releases paused clients instead of waiting for the pause.
	admin.send("CLIENT PAUSE 60000 ALL\r\n")
	admin.expect("+OK\r\n")
	other.send("GET k\r\n")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown during a pause: %v", err)
	}
	other.expectClosed()
}

func TestReset(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	c.send("SELECT 2\r\nSET k v\r\nCLIENT SETNAME n\r\nHELLO 3\r\n")
	c.expect("+OK\r\n+OK\r\n+OK\r\n")
	c.value()
	c.run(t, []exchange{
		{"reset", "RESET\r\n", "+RESET\r\n"},
		{"db 0 and RESP2", "GET k\r\n", "$-1\r\n"},
		{"no name", "CLIENT GETNAME\r\n", "$-1\r\n"},
		{"arity", "RESET x\r\n", "-ERR wrong number of arguments for 'reset' command\r\n"},
	})
}

// engineCount is the number of top-level commands COMMAND reports.
func engineCount() int {
	// acl auth client command hello quit reset, the subscription
	// commands: (p|s)subscribe, (p|s)unsubscribe, and monitor shutdown
	// slowlog
	n := 16
	for _, cmd := range command.All() {
		switch cmd.Name {
		case "auth", "client", "command", "hello", "quit", "reset":
		default:
			n++
		}
	}
	return n
}

func TestCommandCommand(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	count := engineCount()
	c.run(t, []exchange{
		{"count", "COMMAND COUNT\r\n", ":" + strconv.Itoa(count) + "\r\n"},
		{"count arity", "COMMAND COUNT x\r\n", "-ERR wrong number of arguments for 'command|count' command\r\n"},
		{"unknown", "COMMAND FOO\r\n", "-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n"},
		{"info get", "COMMAND INFO get\r\n", "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n" +
			"*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n" +
			"*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n" +
			"$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"},
		{"info unknown", "COMMAND INFO nosuch\r\n", "*1\r\n$-1\r\n"},
		{"info subcommand", "COMMAND INFO client|kill\r\n", "*1\r\n*10\r\n$11\r\nclient|kill\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n" +
			"*4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n"},
		{"info auth", "COMMAND INFO AUTH\r\n", "*1\r\n*10\r\n$4\r\nauth\r\n:-2\r\n*6\r\n+noscript\r\n+loading\r\n+stale\r\n+fast\r\n+no_auth\r\n+allow_busy\r\n:0\r\n:0\r\n:0\r\n" +
			"*2\r\n+@fast\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n"},
		{"getkeys", "COMMAND GETKEYS SET a b\r\n", "*1\r\n$1\r\na\r\n"},
		{"getkeys mset", "COMMAND GETKEYS MSET a 1 b 2\r\n", "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{"getkeys no keys", "COMMAND GETKEYS PING x\r\n", "-ERR The command has no key arguments\r\n"},
		{"getkeys unknown", "COMMAND GETKEYS NOSUCH x\r\n", "-ERR Invalid command specified\r\n"},
		{"getkeys arity", "COMMAND GETKEYS GET a b\r\n", "-ERR Invalid number of arguments specified for command\r\n"},
		{"getkeys too short", "COMMAND GETKEYS GET\r\n", "-ERR wrong number of arguments for 'command|getkeys' command\r\n"},
		{"getkeysandflags", "COMMAND GETKEYSANDFLAGS GET a\r\n", "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+RO\r\n+access\r\n"},
		{"list pattern", "COMMAND LIST FILTERBY PATTERN client|s*\r\n", "*2\r\n$14\r\nclient|setinfo\r\n$14\r\nclient|setname\r\n"},
		{"list module", "COMMAND LIST FILTERBY MODULE x\r\n", "*0\r\n"},
		{"list syntax", "COMMAND LIST FILTERBY foo x\r\n", "-ERR syntax error\r\n"},
		{"list short", "COMMAND LIST FILTERBY PATTERN\r\n", "-ERR syntax error\r\n"},
		{"docs get", "COMMAND DOCS get\r\n", "*2\r\n$3\r\nget\r\n*4\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n"},
		{"docs unknown", "COMMAND DOCS nosuch\r\n", "*0\r\n"},
	})
	// Whole-table replies: every entry has Redis's 10 fields.
	for _, req := range []string{"COMMAND\r\n", "COMMAND INFO\r\n"} {
		c.send(req)
		v := c.value()
		if v.Kind != resp.KindArray || len(v.Elems) != count {
			t.Fatalf("%q: %d entries, want %d", req, len(v.Elems), count)
		}
		for _, e := range v.Elems {
			if len(e.Elems) != 10 {
				t.Fatalf("%q: entry %+v", req, e)
			}
		}
	}
	c.send("COMMAND LIST FILTERBY ACLCAT connection\r\n")
	v := c.value()
	names := map[string]bool{}
	for _, e := range v.Elems {
		names[string(e.Str)] = true
	}
	for _, want := range []string{"auth", "hello", "client|list", "ping", "select", "command|count"} {
		if !names[want] {
			t.Errorf("ACLCAT connection lacks %s: %v", want, names)
		}
	}
	c.send("HELLO 3\r\n")
	c.value()
	c.send("COMMAND DOCS client\r\n")
	if v := c.value(); v.Kind != resp.KindMap || len(v.Elems) != 2 || len(v.Elems[1].Elems) != 6 {
		t.Fatalf("COMMAND DOCS client (RESP3) = %+v", v)
	}
}

func TestServeConn(t *testing.T) {
	ts := startServer(t, nil)
	cl, sv := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- ts.srv.ServeConn(sv) }()
	cl.SetDeadline(time.Now().Add(10 * time.Second))
	go cl.Write([]byte("SET k v\r\nCLIENT INFO\r\n"))
	r := resp.NewReader(cl, 0)
	if v, _ := r.ReadValue(); string(v.Str) != "OK" {
		t.Fatalf("SET = %+v", v)
	}
	if v, _ := r.ReadValue(); !strings.Contains(string(v.Str), "fd=-1 ") {
		t.Fatalf("CLIENT INFO over a pipe = %q", v.Str)
	}
	cl.Close()
	if err := <-done; err != nil {
		t.Fatalf("ServeConn = %v", err)
	}
	ts.srv.Close()
	a, b := net.Pipe()
	defer a.Close()
	if err := ts.srv.ServeConn(b); err != server.ErrServerClosed {
		t.Fatalf("ServeConn after Close = %v", err)
	}
	if _, err := ts.srv.DialInMemory(); err != server.ErrServerClosed {
		t.Fatalf("DialInMemory after Close = %v", err)
	}
}

func TestDialInMemory(t *testing.T) {
	ts := startServer(t, &server.Config{MaxClients: 2})
	nc, err := ts.srv.DialInMemory()
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, nc: nc, r: resp.NewReader(nc, 0)}
	c.send("SET k v\r\nGET k\r\n")
	c.expect("+OK\r\n$1\r\nv\r\n")
	if l := clientLines(t, c, "CLIENT INFO"); l[0][2] != nc.LocalAddr().String() || l[0][3] != nc.RemoteAddr().String() || l[0][4] != "-1" {
		t.Fatalf("CLIENT INFO = %v (local %s)", l[0][0], nc.LocalAddr())
	}
	nc2, err := ts.srv.DialInMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer nc2.Close()
	if _, err := ts.srv.DialInMemory(); err != server.ErrMaxClients {
		t.Fatalf("third connection: %v, want ErrMaxClients", err)
	}
	// Shutdown closes in-memory connections like the others.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := nc.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("read after Shutdown = %d, %v; want EOF", n, err)
	}
}

// TestRedisCLIAuthAndCommand runs the real redis-cli against a server
// with a password: AUTH through -a and through a typed command, and
// COMMAND COUNT.
func TestRedisCLIAuthAndCommand(t *testing.T) {
	bin, err := exec.LookPath("redis-cli")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-cli is required in CI: %v", err)
		}
		t.Skip("redis-cli not installed")
	}
	ts := startServer(t, &server.Config{RequirePass: "s3cret"})
	host, port, _ := net.SplitHostPort(ts.addr)
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  []string // substrings of the combined output, in order
	}{
		{"no password", []string{"GET", "k"}, "", []string{"NOAUTH Authentication required."}},
		{"wrong password", []string{"-a", "nope", "--no-auth-warning", "PING"}, "",
			[]string{"WRONGPASS invalid username-password pair or user is disabled."}},
		{"password", []string{"-a", "s3cret", "--no-auth-warning", "SET", "k", "v"}, "", []string{"OK"}},
		{"user and password", []string{"--user", "default", "--pass", "s3cret", "--no-auth-warning", "GET", "k"}, "", []string{"v"}},
		{"command count", []string{"-a", "s3cret", "--no-auth-warning", "COMMAND", "COUNT"}, "", []string{strconv.Itoa(engineCount())}},
		{"typed auth", nil, "GET k\nAUTH s3cret\nGET k\nCOMMAND INFO get\n",
			[]string{"NOAUTH Authentication required.", "OK", "v", "get\n2\nreadonly\nfast\n1\n1\n1\n@read\n@string\n@fast"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, append([]string{"-h", host, "-p", port}, tc.args...)...)
			cmd.Stdin = strings.NewReader(tc.stdin)
			out, _ := cmd.CombinedOutput()
			rest := string(out)
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("redis-cli %v output %q lacks %q", tc.args, out, w)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}
