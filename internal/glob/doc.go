// Package glob implements Redis-style glob pattern matching, as used by
// KEYS, SCAN/HSCAN/SSCAN/ZSCAN MATCH, PSUBSCRIBE, PUBSUB CHANNELS and friends.
//
// [Match] and [MatchBytes] reproduce the observable behaviour of Redis 7.0's
// pattern matcher byte for byte, including its quirks, but run in
// polynomial time (O(len(pattern)*len(s)) worst case) and never allocate.
// The expectations in the tests were recorded from a real redis-server 7.0.
//
// # Syntax
//
//   - '*' matches any sequence of bytes; consecutive stars act as one.
//   - '?' matches exactly one byte.
//   - '[abc]' matches one byte from the set; '[^abc]' one byte not in it.
//   - '[a-z]' is an inclusive byte range; a reversed range '[z-a]' means the
//     same as '[a-z]'.
//   - '\x' matches the byte x literally, both outside and inside brackets.
//   - Every other byte matches itself.
//
// # Redis quirks that are reproduced
//
//   - A non-empty pattern never matches the empty string, so Match("*", "")
//     is false. (Redis's KEYS and SCAN special-case the pattern "*" before
//     matching, which is why an empty key still shows up in KEYS *; callers
//     that want that must do the same.) The empty pattern matches only "".
//   - A ']' directly after '[' or '[^' closes the set, so "[]" never matches
//     and "[^]" matches any byte.
//   - An unterminated '[' takes the rest of the pattern as its set: "[ab"
//     matches "a" or "b", a trailing "[" never matches, a trailing "[^"
//     matches any single byte.
//   - A trailing backslash matches a literal backslash.
//   - Range ends compare as signed chars, as in Redis on x86-64 where C's
//     char is signed: bytes 0x80..0xff sort before 0x00, so "[a-\xff]"
//     means byte 0xff or 0x00..'a'. This package behaves so on every
//     platform.
//   - '-' forms a range whenever a byte follows it, even ']': "[a-]" is the
//     unterminated set ']'..'a'. Elsewhere it is literal: "[-a]" matches
//     '-' or 'a', and "[a-c-e]" matches 'a'..'c', '-' or 'e'.
//   - With nocase, only ASCII letters fold. Escaped bytes inside brackets are
//     compared case-sensitively; ranges are ordered first and lower-cased
//     afterwards, so "[Z-a]" matches nothing with nocase.
//   - Redis gives up on patterns with more than 1000 '*' groups that are
//     followed by something else; such patterns never match here either.
//
// [IsLiteral] reports whether a pattern contains no special bytes at all, so
// that callers can replace a scan with a direct lookup.
package glob
