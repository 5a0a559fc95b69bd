package server

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/pubsub"
	"github.com/kevydb/kevy/internal/resp"
)

// Pub/sub over the wire: SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their
// UNSUBSCRIBE counterparts, and the delivery of messages.
//
// A connection gets a pubsub.Sub on its first subscription and keeps it
// until it closes. Messages reach the socket two ways, both through the
// connection's reply writer, so that they interleave with replies in a
// consistent order:
//
//   - after every command, the connection's goroutine moves the messages
//     already queued into the write buffer just before the command's
//     reply (a message published by the command itself, or before it,
//     precedes its reply, as in Redis);
//   - while the connection waits for input, a pusher goroutine writes the
//     messages as they arrive.
//
// The writer is guarded by connPubSub.mu, which the connection's
// goroutine holds whenever it is not waiting for input (see conn.Read).
//
// Memory is bounded like Redis's "client-output-buffer-limit pubsub":
// the Sub's queue is limited in bytes (Config.PubSubHardLimit, 32 MB by
// default, counting each message's framing); going over it closes the
// connection at once. A queue over Config.PubSubSoftLimit (8 MB) for
// Config.PubSubSoftSeconds (60 s) closes it too.

// Defaults of the pub/sub output limits, Redis's
// "client-output-buffer-limit pubsub 32mb 8mb 60".
const (
	DefaultPubSubHardLimit   = 32 << 20
	DefaultPubSubSoftLimit   = 8 << 20
	DefaultPubSubSoftSeconds = 60 * time.Second
)

// msgOverhead is the per-message cost counted against the output limits
// on top of the channel, pattern and payload: the RESP framing.
const msgOverhead = 40

// pushBatch is how many messages are moved from the queue at a time.
const pushBatch = 64

// connPubSub is the pub/sub state of a connection that subscribed once.
type connPubSub struct {
	sub *pubsub.Sub
	// mu guards the connection's writer while the pusher exists.
	mu     sync.Mutex
	closed bool          // set under mu when the connection ends
	stop   chan struct{} // closed when the connection ends
	// pending is the size of the write in progress by the pusher, part
	// of the output buffer the soft limit measures.
	pending atomic.Int64
	// Subscription counts, for CLIENT LIST and the subscribed context.
	channels, patterns, shards atomic.Int32
	// limits are the server's pubsub limits sub has (applyLimits).
	limitsMu sync.Mutex
	limits   *outputLimit

	batch   [pushBatch]*pubsub.Message // pusher's
	cbatch  [pushBatch]*pubsub.Message // connection goroutine's
	changes []pubsub.Change
	names   []string
}

// subscribed reports whether any subscription is active (Redis's
// CLIENT_PUBSUB flag).
func (ps *connPubSub) subscribed() bool {
	return ps.channels.Load()+ps.patterns.Load()+ps.shards.Load() > 0
}

// initPubsubLimits sets the limits from the Config, defaults applied.
func (s *Server) initPubsubLimits(c *Config) {
	hard, soft, softFor := c.PubSubHardLimit, c.PubSubSoftLimit, c.PubSubSoftSeconds
	switch {
	case hard == 0:
		hard = DefaultPubSubHardLimit
	case hard < 0:
		hard = 0
	}
	switch {
	case soft == 0:
		soft = DefaultPubSubSoftLimit
	case soft < 0:
		soft = 0
	}
	if softFor <= 0 {
		softFor = DefaultPubSubSoftSeconds
	}
	s.psLimits.Store(&outputLimit{hard: hard, soft: soft, softFor: softFor})
}

// outputLimit is one class of client-output-buffer-limit; 0 bytes means
// no limit.
type outputLimit struct {
	hard, soft int64
	softFor    time.Duration
}

// applyLimits gives the subscription the server's current pubsub
// limits if they are not the ones it has.
func (ps *connPubSub) applyLimits(s *Server) {
	ps.limitsMu.Lock()
	defer ps.limitsMu.Unlock()
	if l := s.psLimits.Load(); l != ps.limits {
		ps.limits = l
		ps.sub.SetByteLimits(int(min(l.hard, math.MaxInt)), int(min(l.soft, math.MaxInt)))
	}
}

// pubsubLimits returns the limits of subscribers (CONFIG SET
// client-output-buffer-limit pubsub changes them); 0 means no limit.
func (s *Server) pubsubLimits() (hard, soft int64, softFor time.Duration) {
	l := s.psLimits.Load()
	return l.hard, l.soft, l.softFor
}

// pubsubState returns the connection's pub/sub state, creating it (and
// its goroutines) on first use. It returns nil, after replying an error,
// when the database is closed.
func (c *conn) pubsubState() *connPubSub {
	if ps := c.ps.Load(); ps != nil {
		return ps
	}
	bus, _ := pubsub.ForDB(c.srv.db)
	if bus == nil {
		c.out.Error("ERR pub/sub is not available")
		return nil
	}
	l := c.srv.psLimits.Load()
	hard, soft := l.hard, l.soft
	sub, err := bus.NewSub(pubsub.SubOptions{
		Buffer:    1 << 30, // bounded by bytes
		MaxBytes:  int(hard),
		Overhead:  msgOverhead,
		SoftBytes: int(soft),
		Policy:    pubsub.PolicyDisconnect,
	})
	if err != nil {
		c.out.Error("ERR " + err.Error())
		return nil
	}
	ps := &connPubSub{sub: sub, stop: make(chan struct{}), limits: l}
	// The connection's goroutine holds mu from now on, except while it
	// waits for input.
	ps.mu.Lock()
	c.ps.Store(ps)
	ps.applyLimits(c.srv) // CONFIG SET may have changed them meanwhile
	go c.pushLoop(ps)
	go c.watchLoop(ps)
	return ps
}

// closePubSub ends the connection's pub/sub state; serve defers it.
func (c *conn) closePubSub() {
	ps := c.ps.Load()
	if ps == nil {
		return
	}
	ps.closed = true // mu is held by this goroutine
	close(ps.stop)
	ps.sub.Close()
	ps.mu.Unlock()
}

// releaseOutput and acquireOutput bracket the connection goroutine's wait
// for input, during which the pusher may write.
func (c *conn) releaseOutput() *connPubSub {
	ps := c.ps.Load()
	if ps != nil {
		ps.mu.Unlock()
	}
	return ps
}

func acquireOutput(ps *connPubSub) {
	if ps != nil {
		ps.mu.Lock()
	}
}

// writeMessage encodes one message as Redis sends it: a push of
// ["message", channel, payload], ["pmessage", pattern, channel, payload]
// or ["smessage", channel, payload] (an array in RESP2).
func writeMessage(w *resp.Writer, m *pubsub.Message) {
	if m.Kind == pubsub.KindPMessage {
		w.PushLen(4)
		w.BulkString(m.Kind)
		w.BulkString(m.Pattern)
	} else {
		w.PushLen(3)
		w.BulkString(m.Kind)
	}
	w.BulkString(m.Channel)
	w.Bulk(m.Payload)
}

// pushLoop writes messages while the connection waits for input.
func (c *conn) pushLoop(ps *connPubSub) {
	for {
		ps.mu.Lock()
		if ps.closed {
			ps.mu.Unlock()
			return
		}
		n := ps.sub.Drain(ps.batch[:])
		var err error
		if n > 0 {
			for i, m := range ps.batch[:n] {
				writeMessage(c.w, m)
				ps.batch[i] = nil
			}
			ps.pending.Store(int64(c.w.Buffered()))
			err = c.w.Flush()
			ps.pending.Store(0)
		}
		ps.mu.Unlock()
		if err != nil {
			c.nc.Close() // the connection's goroutine sees it at its next read
			return
		}
		if n > 0 {
			continue
		}
		select {
		case <-ps.sub.Ready():
		case <-ps.sub.Done():
			return
		case <-ps.stop:
			return
		}
	}
}

// deliverQueued moves the messages queued during a command into the
// write buffer before the command's reply, which starts at offset start.
// The connection's goroutine calls it after each command.
func (c *conn) deliverQueued(ps *connPubSub, start int) {
	if ps.sub.Len() == 0 {
		return
	}
	end := c.w.Buffered()
	if start > end {
		start = end
	}
	n := ps.sub.Drain(ps.cbatch[:])
	for i, m := range ps.cbatch[:n] {
		writeMessage(c.w, m)
		ps.cbatch[i] = nil
	}
	// Rotate buf[start:] so that the messages, appended at end, come
	// first.
	b := c.w.Bytes()[start:]
	k := end - start
	slices.Reverse(b[:k])
	slices.Reverse(b[k:])
	slices.Reverse(b)
}

// watchLoop enforces the output limits: it closes the connection when
// its queue went over the hard limit (the Sub closed itself) or stayed
// over the soft limit for too long.
func (c *conn) watchLoop(ps *connPubSub) {
	for {
		select {
		case <-ps.stop:
			return
		case <-ps.sub.Done():
			if errors.Is(ps.sub.Err(), pubsub.ErrSlowSubscriber) {
				c.dropSlow("hard")
			}
			return
		case <-ps.sub.Soft():
			if !c.watchSoft(ps) {
				return
			}
		}
	}
}

// watchSoft follows a queue that went over the soft limit: it reports
// false once the connection is closed (or ends), true when the backlog
// went back under the limit in time.
func (c *conn) watchSoft(ps *connPubSub) bool {
	_, soft, softFor := c.srv.pubsubLimits()
	since := time.Now()
	t := time.NewTicker(min(softFor/8+time.Millisecond, time.Second))
	defer t.Stop()
	for {
		select {
		case <-ps.stop:
			return false
		case <-ps.sub.Done():
			if errors.Is(ps.sub.Err(), pubsub.ErrSlowSubscriber) {
				c.dropSlow("hard")
			}
			return false
		case now := <-t.C:
			_, soft, softFor = c.srv.pubsubLimits() // CONFIG SET may change them
			if soft == 0 || int64(ps.sub.Bytes())+ps.pending.Load() <= soft {
				return true
			}
			if now.Sub(since) >= softFor {
				c.dropSlow("soft")
				return false
			}
		}
	}
}

// dropSlow closes a subscriber that does not read its messages fast
// enough, as Redis does with a client over its output buffer limit.
func (c *conn) dropSlow(which string) {
	c.srv.log.Warn("kevy server: closing a pub/sub client over its output buffer limit",
		"client", c.id, "remote", c.addr, "limit", which)
	c.kill()
	c.nc.Close()
}

// ------------------------------------------------------------- commands

var (
	subscribeCmd    = newConnCmd("subscribe", -2, psCmdFlags, catPubSub, (*conn).subscribe)
	psubscribeCmd   = newConnCmd("psubscribe", -2, psCmdFlags, catPubSub, (*conn).psubscribe)
	ssubscribeCmd   = newConnCmd("ssubscribe", -2, psCmdFlags, catPubSub, (*conn).ssubscribe)
	unsubscribeCmd  = newConnCmd("unsubscribe", -1, psCmdFlags, catPubSub, (*conn).unsubscribe)
	punsubscribeCmd = newConnCmd("punsubscribe", -1, psCmdFlags, catPubSub, (*conn).punsubscribe)
	sunsubscribeCmd = newConnCmd("sunsubscribe", -1, psCmdFlags, catPubSub, (*conn).sunsubscribe)
)

const psCmdFlags = command.FlagPubSub | command.FlagNoScript | command.FlagLoading | command.FlagStale

var catPubSub = []string{"pubsub", "slow"}

func init() {
	// SSUBSCRIBE and SUNSUBSCRIBE name shard channels as keys, for
	// cluster routing (COMMAND shows them as not_key key specs).
	for _, cc := range []*connCmd{ssubscribeCmd, sunsubscribeCmd} {
		cc.info.FirstKey, cc.info.LastKey, cc.info.Step = 1, -1, 1
	}
	// cmd_conn.go's init, which runs first (files initialise in name
	// order), built the list.
	connCmds = append(connCmds, subscribeCmd, psubscribeCmd, ssubscribeCmd,
		unsubscribeCmd, punsubscribeCmd, sunsubscribeCmd)
	slices.SortFunc(connCmds, func(a, b *connCmd) int { return strings.Compare(a.info.Name, b.info.Name) })
}

// lookupPubSubCmd finds a subscription command by name (9 to 12 bytes).
func lookupPubSubCmd(name []byte) *connCmd {
	switch len(name) {
	case 9:
		if command.EqualFold(name, "subscribe") {
			return subscribeCmd
		}
	case 10:
		switch {
		case command.EqualFold(name, "psubscribe"):
			return psubscribeCmd
		case command.EqualFold(name, "ssubscribe"):
			return ssubscribeCmd
		}
	case 11:
		if command.EqualFold(name, "unsubscribe") {
			return unsubscribeCmd
		}
	case 12:
		switch {
		case command.EqualFold(name, "punsubscribe"):
			return punsubscribeCmd
		case command.EqualFold(name, "sunsubscribe"):
			return sunsubscribeCmd
		}
	}
	return nil
}

func (c *conn) subscribe(args [][]byte) bool    { return c.subscribeTo(pubsub.ModeChannel, args) }
func (c *conn) psubscribe(args [][]byte) bool   { return c.subscribeTo(pubsub.ModePattern, args) }
func (c *conn) ssubscribe(args [][]byte) bool   { return c.subscribeTo(pubsub.ModeShard, args) }
func (c *conn) unsubscribe(args [][]byte) bool  { return c.unsubscribeFrom(pubsub.ModeChannel, args) }
func (c *conn) punsubscribe(args [][]byte) bool { return c.unsubscribeFrom(pubsub.ModePattern, args) }
func (c *conn) sunsubscribe(args [][]byte) bool { return c.unsubscribeFrom(pubsub.ModeShard, args) }

// subscribeTo subscribes to args[1:] in mode and replies one push per
// name: [subscribe|psubscribe|ssubscribe, name, count].
func (c *conn) subscribeTo(mode pubsub.Mode, args [][]byte) bool {
	ps := c.pubsubState()
	if ps == nil {
		return true
	}
	names := ps.names[:0]
	for _, a := range args[1:] {
		names = append(names, string(a)) // retained by the bus
	}
	changes, err := ps.sub.Subscribe(mode, names, ps.changes[:0])
	clear(names)
	ps.names = names[:0]
	if err != nil {
		c.out.Error("ERR " + err.Error())
		return true
	}
	c.replyChanges(ps, mode.SubscribeReply(), changes)
	return true
}

// unsubscribeFrom unsubscribes from args[1:] in mode, or from everything
// in mode when there are none, and replies one push per name:
// [unsubscribe|punsubscribe|sunsubscribe, name, count]. With nothing to
// unsubscribe from, the reply has a null name.
func (c *conn) unsubscribeFrom(mode pubsub.Mode, args [][]byte) bool {
	ps := c.ps.Load()
	var changes []pubsub.Change
	if ps != nil {
		names := ps.names[:0]
		for _, a := range args[1:] {
			names = append(names, command.Key(a)) // not retained
		}
		changes = ps.sub.Unsubscribe(mode, names, ps.changes[:0])
		clear(names)
		ps.names = names[:0]
	} else {
		for _, a := range args[1:] {
			changes = append(changes, pubsub.Change{Name: command.Key(a)})
		}
	}
	if len(changes) == 0 {
		count := 0
		if ps != nil {
			count = ps.sub.Count(mode)
		}
		c.out.PushLen(3)
		c.out.BulkString(mode.UnsubscribeReply())
		c.out.Null()
		c.out.Int(int64(count))
		return true
	}
	if ps != nil {
		c.replyChanges(ps, mode.UnsubscribeReply(), changes)
		return true
	}
	for _, ch := range changes {
		c.out.PushLen(3)
		c.out.BulkString(mode.UnsubscribeReply())
		c.out.BulkString(ch.Name)
		c.out.Int(0)
	}
	return true
}

// replyChanges writes the replies of a (un)subscription and updates the
// counts.
func (c *conn) replyChanges(ps *connPubSub, kind string, changes []pubsub.Change) {
	for _, ch := range changes {
		c.out.PushLen(3)
		c.out.BulkString(kind)
		c.out.BulkString(ch.Name)
		c.out.Int(int64(ch.Count))
	}
	clear(changes)
	ps.changes = changes[:0]
	ps.updateCounts()
}

// updateCounts refreshes the counts others read.
func (ps *connPubSub) updateCounts() {
	ch, pat, sh := ps.sub.Counts()
	ps.channels.Store(int32(ch))
	ps.patterns.Store(int32(pat))
	ps.shards.Store(int32(sh))
}

// resetPubSub drops every subscription without a reply (RESET).
func (c *conn) resetPubSub() {
	ps := c.ps.Load()
	if ps == nil {
		return
	}
	for _, m := range []pubsub.Mode{pubsub.ModeChannel, pubsub.ModePattern, pubsub.ModeShard} {
		ps.changes = ps.sub.Unsubscribe(m, nil, ps.changes[:0])
	}
	clear(ps.changes)
	ps.changes = ps.changes[:0]
	ps.updateCounts()
}

// pubsubGate applies the subscribed context of RESP2 (Redis's
// CLIENT_PUBSUB flag without RESP3): only the (un)subscribe commands,
// PING, QUIT and RESET may run, and PING replies ["pong", message]. It
// reports whether it handled the command.
func (c *conn) pubsubGate(cc *connCmd, cmd, sub *command.Command, args [][]byte) bool {
	ps := c.ps.Load()
	if ps == nil || c.w.Proto() != 2 || !ps.subscribed() {
		return false
	}
	switch cc {
	case subscribeCmd, psubscribeCmd, ssubscribeCmd, unsubscribeCmd, punsubscribeCmd,
		sunsubscribeCmd, quitCmd, resetCmd:
		return false
	}
	switch {
	case sub == cmd && len(cmd.Subcommands) > 0 && len(args) >= 2:
		c.out.Error(unknownSubcommand(cmd.Name, args[1]))
	case !arityOK(sub.Arity, len(args)):
		c.out.Error(command.WrongArity(sub.Name))
	case cc == nil && cmd.Name == "ping" && len(args) > 2:
		c.out.Error(command.WrongArity("ping"))
	case cc == nil && cmd.Name == "ping":
		c.out.ArrayLen(2)
		c.out.BulkString("pong")
		if len(args) == 2 {
			c.out.Bulk(args[1])
		} else {
			c.out.BulkString("")
		}
	default:
		c.reject(sub, "ERR Can't execute '"+sub.Name+"': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
	}
	return true
}

// execAbortPrefix starts the error of an EXEC refused before it runs.
const execAbortPrefix = "EXECABORT Transaction discarded because of: "

// hasType reports whether the connection is of CLIENT LIST/KILL type typ:
// a subscribed connection is of type pubsub, not normal.
func (c *conn) hasType(typ clientType) bool {
	ps := c.ps.Load()
	sub := ps != nil && ps.subscribed()
	switch typ {
	case typeNormal:
		return !sub
	case typePubSub:
		return sub
	}
	return typ == typeAny
}

// appendSubCounts appends CLIENT LIST's sub, psub and ssub fields.
func appendSubCounts(b []byte, ps *connPubSub) []byte {
	var ch, pat, sh int32
	if ps != nil {
		ch, pat, sh = ps.channels.Load(), ps.patterns.Load(), ps.shards.Load()
	}
	b = append(b, " sub="...)
	b = strconv.AppendInt(b, int64(ch), 10)
	b = append(b, " psub="...)
	b = strconv.AppendInt(b, int64(pat), 10)
	b = append(b, " ssub="...)
	return strconv.AppendInt(b, int64(sh), 10)
}
