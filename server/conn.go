package server

import (
	"errors"
	"io"
	"net"
	"runtime/debug"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/resp"
)

// flushAt is the amount of pending reply bytes after which replies are
// written even though more pipelined commands are waiting: it bounds the
// memory a client can make the server hold by pipelining large reads
// without reading the replies (four times the default buffer keeps the
// syscall count of ordinary pipelines at one write per batch).
const flushAt = 64 * 1024

// conn is one client connection. Only its own goroutine touches its
// fields, except nc, which Shutdown and Close use to interrupt it.
type conn struct {
	srv  *Server
	nc   net.Conn
	r    *resp.Reader
	w    *resp.Writer
	sess *kevy.Session
	id   int64

	// Client metadata (CLIENT SETNAME, CLIENT SETINFO, HELLO SETNAME).
	name    string
	libName string
	libVer  string
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{
		srv:  s,
		nc:   nc,
		sess: s.db.NewSession(),
		id:   s.nextID.Add(1),
	}
	c.r = resp.NewReader(c, s.cfg.ReadBufferSize)
	c.w = resp.NewWriter(nc, s.cfg.WriteBufferSize)
	return c
}

// errShutdown stops the read loop of a connection when the server shuts
// down.
var errShutdown = errors.New("server shutting down")

// Read is the source of the connection's resp.Reader, which calls it only
// when it needs more input: the replies to everything read so far are
// flushed first, so a pipelined batch is answered with one write and a
// client waiting for a reply is never left waiting. It also applies the
// idle timeout and stops reading once the server shuts down.
func (c *conn) Read(p []byte) (int, error) {
	if c.w.Buffered() > 0 {
		if err := c.w.Flush(); err != nil {
			return 0, err
		}
	}
	if d := c.srv.cfg.IdleTimeout; d > 0 {
		c.nc.SetReadDeadline(time.Now().Add(d))
	}
	// Checked after setting the deadline: Shutdown sets the flag before
	// moving the deadline to the past, so one of the two is seen.
	if c.srv.shutdown.Load() {
		return 0, errShutdown
	}
	return c.nc.Read(p)
}

// serve runs the connection until the client leaves, QUIT, a protocol
// error, an I/O error or the server's shutdown.
func (c *conn) serve() {
	defer c.srv.removeConn(c)
	defer c.nc.Close()
	defer func() {
		if v := recover(); v != nil {
			c.srv.log.Error("kevy server: panic serving connection; closing it",
				"client", c.id, "remote", remoteAddr(c.nc), "panic", v, "stack", string(debug.Stack()))
		}
	}()
	for {
		args, err := c.r.ReadCommand()
		if err != nil {
			c.readFailed(err)
			return
		}
		if !c.exec(args) {
			c.w.Flush()
			return
		}
		if c.w.Buffered() >= flushAt {
			if c.w.Flush() != nil {
				return
			}
		}
	}
}

// readFailed ends the connection after ReadCommand failed: a protocol
// error is answered the way Redis does, anything else (client gone, idle
// timeout, shutdown) closes quietly after flushing pending replies.
func (c *conn) readFailed(err error) {
	var pe *resp.ProtocolError
	if errors.As(err, &pe) {
		c.w.Error("ERR " + pe.Error())
		c.srv.log.Debug("kevy server: protocol error; closing connection",
			"client", c.id, "remote", remoteAddr(c.nc), "err", pe.Error())
	}
	c.w.Flush()
}

// exec runs one command and reports whether the connection stays open.
// Commands acting on the connection itself are handled here; the rest go
// to the session.
func (c *conn) exec(args [][]byte) bool {
	name := args[0]
	switch len(name) {
	case 4:
		if command.EqualFold(name, "quit") {
			c.w.SimpleString("OK")
			return false
		}
	case 5:
		if command.EqualFold(name, "hello") {
			c.hello(args)
			return true
		}
	case 6:
		if command.EqualFold(name, "client") {
			c.client(args)
			return true
		}
	}
	c.sess.Exec(args, c.w)
	return true
}

func remoteAddr(nc net.Conn) string {
	if a := nc.RemoteAddr(); a != nil {
		return a.String()
	}
	return ""
}

// Compile-time checks: the connection is its reader's source, and the
// RESP writer is what sessions reply to.
var (
	_ io.Reader        = (*conn)(nil)
	_ kevy.ReplyWriter = (*resp.Writer)(nil)
)
