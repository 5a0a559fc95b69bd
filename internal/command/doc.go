// Package command is kevy's command table and executor: every Redis
// command is implemented once, here, over package keyspace. The embedded
// API (DB.Do and the typed methods), the RESP server and AOF replay all
// run through it.
//
// # The table
//
// Each family file (cmd_string.go, cmd_keys.go, cmd_list.go, ...)
// registers its commands from an init function. A Command carries Redis's
// metadata — arity, flags, first/last/step key positions or a KeysFunc for
// numkeys-style commands, ACL categories — so COMMAND INFO, COMMAND
// GETKEYS and the executor's locking all read the same description.
//
//	args ──► Lookup ──► arity ──► key positions ──► lock shards (ascending)
//	                                                    │
//	      reply ◄── Reply writer ◄── handler(Ctx, args) ◄┘
//	                      │
//	                      └─ propagation (AOF), notifications, WATCH, wake-ups
//
// # Semantics shared with the typed API
//
// Handlers keep the parsing of wire arguments; the rule itself (what SET
// NX does to a key of another type, how INCRBYFLOAT rounds) lives in an
// exported function that takes a locked shard, so the typed Go methods
// call the same code without building argument vectors.
//
// # Errors
//
// Handlers reply with Redis's exact error text (Reply.Error). errors.go
// holds the sentinels the root package re-exports and the single mapping
// between wire texts and sentinels (FromWire, ToWire).
//
// # Concurrency
//
// The executor holds the locks of every shard a command's keys live in,
// taken in ascending shard order, for the whole handler: multi-key commands
// are atomic across shards. Commands flagged FlagAllShards lock every
// shard; FlagSelfLock handlers lock one shard at a time themselves.
// Blocking commands register a waiter under the lock and wait with no lock
// held (blocking.go). MULTI/EXEC locks the union of its commands' shards
// once (multi.go).
package command
