// Package rdb reads and writes Redis RDB snapshot files: version 10 as
// written by Redis 7.0, and every older encoding Redis 7.0 still loads. It
// is a codec only: values are handed to and taken from the caller as byte
// strings, and a higher layer maps them to keyspace objects.
//
// # Format
//
// A file is "REDIS" and a 4-digit version, a sequence of records, the EOF
// opcode 0xFF and (version >= 5) a little-endian CRC-64 trailer (the Jones
// polynomial, reflected, as Redis computes it; see CRC64). A zero trailer
// means the writer disabled checksums. Records are opcodes (AUX, SELECTDB,
// RESIZEDB, EXPIRETIME[_MS], IDLE, FREQ, FUNCTION2, MODULE_AUX) or a key: a
// Type byte, the key string, and the value in that type's encoding. Strings
// are length-prefixed raw bytes, 8/16/32-bit integers, or LZF-compressed.
// Compact collections are stored as one string holding a listpack, ziplist,
// intset or zipmap; lists since Redis 3.2 as a sequence of such nodes.
//
// # Reading
//
// NewReader(src).Parse(visitor) decodes the whole file in one pass and calls
// the Visitor for each record. A key's value is not materialized: the
// visitor pulls elements from the *Entry (Next, NextPair, NextMember), each
// returned slice aliasing the reader's buffers until the next call, so a
// million-element collection costs no more memory than its largest blob.
// Supported encodings: STRING (raw, int, LZF), LIST, LIST_ZIPLIST,
// LIST_QUICKLIST, LIST_QUICKLIST_2 (PLAIN and PACKED nodes), SET,
// SET_INTSET, ZSET, ZSET_2, ZSET_ZIPLIST, ZSET_LISTPACK, HASH, HASH_ZIPMAP,
// HASH_ZIPLIST, HASH_LISTPACK, and SET_LISTPACK when Reader.MaxVersion
// admits RDB 11. Streams, module values, module aux data and pre-release
// function records yield an error matching ErrUnsupported.
//
// # Writing
//
// NewWriter(dst) emits what Redis 7.0 would: strings with integer and LZF
// encodings, lists as QUICKLIST_2 listpack nodes, sets as INTSET or SET,
// hashes as HASH_LISTPACK or HASH, sorted sets as ZSET_LISTPACK or ZSET_2,
// choosing by Writer.Limits. Collections are passed as iterators
// (iter.Seq / iter.Seq2, e.g. the All methods of the object types) and
// encoded on the fly; nothing larger than one listpack node or one small
// compact value is buffered beyond the output buffer. Close writes the EOF
// opcode and the checksum.
//
// # Robustness
//
// Malformed or truncated input yields a *CorruptError (matching ErrCorrupt)
// with the byte offset, never a panic. Declared lengths are never trusted
// for allocation: strings that do not fit the read buffer are read in
// chunks whose allocation grows only as bytes arrive, LZF output is bounded
// by the format's maximum expansion of the compressed bytes actually read,
// and collection counts only drive loops that consume input. Compact blobs
// are validated entry by entry as they are iterated (bounds, encodings,
// ziplist prevlen and tail, listpack backlen, counts, intset order).
// Duplicate members and empty collections are left to the consumer, which
// should reject or skip them as Redis does.
//
// # Performance
//
// The reader decodes from a 256 KB buffer and allocates nothing per key or
// element in the steady state; the checksum is computed over the buffer with
// a slicing-by-8 table. The writer appends into a 256 KB buffer, flushed
// with its checksum folded in, and allocates nothing per key.
package rdb
