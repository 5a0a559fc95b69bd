package kevy

import (
	"strconv"
	"unsafe"

	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
)

// Typed API for the hash commands. Each method takes the key's shard lock
// and calls the command's own function in internal/command, so the rules
// (encodings, empty-hash deletion, errors) are exactly the commands'.
// Returned byte slices belong to the caller.

// hzView views s as bytes without copying. The command functions neither
// modify nor retain their arguments (values are copied into the store).
func hzView(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// hzViews views each string of ss as bytes, in dst.
func hzViews(dst [][]byte, ss []string) [][]byte {
	for _, s := range ss {
		dst = append(dst, hzView(s))
	}
	return dst
}

// hzLock locks key's shard and returns it with the clock reading, or
// ErrClosed. The caller unlocks the shard.
func (db *DB) hzLock(key string) (*keyspace.Shard, int64, error) {
	c := db.c
	if c.closed.Load() {
		return nil, 0, ErrClosed
	}
	sh := c.ks.ShardFor(key)
	sh.Lock()
	return sh, c.clk.NowMs(), nil
}

// hzLimits returns the engine's encoding thresholds.
func (db *DB) hzLimits() *object.Limits { return &db.c.eng.Limits }

// hashRead runs fn on the hash at key (nil when the key does not exist)
// with the shard locked. A key of another type gives ErrWrongType.
func hashRead[T any](db *DB, key string, fn func(h *object.Hash) T) (T, error) {
	var zero T
	sh, now, err := db.hzLock(key)
	if err != nil {
		return zero, err
	}
	defer sh.Unlock()
	h, err := command.HashValue(sh, db.db, key, now)
	if err != nil {
		return zero, err
	}
	return fn(h), nil
}

// HSet sets fields of the hash at key, creating it when missing, and
// returns how many fields were new (Redis HSET). fieldValues alternates
// fields and values; an odd count, or none, gives an error wrapping
// ErrArity. A key of another type gives ErrWrongType.
func (db *DB) HSet(key string, fieldValues ...string) (int, error) {
	if err := db.c.denyOOM(); err != nil {
		return 0, err
	}
	if len(fieldValues) == 0 || len(fieldValues)%2 != 0 {
		return 0, command.FromWire(command.WrongArity("hset"))
	}
	var buf [16][]byte
	fv := hzViews(buf[:0], fieldValues)
	if db.c.viaEngine() {
		return db.aofHSet(key, fieldValues)
	}
	sh, now, err := db.hzLock(key)
	if err != nil {
		return 0, err
	}
	defer sh.Unlock()
	return command.HashSet(sh, db.hzLimits(), db.db, key, fv, now)
}

// HSetNX sets field to value only if the field does not exist, creating
// the hash when missing, and reports whether it did (Redis HSETNX).
func (db *DB) HSetNX(key, field, value string) (bool, error) {
	if err := db.c.denyOOM(); err != nil {
		return false, err
	}
	if db.c.viaEngine() {
		return db.aofHSetNX(key, field, value)
	}
	sh, now, err := db.hzLock(key)
	if err != nil {
		return false, err
	}
	defer sh.Unlock()
	return command.HashSetNX(sh, db.hzLimits(), db.db, key, hzView(field), hzView(value), now)
}

// HGet returns a copy of the value of field in the hash at key (Redis
// HGET), or ErrNil when the key or the field does not exist.
func (db *DB) HGet(key, field string) ([]byte, error) {
	type res struct {
		v  []byte
		ok bool
	}
	r, err := hashRead(db, key, func(h *object.Hash) res {
		if h == nil {
			return res{}
		}
		v, ok := h.Get(hzView(field))
		return res{append(make([]byte, 0, len(v)), v...), ok}
	})
	if err == nil && !r.ok {
		err = ErrNil
	}
	return r.v, err
}

// HMGet returns copies of the values of fields in the hash at key, nil
// for each field that does not exist (Redis HMGET).
func (db *DB) HMGet(key string, fields ...string) ([][]byte, error) {
	return hashRead(db, key, func(h *object.Hash) [][]byte {
		out := make([][]byte, len(fields))
		if h == nil {
			return out
		}
		for i, f := range fields {
			if v, ok := h.Get(hzView(f)); ok {
				out[i] = append(make([]byte, 0, len(v)), v...)
			}
		}
		return out
	})
}

// HDel removes fields from the hash at key and returns how many existed
// (Redis HDEL). The key is deleted when the hash becomes empty.
func (db *DB) HDel(key string, fields ...string) (int, error) {
	var buf [16][]byte
	fs := hzViews(buf[:0], fields)
	if db.c.viaEngine() {
		return db.aofHDel(key, fields)
	}
	sh, now, err := db.hzLock(key)
	if err != nil {
		return 0, err
	}
	defer sh.Unlock()
	return command.HashDel(sh, db.db, key, fs, now)
}

// HExists reports whether field exists in the hash at key (Redis
// HEXISTS).
func (db *DB) HExists(key, field string) (bool, error) {
	return hashRead(db, key, func(h *object.Hash) bool {
		return h != nil && h.Exists(hzView(field))
	})
}

// HLen returns the number of fields of the hash at key, 0 when it does
// not exist (Redis HLEN).
func (db *DB) HLen(key string) (int, error) {
	return hashRead(db, key, func(h *object.Hash) int {
		if h == nil {
			return 0
		}
		return h.Len()
	})
}

// HGetAll returns the fields and values of the hash at key, an empty map
// when it does not exist (Redis HGETALL).
func (db *DB) HGetAll(key string) (map[string][]byte, error) {
	return hashRead(db, key, func(h *object.Hash) map[string][]byte {
		if h == nil {
			return map[string][]byte{}
		}
		m := make(map[string][]byte, h.Len())
		for f, v := range h.All() {
			m[string(f)] = append(make([]byte, 0, len(v)), v...)
		}
		return m
	})
}

// HKeys returns the fields of the hash at key (Redis HKEYS), in the
// hash's order: insertion order while it is small ("listpack"),
// unspecified afterwards.
func (db *DB) HKeys(key string) ([]string, error) {
	return hashRead(db, key, func(h *object.Hash) []string {
		if h == nil {
			return []string{}
		}
		out := make([]string, 0, h.Len())
		for f := range h.All() {
			out = append(out, string(f))
		}
		return out
	})
}

// HVals returns copies of the values of the hash at key (Redis HVALS), in
// HKeys's order.
func (db *DB) HVals(key string) ([][]byte, error) {
	return hashRead(db, key, func(h *object.Hash) [][]byte {
		if h == nil {
			return [][]byte{}
		}
		out := make([][]byte, 0, h.Len())
		for _, v := range h.All() {
			out = append(out, append(make([]byte, 0, len(v)), v...))
		}
		return out
	})
}

// HIncrBy adds incr to the integer in field of the hash at key (a missing
// key or field counts as 0) and returns the new value (Redis HINCRBY).
// Errors: ErrWrongType, ErrNotInteger when the field does not hold an
// integer, ErrOverflow.
func (db *DB) HIncrBy(key, field string, incr int64) (int64, error) {
	if err := db.c.denyOOM(); err != nil {
		return 0, err
	}
	if db.c.viaEngine() {
		return db.aofIntCmd("HINCRBY", key, sv(field), iv(incr))
	}
	sh, now, err := db.hzLock(key)
	if err != nil {
		return 0, err
	}
	defer sh.Unlock()
	return command.HashIncrBy(sh, db.hzLimits(), db.db, key, hzView(field), incr, now)
}

// HIncrByFloat adds incr to the number in field of the hash at key as
// HINCRBYFLOAT does with incr's shortest decimal form (in long double
// precision; the stored text is Redis's, e.g. 0.1+0.2 gives "0.3") and
// returns the new value read back as a float64. Errors: ErrWrongType,
// ErrNotFloat when incr is NaN or infinite or the field does not hold a
// number, ErrOverflow when the result would be infinite.
func (db *DB) HIncrByFloat(key, field string, incr float64) (float64, error) {
	if err := db.c.denyOOM(); err != nil {
		return 0, err
	}
	var buf [32]byte
	arg := strconv.AppendFloat(buf[:0], incr, 'g', -1, 64)
	if db.c.viaEngine() {
		return db.aofFloatCmd("HINCRBYFLOAT", key, sv(field), arg)
	}
	sh, now, err := db.hzLock(key)
	if err != nil {
		return 0, err
	}
	v, err := command.HashIncrByFloat(sh, db.hzLimits(), db.db, key, hzView(field), arg, now)
	sh.Unlock()
	if err != nil {
		return 0, err
	}
	f, _ := strconv.ParseFloat(string(v), 64)
	return f, nil
}

// HScan runs one step of a cursor iteration over the hash at key (Redis
// HSCAN): start with cursor 0 and pass each returned next cursor back
// until it is 0. match is a glob pattern for the fields ("" or "*" for
// all); count is a hint of how many fields to examine per call (0 means
// 10). A small hash is returned whole in one call. A field present for
// the whole iteration is returned at least once.
func (db *DB) HScan(key string, cursor uint64, match string, count int) (fields map[string][]byte, next uint64, err error) {
	o := command.ValueScanArgs{Count: max(count, 0)}
	if match != "" {
		o.Match = hzView(match)
	}
	type res struct {
		m    map[string][]byte
		next uint64
	}
	r, err := hashRead(db, key, func(h *object.Hash) res {
		m := map[string][]byte{}
		if h == nil {
			return res{m, 0}
		}
		next := command.HashScan(h, cursor, &o, func(f, v []byte) {
			m[string(f)] = append(make([]byte, 0, len(v)), v...)
		})
		return res{m, next}
	})
	return r.m, r.next, err
}
