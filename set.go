package kevy

import (
	"fmt"

	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/keyspace"
)

// Typed API for the set commands. Each method takes the locks the command
// would and calls the command's own function in internal/command.

// setOne runs fn with key's shard locked.
func setOne[T any](db *DB, key string, fn func(sh *keyspace.Shard, now int64) (T, error)) (T, error) {
	sh, now, err := db.lsLock(key)
	if err != nil {
		var zero T
		return zero, err
	}
	defer sh.Unlock()
	return fn(sh, now)
}

// setMulti runs fn with the shards of keys (and extra) locked. It refuses
// an empty keys list as the commands' arity does.
func setMulti[T any](db *DB, name string, extra string, keys []string, fn func(now int64) (T, error)) (T, error) {
	var zero T
	if len(keys) == 0 {
		return zero, fmt.Errorf("%w: %s needs at least one key", ErrArity, name)
	}
	var ls keyspace.LockSet
	all := keys
	if extra != "" {
		all = append(append(make([]string, 0, len(keys)+1), keys...), extra)
	}
	now, err := db.lsLockKeys(&ls, all...)
	if err != nil {
		return zero, err
	}
	defer ls.Unlock(db.c.ks)
	return fn(now)
}

// SAdd adds members to the set at key, creating it, and returns how many
// were not members yet (Redis SADD).
func (db *DB) SAdd(key string, members ...string) (int, error) {
	if err := db.c.denyOOM(); err != nil {
		return 0, err
	}
	if db.c.viaEngine() {
		return db.aofSAdd(key, members)
	}
	return setOne(db, key, func(sh *keyspace.Shard, now int64) (int, error) {
		return command.SetAdd(db.c.eng, sh, db.db, key, strViews(members), now)
	})
}

// SRem removes members from the set at key and returns how many were
// members (Redis SREM). A set left empty is deleted.
func (db *DB) SRem(key string, members ...string) (int, error) {
	if db.c.viaEngine() {
		return db.aofSRem(key, members)
	}
	return setOne(db, key, func(sh *keyspace.Shard, now int64) (int, error) {
		return command.SetRem(sh, db.db, key, strViews(members), now)
	})
}

// SCard returns the number of members of the set at key, 0 when it does
// not exist (Redis SCARD).
func (db *DB) SCard(key string) (int, error) {
	return setOne(db, key, func(sh *keyspace.Shard, now int64) (int, error) {
		return command.SetCard(sh, db.db, key, now)
	})
}

// SIsMember reports whether member is in the set at key (Redis
// SISMEMBER).
func (db *DB) SIsMember(key, member string) (bool, error) {
	return setOne(db, key, func(sh *keyspace.Shard, now int64) (bool, error) {
		return command.SetIsMember(sh, db.db, key, strView(member), now)
	})
}

// SMIsMember reports, for each of members, whether it is in the set at
// key (Redis SMISMEMBER).
func (db *DB) SMIsMember(key string, members ...string) ([]bool, error) {
	return setOne(db, key, func(sh *keyspace.Shard, now int64) ([]bool, error) {
		return command.SetMIsMember(sh, db.db, key, strViews(members), now)
	})
}

// SMembers returns the members of the set at key, in no particular order
// (ascending for a set of integers); none when the key does not exist
// (Redis SMEMBERS).
func (db *DB) SMembers(key string) ([]string, error) {
	return setOne(db, key, func(sh *keyspace.Shard, now int64) ([]string, error) {
		return command.SetMembers(sh, db.db, key, now)
	})
}

// SPop removes and returns a random member of the set at key, or ErrNil
// when the key does not exist (Redis SPOP). A set left empty is deleted.
func (db *DB) SPop(key string) (string, error) {
	if db.c.viaEngine() {
		return db.aofSPop(key)
	}
	return setOne(db, key, func(sh *keyspace.Shard, now int64) (string, error) {
		return command.SetPop(sh, db.db, key, now)
	})
}

// SPopN removes and returns up to count random members (Redis SPOP key
// count); a negative count is ErrNotInteger.
func (db *DB) SPopN(key string, count int) ([]string, error) {
	if db.c.viaEngine() {
		return db.aofSPopN(key, count)
	}
	return setOne(db, key, func(sh *keyspace.Shard, now int64) ([]string, error) {
		return command.SetPopN(&db.c.eng.Limits, sh, db.db, key, int64(count), now)
	})
}

// SRandMember returns a random member of the set at key without removing
// it, or ErrNil when the key does not exist (Redis SRANDMEMBER).
func (db *DB) SRandMember(key string) (string, error) {
	return setOne(db, key, func(sh *keyspace.Shard, now int64) (string, error) {
		return command.SetRandMember(sh, db.db, key, now)
	})
}

// SRandMemberN returns random members without removing them (Redis
// SRANDMEMBER key count): for count > 0 up to count distinct members, for
// count < 0 exactly -count members that may repeat (at most 2^24, beyond
// which it is ErrNotInteger, "value is out of range").
func (db *DB) SRandMemberN(key string, count int) ([]string, error) {
	return setOne(db, key, func(sh *keyspace.Shard, now int64) ([]string, error) {
		return command.SetRandMembers(sh, db.db, key, int64(count), now)
	})
}

// SMove moves member from the set at src to the set at dst, atomically,
// and reports whether it was a member of src (Redis SMOVE).
func (db *DB) SMove(src, dst, member string) (bool, error) {
	if err := db.c.denyOOM(); err != nil {
		return false, err
	}
	if db.c.viaEngine() {
		return db.aofSMove(src, dst, member)
	}
	return setMulti(db, "SMOVE", dst, []string{src}, func(now int64) (bool, error) {
		return command.SetMove(db.c.eng, db.db, src, dst, strView(member), now)
	})
}

func (db *DB) combine(name string, op command.SetOp, keys []string) ([]string, error) {
	return setMulti(db, name, "", keys, func(now int64) ([]string, error) {
		ms, err := command.SetCombine(db.c.eng, db.db, op, strViews(keys), now)
		if err != nil {
			return nil, err
		}
		return ms.Strings(), nil
	})
}

func (db *DB) store(name string, op command.SetOp, dst string, keys []string) (int, error) {
	if err := db.c.denyOOM(); err != nil {
		return 0, err
	}
	if db.c.viaEngine() {
		return db.aofSetStore(name, dst, keys)
	}
	return setMulti(db, name, dst, keys, func(now int64) (int, error) {
		return command.SetStore(db.c.eng, db.db, dst, op, strViews(keys), now)
	})
}

// SInter returns the members present in every set at keys; a missing key
// is an empty set (Redis SINTER).
func (db *DB) SInter(keys ...string) ([]string, error) {
	return db.combine("SINTER", command.SetOpInter, keys)
}

// SInterCard returns the size of the intersection of the sets at keys,
// counting no further than limit when limit > 0 (Redis SINTERCARD).
func (db *DB) SInterCard(limit int, keys ...string) (int, error) {
	return setMulti(db, "SINTERCARD", "", keys, func(now int64) (int, error) {
		return command.SetInterCard(db.c.ks, db.db, strViews(keys), int64(limit), now)
	})
}

// SInterStore stores the intersection of the sets at keys at dst,
// replacing any value dst held, and returns its size (Redis SINTERSTORE).
// An empty result deletes dst.
func (db *DB) SInterStore(dst string, keys ...string) (int, error) {
	return db.store("SINTERSTORE", command.SetOpInter, dst, keys)
}

// SUnion returns the members of any of the sets at keys (Redis SUNION).
func (db *DB) SUnion(keys ...string) ([]string, error) {
	return db.combine("SUNION", command.SetOpUnion, keys)
}

// SUnionStore stores the union of the sets at keys at dst, as SInterStore
// does (Redis SUNIONSTORE).
func (db *DB) SUnionStore(dst string, keys ...string) (int, error) {
	return db.store("SUNIONSTORE", command.SetOpUnion, dst, keys)
}

// SDiff returns the members of the set at keys[0] that are in none of the
// other sets (Redis SDIFF).
func (db *DB) SDiff(keys ...string) ([]string, error) {
	return db.combine("SDIFF", command.SetOpDiff, keys)
}

// SDiffStore stores the difference of the sets at keys at dst, as
// SInterStore does (Redis SDIFFSTORE).
func (db *DB) SDiffStore(dst string, keys ...string) (int, error) {
	return db.store("SDIFFSTORE", command.SetOpDiff, dst, keys)
}

// SScan returns some members of the set at key from cursor, and the
// cursor to continue with, 0 when the iteration is complete (Redis
// SSCAN). match, when not empty, is a glob pattern the members must
// match; count is a hint of how many members to visit per call (0 means
// 10). Members present during the whole iteration are returned at least
// once.
func (db *DB) SScan(key string, cursor uint64, match string, count int) (members []string, next uint64, err error) {
	sh, now, err := db.lsLock(key)
	if err != nil {
		return nil, 0, err
	}
	defer sh.Unlock()
	o := command.SetScanOptions{Match: match, UseMatch: match != "", Count: count}
	ms, next, err := command.SetScan(sh, db.db, key, cursor, &o, now)
	if err != nil {
		return nil, 0, err
	}
	return ms.Strings(), next, nil
}
