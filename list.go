package kevy

import (
	"context"
	"fmt"
	"strconv"
	"time"
	"unsafe"

	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/keyspace"
)

// Typed API for the list commands. Each method takes the locks the
// command would and calls the command's own function in internal/command;
// the blocking pops run the command itself through the engine, so they
// wait exactly as a client's BLPOP does.

// ListSide is an end of a list.
type ListSide uint8

// List ends, Redis's LEFT and RIGHT.
const (
	Left  ListSide = iota // the head
	Right                 // the tail
)

func (s ListSide) side() command.ListSide {
	if s == Right {
		return command.ListRight
	}
	return command.ListLeft
}

func (s ListSide) arg() string {
	if s == Right {
		return "RIGHT"
	}
	return "LEFT"
}

// strView views s as bytes without copying; the bytes must not be
// modified (the commands only read their arguments).
func strView(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// strViews views each string as bytes.
func strViews(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = strView(s)
	}
	return out
}

// lsLock locks key's shard and returns it with the clock reading, or
// ErrClosed. The caller unlocks the shard.
func (db *DB) lsLock(key string) (*keyspace.Shard, int64, error) {
	c := db.c
	if c.closed.Load() {
		return nil, 0, ErrClosed
	}
	sh := c.ks.ShardFor(key)
	sh.Lock()
	return sh, c.clk.NowMs(), nil
}

// lsLockKeys locks the shards of keys (ascending order) into ls.
func (db *DB) lsLockKeys(ls *keyspace.LockSet, keys ...string) (int64, error) {
	c := db.c
	if c.closed.Load() {
		return 0, ErrClosed
	}
	ls.Reset()
	for _, k := range keys {
		ls.Add(c.ks.ShardIndex(k))
	}
	ls.Lock(c.ks)
	return c.clk.NowMs(), nil
}

func (db *DB) push(key string, values []string, side command.ListSide, onlyExisting bool) (int, error) {
	if err := db.c.denyOOM(); err != nil {
		return 0, err
	}
	if db.c.viaEngine() {
		return db.aofPush(key, values, side, onlyExisting)
	}
	sh, now, err := db.lsLock(key)
	if err != nil {
		return 0, err
	}
	defer sh.Unlock()
	return command.ListPush(db.c.eng, sh, db.db, key, strViews(values), side, onlyExisting, now)
}

// LPush inserts values at the head of the list at key, one after the
// other (so the last one ends up first), creating the list, and returns
// its new length (Redis LPUSH). Clients blocked on the key are served.
func (db *DB) LPush(key string, values ...string) (int, error) {
	return db.push(key, values, command.ListLeft, false)
}

// RPush appends values to the list at key, creating it, and returns its
// new length (Redis RPUSH).
func (db *DB) RPush(key string, values ...string) (int, error) {
	return db.push(key, values, command.ListRight, false)
}

// LPushX is LPush that does nothing, and returns 0, when the key does not
// exist (Redis LPUSHX).
func (db *DB) LPushX(key string, values ...string) (int, error) {
	return db.push(key, values, command.ListLeft, true)
}

// RPushX is RPush that does nothing, and returns 0, when the key does not
// exist (Redis RPUSHX).
func (db *DB) RPushX(key string, values ...string) (int, error) {
	return db.push(key, values, command.ListRight, true)
}

func (db *DB) pop(key string, side command.ListSide, count int) ([][]byte, error) {
	if count < 0 {
		return nil, fmt.Errorf("%w: count %d", ErrNotInteger, count)
	}
	if db.c.viaEngine() {
		return db.aofPop(key, side, count)
	}
	sh, now, err := db.lsLock(key)
	if err != nil {
		return nil, err
	}
	defer sh.Unlock()
	vals, err := command.ListPop(nil, sh, db.db, key, side, count, now)
	if err == nil && vals == nil {
		vals = [][]byte{}
	}
	return vals, err
}

func (db *DB) popOne(key string, side command.ListSide) ([]byte, error) {
	if db.c.viaEngine() {
		return db.aofPopOne(key, side)
	}
	vals, err := db.pop(key, side, 1)
	if err != nil {
		return nil, err
	}
	return vals[0], nil
}

// LPop removes and returns the first element of the list at key, or
// ErrNil when the key does not exist (Redis LPOP). A list left empty is
// deleted.
func (db *DB) LPop(key string) ([]byte, error) { return db.popOne(key, command.ListLeft) }

// RPop removes and returns the last element of the list at key, or ErrNil
// (Redis RPOP).
func (db *DB) RPop(key string) ([]byte, error) { return db.popOne(key, command.ListRight) }

// LPopCount removes and returns up to count elements from the head of the
// list at key (Redis LPOP key count): ErrNil when the key does not exist,
// an empty slice for count 0, ErrNotInteger for a negative count.
func (db *DB) LPopCount(key string, count int) ([][]byte, error) {
	return db.pop(key, command.ListLeft, count)
}

// RPopCount is LPopCount from the tail (Redis RPOP key count).
func (db *DB) RPopCount(key string, count int) ([][]byte, error) {
	return db.pop(key, command.ListRight, count)
}

// LLen returns the length of the list at key, 0 when it does not exist
// (Redis LLEN).
func (db *DB) LLen(key string) (int, error) {
	sh, now, err := db.lsLock(key)
	if err != nil {
		return 0, err
	}
	defer sh.Unlock()
	return command.ListLen(sh, db.db, key, now)
}

// LIndex returns the element at index of the list at key; negative
// indexes count from the tail (-1 is the last). It returns ErrNil when the
// key does not exist or the index is out of range (Redis LINDEX).
func (db *DB) LIndex(key string, index int64) ([]byte, error) {
	sh, now, err := db.lsLock(key)
	if err != nil {
		return nil, err
	}
	defer sh.Unlock()
	return command.ListIndex(sh, db.db, key, index, now)
}

// LInsert inserts value before (or after) the first element equal to
// pivot and returns the new length, -1 when pivot is not in the list, and
// 0 when the key does not exist (Redis LINSERT).
func (db *DB) LInsert(key string, before bool, pivot, value string) (int, error) {
	if err := db.c.denyOOM(); err != nil {
		return 0, err
	}
	if db.c.viaEngine() {
		return db.aofLInsert(key, before, pivot, value)
	}
	sh, now, err := db.lsLock(key)
	if err != nil {
		return 0, err
	}
	defer sh.Unlock()
	return command.ListInsert(sh, db.db, key, before, strView(pivot), strView(value), now)
}

// LRange returns the elements from start to stop inclusive of the list at
// key (Redis LRANGE): negative indexes count from the tail and indexes
// beyond the ends are clamped, so LRange(key, 0, -1) is the whole list. A
// missing key gives an empty result.
func (db *DB) LRange(key string, start, stop int64) ([][]byte, error) {
	sh, now, err := db.lsLock(key)
	if err != nil {
		return nil, err
	}
	defer sh.Unlock()
	return command.ListRange(sh, db.db, key, start, stop, now)
}

// LSet replaces the element at index (Redis LSET): ErrNoSuchKey when the
// key does not exist, ErrOutOfRange when the index is outside the list.
func (db *DB) LSet(key string, index int64, value string) error {
	if err := db.c.denyOOM(); err != nil {
		return err
	}
	if db.c.viaEngine() {
		return db.aofLSet(key, index, value)
	}
	sh, now, err := db.lsLock(key)
	if err != nil {
		return err
	}
	defer sh.Unlock()
	return command.ListSet(sh, db.db, key, index, strView(value), now)
}

// LRem removes elements equal to value and returns how many (Redis LREM):
// the first count from the head when count > 0, the last -count from the
// tail when count < 0, every one when count is 0.
func (db *DB) LRem(key string, count int64, value string) (int, error) {
	if db.c.viaEngine() {
		return db.aofLRem(key, count, value)
	}
	sh, now, err := db.lsLock(key)
	if err != nil {
		return 0, err
	}
	defer sh.Unlock()
	return command.ListRem(sh, db.db, key, count, strView(value), now)
}

// LTrim keeps only the elements from start to stop inclusive, with
// LRange's index rules (Redis LTRIM). A list left empty is deleted.
func (db *DB) LTrim(key string, start, stop int64) error {
	if db.c.viaEngine() {
		return db.aofLTrim(key, start, stop)
	}
	sh, now, err := db.lsLock(key)
	if err != nil {
		return err
	}
	defer sh.Unlock()
	return command.ListTrim(sh, db.db, key, start, stop, now)
}

// LPosOpts are the options of LPos and LPosCount.
type LPosOpts struct {
	// Rank selects the match to start from: 2 skips the first match, -1
	// searches from the tail. 0 means 1.
	Rank int64
	// MaxLen bounds the number of elements compared; 0 means no bound.
	// It must not be negative.
	MaxLen int64
}

func (db *DB) lpos(key, element string, o command.LPosOptions) ([]int64, error) {
	sh, now, err := db.lsLock(key)
	if err != nil {
		return nil, err
	}
	defer sh.Unlock()
	idx, err := command.ListPos(sh, db.db, key, strView(element), o, now)
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(idx))
	for i, v := range idx {
		out[i] = int64(v)
	}
	return out, nil
}

// LPos returns the index of the first element equal to element (counted
// from the head, whatever the direction of the search), or ErrNil when
// there is none (Redis LPOS).
func (db *DB) LPos(key, element string, opts LPosOpts) (int64, error) {
	idx, err := db.lpos(key, element, command.LPosOptions{Rank: opts.Rank, Count: 1, MaxLen: opts.MaxLen})
	if err != nil {
		return 0, err
	}
	if len(idx) == 0 {
		return 0, ErrNil
	}
	return idx[0], nil
}

// LPosCount returns the indexes of up to count elements equal to element
// (Redis LPOS ... COUNT count); count 0 returns every match. No match
// gives an empty slice.
func (db *DB) LPosCount(key, element string, count int, opts LPosOpts) ([]int64, error) {
	return db.lpos(key, element, command.LPosOptions{Rank: opts.Rank, Count: int64(count), MaxLen: opts.MaxLen})
}

// LMove atomically pops an element from the from end of the list at src
// and pushes it at the to end of the list at dst, and returns it (Redis
// LMOVE; RPOPLPUSH is LMove(src, dst, Right, Left)). It returns ErrNil
// when src does not exist. src and dst may be the same list (rotation).
func (db *DB) LMove(src, dst string, from, to ListSide) ([]byte, error) {
	if err := db.c.denyOOM(); err != nil {
		return nil, err
	}
	if db.c.viaEngine() {
		return db.aofLMove(src, dst, from, to)
	}
	var ls keyspace.LockSet
	now, err := db.lsLockKeys(&ls, src, dst)
	if err != nil {
		return nil, err
	}
	defer ls.Unlock(db.c.ks)
	return command.ListMove(db.c.eng, db.db, src, dst, from.side(), to.side(), now)
}

// timeoutArg formats a blocking timeout as the seconds argument of the
// command; 0 means no timeout.
func timeoutArg(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// block runs a blocking command through the engine: it waits until it is
// served, its timeout passes (ErrNil) or ctx is done (ctx.Err()).
func (db *DB) block(ctx context.Context, args ...string) (Value, error) {
	if db.c.closed.Load() {
		return Value{}, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return Value{}, err
	}
	s := sessionPool.Get().(*command.Session)
	s.DB = db.db
	var vb valueBuilder
	err := db.c.eng.ExecContext(ctx, s, strViews(args), &vb)
	if werr := db.c.waitDurable(s); werr != nil && err == nil {
		err = werr
	}
	sessionPool.Put(s)
	switch {
	case err != nil:
		return Value{}, err
	case vb.root.kind == KindError:
		return Value{}, vb.root.Err()
	case vb.root.kind == KindNil:
		return Value{}, ErrNil
	}
	return vb.root, nil
}

func (db *DB) bpop(ctx context.Context, name string, timeout time.Duration, keys []string) (string, []byte, error) {
	if len(keys) == 0 {
		return "", nil, fmt.Errorf("%w: %s needs at least one key", ErrArity, name)
	}
	args := make([]string, 0, len(keys)+2)
	args = append(append(append(args, name), keys...), timeoutArg(timeout))
	v, err := db.block(ctx, args...)
	if err != nil {
		return "", nil, err
	}
	return string(v.elems[0].str), v.elems[1].str, nil
}

// BLPop pops the first element of the first non-empty list among keys,
// and returns that key and the element (Redis BLPOP). When every list is
// empty it waits, holding no lock, until another client pushes to one of
// the keys (clients waiting on a key are served in arrival order), until
// timeout passes (ErrNil; 0 means no timeout), or until ctx is done
// (ctx.Err()). A negative timeout is ErrInvalidArgument; a key of another
// type is ErrWrongType.
func (db *DB) BLPop(ctx context.Context, timeout time.Duration, keys ...string) (key string, value []byte, err error) {
	return db.bpop(ctx, "BLPOP", timeout, keys)
}

// BRPop is BLPop popping from the tail (Redis BRPOP).
func (db *DB) BRPop(ctx context.Context, timeout time.Duration, keys ...string) (key string, value []byte, err error) {
	return db.bpop(ctx, "BRPOP", timeout, keys)
}

// BLMove is LMove that waits, as BLPop does, while src is empty (Redis
// BLMOVE; BRPOPLPUSH is BLMove(ctx, src, dst, Right, Left, timeout)). It
// returns ErrNil on timeout.
func (db *DB) BLMove(ctx context.Context, src, dst string, from, to ListSide, timeout time.Duration) ([]byte, error) {
	v, err := db.block(ctx, "BLMOVE", src, dst, from.arg(), to.arg(), timeoutArg(timeout))
	if err != nil {
		return nil, err
	}
	return v.str, nil
}

// BlockedClients returns the number of callers currently waiting in a
// blocking command (BLPOP, BLMOVE...), Redis's INFO blocked_clients.
func (db *DB) BlockedClients() int { return db.c.eng.BlockedClients() }
