package persist

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kevydb/kevy/internal/aof"
	"github.com/kevydb/kevy/internal/command"
)

// Sentinel errors.
var (
	// ErrCorrupt is wrapped by every error reporting a data file whose
	// content is invalid: a log damaged in the middle, a snapshot with a
	// bad checksum, a missing or damaged manifest or layout file. The
	// message names the file and, where known, the offset.
	ErrCorrupt = errors.New("kevy: corrupt data file")
	// ErrLocked is returned by Open when another process (or another Open
	// in this process) holds the directory.
	ErrLocked = errors.New("kevy: data directory is in use")
	// ErrBusy is returned by BGSave and BGRewrite while a snapshot or a
	// rewrite is already running.
	ErrBusy = command.ErrBGBusy
)

// Defaults of Options.
const (
	// DefaultRewritePercentage is Redis's auto-aof-rewrite-percentage.
	DefaultRewritePercentage = 100
	// DefaultRewriteMinSize is Redis's auto-aof-rewrite-min-size (64 MB).
	DefaultRewriteMinSize = 64 << 20
	// Routing names how keys map to shards in the layout and manifest
	// files: the Redis Cluster slot (CRC16 mod 16384) split into
	// contiguous ranges, one per shard.
	Routing = "crc16-16384"
)

// EventKind names an Event.
type EventKind uint8

// Event kinds.
const (
	// EventLoad: a data directory was loaded (Count keys, Duration).
	EventLoad EventKind = iota + 1
	// EventReplay: a shard's incremental logs were replayed (Count
	// records).
	EventReplay
	// EventTruncated: a torn final record was cut off a log (Count bytes).
	EventTruncated
	// EventSave: a snapshot of every shard completed (Count bytes written).
	EventSave
	// EventRewrite: a shard's log was compacted (Count bytes of the new
	// base).
	EventRewrite
	// EventLogFailed: a write or fsync of a log failed; writes are refused
	// until the database is reopened.
	EventLogFailed
)

// Event is a notification for Options.Event.
type Event struct {
	Kind     EventKind
	Shard    int // -1 when not about one shard
	Count    int64
	Duration time.Duration
	Path     string
	Err      error
}

// Options configures Open.
type Options struct {
	// Dir is the data directory (created if missing).
	Dir string
	// AppendOnly enables the append-only file. Without it only snapshots
	// (Save, BGSave, and Close) persist data.
	AppendOnly bool
	// Fsync is the fsync policy of the logs.
	Fsync aof.FsyncPolicy
	// RewritePercentage and RewriteMinSize trigger an automatic rewrite
	// of a shard's log when its files (base + incremental) exceed
	// RewriteMinSize/shards bytes and have grown by RewritePercentage
	// percent since the last rewrite. RewritePercentage < 0 disables
	// automatic rewrites; 0 means the default (100).
	RewritePercentage int
	RewriteMinSize    int64
	// Repair truncates a log at the first corrupt record instead of
	// failing (everything after it is lost, and logged).
	Repair bool
	// Logger receives progress and recovery messages (required).
	Logger *slog.Logger
	// Event, if set, is called for load, replay, truncation, save,
	// rewrite and failure events. It must not block.
	Event func(Event)
	// FS is the file system for data files (nil: the OS). Tests inject
	// faults through it.
	FS aof.FS
	// ProgressEvery is the period of the progress log lines while loading
	// (0: 3 seconds).
	ProgressEvery time.Duration
	// aofWriteDelay is passed to the logs (tests).
	aofWriteDelay time.Duration
	// importPath, set by Import, is an RDB file to load into a new
	// directory.
	importPath string
}

func (o *Options) event(ev Event) {
	if o.Event != nil {
		o.Event(ev)
	}
}

// corruptf returns an error wrapping ErrCorrupt and, when cause is not
// nil, cause.
func corruptf(cause error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if cause != nil {
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, msg, cause)
	}
	return fmt.Errorf("%w: %s", ErrCorrupt, msg)
}

// persistError is what Wait, Sync and Err return once a log failed: it
// reads like Redis's MISCONF reply and unwraps to command.ErrPersistence
// and to the cause.
type persistError struct {
	cause error
}

func (e *persistError) Error() string {
	return "kevy: MISCONF Errors writing to the AOF file: " + e.cause.Error()
}

func (e *persistError) Unwrap() []error { return []error{command.ErrPersistence, e.cause} }
