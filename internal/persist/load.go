package persist

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/kevydb/kevy/internal/aof"
	"github.com/kevydb/kevy/internal/clock"
	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/keyspace"
)

// progress counts what loading has done so far, for the periodic log line.
type progress struct {
	keys, records, bytes atomic.Int64
}

// startProgress logs a line every ProgressEvery until the returned
// function is called.
func (s *Store) startProgress(what string, p *progress) func() {
	done := make(chan struct{})
	start := time.Now()
	go func() {
		t := time.NewTicker(s.o.ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				s.log.Info("kevy: "+what+" in progress", "dir", s.o.Dir, "keys", p.keys.Load(),
					"records", p.records.Load(), "log_bytes", p.bytes.Load(), "elapsed", time.Since(start).Round(time.Second))
			}
		}
	}()
	return func() { close(done) }
}

// loadGeneration loads every shard of generation lay into eng (whose
// keyspace has lay.Shards shards) and, when openLogs, opens the logs for
// appending.
func (s *Store) loadGeneration(eng *command.Engine, lay *layout, now int64, openLogs bool) error {
	gdir := filepath.Join(s.o.Dir, lay.genDir())
	var p progress
	stop := s.startProgress("loading", &p)
	defer stop()
	n := lay.Shards
	mans := make([]*aof.Manifest, n)
	results := make([]*aof.ReplayResult, n)
	var baseKeys, expired, records, replyErrs, truncated atomic.Int64
	err := parallel(n, func(i int) error {
		r, err := s.loadShard(eng, gdir, lay, i, now, &p)
		if err != nil {
			return err
		}
		mans[i], results[i] = r.man, r.last
		baseKeys.Add(r.baseKeys)
		expired.Add(r.expired)
		records.Add(r.records)
		replyErrs.Add(r.replyErrs)
		truncated.Add(r.truncated)
		return nil
	})
	if err != nil {
		return err
	}
	s.stats.BaseKeys += baseKeys.Load()
	s.stats.ExpiredSkipped += expired.Load()
	s.stats.Records += records.Load()
	s.stats.ReplyErrors += replyErrs.Load()
	s.stats.TruncatedBytes += truncated.Load()
	if !openLogs {
		return nil
	}
	for i := range s.shards {
		st := &s.shards[i]
		st.man = mans[i]
		var other int64
		for _, f := range mans[i].Files {
			other += fileSize(s.path(f.Name))
		}
		st.baseSize.Store(other)
		if incr := mans[i].Incr(); len(incr) > 0 {
			other -= fileSize(s.path(incr[len(incr)-1].Name))
		}
		st.otherSize.Store(other)
	}
	return s.openLogs(results)
}

// shardLoad is the outcome of loading one shard.
type shardLoad struct {
	man                                              *aof.Manifest
	last                                             *aof.ReplayResult
	baseKeys, expired, records, replyErrs, truncated int64
}

// loadShard loads shard i's base and replays its logs.
func (s *Store) loadShard(eng *command.Engine, gdir string, lay *layout, i int, now int64, p *progress) (*shardLoad, error) {
	mpath := filepath.Join(gdir, manifestName(i))
	man, err := aof.LoadManifestFS(s.fs, mpath)
	if err != nil {
		if notExist(err) {
			return nil, corruptf(nil, "the manifest of shard %d of %d, %s, is missing", i, lay.Shards, mpath)
		}
		return nil, corruptf(err, "shard %d", i)
	}
	if man.Shards != lay.Shards || man.Shard != i {
		return nil, corruptf(nil, "%s describes shard %d of %d, expected shard %d of %d", mpath, man.Shard, man.Shards, i, lay.Shards)
	}
	if man.Routing != "" && man.Routing != Routing {
		return nil, corruptf(nil, "%s: unknown key routing %q", mpath, man.Routing)
	}
	r := &shardLoad{man: man}
	if b, ok := man.Base(); ok {
		path := filepath.Join(gdir, b.Name)
		f, err := os.Open(path)
		if err != nil {
			if notExist(err) {
				return nil, corruptf(nil, "%s lists the snapshot %s, which is missing", mpath, path)
			}
			return nil, fmt.Errorf("kevy: open snapshot: %w", err)
		}
		l, err := loadRDB(f, path, eng.KS, &eng.Limits, i, now, &p.keys)
		_ = f.Close()
		if err != nil {
			return nil, err
		}
		if l.auxShard != "" && l.auxShard != shardAux(i, lay.Shards) {
			return nil, corruptf(nil, "snapshot %s belongs to shard %s, not %s", path, l.auxShard, shardAux(i, lay.Shards))
		}
		r.baseKeys, r.expired = l.keys, l.expired
	}
	incr := man.Incr()
	rp := newReplayer(eng, i, lay.Shards, s.log)
	// The end of the log is the last non-empty file: a rewrite creates
	// the next log before the previous one is complete, and records only
	// reach the new file once the previous one was written and fsynced up
	// to the cut. So a torn record is normal at the end of that file, and
	// corruption anywhere else.
	tail := len(incr) - 1
	for tail > 0 && fileSize(filepath.Join(gdir, incr[tail].Name)) == 0 {
		tail--
	}
	for k, f := range incr {
		last := k >= tail
		path := filepath.Join(gdir, f.Name)
		rp.sess.DB = 0 // each file starts in database 0, as in Redis
		var lastRecords int64
		res, err := aof.Replay(path, rp.apply, aof.ReplayOptions{
			FS: s.fs, Logger: s.log, Repair: s.o.Repair && !s.readOnly, DryRun: s.readOnly || (!last && !s.o.Repair),
			ProgressRecords: 4096,
			Progress: func(pr aof.ReplayProgress) {
				p.records.Add(pr.Records - lastRecords)
				lastRecords = pr.Records
			},
		})
		if err != nil {
			switch {
			case notExist(err):
				return nil, corruptf(nil, "%s lists the log %s, which is missing", mpath, path)
			case errors.Is(err, aof.ErrCorrupt):
				return nil, corruptf(err, "shard %d (set Repair to truncate the log at the damage, losing what follows)", i)
			}
			return nil, fmt.Errorf("kevy: replay %s: %w", path, err)
		}
		p.bytes.Add(res.Bytes)
		if res.TruncatedBytes > 0 {
			if !last && (!s.o.Repair || s.readOnly) {
				return nil, corruptf(nil, "log %s ends with %d bytes of an incomplete record, but it is not the last log of shard %d (set Repair to cut them off)",
					path, res.TruncatedBytes, i)
			}
			r.truncated += res.TruncatedBytes
			s.o.event(Event{Kind: EventTruncated, Shard: i, Count: res.TruncatedBytes, Path: path})
		}
		if rp.err != nil {
			return nil, rp.err
		}
		if k == len(incr)-1 {
			r.last = &res
		}
	}
	r.records, r.replyErrs = rp.records, rp.replyErrs
	if len(incr) > 0 {
		s.o.event(Event{Kind: EventReplay, Shard: i, Count: rp.records})
	}
	return r, nil
}

// replayer applies log records to an engine, for one shard.
type replayer struct {
	log       *slog.Logger
	eng       *command.Engine
	sh        *keyspace.Shard
	shard     int
	shards    int
	sess      *command.Session
	reply     replayReply
	keys      []int
	records   int64
	replyErrs int64
	err       error
}

func newReplayer(eng *command.Engine, shard, shards int, log *slog.Logger) *replayer {
	sess := command.NewSession(0)
	sess.NoBlock = true
	return &replayer{log: log, eng: eng, sh: eng.KS.Shard(shard), shard: shard, shards: shards, sess: sess}
}

// apply runs one record. FLUSHDB, FLUSHALL and SWAPDB are applied to this
// shard only: each shard's log holds its own copy of them. An unknown
// command, a record about another shard's keys, or a failed SELECT is
// corruption; other error replies are counted and logged. The records of
// a MULTI ... EXEC block arrive (without the markers) only once aof.Replay
// has read its EXEC, so a block is applied all or nothing; an incomplete
// block at the end of the last log is truncated like a torn record.
func (r *replayer) apply(args [][]byte) error {
	r.records++
	name := args[0]
	switch {
	case command.EqualFold(name, "flushdb"), command.EqualFold(name, "flushall"):
		r.sh.Lock()
		if command.EqualFold(name, "flushdb") {
			r.sh.Flush(r.sess.DB)
		} else {
			for db := range r.eng.KS.Databases() {
				r.sh.Flush(db)
			}
		}
		r.sh.Unlock()
		return nil
	case command.EqualFold(name, "swapdb"):
		if len(args) != 3 {
			return fmt.Errorf("%w: bad SWAPDB record", ErrCorrupt)
		}
		a, err1 := strconv.Atoi(string(args[1]))
		b, err2 := strconv.Atoi(string(args[2]))
		n := r.eng.KS.Databases()
		if err1 != nil || err2 != nil || a < 0 || b < 0 || a >= n || b >= n {
			return fmt.Errorf("kevy: SWAPDB %s %s: database out of range (Options.Databases is %d)", args[1], args[2], n)
		}
		r.sh.Lock()
		r.sh.Swap(a, b)
		r.sh.Unlock()
		return nil
	}
	cmd := command.Lookup(name)
	if cmd == nil {
		return fmt.Errorf("%w: unknown command %q in the log", ErrCorrupt, truncKey(string(name)))
	}
	var ok bool
	r.keys, ok = cmd.KeyIndexes(args, r.keys[:0])
	if ok {
		for _, k := range r.keys {
			if idx := r.eng.KS.ShardIndex(command.Key(args[k])); idx != r.shard {
				return fmt.Errorf("%w: a %s record about key %q (shard %d) is in the log of shard %d", ErrCorrupt,
					cmd.Name, truncKey(string(args[k])), idx, r.shard)
			}
		}
	}
	r.reply.err = ""
	r.eng.Exec(r.sess, args, &r.reply)
	if r.reply.err != "" {
		if cmd.Name == "select" {
			return fmt.Errorf("kevy: replaying SELECT %s: %s (is Options.Databases smaller than when the data was written?)", args[1], r.reply.err)
		}
		r.replyErrs++
		if r.replyErrs <= 5 {
			r.log.Warn("kevy: a replayed record replied an error (the log does not match the data it was written against)",
				"shard", r.shard, "command", cmd.Name, "reply", r.reply.err, "record", r.records)
		}
	}
	return nil
}

// replayReply is a command.Reply that keeps only an error.
type replayReply struct{ err string }

func (r *replayReply) SimpleString(string)     {}
func (r *replayReply) Error(msg string)        { r.err = msg }
func (r *replayReply) Int(int64)               {}
func (r *replayReply) Bulk([]byte)             {}
func (r *replayReply) BulkString(string)       {}
func (r *replayReply) Null()                   {}
func (r *replayReply) NullArray()              {}
func (r *replayReply) ArrayLen(int)            {}
func (r *replayReply) MapLen(int)              {}
func (r *replayReply) SetLen(int)              {}
func (r *replayReply) Double(float64)          {}
func (r *replayReply) Bool(bool)               {}
func (r *replayReply) Verbatim(string, []byte) {}
func (r *replayReply) Proto() int              { return 2 }

// importFile loads an RDB file written by Redis (or kevy export) into the
// store's keyspace.
func (s *Store) importFile(path string, now int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("kevy: import: %w", err)
	}
	defer f.Close()
	var p progress
	stop := s.startProgress("importing "+path, &p)
	defer stop()
	start := time.Now()
	l, err := loadRDB(f, path, s.ks, &s.eng.Limits, -1, now, &p.keys)
	if err != nil {
		return err
	}
	s.stats.Imported = path
	s.stats.BaseKeys += l.keys
	s.stats.ExpiredSkipped += l.expired
	s.log.Info("kevy: imported RDB file", "file", path, "keys", l.keys, "expired_skipped", l.expired,
		"duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// reshard loads generation lay (written with another shard count) into a
// temporary keyspace, moves every key into the store's keyspace, and
// writes and commits a new generation with the new shard count. The old
// generation directory is kept as a backup.
func (s *Store) reshard(lay *layout, now int64) error {
	start := time.Now()
	s.log.Info("kevy: re-sharding the data directory", "dir", s.o.Dir, "from_shards", lay.Shards, "to_shards", s.ks.NumShards())
	tmpKS := keyspace.New(keyspace.Config{Shards: lay.Shards, Databases: s.ks.Databases(), Clock: clock.FromFunc(func() int64 { return now })})
	tmpKS.SetExpirySuspended(true)
	tmpEng := command.NewEngine(tmpKS, clock.FromFunc(func() int64 { return 0 }))
	tmpEng.Limits = s.eng.Limits
	if err := s.loadGeneration(tmpEng, lay, now, false); err != nil {
		return err
	}
	moved := moveKeys(tmpKS, s.ks)
	if err := s.createGeneration(lay.Gen+1, true, now); err != nil {
		return fmt.Errorf("kevy: re-shard (the old layout is untouched): %w", err)
	}
	old := lay.genDir()
	b := backupName(s.o.Dir, lay.Gen, lay.Shards)
	if err := os.Rename(filepath.Join(s.o.Dir, old), filepath.Join(s.o.Dir, b)); err != nil {
		s.log.Warn("kevy: re-shard committed, but moving the old files to a backup failed", "err", err)
	} else if err := s.fs.SyncDir(s.o.Dir); err != nil {
		s.log.Warn("kevy: fsync of the data directory failed after the re-shard", "err", err)
	}
	s.stats.Resharded = true
	s.log.Info("kevy: re-shard complete; the previous files are kept as a backup (delete it when no longer needed)",
		"keys", moved, "from_shards", lay.Shards, "to_shards", s.ks.NumShards(), "backup", filepath.Join(s.o.Dir, b),
		"duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// moveKeys moves every entry of src (which is discarded afterwards) into
// dst, routing each key by dst's shard count. It returns the number of
// keys moved.
func moveKeys(src, dst *keyspace.Keyspace) int64 {
	var moved int64
	var buf []*keyspace.Entry
	for i := range src.NumShards() {
		sh := src.Shard(i)
		for db := range src.Databases() {
			buf = buf[:0]
			sh.Lock()
			sh.Each(db, 0, func(e *keyspace.Entry) bool {
				buf = append(buf, e)
				return true
			})
			sh.Unlock()
			for _, e := range buf {
				d := dst.ShardFor(e.Key())
				d.Lock()
				d.Insert(db, e)
				d.Unlock()
				moved++
			}
			clear(buf)
		}
	}
	return moved
}
