package command

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/kevydb/kevy/internal/glob"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
)

// Sorted-set commands (Redis's "sortedset" group). As for hashes, each
// rule lives in an exported function that the embedded API (kevy's
// zset.go) and, for the pops, the blocking commands reuse.

func init() {
	zs := func(extra ...string) []string { return append([]string{"sortedset"}, extra...) }
	one := func(name string, arity int, flags Flags, run Handler, cats ...string) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: 1, LastKey: 1, Step: 1,
			Run: run, Categories: zs(cats...)}
	}
	const (
		rw  = FlagWrite | FlagDenyOOM
		rwf = FlagWrite | FlagDenyOOM | FlagFast
		rf  = FlagReadOnly | FlagFast
		ro  = FlagReadOnly
		wf  = FlagWrite | FlagFast
	)
	Register(
		one("zadd", -4, rwf, zaddCmd, "write", "fast"),
		one("zincrby", 4, rwf, zincrbyCmd, "write", "fast"),
		one("zrem", -3, wf, zremCmd, "write", "fast"),
		one("zcard", 2, rf, zcardCmd, "read", "fast"),
		one("zscore", 3, rf, zscoreCmd, "read", "fast"),
		one("zmscore", -3, rf, zmscoreCmd, "read", "fast"),
		one("zrank", 3, rf, zrankCmd, "read", "fast"),
		one("zrevrank", 3, rf, zrevrankCmd, "read", "fast"),
		one("zcount", 4, rf, zcountCmd, "read", "fast"),
		one("zlexcount", 4, rf, zlexcountCmd, "read", "fast"),
		one("zrange", -4, ro, zrangeCmd, "read", "slow"),
		&Command{Name: "zrangestore", Arity: -5, Flags: rw, FirstKey: 1, LastKey: 2, Step: 1,
			Run: zrangestoreCmd, Categories: zs("write", "slow")},
		one("zrevrange", -4, ro, zrevrangeCmd, "read", "slow"),
		one("zrangebyscore", -4, ro, zrangebyscoreCmd, "read", "slow"),
		one("zrevrangebyscore", -4, ro, zrevrangebyscoreCmd, "read", "slow"),
		one("zrangebylex", -4, ro, zrangebylexCmd, "read", "slow"),
		one("zrevrangebylex", -4, ro, zrevrangebylexCmd, "read", "slow"),
		one("zremrangebyrank", 4, FlagWrite, zremrangebyrankCmd, "write", "slow"),
		one("zremrangebyscore", 4, FlagWrite, zremrangebyscoreCmd, "write", "slow"),
		one("zremrangebylex", 4, FlagWrite, zremrangebylexCmd, "write", "slow"),
		one("zpopmin", -2, wf, zpopminCmd, "write", "fast"),
		one("zpopmax", -2, wf, zpopmaxCmd, "write", "fast"),
		&Command{Name: "zmpop", Arity: -4, Flags: FlagWrite, Keys: zmpopKeys,
			Run: zmpopCmd, Categories: zs("write", "slow")},
		one("zrandmember", -2, ro, zrandmemberCmd, "read", "slow"),
		&Command{Name: "zunion", Arity: -3, Flags: ro, Keys: zcombineKeys,
			Run: zunionCmd, Categories: zs("read", "slow")},
		&Command{Name: "zinter", Arity: -3, Flags: ro, Keys: zcombineKeys,
			Run: zinterCmd, Categories: zs("read", "slow")},
		&Command{Name: "zdiff", Arity: -3, Flags: ro, Keys: zcombineKeys,
			Run: zdiffCmd, Categories: zs("read", "slow")},
		&Command{Name: "zintercard", Arity: -3, Flags: ro, Keys: zcombineKeys,
			Run: zintercardCmd, Categories: zs("read", "slow")},
		&Command{Name: "zunionstore", Arity: -4, Flags: rw, FirstKey: 1, LastKey: 1, Step: 1, Keys: zstoreKeys,
			Run: zunionstoreCmd, Categories: zs("write", "slow")},
		&Command{Name: "zinterstore", Arity: -4, Flags: rw, FirstKey: 1, LastKey: 1, Step: 1, Keys: zstoreKeys,
			Run: zinterstoreCmd, Categories: zs("write", "slow")},
		&Command{Name: "zdiffstore", Arity: -4, Flags: rw, FirstKey: 1, LastKey: 1, Step: 1, Keys: zstoreKeys,
			Run: zdiffstoreCmd, Categories: zs("write", "slow")},
		one("zscan", -3, ro, zscanCmd, "read", "slow"),
	)
}

// Error replies specific to the sorted-set commands.
var (
	errZAddNXXX      = &Error{Wire: "ERR XX and NX options at the same time are not compatible", Kind: ErrSyntax}
	errZAddGTLTNX    = &Error{Wire: "ERR GT, LT, and/or NX options at the same time are not compatible", Kind: ErrSyntax}
	errZAddIncrPairs = &Error{Wire: "ERR INCR option supports a single increment-element pair", Kind: ErrSyntax}
	errZScoreNaN     = &Error{Wire: "ERR resulting score is not a number (NaN)", Kind: ErrOverflow}
	errZNotFloat     = &Error{Wire: WireNotFloat, Kind: ErrNotFloat}
	errZRangeFloat   = &Error{Wire: "ERR min or max is not a float", Kind: ErrNotFloat}
	errZLexRange     = &Error{Wire: "ERR min or max not valid string range item", Kind: ErrSyntax}
	errZLimitRank    = &Error{Wire: "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX", Kind: ErrSyntax}
	errZLexScores    = &Error{Wire: "ERR syntax error, WITHSCORES not supported in combination with BYLEX", Kind: ErrSyntax}
	errZWeight       = &Error{Wire: "ERR weight value is not a float", Kind: ErrNotFloat}
	errZNumKeys      = &Error{Wire: "ERR numkeys should be greater than 0", Kind: ErrInvalidValue}
	errZPopCount     = &Error{Wire: "ERR count should be greater than 0", Kind: ErrInvalidValue}
	errZLimitNeg     = &Error{Wire: "ERR LIMIT can't be negative", Kind: ErrInvalidValue}
	errZSyntax       = &Error{Wire: WireSyntax, Kind: ErrSyntax}
	errZNotInteger   = &Error{Wire: WireNotInteger, Kind: ErrNotInteger}
)

// errZNoKeys is the reply to a numkeys below 1 for the named command.
func errZNoKeys(name string) *Error {
	return &Error{Wire: "ERR at least 1 input key is needed for '" + name + "' command", Kind: ErrSyntax}
}

// hzInt converts a 64-bit count or index to int, saturating.
func hzInt(v int64) int {
	if v > math.MaxInt {
		return math.MaxInt
	}
	if v < math.MinInt {
		return math.MinInt
	}
	return int(v)
}

// ---------------------------------------------------------------- lookups

// ZSetValue returns the sorted set stored at key for reading (Redis's
// lookupKeyRead; the shard lock must be held): nil when the key does not
// exist, ErrWrongType when it holds another type.
func ZSetValue(sh *keyspace.Shard, db int, key string, now int64) (*object.ZSet, error) {
	return lookupValue[object.ZSet](sh, db, key, keyspace.TypeZSet, now)
}

// zsetWrite looks key up for writing: the set and its entry, nils when
// missing, or ErrWrongType.
func zsetWrite(sh *keyspace.Shard, db int, key string, now int64) (*object.ZSet, *keyspace.Entry, error) {
	return lookupWrite[object.ZSet](sh, db, key, keyspace.TypeZSet, now)
}

// zsetStore makes z the value of dst, replacing whatever dst held (of any
// type, TTL included), or deletes dst when z is nil or empty (the *STORE
// commands). The lock of dst's shard must be held. It returns z's length.
func zsetStore(ks *keyspace.Keyspace, db int, dst string, z *object.ZSet, now int64) int {
	sh := ks.ShardFor(dst)
	sh.Delete(db, dst, now)
	if z == nil || z.Len() == 0 {
		return 0
	}
	sh.Add(db, dst, keyspace.TypeZSet, unsafe.Pointer(z))
	return z.Len()
}

// zsetReplyErr replies with the error for err, reporting whether there was
// one.
func zsetReplyErr(c *Ctx, err error) bool {
	if err == nil {
		return false
	}
	c.W.Error(ToWire(err))
	return true
}

// zWithScoresHeader announces n members, with their scores when
// withScores: 2n flat elements in RESP2, n [member, score] pairs in
// RESP3. It reports whether pairs are nested.
func zWithScoresHeader(w Reply, n int, withScores bool) (nested bool) {
	switch {
	case !withScores:
		w.ArrayLen(n)
	case w.Proto() > 2:
		w.ArrayLen(n)
		return true
	default:
		w.ArrayLen(2 * n)
	}
	return false
}

// zWriteMember writes one member announced by zWithScoresHeader.
func zWriteMember(w Reply, m []byte, s float64, withScores, nested bool) {
	if nested {
		w.ArrayLen(2)
	}
	w.Bulk(m)
	if withScores {
		w.Double(s)
	}
}

// ------------------------------------------------------------------- ZADD

// ZAddCheck rejects ZADD's incompatible option combinations for n
// score/member pairs, with Redis's errors (all unwrapping to ErrSyntax):
// NX with XX, GT/LT/NX together, INCR with several pairs.
func ZAddCheck(flags object.ZAddFlags, n int) error {
	nx, gt, lt := flags&object.ZAddNX != 0, flags&object.ZAddGT != 0, flags&object.ZAddLT != 0
	switch {
	case nx && flags&object.ZAddXX != 0:
		return errZAddNXXX
	case (gt && nx) || (lt && nx) || (gt && lt):
		return errZAddGTLTNX
	case flags&object.ZAddIncr != 0 && n > 1:
		return errZAddIncrPairs
	}
	return nil
}

// ZAddResult is what ZAddMembers did.
type ZAddResult struct {
	Added     int // members added
	Updated   int // existing members whose score changed
	Processed int // members that NX, XX, GT and LT did not skip
	// Score is the resulting score of the last processed member: ZADD
	// INCR's and ZINCRBY's reply (null when Processed is 0).
	Score float64
}

// ZAddMembers runs ZADD (and ZINCRBY, with object.ZAddIncr) on the sorted
// set at key (the shard lock must be held): members[i] gets scores[i]
// under flags. A missing key is created unless XX is set; like Redis 7.0,
// a new set starts in the skiplist encoding only when the first member is
// longer than lim's listpack value limit (or listpack sets are disabled).
// Errors, in Redis's order: those of ZAddCheck, ErrNotFloat for a NaN
// score (ZADD's parser rejects "nan"), ErrWrongType, and "ERR resulting
// score is not a number (NaN)" (unwrapping to ErrOverflow) when an
// increment meets the opposite infinity.
func ZAddMembers(sh *keyspace.Shard, lim *object.Limits, db int, key string, flags object.ZAddFlags, scores []float64, members [][]byte, now int64) (ZAddResult, error) {
	var r ZAddResult
	if err := ZAddCheck(flags, len(members)); err != nil {
		return r, err
	}
	if len(scores) < len(members) {
		return r, errZSyntax
	}
	for _, s := range scores[:len(members)] {
		if math.IsNaN(s) {
			return r, errZNotFloat
		}
	}
	z, e, err := zsetWrite(sh, db, key, now)
	if err != nil {
		return r, err
	}
	if z == nil {
		if flags&object.ZAddXX != 0 || len(members) == 0 {
			return r, nil
		}
		z = object.NewZSetSized(lim, 1, len(members[0]))
		e = sh.Add(db, key, keyspace.TypeZSet, unsafe.Pointer(z))
	}
	for i, m := range members {
		res, score, err := z.Add(lim, m, scores[i], flags)
		if err != nil {
			sh.Dirty += int64(r.Added + r.Updated)
			unlinkEmptyAggregate(sh, db, e, z.Len())
			return r, errZScoreNaN
		}
		switch res {
		case object.ZAddAdded:
			r.Added++
		case object.ZAddUpdated:
			r.Updated++
		case object.ZAddSkipped:
			continue
		}
		r.Processed++
		r.Score = score
	}
	sh.Dirty += int64(r.Added + r.Updated)
	return r, nil
}

func zaddCmd(c *Ctx, args [][]byte)    { zaddGeneric(c, args, 0) }
func zincrbyCmd(c *Ctx, args [][]byte) { zaddGeneric(c, args, object.ZAddIncr) }

// zaddGeneric is ZADD, and ZINCRBY with flags = ZAddIncr: like Redis,
// ZINCRBY goes through ZADD's parser, so "ZINCRBY k nx m" is a syntax
// error.
func zaddGeneric(c *Ctx, args [][]byte, flags object.ZAddFlags) {
	ch := false
	i := 2
opts:
	for ; i < len(args); i++ {
		a := args[i]
		switch {
		case EqualFold(a, "nx"):
			flags |= object.ZAddNX
		case EqualFold(a, "xx"):
			flags |= object.ZAddXX
		case EqualFold(a, "ch"):
			ch = true
		case EqualFold(a, "incr"):
			flags |= object.ZAddIncr
		case EqualFold(a, "gt"):
			flags |= object.ZAddGT
		case EqualFold(a, "lt"):
			flags |= object.ZAddLT
		default:
			break opts
		}
	}
	rest := len(args) - i
	if rest == 0 || rest%2 != 0 {
		c.W.Error(WireSyntax)
		return
	}
	if err := ZAddCheck(flags, rest/2); zsetReplyErr(c, err) {
		return
	}
	var sbuf [8]float64
	var mbuf [8][]byte
	scores, members := sbuf[:0], mbuf[:0]
	for j := i; j < len(args); j += 2 {
		s, err := object.ParseScore(args[j])
		if err != nil {
			c.W.Error(WireNotFloat)
			return
		}
		scores = append(scores, s)
		members = append(members, args[j+1])
	}
	key := Key(args[1])
	r, err := ZAddMembers(c.Shard(key), &c.E.Limits, c.DB, key, flags, scores, members, c.Now)
	c.notifyZAdd(err, r, flags, key)
	switch {
	case err != nil:
		c.W.Error(ToWire(err))
	case flags&object.ZAddIncr != 0 && r.Processed == 0:
		c.W.Null()
	case flags&object.ZAddIncr != 0:
		c.W.Double(r.Score)
	case ch:
		c.W.Int(int64(r.Added + r.Updated))
	default:
		c.W.Int(int64(r.Added))
	}
}

// ------------------------------------------------------------------- ZREM

// ZRem removes members from the sorted set at key and returns how many
// existed (ZREM; the shard lock must be held). The key is deleted when the
// set becomes empty. Errors: ErrWrongType.
func ZRem(sh *keyspace.Shard, db int, key string, members [][]byte, now int64) (int, error) {
	z, e, err := zsetWrite(sh, db, key, now)
	if err != nil || z == nil {
		return 0, err
	}
	n := 0
	for _, m := range members {
		if z.Remove(m) {
			n++
			if unlinkEmptyAggregate(sh, db, e, z.Len()) {
				break
			}
		}
	}
	sh.Dirty += int64(n)
	return n, nil
}

func zremCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	n, err := ZRem(c.Shard(key), c.DB, key, args[2:], c.Now)
	c.notifyRemoved(err, n, NotifyZSet, "zrem", key)
	if zsetReplyErr(c, err) {
		return
	}
	c.W.Int(int64(n))
}

// ------------------------------------------------------ single-key reads

// zsetRead is ZSetValue for a handler: on a wrong type it replies and
// reports false.
func zsetRead(c *Ctx, key []byte) (*object.ZSet, bool) {
	k := Key(key)
	z, err := ZSetValue(c.Shard(k), c.DB, k, c.Now)
	if zsetReplyErr(c, err) {
		return nil, false
	}
	return z, true
}

func zcardCmd(c *Ctx, args [][]byte) {
	z, ok := zsetRead(c, args[1])
	if !ok {
		return
	}
	n := 0
	if z != nil {
		n = z.Len()
	}
	c.W.Int(int64(n))
}

func zscoreCmd(c *Ctx, args [][]byte) {
	z, ok := zsetRead(c, args[1])
	if !ok {
		return
	}
	if z != nil {
		if s, ok := z.Score(args[2]); ok {
			c.W.Double(s)
			return
		}
	}
	c.W.Null()
}

func zmscoreCmd(c *Ctx, args [][]byte) {
	z, ok := zsetRead(c, args[1])
	if !ok {
		return
	}
	c.W.ArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		if z != nil {
			if s, ok := z.Score(m); ok {
				c.W.Double(s)
				continue
			}
		}
		c.W.Null()
	}
}

func zrankCmd(c *Ctx, args [][]byte)    { zrankGeneric(c, args, false) }
func zrevrankCmd(c *Ctx, args [][]byte) { zrankGeneric(c, args, true) }

func zrankGeneric(c *Ctx, args [][]byte, rev bool) {
	z, ok := zsetRead(c, args[1])
	if !ok {
		return
	}
	if z != nil {
		if r, _, ok := z.Rank(args[2], rev); ok {
			c.W.Int(int64(r))
			return
		}
	}
	c.W.Null()
}

// ParseScoreRange parses the min and max of ZCOUNT, ZRANGEBYSCORE and
// ZREMRANGEBYSCORE ("(" for exclusive, "-inf"/"+inf"), with Redis's error
// "ERR min or max is not a float" (unwrapping to ErrNotFloat).
func ParseScoreRange(min, max []byte) (object.ScoreRange, error) {
	r, err := object.ParseScoreRange(min, max)
	if err != nil {
		return r, errZRangeFloat
	}
	return r, nil
}

// ParseLexRange parses the min and max of ZLEXCOUNT, ZRANGEBYLEX and
// ZREMRANGEBYLEX ("[a", "(a", "-", "+"), with Redis's error "ERR min or max
// not valid string range item" (unwrapping to ErrSyntax). The range
// aliases min and max.
func ParseLexRange(min, max []byte) (object.LexRange, error) {
	r, err := object.ParseLexRange(min, max)
	if err != nil {
		return r, errZLexRange
	}
	return r, nil
}

func zcountCmd(c *Ctx, args [][]byte) {
	r, err := ParseScoreRange(args[2], args[3])
	if zsetReplyErr(c, err) {
		return
	}
	z, ok := zsetRead(c, args[1])
	if !ok {
		return
	}
	n := 0
	if z != nil {
		n = z.Count(r)
	}
	c.W.Int(int64(n))
}

func zlexcountCmd(c *Ctx, args [][]byte) {
	r, err := ParseLexRange(args[2], args[3])
	if zsetReplyErr(c, err) {
		return
	}
	z, ok := zsetRead(c, args[1])
	if !ok {
		return
	}
	n := 0
	if z != nil {
		n = z.LexCount(r)
	}
	c.W.Int(int64(n))
}

// ----------------------------------------------------------- ZRANGE family

// ZRangeKind says how a ZRANGE-family command reads its min and max.
type ZRangeKind uint8

// Range kinds.
const (
	ZByRank  ZRangeKind = iota // 0-based indexes, negative from the end
	ZByScore                   // score interval (ParseScoreRange)
	ZByLex                     // member interval (ParseLexRange)
)

// ZRangeSpec is a parsed ZRANGE-family request.
type ZRangeSpec struct {
	Kind ZRangeKind
	// Rev walks from the highest score down (REV, ZREV* commands). The
	// intervals keep Min <= Max either way.
	Rev bool
	// Start and Stop are the inclusive indexes of ZByRank.
	Start, Stop int64
	// Score is the interval of ZByScore.
	Score object.ScoreRange
	// Lex is the interval of ZByLex; it aliases the command's arguments.
	Lex object.LexRange
	// Offset and Count are LIMIT's (ZByScore and ZByLex): skip Offset
	// matching members (a negative Offset yields nothing), then return at
	// most Count of them (a negative Count means all).
	Offset, Count int64
	// WithScores asks for the scores in the reply.
	WithScores bool
}

// zDirAuto and zKindAuto mark an unset direction or kind while parsing.
const (
	zDirAuto  = -1
	zKindAuto = ZRangeKind(0xff)
)

// parseZRange parses a ZRANGE-family command whose source key is
// args[keyIdx] (min and max follow it), with Redis 7.0's rules and error
// order. kind and rev are fixed by the legacy commands (ZREVRANGE,
// ZRANGEBYSCORE...) and zKindAuto / zDirAuto for ZRANGE and ZRANGESTORE,
// which accept BYSCORE, BYLEX and REV; store forbids WITHSCORES.
func parseZRange(args [][]byte, keyIdx int, store bool, kind ZRangeKind, rev int, sp *ZRangeSpec) error {
	*sp = ZRangeSpec{Count: -1}
	for j := keyIdx + 3; j < len(args); j++ {
		a := args[j]
		switch {
		case !store && EqualFold(a, "withscores"):
			sp.WithScores = true
		case EqualFold(a, "limit") && len(args)-j-1 >= 2:
			off, ok := ParseInt(args[j+1])
			if !ok {
				return errZNotInteger
			}
			cnt, ok := ParseInt(args[j+2])
			if !ok {
				return errZNotInteger
			}
			sp.Offset, sp.Count = off, cnt
			j += 2
		case rev == zDirAuto && EqualFold(a, "rev"):
			rev = 1
		case kind == zKindAuto && EqualFold(a, "bylex"):
			kind = ZByLex
		case kind == zKindAuto && EqualFold(a, "byscore"):
			kind = ZByScore
		default:
			return errZSyntax
		}
	}
	if kind == zKindAuto {
		kind = ZByRank
	}
	sp.Kind, sp.Rev = kind, rev == 1
	// Redis tells "no LIMIT" by a count of -1, so "LIMIT 0 -1" is
	// accepted with a rank range.
	if sp.Count != -1 && kind == ZByRank {
		return errZLimitRank
	}
	if sp.WithScores && kind == ZByLex {
		return errZLexScores
	}
	lo, hi := args[keyIdx+1], args[keyIdx+2]
	if sp.Rev && kind != ZByRank {
		lo, hi = hi, lo // given as max, min
	}
	var err error
	switch kind {
	case ZByRank:
		var ok1, ok2 bool
		sp.Start, ok1 = ParseInt(lo)
		sp.Stop, ok2 = ParseInt(hi)
		if !ok1 || !ok2 {
			return errZNotInteger
		}
	case ZByScore:
		sp.Score, err = ParseScoreRange(lo, hi)
	case ZByLex:
		sp.Lex, err = ParseLexRange(lo, hi)
	}
	return err
}

// ZRangeEach calls fn for each member of the range sp of z, in reply
// order, and returns how many there were. The member slices alias z.
func ZRangeEach(z *object.ZSet, sp *ZRangeSpec, fn func(member []byte, score float64)) int {
	switch sp.Kind {
	case ZByRank:
		return z.RangeByRank(hzInt(sp.Start), hzInt(sp.Stop), sp.Rev, fn)
	case ZByScore:
		return z.RangeByScore(sp.Score, sp.Rev, hzInt(sp.Offset), hzInt(sp.Count), fn)
	}
	return z.RangeByLex(sp.Lex, sp.Rev, hzInt(sp.Offset), hzInt(sp.Count), fn)
}

// zrankLen returns how many members the rank range sp selects in z.
func zrankLen(z *object.ZSet, sp *ZRangeSpec) int {
	from, to, ok := object.ZRankRange(hzInt(sp.Start), hzInt(sp.Stop), z.Len())
	if !ok {
		return 0
	}
	return to - from + 1
}

// hzItem is a member view and its score, collected before replying.
type hzItem struct {
	m []byte
	s float64
}

// hzItemPool recycles the collection buffers of ZRANGE and ZSCAN replies.
var hzItemPool = sync.Pool{New: func() any { s := make([]hzItem, 0, 64); return &s }}

// hzItemsMaxPooled bounds the buffers returned to hzItemPool, so that one
// huge reply does not pin its buffer.
const hzItemsMaxPooled = 4096

func hzGetItems() *[]hzItem { return hzItemPool.Get().(*[]hzItem) }

func hzPutItems(p *[]hzItem, items []hzItem) {
	if cap(items) > hzItemsMaxPooled {
		return
	}
	clear(items)
	*p = items[:0]
	hzItemPool.Put(p)
}

// ZRangeReply writes the range sp of z (nil for a missing key) as the
// ZRANGE family replies: an array of members, with their scores when
// sp.WithScores (flat in RESP2, [member, score] pairs in RESP3).
func ZRangeReply(w Reply, z *object.ZSet, sp *ZRangeSpec) {
	if z == nil {
		w.ArrayLen(0)
		return
	}
	if sp.Kind == ZByRank {
		nested := zWithScoresHeader(w, zrankLen(z, sp), sp.WithScores)
		ZRangeEach(z, sp, func(m []byte, s float64) { zWriteMember(w, m, s, sp.WithScores, nested) })
		return
	}
	// Score and lex ranges are collected first: the reply length must be
	// known before the elements, and a lex range over members of
	// different scores is not sorted, so it cannot be counted by rank.
	p := hzGetItems()
	items := (*p)[:0]
	ZRangeEach(z, sp, func(m []byte, s float64) { items = append(items, hzItem{m, s}) })
	nested := zWithScoresHeader(w, len(items), sp.WithScores)
	for _, it := range items {
		zWriteMember(w, it.m, it.s, sp.WithScores, nested)
	}
	hzPutItems(p, items)
}

func zrangeCmd(c *Ctx, args [][]byte)           { zrangeGeneric(c, args, zKindAuto, zDirAuto) }
func zrevrangeCmd(c *Ctx, args [][]byte)        { zrangeGeneric(c, args, ZByRank, 1) }
func zrangebyscoreCmd(c *Ctx, args [][]byte)    { zrangeGeneric(c, args, ZByScore, 0) }
func zrevrangebyscoreCmd(c *Ctx, args [][]byte) { zrangeGeneric(c, args, ZByScore, 1) }
func zrangebylexCmd(c *Ctx, args [][]byte)      { zrangeGeneric(c, args, ZByLex, 0) }
func zrevrangebylexCmd(c *Ctx, args [][]byte)   { zrangeGeneric(c, args, ZByLex, 1) }

func zrangeGeneric(c *Ctx, args [][]byte, kind ZRangeKind, rev int) {
	var sp ZRangeSpec
	if err := parseZRange(args, 1, false, kind, rev, &sp); zsetReplyErr(c, err) {
		return
	}
	z, ok := zsetRead(c, args[1])
	if !ok {
		return
	}
	ZRangeReply(c.W, z, &sp)
}

// ZRangeStore stores the range sp of the sorted set at src into dst
// (ZRANGESTORE; the locks of both keys' shards must be held) and returns
// the number of members stored. dst is replaced whatever it held (its TTL
// is dropped); an empty result deletes it. Errors: ErrWrongType when src
// holds another type (dst is then left alone).
func ZRangeStore(ks *keyspace.Keyspace, lim *object.Limits, db int, dst, src string, sp *ZRangeSpec, now int64) (int, error) {
	z, err := ZSetValue(ks.ShardFor(src), db, src, now)
	if err != nil {
		return 0, err
	}
	var res *object.ZSet
	if z != nil {
		// Like Redis, a rank range longer than the listpack limit starts
		// as a skiplist; other results convert as they grow.
		hint := 0
		if sp.Kind == ZByRank {
			hint = zrankLen(z, sp)
		}
		res = object.NewZSetSized(lim, hint, 0)
		ZRangeEach(z, sp, func(m []byte, s float64) { res.Add(lim, m, s, 0) })
	}
	return zsetStore(ks, db, dst, res, now), nil
}

func zrangestoreCmd(c *Ctx, args [][]byte) {
	var sp ZRangeSpec
	if err := parseZRange(args, 2, true, zKindAuto, zDirAuto, &sp); zsetReplyErr(c, err) {
		return
	}
	existed := c.ExistsForNotify(NotifyGeneric, Key(args[1]))
	n, err := ZRangeStore(c.E.KS, &c.E.Limits, c.DB, Key(args[1]), Key(args[2]), &sp, c.Now)
	if err == nil {
		c.NotifyStore(existed, n, NotifyZSet, "zrangestore", Key(args[1]))
	}
	if zsetReplyErr(c, err) {
		return
	}
	c.W.Int(int64(n))
}

// ZRemRange removes the members in the range sp (Kind, Start/Stop, Score
// or Lex; Rev, LIMIT and WithScores are ignored) from the sorted set at
// key and returns how many (ZREMRANGEBYRANK, ZREMRANGEBYSCORE,
// ZREMRANGEBYLEX; the shard lock must be held). The key is deleted when
// the set becomes empty. Errors: ErrWrongType.
func ZRemRange(sh *keyspace.Shard, db int, key string, sp *ZRangeSpec, now int64) (int, error) {
	z, e, err := zsetWrite(sh, db, key, now)
	if err != nil || z == nil {
		return 0, err
	}
	var n int
	switch {
	case sp.Kind == ZByRank:
		n = z.RemoveRangeByRank(hzInt(sp.Start), hzInt(sp.Stop))
	case sp.Kind == ZByScore:
		n = z.RemoveRangeByScore(sp.Score)
	case z.Encoding() == "listpack":
		// object.ZSet.RemoveRangeByLex miscounts on a listpack whose
		// members are not in lexicographical order (mixed scores) and
		// corrupts it; remove the members RangeByLex yields instead (at
		// most zset-max-listpack-entries of them).
		var buf [16][]byte
		ms := buf[:0]
		z.RangeByLex(sp.Lex, false, 0, -1, func(m []byte, _ float64) { ms = append(ms, append([]byte(nil), m...)) })
		for _, m := range ms {
			if z.Remove(m) {
				n++
			}
		}
	default:
		n = z.RemoveRangeByLex(sp.Lex)
	}
	if n > 0 {
		sh.Dirty += int64(n)
		unlinkEmptyAggregate(sh, db, e, z.Len())
	}
	return n, nil
}

func zremrangebyrankCmd(c *Ctx, args [][]byte)  { zremrangeGeneric(c, args, ZByRank) }
func zremrangebyscoreCmd(c *Ctx, args [][]byte) { zremrangeGeneric(c, args, ZByScore) }
func zremrangebylexCmd(c *Ctx, args [][]byte)   { zremrangeGeneric(c, args, ZByLex) }

func zremrangeGeneric(c *Ctx, args [][]byte, kind ZRangeKind) {
	sp := ZRangeSpec{Kind: kind}
	var err error
	switch kind {
	case ZByRank:
		var ok1, ok2 bool
		sp.Start, ok1 = ParseInt(args[2])
		sp.Stop, ok2 = ParseInt(args[3])
		if !ok1 || !ok2 {
			err = errZNotInteger
		}
	case ZByScore:
		sp.Score, err = ParseScoreRange(args[2], args[3])
	default:
		sp.Lex, err = ParseLexRange(args[2], args[3])
	}
	if zsetReplyErr(c, err) {
		return
	}
	key := Key(args[1])
	n, err := ZRemRange(c.Shard(key), c.DB, key, &sp, c.Now)
	c.notifyRemoved(err, n, NotifyZSet, zremrangeEvent(kind), key)
	if zsetReplyErr(c, err) {
		return
	}
	c.W.Int(int64(n))
}

// ------------------------------------------------------------ pops

// ZPopLayout is the reply shape of a sorted-set pop.
type ZPopLayout uint8

// Pop reply layouts.
const (
	// ZPopFlat is [member, score, ...]: ZPOPMIN/ZPOPMAX in RESP2, or
	// without a count.
	ZPopFlat ZPopLayout = iota
	// ZPopNested is [[member, score], ...]: ZPOPMIN/ZPOPMAX with a count
	// in RESP3.
	ZPopNested
	// ZPopKeyed is [key, member, score, ...]: BZPOPMIN/BZPOPMAX.
	ZPopKeyed
	// ZPopKeyedNested is [key, [[member, score], ...]]: ZMPOP/BZMPOP.
	ZPopKeyedNested
)

// zsetPop removes n members (1 <= n <= Len) from the low (high=false) or
// high end of z, the value of the live entry e, calling fn with each
// before it goes, and deletes the key once the set is empty.
func zsetPop(sh *keyspace.Shard, db int, e *keyspace.Entry, z *object.ZSet, high bool, n int, fn func(member []byte, score float64)) {
	if high {
		z.PopMax(n, fn)
	} else {
		z.PopMin(n, fn)
	}
	sh.Dirty += int64(n)
	unlinkEmptyAggregate(sh, db, e, z.Len())
}

// ZPop removes up to count members with the lowest scores (high=false,
// ZPOPMIN, high=false) or the highest (ZPOPMAX) from the sorted set at key (the shard
// lock must be held), calling fn with each in pop order (the member slice
// is valid during the call only), and deletes the key once the set is
// empty. It returns how many were popped. Errors: ErrWrongType.
func ZPop(sh *keyspace.Shard, db int, key string, high bool, count int, now int64, fn func(member []byte, score float64)) (int, error) {
	z, e, err := zsetWrite(sh, db, key, now)
	if err != nil || z == nil || count <= 0 {
		return 0, err
	}
	n := min(count, z.Len())
	zsetPop(sh, db, e, z, high, n, fn)
	return n, nil
}

// ZPopFirst finds the first of keys that exists (Redis's rule for ZMPOP,
// BZPOPMIN and BZMPOP: a sorted set is never empty): its index and entry,
// or -1 when none exists. The first existing key holding another type
// gives ErrWrongType. The locks of every key's shard must be held.
func ZPopFirst(ks *keyspace.Keyspace, db int, keys [][]byte, now int64) (int, *keyspace.Entry, error) {
	for i, k := range keys {
		key := Key(k)
		e := ks.ShardFor(key).LookupWrite(db, key, now)
		if e == nil {
			continue
		}
		if e.Type() != keyspace.TypeZSet {
			return -1, nil, ErrWrongType
		}
		return i, e, nil
	}
	return -1, nil, nil
}

// ZPopWrite pops up to count (>= 1) members from the low (high=false) or
// high end of the sorted set held by e, the live entry of key in db on
// shard sh (found with ZPopFirst or a lookup; the shard lock must be
// held), and writes them to w in the given layout, scores as doubles. The
// key is deleted once the set is empty. It returns how many were popped.
// ZPOPMIN, ZPOPMAX, ZMPOP, BZPOPMIN, BZPOPMAX and BZMPOP reply through it.
func ZPopWrite(w Reply, sh *keyspace.Shard, db int, e *keyspace.Entry, key []byte, high bool, count int64, layout ZPopLayout) int {
	z := (*object.ZSet)(e.Obj())
	n := int(min(count, int64(z.Len())))
	nested := false
	switch layout {
	case ZPopFlat:
		w.ArrayLen(2 * n)
	case ZPopNested:
		w.ArrayLen(n)
		nested = true
	case ZPopKeyed:
		w.ArrayLen(2*n + 1)
		w.Bulk(key)
	case ZPopKeyedNested:
		w.ArrayLen(2)
		w.Bulk(key)
		w.ArrayLen(n)
		nested = true
	}
	zsetPop(sh, db, e, z, high, n, func(m []byte, s float64) { zWriteMember(w, m, s, true, nested) })
	return n
}

func zpopminCmd(c *Ctx, args [][]byte) { zpopGeneric(c, args, false) }
func zpopmaxCmd(c *Ctx, args [][]byte) { zpopGeneric(c, args, true) }

func zpopGeneric(c *Ctx, args [][]byte, high bool) {
	if len(args) > 3 {
		c.W.Error(WireSyntax)
		return
	}
	count := int64(-1)
	if len(args) == 3 {
		n, ok := ParseInt(args[2])
		if !ok || n < 0 {
			c.W.Error(WireNotPositive)
			return
		}
		count = n
	}
	layout := ZPopFlat
	if c.W.Proto() > 2 && count != -1 {
		layout = ZPopNested
	}
	key := Key(args[1])
	sh := c.Shard(key)
	e := sh.LookupWrite(c.DB, key, c.Now)
	if e != nil && e.Type() != keyspace.TypeZSet {
		c.W.Error(WireWrongType)
		return
	}
	if e == nil || count == 0 {
		c.W.ArrayLen(0)
		return
	}
	ZPopWrite(c.W, sh, c.DB, e, args[1], high, max(count, 1), layout)
	c.notifyRemoved(nil, 1, NotifyZSet, zpopEvent(high), key)
}

// ZMPopArgs are the parsed arguments of ZMPOP and BZMPOP.
type ZMPopArgs struct {
	Keys  [][]byte // aliases the command's arguments
	Max   bool     // MAX rather than MIN
	Count int64    // COUNT, 1 by default
}

// ParseZMPop parses "numkeys key [key ...] MIN|MAX [COUNT count]" from
// args[numkeysIdx] on (1 for ZMPOP, 2 for BZMPOP) with Redis's checks and
// errors: "ERR numkeys should be greater than 0", syntax errors, "ERR
// count should be greater than 0".
func ParseZMPop(args [][]byte, numkeysIdx int, a *ZMPopArgs) error {
	n, ok := ParseInt(args[numkeysIdx])
	if !ok || n < 1 {
		return errZNumKeys
	}
	first := numkeysIdx + 1
	if n >= int64(len(args)-first) {
		return errZSyntax
	}
	whereIdx := first + int(n)
	a.Keys = args[first:whereIdx]
	switch {
	case EqualFold(args[whereIdx], "min"):
		a.Max = false
	case EqualFold(args[whereIdx], "max"):
		a.Max = true
	default:
		return errZSyntax
	}
	a.Count = -1
	for j := whereIdx + 1; j < len(args); j++ {
		if a.Count == -1 && EqualFold(args[j], "count") && j+1 < len(args) {
			j++
			c, ok := ParseInt(args[j])
			if !ok || c < 1 {
				return errZPopCount
			}
			a.Count = c
			continue
		}
		return errZSyntax
	}
	if a.Count == -1 {
		a.Count = 1
	}
	return nil
}

func zmpopCmd(c *Ctx, args [][]byte) {
	var a ZMPopArgs
	if err := ParseZMPop(args, 1, &a); zsetReplyErr(c, err) {
		return
	}
	i, e, err := ZPopFirst(c.E.KS, c.DB, a.Keys, c.Now)
	if zsetReplyErr(c, err) {
		return
	}
	if i < 0 {
		c.W.NullArray()
		return
	}
	key := Key(a.Keys[i])
	ZPopWrite(c.W, c.Shard(key), c.DB, e, a.Keys[i], a.Max, a.Count, ZPopKeyedNested)
	c.notifyRemoved(nil, 1, NotifyZSet, zpopEvent(a.Max), key)
	c.propagateZPop(a.Keys[i], a.Max, a.Count)
}

// hzSeq holds 0, 1, 2...: key index lists of consecutive keys are slices
// of it, so most numkeys commands find their keys without allocating.
var hzSeq = func() (a [256]int) {
	for i := range a {
		a[i] = i
	}
	return a
}()

// NumKeysIndexes returns the indexes of the numkeys keys that follow
// args[numkeysIdx] (ZUNION, ZMPOP, BZMPOP...). ok is false when numkeys is
// not an integer, is below 1, or exceeds the arguments left: the handler
// then rejects the command without touching data. The returned slice must
// not be modified.
func NumKeysIndexes(args [][]byte, numkeysIdx int) ([]int, bool) {
	if numkeysIdx >= len(args) {
		return nil, false
	}
	n, ok := ParseInt(args[numkeysIdx])
	first := numkeysIdx + 1
	if !ok || n < 1 || n > int64(len(args)-first) {
		return nil, false
	}
	end := first + int(n)
	if end <= len(hzSeq) {
		return hzSeq[first:end:end], true
	}
	idx := make([]int, 0, n)
	for i := first; i < end; i++ {
		idx = append(idx, i)
	}
	return idx, true
}

func zmpopKeys(args [][]byte) ([]int, bool)    { return NumKeysIndexes(args, 1) }
func zcombineKeys(args [][]byte) ([]int, bool) { return NumKeysIndexes(args, 1) }

// zstoreKeys: the destination, then the numkeys sources.
func zstoreKeys(args [][]byte) ([]int, bool) {
	src, ok := NumKeysIndexes(args, 2)
	if !ok {
		return nil, false
	}
	idx := make([]int, 0, len(src)+1)
	return append(append(idx, 1), src...), true
}

// ------------------------------------------------------------ ZRANDMEMBER

func zrandmemberCmd(c *Ctx, args [][]byte) {
	if len(args) == 2 {
		z, ok := zsetRead(c, args[1])
		if !ok {
			return
		}
		if z != nil {
			if m, _, ok := z.RandomMember(nil); ok {
				c.W.Bulk(m)
				return
			}
		}
		c.W.Null()
		return
	}
	count, withScores, errText := parseRandCount(args[2:], "withscores")
	if errText != "" {
		c.W.Error(errText)
		return
	}
	z, ok := zsetRead(c, args[1])
	if !ok {
		return
	}
	if z == nil || z.Len() == 0 || count == 0 {
		c.W.ArrayLen(0)
		return
	}
	n, ok := randReplyLen(count, z.Len())
	if !ok {
		c.W.Error(errHZRange.Wire)
		return
	}
	nested := zWithScoresHeader(c.W, n, withScores)
	z.RandomMembers(nil, int(count), func(m []byte, s float64) {
		zWriteMember(c.W, m, s, withScores, nested)
	})
}

// ------------------------------------------- ZUNION, ZINTER, ZDIFF family

// ZSetOp is a multi-key sorted-set operation.
type ZSetOp uint8

// Operations of ZCombine.
const (
	ZUnion ZSetOp = iota
	ZInter
	ZDiff
)

// ZAggregate is how ZUNION and ZINTER combine the hzWeighted scores of a
// member present in several inputs (AGGREGATE).
type ZAggregate uint8

// Aggregates.
const (
	ZAggSum ZAggregate = iota
	ZAggMin
	ZAggMax
)

// ZMember is a member and its score.
type ZMember struct {
	Member string
	Score  float64
}

// hzSource is one input of a multi-key operation: a sorted set, a set
// (members score 1), or neither (a missing key, empty).
type hzSource struct {
	z *object.ZSet
	s *object.Set
	n int
	w float64
}

// zsetSources looks up the inputs of ZUNION-like commands (Redis's
// lookupKeyRead; the locks of every key's shard must be held): sorted sets
// and sets are accepted, any other type gives ErrWrongType.
func zsetSources(ks *keyspace.Keyspace, db int, keys [][]byte, now int64) ([]hzSource, error) {
	srcs := make([]hzSource, len(keys))
	for i, k := range keys {
		key := Key(k)
		srcs[i].w = 1
		e := ks.ShardFor(key).Lookup(db, key, now)
		if e == nil {
			continue
		}
		switch e.Type() {
		case keyspace.TypeZSet:
			srcs[i].z = (*object.ZSet)(e.Obj())
			srcs[i].n = srcs[i].z.Len()
		case keyspace.TypeSet:
			srcs[i].s = (*object.Set)(e.Obj())
			srcs[i].n = srcs[i].s.Len()
		default:
			return nil, ErrWrongType
		}
	}
	return srcs, nil
}

// find returns the (unweighted) score of member in the source.
func (src *hzSource) find(member []byte) (float64, bool) {
	switch {
	case src.z != nil:
		return src.z.Score(member)
	case src.s != nil:
		return 1, src.s.Contains(member)
	}
	return 0, false
}

// each calls fn for every member of the source with its unweighted score.
// Members of a sorted set are views of its storage (stable while it is
// not modified); those of a set are copied, as an intset formats them
// into a transient buffer.
func (src *hzSource) each(fn func(member string, score float64) bool) {
	switch {
	case src.z != nil:
		for m, s := range src.z.All() {
			if !fn(Key(m), s) {
				return
			}
		}
	case src.s != nil:
		for m := range src.s.Members() {
			if !fn(string(m), 1) {
				return
			}
		}
	}
}

// zAggregate combines val into *target as Redis's zunionInterAggregate
// does: a NaN sum (inf + -inf) becomes 0; MIN and MAX keep the current
// value when the comparison fails.
func zAggregate(target *float64, val float64, agg ZAggregate) {
	switch agg {
	case ZAggSum:
		*target += val
		if math.IsNaN(*target) {
			*target = 0
		}
	case ZAggMin:
		if val < *target {
			*target = val
		}
	case ZAggMax:
		if val > *target {
			*target = val
		}
	}
}

// hzWeighted is score*w, with a NaN product (0 * inf) counted as 0.
func hzWeighted(score, w float64) float64 {
	v := score * w
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// zcombine computes op over srcs as Redis 7.0 does. Inputs are visited
// from the smallest (stable order for ties) for ZUNION and ZINTER, so that
// sums add up in Redis's order; ZDIFF keeps the first input first. With
// cardOnly it only counts the intersection, stopping at limit (> 0). The
// result is sorted by score, then member.
func zcombine(srcs []hzSource, op ZSetOp, agg ZAggregate, cardOnly bool, limit int64) ([]ZMember, int64) {
	if op != ZDiff {
		slices.SortStableFunc(srcs, func(a, b hzSource) int { return cmp.Compare(a.n, b.n) })
	}
	var out []ZMember
	var card int64
	switch op {
	case ZUnion:
		acc := make(map[string]float64, srcs[len(srcs)-1].n)
		for i := range srcs {
			src := &srcs[i]
			src.each(func(m string, s float64) bool {
				v := hzWeighted(s, src.w)
				if cur, ok := acc[m]; ok {
					zAggregate(&cur, v, agg)
					acc[m] = cur
				} else {
					acc[m] = v
				}
				return true
			})
		}
		out = make([]ZMember, 0, len(acc))
		for m, s := range acc {
			out = append(out, ZMember{m, s})
		}
	case ZInter:
		if srcs[0].n == 0 {
			break
		}
		first := &srcs[0]
		first.each(func(m string, s float64) bool {
			score := hzWeighted(s, first.w)
			for j := 1; j < len(srcs); j++ {
				v, ok := srcs[j].find(hzView(m))
				if !ok {
					return true
				}
				zAggregate(&score, v*srcs[j].w, agg)
			}
			if cardOnly {
				card++
				return limit <= 0 || card < limit
			}
			out = append(out, ZMember{m, score})
			return true
		})
	case ZDiff:
		if srcs[0].n == 0 {
			break
		}
		srcs[0].each(func(m string, s float64) bool {
			for j := 1; j < len(srcs); j++ {
				if _, ok := srcs[j].find(hzView(m)); ok {
					return true
				}
			}
			out = append(out, ZMember{m, s})
			return true
		})
	}
	slices.SortFunc(out, func(a, b ZMember) int {
		switch {
		case a.Score < b.Score:
			return -1
		case a.Score > b.Score:
			return 1
		}
		return strings.Compare(a.Member, b.Member)
	})
	return out, card
}

// hzView views s as bytes without copying (read-only).
func hzView(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// ZCombine computes ZUNION (op ZUnion), ZINTER or ZDIFF over the sorted
// sets or sets stored at keys, with Redis 7.0's rules: a missing key is
// empty, a set's members score 1, each input's scores are multiplied by
// its weight (weights nil means 1 each; ignored by ZDiff; a NaN product
// counts as 0), and a member found in several inputs gets their hzWeighted
// scores combined by agg (a NaN sum counts as 0). ZDiff keeps the first
// input's scores. The result is sorted by score, then member; its Member
// strings may alias the inputs and are valid only while the locks are
// held and the inputs unchanged. The locks of every key's shard must be
// held. Errors: ErrWrongType when a key holds neither a sorted set nor a
// set.
func ZCombine(ks *keyspace.Keyspace, db int, op ZSetOp, keys [][]byte, weights []float64, agg ZAggregate, now int64) ([]ZMember, error) {
	srcs, err := zsetSources(ks, db, keys, now)
	if err != nil || len(srcs) == 0 {
		return nil, err
	}
	if op != ZDiff {
		for i := range srcs {
			if i < len(weights) {
				srcs[i].w = weights[i]
			}
		}
	}
	out, _ := zcombine(srcs, op, agg, false, 0)
	return out, nil
}

// ParseAggregate maps an AGGREGATE argument (SUM, MIN or MAX, any case)
// to its ZAggregate; ok is false for anything else (a syntax error).
func ParseAggregate(b []byte) (agg ZAggregate, ok bool) {
	switch {
	case EqualFold(b, "sum"):
		return ZAggSum, true
	case EqualFold(b, "min"):
		return ZAggMin, true
	case EqualFold(b, "max"):
		return ZAggMax, true
	}
	return 0, false
}

// ZCombineCheck validates the inputs of a ZUNION-family call made through
// the embedded API (name is the command's, e.g. "zunionstore") with the
// errors the command gives for the equivalent arguments: no key ("ERR at
// least 1 input key is needed for 'name' command"), a weight count other
// than the key count (a syntax error), a NaN weight ("ERR weight value is
// not a float").
func ZCombineCheck(name string, nkeys int, weights []float64) error {
	if nkeys < 1 {
		return errZNoKeys(name)
	}
	if weights != nil && len(weights) != nkeys {
		return errZSyntax
	}
	for _, w := range weights {
		if math.IsNaN(w) {
			return errZWeight
		}
	}
	return nil
}

// zbuild makes a new sorted set of members (in any order), encoded as
// Redis encodes a *STORE result: listpack when it fits lim, skiplist
// otherwise.
func zbuild(lim *object.Limits, members []ZMember) *object.ZSet {
	maxLen := 0
	for i := range members {
		maxLen = max(maxLen, len(members[i].Member))
	}
	z := object.NewZSetSized(lim, len(members), maxLen)
	for i := range members {
		z.Add(lim, hzView(members[i].Member), members[i].Score, 0)
	}
	return z
}

// ZCombineStore is ZCombine storing its result in dst (ZUNIONSTORE,
// ZINTERSTORE, ZDIFFSTORE): dst is replaced whatever it held (its TTL is
// dropped), or deleted when the result is empty. It returns the result's
// length. The locks of dst's and every key's shard must be held. Errors:
// ErrWrongType for an input (dst is then left alone).
func ZCombineStore(ks *keyspace.Keyspace, lim *object.Limits, db int, dst string, op ZSetOp, keys [][]byte, weights []float64, agg ZAggregate, now int64) (int, error) {
	res, err := ZCombine(ks, db, op, keys, weights, agg, now)
	if err != nil {
		return 0, err
	}
	var z *object.ZSet
	if len(res) > 0 {
		z = zbuild(lim, res)
	}
	return zsetStore(ks, db, dst, z, now), nil
}

// ZInterCard returns the size of the intersection of the sorted sets or
// sets stored at keys, counting no further than limit when limit > 0
// (ZINTERCARD; the locks of every key's shard must be held). Errors:
// ErrWrongType.
func ZInterCard(ks *keyspace.Keyspace, db int, keys [][]byte, limit int64, now int64) (int64, error) {
	srcs, err := zsetSources(ks, db, keys, now)
	if err != nil || len(srcs) == 0 {
		return 0, err
	}
	_, n := zcombine(srcs, ZInter, ZAggSum, true, limit)
	return n, nil
}

func zunionCmd(c *Ctx, args [][]byte) {
	zcombineGeneric(c, args, ZUnion, "zunion", false, false)
}

func zinterCmd(c *Ctx, args [][]byte) {
	zcombineGeneric(c, args, ZInter, "zinter", false, false)
}

func zdiffCmd(c *Ctx, args [][]byte) {
	zcombineGeneric(c, args, ZDiff, "zdiff", false, false)
}

func zintercardCmd(c *Ctx, args [][]byte) {
	zcombineGeneric(c, args, ZInter, "zintercard", false, true)
}

func zunionstoreCmd(c *Ctx, args [][]byte) {
	zcombineGeneric(c, args, ZUnion, "zunionstore", true, false)
}

func zinterstoreCmd(c *Ctx, args [][]byte) {
	zcombineGeneric(c, args, ZInter, "zinterstore", true, false)
}

func zdiffstoreCmd(c *Ctx, args [][]byte) {
	zcombineGeneric(c, args, ZDiff, "zdiffstore", true, false)
}

// zcombineGeneric runs the ZUNION family with Redis's argument checks and
// error order: numkeys, the key count, input types, then the options.
func zcombineGeneric(c *Ctx, args [][]byte, op ZSetOp, name string, store, cardOnly bool) {
	numIdx := 1
	if store {
		numIdx = 2
	}
	n, ok := ParseInt(args[numIdx])
	if !ok {
		c.W.Error(WireNotInteger)
		return
	}
	if n < 1 {
		c.W.Error(errZNoKeys(name).Wire)
		return
	}
	first := numIdx + 1
	if n > int64(len(args)-first) {
		c.W.Error(WireSyntax)
		return
	}
	keys := args[first : first+int(n)]
	srcs, err := zsetSources(c.E.KS, c.DB, keys, c.Now)
	if zsetReplyErr(c, err) {
		return
	}
	agg, withScores, limit := ZAggSum, false, int64(0)
	for j := first + int(n); j < len(args); {
		rest := len(args) - j
		a := args[j]
		switch {
		case op != ZDiff && !cardOnly && int64(rest) >= n+1 && EqualFold(a, "weights"):
			j++
			for i := range srcs {
				w, err := object.ParseScore(args[j])
				if err != nil {
					c.W.Error(errZWeight.Wire)
					return
				}
				srcs[i].w = w
				j++
			}
		case op != ZDiff && !cardOnly && rest >= 2 && EqualFold(a, "aggregate"):
			var ok bool
			if agg, ok = ParseAggregate(args[j+1]); !ok {
				c.W.Error(WireSyntax)
				return
			}
			j += 2
		case !store && !cardOnly && EqualFold(a, "withscores"):
			withScores = true
			j++
		case cardOnly && rest >= 2 && EqualFold(a, "limit"):
			l, ok := ParseInt(args[j+1])
			if !ok || l < 0 {
				c.W.Error(errZLimitNeg.Wire)
				return
			}
			limit = l
			j += 2
		default:
			c.W.Error(WireSyntax)
			return
		}
	}
	res, card := zcombine(srcs, op, agg, cardOnly, limit)
	switch {
	case cardOnly:
		c.W.Int(card)
	case store:
		var z *object.ZSet
		if len(res) > 0 {
			z = zbuild(&c.E.Limits, res)
		}
		existed := c.ExistsForNotify(NotifyGeneric, Key(args[1]))
		stored := zsetStore(c.E.KS, c.DB, Key(args[1]), z, c.Now)
		c.NotifyStore(existed, stored, NotifyZSet, name, Key(args[1]))
		c.W.Int(int64(stored))
	default:
		nested := zWithScoresHeader(c.W, len(res), withScores)
		for i := range res {
			zWriteMember(c.W, hzView(res[i].Member), res[i].Score, withScores, nested)
		}
	}
}

// ------------------------------------------------------------------ ZSCAN

// ZSetScan runs one ZSCAN step over z from cursor and returns the next
// cursor (0 when done), calling fn for each member that matches o.Match,
// with HashScan's rules (a listpack set is returned whole with cursor 0).
// The member slices alias the set.
func ZSetScan(z *object.ZSet, cursor uint64, o *ValueScanArgs, fn func(member []byte, score float64)) uint64 {
	count, steps := o.scanBudget()
	all := o.matchAll()
	seen := 0
	visit := func(m []byte, s float64) {
		seen += 2
		if all || glob.MatchBytes(o.Match, m, false) {
			fn(m, s)
		}
	}
	for {
		cursor = z.Scan(cursor, visit)
		steps--
		if cursor == 0 || steps <= 0 || seen >= count {
			return cursor
		}
	}
}

func zscanCmd(c *Ctx, args [][]byte) {
	cursor, ok := ParseCursor(args[2])
	if !ok {
		c.W.Error(hzWireInvalidCursor)
		return
	}
	z, ok := zsetRead(c, args[1])
	if !ok {
		return
	}
	if z == nil {
		hzEmptyScan(c)
		return
	}
	var o ValueScanArgs
	if errText := hzParseScanArgs(args[3:], &o); errText != "" {
		c.W.Error(errText)
		return
	}
	p := hzGetItems()
	items := (*p)[:0]
	next := ZSetScan(z, cursor, &o, func(m []byte, s float64) { items = append(items, hzItem{m, s}) })
	var num [32]byte
	c.W.ArrayLen(2)
	c.W.Bulk(strconv.AppendUint(num[:0], next, 10))
	// Redis sends ZSCAN scores as strings (%.17g), in RESP3 too.
	c.W.ArrayLen(2 * len(items))
	for _, it := range items {
		c.W.Bulk(it.m)
		c.W.Bulk(object.FormatScore(num[:0], it.s))
	}
	hzPutItems(p, items)
}
