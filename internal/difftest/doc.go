// Package difftest compares kevy with a real Redis 7.0 server, reply by
// reply and byte for byte. It is the strongest evidence of compatibility
// the project has: every command family adds scripts to its tests.
//
// # Targets
//
// A [Target] runs one command and returns the raw RESP bytes of its reply.
// [Conn] speaks RESP over TCP (to redis-server, or to kevy's own server);
// [Kevy] runs commands in process through a kevy.Session and a
// resp.Writer, so the bytes compared are exactly what the server would
// send. [RunScript] sends the same commands to two targets and compares
// every reply.
//
// # Redis server
//
// [SharedRedis] starts one redis-server per test binary on a free loopback
// port, with persistence off and a temporary working directory, and
// [StopShared] (called from TestMain) kills it. When redis-server is not
// installed the calling test is skipped, unless the environment variable
// CI is "true", in which case it fails: CI must not silently lose the
// differential tests.
//
// # Scripts
//
// A script is text, one command per line, split like redis-cli does
// (double quotes with \n \r \t \" \\ and \xHH escapes, single quotes
// literal). Lines starting with '#' are comments. A line may start with a
// comparison directive in brackets:
//
//	[exact]        the default: replies must be byte-identical
//	[unordered]    aggregates compared as multisets of elements (SMEMBERS, KEYS)
//	[pairs]        maps or flat arrays compared as sets of pairs (HGETALL)
//	[type]         only the shape is compared: types, nulls, lengths (TIME)
//	[approx N]     integers may differ by N when both are >= 0 (PTTL)
//	[scan]         a SCAN-family command is iterated to cursor 0 on each
//	               side and the sets of elements returned are compared
//
// The pseudo-command "!sleep MS" pauses both sides (for expiry tests that
// must cross a real deadline on the Redis side).
package difftest
