package kevy

import (
	"context"
	"sync/atomic"

	"github.com/kevydb/kevy/internal/command"
)

// ReplyWriter receives a command's reply element by element; it is how
// Session.Exec hands replies to a protocol layer without building values.
// The server's RESP writer implements it. Aggregates are announced with
// their length and followed by exactly that many elements (a map of n
// pairs by 2n elements). Byte slices passed to it are only valid during
// the call.
type ReplyWriter interface {
	SimpleString(s string)
	// Error sends an error reply; msg is the full wire text including its
	// prefix ("ERR ...", "WRONGTYPE ...").
	Error(msg string)
	Int(n int64)
	Bulk(b []byte)
	BulkString(s string)
	// Null is the null bulk string (RESP2 $-1, RESP3 _).
	Null()
	// NullArray is the null array (RESP2 *-1, RESP3 _).
	NullArray()
	ArrayLen(n int)
	// MapLen announces n key/value pairs (RESP2: an array of 2n).
	MapLen(n int)
	// SetLen announces an unordered collection (RESP2: an array).
	SetLen(n int)
	// Double sends a floating-point number (RESP2: a bulk string).
	Double(f float64)
	// Bool sends a boolean (RESP2: integer 1 or 0).
	Bool(b bool)
	// Verbatim sends a verbatim string (RESP2: a bulk string).
	Verbatim(format string, s []byte)
	// Proto is the protocol version the client speaks (2 or 3).
	Proto() int
}

// Session is the state of one client connection: its selected database
// and scratch space reused between commands. The RESP server keeps one per
// connection. A Session is not safe for concurrent use.
type Session struct {
	db *DB
	s  *command.Session
}

// init gives the RESP server (package server) the engine session behind
// a *Session: see command.PublicSession.
func init() {
	command.PublicSession = func(s any) (*command.Engine, *command.Session, *atomic.Bool) {
		ss := s.(*Session)
		return ss.db.c.eng, ss.s, &ss.db.c.closed
	}
}

// NewSession returns a client session starting on db's database.
func (db *DB) NewSession() *Session {
	return &Session{db: db, s: command.NewSession(db.db)}
}

// Exec runs one command (args[0] is its name) and writes the reply to w.
// The arguments are not retained after Exec returns, so they may alias a
// read buffer. After Close, Exec replies with an error.
func (s *Session) Exec(args [][]byte, w ReplyWriter) {
	if s.db.c.closed.Load() {
		w.Error("ERR " + ErrClosed.Error())
		return
	}
	s.db.c.eng.Exec(s.s, args, w)
}

// ExecContext is Exec for commands that may block (BLPOP...): when ctx is
// done while the command waits, it is withdrawn without a reply and
// ExecContext returns ctx.Err() (the server passes a per-connection
// context cancelled on disconnect or CLIENT KILL). A cancellation cause
// of command.ErrUnblockTimeout or command.ErrUnblockError
// (context.WithCancelCause) ends the wait as CLIENT UNBLOCK does, with a
// reply, and ExecContext returns nil.
func (s *Session) ExecContext(ctx context.Context, args [][]byte, w ReplyWriter) error {
	if s.db.c.closed.Load() {
		w.Error("ERR " + ErrClosed.Error())
		return nil
	}
	return s.db.c.eng.ExecContext(ctx, s.s, args, w)
}

// DB returns the logical database number the session has selected.
func (s *Session) DB() int { return s.s.DB }

// Close ends the session's transaction state: an open MULTI is discarded
// and the keys it WATCHes are unwatched, which frees their registrations.
// A protocol layer calls it when its client leaves or sends RESET. The
// session remains usable.
func (s *Session) Close() { s.db.c.eng.ResetSession(s.s) }

// InMulti reports whether the session is inside MULTI: Exec queues its
// commands (replying QUEUED) until EXEC or DISCARD.
func (s *Session) InMulti() bool { return s.s.InMulti() }

// MultiLen returns the number of commands queued by the open MULTI, or -1
// outside MULTI (CLIENT LIST's multi= field).
func (s *Session) MultiLen() int { return s.s.MultiLen() }

// QueueLocal queues, inside MULTI, a command that the protocol layer
// implements itself (the RESP server's CLIENT, HELLO...) and replies
// QUEUED: EXEC then calls run with a copy of args, in order with the other
// queued commands, while it holds the transaction's shard locks (run must
// not call back into the session). It returns false, doing nothing,
// outside MULTI.
func (s *Session) QueueLocal(args [][]byte, w ReplyWriter, run func(args [][]byte, w ReplyWriter)) bool {
	return s.db.c.eng.QueueLocal(s.s, args, w, func(a [][]byte, r command.Reply) { run(a, r) })
}

// FailQueued replies with the error text msg to a command that the
// protocol layer refused before running it (unknown subcommand, wrong
// arity) and, inside MULTI, makes the next EXEC fail with EXECABORT, as
// Redis does for commands refused while queueing.
func (s *Session) FailQueued(msg string, w ReplyWriter) { s.db.c.eng.FailQueued(s.s, msg, w) }

// QueuedHook observes the commands EXEC runs from a session's MULTI
// queue. A protocol layer uses it to check each command again as it runs
// (Redis re-checks ACL permissions at EXEC) and to time each one (Redis's
// slow log records the commands a transaction ran, not EXEC). Its methods
// are called while EXEC holds the transaction's shard locks: they must
// not call back into the session.
type QueuedHook interface {
	// BeforeQueued is called before EXEC runs the queued command args.
	// Returning false skips the command, the hook having written its
	// reply (an error) to w.
	BeforeQueued(args [][]byte, w ReplyWriter) bool
	// AfterQueued is called once the command ran.
	AfterQueued(args [][]byte)
}

// SetQueuedHook makes the session's EXECs call h around each queued
// command; nil removes it. The RESP server sets one per connection.
func (s *Session) SetQueuedHook(h QueuedHook) {
	if h == nil {
		s.s.Hook = nil
		return
	}
	s.s.Hook = queuedHook{h}
}

// queuedHook adapts a QueuedHook to the engine's.
type queuedHook struct{ h QueuedHook }

func (q queuedHook) BeforeQueued(args [][]byte, w command.Reply) bool {
	return q.h.BeforeQueued(args, w)
}

func (q queuedHook) AfterQueued(args [][]byte) { q.h.AfterQueued(args) }
