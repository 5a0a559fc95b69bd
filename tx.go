package kevy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kevydb/kevy/internal/command"
)

// Transactions.
//
// TxPipelined runs a batch of commands as one Redis transaction (MULTI ...
// EXEC): atomically, with no command of another caller in between, even
// when the keys live in different shards. Watch adds optimistic locking
// (WATCH): the batch only runs if none of the watched keys was modified
// since Watch began, by anyone, including by expiry or FLUSHDB.
//
// MULTI, EXEC and WATCH cannot be sent through DB.Do: each Do call runs in
// a session of its own, so a transaction would not outlive the call. Do
// refuses MULTI and WATCH; use TxPipelined and Watch instead. (Over the
// wire, the RESP server keeps one session per connection and supports
// MULTI/EXEC/WATCH as Redis does.)

// ErrTxFailed is returned by Tx.TxPipelined when a watched key was
// modified: nothing ran. Callers usually retry the whole Watch.
var ErrTxFailed = errors.New("kevy: transaction failed: a watched key was modified")

// errNotInDo is the error of Do for the commands that only make sense in
// a session of their own.
func errNotInDo(name string) error {
	return fmt.Errorf("%w: %s cannot be used through Do (each call has its own session); use DB.TxPipelined or DB.Watch", ErrInvalidArgument, name)
}

// sessionOnly reports whether the command name of a Do call is MULTI or
// WATCH, returning it in upper case.
func sessionOnly(arg any) (string, bool) {
	var name string
	switch v := arg.(type) {
	case string:
		name = v
	case []byte:
		if len(v) != 5 {
			return "", false
		}
		name = string(v)
	default:
		return "", false
	}
	switch {
	case len(name) != 5:
	case strings.EqualFold(name, "multi"):
		return "MULTI", true
	case strings.EqualFold(name, "watch"):
		return "WATCH", true
	}
	return "", false
}

// Pipe collects the commands of a transaction: see DB.TxPipelined.
type Pipe struct {
	argv [][][]byte
	err  error
}

// Do queues one command, given as its name and arguments converted as
// DB.Do converts them. An argument that cannot be converted makes the
// whole transaction fail before anything runs.
func (p *Pipe) Do(args ...any) {
	if p.err != nil {
		return
	}
	if len(args) == 0 {
		p.err = fmt.Errorf("%w: empty command", ErrArity)
		return
	}
	// One buffer for the command's arguments, sliced into argv.
	argv, _, err := encodeArgs(make([][]byte, 0, len(args)), nil, args, argsSize(args))
	if err != nil {
		p.err = fmt.Errorf("kevy: command %d, %w", len(p.argv), err)
		return
	}
	p.argv = append(p.argv, argv)
}

// Len returns the number of commands queued.
func (p *Pipe) Len() int { return len(p.argv) }

// TxPipelined runs the commands fn queues as one transaction, like Redis
// MULTI ... EXEC: atomically, whatever shards their keys live in. It
// returns one Value per command, in order. A command that fails when it
// runs (WRONGTYPE, say) does not stop the others, as in Redis: its Value
// is of KindError and Value.Err returns the error. A command refused
// before anything runs (unknown command, wrong number of arguments) makes
// the whole transaction fail with that error, and nothing runs. If fn
// returns an error, nothing runs and that error is returned. Blocking
// commands (BLPOP...) do not wait inside a transaction: they answer as on
// a timeout. SELECT inside the batch affects the commands after it only.
func (db *DB) TxPipelined(ctx context.Context, fn func(p *Pipe) error) ([]Value, error) {
	if db.c.closed.Load() {
		return nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := sessionPool.Get().(*command.Session)
	s.DB = db.db
	defer db.putSession(s)
	return db.txExec(ctx, s, fn)
}

// putSession resets a pooled session and returns it to the pool.
func (db *DB) putSession(s *command.Session) {
	db.c.eng.ResetSession(s)
	sessionPool.Put(s)
}

// txExec runs MULTI, the commands fn queues and EXEC in session s. A
// watch failure gives ErrTxFailed.
func (db *DB) txExec(ctx context.Context, s *command.Session, fn func(p *Pipe) error) ([]Value, error) {
	var p Pipe
	if err := fn(&p); err != nil {
		return nil, err
	}
	if p.err != nil {
		return nil, p.err
	}
	eng := db.c.eng
	ec := errCatcher{eng: eng} // counts error replies, as the server does
	eng.Exec(s, [][]byte{[]byte("MULTI")}, &ec)
	if ec.err != "" {
		return nil, command.FromWire(ec.err)
	}
	for _, argv := range p.argv {
		eng.Exec(s, argv, &ec)
	}
	if ec.err != "" {
		// Where a client's EXEC gets EXECABORT: counted as that reply.
		eng.CountError("EXECABORT Transaction discarded because of previous errors.")
		// Refused at queue time: EXEC would fail with EXECABORT; report
		// the first refusal, which says why.
		eng.Exec(s, [][]byte{[]byte("DISCARD")}, &ec)
		return nil, fmt.Errorf("kevy: transaction discarded: %w", command.FromWire(ec.err))
	}
	vb := valueBuilder{eng: eng} // counts error replies
	if err := eng.ExecContext(ctx, s, [][]byte{[]byte("EXEC")}, &vb); err != nil {
		return nil, err
	}
	if err := db.c.waitDurable(s); err != nil { // the append-only file's policy
		return nil, err
	}
	switch vb.root.kind {
	case KindNil:
		return nil, ErrTxFailed
	case KindError:
		return nil, vb.root.Err()
	}
	return vb.root.elems, nil
}

// Tx is a transaction in progress inside DB.Watch: a session of its own
// that watches keys. Its commands run on the database of the DB handle
// Watch was called on. A Tx must not be used after its Watch returns, nor
// by two goroutines at once.
type Tx struct {
	db *DB
	s  *command.Session
}

// Watch calls fn with a Tx that watches keys (Redis WATCH), then
// unwatches them and returns fn's error. Inside fn, Tx.Do reads (or
// writes) at once, and Tx.TxPipelined runs a batch atomically only if no
// watched key was modified since Watch began — by another caller, by
// expiry, eviction, FLUSHDB... — and otherwise returns ErrTxFailed
// without running anything. This is optimistic locking: retry the whole
// Watch on ErrTxFailed.
//
// A watched key counts as modified when another command changed data in
// its shard while naming it (a command naming several keys of one shard
// that changed only one of them marks them all), and whenever a write
// made through the typed API changed its shard: kevy may report
// ErrTxFailed where Redis would not, never the other way round.
func (db *DB) Watch(ctx context.Context, fn func(tx *Tx) error, keys ...string) error {
	if db.c.closed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s := sessionPool.Get().(*command.Session)
	s.DB = db.db
	defer db.putSession(s)
	tx := &Tx{db: db, s: s}
	if len(keys) > 0 {
		if err := tx.Watch(keys...); err != nil {
			return err
		}
	}
	return fn(tx)
}

// Watch watches more keys (Redis WATCH).
func (tx *Tx) Watch(keys ...string) error {
	if len(keys) == 0 {
		return fmt.Errorf("%w: WATCH needs at least one key", ErrArity)
	}
	argv := make([][]byte, 0, len(keys)+1)
	argv = append(argv, []byte("WATCH"))
	for _, k := range keys {
		argv = append(argv, []byte(k))
	}
	ec := errCatcher{eng: tx.db.c.eng}
	tx.db.c.eng.Exec(tx.s, argv, &ec)
	if ec.err != "" {
		return command.FromWire(ec.err)
	}
	return nil
}

// Unwatch forgets every watched key (Redis UNWATCH): a later TxPipelined
// runs unconditionally.
func (tx *Tx) Unwatch() error {
	var ec errCatcher
	tx.db.c.eng.Exec(tx.s, [][]byte{[]byte("UNWATCH")}, &ec)
	return nil
}

// Do runs one command at once in the transaction's session, like DB.Do;
// reads made here see the watched keys' current values. MULTI, EXEC and
// DISCARD are refused: use TxPipelined.
func (tx *Tx) Do(ctx context.Context, args ...any) (Value, error) {
	if len(args) > 0 {
		if name, ok := args[0].(string); ok {
			if strings.EqualFold(name, "multi") || strings.EqualFold(name, "exec") || strings.EqualFold(name, "discard") {
				return Value{}, fmt.Errorf("%w: use Tx.TxPipelined rather than %s", ErrInvalidArgument, strings.Clone(name)) // a copy: args stay on the caller's stack
			}
		}
	}
	return tx.db.doIn(ctx, tx.s, args)
}

// TxPipelined runs the commands fn queues atomically, as DB.TxPipelined
// does, provided that no watched key was modified since Watch began;
// otherwise it runs nothing and returns ErrTxFailed. Either way the keys
// are no longer watched afterwards (as after Redis's EXEC).
func (tx *Tx) TxPipelined(ctx context.Context, fn func(p *Pipe) error) ([]Value, error) {
	if tx.db.c.closed.Load() {
		return nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return tx.db.txExec(ctx, tx.s, fn)
}

// errCatcher is a Reply that keeps the first error reply and drops the
// rest (MULTI's OK, QUEUED).
// It counts them for INFO errorstats when eng is set.
type errCatcher struct {
	err string
	eng *command.Engine
}

func (r *errCatcher) SimpleString(string) {}
func (r *errCatcher) Error(msg string) {
	if r.eng != nil {
		r.eng.CountError(msg)
	}
	if r.err == "" {
		r.err = msg
	}
}
func (r *errCatcher) Int(int64)               {}
func (r *errCatcher) Bulk([]byte)             {}
func (r *errCatcher) BulkString(string)       {}
func (r *errCatcher) Null()                   {}
func (r *errCatcher) NullArray()              {}
func (r *errCatcher) ArrayLen(int)            {}
func (r *errCatcher) MapLen(int)              {}
func (r *errCatcher) SetLen(int)              {}
func (r *errCatcher) Double(float64)          {}
func (r *errCatcher) Bool(bool)               {}
func (r *errCatcher) Verbatim(string, []byte) {}
func (r *errCatcher) Proto() int              { return 3 }
