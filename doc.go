// Package kevy is an in-process, Redis-compatible key-value store.
//
// # Basics
//
// Open a database, then use typed methods or Do, which runs any supported
// Redis command with Redis 7.0's replies and errors:
//
//	db, err := kevy.Open("", nil) // "" = in-memory
//	if err != nil { ... }
//	defer db.Close()
//	_ = db.Set("greeting", []byte("hello"))
//	v, err := db.Get("greeting") // []byte("hello"); kevy.ErrNil if absent
//	n, err := db.Do(ctx, "INCRBY", "counter", 5)
//
// # Keys, values and ownership
//
// Keys are Go strings and values are []byte; both are binary-safe. kevy
// never retains an argument after a call returns, and every []byte it
// returns is a fresh copy that belongs to the caller.
//
// # Concurrency
//
// A DB is safe for concurrent use. The keyspace is split into shards by
// Redis Cluster hash slot, each with its own lock; commands on several
// keys lock their shards in ascending order and are atomic, as in Redis.
// Keys that share a {hashtag} share a shard.
//
// # Transactions
//
// DB.TxPipelined runs a batch of commands as one transaction (MULTI ...
// EXEC), atomically across shards; DB.Watch adds optimistic locking
// (WATCH): the batch runs only if no watched key was modified meanwhile,
// otherwise ErrTxFailed is returned and the caller retries. Do refuses
// MULTI and WATCH, since each Do call runs in a session of its own.
//
// # Keyspace notifications
//
// Options.NotifyKeyspaceEvents (or CONFIG SET notify-keyspace-events)
// publishes Redis's keyspace notifications on the pub/sub bus:
// "__keyspace@<db>__:<key>" with the event name as message and
// "__keyevent@<db>__:<event>" with the key, with Redis 7.0's event names
// and order ("set", "expire", "lpush", "rename_from", "expired",
// "evicted", "new", "keymiss"...). Subscribe to them with PSubscribe, or
// over the RESP server. DB.OnKeyEvent delivers the same events as typed
// KeyEvent values, whatever the option says. Events are reported by the
// commands run through Do, sessions and the server, by the typed methods
// (which run through the command engine while events are wanted, at
// some cost), and by expiry and eviction.
//
// # Expiry
//
// Deadlines are absolute Unix milliseconds. Expired keys are removed
// when touched and by a background cycle (10 times a second). With
// Options.ManualExpiry the cycle only runs when DB.Tick is called.
// Options.Clock replaces the time source, for example with a ManualClock
// in tests.
//
// # Errors
//
// Errors wrap sentinels (ErrNil, ErrWrongType, ErrSyntax...) and match
// with errors.Is; the text after "kevy: " is Redis's error reply.
package kevy
