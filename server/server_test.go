package server_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/resp"
	"github.com/kevydb/kevy/server"
)

// testServer is a server on a loopback port with its database.
type testServer struct {
	srv    *server.Server
	db     *kevy.DB
	addr   string
	served chan error // Serve's result
}

// startServer starts a server for a fresh in-memory database. The
// cleanup shuts it down and checks that Serve returned ErrServerClosed.
func startServer(t testing.TB, cfg *server.Config) *testServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, l, cfg)
}

func serveOn(t testing.TB, l net.Listener, cfg *server.Config) *testServer {
	t.Helper()
	db, err := kevy.Open("", &kevy.Options{ManualExpiry: true})
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{srv: server.New(db, cfg), db: db, addr: l.Addr().String(), served: make(chan error, 1)}
	go func() { ts.served <- ts.srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := ts.srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-ts.served; err != server.ErrServerClosed {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
		db.Close()
	})
	return ts
}

// client is a raw RESP connection.
type client struct {
	t  *testing.T
	nc net.Conn
	r  *resp.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	return dialNet(t, "tcp", addr)
}

func dialNet(t *testing.T, network, addr string) *client {
	t.Helper()
	nc, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	return &client{t: t, nc: nc, r: resp.NewReader(nc, 0)}
}

func (c *client) send(raw string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, raw); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *client) cmd(args ...string) {
	c.t.Helper()
	if _, err := c.nc.Write(resp.AppendCommandString(nil, args...)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// expect reads exactly len(want) bytes and compares them with want.
func (c *client) expect(want string) {
	c.t.Helper()
	got := make([]byte, len(want))
	n, err := io.ReadFull(c.nc, got)
	if err != nil || string(got) != want {
		c.t.Fatalf("read %q (err %v), want %q", got[:n], err, want)
	}
}

// expectClosed checks that the server closed the connection: the next
// read returns EOF (or a reset) without data.
func (c *client) expectClosed() {
	c.t.Helper()
	var b [64]byte
	n, err := c.nc.Read(b[:])
	if n != 0 || err == nil {
		c.t.Fatalf("read %q, %v; want the connection closed", b[:n], err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.t.Fatalf("timeout waiting for the server to close the connection")
	}
}

// value reads one reply.
func (c *client) value() resp.Value {
	c.t.Helper()
	v, err := c.r.ReadValue()
	if err != nil {
		c.t.Fatalf("read reply: %v", err)
	}
	return v
}

// waitGoroutines waits until the number of goroutines is back to at most
// base, failing after a few seconds.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), base, buf)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPing(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	c.cmd("PING")
	c.expect("+PONG\r\n")
	c.send("ping hello\r\n")
	c.expect("$5\r\nhello\r\n")
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"set", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", "+OK\r\n"},
		{"get", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "$1\r\nv\r\n"},
		{"get missing", "*2\r\n$3\r\nget\r\n$7\r\nmissing\r\n", "$-1\r\n"},
		{"binary value", "*3\r\n$3\r\nSET\r\n$2\r\nbk\r\n$4\r\na\r\nb\r\nGET bk\r\n", "+OK\r\n$4\r\na\r\nb\r\n"},
		{"inline", "SET a b\r\nGET a\r\n", "+OK\r\n$1\r\nb\r\n"},
		{"inline LF only", "GET a\n", "$1\r\nb\r\n"},
		{"inline quoted", "SET \"x y\" 'z\\'s'\r\nGET \"x\\x20y\"\r\n", "+OK\r\n$3\r\nz's\r\n"},
		{"empty lines skipped", "\r\n\r\nGET a\r\n", "$1\r\nb\r\n"},
		{"empty multibulk skipped", "*0\r\n*-1\r\nGET a\r\n", "$1\r\nb\r\n"},
		{"unknown command", "NOSUCH a\r\n", "-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n"},
		{"arity", "GET\r\n", "-ERR wrong number of arguments for 'get' command\r\n"},
		{"error keeps connection", "SET k\r\nGET k\r\n", "-ERR wrong number of arguments for 'set' command\r\n$1\r\nv\r\n"},
	}
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			c.send(tc.in)
			c.expect(tc.want)
		})
	}
}

func TestPipeline(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	const n = 1000
	var req []byte
	var want bytes.Buffer
	for i := range n {
		k, v := "key:"+strconv.Itoa(i), "value-"+strconv.Itoa(i)
		req = resp.AppendCommandString(req, "SET", k, v)
		req = resp.AppendCommandString(req, "GET", k)
		fmt.Fprintf(&want, "+OK\r\n$%d\r\n%s\r\n", len(v), v)
	}
	if _, err := c.nc.Write(req); err != nil {
		t.Fatal(err)
	}
	c.expect(want.String())
	if v, err := ts.db.Get("key:999"); err != nil || string(v) != "value-999" {
		t.Fatalf("Get key:999 = %q, %v", v, err)
	}
}

// countingListener hands out connections that count their writes and
// the reads that returned data.
type countingListener struct {
	net.Listener
	reads, writes atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: nc, l: l}, nil
}

type countingConn struct {
	net.Conn
	l *countingListener
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.l.reads.Add(1)
	}
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.l.writes.Add(1)
	return c.Conn.Write(p)
}

// TestPipelineOneWritePerBatch checks that replies to pipelined commands
// are written once per batch read, not once per command.
func TestPipelineOneWritePerBatch(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: l}
	ts := serveOn(t, cl, nil)
	c := dial(t, ts.addr)
	const n = 1000
	var req []byte
	for range n {
		req = resp.AppendCommandString(req, "GET", "k")
	}
	c.send("SET k v\r\n")
	c.expect("+OK\r\n")
	if _, err := c.nc.Write(req); err != nil {
		t.Fatal(err)
	}
	c.expect(strings.Repeat("$1\r\nv\r\n", n))
	reads, writes := cl.reads.Load(), cl.writes.Load()
	// Every write flushes the replies to the commands of at least one
	// read.
	if writes > reads || writes > 1+int64(len(req))/1024 {
		t.Fatalf("%d writes for %d reads (%d commands)", writes, reads, n+1)
	}
}

func TestHello(t *testing.T) {
	hello := func(proto int, id string) string {
		body := "$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n" +
			"$5\r\nproto\r\n:" + strconv.Itoa(proto) + "\r\n$2\r\nid\r\n:" + id + "\r\n" +
			"$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"
		if proto == 3 {
			return "%7\r\n" + body
		}
		return "*14\r\n" + body
	}
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	c.send("CLIENT ID\r\n")
	v := c.value()
	id := strconv.FormatInt(v.Int, 10)
	if v.Kind != resp.KindInteger || v.Int <= 0 {
		t.Fatalf("CLIENT ID = %+v", v)
	}
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"no args keeps RESP2", "HELLO\r\n", hello(2, id)},
		{"RESP2 null", "GET missing\r\n", "$-1\r\n"},
		{"not an integer", "HELLO abc\r\n", "-ERR Protocol version is not an integer or out of range\r\n"},
		{"leading zero", "HELLO 03\r\n", "-ERR Protocol version is not an integer or out of range\r\n"},
		{"version 1", "HELLO 1\r\n", "-NOPROTO unsupported protocol version\r\n"},
		{"version 4 checked before options", "HELLO 4 FOO\r\n", "-NOPROTO unsupported protocol version\r\n"},
		{"bad option", "HELLO 3 FOO\r\n", "-ERR Syntax error in HELLO option 'FOO'\r\n"},
		{"setname without name", "HELLO 3 SETNAME\r\n", "-ERR Syntax error in HELLO option 'SETNAME'\r\n"},
		{"auth without password", "HELLO 3 AUTH default\r\n", "-ERR Syntax error in HELLO option 'AUTH'\r\n"},
		{"bad name", "HELLO 3 SETNAME \"a b\"\r\n", "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"},
		{"wrong user", "HELLO 3 AUTH bob secret\r\n", "-WRONGPASS invalid username-password pair or user is disabled.\r\n"},
		{"errors leave RESP2", "GET missing\r\n", "$-1\r\n"},
		{"setname applies before a later error", "HELLO 2 SETNAME early FOO\r\nCLIENT GETNAME\r\n",
			"-ERR Syntax error in HELLO option 'FOO'\r\n$5\r\nearly\r\n"},
		{"switch to RESP3", "HELLO 3\r\n", hello(3, id)},
		{"RESP3 null", "GET missing\r\n", "_\r\n"},
		{"RESP3 bulk", "SET k v\r\nGET k\r\n", "+OK\r\n$1\r\nv\r\n"},
		{"RESP3 error", "GET\r\n", "-ERR wrong number of arguments for 'get' command\r\n"},
		{"auth default and setname", "hello 3 auth default anything setname app\r\nCLIENT GETNAME\r\n",
			hello(3, id) + "$3\r\napp\r\n"},
		{"back to RESP2", "HELLO 2\r\nGET missing\r\n", hello(2, id) + "$-1\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			c.send(tc.in)
			c.expect(tc.want)
		})
	}
}

func TestClientCommand(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	c.send("CLIENT ID\r\n")
	id := c.value().Int
	c2 := dial(t, ts.addr)
	c2.send("client id\r\n")
	if id2 := c2.value().Int; id2 == id || id2 <= 0 {
		t.Fatalf("client ids %d and %d", id, id2)
	}
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"id", "CLIENT ID\r\n", ":" + strconv.FormatInt(id, 10) + "\r\n"},
		{"no name", "CLIENT GETNAME\r\n", "$-1\r\n"},
		{"setname", "CLIENT SETNAME worker-1\r\nclient getname\r\n", "+OK\r\n$8\r\nworker-1\r\n"},
		{"bad name", "CLIENT SETNAME \"a b\"\r\n", "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"},
		{"bad name control", "CLIENT SETNAME \"\\x01\"\r\n", "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"},
		{"name kept after error", "CLIENT GETNAME\r\n", "$8\r\nworker-1\r\n"},
		{"clear name", "CLIENT SETNAME \"\"\r\nCLIENT GETNAME\r\n", "+OK\r\n$-1\r\n"},
		{"setinfo lib-name", "CLIENT SETINFO LIB-NAME go-redis(,go1.26)\r\n", "+OK\r\n"},
		{"setinfo lib-ver", "CLIENT SETINFO lib-ver 9.7.0\r\n", "+OK\r\n"},
		{"setinfo bad attr", "CLIENT SETINFO foo x\r\n", "-ERR Unrecognized option 'foo'\r\n"},
		{"setinfo bad value", "CLIENT SETINFO lib-ver \"1 2\"\r\n", "-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n"},
		{"no subcommand", "CLIENT\r\n", "-ERR wrong number of arguments for 'client' command\r\n"},
		{"unknown", "CLIENT foo bar\r\n", "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n"},
		{"id arity", "CLIENT ID x\r\n", "-ERR wrong number of arguments for 'client|id' command\r\n"},
		{"getname arity", "CLIENT GETNAME x\r\n", "-ERR wrong number of arguments for 'client|getname' command\r\n"},
		{"setname arity", "CLIENT SETNAME\r\nCLIENT SETNAME a b\r\n",
			"-ERR wrong number of arguments for 'client|setname' command\r\n-ERR wrong number of arguments for 'client|setname' command\r\n"},
		{"setinfo arity", "CLIENT SETINFO lib-name\r\n", "-ERR wrong number of arguments for 'client|setinfo' command\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			c.send(tc.in)
			c.expect(tc.want)
		})
	}
	c.t = t
	c.send("CLIENT HELP\r\n")
	v := c.value()
	if v.Kind != resp.KindArray || len(v.Elems) < 2 || !strings.HasPrefix(string(v.Elems[0].Str), "CLIENT <subcommand>") {
		t.Fatalf("CLIENT HELP = %+v", v)
	}
}

func TestQuit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"quit", "QUIT\r\n", "+OK\r\n"},
		{"with args", "quit now please\r\n", "+OK\r\n"},
		{"pipelined after a command", "SET a 1\r\nQUIT\r\nSET b 2\r\n", "+OK\r\n+OK\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, nil)
			c := dial(t, ts.addr)
			c.send(tc.in)
			c.expect(tc.want)
			c.expectClosed()
			if _, err := ts.db.Get("b"); !errors.Is(err, kevy.ErrNil) {
				t.Fatalf("command after QUIT ran: %v", err)
			}
		})
	}
}

func TestProtocolError(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"bad multibulk length", "*a\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"bad bulk length", "SET k 1\r\n*1\r\n$x\r\n", "+OK\r\n-ERR Protocol error: invalid bulk length\r\n"},
		{"expected dollar", "*1\r\nfoo\r\n", "-ERR Protocol error: expected '$', got 'f'\r\n"},
		{"unbalanced quotes", "SET k 1\r\nGET k\r\n\"abc\r\n", "+OK\r\n$1\r\n1\r\n-ERR Protocol error: unbalanced quotes in request\r\n"},
		{"negative bulk length", "*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"too big inline", strings.Repeat("a", 70*1024), "-ERR Protocol error: too big inline request\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, nil)
			c := dial(t, ts.addr)
			c.send(tc.in)
			c.expect(tc.want)
			c.expectClosed()
			// The server is still fine.
			c2 := dial(t, ts.addr)
			c2.send("GET k\r\n")
			c2.value()
		})
	}
}

func TestClientDisconnectMidFrame(t *testing.T) {
	base := runtime.NumGoroutine()
	ts := startServer(t, nil)
	frames := []string{
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nval",
		"*3\r\n$3\r\nSET\r\n$1\r\nk",
		"*3\r\n",
		"SET k v",
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n" + strings.Repeat("x", 50000),
	}
	for _, f := range frames {
		// Half-close: the server sees EOF mid-frame and must close.
		c := dial(t, ts.addr)
		c.send(f)
		c.nc.(*net.TCPConn).CloseWrite()
		c.expectClosed()
		// Full close without waiting.
		c2 := dial(t, ts.addr)
		c2.send(f)
		c2.nc.Close()
	}
	c := dial(t, ts.addr)
	c.send("GET k\r\n")
	c.expect("$-1\r\n")
	c.nc.Close()
	// All connection goroutines end (the database and server goroutines
	// remain: Serve and the database's clock).
	waitGoroutines(t, base+3)
}

func TestShutdown(t *testing.T) {
	base := runtime.NumGoroutine()
	db, err := kevy.Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(db, nil)
	if srv.Addr() != nil {
		t.Fatalf("Addr before Serve = %v", srv.Addr())
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	var clients []*client
	for range 5 {
		c := dial(t, l.Addr().String())
		c.send("SET k v\r\n")
		c.expect("+OK\r\n")
		clients = append(clients, c)
	}
	if got := srv.Addr(); got == nil || got.String() != l.Addr().String() {
		t.Fatalf("Addr = %v, want %v", got, l.Addr())
	}
	// One client has a partial command pending.
	clients[0].send("*2\r\n$3\r\nGET")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-served; err != server.ErrServerClosed {
		t.Fatalf("Serve = %v", err)
	}
	for _, c := range clients {
		c.expectClosed()
	}
	if _, err := net.Dial("tcp", l.Addr().String()); err == nil {
		t.Fatal("listener still accepting after Shutdown")
	}
	if err := srv.Serve(l); err != server.ErrServerClosed {
		t.Fatalf("Serve after Shutdown = %v", err)
	}
	if err := srv.ListenAndServe("tcp", "127.0.0.1:0"); err != server.ErrServerClosed {
		t.Fatalf("ListenAndServe after Shutdown = %v", err)
	}
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
	db.Close()
	waitGoroutines(t, base)
}

// TestShutdownFinishesBufferedCommands checks that commands already
// received are executed and answered before the connection closes.
func TestShutdownFinishesBufferedCommands(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	c.send("SET a 1\r\nSET b 2\r\nGET a\r\n")
	c.expect("+OK\r\n+OK\r\n$1\r\n1\r\n")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	c.expectClosed()
}

// TestShutdownDeadline checks that Shutdown closes connections that do
// not finish in time, here one blocked writing replies its client never
// reads.
func TestShutdownDeadline(t *testing.T) {
	base := runtime.NumGoroutine()
	db, err := kevy.Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Set("big", bytes.Repeat([]byte("x"), 1<<20)); err != nil {
		t.Fatal(err)
	}
	srv := server.New(db, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	c := dial(t, l.Addr().String())
	c.send(strings.Repeat("GET big\r\n", 64)) // 64 MB of replies, never read
	time.Sleep(50 * time.Millisecond)         // let the server block on the write
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); err != context.DeadlineExceeded {
		t.Fatalf("Shutdown = %v, want DeadlineExceeded", err)
	}
	if err := <-served; err != server.ErrServerClosed {
		t.Fatalf("Serve = %v", err)
	}
	c.nc.Close()
	db.Close()
	waitGoroutines(t, base)
}

func TestClose(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	c.send("SET k v\r\n")
	c.expect("+OK\r\n")
	if err := ts.srv.Close(); err != nil {
		t.Fatal(err)
	}
	c.expectClosed()
}

func TestMaxClients(t *testing.T) {
	ts := startServer(t, &server.Config{MaxClients: 2})
	a, b := dial(t, ts.addr), dial(t, ts.addr)
	for _, c := range []*client{a, b} {
		c.send("GET k\r\n")
		c.expect("$-1\r\n")
	}
	c := dial(t, ts.addr)
	c.expect("-ERR max number of clients reached\r\n")
	c.expectClosed()
	a.send("QUIT\r\n")
	a.expect("+OK\r\n")
	a.expectClosed()
	// The slot frees up once the server has finished with a.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c := dial(t, ts.addr)
		c.send("GET k\r\n")
		v, err := c.r.ReadValue()
		if err == nil && v.Kind == resp.KindBulk && v.Null {
			break
		}
		if err == nil && v.Kind != resp.KindError {
			t.Fatalf("unexpected reply %+v", v)
		}
		if time.Now().After(deadline) {
			t.Fatalf("still refused after a client left: %+v %v", v, err)
		}
		c.nc.Close()
		time.Sleep(10 * time.Millisecond)
	}
}

func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, &server.Config{IdleTimeout: 100 * time.Millisecond})
	c := dial(t, ts.addr)
	c.send("SET k v\r\n")
	c.expect("+OK\r\n")
	start := time.Now()
	c.expectClosed()
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("closed after %v, before the idle timeout", d)
	}
}

func TestUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kevy.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Skipf("unix sockets unavailable: %v", err)
	}
	ts := serveOn(t, l, nil)
	c := dialNet(t, "unix", path)
	c.send("SET k v\r\nGET k\r\n")
	c.expect("+OK\r\n$1\r\nv\r\n")
	if a := ts.srv.Addr(); a == nil || a.String() != path {
		t.Fatalf("Addr = %v", a)
	}
}

func TestListenAndServe(t *testing.T) {
	db, err := kevy.Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := server.New(db, nil)
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe("tcp", "127.0.0.1:0") }()
	var addr net.Addr
	for deadline := time.Now().Add(5 * time.Second); addr == nil; {
		if addr = srv.Addr(); addr == nil {
			if time.Now().After(deadline) {
				t.Fatal("server did not start")
			}
			time.Sleep(time.Millisecond)
		}
	}
	c := dial(t, addr.String())
	c.send("SET k v\r\n")
	c.expect("+OK\r\n")
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != server.ErrServerClosed {
		t.Fatalf("ListenAndServe = %v", err)
	}
	if err := srv.ListenAndServe("tcp", "256.0.0.1:bad"); err != server.ErrServerClosed {
		t.Fatalf("ListenAndServe after Shutdown = %v", err)
	}
}

func TestLargeValues(t *testing.T) {
	ts := startServer(t, &server.Config{ReadBufferSize: 512, WriteBufferSize: 512})
	c := dial(t, ts.addr)
	big := strings.Repeat("0123456789", 300_000) // 3 MB
	var req []byte
	for i := range 4 {
		req = resp.AppendCommandString(req, "SET", "big"+strconv.Itoa(i), big)
		req = resp.AppendCommandString(req, "GET", "big"+strconv.Itoa(i))
	}
	go c.nc.Write(req) // the replies have to be read while writing
	for range 4 {
		if v := c.value(); string(v.Str) != "OK" {
			t.Fatalf("SET = %+v", v)
		}
		if v := c.value(); string(v.Str) != big {
			t.Fatalf("GET returned %d bytes", len(v.Str))
		}
	}
}

func TestConcurrentClients(t *testing.T) {
	ts := startServer(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nc, err := net.Dial("tcp", ts.addr)
			if err != nil {
				errs <- err
				return
			}
			defer nc.Close()
			r := resp.NewReader(nc, 0)
			for j := range 200 {
				k, v := fmt.Sprintf("c%d:%d", i, j), strconv.Itoa(j)
				nc.Write(resp.AppendCommandString(resp.AppendCommandString(nil, "SET", k, v), "GET", k))
				ok, err1 := r.ReadValue()
				got, err2 := r.ReadValue()
				if err1 != nil || err2 != nil || string(ok.Str) != "OK" || string(got.Str) != v {
					errs <- fmt.Errorf("client %d: %+v %+v %v %v", i, ok, got, err1, err2)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n, err := ts.db.Do(context.Background(), "GET", "c15:199"); err != nil || n.String() != "199" {
		t.Fatalf("GET c15:199 = %v, %v", n, err)
	}
}

// TestRedisCLI runs the real redis-cli against the server.
func TestRedisCLI(t *testing.T) {
	bin, err := exec.LookPath("redis-cli")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-cli is required in CI: %v", err)
		}
		t.Skip("redis-cli not installed")
	}
	ts := startServer(t, nil)
	host, port, _ := net.SplitHostPort(ts.addr)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "PONG"},
		{[]string{"SET", "greeting", "hello world"}, "OK"},
		{[]string{"GET", "greeting"}, "hello world"},
		{[]string{"GET", "missing"}, ""},
		{[]string{"-3", "GET", "greeting"}, "hello world"},
		{[]string{"GET"}, "ERR wrong number of arguments for 'get' command"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append([]string{"-h", host, "-p", port}, tc.args...)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("redis-cli %v: %v\n%s", args, err, out)
			}
			if got := strings.TrimRight(string(out), "\n"); got != tc.want {
				t.Fatalf("redis-cli %v = %q, want %q", tc.args, got, tc.want)
			}
		})
	}
	// Interactive-style use: several commands on one connection from stdin.
	cmd := exec.Command(bin, "-h", host, "-p", port)
	cmd.Stdin = strings.NewReader("SET a 1\nGET a\nCLIENT SETNAME cli\nCLIENT GETNAME\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli stdin: %v\n%s", err, out)
	}
	if got := string(out); got != "OK\n1\nOK\ncli\n" {
		t.Fatalf("redis-cli stdin output %q", got)
	}
}

// lockedBuffer is a goroutine-safe log sink.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestFuzzishInputNeverKillsServer(t *testing.T) {
	var logs lockedBuffer
	ts := startServer(t, &server.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	inputs := []string{
		"\x00\x01\x02\r\n", "*1\r\n$0\r\n\r\n", "*2\r\n$0\r\n\r\n$0\r\n\r\n", "$5\r\nhello\r\n",
		"*1\r\n$3\r\nGET\r\n", "HELLO 3 AUTH\r\n", "CLIENT SETINFO\r\n", "*-1\r\n", ":1\r\n",
		"*1\r\n$-1\r\n", "*9999999999999999999\r\n", "HELLO 3 SETNAME a SETNAME\r\n", "\r\n",
		"*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$0\r\n\r\n", "*1\r\n$4\r\nQUIT",
	}
	for _, in := range inputs {
		nc, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		nc.Write([]byte(in))
		nc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		io.Copy(io.Discard, bufio.NewReader(nc))
		nc.Close()
	}
	c := dial(t, ts.addr)
	c.send("SET k v\r\nGET k\r\n")
	c.expect("+OK\r\n$1\r\nv\r\n")
	if strings.Contains(logs.String(), "panic") {
		t.Fatalf("panic logged:\n%s", logs.String())
	}
}
