package pubsub

import (
	"cmp"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
)

// Policy says what happens when a message finds a Sub's queue full.
type Policy uint8

// Queue-full policies.
const (
	// PolicyDisconnect closes the Sub with ErrSlowSubscriber, as Redis
	// drops a client over its pub/sub output buffer limit. The default.
	PolicyDisconnect Policy = iota
	// PolicyDropNewest drops the message and counts it (Sub.Dropped).
	PolicyDropNewest
)

// DefaultBuffer is the queue limit, in messages, of a Sub created with
// SubOptions.Buffer <= 0.
const DefaultBuffer = 1024

// minRing is the initial ring capacity; rings grow by doubling up to the
// limit, so idle subscribers stay small.
const minRing = 16

// SubOptions configures a Sub.
type SubOptions struct {
	// Buffer is the most messages the queue holds; <= 0 means
	// DefaultBuffer.
	Buffer int
	// MaxBytes, when > 0, also bounds the queued bytes (channel, pattern
	// and payload lengths of the queued messages, plus Overhead each).
	MaxBytes int
	// Overhead is added to the size of every queued message when bytes
	// are counted (MaxBytes or SoftBytes): the framing a connection adds,
	// so that the bound is one of output buffer memory, as in Redis.
	Overhead int
	// SoftBytes, when > 0, makes the Sub signal Soft each time its queued
	// bytes go from at most SoftBytes to more (Redis's soft output
	// buffer limit; the consumer decides what to do about it).
	SoftBytes int
	// Policy applies when a message would exceed either bound.
	Policy Policy
}

// Change is one line of a (un)subscribe reply: the name and the count
// Redis reports after the operation on it.
type Change struct {
	Name  string
	Count int
}

// Sub is a subscriber: a bounded queue of messages and the names it is
// subscribed to. It is safe for concurrent use, but its queue has a single
// consumer (Drain is not meant to be called from several goroutines at
// once, although doing so is safe).
type Sub struct {
	// Queue state, guarded by mu. Publishers only touch this part.
	mu       sync.Mutex
	ring     []*Message // power-of-two capacity, grown on demand
	head     uint64     // index of the oldest queued message
	tail     uint64     // index one past the newest
	bytes    int        // queued bytes, maintained only if maxBytes > 0
	waiting  bool       // the consumer found the queue empty: signal ready
	closed   bool
	policy   Policy
	limit    int
	maxBytes int
	overhead int
	soft     int
	maxRing  int
	dropped  uint64
	err      error
	ready    chan struct{} // capacity 1: "a message arrived"
	done     chan struct{} // closed when the Sub closes
	softCh   chan struct{} // capacity 1: "queued bytes went over SoftBytes"

	isClosed atomic.Bool

	bus *Bus
	// Subscription state, guarded by reg. Each name maps to the sequence
	// number of its subscription, so that unsubscribing from everything
	// goes in subscription order.
	reg   sync.Mutex
	seq   uint64
	names [numModes]map[string]uint64
}

func newSub(b *Bus, o SubOptions) *Sub {
	limit := o.Buffer
	if limit <= 0 {
		limit = DefaultBuffer
	}
	maxRing := 1 << bits.Len(uint(limit-1))
	return &Sub{
		bus:      b,
		policy:   o.Policy,
		limit:    limit,
		maxRing:  maxRing,
		maxBytes: max(o.MaxBytes, 0),
		overhead: max(o.Overhead, 0),
		soft:     max(o.SoftBytes, 0),
		ready:    make(chan struct{}, 1),
		done:     make(chan struct{}),
		softCh:   make(chan struct{}, 1),
	}
}

// counting reports whether the Sub keeps its queued byte count.
func (s *Sub) counting() bool { return s.maxBytes > 0 || s.soft > 0 }

func (s *Sub) msgSize(m *Message) int {
	return len(m.Channel) + len(m.Pattern) + len(m.Payload) + s.overhead
}

// push queues m. It reports whether the Sub counts as a receiver: false
// only if it was already closed. It never blocks beyond the queue mutex.
func (s *Sub) push(m *Message) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	n := int(s.tail - s.head)
	size := 0
	if s.counting() {
		size = s.msgSize(m)
	}
	if n >= s.limit || s.maxBytes > 0 && s.bytes+size > s.maxBytes {
		if s.policy == PolicyDropNewest {
			s.dropped++
			s.mu.Unlock()
			return true
		}
		s.closeLocked(ErrSlowSubscriber)
		s.mu.Unlock()
		// Unsubscribing takes bus locks: do it off the publisher's path.
		go s.detach()
		return true
	}
	if n == len(s.ring) {
		s.grow()
	}
	s.ring[s.tail&uint64(len(s.ring)-1)] = m
	s.tail++
	if s.soft > 0 && s.bytes <= s.soft && s.bytes+size > s.soft {
		select {
		case s.softCh <- struct{}{}:
		default:
		}
	}
	s.bytes += size
	if s.waiting {
		s.waiting = false
		s.mu.Unlock()
		select {
		case s.ready <- struct{}{}:
		default:
		}
		return true
	}
	s.mu.Unlock()
	return true
}

// grow doubles the ring (the caller holds mu and the ring is full).
func (s *Sub) grow() {
	nc := min(max(2*len(s.ring), minRing), s.maxRing)
	nr := make([]*Message, nc)
	if len(s.ring) > 0 {
		om, nm := uint64(len(s.ring)-1), uint64(nc-1)
		for i := s.head; i != s.tail; i++ {
			nr[i&nm] = s.ring[i&om]
		}
	}
	s.ring = nr
}

// Drain moves up to len(dst) queued messages, oldest first, into dst and
// returns how many it moved. When the queue is empty it returns 0 and arms
// Ready: the next message sends a signal on it. A closed Sub has an empty
// queue.
func (s *Sub) Drain(dst []*Message) int {
	s.mu.Lock()
	n := min(int(s.tail-s.head), len(dst))
	if n == 0 {
		s.waiting = !s.closed
		s.mu.Unlock()
		return 0
	}
	mask := uint64(len(s.ring) - 1)
	start := int(s.head & mask)
	k := copy(dst[:n], s.ring[start:])
	clear(s.ring[start : start+k])
	if k < n {
		copy(dst[k:n], s.ring[:n-k])
		clear(s.ring[:n-k])
	}
	s.head += uint64(n)
	if s.counting() {
		for _, m := range dst[:n] {
			s.bytes -= s.msgSize(m)
		}
	}
	s.mu.Unlock()
	return n
}

// SetByteLimits replaces SubOptions.MaxBytes and SoftBytes (Redis's
// CONFIG SET client-output-buffer-limit). The new hard bound applies to
// the next message queued; when the queue is already over the new soft
// bound, Soft signals at once. A Sub that did not count its bytes counts
// the messages already queued.
func (s *Sub) SetByteLimits(maxBytes, softBytes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.counting() {
		s.bytes = 0
		mask := uint64(len(s.ring) - 1)
		for i := s.head; i != s.tail; i++ {
			s.bytes += s.msgSize(s.ring[i&mask])
		}
	}
	s.maxBytes, s.soft = max(maxBytes, 0), max(softBytes, 0)
	if !s.counting() {
		s.bytes = 0
	}
	if s.soft > 0 && s.bytes > s.soft {
		select {
		case s.softCh <- struct{}{}:
		default:
		}
	}
}

// Ready returns a channel that receives a value when a message arrives
// after Drain found the queue empty. Wake-ups may be spurious.
func (s *Sub) Ready() <-chan struct{} { return s.ready }

// Done returns a channel that is closed when the Sub closes.
func (s *Sub) Done() <-chan struct{} { return s.done }

// Soft returns a channel that receives a value when the queued bytes go
// over SubOptions.SoftBytes. Signals may be spurious or coalesced.
func (s *Sub) Soft() <-chan struct{} { return s.softCh }

// Bytes returns the queued bytes as counted for MaxBytes and SoftBytes
// (0 when neither is set).
func (s *Sub) Bytes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes
}

// Closed reports whether the Sub is closed.
func (s *Sub) Closed() bool { return s.isClosed.Load() }

// Err returns why the Sub was closed (ErrSlowSubscriber, ErrClosed, or the
// reason given to CloseWith or Bus.Close), or nil while it is open.
func (s *Sub) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Dropped returns how many messages PolicyDropNewest has dropped.
func (s *Sub) Dropped() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// Len returns the number of queued messages.
func (s *Sub) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int(s.tail - s.head)
}

// Close closes the Sub with ErrClosed: see CloseWith.
func (s *Sub) Close() { s.CloseWith(ErrClosed) }

// CloseWith closes the Sub with reason err (reported by Err): queued
// messages are discarded, Done is closed and every subscription is
// removed. It reports whether this call closed it; later calls do nothing.
func (s *Sub) CloseWith(err error) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	s.closeLocked(err)
	s.mu.Unlock()
	s.detach()
	return true
}

func (s *Sub) closeLocked(err error) {
	s.closed = true
	s.err = err
	s.waiting = false
	s.ring = nil // drop the queued messages
	s.head, s.tail, s.bytes = 0, 0, 0
	s.isClosed.Store(true)
	close(s.done)
}

// detach removes every subscription of a closed Sub from the bus.
func (s *Sub) detach() {
	s.reg.Lock()
	for mode := range s.names {
		for name := range s.names[mode] {
			s.bus.remove(Mode(mode), name, s)
		}
		s.names[mode] = nil
	}
	s.reg.Unlock()
	s.bus.forget(s)
}

// Subscribe subscribes to each of names in mode, ignoring names already
// subscribed, and appends one Change per name (duplicates included) to
// dst, as Redis replies. The names are retained: they must not be views
// of reused memory. It fails with Err() once the Sub is closed.
func (s *Sub) Subscribe(mode Mode, names []string, dst []Change) ([]Change, error) {
	s.reg.Lock()
	defer s.reg.Unlock()
	if s.isClosed.Load() {
		return dst, s.Err()
	}
	set := s.names[mode]
	if set == nil {
		set = make(map[string]uint64, len(names))
		s.names[mode] = set
	}
	for _, name := range names {
		if _, dup := set[name]; !dup {
			s.seq++
			set[name] = s.seq
			s.bus.add(mode, name, s)
		}
		dst = append(dst, Change{Name: name, Count: s.countLocked(mode)})
	}
	return dst, nil
}

// Unsubscribe unsubscribes from each of names in mode, or from every name
// of mode (in subscription order) when names is empty, and appends one
// Change per name to dst, as Redis replies: names that were not
// subscribed get a Change too. With no names and no subscription it
// appends nothing: Redis then replies with a null name and Count(mode).
// Messages published before Unsubscribe returns may still be queued.
func (s *Sub) Unsubscribe(mode Mode, names []string, dst []Change) []Change {
	s.reg.Lock()
	defer s.reg.Unlock()
	set := s.names[mode]
	if len(names) == 0 {
		all := make([]string, 0, len(set))
		for name := range set {
			all = append(all, name)
		}
		slices.SortFunc(all, func(a, b string) int { return cmp.Compare(set[a], set[b]) })
		names = all
	}
	for _, name := range names {
		if _, ok := set[name]; ok {
			delete(set, name)
			s.bus.remove(mode, name, s)
		}
		dst = append(dst, Change{Name: name, Count: s.countLocked(mode)})
	}
	return dst
}

// Count returns the subscription count Redis reports in replies for mode:
// channels plus patterns for ModeChannel and ModePattern, shard channels
// for ModeShard.
func (s *Sub) Count(mode Mode) int {
	s.reg.Lock()
	defer s.reg.Unlock()
	return s.countLocked(mode)
}

func (s *Sub) countLocked(mode Mode) int {
	if mode == ModeShard {
		return len(s.names[ModeShard])
	}
	return len(s.names[ModeChannel]) + len(s.names[ModePattern])
}

// Counts returns the number of channels, patterns and shard channels s
// is subscribed to.
func (s *Sub) Counts() (channels, patterns, shards int) {
	s.reg.Lock()
	defer s.reg.Unlock()
	return len(s.names[ModeChannel]), len(s.names[ModePattern]), len(s.names[ModeShard])
}

// Subscriptions appends the names s is subscribed to in mode, in
// subscription order, to dst.
func (s *Sub) Subscriptions(mode Mode, dst []string) []string {
	s.reg.Lock()
	defer s.reg.Unlock()
	set := s.names[mode]
	start := len(dst)
	for name := range set {
		dst = append(dst, name)
	}
	slices.SortFunc(dst[start:], func(a, b string) int { return cmp.Compare(set[a], set[b]) })
	return dst
}
