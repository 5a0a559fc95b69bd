package kevy

import (
	"iter"
	"strings"
	"time"

	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/keyspace"
)

// Typed API for the generic key commands. Each method takes the same locks
// the command would and calls the same function in internal/command, so
// the rules (expiry, options, errors) are the commands' own.

// TTL results that are not durations, mirroring Redis's -1 and -2 replies.
const (
	// TTLPersistent is what DB.TTL returns for a key without a TTL
	// (Redis replies -1).
	TTLPersistent time.Duration = -1
	// TTLMissing is what DB.TTL returns for a key that does not exist
	// (Redis replies -2).
	TTLMissing time.Duration = -2
)

// lockKeys locks the shards holding keys, in ascending shard order, into
// ls; the caller releases them with ls.Unlock.
func (c *core) lockKeys(ls *keyspace.LockSet, keys []string) {
	ls.Reset()
	for _, k := range keys {
		ls.Add(c.ks.ShardIndex(k))
	}
	ls.Lock(c.ks)
}

// eachKey runs fn for every key with their shards locked and returns how
// many calls reported true (DEL, EXISTS, TOUCH).
func (db *DB) eachKey(keys []string, fn func(*keyspace.Shard, int, string, int64) bool) (int, error) {
	c := db.c
	if c.closed.Load() {
		return 0, ErrClosed
	}
	var ls keyspace.LockSet
	c.lockKeys(&ls, keys)
	now := c.clk.NowMs()
	n := 0
	for _, k := range keys {
		if fn(c.ks.ShardFor(k), db.db, k, now) {
			n++
		}
	}
	ls.Unlock(c.ks)
	return n, nil
}

// Del removes the given keys and returns how many existed (Redis DEL or
// UNLINK). It is atomic across keys. Del with no keys returns 0.
func (db *DB) Del(keys ...string) (int, error) {
	if db.c.viaEngine() {
		return db.aofDel(keys)
	}
	return db.eachKey(keys, command.DelKey)
}

// Exists returns how many of the given keys exist, counting a key named
// twice twice (Redis EXISTS). It does not update the keys' access time.
func (db *DB) Exists(keys ...string) (int, error) {
	return db.eachKey(keys, command.KeyExists)
}

// Touch updates the access time of the given keys and returns how many
// exist (Redis TOUCH).
func (db *DB) Touch(keys ...string) (int, error) {
	return db.eachKey(keys, command.TouchKey)
}

// withKey runs fn with key's shard locked.
func withKey[T any](db *DB, key string, fn func(sh *keyspace.Shard, now int64) T) (T, error) {
	c := db.c
	if c.closed.Load() {
		var zero T
		return zero, ErrClosed
	}
	sh := c.ks.ShardFor(key)
	sh.Lock()
	v := fn(sh, c.clk.NowMs())
	sh.Unlock()
	return v, nil
}

// Type returns the type of the value at key: "string", "list", "hash",
// "set" or "zset", or "none" when the key does not exist (Redis TYPE).
func (db *DB) Type(key string) (string, error) {
	return withKey(db, key, func(sh *keyspace.Shard, now int64) string {
		return command.KeyType(sh, db.db, key, now).String()
	})
}

// ExpireOpts are EXPIRE's conditions. NX cannot be combined with the
// others, nor GT with LT. For GT and LT a key without a TTL counts as
// having an infinite one.
type ExpireOpts struct {
	NX bool // set only if the key has no TTL
	XX bool // set only if the key has a TTL
	GT bool // set only if the new deadline is after the current one
	LT bool // set only if the new deadline is before the current one
}

func (o ExpireOpts) cond() (command.ExpireCond, error) {
	var f command.ExpireCond
	if o.NX {
		f |= command.ExpireNX
	}
	if o.XX {
		f |= command.ExpireXX
	}
	if o.GT {
		f |= command.ExpireGT
	}
	if o.LT {
		f |= command.ExpireLT
	}
	return f, f.Check()
}

// Expire sets key to expire after d (truncated to milliseconds, Redis
// PEXPIRE) and reports whether the key exists. A d of zero or less
// deletes the key (and reports true).
func (db *DB) Expire(key string, d time.Duration) (bool, error) {
	return db.ExpireArgs(key, d, ExpireOpts{})
}

// ExpireArgs is Expire with the NX, XX, GT and LT conditions; it reports
// whether the TTL was set (false when the key is missing or a condition
// failed). Incompatible options give an error wrapping ErrSyntax.
func (db *DB) ExpireArgs(key string, d time.Duration, opts ExpireOpts) (bool, error) {
	return db.expire(key, d.Milliseconds(), true, opts, "pexpire")
}

// ExpireAt sets key to expire at t (truncated to milliseconds, Redis
// PEXPIREAT) and reports whether the key exists. A time not after now
// deletes the key (and reports true).
func (db *DB) ExpireAt(key string, t time.Time) (bool, error) {
	return db.ExpireAtArgs(key, t, ExpireOpts{})
}

// ExpireAtArgs is ExpireAt with the NX, XX, GT and LT conditions (see
// ExpireArgs).
func (db *DB) ExpireAtArgs(key string, t time.Time, opts ExpireOpts) (bool, error) {
	return db.expire(key, t.UnixMilli(), false, opts, "pexpireat")
}

func (db *DB) expire(key string, ms int64, relative bool, opts ExpireOpts, cmd string) (bool, error) {
	c := db.c
	if c.closed.Load() {
		return false, ErrClosed
	}
	cond, err := opts.cond()
	if err != nil {
		return false, err
	}
	if c.viaEngine() {
		return db.aofExpire(key, ms, relative, opts)
	}
	sh := c.ks.ShardFor(key)
	sh.Lock()
	defer sh.Unlock()
	now := c.clk.NowMs()
	base := int64(0)
	if relative {
		base = now
	}
	deadline, err := command.ExpireDeadline(ms, false, base, cmd)
	if err != nil {
		return false, err
	}
	return command.ExpireKey(c.ks, sh, db.db, key, deadline, cond, now), nil
}

// TTL returns the time key has left to live, with millisecond precision
// (Redis PTTL): TTLPersistent when it has no TTL and TTLMissing when it
// does not exist. Both are negative, so ttl >= 0 means "has a TTL".
func (db *DB) TTL(key string) (time.Duration, error) {
	return withKey(db, key, func(sh *keyspace.Shard, now int64) time.Duration {
		switch ms := command.KeyTTL(sh, db.db, key, now); ms {
		case -1:
			return TTLPersistent
		case -2:
			return TTLMissing
		default:
			return time.Duration(ms) * time.Millisecond
		}
	})
}

// Persist removes key's TTL and reports whether it had one (Redis
// PERSIST).
func (db *DB) Persist(key string) (bool, error) {
	if db.c.viaEngine() {
		return db.aofPersist(key)
	}
	return withKey(db, key, func(sh *keyspace.Shard, now int64) bool {
		return command.PersistKey(db.c.ks, sh, db.db, key, now)
	})
}

// rename locks both keys' shards and runs RENAME or RENAMENX.
func (db *DB) rename(src, dst string, nx bool) (bool, error) {
	c := db.c
	if c.closed.Load() {
		return false, ErrClosed
	}
	if c.viaEngine() {
		return db.aofRename(src, dst, nx)
	}
	var ls keyspace.LockSet
	c.lockKeys(&ls, []string{src, dst})
	defer ls.Unlock(c.ks)
	now := c.clk.NowMs()
	ok, err := command.RenameKey(c.ks, db.db, src, dst, nx, now)
	if ok && src != dst {
		c.eng.KeyReplaced(c.ks.ShardFor(dst), db.db, dst, now) // wake BLPOP... waiters
	}
	return ok, err
}

// Rename renames src to dst, replacing dst if it exists; the value keeps
// its TTL (Redis RENAME). It returns ErrNoSuchKey when src does not
// exist. Renaming a key to itself does nothing.
func (db *DB) Rename(src, dst string) error {
	_, err := db.rename(src, dst, false)
	return err
}

// RenameNX renames src to dst only if dst does not exist and reports
// whether it did (Redis RENAMENX). It returns ErrNoSuchKey when src does
// not exist; renaming a key to itself reports false.
func (db *DB) RenameNX(src, dst string) (bool, error) {
	return db.rename(src, dst, true)
}

// Copy copies the value at src to dst in the same database, with its TTL,
// and reports whether it did (Redis COPY): false when src does not exist,
// or dst exists and replace is false. Copying a key onto itself is an
// error wrapping ErrInvalidArgument.
func (db *DB) Copy(src, dst string, replace bool) (bool, error) {
	return db.CopyToDB(src, db.db, dst, replace)
}

// CopyToDB is Copy into logical database dstDB (Redis COPY ... DB
// dstDB). An out-of-range dstDB gives an error wrapping ErrInvalidDB.
func (db *DB) CopyToDB(src string, dstDB int, dst string, replace bool) (bool, error) {
	if err := db.c.denyOOM(); err != nil {
		return false, err
	}
	c := db.c
	if c.closed.Load() {
		return false, ErrClosed
	}
	if err := command.CheckDB(c.ks, dstDB); err != nil {
		return false, err
	}
	if c.viaEngine() {
		return db.aofCopy(src, dstDB, dst, replace)
	}
	var ls keyspace.LockSet
	c.lockKeys(&ls, []string{src, dst})
	defer ls.Unlock(c.ks)
	now := c.clk.NowMs()
	ok, err := command.CopyKey(c.ks, db.db, src, dstDB, dst, replace, now)
	if ok {
		c.eng.KeyReplaced(c.ks.ShardFor(dst), dstDB, dst, now)
	}
	return ok, err
}

// Move moves key to logical database dstDB and reports whether it did
// (Redis MOVE): false when the key does not exist here or already exists
// there. dstDB out of range gives an error wrapping ErrInvalidDB, and
// dstDB equal to this handle's database one wrapping ErrInvalidArgument.
func (db *DB) Move(key string, dstDB int) (bool, error) {
	c := db.c
	if c.closed.Load() {
		return false, ErrClosed
	}
	if err := command.CheckDB(c.ks, dstDB); err != nil {
		return false, err
	}
	if c.viaEngine() {
		return db.aofMove(key, dstDB)
	}
	sh := c.ks.ShardFor(key)
	sh.Lock()
	defer sh.Unlock()
	now := c.clk.NowMs()
	ok, err := command.MoveKey(c.ks, db.db, dstDB, key, now)
	if ok {
		c.eng.KeyReplaced(sh, dstDB, key, now)
	}
	return ok, err
}

// Keys returns every key matching the glob pattern (Redis KEYS; "*" is
// every key). It locks the whole database while it runs: prefer Scan or
// ScanAll on large databases.
func (db *DB) Keys(pattern string) ([]string, error) {
	c := db.c
	if c.closed.Load() {
		return nil, ErrClosed
	}
	keys := []string{}
	c.ks.LockAll()
	command.MatchKeys(c.ks, db.db, pattern, c.clk.NowMs(), func(k string) {
		keys = append(keys, strings.Clone(k))
	})
	c.ks.UnlockAll()
	return keys, nil
}

// Scan runs one step of a cursor iteration over the database (Redis
// SCAN): start with cursor 0 and pass each returned next cursor back
// until it is 0. match is a glob pattern ("" or "*" for every key);
// count is a hint of how many keys to examine per call (0 means 10).
// Every key present for the whole iteration is returned at least once; a
// key may be returned more than once, and a call may return no keys
// before the end. Only one shard is locked at a time.
func (db *DB) Scan(cursor uint64, match string, count int) (keys []string, next uint64, err error) {
	c := db.c
	if c.closed.Load() {
		return nil, 0, ErrClosed
	}
	o := command.ScanOptions{Match: match, UseMatch: match != "" && match != "*", Count: max(count, 0)}
	keys = []string{}
	next = command.ScanKeys(c.ks, db.db, cursor, &o, c.clk.NowMs(), func(k string) {
		keys = append(keys, strings.Clone(k))
	})
	return keys, next, nil
}

// ScanAll iterates over the keys matching match ("" or "*" for all) with
// Scan, fetching them in batches, so it holds no lock while the loop body
// runs and the body may modify the database. It has Scan's guarantees: a
// key present throughout is yielded at least once, possibly more. The
// iteration stops early if the database is closed.
func (db *DB) ScanAll(match string) iter.Seq[string] {
	return func(yield func(string) bool) {
		var cursor uint64
		for {
			keys, next, err := db.Scan(cursor, match, 100)
			if err != nil {
				return
			}
			for _, k := range keys {
				if !yield(k) {
					return
				}
			}
			if next == 0 {
				return
			}
			cursor = next
		}
	}
}

// RandomKey returns a random key of the database, or ErrNil when it is
// empty (Redis RANDOMKEY).
func (db *DB) RandomKey() (string, error) {
	c := db.c
	if c.closed.Load() {
		return "", ErrClosed
	}
	c.ks.LockAll()
	defer c.ks.UnlockAll()
	k, ok := command.RandomKey(c.ks, db.db, c.clk.NowMs())
	if !ok {
		return "", ErrNil
	}
	return strings.Clone(k), nil
}

// DBSize returns the number of keys in the database (Redis DBSIZE; keys
// that expired but were not removed yet are counted, as in Redis).
func (db *DB) DBSize() (int, error) {
	c := db.c
	if c.closed.Load() {
		return 0, ErrClosed
	}
	return c.ks.DBSize(db.db), nil
}

// FlushDB removes every key of this handle's database (Redis FLUSHDB).
func (db *DB) FlushDB() error {
	c := db.c
	if c.closed.Load() {
		return ErrClosed
	}
	if c.viaEngine() {
		return db.aofFlush(false)
	}
	c.ks.LockAll()
	command.FlushDB(c.ks, db.db)
	c.ks.UnlockAll()
	return nil
}

// FlushAll removes every key of every logical database (Redis FLUSHALL).
func (db *DB) FlushAll() error {
	c := db.c
	if c.closed.Load() {
		return ErrClosed
	}
	if c.viaEngine() {
		return db.aofFlush(true)
	}
	c.ks.LockAll()
	command.FlushAll(c.ks)
	c.ks.UnlockAll()
	return nil
}

// SwapDB exchanges the contents of logical databases a and b (Redis
// SWAPDB): handles on a then see b's former keys. An index out of range
// gives an error wrapping ErrInvalidDB.
func (db *DB) SwapDB(a, b int) error {
	c := db.c
	if c.closed.Load() {
		return ErrClosed
	}
	if c.viaEngine() {
		return db.aofSwapDB(a, b)
	}
	c.ks.LockAll()
	err := command.SwapDB(c.ks, a, b)
	if err == nil && a != b {
		now := c.clk.NowMs()
		c.eng.SignalDBReady(a, now)
		c.eng.SignalDBReady(b, now)
	}
	c.ks.UnlockAll()
	return err
}
