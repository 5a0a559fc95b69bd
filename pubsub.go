package kevy

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/kevydb/kevy/internal/pubsub"
)

// Message is a pub/sub message as received by a Subscription. All the
// receivers of one publish share the same *Message: treat it, Payload
// included, as read-only.
type Message struct {
	// Channel is the channel (or shard channel) the message was published
	// to.
	Channel string
	// Pattern is the pattern that matched Channel, for a message received
	// through PSubscribe; "" otherwise.
	Pattern string
	// Payload is the message body.
	Payload []byte
	// Kind is "message", "pmessage" or "smessage" for a message received
	// through a channel, pattern or shard channel subscription: the push
	// type Redis sends.
	Kind string
}

// Message must stay convertible from the internal message without a copy.
var _ = (*Message)((*pubsub.Message)(nil))

// PubSubPolicy says what happens when a message arrives at a Subscription
// whose buffer (Options.PubSubBuffer) is full. Publishing never waits for
// a subscriber.
type PubSubPolicy uint8

// Pub/sub buffer policies.
const (
	// PolicyDisconnect closes the subscription: Receive returns
	// ErrSlowSubscriber. This is what Redis does to a client that exceeds
	// its pub/sub output buffer limit. The default.
	PolicyDisconnect PubSubPolicy = iota
	// PolicyDropNewest drops the message; Subscription.Dropped counts
	// the losses.
	PolicyDropNewest
)

// String returns "disconnect" or "drop-newest".
func (p PubSubPolicy) String() string {
	switch p {
	case PolicyDisconnect:
		return "disconnect"
	case PolicyDropNewest:
		return "drop-newest"
	}
	return fmt.Sprintf("PubSubPolicy(%d)", uint8(p))
}

// DefaultPubSubBuffer is the per-subscription buffer, in messages, used
// when Options.PubSubBuffer is 0.
const DefaultPubSubBuffer = pubsub.DefaultBuffer

// Pub/sub errors, matched with errors.Is.
var (
	// ErrSlowSubscriber: the subscription was closed because its buffer
	// was full (PolicyDisconnect).
	ErrSlowSubscriber = pubsub.ErrSlowSubscriber
	// ErrSubscriptionClosed: the subscription was closed by its Close
	// method.
	ErrSubscriptionClosed = pubsub.ErrClosed
)

func init() {
	pubsub.ForDB = func(db any) (*pubsub.Bus, pubsub.SubOptions) {
		d, ok := db.(*DB)
		if !ok {
			return nil, pubsub.SubOptions{}
		}
		return d.c.eng.PubSub, d.c.subOptions()
	}
}

// validatePubSub checks the pub/sub fields of Open's options, keyspace
// notifications included.
func validatePubSub(o *Options) error {
	if o.PubSubBuffer < 0 {
		return fmt.Errorf("%w: PubSubBuffer must not be negative, got %d", ErrInvalidArgument, o.PubSubBuffer)
	}
	if o.PubSubPolicy > PolicyDropNewest {
		return fmt.Errorf("%w: unknown PubSubPolicy %d", ErrInvalidArgument, o.PubSubPolicy)
	}
	return validateNotify(o)
}

// newBus creates the database's pub/sub bus.
func newBus() *pubsub.Bus { return pubsub.New() }

// closeBus closes every subscription with ErrClosed.
func (c *core) closeBus() { c.eng.PubSub.Close(ErrClosed) }

func (c *core) subOptions() pubsub.SubOptions {
	return pubsub.SubOptions{Buffer: c.opts.PubSubBuffer, Policy: pubsub.Policy(c.opts.PubSubPolicy)}
}

// Publish posts message to channel and returns the number of receivers:
// the subscribers of channel plus, for each pattern matching it, that
// pattern's subscribers (Redis PUBLISH). It never waits for a subscriber;
// kevy copies message, which the caller may reuse.
//
// Pub/sub is process-wide: it ignores the handle's logical database, as
// in Redis.
func (db *DB) Publish(channel string, message []byte) (int, error) {
	if db.c.closed.Load() {
		return 0, ErrClosed
	}
	return db.c.eng.PubSub.PublishCopy(channel, message), nil
}

// SPublish posts message to shard channel channel and returns the number
// of its subscribers (Redis SPUBLISH). Shard channels are a namespace of
// their own: Subscribe and PSubscribe never see them.
func (db *DB) SPublish(channel string, message []byte) (int, error) {
	if db.c.closed.Load() {
		return 0, ErrClosed
	}
	return db.c.eng.PubSub.SPublishCopy(channel, message), nil
}

// Subscribe returns a Subscription to channels (none is allowed: add
// some later). When ctx is done, the subscription closes and its Err is
// ctx's cause.
func (db *DB) Subscribe(ctx context.Context, channels ...string) (*Subscription, error) {
	return db.subscribe(ctx, pubsub.ModeChannel, channels)
}

// PSubscribe returns a Subscription to the channels matching patterns,
// Redis glob patterns ("news.*", "h?llo", "[a-c]x"). Matching is
// case-sensitive and, as in Redis, no pattern but "" matches the empty
// channel.
func (db *DB) PSubscribe(ctx context.Context, patterns ...string) (*Subscription, error) {
	return db.subscribe(ctx, pubsub.ModePattern, patterns)
}

// SSubscribe returns a Subscription to shard channels (see SPublish).
func (db *DB) SSubscribe(ctx context.Context, channels ...string) (*Subscription, error) {
	return db.subscribe(ctx, pubsub.ModeShard, channels)
}

func (db *DB) subscribe(ctx context.Context, mode pubsub.Mode, names []string) (*Subscription, error) {
	if db.c.closed.Load() {
		return nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sub, err := db.c.eng.PubSub.NewSub(db.c.subOptions())
	if err != nil {
		return nil, err
	}
	s := &Subscription{sub: sub}
	if len(names) > 0 {
		if _, err := sub.Subscribe(mode, names, nil); err != nil {
			return nil, err
		}
	}
	if ctx.Done() != nil {
		s.stop = context.AfterFunc(ctx, func() { sub.CloseWith(context.Cause(ctx)) })
	}
	// A Subscription dropped without Close must not stay on the bus.
	runtime.AddCleanup(s, func(sub *pubsub.Sub) { sub.Close() }, sub)
	return s, nil
}

// channelBuffer is the capacity of the channel returned by
// Subscription.Channel.
const channelBuffer = 64

// batchSize is how many messages Receive moves out of the shared queue at
// a time.
const batchSize = 64

// Subscription is a set of channel, pattern and shard channel
// subscriptions with a bounded buffer of received messages (see
// Options.PubSubBuffer and PubSubPolicy). Read messages with Receive, or
// with Channel; a Subscription has one reader. Changing the subscribed
// set and closing are safe from any goroutine.
//
// A Subscription closes when Close is called, when the context given to
// DB.Subscribe is done, when the database closes (Err is ErrClosed) or,
// under PolicyDisconnect, when its buffer overflows (Err is
// ErrSlowSubscriber). Messages still buffered are then discarded.
type Subscription struct {
	sub  *pubsub.Sub
	stop func() bool // stops the context watch

	// Receive's local batch, owned by the reader.
	pos, n int
	batch  [batchSize]*pubsub.Message

	chOnce sync.Once
	ch     chan *Message
}

// Receive returns the next message, waiting for one if needed. It returns
// ctx's error when ctx is done first (the subscription stays open), and
// Err once the subscription is closed. Messages from one publishing
// goroutine arrive in the order they were published.
func (s *Subscription) Receive(ctx context.Context) (*Message, error) {
	for {
		if s.pos < s.n {
			if s.sub.Closed() {
				clear(s.batch[s.pos:s.n])
				s.pos, s.n = 0, 0
				return nil, s.sub.Err()
			}
			m := s.batch[s.pos]
			s.batch[s.pos] = nil
			s.pos++
			return (*Message)(m), nil
		}
		if n := s.sub.Drain(s.batch[:]); n > 0 {
			s.pos, s.n = 0, n
			continue
		}
		if s.sub.Closed() {
			return nil, s.sub.Err()
		}
		select {
		case <-s.sub.Ready():
		case <-s.sub.Done():
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Channel returns a channel that delivers the subscription's messages and
// is closed when the subscription closes (then Err says why). It is the
// alternative to Receive for select loops; do not mix the two. The first
// call starts a goroutine that moves messages from the buffer to the
// channel, which holds up to 64 more messages; it ends with the
// subscription.
func (s *Subscription) Channel() <-chan *Message {
	s.chOnce.Do(func() {
		s.ch = make(chan *Message, channelBuffer)
		go s.pump()
	})
	return s.ch
}

func (s *Subscription) pump() {
	defer close(s.ch)
	ctx := context.Background()
	for {
		m, err := s.Receive(ctx)
		if err != nil {
			return
		}
		select {
		case s.ch <- m:
		case <-s.sub.Done():
			return
		}
	}
}

// Subscribe adds channels to the subscription. Channels already
// subscribed are ignored.
func (s *Subscription) Subscribe(channels ...string) error {
	return s.add(pubsub.ModeChannel, channels)
}

// PSubscribe adds patterns to the subscription.
func (s *Subscription) PSubscribe(patterns ...string) error {
	return s.add(pubsub.ModePattern, patterns)
}

// SSubscribe adds shard channels to the subscription.
func (s *Subscription) SSubscribe(channels ...string) error {
	return s.add(pubsub.ModeShard, channels)
}

// Unsubscribe removes channels from the subscription, or every channel
// when none is given. Messages published before it returns may still be
// received.
func (s *Subscription) Unsubscribe(channels ...string) error {
	return s.remove(pubsub.ModeChannel, channels)
}

// PUnsubscribe removes patterns, or every pattern when none is given.
func (s *Subscription) PUnsubscribe(patterns ...string) error {
	return s.remove(pubsub.ModePattern, patterns)
}

// SUnsubscribe removes shard channels, or every shard channel when none
// is given.
func (s *Subscription) SUnsubscribe(channels ...string) error {
	return s.remove(pubsub.ModeShard, channels)
}

func (s *Subscription) add(mode pubsub.Mode, names []string) error {
	if len(names) == 0 {
		return nil
	}
	_, err := s.sub.Subscribe(mode, names, nil)
	return err
}

func (s *Subscription) remove(mode pubsub.Mode, names []string) error {
	if s.sub.Closed() {
		return s.sub.Err()
	}
	s.sub.Unsubscribe(mode, names, nil)
	return nil
}

// Channels returns the subscribed channels, in subscription order.
func (s *Subscription) Channels() []string { return s.sub.Subscriptions(pubsub.ModeChannel, nil) }

// Patterns returns the subscribed patterns, in subscription order.
func (s *Subscription) Patterns() []string { return s.sub.Subscriptions(pubsub.ModePattern, nil) }

// ShardChannels returns the subscribed shard channels, in subscription
// order.
func (s *Subscription) ShardChannels() []string {
	return s.sub.Subscriptions(pubsub.ModeShard, nil)
}

// Dropped returns how many messages were lost because the buffer was full
// (PolicyDropNewest).
func (s *Subscription) Dropped() uint64 { return s.sub.Dropped() }

// Err returns why the subscription closed, or nil while it is open:
// ErrSubscriptionClosed after Close, ErrClosed after the database closed,
// ErrSlowSubscriber after a buffer overflow, or the cause of the
// Subscribe context.
func (s *Subscription) Err() error { return s.sub.Err() }

// Close ends the subscription: buffered messages are discarded, Receive
// returns ErrSubscriptionClosed and the Channel channel is closed. It is
// idempotent and always returns nil.
func (s *Subscription) Close() error {
	if s.stop != nil {
		s.stop()
	}
	s.sub.Close()
	return nil
}
