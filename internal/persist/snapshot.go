package persist

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/kevydb/kevy/internal/aof"
	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/rdb"
)

// snapBatch is how many buckets and keys a snapshot step visits with the
// shard lock held (about half as many keys): writers of a shard being
// saved wait for one step at most.
var snapBatch = 1024

// snapshotShard writes shard i's keys as an RDB file at path, without
// stopping the shard's writers: the snapshot point is taken under the
// shard lock, then the keys are encoded a batch per lock hold
// (keyspace.Snapshot), writers handing over the keys they are about to
// change before the walk reaches them, and the encoded bytes are written
// to a temporary file without the lock. The file is then fsynced,
// renamed over path and the directory fsynced. clock gives the snapshot
// point's time (keys already expired then are left out). atCut, if set,
// runs under the lock at the snapshot point: the rewrite cuts the log
// there, so that the snapshot and the log switch happen at the same
// point. It returns the file size and the number of keys.
func (s *Store) snapshotShard(i int, path string, clock func() int64, atCut func()) (size, keys int64, err error) {
	tmp := path + ".tmp"
	sh := s.ks.Shard(i)
	f, err := s.fs.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		if atCut != nil {
			sh.Lock()
			atCut()
			sh.Unlock()
		}
		return 0, 0, fmt.Errorf("kevy: snapshot of shard %d: %w", i, err)
	}
	ss := &shardSnap{curDB: -1, out: make([]byte, 0, snapChunk)}
	spare := make([]byte, 0, snapChunk)
	var werr error
	sh.Lock()
	if atCut != nil {
		atCut()
	}
	now := clock()
	ss.w, ss.err = newRDBWriter(ss, &s.eng.Limits, now, "kevy-shard", shardAux(i, s.ks.NumShards()))
	sn := sh.BeginSnapshot(now, ss)
	if h := s.snapHook; h != nil {
		h(i, now)
	}
	discarded := false
	for {
		if (werr != nil || ss.err != nil) && !discarded {
			sn.Discard() // finish the walk only to restore the marks
			discarded = true
		}
		done := sn.Step(snapBatch)
		chunk := ss.out
		ss.out = spare[:0]
		sh.Unlock()
		if len(chunk) > 0 && werr == nil && !discarded {
			werr = writeAll(f, chunk)
			size += int64(len(chunk))
		}
		spare = chunk
		if done {
			break
		}
		// Let the goroutines this step made wait run first: with every
		// processor busy saving, a writer woken by the unlock would
		// otherwise wait for the scheduler's time slice.
		runtime.Gosched()
		sh.Lock()
	}
	// The walk is over: nothing feeds ss any more.
	s.snapHanded.Add(int64(sn.HandedOver()))
	err = errors.Join(ss.err, werr)
	if err == nil {
		err = ss.w.Close()
	}
	if err == nil {
		err = writeAll(f, ss.out)
		size += int64(len(ss.out))
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = s.fs.Rename(tmp, path)
	}
	if err == nil {
		err = s.fs.SyncDir(s.gdir)
	}
	if err != nil {
		_ = s.fs.Remove(tmp)
		return 0, 0, fmt.Errorf("kevy: snapshot of shard %d to %s: %w", i, path, err)
	}
	return size, ss.keys, nil
}

// snapChunk is the initial size of a snapshot's output buffers: the RDB
// encoder hands its output over in chunks of about 256 KB.
const snapChunk = 320 << 10

func writeAll(w io.Writer, p []byte) error {
	if len(p) == 0 {
		return nil
	}
	_, err := w.Write(p)
	return err
}

// shardSnap is the keyspace.SnapshotSink of one shard's snapshot: the RDB
// encoder, fed under the shard lock by the walk and by writers about to
// change keys the walk has not reached, and the bytes it encoded, which
// the walk writes to the file without the lock.
type shardSnap struct {
	w     *rdb.Writer
	out   []byte // encoded, not yet written to the file (w's destination)
	curDB int    // the database of the last SELECTDB
	keys  int64
	err   error // first encoding error
}

// Write receives the encoder's output.
func (ss *shardSnap) Write(p []byte) (int, error) {
	ss.out = append(ss.out, p...)
	return len(p), nil
}

// BeginDB implements keyspace.SnapshotSink.
func (ss *shardSnap) BeginDB(db, keys, expires int) {
	if ss.err != nil {
		return
	}
	ss.curDB = db
	if ss.err = ss.w.SelectDB(db); ss.err == nil {
		ss.err = ss.w.ResizeDB(uint64(keys), uint64(expires))
	}
}

// Entry implements keyspace.SnapshotSink. A key of another database than
// the previous one (handed over by a writer) is preceded by SELECTDB,
// which RDB loaders accept anywhere between keys.
func (ss *shardSnap) Entry(db int, e *keyspace.Entry) {
	if ss.err != nil {
		return
	}
	if db != ss.curDB {
		if ss.err = ss.w.SelectDB(db); ss.err != nil {
			return
		}
		ss.curDB = db
	}
	ss.err = writeEntry(ss.w, e)
	ss.keys++
}

// rewriteShard replaces shard i's files by a new base (a snapshot of the
// shard) and a new, empty incremental log that receives the records
// written from the snapshot point on (see the package documentation for
// the crash-safe sequence). The caller holds snapMu.
func (s *Store) rewriteShard(i int) (int64, error) {
	// While a base file is written, FsyncAlways rounds fsync each log: a
	// syncfs would make every round wait for the base's pages too.
	s.group.PauseSyncFS()
	defer s.group.ResumeSyncFS()
	st := &s.shards[i]
	seq := maxSeq(st.man) + 1
	bName, iName := baseName(i, seq), incrName(i, seq)
	mpath := s.path(manifestName(i))
	var sw *aof.Switcher
	if st.log != nil {
		var err error
		sw, err = st.log.PrepareSwitch(s.path(iName))
		if err != nil {
			return 0, fmt.Errorf("kevy: rewrite of shard %d: %w", i, err)
		}
		m1 := cloneManifest(st.man)
		m1.Files = append(m1.Files, aof.ManifestFile{Name: iName, Seq: seq, Type: aof.FileIncr})
		if err := m1.Save(s.fs, mpath); err != nil {
			// The new manifest may be in place if only the directory fsync
			// failed: put the current one back before dropping the file.
			if rerr := st.man.Save(s.fs, mpath); rerr != nil {
				s.fail(fmt.Errorf("kevy: restore manifest %s: %w", mpath, rerr))
			} else {
				_ = sw.Abort()
			}
			return 0, fmt.Errorf("kevy: rewrite of shard %d: %w", i, err)
		}
		// From here on the manifest lists the new log: the switch must
		// happen (an empty log replays as nothing if we stop before).
		st.man = m1
	}
	var cutErr error
	atCut := func() {
		if sw != nil {
			_, cutErr = sw.Cut()
			st.curDB = -1
		}
	}
	size, _, snapErr := s.snapshotShard(i, s.path(bName), s.eng.Clock.NowMs, atCut)
	var finErr error
	if sw != nil {
		if cutErr == nil {
			finErr = sw.Finish()
		} else {
			finErr = cutErr
		}
		if finErr != nil {
			s.fail(finErr)
		}
	}
	if snapErr != nil {
		// The manifest still lists the old base and logs, then the new
		// log: consistent, just not compacted.
		return 0, snapErr
	}
	m2 := &aof.Manifest{Shards: s.ks.NumShards(), Shard: i, Routing: Routing,
		Files: []aof.ManifestFile{{Name: bName, Seq: seq, Type: aof.FileBase}}}
	if sw != nil {
		m2.Files = append(m2.Files, aof.ManifestFile{Name: iName, Seq: seq, Type: aof.FileIncr})
	}
	if err := m2.Save(s.fs, mpath); err != nil {
		// The previous manifest (or, if only the directory fsync failed,
		// the new one) is in place and consistent; the next Open removes
		// whichever files it does not list.
		return 0, fmt.Errorf("kevy: rewrite of shard %d: %w", i, err)
	}
	old := st.man
	st.man = m2
	for _, f := range old.Files {
		if f.Name == iName || f.Name == bName {
			continue
		}
		if err := s.fs.Remove(s.path(f.Name)); err != nil && !notExist(err) {
			s.log.Warn("kevy: could not remove a file replaced by a rewrite", "path", s.path(f.Name), "err", err)
		}
	}
	st.otherSize.Store(size)
	st.baseSize.Store(size)
	s.rewrites.Add(1)
	if finErr != nil {
		return size, fmt.Errorf("kevy: rewrite of shard %d: %w", i, finErr)
	}
	return size, nil
}

// Save writes a snapshot of every shard, a few shards at a time, without
// stopping writers: each shard's image is the one of its snapshot point
// (see snapshotShard). With the append-only file on, each shard's log is
// cut at its snapshot point, so Save also compacts the logs.
func (s *Store) Save() error {
	if s.closing.Load() {
		return command.ErrClosed
	}
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	return s.saveLocked()
}

func (s *Store) saveLocked() error {
	start := time.Now()
	var total atomic.Int64
	err := parallelN(len(s.shards), saveWorkers(), func(i int) error {
		n, err := s.rewriteShard(i)
		if err != nil {
			s.log.Error("kevy: save failed", "shard", i, "err", err)
			return err
		}
		total.Add(n)
		return nil
	})
	if err != nil {
		return err
	}
	s.lastSave.Store(time.Now().UnixMilli())
	d := time.Since(start)
	s.log.Info("kevy: snapshot saved", "dir", s.o.Dir, "bytes", total.Load(), "duration", d.Round(time.Millisecond))
	s.o.event(Event{Kind: EventSave, Shard: -1, Count: total.Load(), Duration: d, Path: s.gdir})
	return nil
}

// saveWorkers is how many shards a save writes at the same time: the
// shards are independent, and encoding is CPU-bound (up to 4, leaving
// room for the writers).
func saveWorkers() int { return min(runtime.GOMAXPROCS(0), 4) }

// BGSave starts Save in the background and returns at once. It returns
// ErrBusy when a background save runs already. LastBGSaveErr reports how
// the last one ended.
func (s *Store) BGSave() error {
	s.bgMu.Lock()
	defer s.bgMu.Unlock()
	if s.closing.Load() {
		return command.ErrClosed
	}
	if !s.bgBusy.CompareAndSwap(false, true) {
		return ErrBusy
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.bgBusy.Store(false)
		err := s.Save()
		if err != nil {
			s.bgErr.Store(&err)
		} else {
			s.bgErr.Store(nil)
		}
	}()
	return nil
}

// Rewrite compacts every shard's log now (Redis's BGREWRITEAOF, run in
// the caller's goroutine). Without the append-only file it is Save.
func (s *Store) Rewrite() error { return s.Save() }

// autoRewriteLoop checks once a second whether a shard's files grew past
// the rewrite thresholds (Redis's auto-aof-rewrite-percentage and
// auto-aof-rewrite-min-size, the latter split evenly among shards).
func (s *Store) autoRewriteLoop() {
	defer s.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.autoRewrite()
		}
	}
}

// autoRewrite rewrites the shards that need it (one pass).
func (s *Store) autoRewrite() {
	minSize := s.rewriteMin.Load() / int64(len(s.shards))
	pct := s.rewritePct.Load()
	if pct <= 0 {
		return // disabled
	}
	for i := range s.shards {
		select {
		case <-s.stop:
			return
		default:
		}
		st := &s.shards[i]
		if st.log == nil || s.failed.Load() != nil {
			return
		}
		// The log's size counts what is still buffered for the background
		// writer too: the growth is what was appended, written yet or not.
		ls := st.log.Stats()
		cur := st.otherSize.Load() + ls.FileSize + int64(ls.Buffered)
		base := max(st.baseSize.Load(), 1)
		if cur < minSize || (cur-base)*100/base < pct { // as Redis: no overflow for a huge pct
			continue
		}
		if !s.snapMu.TryLock() {
			return // a save runs; it compacts anyway
		}
		start := time.Now()
		size, err := s.rewriteShard(i)
		s.snapMu.Unlock()
		if err != nil {
			s.log.Error("kevy: automatic rewrite failed", "shard", i, "err", err)
			continue
		}
		s.log.Info("kevy: log rewritten", "shard", i, "from_bytes", cur, "base_bytes", size,
			"duration", time.Since(start).Round(time.Millisecond))
		s.o.event(Event{Kind: EventRewrite, Shard: i, Count: size, Duration: time.Since(start)})
	}
}

// Rewrites returns the number of shard rewrites done since Open (saves
// included).
func (s *Store) Rewrites() int64 { return s.rewrites.Load() }
