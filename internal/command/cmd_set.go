package command

import (
	"strconv"
	"unsafe"

	"github.com/kevydb/kevy/internal/glob"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
)

// Set commands: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS, SPOP,
// SRANDMEMBER, SMOVE, SINTER, SINTERCARD, SINTERSTORE, SUNION,
// SUNIONSTORE, SDIFF, SDIFFSTORE and SSCAN. The exported Set* functions
// hold each command's rules; the handlers and the embedded API's typed
// methods share them.

func init() {
	set := func(name string, arity int, flags Flags, first, last int, run Handler, cats ...string) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: first, LastKey: last, Step: 1,
			Run: run, Categories: append(cats, "set")}
	}
	Register(
		set("sadd", -3, FlagWrite|FlagDenyOOM|FlagFast, 1, 1, saddCmd, "write", "fast"),
		set("srem", -3, FlagWrite|FlagFast, 1, 1, sremCmd, "write", "fast"),
		set("smove", 4, FlagWrite|FlagFast, 1, 2, smoveCmd, "write", "fast"),
		set("sismember", 3, FlagReadOnly|FlagFast, 1, 1, sismemberCmd, "read", "fast"),
		set("smismember", -3, FlagReadOnly|FlagFast, 1, 1, smismemberCmd, "read", "fast"),
		set("scard", 2, FlagReadOnly|FlagFast, 1, 1, scardCmd, "read", "fast"),
		set("spop", -2, FlagWrite|FlagFast, 1, 1, spopCmd, "write", "fast"),
		set("srandmember", -2, FlagReadOnly, 1, 1, srandmemberCmd, "read", "slow"),
		set("smembers", 2, FlagReadOnly, 1, 1, smembersCmd, "read", "slow"),
		set("sinter", -2, FlagReadOnly, 1, -1, sinterCmd, "read", "slow"),
		&Command{Name: "sintercard", Arity: -3, Flags: FlagReadOnly, Keys: sintercardKeys,
			Run: sintercardCmd, Categories: []string{"read", "set", "slow"}},
		set("sinterstore", -3, FlagWrite|FlagDenyOOM, 1, -1, sinterstoreCmd, "write", "slow"),
		set("sunion", -2, FlagReadOnly, 1, -1, sunionCmd, "read", "slow"),
		set("sunionstore", -3, FlagWrite|FlagDenyOOM, 1, -1, sunionstoreCmd, "write", "slow"),
		set("sdiff", -2, FlagReadOnly, 1, -1, sdiffCmd, "read", "slow"),
		set("sdiffstore", -3, FlagWrite|FlagDenyOOM, 1, -1, sdiffstoreCmd, "write", "slow"),
		set("sscan", -3, FlagReadOnly, 1, 1, sscanCmd, "read", "slow"),
	)
}

// Set-specific error replies.
var (
	errSetNumkeysArgs = &Error{Wire: "ERR Number of keys can't be greater than number of args", Kind: ErrSyntax}
	errLimitNegative  = &Error{Wire: "ERR LIMIT can't be negative", Kind: ErrInvalidValue}
	// errRandCountMin is getRangeLongFromObjectOrReply's text for an
	// SRANDMEMBER count of LONG_MIN.
	errRandCountMin = &Error{Wire: "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807", Kind: ErrNotInteger}
	// errRandCountRange refuses SRANDMEMBER counts below
	// -setRandCountLimit (see there).
	errRandCountRange = &Error{Wire: "ERR value is out of range", Kind: ErrNotInteger}
	errInvalidCursor  = &Error{Wire: "ERR invalid cursor", Kind: ErrInvalidValue}
)

// setRandCountLimit bounds the reply of SRANDMEMBER with a negative count
// (members may repeat, so the reply is -count long whatever the set
// size). Redis has no bound and builds the reply until memory runs out;
// kevy refuses larger counts with "ERR value is out of range", as it does
// for HRANDFIELD and ZRANDMEMBER.
const setRandCountLimit = 1 << 24

// ---------------------------------------------------------------- lookups

// SetValue returns the set stored at key for reading (Redis's
// lookupKeyRead, with hit/miss statistics; the shard lock must be held):
// nil when the key does not exist, ErrWrongType when it holds another
// type. Sets are never empty: a command that empties one deletes it.
func SetValue(sh *keyspace.Shard, db int, key string, now int64) (*object.Set, error) {
	return lookupValue[object.Set](sh, db, key, keyspace.TypeSet, now)
}

// setWrite looks key up for writing (no statistics): the set and its
// entry, nils when missing, or ErrWrongType.
func setWrite(sh *keyspace.Shard, db int, key string, now int64) (*object.Set, *keyspace.Entry, error) {
	return lookupWrite[object.Set](sh, db, key, keyspace.TypeSet, now)
}

// SetsAt looks up the sets at keys for reading, appending them to dst in
// order, nil for a missing key. Every key is checked: one of another type
// gives ErrWrongType. The shards of all keys must be locked.
func SetsAt(dst []*object.Set, ks *keyspace.Keyspace, db int, keys [][]byte, now int64) ([]*object.Set, error) {
	for _, k := range keys {
		key := Key(k)
		s, err := SetValue(ks.ShardFor(key), db, key, now)
		if err != nil {
			return dst, err
		}
		dst = append(dst, s)
	}
	return dst, nil
}

// Members collects copies of set members in one buffer.
type Members struct {
	buf  []byte
	ends []int
}

// Add appends a copy of m.
func (ms *Members) Add(m []byte) {
	ms.buf = append(ms.buf, m...)
	ms.ends = append(ms.ends, len(ms.buf))
}

// Len returns the number of members.
func (ms *Members) Len() int { return len(ms.ends) }

// At returns member i, aliasing the buffer.
func (ms *Members) At(i int) []byte {
	start := 0
	if i > 0 {
		start = ms.ends[i-1]
	}
	return ms.buf[start:ms.ends[i]]
}

// Strings returns the members as strings sharing one allocation.
func (ms *Members) Strings() []string {
	all := string(ms.buf)
	out := make([]string, len(ms.ends))
	start := 0
	for i, end := range ms.ends {
		out[i] = all[start:end]
		start = end
	}
	return out
}

// reply sends the members as a set (RESP3 ~, RESP2 array).
func (ms *Members) reply(w Reply) {
	w.SetLen(ms.Len())
	start := 0
	for _, end := range ms.ends {
		w.Bulk(ms.buf[start:end])
		start = end
	}
}

// collect copies every member of s.
func (ms *Members) collect(s *object.Set) {
	if s == nil {
		return
	}
	for m := range s.Members() {
		ms.Add(m)
	}
}

// ------------------------------------------------------------ add/remove

// SetAdd adds members to the set at key, creating it, and returns how
// many were not already members (SADD). The encoding follows e.Limits.
func SetAdd(e *Engine, sh *keyspace.Shard, db int, key string, members [][]byte, now int64) (int, error) {
	s, _, err := setWrite(sh, db, key, now)
	if err != nil {
		return 0, err
	}
	if s == nil {
		s = object.NewSet()
		sh.Add(db, key, keyspace.TypeSet, unsafe.Pointer(s))
	}
	n := 0
	for _, m := range members {
		if s.Add(&e.Limits, m) {
			n++
		}
	}
	sh.Dirty += int64(n)
	return n, nil
}

func saddCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	n, err := SetAdd(c.E, c.Shard(key), c.DB, key, args[2:], c.Now)
	c.notifyCount(err, n, NotifySet, "sadd", key)
	replyCount(c, n, err)
}

// replyCount replies n as an integer, or err.
func replyCount(c *Ctx, n int, err error) {
	if err != nil {
		c.replyErr(err)
		return
	}
	c.W.Int(int64(n))
}

// SetRem removes members from the set at key and returns how many were
// members (SREM); an emptied set is deleted.
func SetRem(sh *keyspace.Shard, db int, key string, members [][]byte, now int64) (int, error) {
	s, e, err := setWrite(sh, db, key, now)
	if s == nil {
		return 0, err
	}
	n := 0
	for _, m := range members {
		if s.Remove(m) {
			n++
			if s.Len() == 0 {
				sh.Unlink(db, e)
				break
			}
		}
	}
	sh.Dirty += int64(n)
	return n, nil
}

func sremCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	n, err := SetRem(c.Shard(key), c.DB, key, args[2:], c.Now)
	c.notifyRemoved(err, n, NotifySet, "srem", key)
	replyCount(c, n, err)
}

// SetMove moves member from the set at src to the set at dst (SMOVE) and
// reports whether it was a member of src. A missing src gives false
// without checking dst; a dst of another type is ErrWrongType even when
// member is absent; src == dst only checks membership. The shards of both
// keys must be locked.
func SetMove(e *Engine, db int, src, dst string, member []byte, now int64) (bool, error) {
	ssh, dsh := e.KS.ShardFor(src), e.KS.ShardFor(dst)
	ss, se, err := setWrite(ssh, db, src, now)
	if ss == nil {
		return false, err
	}
	ds, _, err := setWrite(dsh, db, dst, now)
	if err != nil {
		return false, err
	}
	if ss == ds {
		return ss.Contains(member), nil
	}
	if !ss.Remove(member) {
		return false, nil
	}
	ssh.Dirty++
	if ss.Len() == 0 {
		ssh.Unlink(db, se)
	}
	if ds == nil {
		ds = object.NewSet()
		dsh.Add(db, dst, keyspace.TypeSet, unsafe.Pointer(ds))
	}
	if ds.Add(&e.Limits, member) {
		dsh.Dirty++
	}
	return true, nil
}

func smoveCmd(c *Ctx, args [][]byte) {
	dstHad := c.Notifying(NotifySet) && c.setHas(Key(args[2]), args[3])
	ok, err := SetMove(c.E, c.DB, Key(args[1]), Key(args[2]), args[3], c.Now)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.notifySMove(ok, Key(args[1]), Key(args[2]), dstHad)
	if ok && c.Logging() && c.E.KS.ShardIndex(Key(args[1])) != c.E.KS.ShardIndex(Key(args[2])) {
		c.Propagate(pSREM, args[1], args[3])
		c.Propagate(pSADD, args[2], args[3])
	}
	c.W.Int(boolInt(ok))
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// ------------------------------------------------------------------ reads

// SetCard returns the size of the set at key, 0 when missing (SCARD).
func SetCard(sh *keyspace.Shard, db int, key string, now int64) (int, error) {
	s, err := SetValue(sh, db, key, now)
	if s == nil {
		return 0, err
	}
	return s.Len(), nil
}

func scardCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	n, err := SetCard(c.Shard(key), c.DB, key, c.Now)
	replyCount(c, n, err)
}

// SetIsMember reports whether member is in the set at key (SISMEMBER).
func SetIsMember(sh *keyspace.Shard, db int, key string, member []byte, now int64) (bool, error) {
	s, err := SetValue(sh, db, key, now)
	if s == nil {
		return false, err
	}
	return s.Contains(member), nil
}

func sismemberCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	ok, err := SetIsMember(c.Shard(key), c.DB, key, args[2], c.Now)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.W.Int(boolInt(ok))
}

// SetMIsMember reports, for each member, whether it is in the set at key
// (SMISMEMBER).
func SetMIsMember(sh *keyspace.Shard, db int, key string, members [][]byte, now int64) ([]bool, error) {
	s, err := SetValue(sh, db, key, now)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(members))
	if s != nil {
		for i, m := range members {
			out[i] = s.Contains(m)
		}
	}
	return out, nil
}

func smismemberCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	s, err := SetValue(c.Shard(key), c.DB, key, c.Now)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.W.ArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		c.W.Int(boolInt(s != nil && s.Contains(m)))
	}
}

// SetMembers returns copies of the members of the set at key (SMEMBERS).
func SetMembers(sh *keyspace.Shard, db int, key string, now int64) ([]string, error) {
	s, err := SetValue(sh, db, key, now)
	if s == nil {
		return nil, err
	}
	var ms Members
	ms.collect(s)
	return ms.Strings(), nil
}

func smembersCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	s, err := SetValue(c.Shard(key), c.DB, key, c.Now)
	if err != nil {
		c.replyErr(err)
		return
	}
	if s == nil {
		c.W.SetLen(0)
		return
	}
	c.W.SetLen(s.Len())
	for m := range s.Members() {
		c.W.Bulk(m)
	}
}

// ---------------------------------------------------------------- random

// SetPop removes and returns a random member of the set at key (SPOP):
// ErrNil when the key is missing; an emptied set is deleted.
func SetPop(sh *keyspace.Shard, db int, key string, now int64) (string, error) {
	s, e, err := setWrite(sh, db, key, now)
	switch {
	case err != nil:
		return "", err
	case s == nil:
		return "", ErrNil
	}
	m, _ := s.Pop(nil)
	sh.Dirty++
	if s.Len() == 0 {
		sh.Unlink(db, e)
	}
	return m, nil
}

// SetPopN removes and returns min(count, size) random members of the set
// at key (SPOP with a count, count >= 0); an emptied set is deleted and a
// missing key gives none.
func SetPopN(lim *object.Limits, sh *keyspace.Shard, db int, key string, count int64, now int64) ([]string, error) {
	if count < 0 {
		return nil, &Error{Wire: WireNotPositive, Kind: ErrNotInteger}
	}
	s, e, err := setWrite(sh, db, key, now)
	if s == nil || count == 0 {
		return nil, err
	}
	out := s.PopN(lim, int(count), nil)
	sh.Dirty += int64(len(out))
	if s.Len() == 0 {
		sh.Unlink(db, e)
	}
	return out, nil
}

func spopCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	sh := c.Shard(key)
	switch {
	case len(args) > 3:
		c.W.Error(WireSyntax)
		return
	case len(args) == 2:
		m, err := SetPop(sh, c.DB, key, c.Now)
		c.notifyRemoved(err, 1, NotifySet, "spop", key)
		switch {
		case err == ErrNil:
			c.W.Null()
		case err != nil:
			c.replyErr(err)
		default:
			if c.Logging() {
				c.propagateSRem(args[1], []string{m}, sh.Peek(c.DB, key, c.Now) == nil)
			}
			c.W.BulkString(m)
		}
		return
	}
	count, ok := ParseInt(args[2])
	if !ok || count < 0 {
		c.W.Error(WireNotPositive)
		return
	}
	out, err := SetPopN(&c.E.Limits, sh, c.DB, key, count, c.Now)
	c.notifyRemoved(err, len(out), NotifySet, "spop", key)
	if err != nil {
		c.replyErr(err)
		return
	}
	if c.Logging() {
		c.propagateSRem(args[1], out, sh.Peek(c.DB, key, c.Now) == nil)
	}
	c.W.SetLen(len(out))
	for _, m := range out {
		c.W.BulkString(m)
	}
}

// SetRandMember returns a random member of the set at key without
// removing it (SRANDMEMBER): ErrNil when the key is missing.
func SetRandMember(sh *keyspace.Shard, db int, key string, now int64) (string, error) {
	s, err := SetValue(sh, db, key, now)
	switch {
	case err != nil:
		return "", err
	case s == nil:
		return "", ErrNil
	}
	m, _ := s.RandomMember(nil)
	return m, nil
}

// checkRandCount validates an SRANDMEMBER count as Redis parses it
// (LONG_MIN is refused).
func checkRandCount(count int64) error {
	if count == -1<<63 {
		return errRandCountMin
	}
	return nil
}

// SetRandMembers implements SRANDMEMBER with a count: for count > 0 up to
// count distinct members, for count < 0 exactly -count members that may
// repeat (at most setRandCountLimit, see there). A missing key gives none.
func SetRandMembers(sh *keyspace.Shard, db int, key string, count int64, now int64) ([]string, error) {
	if err := checkRandCount(count); err != nil {
		return nil, err
	}
	s, err := SetValue(sh, db, key, now)
	if s == nil || count == 0 {
		return nil, err
	}
	if count < -setRandCountLimit {
		return nil, errRandCountRange
	}
	return s.RandomMembers(int(count), nil), nil
}

func srandmemberCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	sh := c.Shard(key)
	switch {
	case len(args) > 3:
		c.W.Error(WireSyntax)
		return
	case len(args) == 2:
		m, err := SetRandMember(sh, c.DB, key, c.Now)
		switch {
		case err == ErrNil:
			c.W.Null()
		case err != nil:
			c.replyErr(err)
		default:
			c.W.BulkString(m)
		}
		return
	}
	count, ok := ParseInt(args[2])
	if !ok {
		c.W.Error(WireNotInteger)
		return
	}
	out, err := SetRandMembers(sh, c.DB, key, count, c.Now)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.W.ArrayLen(len(out))
	for _, m := range out {
		c.W.BulkString(m)
	}
}

// ------------------------------------------------------------ algebra

// SetOp is a set operation of the multi-key commands.
type SetOp uint8

// Set operations.
const (
	SetOpInter SetOp = iota // SINTER
	SetOpUnion              // SUNION
	SetOpDiff               // SDIFF: the first set minus all the others
)

// SetCombine returns the members of op applied to the sets at keys
// (SINTER, SUNION, SDIFF); missing keys are empty sets. The shards of all
// keys must be locked.
func SetCombine(e *Engine, db int, op SetOp, keys [][]byte, now int64) (*Members, error) {
	var buf [8]*object.Set
	sets, err := SetsAt(buf[:0], e.KS, db, keys, now)
	if err != nil {
		return nil, err
	}
	ms := &Members{}
	if op == SetOpInter {
		object.SetIntersectEach(sets, func(m []byte) bool {
			ms.Add(m)
			return true
		})
		return ms, nil
	}
	ms.collect(combine(&e.Limits, op, sets))
	return ms, nil
}

// combine computes a union or difference as a new set (Redis builds the
// result set first, and replies in its order).
func combine(lim *object.Limits, op SetOp, sets []*object.Set) *object.Set {
	switch op {
	case SetOpInter:
		return object.SetIntersect(lim, sets)
	case SetOpUnion:
		return object.SetUnion(lim, sets)
	}
	return object.SetDiff(lim, sets)
}

// SetStore stores the result of op on the sets at keys at dst, replacing
// any value of any type (and its TTL), and returns its size (SINTERSTORE,
// SUNIONSTORE, SDIFFSTORE). An empty result deletes dst. dst may be one of
// keys. The shards of dst and all keys must be locked.
func SetStore(e *Engine, db int, dst string, op SetOp, keys [][]byte, now int64) (int, error) {
	var buf [8]*object.Set
	sets, err := SetsAt(buf[:0], e.KS, db, keys, now)
	if err != nil {
		return 0, err
	}
	res := combine(&e.Limits, op, sets)
	sh := e.KS.ShardFor(dst)
	sh.Delete(db, dst, now)
	n := res.Len()
	if n > 0 {
		sh.Add(db, dst, keyspace.TypeSet, unsafe.Pointer(res))
	}
	return n, nil
}

func sinterCmd(c *Ctx, args [][]byte) { combineReply(c, SetOpInter, args[1:]) }
func sunionCmd(c *Ctx, args [][]byte) { combineReply(c, SetOpUnion, args[1:]) }
func sdiffCmd(c *Ctx, args [][]byte)  { combineReply(c, SetOpDiff, args[1:]) }

func combineReply(c *Ctx, op SetOp, keys [][]byte) {
	ms, err := SetCombine(c.E, c.DB, op, keys, c.Now)
	if err != nil {
		c.replyErr(err)
		return
	}
	ms.reply(c.W)
}

func sinterstoreCmd(c *Ctx, args [][]byte) { storeReply(c, SetOpInter, args) }
func sunionstoreCmd(c *Ctx, args [][]byte) { storeReply(c, SetOpUnion, args) }
func sdiffstoreCmd(c *Ctx, args [][]byte)  { storeReply(c, SetOpDiff, args) }

func storeReply(c *Ctx, op SetOp, args [][]byte) {
	existed := c.ExistsForNotify(NotifyGeneric, Key(args[1]))
	n, err := SetStore(c.E, c.DB, Key(args[1]), op, args[2:], c.Now)
	if err == nil {
		c.NotifyStore(existed, n, NotifySet, setStoreEvent(op), Key(args[1]))
	}
	replyCount(c, n, err)
}

// SetInterCard returns the size of the intersection of the sets at keys
// (SINTERCARD), counting no further than limit when limit > 0. The shards
// of all keys must be locked.
func SetInterCard(ks *keyspace.Keyspace, db int, keys [][]byte, limit int64, now int64) (int, error) {
	if limit < 0 {
		return 0, errLimitNegative
	}
	var buf [8]*object.Set
	sets, err := SetsAt(buf[:0], ks, db, keys, now)
	if err != nil {
		return 0, err
	}
	return object.SetIntersectCard(sets, int(limit)), nil
}

// sintercardRange returns the key arguments of SINTERCARD, validating
// numkeys; the error is the reply for a bad numkeys.
func sintercardRange(args [][]byte) (lo, hi int, err error) {
	n, ok := parseNumKeys(args[1])
	if !ok {
		return 0, 0, errNumkeys
	}
	if n > len(args)-2 {
		return 0, 0, errSetNumkeysArgs
	}
	return 2, 2 + n, nil
}

func sintercardKeys(args [][]byte) ([]int, bool) {
	lo, hi, err := sintercardRange(args)
	if err != nil {
		return nil, false
	}
	return keyIndexes(lo, hi), true
}

func sintercardCmd(c *Ctx, args [][]byte) {
	lo, hi, err := sintercardRange(args)
	if err != nil {
		c.replyErr(err)
		return
	}
	limit := int64(0)
	for i := hi; i < len(args); i++ {
		if EqualFold(args[i], "limit") && i+1 < len(args) {
			i++
			v, ok := ParseInt(args[i])
			if !ok || v < 0 {
				c.replyErr(errLimitNegative)
				return
			}
			limit = v
			continue
		}
		c.W.Error(WireSyntax)
		return
	}
	n, err := SetInterCard(c.E.KS, c.DB, args[lo:hi], limit, c.Now)
	replyCount(c, n, err)
}

// ------------------------------------------------------------------ SSCAN

// SetScanOptions are SSCAN's options: a glob pattern (when UseMatch) and
// the COUNT hint (0 means 10).
type SetScanOptions struct {
	Match    string
	UseMatch bool
	Count    int
}

// SetScan runs one SSCAN step over the set at key from cursor and returns
// the members found (copies, filtered by the pattern) and the next cursor
// (0 at the end; a missing key ends at once). As in Redis a small
// (intset) set is returned whole, and for a hash table Count bounds the
// members collected before filtering and the buckets visited (10*Count).
func SetScan(sh *keyspace.Shard, db int, key string, cursor uint64, o *SetScanOptions, now int64) (*Members, uint64, error) {
	s, err := SetValue(sh, db, key, now)
	if s == nil {
		return &Members{}, 0, err
	}
	ms, next := setScan(s, cursor, o)
	return ms, next, nil
}

// setScan is SetScan on a set.
func setScan(s *object.Set, cursor uint64, o *SetScanOptions) (*Members, uint64) {
	count := o.Count
	if count <= 0 {
		count = 10
	}
	maxIter := int64(count) * 10
	ms := &Members{}
	add := func(m []byte) { ms.Add(m) }
	for {
		cursor = s.Scan(cursor, add)
		if cursor == 0 || maxIter <= 0 || ms.Len() >= count {
			break
		}
		maxIter--
	}
	if o.UseMatch && !(o.Match == "*") {
		kept := &Members{}
		for i := range ms.Len() {
			if m := ms.At(i); glob.Match(o.Match, Key(m), false) {
				kept.Add(m)
			}
		}
		ms = kept
	}
	return ms, cursor
}

func sscanCmd(c *Ctx, args [][]byte) {
	cursor, ok := ParseCursor(args[2])
	if !ok {
		c.replyErr(errInvalidCursor)
		return
	}
	key := Key(args[1])
	s, err := SetValue(c.Shard(key), c.DB, key, c.Now)
	switch {
	case err != nil:
		c.replyErr(err)
		return
	case s == nil:
		c.W.ArrayLen(2)
		c.W.BulkString("0")
		c.W.ArrayLen(0)
		return
	}
	var o SetScanOptions
	for i := 3; i < len(args); i += 2 {
		if i+1 >= len(args) {
			c.W.Error(WireSyntax)
			return
		}
		switch {
		case EqualFold(args[i], "count"):
			v, ok := ParseInt(args[i+1])
			if !ok {
				c.W.Error(WireNotInteger)
				return
			}
			if v < 1 {
				c.W.Error(WireSyntax)
				return
			}
			o.Count = int(min(v, 1<<40))
		case EqualFold(args[i], "match"):
			o.Match, o.UseMatch = string(args[i+1]), true
		default:
			c.W.Error(WireSyntax)
			return
		}
	}
	ms, next := setScan(s, cursor, &o)
	var buf [20]byte
	c.W.ArrayLen(2)
	c.W.Bulk(strconv.AppendUint(buf[:0], next, 10))
	c.W.ArrayLen(ms.Len())
	for i := range ms.Len() {
		c.W.Bulk(ms.At(i))
	}
}
