package command

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/kevydb/kevy/internal/keyspace"
)

// Transactions: MULTI, EXEC, DISCARD, WATCH and UNWATCH, with Redis 7.0's
// semantics.
//
// Queueing. Once a session ran MULTI, ExecContext queues every command
// (replying QUEUED) except EXEC, DISCARD, MULTI and WATCH, which run at
// once. A command refused at queue time (unknown command or subcommand,
// wrong arity, a FlagNoMulti command) is answered with its error and makes
// EXEC fail with EXECABORT, as Redis's flagTransaction does. The
// arguments are copied into one buffer per session, reused from
// transaction to transaction.
//
// Atomicity. EXEC locks, once and in ascending order, the union of the
// shards of every queued command's keys and of every watched key (every
// shard if a queued command needs them all: FlagAllShards commands, SCAN,
// DBSIZE), then runs the queued commands with RunLocked, which takes no
// lock, and unlocks. No command of another client can interleave,
// whatever shards the transaction spans. The exception is a FlagSelfLock
// command that locks shards itself without honouring Ctx.LocksHeld (INFO,
// MEMORY...; see selfLockMode): EXEC releases its locks while it runs, so
// the transaction is atomic only on each side of it. Blocking commands do
// not block (Session.NoBlock) and the whole transaction sees one clock
// reading, as in Redis.
//
// WATCH. Each shard keeps a registry of its watched keys, guarded by the
// shard lock; it is only consulted when it is not empty, so a shard where
// nobody watches pays one length check per command. A watched key is
// "touched" (the watching transactions will abort) when:
//
//   - a command run by the engine changes data in the key's shard (the
//     shard's Dirty counter moved) and names the key among its key
//     arguments. This is conservative: a command that names several keys
//     of one shard and changes only one of them touches all of them (DEL
//     of a missing key together with an existing one in the same shard
//     aborts a transaction watching the missing key; Redis would not);
//   - the keyspace removes the key on its own (expiry, eviction), through
//     Engine.OnKeyDeleted; a watched key found logically expired at EXEC
//     counts as touched too, as in Redis 7.0;
//   - FLUSHDB, FLUSHALL or SWAPDB remove or replace the key (only keys that
//     exist are touched, as in Redis), or MOVE or COPY write it in another
//     database;
//   - the shard's Dirty counter moved without the engine knowing which
//     keys changed (writes made through the embedded typed API, which
//     bypasses the command executor): every watched key of that shard is
//     then touched, which is again conservative but never misses a change.
//
// A shard records in seen the Dirty value up to which changes have been
// attributed to keys; any difference found later is attributed to every
// watched key of the shard.

// Error replies of the transaction commands.
const (
	wireMultiNested   = "ERR MULTI calls can not be nested"
	wireExecNoMulti   = "ERR EXEC without MULTI"
	wireDiscardNoMult = "ERR DISCARD without MULTI"
	wireWatchInMulti  = "ERR WATCH inside MULTI is not allowed"
	wireExecAbort     = "EXECABORT Transaction discarded because of previous errors."
	wireExecAbortPfx  = "EXECABORT Transaction discarded because of: "
	wireNoMulti       = "ERR Command not allowed inside a transaction"
)

func init() {
	const txFlags = FlagNoScript | FlagLoading | FlagStale | FlagSelfLock
	tx := func(speed string) []string { return []string{speed, "transaction"} }
	Register(
		&Command{Name: "multi", Arity: 1, Flags: txFlags | FlagFast | FlagAllowBusy,
			Run: multiCmd, Categories: tx("fast")},
		&Command{Name: "exec", Arity: 1, Flags: txFlags,
			Run: execCmd, Categories: tx("slow")},
		&Command{Name: "discard", Arity: 1, Flags: txFlags | FlagFast | FlagAllowBusy,
			Run: discardCmd, Categories: tx("fast")},
		// WATCH names keys (for COMMAND and cluster routing) but locks
		// each key's shard itself.
		&Command{Name: "watch", Arity: -2, Flags: txFlags | FlagFast | FlagAllowBusy,
			FirstKey: 1, LastKey: -1, Step: 1, Run: watchCmd, Categories: tx("fast")},
		&Command{Name: "unwatch", Arity: 1, Flags: txFlags | FlagFast | FlagAllowBusy,
			Run: unwatchCmd, Categories: tx("fast")},
	)
}

// txState is a session's transaction state: its MULTI queue and its
// watched keys. It is made on the session's first MULTI or WATCH and kept
// (with its buffers) while the session lives.
type txState struct {
	multi bool // between MULTI and EXEC/DISCARD
	abort bool // a command was refused at queue time: EXEC fails
	cmds  []queuedCmd
	arena []byte // the queued arguments, back to back
	ends  []int  // end offset in arena of each queued argument
	argv  [][]byte
	// watched lists the keys this session watches; each is registered
	// in its shard's registry.
	watched []watchedKey
	// dirty is set when a watched key is touched. Touches happen under
	// the lock of the key's shard, from any goroutine.
	dirty atomic.Bool
}

// queuedCmd is one command queued by MULTI.
type queuedCmd struct {
	cmd *Command // nil for a protocol-layer command (QueueLocal)
	// local runs a protocol-layer command.
	local func(args [][]byte, w Reply)
	first int // index in ends of its first argument
	n     int // argument count
}

// watchedKey is a key a session watches.
type watchedKey struct {
	db    int
	key   string // owned copy, shared with the registry
	shard int
}

// maxKeptArena bounds the argument buffer a session keeps between
// transactions (sessions are pooled and live long).
const maxKeptArena = 64 << 10

// txOf returns the session's transaction state, making it if needed.
func (s *Session) txOf() *txState {
	if s.tx == nil {
		s.tx = &txState{}
	}
	return s.tx
}

// InMulti reports whether the session is between MULTI and EXEC or
// DISCARD: its commands are being queued.
func (s *Session) InMulti() bool { return s.tx != nil && s.tx.multi }

// MultiLen returns the number of commands queued by the open MULTI, or -1
// outside MULTI (CLIENT LIST's multi= field).
func (s *Session) MultiLen() int {
	if s.tx == nil || !s.tx.multi {
		return -1
	}
	return len(s.tx.cmds)
}

// push copies args into the queue.
func (t *txState) push(cmd *Command, local func([][]byte, Reply), args [][]byte) {
	t.cmds = append(t.cmds, queuedCmd{cmd: cmd, local: local, first: len(t.ends), n: len(args)})
	for _, a := range args {
		t.arena = append(t.arena, a...)
		t.ends = append(t.ends, len(t.arena))
	}
}

// clearQueue empties the queue and leaves MULTI, keeping the buffers
// unless they grew large.
func (t *txState) clearQueue() {
	t.multi, t.abort = false, false
	clear(t.cmds)
	t.cmds = t.cmds[:0]
	t.ends = t.ends[:0]
	clear(t.argv)
	t.argv = t.argv[:0]
	if cap(t.arena) > maxKeptArena {
		t.arena, t.ends, t.argv = nil, nil, nil
	} else {
		t.arena = t.arena[:0]
	}
}

// views returns the queued arguments as slices of the arena.
func (t *txState) views() [][]byte {
	t.argv = t.argv[:0]
	start := 0
	for _, end := range t.ends {
		t.argv = append(t.argv, t.arena[start:end:end])
		start = end
	}
	return t.argv
}

// queue handles a command sent while the session is in MULTI.
func (e *Engine) queue(ctx context.Context, s *Session, args [][]byte, w Reply) error {
	t := s.tx
	cmd := Lookup(args[0])
	if cmd == nil {
		w.Error(UnknownCommand(args))
		t.abort = true
		return nil
	}
	if !cmd.checkArity(len(args)) {
		if cmd.Name == "exec" {
			e.execArityAbort(s, w)
			return nil
		}
		w.Error(WrongArity(cmd.Name))
		t.abort = true
		return nil
	}
	if len(cmd.Subcommands) > 0 && len(args) >= 2 {
		sub := findSub(cmd, args[1])
		if sub == nil {
			w.Error(unknownSubcommand(cmd.Name, args[1]))
			t.abort = true
			return nil
		}
		if !sub.checkArity(len(args)) {
			w.Error(WrongArity(sub.Name))
			t.abort = true
			return nil
		}
	}
	// Redis 7.0 refuses a command not allowed inside MULTI (SAVE...)
	// before it checks memory.
	if cmd.Flags&FlagNoMulti != 0 {
		w.Error(wireNoMulti)
		t.abort = true
		return nil
	}
	// As Redis 7.0: while memory is over the limit and nothing can be
	// evicted, every command but EXEC and DISCARD (QUIT and RESET never
	// reach here) is refused inside MULTI, not only those that may grow
	// memory, since queueing itself takes memory; this aborts the
	// transaction (WATCH and a nested MULTI get this error too, rather
	// than their own).
	if e.queueOOM(cmd) {
		w.Error(WireOOM)
		t.abort = true
		return nil
	}
	switch cmd.Name {
	case "exec", "discard", "multi", "watch":
		return e.RunContext(ctx, s, cmd, args, w)
	}
	t.push(cmd, nil, args)
	w.SimpleString("QUEUED")
	return nil
}

// queueOOM reports whether cmd (nil for a protocol-layer command), sent
// inside MULTI, must be refused with WireOOM: memory is over the limit,
// eviction cannot bring it back, and cmd is neither EXEC nor DISCARD.
func (e *Engine) queueOOM(cmd *Command) bool {
	if !e.KS.OverLimit() {
		return false
	}
	if cmd != nil && (cmd.Name == "exec" || cmd.Name == "discard") {
		return false
	}
	return e.DenyOOM()
}

// findSub returns the subcommand of container cmd named by arg, or nil.
func findSub(cmd *Command, arg []byte) *Command {
	n := len(cmd.Name) + 1
	for _, s := range cmd.Subcommands {
		if len(s.Name) == n+len(arg) && EqualFold(arg, s.Name[n:]) {
			return s
		}
	}
	return nil
}

// unknownSubcommand is Redis's error for an unknown subcommand of a
// container command.
func unknownSubcommand(container string, sub []byte) string {
	return "ERR unknown subcommand '" + truncArg(sub) + "'. Try " + strings.ToUpper(container) + " HELP."
}

// QueueLocal queues, inside MULTI, a command the protocol layer runs
// itself (the RESP server's connection commands: CLIENT, HELLO...): EXEC
// calls run with a copy of args, in order with the other queued commands
// and with the transaction's locks held (run must not take shard locks).
// It replies QUEUED, or refuses the command with WireOOM (aborting the
// transaction) when memory is over the limit as queue does. Outside MULTI
// it does nothing and returns false.
func (e *Engine) QueueLocal(s *Session, args [][]byte, w Reply, run func(args [][]byte, w Reply)) bool {
	if !s.InMulti() {
		return false
	}
	if e.queueOOM(nil) {
		w.Error(WireOOM)
		s.tx.abort = true
		return true
	}
	s.tx.push(nil, run, args)
	w.SimpleString("QUEUED")
	return true
}

// FailQueued replies with the error text msg to a command refused at
// queue time by the protocol layer (a connection command with a wrong
// arity, say) and, inside MULTI, makes EXEC fail with EXECABORT.
func (e *Engine) FailQueued(s *Session, msg string, w Reply) {
	w.Error(msg)
	if s.InMulti() {
		s.tx.abort = true
	}
}

// ResetSession ends the session's transaction state: an open MULTI is
// discarded and every watched key unwatched. Pooled sessions are reset
// before reuse, and a protocol layer resets a session when its client
// leaves (or sends RESET). The caller must hold no shard lock.
func (e *Engine) ResetSession(s *Session) {
	s.NoBlock = false
	if s.tx != nil {
		e.discardTx(s)
	}
}

// discardTx leaves MULTI, empties the queue and unwatches every key.
// execArityAbort answers an EXEC with the wrong number of arguments:
// Redis aborts at once when EXEC itself is refused, inside MULTI or not,
// with EXECABORT, and forgets the queue and every watched key.
func (e *Engine) execArityAbort(s *Session, w Reply) {
	w.Error(wireExecAbortPfx + strings.TrimPrefix(WrongArity("exec"), "ERR "))
	if s.tx != nil {
		e.discardTx(s)
	}
}

func (e *Engine) discardTx(s *Session) {
	t := s.tx
	t.clearQueue()
	e.unwatchAll(s)
}

func multiCmd(c *Ctx, _ [][]byte) {
	t := c.S.txOf()
	if t.multi {
		c.W.Error(wireMultiNested)
		return
	}
	t.multi = true
	c.OK()
}

func discardCmd(c *Ctx, _ [][]byte) {
	if !c.S.InMulti() {
		c.W.Error(wireDiscardNoMult)
		return
	}
	c.E.discardTx(c.S)
	c.OK()
}

func watchCmd(c *Ctx, args [][]byte) {
	if c.S.InMulti() {
		c.W.Error(wireWatchInMulti)
		return
	}
	c.E.watchKeys(c.S, c.DB, args[1:])
	c.OK()
}

func unwatchCmd(c *Ctx, _ [][]byte) {
	if c.S.tx != nil {
		c.E.unwatchAll(c.S)
	}
	c.OK()
}

// How EXEC runs a queued FlagSelfLock command (selfLockMode).
const (
	// selfLockFree: the command takes no shard lock; it runs with the
	// transaction's locks held.
	selfLockFree = iota
	// selfLockHeld: the command reads every shard and honours
	// Ctx.LocksHeld: EXEC locks every shard and the command takes none.
	selfLockHeld
	// selfLockOutside: any other FlagSelfLock command (INFO, MEMORY...)
	// locks shards itself, one at a time; EXEC releases its locks around
	// it, so the transaction is only atomic between such commands. This is
	// the safe default: a handler that locks shards while EXEC holds them
	// would deadlock.
	selfLockOutside
)

// selfLockMode says how EXEC runs the FlagSelfLock command cmd.
func selfLockMode(cmd *Command) int {
	switch cmd.Name {
	case "ping", "echo", "time", "select", "publish", "spublish", "pubsub",
		"multi", "exec", "discard", "watch", "unwatch":
		return selfLockFree
	case "scan", "dbsize":
		return selfLockHeld
	}
	return selfLockOutside
}

// QueuedHook observes the commands EXEC runs from a session's queue
// (Session.Hook), for a protocol layer that checks each of them again as
// it runs (Redis re-checks ACL permissions at EXEC) or times each of them
// (Redis's slow log records them, not EXEC). Its methods are called with
// the transaction's shard locks held: they must not call back into the
// engine.
type QueuedHook interface {
	// BeforeQueued is called before EXEC runs the queued command args.
	// Returning false skips the command, the hook having written its
	// reply (an error) to w.
	BeforeQueued(args [][]byte, w Reply) bool
	// AfterQueued is called once the command ran.
	AfterQueued(args [][]byte)
}

// LocksHeld reports whether the handler runs inside EXEC with every
// shard lock already held: a FlagSelfLock handler that locks shards
// itself must then not lock them. Only the commands selfLockMode lists as
// selfLockHeld (SCAN, DBSIZE) are run that way; a handler made to honour
// LocksHeld can be added there.
func (c *Ctx) LocksHeld() bool { return c.S.held }

// execCmd runs the queued commands atomically.
func execCmd(c *Ctx, _ [][]byte) {
	e, s, w := c.E, c.S, c.W
	t := s.tx
	if t == nil || !t.multi {
		w.Error(wireExecNoMulti)
		return
	}
	if t.abort {
		w.Error(wireExecAbort)
		e.discardTx(s)
		return
	}
	// As Redis: EXEC of a transaction holding a command that may grow
	// memory is refused while over the limit with nothing to evict.
	for i := range t.cmds {
		if q := t.cmds[i].cmd; q != nil && q.Flags&FlagDenyOOM != 0 {
			if e.KS.OverLimit() && e.DenyOOM() {
				w.Error("EXECABORT Transaction discarded because of: " + WireOOM)
				e.discardTx(s)
				return
			}
			break
		}
	}
	ks := e.KS
	ls := &s.locks
	ls.Reset()
	all := false
	argv := t.views()
	for i := range t.cmds {
		q := &t.cmds[i]
		cmd := q.cmd
		switch {
		case cmd == nil:
			continue
		case cmd.Flags&FlagAllShards != 0,
			cmd.Flags&FlagSelfLock != 0 && selfLockMode(cmd) == selfLockHeld:
			all = true
		case cmd.Flags&FlagSelfLock != 0:
		default:
			args := argv[q.first : q.first+q.n]
			var ok bool
			s.keys, ok = cmd.KeyIndexes(args, s.keys[:0])
			s.keyShard = -1
			if !ok {
				continue // the handler rejects the arguments, touching nothing
			}
			for _, k := range s.keys {
				ls.Add(ks.ShardIndex(Key(args[k])))
			}
		}
		if all {
			break
		}
	}
	if all {
		ls.AddAll(ks)
	} else {
		for i := range t.watched {
			ls.Add(t.watched[i].shard)
		}
	}
	ls.Lock(ks)
	now := e.Clock.NowMs()
	aborted := e.checkWatched(t, now)
	e.unwatchHeld(t)
	t.dirty.Store(false)
	if aborted {
		ls.Unlock(ks)
		t.clearQueue()
		w.NullArray()
		return
	}
	cmds := t.cmds
	t.multi = false
	prevNoBlock := s.NoBlock
	s.NoBlock, s.held = true, all
	w.ArrayLen(len(cmds))
	// The records of the transaction form one unit per shard (one
	// MULTI ... EXEC block in each shard's log, see propagate.go).
	e.beginUnits(s, ls.Indexes())
	hook := s.Hook
	for i := range cmds {
		q := &cmds[i]
		args := argv[q.first : q.first+q.n]
		if hook != nil && !hook.BeforeQueued(args, w) {
			continue
		}
		switch {
		case q.cmd == nil:
			q.local(args, w)
		case q.cmd.Flags&FlagSelfLock != 0 && selfLockMode(q.cmd) == selfLockOutside:
			e.endUnits(s, ls.Indexes())
			ls.Unlock(ks)
			s.held = false
			e.RunLocked(s, q.cmd, args, w, now)
			s.held = all
			ls.Lock(ks)
			e.beginUnits(s, ls.Indexes())
		default:
			e.RunLocked(s, q.cmd, args, w, now)
		}
		if hook != nil {
			hook.AfterQueued(args)
		}
	}
	e.endUnits(s, ls.Indexes())
	s.NoBlock, s.held = prevNoBlock, false
	ls.Unlock(ks)
	t.clearQueue()
}

// RunLocked runs an already looked-up, arity-checked command whose locks
// the caller already holds: the shards of all its keys; every shard for a
// FlagAllShards command, and for a FlagSelfLock command that locks shards
// (with the session's held flag set, see Ctx.LocksHeld). now is the
// command's clock reading. EXEC runs its queued commands with it; the
// caller should set Session.NoBlock, since a command cannot wait while
// its caller holds locks. Watched keys are touched and blocked clients
// signalled as when Exec runs the command.
func (e *Engine) RunLocked(s *Session, cmd *Command, args [][]byte, w Reply, now int64) {
	c := &s.ctx
	c.E, c.S, c.W, c.DB, c.Now = e, s, w, s.DB, now
	switch {
	case cmd.Flags&FlagSelfLock != 0:
		e.call(c, cmd, args)
		return
	case cmd.Flags&FlagAllShards != 0:
		e.callAllShards(c, cmd, args)
		return
	}
	var ok bool
	s.keys, ok = cmd.KeyIndexes(args, s.keys[:0])
	s.keyShard = -1
	if !ok || len(s.keys) == 0 {
		s.keys = s.keys[:0]
		e.call(c, cmd, args)
		return
	}
	e.callObserved(c, cmd, args, s.keys)
}

// ------------------------------------------------------------ registry

// watchRegistry holds the watched keys of an engine, one table per shard.
type watchRegistry struct {
	shards []shardWatch
}

func newWatchRegistry(shards int) watchRegistry {
	return watchRegistry{shards: make([]shardWatch, shards)}
}

// shardWatch is one shard's watched keys, guarded by the shard lock.
type shardWatch struct {
	keys map[waitKey][]*txState
	// seen is the shard's Dirty value up to which changes were
	// attributed to keys (see the file comment).
	seen int64
}

// touch marks the transactions watching key in db as failed.
func (ws *shardWatch) touch(db int, key string) {
	for _, t := range ws.keys[waitKey{db, key}] {
		t.dirty.Store(true)
	}
}

// touchAll marks every transaction watching a key of the shard as failed.
func (ws *shardWatch) touchAll() {
	for _, ts := range ws.keys {
		for _, t := range ts {
			t.dirty.Store(true)
		}
	}
}

// sync attributes the changes made to shard sh since ws.seen that no
// command accounted for to every key watched there.
func (ws *shardWatch) sync(sh *keyspace.Shard) {
	if sh.Dirty != ws.seen {
		ws.touchAll()
		ws.seen = sh.Dirty
	}
}

// observed reports whether shard i has watched keys or blocked clients,
// so that a command touching it must be followed by bookkeeping.
func (e *Engine) observed(i int) bool {
	return len(e.watch.shards[i].keys)|len(e.blocking.shards[i].queues) != 0
}

// callObserved runs a command whose key shards are locked and observed
// (see observed): watched keys among its keys are touched when it changed
// data in their shard, and clients blocked on its keys are signalled with
// the type the key holds afterwards (ZADD, ZUNIONSTORE, RENAME, COPY,
// SORT ... STORE: any command that creates a list or sorted set wakes
// its waiters without calling SignalReady itself).
func (e *Engine) callObserved(c *Ctx, cmd *Command, args [][]byte, keys []int) {
	ks := e.KS
	for _, k := range keys {
		i := ks.ShardIndex(Key(args[k]))
		if ws := &e.watch.shards[i]; len(ws.keys) != 0 {
			ws.sync(ks.Shard(i))
		}
	}
	e.callKeyed(c, cmd, args)
	for _, k := range keys {
		key := Key(args[k])
		i := ks.ShardIndex(key)
		sh := ks.Shard(i)
		if ws := &e.watch.shards[i]; len(ws.keys) != 0 && sh.Dirty != ws.seen {
			ws.touch(c.DB, key)
		}
		if cmd.Flags&FlagWrite != 0 {
			e.signalExisting(sh, c.DB, key, c.Now)
		}
	}
	for _, k := range keys {
		i := ks.ShardIndex(Key(args[k]))
		if ws := &e.watch.shards[i]; len(ws.keys) != 0 {
			ws.seen = ks.Shard(i).Dirty
		}
	}
}

// callAllShards runs a FlagAllShards command (every shard locked). The
// whole-keyspace writers (FLUSHDB, FLUSHALL, SWAPDB) touch the watched
// keys they change themselves (touchFlushed), so their changes are only
// recorded as attributed here.
func (e *Engine) callAllShards(c *Ctx, cmd *Command, args [][]byte) {
	ks := e.KS
	watched := false
	for i := range e.watch.shards {
		if ws := &e.watch.shards[i]; len(ws.keys) != 0 {
			ws.sync(ks.Shard(i))
			watched = true
		}
	}
	e.call(c, cmd, args)
	if watched {
		for i := range e.watch.shards {
			if ws := &e.watch.shards[i]; len(ws.keys) != 0 {
				ws.seen = ks.Shard(i).Dirty
			}
		}
	}
}

// signalExisting wakes the first client blocked on key (in db, on shard
// sh, which must be locked) that waits for the type the key now holds.
func (e *Engine) signalExisting(sh *keyspace.Shard, db int, key string, now int64) {
	sw := &e.blocking.shards[sh.Index()]
	if len(sw.queues) == 0 {
		return
	}
	if q := sw.queues[waitKey{db, key}]; q != nil {
		if ent := sh.Peek(db, key, now); ent != nil {
			q.wake(ent.Type())
		}
	}
}

// KeyReplaced records that a command wrote key in database db outside
// the command's own database or key arguments (MOVE, COPY ... DB, the
// typed API): transactions watching it fail and clients blocked on it are
// signalled with the type it now holds. sh, the key's shard, must be
// locked.
func (e *Engine) KeyReplaced(sh *keyspace.Shard, db int, key string, now int64) {
	if ws := &e.watch.shards[sh.Index()]; len(ws.keys) != 0 {
		ws.touch(db, key)
	}
	e.signalExisting(sh, db, key, now)
}

// watchDeleted is the engine's OnKeyDeleted hook: a key the keyspace
// removed on its own is touched.
func (e *Engine) watchDeleted(sh *keyspace.Shard, db int, key string, _ keyspace.DeleteReason) {
	ws := &e.watch.shards[sh.Index()]
	if len(ws.keys) == 0 {
		return
	}
	ws.touch(db, key)
	if ws.seen == sh.Dirty-1 { // the removal's own count: attributed
		ws.seen = sh.Dirty
	}
}

// touchFlushed touches the watched keys that FLUSHDB (db >= 0, other <
// 0), FLUSHALL (db < 0) or SWAPDB db other is about to change, as Redis's
// touchAllWatchedKeysInDb does: keys that exist in their database, and
// for SWAPDB keys that exist in the other one. Every shard must be
// locked; call it before the change.
func (e *Engine) touchFlushed(db, other int, now int64) {
	for i := range e.watch.shards {
		ws := &e.watch.shards[i]
		if len(ws.keys) == 0 {
			continue
		}
		sh := e.KS.Shard(i)
		ws.sync(sh)
		for wk, ts := range ws.keys {
			var exists bool
			switch {
			case db < 0:
				exists = sh.Peek(wk.db, wk.key, now) != nil
			case wk.db == db && other >= 0:
				exists = sh.Peek(db, wk.key, now) != nil || sh.Peek(other, wk.key, now) != nil
			case wk.db == db:
				exists = sh.Peek(db, wk.key, now) != nil
			case wk.db == other && other >= 0:
				exists = sh.Peek(other, wk.key, now) != nil || sh.Peek(db, wk.key, now) != nil
			}
			if exists {
				for _, t := range ts {
					t.dirty.Store(true)
				}
			}
		}
	}
}

// watchKeys registers keys of database db for the session (WATCH).
func (e *Engine) watchKeys(s *Session, db int, keys [][]byte) {
	t := s.txOf()
	ks := e.KS
	for _, k := range keys {
		key := Key(k)
		i := ks.ShardIndex(key)
		sh := ks.Shard(i)
		ws := &e.watch.shards[i]
		sh.Lock()
		if len(ws.keys) == 0 {
			ws.seen = sh.Dirty
		} else {
			ws.sync(sh)
		}
		// An expired key is removed now, touching those who watched it
		// alive; for this session it is simply missing.
		sh.Peek(db, key, e.Clock.NowMs())
		ws.seen = sh.Dirty
		wk := waitKey{db, key}
		ts := ws.keys[wk]
		dup := false
		for _, x := range ts {
			if x == t {
				dup = true
				break
			}
		}
		if !dup {
			owned := strings.Clone(key)
			wk.key = owned
			if ws.keys == nil {
				ws.keys = make(map[waitKey][]*txState)
			}
			ws.keys[wk] = append(ts, t)
			t.watched = append(t.watched, watchedKey{db: db, key: owned, shard: i})
		}
		sh.Unlock()
	}
}

// checkWatched reports whether EXEC must fail because a watched key was
// touched. The shards of every watched key must be locked. Changes not
// yet attributed are attributed, and watched keys that are logically
// expired are removed (touching them), as Redis 7.0's isWatchedKeyExpired
// makes EXEC fail.
func (e *Engine) checkWatched(t *txState, now int64) bool {
	if len(t.watched) == 0 {
		return t.dirty.Load()
	}
	ks := e.KS
	for i := range t.watched {
		wk := &t.watched[i]
		sh := ks.Shard(wk.shard)
		e.watch.shards[wk.shard].sync(sh)
		sh.Peek(wk.db, wk.key, now)
	}
	return t.dirty.Load()
}

// unwatchAll unwatches every key of the session, locking their shards.
func (e *Engine) unwatchAll(s *Session) {
	t := s.tx
	if t == nil {
		return
	}
	if len(t.watched) > 0 {
		ls := &s.locks
		ls.Reset()
		for i := range t.watched {
			ls.Add(t.watched[i].shard)
		}
		ls.Lock(e.KS)
		e.unwatchHeld(t)
		ls.Unlock(e.KS)
	}
	t.dirty.Store(false)
}

// unwatchHeld removes t's keys from the registries; their shards must be
// locked. The dirty flag is left for the caller.
func (e *Engine) unwatchHeld(t *txState) {
	for i := range t.watched {
		wk := &t.watched[i]
		ws := &e.watch.shards[wk.shard]
		k := waitKey{wk.db, wk.key}
		ts := ws.keys[k]
		for j, x := range ts {
			if x == t {
				last := len(ts) - 1
				ts[j] = ts[last]
				ts[last] = nil
				ts = ts[:last]
				break
			}
		}
		if len(ts) == 0 {
			delete(ws.keys, k)
		} else {
			ws.keys[k] = ts
		}
		t.watched[i] = watchedKey{}
	}
	t.watched = t.watched[:0]
}
