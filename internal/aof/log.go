package aof

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevydb/kevy/internal/resp"
)

// FsyncPolicy says when appended records are fsynced (Redis' appendfsync).
type FsyncPolicy uint8

// The fsync policies. The zero value is FsyncEverySec, Redis' default.
const (
	// FsyncEverySec writes records within Options.WriteDelay and fsyncs
	// them about once a second in the background: a crash of the machine
	// loses at most about a second of writes.
	FsyncEverySec FsyncPolicy = iota
	// FsyncAlways makes Wait return only once the record is fsynced.
	// Concurrent waiters share one fsync (group commit).
	FsyncAlways
	// FsyncNo writes records within Options.WriteDelay and leaves fsync to
	// the operating system (and Sync, Switch and Close).
	FsyncNo
)

// String returns the policy's Redis configuration name.
func (p FsyncPolicy) String() string {
	switch p {
	case FsyncEverySec:
		return "everysec"
	case FsyncAlways:
		return "always"
	case FsyncNo:
		return "no"
	}
	return fmt.Sprintf("FsyncPolicy(%d)", uint8(p))
}

// ParseFsyncPolicy parses a Redis appendfsync value ("always", "everysec",
// "no"), ignoring case.
func ParseFsyncPolicy(s string) (FsyncPolicy, error) {
	switch strings.ToLower(s) {
	case "everysec":
		return FsyncEverySec, nil
	case "always":
		return FsyncAlways, nil
	case "no":
		return FsyncNo, nil
	}
	return 0, fmt.Errorf("aof: invalid fsync policy %q", s)
}

// Defaults of Options.
const (
	// DefaultWriteDelay is the default of Options.WriteDelay.
	DefaultWriteDelay = time.Millisecond
	// DefaultFlushThreshold is the default of Options.FlushThreshold.
	DefaultFlushThreshold = 1 << 20
	// DefaultMaxBuffer is the default of Options.MaxBuffer.
	DefaultMaxBuffer = 16 << 20
	// syncInterval is the fsync period of FsyncEverySec.
	syncInterval = time.Second
	// chunkSize is the size of the buffer chunks. Records are copied into
	// a chain of chunks that are recycled after being written, so the
	// buffer never grows by copying.
	chunkSize = 64 << 10
	// keepFree is the number of recycled chunks kept by a log that has gone
	// quiet; a busy log keeps up to MaxBuffer worth of them.
	keepFree = 4
)

// Op names an I/O operation in an Event.
type Op uint8

// The operations reported to Options.Metrics.
const (
	// OpWrite is a write() of buffered records.
	OpWrite Op = iota + 1
	// OpFsync is an fsync of the log file.
	OpFsync
)

// String returns "write" or "fsync".
func (o Op) String() string {
	switch o {
	case OpWrite:
		return "write"
	case OpFsync:
		return "fsync"
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// Event describes one write or fsync, for Options.Metrics.
type Event struct {
	Op       Op
	Path     string        // the log file
	Bytes    int           // bytes written (OpWrite)
	Duration time.Duration // time spent in the system call
	Err      error         // nil on success
}

// Options configures Open. The zero value is usable: everysec, the OS file
// system, slog.Default().
type Options struct {
	// Fsync is the fsync policy.
	Fsync FsyncPolicy
	// Logger receives truncation, failure and switch messages; nil means
	// slog.Default().
	Logger *slog.Logger
	// Metrics, if set, is called after every write and fsync, from the
	// goroutine doing the I/O. It must be fast and must not call the Log.
	Metrics func(Event)
	// FS is the file system; nil means OSFS.
	FS FS
	// Perm is the permission of created files (default 0644).
	Perm fs.FileMode
	// WriteDelay is how long appended records may wait in memory before
	// they are written (everysec and no, and always records nobody waits
	// for). Zero means DefaultWriteDelay; negative means no delay.
	WriteDelay time.Duration
	// FlushThreshold is the buffered size that triggers a write at once
	// (default DefaultFlushThreshold).
	FlushThreshold int
	// MaxBuffer is the buffered size at which Append blocks until the
	// buffer has been handed to write() (default DefaultMaxBuffer), so that
	// memory stays bounded when the disk is slower than the writers.
	MaxBuffer int
	// Replayed is the result of a Replay of this file just before Open.
	// Open then trusts its valid length instead of reading the file again.
	// If nil, Open validates the file itself (as Replay with a nil
	// callback), truncating a torn tail and failing on corruption.
	Replayed *ReplayResult
	// Repair is passed to the validating replay when Replayed is nil.
	Repair bool
	// Group, if set, makes the log share its FsyncAlways rounds with the
	// other logs of the group (see Group). The log leaves it on Close.
	Group *Group
}

// Ticket identifies a position in the stream of records appended to a Log:
// the total number of bytes appended up to and including a record. Tickets
// keep increasing across Switch.
type Ticket uint64

// Stats is a snapshot of a Log's state.
type Stats struct {
	Path     string      // current file
	Policy   FsyncPolicy // fsync policy
	Appended Ticket      // end of the last appended record
	Written  Ticket      // everything before has been written
	Synced   Ticket      // everything before has been fsynced
	Buffered int         // bytes appended but not handed to write() yet
	FileSize int64       // size of the current file
	Writes   uint64      // write() calls
	Fsyncs   uint64      // fsync calls
	Err      error       // the failure, ErrClosed, or nil
}

// Log is the append-only file of one shard. Append and AppendArgs are meant
// to be called with the shard's lock held, so that the log order is the
// apply order; they only copy into memory. Wait, Sync, Switch and Close do
// the I/O and must be called without the shard lock. All methods are safe
// for concurrent use.
type Log struct {
	fs         FS
	policy     atomic.Uint32 // FsyncPolicy; SetPolicy changes it
	logger     *slog.Logger
	metrics    func(Event)
	perm       fs.FileMode
	writeDelay time.Duration
	flushAt    int
	maxBuf     int
	maxFree    int

	// Lock order: ioMu, syncMu, mu.
	ioMu   sync.Mutex // serializes writes and file switches
	syncMu sync.Mutex // serializes fsyncs and the closing of files
	f      File       // changed with ioMu, syncMu and mu held

	mu         sync.Mutex
	cond       sync.Cond // on mu: synced, leader, err or buffer space changed
	path       string
	chunks     [][]byte // filled chunks not handed to write() yet
	cur        []byte   // chunk being filled; nil if none
	buffered   int      // bytes in chunks and cur
	free       [][]byte // recycled empty chunks
	spareList  [][]byte // recycled backing array for chunks
	appended   uint64
	written    uint64
	synced     uint64
	err        error // sticky failure (wraps ErrLogFailed) or ErrClosed
	closed     bool
	leader     bool // an always-waiter is flushing for everybody
	kicked     bool // the writer was told that the buffer is not empty
	fullKicked bool // the writer was told that the buffer is over flushAt
	spaceWait  int  // appenders blocked on MaxBuffer
	syncing    bool // the everysec syncer goroutine runs
	sw         *Switcher
	group      *Group // nil, or the group sharing FsyncAlways rounds

	failed atomic.Bool
	size   atomic.Int64
	writes atomic.Uint64
	fsyncs atomic.Uint64

	kick chan struct{}
	full chan struct{}
	stop chan struct{}
	wg   sync.WaitGroup
}

// Open opens the log at path for appending, creating it if needed, and
// starts its background goroutines. Appending resumes at the end of the
// valid prefix: see Options.Replayed. The directory is fsynced so that a
// newly created file is durable.
func Open(path string, opts Options) (*Log, error) {
	fsys := orOS(opts.FS)
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	perm := opts.Perm
	if perm == 0 {
		perm = 0o644
	}
	var valid int64
	if r := opts.Replayed; r != nil {
		if r.Path != path {
			return nil, fmt.Errorf("aof: open %s: Options.Replayed is the result for %s", path, r.Path)
		}
		valid = r.Bytes
	} else {
		res, err := Replay(path, nil, ReplayOptions{FS: fsys, Logger: logger, Repair: opts.Repair})
		switch {
		case err == nil:
			valid = res.Bytes
		case notExist(err):
		default:
			return nil, err
		}
	}
	f, err := fsys.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, perm)
	if err != nil {
		return nil, fmt.Errorf("aof: open %s for appending: %w", path, err)
	}
	fail := func(format string, args ...any) (*Log, error) {
		_ = f.Close()
		return nil, fmt.Errorf(format, args...)
	}
	st, err := f.Stat()
	if err != nil {
		return fail("aof: open %s: stat: %w", path, err)
	}
	switch size := st.Size(); {
	case size < valid:
		return fail("aof: open %s: the file has %d bytes, fewer than its replayed valid length %d", path, size, valid)
	case size > valid:
		logger.Warn("aof: truncating the log to its valid length before appending",
			"path", path, "valid_bytes", valid, "dropped_bytes", size-valid)
		if err := f.Truncate(valid); err != nil {
			return fail("aof: open %s: truncate to %d bytes: %w", path, valid, err)
		}
		if err := f.Sync(); err != nil {
			return fail("aof: open %s: fsync: %w", path, err)
		}
	}
	if err := fsys.SyncDir(filepath.Dir(path)); err != nil {
		return fail("aof: open %s: fsync directory: %w", path, err)
	}
	l := &Log{
		fs:         fsys,
		logger:     logger,
		metrics:    opts.Metrics,
		perm:       perm,
		writeDelay: opts.WriteDelay,
		flushAt:    opts.FlushThreshold,
		maxBuf:     opts.MaxBuffer,
		f:          f,
		path:       path,
		kick:       make(chan struct{}, 1),
		full:       make(chan struct{}, 1),
		stop:       make(chan struct{}),
		group:      opts.Group,
	}
	if l.writeDelay == 0 {
		l.writeDelay = DefaultWriteDelay
	}
	if l.flushAt <= 0 {
		l.flushAt = DefaultFlushThreshold
	}
	if l.maxBuf <= 0 {
		l.maxBuf = DefaultMaxBuffer
	}
	l.maxBuf = max(l.maxBuf, l.flushAt)
	l.maxFree = max(l.maxBuf/chunkSize+1, keepFree)
	l.cond.L = &l.mu
	l.policy.Store(uint32(opts.Fsync))
	l.size.Store(valid)
	if l.group != nil {
		l.group.join(l)
	}
	l.wg.Add(1)
	go l.writer()
	if opts.Fsync == FsyncEverySec {
		l.syncing = true
		l.wg.Add(1)
		go l.syncer()
	}
	return l, nil
}

// Policy returns the log's fsync policy.
func (l *Log) Policy() FsyncPolicy { return FsyncPolicy(l.policy.Load()) }

// SetPolicy changes the fsync policy (Redis's CONFIG SET appendfsync),
// for the records waited for from now on: under FsyncAlways a Wait
// fsyncs everything appended before its record too; leaving it, waiters
// already in Wait still get their fsync. The everysec syncer starts, or
// stops at its next tick.
func (l *Log) SetPolicy(p FsyncPolicy) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.policy.Store(uint32(p))
	if p == FsyncEverySec && !l.syncing && !l.closed {
		l.syncing = true
		l.wg.Add(1)
		go l.syncer()
	}
}

// Append copies one record (a complete RESP command array) into the log's
// buffer and returns its Ticket. It makes no system call of its own (once
// per batch it may wake the writer goroutine) and only blocks if
// Options.MaxBuffer bytes are waiting to be written. Records appended by
// one goroutine are written in order, and with the shard lock held the
// order is the apply order.
//
// Append does not check rec: a record that is not a valid RESP array makes
// the file corrupt. Once the log has failed, Append returns an error
// wrapping ErrLogFailed; after Close, ErrClosed.
func (l *Log) Append(rec []byte) (Ticket, error) {
	l.mu.Lock()
	if err := l.admitLocked(); err != nil {
		l.mu.Unlock()
		return 0, err
	}
	for p := rec; len(p) > 0; {
		if len(l.cur) == cap(l.cur) {
			l.newChunkLocked()
		}
		n := copy(l.cur[len(l.cur):cap(l.cur)], p)
		l.cur = l.cur[:len(l.cur)+n]
		p = p[n:]
	}
	t := l.addedLocked(len(rec))
	l.mu.Unlock()
	return t, nil
}

// AppendArgs encodes a command as a RESP array of bulk strings straight
// into the log's buffer; otherwise it is Append. An empty command is an
// error.
func (l *Log) AppendArgs(args [][]byte) (Ticket, error) {
	if len(args) == 0 {
		return 0, errEmptyCommand
	}
	l.mu.Lock()
	if err := l.admitLocked(); err != nil {
		l.mu.Unlock()
		return 0, err
	}
	n := resp.CommandLen(args)
	switch {
	case n <= cap(l.cur)-len(l.cur):
		l.cur = resp.AppendCommand(l.cur, args...)
	case n <= chunkSize:
		l.newChunkLocked()
		l.cur = resp.AppendCommand(l.cur, args...)
	default:
		// A record larger than a chunk gets a chunk of its own.
		if len(l.cur) > 0 {
			l.chunks = append(l.chunks, l.cur)
			l.cur = nil
		}
		l.chunks = append(l.chunks, resp.AppendCommand(make([]byte, 0, n), args...))
	}
	t := l.addedLocked(n)
	l.mu.Unlock()
	return t, nil
}

// errEmptyCommand is returned by AppendArgs for no arguments, which would
// be an invalid record.
var errEmptyCommand = errors.New("aof: empty command")

// newChunkLocked queues the current chunk (if it holds anything) and
// starts an empty one.
func (l *Log) newChunkLocked() {
	if len(l.cur) > 0 {
		l.chunks = append(l.chunks, l.cur)
	}
	if n := len(l.free); n > 0 {
		// The chunk freed longest ago: the kernel's write() read the
		// recent ones on another core, and storing into memory still
		// in that core's cache costs the appender a cache-line transfer
		// per line (typed SET with everysec 71-75 ns with the newest
		// chunk, 68-72 with the oldest).
		l.cur = l.free[0]
		copy(l.free, l.free[1:])
		l.free[n-1] = nil
		l.free = l.free[:n-1]
	} else {
		l.cur = make([]byte, 0, chunkSize)
	}
}

// admitLocked checks that the log accepts records, waiting for buffer
// space if needed.
func (l *Log) admitLocked() error {
	for {
		if l.err != nil {
			return l.err
		}
		if l.closed {
			return ErrClosed
		}
		if l.buffered < l.maxBuf {
			return nil
		}
		l.kickLocked()
		l.spaceWait++
		l.cond.Wait()
		l.spaceWait--
	}
}

// addedLocked accounts for n bytes appended to the buffer.
func (l *Log) addedLocked(n int) Ticket {
	l.appended += uint64(n)
	l.buffered += n
	l.kickLocked()
	return Ticket(l.appended)
}

// kickLocked tells the writer goroutine that there is something to write,
// once per buffer (and once more when the buffer exceeds flushAt).
func (l *Log) kickLocked() {
	if !l.kicked {
		l.kicked = true
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
	if !l.fullKicked && l.buffered >= l.flushAt {
		l.fullKicked = true
		select {
		case l.full <- struct{}{}:
		default:
		}
	}
}

// Wait returns once the record with ticket t is as durable as the policy
// promises. With FsyncAlways it blocks until the record is fsynced: the
// first waiter writes and fsyncs everything buffered (including other
// goroutines' records) while later waiters wait for it, so one fsync serves
// all of them. With the other policies it returns at once. It returns an
// error wrapping ErrLogFailed if the log has failed before the record was
// made durable (ErrClosed if it was closed). A ticket beyond the last
// appended record waits for everything appended so far.
func (l *Log) Wait(t Ticket) error {
	if l.Policy() != FsyncAlways {
		if l.failed.Load() {
			l.mu.Lock()
			err := l.err
			l.mu.Unlock()
			return err
		}
		return nil
	}
	if l.group != nil {
		return l.group.wait(l, t)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if uint64(t) > l.appended {
		t = Ticket(l.appended) // not a ticket of this log: wait for everything
	}
	for {
		if uint64(t) <= l.synced {
			return nil
		}
		if l.err != nil {
			return l.err
		}
		if !l.leader {
			l.leader = true
			l.mu.Unlock()
			l.ioMu.Lock()
			_ = l.flushLocked(true) // a failure is in l.err
			l.ioMu.Unlock()
			l.mu.Lock()
			l.leader = false
			l.cond.Broadcast()
			continue
		}
		l.cond.Wait()
	}
}

// Sync writes and fsyncs everything appended so far, whatever the policy.
func (l *Log) Sync() error {
	l.ioMu.Lock()
	defer l.ioMu.Unlock()
	return l.flushLocked(true)
}

// Close writes and fsyncs everything appended (whatever the policy), stops
// the background goroutines and closes the file. It returns the log's
// failure if it had failed. A prepared Switch that was not cut is
// abandoned, its new file left empty on disk. Later calls return ErrClosed.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	l.closed = true
	l.cond.Broadcast()
	l.mu.Unlock()
	close(l.stop)
	l.wg.Wait()
	if l.group != nil {
		l.group.leave(l)
	}

	l.ioMu.Lock()
	defer l.ioMu.Unlock()
	err := l.flushLocked(true)
	l.syncMu.Lock()
	l.mu.Lock()
	var swf File
	if l.sw != nil {
		swf, l.sw.f = l.sw.f, nil
		l.sw = nil
	}
	if l.err == nil {
		l.err = ErrClosed
	}
	l.cond.Broadcast()
	l.mu.Unlock()
	cerr := l.f.Close()
	l.syncMu.Unlock()
	if swf != nil {
		_ = swf.Close()
	}
	if err == nil && cerr != nil {
		err = fmt.Errorf("aof: close %s: %w", l.path, cerr)
	}
	return err
}

// Stats returns a snapshot of the log's counters.
func (l *Log) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Stats{
		Path:     l.path,
		Policy:   l.Policy(),
		Appended: Ticket(l.appended),
		Written:  Ticket(l.written),
		Synced:   Ticket(l.synced),
		Buffered: l.buffered,
		FileSize: l.size.Load(),
		Writes:   l.writes.Load(),
		Fsyncs:   l.fsyncs.Load(),
		Err:      l.err,
	}
}

// writer is the background goroutine that writes buffered records (and
// fsyncs them under FsyncAlways).
func (l *Log) writer() {
	defer l.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	for {
		select {
		case <-l.stop:
			timer.Stop()
			return
		case <-l.kick:
			if l.writeDelay > 0 {
				if !armed {
					armed = true
					timer.Reset(l.writeDelay)
				}
				continue
			}
		case <-l.full:
		case <-timer.C:
		}
		if armed {
			armed = false
			timer.Stop()
		}
		always := l.Policy() == FsyncAlways
		if l.group != nil && always {
			// Share the group's rounds rather than fsync alone.
			l.mu.Lock()
			t := Ticket(l.appended)
			l.mu.Unlock()
			_ = l.group.wait(l, t) // a failure is in l.err
			continue
		}
		l.ioMu.Lock()
		_ = l.flushLocked(always) // a failure is in l.err
		l.ioMu.Unlock()
	}
}

// syncer is the background goroutine of FsyncEverySec: it fsyncs what has
// been written once a second, concurrently with further writes.
func (l *Log) syncer() {
	defer l.wg.Done()
	tick := time.NewTicker(syncInterval)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
		}
		l.syncMu.Lock()
		l.mu.Lock()
		if l.Policy() != FsyncEverySec { // SetPolicy chose another
			l.syncing = false
			l.mu.Unlock()
			l.syncMu.Unlock()
			return
		}
		target := l.written
		l.mu.Unlock()
		_ = l.fsyncLocked(target) // a failure is in l.err
		l.syncMu.Unlock()
	}
}

// flushLocked hands the buffer to write(), completing a cut Switch on the
// way, and fsyncs if doSync. The caller holds ioMu.
func (l *Log) flushLocked(doSync bool) error {
	l.mu.Lock()
	if l.err != nil {
		err := l.err
		l.mu.Unlock()
		return err
	}
	data := l.chunks
	if len(l.cur) > 0 {
		data = append(data, l.cur)
		l.cur = nil
	}
	l.chunks, l.spareList = l.spareList[:0], nil
	l.buffered = 0
	l.kicked, l.fullKicked = false, false
	start, end := l.written, l.appended
	var sw *Switcher
	if l.sw != nil && l.sw.cutDone {
		sw = l.sw
	}
	if l.spaceWait > 0 {
		l.cond.Broadcast()
	}
	l.mu.Unlock()

	err := l.writeOut(data, start, end, sw, doSync)

	l.mu.Lock()
	keep := l.maxFree
	if len(data) <= 1 {
		keep = keepFree // quiet: give memory back
	}
	for i, c := range data {
		if cap(c) == chunkSize && len(l.free) < keep {
			l.free = append(l.free, c[:0])
		}
		data[i] = nil
	}
	if len(l.free) > keep {
		clear(l.free[keep:])
		l.free = l.free[:keep]
	}
	l.spareList = data[:0]
	l.mu.Unlock()
	return err
}

// writeOut writes the chunks of data, the bytes of tickets (start, end],
// switching files at sw's cut if sw is not nil. The caller holds ioMu.
func (l *Log) writeOut(data [][]byte, start, end uint64, sw *Switcher, doSync bool) error {
	if sw != nil {
		k := int(sw.cut - start)
		i := 0
		for ; i < len(data) && k >= len(data[i]); i++ {
			k -= len(data[i])
		}
		var split []byte // the chunk holding the cut, after it
		if k > 0 {
			split = data[i][k:]
			data[i] = data[i][:k]
			i++
		}
		if err := l.write(data[:i]); err != nil {
			return err
		}
		l.setWritten(sw.cut)
		if err := l.completeSwitch(sw); err != nil {
			return err
		}
		if split != nil {
			if err := l.write([][]byte{split}); err != nil {
				return err
			}
		}
		data = data[i:]
	}
	if err := l.write(data); err != nil {
		return err
	}
	l.setWritten(end)
	if !doSync {
		return nil
	}
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	return l.fsyncLocked(end)
}

// setWritten records that everything up to ticket t has been written.
func (l *Log) setWritten(t uint64) {
	l.mu.Lock()
	if t > l.written {
		l.written = t
	}
	l.mu.Unlock()
}

// write writes the chunks to the current file, one write() each. A
// failure fails the log; what this call wrote is truncated off the file if
// possible, so that no torn record is left behind. The caller holds ioMu.
func (l *Log) write(chunks [][]byte) error {
	start := l.size.Load()
	for _, p := range chunks {
		if len(p) == 0 {
			continue
		}
		t0 := time.Now()
		n, err := l.f.Write(p)
		d := time.Since(t0)
		n = min(max(n, 0), len(p))
		if err == nil && n < len(p) {
			err = io.ErrShortWrite
		}
		l.writes.Add(1)
		size := l.size.Add(int64(n))
		l.emit(Event{Op: OpWrite, Path: l.path, Bytes: n, Duration: d, Err: err})
		if err == nil {
			continue
		}
		if size > start {
			if terr := l.f.Truncate(start); terr != nil {
				l.logger.Error("aof: cannot remove a partial write from the log; the next replay will truncate it",
					"path", l.path, "partial_bytes", size-start, "err", terr)
			} else {
				l.size.Store(start)
			}
		}
		return l.fail(OpWrite, err)
	}
	return nil
}

// fsyncLocked fsyncs the current file, which holds everything up to ticket
// target, unless that is already done. The caller holds syncMu.
func (l *Log) fsyncLocked(target uint64) error {
	l.mu.Lock()
	if l.err != nil {
		err := l.err
		l.mu.Unlock()
		return err
	}
	if target <= l.synced {
		l.mu.Unlock()
		return nil
	}
	path := l.path
	l.mu.Unlock()
	t0 := time.Now()
	err := l.f.Sync()
	d := time.Since(t0)
	l.fsyncs.Add(1)
	l.emit(Event{Op: OpFsync, Path: path, Duration: d, Err: err})
	if err != nil {
		return l.fail(OpFsync, err)
	}
	l.mu.Lock()
	if target > l.synced {
		l.synced = target
	}
	l.cond.Broadcast()
	l.mu.Unlock()
	return nil
}

// emit reports an event to the metrics callback.
func (l *Log) emit(ev Event) {
	if l.metrics != nil {
		l.metrics(ev)
	}
}

// fail puts the log in the failed state (once), logs the failure and wakes
// all waiters. It returns the sticky error.
func (l *Log) fail(op Op, cause error) error {
	l.mu.Lock()
	first := l.err == nil
	if first {
		l.err = fmt.Errorf("%w: %s %s: %w", ErrLogFailed, op, l.path, cause)
		l.failed.Store(true)
	}
	err := l.err
	path := l.path
	l.cond.Broadcast()
	l.mu.Unlock()
	if first {
		l.logger.Error("aof: append-only file failure; refusing further records until the log is reopened",
			"op", op.String(), "path", path, "err", cause)
	}
	return err
}

// Switcher is a prepared switch of a Log to a new file, made by
// PrepareSwitch. Cut chooses the point: records appended before it go to
// the old file, records appended after it to the new one.
type Switcher struct {
	l       *Log
	f       File
	path    string
	cut     uint64 // guarded by l.mu
	cutDone bool   // guarded by l.mu
	done    bool   // guarded by l.mu: the new file is in use
}

// errSwitchGone reports a Switcher that was aborted or whose Log closed.
var errSwitchGone = errors.New("aof: switch aborted or log closed")

// PrepareSwitch creates the empty file newPath durably (file and directory
// fsynced; an existing empty file is reused, a non-empty one is an error)
// and returns a Switcher for it. It does I/O: call it without the shard
// lock. Only one switch may be pending at a time.
//
// The engine's rewrite sequence is: PrepareSwitch; save a manifest that
// lists the new file as the last incremental file; under the shard lock,
// take the snapshot point and call Cut; write the new base file from the
// snapshot; Finish; save the final manifest; remove the old files.
func (l *Log) PrepareSwitch(newPath string) (*Switcher, error) {
	s := &Switcher{l: l, path: newPath}
	l.mu.Lock()
	var err error
	switch {
	case l.err != nil:
		err = l.err
	case l.closed:
		err = ErrClosed
	case l.sw != nil:
		err = errors.New("aof: a switch is already pending")
	default:
		l.sw = s // reserved; ignored by flushes until cut
	}
	l.mu.Unlock()
	if err != nil {
		return nil, err
	}
	f, err := l.fs.OpenFile(newPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, l.perm)
	if err == nil {
		var st fs.FileInfo
		if st, err = f.Stat(); err == nil && st.Size() != 0 {
			err = fmt.Errorf("the file exists and has %d bytes", st.Size())
		}
		if err == nil {
			err = f.Sync()
		}
		if err == nil {
			err = l.fs.SyncDir(filepath.Dir(newPath))
		}
	}
	l.mu.Lock()
	if err == nil && l.sw != s {
		err = errSwitchGone
	}
	if err != nil {
		if l.sw == s {
			l.sw = nil
		}
		l.mu.Unlock()
		if f != nil {
			_ = f.Close()
		}
		return nil, fmt.Errorf("aof: prepare switch to %s: %w", newPath, err)
	}
	s.f = f
	l.mu.Unlock()
	return s, nil
}

// Cut fixes the switch point: records appended before the call go to the
// old file, records appended after it to the new one. It makes no system
// call, so it can be called under the shard lock together with taking a
// snapshot. It returns the Ticket of the switch point (the end of the last
// record of the old file). The switch itself is completed by the next
// flush, which writes and fsyncs the old file up to the point before the
// first byte goes to the new file; Finish forces it.
func (s *Switcher) Cut() (Ticket, error) {
	l := s.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.cutDone {
		return Ticket(s.cut), nil
	}
	if l.sw != s {
		return 0, errSwitchGone
	}
	if l.err != nil {
		return 0, l.err
	}
	s.cut = l.appended
	s.cutDone = true
	l.kicked = false // make sure the writer completes the switch soon
	l.kickLocked()
	return Ticket(s.cut), nil
}

// Finish cuts (if Cut was not called) and completes the switch durably: the
// old file is written and fsynced up to the cut and closed, and everything
// appended since is written and fsynced to the new file.
func (s *Switcher) Finish() error {
	if _, err := s.Cut(); err != nil {
		return err
	}
	if err := s.l.Sync(); err != nil {
		return err
	}
	s.l.mu.Lock()
	done := s.done
	s.l.mu.Unlock()
	if !done {
		return errSwitchGone
	}
	return nil
}

// Abort abandons a switch that was not cut yet, closing and removing the
// new file.
func (s *Switcher) Abort() error {
	l := s.l
	l.mu.Lock()
	if s.cutDone {
		l.mu.Unlock()
		return errors.New("aof: cannot abort a switch after Cut")
	}
	if l.sw == s {
		l.sw = nil
	}
	f := s.f
	s.f = nil
	l.mu.Unlock()
	if f == nil {
		return nil
	}
	_ = f.Close()
	if err := l.fs.Remove(s.path); err != nil && !notExist(err) {
		return fmt.Errorf("aof: abort switch: remove %s: %w", s.path, err)
	}
	return nil
}

// Switch moves the log to the new file newPath: PrepareSwitch, Cut and
// Finish in one call. It returns the Ticket of the switch point.
func (l *Log) Switch(newPath string) (Ticket, error) {
	s, err := l.PrepareSwitch(newPath)
	if err != nil {
		return 0, err
	}
	t, err := s.Cut()
	if err != nil {
		_ = s.Abort()
		return 0, err
	}
	return t, s.Finish()
}

// completeSwitch fsyncs the old file up to the cut and makes sw's file the
// current one. The caller holds ioMu and has written the old file up to the
// cut.
func (l *Log) completeSwitch(sw *Switcher) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	if err := l.fsyncLocked(sw.cut); err != nil {
		return err
	}
	old := l.f
	l.mu.Lock()
	oldPath := l.path
	l.f, l.path = sw.f, sw.path
	l.sw = nil
	sw.done = true
	l.mu.Unlock()
	l.size.Store(0)
	if err := old.Close(); err != nil {
		l.logger.Warn("aof: closing the previous log file failed (its content was fsynced)", "path", oldPath, "err", err)
	}
	l.logger.Debug("aof: switched to a new log file", "from", oldPath, "to", sw.path, "ticket", sw.cut)
	return nil
}
