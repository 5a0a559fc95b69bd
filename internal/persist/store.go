package persist

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevydb/kevy/internal/aof"
	"github.com/kevydb/kevy/internal/clock"
	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/keyspace"
)

// Store is the persistence of one open database: the data directory, one
// append-only log per shard, snapshots and rewrites. It implements
// command.Propagator.
type Store struct {
	o      Options
	eng    *command.Engine
	ks     *keyspace.Keyspace
	fs     aof.FS
	log    *slog.Logger
	lockF  *os.File
	lay    layout
	gdir   string
	shards []shardState
	// group shares FsyncAlways rounds among the shards' logs: writers
	// spread over many shards share one round instead of one per shard.
	group aof.Group
	// rewritePct and rewriteMin are the automatic rewrite thresholds,
	// from Options and SetAutoRewrite.
	rewritePct, rewriteMin atomic.Int64

	// failed is the reply write commands get once a log failed.
	failed atomic.Pointer[command.Error]
	// failCause is the first log failure.
	failCause atomic.Pointer[error]
	closed    atomic.Bool
	closing   atomic.Bool
	// logging enables the keyspace hook (expiry and eviction DELs).
	logging atomic.Bool

	// snapMu serializes snapshots and rewrites.
	snapMu   sync.Mutex
	bgBusy   atomic.Bool
	bgErr    atomic.Pointer[error]
	lastSave atomic.Int64 // Unix ms of the last successful Save (or Open)
	rewrites atomic.Int64

	stop chan struct{}
	wg   sync.WaitGroup
	// bgMu orders BGSave's wg.Add before Close's wg.Wait.
	bgMu sync.Mutex

	// Load statistics, for the final log line and Info.
	stats LoadStats
	// readOnly loads without modifying any file (Export).
	readOnly bool
	// snapHook, set by tests only, runs at each shard's snapshot point,
	// under the shard lock.
	snapHook func(shard int, now int64)
	// snapHanded counts the keys writers handed over to snapshots (the
	// serialize-before-mutate path), for tests.
	snapHanded atomic.Int64
}

// shardState is one shard's persistence state.
type shardState struct {
	log *aof.Log      // nil without AppendOnly
	man *aof.Manifest // the manifest as saved; changed under Store.snapMu
	// curDB is the database of the last record written to the current
	// log file, -1 at the start of a file. Guarded by the shard lock.
	curDB int
	sel   [2][]byte
	num   [20]byte
	del   [2][]byte
	// unit is the open unit of records (unit.go). Guarded by the shard lock.
	unit unitState
	// otherSize is the size of the shard's files other than the current
	// incremental log (the base, earlier logs); baseSize is the total
	// size right after the last rewrite (or at open), the reference of
	// the automatic rewrite. Both change under snapMu.
	otherSize atomic.Int64
	baseSize  atomic.Int64
}

// LoadStats describes what Open loaded.
type LoadStats struct {
	Shards         int           // shard count of the directory as found
	Keys           int64         // keys in the keyspace after loading
	BaseKeys       int64         // keys read from snapshots (bases or dump.rdb)
	ExpiredSkipped int64         // keys skipped because already expired
	Records        int64         // log records replayed
	ReplyErrors    int64         // replayed records that replied an error
	TruncatedBytes int64         // torn final records cut off
	Resharded      bool          // the directory was re-sharded
	Imported       string        // the RDB file imported, if any
	Created        bool          // the directory was initialized
	Duration       time.Duration // time Open took to load
}

// Stats returns what Open loaded.
func (s *Store) Stats() LoadStats { return s.stats }

var selectCmd = []byte("SELECT")
var delCmd = []byte("DEL")

// Open opens (creating it if needed) the data directory o.Dir and loads it
// into eng, whose keyspace must be empty and must not be in use yet. The
// engine's shard count decides the layout: a directory written with
// another shard count is re-sharded. On success the engine logs its
// writes to the store (eng.Prop) when o.AppendOnly is set.
func Open(eng *command.Engine, o Options) (*Store, error) {
	start := time.Now()
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.RewritePercentage == 0 {
		o.RewritePercentage = DefaultRewritePercentage
	}
	if o.RewriteMinSize == 0 {
		o.RewriteMinSize = DefaultRewriteMinSize
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 3 * time.Second
	}
	fsys := o.FS
	if fsys == nil {
		fsys = aof.OSFS{}
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("kevy: create data directory: %w", err)
	}
	lockF, err := lockDir(o.Dir)
	if err != nil {
		return nil, err
	}
	s := &Store{o: o, eng: eng, ks: eng.KS, fs: fsys, log: o.Logger, lockF: lockF, stop: make(chan struct{})}
	s.rewritePct.Store(int64(o.RewritePercentage))
	s.rewriteMin.Store(o.RewriteMinSize)
	s.shards = make([]shardState, s.ks.NumShards())
	for i := range s.shards {
		st := &s.shards[i]
		st.curDB = -1
		st.sel[0] = selectCmd
		st.del[0] = delCmd
	}
	ok := false
	defer func() {
		if !ok {
			s.closeLogs()
			_ = unlockDir(lockF)
		}
	}()
	// Keys must not expire half-way through loading, and replayed records
	// must see deadlines in the past as still pending (Redis does the
	// same while loading): the engine's clock reads 0 until the end.
	s.ks.SetExpirySuspended(true)
	realClock := eng.Clock
	eng.Clock = clock.FromFunc(func() int64 { return 0 })
	err = s.load(realClock)
	eng.Clock = realClock
	s.ks.SetExpirySuspended(false)
	if err != nil {
		return nil, err
	}
	s.stats.Keys = 0
	for db := range s.ks.Databases() {
		s.stats.Keys += int64(s.ks.DBSize(db))
	}
	s.stats.Duration = time.Since(start)
	s.lastSave.Store(time.Now().UnixMilli())
	s.log.Info("kevy: data directory loaded", "dir", o.Dir, "shards", len(s.shards), "keys", s.stats.Keys,
		"snapshot_keys", s.stats.BaseKeys, "records_replayed", s.stats.Records, "expired_skipped", s.stats.ExpiredSkipped,
		"truncated_bytes", s.stats.TruncatedBytes, "resharded", s.stats.Resharded, "appendonly", o.AppendOnly,
		"fsync", o.Fsync.String(), "duration", s.stats.Duration.Round(time.Millisecond))
	o.event(Event{Kind: EventLoad, Shard: -1, Count: s.stats.Keys, Duration: s.stats.Duration, Path: o.Dir})
	eng.OnKeyDeleted(s.keyDeleted)
	if o.AppendOnly {
		s.logging.Store(true)
		eng.Prop = s
		// Running even when disabled, since SetAutoRewrite may enable it.
		s.wg.Add(1)
		go s.autoRewriteLoop()
	}
	ok = true
	return s, nil
}

func (s *Store) path(name string) string { return filepath.Join(s.gdir, name) }

// load reads the directory into the keyspace and opens the logs.
func (s *Store) load(realClock *clock.Clock) error {
	dir := s.o.Dir
	lay, err := readLayout(dir)
	if err != nil {
		return err
	}
	gens, err := generations(dir)
	if err != nil {
		return fmt.Errorf("kevy: read data directory: %w", err)
	}
	now := realClock.NowMs()
	gens, err = s.removeIncomplete(lay, gens)
	if err != nil {
		return err
	}
	if lay == nil {
		if len(gens) > 0 {
			return corruptf(nil, "%s holds data directories (%s%d...) but no layout file %s: restore %s from a backup, or move the directories away to start empty",
				dir, genPrefix, gens[0], layoutName, layoutName)
		}
		dump := filepath.Join(dir, dumpName)
		if s.o.importPath != "" {
			dump = s.o.importPath
		}
		if _, err := os.Stat(dump); err == nil || s.o.importPath != "" {
			if err := s.importFile(dump, now); err != nil {
				return err
			}
			return s.createGeneration(1, true, now)
		}
		s.stats.Created = true
		return s.createGeneration(1, false, now)
	}
	if s.o.importPath != "" {
		return fmt.Errorf("kevy: import: %s already holds a database", dir)
	}
	s.stats.Shards = lay.Shards
	if lay.Routing != Routing {
		return corruptf(nil, "%s: unknown key routing %q (this kevy routes keys by %q)", filepath.Join(dir, layoutName), lay.Routing, Routing)
	}
	if err := s.tidyGenerations(lay, gens); err != nil {
		return err
	}
	if lay.Shards == s.ks.NumShards() {
		s.lay = *lay
		s.gdir = filepath.Join(dir, lay.genDir())
		if err := s.loadGeneration(s.eng, lay, now, true); err != nil {
			return err
		}
		s.removeOrphans()
		return nil
	}
	return s.reshard(lay, now)
}

// removeOrphans deletes the files of the generation directory that no
// manifest lists: what a rewrite interrupted between its manifest update
// and its cleanup left behind, and temporary files.
func (s *Store) removeOrphans() {
	listed := map[string]bool{incompleteName: true}
	for i := range s.shards {
		listed[manifestName(i)] = true
		for _, f := range s.shards[i].man.Files {
			listed[f.Name] = true
		}
	}
	ents, err := os.ReadDir(s.gdir)
	if err != nil {
		return
	}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || listed[name] || !strings.HasPrefix(name, "kevy.") {
			continue
		}
		if err := s.fs.Remove(s.path(name)); err != nil {
			s.log.Warn("kevy: could not remove a file no manifest lists", "path", s.path(name), "err", err)
			continue
		}
		s.log.Info("kevy: removed a file no manifest lists (left by an interrupted rewrite)", "path", s.path(name))
	}
}

// tidyGenerations removes generation directories newer than the layout's
// (an import or re-shard that crashed before its commit) and moves older
// ones, which a completed re-shard did not get to move, to backups.
func (s *Store) tidyGenerations(lay *layout, gens []int64) error {
	dir := s.o.Dir
	found := false
	for _, g := range gens {
		name := genPrefix + strconv.FormatInt(g, 10)
		switch {
		case g == lay.Gen:
			found = true
		case g > lay.Gen:
			return corruptf(nil, "%s names generation %d but the newer %s exists: restore the layout file or move the directory away",
				filepath.Join(dir, layoutName), lay.Gen, name)
		default:
			b := backupName(dir, g, 0)
			s.log.Warn("kevy: moving a superseded data generation to a backup", "from", name, "to", b)
			if err := os.Rename(filepath.Join(dir, name), filepath.Join(dir, b)); err != nil {
				return fmt.Errorf("kevy: back up superseded generation: %w", err)
			}
		}
	}
	if !found {
		return corruptf(nil, "%s names directory %s, which is missing", filepath.Join(dir, layoutName), lay.genDir())
	}
	return nil
}

// createGeneration writes generation gen from the keyspace's current
// content (bases only when withBase) plus empty logs, and commits it by
// replacing the layout file. It then opens the logs.
func (s *Store) createGeneration(gen int64, withBase bool, now int64) error {
	dir := s.o.Dir
	lay := layout{Gen: gen, Shards: s.ks.NumShards(), Routing: Routing}
	gdir := filepath.Join(dir, lay.genDir())
	if err := os.RemoveAll(gdir); err != nil {
		return fmt.Errorf("kevy: create generation: %w", err)
	}
	if err := os.Mkdir(gdir, 0o755); err != nil {
		return fmt.Errorf("kevy: create generation: %w", err)
	}
	// The marker makes an interrupted creation recognizable: the next
	// Open removes a marked directory that the layout does not name.
	if err := s.createEmpty(filepath.Join(gdir, incompleteName)); err != nil {
		return err
	}
	if err := s.fs.SyncDir(dir); err != nil {
		return fmt.Errorf("kevy: fsync %s: %w", dir, err)
	}
	s.gdir = gdir
	s.lay = lay
	for i := range s.shards {
		st := &s.shards[i]
		m := &aof.Manifest{Shards: lay.Shards, Shard: i, Routing: Routing}
		if withBase {
			name := baseName(i, 1)
			size, _, err := s.snapshotShard(i, s.path(name), func() int64 { return now }, nil)
			if err != nil {
				return err
			}
			m.Files = append(m.Files, aof.ManifestFile{Name: name, Seq: 1, Type: aof.FileBase})
			st.otherSize.Store(size)
			st.baseSize.Store(size)
		}
		if s.o.AppendOnly {
			name := incrName(i, 1)
			if err := s.createEmpty(s.path(name)); err != nil {
				return err
			}
			m.Files = append(m.Files, aof.ManifestFile{Name: name, Seq: 1, Type: aof.FileIncr})
		}
		if err := m.Save(s.fs, s.path(manifestName(i))); err != nil {
			return err
		}
		st.man = m
	}
	if err := writeLayout(s.fs, dir, &lay); err != nil {
		return err
	}
	if err := s.fs.Remove(filepath.Join(gdir, incompleteName)); err != nil && !notExist(err) {
		return fmt.Errorf("kevy: remove %s: %w", incompleteName, err)
	}
	return s.openLogs(nil)
}

// removeIncomplete deletes the generation directories left by an
// interrupted creation (marked INCOMPLETE and not named by the layout),
// and drops the marker of the generation the layout names (a crash after
// the commit). It returns the remaining generations.
func (s *Store) removeIncomplete(lay *layout, gens []int64) ([]int64, error) {
	var keep []int64
	for _, g := range gens {
		gdir := filepath.Join(s.o.Dir, genPrefix+strconv.FormatInt(g, 10))
		marker := filepath.Join(gdir, incompleteName)
		if _, err := os.Stat(marker); err != nil {
			keep = append(keep, g)
			continue
		}
		if lay != nil && lay.Gen == g {
			if err := s.fs.Remove(marker); err != nil {
				return nil, fmt.Errorf("kevy: remove %s: %w", marker, err)
			}
			keep = append(keep, g)
			continue
		}
		s.log.Warn("kevy: removing a data directory whose creation was interrupted (it was never committed)", "dir", gdir)
		if err := os.RemoveAll(gdir); err != nil {
			return nil, fmt.Errorf("kevy: remove interrupted generation: %w", err)
		}
	}
	return keep, nil
}

// createEmpty creates an empty file durably.
func (s *Store) createEmpty(path string) error {
	f, err := s.fs.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("kevy: create %s: %w", path, err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = s.fs.SyncDir(filepath.Dir(path))
	}
	if err != nil {
		return fmt.Errorf("kevy: create %s: %w", path, err)
	}
	return nil
}

// openLogs opens every shard's last incremental log for appending.
// replayed, when not nil, holds each shard's replay result of that file.
// A shard whose manifest has no incremental log gets a new one.
func (s *Store) openLogs(replayed []*aof.ReplayResult) error {
	if !s.o.AppendOnly {
		return nil
	}
	for i := range s.shards {
		st := &s.shards[i]
		incr := st.man.Incr()
		if len(incr) == 0 {
			seq := maxSeq(st.man) + 1
			name := incrName(i, seq)
			if err := s.createEmpty(s.path(name)); err != nil {
				return err
			}
			m := cloneManifest(st.man)
			m.Files = append(m.Files, aof.ManifestFile{Name: name, Seq: seq, Type: aof.FileIncr})
			if err := m.Save(s.fs, s.path(manifestName(i))); err != nil {
				return err
			}
			st.man = m
			incr = m.Incr()
			replayed = nil
		}
		path := s.path(incr[len(incr)-1].Name)
		ao := aof.Options{Fsync: s.o.Fsync, Logger: s.log, FS: s.fs, Metrics: s.aofEvent, WriteDelay: s.o.aofWriteDelay, Group: &s.group}
		if replayed != nil && replayed[i] != nil {
			ao.Replayed = replayed[i]
		} else {
			ao.Replayed = &aof.ReplayResult{Path: path}
			if st, err := os.Stat(path); err == nil {
				ao.Replayed.Bytes = st.Size()
			}
		}
		l, err := aof.Open(path, ao)
		if err != nil {
			return fmt.Errorf("kevy: open log of shard %d: %w", i, err)
		}
		st.log = l
		st.curDB = -1
	}
	return nil
}

func maxSeq(m *aof.Manifest) int64 {
	return max(m.MaxSeq(aof.FileBase), m.MaxSeq(aof.FileIncr), m.MaxSeq(aof.FileHistory))
}

func cloneManifest(m *aof.Manifest) *aof.Manifest {
	c := *m
	c.Files = append([]aof.ManifestFile(nil), m.Files...)
	return &c
}

// aofEvent receives the logs' I/O events: a failure makes the store
// refuse writes.
func (s *Store) aofEvent(ev aof.Event) {
	if ev.Err != nil {
		s.fail(ev.Err)
	}
}

// fail records the first log failure: from now on write commands are
// refused with MISCONF.
func (s *Store) fail(err error) {
	if errors.Is(err, aof.ErrClosed) && s.closed.Load() {
		return
	}
	ce := &command.Error{Wire: "MISCONF Errors writing to the AOF file: " + sanitizeLine(err.Error()), Kind: command.ErrPersistence}
	if s.failed.CompareAndSwap(nil, ce) {
		s.failCause.Store(&err)
		s.log.Error("kevy: persistence failed: writes are refused until the database is reopened", "err", err)
		s.o.event(Event{Kind: EventLogFailed, Shard: -1, Err: err})
	}
}

func sanitizeLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\r' || c == '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}

// failedTicket is what Propagate and End return when the log failed: a
// ticket, so that the writer waits for it, and Wait reports the failure
// (wait1 checks it first). The write is then not acknowledged as durable.
const failedTicket = 1

// Propagate implements command.Propagator: it appends the record to the
// shard's log, preceded by SELECT when the database changes.
func (s *Store) Propagate(shard, db int, args [][]byte) uint64 {
	t := s.propagate(shard, db, args)
	if t == 0 && s.failed.Load() != nil {
		return failedTicket
	}
	return t
}

func (s *Store) propagate(shard, db int, args [][]byte) uint64 {
	st := &s.shards[shard]
	l := st.log
	if l == nil {
		return 0
	}
	if st.unit.open {
		return s.propagateUnit(st, db, args)
	}
	if st.curDB != db {
		st.sel[1] = strconv.AppendInt(st.num[:0], int64(db), 10)
		if _, err := l.AppendArgs(st.sel[:]); err != nil {
			s.fail(err)
			return 0
		}
		st.curDB = db
	}
	t, err := l.AppendArgs(args)
	if err != nil {
		s.fail(err)
		return 0
	}
	return uint64(t)
}

// Refuse implements command.Propagator.
func (s *Store) Refuse() error {
	if e := s.failed.Load(); e != nil {
		return e
	}
	if s.closed.Load() {
		return command.ErrClosed
	}
	return nil
}

// keyDeleted logs the keys the keyspace removes by itself (expiry,
// eviction) as DEL. It runs under the shard lock.
func (s *Store) keyDeleted(sh *keyspace.Shard, db int, key string, _ keyspace.DeleteReason) {
	if !s.logging.Load() {
		return
	}
	st := &s.shards[sh.Index()]
	st.del[1] = strBytes(key)
	s.Propagate(sh.Index(), db, st.del[:])
	st.del[1] = nil
}

// Err returns the log failure that makes writes refused, if any.
func (s *Store) Err() error {
	if p := s.failCause.Load(); p != nil {
		return &persistError{cause: *p}
	}
	return nil
}

// Wait returns once the records with the given tickets are as durable as
// the fsync policy promises: fsynced with Always (group commit: concurrent
// waiters share fsyncs), at once otherwise. The shards are waited for one
// after the other: their logs share their Always rounds (aof.Group), so
// the round that makes the first shard's records durable also syncs the
// others appended before it, and the next waits return at once. The error
// wraps command.ErrPersistence.
func (s *Store) Wait(pending []command.ShardTicket) error {
	var errs []error
	for _, p := range pending {
		if err := s.wait1(p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// WaitShard is Wait for one record's ticket in one shard, without
// allocating: the typed SET's fast path uses it.
func (s *Store) WaitShard(shard int, ticket uint64) error {
	return s.wait1(command.ShardTicket{Shard: shard, Ticket: ticket})
}

func (s *Store) wait1(p command.ShardTicket) error {
	l := s.shards[p.Shard].log
	if l == nil {
		return nil
	}
	if cause := s.failCause.Load(); cause != nil {
		return &persistError{cause: *cause}
	}
	if err := l.Wait(aof.Ticket(p.Ticket)); err != nil {
		s.fail(err)
		return &persistError{cause: err}
	}
	return nil
}

// SetAutoRewrite changes the automatic rewrite thresholds (CONFIG SET
// auto-aof-rewrite-percentage and auto-aof-rewrite-min-size): pct <= 0
// disables it, minSize is for all the shards together. The next check,
// within a second, uses them.
func (s *Store) SetAutoRewrite(pct int, minSize int64) {
	s.rewritePct.Store(int64(pct))
	s.rewriteMin.Store(minSize)
}

// SetFsync changes the fsync policy of every shard's log (CONFIG SET
// appendfsync): see aof.Log.SetPolicy.
func (s *Store) SetFsync(p aof.FsyncPolicy) {
	for i := range s.shards {
		if l := s.shards[i].log; l != nil {
			l.SetPolicy(p)
		}
	}
}

// Sync writes and fsyncs every shard's log, whatever the policy.
func (s *Store) Sync() error {
	var errs []error
	for i := range s.shards {
		if l := s.shards[i].log; l != nil {
			if err := l.Sync(); err != nil {
				s.fail(err)
				errs = append(errs, &persistError{cause: err})
			}
		}
	}
	return errors.Join(errs...)
}

// LastSave returns the time of the last successful Save (or of Open).
func (s *Store) LastSave() time.Time { return time.UnixMilli(s.lastSave.Load()) }

// LastBGSaveErr returns the error of the last background save, if it
// failed.
func (s *Store) LastBGSaveErr() error {
	if p := s.bgErr.Load(); p != nil {
		return *p
	}
	return nil
}

// BGSaveInProgress reports whether a background save runs.
func (s *Store) BGSaveInProgress() bool { return s.bgBusy.Load() }

// Close stops background work and closes the logs, writing and fsyncing
// everything appended whatever the policy. Without AppendOnly it first
// saves a snapshot (the only way data survives then). Writes racing with
// Close are refused once it has started.
func (s *Store) Close() error {
	s.bgMu.Lock()
	first := s.closing.CompareAndSwap(false, true)
	s.bgMu.Unlock()
	if !first {
		return nil
	}
	close(s.stop)
	s.wg.Wait() // the rewrite loop and a background save
	var errs []error
	if !s.o.AppendOnly {
		s.snapMu.Lock()
		if err := s.saveLocked(); err != nil {
			errs = append(errs, err)
		}
		s.snapMu.Unlock()
	}
	// Let commands holding shard locks finish, then refuse new ones.
	s.ks.LockAll()
	s.closed.Store(true)
	s.logging.Store(false)
	s.ks.UnlockAll()
	errs = append(errs, s.closeLogs())
	if err := unlockDir(s.lockF); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// closeLogs closes every open log.
func (s *Store) closeLogs() error {
	var errs []error
	for i := range s.shards {
		if l := s.shards[i].log; l != nil {
			if err := l.Close(); err != nil && !errors.Is(err, aof.ErrClosed) {
				errs = append(errs, fmt.Errorf("kevy: close log of shard %d: %w", i, err))
			}
		}
	}
	return errors.Join(errs...)
}

// parallel runs fn(i) for i in [0, n) on up to GOMAXPROCS goroutines and
// returns the first error (remaining indexes are skipped after one).
func parallel(n int, fn func(i int) error) error {
	return parallelN(n, runtime.GOMAXPROCS(0), fn)
}

// parallelN is parallel on up to workers goroutines.
func parallelN(n, workers int, fn func(i int) error) error {
	workers = max(min(n, workers), 1)
	var next atomic.Int64
	var stop atomic.Bool
	errs := make([]error, n)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					errs[i] = err
					stop.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// fileSize returns the size of path, 0 when it cannot be read.
func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

func notExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
