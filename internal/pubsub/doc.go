// Package pubsub is kevy's in-process publish/subscribe bus: the engine
// behind PUBLISH, SPUBLISH and PUBSUB, the RESP server's SUBSCRIBE family
// and the embedded API's subscriptions.
//
// # Model
//
// One [Bus] serves the whole process (it is not sharded by key). It keeps
// three independent namespaces, as Redis 7.0 does:
//
//   - channels (SUBSCRIBE / PUBLISH),
//   - patterns (PSUBSCRIBE), Redis glob patterns matched against the
//     channel of every PUBLISH with [glob.Match] (so "*" does not match the
//     empty channel, exactly as in Redis),
//   - shard channels (SSUBSCRIBE / SPUBLISH), a separate set of channel
//     names; patterns never see them.
//
// A subscriber is a [Sub]: a bounded message queue plus the set of names it
// is subscribed to. [Bus.Publish] returns the number of receivers as Redis
// counts them: the subscribers of the channel plus, for every matching
// pattern, its subscribers (a Sub subscribed to the channel and to two
// matching patterns receives three messages and counts three times).
//
// # Messages
//
// A publish builds one immutable [Message] for the channel's subscribers
// and one per matching pattern, and hands the same pointer to every
// receiver: delivery itself never allocates. Receivers must not modify
// Message.Payload. When nobody would receive a message, Publish returns 0
// without allocating anything.
//
// # Bounded queues
//
// Publishing never blocks on a subscriber. Every Sub has a queue bounded
// by a number of messages (and optionally of bytes); when a message finds
// it full the Sub's [Policy] decides: [PolicyDisconnect] closes the Sub
// with [ErrSlowSubscriber] (what Redis does to a client over its
// "client-output-buffer-limit pubsub"), [PolicyDropNewest] drops the
// message and counts it ([Sub.Dropped]). Either way memory stays bounded
// and the publisher goes on at full speed. The queue's ring grows on
// demand, so an idle subscriber costs a few hundred bytes, not its limit.
// SubOptions.Overhead adds a fixed cost per message to the byte count
// (the RESP server counts its framing, as Redis's output buffer limit
// does), and SubOptions.SoftBytes makes [Sub.Soft] signal each time the
// queued bytes cross a soft limit, for the consumer to time.
//
// # Concurrency
//
// Channel and shard-channel subscriber lists live in 64 maps, each behind
// its own RWMutex, and are copy-on-write: a publisher holds a read lock
// just long enough to copy a slice header, then delivers without any bus
// lock. Patterns are an immutable list behind an atomic pointer. Each
// delivery takes only the receiving Sub's queue mutex. Subscribing and
// unsubscribing are serialised per Sub and per namespace shard.
//
// # Use from a connection
//
// A connection (the RESP server) creates a Sub with [Bus.NewSub], changes
// its subscriptions with [Sub.Subscribe] and [Sub.Unsubscribe] (which
// return the per-name counts Redis puts in its replies), and drains
// messages from its writer goroutine:
//
//	for {
//		if n := sub.Drain(buf); n > 0 { write buf[:n]; continue }
//		select {
//		case <-sub.Ready(): // a message arrived
//		case <-sub.Done():  // closed: sub.Err() says why
//			return
//		}
//	}
//
// [Message.Kind] is the push type to send ("message", "pmessage" or
// "smessage").
//
// # Keyspace notifications
//
// [Bus.Idle] is a single atomic load: notification code checks it before
// formatting channel names, so a process without subscribers pays nothing.
package pubsub
