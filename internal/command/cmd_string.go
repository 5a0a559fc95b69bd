package command

import (
	"math"

	"github.com/kevydb/kevy/internal/keyspace"
)

func init() {
	Register(
		&Command{Name: "get", Arity: 2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: getCmd, Categories: []string{"read", "string", "fast"}},
		&Command{Name: "set", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			Run: setCmd, Categories: []string{"write", "string", "slow"}},
	)
}

// GetString returns a copy of the string value of key (the shard lock
// must be held): ErrNil when absent, ErrWrongType for another type. The
// embedded API's DB.Get and the GET command share it.
func GetString(sh *keyspace.Shard, db int, key string, now int64) ([]byte, error) {
	e := sh.Lookup(db, key, now)
	if e == nil {
		return nil, ErrNil
	}
	if e.Type() != keyspace.TypeString {
		return nil, ErrWrongType
	}
	return append(make([]byte, 0, len(e.Str())), e.Str()...), nil
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
// written), and is overwritten otherwise.
func SetString(sh *keyspace.Shard, db int, key string, val []byte, p SetParams, now int64) (old []byte, written bool, err error) {
	var e *keyspace.Entry
	if p.Get || p.Mode != SetAlways {
		e = sh.Lookup(db, key, now)
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

func setCmd(c *Ctx, args [][]byte) {
	var p SetParams
	var expArg []byte
	var unit expireUnit
	relative := false
	for i := 3; i < len(args); i++ {
		a := args[i]
		hasNext := i+1 < len(args)
		switch {
		case EqualFold(a, "nx") && p.Mode != SetXX:
			p.Mode = SetNX
		case EqualFold(a, "xx") && p.Mode != SetNX:
			p.Mode = SetXX
		case EqualFold(a, "get"):
			p.Get = true
		case EqualFold(a, "keepttl") && expArg == nil:
			p.KeepTTL = true
		case hasNext && expArg == nil && !p.KeepTTL && EqualFold(a, "ex"):
			expArg, unit, relative = args[i+1], unitSeconds, true
			i++
		case hasNext && expArg == nil && !p.KeepTTL && EqualFold(a, "px"):
			expArg, unit, relative = args[i+1], unitMillis, true
			i++
		case hasNext && expArg == nil && !p.KeepTTL && EqualFold(a, "exat"):
			expArg, unit, relative = args[i+1], unitSeconds, false
			i++
		case hasNext && expArg == nil && !p.KeepTTL && EqualFold(a, "pxat"):
			expArg, unit, relative = args[i+1], unitMillis, false
			i++
		default:
			c.W.Error(WireSyntax)
			return
		}
	}
	if expArg != nil {
		d, errText := deadlineFrom(expArg, unit, relative, c.Now, "set")
		if errText != "" {
			c.W.Error(errText)
			return
		}
		p.Deadline = d
	}
	key := Key(args[1])
	old, written, err := SetString(c.Shard(key), c.DB, key, args[2], p, c.Now)
	switch {
	case err != nil:
		c.W.Error(ToWire(err))
	case p.Get && old == nil:
		c.W.Null()
	case p.Get:
		c.W.Bulk(old)
	case written:
		c.OK()
	default:
		c.W.Null()
	}
}
