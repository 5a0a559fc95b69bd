// Package object implements the in-memory representations of the Redis
// aggregate value types: lists and sets here, hashes and sorted sets in
// hash.go and zset.go. Each type offers the operations the corresponding
// command handlers need, with Redis 7.0 semantics wherever the data
// structure decides the outcome (index clamping, counts, ranks, random
// sampling strategies, encoding conversions).
//
// # Concurrency
//
// Values are not safe for concurrent use: the keyspace serializes access to
// them with its own lock. Methods documented as read-only may run
// concurrently with each other but not with a mutation.
//
// # Limits and encodings
//
// Limits carries the *-max-* configuration thresholds (DefaultLimits returns
// the Redis 7.0 built-in values). Operations that may convert an encoding
// take a *Limits; nil means the defaults. OBJECT ENCODING names are returned
// by each type's Encoding method.
//
// # Lists
//
// List is a quicklist-like deque of nodes, each holding a packed chunk of
// elements (length-prefixed and length-suffixed so both directions decode)
// up to the node budget set by list-max-listpack-size (8 KB by default).
// Pushes and pops at either end are amortized O(1) and allocation-free apart
// from the returned copy; a 16-byte element costs about 18 bytes. Redis 7.0
// reports every list as "quicklist".
//
// # Sets
//
// Set is an "intset" (sorted array of 2-, 4- or 8-byte integers) while all
// members are canonical integers and there are at most set-max-intset-entries
// of them, and a "hashtable" (internal/dict) otherwise. Redis 7.0 has no
// listpack set encoding. SetIntersect, SetIntersectEach, SetIntersectCard,
// SetUnion and SetDiff implement the multi-key commands over []*Set, where a
// nil entry stands for a missing key.
//
// # Aliasing
//
// Methods returning []byte views (List.Index, iterators, Set.Members, Scan
// callbacks) alias internal storage: the bytes are valid until the next
// mutation (or callback return) and must never be modified. Methods that
// remove elements (PopFront, Pop, PopN) return owned values.
package object
