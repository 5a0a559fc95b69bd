package kevy

import (
	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
)

// Typed API for the sorted-set commands. As for hashes, each method takes
// the locks the command would and calls the command's own function in
// internal/command.

// Z is a sorted-set member with its score.
type Z struct {
	Member string
	Score  float64
}

// ZAddArgs are the conditions of ZADD. NX cannot be combined with XX, GT
// or LT, nor GT with LT (errors wrapping ErrSyntax).
type ZAddArgs struct {
	NX bool // only add new members
	XX bool // only update existing members (a missing key stays missing)
	GT bool // only update a member when its new score is greater
	LT bool // only update a member when its new score is less
	CH bool // count changed members, not only added ones (ZAddArgs's result)
}

func (a ZAddArgs) flags() object.ZAddFlags {
	var f object.ZAddFlags
	if a.NX {
		f |= object.ZAddNX
	}
	if a.XX {
		f |= object.ZAddXX
	}
	if a.GT {
		f |= object.ZAddGT
	}
	if a.LT {
		f |= object.ZAddLT
	}
	return f
}

// zsetRead runs fn on the sorted set at key (nil when the key does not
// exist) with the shard locked. A key of another type gives ErrWrongType.
func zsetRead[T any](db *DB, key string, fn func(z *object.ZSet) T) (T, error) {
	var zero T
	sh, now, err := db.hzLock(key)
	if err != nil {
		return zero, err
	}
	defer sh.Unlock()
	z, err := command.ZSetValue(sh, db.db, key, now)
	if err != nil {
		return zero, err
	}
	return fn(z), nil
}

// zadd runs ZADD with flags over members.
func (db *DB) zadd(key string, flags object.ZAddFlags, members []Z) (command.ZAddResult, error) {
	if err := db.c.denyOOM(); err != nil {
		return command.ZAddResult{}, err
	}
	var sbuf [8]float64
	var mbuf [8][]byte
	scores, ms := sbuf[:0], mbuf[:0]
	for _, m := range members {
		scores = append(scores, m.Score)
		ms = append(ms, hzView(m.Member))
	}
	sh, now, err := db.hzLock(key)
	if err != nil {
		return command.ZAddResult{}, err
	}
	defer sh.Unlock()
	r, err := command.ZAddMembers(sh, db.hzLimits(), db.db, key, flags, scores, ms, now)
	if err == nil && r.Added > 0 {
		db.c.eng.KeyReplaced(sh, db.db, key, now) // wake BZPOPMIN... waiters
	}
	return r, err
}

// ZAdd adds members to the sorted set at key, creating it when missing,
// or updates their scores, and returns how many were added (Redis ZADD).
// A NaN score gives ErrNotFloat; a key of another type ErrWrongType.
// Infinite scores are allowed.
func (db *DB) ZAdd(key string, members ...Z) (int, error) {
	return db.ZAddArgs(key, ZAddArgs{}, members...)
}

// ZAddArgs is ZAdd with ZADD's conditions. It returns how many members
// were added, or with args.CH added or updated.
func (db *DB) ZAddArgs(key string, args ZAddArgs, members ...Z) (int, error) {
	if db.c.viaEngine() {
		return db.aofZAdd(key, args, members)
	}
	r, err := db.zadd(key, args.flags(), members)
	if args.CH {
		return r.Added + r.Updated, err
	}
	return r.Added, err
}

// ZAddIncr adds member.Score to the score of member.Member (ZADD ... INCR)
// under args's conditions (CH is ignored) and returns the new score, or
// ErrNil when a condition prevented the update. Incrementing an infinite
// score by the opposite infinity gives ErrOverflow.
func (db *DB) ZAddIncr(key string, args ZAddArgs, member Z) (float64, error) {
	if db.c.viaEngine() {
		return db.aofZAddIncr(key, args, member)
	}
	r, err := db.zadd(key, args.flags()|object.ZAddIncr, []Z{member})
	if err == nil && r.Processed == 0 {
		err = ErrNil
	}
	return r.Score, err
}

// ZIncrBy adds incr to the score of member in the sorted set at key (a
// missing member or key counts as 0) and returns the new score (Redis
// ZINCRBY).
func (db *DB) ZIncrBy(key string, incr float64, member string) (float64, error) {
	return db.ZAddIncr(key, ZAddArgs{}, Z{Member: member, Score: incr})
}

// ZRem removes members from the sorted set at key and returns how many
// existed (Redis ZREM). The key is deleted when the set becomes empty.
func (db *DB) ZRem(key string, members ...string) (int, error) {
	var buf [16][]byte
	ms := hzViews(buf[:0], members)
	if db.c.viaEngine() {
		return db.aofZRem(key, members)
	}
	sh, now, err := db.hzLock(key)
	if err != nil {
		return 0, err
	}
	defer sh.Unlock()
	return command.ZRem(sh, db.db, key, ms, now)
}

// ZCard returns the number of members of the sorted set at key, 0 when
// it does not exist (Redis ZCARD).
func (db *DB) ZCard(key string) (int, error) {
	return zsetRead(db, key, func(z *object.ZSet) int {
		if z == nil {
			return 0
		}
		return z.Len()
	})
}

// ZScore returns the score of member in the sorted set at key (Redis
// ZSCORE), or ErrNil when the key or the member does not exist.
func (db *DB) ZScore(key, member string) (float64, error) {
	type res struct {
		s  float64
		ok bool
	}
	r, err := zsetRead(db, key, func(z *object.ZSet) res {
		if z == nil {
			return res{}
		}
		s, ok := z.Score(hzView(member))
		return res{s, ok}
	})
	if err == nil && !r.ok {
		err = ErrNil
	}
	return r.s, err
}

func (db *DB) zrank(key, member string, rev bool) (int64, error) {
	r, err := zsetRead(db, key, func(z *object.ZSet) int64 {
		if z == nil {
			return -1
		}
		if r, _, ok := z.Rank(hzView(member), rev); ok {
			return int64(r)
		}
		return -1
	})
	if err == nil && r < 0 {
		return 0, ErrNil
	}
	return r, err
}

// ZRank returns the 0-based rank of member in the sorted set at key, by
// ascending score (Redis ZRANK), or ErrNil when the key or the member
// does not exist.
func (db *DB) ZRank(key, member string) (int64, error) { return db.zrank(key, member, false) }

// ZRevRank is ZRank by descending score (Redis ZREVRANK).
func (db *DB) ZRevRank(key, member string) (int64, error) { return db.zrank(key, member, true) }

// ZCount returns how many members of the sorted set at key have a score
// between min and max, given as ZCOUNT takes them: "-inf", "+inf", a
// number, or "(" before a number for an exclusive bound. Malformed bounds
// give an error wrapping ErrNotFloat.
func (db *DB) ZCount(key, min, max string) (int, error) {
	r, err := command.ParseScoreRange(hzView(min), hzView(max))
	if err != nil {
		return 0, err
	}
	return zsetRead(db, key, func(z *object.ZSet) int {
		if z == nil {
			return 0
		}
		return z.Count(r)
	})
}

// zrange runs the range sp over the sorted set at key, collecting the
// members (and scores when withScores).
func (db *DB) zrange(key string, sp *command.ZRangeSpec) ([]Z, error) {
	return zsetRead(db, key, func(z *object.ZSet) []Z {
		out := []Z{}
		if z == nil {
			return out
		}
		command.ZRangeEach(z, sp, func(m []byte, s float64) {
			out = append(out, Z{Member: string(m), Score: s})
		})
		return out
	})
}

func zMembersOf(zs []Z, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	out := make([]string, len(zs))
	for i, z := range zs {
		out[i] = z.Member
	}
	return out, nil
}

// ZRange returns the members of the sorted set at key with ranks start to
// stop inclusive, by ascending score (Redis ZRANGE). Negative indexes
// count from the end: -1 is the last member. Out-of-range indexes are
// clamped; an empty range gives an empty slice.
func (db *DB) ZRange(key string, start, stop int64) ([]string, error) {
	return zMembersOf(db.ZRangeWithScores(key, start, stop))
}

// ZRangeWithScores is ZRange with the members' scores (ZRANGE ...
// WITHSCORES).
func (db *DB) ZRangeWithScores(key string, start, stop int64) ([]Z, error) {
	sp := command.ZRangeSpec{Kind: command.ZByRank, Start: start, Stop: stop, Count: -1}
	return db.zrange(key, &sp)
}

// ZRangeBy selects members by score (ZRangeByScore) or by member
// (ZRangeByLex).
type ZRangeBy struct {
	// Min and Max bound the range as the commands take them: for scores
	// "-inf", "+inf", a number, or "(" before a number for an exclusive
	// bound; for members "-", "+", "[member" (inclusive) or "(member"
	// (exclusive).
	Min, Max string
	// Offset and Count apply LIMIT Offset Count when either is non-zero:
	// skip Offset matching members, then return at most Count of them (a
	// negative Count returns all the rest; a negative Offset nothing).
	Offset, Count int64
	// Rev returns the members from the highest down (ZRANGE ... REV). Min
	// and Max keep their meaning.
	Rev bool
}

// spec converts by into a range request of the given kind.
func (by *ZRangeBy) spec(kind command.ZRangeKind) (command.ZRangeSpec, error) {
	sp := command.ZRangeSpec{Kind: kind, Rev: by.Rev, Count: -1}
	if by.Offset != 0 || by.Count != 0 {
		sp.Offset, sp.Count = by.Offset, by.Count
	}
	var err error
	if kind == command.ZByScore {
		sp.Score, err = command.ParseScoreRange(hzView(by.Min), hzView(by.Max))
	} else {
		sp.Lex, err = command.ParseLexRange(hzView(by.Min), hzView(by.Max))
	}
	return sp, err
}

// ZRangeByScore returns the members of the sorted set at key whose score
// lies within by (Redis ZRANGE ... BYSCORE [REV] [LIMIT]). Malformed bounds
// give an error wrapping ErrNotFloat.
func (db *DB) ZRangeByScore(key string, by ZRangeBy) ([]string, error) {
	return zMembersOf(db.ZRangeByScoreWithScores(key, by))
}

// ZRangeByScoreWithScores is ZRangeByScore with the members' scores.
func (db *DB) ZRangeByScoreWithScores(key string, by ZRangeBy) ([]Z, error) {
	sp, err := by.spec(command.ZByScore)
	if err != nil {
		return nil, err
	}
	return db.zrange(key, &sp)
}

// ZRangeByLex returns the members of the sorted set at key that lie
// within by, comparing members bytewise (Redis ZRANGE ... BYLEX [REV]
// [LIMIT]); it is meant for sets whose members all have the same score.
// Malformed bounds give an error wrapping ErrSyntax.
func (db *DB) ZRangeByLex(key string, by ZRangeBy) ([]string, error) {
	sp, err := by.spec(command.ZByLex)
	if err != nil {
		return nil, err
	}
	return zMembersOf(db.zrange(key, &sp))
}

func (db *DB) zpop(key string, count int, high bool) ([]Z, error) {
	if count < 0 {
		return nil, command.FromWire(command.WireNotPositive)
	}
	if db.c.viaEngine() {
		return db.aofZPop(key, count, high)
	}
	sh, now, err := db.hzLock(key)
	if err != nil {
		return nil, err
	}
	defer sh.Unlock()
	out := []Z{}
	_, err = command.ZPop(sh, db.db, key, high, count, now, func(m []byte, s float64) {
		out = append(out, Z{Member: string(m), Score: s})
	})
	return out, err
}

// ZPopMin removes and returns up to count members with the lowest scores
// from the sorted set at key, lowest first (Redis ZPOPMIN). The key is
// deleted when the set becomes empty. A negative count gives an error
// wrapping ErrNotInteger.
func (db *DB) ZPopMin(key string, count int) ([]Z, error) { return db.zpop(key, count, false) }

// ZPopMax is ZPopMin for the highest scores, highest first (Redis
// ZPOPMAX).
func (db *DB) ZPopMax(key string, count int) ([]Z, error) { return db.zpop(key, count, true) }

// ZStore describes the inputs of ZUnionStore and ZInterStore.
type ZStore struct {
	// Keys are the inputs: sorted sets, or sets (whose members score 1).
	// A missing key is an empty input. At least one is required.
	Keys []string
	// Weights multiply each input's scores (WEIGHTS); nil means 1 for
	// all, otherwise there must be one per key.
	Weights []float64
	// Aggregate combines the scores of a member found in several inputs:
	// "SUM" (the default when empty), "MIN" or "MAX", any case.
	Aggregate string
}

// zstore runs ZUNIONSTORE or ZINTERSTORE.
func (db *DB) zstore(name string, op command.ZSetOp, dest string, st ZStore) (int, error) {
	if err := db.c.denyOOM(); err != nil {
		return 0, err
	}
	c := db.c
	if c.closed.Load() {
		return 0, ErrClosed
	}
	if err := command.ZCombineCheck(name, len(st.Keys), st.Weights); err != nil {
		return 0, err
	}
	agg := command.ZAggSum
	if st.Aggregate != "" {
		var ok bool
		if agg, ok = command.ParseAggregate(hzView(st.Aggregate)); !ok {
			return 0, ErrSyntax
		}
	}
	if c.viaEngine() {
		return db.aofZStore(name, dest, st)
	}
	keys := hzViews(make([][]byte, 0, len(st.Keys)), st.Keys)
	var ls keyspace.LockSet
	ls.Add(c.ks.ShardIndex(dest))
	for _, k := range st.Keys {
		ls.Add(c.ks.ShardIndex(k))
	}
	ls.Lock(c.ks)
	defer ls.Unlock(c.ks)
	now := c.clk.NowMs()
	n, err := command.ZCombineStore(c.ks, db.hzLimits(), db.db, dest, op, keys, st.Weights, agg, now)
	if err == nil && n > 0 {
		c.eng.KeyReplaced(c.ks.ShardFor(dest), db.db, dest, now)
	}
	return n, err
}

// ZUnionStore stores in dest the union of the inputs, each member scored
// by the aggregate of its hzWeighted scores (Redis ZUNIONSTORE), and
// returns the size of the result. dest is replaced whatever it held, and
// deleted when the result is empty. It is atomic across keys. An input of
// another type gives ErrWrongType.
func (db *DB) ZUnionStore(dest string, st ZStore) (int, error) {
	return db.zstore("zunionstore", command.ZUnion, dest, st)
}

// ZInterStore is ZUnionStore for the members present in every input
// (Redis ZINTERSTORE).
func (db *DB) ZInterStore(dest string, st ZStore) (int, error) {
	return db.zstore("zinterstore", command.ZInter, dest, st)
}

// ZScan runs one step of a cursor iteration over the sorted set at key
// (Redis ZSCAN), with HScan's contract: match filters members ("" or "*"
// for all), count is a hint (0 means 10), the iteration ends when the
// returned cursor is 0.
func (db *DB) ZScan(key string, cursor uint64, match string, count int) (zs []Z, next uint64, err error) {
	o := command.ValueScanArgs{Count: max(count, 0)}
	if match != "" {
		o.Match = hzView(match)
	}
	type res struct {
		zs   []Z
		next uint64
	}
	r, err := zsetRead(db, key, func(z *object.ZSet) res {
		out := []Z{}
		if z == nil {
			return res{out, 0}
		}
		next := command.ZSetScan(z, cursor, &o, func(m []byte, s float64) {
			out = append(out, Z{Member: string(m), Score: s})
		})
		return res{out, next}
	})
	return r.zs, r.next, err
}
