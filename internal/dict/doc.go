// Package dict implements Dict, a string-keyed chained hash table with
// incremental rehashing, used for the large ("hashtable") encodings of Redis
// hashes, sets and sorted sets.
//
// Go maps cannot serve here because Redis semantics need two things a map
// does not offer: a stateless, resumable SCAN cursor that never misses an
// element present for the whole scan even when the table is resized between
// calls, and cheap, approximately uniform random sampling (HRANDFIELD,
// SRANDMEMBER, SPOP).
//
// # Layout
//
// A Dict is a power-of-two array of bucket heads; each bucket is a singly
// linked chain of entries {next, key, val}. Keys are hashed with
// hash/maphash using a per-process random seed, which is fast and
// allocation-free. The key string is retained as given, so callers must pass
// a string they own (not one aliasing a reusable network buffer).
//
// # Resizing
//
// The table grows when it holds at least as many elements as buckets
// (load factor 1) and shrinks when fewer than 10% of the buckets would be
// used, never below 4 buckets. Shrinking is checked on Delete, so a table that
// lost most of its elements returns its memory without a background job.
//
// A resize never moves all elements at once: a second table is allocated and
// every Set and Delete migrates a couple of buckets from the old table to the
// new one (skipping at most a bounded number of empty buckets), so the cost of
// a resize is spread over many operations. While two tables exist, new
// elements go to the new table and lookups check both. Read-only methods
// never migrate buckets.
//
// # Scan
//
// Scan implements the Redis SCAN contract with a reverse-binary cursor: the
// cursor is incremented from its most significant bit (of the bucket mask)
// downwards, so that the set of buckets already visited maps onto a prefix of
// the cursor space for every power-of-two table size. Consequently an element
// present from the first to the last call is returned at least once, even if
// the table grows, shrinks or is in the middle of an incremental rehash at any
// call; elements may be returned more than once if the table shrinks. During a
// rehash a call visits one bucket of the smaller table and every bucket of the
// larger table that expands from it.
//
// # Random sampling
//
// RandomKey picks a random bucket slot (over both tables during a rehash) and
// a random chain position below a small cap derived from the load factor, and
// retries when the position is empty. This rejection sampling is exactly
// uniform except for elements sitting in chains longer than the cap (rare at
// the load factors the table maintains), which are still returned, with a
// slightly lower probability. Very sparse tables fall back to an exact O(n)
// pick after a bounded number of attempts.
//
// # Concurrency
//
// A Dict is not safe for concurrent mutation. The read-only methods (Len,
// Get, GetPtr, Has, Scan, RandomKey, All, Overhead) never modify the
// structure, so any number of them may run concurrently as long as no
// mutation (Set, Delete, Clear) runs at the same time. RandomKey with a
// non-nil *rand.Rand additionally needs that generator not to be shared.
package dict
