// Package resp implements the Redis serialization protocol (RESP2 and RESP3)
// as used by kevy: a zero-copy request reader for the server, a general reply
// reader for client-side code and tests, and an allocation-free reply writer.
//
// # Reading requests
//
// [Reader.ReadCommand] parses one client request, either a multibulk array of
// bulk strings ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") or an inline command
// ("GET k\r\n") with the same quoting rules as Redis. The returned arguments
// alias the reader's internal buffer and are only valid until the next call
// on the same Reader; callers that keep an argument must copy it. In steady
// state ReadCommand does not allocate.
//
// Limits and error texts follow Redis 7.0. Malformed input yields a
// [*ProtocolError] whose Error method returns the exact Redis text without
// the error code, e.g. "Protocol error: invalid bulk length"; a server replies
// with "-ERR " followed by that text and then closes the connection. Errors
// are sticky: once ReadCommand failed, every later call returns the same
// error.
//
// Deliberate differences from redis-server: a NUL byte in an inline command
// is an ordinary byte (redis-server stalls on it), and the inline and header
// size limits are applied to the line length no matter how the bytes were
// split across reads, which makes the behaviour deterministic.
//
// # Buffers
//
// Readers and Writers take their buffers (512 bytes to 64 KiB, in
// power-of-two sizes) from shared sync.Pools. [Reader.Release] and
// [Writer.Release] give them back when nothing is buffered, which a
// server does while a connection waits for input, so an idle connection
// holds no buffer; the Reader takes one again at its next read
// ([Reader.ReadBuffer] for a source that released it inside its Read),
// the Writer at [Writer.Acquire]. A Reader's buffer grows with the bytes
// that actually arrive, never to a length announced by a header, so a
// "$536870912" header followed by a few bytes costs a few bytes.
//
// # Reading replies
//
// [Reader.ReadValue] parses any RESP2 or RESP3 value into a [Value] tree.
// Unlike ReadCommand its result owns its memory.
//
// # Writing replies
//
// [Writer] appends replies to an internal buffer that is written to the
// underlying io.Writer by [Writer.Flush]. The protocol version chosen with
// [Writer.SetProto] decides how types that only exist in RESP3 (null, map,
// set, push, double, boolean, verbatim string, big number) are encoded for
// RESP2 clients, the same way Redis 7.0 downgrades them.
//
// # Encoding commands
//
// [AppendCommand] and [AppendCommandString] encode a command as a RESP array
// of bulk strings, the format of the append-only file.
package resp
