package command

import (
	"unsafe"

	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
)

// List commands: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LINDEX,
// LINSERT, LRANGE, LSET, LREM, LTRIM, LPOS, LMOVE, RPOPLPUSH, LMPOP and the
// blocking BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP (see blocking.go). The
// exported List* functions hold each command's rules; the handlers and the
// embedded API's typed methods share them.

func init() {
	list := func(name string, arity int, flags Flags, first, last int, run Handler, cats ...string) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: first, LastKey: last, Step: 1,
			Run: run, Categories: append(cats, "list")}
	}
	const (
		wFast  = FlagWrite | FlagDenyOOM | FlagFast
		rFast  = FlagReadOnly | FlagFast
		wBlock = FlagWrite | FlagNoScript | FlagBlocking
	)
	Register(
		list("lpush", -3, wFast, 1, 1, lpushCmd, "write", "fast"),
		list("rpush", -3, wFast, 1, 1, rpushCmd, "write", "fast"),
		list("lpushx", -3, wFast, 1, 1, lpushxCmd, "write", "fast"),
		list("rpushx", -3, wFast, 1, 1, rpushxCmd, "write", "fast"),
		list("linsert", 5, FlagWrite|FlagDenyOOM, 1, 1, linsertCmd, "write", "slow"),
		list("lpop", -2, FlagWrite|FlagFast, 1, 1, lpopCmd, "write", "fast"),
		list("rpop", -2, FlagWrite|FlagFast, 1, 1, rpopCmd, "write", "fast"),
		list("llen", 2, rFast, 1, 1, llenCmd, "read", "fast"),
		list("lindex", 3, FlagReadOnly, 1, 1, lindexCmd, "read", "slow"),
		list("lset", 4, FlagWrite|FlagDenyOOM, 1, 1, lsetCmd, "write", "slow"),
		list("lrange", 4, FlagReadOnly, 1, 1, lrangeCmd, "read", "slow"),
		list("ltrim", 4, FlagWrite, 1, 1, ltrimCmd, "write", "slow"),
		list("lpos", -3, FlagReadOnly, 1, 1, lposCmd, "read", "slow"),
		list("lrem", 4, FlagWrite, 1, 1, lremCmd, "write", "slow"),
		list("rpoplpush", 3, FlagWrite|FlagDenyOOM, 1, 2, rpoplpushCmd, "write", "slow"),
		list("lmove", 5, FlagWrite|FlagDenyOOM, 1, 2, lmoveCmd, "write", "slow"),
		&Command{Name: "lmpop", Arity: -4, Flags: FlagWrite, Keys: lmpopKeys,
			Run: lmpopCmd, Categories: []string{"write", "list", "slow"}},
		list("blpop", -3, wBlock, 1, -2, blpopCmd, "write", "slow", "blocking"),
		list("brpop", -3, wBlock, 1, -2, brpopCmd, "write", "slow", "blocking"),
		list("brpoplpush", 4, wBlock|FlagDenyOOM, 1, 2, brpoplpushCmd, "write", "slow", "blocking"),
		list("blmove", 6, wBlock|FlagDenyOOM, 1, 2, blmoveCmd, "write", "slow", "blocking"),
		&Command{Name: "blmpop", Arity: -5, Flags: FlagWrite | FlagBlocking, Keys: blmpopKeys,
			Run: blmpopCmd, Categories: []string{"write", "list", "slow", "blocking"}},
	)
}

// List-specific error replies.
var (
	errRankZero = &Error{Wire: "ERR RANK can't be zero: use 1 to start from the first match, " +
		"2 from the second ... or use negative to start from the end of the list", Kind: ErrInvalidValue}
	errCountNegative  = &Error{Wire: "ERR COUNT can't be negative", Kind: ErrInvalidValue}
	errMaxlenNegative = &Error{Wire: "ERR MAXLEN can't be negative", Kind: ErrInvalidValue}
	errNumkeys        = &Error{Wire: "ERR numkeys should be greater than 0", Kind: ErrInvalidValue}
	errCountPositive  = &Error{Wire: "ERR count should be greater than 0", Kind: ErrInvalidValue}
	errNotPositive    = &Error{Wire: WireNotPositive, Kind: ErrNotInteger}
)

// listWireKinds maps the list and set error texts without a generic
// prefix to sentinels (FromWire).
var listWireKinds = []struct {
	prefix string
	kind   error
}{
	{"ERR RANK can't be zero", ErrInvalidValue},
	{"ERR COUNT can't be negative", ErrInvalidValue},
	{"ERR MAXLEN can't be negative", ErrInvalidValue},
	{"ERR timeout is", ErrInvalidValue},
	{"ERR Number of keys can't be greater than number of args", ErrSyntax},
	{"UNBLOCKED", ErrUnblockError},
}

func init() {
	// The blocking.go and cmd_set.go texts are listed here too; rows that
	// another family registers as well are harmless (first match wins and
	// they agree).
	wireToKind = append(wireToKind, listWireKinds...)
}

// ListSide is one end of a list: Redis's LEFT (head) or RIGHT (tail).
type ListSide uint8

// List ends.
const (
	ListLeft ListSide = iota
	ListRight
)

// parseSide parses LEFT or RIGHT (any case).
func parseSide(b []byte) (ListSide, bool) {
	switch {
	case EqualFold(b, "left"):
		return ListLeft, true
	case EqualFold(b, "right"):
		return ListRight, true
	}
	return 0, false
}

func listPush(l *object.List, side ListSide, v []byte) {
	if side == ListLeft {
		l.PushFront(v)
	} else {
		l.PushBack(v)
	}
}

func listPop(l *object.List, side ListSide) ([]byte, bool) {
	if side == ListLeft {
		return l.PopFront()
	}
	return l.PopBack()
}

// ---------------------------------------------------------------- lookups

// ListValue returns the list stored at key for reading (Redis's
// lookupKeyRead, with hit/miss statistics; the shard lock must be held):
// nil when the key does not exist, ErrWrongType when it holds another
// type. Lists are never empty: a command that empties one deletes it.
func ListValue(sh *keyspace.Shard, db int, key string, now int64) (*object.List, error) {
	return lookupValue[object.List](sh, db, key, keyspace.TypeList, now)
}

// listWrite looks key up for writing (no statistics): the list and its
// entry, nils when missing, or ErrWrongType.
func listWrite(sh *keyspace.Shard, db int, key string, now int64) (*object.List, *keyspace.Entry, error) {
	return lookupWrite[object.List](sh, db, key, keyspace.TypeList, now)
}

// dropIfEmpty deletes the list's key once the list is empty.
func dropIfEmpty(sh *keyspace.Shard, db int, e *keyspace.Entry, l *object.List) {
	if l.Len() == 0 {
		sh.Unlink(db, e)
	}
}

// replyErr sends err's wire text.
func (c *Ctx) replyErr(err error) { c.W.Error(ToWire(err)) }

// ------------------------------------------------------------- push/pop

// ListPush pushes vals, in order, at one end of the list at key and
// returns the new length (LPUSH, RPUSH). When onlyExisting is set
// (LPUSHX, RPUSHX) a missing key is left alone and 0 is returned. Clients
// blocked on the key are signalled. The shard lock must be held.
func ListPush(e *Engine, sh *keyspace.Shard, db int, key string, vals [][]byte, side ListSide, onlyExisting bool, now int64) (int, error) {
	l, _, err := listWrite(sh, db, key, now)
	if err != nil {
		return 0, err
	}
	if l == nil {
		if onlyExisting {
			return 0, nil
		}
		l = object.NewList(&e.Limits)
		sh.Add(db, key, keyspace.TypeList, unsafe.Pointer(l))
	}
	for _, v := range vals {
		listPush(l, side, v)
	}
	sh.Dirty += int64(len(vals))
	e.SignalReady(sh, db, key, keyspace.TypeList)
	return l.Len(), nil
}

func lpushCmd(c *Ctx, args [][]byte)  { pushGeneric(c, args, ListLeft, false) }
func rpushCmd(c *Ctx, args [][]byte)  { pushGeneric(c, args, ListRight, false) }
func lpushxCmd(c *Ctx, args [][]byte) { pushGeneric(c, args, ListLeft, true) }
func rpushxCmd(c *Ctx, args [][]byte) { pushGeneric(c, args, ListRight, true) }

func pushGeneric(c *Ctx, args [][]byte, side ListSide, onlyExisting bool) {
	key := Key(args[1])
	n, err := ListPush(c.E, c.Shard(key), c.DB, key, args[2:], side, onlyExisting, c.Now)
	if err != nil {
		c.replyErr(err)
		return
	}
	if n > 0 {
		c.Notify(NotifyList, pushEvent(side), key)
	}
	c.W.Int(int64(n))
}

// ListPop removes up to count elements (count >= 0) from one end of the
// list at key and appends them, owned, to dst in pop order (LPOP, RPOP).
// A missing key gives ErrNil; an emptied list is deleted. The shard lock
// must be held.
func ListPop(dst [][]byte, sh *keyspace.Shard, db int, key string, side ListSide, count int, now int64) ([][]byte, error) {
	l, e, err := listWrite(sh, db, key, now)
	if err != nil {
		return dst, err
	}
	if l == nil {
		return dst, ErrNil
	}
	n := min(count, l.Len())
	for range n {
		v, _ := listPop(l, side)
		dst = append(dst, v)
	}
	if n > 0 {
		sh.Dirty += int64(n)
		dropIfEmpty(sh, db, e, l)
	}
	return dst, nil
}

func lpopCmd(c *Ctx, args [][]byte) { popGeneric(c, args, ListLeft, "lpop") }
func rpopCmd(c *Ctx, args [][]byte) { popGeneric(c, args, ListRight, "rpop") }

func popGeneric(c *Ctx, args [][]byte, side ListSide, name string) {
	if len(args) > 3 {
		c.W.Error(WrongArity(name))
		return
	}
	hasCount := len(args) == 3
	count := int64(1)
	if hasCount {
		v, ok := ParseInt(args[2])
		if !ok || v < 0 {
			c.W.Error(WireNotPositive)
			return
		}
		count = v
	}
	key := Key(args[1])
	var one [1][]byte
	vals, err := ListPop(one[:0], c.Shard(key), c.DB, key, side, int(count), c.Now)
	if err == nil && len(vals) > 0 {
		c.Notify(NotifyList, popEvent(side), key)
		c.NotifyDelIfGone(key)
	}
	switch {
	case err == ErrNil && hasCount:
		c.W.NullArray()
	case err == ErrNil:
		c.W.Null()
	case err != nil:
		c.replyErr(err)
	case !hasCount:
		c.W.Bulk(vals[0])
	default:
		c.W.ArrayLen(len(vals))
		for _, v := range vals {
			c.W.Bulk(v)
		}
	}
}

// --------------------------------------------------------- reads by index

// ListLen returns the length of the list at key, 0 when missing (LLEN).
func ListLen(sh *keyspace.Shard, db int, key string, now int64) (int, error) {
	l, err := ListValue(sh, db, key, now)
	if l == nil {
		return 0, err
	}
	return l.Len(), nil
}

func llenCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	n, err := ListLen(c.Shard(key), c.DB, key, c.Now)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.W.Int(int64(n))
}

// ListIndex returns a copy of the element at index (negative counts from
// the tail) of the list at key: ErrNil when the key is missing or the
// index out of range (LINDEX).
func ListIndex(sh *keyspace.Shard, db int, key string, index int64, now int64) ([]byte, error) {
	l, err := ListValue(sh, db, key, now)
	if l == nil {
		if err == nil {
			err = ErrNil
		}
		return nil, err
	}
	v, ok := l.Index(int(index))
	if !ok {
		return nil, ErrNil
	}
	return append(make([]byte, 0, len(v)), v...), nil
}

func lindexCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	l, err := ListValue(c.Shard(key), c.DB, key, c.Now)
	switch {
	case err != nil:
		c.replyErr(err)
		return
	case l == nil:
		c.W.Null()
		return
	}
	idx, ok := ParseInt(args[2])
	if !ok {
		c.W.Error(WireNotInteger)
		return
	}
	if v, ok := l.Index(int(idx)); ok {
		c.W.Bulk(v)
	} else {
		c.W.Null()
	}
}

// ListSet replaces the element at index (LSET): ErrNoSuchKey for a
// missing key, ErrOutOfRange for an index outside the list.
func ListSet(sh *keyspace.Shard, db int, key string, index int64, val []byte, now int64) error {
	l, _, err := listWrite(sh, db, key, now)
	switch {
	case err != nil:
		return err
	case l == nil:
		return ErrNoSuchKey
	}
	return listSetAt(sh, l, index, val)
}

func listSetAt(sh *keyspace.Shard, l *object.List, index int64, val []byte) error {
	if !l.Set(int(index), val) {
		return ErrOutOfRange
	}
	sh.Dirty++
	return nil
}

func lsetCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	sh := c.Shard(key)
	// Redis looks the key up before parsing the index.
	l, _, err := listWrite(sh, c.DB, key, c.Now)
	switch {
	case err != nil:
		c.replyErr(err)
		return
	case l == nil:
		c.W.Error(WireNoSuchKey)
		return
	}
	idx, ok := ParseInt(args[2])
	if !ok {
		c.W.Error(WireNotInteger)
		return
	}
	if err := listSetAt(sh, l, idx, args[3]); err != nil {
		c.replyErr(err)
		return
	}
	c.Notify(NotifyList, "lset", key)
	c.OK()
}

// ListInsert inserts val before (or after) the first element equal to
// pivot (LINSERT) and returns the new length, -1 when pivot is absent,
// 0 when the key is missing.
func ListInsert(sh *keyspace.Shard, db int, key string, before bool, pivot, val []byte, now int64) (int, error) {
	l, _, err := listWrite(sh, db, key, now)
	if l == nil {
		return 0, err
	}
	n := l.Insert(pivot, val, before)
	if n > 0 {
		sh.Dirty++
	}
	return n, nil
}

func linsertCmd(c *Ctx, args [][]byte) {
	var before bool
	switch {
	case EqualFold(args[2], "before"):
		before = true
	case EqualFold(args[2], "after"):
	default:
		c.W.Error(WireSyntax)
		return
	}
	key := Key(args[1])
	n, err := ListInsert(c.Shard(key), c.DB, key, before, args[3], args[4], c.Now)
	if err != nil {
		c.replyErr(err)
		return
	}
	if n > 0 {
		c.Notify(NotifyList, "linsert", key)
	}
	c.W.Int(int64(n))
}

// ListRange returns copies of the elements from start to stop inclusive
// (negative indexes count from the tail, out-of-range ones are clamped)
// of the list at key (LRANGE). A missing key gives an empty result.
func ListRange(sh *keyspace.Shard, db int, key string, start, stop int64, now int64) ([][]byte, error) {
	l, err := ListValue(sh, db, key, now)
	if l == nil {
		return nil, err
	}
	from, n := l.RangeBounds(int(start), int(stop))
	out := make([][]byte, 0, n)
	it := l.Iterator(from, false)
	for range n {
		v, _ := it.Next()
		out = append(out, append(make([]byte, 0, len(v)), v...))
	}
	return out, nil
}

func lrangeCmd(c *Ctx, args [][]byte) {
	start, ok1 := ParseInt(args[2])
	stop, ok2 := ParseInt(args[3])
	if !ok1 || !ok2 {
		c.W.Error(WireNotInteger)
		return
	}
	key := Key(args[1])
	l, err := ListValue(c.Shard(key), c.DB, key, c.Now)
	switch {
	case err != nil:
		c.replyErr(err)
		return
	case l == nil:
		c.W.ArrayLen(0)
		return
	}
	from, n := l.RangeBounds(int(start), int(stop))
	c.W.ArrayLen(n)
	it := l.Iterator(from, false)
	for range n {
		v, _ := it.Next()
		c.W.Bulk(v)
	}
}

// ------------------------------------------------------- trim/rem/pos

// ListTrim keeps only the elements from start to stop inclusive (LTRIM);
// a list left empty is deleted, a missing key is fine.
func ListTrim(sh *keyspace.Shard, db int, key string, start, stop int64, now int64) error {
	l, e, err := listWrite(sh, db, key, now)
	if l == nil {
		return err
	}
	before := l.Len()
	l.Trim(int(start), int(stop))
	if removed := before - l.Len(); removed > 0 {
		sh.Dirty += int64(removed)
		dropIfEmpty(sh, db, e, l)
	}
	return nil
}

func ltrimCmd(c *Ctx, args [][]byte) {
	start, ok1 := ParseInt(args[2])
	stop, ok2 := ParseInt(args[3])
	if !ok1 || !ok2 {
		c.W.Error(WireNotInteger)
		return
	}
	key := Key(args[1])
	existed := c.ExistsForNotify(NotifyList|NotifyGeneric, key)
	if err := ListTrim(c.Shard(key), c.DB, key, start, stop, c.Now); err != nil {
		c.replyErr(err)
		return
	}
	if existed {
		c.Notify(NotifyList, "ltrim", key)
		c.NotifyDelIfGone(key)
	}
	c.OK()
}

// ListRem removes elements equal to val (LREM): the first count from the
// head when count > 0, the last -count from the tail when count < 0, all
// when count is 0. It returns how many were removed; an emptied list is
// deleted.
func ListRem(sh *keyspace.Shard, db int, key string, count int64, val []byte, now int64) (int, error) {
	l, e, err := listWrite(sh, db, key, now)
	if l == nil {
		return 0, err
	}
	n := l.Remove(int(count), val)
	if n > 0 {
		sh.Dirty += int64(n)
		dropIfEmpty(sh, db, e, l)
	}
	return n, nil
}

func lremCmd(c *Ctx, args [][]byte) {
	count, ok := ParseInt(args[2])
	if !ok {
		c.W.Error(WireNotInteger)
		return
	}
	key := Key(args[1])
	n, err := ListRem(c.Shard(key), c.DB, key, count, args[3], c.Now)
	if err != nil {
		c.replyErr(err)
		return
	}
	if n > 0 {
		c.Notify(NotifyList, "lrem", key)
		c.NotifyDelIfGone(key)
	}
	c.W.Int(int64(n))
}

// LPosOptions are LPOS's options. Rank 0 means 1 (the first match); a
// negative rank searches from the tail. Count is the number of matches
// to return (0: all of them). MaxLen bounds the elements compared (0:
// no bound).
type LPosOptions struct {
	Rank, Count, MaxLen int64
}

// Check validates the options with Redis's errors, in Redis's order of
// precedence for the typed API (the command checks them as it parses).
func (o *LPosOptions) Check() error {
	switch {
	case o.Count < 0:
		return errCountNegative
	case o.MaxLen < 0:
		return errMaxlenNegative
	}
	return nil
}

// ListPos returns the indexes of the elements equal to elem with LPOS
// semantics (see LPosOptions); a missing key gives no match.
func ListPos(sh *keyspace.Shard, db int, key string, elem []byte, o LPosOptions, now int64) ([]int, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	l, err := ListValue(sh, db, key, now)
	if l == nil {
		return nil, err
	}
	rank := o.Rank
	if rank == 0 {
		rank = 1
	}
	return l.Pos(elem, int(rank), int(o.Count), int(o.MaxLen)), nil
}

func lposCmd(c *Ctx, args [][]byte) {
	o := LPosOptions{Rank: 1}
	hasCount := false
	for j := 3; j < len(args); j++ {
		opt := args[j]
		if j+1 >= len(args) {
			c.W.Error(WireSyntax)
			return
		}
		switch {
		case EqualFold(opt, "rank"):
			j++
			v, ok := ParseInt(args[j])
			if !ok {
				c.W.Error(WireNotInteger)
				return
			}
			if v == 0 {
				c.replyErr(errRankZero)
				return
			}
			o.Rank = v
		case EqualFold(opt, "count"):
			j++
			v, ok := ParseInt(args[j])
			if !ok || v < 0 {
				c.replyErr(errCountNegative)
				return
			}
			o.Count, hasCount = v, true
		case EqualFold(opt, "maxlen"):
			j++
			v, ok := ParseInt(args[j])
			if !ok || v < 0 {
				c.replyErr(errMaxlenNegative)
				return
			}
			o.MaxLen = v
		default:
			c.W.Error(WireSyntax)
			return
		}
	}
	if !hasCount {
		o.Count = 1
	}
	key := Key(args[1])
	res, err := ListPos(c.Shard(key), c.DB, key, args[2], o, c.Now)
	switch {
	case err != nil:
		c.replyErr(err)
	case !hasCount && len(res) == 0:
		c.W.Null()
	case !hasCount:
		c.W.Int(int64(res[0]))
	default:
		c.W.ArrayLen(len(res))
		for _, i := range res {
			c.W.Int(int64(i))
		}
	}
}

// ----------------------------------------------------------------- move

// ListMove pops an element from one end of the list at src and pushes it
// at one end of the list at dst (LMOVE, RPOPLPUSH), atomically, and
// returns it. A missing src gives ErrNil (dst is not checked then); dst
// may be src (rotation). The shards of both keys must be locked. Clients
// blocked on dst are signalled.
func ListMove(e *Engine, db int, src, dst string, from, to ListSide, now int64) ([]byte, error) {
	ssh := e.KS.ShardFor(src)
	sl, se, err := listWrite(ssh, db, src, now)
	switch {
	case err != nil:
		return nil, err
	case sl == nil:
		return nil, ErrNil
	}
	dsh := e.KS.ShardFor(dst)
	dl, _, err := listWrite(dsh, db, dst, now)
	if err != nil {
		return nil, err
	}
	v, _ := listPop(sl, from)
	if dl == nil {
		dl = object.NewList(&e.Limits)
		dsh.Add(db, dst, keyspace.TypeList, unsafe.Pointer(dl))
	}
	listPush(dl, to, v)
	ssh.Dirty++
	dsh.Dirty++
	dropIfEmpty(ssh, db, se, sl)
	e.SignalReady(dsh, db, dst, keyspace.TypeList)
	return v, nil
}

func lmoveCmd(c *Ctx, args [][]byte) {
	from, ok1 := parseSide(args[3])
	to, ok2 := parseSide(args[4])
	if !ok1 || !ok2 {
		c.W.Error(WireSyntax)
		return
	}
	moveReply(c, args, from, to)
}

func rpoplpushCmd(c *Ctx, args [][]byte) { moveReply(c, args, ListRight, ListLeft) }

func moveReply(c *Ctx, args [][]byte, from, to ListSide) {
	v, err := ListMove(c.E, c.DB, Key(args[1]), Key(args[2]), from, to, c.Now)
	if err == nil {
		c.notifyListMove(Key(args[1]), Key(args[2]), from, to)
	}
	switch {
	case err == ErrNil:
		c.W.Null()
	case err != nil:
		c.replyErr(err)
	default:
		c.propagateListMove(args[1], args[2], v, from, to)
		c.W.Bulk(v)
	}
}

// --------------------------------------------------------------- LMPOP

// parseNumKeys parses a numkeys argument (1 .. LONG_MAX).
func parseNumKeys(b []byte) (int, bool) {
	v, ok := ParseInt(b)
	if !ok || v < 1 {
		return 0, false
	}
	return int(min(v, int64(^uint(0)>>1))), true
}

// mpopKeyRange returns the key arguments of LMPOP/BLMPOP/ZMPOP-style
// commands whose numkeys is at args[at]: args[at+1 : at+1+numkeys], with
// the WHERE argument that must follow. ok is false when numkeys is
// invalid or leaves no room for it.
func mpopKeyRange(args [][]byte, at int) (lo, hi int, ok bool) {
	n, ok := parseNumKeys(args[at])
	if !ok || n >= len(args)-at-1 {
		return 0, 0, false
	}
	return at + 1, at + 1 + n, true
}

func keyIndexes(lo, hi int) []int {
	idx := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		idx = append(idx, i)
	}
	return idx
}

func lmpopKeys(args [][]byte) ([]int, bool) {
	lo, hi, ok := mpopKeyRange(args, 1)
	if !ok {
		return nil, false
	}
	return keyIndexes(lo, hi), true
}

func blmpopKeys(args [][]byte) ([]int, bool) {
	lo, hi, ok := mpopKeyRange(args, 2)
	if !ok {
		return nil, false
	}
	return keyIndexes(lo, hi), true
}

// parseMPop parses the numkeys, keys, LEFT|RIGHT and COUNT arguments of
// LMPOP (at = 1) and BLMPOP (at = 2). It replies the error and returns
// ok=false on bad input.
func parseMPop(c *Ctx, args [][]byte, at int) (keys [][]byte, side ListSide, count int64, ok bool) {
	if _, ok := parseNumKeys(args[at]); !ok {
		c.replyErr(errNumkeys)
		return nil, 0, 0, false
	}
	lo, hi, ok := mpopKeyRange(args, at)
	if !ok {
		c.W.Error(WireSyntax)
		return nil, 0, 0, false
	}
	side, ok = parseSide(args[hi])
	if !ok {
		c.W.Error(WireSyntax)
		return nil, 0, 0, false
	}
	count = -1
	for j := hi + 1; j < len(args); j++ {
		if count == -1 && EqualFold(args[j], "count") && j+1 < len(args) {
			j++
			v, ok := ParseInt(args[j])
			if !ok || v < 1 {
				c.replyErr(errCountPositive)
				return nil, 0, 0, false
			}
			count = v
			continue
		}
		c.W.Error(WireSyntax)
		return nil, 0, 0, false
	}
	if count == -1 {
		count = 1
	}
	return args[lo:hi], side, count, true
}

// popFirst pops from the first non-empty list among keys (on a woken
// command's retry, among c.RetryKeys(keys)), as LMPOP and the blocking
// pops do, and replies: [key, element] for BLPOP/BRPOP
// (count < 0), [key, [elements...]] otherwise. A key of another type is
// WRONGTYPE, except when a woken blocked command retries (skipped). It
// reports whether it replied.
func popFirst(c *Ctx, keys [][]byte, side ListSide, count int64) bool {
	retry := c.Retrying()
	for _, k := range c.RetryKeys(keys) {
		key := Key(k)
		sh := c.Shard(key)
		l, e, err := listWrite(sh, c.DB, key, c.Now)
		if err != nil {
			if retry {
				continue
			}
			c.replyErr(err)
			return true
		}
		if l == nil {
			continue
		}
		if count < 0 {
			v, _ := listPop(l, side)
			c.W.ArrayLen(2)
			c.W.Bulk(k)
			c.W.Bulk(v)
			sh.Dirty++
			c.propagateListPop(k, side, -1)
		} else {
			n := int(min(count, int64(l.Len())))
			c.W.ArrayLen(2)
			c.W.Bulk(k)
			c.W.ArrayLen(n)
			for range n {
				v, _ := listPop(l, side)
				c.W.Bulk(v)
			}
			sh.Dirty += int64(n)
			c.propagateListPop(k, side, n)
		}
		dropIfEmpty(sh, c.DB, e, l)
		c.notifyPopped(NotifyList, popEvent(side), key, l.Len() == 0)
		return true
	}
	return false
}

func lmpopCmd(c *Ctx, args [][]byte) {
	keys, side, count, ok := parseMPop(c, args, 1)
	if !ok {
		return
	}
	if !popFirst(c, keys, side, count) {
		c.W.NullArray()
	}
}

// ------------------------------------------------------------- blocking

func blpopCmd(c *Ctx, args [][]byte) { bpopGeneric(c, args, ListLeft) }
func brpopCmd(c *Ctx, args [][]byte) { bpopGeneric(c, args, ListRight) }

func bpopGeneric(c *Ctx, args [][]byte, side ListSide) {
	ms, errText := ParseTimeout(args[len(args)-1])
	if errText != "" {
		c.W.Error(errText)
		return
	}
	keys := args[1 : len(args)-1]
	if popFirst(c, keys, side, -1) {
		return
	}
	if !c.Block(keys, keyspace.TypeList, ms) {
		c.W.NullArray()
	}
}

func blmpopCmd(c *Ctx, args [][]byte) {
	keys, side, count, ok := parseMPop(c, args, 2)
	if !ok {
		return
	}
	ms, errText := ParseTimeout(args[1])
	if errText != "" {
		c.W.Error(errText)
		return
	}
	if popFirst(c, keys, side, count) {
		return
	}
	if !c.Block(keys, keyspace.TypeList, ms) {
		c.W.NullArray()
	}
}

func blmoveCmd(c *Ctx, args [][]byte) {
	from, ok1 := parseSide(args[3])
	to, ok2 := parseSide(args[4])
	if !ok1 || !ok2 {
		c.W.Error(WireSyntax)
		return
	}
	bmoveGeneric(c, args, args[5], from, to)
}

func brpoplpushCmd(c *Ctx, args [][]byte) { bmoveGeneric(c, args, args[3], ListRight, ListLeft) }

func bmoveGeneric(c *Ctx, args [][]byte, timeout []byte, from, to ListSide) {
	ms, errText := ParseTimeout(timeout)
	if errText != "" {
		c.W.Error(errText)
		return
	}
	src := Key(args[1])
	l, _, err := listWrite(c.Shard(src), c.DB, src, c.Now)
	if err != nil && !c.Retrying() {
		c.replyErr(err)
		return
	}
	if l != nil {
		moveReply(c, args, from, to)
		return
	}
	if !c.Block(args[1:2], keyspace.TypeList, ms) {
		c.W.Null()
	}
}
