package command

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"sync"

	"github.com/kevydb/kevy/internal/keyspace"
)

func init() {
	Register(
		&Command{Name: "get", Arity: 2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: getCmd, Categories: []string{"read", "string", "fast"}},
		&Command{Name: "set", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			Run: setCmd, Categories: []string{"write", "string", "slow"}},
		&Command{Name: "setnx", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: setnxCmd, Categories: []string{"write", "string", "fast"}},
		&Command{Name: "setex", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			Run: setexCmd, Categories: []string{"write", "string", "slow"}},
		&Command{Name: "psetex", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			Run: psetexCmd, Categories: []string{"write", "string", "slow"}},
		&Command{Name: "getset", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: getsetCmd, Categories: []string{"write", "string", "fast"}},
		&Command{Name: "getdel", Arity: 2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: getdelCmd, Categories: []string{"write", "string", "fast"}},
		&Command{Name: "getex", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: getexCmd, Categories: []string{"write", "string", "fast"}},
		&Command{Name: "mget", Arity: -2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1,
			Run: mgetCmd, Categories: []string{"read", "string", "fast"}},
		&Command{Name: "mset", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 2,
			Run: msetCmd, Categories: []string{"write", "string", "slow"}},
		&Command{Name: "msetnx", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 2,
			Run: msetnxCmd, Categories: []string{"write", "string", "slow"}},
		&Command{Name: "append", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: appendCmd, Categories: []string{"write", "string", "fast"}},
		&Command{Name: "strlen", Arity: 2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: strlenCmd, Categories: []string{"read", "string", "fast"}},
		&Command{Name: "getrange", Arity: 4, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1,
			Run: getrangeCmd, Categories: []string{"read", "string", "slow"}},
		&Command{Name: "substr", Arity: 4, Flags: FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1,
			Run: getrangeCmd, Categories: []string{"read", "string", "slow"}},
		&Command{Name: "setrange", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			Run: setrangeCmd, Categories: []string{"write", "string", "slow"}},
		&Command{Name: "incr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: incrCmd, Categories: []string{"write", "string", "fast"}},
		&Command{Name: "decr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: decrCmd, Categories: []string{"write", "string", "fast"}},
		&Command{Name: "incrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: incrbyCmd, Categories: []string{"write", "string", "fast"}},
		&Command{Name: "decrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: decrbyCmd, Categories: []string{"write", "string", "fast"}},
		&Command{Name: "incrbyfloat", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: incrbyfloatCmd, Categories: []string{"write", "string", "fast"}},
		&Command{Name: "lcs", Arity: -3, Flags: FlagReadOnly, FirstKey: 1, LastKey: 2, Step: 1,
			Run: lcsCmd, Categories: []string{"read", "string", "slow"}},
	)
}

// MaxStringSize is the largest string value APPEND and SETRANGE may build:
// Redis's default proto-max-bulk-len (512 MB). LCS also bounds its
// transient table by it.
const MaxStringSize = 512 << 20

// Error replies specific to the string commands. They unwrap to the
// closest sentinel.
var (
	errDecrOverflow = &Error{Wire: "ERR decrement would overflow", Kind: ErrOverflow}
	errNaNOrInf     = &Error{Wire: "ERR increment would produce NaN or Infinity", Kind: ErrOverflow}
	errTooLarge     = &Error{Wire: "ERR string exceeds maximum allowed size (proto-max-bulk-len)", Kind: ErrInvalidValue}
	errOffsetRange  = &Error{Wire: "ERR offset is out of range", Kind: ErrOutOfRange}
	errLCSType      = &Error{Wire: "ERR The specified keys must contain string values", Kind: ErrWrongType}
	errLCSLenIdx    = &Error{Wire: "ERR If you want both the length and indexes, please just use IDX.", Kind: ErrSyntax}
	errLCSTooLong   = &Error{Wire: "ERR String too long for LCS", Kind: ErrInvalidValue}
	errLCSMemory    = &Error{Wire: "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len", Kind: ErrInvalidValue}
)

// ---------------------------------------------------------------- GET/SET

// GetString returns a copy of the string value of key (the shard lock
// must be held): ErrNil when absent, ErrWrongType for another type. The
// embedded API's DB.Get and the GET command share it.
func GetString(sh *keyspace.Shard, db int, key string, now int64) ([]byte, error) {
	e := sh.LookupString(db, key, now)
	if e == nil {
		return nil, ErrNil
	}
	if e.Type() != keyspace.TypeString {
		return nil, ErrWrongType
	}
	return append(make([]byte, 0, len(e.Str())), e.Str()...), nil
}

// AppendString appends the string value of key to dst (the shard lock
// must be held) and returns the extended slice: ErrNil when absent,
// ErrWrongType for another type (dst is returned unchanged then). It does
// not allocate when dst has room.
func AppendString(dst []byte, sh *keyspace.Shard, db int, key string, now int64) ([]byte, error) {
	e := sh.Lookup(db, key, now)
	if e == nil {
		return dst, ErrNil
	}
	if e.Type() != keyspace.TypeString {
		return dst, ErrWrongType
	}
	return append(dst, e.Str()...), nil
}

// StringValue returns the string value of key, aliasing the keyspace's
// storage (valid under the shard lock until the next write), and ok=false
// when the key is missing or holds another type: MGET's rule.
func StringValue(sh *keyspace.Shard, db int, key string, now int64) (val []byte, ok bool) {
	e := sh.Lookup(db, key, now)
	if e == nil || e.Type() != keyspace.TypeString {
		return nil, false
	}
	return e.Str(), true
}

func getCmd(c *Ctx, args [][]byte) {
	e, ok := c.LookupType(Key(args[1]), keyspace.TypeString)
	if !ok {
		return
	}
	if e == nil {
		c.W.Null()
		return
	}
	c.W.Bulk(e.Str())
}

// SetMode selects SET's condition.
type SetMode uint8

// SET conditions.
const (
	SetAlways SetMode = iota
	SetNX             // only if the key does not exist
	SetXX             // only if the key exists
)

// SetParams are SET's parsed options. Deadline is absolute Unix ms (0 =
// no TTL).
type SetParams struct {
	Mode     SetMode
	Get      bool
	KeepTTL  bool
	Deadline int64
}

// SetString runs SET's semantics with the shard lock held: it returns the
// previous string value when p.Get (nil if none) and whether the value was
// written. A key of another type gives ErrWrongType when p.Get (nothing is
// written), and is overwritten otherwise. SETNX, SETEX, PSETEX and GETSET
// are SetString with the matching parameters.
func SetString(sh *keyspace.Shard, db int, key string, val []byte, p SetParams, now int64) (old []byte, written bool, err error) {
	var e *keyspace.Entry
	if p.Get || p.Mode != SetAlways || p.KeepTTL { // KEEPTTL must not keep an expired key's deadline
		if p.Get {
			e = sh.Lookup(db, key, now)
		} else {
			e = sh.LookupWrite(db, key, now)
		}
		if p.Get && e != nil {
			if e.Type() != keyspace.TypeString {
				return nil, false, ErrWrongType
			}
			old = append(make([]byte, 0, len(e.Str())), e.Str()...)
		}
		if (p.Mode == SetNX && e != nil) || (p.Mode == SetXX && e == nil) {
			return old, false, nil
		}
	}
	sh.SetString(db, key, val, p.Deadline, p.KeepTTL)
	return old, true, nil
}

// expireUnit says how SET/EXPIRE-family arguments are expressed.
type expireUnit uint8

const (
	unitSeconds expireUnit = iota
	unitMillis
)

// deadlineFrom converts an expire argument to an absolute Unix ms
// deadline, with Redis's checks: the value must be a positive integer that
// does not overflow once converted. relative says whether it is a TTL (EX,
// PX) rather than an absolute time (EXAT, PXAT). The error is the wire text.
func deadlineFrom(arg []byte, unit expireUnit, relative bool, now int64, cmd string) (int64, string) {
	v, ok := ParseInt(arg)
	if !ok {
		return 0, WireNotInteger
	}
	if v <= 0 || (unit == unitSeconds && v > math.MaxInt64/1000) {
		return 0, invalidExpire(cmd)
	}
	if unit == unitSeconds {
		v *= 1000
	}
	if relative {
		if v > math.MaxInt64-now {
			return 0, invalidExpire(cmd)
		}
		v += now
	}
	return v, ""
}

func invalidExpire(cmd string) string {
	return "ERR invalid expire time in '" + cmd + "' command"
}

// strOpts are the parsed options shared by SET and GETEX.
type strOpts struct {
	p        SetParams
	persist  bool
	expKind  byte // 0, or the option that gave expArg: 'x' EX, 'p' PX, 'X' EXAT, 'P' PXAT
	expArg   []byte
	unit     expireUnit
	relative bool
}

// parseStrOpts parses SET's options (getex=false) or GETEX's, with Redis's
// rules: NX/XX/GET/KEEPTTL belong to SET and PERSIST to GETEX; an option may
// repeat, but two different expire options, or an expire option with
// KEEPTTL or PERSIST, are a syntax error. It reports false on a syntax
// error.
func parseStrOpts(args [][]byte, getex bool, o *strOpts) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		set := !getex
		noTTLOpt := !o.p.KeepTTL && !o.persist
		kind := byte(0)
		switch {
		case set && EqualFold(a, "nx") && o.p.Mode != SetXX:
			o.p.Mode = SetNX
			continue
		case set && EqualFold(a, "xx") && o.p.Mode != SetNX:
			o.p.Mode = SetXX
			continue
		case set && EqualFold(a, "get"):
			o.p.Get = true
			continue
		case set && EqualFold(a, "keepttl") && o.expKind == 0 && !o.persist:
			o.p.KeepTTL = true
			continue
		case getex && EqualFold(a, "persist") && o.expKind == 0 && !o.p.KeepTTL:
			o.persist = true
			continue
		case EqualFold(a, "ex"):
			kind = 'x'
		case EqualFold(a, "px"):
			kind = 'p'
		case EqualFold(a, "exat"):
			kind = 'X'
		case EqualFold(a, "pxat"):
			kind = 'P'
		}
		if kind == 0 || !noTTLOpt || (o.expKind != 0 && o.expKind != kind) || i+1 >= len(args) {
			return false
		}
		o.expKind = kind
		o.expArg = args[i+1]
		o.unit = unitSeconds
		if kind == 'p' || kind == 'P' {
			o.unit = unitMillis
		}
		o.relative = kind == 'x' || kind == 'p'
		i++
	}
	return true
}

func setCmd(c *Ctx, args [][]byte) {
	var o strOpts
	if !parseStrOpts(args[3:], false, &o) {
		c.W.Error(WireSyntax)
		return
	}
	if o.expArg != nil {
		d, errText := deadlineFrom(o.expArg, o.unit, o.relative, c.Now, "set")
		if errText != "" {
			c.W.Error(errText)
			return
		}
		o.p.Deadline = d
	}
	key := Key(args[1])
	old, written, err := SetString(c.Shard(key), c.DB, key, args[2], o.p, c.Now)
	if written {
		c.notifySet(key, o.p.Deadline != 0)
	}
	if c.Logging() {
		switch {
		case !written:
			c.PropagateNone()
		case o.relative:
			c.propagateSetPXAT(args[1], args[2], o.p.Deadline)
		}
	}
	switch {
	case err != nil:
		c.W.Error(ToWire(err))
	case o.p.Get && old == nil:
		c.W.Null()
	case o.p.Get:
		c.W.Bulk(old)
	case written:
		c.OK()
	default:
		c.W.Null()
	}
}

func setnxCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	_, written, _ := SetString(c.Shard(key), c.DB, key, args[2], SetParams{Mode: SetNX}, c.Now)
	if written {
		c.notifySet(key, false)
	}
	if written {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}

func setexCmd(c *Ctx, args [][]byte)  { setexGeneric(c, args, unitSeconds, "setex") }
func psetexCmd(c *Ctx, args [][]byte) { setexGeneric(c, args, unitMillis, "psetex") }

func setexGeneric(c *Ctx, args [][]byte, unit expireUnit, name string) {
	d, errText := deadlineFrom(args[2], unit, true, c.Now, name)
	if errText != "" {
		c.W.Error(errText)
		return
	}
	key := Key(args[1])
	SetString(c.Shard(key), c.DB, key, args[3], SetParams{Deadline: d}, c.Now)
	c.notifySet(key, true)
	if c.Logging() {
		c.propagateSetPXAT(args[1], args[3], d)
	}
	c.OK()
}

func getsetCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	old, _, err := SetString(c.Shard(key), c.DB, key, args[2], SetParams{Get: true}, c.Now)
	if err == nil {
		c.notifySet(key, false)
	}
	switch {
	case err != nil:
		c.W.Error(ToWire(err))
	case old == nil:
		c.W.Null()
	default:
		c.W.Bulk(old)
	}
}

// ------------------------------------------------------------ GETDEL/GETEX

// GetDelString returns a copy of the string value of key and deletes the
// key (GETDEL; the shard lock must be held): ErrNil when absent,
// ErrWrongType (and no deletion) for another type.
func GetDelString(sh *keyspace.Shard, db int, key string, now int64) ([]byte, error) {
	e := sh.Lookup(db, key, now)
	if e == nil {
		return nil, ErrNil
	}
	if e.Type() != keyspace.TypeString {
		return nil, ErrWrongType
	}
	v := append(make([]byte, 0, len(e.Str())), e.Str()...)
	sh.Unlink(db, e)
	return v, nil
}

func getdelCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	sh := c.Shard(key)
	e, ok := c.LookupType(key, keyspace.TypeString)
	if !ok {
		return
	}
	if e == nil {
		c.W.Null()
		return
	}
	c.W.Bulk(e.Str())
	sh.Unlink(c.DB, e)
	c.Notify(NotifyGeneric, "del", key)
}

// GetExParams are GETEX's options: a new absolute deadline in Unix ms
// (0 = leave the TTL alone), or Persist to remove the TTL.
type GetExParams struct {
	Deadline int64
	Persist  bool
}

// ApplyGetEx applies GETEX's TTL change to e, a live string entry of db
// (the shard lock must be held): a deadline that is already due deletes
// the key (as Redis does for EXAT/PXAT in the past), another deadline
// replaces the TTL, Persist removes it.
func ApplyGetEx(sh *keyspace.Shard, db int, e *keyspace.Entry, p GetExParams, now int64) {
	switch {
	case p.Deadline != 0 && p.Deadline <= now:
		sh.Unlink(db, e)
	case p.Deadline != 0:
		sh.SetExpire(db, e, p.Deadline)
		sh.Dirty++
	case p.Persist && e.Expire() != 0:
		sh.SetExpire(db, e, 0)
		sh.Dirty++
	}
}

// GetExString returns a copy of the string value of key and applies p as
// ApplyGetEx does (GETEX; the shard lock must be held): ErrNil when
// absent, ErrWrongType for another type.
func GetExString(sh *keyspace.Shard, db int, key string, p GetExParams, now int64) ([]byte, error) {
	e := sh.Lookup(db, key, now)
	if e == nil {
		return nil, ErrNil
	}
	if e.Type() != keyspace.TypeString {
		return nil, ErrWrongType
	}
	v := append(make([]byte, 0, len(e.Str())), e.Str()...)
	ApplyGetEx(sh, db, e, p, now)
	return v, nil
}

func getexCmd(c *Ctx, args [][]byte) {
	var o strOpts
	if !parseStrOpts(args[2:], true, &o) {
		c.W.Error(WireSyntax)
		return
	}
	key := Key(args[1])
	// Redis looks the key up before validating the expire time: a missing
	// key replies nil whatever the time.
	e, ok := c.LookupType(key, keyspace.TypeString)
	if !ok {
		return
	}
	if e == nil {
		c.W.Null()
		return
	}
	p := GetExParams{Persist: o.persist}
	if o.expArg != nil {
		d, errText := deadlineFrom(o.expArg, o.unit, o.relative, c.Now, "getex")
		if errText != "" {
			c.W.Error(errText)
			return
		}
		p.Deadline = d
	}
	c.W.Bulk(e.Str())
	hadTTL := e.Expire() != 0
	ApplyGetEx(c.Shard(key), c.DB, e, p, c.Now)
	c.notifyGetEx(key, p, hadTTL)
	if p.Deadline != 0 && c.Logging() {
		c.propagateDeadline(args[1], p.Deadline, p.Deadline <= c.Now)
	}
}

// -------------------------------------------------------------- MGET/MSET

func mgetCmd(c *Ctx, args [][]byte) {
	c.W.ArrayLen(len(args) - 1)
	for _, a := range args[1:] {
		key := Key(a)
		if v, ok := StringValue(c.Shard(key), c.DB, key, c.Now); ok {
			c.W.Bulk(v)
		} else {
			c.W.Null()
		}
	}
}

// MSetPairs runs MSET (nx=false) or MSETNX (nx=true) over kv, which
// alternates keys and values (its length must be even), with the locks of
// every key's shard held. Each key is set with no TTL, later pairs winning
// over earlier ones with the same key. With nx nothing is written if any
// of the keys exists. It reports whether the values were written.
func MSetPairs(ks *keyspace.Keyspace, db int, kv [][]byte, nx bool, now int64) bool {
	if nx {
		for i := 0; i+1 < len(kv); i += 2 {
			key := Key(kv[i])
			if ks.ShardFor(key).LookupWrite(db, key, now) != nil {
				return false
			}
		}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		key := Key(kv[i])
		ks.ShardFor(key).SetString(db, key, kv[i+1], 0, false)
	}
	return true
}

func msetCmd(c *Ctx, args [][]byte) {
	if len(args)%2 == 0 {
		c.W.Error(WrongArity("mset"))
		return
	}
	MSetPairs(c.E.KS, c.DB, args[1:], false, c.Now)
	c.notifyMSet(args[1:])
	c.OK()
}

func msetnxCmd(c *Ctx, args [][]byte) {
	if len(args)%2 == 0 {
		c.W.Error(WrongArity("msetnx"))
		return
	}
	if MSetPairs(c.E.KS, c.DB, args[1:], true, c.Now) {
		c.notifyMSet(args[1:])
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}

// ------------------------------------------------- APPEND/STRLEN/*RANGE

// checkStringLength is Redis's check that a string of size bytes grown by
// add bytes stays within MaxStringSize.
func checkStringLength(size, add int64) error {
	if add > MaxStringSize-size {
		return errTooLarge
	}
	return nil
}

// AppendValue appends val to the string at key, creating it when missing
// (APPEND; the shard lock must be held), and returns the new length.
// Errors: ErrWrongType, or an *Error unwrapping to ErrInvalidValue when
// the result would exceed MaxStringSize. The grown string is reported as
// "raw" by OBJECT ENCODING, as in Redis.
func AppendValue(sh *keyspace.Shard, db int, key string, val []byte, now int64) (int64, error) {
	e := sh.LookupWrite(db, key, now)
	if e == nil {
		sh.SetString(db, key, val, 0, false)
		return int64(len(val)), nil
	}
	if e.Type() != keyspace.TypeString {
		return 0, ErrWrongType
	}
	olen := len(e.Str())
	if err := checkStringLength(int64(olen), int64(len(val))); err != nil {
		return 0, err
	}
	v := sh.GrowString(e, olen+len(val))
	copy(v[olen:], val)
	return int64(len(v)), nil
}

func appendCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	n, err := AppendValue(c.Shard(key), c.DB, key, args[2], c.Now)
	c.notifyOK(err, NotifyString, "append", key)
	if err != nil {
		c.W.Error(ToWire(err))
		return
	}
	c.W.Int(n)
}

// StrLen returns the length of the string at key, 0 when missing (STRLEN;
// the shard lock must be held), or ErrWrongType.
func StrLen(sh *keyspace.Shard, db int, key string, now int64) (int64, error) {
	e := sh.Lookup(db, key, now)
	if e == nil {
		return 0, nil
	}
	if e.Type() != keyspace.TypeString {
		return 0, ErrWrongType
	}
	return int64(len(e.Str())), nil
}

func strlenCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	n, err := StrLen(c.Shard(key), c.DB, key, c.Now)
	if err != nil {
		c.W.Error(ToWire(err))
		return
	}
	c.W.Int(n)
}

// RangeBounds converts GETRANGE's inclusive start and end indexes over a
// string of n bytes into a half-open byte range [lo, hi), with Redis 7.0's
// rules: negative indexes count from the end, a negative start greater
// than a negative end is empty, indexes are clamped into the string, and
// start > end (after clamping) is empty. ok is false for an empty range.
func RangeBounds(n, start, end int64) (lo, hi int64, ok bool) {
	if start < 0 && end < 0 && start > end {
		return 0, 0, false
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(start, 0)
	end = max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		return 0, 0, false
	}
	return start, end + 1, true
}

// GetRange returns the bytes of the string at key between start and end
// inclusive (GETRANGE/SUBSTR; the shard lock must be held), aliasing the
// keyspace's storage (valid until the next write). A missing key or an
// empty range gives an empty result; another type gives ErrWrongType.
func GetRange(sh *keyspace.Shard, db int, key string, start, end, now int64) ([]byte, error) {
	e := sh.Lookup(db, key, now)
	if e == nil {
		return nil, nil
	}
	if e.Type() != keyspace.TypeString {
		return nil, ErrWrongType
	}
	s := e.Str()
	lo, hi, ok := RangeBounds(int64(len(s)), start, end)
	if !ok {
		return nil, nil
	}
	return s[lo:hi], nil
}

func getrangeCmd(c *Ctx, args [][]byte) {
	start, ok1 := ParseInt(args[2])
	end, ok2 := ParseInt(args[3])
	if !ok1 || !ok2 {
		c.W.Error(WireNotInteger)
		return
	}
	key := Key(args[1])
	v, err := GetRange(c.Shard(key), c.DB, key, start, end, c.Now)
	if err != nil {
		c.W.Error(ToWire(err))
		return
	}
	c.W.Bulk(v)
}

// SetRangeValue overwrites the string at key from offset with val,
// zero-padding as needed and creating the key when missing (SETRANGE; the
// shard lock must be held), and returns the string's new length. An
// empty val changes nothing (and creates no key). Errors, in Redis's
// order: a negative offset ("ERR offset is out of range", unwrapping to
// ErrOutOfRange), ErrWrongType, and a result beyond MaxStringSize
// (unwrapping to ErrInvalidValue).
func SetRangeValue(sh *keyspace.Shard, db int, key string, offset int64, val []byte, now int64) (int64, error) {
	if offset < 0 {
		return 0, errOffsetRange
	}
	e := sh.LookupWrite(db, key, now)
	if e == nil {
		if len(val) == 0 {
			return 0, nil
		}
		if err := checkStringLength(offset, int64(len(val))); err != nil {
			return 0, err
		}
		e = sh.SetString(db, key, nil, 0, false)
		v := sh.GrowString(e, int(offset)+len(val))
		copy(v[offset:], val)
		return int64(len(v)), nil
	}
	if e.Type() != keyspace.TypeString {
		return 0, ErrWrongType
	}
	olen := len(e.Str())
	if len(val) == 0 {
		return int64(olen), nil
	}
	if err := checkStringLength(offset, int64(len(val))); err != nil {
		return 0, err
	}
	v := sh.GrowString(e, max(olen, int(offset)+len(val)))
	copy(v[offset:], val)
	return int64(len(v)), nil
}

func setrangeCmd(c *Ctx, args [][]byte) {
	offset, ok := ParseInt(args[2])
	if !ok {
		c.W.Error(WireNotInteger)
		return
	}
	key := Key(args[1])
	n, err := SetRangeValue(c.Shard(key), c.DB, key, offset, args[3], c.Now)
	if len(args[3]) > 0 {
		c.notifyOK(err, NotifyString, "setrange", key)
	}
	if err != nil {
		c.W.Error(ToWire(err))
		return
	}
	c.W.Int(n)
}

// ------------------------------------------------------------ INCR family

// overwriteString replaces the value of the live string entry e in place,
// keeping its TTL, and clears the "raw" mark (the value is a fresh
// number, reported by content as Redis does for INCR's result).
func overwriteString(sh *keyspace.Shard, e *keyspace.Entry, val []byte) {
	copy(sh.GrowString(e, len(val)), val)
	e.SetRaw(false)
	e.SetNoInt(false)
}

// IncrInt adds delta to the integer stored at key (INCR, INCRBY, DECR;
// the shard lock must be held) and returns the new value. A missing key
// counts as 0; the TTL is kept. Errors: ErrWrongType, ErrNotInteger when
// the value is not a Redis integer, ErrOverflow.
func IncrInt(sh *keyspace.Shard, db int, key string, delta, now int64) (int64, error) {
	e := sh.LookupWrite(db, key, now)
	var cur int64
	if e != nil {
		if e.Type() != keyspace.TypeString {
			return 0, ErrWrongType
		}
		v, ok := ParseInt(e.Str())
		if !ok {
			return 0, ErrNotInteger
		}
		cur = v
	}
	if (delta < 0 && cur < 0 && delta < math.MinInt64-cur) ||
		(delta > 0 && cur > 0 && delta > math.MaxInt64-cur) {
		return 0, ErrOverflow
	}
	cur += delta
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], cur, 10)
	if e == nil {
		sh.SetString(db, key, s, 0, false)
	} else {
		overwriteString(sh, e, s)
	}
	return cur, nil
}

// DecrInt subtracts delta from the integer stored at key (DECRBY; the
// shard lock must be held). delta = math.MinInt64 gives Redis's "ERR
// decrement would overflow" (unwrapping to ErrOverflow); otherwise it is
// IncrInt with -delta.
func DecrInt(sh *keyspace.Shard, db int, key string, delta, now int64) (int64, error) {
	if delta == math.MinInt64 {
		return 0, errDecrOverflow
	}
	return IncrInt(sh, db, key, -delta, now)
}

func incrReply(c *Ctx, n int64, err error) {
	if err != nil {
		c.W.Error(ToWire(err))
		return
	}
	c.W.Int(n)
}

func incrCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	n, err := IncrInt(c.Shard(key), c.DB, key, 1, c.Now)
	c.notifyOK(err, NotifyString, "incrby", key)
	incrReply(c, n, err)
}

func decrCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	n, err := IncrInt(c.Shard(key), c.DB, key, -1, c.Now)
	c.notifyOK(err, NotifyString, "incrby", key)
	incrReply(c, n, err)
}

func incrbyCmd(c *Ctx, args [][]byte) {
	delta, ok := ParseInt(args[2])
	if !ok {
		c.W.Error(WireNotInteger)
		return
	}
	key := Key(args[1])
	n, err := IncrInt(c.Shard(key), c.DB, key, delta, c.Now)
	c.notifyOK(err, NotifyString, "incrby", key)
	incrReply(c, n, err)
}

func decrbyCmd(c *Ctx, args [][]byte) {
	delta, ok := ParseInt(args[2])
	if !ok {
		c.W.Error(WireNotInteger)
		return
	}
	key := Key(args[1])
	n, err := DecrInt(c.Shard(key), c.DB, key, delta, c.Now)
	c.notifyOK(err, NotifyString, "incrby", key)
	incrReply(c, n, err)
}

// ------------------------------------------------------------ INCRBYFLOAT

// Redis computes INCRBYFLOAT and HINCRBYFLOAT in C long double: on x86-64
// the x87 extended format, a 64-bit significand with exponents down to
// 2^-16445 (subnormal) and up to just below 2^16384. LongDouble emulates
// it with a 64-bit big.Float and explicit range checks.
const (
	ldPrec = 64
	// ldMaxExp is the largest big.Float MantExp of a finite long double
	// (values below 2^16384).
	ldMaxExp = 16384
	// ldZeroExp: values at or below 2^-16446 (0.5 * 2^ldZeroExp, half the
	// smallest subnormal) round to zero.
	ldZeroExp = -16445
	// maxLongDoubleChars is Redis's MAX_LONG_DOUBLE_CHARS: longer inputs
	// are not numbers.
	maxLongDoubleChars = 5 * 1024
)

// LongDouble is a number with the precision and range of the C long double
// Redis uses for INCRBYFLOAT and HINCRBYFLOAT. The zero value is 0.
type LongDouble struct {
	f big.Float
}

// Parse sets x to the number in b with the rules of Redis's string2ld
// (strtold over the whole argument): optional sign, decimal or 0x
// hexadecimal digits with an optional fraction and exponent, or inf /
// infinity in any case; no spaces, nothing after the number, no NaN,
// at most 5119 bytes, and no value that overflows or underflows to zero.
// It reports whether b is such a number.
func (x *LongDouble) Parse(b []byte) bool {
	if len(b) == 0 || len(b) >= maxLongDoubleChars {
		return false
	}
	x.f.SetPrec(ldPrec)
	x.f.SetMode(big.ToNearestEven)
	neg := false
	i := 0
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		i++
	}
	if rest := b[i:]; EqualFold(rest, "inf") || EqualFold(rest, "infinity") {
		x.f.SetInf(neg)
		return true
	}
	if x.parseShortDecimal(b[i:]) {
		if neg {
			x.f.Neg(&x.f)
		}
		return true
	}
	zero, tooBig, tooSmall, ok := scanFloatSyntax(b[i:])
	switch {
	case !ok || tooBig || tooSmall:
		return false
	case zero:
		x.f.SetInt64(0)
		if neg {
			x.f.Neg(&x.f)
		}
		return true
	}
	if _, _, err := x.f.Parse(Key(b), 0); err != nil {
		return false
	}
	return x.inRange()
}

// pow10u64 holds 10^0 .. 10^19.
var pow10u64 = [20]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// parseShortDecimal is Parse's allocation-free path for the common
// unsigned "digits[.digits]" form with at most 19 significant digits and
// at most 19 decimals: the value M/10^k is rounded to 64 bits exactly
// (round half to even) with 128-bit integer arithmetic, as strtold rounds.
// It reports false, leaving x alone, for any other form.
func (x *LongDouble) parseShortDecimal(s []byte) bool {
	var m uint64
	sig, frac, digits := 0, 0, 0
	dot := false
	for _, c := range s {
		switch {
		case c == '.' && !dot:
			dot = true
			continue
		case c < '0' || c > '9':
			return false
		}
		digits++
		if dot {
			frac++
		}
		if m == 0 && c == '0' {
			continue
		}
		if sig++; sig > 19 {
			return false
		}
		m = m*10 + uint64(c-'0')
	}
	if digits == 0 || frac > 19 {
		return false
	}
	x.f.SetPrec(ldPrec)
	x.f.SetMode(big.ToNearestEven)
	if m == 0 || frac == 0 {
		x.f.SetUint64(m)
		return true
	}
	// Find q, the 64-bit quotient of m*2^sh / 10^frac with its top bit
	// set, then round it with the remainder.
	d := pow10u64[frac]
	sh := 63 + bits.Len64(d) - bits.Len64(m)
	hi, lo := shl128(m, sh)
	q, r := bits.Div64(hi, lo, d)
	if q < 1<<63 {
		sh++
		hi, lo = shl128(m, sh)
		q, r = bits.Div64(hi, lo, d)
	}
	if r > d-r || (r == d-r && q&1 == 1) {
		q++
		if q == 0 { // carried out of 64 bits: 2^64 = 2^63 * 2
			q = 1 << 63
			sh--
		}
	}
	x.f.SetUint64(q)
	x.f.SetMantExp(&x.f, -sh)
	return true
}

// shl128 returns the 128-bit m<<sh as (hi, lo), for 0 <= sh < 128.
func shl128(m uint64, sh int) (hi, lo uint64) {
	switch {
	case sh == 0:
		return 0, m
	case sh < 64:
		return m >> (64 - sh), m << sh
	default:
		return m << (sh - 64), 0
	}
}

// inRange reports whether the finite x is a long double other than a
// value that rounds to zero or infinity.
func (x *LongDouble) inRange() bool {
	if x.f.Sign() == 0 {
		return true
	}
	exp := x.f.MantExp(nil)
	if exp > ldMaxExp {
		return false
	}
	if exp < ldZeroExp || (exp == ldZeroExp && x.f.MinPrec() == 1) {
		return false
	}
	return true
}

// scanFloatSyntax checks that s (without its sign) is a whole strtold
// decimal or hexadecimal number and bounds its magnitude without
// computing it: zero when every digit is 0, tooBig/tooSmall when it is
// certainly beyond the long double range (so that no huge power of ten is
// ever computed).
func scanFloatSyntax(s []byte) (zero, tooBig, tooSmall, ok bool) {
	base := 10
	i := 0
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		base = 16
		i = 2
	}
	var intDigits, fracDigits int64
	firstInt := int64(-1) // index among the integer digits of the first non-zero digit
	firstFrac := int64(0) // 1-based fractional position of the first non-zero digit
	found, inFrac := false, false
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' && !inFrac {
			inFrac = true
			continue
		}
		d := hexDigit(c)
		if d < 0 || d >= base {
			break
		}
		if inFrac {
			fracDigits++
			if d != 0 && !found {
				found, firstFrac = true, fracDigits
			}
		} else {
			if d != 0 && !found {
				found, firstInt = true, intDigits
			}
			intDigits++
		}
	}
	if intDigits+fracDigits == 0 {
		return false, false, false, false
	}
	// Optional exponent: e (decimal) for base 10, p (binary) for base 16.
	var exp int64
	if i < len(s) {
		c := s[i] | 0x20
		if (base == 10 && c != 'e') || (base == 16 && c != 'p') {
			return false, false, false, false
		}
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return false, false, false, false
		}
		for ; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return false, false, false, false
			}
			if exp < 1<<40 {
				exp = exp*10 + int64(s[i]-'0')
			}
		}
		if eneg {
			exp = -exp
		}
	}
	if !found {
		return true, false, false, true
	}
	// p: place of the first non-zero digit, the value is in
	// [base^p, base^(p+1)) before the exponent.
	p := -firstFrac
	if firstInt >= 0 {
		p = intDigits - 1 - firstInt
	}
	if base == 10 {
		m := p + exp // value in [10^m, 10^(m+1)); LDBL_MAX < 10^4933
		return false, m >= 4933, m+1 <= -4951, true
	}
	m := 4*p + exp // value in [2^m, 2^(m+4))
	return false, m >= ldMaxExp, m+4 <= ldZeroExp-1, true
}

func hexDigit(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// Add sets x to x+y rounded to long double precision. It reports false
// when the result is NaN or infinite (Redis: "increment would produce NaN
// or Infinity").
func (x *LongDouble) Add(y *LongDouble) bool {
	if x.f.IsInf() || y.f.IsInf() {
		return false
	}
	x.f.SetPrec(ldPrec)
	x.f.SetMode(big.ToNearestEven)
	x.f.Add(&x.f, &y.f)
	return x.f.Sign() == 0 || x.f.MantExp(nil) <= ldMaxExp
}

// AppendHuman appends x formatted as Redis's ld2string in human mode
// does: "%.17Lf" with trailing zeros and a trailing dot removed, and "-0"
// written "0" (0.1+0.2 gives "0.3", 5e3 gives "5000", 1e-20 gives "0").
// x must be finite.
func (x *LongDouble) AppendHuman(dst []byte) []byte {
	var tmp big.Float
	return x.appendHuman(dst, &tmp)
}

// appendHuman is AppendHuman with a scratch number for the fast path.
func (x *LongDouble) appendHuman(dst []byte, tmp *big.Float) []byte {
	if out, ok := x.appendHumanSmall(dst, tmp); ok {
		return out
	}
	return x.appendHumanBig(dst)
}

// appendHumanBig is the general AppendHuman: big.Float's exact decimal
// expansion, then Redis's trimming.
func (x *LongDouble) appendHumanBig(dst []byte) []byte {
	start := len(dst)
	dst = x.f.Append(dst, 'f', 17)
	k := len(dst)
	for k > start && dst[k-1] == '0' {
		k--
	}
	if k > start && dst[k-1] == '.' {
		k--
	}
	dst = dst[:k]
	if k-start == 2 && dst[start] == '-' && dst[start+1] == '0' {
		dst = append(dst[:start], '0')
	}
	return dst
}

// appendHumanSmall is AppendHuman's allocation-free path for |x| < 2^63:
// with x = u * 2^-k (u the 64-bit significand), the integer part is
// u>>k and the 17 decimals are the fraction times 10^17, rounded half to
// even (as glibc's printf rounds an exact binary value), in 128-bit
// arithmetic. It reports false for larger magnitudes.
func (x *LongDouble) appendHumanSmall(dst []byte, m *big.Float) ([]byte, bool) {
	if x.f.Sign() == 0 {
		return append(dst, '0'), true
	}
	exp := x.f.MantExp(nil)
	if exp > 63 {
		return dst, false
	}
	// The significand as a 64-bit integer: |x| = u * 2^(exp-64).
	m.SetMantExp(&x.f, 64-exp)
	u, acc := m.Abs(m).Uint64()
	if acc != big.Exact {
		return dst, false
	}
	k := uint(64 - exp) // |x| = u / 2^k, k >= 1
	var ip, fr uint64   // integer part, fraction numerator over 2^k
	if k < 64 {
		ip, fr = u>>k, u&(1<<k-1)
	} else {
		fr = u
	}
	// q = round(fr * 10^17 / 2^k), the 17 decimals.
	hi, lo := bits.Mul64(fr, 1e17)
	var q uint64
	var up bool
	switch {
	case k < 64:
		q = hi<<(64-k) | lo>>k
		rem, half := lo&(1<<k-1), uint64(1)<<(k-1)
		up = rem > half || (rem == half && q&1 == 1)
	case k == 64:
		q = hi
		up = lo > 1<<63 || (lo == 1<<63 && q&1 == 1)
	case k < 128:
		kk := k - 64
		q = hi >> kk
		remHi, half := hi&(1<<kk-1), uint64(1)<<(kk-1)
		up = remHi > half || (remHi == half && (lo != 0 || q&1 == 1))
	default:
		// fr * 10^17 < 2^121 <= 2^(k-7): less than half a unit.
	}
	if up {
		q++
		if q == 1e17 {
			q = 0
			ip++
		}
	}
	if ip == 0 && q == 0 {
		return append(dst, '0'), true
	}
	if x.f.Sign() < 0 {
		dst = append(dst, '-')
	}
	dst = strconv.AppendUint(dst, ip, 10)
	if q != 0 {
		var buf [18]byte
		buf[0] = '.'
		for i := 17; i >= 1; i-- {
			buf[i] = byte('0' + q%10)
			q /= 10
		}
		n := 18
		for buf[n-1] == '0' {
			n--
		}
		dst = append(dst, buf[:n]...)
	}
	return dst, true
}

// Float64 returns the float64 nearest to x (±Inf beyond its range).
func (x *LongDouble) Float64() float64 {
	f, _ := x.f.Float64()
	return f
}

// IncrFloat returns the text of cur + incr computed as Redis's
// INCRBYFLOAT does (long double arithmetic, human formatting), appended
// to dst. cur is the current value's text; a nil cur means a missing key
// and counts as 0 (an existing empty value must be passed as a non-nil
// empty slice: it is not a number). Errors: ErrNotFloat when either
// operand is not a valid float, and "ERR increment would produce NaN or
// Infinity" (unwrapping to ErrOverflow).
func IncrFloat(dst, cur, incr []byte) ([]byte, error) {
	p := ldPool.Get().(*ldScratch)
	defer ldPool.Put(p)
	v, d := &p.v, &p.d
	if cur == nil {
		v.f.SetInt64(0)
	} else if !v.Parse(cur) {
		return dst, ErrNotFloat
	}
	if !d.Parse(incr) {
		return dst, ErrNotFloat
	}
	if !v.Add(d) {
		return dst, errNaNOrInf
	}
	return v.appendHuman(dst, &p.tmp), nil
}

// ldScratch is IncrFloat's working storage, recycled through ldPool so
// that the numbers' mantissas are not reallocated on every call.
type ldScratch struct {
	v, d LongDouble
	tmp  big.Float
}

var ldPool = sync.Pool{New: func() any { return new(ldScratch) }}

// emptyValue stands for an existing empty string (Entry.Str returns nil
// for it, which IncrFloat would read as a missing key).
var emptyValue = []byte{}

// IncrFloatValue adds incr to the number stored at key as INCRBYFLOAT does
// (the shard lock must be held) and returns the new value's text, freshly
// allocated. A missing key counts as 0; the TTL is kept. Errors:
// ErrWrongType, ErrNotFloat, or an *Error unwrapping to ErrOverflow for a
// NaN or infinite result.
func IncrFloatValue(sh *keyspace.Shard, db int, key string, incr []byte, now int64) ([]byte, error) {
	e := sh.LookupWrite(db, key, now)
	var cur []byte
	if e != nil {
		if e.Type() != keyspace.TypeString {
			return nil, ErrWrongType
		}
		cur = e.Str()
		if cur == nil {
			cur = emptyValue
		}
	}
	v, err := IncrFloat(make([]byte, 0, 24), cur, incr)
	if err != nil {
		return nil, err
	}
	if e == nil {
		e = sh.SetString(db, key, v, 0, false)
	} else {
		overwriteString(sh, e, v)
	}
	// Redis stores the result as a plain string object, never "int".
	e.SetNoInt(true)
	return v, nil
}

func incrbyfloatCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	v, err := IncrFloatValue(c.Shard(key), c.DB, key, args[2], c.Now)
	c.notifyOK(err, NotifyString, "incrbyfloat", key)
	if err != nil {
		c.W.Error(ToWire(err))
		return
	}
	c.Propagate(pSET, args[1], v, pKEEPTTL)
	c.W.Bulk(v)
}

// -------------------------------------------------------------------- LCS

// LCSMatch is one matching range reported by LCS IDX: bytes
// A[AStart..AEnd] equal B[BStart..BEnd] (inclusive).
type LCSMatch struct {
	AStart, AEnd, BStart, BEnd int64
}

// Len returns the length of the match.
func (m LCSMatch) Len() int64 { return m.AEnd - m.AStart + 1 }

// LCSResult is the outcome of ComputeLCS: the length of the longest
// common subsequence, the subsequence itself when asked for, and the
// matching ranges (from the end of the strings backwards, as Redis lists
// them) when asked for.
type LCSResult struct {
	Len     int64
	Seq     []byte
	Matches []LCSMatch
}

// ComputeLCS computes the longest common subsequence of a and b with
// Redis's dynamic-programming table and backtracking, so that the
// subsequence and ranges are exactly the ones Redis reports. seq asks for
// the subsequence, idx for the ranges of at least minMatchLen bytes
// (minMatchLen <= 0 keeps all). With neither, only Len is computed, in
// linear memory. Like Redis it refuses inputs whose table would exceed
// MaxStringSize bytes ("ERR Insufficient memory ...", unwrapping to
// ErrInvalidValue).
func ComputeLCS(a, b []byte, seq, idx bool, minMatchLen int64) (LCSResult, error) {
	var r LCSResult
	if uint64(len(a)) >= math.MaxUint32-1 || uint64(len(b)) >= math.MaxUint32-1 {
		return r, errLCSTooLong
	}
	alen, blen := len(a), len(b)
	cells := uint64(alen+1) * uint64(blen+1)
	if cells*4 > MaxStringSize {
		return r, errLCSMemory
	}
	if !seq && !idx {
		r.Len = lcsLength(a, b)
		return r, nil
	}
	w := blen + 1
	dp := make([]uint32, int(cells))
	for i := 1; i <= alen; i++ {
		row, prev := dp[i*w:(i+1)*w], dp[(i-1)*w:i*w]
		ai := a[i-1]
		for j := 1; j <= blen; j++ {
			switch {
			case ai == b[j-1]:
				row[j] = prev[j-1] + 1
			case prev[j] > row[j-1]:
				row[j] = prev[j]
			default:
				row[j] = row[j-1]
			}
		}
	}
	total := dp[alen*w+blen]
	r.Len = int64(total)
	if seq {
		r.Seq = make([]byte, total)
	}
	minMatchLen = max(minMatchLen, 0)
	// Walk back from the end, following the table, and collect maximal
	// runs of consecutive matches; a run ends at a mismatch or at the
	// start of either string.
	k := int(total)
	open := false
	var cur LCSMatch
	i, j := alen, blen
	for i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			if seq {
				r.Seq[k-1] = a[i-1]
			}
			switch {
			case !open:
				open = true
				cur = LCSMatch{AStart: int64(i - 1), AEnd: int64(i - 1), BStart: int64(j - 1), BEnd: int64(j - 1)}
			case cur.AStart == int64(i) && cur.BStart == int64(j):
				cur.AStart--
				cur.BStart--
			default:
				emit = true
			}
			if cur.AStart == 0 || cur.BStart == 0 {
				emit = true
			}
			k--
			i--
			j--
		} else {
			if dp[(i-1)*w+j] > dp[i*w+j-1] {
				i--
			} else {
				j--
			}
			if open {
				emit = true
			}
		}
		if emit {
			if idx && (minMatchLen == 0 || cur.Len() >= minMatchLen) {
				r.Matches = append(r.Matches, cur)
			}
			open = false
		}
	}
	return r, nil
}

// lcsLength is the LCS length with two rows of the table.
func lcsLength(a, b []byte) int64 {
	if len(b) > len(a) {
		a, b = b, a
	}
	prev := make([]uint32, len(b)+1)
	row := make([]uint32, len(b)+1)
	for i := 1; i <= len(a); i++ {
		ai := a[i-1]
		for j := 1; j <= len(b); j++ {
			switch {
			case ai == b[j-1]:
				row[j] = prev[j-1] + 1
			case prev[j] > row[j-1]:
				row[j] = prev[j]
			default:
				row[j] = row[j-1]
			}
		}
		prev, row = row, prev
	}
	return int64(prev[len(b)])
}

// LCSStrings returns the string values of key1 and key2 for LCS, aliasing
// the keyspace (the locks of both keys' shards must be held): a missing
// key reads as empty, a key of another type gives "ERR The specified keys
// must contain string values" (unwrapping to ErrWrongType).
func LCSStrings(ks *keyspace.Keyspace, db int, key1, key2 string, now int64) (a, b []byte, err error) {
	e1 := ks.ShardFor(key1).Lookup(db, key1, now)
	e2 := ks.ShardFor(key2).Lookup(db, key2, now)
	if (e1 != nil && e1.Type() != keyspace.TypeString) || (e2 != nil && e2.Type() != keyspace.TypeString) {
		return nil, nil, errLCSType
	}
	if e1 != nil {
		a = e1.Str()
	}
	if e2 != nil {
		b = e2.Str()
	}
	return a, b, nil
}

func lcsCmd(c *Ctx, args [][]byte) {
	a, b, err := LCSStrings(c.E.KS, c.DB, Key(args[1]), Key(args[2]), c.Now)
	if err != nil {
		c.W.Error(ToWire(err))
		return
	}
	var getLen, getIdx, withLen bool
	var minLen int64
	for j := 3; j < len(args); j++ {
		opt := args[j]
		switch {
		case EqualFold(opt, "idx"):
			getIdx = true
		case EqualFold(opt, "len"):
			getLen = true
		case EqualFold(opt, "withmatchlen"):
			withLen = true
		case EqualFold(opt, "minmatchlen") && j+1 < len(args):
			n, ok := ParseInt(args[j+1])
			if !ok {
				c.W.Error(WireNotInteger)
				return
			}
			minLen = max(n, 0)
			j++
		default:
			c.W.Error(WireSyntax)
			return
		}
	}
	if getIdx && getLen {
		c.W.Error(errLCSLenIdx.Wire)
		return
	}
	r, err := ComputeLCS(a, b, !getIdx && !getLen, getIdx, minLen)
	if err != nil {
		c.W.Error(ToWire(err))
		return
	}
	switch {
	case getIdx:
		c.W.MapLen(2)
		c.W.BulkString("matches")
		c.W.ArrayLen(len(r.Matches))
		for _, m := range r.Matches {
			if withLen {
				c.W.ArrayLen(3)
			} else {
				c.W.ArrayLen(2)
			}
			c.W.ArrayLen(2)
			c.W.Int(m.AStart)
			c.W.Int(m.AEnd)
			c.W.ArrayLen(2)
			c.W.Int(m.BStart)
			c.W.Int(m.BEnd)
			if withLen {
				c.W.Int(m.Len())
			}
		}
		c.W.BulkString("len")
		c.W.Int(r.Len)
	case getLen:
		c.W.Int(r.Len)
	default:
		c.W.Bulk(r.Seq)
	}
}
