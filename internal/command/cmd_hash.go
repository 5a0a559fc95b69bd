package command

import (
	"math"
	"strconv"
	"unsafe"

	"github.com/kevydb/kevy/internal/glob"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
)

// Hash commands (Redis's "hash" group). Each rule lives in an exported
// function taking the shard (whose lock the caller holds), so that the
// embedded API (kevy's hash.go) runs exactly the command's semantics.

func init() {
	hash := func(extra ...string) []string { return append([]string{"hash"}, extra...) }
	Register(
		&Command{Name: "hset", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hsetCmd, Categories: hash("write", "fast")},
		&Command{Name: "hmset", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hmsetCmd, Categories: hash("write", "fast")},
		&Command{Name: "hsetnx", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hsetnxCmd, Categories: hash("write", "fast")},
		&Command{Name: "hget", Arity: 3, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hgetCmd, Categories: hash("read", "fast")},
		&Command{Name: "hmget", Arity: -3, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hmgetCmd, Categories: hash("read", "fast")},
		&Command{Name: "hdel", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hdelCmd, Categories: hash("write", "fast")},
		&Command{Name: "hexists", Arity: 3, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hexistsCmd, Categories: hash("read", "fast")},
		&Command{Name: "hlen", Arity: 2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hlenCmd, Categories: hash("read", "fast")},
		&Command{Name: "hstrlen", Arity: 3, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hstrlenCmd, Categories: hash("read", "fast")},
		&Command{Name: "hkeys", Arity: 2, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hkeysCmd, Categories: hash("read", "slow")},
		&Command{Name: "hvals", Arity: 2, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hvalsCmd, Categories: hash("read", "slow")},
		&Command{Name: "hgetall", Arity: 2, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hgetallCmd, Categories: hash("read", "slow")},
		&Command{Name: "hincrby", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hincrbyCmd, Categories: hash("write", "fast")},
		&Command{Name: "hincrbyfloat", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hincrbyfloatCmd, Categories: hash("write", "fast")},
		&Command{Name: "hrandfield", Arity: -2, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hrandfieldCmd, Categories: hash("read", "slow")},
		&Command{Name: "hscan", Arity: -3, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1,
			Run: hscanCmd, Categories: hash("read", "slow")},
	)
	// Error texts of the hash and sorted-set commands, mapped to the
	// closest sentinel for DB.Do callers (errors.Is).
	wireToKind = append(wireToKind, hzWireKinds...)
}

// Error replies specific to the hash and sorted-set commands. They unwrap
// to the closest sentinel.
var (
	errHashNotInteger = &Error{Wire: "ERR hash value is not an integer", Kind: ErrNotInteger}
	errHashNotFloat   = &Error{Wire: "ERR hash value is not a float", Kind: ErrNotFloat}
	errHashIncrInf    = &Error{Wire: "ERR value is NaN or Infinity", Kind: ErrNotFloat}
	errHashIncrResult = &Error{Wire: "ERR increment would produce NaN or Infinity", Kind: ErrOverflow}
	// errHZRange is Redis's reply to a random-sampling count whose reply
	// would not fit (HRANDFIELD/ZRANDMEMBER).
	errHZRange = &Error{Wire: "ERR value is out of range", Kind: ErrNotInteger}
	// errHZCountMin is getRangeLongFromObjectOrReply's text for the
	// LONG_MIN count of HRANDFIELD and ZRANDMEMBER.
	errHZCountMin = &Error{Wire: "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807", Kind: ErrNotInteger}
)

// hzWireKinds maps the hash and sorted-set error texts that do not start
// with a generic prefix to sentinels.
var hzWireKinds = []struct {
	prefix string
	kind   error
}{
	{"ERR hash value is not an integer", ErrNotInteger},
	{"ERR hash value is not a float", ErrNotFloat},
	{"ERR value is NaN or Infinity", ErrNotFloat},
	{"ERR min or max is not a float", ErrNotFloat},
	{"ERR weight value is not a float", ErrNotFloat},
	{"ERR min or max not valid string range item", ErrSyntax},
	{"ERR resulting score is not a number (NaN)", ErrOverflow},
	{"ERR XX and NX options at the same time", ErrSyntax},
	{"ERR GT, LT, and/or NX options", ErrSyntax},
	{"ERR INCR option supports a single", ErrSyntax},
	{"ERR at least 1 input key is needed", ErrSyntax},
	{"ERR numkeys should be greater than 0", ErrInvalidValue},
	{"ERR count should be greater than 0", ErrInvalidValue},
	{"ERR LIMIT can't be negative", ErrInvalidValue},
}

// hzRandCountLimit bounds the reply of HRANDFIELD and ZRANDMEMBER with a
// negative count (repetitions allowed). Redis has no such bound and would
// build the reply until memory runs out; kevy refuses larger counts with
// "ERR value is out of range" instead.
const hzRandCountLimit = 1 << 24

// hzWireInvalidCursor is the reply to a malformed HSCAN/ZSCAN cursor.
const hzWireInvalidCursor = "ERR invalid cursor"

// hzBool is 1 for true and 0 for false (integer replies).
func hzBool(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// unlinkEmptyAggregate deletes the live entry e of db when the aggregate it
// holds has become empty (n == 0): Redis never keeps an empty hash, list,
// set or sorted set. It reports whether the key was deleted.
func unlinkEmptyAggregate(sh *keyspace.Shard, db int, e *keyspace.Entry, n int) bool {
	if n != 0 {
		return false
	}
	sh.Unlink(db, e)
	return true
}

// ---------------------------------------------------------------- lookups

// HashValue returns the hash stored at key for reading (Redis's
// lookupKeyRead; the shard lock must be held): nil when the key does not
// exist, ErrWrongType when it holds another type. The hash must not be
// retained beyond the lock.
func HashValue(sh *keyspace.Shard, db int, key string, now int64) (*object.Hash, error) {
	return lookupValue[object.Hash](sh, db, key, keyspace.TypeHash, now)
}

// hashWrite looks key up for writing (lookupKeyWrite): the hash and its
// entry, nils when missing, or ErrWrongType.
func hashWrite(sh *keyspace.Shard, db int, key string, now int64) (*object.Hash, *keyspace.Entry, error) {
	return lookupWrite[object.Hash](sh, db, key, keyspace.TypeHash, now)
}

// hashCreate adds an empty hash under key (which must be absent).
func hashCreate(sh *keyspace.Shard, db int, key string) *object.Hash {
	h := object.NewHash()
	sh.Add(db, key, keyspace.TypeHash, unsafe.Pointer(h))
	return h
}

// hashReplyErr replies with the error for err, reporting whether there was
// one.
func hashReplyErr(c *Ctx, err error) bool {
	if err == nil {
		return false
	}
	c.W.Error(ToWire(err))
	return true
}

// ------------------------------------------------------------ HSET family

// HashSet stores the field/value pairs of fv (fields and values
// alternating; an odd trailing element is ignored) in the hash at key,
// creating it when missing (HSET, HMSET; the shard lock must be held). It
// returns how many fields were new, or ErrWrongType. lim sets the
// encoding thresholds (nil means the defaults). The bytes are copied.
func HashSet(sh *keyspace.Shard, lim *object.Limits, db int, key string, fv [][]byte, now int64) (int, error) {
	h, _, err := hashWrite(sh, db, key, now)
	if err != nil {
		return 0, err
	}
	if h == nil {
		h = hashCreate(sh, db, key)
	}
	added := 0
	for i := 0; i+1 < len(fv); i += 2 {
		if h.Set(lim, fv[i], fv[i+1]) {
			added++
		}
	}
	sh.Dirty += int64(len(fv) / 2)
	return added, nil
}

func hsetCmd(c *Ctx, args [][]byte)  { hsetGeneric(c, args, "hset") }
func hmsetCmd(c *Ctx, args [][]byte) { hsetGeneric(c, args, "hmset") }

func hsetGeneric(c *Ctx, args [][]byte, name string) {
	if len(args)%2 != 0 {
		c.W.Error(WrongArity(name))
		return
	}
	key := Key(args[1])
	n, err := HashSet(c.Shard(key), &c.E.Limits, c.DB, key, args[2:], c.Now)
	c.notifyOK(err, NotifyHash, "hset", key)
	if hashReplyErr(c, err) {
		return
	}
	if name == "hmset" {
		c.OK()
		return
	}
	c.W.Int(int64(n))
}

// HashSetNX stores value under field only if the field is absent, creating
// the hash when the key is missing (HSETNX; the shard lock must be held),
// and reports whether it did. Errors: ErrWrongType.
func HashSetNX(sh *keyspace.Shard, lim *object.Limits, db int, key string, field, value []byte, now int64) (bool, error) {
	h, _, err := hashWrite(sh, db, key, now)
	if err != nil {
		return false, err
	}
	if h == nil {
		h = hashCreate(sh, db, key)
	} else if h.Exists(field) {
		return false, nil
	}
	h.Set(lim, field, value)
	sh.Dirty++
	return true, nil
}

func hsetnxCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	ok, err := HashSetNX(c.Shard(key), &c.E.Limits, c.DB, key, args[2], args[3], c.Now)
	if ok {
		c.Notify(NotifyHash, "hset", key)
	}
	if hashReplyErr(c, err) {
		return
	}
	c.W.Int(hzBool(ok))
}

// ------------------------------------------------------------- HGET family

func hgetCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	h, err := HashValue(c.Shard(key), c.DB, key, c.Now)
	if hashReplyErr(c, err) {
		return
	}
	if h != nil {
		if v, ok := h.Get(args[2]); ok {
			c.W.Bulk(v)
			return
		}
	}
	c.W.Null()
}

func hmgetCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	h, err := HashValue(c.Shard(key), c.DB, key, c.Now)
	if hashReplyErr(c, err) {
		return
	}
	c.W.ArrayLen(len(args) - 2)
	for _, f := range args[2:] {
		if h != nil {
			if v, ok := h.Get(f); ok {
				c.W.Bulk(v)
				continue
			}
		}
		c.W.Null()
	}
}

func hexistsCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	h, err := HashValue(c.Shard(key), c.DB, key, c.Now)
	if hashReplyErr(c, err) {
		return
	}
	c.W.Int(hzBool(h != nil && h.Exists(args[2])))
}

func hlenCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	h, err := HashValue(c.Shard(key), c.DB, key, c.Now)
	if hashReplyErr(c, err) {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	c.W.Int(int64(n))
}

func hstrlenCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	h, err := HashValue(c.Shard(key), c.DB, key, c.Now)
	if hashReplyErr(c, err) {
		return
	}
	n := 0
	if h != nil {
		n = h.StrLen(args[2])
	}
	c.W.Int(int64(n))
}

// HashDel removes fields from the hash at key and returns how many
// existed (HDEL; the shard lock must be held). The key is deleted when
// the hash becomes empty. Errors: ErrWrongType.
func HashDel(sh *keyspace.Shard, db int, key string, fields [][]byte, now int64) (int, error) {
	h, e, err := hashWrite(sh, db, key, now)
	if err != nil || h == nil {
		return 0, err
	}
	n := 0
	for _, f := range fields {
		if h.Delete(f) {
			n++
			if unlinkEmptyAggregate(sh, db, e, h.Len()) {
				break
			}
		}
	}
	sh.Dirty += int64(n)
	return n, nil
}

func hdelCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	n, err := HashDel(c.Shard(key), c.DB, key, args[2:], c.Now)
	c.notifyRemoved(err, n, NotifyHash, "hdel", key)
	if hashReplyErr(c, err) {
		return
	}
	c.W.Int(int64(n))
}

// Parts of a hash that HKEYS, HVALS and HGETALL reply with.
const (
	hashKeys = 1 << iota
	hashVals
)

func hkeysCmd(c *Ctx, args [][]byte)   { hgetallGeneric(c, args, hashKeys) }
func hvalsCmd(c *Ctx, args [][]byte)   { hgetallGeneric(c, args, hashVals) }
func hgetallCmd(c *Ctx, args [][]byte) { hgetallGeneric(c, args, hashKeys|hashVals) }

func hgetallGeneric(c *Ctx, args [][]byte, what int) {
	key := Key(args[1])
	h, err := HashValue(c.Shard(key), c.DB, key, c.Now)
	if hashReplyErr(c, err) {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if what == hashKeys|hashVals {
		c.W.MapLen(n)
	} else {
		c.W.ArrayLen(n)
	}
	if h == nil {
		return
	}
	for f, v := range h.All() {
		if what&hashKeys != 0 {
			c.W.Bulk(f)
		}
		if what&hashVals != 0 {
			c.W.Bulk(v)
		}
	}
}

// ------------------------------------------------------------ HINCRBY*

// HashIncrBy adds delta to the integer stored in field of the hash at key
// and returns the new value (HINCRBY; the shard lock must be held). A
// missing key or field counts as 0. Errors: ErrWrongType, "ERR hash value
// is not an integer" (unwrapping to ErrNotInteger), ErrOverflow.
func HashIncrBy(sh *keyspace.Shard, lim *object.Limits, db int, key string, field []byte, delta, now int64) (int64, error) {
	h, _, err := hashWrite(sh, db, key, now)
	if err != nil {
		return 0, err
	}
	var cur int64
	if h != nil {
		if v, ok := h.Get(field); ok {
			if cur, ok = ParseInt(v); !ok {
				return 0, errHashNotInteger
			}
		}
	}
	if (delta < 0 && cur < 0 && delta < math.MinInt64-cur) ||
		(delta > 0 && cur > 0 && delta > math.MaxInt64-cur) {
		return 0, ErrOverflow
	}
	cur += delta
	if h == nil {
		h = hashCreate(sh, db, key)
	}
	var buf [20]byte
	h.Set(lim, field, strconv.AppendInt(buf[:0], cur, 10))
	sh.Dirty++
	return cur, nil
}

func hincrbyCmd(c *Ctx, args [][]byte) {
	delta, ok := ParseInt(args[3])
	if !ok {
		c.W.Error(WireNotInteger)
		return
	}
	key := Key(args[1])
	n, err := HashIncrBy(c.Shard(key), &c.E.Limits, c.DB, key, args[2], delta, c.Now)
	c.notifyOK(err, NotifyHash, "hincrby", key)
	if hashReplyErr(c, err) {
		return
	}
	c.W.Int(n)
}

// hzIsInfText reports whether b, a number LongDouble.Parse accepted, is
// an infinity: strtold's only spellings of it are "inf" and "infinity"
// with an optional sign.
func hzIsInfText(b []byte) bool {
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		b = b[1:]
	}
	return EqualFold(b, "inf") || EqualFold(b, "infinity")
}

// HashIncrByFloat adds incr (a number in text, parsed like Redis's
// strtold) to the number stored in field of the hash at key, computing in
// long double precision as Redis does, and returns the new value's text
// (HINCRBYFLOAT; the shard lock must be held). A missing key or field
// counts as 0. Errors, in Redis's order: ErrNotFloat for a malformed incr,
// "ERR value is NaN or Infinity" for an infinite one (unwrapping to
// ErrNotFloat), ErrWrongType, "ERR hash value is not a float" (ErrNotFloat)
// and "ERR increment would produce NaN or Infinity" (ErrOverflow).
func HashIncrByFloat(sh *keyspace.Shard, lim *object.Limits, db int, key string, field, incr []byte, now int64) ([]byte, error) {
	var d, v LongDouble
	if !d.Parse(incr) {
		return nil, ErrNotFloat
	}
	if hzIsInfText(incr) {
		return nil, errHashIncrInf
	}
	h, _, err := hashWrite(sh, db, key, now)
	if err != nil {
		return nil, err
	}
	if h != nil {
		if cur, ok := h.Get(field); ok && !v.Parse(cur) {
			return nil, errHashNotFloat
		}
	}
	if !v.Add(&d) {
		return nil, errHashIncrResult
	}
	out := v.AppendHuman(nil)
	if h == nil {
		h = hashCreate(sh, db, key)
	}
	h.Set(lim, field, out)
	sh.Dirty++
	return out, nil
}

func hincrbyfloatCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	v, err := HashIncrByFloat(c.Shard(key), &c.E.Limits, c.DB, key, args[2], args[3], c.Now)
	c.notifyOK(err, NotifyHash, "hincrbyfloat", key)
	if hashReplyErr(c, err) {
		return
	}
	c.Propagate(pHSET, args[1], args[2], v)
	c.W.Bulk(v)
}

// ------------------------------------------------------------- HRANDFIELD

// parseRandCount parses the count and WITH* flag of HRANDFIELD and
// ZRANDMEMBER (args from the count on) with Redis's checks, returning the
// error text on failure.
func parseRandCount(args [][]byte, with string) (count int64, withValues bool, errText string) {
	n, ok := ParseInt(args[0])
	if !ok {
		return 0, false, WireNotInteger
	}
	if n == math.MinInt64 {
		return 0, false, errHZCountMin.Wire
	}
	if len(args) > 2 || (len(args) == 2 && !EqualFold(args[1], with)) {
		return 0, false, WireSyntax
	}
	if len(args) == 2 {
		withValues = true
		if n < -math.MaxInt64/2 || n > math.MaxInt64/2 {
			return 0, false, errHZRange.Wire
		}
	}
	return n, withValues, ""
}

// randReplyLen is the number of elements a count-ed random sampling of a
// value of size members replies with: min(count, size) for a positive
// count, -count for a negative one. ok is false when -count exceeds
// hzRandCountLimit.
func randReplyLen(count int64, size int) (int, bool) {
	if count >= 0 {
		return int(min(count, int64(size))), true
	}
	if count < -hzRandCountLimit {
		return 0, false
	}
	return int(-count), true
}

func hrandfieldCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	if len(args) == 2 {
		h, err := HashValue(c.Shard(key), c.DB, key, c.Now)
		if hashReplyErr(c, err) {
			return
		}
		if h != nil {
			if f, _, ok := h.RandomField(nil); ok {
				c.W.Bulk(f)
				return
			}
		}
		c.W.Null()
		return
	}
	count, withValues, errText := parseRandCount(args[2:], "withvalues")
	if errText != "" {
		c.W.Error(errText)
		return
	}
	h, err := HashValue(c.Shard(key), c.DB, key, c.Now)
	if hashReplyErr(c, err) {
		return
	}
	if h == nil || h.Len() == 0 || count == 0 {
		c.W.ArrayLen(0)
		return
	}
	n, ok := randReplyLen(count, h.Len())
	if !ok {
		c.W.Error(errHZRange.Wire)
		return
	}
	nested := withValues && c.W.Proto() > 2
	if withValues && !nested {
		c.W.ArrayLen(2 * n)
	} else {
		c.W.ArrayLen(n)
	}
	h.RandomFields(nil, int(count), func(f, v []byte) {
		if nested {
			c.W.ArrayLen(2)
		}
		c.W.Bulk(f)
		if withValues {
			c.W.Bulk(v)
		}
	})
}

// ------------------------------------------------------------------ HSCAN

// ValueScanArgs are the options of HSCAN and ZSCAN (and SSCAN-like commands).
type ValueScanArgs struct {
	// Match is a glob pattern the fields or members must match; nil or
	// "*" matches everything.
	Match []byte
	// Count is how many elements to visit per call (a hint); 0 means 10.
	Count int
}

// hzParseScanArgs parses "[MATCH pattern] [COUNT count]" with Redis's
// rules (TYPE is SCAN's only), returning the error text on failure.
func hzParseScanArgs(args [][]byte, o *ValueScanArgs) string {
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return WireSyntax
		}
		switch {
		case EqualFold(args[i], "count"):
			n, ok := ParseInt(args[i+1])
			if !ok {
				return WireNotInteger
			}
			if n < 1 {
				return WireSyntax
			}
			o.Count = int(min(n, math.MaxInt32))
		case EqualFold(args[i], "match"):
			o.Match = args[i+1]
		default:
			return WireSyntax
		}
	}
	return ""
}

// matchAll reports whether the pattern of o accepts everything. Redis
// skips matching for the pattern "*" (its matcher never matches an empty
// string).
func (o *ValueScanArgs) matchAll() bool {
	return o.Match == nil || (len(o.Match) == 1 && o.Match[0] == '*')
}

// scanBudget returns the element count and bucket budget of one SCAN-like
// call: COUNT (default 10) and 10 table steps per requested element.
func (o *ValueScanArgs) scanBudget() (count, steps int) {
	count = o.Count
	if count <= 0 {
		count = 10
	}
	return count, count * 10
}

// HashScan runs one HSCAN step over h from cursor and returns the next
// cursor (0 when done), calling fn for each field that matches o.Match.
// As in Redis, a listpack hash is returned whole with cursor 0; otherwise
// buckets are visited until Count elements (fields and values both count)
// were seen or 10*Count buckets were walked. The slices passed to fn
// alias the hash.
func HashScan(h *object.Hash, cursor uint64, o *ValueScanArgs, fn func(field, value []byte)) uint64 {
	count, steps := o.scanBudget()
	all := o.matchAll()
	seen := 0
	visit := func(f, v []byte) {
		seen += 2
		if all || glob.MatchBytes(o.Match, f, false) {
			fn(f, v)
		}
	}
	for {
		cursor = h.Scan(cursor, visit)
		steps--
		if cursor == 0 || steps <= 0 || seen >= count {
			return cursor
		}
	}
}

// hzEmptyScan replies ["0", []], Redis's answer to a scan of a missing
// key.
func hzEmptyScan(c *Ctx) {
	c.W.ArrayLen(2)
	c.W.BulkString("0")
	c.W.ArrayLen(0)
}

func hscanCmd(c *Ctx, args [][]byte) {
	cursor, ok := ParseCursor(args[2])
	if !ok {
		c.W.Error(hzWireInvalidCursor)
		return
	}
	key := Key(args[1])
	h, err := HashValue(c.Shard(key), c.DB, key, c.Now)
	if hashReplyErr(c, err) {
		return
	}
	if h == nil {
		hzEmptyScan(c)
		return
	}
	var o ValueScanArgs
	if errText := hzParseScanArgs(args[3:], &o); errText != "" {
		c.W.Error(errText)
		return
	}
	// The views stay valid until the reply is written: the lock is held
	// and nothing modifies the hash meanwhile.
	var small [32][]byte
	items := small[:0]
	next := HashScan(h, cursor, &o, func(f, v []byte) { items = append(items, f, v) })
	var num [20]byte
	c.W.ArrayLen(2)
	c.W.Bulk(strconv.AppendUint(num[:0], next, 10))
	c.W.ArrayLen(len(items))
	for _, b := range items {
		c.W.Bulk(b)
	}
}
