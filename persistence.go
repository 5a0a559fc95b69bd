package kevy

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kevydb/kevy/internal/aof"
	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/persist"
)

// Persistence: see docs/persistence.md for the guarantees and the file
// layout, and internal/persist for the implementation.

// FsyncPolicy says when the append-only file is fsynced (Redis's
// appendfsync). The zero value is FsyncEverySec.
type FsyncPolicy uint8

// The fsync policies.
const (
	// FsyncEverySec fsyncs in the background about once a second: a crash
	// of the machine loses at most about one second of acknowledged
	// writes, a crash of the process the last few milliseconds of them
	// (appended records are handed to the operating system within a
	// millisecond, sooner when many are waiting).
	FsyncEverySec FsyncPolicy = iota
	// FsyncAlways acknowledges a write only once it is fsynced. Writers
	// running at the same time share fsyncs (group commit).
	FsyncAlways
	// FsyncNo leaves fsync to the operating system (and to Sync and
	// Close).
	FsyncNo
)

// String returns the policy's Redis name: "everysec", "always" or "no".
func (p FsyncPolicy) String() string { return p.aof().String() }

func (p FsyncPolicy) aof() aof.FsyncPolicy {
	switch p {
	case FsyncAlways:
		return aof.FsyncAlways
	case FsyncNo:
		return aof.FsyncNo
	}
	return aof.FsyncEverySec
}

// ParseFsyncPolicy parses a Redis appendfsync value ("always",
// "everysec", "no"), ignoring case.
func ParseFsyncPolicy(s string) (FsyncPolicy, error) {
	switch strings.ToLower(s) {
	case "everysec":
		return FsyncEverySec, nil
	case "always":
		return FsyncAlways, nil
	case "no":
		return FsyncNo, nil
	}
	return 0, fmt.Errorf("%w: invalid fsync policy %q (want always, everysec or no)", ErrInvalidArgument, s)
}

// Persistence errors.
var (
	// ErrCorrupt: a data file is damaged. Open fails with an error
	// wrapping it that names the file and the offset; Options.RepairAOF
	// truncates a damaged log instead (losing what follows the damage).
	ErrCorrupt = persist.ErrCorrupt
	// ErrPersistence: a write or fsync of the append-only file (or a
	// snapshot) failed. The database refuses writes from then on (over
	// RESP: Redis's "MISCONF" error) until it is reopened. A write that
	// returned ErrPersistence may or may not survive a restart.
	ErrPersistence = command.ErrPersistence
	// ErrLocked: the data directory is used by another process or another
	// open DB.
	ErrLocked = persist.ErrLocked
	// ErrBusy: BGSave was called while a background save runs.
	ErrBusy = persist.ErrBusy
)

// Metric kinds of persistence (16 and up, so that other families can
// grow below them).
const (
	// MetricLoad: Open loaded a data directory (Count keys, Duration).
	MetricLoad MetricKind = 16 + iota
	// MetricReplay: a shard's append-only logs were replayed at Open
	// (Count records).
	MetricReplay
	// MetricAOFTruncated: a torn final record (normal after a crash) was
	// cut off a log at Open (Count bytes).
	MetricAOFTruncated
	// MetricSave: a snapshot of the whole database completed (Bytes
	// written, Duration).
	MetricSave
	// MetricRewrite: one shard's log was compacted (Bytes of its new
	// base, Duration).
	MetricRewrite
	// MetricPersistenceFailed: a write or fsync failed; writes are
	// refused until the database is reopened.
	MetricPersistenceFailed
)

// validatePersistence checks the persistence options.
func validatePersistence(dir string, o *Options) error {
	if o.AppendFsync > FsyncNo {
		return fmt.Errorf("%w: unknown AppendFsync %d", ErrInvalidArgument, o.AppendFsync)
	}
	if o.AutoRewriteMinSize < 0 {
		return fmt.Errorf("%w: AutoRewriteMinSize must not be negative", ErrInvalidArgument)
	}
	_ = dir
	return nil
}

// persistOptions maps Options to the persistence layer's.
func (c *core) persistOptions(dir string) persist.Options {
	o := &c.opts
	po := persist.Options{
		Dir:               dir,
		AppendOnly:        !o.DisableAppendOnly,
		Fsync:             o.AppendFsync.aof(),
		RewritePercentage: o.AutoRewritePercentage,
		RewriteMinSize:    o.AutoRewriteMinSize,
		Repair:            o.RepairAOF,
		Logger:            c.log,
	}
	if sink := o.MetricSink; sink != nil {
		po.Event = func(ev persist.Event) {
			m := Metric{Count: ev.Count, Duration: ev.Duration}
			switch ev.Kind {
			case persist.EventLoad:
				m.Kind = MetricLoad
			case persist.EventReplay:
				m.Kind = MetricReplay
			case persist.EventTruncated:
				m.Kind, m.Bytes = MetricAOFTruncated, ev.Count
			case persist.EventSave:
				m.Kind, m.Bytes = MetricSave, ev.Count
			case persist.EventRewrite:
				m.Kind, m.Bytes = MetricRewrite, ev.Count
			case persist.EventLogFailed:
				m.Kind = MetricPersistenceFailed
			default:
				return
			}
			sink(m)
		}
	}
	return po
}

// openPersistence loads dir into the (empty) keyspace and starts logging.
// MaxMemory is lifted while loading, as Redis loads everything and only
// then evicts: replayed writes must not be refused with OOM.
func (c *core) openPersistence(dir string) error {
	o := &c.opts
	if o.MaxMemory > 0 {
		cfg := keyspace.EvictionConfig{
			Policy:       keyspace.Policy(o.EvictionPolicy),
			Samples:      o.MaxMemorySamples,
			LFULogFactor: lfuOption(o.LFULogFactor, keyspace.DefaultLFULogFactor),
			LFUDecayTime: lfuOption(o.LFUDecayTime, keyspace.DefaultLFUDecayTime),
		}
		c.ks.SetEviction(cfg)
		cfg.MaxMemory = o.MaxMemory
		defer c.ks.SetEviction(cfg)
	}
	st, err := persist.Open(c.eng, c.persistOptions(dir))
	if err != nil {
		return err
	}
	c.persist = st
	c.eng.Persist = st
	aofOn := !o.DisableAppendOnly
	c.eng.SetPersistenceInfo(func(p *command.InfoPersistence) {
		p.AOFEnabled = aofOn
		p.RDBLastSaveTime = st.LastSave().Unix()
		p.RDBLastBgsaveStatus = "ok"
		if st.LastBGSaveErr() != nil {
			p.RDBLastBgsaveStatus = "err"
		}
		p.AOFRewrites = st.Rewrites()
		p.AOFLastWriteStatus = "ok"
		if st.Err() != nil {
			p.AOFLastWriteStatus = "err"
		}
	})
	return nil
}

// closePersistence flushes and closes the logs (saving a snapshot first
// when the append-only file is off).
func (c *core) closePersistence() error {
	if c.persist == nil {
		return nil
	}
	return c.persist.Close()
}

// waitDurable waits until the records appended by the session's last
// commands are durable (fsynced under FsyncAlways) and forgets them.
func (c *core) waitDurable(s *command.Session) error {
	p := s.Pending()
	if len(p) == 0 {
		return nil
	}
	var err error
	if c.persist != nil {
		err = c.persist.Wait(p)
	}
	s.ClearPending()
	return err
}

// Persistent reports whether the database is stored in a directory.
func (db *DB) Persistent() bool { return db.c.persist != nil }

// Save writes a snapshot of the whole database (Redis SAVE): every
// shard's base file is replaced by an RDB snapshot of it (a few shards in
// parallel), and its append-only log restarts empty at the snapshot point
// (so Save also compacts the logs). Writers keep running: each shard's
// snapshot is a point-in-time image taken without holding the shard lock
// for the whole walk, and a writer saves a key into the snapshot before
// changing it (docs/persistence.md). Without a data directory
// it returns an error wrapping ErrInvalidArgument.
func (db *DB) Save() error {
	st, err := db.persistStore()
	if err != nil {
		return err
	}
	return st.Save()
}

// BGSave starts Save in the background and returns at once (Redis
// BGSAVE). It returns ErrBusy while one is running. LastSave reports when
// the last one completed and LastBGSaveError whether it failed.
func (db *DB) BGSave() error {
	st, err := db.persistStore()
	if err != nil {
		return err
	}
	return st.BGSave()
}

// LastBGSaveError returns the error of the last background save, or nil
// when it succeeded (or none ran).
func (db *DB) LastBGSaveError() error {
	if db.c.persist == nil {
		return nil
	}
	return db.c.persist.LastBGSaveErr()
}

// LastSave returns when the last successful Save (or BGSave) completed,
// or when the database was opened (Redis LASTSAVE). It is the zero time
// for an in-memory database.
func (db *DB) LastSave() time.Time {
	if db.c.persist == nil {
		return time.Time{}
	}
	return db.c.persist.LastSave()
}

// Sync writes and fsyncs the append-only file of every shard now,
// whatever AppendFsync says. It returns an error wrapping ErrPersistence
// if that fails.
func (db *DB) Sync() error {
	st, err := db.persistStore()
	if err != nil {
		return err
	}
	return st.Sync()
}

// PersistenceError returns the failure that makes the database refuse
// writes (wrapping ErrPersistence), or nil.
func (db *DB) PersistenceError() error {
	if db.c.persist == nil {
		return nil
	}
	return db.c.persist.Err()
}

func (db *DB) persistStore() (*persist.Store, error) {
	if db.c.closed.Load() {
		return nil, ErrClosed
	}
	if db.c.persist == nil {
		return nil, fmt.Errorf("%w: the database has no data directory", ErrInvalidArgument)
	}
	return db.c.persist, nil
}

// Pending reports whether commands run by Exec since the last
// WaitDurable appended records that may not be durable yet.
func (s *Session) Pending() bool { return len(s.s.Pending()) > 0 }

// WaitDurable returns once every record appended by the commands Exec ran
// since the last call is as durable as AppendFsync promises: fsynced with
// FsyncAlways (one group fsync covers the records of all the commands of
// a pipelined batch and of concurrent sessions), at once otherwise.
//
// Exec does not wait by itself, so that a server can execute a whole
// pipelined batch, call WaitDurable once, and only then send the replies.
// A reply must not be sent before WaitDurable returned nil: when it
// returns an error (wrapping ErrPersistence), the outcome of the batch's
// writes is unknown and the connection should be closed without sending
// the replies of the batch's writes.
func (s *Session) WaitDurable() error { return s.db.c.waitDurable(s.s) }

// ExportRDB writes the database stored in dir to file as one RDB file
// (version 10) that redis-server 7 loads (kevy export). opts supplies
// Databases and Logger; the directory's shard count is used as found.
// The directory must not be open elsewhere.
func ExportRDB(dir, file string, opts *Options) error {
	var o Options
	if opts != nil {
		o = *opts
	}
	return persist.Export(dir, file, toolOptions(&o))
}

// ImportRDB creates the database directory dir from file, an RDB file
// written by redis-server (or ExportRDB) (kevy import). dir must not hold
// a database already. Keys are distributed over opts.Shards shards
// (DefaultShards when 0). Keys already expired are skipped.
func ImportRDB(file, dir string, opts *Options) error {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Shards == 0 {
		o.Shards = DefaultShards
	}
	return persist.Import(file, dir, o.Shards, toolOptions(&o))
}

// CheckDir verifies every file of the database directory dir and writes
// a report to w: what each file holds, any damage, and what Open (with
// opts; Shards 0 means the directory's own count) would do, including truncating a torn final record, failing on
// corruption, re-sharding or importing a dump.rdb. It returns an error
// wrapping ErrCorrupt when Open would fail because of damaged files.
func CheckDir(dir string, opts *Options, w io.Writer) error {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Shards == 0 {
		o.Shards, _ = persist.LayoutShards(dir)
	}
	if o.Shards == 0 {
		o.Shards = DefaultShards
	}
	return persist.Check(dir, o.Shards, toolOptions(&o), w)
}

func toolOptions(o *Options) persist.ToolOptions {
	t := persist.ToolOptions{Databases: o.Databases, Logger: o.Logger, Repair: o.RepairAOF, AppendOnly: !o.DisableAppendOnly}
	if t.Databases == 0 {
		t.Databases = DefaultDatabases
	}
	return t
}

// Shards returns the database's shard count: Options.Shards, or for a
// data directory opened with Shards 0, the count it was written with.
func (db *DB) Shards() int { return db.c.ks.NumShards() }
