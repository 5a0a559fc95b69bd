// Package aof implements the append-only file (AOF) of one kevy shard: the
// log of write commands, its replay after a restart, the atomic switch to a
// new file that a rewrite needs, and the manifest listing a shard's files.
// The engine owns one [Log] and one [Manifest] per shard.
//
// # Files
//
// A shard's files live in one directory and are listed by its manifest
// (names are the engine's choice; these follow Redis 7):
//
//	appenddir/
//	├── kevy.3.manifest         manifest of shard 3: text, checksummed
//	├── kevy.3.2.base.rdb       base: the snapshot taken at the last rewrite
//	├── kevy.3.2.incr.aof       incremental log since that snapshot
//	└── kevy.3.3.incr.aof       next incremental log, after a Switch
//
// Replaying a shard means loading its base, then replaying its incremental
// logs in manifest order.
//
// # Log format
//
// A log is a plain sequence of records, each one command encoded as a RESP
// array of bulk strings — exactly what Redis writes to its AOF, so a real
// Redis can replay the file. There is no header and no per-record checksum
// inside the stream:
//
//	0                                            valid length         size
//	├ *3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n ┼ *2\r\n$3\r\nDEL\r\n ┼ *2\r\n$3 ┤
//	└──────────────── record 1 ─────────────────┴──── record 2 ───────┴─ torn ─┘
//
// Replay is strict: lengths must be canonical (no sign, no leading zero),
// every header and payload must end in CRLF, arrays must not be empty, and
// inline commands are not accepted. Annotation lines of printable ASCII
// starting with '#' (Redis' "#TS:<unix time>" lines) are skipped.
//
// # Appending and durability
//
// [Log.Append] (or [Log.AppendArgs], which encodes the command in place) is
// called with the shard lock held, so the log order is the apply order. It
// only copies the record into an in-memory buffer and returns a [Ticket],
// the position of the record's end in the stream. The I/O happens outside
// the lock:
//
//   - A background writer write()s the buffer [Options.WriteDelay] (1 ms)
//     after it becomes non-empty, or at once when it exceeds
//     [Options.FlushThreshold]. Append blocks only when
//     [Options.MaxBuffer] bytes are waiting (back-pressure from a disk that
//     is slower than the writers).
//   - [FsyncEverySec]: a second goroutine fsyncs what has been written once
//     a second, concurrently with further writes.
//   - [FsyncNo]: fsync is left to the operating system.
//   - [FsyncAlways]: [Log.Wait] returns once the record is fsynced. Waiters
//     commit as a group: the first one becomes the leader, writes
//     everything buffered (its own records and everybody else's) and
//     fsyncs once; the others sleep until an fsync covers their ticket.
//     Records appended while an fsync runs go out with the next one.
//
// Group commit with four writers:
//
//	writer A: Append ─ Wait ─ leader: write(A B C) ─ fsync ─┬─ return
//	writer B: Append ─ Wait ─ sleep ────────────────────────┼─ return
//	writer C: Append ─ Wait ─ sleep ────────────────────────┘─ return
//	writer D:           Append ─ Wait ─ next leader: write(D …) ─ fsync …
//
// Logs that share a [Group] (the shards of one store) also share these
// rounds: the leader writes the buffers of every member and makes them all
// durable at once, with one syncfs(2) of their file system when several
// members have records to sync. Before collecting, a leader whose previous
// round served several writers yields for a quarter of that round's
// duration (at most 100 µs), so that the writers it woke join this round
// instead of waiting for the next one (PostgreSQL's commit_delay).
//
// [Log.Sync] forces a write and an fsync; [Log.Close] writes and fsyncs
// everything whatever the policy.
//
// # Failures
//
// A failed write or fsync is never ignored or retried: after a failed fsync
// the kernel may have dropped the dirty pages, and a second fsync would
// wrongly succeed. The failure is logged, reported to [Options.Metrics],
// and the Log enters a failed state: every later Append, Wait and Sync
// returns an error wrapping [ErrLogFailed] and the cause (e.g. ENOSPC,
// EIO) until the log is reopened. The bytes of a partial write are
// truncated off the file when possible; otherwise the next replay sees them
// as a torn record.
//
// # Replay and recovery
//
// [Replay] calls a function with the arguments of each record. How a file
// ends decides what happens:
//
//   - after a complete record: nothing to do;
//   - inside a record whose bytes so far are valid, possibly followed by
//     zero bytes only (a file system may extend a file before its data is
//     written): this is a torn final record, normal after a crash. It is
//     truncated off the file with a log line and reported in
//     [ReplayResult.TruncatedBytes];
//   - anything else, i.e. an invalid byte followed by non-zero data, or a
//     record claiming to extend past the end of the file while a valid
//     record can be found after its start: corruption. Replay fails with a
//     [*CorruptError] (wrapping [ErrCorrupt]) naming the file and the
//     offset, unless [ReplayOptions.Repair] asks to truncate there, which
//     is logged with the number of bytes dropped.
//
// A MULTI ... EXEC block (the engine writes one when a command or a
// transaction has several records in a shard, as Redis does) is applied
// all or nothing: its records reach the callback only once the EXEC has
// been read (a block larger than [ReplayOptions.MaxBlockBuffer] is first
// read ahead to its EXEC). A file ending inside a block is a torn tail
// starting at the block's MULTI ([ReplayResult.IncompleteBlock]); a MULTI
// inside a block, an EXEC outside one, or damage inside a block is
// corruption, whose valid prefix ends at the block's MULTI.
//
// A zero-length file is an empty log. A log is never appended to after
// garbage: [Open] resumes at the end of the valid prefix, either from the
// [ReplayResult] of a replay done just before ([Options.Replayed]) or by
// validating the file itself.
//
// # Rewrite
//
// To compact, the engine writes a new base file from a snapshot with
// [WriteFileAtomic] (temporary file in the same directory, fsync, rename,
// fsync of the directory) and starts a new incremental log at the
// snapshot's point:
//
//  1. [Log.PrepareSwitch] creates the empty new log durably (no lock held);
//  2. the manifest is saved with the new log as the last incremental file
//     (an empty log replays as nothing, so a crash here is harmless);
//  3. under the shard lock, the snapshot point is taken and
//     [Switcher.Cut] called: records appended before go to the old log,
//     after to the new one (Cut makes no system call);
//  4. the base is written; [Switcher.Finish] makes the switch durable: the
//     old log is written and fsynced up to the cut before the first byte
//     reaches the new one;
//  5. the manifest is saved with the new base, and the old files removed.
//
// [Log.Switch] does steps 1, 3 and 4 at once.
//
// # Manifest
//
// The manifest is a small text file in Redis 7's syntax, with kevy's
// metadata in comment lines and a CRC-32C of everything before the last
// line, so that a torn or damaged manifest is detected:
//
//	# kevy-aof-manifest 1                  format version (first line)
//	# shards 16                            number of shards
//	# shard 3                              this shard's index
//	# routing crc16-16384                  key-to-shard mapping (optional)
//	file kevy.3.2.base.rdb seq 2 type b    files in replay order: the base
//	file kevy.3.2.incr.aof seq 2 type i    (b) first, then history (h) and
//	file kevy.3.3.incr.aof seq 3 type i    incremental (i) files
//	# checksum crc32c 1c291ca3             CRC-32C (Castagnoli), hex
//
// Every line ends with "\n". File names are made of letters, digits, '.',
// '_' and '-'. Unknown comment lines are ignored. [Manifest.Save] writes
// with WriteFileAtomic; [LoadManifest] rejects a missing or wrong checksum,
// a newer format version and malformed lines with errors wrapping
// [ErrCorrupt].
//
// # File system
//
// All I/O goes through the [FS] interface ([OSFS] by default), so tests
// can inject failures (ENOSPC, EIO, read-only directories) and count
// fsyncs.
package aof
