package pubsub

import (
	"errors"
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/kevydb/kevy/internal/glob"
)

// Push message kinds, as Redis names them on the wire.
const (
	KindMessage  = "message"  // delivered through a channel subscription
	KindPMessage = "pmessage" // delivered through a pattern subscription
	KindSMessage = "smessage" // delivered through a shard channel subscription
)

// Message is one published message as delivered to subscribers. A publish
// builds one Message per kind of delivery and every receiver gets the same
// pointer, so it must be treated as read-only, Payload included.
//
// The root package's kevy.Message has the same fields in the same order;
// it converts *Message to *kevy.Message without copying.
type Message struct {
	Channel string // channel the message was published to
	Pattern string // matching pattern, for KindPMessage; "" otherwise
	Payload []byte // message body, shared by every receiver
	Kind    string // KindMessage, KindPMessage or KindSMessage
}

// Mode is one of the three subscription namespaces.
type Mode uint8

// Subscription namespaces.
const (
	ModeChannel Mode = iota // SUBSCRIBE
	ModePattern             // PSUBSCRIBE
	ModeShard               // SSUBSCRIBE
	numModes
)

var modeReplies = [numModes][2]string{
	{"subscribe", "unsubscribe"},
	{"psubscribe", "punsubscribe"},
	{"ssubscribe", "sunsubscribe"},
}

// SubscribeReply is the first element of Redis's reply to a subscription
// in this mode ("subscribe", "psubscribe" or "ssubscribe").
func (m Mode) SubscribeReply() string { return modeReplies[m%numModes][0] }

// UnsubscribeReply is the first element of Redis's reply to an
// unsubscription in this mode ("unsubscribe", "punsubscribe" or
// "sunsubscribe").
func (m Mode) UnsubscribeReply() string { return modeReplies[m%numModes][1] }

// Errors a Sub can be closed with (see Sub.Err).
var (
	// ErrSlowSubscriber: the Sub's queue was full under PolicyDisconnect.
	ErrSlowSubscriber = errors.New("kevy: subscriber too slow: message queue full, subscription closed")
	// ErrClosed: the Sub was closed by its owner.
	ErrClosed = errors.New("kevy: subscription closed")
)

// ForDB is set by package kevy when it is initialised: it returns the bus
// of a *kevy.DB (nil for anything else) and the subscriber options its
// Options configure. It lets the RESP server reach the bus of the
// database it serves without kevy exporting internal types.
var ForDB func(db any) (*Bus, SubOptions)

// numShards is the number of independently locked channel maps. A power
// of two.
const numShards = 64

// nameSpaces is how many namespaces live in the sharded maps: channels
// and shard channels (patterns have their own list).
const nameSpaces = 2

type nameShardData struct {
	mu sync.RWMutex
	// m[0]: channels, m[1]: shard channels. Each value is an immutable
	// (copy-on-write) subscriber list; see Bus.add for the one in-place
	// operation.
	m [nameSpaces]map[string][]*Sub
}

// nameShard is padded to a cache line so that publishers on different
// shards do not share one.
type nameShard struct {
	nameShardData
	_ [(64 - unsafe.Sizeof(nameShardLayout{})%64) % 64]byte
}

// nameShardLayout has nameShardData's layout without the recursive
// reference to Sub, which unsafe.Sizeof cannot see through.
type nameShardLayout struct {
	mu sync.RWMutex
	m  [nameSpaces]map[string][]unsafe.Pointer
}

// patGroup is one pattern and its subscribers. Immutable once published.
type patGroup struct {
	pattern string
	subs    []*Sub
}

// Bus routes published messages to subscribers. It is safe for concurrent
// use. The zero value is not usable: create one with New.
type Bus struct {
	seed maphash.Seed
	// active counts (Sub, name) subscriptions in all namespaces, so that
	// publishing with no subscriber at all is one atomic load.
	active atomic.Int64
	// pats is the immutable pattern list; patMu serialises its writers.
	pats  atomic.Pointer[[]*patGroup]
	patMu sync.Mutex

	mu       sync.Mutex // guards subs, closed, closeErr
	subs     map[*Sub]struct{}
	closed   bool
	closeErr error

	shards [numShards]nameShard
}

// New returns an empty bus.
func New() *Bus {
	return &Bus{seed: maphash.MakeSeed(), subs: make(map[*Sub]struct{})}
}

// Idle reports whether nobody is subscribed to anything. It is one atomic
// load: callers that would build a channel name only to publish to it
// (keyspace notifications) check it first.
func (b *Bus) Idle() bool { return b.active.Load() == 0 }

// Publish delivers payload to the subscribers of channel and of every
// pattern matching it, and returns the number of receivers, counted as
// Redis's PUBLISH counts them. The bus keeps channel and payload in the
// delivered messages: the caller must not modify them afterwards (use
// PublishCopy for borrowed memory).
func (b *Bus) Publish(channel string, payload []byte) int {
	return b.publish(0, channel, payload, false)
}

// PublishCopy is Publish for arguments that are only borrowed (a view of
// a reused buffer): when there is at least one receiver, channel and
// payload are copied together into one new allocation.
func (b *Bus) PublishCopy(channel string, payload []byte) int {
	return b.publish(0, channel, payload, true)
}

// SPublish delivers payload to the subscribers of shard channel channel
// and returns their number, like Redis's SPUBLISH. Ownership rules are
// those of Publish.
func (b *Bus) SPublish(channel string, payload []byte) int {
	return b.publish(1, channel, payload, false)
}

// SPublishCopy is SPublish for borrowed arguments, like PublishCopy.
func (b *Bus) SPublishCopy(channel string, payload []byte) int {
	return b.publish(1, channel, payload, true)
}

func (b *Bus) publish(ns int, channel string, payload []byte, borrowed bool) int {
	if b.active.Load() == 0 {
		return 0
	}
	sh := &b.shards[b.shardOf(channel)]
	sh.mu.RLock()
	subs := sh.m[ns][channel]
	sh.mu.RUnlock()
	var pats []*patGroup
	if ns == 0 {
		if p := b.pats.Load(); p != nil {
			pats = *p
		}
	}
	if len(subs) == 0 && len(pats) == 0 {
		return 0
	}
	n := 0
	if len(subs) > 0 {
		if borrowed {
			channel, payload = clone(channel, payload)
			borrowed = false
		}
		kind := KindMessage
		if ns == 1 {
			kind = KindSMessage
		}
		n += deliver(subs, &Message{Channel: channel, Payload: payload, Kind: kind})
	}
	for _, g := range pats {
		if !glob.Match(g.pattern, channel, false) {
			continue
		}
		if borrowed {
			channel, payload = clone(channel, payload)
			borrowed = false
		}
		n += deliver(g.subs, &Message{Channel: channel, Pattern: g.pattern, Payload: payload, Kind: KindPMessage})
	}
	return n
}

// deliver pushes m to every Sub of subs and counts those still open.
func deliver(subs []*Sub, m *Message) int {
	n := 0
	for _, s := range subs {
		if s.push(m) {
			n++
		}
	}
	return n
}

// clone copies channel and payload into one allocation. The payload's
// capacity is clipped so that appending to it cannot reach the channel.
func clone(channel string, payload []byte) (string, []byte) {
	buf := make([]byte, len(channel)+len(payload))
	copy(buf, channel)
	copy(buf[len(channel):], payload)
	return unsafe.String(unsafe.SliceData(buf), len(channel)), buf[len(channel):len(buf):len(buf)]
}

func (b *Bus) shardOf(name string) int {
	return int(maphash.String(b.seed, name) & (numShards - 1))
}

// NewSub creates a subscriber with no subscription. It fails with the
// bus's close reason once the bus is closed.
func (b *Bus) NewSub(o SubOptions) (*Sub, error) {
	s := newSub(b, o)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, b.closeErr
	}
	b.subs[s] = struct{}{}
	return s, nil
}

// Close closes every Sub with err as its reason (Sub.Err) and makes later
// NewSub calls fail with err. It is idempotent.
func (b *Bus) Close(err error) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed, b.closeErr = true, err
	subs := b.subs
	b.subs = nil
	b.mu.Unlock()
	for s := range subs {
		s.CloseWith(err)
	}
}

// forget drops s from the bus's set of live subscribers.
func (b *Bus) forget(s *Sub) {
	b.mu.Lock()
	if b.subs != nil {
		delete(b.subs, s)
	}
	b.mu.Unlock()
}

// add subscribes s to name in mode. The caller holds s.reg and has checked
// that s is not subscribed to name yet.
func (b *Bus) add(mode Mode, name string, s *Sub) {
	if mode == ModePattern {
		b.addPattern(name, s)
	} else {
		ns := nsOf(mode)
		sh := &b.shards[b.shardOf(name)]
		sh.mu.Lock()
		m := sh.m[ns]
		if m == nil {
			m = make(map[string][]*Sub)
			sh.m[ns] = m
		}
		// Appending in place is safe for publishers holding an older
		// header: they never read past their own length, and a list is
		// never shortened in place (remove always copies).
		m[name] = append(m[name], s)
		sh.mu.Unlock()
	}
	b.active.Add(1)
}

// remove unsubscribes s from name in mode. The caller holds s.reg and has
// checked that s is subscribed to name.
func (b *Bus) remove(mode Mode, name string, s *Sub) {
	if mode == ModePattern {
		b.removePattern(name, s)
	} else {
		ns := nsOf(mode)
		sh := &b.shards[b.shardOf(name)]
		sh.mu.Lock()
		m := sh.m[ns]
		old := m[name]
		if i := slices.Index(old, s); i >= 0 {
			if len(old) == 1 {
				delete(m, name)
			} else {
				nw := make([]*Sub, 0, len(old)-1)
				nw = append(nw, old[:i]...)
				m[name] = append(nw, old[i+1:]...)
			}
		}
		sh.mu.Unlock()
	}
	b.active.Add(-1)
}

func nsOf(mode Mode) int {
	if mode == ModeShard {
		return 1
	}
	return 0
}

func (b *Bus) patterns() []*patGroup {
	if p := b.pats.Load(); p != nil {
		return *p
	}
	return nil
}

func (b *Bus) addPattern(pat string, s *Sub) {
	b.patMu.Lock()
	defer b.patMu.Unlock()
	old := b.patterns()
	nl := make([]*patGroup, len(old), len(old)+1)
	copy(nl, old)
	i := slices.IndexFunc(nl, func(g *patGroup) bool { return g.pattern == pat })
	if i >= 0 {
		g := nl[i]
		nl[i] = &patGroup{pattern: g.pattern, subs: append(g.subs[:len(g.subs):len(g.subs)], s)}
	} else {
		nl = append(nl, &patGroup{pattern: pat, subs: []*Sub{s}})
	}
	b.pats.Store(&nl)
}

func (b *Bus) removePattern(pat string, s *Sub) {
	b.patMu.Lock()
	defer b.patMu.Unlock()
	old := b.patterns()
	i := slices.IndexFunc(old, func(g *patGroup) bool { return g.pattern == pat })
	if i < 0 {
		return
	}
	g := old[i]
	j := slices.Index(g.subs, s)
	if j < 0 {
		return
	}
	var nl []*patGroup
	if len(g.subs) == 1 {
		nl = make([]*patGroup, 0, len(old)-1)
		nl = append(nl, old[:i]...)
		nl = append(nl, old[i+1:]...)
	} else {
		subs := make([]*Sub, 0, len(g.subs)-1)
		subs = append(subs, g.subs[:j]...)
		subs = append(subs, g.subs[j+1:]...)
		nl = slices.Clone(old)
		nl[i] = &patGroup{pattern: g.pattern, subs: subs}
	}
	b.pats.Store(&nl)
}

// NumPat returns the number of distinct patterns with at least one
// subscriber (PUBSUB NUMPAT).
func (b *Bus) NumPat() int { return len(b.patterns()) }

// NumSub returns the number of subscribers of channel (PUBSUB NUMSUB), or
// of shard channel channel when shard is true (PUBSUB SHARDNUMSUB).
// Pattern subscriptions are not counted.
func (b *Bus) NumSub(channel string, shard bool) int {
	ns := 0
	if shard {
		ns = 1
	}
	sh := &b.shards[b.shardOf(channel)]
	sh.mu.RLock()
	n := len(sh.m[ns][channel])
	sh.mu.RUnlock()
	return n
}

// Channels appends to dst the channels (shard channels when shard is true)
// that have at least one subscriber and, if pattern is not nil, match
// *pattern (PUBSUB CHANNELS / SHARDCHANNELS). The order is unspecified, as
// in Redis.
func (b *Bus) Channels(dst []string, pattern *string, shard bool) []string {
	ns := 0
	if shard {
		ns = 1
	}
	for i := range b.shards {
		sh := &b.shards[i]
		sh.mu.RLock()
		for name := range sh.m[ns] {
			if pattern == nil || glob.Match(*pattern, name, false) {
				dst = append(dst, name)
			}
		}
		sh.mu.RUnlock()
	}
	return dst
}
