package server_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/resp"
	"github.com/kevydb/kevy/server"
)

// monStep is one command of a monitor scenario, sent by client "A", "B"
// or the monitor "M". Replies are compared between Redis and kevy unless
// noCompare is set (ids, server figures); async sends without waiting
// for the reply, which the next step of the same client reads first.
type monStep struct {
	client    string
	args      []string
	noCompare bool
	async     bool
	noReply   bool // a monitor's command that gets no reply (MONITOR again)
	waitBlock bool // before this step, wait until a client is blocked
}

func st(client string, args ...string) monStep { return monStep{client: client, args: args} }

// monitorScenario covers what MONITOR shows and hides, and how: binary
// arguments, databases, redaction, transactions, errors, blocking
// commands, pub/sub, and the monitor's own commands.
var monitorScenario = []monStep{
	st("A", "SET", "a", "1"),
	st("A", "SET", "k", "a\x01b\"c\\d\n\r\t \xc3\xa9\x7f\x00"),
	st("A", "SET", "n", "12345"),
	st("A", "SELECT", "2"),
	st("A", "SET", "x", "3"),
	st("A", "SELECT", "0"),
	st("A", "AUTH", "foo"),
	st("A", "AUTH", "a", "b"),
	st("A", "AUTH", "a", "b", "c"),
	{client: "A", args: []string{"HELLO", "2", "AUTH", "default", "x"}, noCompare: true}, // no password: any is accepted
	st("A", "HELLO", "4", "AUTH", "u", "p"),
	st("A", "HELLO", "x", "AUTH", "u", "p"),
	st("A", "HELLO", "3", "SETNAME", "a\x01", "AUTH", "u", "p"),
	st("A", "HELLO", "3", "AUTH", "u"),
	st("A", "CONFIG", "GET", "maxmemory"),
	st("A", "CONFIG", "SET", "maxmemory", "0"),
	{client: "A", args: []string{"CLIENT", "LIST"}, noCompare: true},
	st("A", "CLIENT", "GETNAME"),
	st("A", "CLIENT", "NO-EVICT", "on"),
	st("A", "SLOWLOG", "LEN"),
	st("A", "MULTI"),
	st("A", "SET", "m", "1"),
	st("A", "INCR", "m"),
	st("A", "SELECT", "1"),
	st("A", "SET", "y", "2"),
	st("A", "CONFIG", "SET", "maxmemory", "0"),
	st("A", "SELECT", "99"),
	st("A", "EXEC"),
	st("A", "SELECT", "0"),
	st("A", "MULTI"),
	st("A", "SET", "q"),
	st("A", "EXEC"),
	st("A", "MULTI"),
	st("A", "GETX"),
	st("A", "EXEC"),
	st("A", "WATCH", "s"),
	st("B", "SET", "s", "x"),
	st("A", "MULTI"),
	st("A", "SET", "z", "1"),
	st("A", "EXEC"),
	st("A", "MULTI"),
	st("A", "DISCARD"),
	st("A", "MULTI"),
	st("A", "MULTI"),
	st("A", "MONITOR"),
	st("A", "PING"),
	st("A", "EXEC"),
	st("A", "EXEC"),
	st("A", "DISCARD"),
	st("A", "GETX", "1"),
	st("A", "GET"),
	st("A", "CLIENT", "FOO"),
	st("A", "CONFIG", "FOO"),
	st("A", "OBJECT", "FOO"),
	st("A", "CLIENT", "KILL"),
	st("A", "INCR", "k"),
	st("A", "PUBLISH", "ch", "m"),
	st("A", "ECHO", "hi"),
	st("A", "CONFIG", "SET", "maxmemory", "1"),
	st("A", "SET", "big", "x"),
	st("A", "GET", "a"),
	st("A", "CONFIG", "SET", "maxmemory", "0"),
	{client: "A", args: []string{"BLPOP", "bl", "10"}, async: true},
	{client: "B", args: []string{"RPUSH", "bl", "v"}, waitBlock: true},
	st("A", "BLPOP", "nolist", "0.01"),
	st("M", "PING"),
	st("M", "GET", "a"),
	st("M", "SET", "a", "2"),
	st("M", "PUBLISH", "ch", "m"),
	st("M", "CLIENT", "GETNAME"),
	st("M", "ECHO", "x"),
	{client: "M", args: []string{"MONITOR"}, noReply: true},
	st("M", "MULTI"),
	st("M", "GET", "a"),
	st("M", "PING"),
	st("M", "EXEC"),
	st("A", "SUBSCRIBE", "c1"),
	st("A", "PING"),
	st("A", "GET", "a"),
	st("A", "RESET"),
	st("B", "QUIT"),
}

// monitorRun plays scenario against the server at addr and
// returns what each client received (replies, in order) and the monitor's
// stream, with timestamps masked and client addresses replaced by the
// client names.
func monitorRun(t *testing.T, addr string, scenario []monStep) (replies []string, stream string) {
	t.Helper()
	dialRaw := func() (net.Conn, *bufio.Reader) {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		nc.SetDeadline(time.Now().Add(20 * time.Second))
		return nc, bufio.NewReader(nc)
	}
	mnc, mbr := dialRaw()
	m := &rawConn{nc: mnc, br: mbr}
	clients := map[string]*rawConn{}
	names := map[string]string{mnc.LocalAddr().String(): "M"}
	for _, n := range []string{"A", "B", "C"} {
		nc, br := dialRaw()
		c := &rawConn{nc: nc, br: br}
		clients[n] = c
		names[nc.LocalAddr().String()] = n
	}
	if _, err := mnc.Write(resp.AppendCommandString(nil, "MONITOR")); err != nil {
		t.Fatal(err)
	}
	if l, err := m.read(); err != nil || l != "+OK\r\n" {
		t.Fatalf("MONITOR: %q %v", l, err)
	}
	var b strings.Builder
	ts := regexp.MustCompile(`^\+\d+\.\d{6} \[(\d+) ([^\]]+)\]`)
	// readM reads the monitor's stream until a reply to its own command
	// (anything but a monitor line), or a line containing until.
	readM := func(until string) {
		for {
			l, err := m.read()
			if err != nil {
				t.Fatalf("monitor stream: %v after %q", err, b.String())
			}
			sm := ts.FindStringSubmatch(l)
			if sm != nil {
				who := names[sm[2]]
				if who == "" {
					who = sm[2]
				}
				l = "+TS [" + sm[1] + " " + who + "]" + l[len(sm[0]):]
			}
			b.WriteString(l)
			if (sm == nil && until == "") || (until != "" && strings.Contains(l, until)) {
				return
			}
		}
	}
	var pending = map[string]bool{}
	for _, s := range scenario {
		if s.waitBlock {
			waitBlocked(t, clients["C"])
		}
		if s.client == "M" {
			if _, err := mnc.Write(resp.AppendCommandString(nil, s.args...)); err != nil {
				t.Fatal(err)
			}
			if s.noReply {
				// Followed by a PING, whose reply shows nothing came.
				mnc.Write(resp.AppendCommandString(nil, "PING"))
			}
			readM("") // the monitor's replies are part of its stream
			continue
		}
		c := clients[s.client]
		if c == nil { // a client connected when first used (after CONFIG SET requirepass...)
			nc, br := dialRaw()
			c = &rawConn{nc: nc, br: br}
			clients[s.client] = c
			names[nc.LocalAddr().String()] = s.client
		}
		if pending[s.client] {
			r, err := c.read()
			if err != nil {
				t.Fatal(err)
			}
			replies = append(replies, s.client+" (async): "+r)
			pending[s.client] = false
		}
		if _, err := c.nc.Write(resp.AppendCommandString(nil, s.args...)); err != nil {
			t.Fatal(err)
		}
		if s.async {
			pending[s.client] = true
			continue
		}
		r, err := c.read()
		if err != nil {
			t.Fatalf("%s %q: %v", s.client, s.args, err)
		}
		if s.noCompare {
			r = "(not compared)"
		}
		replies = append(replies, s.client+" "+strings.Join(s.args, " ")+": "+r)
	}
	// The end marker, sent by a client not monitored otherwise.
	c := clients["C"]
	c.nc.Write(resp.AppendCommandString(nil, "ECHO", "end-of-scenario"))
	if _, err := c.read(); err != nil {
		t.Fatal(err)
	}
	readM("end-of-scenario")
	return replies, b.String()
}

// rawConn is a client connection returning replies as raw RESP text.
type rawConn struct {
	nc net.Conn
	br *bufio.Reader
}

// read reads one reply and returns its bytes.
func (c *rawConn) read() (string, error) {
	line, err := c.br.ReadString('\n')
	if err != nil || len(line) < 3 {
		return line, err
	}
	n, _ := strconv.Atoi(line[1 : len(line)-2])
	switch line[0] {
	case '$', '=', '!':
		if n < 0 {
			return line, nil
		}
		b := make([]byte, n+2)
		_, err := io.ReadFull(c.br, b)
		return line + string(b), err
	case '*', '~', '>', '%', '|':
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		out := line
		for range max(n, 0) {
			e, err := c.read()
			out += e
			if err != nil {
				return out, err
			}
		}
		return out, nil
	}
	return line, nil
}

// waitBlocked waits until a client is blocked in a command, polling
// CLIENT LIST (an admin command, which monitors do not see).
func waitBlocked(t *testing.T, c *rawConn) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		c.nc.Write(resp.AppendCommandString(nil, "CLIENT", "LIST"))
		r, err := c.read()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(r, "cmd=blpop") && regexp.MustCompile(`flags=\w*b`).MatchString(r) {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("no client blocked")
}

// TestMonitorVersusRedis plays the same scenario on redis-server and on
// kevy and compares every reply and the monitor's whole stream, with
// timestamps and client ports masked.
func TestMonitorVersusRedis(t *testing.T) { monitorVersusRedis(t, monitorScenario) }

// monitorVersusRedis plays scenario on redis-server and on kevy and
// compares every reply and the monitor's whole stream.
func monitorVersusRedis(t *testing.T, scenario []monStep) {
	t.Helper()
	rs := startOwnRedis(t)
	rReplies, rStream := monitorRun(t, rs.Addr, scenario)
	ts := startServer(t, nil)
	kReplies, kStream := monitorRun(t, ts.addr, scenario)
	sameLines(t, "replies", rReplies, kReplies)
	if !sameLines(t, "monitor stream lines", strings.Split(rStream, "\n"), strings.Split(kStream, "\n")) {
		t.Logf("redis stream:\n%s\nkevy stream:\n%s", rStream, kStream)
	}
}

// TestMonitorUnixSocket: a command sent over a unix socket is shown with
// "unix:" and the socket's path, as Redis shows it.
func TestMonitorUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kevy.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ts := serveOn(t, l, nil)
	m := dialNet(t, "unix", ts.addr)
	m.cmd("MONITOR")
	m.expect("+OK\r\n")
	c := dialNet(t, "unix", ts.addr)
	c.cmd("SELECT", "3")
	c.expect("+OK\r\n")
	c.cmd("GET", "zz")
	c.expect("$-1\r\n")
	want := regexp.MustCompile(`^\+\d+\.\d{6} \[3 unix:` + regexp.QuoteMeta(path) + `\] "GET" "zz"\r\n$`)
	br := bufio.NewReader(m.nc)
	for _, cmd := range []string{"SELECT", "GET"} {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if cmd == "GET" && !want.MatchString(line) {
			t.Errorf("line %q, want %s", line, want)
		}
	}
}

// TestMonitorLifecycle: RESET and QUIT end monitoring, a monitor killed
// with CLIENT KILL or by Shutdown goes away, and a monitor that left is
// no longer fed.
func TestMonitorLifecycle(t *testing.T) {
	ts := startServer(t, nil)
	m := dial(t, ts.addr)
	m.cmd("MONITOR")
	m.expect("+OK\r\n")
	c := dial(t, ts.addr)
	c.cmd("SET", "a", "1")
	c.expect("+OK\r\n")
	br := bufio.NewReader(m.nc)
	if l, _ := br.ReadString('\n'); !strings.HasSuffix(l, `"SET" "a" "1"`+"\r\n") {
		t.Fatalf("line %q", l)
	}
	m.cmd("RESET")
	if l, _ := br.ReadString('\n'); l != "+RESET\r\n" {
		t.Fatalf("RESET: %q", l)
	}
	c.cmd("SET", "a", "2")
	c.expect("+OK\r\n")
	m.cmd("GET", "a") // a normal client again: no line before the reply
	if l, _ := br.ReadString('\n'); l != "$1\r\n" {
		t.Fatalf("after RESET: %q", l)
	}
	br.ReadString('\n')

	// CLIENT KILL closes a monitor waiting for input.
	m2 := dial(t, ts.addr)
	m2.cmd("CLIENT", "ID")
	id := m2.value().Int
	m2.cmd("MONITOR")
	m2.expect("+OK\r\n")
	c.cmd("CLIENT", "KILL", "ID", strconv.FormatInt(id, 10))
	c.expect(":1\r\n")
	m2.expectClosed()
	c.cmd("PING") // nobody monitors: the command path is the plain one
	c.expect("+PONG\r\n")

	// Shutdown closes a monitor waiting for input.
	m3 := dial(t, ts.addr)
	m3.cmd("MONITOR")
	m3.expect("+OK\r\n")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with a monitor: %v", err)
	}
	m3.expectClosed()
}

// TestMonitorSlowConsumer: a monitor that does not read is disconnected
// once its backlog would exceed Config.MonitorBufferLimit, and the
// clients it monitors are never slowed down or blocked by it.
func TestMonitorSlowConsumer(t *testing.T) {
	const limit = 64 << 10
	ts := startServer(t, &server.Config{MonitorBufferLimit: limit})
	m := dial(t, ts.addr)
	if tc, ok := m.nc.(*net.TCPConn); ok {
		tc.SetReadBuffer(4096) // fill the socket quickly
	}
	m.cmd("MONITOR")
	m.expect("+OK\r\n")
	c := dial(t, ts.addr)
	value := strings.Repeat("v", 1000)
	const n = 20000 // about 20 MB of lines, far over the limit and the socket buffers
	start := time.Now()
	batch := make([]byte, 0, 100*1100)
	for i := 0; i < n; i += 100 {
		batch = batch[:0]
		for j := range 100 {
			batch = resp.AppendCommandString(batch, "SET", "k"+strconv.Itoa(i+j), value)
		}
		c.send(string(batch))
		c.expect(strings.Repeat("+OK\r\n", 100))
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("%d SETs took %v with a stalled monitor", n, d)
	}
	// The server closed the monitor: CLIENT LIST shows the producer
	// alone. (Whether the stalled client then sees the end of its stream
	// depends on the kernel's handling of the unsent data.)
	for deadline := time.Now().Add(10 * time.Second); ; {
		c.cmd("CLIENT", "LIST")
		if list := string(c.value().Str); strings.Count(list, "\n") == 1 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the stalled monitor is still connected:\n%s", list)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// What it can still read is bounded by the socket buffers and its
	// queue, far less than what it was sent.
	m.nc.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	got := 0
	buf := make([]byte, 64<<10)
	for {
		k, err := m.nc.Read(buf)
		got += k
		if err != nil {
			break
		}
	}
	if got >= n*1000/2 {
		t.Errorf("the monitor received %d bytes of about %d", got, n*1050)
	}
	c.cmd("DBSIZE")
	c.expect(":" + strconv.Itoa(n) + "\r\n")
}

// TestMonitorAllocs: without a monitor, serving a command allocates
// nothing more than the engine does (the MONITOR hook is one atomic
// load); a monitor costs one allocation per command shown, its line.
func TestMonitorAllocs(t *testing.T) {
	ts := startServer(t, nil)
	lb := newLoopback(t, ts)
	req := resp.AppendCommandString(nil, "SET", "key", "value")
	lb.roundTrip(t, req, 5)
	engine := engineAllocs(ts, "SET", "key", "value")
	none := testing.AllocsPerRun(2000, func() { lb.roundTrip(t, req, 5) })
	if !raceEnabled() && none > engine+0.05 { // the race detector's runtime allocates more
		t.Errorf("no monitor: %.2f allocations per command, engine %.2f", none, engine)
	}
	m := dial(t, ts.addr)
	m.cmd("MONITOR")
	m.expect("+OK\r\n")
	go func() { // keep the monitor's socket drained
		buf := make([]byte, 64<<10)
		for {
			if _, err := m.nc.Read(buf); err != nil {
				return
			}
		}
	}()
	lb.roundTrip(t, req, 5)
	extra := 1.05
	if raceEnabled() {
		extra = 2.05 // the race detector's runtime allocates more
	}
	if got := testing.AllocsPerRun(2000, func() { lb.roundTrip(t, req, 5) }); got > none+extra {
		t.Errorf("with a monitor: %.2f allocations per command, %.2f without", got, none)
	}
}

// BenchmarkMonitor measures a SET round trip without a monitor, and with
// one reading everything.
func BenchmarkMonitor(b *testing.B) {
	for _, withMonitor := range []bool{false, true} {
		name := "none"
		if withMonitor {
			name = "one"
		}
		b.Run(name, func(b *testing.B) {
			ts := startServer(b, nil)
			lb := newLoopback(b, ts)
			if withMonitor {
				nc, err := net.Dial("tcp", ts.addr)
				if err != nil {
					b.Fatal(err)
				}
				defer nc.Close()
				nc.Write(resp.AppendCommandString(nil, "MONITOR"))
				go func() {
					buf := make([]byte, 64<<10)
					for {
						if _, err := nc.Read(buf); err != nil {
							return
						}
					}
				}()
			}
			req := resp.AppendCommandString(nil, "SET", "key", "value")
			lb.roundTrip(b, req, 5)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				lb.roundTrip(b, req, 5)
			}
		})
	}
}
