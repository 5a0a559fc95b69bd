package command

import (
	"math"
	"strconv"
	"unsafe"

	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
)

// Propagation: how write commands reach the append-only file.
//
// When Engine.Prop is set, every command flagged FlagWrite runs through
// callLogged. Before the handler it asks the Propagator whether writes
// are accepted (a failed log refuses them with its error, Redis's
// MISCONF), and notes the Dirty counter of every shard the command
// locked. After the handler, with the locks still held:
//
//   - if the handler emitted records itself (c.Propagate...) or declared
//     that nothing needs logging (c.PropagateNone), that is all;
//   - otherwise, if no locked shard's Dirty counter moved, nothing is
//     logged (the command changed nothing);
//   - otherwise, when every key of the command lives in one shard (or the
//     command locks all shards: FLUSHDB, FLUSHALL, SWAPDB), the command is
//     logged verbatim in each shard that changed: it is deterministic
//     given the shard's state, so replaying it reproduces the change;
//   - otherwise (keys in several shards, or a blocking command, whose
//     retry semantics differ from a plain run), every key of the command
//     in a shard that changed is logged in its final state: DEL, then
//     commands rebuilding the value, then its deadline (PEXPIREAT). Each
//     shard's log then only ever mentions keys of that shard, which is
//     what lets shards be replayed independently.
//
// Units. The records of one command, or of one EXEC, in one shard's log
// must replay all or nothing: a crash that tears the log in the middle of
// them must not leave half a transaction, or half of a key rebuilt (DEL,
// then the commands recreating its value). So callLogged opens a unit on
// every shard it locked before the handler runs (Propagator.Begin), and
// closes it afterwards (Propagator.End), passing the verbatim record as
// the unit's last one, so that the common single-record command costs
// nothing more. EXEC opens the units once for the whole transaction
// (beginUnits, endUnits), and callLogged then opens none. The propagator
// writes a unit holding more than one record as a MULTI ... EXEC block,
// as Redis does; the DELs the keyspace hook logs while a unit is open
// (keys found expired) belong to it. A transaction spanning shards is a
// unit in each shard's log: atomic per shard on crash recovery.
//
// Handlers of non-deterministic or time-relative commands emit an effect
// form (SET ... PXAT for SET EX, PEXPIREAT for EXPIRE, SREM for SPOP,
// LPOP for BLPOP, ...). Keys removed by the keyspace itself (expiry,
// eviction) are logged as DEL by a keyspace hook the persistence layer
// registers (Engine.OnKeyDeleted).

// Propagator receives the records of write commands. It is set once on an
// Engine (Engine.Prop) before the engine is used concurrently.
type Propagator interface {
	// Propagate appends one record, the command args to be run in logical
	// database db, to the log of shard. It is called with that shard's
	// lock held, so records reach each shard's log in apply order. It
	// must not retain args. It returns a durability ticket for Wait (0
	// when there is nothing to wait for).
	Propagate(shard, db int, args [][]byte) uint64
	// Begin opens a unit on shard: the records propagated to shard until
	// End are the effects of one command or one EXEC, and must replay all
	// or nothing. It is called with that shard's lock held, which is kept
	// until End; units do not nest.
	Begin(shard int)
	// End closes the unit Begin opened on shard. last, if not nil, is the
	// unit's final record, to be run in logical database db (the verbatim
	// record of a command, known to be the last one). A unit that holds
	// more than one record in the end must be logged as one block (Redis
	// wraps such records in MULTI ... EXEC). End returns the durability
	// ticket of the unit's last record (0 when there is nothing to wait
	// for); tickets Propagate returned inside the unit may be 0.
	End(shard, db int, last [][]byte) uint64
	// Refuse returns a non-nil error when write commands must be refused
	// (the log failed or is closed); the error's wire text (ToWire) is
	// the reply.
	Refuse() error
}

// ShardTicket is the durability ticket of the last record a session
// appended to one shard's log.
type ShardTicket struct {
	Shard  int
	Ticket uint64
}

// sessionProp is a session's propagation state.
type sessionProp struct {
	emitted bool // the current command emitted records
	none    bool // the current command declared nothing to log
	unit    bool // units are open on the locked shards (EXEC, callLogged)
	shards  []int
	dirty   []int64
	pending []ShardTicket
	scratch [][]byte
	nums    [4][24]byte
	numi    int
	batch   []byte
}

// Pending returns the durability tickets of the records appended by the
// session's commands since the last ClearPending, one per shard. The
// slice is only valid until the next command.
func (s *Session) Pending() []ShardTicket { return s.prop.pending }

// ClearPending forgets the session's durability tickets.
func (s *Session) ClearPending() { s.prop.pending = s.prop.pending[:0] }

// Logging reports whether write commands are being logged, so handlers
// can skip building records nobody will read.
func (c *Ctx) Logging() bool { return c.E.Prop != nil }

// Propagate logs args, a command in the selected database, in the shard
// of args[1] (its first key), instead of the command as it was called.
// A handler may call it several times; the records are logged in order.
func (c *Ctx) Propagate(args ...[]byte) {
	if c.E.Prop == nil || len(args) < 2 {
		return
	}
	c.PropagateTo(c.E.KS.ShardIndex(Key(args[1])), c.DB, args...)
}

// PropagateTo logs args in database db of shard's log. The shard's lock
// must be held and the record must only concern keys of that shard.
func (c *Ctx) PropagateTo(shard, db int, args ...[]byte) {
	if c.E.Prop == nil || len(args) == 0 {
		return
	}
	p := &c.S.prop
	p.scratch = append(p.scratch[:0], args...)
	c.emit(shard, db, p.scratch)
	clear(p.scratch)
}

// PropagateNone declares that the command changed nothing that needs
// logging, although shard counters may have moved (for example a key it
// found expired, which the keyspace hook logs by itself).
func (c *Ctx) PropagateNone() {
	if c.E.Prop != nil {
		c.S.prop.none = true
	}
}

// PropagateKeyState logs the current state of key in database db: DEL,
// then commands rebuilding its value, then its deadline. It is how a
// change made on behalf of another shard's data (a cross-shard RENAME,
// COPY or *STORE) is logged in the key's own shard. The key's shard lock
// must be held.
func (c *Ctx) PropagateKeyState(db int, key string) {
	if c.E.Prop == nil {
		return
	}
	c.emitKeyState(c.E.KS.ShardIndex(key), db, key)
}

// propInt formats n into one of a few rotating per-session buffers, so a
// record can hold several numbers without allocating.
func (c *Ctx) propInt(n int64) []byte {
	p := &c.S.prop
	b := strconv.AppendInt(p.nums[p.numi][:0], n, 10)
	p.numi = (p.numi + 1) % len(p.nums)
	return b
}

// emit hands one record to the propagator and keeps its ticket.
func (c *Ctx) emit(shard, db int, args [][]byte) {
	c.S.prop.emitted = true
	c.S.prop.keep(shard, c.E.Prop.Propagate(shard, db, args))
}

// keep records t as a durability ticket of shard's log.
func (p *sessionProp) keep(shard int, t uint64) {
	if t == 0 {
		return
	}
	for i := range p.pending {
		if p.pending[i].Shard == shard {
			p.pending[i].Ticket = max(p.pending[i].Ticket, t)
			return
		}
	}
	p.pending = append(p.pending, ShardTicket{Shard: shard, Ticket: t})
}

// callLogged runs a write command with propagation (see the comment at
// the top of this file). The command's locks are held.
func (e *Engine) callLogged(c *Ctx, cmd *Command, args [][]byte) {
	if err := e.Prop.Refuse(); err != nil {
		c.W.Error(ToWire(err))
		return
	}
	s := c.S
	p := &s.prop
	p.emitted, p.none = false, false
	p.shards, p.dirty = p.shards[:0], p.dirty[:0]
	if cmd.Flags&FlagSelfLock != 0 {
		// The handler locks by itself and must propagate by itself.
		cmd.Run(c, args)
		return
	}
	ks := e.KS
	switch {
	case cmd.Flags&FlagAllShards != 0:
		for i := range ks.NumShards() {
			p.shards = append(p.shards, i)
		}
	case len(s.keys) == 1:
		i := s.keyShard
		if i < 0 {
			i = ks.ShardIndex(Key(args[s.keys[0]]))
		}
		p.shards = append(p.shards, i)
	case len(s.keys) > 1:
		p.shards = append(p.shards, s.locks.Indexes()...)
	}
	for _, i := range p.shards {
		p.dirty = append(p.dirty, ks.Shard(i).Dirty)
	}
	// Inside EXEC the units are already open, for the whole transaction.
	own := !p.unit && len(p.shards) > 0
	if own {
		p.unit = true
		for _, i := range p.shards {
			e.Prop.Begin(i)
		}
	}
	cmd.Run(c, args)
	verbatim := e.logChanges(c, cmd, args)
	if !own {
		if verbatim {
			for j, i := range p.shards {
				if p.dirty[j] == -1 {
					c.emit(i, c.DB, args)
				}
			}
		}
		return
	}
	p.unit = false
	for j, i := range p.shards {
		var last [][]byte
		if verbatim && p.dirty[j] == -1 {
			last = args
		}
		p.keep(i, e.Prop.End(i, c.DB, last))
	}
}

// logChanges logs what the command just run changed, unless its handler
// did: it emits the final state of its keys when the command spans
// shards, or reports that the command must be logged verbatim in each
// shard marked changed (p.dirty[j] == -1).
func (e *Engine) logChanges(c *Ctx, cmd *Command, args [][]byte) (verbatim bool) {
	s := c.S
	p := &s.prop
	if p.emitted || p.none {
		return false
	}
	ks := e.KS
	changed := 0
	for j, i := range p.shards {
		if ks.Shard(i).Dirty != p.dirty[j] {
			p.dirty[j] = -1 // marks a changed shard
			changed++
		}
	}
	if changed == 0 {
		return false
	}
	if cmd.Flags&FlagAllShards != 0 || (len(p.shards) == 1 && cmd.Flags&FlagBlocking == 0) {
		return true
	}
	// Keys in several shards (or a blocking command): log the final
	// state of the command's keys in each shard that changed.
	var seen map[string]struct{}
	if len(s.keys) > 16 {
		seen = make(map[string]struct{}, len(s.keys))
	}
	for n, ki := range s.keys {
		key := Key(args[ki])
		i := ks.ShardIndex(key)
		if !shardChanged(p, i) {
			continue
		}
		if seen != nil {
			if _, dup := seen[key]; dup {
				continue
			}
			seen[key] = struct{}{}
		} else if seenBefore(args, s.keys[:n], key) {
			continue
		}
		c.emitKeyState(i, c.DB, key)
	}
	return false
}

// beginUnits opens a unit on each of the shards (whose locks are held) for
// the commands EXEC runs: their records are logged as one block per shard.
func (e *Engine) beginUnits(s *Session, shards []int) {
	if e.Prop == nil || len(shards) == 0 {
		return
	}
	s.prop.unit = true
	for _, i := range shards {
		e.Prop.Begin(i)
	}
}

// endUnits closes the units beginUnits opened, keeping their tickets.
func (e *Engine) endUnits(s *Session, shards []int) {
	if e.Prop == nil || !s.prop.unit {
		return
	}
	s.prop.unit = false
	for _, i := range shards {
		s.prop.keep(i, e.Prop.End(i, s.DB, nil))
	}
}

// shardChanged reports whether shard i is one callLogged marked changed.
func shardChanged(p *sessionProp, i int) bool {
	for j, k := range p.shards {
		if k == i {
			return p.dirty[j] == -1
		}
	}
	return false
}

// seenBefore reports whether key is one of the args at idx.
func seenBefore(args [][]byte, idx []int, key string) bool {
	for _, i := range idx {
		if Key(args[i]) == key {
			return true
		}
	}
	return false
}

// Command names and keywords of the records the engine builds.
var (
	pDEL       = []byte("DEL")
	pSET       = []byte("SET")
	pPXAT      = []byte("PXAT")
	pKEEPTTL   = []byte("KEEPTTL")
	pPEXPIREAT = []byte("PEXPIREAT")
	pPERSIST   = []byte("PERSIST")
	pRPUSH     = []byte("RPUSH")
	pLPUSH     = []byte("LPUSH")
	pLPOP      = []byte("LPOP")
	pRPOP      = []byte("RPOP")
	pLMOVE     = []byte("LMOVE")
	pLEFT      = []byte("LEFT")
	pRIGHT     = []byte("RIGHT")
	pSADD      = []byte("SADD")
	pSREM      = []byte("SREM")
	pHSET      = []byte("HSET")
	pZADD      = []byte("ZADD")
	pZPOPMIN   = []byte("ZPOPMIN")
	pZPOPMAX   = []byte("ZPOPMAX")
)

// keyStateBatch is how many elements one rebuilding record carries, as
// Redis's AOF rewrite does (AOF_REWRITE_ITEMS_PER_CMD).
const keyStateBatch = 64

// emitKeyState logs DEL key followed by the commands that recreate its
// current value and deadline (nothing more when it does not exist).
func (c *Ctx) emitKeyState(shard, db int, key string) {
	kb := unsafe.Slice(unsafe.StringData(key), len(key))
	c.emit(shard, db, [][]byte{pDEL, kb})
	e := c.E.KS.Shard(shard).Peek(db, key, c.Now)
	if e == nil {
		return
	}
	p := &c.S.prop
	rec := p.scratch[:0]
	flush := func() {
		if len(rec) > 2 {
			c.emit(shard, db, rec)
		}
		clear(rec[2:])
		rec = rec[:2]
		p.batch = p.batch[:0]
	}
	switch e.Type() {
	case keyspace.TypeString:
		c.emit(shard, db, [][]byte{pSET, kb, e.Str()})
	case keyspace.TypeList:
		rec = append(rec, pRPUSH, kb)
		for v := range (*object.List)(e.Obj()).All() {
			rec = append(rec, v)
			if len(rec) == 2+keyStateBatch {
				flush()
			}
		}
		flush()
	case keyspace.TypeSet:
		rec = append(rec, pSADD, kb)
		for v := range (*object.Set)(e.Obj()).Members() {
			rec = append(rec, v)
			if len(rec) == 2+keyStateBatch {
				flush()
			}
		}
		flush()
	case keyspace.TypeHash:
		rec = append(rec, pHSET, kb)
		for f, v := range (*object.Hash)(e.Obj()).All() {
			rec = append(rec, f, v)
			if len(rec) >= 2+2*keyStateBatch {
				flush()
			}
		}
		flush()
	case keyspace.TypeZSet:
		rec = append(rec, pZADD, kb)
		if cap(p.batch) < keyStateBatch*32 {
			p.batch = make([]byte, 0, keyStateBatch*32)
		}
		for m, sc := range (*object.ZSet)(e.Obj()).All() {
			start := len(p.batch)
			p.batch = AppendScore(p.batch, sc)
			rec = append(rec, p.batch[start:len(p.batch):len(p.batch)], m)
			if len(rec) >= 2+2*keyStateBatch {
				flush()
			}
		}
		flush()
	}
	clear(rec)
	p.scratch = rec[:0]
	if d := e.Expire(); d != 0 {
		c.emit(shard, db, [][]byte{pPEXPIREAT, kb, c.propInt(d)})
	}
}

// AppendScore formats a sorted-set score for a command record so that it
// parses back to the same float64: the shortest exact form, "inf" and
// "-inf" for the infinities.
func AppendScore(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

// propagateDeadline logs the effect of a TTL change on key: PEXPIREAT
// with the absolute deadline, or DEL when the change removed the key.
func (c *Ctx) propagateDeadline(key []byte, deadline int64, deleted bool) {
	if !c.Logging() {
		return
	}
	if deleted {
		c.Propagate(pDEL, key)
		return
	}
	c.Propagate(pPEXPIREAT, key, c.propInt(deadline))
}

// propagateSetPXAT logs SET key val PXAT deadline (SET EX/PX, SETEX,
// PSETEX in their absolute form).
func (c *Ctx) propagateSetPXAT(key, val []byte, deadline int64) {
	if !c.Logging() {
		return
	}
	c.Propagate(pSET, key, val, pPXAT, c.propInt(deadline))
}

// propagateListPop logs the pop of n elements (n < 0: the single-element
// form) from one end of the list at key.
func (c *Ctx) propagateListPop(key []byte, side ListSide, n int) {
	if !c.Logging() {
		return
	}
	name := pLPOP
	if side == ListRight {
		name = pRPOP
	}
	if n < 0 {
		c.Propagate(name, key)
		return
	}
	c.Propagate(name, key, c.propInt(int64(n)))
}

// propagateListMove logs LMOVE src dst from to: verbatim when both keys
// share a shard, else as a pop from src and a push to dst, each in its
// own shard.
func (c *Ctx) propagateListMove(src, dst, v []byte, from, to ListSide) {
	if !c.Logging() {
		return
	}
	ks := c.E.KS
	if ks.ShardIndex(Key(src)) == ks.ShardIndex(Key(dst)) {
		c.Propagate(pLMOVE, src, dst, sideWord(from), sideWord(to))
		return
	}
	c.propagateListPop(src, from, -1)
	push := pLPUSH
	if to == ListRight {
		push = pRPUSH
	}
	c.Propagate(push, dst, v)
}

func sideWord(s ListSide) []byte {
	if s == ListRight {
		return pRIGHT
	}
	return pLEFT
}

// propagateSRem logs the removal of members from the set at key (SPOP's
// effect), in records of at most 1024 members, or DEL when the set is
// gone.
func (c *Ctx) propagateSRem(key []byte, members []string, deleted bool) {
	if !c.Logging() || len(members) == 0 {
		return
	}
	if deleted {
		c.Propagate(pDEL, key)
		return
	}
	const per = 1024
	for len(members) > 0 {
		n := min(len(members), per)
		rec := make([][]byte, 0, n+2)
		rec = append(rec, pSREM, key)
		for _, m := range members[:n] {
			rec = append(rec, unsafe.Slice(unsafe.StringData(m), len(m)))
		}
		c.Propagate(rec...)
		members = members[n:]
	}
}

// propagateZPop logs the pop of up to n members from the low or high end
// of the sorted set at key (ZMPOP, BZPOPMIN... in their plain form).
func (c *Ctx) propagateZPop(key []byte, high bool, n int64) {
	if !c.Logging() {
		return
	}
	name := pZPOPMIN
	if high {
		name = pZPOPMAX
	}
	c.Propagate(name, key, c.propInt(n))
}
