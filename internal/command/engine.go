package command

import (
	"strings"
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
}

// NewEngine returns an engine over ks.
func NewEngine(ks *keyspace.Keyspace, clk *clock.Clock) *Engine {
	return &Engine{KS: ks, Clock: clk, Limits: object.DefaultLimits()}
}

// Session is the state of one client: its selected database and scratch
// space reused from command to command. A Session must not be used by two
// goroutines at once.
type Session struct {
	DB    int
	ctx   Ctx
	keys  []int
	locks keyspace.LockSet
}

// NewSession returns a session on database db.
func NewSession(db int) *Session {
	return &Session{DB: db, keys: make([]int, 0, 8)}
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
}

// Exec looks the command up, checks its arity, locks the shards its keys
// live in (ascending order), runs it and unlocks.
func (e *Engine) Exec(s *Session, args [][]byte, w Reply) {
	if len(args) == 0 {
		return
	}
	cmd := Lookup(args[0])
	if cmd == nil {
		w.Error(UnknownCommand(args))
		return
	}
	if !cmd.checkArity(len(args)) {
		w.Error(WrongArity(cmd.Name))
		return
	}
	e.Run(s, cmd, args, w)
}

// UnknownCommand is the error text for an unknown command name.
func UnknownCommand(args [][]byte) string {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.WriteString(truncArg(args[0]))
	b.WriteString("', with args beginning with: ")
	for _, a := range args[1:] {
		if b.Len() >= 128 {
			break
		}
		b.WriteByte('\'')
		b.WriteString(truncArg(a))
		b.WriteString("' ")
	}
	return b.String()
}

func truncArg(a []byte) string {
	if len(a) > 128 {
		a = a[:128]
	}
	return sanitize(string(a))
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

// Run executes an already looked-up command whose arity was checked.
func (e *Engine) Run(s *Session, cmd *Command, args [][]byte, w Reply) {
	c := &s.ctx
	c.E, c.S, c.W, c.DB = e, s, w, s.DB
	ks := e.KS
	switch {
	case cmd.Flags&FlagSelfLock != 0:
		c.Now = e.Clock.NowMs()
		cmd.Run(c, args)
		return
	case cmd.Flags&FlagAllShards != 0:
		ks.LockAll()
		defer ks.UnlockAll()
		c.Now = e.Clock.NowMs()
		cmd.Run(c, args)
		return
	}
	var ok bool
	s.keys, ok = cmd.KeyIndexes(args, s.keys[:0])
	if !ok || len(s.keys) == 0 {
		c.Now = e.Clock.NowMs()
		cmd.Run(c, args)
		return
	}
	if len(s.keys) == 1 {
		sh := ks.ShardFor(Key(args[s.keys[0]]))
		sh.Lock()
		defer sh.Unlock()
		c.Now = e.Clock.NowMs()
		cmd.Run(c, args)
		return
	}
	s.locks.Reset()
	for _, i := range s.keys {
		s.locks.Add(ks.ShardIndex(Key(args[i])))
	}
	s.locks.Lock(ks)
	defer s.locks.Unlock(ks)
	c.Now = e.Clock.NowMs()
	cmd.Run(c, args)
}

// Key views an argument as a string without copying. The string must not
// be retained beyond the command (the keyspace copies keys it stores).
func Key(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Shard returns the shard holding key.
func (c *Ctx) Shard(key string) *keyspace.Shard { return c.E.KS.ShardFor(key) }

// Lookup returns the live entry for key in the selected database, or nil.
func (c *Ctx) Lookup(key string) *keyspace.Entry {
	return c.E.KS.ShardFor(key).Lookup(c.DB, key, c.Now)
}

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
