package server

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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

// conn is one client connection. Its goroutine owns the fields not marked
// otherwise; other connections read the shared ones for CLIENT LIST and
// CLIENT KILL, and Shutdown and Close use nc to interrupt it.
type conn struct {
	srv  *Server
	nc   net.Conn
	r    *resp.Reader
	w    *resp.Writer
	sess *kevy.Session
	// The engine behind sess, for commands dispatch has looked up
	// (command.Engine.ExecCommand), and the flag set when its database
	// closes.
	eng      *command.Engine
	esess    *command.Session
	deadline bool // an idle timeout's read deadline is set
	// tlsReady is set once a TLS connection completed its handshake
	// (conn.handshake), which Server.wakeReaders must not interrupt.
	tlsReady atomic.Bool
	dbClosed *atomic.Bool
	id       int64
	idle     idleRead // reads that give the buffers back while waiting (idle.go)

	// Fixed at creation.
	created     time.Time
	fd          int    // -1 when the transport has none
	addr, laddr string // as CLIENT LIST shows them
	unixSocket  bool

	// Owned by the connection's goroutine.
	out      *resp.Writer // where the current command's reply goes: w, or a discarding writer
	discard  *resp.Writer // lazily made, for CLIENT REPLY OFF and SKIP
	authed   bool
	replyOff bool // CLIENT REPLY OFF
	skipNext bool // CLIENT REPLY SKIP was just run: skip the next reply
	skipThis bool // the current command's reply is skipped
	curDB    int
	cur      *command.Command // last value stored in lastCmd

	// Blocking commands and transactions (block.go).
	ctx         context.Context // cancelled on disconnect, CLIENT KILL, shutdown, CLIENT UNBLOCK
	bw          blockWriter
	bg          bgRead
	runQueuedFn func(args [][]byte, w kevy.ReplyWriter)
	closeAfter  bool // a command queued by MULTI closed the connection (CLIENT KILL of itself, QUIT)
	lastMulti   int  // last value stored in multi

	// queuedStart is when EXEC started its current queued command
	// (exec_hook.go), in monoNow's time.
	queuedStart int64
	// clock is the monoNow reading of the end of the last command or of
	// the last read of input, whichever is later: the start of the next
	// command for the slow log.
	clock int64

	// Shared, written only by the connection's goroutine.
	lastIO  atomic.Int64 // monoNow of the last read that returned data
	lastCmd atomic.Pointer[command.Command]
	multi   atomic.Int32 // commands queued by MULTI, -1 outside MULTI
	db      atomic.Int32
	proto   atomic.Int32

	// user is the authenticated user, nil for "default" (acl.go).
	user atomic.Pointer[aclUser]

	// ps is the pub/sub state, set by the first subscription (pubsub.go).
	ps atomic.Pointer[connPubSub]
	// mon is the MONITOR state (monitor.go), owned by the goroutine; nil
	// until the connection runs a command while monitors are active.
	mon *connMonitor

	killed    atomic.Bool
	closing   chan struct{} // closed by kill
	closeOnce sync.Once

	mu      sync.Mutex // guards the metadata below for readers; the goroutine writes under it
	name    string     // CLIENT SETNAME, HELLO SETNAME
	libName string     // CLIENT SETINFO
	libVer  string
	noEvict bool
	noTouch bool
	blocked bool                    // waiting in a blocking command (CLIENT UNBLOCK, CLIENT LIST)
	cancel  context.CancelCauseFunc // cancels ctx; replaced (by the goroutine) after CLIENT UNBLOCK
}

func newConn(s *Server, nc net.Conn) *conn {
	now := time.Now()
	c := &conn{
		srv:     s,
		nc:      nc,
		sess:    s.db.NewSession(),
		id:      s.nextID.Add(1),
		created: now,
		fd:      connFD(nc),
		authed:  !s.authRequired(),
		closing: make(chan struct{}),
	}
	c.addr, c.laddr, c.unixSocket = connAddrs(nc)
	c.r = resp.NewReader(c, s.cfg.ReadBufferSize)
	c.initIdleRead()
	var out io.Writer = nc
	if c.idle.raw != nil {
		if w := newRawWriter(c.idle.raw); w != nil {
			out = w
		}
	}
	c.w = resp.NewWriter(out, s.cfg.WriteBufferSize)
	c.r.AuthRequired = !c.authed
	c.out = c.w
	c.bw.c = c
	c.runQueuedFn = c.runQueued
	c.bindSession(c.sess)
	c.initContext()
	c.lastMulti = -1
	c.multi.Store(-1)
	c.proto.Store(2)
	c.clock = monoNow()
	c.lastIO.Store(c.clock)
	return c
}

// bindSession makes s the connection's session: EXEC calls the
// connection around each queued command (exec_hook.go), and dispatch runs
// commands through s's engine.
func (c *conn) bindSession(s *kevy.Session) {
	c.sess = s
	s.SetQueuedHook(c)
	c.eng, c.esess, c.dbClosed = command.PublicSession(s)
	c.esess.Settings = c.srv.settings
	if c.w.OnError == nil {
		c.w.OnError = c.eng.CountError // INFO errorstats
	}
}

// idleRearm is called when a read's deadline passed. It reports whether
// the connection may go on waiting for input, re-arming the deadline,
// because the idle timeout did not in fact expire: CONFIG SET timeout
// changed it since the deadline was set, or woke the read to apply a
// new one (Server.wakeReaders). It reports false on shutdown.
func (c *conn) idleRearm() bool {
	if c.srv.shutdown.Load() {
		return false
	}
	if _, ok := c.nc.(*tls.Conn); ok && !c.tlsReady.Load() {
		return false // a timeout in the handshake is final in crypto/tls
	}
	d := time.Duration(c.srv.idleTimeout.Load())
	if ps := c.ps.Load(); d == 0 || (ps != nil && ps.subscribed()) {
		c.clearDeadline()
		return !c.srv.shutdown.Load() // Shutdown sets the flag, then the deadline
	}
	// Idle since the last input or the end of the last command (its
	// reply), whichever is later, as Redis's lastinteraction.
	left := d - time.Duration(monoNow()-max(c.lastIO.Load(), c.clock))
	if left <= 0 {
		return false
	}
	c.nc.SetReadDeadline(time.Now().Add(left))
	c.deadline = true
	return !c.srv.shutdown.Load()
}

// clearDeadline removes the idle timeout's read deadline.
func (c *conn) clearDeadline() {
	c.nc.SetReadDeadline(time.Time{})
	c.deadline = false
}

// connFD returns the file descriptor of a socket connection, or -1.
func connFD(nc net.Conn) int {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return -1
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	rc.Control(func(f uintptr) { fd = int(f) })
	return fd
}

// connAddrs formats the peer and local addresses the way CLIENT LIST
// shows them: ip:port for TCP ([ip6]:port), path:0 for unix sockets.
func connAddrs(nc net.Conn) (addr, laddr string, unixSocket bool) {
	format := func(a net.Addr) string {
		switch a := a.(type) {
		case nil:
			return ""
		case *net.UnixAddr:
			unixSocket = true
			return a.Name + ":0"
		}
		return a.String()
	}
	laddr = format(nc.LocalAddr())
	addr = format(nc.RemoteAddr())
	if unixSocket {
		// The peer of a unix socket is usually unnamed: Redis shows the
		// socket's path for both.
		addr = laddr
	}
	return addr, laddr, unixSocket
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
	if c.bg.off < len(c.bg.buf) { // read in the background while a command was blocked
		return c.readBackground(p), nil
	}
	if c.w.Buffered() > 0 {
		if err := c.flush(); err != nil {
			return 0, err
		}
	}
	if c.monitoring() {
		return c.monitorRead(p) // writes the monitor's lines while it waits
	}
	for d := c.srv.idleTimeout.Load(); ; {
		if d > 0 {
			if ps := c.ps.Load(); ps != nil && ps.subscribed() {
				c.clearDeadline() // as in Redis, subscribers never time out
			} else {
				c.nc.SetReadDeadline(time.Now().Add(time.Duration(d)))
				c.deadline = true
			}
		} else if c.deadline {
			c.clearDeadline() // CONFIG SET timeout 0 since the last read
		}
		// A CONFIG SET timeout between the load and the deadline woke
		// the read before the deadline was set: apply the new value.
		if d2 := c.srv.idleTimeout.Load(); d2 != d {
			d = d2
			continue
		}
		break
	}
	// Checked after setting the deadline: Shutdown sets the flag before
	// moving the deadline to the past, so one of the two is seen.
	if c.srv.shutdown.Load() {
		return 0, errShutdown
	}
	ps := c.releaseOutput() // pub/sub messages may be written meanwhile
	n, err := c.readInput(p)
	for n == 0 && err != nil && isTimeout(err) && c.idleRearm() {
		n, err = c.readInput(p)
	}
	acquireOutput(ps)
	c.w.Acquire()
	if n > 0 {
		c.clock = monoNow()
		c.lastIO.Store(c.clock)
	}
	return n, err
}

// handshake completes a TLS connection's handshake before anything is
// read, within the idle timeout if there is one, and reports whether it
// succeeded. Done apart from the reads, it lets CONFIG SET timeout wake
// the connection's reads afterwards (Server.wakeReaders): a timeout
// inside the handshake would be final in crypto/tls.
func (c *conn) handshake(tc *tls.Conn) bool {
	if d := c.srv.idleTimeout.Load(); d > 0 {
		tc.SetDeadline(time.Now().Add(time.Duration(d)))
	}
	// Checked after setting the deadline, as Read does: Shutdown sets
	// the flag, then moves the deadline to the past.
	if c.srv.shutdown.Load() {
		return false
	}
	err := tc.Handshake()
	tc.SetDeadline(time.Time{})
	if err != nil {
		return false
	}
	c.tlsReady.Store(true)
	return true
}

// serve runs the connection until the client leaves, QUIT, CLIENT KILL, a
// protocol error, an I/O error or the server's shutdown.
func (c *conn) serve() {
	defer c.srv.removeConn(c)
	defer func() { c.sess.Close() }() // unwatch its keys, drop an open MULTI
	defer c.cancelWith(errClientGone)
	defer c.nc.Close()
	defer c.closePubSub()
	defer c.stopMonitor()
	defer func() {
		if v := recover(); v != nil {
			c.srv.log.Error("kevy server: panic serving connection; closing it",
				"client", c.id, "remote", c.addr, "panic", v, "stack", string(debug.Stack()))
		}
	}()
	if tc, ok := c.nc.(*tls.Conn); ok && !c.handshake(tc) {
		return
	}
	if c.srv.protectedDenied(c.nc.RemoteAddr()) {
		c.srv.mu.Lock() // counted as refused, not received, as in Redis
		c.srv.accepted--
		c.srv.rejected++
		c.srv.mu.Unlock()
		c.srv.denyLog.log(c.srv.log, "kevy server: protected mode refused a connection from a non-loopback address; set a password or disable protected mode",
			"remote", c.addr)
		c.nc.SetWriteDeadline(time.Now().Add(time.Second))
		c.w.OnError = nil // Redis writes it directly, uncounted
		c.w.Error(wireProtectedMode)
		c.w.Flush()
		return
	}
	for {
		args, err := c.r.ReadCommand()
		if err != nil {
			c.readFailed(err)
			return
		}
		if !c.exec(args) {
			c.flush()
			return
		}
		if c.w.Buffered() >= flushAt {
			if c.flush() != nil {
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
			"client", c.id, "remote", c.addr, "err", pe.Error())
	}
	c.flush()
}

// flush sends the buffered replies, first waiting until the writes they
// acknowledge are durable as the fsync policy requires (appendfsync
// always: one group-committed fsync for a whole pipelined batch). If the
// data cannot be made durable the replies are not sent: the error closes
// the connection, so no client sees an acknowledgement for a lost write.
func (c *conn) flush() error {
	if c.sess.Pending() {
		if err := c.sess.WaitDurable(); err != nil {
			c.srv.log.Error("kevy server: write not durable; closing connection without acknowledging it",
				"client", c.id, "remote", c.addr, "err", err)
			return err
		}
	}
	return c.w.Flush()
}

// exec runs one command and reports whether the connection stays open.
// The checks run in Redis's order: unknown command, arity, authentication,
// client pause. Commands acting on the connection itself are handled
// here; the rest go to the session.
func (c *conn) exec(args [][]byte) bool {
	start := c.w.Buffered() // where this command's reply begins
	c.out = c.w
	if c.replyOff || c.skipThis {
		c.out = c.discardWriter()
	}
	var keep bool
	if c.srv.mon.active() { // one atomic load when nobody monitors
		keep = c.dispatchMonitored(args)
	} else {
		keep = c.dispatch(args)
	}
	// One clock reading per command: the end of this command is the start
	// of the next one (a read of more input takes a new reading).
	t0 := c.clock
	c.clock = monoNow()
	if d, th := time.Duration(c.clock-t0), c.srv.slow.threshold(); th >= 0 && d >= th {
		c.recordSlow(args, d, start)
	}
	if ps := c.ps.Load(); ps != nil && (c.cur == nil || c.cur.Flags&command.FlagBlocking == 0) {
		c.deliverQueued(ps, start) // messages queued meanwhile precede the reply
	}
	if c.closeAfter {
		keep = false
	}
	if c.out != c.w {
		c.out.Flush() // to io.Discard: empties the buffer
	}
	if m := c.sess.MultiLen(); m != c.lastMulti {
		c.lastMulti = m
		c.multi.Store(int32(m))
	}
	c.skipThis = c.skipNext
	c.skipNext = false
	c.r.AuthRequired = !c.authed // Redis's tighter limits before AUTH
	if d := c.sess.DB(); d != c.curDB {
		c.curDB = d
		c.db.Store(int32(d))
	}
	return keep
}

func (c *conn) dispatch(args [][]byte) bool {
	cc, cmd, sub := resolveCommand(args)
	if cmd == nil {
		c.sess.FailQueued(command.UnknownCommand(args), c.out)
		return true
	}
	if !arityOK(cmd.Arity, len(args)) {
		if cc == nil {
			// The engine replies, inside MULTI or not (EXEC's own arity
			// error aborts the transaction at once, with EXECABORT).
			c.sess.Exec(args, c.out)
			return true
		}
		c.sess.FailQueued(command.WrongArity(cmd.Name), c.out)
		return true
	}
	if !c.authed && !(cc != nil && cc.noAuth) && c.srv.authRequired() {
		// Redis checks the subcommand before authentication.
		switch {
		case sub == cmd && len(cmd.Subcommands) > 0 && len(args) >= 2:
			c.out.Error(unknownSubcommand(cmd.Name, args[1]))
		case !arityOK(sub.Arity, len(args)):
			c.out.Error(command.WrongArity(sub.Name))
		default:
			c.reject(cmd, wireNoAuth)
		}
		return true
	}
	if cmd.Flags&command.FlagNoMulti != 0 && c.sess.InMulti() {
		// Before the ACL and memory checks, as in Redis.
		c.sess.FailQueued(wireNoMulti, c.out)
		return true
	}
	if c.aclDenied(cc, cmd, sub, args) {
		return true
	}
	if c.ps.Load() != nil && c.pubsubGate(cc, cmd, sub, args) {
		return true
	}
	if c.srv.pause.active.Load() && !c.waitPause(sub) {
		return false
	}
	if sub != c.cur {
		c.cur = sub
		c.lastCmd.Store(sub)
	}
	if cc != nil {
		if cc != quitCmd && cc != resetCmd && c.sess.InMulti() {
			return c.queueConnCmd(cc, sub, args)
		}
		return cc.run(c, args)
	}
	if sub.Flags&command.FlagBlocking != 0 {
		return c.execBlocking(args)
	}
	if c.dbClosed.Load() {
		c.out.Error(wireDBClosed)
		return true
	}
	c.eng.ExecCommand(c.esess, cmd, args, c.out)
	return true
}

// wireDBClosed answers commands once the database is closed, as
// kevy.Session.Exec does.
var wireDBClosed = "ERR " + kevy.ErrClosed.Error()

// reject answers a command refused before it runs, as Redis's
// rejectCommand does: a refused EXEC discards the transaction and every
// watched key and answers EXECABORT with the reason (without its "ERR "),
// inside MULTI or not (monitors see it: dispatchMonitored recognizes the
// EXECABORT); any other command gets msg and, inside MULTI, makes EXEC
// fail.
func (c *conn) reject(cmd *command.Command, msg string) {
	if cmd.Name == "exec" {
		c.sess.Close()
		c.out.Error(execAbortPrefix + strings.TrimPrefix(msg, "ERR "))
		return
	}
	c.sess.FailQueued(msg, c.out)
}

// discardWriter returns the writer that swallows the replies of commands
// run under CLIENT REPLY OFF or SKIP, speaking the connection's protocol.
func (c *conn) discardWriter() *resp.Writer {
	if c.discard == nil {
		c.discard = resp.NewWriter(io.Discard, 512)
		c.discard.OnError = c.w.OnError // counted though not sent, as in Redis
	}
	c.discard.SetProto(c.w.Proto())
	return c.discard
}

// setProto switches the connection's protocol version.
func (c *conn) setProto(p int) {
	c.w.SetProto(p)
	c.out.SetProto(p)
	c.proto.Store(int32(p))
}

// kill closes the connection from another goroutine (CLIENT KILL), or
// marks it for closing after the current reply when it is the caller's.
func (c *conn) kill() {
	c.killed.Store(true)
	c.closeOnce.Do(func() { close(c.closing) })
	c.cancelWith(errKilled) // a blocking command in progress is withdrawn
}

// arityOK reports whether n arguments (including the name) fit a Redis
// arity.
func arityOK(arity, n int) bool {
	if arity >= 0 {
		return n == arity
	}
	return n >= -arity
}

// findSubcommand returns the subcommand of container cmd named sub, or
// nil.
func findSubcommand(cmd *command.Command, sub []byte) *command.Command {
	for _, s := range cmd.Subcommands {
		if n := len(cmd.Name) + 1; len(s.Name) == n+len(sub) && command.EqualFold(sub, s.Name[n:]) {
			return s
		}
	}
	return nil
}

// unknownSubcommand is Redis's error for an unknown subcommand of a
// container command.
func unknownSubcommand(container string, sub []byte) string {
	if len(sub) > maxSubcommandLen {
		sub = sub[:maxSubcommandLen]
	}
	return "ERR unknown subcommand '" + sanitizeLine(string(sub)) + "'. Try " + upper(container) + " HELP."
}

// sanitizeLine replaces the characters that cannot appear in a status or
// error line.
func sanitizeLine(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if ch == '\r' || ch == '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}

// upper returns s in upper case (ASCII).
func upper(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if 'a' <= ch && ch <= 'z' {
			b[i] = ch - 'a' + 'A'
		}
	}
	return string(b)
}

// Compile-time checks: the connection is its reader's source, and the
// RESP writer is what sessions reply to.
var (
	_ io.Reader        = (*conn)(nil)
	_ kevy.ReplyWriter = (*resp.Writer)(nil)
)
