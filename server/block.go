package server

import (
	"context"
	"errors"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/resp"
)

// Blocking commands over the wire.
//
// A blocking command (BLPOP...) runs with the connection's context, which
// is cancelled when the client disconnects, when CLIENT KILL closes it and
// when the server shuts down, so that the command is withdrawn and the
// connection's goroutine freed; CLIENT UNBLOCK cancels it with a cause
// that makes the command reply (timeout or -UNBLOCKED). Just before the
// command waits, the engine calls Blocking on the reply writer: the
// replies of the commands pipelined before it are flushed, and a
// background read watches the socket, since the connection's goroutine no
// longer reads while it waits. What it reads (commands pipelined after the
// blocking one, up to maxBackgroundRead bytes) is kept and handed to the
// next Reads.

// Causes of the cancellation of a connection's context.
var (
	errClientGone = errors.New("kevy server: client disconnected")
	errKilled     = errors.New("kevy server: client killed")
)

// blockWriter is the reply writer given to blocking commands: the
// connection's writer, plus the command.BlockObserver hook.
type blockWriter struct {
	*resp.Writer
	c *conn
	// The slow log's view of the command (see execBlocking): blocked is
	// set when it started waiting, at blockedAt (monoNow), and its reply
	// starts at replyAt in Writer.
	blocked   bool
	blockedAt int64
	replyAt   int
}

// Blocking implements command.BlockObserver: it runs on the connection's
// goroutine when the command is about to wait.
func (b *blockWriter) Blocking() {
	c := b.c
	b.blocked, b.blockedAt = true, monoNow()
	c.monitorBlocking() // MONITOR shows a blocking command when it waits
	if c.w.Buffered() > 0 {
		c.flush() // an error shows at the next write or read
	}
	b.replyAt = b.Writer.Buffered()
	c.mu.Lock()
	c.blocked = true
	c.mu.Unlock()
	c.startBackgroundRead()
}

var _ command.BlockObserver = (*blockWriter)(nil)

// maxBackgroundRead bounds what a blocked connection reads ahead: past
// it, the socket is left alone until the command ends (and a client that
// leaves is then only noticed afterwards).
const maxBackgroundRead = 64 << 10

// bgRead is the state of the background read of a blocked connection.
// The background goroutine owns buf until done is closed.
type bgRead struct {
	running  bool
	stopping atomic.Bool // stopBackgroundRead is ending the read
	done     chan struct{}
	buf      []byte // read in the background and not yet handed to Read
	off      int    // what Read already took from buf
}

// startBackgroundRead reads from the socket in another goroutine so that
// a client that goes away is noticed while the connection's goroutine
// waits in a blocking command.
func (c *conn) startBackgroundRead() {
	c.nc.SetReadDeadline(time.Time{})
	done := make(chan struct{})
	c.bg.running, c.bg.done = true, done
	go func() {
		defer close(done)
		var tmp [512]byte
		for len(c.bg.buf) < maxBackgroundRead {
			n, err := c.readPastWakeups(tmp[:], &c.bg.stopping)
			c.bg.buf = append(c.bg.buf, tmp[:n]...)
			if err != nil {
				if !isTimeout(err) {
					c.cancelWith(errClientGone)
				}
				return
			}
		}
	}()
}

// readBackground hands to Read what the background read got.
func (c *conn) readBackground(p []byte) int {
	n := copy(p, c.bg.buf[c.bg.off:])
	c.bg.off += n
	if c.bg.off == len(c.bg.buf) {
		c.bg.buf, c.bg.off = c.bg.buf[:0], 0
		if cap(c.bg.buf) > 4096 {
			c.bg.buf = nil
		}
	}
	return n
}

// stopBackgroundRead ends the background read and waits for it.
func (c *conn) stopBackgroundRead() {
	if !c.bg.running {
		return
	}
	c.bg.stopping.Store(true)
	c.nc.SetReadDeadline(aLongTimeAgo)
	<-c.bg.done
	c.bg.running = false
	c.bg.stopping.Store(false)
	c.nc.SetReadDeadline(time.Time{})
}

// readPastWakeups reads from the socket of a connection whose reads have
// no deadline (a blocked command's background read, a monitor's): a
// deadline that passes while stopping is not set was set by
// Server.wakeReaders, which wakes every read to apply a new idle
// timeout, and is cleared and the read resumed. Whoever ends the read
// sets stopping, then a deadline in the past.
func (c *conn) readPastWakeups(p []byte, stopping *atomic.Bool) (int, error) {
	for {
		n, err := c.nc.Read(p)
		if n > 0 || err == nil || !isTimeout(err) || stopping.Load() {
			return n, err
		}
		c.nc.SetReadDeadline(time.Time{})
		if stopping.Load() { // set after the check: its deadline may be the one just cleared
			return 0, err
		}
	}
}

// isTimeout reports whether a read failed because of its deadline.
func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// initContext gives the connection a fresh cancellable context.
func (c *conn) initContext() {
	c.ctx, c.cancel = context.WithCancelCause(context.Background())
}

// cancelWith cancels the connection's context with cause.
func (c *conn) cancelWith(cause error) {
	c.mu.Lock()
	cancel := c.cancel
	c.mu.Unlock()
	cancel(cause)
}

// execBlocking runs a command that may block and reports whether the
// connection stays open: it closes when the command was withdrawn
// (client gone, killed, server shutting down, database closed).
//
// A command that waited is recorded in the slow log here, as Redis 7.0
// records it: when it is served, with the time it ran before waiting
// (the wait left out); never when it timed out or was withdrawn; and,
// when CLIENT UNBLOCK ended it, as an entry without arguments (Redis
// records it once it has reset the client). recordSlow records the
// blocking commands that did not wait.
func (c *conn) execBlocking(args [][]byte) bool {
	b := &c.bw
	b.Writer, b.blocked = c.out, false
	err := c.sess.ExecContext(c.ctx, args, b)
	c.stopBackgroundRead()
	c.mu.Lock()
	c.blocked = false
	var cause error
	if err == nil && c.ctx.Err() != nil {
		// Unblocked by CLIENT UNBLOCK (or a cancellation that raced with
		// the reply): the next blocking command needs a live context.
		cause = context.Cause(c.ctx)
		switch cause {
		case command.ErrUnblockTimeout, command.ErrUnblockError:
			c.ctx, c.cancel = context.WithCancelCause(context.Background())
		}
	}
	c.mu.Unlock()
	if l, th := &c.srv.slow, c.srv.slow.threshold(); b.blocked && err == nil && th >= 0 {
		reply := b.Writer.Bytes()[min(b.replyAt, b.Writer.Buffered()):]
		null := string(reply) == "*-1\r\n" || string(reply) == "_\r\n" // the timeout's reply
		unblocked := (null && cause == command.ErrUnblockTimeout) ||
			(cause == command.ErrUnblockError && hasPrefix(reply, "-UNBLOCKED "))
		if d := time.Duration(b.blockedAt - c.clock); d >= th && (unblocked || !null) {
			if unblocked {
				args = nil
			}
			l.add(c, args, d)
		}
	}
	return err == nil
}

// clientUnblock implements CLIENT UNBLOCK client-id [TIMEOUT|ERROR]: a
// client blocked in a blocking command is answered as if it timed out,
// or with the -UNBLOCKED error. The reply is 1 if the client was blocked,
// 0 otherwise.
func (c *conn) clientUnblock(args [][]byte) {
	id, ok := command.ParseInt(args[2])
	if !ok {
		c.out.Error(command.WireNotInteger)
		return
	}
	cause := command.ErrUnblockTimeout
	switch {
	case len(args) == 3:
	case len(args) == 4 && command.EqualFold(args[3], "timeout"):
	case len(args) == 4 && command.EqualFold(args[3], "error"):
		cause = command.ErrUnblockError
	case len(args) == 4:
		c.out.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
		return
	default:
		c.out.Error("ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.")
		return
	}
	n := int64(0)
	if o := c.srv.connByID(id); o != nil {
		o.mu.Lock()
		if o.blocked {
			o.blocked = false
			o.cancel(cause)
			n = 1
		}
		o.mu.Unlock()
	}
	c.out.Int(n)
}

// connByID returns the open connection with the given id, or nil.
func (s *Server) connByID(id int64) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.id == id {
			return c
		}
	}
	return nil
}

// runQueued runs a connection command queued by MULTI, when EXEC reaches
// it. The command writes to the connection's current writer, which is the
// one EXEC replies to.
func (c *conn) runQueued(args [][]byte, _ kevy.ReplyWriter) {
	cc := lookupConnCmd(args[0])
	if cc == nil {
		return
	}
	if !cc.run(c, args) {
		c.closeAfter = true
	}
}

// queueConnCmd queues a connection command sent inside MULTI, after the
// checks Redis makes while queueing (the top-level arity is checked by
// dispatch).
func (c *conn) queueConnCmd(cc *connCmd, sub *command.Command, args [][]byte) bool {
	switch {
	case sub == cc.info && len(cc.subs) > 0:
		c.sess.FailQueued(unknownSubcommand(cc.info.Name, args[1]), c.out)
	case !arityOK(sub.Arity, len(args)):
		c.sess.FailQueued(command.WrongArity(sub.Name), c.out)
	default:
		c.sess.QueueLocal(args, c.out, c.runQueuedFn)
	}
	return true
}
