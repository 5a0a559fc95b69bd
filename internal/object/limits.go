package object

// Limits holds the encoding thresholds that decide when a Redis value moves
// from its compact encoding to the general one (the *-max-* configuration
// directives of Redis 7.0). Command handlers pass a *Limits to the
// constructors and mutators that may convert an encoding; a nil *Limits means
// DefaultLimits.
type Limits struct {
	// HashMaxListpackEntries is hash-max-listpack-entries.
	HashMaxListpackEntries int
	// HashMaxListpackValue is hash-max-listpack-value (bytes).
	HashMaxListpackValue int
	// SetMaxIntsetEntries is set-max-intset-entries.
	SetMaxIntsetEntries int
	// SetMaxListpackEntries is set-max-listpack-entries. Redis 7.0 has no
	// listpack set encoding, so the set implementation ignores it; it is kept
	// for configuration compatibility.
	SetMaxListpackEntries int
	// SetMaxListpackValue is set-max-listpack-value (bytes); unused by the
	// set implementation, see SetMaxListpackEntries.
	SetMaxListpackValue int
	// ZSetMaxListpackEntries is zset-max-listpack-entries.
	ZSetMaxListpackEntries int
	// ZSetMaxListpackValue is zset-max-listpack-value (bytes).
	ZSetMaxListpackValue int
	// ListMaxListpackSize is list-max-listpack-size: a positive value caps
	// the number of elements per list node (nodes are also capped at 8 KB),
	// a negative value -1..-5 caps node size at 4, 8, 16, 32 or 64 KB.
	ListMaxListpackSize int
}

// DefaultLimits returns the Redis 7.0 built-in defaults: hash 512 entries /
// 64 bytes, set 512 intset entries (listpack 128 / 64, unused), zset 128
// entries / 64 bytes, list -2 (8 KB nodes).
func DefaultLimits() Limits {
	return Limits{
		HashMaxListpackEntries: 512,
		HashMaxListpackValue:   64,
		SetMaxIntsetEntries:    512,
		SetMaxListpackEntries:  128,
		SetMaxListpackValue:    64,
		ZSetMaxListpackEntries: 128,
		ZSetMaxListpackValue:   64,
		ListMaxListpackSize:    -2,
	}
}

// builtinLimits backs nil *Limits arguments.
var builtinLimits = DefaultLimits()

// resolve returns l, or the built-in defaults when l is nil.
func (l *Limits) resolve() *Limits {
	if l == nil {
		return &builtinLimits
	}
	return l
}
