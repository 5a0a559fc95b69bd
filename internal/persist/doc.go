// Package persist stores a kevy database in a directory: one append-only
// log per shard (internal/aof) on top of one RDB snapshot per shard
// (internal/rdb), a manifest per shard, and a layout file that commits
// the whole set. It loads a directory into an engine, logs the engine's
// writes (Store implements command.Propagator), takes snapshots and
// rewrites, re-shards, and converts to and from a single Redis RDB file.
//
// # Layout
//
//	DIR/
//	├── LOCK                      flock'ed while a process has DIR open
//	├── kevy.layout               commit point: generation, shards, routing (CRC-32C)
//	├── aof-3/                    the current generation
//	│   ├── kevy.0.manifest       shard 0: its files in replay order (aof.Manifest)
//	│   ├── kevy.0.7.base.rdb     shard 0's snapshot (RDB v10, kevy-shard aux field)
//	│   ├── kevy.0.7.incr.aof     shard 0's log since that snapshot (RESP records)
//	│   ├── kevy.1.manifest
//	│   ├── kevy.1.2.incr.aof     (no base yet: a shard that was never saved)
//	│   └── ...
//	├── backup-20261125T192952Z-aof-2-4shards/   a generation replaced by a re-shard
//	└── dump.rdb                  only read when DIR holds no kevy.layout (import)
//
// kevy.layout names the generation directory and the shard count; keys
// map to shards by Redis Cluster hash slot (CRC16 mod 16384) split into
// contiguous ranges ("crc16-16384"). A shard's manifest lists a base (at
// most one) then incremental logs; replaying a shard means loading its
// base and running its logs' records through the engine in order.
//
// # Logging
//
// The engine calls Store.Propagate with the shard lock held, so each
// shard's log is in apply order; the record is only copied into the log's
// buffer, and the write and fsync happen outside the lock (internal/aof,
// with group commit for the always policy). A record only ever mentions
// keys of its own shard (the engine splits or rewrites commands spanning
// shards, see internal/command/propagate.go), which is what makes shards
// independent: they are loaded in parallel, rewritten one at a time, and
// re-sharded by moving keys. Every log file starts with SELECT, and SELECT
// precedes a record whose database differs from the previous one. Keys
// removed by the keyspace (expiry, eviction) are logged as DEL through the
// engine's key-deleted hook.
//
// The records of one command or one EXEC in a shard's log form a unit
// (unit.go): a unit of more than one record is written as a MULTI ...
// EXEC block, which replay applies all or nothing, and a log ending inside
// a block is cut back to before its MULTI like a torn record. A
// transaction spanning shards is one unit per shard: atomic per shard on
// crash recovery. With the always policy the EXEC reply is sent after
// every shard log it wrote is fsynced, so an acknowledged transaction is
// whole after a crash; an unacknowledged one may survive in some shards
// and not in others.
//
// FLUSHDB, FLUSHALL and SWAPDB are logged verbatim in every shard whose
// data they changed; on replay each copy is applied to its own shard only.
// (A redis-server replaying the concatenation of the shard logs would
// apply them once per shard: for Redis, convert with Export instead, or
// avoid those commands.)
//
// Before each write command the engine asks Store.Refuse whether writes
// are accepted: after a failed write or fsync of any log, every write is
// refused with Redis's "MISCONF Errors writing to the AOF file: ..." (an
// fsync that failed may have dropped dirty pages; it is never retried)
// until the database is reopened.
//
// # Durability
//
// Store.Wait takes the tickets a session collected (command.Session's
// Pending) and returns once they are as durable as the policy says:
// fsynced for always (records of several shards waited for in parallel;
// concurrent waiters share fsyncs), at once for everysec and no. The
// embedded API waits before returning; a server executes a pipelined
// batch, waits once, then sends the replies.
//
// # Snapshots and rewrites
//
// A snapshot of a shard does not stop its writers (snapshot.go, on
// keyspace.Snapshot): the snapshot point is taken under the shard lock,
// then the shard's keys are encoded a batch at a time (about a thousand
// buckets and keys per lock hold), the lock released between batches and
// the encoded bytes written to the file without it. A writer about to
// change or remove a key the walk has not reached yet first hands it to
// the encoder (serialize before mutate), so the file holds every key as
// it was at the snapshot point, each once. Writers of a shard being saved
// wait for one batch at most, plus the encoding of a key they hand over
// (long for a large aggregate); the extra memory is the encoder's output
// buffers, not a copy of the data.
//
// A rewrite of shard i, crash-safe at every step:
//
//  1. create the empty log kevy.i.N.incr.aof (aof PrepareSwitch), and save
//     the manifest listing [old base, old logs..., new log];
//  2. with the shard lock held, at the snapshot point: cut the log
//     (records from now on go to the new file) and begin the snapshot;
//  3. walk the shard into kevy.i.N.base.rdb.tmp batch by batch as above,
//     then fsync, rename to kevy.i.N.base.rdb, fsync the directory;
//     complete the switch (old log fsynced up to the cut);
//  4. save the manifest [new base, new log] and remove the old files.
//
// A crash before step 4 replays the old base, the old logs up to the cut
// and the new log: the same data, never a record twice. Save rewrites the
// shards a few at a time in parallel (up to 4, at most GOMAXPROCS), every
// shard keeping on serving throughout. The automatic rewrite (Redis's
// auto-aof-rewrite-percentage and -min-size, the size split evenly among
// shards) checks each shard once a second.
//
// Without the append-only file (Options.AppendOnly false) manifests list
// bases only; Save and Close (which saves) are what persist data.
//
// # Opening, recovery and re-sharding
//
// Open loads every shard in parallel, with the keyspace's expiry
// suspended and the engine's clock reading 0, so that records whose
// deadline passed while the process was down are applied as they were
// (Redis does the same while loading). A torn final record of a shard's
// last log (normal after a crash) is truncated, logged and reported as
// EventTruncated; anything else that is not a valid record fails Open
// with an error wrapping ErrCorrupt that names the file and the offset,
// unless Options.Repair asks to truncate at the damage. A missing or
// damaged manifest, snapshot or layout file is ErrCorrupt too. Progress is
// logged every few seconds while loading, and a summary at the end.
//
// A new generation (first start, import of a dump.rdb, re-shard) is
// written into a directory marked INCOMPLETE, then committed by replacing
// kevy.layout atomically; a marked directory that the layout does not
// name is the remains of an interrupted creation and is removed by the
// next Open. Opening with another shard count loads the old generation
// into a temporary keyspace of the old shape, moves every key into the
// new one, writes and commits the new generation, and renames the old
// directory to a timestamped backup that is kept (delete it when no
// longer needed).
//
// # Redis interchange
//
// Export writes one RDB file (every logical database) that redis-server 7
// loads; Import (and Open on a directory holding only dump.rdb) loads an
// RDB file written by redis-server 7.0 (or 7.2). Check verifies every file
// of a directory without modifying it and reports what Open would do.
package persist
