package command

import (
	"context"
	"errors"
	"math"
	"math/big"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevydb/kevy/internal/keyspace"
)

// Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, and the
// sorted-set pops BZPOPMIN, BZPOPMAX, BZMPOP) wait for data without
// holding any shard lock.
//
// The protocol, in terms of the calls a handler makes:
//
//  1. The engine runs the handler with the locks of all its keys held.
//     The handler tries the non-blocking operation; when there is nothing
//     to serve it calls c.Block(keys, typ, timeout) and returns without a
//     reply. Block registers the client in the FIFO queue of each key
//     while the locks are still held, so no push can slip between the
//     check and the registration.
//  2. The engine releases the locks and waits (RunContext) for a wake-up,
//     the timeout, or the caller's context.
//  3. A command that adds data to a key calls SignalReady with the key's
//     shard locked (Redis's signalKeyAsReady). That wakes the first
//     client in the key's queue that waits for that type, unless that
//     client was already woken and has not retried yet.
//  4. The woken client runs its handler again under its locks
//     (c.Retrying() is true), trying first the key whose signal woke it
//     (c.RetryKeys), as Redis 7.0 serves a woken client from the key
//     that became ready. If the handler serves, the engine removes
//     the registration before releasing the locks; if it finds nothing
//     (another client took the data) it calls Block again, which keeps
//     the client's place in every queue.
//  5. A client that leaves its queues (served, timed out, cancelled)
//     after being woken passes the wake-up on: every key it waited on
//     that still exists wakes the next client waiting there for the
//     key's type. So one push serves waiters one after the other in FIFO
//     order, and no wake-up is lost.
//
// A session with NoBlock set (commands queued by MULTI) never blocks:
// Block returns false and the handler answers as on a timeout.
// StopBlocking (database shutdown) ends every wait with ErrClosed.
//
// The registry of a shard is only touched with that shard's lock held:
// registration and retries hold the locks of all the command's keys,
// signals hold the pushed key's lock. The one piece of state shared
// across shards, a waiter's notified flag and the index of the key that
// woke it (woken), is atomic.

// Error replies of the blocking commands.
const (
	wireTimeoutNotFloat = "ERR timeout is not a float or out of range"
	wireTimeoutNegative = "ERR timeout is negative"
	wireUnblocked       = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
)

// ErrUnblockTimeout and ErrUnblockError, used as the cause of a blocked
// command's context (context.WithCancelCause), end its wait the way
// CLIENT UNBLOCK does: with the timeout reply, or with the "-UNBLOCKED"
// error reply. ExecContext then returns nil, a reply having been written.
var (
	ErrUnblockTimeout = errors.New("kevy: client unblocked (timeout)")
	ErrUnblockError   = errors.New("kevy: client unblocked (error)")
)

// ParseTimeout parses the timeout argument of a blocking command as Redis
// 7.0 does: a long double number of seconds (strtold syntax, so "0.5",
// "1e3" and "0x10" are valid), converted to milliseconds rounding up. It
// returns the milliseconds (0 means wait forever) or the error text.
// Values whose millisecond count does not fit in an int64 (including
// "inf") are "negative", as the C conversion makes them.
func ParseTimeout(arg []byte) (ms int64, errText string) {
	if v, ok := ParseInt(arg); ok {
		if v < 0 || v > math.MaxInt64/1000 {
			return 0, wireTimeoutNegative
		}
		return v * 1000, ""
	}
	var x LongDouble
	if !x.Parse(arg) {
		return 0, wireTimeoutNotFloat
	}
	if x.f.IsInf() {
		return 0, wireTimeoutNegative
	}
	var m big.Float
	m.SetPrec(ldPrec).SetMode(big.ToNearestEven)
	m.Mul(&x.f, big.NewFloat(1000))
	i, acc := m.Int(nil)
	if acc == big.Below { // m > 0 had a fraction: ceil
		i.Add(i, big.NewInt(1))
	}
	if !i.IsInt64() || i.Sign() < 0 {
		return 0, wireTimeoutNegative
	}
	return i.Int64(), ""
}

// ------------------------------------------------------------ registry

// blockRegistry holds the blocked clients of an engine, one table per
// shard.
type blockRegistry struct {
	shards  []shardWaiters
	clients atomic.Int64 // blocked clients, for INFO
	// stop is closed by StopBlocking.
	stop     chan struct{}
	stopOnce sync.Once
}

func newBlockRegistry(shards int) blockRegistry {
	return blockRegistry{shards: make([]shardWaiters, shards), stop: make(chan struct{})}
}

// StopBlocking ends every wait of a blocking command, now and later: the
// command is withdrawn without a reply and ExecContext returns ErrClosed.
// The embedded database calls it on Close so that no caller stays blocked
// on a closed database. Calling it again does nothing.
func (e *Engine) StopBlocking() { e.blocking.stopOnce.Do(func() { close(e.blocking.stop) }) }

// shardWaiters is one shard's table of wait queues, guarded by that
// shard's lock.
type shardWaiters struct {
	queues map[waitKey]*waitQueue
}

// waitKey names a key of one logical database.
type waitKey struct {
	db  int
	key string
}

// waitQueue is the FIFO of clients blocked on one key.
type waitQueue struct {
	head, tail *waitNode
}

// waitNode is a waiter's place in one key's queue.
type waitNode struct {
	w          *waiter
	prev, next *waitNode
	key        string // owned copy
	shard      int
	idx        int32 // its index in w.nodes
}

// waiter is the registration of one blocked command.
type waiter struct {
	// ch carries at most one wake-up token: a token is only sent by the
	// signal that switches notified from false to true, and notified only
	// goes back to false once the token was consumed (Block on a retry)
	// or the waiter is recycled (drained first).
	ch       chan struct{}
	notified atomic.Bool
	// woken is the index in nodes of the key whose signal set notified,
	// or -1. Set by that signal, read by the retry.
	woken    atomic.Int32
	typ      keyspace.Type // the type whose data serves this waiter
	db       int
	nodes    []waitNode // one per distinct key; never grown once linked
	deadline time.Time  // zero: no timeout
	// retrying is set by the engine while the handler runs again after
	// a wake-up; reblocked records that it called Block again.
	retrying, reblocked bool
}

// notify wakes w, for the key of n, unless it is already awake.
func (w *waiter) notify(n *waitNode) {
	if w.notified.CompareAndSwap(false, true) {
		w.woken.Store(n.idx)
		select {
		case w.ch <- struct{}{}:
		default:
		}
	}
}

func (q *waitQueue) push(n *waitNode) {
	n.prev, n.next = q.tail, nil
	if q.tail != nil {
		q.tail.next = n
	} else {
		q.head = n
	}
	q.tail = n
}

func (q *waitQueue) remove(n *waitNode) {
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		q.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		q.tail = n.prev
	}
	n.prev, n.next = nil, nil
}

// wake notifies the first waiter of the queue waiting for typ. When that
// waiter is already awake nothing is done: it passes the wake-up on when
// it leaves the queue (see unregister).
func (q *waitQueue) wake(typ keyspace.Type) {
	for n := q.head; n != nil; n = n.next {
		if n.w.typ == typ {
			n.w.notify(n)
			return
		}
	}
}

// BlockedClients returns the number of clients currently blocked.
func (e *Engine) BlockedClients() int { return int(e.blocking.clients.Load()) }

// SignalReady tells the clients blocked on key in database db that it may
// now hold data of type typ (a list for LPUSH, a sorted set for ZADD):
// Redis's signalKeyAsReady. Call it with sh, the key's shard, locked,
// after any write that creates or grows a list or sorted set, including
// writes that move a key into place (RENAME, COPY, MOVE, RESTORE...). It
// costs one map length check when nobody is blocked in the shard.
func (e *Engine) SignalReady(sh *keyspace.Shard, db int, key string, typ keyspace.Type) {
	e.signal(sh.Index(), db, key, typ)
}

// SignalReady is Engine.SignalReady for a key of the command's database.
func (c *Ctx) SignalReady(key string, typ keyspace.Type) {
	c.E.signal(c.E.KS.ShardIndex(key), c.DB, key, typ)
}

func (e *Engine) signal(shard, db int, key string, typ keyspace.Type) {
	sw := &e.blocking.shards[shard]
	if len(sw.queues) == 0 {
		return
	}
	if q := sw.queues[waitKey{db, key}]; q != nil {
		q.wake(typ)
	}
}

// SignalDBReady signals every key of database db that clients wait on and
// that now exists, with its current type. SWAPDB uses it (and the caller
// must hold every shard lock), since the keys of a database change all at
// once.
func (e *Engine) SignalDBReady(db int, now int64) {
	for i := range e.blocking.shards {
		sw := &e.blocking.shards[i]
		if len(sw.queues) == 0 {
			continue
		}
		sh := e.KS.Shard(i)
		for k, q := range sw.queues {
			if k.db != db {
				continue
			}
			if ent := sh.Peek(db, k.key, now); ent != nil {
				q.wake(ent.Type())
			}
		}
	}
}

// ------------------------------------------------------- handler side

// Retrying reports whether the handler runs again for a blocked command
// that was woken up. A retrying handler serves what it can and otherwise
// calls Block again; Redis 7.0 only serves a woken client from a key of
// the type it waits for, so keys of another type are skipped rather than
// answered with WRONGTYPE.
func (c *Ctx) Retrying() bool { return c.S.blk != nil }

// RetryKeys returns the keys a blocked command waits on (keys, as given
// to Block) in the order its retry tries them: first the key whose signal
// woke it, since Redis 7.0 serves a woken client from the key that became
// ready (BLPOP a b, woken by a push to b, pops from b even if a was
// pushed to as well), then the others in argument order, so that a client
// whose key was emptied by another one still finds data that arrived on
// its other keys meanwhile (their signals found it already awake). Outside
// a retry it returns keys.
func (c *Ctx) RetryKeys(keys [][]byte) [][]byte {
	b := c.S.blk
	if b == nil {
		return keys
	}
	i := b.woken.Load()
	if i < 0 || int(i) >= len(b.nodes) {
		return keys
	}
	first := b.nodes[i].key
	j := 0
	for j < len(keys) && Key(keys[j]) != first {
		j++
	}
	if j == 0 || j == len(keys) {
		return keys
	}
	out := append(c.S.retryKeys[:0], keys[j])
	out = append(out, keys[:j]...)
	out = append(out, keys[j+1:]...)
	c.S.retryKeys = out
	return out
}

// Block suspends the command until one of keys may hold data of type typ,
// or timeoutMs milliseconds pass (0: no limit); the engine then runs the
// handler again (see Retrying) or replies with the null array. The caller
// must hold the locks of the keys' shards (they are command keys) and
// must not reply. On a retry Block keeps the client's place in the
// queues. It returns false, registering nothing, when the session may not
// block (Session.NoBlock, inside MULTI): the handler then replies as
// Redis does in that case.
func (c *Ctx) Block(keys [][]byte, typ keyspace.Type, timeoutMs int64) bool {
	s := c.S
	if b := s.blk; b != nil {
		b.reblocked = true
		b.woken.Store(-1)
		b.notified.Store(false)
		return true
	}
	if s.NoBlock {
		return false
	}
	b := s.spare
	s.spare = nil
	if b == nil {
		b = &waiter{ch: make(chan struct{}, 1)}
	} else {
		select {
		case <-b.ch:
		default:
		}
		b.notified.Store(false)
	}
	b.typ, b.db = typ, c.DB
	b.woken.Store(-1)
	b.deadline = time.Time{}
	if timeoutMs > 0 && timeoutMs <= math.MaxInt64/int64(time.Millisecond) {
		b.deadline = time.Now().Add(time.Duration(timeoutMs) * time.Millisecond)
	}
	ks := c.E.KS
	var seen map[string]struct{}
	if len(keys) > 16 {
		seen = make(map[string]struct{}, len(keys))
	}
	b.nodes = b.nodes[:0]
	for _, arg := range keys {
		k := Key(arg)
		if seen != nil {
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
		} else if b.has(k) {
			continue
		}
		b.nodes = append(b.nodes, waitNode{w: b, key: strings.Clone(k), shard: ks.ShardIndex(k), idx: int32(len(b.nodes))})
	}
	for i := range b.nodes {
		n := &b.nodes[i]
		sw := &c.E.blocking.shards[n.shard]
		if sw.queues == nil {
			sw.queues = make(map[waitKey]*waitQueue)
		}
		wk := waitKey{b.db, n.key}
		q := sw.queues[wk]
		if q == nil {
			q = &waitQueue{}
			sw.queues[wk] = q
		}
		q.push(n)
	}
	c.E.blocking.clients.Add(1)
	s.blk = b
	return true
}

func (w *waiter) has(key string) bool {
	for i := range w.nodes {
		if w.nodes[i].key == key {
			return true
		}
	}
	return false
}

// ------------------------------------------------------- engine side

// afterRetry settles a blocked command after its handler ran again, with
// the handler's locks still held: a handler that did not block again has
// replied, so its registration is removed.
func (e *Engine) afterRetry(c *Ctx) {
	b := c.S.blk
	if !b.retrying {
		return // the first run just registered
	}
	b.retrying = false
	clear(c.S.retryKeys) // views of this command's arguments
	c.S.retryKeys = c.S.retryKeys[:0]
	if b.reblocked {
		b.reblocked = false
		return
	}
	e.unregister(b, c.Now)
	c.S.blk, c.S.spare = nil, b
}

// unregister removes b from all its queues. The locks of all its keys'
// shards must be held. A waiter that was woken passes the wake-up on for
// every key that holds data (the next waiter of that type is notified).
func (e *Engine) unregister(b *waiter, now int64) {
	for i := range b.nodes {
		n := &b.nodes[i]
		sw := &e.blocking.shards[n.shard]
		wk := waitKey{b.db, n.key}
		q := sw.queues[wk]
		q.remove(n)
		if q.head == nil {
			delete(sw.queues, wk)
		}
	}
	if b.notified.Load() {
		for i := range b.nodes {
			n := &b.nodes[i]
			if ent := e.KS.Shard(n.shard).Peek(b.db, n.key, now); ent != nil {
				e.signal(n.shard, b.db, n.key, ent.Type())
			}
		}
	}
	for i := range b.nodes {
		b.nodes[i] = waitNode{}
	}
	b.nodes = b.nodes[:0]
	e.blocking.clients.Add(-1)
}

// withdraw removes the session's registration, locking the shards of its
// keys (the caller holds no lock).
func (e *Engine) withdraw(s *Session) {
	b := s.blk
	ls := &s.locks
	ls.Reset()
	for i := range b.nodes {
		ls.Add(b.nodes[i].shard)
	}
	ls.Lock(e.KS)
	e.unregister(b, e.Clock.NowMs())
	ls.Unlock(e.KS)
	s.blk, s.spare = nil, b
}

// BlockObserver is an optional interface of a Reply: Blocking is called
// when the command is about to wait (no reply written yet). The RESP
// server implements it to flush the replies of the commands pipelined
// before, which would otherwise wait with it.
type BlockObserver interface {
	Blocking()
}

// wait blocks the session's registered command until it is served, times
// out or ctx is done. No lock is held while waiting.
func (e *Engine) wait(ctx context.Context, s *Session, cmd *Command, args [][]byte, w Reply) error {
	if o, ok := w.(BlockObserver); ok {
		o.Blocking()
	}
	b := s.blk
	var expired <-chan time.Time
	if !b.deadline.IsZero() {
		t := time.NewTimer(time.Until(b.deadline))
		defer t.Stop()
		expired = t.C
	}
	stop := e.blocking.stop
	for {
		select {
		case <-stop:
			e.withdraw(s)
			return ErrClosed
		case <-b.ch:
			if ctx.Err() != nil {
				// Woken, but the caller is gone (disconnected, killed):
				// leave the data to the next waiter rather than consume
				// it for nobody.
				return e.abandon(ctx, s, w)
			}
			b.retrying = true
			e.run(s, cmd, args, w)
			if s.blk == nil {
				return nil
			}
		case <-expired:
			e.withdraw(s)
			w.NullArray()
			return nil
		case <-ctx.Done():
			return e.abandon(ctx, s, w)
		}
	}
}

// abandon ends a wait because ctx is done: the registration is removed
// and, unless the cause asks for CLIENT UNBLOCK's replies, nothing is
// written and ctx's error is returned.
func (e *Engine) abandon(ctx context.Context, s *Session, w Reply) error {
	e.withdraw(s)
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, ErrUnblockTimeout):
		w.NullArray()
		return nil
	case errors.Is(cause, ErrUnblockError):
		w.Error(wireUnblocked)
		return nil
	}
	return ctx.Err()
}
