package kevy

import "github.com/kevydb/kevy/internal/command"

// Sentinel errors returned by kevy, matched with errors.Is. Errors from
// commands wrap one of these with the exact Redis error text, e.g.
// "kevy: WRONGTYPE Operation against a key holding the wrong kind of value".
var (
	// ErrNil: the key (or field, or element) does not exist.
	ErrNil = command.ErrNil
	// ErrWrongType: the key holds a value of another type (WRONGTYPE).
	ErrWrongType = command.ErrWrongType
	// ErrSyntax: malformed arguments (ERR syntax error).
	ErrSyntax = command.ErrSyntax
	// ErrNotInteger: a value or argument is not an integer or out of range.
	ErrNotInteger = command.ErrNotInteger
	// ErrNotFloat: a value or argument is not a valid float.
	ErrNotFloat = command.ErrNotFloat
	// ErrOverflow: an increment would overflow or produce NaN/Infinity.
	ErrOverflow = command.ErrOverflow
	// ErrNoSuchKey: the command needs an existing key (RENAME, LSET).
	ErrNoSuchKey = command.ErrNoSuchKey
	// ErrOutOfRange: an index is out of range (LSET).
	ErrOutOfRange = command.ErrOutOfRange
	// ErrOOM: the write was refused because memory is over MaxMemory.
	ErrOOM = command.ErrOOM
	// ErrUnknownCommand: Do was given a command kevy does not support.
	ErrUnknownCommand = command.ErrUnknown
	// ErrArity: wrong number of arguments for a command.
	ErrArity = command.ErrArity
	// ErrInvalidDB: a database index is out of range.
	ErrInvalidDB = command.ErrInvalidDB
	// ErrBusyKey: the target key already exists (COPY without REPLACE...).
	ErrBusyKey = command.ErrBusyKey
	// ErrClosed: the DB was closed.
	ErrClosed = command.ErrClosed
	// ErrInvalidArgument: an argument is out of its allowed range (for
	// example an invalid expire time).
	ErrInvalidArgument = command.ErrInvalidValue
)
