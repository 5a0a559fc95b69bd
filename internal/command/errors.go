package command

import (
	"errors"
	"strings"
)

// Sentinel errors. The root package re-exports them (kevy.ErrWrongType is
// ErrWrongType), so errors.Is works across the API. Each has the wire text
// Redis replies with; specific messages (wrong arity, invalid expire time)
// are *Error values that unwrap to one of these.
var (
	ErrNil          = errors.New("kevy: nil")
	ErrWrongType    = errors.New("kevy: wrong type")
	ErrSyntax       = errors.New("kevy: syntax error")
	ErrNotInteger   = errors.New("kevy: value is not an integer or out of range")
	ErrNotFloat     = errors.New("kevy: value is not a valid float")
	ErrOverflow     = errors.New("kevy: increment or decrement would overflow")
	ErrNoSuchKey    = errors.New("kevy: no such key")
	ErrOutOfRange   = errors.New("kevy: index out of range")
	ErrOOM          = errors.New("kevy: out of memory")
	ErrUnknown      = errors.New("kevy: unknown command")
	ErrArity        = errors.New("kevy: wrong number of arguments")
	ErrInvalidDB    = errors.New("kevy: DB index is out of range")
	ErrExecAbort    = errors.New("kevy: transaction discarded")
	ErrNoAuth       = errors.New("kevy: authentication required")
	ErrBusyKey      = errors.New("kevy: target key name already exists")
	ErrClosed       = errors.New("kevy: database is closed")
	ErrInvalidValue = errors.New("kevy: invalid argument")
	ErrReadOnly     = errors.New("kevy: write refused")
	// ErrPersistence: the append-only file or a snapshot could not be
	// written; writes are refused until the database is reopened
	// (Redis's MISCONF).
	ErrPersistence = errors.New("kevy: persistence failed")
)

// Wire texts of the common replies. Handlers pass them to Reply.Error.
const (
	WireWrongType   = "WRONGTYPE Operation against a key holding the wrong kind of value"
	WireSyntax      = "ERR syntax error"
	WireNotInteger  = "ERR value is not an integer or out of range"
	WireNotFloat    = "ERR value is not a valid float"
	WireOverflow    = "ERR increment or decrement would overflow"
	WireNoSuchKey   = "ERR no such key"
	WireOutOfRange  = "ERR index out of range"
	WireOOM         = "OOM command not allowed when used memory > 'maxmemory'."
	WireInvalidDB   = "ERR DB index is out of range"
	WireBusyKey     = "BUSYKEY Target key name already exists."
	WireNotPositive = "ERR value is out of range, must be positive"
)

// Error is an error reply: the exact wire text Redis would send, and the
// sentinel it corresponds to.
type Error struct {
	Wire string // e.g. "ERR invalid expire time in 'set' command"
	Kind error  // the sentinel (ErrSyntax...), or nil for none
}

// Error returns "kevy: " followed by the wire text.
func (e *Error) Error() string { return "kevy: " + e.Wire }

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Kind }

var wireToKind = []struct {
	prefix string
	kind   error
}{
	{WireWrongType, ErrWrongType},
	{WireSyntax, ErrSyntax},
	{WireNotInteger, ErrNotInteger},
	{"ERR value is out of range", ErrNotInteger},
	{WireNotFloat, ErrNotFloat},
	{WireOverflow, ErrOverflow},
	{"ERR increment would produce NaN or Infinity", ErrOverflow},
	{"ERR decrement would overflow", ErrOverflow},
	{"ERR string exceeds maximum allowed size", ErrInvalidValue},
	{"ERR offset is out of range", ErrOutOfRange},
	{"ERR The specified keys must contain string values", ErrWrongType},
	{"ERR If you want both the length and indexes", ErrSyntax},
	{"ERR Insufficient memory, transient memory for LCS", ErrInvalidValue},
	{"ERR String too long for LCS", ErrInvalidValue},
	{WireNoSuchKey, ErrNoSuchKey},
	{WireOutOfRange, ErrOutOfRange},
	{"OOM ", ErrOOM},
	{"ERR unknown command", ErrUnknown},
	{"ERR unknown subcommand", ErrUnknown},
	{"ERR wrong number of arguments", ErrArity},
	{"ERR DB index is out of range", ErrInvalidDB},
	{"EXECABORT", ErrExecAbort},
	{"NOAUTH", ErrNoAuth},
	{"BUSYKEY", ErrBusyKey},
	{"READONLY", ErrReadOnly},
	{"MISCONF", ErrPersistence},
	{"ERR invalid expire time", ErrInvalidValue},
	// Generic key commands (cmd_keys.go).
	{"ERR NX and XX, GT or LT options", ErrSyntax},
	{"ERR GT and LT options", ErrSyntax},
	{"ERR Unsupported option", ErrSyntax},
	{"ERR source and destination objects are the same", ErrInvalidValue},
	{"ERR invalid cursor", ErrInvalidValue},
	{"ERR invalid first DB index", ErrInvalidDB},
	{"ERR invalid second DB index", ErrInvalidDB},
}

// FromWire turns an error reply's wire text into a Go error that unwraps
// to the matching sentinel. It is the single mapping from Redis error text
// to kevy's sentinels.
func FromWire(wire string) error {
	for _, m := range wireToKind {
		if strings.HasPrefix(wire, m.prefix) {
			return &Error{Wire: wire, Kind: m.kind}
		}
	}
	return &Error{Wire: wire}
}

// ToWire returns the wire text for err: its own text for an *Error, the
// standard text for a sentinel, and "ERR " + message otherwise.
func ToWire(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Wire
	}
	switch {
	case errors.Is(err, ErrWrongType):
		return WireWrongType
	case errors.Is(err, ErrSyntax):
		return WireSyntax
	case errors.Is(err, ErrNotInteger):
		return WireNotInteger
	case errors.Is(err, ErrNotFloat):
		return WireNotFloat
	case errors.Is(err, ErrOverflow):
		return WireOverflow
	case errors.Is(err, ErrNoSuchKey):
		return WireNoSuchKey
	case errors.Is(err, ErrOutOfRange):
		return WireOutOfRange
	case errors.Is(err, ErrOOM):
		return WireOOM
	case errors.Is(err, ErrInvalidDB):
		return WireInvalidDB
	case errors.Is(err, ErrBusyKey):
		return WireBusyKey
	}
	return "ERR " + strings.TrimPrefix(err.Error(), "kevy: ")
}
