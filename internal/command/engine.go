package command

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/kevydb/kevy/internal/clock"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
	"github.com/kevydb/kevy/internal/pubsub"
)

// Engine executes commands against a keyspace. It is safe for concurrent
// use; per-caller state lives in Session.
type Engine struct {
	KS    *keyspace.Keyspace
	Clock *clock.Clock
	// Limits are the compact-encoding thresholds (Redis's
	// *-max-listpack-* settings) applied to new and growing values.
	Limits object.Limits
	// PubSub is the process's pub/sub bus (PUBLISH, PUBSUB...); nil
	// means no subscriber can exist.
	PubSub *pubsub.Bus
	// deleteHooks are called for every key the keyspace removes by itself
	// (expiry, eviction); see OnKeyDeleted.
	deleteHooks []func(s *keyspace.Shard, db int, key string, why keyspace.DeleteReason)
	// blocking holds the clients blocked on keys (BLPOP...), per shard;
	// see blocking.go.
	blocking blockRegistry
	// watch holds the keys watched by transactions (WATCH), per shard;
	// see multi.go.
	watch watchRegistry
	// notify is the keyspace notification state; see notify.go.
	notify notifyState
	// Prop, when set, receives the records of write commands for the
	// append-only file; see propagate.go. Set it before concurrent use.
	Prop Propagator
	// Persist, when set, runs SAVE, BGSAVE, LASTSAVE and BGREWRITEAOF
	// (cmd_persist.go); nil for an in-memory database.
	Persist Persister
	// mem holds the maxmemory check's hooks and the command counters;
	// see cmd_memory.go and cmd_info.go.
	mem memState
	// rewrite implements CONFIG REWRITE; see SetConfigRewriter.
	rewrite atomic.Pointer[func([]ConfigParam) error]
	// errors counts error replies (CountError).
	errors errorStats
	// Hz is the frequency of the background tasks (Redis's hz), which
	// INFO shows; the program running them sets it (0 means 10).
	Hz atomic.Int32
	// settings are the engine's own CONFIG parameters (AddSettings),
	// replaced as a whole under settingsMu.
	settings   atomic.Pointer[SettingTable]
	settingsMu sync.Mutex
}

// NewEngine returns an engine over ks.
func NewEngine(ks *keyspace.Keyspace, clk *clock.Clock) *Engine {
	e := &Engine{KS: ks, Clock: clk, Limits: object.DefaultLimits(),
		blocking: newBlockRegistry(ks.NumShards()), watch: newWatchRegistry(ks.NumShards())}
	ks.OnDelete = e.keyDeleted
	e.mem.init(e)
	e.OnKeyDeleted(e.watchDeleted) // WATCH: expired and evicted keys are modified
	e.OnKeyDeleted(e.keyRemoved)   // "expired" / "evicted" events
	return e
}

// OnKeyDeleted registers f to be called, under the shard lock, for every
// key the keyspace removes on its own (lazy or active expiry, eviction):
// the AOF logs a DEL, notifications fire "expired"/"evicted", WATCH marks
// the key modified. Register hooks before the engine is used.
func (e *Engine) OnKeyDeleted(f func(s *keyspace.Shard, db int, key string, why keyspace.DeleteReason)) {
	e.deleteHooks = append(e.deleteHooks, f)
}

func (e *Engine) keyDeleted(s *keyspace.Shard, db int, key string, why keyspace.DeleteReason) {
	for _, f := range e.deleteHooks {
		f(s, db, key, why)
	}
}

// Session is the state of one client: its selected database and scratch
// space reused from command to command. A Session must not be used by two
// goroutines at once.
type Session struct {
	DB int
	// NoBlock makes blocking commands (BLPOP...) reply at once, as if
	// they had timed out, when they would block: Redis's
	// CLIENT_DENY_BLOCKING, set for commands run by MULTI/EXEC or scripts.
	NoBlock bool
	ctx     Ctx
	keys    []int
	// keyShard is the shard of the single key of s.keys while the command
	// runs through runOneShard, which has routed it already; -1 otherwise
	// (callLogged routes it again). keyData is that key's first byte in
	// the arguments and keyLen its length: Ctx.Shard and Ctx.Lookup
	// recognize the key by them and skip the hashing.
	keyShard  int
	keyData   *byte
	keyLen    int
	locks     keyspace.LockSet
	blk       *waiter     // the registration of a blocked command, see blocking.go
	spare     *waiter     // a finished waiter kept for reuse
	retryKeys [][]byte    // scratch of Ctx.RetryKeys
	tx        *txState    // MULTI queue and watched keys, see multi.go
	held      bool        // EXEC holds every shard lock (Ctx.LocksHeld)
	prop      sessionProp // propagation state, see propagate.go

	// Hook, when set, observes the queued commands EXEC runs (see
	// QueuedHook).
	Hook QueuedHook
	// Settings, when set, are the CONFIG parameters of the server the
	// session belongs to (maxclients, requirepass...), which its CONFIG
	// GET, SET and REWRITE see next to the engine's.
	Settings *SettingTable
}

// NewSession returns a session on database db.
func NewSession(db int) *Session {
	return &Session{DB: db, keys: make([]int, 0, 8), keyShard: -1}
}

// Ctx is what a handler sees: the engine, the client session, the reply
// sink, the selected database and the command's clock reading (one "now"
// per command, as Redis caches its time per command).
type Ctx struct {
	E   *Engine
	S   *Session
	W   Reply
	DB  int
	Now int64
	// capture, when set, holds back keyspace events (see callTracked).
	capture *[]capturedEvent
}

// Exec looks the command up, checks its arity, locks the shards its keys
// live in (ascending order), runs it and unlocks. A blocking command
// (BLPOP...) that finds no data waits for it, or for its timeout, with no
// shard lock held; use ExecContext to make that wait cancellable.
func (e *Engine) Exec(s *Session, args [][]byte, w Reply) {
	_ = e.ExecContext(context.Background(), s, args, w)
}

// ExecContext is Exec for a caller that can give up: when ctx is done
// while a blocking command waits, the command is withdrawn without a
// reply and ExecContext returns ctx.Err() (but see ErrUnblockTimeout and
// ErrUnblockError). It returns nil whenever a reply was written.
func (e *Engine) ExecContext(ctx context.Context, s *Session, args [][]byte, w Reply) error {
	if len(args) == 0 {
		return nil
	}
	if s.tx != nil && s.tx.multi {
		return e.queue(ctx, s, args, w)
	}
	cmd := Lookup(args[0])
	if cmd == nil {
		w.Error(UnknownCommand(args))
		return nil
	}
	if !cmd.checkArity(len(args)) {
		if cmd.Name == "exec" {
			e.execArityAbort(s, w)
			return nil
		}
		w.Error(WrongArity(cmd.Name))
		return nil
	}
	return e.RunContext(ctx, s, cmd, args, w)
}

// ExecCommand is Exec for a command its caller has already looked up (cmd
// is Lookup(args[0])) and whose arity it checked: the RESP server's path,
// which would otherwise look every command up twice. Inside MULTI the
// command is queued as by Exec.
func (e *Engine) ExecCommand(s *Session, cmd *Command, args [][]byte, w Reply) {
	if s.tx != nil && s.tx.multi {
		_ = e.queue(context.Background(), s, args, w)
		return
	}
	_ = e.RunContext(context.Background(), s, cmd, args, w)
}

// PublicSession, set by package kevy, returns the engine and the engine
// session behind a *kevy.Session (passed as any: this package cannot
// name the type), and the flag its database sets when closed. The RESP
// server uses them to run commands it has already looked up
// (ExecCommand).
var PublicSession func(s any) (*Engine, *Session, *atomic.Bool)

// UnknownCommand is the error text for an unknown command name. Like
// Redis, it quotes the arguments into a budget of 128 bytes (each cut to
// what is left of the budget and at its first NUL, as C's %.*s does) and
// replaces line breaks with spaces.
func UnknownCommand(args [][]byte) string {
	var quoted strings.Builder
	for _, a := range args[1:] {
		if quoted.Len() >= 128 {
			break
		}
		quoted.WriteByte('\'')
		quoted.WriteString(cString(a, 128-quoted.Len()+1))
		quoted.WriteString("' ")
	}
	return sanitize("ERR unknown command '" + cString(args[0], 128) + "', with args beginning with: " + quoted.String())
}

// truncArg quotes an argument into an error text the way Redis's "%.128s"
// does: at most 128 bytes, cut at the first NUL, no line breaks.
func truncArg(a []byte) string { return sanitize(cString(a, 128)) }

// cString returns at most n bytes of a, stopping at the first NUL.
func cString(a []byte, n int) string {
	if i := bytes.IndexByte(a, 0); i >= 0 {
		a = a[:i]
	}
	if len(a) > n {
		a = a[:n]
	}
	return string(a)
}

// sanitize replaces characters that cannot appear in an error line.
func sanitize(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// WrongArity is the error text for a wrong number of arguments.
func WrongArity(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

// Run executes an already looked-up command whose arity was checked. A
// blocking command waits as in Exec.
func (e *Engine) Run(s *Session, cmd *Command, args [][]byte, w Reply) {
	_ = e.RunContext(context.Background(), s, cmd, args, w)
}

// RunContext is Run with ExecContext's cancellation.
func (e *Engine) RunContext(ctx context.Context, s *Session, cmd *Command, args [][]byte, w Reply) error {
	if cmd.Flags&FlagDenyOOM != 0 && e.KS.OverLimit() && e.DenyOOM() {
		w.Error(WireOOM) // over maxmemory and nothing left to evict
		return nil
	}
	e.run(s, cmd, args, w)
	if s.blk == nil {
		return nil
	}
	return e.wait(ctx, s, cmd, args, w)
}

// run locks the command's shards, runs the handler and unlocks. Each
// locking case is a function of its own with a single defer, which the
// compiler open-codes (a function with several defers and returns pays
// the runtime's deferred-call machinery on every call).
func (e *Engine) run(s *Session, cmd *Command, args [][]byte, w Reply) {
	c := &s.ctx
	c.E, c.S, c.W, c.DB = e, s, w, s.DB
	switch {
	case cmd.Flags&FlagSelfLock != 0:
		e.mem.countKeyless(s)
		c.Now = e.Clock.NowMs()
		e.call(c, cmd, args)
		return
	case cmd.Flags&FlagAllShards != 0:
		e.runAllShards(c, cmd, args)
		return
	}
	var ok bool
	s.keys, ok = cmd.KeyIndexes(args, s.keys[:0])
	s.keyShard = -1
	switch {
	case !ok || len(s.keys) == 0:
		s.keys = s.keys[:0] // no lock held: nothing for callLogged to inspect
		e.mem.countKeyless(s)
		c.Now = e.Clock.NowMs()
		e.call(c, cmd, args)
	case len(s.keys) == 1:
		e.runOneShard(c, cmd, args)
	default:
		e.runShards(c, cmd, args)
	}
}

// runAllShards runs a command that locks every shard.
func (e *Engine) runAllShards(c *Ctx, cmd *Command, args [][]byte) {
	ks := e.KS
	ks.LockAll()
	defer ks.UnlockAll()
	ks.Shard(0).Commands++
	c.Now = e.Clock.NowMs()
	e.callAllShards(c, cmd, args)
}

// runOneShard runs a command whose keys (c.S.keys) are one.
func (e *Engine) runOneShard(c *Ctx, cmd *Command, args [][]byte) {
	key := Key(args[c.S.keys[0]])
	sh := e.KS.ShardFor(key)
	c.S.keyShard, c.S.keyData, c.S.keyLen = sh.Index(), unsafe.StringData(key), len(key)
	defer c.S.forgetKeyShard() // the arguments' memory is reused for other keys
	sh.Lock()
	defer sh.Unlock()
	sh.Commands++
	c.Now = e.Clock.NowMs()
	if e.observed(sh.Index()) { // watched keys or blocked clients here
		e.callObserved(c, cmd, args, c.S.keys)
	} else {
		e.callKeyed(c, cmd, args)
	}
	sh.Settle() // account in-place changes of aggregates (keyspace/memory.go)
}

// runShards runs a command whose keys (c.S.keys) are several, locking
// their shards in order.
func (e *Engine) runShards(c *Ctx, cmd *Command, args [][]byte) {
	s, ks := c.S, e.KS
	s.locks.Reset()
	for _, i := range s.keys {
		s.locks.Add(ks.ShardIndex(Key(args[i])))
	}
	s.locks.Lock(ks)
	defer s.locks.Unlock(ks)
	ks.Shard(s.locks.Indexes()[0]).Commands++
	c.Now = e.Clock.NowMs()
	for _, i := range s.locks.Indexes() {
		if e.observed(i) {
			e.callObserved(c, cmd, args, s.keys)
			return
		}
	}
	e.callKeyed(c, cmd, args)
}

// call runs the handler with the command's locks held. After a blocked
// command's retry it settles the registration while the locks are still
// held (see afterRetry).
func (e *Engine) call(c *Ctx, cmd *Command, args [][]byte) {
	if e.Prop != nil && cmd.Flags&FlagWrite != 0 {
		e.callLogged(c, cmd, args)
	} else {
		cmd.Run(c, args)
	}
	if c.S.blk != nil {
		e.afterRetry(c)
	}
}

// Key views an argument as a string without copying. The string must not
// be retained beyond the command (the keyspace copies keys it stores).
func Key(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Shard returns the shard holding key.
func (c *Ctx) Shard(key string) *keyspace.Shard {
	// The same bytes as the command's routed key: the same key.
	if s := c.S; s.keyShard >= 0 && unsafe.StringData(key) == s.keyData && len(key) == s.keyLen {
		return c.E.KS.Shard(s.keyShard)
	}
	return c.E.KS.ShardFor(key)
}

// Lookup returns the live entry for key in the selected database, or nil.
func (c *Ctx) Lookup(key string) *keyspace.Entry {
	return c.Shard(key).Lookup(c.DB, key, c.Now)
}

// forgetKeyShard ends runOneShard's routing of the command's key.
func (s *Session) forgetKeyShard() { s.keyShard, s.keyData = -1, nil }

// LookupType returns the entry for key if it holds typ. When the key holds
// another type it replies WRONGTYPE and returns ok=false; a missing key
// gives (nil, true).
func (c *Ctx) LookupType(key string, typ keyspace.Type) (e *keyspace.Entry, ok bool) {
	e = c.Lookup(key)
	if e != nil && e.Type() != typ {
		c.W.Error(WireWrongType)
		return nil, false
	}
	return e, true
}

// OK replies +OK.
func (c *Ctx) OK() { c.W.SimpleString("OK") }
