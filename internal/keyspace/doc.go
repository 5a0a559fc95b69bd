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
// types, the absolute deadline, and packed lengths, type and access clock.
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
package keyspace
