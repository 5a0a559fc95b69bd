package command

// Keyspace notifications (Redis "notify-keyspace-events").
//
// Handlers report what they did with Ctx.Notify (and the helpers below)
// after the change is made, in Redis 7.0's order. When no event of the
// class is wanted, by the configuration or by a Go hook, a call costs one
// atomic load. Otherwise the event is published, under the command's
// shard locks as Redis does, to "__keyspace@<db>__:<key>" (payload: the
// event name) and "__keyevent@<db>__:<event>" (payload: the key) on the
// engine's pub/sub bus, and handed to the hooks registered with
// Engine.OnKeyEvent.

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
)

// NotifyClass is a set of keyspace event classes and channel kinds: the
// flags of Redis's notify-keyspace-events, one bit each.
type NotifyClass uint32

// Event classes, with their notify-keyspace-events letters.
const (
	NotifyKeyspace NotifyClass = 1 << iota // K: __keyspace@<db>__ channels
	NotifyKeyevent                         // E: __keyevent@<db>__ channels
	NotifyGeneric                          // g: DEL, EXPIRE, RENAME...
	NotifyString                           // $: string commands
	NotifyList                             // l: list commands
	NotifySet                              // s: set commands
	NotifyHash                             // h: hash commands
	NotifyZSet                             // z: sorted-set commands
	NotifyExpired                          // x: a key expired
	NotifyEvicted                          // e: a key was evicted
	NotifyStream                           // t: stream commands
	NotifyKeyMiss                          // m: a read found no key
	NotifyModule                           // d: module events
	NotifyNew                              // n: a key was created

	// NotifyAll is what the letter A stands for: every class but key
	// misses (m) and new keys (n).
	NotifyAll = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash |
		NotifyZSet | NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule
)

// notifyLetters maps each letter of a notify-keyspace-events string to its
// class, in the order Redis prints them (after A).
var notifyLetters = [...]struct {
	ch    byte
	class NotifyClass
}{
	{'g', NotifyGeneric}, {'$', NotifyString}, {'l', NotifyList}, {'s', NotifySet},
	{'h', NotifyHash}, {'z', NotifyZSet}, {'x', NotifyExpired}, {'e', NotifyEvicted},
	{'t', NotifyStream}, {'d', NotifyModule}, {'n', NotifyNew},
	{'K', NotifyKeyspace}, {'E', NotifyKeyevent}, {'m', NotifyKeyMiss},
}

// ParseNotifyFlags parses a notify-keyspace-events string ("KEA", "Elg",
// "" for none). ok is false when it holds a character Redis does not
// know.
func ParseNotifyFlags(s string) (flags NotifyClass, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == 'A' {
			flags |= NotifyAll
			continue
		}
		found := false
		for _, l := range notifyLetters {
			if l.ch == s[i] {
				flags |= l.class
				found = true
				break
			}
		}
		if !found {
			return 0, false
		}
	}
	return flags, true
}

// String formats flags the way CONFIG GET notify-keyspace-events shows
// them: "A" for the whole NotifyAll set, else the class letters, then K,
// E and m. Like Redis 7.0, it drops n when A is printed ("AKEn" reads
// back as "AKE"), although the flag stays set.
func (f NotifyClass) String() string {
	var b []byte
	if f&NotifyAll == NotifyAll {
		b = append(b, 'A')
	} else {
		for _, l := range notifyLetters[:11] {
			if f&l.class != 0 {
				b = append(b, l.ch)
			}
		}
	}
	for _, l := range notifyLetters[11:] {
		if f&l.class != 0 {
			b = append(b, l.ch)
		}
	}
	return string(b)
}

// EventHook receives keyspace events: the database, the event's class,
// its Redis name ("set", "expired"...) and the key. It runs under the
// shard locks of the command that caused the event: it must not block or
// call back into the engine, and must copy key to keep it.
type EventHook func(db int, class NotifyClass, event, key string)

type eventHook struct {
	mask NotifyClass
	fn   EventHook
}

// notifyState is the engine's notification configuration.
type notifyState struct {
	// conf holds the notify-keyspace-events flags as configured.
	conf atomic.Uint32
	// mask is the union of the classes anything wants: those of conf when
	// conf selects K or E, and every hook's. Ctx.Notify tests it.
	mask atomic.Uint32
	// hooks is an immutable list, replaced under mu.
	hooks atomic.Pointer[[]*eventHook]
	mu    sync.Mutex
}

// recompute refreshes mask. The caller holds mu.
func (n *notifyState) recompute() {
	conf := NotifyClass(n.conf.Load())
	var m NotifyClass
	if conf&(NotifyKeyspace|NotifyKeyevent) != 0 {
		m = conf &^ (NotifyKeyspace | NotifyKeyevent)
	}
	if hs := n.hooks.Load(); hs != nil {
		for _, h := range *hs {
			m |= h.mask
		}
	}
	n.mask.Store(uint32(m))
}

// SetNotifyFlags sets notify-keyspace-events.
func (e *Engine) SetNotifyFlags(f NotifyClass) {
	n := &e.notify
	n.mu.Lock()
	n.conf.Store(uint32(f))
	n.recompute()
	n.mu.Unlock()
}

// NotifyAny reports whether anything wants keyspace events now (the
// configured flags select some, or an OnKeyEvent hook is registered).
func (e *Engine) NotifyAny() bool { return e.notify.mask.Load() != 0 }

// NotifyFlags returns notify-keyspace-events.
func (e *Engine) NotifyFlags() NotifyClass { return NotifyClass(e.notify.conf.Load()) }

// OnKeyEvent registers fn for the events of the classes in mask (K and E
// are ignored), whatever notify-keyspace-events says, and returns a
// function that unregisters it. See EventHook for what fn may do.
func (e *Engine) OnKeyEvent(mask NotifyClass, fn EventHook) (remove func()) {
	h := &eventHook{mask: mask &^ (NotifyKeyspace | NotifyKeyevent), fn: fn}
	n := &e.notify
	n.mu.Lock()
	var hs []*eventHook
	if old := n.hooks.Load(); old != nil {
		hs = append(hs, *old...)
	}
	hs = append(hs, h)
	n.hooks.Store(&hs)
	n.recompute()
	n.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			n.mu.Lock()
			defer n.mu.Unlock()
			old := n.hooks.Load()
			if old == nil {
				return
			}
			hs := make([]*eventHook, 0, len(*old))
			for _, x := range *old {
				if x != h {
					hs = append(hs, x)
				}
			}
			n.hooks.Store(&hs)
			n.recompute()
		})
	}
}

// Notifying reports whether events of any class in class are wanted.
func (e *Engine) Notifying(class NotifyClass) bool {
	return NotifyClass(e.notify.mask.Load())&class != 0
}

// Notify reports an event on key in database db (the caller holds the
// key's shard lock). It costs one atomic load when nobody wants class.
func (e *Engine) Notify(class NotifyClass, event, key string, db int) {
	if NotifyClass(e.notify.mask.Load())&class != 0 {
		e.notifyEvent(class, event, key, db)
	}
}

// notifyEvent publishes the event and calls the hooks.
func (e *Engine) notifyEvent(class NotifyClass, event, key string, db int) {
	conf := NotifyClass(e.notify.conf.Load())
	if conf&class != 0 && conf&(NotifyKeyspace|NotifyKeyevent) != 0 && e.PubSub != nil && !e.PubSub.Idle() {
		e.publishEvent(conf, event, key, db)
	}
	if hs := e.notify.hooks.Load(); hs != nil {
		for _, h := range *hs {
			if h.mask&class != 0 {
				h.fn(db, class, event, key)
			}
		}
	}
}

// Channel prefixes of keyspace notifications.
const (
	keyspacePrefix = "__keyspace@"
	keyeventPrefix = "__keyevent@"
	channelInfix   = "__:"
)

// publishEvent publishes to the keyspace channel (K) then the keyevent
// channel (E), as Redis does. Both channels and the key payload share one
// allocation; the event payload is the (constant) event name itself.
func (e *Engine) publishEvent(conf NotifyClass, event, key string, db int) {
	var num [20]byte
	dbs := strconv.AppendInt(num[:0], int64(db), 10)
	head := len(keyspacePrefix) + len(dbs) + len(channelInfix)
	size := 0
	if conf&NotifyKeyspace != 0 {
		size += head + len(key)
	}
	if conf&NotifyKeyevent != 0 {
		size += head + len(event) + len(key)
	}
	buf := make([]byte, 0, size)
	if conf&NotifyKeyspace != 0 {
		buf = append(buf, keyspacePrefix...)
		buf = append(buf, dbs...)
		buf = append(buf, channelInfix...)
		buf = append(buf, key...)
		ch := unsafe.String(unsafe.SliceData(buf), len(buf))
		e.PubSub.Publish(ch, unsafe.Slice(unsafe.StringData(event), len(event)))
	}
	if conf&NotifyKeyevent != 0 {
		start := len(buf)
		buf = append(buf, keyeventPrefix...)
		buf = append(buf, dbs...)
		buf = append(buf, channelInfix...)
		buf = append(buf, event...)
		mid := len(buf)
		buf = append(buf, key...)
		ch := unsafe.String(&buf[start], mid-start)
		e.PubSub.Publish(ch, buf[mid:len(buf):len(buf)])
	}
}

// keyRemoved is the engine's OnKeyDeleted hook: it reports keys removed
// by expiry ("expired") or eviction ("evicted").
func (e *Engine) keyRemoved(_ *keyspace.Shard, db int, key string, why keyspace.DeleteReason) {
	switch why {
	case keyspace.ReasonExpired:
		e.Notify(NotifyExpired, "expired", key, db)
	case keyspace.ReasonEvicted:
		e.Notify(NotifyEvicted, "evicted", key, db)
	}
}

// ------------------------------------------------------- handler helpers

// Notify reports an event on key in the selected database. Handlers call
// it after making the change, in Redis's order of events.
func (c *Ctx) Notify(class NotifyClass, event, key string) {
	if NotifyClass(c.E.notify.mask.Load())&class != 0 {
		c.notify(class, event, key, c.DB)
	}
}

// NotifyDB is Notify for a key of database db (MOVE, COPY ... DB).
func (c *Ctx) NotifyDB(class NotifyClass, event, key string, db int) {
	if NotifyClass(c.E.notify.mask.Load())&class != 0 {
		c.notify(class, event, key, db)
	}
}

// notify delivers an event, or keeps it for later while callKeyed
// tracks new keys.
func (c *Ctx) notify(class NotifyClass, event, key string, db int) {
	if c.capture != nil {
		*c.capture = append(*c.capture, capturedEvent{class, event, key, db})
		return
	}
	c.E.notifyEvent(class, event, key, db)
}

// capturedEvent is an event held back during a command (see callKeyed).
// key may alias the command's arguments: the events are delivered before
// the command returns.
type capturedEvent struct {
	class      NotifyClass
	event, key string
	db         int
}

// Notifying reports whether events of any class in class are wanted, for
// handlers that must look something up before a change to report it.
func (c *Ctx) Notifying(class NotifyClass) bool {
	return NotifyClass(c.E.notify.mask.Load())&class != 0
}

// exists reports whether key exists in the selected database, without
// statistics.
func (c *Ctx) exists(key string) bool {
	return c.Shard(key).Peek(c.DB, key, c.Now) != nil
}

// ExistsForNotify reports whether key exists when an event of one of
// classes is wanted (false otherwise, for one atomic load): the *STORE
// commands and LTRIM need it before the change to report it.
func (c *Ctx) ExistsForNotify(classes NotifyClass, key string) bool {
	return c.Notifying(classes) && c.exists(key)
}

// NotifyDelIfGone reports "del" for key when the command emptied and so
// deleted it (after the command's own event, as in Redis).
func (c *Ctx) NotifyDelIfGone(key string) {
	if c.Notifying(NotifyGeneric) && !c.exists(key) {
		c.notify(NotifyGeneric, "del", key, c.DB)
	}
}

// NotifyStore reports the events of a command that stored a result of n
// elements at dst: event when n > 0, "del" when the empty result deleted
// dst, which existed before (ExistsForNotify with NotifyGeneric). "new"
// is reported by the engine (see callKeyed).
func (c *Ctx) NotifyStore(existed bool, n int, class NotifyClass, event, dst string) {
	switch {
	case n > 0:
		c.Notify(class, event, dst)
	case existed:
		c.Notify(NotifyGeneric, "del", dst)
	}
}

// setHas reports whether the set at key contains member, without
// statistics (SMOVE's "sadd" is reported only when the member was added).
func (c *Ctx) setHas(key string, member []byte) bool {
	e := c.Shard(key).Peek(c.DB, key, c.Now)
	return e != nil && e.Type() == keyspace.TypeSet && (*object.Set)(e.Obj()).Contains(member)
}

// pushEvent and popEvent name list events by side.
func pushEvent(side ListSide) string {
	if side == ListLeft {
		return "lpush"
	}
	return "rpush"
}

func popEvent(side ListSide) string {
	if side == ListLeft {
		return "lpop"
	}
	return "rpop"
}

// notifyMSet reports MSET's "set" event for each key, in order.
func (c *Ctx) notifyMSet(kv [][]byte) {
	if !c.Notifying(NotifyString) {
		return
	}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Notify(NotifyString, "set", Key(kv[i]))
	}
}

// notifySet reports SET's events: "set", and "expire" when it set a TTL.
func (c *Ctx) notifySet(key string, expire bool) {
	c.Notify(NotifyString, "set", key)
	if expire {
		c.Notify(NotifyGeneric, "expire", key)
	}
}

// ------------------------------------------------- new keys, key misses

// maxTrackedKeys bounds the keys of a command that "new" and "keymiss"
// events are tracked for.
const maxTrackedKeys = 64

// present reports whether key is in the table, due or not: a key created
// with a deadline in the past (SET ... PXAT 1) was still added.
func present(sh *keyspace.Shard, db int, key string) bool {
	return sh.Peek(db, key, math.MinInt64) != nil
}

// callKeyed runs a command whose key shards are locked (Engine.run). When
// "new" or "keymiss" events are wanted it runs it through callTracked;
// otherwise this costs one atomic load.
func (e *Engine) callKeyed(c *Ctx, cmd *Command, args [][]byte) {
	if NotifyClass(e.notify.mask.Load())&(NotifyKeyMiss|NotifyNew) == 0 || len(c.S.keys) > maxTrackedKeys {
		e.call(c, cmd, args)
		return
	}
	e.callTracked(c, cmd, args)
}

// callTracked reports the events no handler does. The command's events
// are held back while it runs, then delivered after these:
//
//   - "keymiss", for each key that a read lookup did not find, first (as
//     Redis reports them from its lookups, before the command changes
//     anything): the keys of the shards whose miss counter moved that do
//     not exist after the command, in argument order, then those it
//     created after missing them (SET ... GET), as many per shard as the
//     counter moved. The destination of a *STORE command is never read.
//     OBJECT and MEMORY USAGE report none (Redis's LOOKUP_NONOTIFY).
//   - "new", for every key argument that did not exist before the command
//     and exists after it, just before the first event on that key (or
//     after the others when no event of its class is wanted). A handler
//     that re-creates an existing key (RENAME, COPY) reports "new"
//     itself.
func (e *Engine) callTracked(c *Ctx, cmd *Command, args [][]byte) {
	mask := NotifyClass(e.notify.mask.Load())
	keys := c.S.keys
	db := c.DB
	var sh [maxTrackedKeys]*keyspace.Shard
	var absent [maxTrackedKeys]bool
	var misses [maxTrackedKeys]int64
	for i, k := range keys {
		key := Key(args[k])
		sh[i] = e.KS.ShardFor(key)
		absent[i] = sh[i].Peek(db, key, c.Now) == nil
		misses[i] = sh[i].Misses
	}
	var held []capturedEvent
	c.capture = &held
	e.call(c, cmd, args)
	c.capture = nil
	if mask&NotifyKeyMiss != 0 && cmd.Name != "object" && cmd.Name != "memory" {
		e.notifyKeyMisses(c, cmd, args, sh[:len(keys)], absent[:len(keys)], misses[:len(keys)])
	}
	if mask&NotifyNew == 0 {
		for _, ev := range held {
			e.notifyEvent(ev.class, ev.event, ev.key, ev.db)
		}
		return
	}
	for _, ev := range held {
		if ev.db == db {
			first := -1
			for i, k := range keys {
				if absent[i] && Key(args[k]) == ev.key {
					absent[i] = false // announced, by us or by the handler
					if first < 0 {
						first = i
					}
				}
			}
			if first >= 0 && ev.event != "new" && present(sh[first], db, ev.key) {
				e.notifyEvent(NotifyNew, "new", ev.key, db)
			}
		}
		e.notifyEvent(ev.class, ev.event, ev.key, ev.db)
	}
	// Keys created without an event of a wanted class ("Kn").
	for i, k := range keys {
		if absent[i] && present(sh[i], db, Key(args[k])) {
			for j := i; j < len(keys); j++ {
				if Key(args[keys[j]]) == Key(args[k]) {
					absent[j] = false
				}
			}
			e.notifyEvent(NotifyNew, "new", Key(args[k]), db)
		}
	}
}

// notifyKeyMisses reports "keymiss" events for callTracked: sh, absent
// and misses are, per key argument, its shard, whether it was absent
// before the command and its shard's miss counter before it.
func (e *Engine) notifyKeyMisses(c *Ctx, cmd *Command, args [][]byte, sh []*keyspace.Shard, absent []bool, misses []int64) {
	keys := c.S.keys
	// Several keys may share a shard: the first of them holds its count.
	owner := make([]int, len(keys))
	for i := range keys {
		owner[i] = i
		for j := range i {
			if sh[j] == sh[i] {
				owner[i] = j
				break
			}
		}
		if owner[i] == i {
			misses[i] = sh[i].Misses - misses[i]
		}
	}
	skipFirst := strings.HasSuffix(cmd.Name, "store") // the destination
	reported := make([]bool, len(keys))
	for pass := range 2 {
		for i, k := range keys {
			if reported[i] || misses[owner[i]] <= 0 || i == 0 && skipFirst {
				continue
			}
			key := Key(args[k])
			if exists := sh[i].Peek(c.DB, key, c.Now) != nil; exists && (pass == 0 || !absent[i]) {
				continue
			}
			reported[i] = true
			misses[owner[i]]--
			e.notifyEvent(NotifyKeyMiss, "keymiss", key, c.DB)
		}
	}
}

// ------------------------------------------------------ family helpers

// notifyOK reports an event when err is nil (the command succeeded).
func (c *Ctx) notifyOK(err error, class NotifyClass, event, key string) {
	if err == nil {
		c.Notify(class, event, key)
	}
}

// notifyGetEx reports GETEX's events: "del" when a past deadline deleted
// the key, "expire" for a new TTL, "persist" when PERSIST removed one
// (hadTTL).
func (c *Ctx) notifyGetEx(key string, p GetExParams, hadTTL bool) {
	switch {
	case p.Deadline != 0 && p.Deadline <= c.Now:
		c.Notify(NotifyGeneric, "del", key)
	case p.Deadline != 0:
		c.Notify(NotifyGeneric, "expire", key)
	case p.Persist && hadTTL:
		c.Notify(NotifyGeneric, "persist", key)
	}
}

// notifyExpire reports EXPIRE's event when it applied: "del" when the
// deadline was already due (the key was deleted), "expire" otherwise.
func (c *Ctx) notifyExpire(ok bool, key string, deadline int64) {
	switch {
	case !ok:
	case deadline <= c.Now:
		c.Notify(NotifyGeneric, "del", key)
	default:
		c.Notify(NotifyGeneric, "expire", key)
	}
}

// notifyRename reports RENAME's events when src was renamed to another
// key: "new" (Redis re-adds dst even when it replaced a key),
// "rename_from" and "rename_to".
func (c *Ctx) notifyRename(ok bool, src, dst string) {
	if ok && src != dst {
		c.Notify(NotifyNew, "new", dst)
		c.Notify(NotifyGeneric, "rename_from", src)
		c.Notify(NotifyGeneric, "rename_to", dst)
	}
}

// notifyCopy reports COPY's events in the destination database.
func (c *Ctx) notifyCopy(ok bool, dst string, dstDB int) {
	if ok {
		c.NotifyDB(NotifyNew, "new", dst, dstDB)
		c.NotifyDB(NotifyGeneric, "copy_to", dst, dstDB)
	}
}

// notifyMove reports MOVE's events: "new" and "move_to" in the target
// database, "move_from" in the source one, in Redis's order.
func (c *Ctx) notifyMove(ok bool, key string, dstDB int) {
	if ok {
		c.NotifyDB(NotifyNew, "new", key, dstDB)
		c.Notify(NotifyGeneric, "move_from", key)
		c.NotifyDB(NotifyGeneric, "move_to", key, dstDB)
	}
}

// notifyPopped reports a pop's event and, when it emptied (and so
// deleted) the key, "del".
func (c *Ctx) notifyPopped(class NotifyClass, event, key string, emptied bool) {
	c.Notify(class, event, key)
	if emptied {
		c.Notify(NotifyGeneric, "del", key)
	}
}

// notifyListMove reports LMOVE's events: the push on dst, the pop on src,
// then "del" if src was emptied.
func (c *Ctx) notifyListMove(src, dst string, from, to ListSide) {
	c.Notify(NotifyList, pushEvent(to), dst)
	c.Notify(NotifyList, popEvent(from), src)
	c.NotifyDelIfGone(src)
}

// notifyCount reports event when the command succeeded and changed n > 0
// elements.
func (c *Ctx) notifyCount(err error, n int, class NotifyClass, event, key string) {
	if err == nil && n > 0 {
		c.Notify(class, event, key)
	}
}

// notifyRemoved is notifyCount for removals: "del" follows when the key
// was emptied.
func (c *Ctx) notifyRemoved(err error, n int, class NotifyClass, event, key string) {
	if err == nil && n > 0 {
		c.Notify(class, event, key)
		c.NotifyDelIfGone(key)
	}
}

// notifySMove reports SMOVE's events when member moved from src to
// another set dst: "srem" on src ("del" if emptied), then "sadd" on dst
// unless dst already had the member (dstHad, looked up before).
func (c *Ctx) notifySMove(ok bool, src, dst string, dstHad bool) {
	if !ok || src == dst {
		return
	}
	c.Notify(NotifySet, "srem", src)
	c.NotifyDelIfGone(src)
	if !dstHad {
		c.Notify(NotifySet, "sadd", dst)
	}
}

// setStoreEvent names the event of SINTERSTORE, SUNIONSTORE, SDIFFSTORE.
func setStoreEvent(op SetOp) string {
	switch op {
	case SetOpInter:
		return "sinterstore"
	case SetOpUnion:
		return "sunionstore"
	}
	return "sdiffstore"
}

// notifyZAdd reports ZADD's event ("zadd", or "zincr" with INCR) when a
// member was added or its score changed.
func (c *Ctx) notifyZAdd(err error, r ZAddResult, flags object.ZAddFlags, key string) {
	if err != nil || r.Added+r.Updated == 0 {
		return
	}
	if flags&object.ZAddIncr != 0 {
		c.Notify(NotifyZSet, "zincr", key)
	} else {
		c.Notify(NotifyZSet, "zadd", key)
	}
}

// zremrangeEvent names the event of ZREMRANGEBYRANK/SCORE/LEX.
func zremrangeEvent(kind ZRangeKind) string {
	switch kind {
	case ZByRank:
		return "zremrangebyrank"
	case ZByScore:
		return "zremrangebyscore"
	}
	return "zremrangebylex"
}

// zpopEvent names the event of a sorted-set pop.
func zpopEvent(high bool) string {
	if high {
		return "zpopmax"
	}
	return "zpopmin"
}
