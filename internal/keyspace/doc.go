// Package keyspace holds kevy's data: shards of hash tables mapping keys to
// typed values with deadlines.
//
// # Layout
//
//	Keyspace
//	  └─ Shard[0..N)            one sync.Mutex each; key → shard by cluster slot
//	       └─ table[db]         one per logical database (SELECT n)
//	            ├─ keys: dict   chained buckets of *Entry, incremental rehash
//	            └─ expires      set of entries with a deadline (active expiry)
//
// An Entry is 48 bytes: chain pointer, one allocation holding the key and a
// string value back to back, a pointer to the value object of the other
// types, the absolute deadline, and packed lengths, type, access clock and
// snapshot mark.
//
// # Concurrency
//
// Every Shard method requires the shard lock. Commands that touch several
// shards lock them in ascending index order (LockSet), which keeps
// multi-key commands atomic and deadlock-free.
//
// # Expiry
//
// Deadlines are absolute Unix milliseconds. Lookups delete an expired key
// on access (lazy expiry); ActiveExpire samples keys with a TTL and
// removes expired ones, repeating while more than a quarter of a sample
// was stale, as Redis's active expire cycle does.
//
// # Memory accounting
//
// Every key's cost (its Entry, key and string bytes, value object and
// deadline slot) and every table's (buckets, structures) is accounted as
// it changes, per table and per shard (memory.go). Aggregate values are
// changed in place by command handlers, so each one a lookup returns is
// noted and measured again (O(1) MemUsage) when the shard lock is
// released. A keyspace-wide total, published by the shards in small
// batches, backs the cheap maxmemory check (OverLimit).
//
// # Eviction
//
// Over the limit, Evict removes keys by the configured Policy, as Redis
// does it (evict.go): a 24-bit LRU clock in seconds (refined to quarter
// seconds for ranking), an 8-bit logarithmic LFU counter with decay in
// the same bits under LFU policies, writes-only clocks under LRM, and an
// eviction pool of the 16 best candidates fed by sampling one shard at a
// time, round-robin, with no shard lock held while another is taken.
// Evicted keys go through OnDelete with ReasonEvicted.
//
// # Snapshots
//
// A shard can be saved while it keeps serving (snapshot.go): BeginSnapshot,
// under the lock, fixes the snapshot point by flipping the shard's mark
// parity, so every entry's one-bit mark (the top bit of its capacity word)
// now says "not saved yet", while keys linked in afterwards get the new
// mark at once. Step walks the tables of the snapshot point with the
// dict's reverse-binary cursor (every entry present throughout is seen,
// across resizes) a batch per call, the caller releasing the lock between
// batches, and hands each unmarked entry to a SnapshotSink, marking it.
// Every mutation path (lookups for writing, SetString, SetExpire, Delete,
// expiry, eviction...) first hands over an unmarked entry it is about to
// change or remove (serialize before mutate), so the sink sees each key
// once, as it was at the snapshot point. FLUSHDB, FLUSHALL and SWAPDB
// detach or move whole tables, which the walk still saves under their
// database at the snapshot point. When the walk ends every entry carries
// the shard's mark again.
package keyspace
