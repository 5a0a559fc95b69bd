package kevy

import (
	"fmt"
	"time"

	"github.com/kevydb/kevy/internal/command"
)

// Get returns a copy of the string stored at key. It returns ErrNil when
// the key does not exist and ErrWrongType when it holds another type.
func (db *DB) Get(key string) ([]byte, error) {
	c := db.c
	if c.closed.Load() {
		return nil, ErrClosed
	}
	sh := c.ks.ShardFor(key)
	sh.Lock()
	v, err := command.GetString(sh, db.db, key, c.clk.NowMs())
	sh.Unlock()
	return v, err
}

// Set stores value at key, replacing any value of any type and clearing
// any TTL (Redis SET).
func (db *DB) Set(key string, value []byte) error {
	c := db.c
	if c.closed.Load() {
		return ErrClosed
	}
	sh := c.ks.ShardFor(key)
	sh.Lock()
	sh.SetString(db.db, key, value, 0, false)
	sh.Unlock()
	return nil
}

// SetOpts are the options of SET. At most one of TTL, ExpireAt and
// KeepTTL may be set, and at most one of NX and XX.
type SetOpts struct {
	// TTL sets a relative expiry (SET ... PX); it must be at least 1ms.
	TTL time.Duration
	// ExpireAt sets an absolute expiry (SET ... PXAT).
	ExpireAt time.Time
	// KeepTTL keeps the key's current TTL (SET ... KEEPTTL).
	KeepTTL bool
	// NX writes only if the key does not exist.
	NX bool
	// XX writes only if the key exists.
	XX bool
	// Get returns the previous value (SET ... GET).
	Get bool
}

// SetArgs is SET with options. It reports whether the value was written
// (false when NX or XX prevented it) and, when opts.Get is set, the
// previous string value (nil if there was none). With opts.Get, a key of
// another type gives ErrWrongType and nothing is written.
func (db *DB) SetArgs(key string, value []byte, opts SetOpts) (old []byte, written bool, err error) {
	c := db.c
	if c.closed.Load() {
		return nil, false, ErrClosed
	}
	var p command.SetParams
	switch {
	case opts.NX && opts.XX:
		return nil, false, fmt.Errorf("%w: NX and XX together", ErrSyntax)
	case opts.NX:
		p.Mode = command.SetNX
	case opts.XX:
		p.Mode = command.SetXX
	}
	n := 0
	if opts.TTL != 0 {
		n++
	}
	if !opts.ExpireAt.IsZero() {
		n++
	}
	if opts.KeepTTL {
		n++
	}
	if n > 1 {
		return nil, false, fmt.Errorf("%w: more than one of TTL, ExpireAt and KeepTTL", ErrSyntax)
	}
	p.Get, p.KeepTTL = opts.Get, opts.KeepTTL
	now := c.clk.NowMs()
	switch {
	case opts.TTL != 0:
		ms := opts.TTL.Milliseconds()
		if ms <= 0 {
			return nil, false, fmt.Errorf("%w: invalid expire time %v", ErrInvalidArgument, opts.TTL)
		}
		p.Deadline = now + ms
	case !opts.ExpireAt.IsZero():
		ms := opts.ExpireAt.UnixMilli()
		if ms <= 0 {
			return nil, false, fmt.Errorf("%w: invalid expire time %v", ErrInvalidArgument, opts.ExpireAt)
		}
		p.Deadline = ms
	}
	sh := c.ks.ShardFor(key)
	sh.Lock()
	old, written, err = command.SetString(sh, db.db, key, value, p, now)
	sh.Unlock()
	return old, written, err
}
