package aof

import (
	"errors"
	"fmt"
)

// Sentinel errors, to be tested with errors.Is.
var (
	// ErrLogFailed is wrapped by every error returned once a write or an
	// fsync of the log failed. The Log stays failed until it is closed and
	// reopened: an fsync that failed may have dropped dirty pages, so it is
	// never retried.
	ErrLogFailed = errors.New("aof: log failed")
	// ErrCorrupt is wrapped by errors reporting a log or manifest whose
	// content is not valid (see CorruptError for logs).
	ErrCorrupt = errors.New("aof: corrupt file")
	// ErrClosed is returned by operations on a closed Log.
	ErrClosed = errors.New("aof: log closed")
)

// CorruptError reports invalid content in a log file. errors.Is(err,
// ErrCorrupt) is true for it.
type CorruptError struct {
	// Path is the file.
	Path string
	// Offset is the length of the valid prefix: the offset of the first
	// record that could not be read, or of the MULTI starting the block
	// that holds it.
	Offset int64
	// Bad is the offset of the first byte found invalid (>= Offset).
	Bad int64
	// Size is the size of the file.
	Size int64
	// Reason describes what was wrong at Bad.
	Reason string
}

// Error describes the corruption with the file, the offsets and the reason.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("aof: corrupt log %s at offset %d (byte %d: %s; %d bytes from the offset to the end of the file)",
		e.Path, e.Offset, e.Bad, e.Reason, e.Size-e.Offset)
}

// Is reports whether target is ErrCorrupt.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }
