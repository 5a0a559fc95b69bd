package kevy

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unsafe"

	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/keyspace"
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
	if err := db.c.denyOOM(); err != nil {
		return err
	}
	c := db.c
	if c.closed.Load() {
		return ErrClosed
	}
	if c.viaEngine() {
		return db.aofSet(key, value)
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
	if err := db.c.denyOOM(); err != nil {
		return nil, false, err
	}
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
	if c.viaEngine() {
		return db.aofSetArgs(key, value, p)
	}
	sh := c.ks.ShardFor(key)
	sh.Lock()
	old, written, err = command.SetString(sh, db.db, key, value, p, now)
	sh.Unlock()
	return old, written, err
}

// Typed API for the remaining string commands. Each method takes the lock
// of the key's shard (ascending shard order for several keys, so multi-key
// methods are atomic) and calls the function in internal/command that the
// Redis command runs, so rules and errors are the command's own. The
// deprecated commands (SETNX, SETEX, PSETEX, GETSET, SUBSTR) have no
// method of their own: SetArgs and GetRange cover them.

// withStrShard runs fn with the lock of key's shard held and the command
// clock read once, as a command does.
func withStrShard[T any](db *DB, key string, fn func(sh *keyspace.Shard, now int64) (T, error)) (T, error) {
	c := db.c
	if c.closed.Load() {
		var zero T
		return zero, ErrClosed
	}
	sh := c.ks.ShardFor(key)
	sh.Lock()
	v, err := fn(sh, c.clk.NowMs())
	sh.Unlock()
	return v, err
}

// lockStrKeys locks the shards of keys in ascending order into ls.
func (c *core) lockStrKeys(ls *keyspace.LockSet, keys ...string) {
	ls.Reset()
	for _, k := range keys {
		ls.Add(c.ks.ShardIndex(k))
	}
	ls.Lock(c.ks)
}

// AppendGet appends the string stored at key to dst and returns the
// extended slice, without allocating when dst has room: the form of Get
// for hot loops that reuse a buffer. It returns dst unchanged with ErrNil
// when the key does not exist and ErrWrongType when it holds another type.
func (db *DB) AppendGet(dst []byte, key string) ([]byte, error) {
	c := db.c
	if c.closed.Load() {
		return dst, ErrClosed
	}
	sh := c.ks.ShardFor(key)
	sh.Lock()
	dst, err := command.AppendString(dst, sh, db.db, key, c.clk.NowMs())
	sh.Unlock()
	return dst, err
}

// GetDel returns the string stored at key and deletes the key (Redis
// GETDEL). It returns ErrNil when the key does not exist and ErrWrongType
// (deleting nothing) when it holds another type.
func (db *DB) GetDel(key string) ([]byte, error) {
	if db.c.viaEngine() {
		return db.aofGetDel(key)
	}
	return withStrShard(db, key, func(sh *keyspace.Shard, now int64) ([]byte, error) {
		return command.GetDelString(sh, db.db, key, now)
	})
}

// GetExOpts are the options of GetEx. At most one of them may be set; the
// zero value leaves the TTL alone (a plain GET).
type GetExOpts struct {
	// TTL sets a relative expiry (GETEX ... PX); it must be at least 1ms.
	TTL time.Duration
	// ExpireAt sets an absolute expiry (GETEX ... PXAT). A time already
	// past deletes the key after its value is read.
	ExpireAt time.Time
	// Persist removes the TTL (GETEX ... PERSIST).
	Persist bool
}

// GetEx returns the string stored at key and changes its TTL as opts say
// (Redis GETEX). It returns ErrNil when the key does not exist,
// ErrWrongType when it holds another type, ErrSyntax when more than one
// option is set and ErrInvalidArgument for a TTL under 1ms or an ExpireAt
// at or before the Unix epoch.
func (db *DB) GetEx(key string, opts GetExOpts) ([]byte, error) {
	n := 0
	if opts.TTL != 0 {
		n++
	}
	if !opts.ExpireAt.IsZero() {
		n++
	}
	if opts.Persist {
		n++
	}
	if n > 1 {
		return nil, fmt.Errorf("%w: more than one of TTL, ExpireAt and Persist", ErrSyntax)
	}
	var ms int64
	switch {
	case opts.TTL != 0:
		ms = opts.TTL.Milliseconds()
	case !opts.ExpireAt.IsZero():
		ms = opts.ExpireAt.UnixMilli()
	}
	if n == 1 && !opts.Persist && ms <= 0 {
		return nil, fmt.Errorf("%w: invalid expire time in GetEx", ErrInvalidArgument)
	}
	if db.c.viaEngine() {
		return db.aofGetEx(key, opts, ms)
	}
	return withStrShard(db, key, func(sh *keyspace.Shard, now int64) ([]byte, error) {
		p := command.GetExParams{Persist: opts.Persist, Deadline: ms}
		if opts.TTL != 0 {
			if ms > math.MaxInt64-now {
				return nil, fmt.Errorf("%w: invalid expire time in GetEx", ErrInvalidArgument)
			}
			p.Deadline = now + ms
		}
		return command.GetExString(sh, db.db, key, p, now)
	})
}

// KV is a key and the value to store under it, for MSet and MSetNX.
type KV struct {
	Key   string
	Value []byte
}

// MGet returns the values of keys, in order, read atomically (Redis
// MGET). The element for a key that does not exist or holds another type
// is nil; an existing empty string is a non-nil empty slice. The only
// error is ErrClosed.
func (db *DB) MGet(keys ...string) ([][]byte, error) {
	c := db.c
	if c.closed.Load() {
		return nil, ErrClosed
	}
	out := make([][]byte, len(keys))
	var ls keyspace.LockSet
	c.lockStrKeys(&ls, keys...)
	now := c.clk.NowMs()
	// First collect views of the values, then copy them all into one
	// allocation (each element capped so appending to it cannot clobber
	// its neighbour).
	total := 0
	for i, k := range keys {
		if v, ok := command.StringValue(c.ks.ShardFor(k), db.db, k, now); ok {
			if v == nil {
				v = []byte{}
			}
			out[i] = v
			total += len(v)
		}
	}
	buf := make([]byte, total)
	off := 0
	for i, v := range out {
		if v != nil {
			n := copy(buf[off:], v)
			out[i] = buf[off : off+n : off+n]
			off += n
		}
	}
	ls.Unlock(c.ks)
	return out, nil
}

// MSet stores every pair, atomically, replacing values of any type and
// clearing TTLs (Redis MSET). When a key appears more than once the last
// pair wins. MSet with no pairs does nothing.
func (db *DB) MSet(pairs ...KV) error {
	_, err := db.mset(pairs, false)
	return err
}

// MSetNX stores every pair only if none of the keys exists, atomically
// (Redis MSETNX), and reports whether it did.
func (db *DB) MSetNX(pairs ...KV) (bool, error) {
	return db.mset(pairs, true)
}

func (db *DB) mset(pairs []KV, nx bool) (bool, error) {
	if err := db.c.denyOOM(); err != nil {
		return false, err
	}
	c := db.c
	if c.closed.Load() {
		return false, ErrClosed
	}
	if len(pairs) == 0 {
		return true, nil
	}
	if c.viaEngine() {
		return db.aofMSet(pairs, nx)
	}
	var buf [16][]byte
	kv := buf[:0]
	var ls keyspace.LockSet
	ls.Reset()
	for _, p := range pairs {
		// The key bytes are only read (the keyspace copies stored keys).
		kv = append(kv, unsafe.Slice(unsafe.StringData(p.Key), len(p.Key)), p.Value)
		ls.Add(c.ks.ShardIndex(p.Key))
	}
	ls.Lock(c.ks)
	ok := command.MSetPairs(c.ks, db.db, kv, nx, c.clk.NowMs())
	ls.Unlock(c.ks)
	return ok, nil
}

// Append appends value to the string at key, creating it when missing,
// and returns the new length (Redis APPEND). It returns ErrWrongType for
// another type and ErrInvalidArgument when the string would exceed 512 MB.
func (db *DB) Append(key string, value []byte) (int64, error) {
	if err := db.c.denyOOM(); err != nil {
		return 0, err
	}
	if db.c.viaEngine() {
		return db.aofIntCmd("APPEND", key, value)
	}
	return withStrShard(db, key, func(sh *keyspace.Shard, now int64) (int64, error) {
		return command.AppendValue(sh, db.db, key, value, now)
	})
}

// StrLen returns the length of the string at key, 0 when it does not
// exist (Redis STRLEN), or ErrWrongType.
func (db *DB) StrLen(key string) (int64, error) {
	return withStrShard(db, key, func(sh *keyspace.Shard, now int64) (int64, error) {
		return command.StrLen(sh, db.db, key, now)
	})
}

// GetRange returns the bytes of the string at key from start to end,
// both inclusive (Redis GETRANGE). Negative indexes count from the end
// (-1 is the last byte); out-of-range indexes are clamped. A missing key
// or an empty range gives an empty, non-nil slice; another type gives
// ErrWrongType.
func (db *DB) GetRange(key string, start, end int64) ([]byte, error) {
	return withStrShard(db, key, func(sh *keyspace.Shard, now int64) ([]byte, error) {
		v, err := command.GetRange(sh, db.db, key, start, end, now)
		if err != nil {
			return nil, err
		}
		return append(make([]byte, 0, len(v)), v...), nil
	})
}

// SetRange overwrites the string at key from offset with value, padding
// with zero bytes as needed and creating the key when missing, and returns
// the new length (Redis SETRANGE). An empty value changes nothing and
// creates no key. It returns ErrOutOfRange for a negative offset,
// ErrWrongType for another type and ErrInvalidArgument when the string
// would exceed 512 MB.
func (db *DB) SetRange(key string, offset int64, value []byte) (int64, error) {
	if err := db.c.denyOOM(); err != nil {
		return 0, err
	}
	if db.c.viaEngine() {
		return db.aofIntCmd("SETRANGE", key, iv(offset), value)
	}
	return withStrShard(db, key, func(sh *keyspace.Shard, now int64) (int64, error) {
		return command.SetRangeValue(sh, db.db, key, offset, value, now)
	})
}

// Incr adds 1 to the integer stored at key and returns the result (Redis
// INCR). A missing key counts as 0 and the TTL is kept. It returns
// ErrWrongType, ErrNotInteger when the value is not a 64-bit decimal
// integer, and ErrOverflow.
func (db *DB) Incr(key string) (int64, error) { return db.IncrBy(key, 1) }

// Decr subtracts 1 from the integer stored at key (Redis DECR); see Incr.
func (db *DB) Decr(key string) (int64, error) { return db.IncrBy(key, -1) }

// IncrBy adds delta to the integer stored at key and returns the result
// (Redis INCRBY); see Incr.
func (db *DB) IncrBy(key string, delta int64) (int64, error) {
	if err := db.c.denyOOM(); err != nil {
		return 0, err
	}
	if db.c.viaEngine() {
		return db.aofIntCmd("INCRBY", key, iv(delta))
	}
	return withStrShard(db, key, func(sh *keyspace.Shard, now int64) (int64, error) {
		return command.IncrInt(sh, db.db, key, delta, now)
	})
}

// DecrBy subtracts delta from the integer stored at key and returns the
// result (Redis DECRBY); see Incr. delta = math.MinInt64 gives ErrOverflow.
func (db *DB) DecrBy(key string, delta int64) (int64, error) {
	if err := db.c.denyOOM(); err != nil {
		return 0, err
	}
	if db.c.viaEngine() {
		return db.aofIntCmd("DECRBY", key, iv(delta))
	}
	return withStrShard(db, key, func(sh *keyspace.Shard, now int64) (int64, error) {
		return command.DecrInt(sh, db.db, key, delta, now)
	})
}

// IncrByFloat adds delta to the number stored at key and returns the
// result (Redis INCRBYFLOAT). As in Redis the sum is computed in 80-bit
// extended precision and stored as decimal text with up to 17 decimals
// (0.1 then 0.2 gives "0.3"); the returned float64 is the nearest to the
// stored value. A missing key counts as 0 and the TTL is kept. It returns
// ErrWrongType, ErrNotFloat when the value (or a NaN delta) is not a
// number, and ErrOverflow when the result would be infinite.
func (db *DB) IncrByFloat(key string, delta float64) (float64, error) {
	if err := db.c.denyOOM(); err != nil {
		return 0, err
	}
	var buf [32]byte
	arg := strconv.AppendFloat(buf[:0], delta, 'g', -1, 64)
	if db.c.viaEngine() {
		return db.aofFloatCmd("INCRBYFLOAT", key, arg)
	}
	v, err := withStrShard(db, key, func(sh *keyspace.Shard, now int64) ([]byte, error) {
		return command.IncrFloatValue(sh, db.db, key, arg, now)
	})
	if err != nil {
		return 0, err
	}
	f, _ := strconv.ParseFloat(string(v), 64) // ±Inf beyond float64's range
	return f, nil
}

// LCSMatch is a range of bytes common to both strings of an LCSIdx call:
// the first string's bytes AStart..AEnd equal the second's BStart..BEnd
// (inclusive indexes).
type LCSMatch struct {
	AStart, AEnd int64
	BStart, BEnd int64
}

// Len returns the number of bytes in the match.
func (m LCSMatch) Len() int64 { return m.AEnd - m.AStart + 1 }

// lcs runs LCS over key1 and key2 with both shards locked.
func (db *DB) lcs(key1, key2 string, seq, idx bool, minMatchLen int64) (command.LCSResult, error) {
	c := db.c
	if c.closed.Load() {
		return command.LCSResult{}, ErrClosed
	}
	var ls keyspace.LockSet
	c.lockStrKeys(&ls, key1, key2)
	defer ls.Unlock(c.ks)
	a, b, err := command.LCSStrings(c.ks, db.db, key1, key2, c.clk.NowMs())
	if err != nil {
		return command.LCSResult{}, err
	}
	return command.ComputeLCS(a, b, seq, idx, minMatchLen)
}

// LCS returns the longest common subsequence of the strings stored at
// key1 and key2 (Redis LCS); a missing key reads as an empty string. It
// returns ErrWrongType when either key holds another type, and
// ErrInvalidArgument when the strings are too long for the computation
// (len(a)+1)*(len(b)+1)*4 bytes over 512 MB, as in Redis).
func (db *DB) LCS(key1, key2 string) ([]byte, error) {
	r, err := db.lcs(key1, key2, true, false, 0)
	return r.Seq, err
}

// LCSLen returns the length of the longest common subsequence of the
// strings at key1 and key2 (Redis LCS ... LEN); see LCS.
func (db *DB) LCSLen(key1, key2 string) (int64, error) {
	r, err := db.lcs(key1, key2, false, false, 0)
	return r.Len, err
}

// LCSIdx returns the ranges of the longest common subsequence of the
// strings at key1 and key2 that are at least minMatchLen bytes long, from
// the end of the strings backwards, and the subsequence's length (Redis
// LCS ... IDX MINMATCHLEN); see LCS.
func (db *DB) LCSIdx(key1, key2 string, minMatchLen int64) ([]LCSMatch, int64, error) {
	r, err := db.lcs(key1, key2, false, true, minMatchLen)
	if err != nil {
		return nil, 0, err
	}
	out := make([]LCSMatch, len(r.Matches))
	for i, m := range r.Matches {
		out[i] = LCSMatch{AStart: m.AStart, AEnd: m.AEnd, BStart: m.BStart, BEnd: m.BEnd}
	}
	return out, r.Len, nil
}
