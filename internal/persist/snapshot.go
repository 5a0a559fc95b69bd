package persist

import (
	"bufio"
	"fmt"
	"os"
	"time"

	"github.com/kevydb/kevy/internal/aof"
	"github.com/kevydb/kevy/internal/command"
)

// snapshotShard writes shard i's keys as an RDB file at path: a temporary
// file is filled with the shard lock held (encoding to the page cache; no
// fsync under the lock), then fsynced, renamed over path and the
// directory fsynced. atCut, if set, runs under the lock just before the
// keys are read: the rewrite cuts the log there, so that the snapshot and
// the log switch happen at the same point. It returns the file size and
// the number of keys.
func (s *Store) snapshotShard(i int, path string, now int64, atCut func()) (size, keys int64, err error) {
	tmp := path + ".tmp"
	f, err := s.fs.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		if atCut != nil {
			sh := s.ks.Shard(i)
			sh.Lock()
			atCut()
			sh.Unlock()
		}
		return 0, 0, fmt.Errorf("kevy: snapshot of shard %d: %w", i, err)
	}
	cw := &countWriter{w: bufio.NewWriterSize(f, 1<<20)}
	sh := s.ks.Shard(i)
	sh.Lock()
	if atCut != nil {
		atCut()
	}
	w, err := newRDBWriter(cw, &s.eng.Limits, now, "kevy-shard", shardAux(i, s.ks.NumShards()))
	if err == nil {
		keys, err = writeShardDBs(w, sh, s.ks.Databases(), now)
	}
	sh.Unlock()
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		err = cw.w.Flush()
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
	return cw.n, keys, nil
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// rewriteShard replaces shard i's files by a new base (a snapshot of the
// shard) and a new, empty incremental log that receives the records
// written from the snapshot point on (see the package documentation for
// the crash-safe sequence). The caller holds snapMu.
func (s *Store) rewriteShard(i int) (int64, error) {
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
	now := s.eng.Clock.NowMs()
	size, _, snapErr := s.snapshotShard(i, s.path(bName), now, atCut)
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

// Save writes a snapshot of every shard, one shard at a time: each
// shard's writers wait while that shard is serialized (to the page cache;
// the fsyncs happen after its lock is released), the other shards are
// not stopped. With the append-only file on, each shard's log is cut at
// its snapshot point, so Save also compacts the logs.
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
	var total int64
	for i := range s.shards {
		n, err := s.rewriteShard(i)
		if err != nil {
			s.log.Error("kevy: save failed", "shard", i, "err", err)
			return err
		}
		total += n
	}
	s.lastSave.Store(time.Now().UnixMilli())
	d := time.Since(start)
	s.log.Info("kevy: snapshot saved", "dir", s.o.Dir, "bytes", total, "duration", d.Round(time.Millisecond))
	s.o.event(Event{Kind: EventSave, Shard: -1, Count: total, Duration: d, Path: s.gdir})
	return nil
}

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
	minSize := s.o.RewriteMinSize / int64(len(s.shards))
	pct := int64(s.o.RewritePercentage)
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
		cur := st.otherSize.Load() + st.log.Stats().FileSize
		base := max(st.baseSize.Load(), 1)
		if cur < minSize || (cur-base)*100 < pct*base {
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
