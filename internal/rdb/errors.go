package rdb

import (
	"errors"
	"strconv"
)

// ErrCorrupt is wrapped by every error reporting malformed or truncated
// input (see CorruptError). Test for it with errors.Is.
var ErrCorrupt = errors.New("rdb: corrupt file")

// ErrChecksum is wrapped (together with ErrCorrupt) by the error reporting a
// CRC64 trailer that does not match the file contents.
var ErrChecksum = errors.New("rdb: checksum mismatch")

// ErrUnsupported is wrapped by errors reporting well-formed content that this
// package does not handle: RDB versions newer than supported, stream and
// module values, module aux data and pre-release function records.
var ErrUnsupported = errors.New("rdb: unsupported content")

// CorruptError describes malformed input. Offset is the byte offset in the
// file where the problem was detected (for problems inside a compound value,
// the offset of the end of the blob holding it). It wraps ErrCorrupt and,
// where there is one, a more specific cause such as io.ErrUnexpectedEOF or
// ErrChecksum.
type CorruptError struct {
	Offset int64
	Reason string
	Cause  error
}

// Error returns "rdb: corrupt file at offset N: reason".
func (e *CorruptError) Error() string {
	return "rdb: corrupt file at offset " + strconv.FormatInt(e.Offset, 10) + ": " + e.Reason
}

// Unwrap returns ErrCorrupt and the cause, if any.
func (e *CorruptError) Unwrap() []error {
	if e.Cause != nil {
		return []error{ErrCorrupt, e.Cause}
	}
	return []error{ErrCorrupt}
}

// unsupportedError is an error that matches ErrUnsupported.
type unsupportedError string

func (e unsupportedError) Error() string { return "rdb: " + string(e) }

func (e unsupportedError) Is(target error) bool { return target == ErrUnsupported }
