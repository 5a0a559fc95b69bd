package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/server"
)

// pipeListener is a net.Listener over in-memory pipes.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

func (l *pipeListener) dial() (net.Conn, error) {
	c, s := net.Pipe()
	select {
	case l.conns <- s:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// FuzzConn feeds arbitrary bytes to a connection: the server must answer
// or close, never panic, and keep serving other connections.
func FuzzConn(f *testing.F) {
	for _, s := range []string{
		"PING\r\n", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "SET k v\r\nGET k\r\n", "HELLO 3\r\nGET x\r\n",
		"HELLO 3 AUTH default x SETNAME n\r\n", "CLIENT SETNAME a\r\nCLIENT GETNAME\r\n", "CLIENT SETINFO lib-ver 1\r\n",
		"*a\r\n", "*1\r\n$x\r\n", "\"abc\r\n", "QUIT\r\nPING\r\n", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nval",
		"SET k v EX 10\r\n", "CLIENT HELP\r\n",
	} {
		f.Add([]byte(s))
	}
	var logs lockedBuffer
	db, err := kevy.Open("", &kevy.Options{ManualExpiry: true})
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	srv := server.New(db, &server.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	l := newPipeListener()
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := l.dial()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(2 * time.Second)) // input may end inside a bulk
		go func() {
			c.Write(in)
			c.Write([]byte("\r\n*1\r\n$4\r\nQUIT\r\n"))
		}()
		io.Copy(io.Discard, c)
		if strings.Contains(logs.String(), "panic") {
			t.Fatalf("server panicked on %q:\n%s", in, logs.String())
		}
	})
}
