package command

import (
	"math"
	"math/rand/v2"
	"strconv"
	"unsafe"

	"github.com/kevydb/kevy/internal/glob"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
)

// Generic key commands (Redis's "keyspace" group): DEL, UNLINK, EXISTS,
// TYPE, the EXPIRE and TTL families, PERSIST, RENAME(NX), COPY, MOVE,
// KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TOUCH and
// OBJECT. Each command's rule lives in an exported function that the
// embedded API (kevy's keys.go) calls too, with the same locks held.

func init() {
	ks := []string{"keyspace"}
	cat := func(extra ...string) []string { return append(append([]string(nil), ks...), extra...) }
	objSub := func(name string, arity int) *Command {
		return &Command{Name: "object|" + name, Arity: arity, Flags: FlagReadOnly, FirstKey: 2, LastKey: 2, Step: 1,
			Run: objectCmd, Categories: cat("read", "slow")}
	}
	Register(
		&Command{Name: "del", Arity: -2, Flags: FlagWrite, FirstKey: 1, LastKey: -1, Step: 1,
			Run: delCmd, Categories: cat("write", "slow")},
		&Command{Name: "unlink", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: -1, Step: 1,
			Run: delCmd, Categories: cat("write", "fast")},
		&Command{Name: "exists", Arity: -2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1,
			Run: existsCmd, Categories: cat("read", "fast")},
		&Command{Name: "touch", Arity: -2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1,
			Run: touchCmd, Categories: cat("read", "fast")},
		&Command{Name: "type", Arity: 2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: typeCmd, Categories: cat("read", "fast")},
		&Command{Name: "expire", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: expireCmd, Categories: cat("write", "fast")},
		&Command{Name: "pexpire", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: pexpireCmd, Categories: cat("write", "fast")},
		&Command{Name: "expireat", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: expireatCmd, Categories: cat("write", "fast")},
		&Command{Name: "pexpireat", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: pexpireatCmd, Categories: cat("write", "fast")},
		&Command{Name: "ttl", Arity: 2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: ttlCmd, Categories: cat("read", "fast")},
		&Command{Name: "pttl", Arity: 2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: pttlCmd, Categories: cat("read", "fast")},
		&Command{Name: "expiretime", Arity: 2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: expiretimeCmd, Categories: cat("read", "fast")},
		&Command{Name: "pexpiretime", Arity: 2, Flags: FlagReadOnly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: pexpiretimeCmd, Categories: cat("read", "fast")},
		&Command{Name: "persist", Arity: 2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: persistCmd, Categories: cat("write", "fast")},
		&Command{Name: "rename", Arity: 3, Flags: FlagWrite, FirstKey: 1, LastKey: 2, Step: 1,
			Run: renameCmd, Categories: cat("write", "slow")},
		&Command{Name: "renamenx", Arity: 3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 2, Step: 1,
			Run: renamenxCmd, Categories: cat("write", "fast")},
		&Command{Name: "copy", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1,
			Run: copyCmd, Categories: cat("write", "slow")},
		&Command{Name: "move", Arity: 3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Run: moveCmd, Categories: cat("write", "fast")},
		&Command{Name: "keys", Arity: 2, Flags: FlagReadOnly | FlagAllShards,
			Run: keysCmd, Categories: cat("read", "slow", "dangerous")},
		&Command{Name: "scan", Arity: -2, Flags: FlagReadOnly | FlagSelfLock,
			Run: scanCmd, Categories: cat("read", "slow")},
		&Command{Name: "randomkey", Arity: 1, Flags: FlagReadOnly | FlagAllShards,
			Run: randomkeyCmd, Categories: cat("read", "slow")},
		&Command{Name: "dbsize", Arity: 1, Flags: FlagReadOnly | FlagFast | FlagSelfLock,
			Run: dbsizeCmd, Categories: cat("read", "fast")},
		&Command{Name: "flushdb", Arity: -1, Flags: FlagWrite | FlagAllShards,
			Run: flushdbCmd, Categories: cat("write", "slow", "dangerous")},
		&Command{Name: "flushall", Arity: -1, Flags: FlagWrite | FlagAllShards,
			Run: flushallCmd, Categories: cat("write", "slow", "dangerous")},
		&Command{Name: "swapdb", Arity: 3, Flags: FlagWrite | FlagFast | FlagAllShards,
			Run: swapdbCmd, Categories: cat("write", "fast", "dangerous")},
		&Command{Name: "object", Arity: -2, FirstKey: 2, LastKey: 2, Step: 1,
			Run: objectCmd, Categories: []string{"slow"},
			Subcommands: []*Command{
				objSub("encoding", 3),
				objSub("freq", 3),
				{Name: "object|help", Arity: 2, Flags: FlagLoading | FlagStale, Run: objectCmd,
					Categories: cat("slow")},
				objSub("idletime", 3),
				objSub("refcount", 3),
			}},
	)
}

// Error replies specific to the generic key commands.
var (
	errSameObject = &Error{Wire: "ERR source and destination objects are the same", Kind: ErrInvalidValue}
	errInvalidDB  = &Error{Wire: WireInvalidDB, Kind: ErrInvalidDB}
	errNXAndOther = &Error{Wire: "ERR NX and XX, GT or LT options at the same time are not compatible", Kind: ErrSyntax}
	errGTAndLT    = &Error{Wire: "ERR GT and LT options at the same time are not compatible", Kind: ErrSyntax}
)

const (
	wireInvalidCursor = "ERR invalid cursor"
	wireLFUNotSet     = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. " +
		"Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	wireLFUSet = "ERR An LFU maxmemory policy is selected, idle time not tracked. " +
		"Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
)

// readNoTouch is Redis's lookupKeyRead with LOOKUP_NOTOUCH: it counts a
// keyspace hit or miss but leaves the access clock alone (EXISTS, TYPE,
// TTL, OBJECT).
func readNoTouch(sh *keyspace.Shard, db int, key string, now int64) *keyspace.Entry {
	e := sh.Peek(db, key, now)
	if e == nil {
		sh.Misses++
	} else {
		sh.Hits++
	}
	return e
}

// lookupForWrite is Redis's lookupKeyWrite: the access clock is updated,
// the hit/miss counters are not.
func lookupForWrite(ks *keyspace.Keyspace, sh *keyspace.Shard, db int, key string, now int64) *keyspace.Entry {
	e := sh.Peek(db, key, now)
	if e != nil {
		sh.TouchWrite(e, now)
	}
	return e
}

// ---- DEL, UNLINK, EXISTS, TOUCH, TYPE ----

// DelKey removes key from db and reports whether it existed (an expired
// key counts as absent). DEL and UNLINK use it once per key.
func DelKey(sh *keyspace.Shard, db int, key string, now int64) bool {
	return sh.Delete(db, key, now) != nil
}

// KeyExists reports whether key exists in db, without updating its access
// clock (EXISTS).
func KeyExists(sh *keyspace.Shard, db int, key string, now int64) bool {
	return readNoTouch(sh, db, key, now) != nil
}

// TouchKey updates key's access clock and reports whether it exists
// (TOUCH).
func TouchKey(sh *keyspace.Shard, db int, key string, now int64) bool {
	return sh.Lookup(db, key, now) != nil
}

// KeyType returns the type of key, TypeNone when it does not exist
// (TYPE). The access clock is not updated.
func KeyType(sh *keyspace.Shard, db int, key string, now int64) keyspace.Type {
	if e := readNoTouch(sh, db, key, now); e != nil {
		return e.Type()
	}
	return keyspace.TypeNone
}

func delCmd(c *Ctx, args [][]byte) {
	n := int64(0)
	for _, a := range args[1:] {
		key := Key(a)
		if DelKey(c.Shard(key), c.DB, key, c.Now) {
			n++
			c.Notify(NotifyGeneric, "del", key)
		}
	}
	c.W.Int(n)
}

func existsCmd(c *Ctx, args [][]byte) {
	n := int64(0)
	for _, a := range args[1:] {
		key := Key(a)
		if KeyExists(c.Shard(key), c.DB, key, c.Now) {
			n++
		}
	}
	c.W.Int(n)
}

func touchCmd(c *Ctx, args [][]byte) {
	n := int64(0)
	for _, a := range args[1:] {
		key := Key(a)
		if TouchKey(c.Shard(key), c.DB, key, c.Now) {
			n++
		}
	}
	c.W.Int(n)
}

func typeCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	c.W.SimpleString(KeyType(c.Shard(key), c.DB, key, c.Now).String())
}

// ---- EXPIRE family ----

// ExpireCond is the set of EXPIRE's NX, XX, GT and LT options.
type ExpireCond uint8

// EXPIRE conditions. A key without a TTL counts as having an infinite
// one for GT and LT.
const (
	ExpireNX ExpireCond = 1 << iota // only if the key has no TTL
	ExpireXX                        // only if the key has a TTL
	ExpireGT                        // only if the new deadline is later
	ExpireLT                        // only if the new deadline is earlier
)

// Check returns Redis's error for an incompatible combination (NX with
// any other, or GT with LT), nil otherwise.
func (f ExpireCond) Check() error {
	if f&ExpireNX != 0 && f&(ExpireXX|ExpireGT|ExpireLT) != 0 {
		return errNXAndOther
	}
	if f&ExpireGT != 0 && f&ExpireLT != 0 {
		return errGTAndLT
	}
	return nil
}

// ExpireKey sets key's deadline (absolute Unix ms) if cond allows it and
// reports whether it did. A deadline not after now deletes the key (and
// counts as done). The caller has checked cond with Check. EXPIRE,
// PEXPIRE, EXPIREAT and PEXPIREAT share it.
func ExpireKey(ks *keyspace.Keyspace, sh *keyspace.Shard, db int, key string, deadline int64, cond ExpireCond, now int64) bool {
	e := lookupForWrite(ks, sh, db, key, now)
	if e == nil {
		return false
	}
	if cond != 0 {
		cur := e.Expire() // 0: no TTL, i.e. infinite
		switch {
		case cond&ExpireNX != 0 && cur != 0,
			cond&ExpireXX != 0 && cur == 0,
			cond&ExpireGT != 0 && (cur == 0 || deadline <= cur),
			cond&ExpireLT != 0 && cur != 0 && deadline >= cur:
			return false
		}
	}
	if deadline <= now {
		sh.Unlink(db, e)
		return true
	}
	sh.SetExpire(db, e, deadline)
	sh.Dirty++
	return true
}

// ExpireDeadline converts an EXPIRE-family argument v (seconds or ms,
// relative to base: now for EXPIRE/PEXPIRE, 0 for the AT forms) to an
// absolute Unix ms deadline, with Redis's overflow checks. Negative
// values are allowed (they delete the key). cmd names the command in the
// error.
func ExpireDeadline(v int64, seconds bool, base int64, cmd string) (int64, error) {
	if seconds {
		if v > math.MaxInt64/1000 || v < math.MinInt64/1000 {
			return 0, &Error{Wire: invalidExpire(cmd), Kind: ErrInvalidValue}
		}
		v *= 1000
	}
	if v > math.MaxInt64-base {
		return 0, &Error{Wire: invalidExpire(cmd), Kind: ErrInvalidValue}
	}
	return v + base, nil
}

func expireCmd(c *Ctx, args [][]byte)    { expireGeneric(c, args, true, false, "expire") }
func pexpireCmd(c *Ctx, args [][]byte)   { expireGeneric(c, args, false, false, "pexpire") }
func expireatCmd(c *Ctx, args [][]byte)  { expireGeneric(c, args, true, true, "expireat") }
func pexpireatCmd(c *Ctx, args [][]byte) { expireGeneric(c, args, false, true, "pexpireat") }

func expireGeneric(c *Ctx, args [][]byte, seconds, absolute bool, name string) {
	var cond ExpireCond
	for _, a := range args[3:] {
		switch {
		case EqualFold(a, "nx"):
			cond |= ExpireNX
		case EqualFold(a, "xx"):
			cond |= ExpireXX
		case EqualFold(a, "gt"):
			cond |= ExpireGT
		case EqualFold(a, "lt"):
			cond |= ExpireLT
		default:
			c.W.Error("ERR Unsupported option " + sanitize(string(a)))
			return
		}
	}
	if err := cond.Check(); err != nil {
		c.W.Error(ToWire(err))
		return
	}
	v, ok := ParseInt(args[2])
	if !ok {
		c.W.Error(WireNotInteger)
		return
	}
	base := c.Now
	if absolute {
		base = 0
	}
	deadline, err := ExpireDeadline(v, seconds, base, name)
	if err != nil {
		c.W.Error(ToWire(err))
		return
	}
	key := Key(args[1])
	ok = ExpireKey(c.E.KS, c.Shard(key), c.DB, key, deadline, cond, c.Now)
	c.notifyExpire(ok, key, deadline)
	if c.Logging() {
		if ok {
			c.propagateDeadline(args[1], deadline, deadline <= c.Now)
		} else {
			c.PropagateNone()
		}
	}
	c.W.Int(keysInt(ok))
}

func keysInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// KeyTTL returns key's remaining time to live in ms (0 or more), -1 when
// it has no TTL and -2 when it does not exist (PTTL; TTL rounds it to
// seconds). The access clock is not updated.
func KeyTTL(sh *keyspace.Shard, db int, key string, now int64) int64 {
	e := readNoTouch(sh, db, key, now)
	if e == nil {
		return -2
	}
	if e.Expire() == 0 {
		return -1
	}
	return max(e.Expire()-now, 0)
}

// KeyExpireTime returns key's absolute deadline in Unix ms, -1 when it
// has no TTL and -2 when it does not exist (PEXPIRETIME).
func KeyExpireTime(sh *keyspace.Shard, db int, key string, now int64) int64 {
	e := readNoTouch(sh, db, key, now)
	if e == nil {
		return -2
	}
	if e.Expire() == 0 {
		return -1
	}
	return e.Expire()
}

// ttlSeconds rounds like Redis's TTL reply ((ms+500)/1000), keeping the
// -1 and -2 markers.
func ttlSeconds(ms int64) int64 {
	if ms < 0 {
		return ms
	}
	return int64((uint64(ms) + 500) / 1000) // no overflow near MaxInt64, as Redis replies
}

func ttlCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	c.W.Int(ttlSeconds(KeyTTL(c.Shard(key), c.DB, key, c.Now)))
}

func pttlCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	c.W.Int(KeyTTL(c.Shard(key), c.DB, key, c.Now))
}

func expiretimeCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	c.W.Int(ttlSeconds(KeyExpireTime(c.Shard(key), c.DB, key, c.Now)))
}

func pexpiretimeCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	c.W.Int(KeyExpireTime(c.Shard(key), c.DB, key, c.Now))
}

// PersistKey removes key's TTL and reports whether it had one (PERSIST).
func PersistKey(ks *keyspace.Keyspace, sh *keyspace.Shard, db int, key string, now int64) bool {
	e := lookupForWrite(ks, sh, db, key, now)
	if e == nil || e.Expire() == 0 {
		return false
	}
	sh.SetExpire(db, e, 0)
	sh.Dirty++
	return true
}

func persistCmd(c *Ctx, args [][]byte) {
	key := Key(args[1])
	ok := PersistKey(c.E.KS, c.Shard(key), c.DB, key, c.Now)
	if ok {
		c.Notify(NotifyGeneric, "persist", key)
	}
	c.W.Int(keysInt(ok))
}

// ---- RENAME, RENAMENX, COPY, MOVE ----

// RenameKey renames src to dst in db, keeping the value, its TTL and
// access clock. With nx it does nothing when dst exists. It returns
// whether the key was renamed, or ErrNoSuchKey when src does not exist.
// Renaming a key to itself succeeds without change for RENAME (true) and
// reports false for RENAMENX. The shards of src and dst must be locked.
func RenameKey(ks *keyspace.Keyspace, db int, src, dst string, nx bool, now int64) (bool, error) {
	ssh := ks.ShardFor(src)
	e := lookupForWrite(ks, ssh, db, src, now)
	if e == nil {
		return false, ErrNoSuchKey
	}
	if src == dst {
		return !nx, nil
	}
	dsh := ks.ShardFor(dst)
	if old := lookupForWrite(ks, dsh, db, dst, now); old != nil {
		if nx {
			return false, nil
		}
		dsh.Unlink(db, old)
	}
	n := keyspace.Rekey(e, dst)
	ssh.Unlink(db, e)
	dsh.Insert(db, n)
	return true, nil
}

func renameCmd(c *Ctx, args [][]byte) {
	if _, err := RenameKey(c.E.KS, c.DB, Key(args[1]), Key(args[2]), false, c.Now); err != nil {
		c.W.Error(ToWire(err))
		return
	}
	c.notifyRename(true, Key(args[1]), Key(args[2]))
	c.OK()
}

func renamenxCmd(c *Ctx, args [][]byte) {
	ok, err := RenameKey(c.E.KS, c.DB, Key(args[1]), Key(args[2]), true, c.Now)
	if err != nil {
		c.W.Error(ToWire(err))
		return
	}
	c.notifyRename(ok, Key(args[1]), Key(args[2]))
	c.W.Int(keysInt(ok))
}

// CheckDB returns ErrInvalidDB (with Redis's text) unless 0 <= db <
// ks.Databases().
func CheckDB(ks *keyspace.Keyspace, db int) error {
	if db < 0 || db >= ks.Databases() {
		return errInvalidDB
	}
	return nil
}

// wireNotInt32 is Redis's getIntFromObjectOrReply error for an integer
// outside the C int range.
const wireNotInt32 = "ERR value is out of range, value must between -2147483648 and 2147483647"

// parseDB parses a database index argument like Redis's
// getIntFromObjectOrReply followed by a range check.
func parseDB(ks *keyspace.Keyspace, arg []byte) (int, string) {
	v, ok := ParseInt(arg)
	if !ok {
		return 0, WireNotInteger
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, wireNotInt32
	}
	if CheckDB(ks, int(v)) != nil {
		return 0, WireInvalidDB
	}
	return int(v), ""
}

// cloneValue returns an independent copy of a non-string entry's value.
func cloneValue(e *keyspace.Entry) unsafe.Pointer {
	switch e.Type() {
	case keyspace.TypeList:
		return unsafe.Pointer((*object.List)(e.Obj()).Clone())
	case keyspace.TypeHash:
		return unsafe.Pointer((*object.Hash)(e.Obj()).Clone())
	case keyspace.TypeSet:
		return unsafe.Pointer((*object.Set)(e.Obj()).Clone())
	case keyspace.TypeZSet:
		return unsafe.Pointer((*object.ZSet)(e.Obj()).Clone())
	}
	return nil
}

// CopyKey copies src (in srcDB) to dst in dstDB, with src's TTL and a
// fresh access clock, and reports whether it did: false when src does
// not exist, or dst exists and replace is false. Copying a key onto
// itself is an error. dstDB must be valid (CheckDB). The shards of src
// and dst must be locked.
func CopyKey(ks *keyspace.Keyspace, srcDB int, src string, dstDB int, dst string, replace bool, now int64) (bool, error) {
	if srcDB == dstDB && src == dst {
		return false, errSameObject
	}
	ssh := ks.ShardFor(src)
	e := ssh.Lookup(srcDB, src, now)
	if e == nil {
		return false, nil
	}
	dsh := ks.ShardFor(dst)
	old := lookupForWrite(ks, dsh, dstDB, dst, now)
	if old != nil && !replace {
		return false, nil
	}
	n := keyspace.Rekey(e, dst)
	if e.Type() == keyspace.TypeString {
		n.SetPrivate()
	}
	if e.Type() != keyspace.TypeString {
		n.SetObj(cloneValue(e))
	}
	n.SetClock(ks.NewClock(now))
	if old != nil {
		dsh.Unlink(dstDB, old)
	}
	dsh.Insert(dstDB, n)
	return true, nil
}

func copyCmd(c *Ctx, args [][]byte) {
	dstDB, replace := c.DB, false
	for i := 3; i < len(args); i++ {
		switch a := args[i]; {
		case EqualFold(a, "replace"):
			replace = true
		case EqualFold(a, "db") && i+1 < len(args):
			db, errText := parseDB(c.E.KS, args[i+1])
			if errText != "" {
				c.W.Error(errText)
				return
			}
			dstDB = db
			i++
		default:
			c.W.Error(WireSyntax)
			return
		}
	}
	ok, err := CopyKey(c.E.KS, c.DB, Key(args[1]), dstDB, Key(args[2]), replace, c.Now)
	if err != nil {
		c.W.Error(ToWire(err))
		return
	}
	c.notifyCopy(ok, Key(args[2]), dstDB)
	if ok && dstDB != c.DB {
		// WATCH and blocked clients of the destination database.
		c.E.KeyReplaced(c.Shard(Key(args[2])), dstDB, Key(args[2]), c.Now)
	}
	if c.Logging() && c.E.KS.ShardIndex(Key(args[1])) != c.E.KS.ShardIndex(Key(args[2])) {
		// Logged in the destination's shard only, in its final state.
		if ok {
			c.PropagateKeyState(dstDB, Key(args[2]))
		} else {
			c.PropagateNone()
		}
	}
	c.W.Int(keysInt(ok))
}

// MoveKey moves key from srcDB to dstDB (same shard: a key's shard does
// not depend on its database) and reports whether it did: false when the
// key does not exist in srcDB or already exists in dstDB. dstDB must be
// valid (CheckDB); srcDB == dstDB is an error. The key's shard must be
// locked.
func MoveKey(ks *keyspace.Keyspace, srcDB, dstDB int, key string, now int64) (bool, error) {
	if srcDB == dstDB {
		return false, errSameObject
	}
	sh := ks.ShardFor(key)
	e := lookupForWrite(ks, sh, srcDB, key, now)
	if e == nil {
		return false, nil
	}
	if lookupForWrite(ks, sh, dstDB, key, now) != nil {
		return false, nil
	}
	sh.Unlink(srcDB, e)
	sh.Insert(dstDB, e)
	return true, nil
}

func moveCmd(c *Ctx, args [][]byte) {
	db, errText := parseDB(c.E.KS, args[2])
	if errText != "" {
		c.W.Error(errText)
		return
	}
	ok, err := MoveKey(c.E.KS, c.DB, db, Key(args[1]), c.Now)
	if err != nil {
		c.W.Error(ToWire(err))
		return
	}
	c.notifyMove(ok, Key(args[1]), db)
	if ok {
		c.E.KeyReplaced(c.Shard(Key(args[1])), db, Key(args[1]), c.Now)
	}
	c.W.Int(keysInt(ok))
}

// ---- KEYS, SCAN, RANDOMKEY, DBSIZE ----

// MatchKeys calls fn with every live key of db matching the glob pattern
// (KEYS). "*" matches every key, including the empty one. The key passed
// to fn is only valid during the call. Every shard must be locked.
func MatchKeys(ks *keyspace.Keyspace, db int, pattern string, now int64, fn func(key string)) {
	if glob.IsLiteral(pattern) {
		if e := ks.ShardFor(pattern).Peek(db, pattern, now); e != nil {
			fn(e.Key())
		}
		return
	}
	all := pattern == "*"
	for i := range ks.NumShards() {
		ks.Shard(i).Each(db, now, func(e *keyspace.Entry) bool {
			if all || glob.Match(pattern, e.Key(), false) {
				fn(e.Key())
			}
			return true
		})
	}
}

func keysCmd(c *Ctx, args [][]byte) {
	var keys []string // alias entry keys: valid while every shard is locked
	MatchKeys(c.E.KS, c.DB, Key(args[1]), c.Now, func(k string) { keys = append(keys, k) })
	c.W.ArrayLen(len(keys))
	for _, k := range keys {
		c.W.BulkString(k)
	}
}

// ScanOptions are SCAN's filters.
type ScanOptions struct {
	// Match is a glob pattern the keys must match when UseMatch is set.
	Match    string
	UseMatch bool
	// Type restricts the keys to one type when UseType is set (TypeNone
	// then matches nothing, as an unknown TYPE name does).
	Type    keyspace.Type
	UseType bool
	// Count is how many keys to visit per call (a hint); 0 means 10.
	Count int
}

// ScanKeys runs one SCAN step over db from cursor and returns the next
// cursor (0 when the iteration is complete). It calls emit with each key
// that passes the filters; the key is only valid during the call. It
// locks one shard at a time (the caller holds no shard lock).
//
// The cursor is ks.JoinCursor(shard, tableCursor): shards are walked in
// order and each with its table's reverse-binary cursor, so every key
// present for the whole iteration is returned at least once, however the
// tables grow or shrink between calls. As in Redis, Count bounds the keys
// visited (before filtering) and the table buckets walked (10*Count), so
// a call may return fewer keys, or none, before the end.
func ScanKeys(ks *keyspace.Keyspace, db int, cursor uint64, o *ScanOptions, now int64, emit func(key string)) uint64 {
	return scanKeys(ks, db, cursor, o, now, emit, false)
}

// scanKeys is ScanKeys; with held, the caller already holds every shard
// lock (SCAN inside EXEC).
func scanKeys(ks *keyspace.Keyspace, db int, cursor uint64, o *ScanOptions, now int64, emit func(key string), held bool) uint64 {
	count := o.Count
	if count <= 0 {
		count = 10
	}
	budget := count * 10
	if count > math.MaxInt/10 {
		budget = math.MaxInt
	}
	visited := 0
	visit := func(e *keyspace.Entry) {
		visited++
		if o.UseMatch && !(o.Match == "*" || glob.Match(o.Match, e.Key(), false)) {
			return
		}
		if o.UseType && e.Type() != o.Type {
			return
		}
		emit(e.Key())
	}
	shard, inner := ks.SplitCursor(cursor)
	for {
		sh := ks.Shard(shard)
		if !held {
			sh.Lock()
		}
		for {
			inner = sh.Scan(db, inner, now, visit)
			budget--
			if inner == 0 || budget <= 0 || visited >= count {
				break
			}
		}
		if !held {
			sh.Unlock()
		}
		if inner != 0 {
			return ks.JoinCursor(shard, inner)
		}
		if shard++; shard == ks.NumShards() {
			return 0
		}
		if budget <= 0 || visited >= count {
			return ks.JoinCursor(shard, 0)
		}
	}
}

// ParseCursor parses a SCAN cursor like Redis (strtoul in base 10): an
// optional sign, decimal digits, no leading space; "-n" wraps around; an
// empty argument is cursor 0. ok is false for anything else.
func ParseCursor(b []byte) (uint64, bool) {
	if len(b) == 0 || b[0] == 0 {
		return 0, true
	}
	if isSpace(b[0]) {
		return 0, false
	}
	i, neg := 0, false
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		i++
	}
	start := i
	var v uint64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		d := uint64(b[i] - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false // ERANGE
		}
		v = v*10 + d
	}
	if i == start || (i < len(b) && b[i] != 0) {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// ParseType maps a TYPE name (any case) to a Type; unknown names give
// TypeNone.
func ParseType(name []byte) keyspace.Type {
	for t := keyspace.TypeString; t <= keyspace.TypeZSet; t++ {
		if EqualFold(name, t.String()) {
			return t
		}
	}
	return keyspace.TypeNone
}

func scanCmd(c *Ctx, args [][]byte) {
	cursor, ok := ParseCursor(args[1])
	if !ok {
		c.W.Error(wireInvalidCursor)
		return
	}
	var o ScanOptions
	for i := 2; i < len(args); i += 2 {
		a := args[i]
		if i+1 >= len(args) {
			c.W.Error(WireSyntax)
			return
		}
		switch {
		case EqualFold(a, "count"):
			n, ok := ParseInt(args[i+1])
			if !ok {
				c.W.Error(WireNotInteger)
				return
			}
			if n < 1 {
				c.W.Error(WireSyntax)
				return
			}
			o.Count = int(min(n, math.MaxInt))
		case EqualFold(a, "match"):
			o.Match, o.UseMatch = Key(args[i+1]), true
		case EqualFold(a, "type"):
			o.Type, o.UseType = ParseType(args[i+1]), true
		default:
			c.W.Error(WireSyntax)
			return
		}
	}
	// Keys are copied into one buffer: the shards are unlocked before the
	// reply is written.
	var buf []byte
	var ends []int
	next := scanKeys(c.E.KS, c.DB, cursor, &o, c.Now, func(k string) {
		buf = append(buf, k...)
		ends = append(ends, len(buf))
	}, c.LocksHeld())
	var num [20]byte
	c.W.ArrayLen(2)
	c.W.Bulk(strconv.AppendUint(num[:0], next, 10))
	c.W.ArrayLen(len(ends))
	start := 0
	for _, end := range ends {
		c.W.Bulk(buf[start:end])
		start = end
	}
}

// RandomKey returns a random live key of db ("" and false when db is
// empty), picking a shard with probability proportional to its key count
// and then a key inside it (RANDOMKEY). The key is only valid while the
// locks are held. Every shard must be locked.
func RandomKey(ks *keyspace.Keyspace, db int, now int64) (string, bool) {
	for {
		total := 0
		for i := range ks.NumShards() {
			total += ks.Shard(i).Len(db)
		}
		if total == 0 {
			return "", false
		}
		r := rand.IntN(total)
		for i := range ks.NumShards() {
			sh := ks.Shard(i)
			if r -= sh.Len(db); r < 0 {
				if e := sh.Random(db, now); e != nil {
					return e.Key(), true
				}
				break // only expired keys met (and deleted): retry
			}
		}
	}
}

func randomkeyCmd(c *Ctx, _ [][]byte) {
	if k, ok := RandomKey(c.E.KS, c.DB, c.Now); ok {
		c.W.BulkString(k)
		return
	}
	c.W.Null()
}

func dbsizeCmd(c *Ctx, _ [][]byte) {
	if c.LocksHeld() { // inside EXEC, every shard locked
		n := 0
		for i := range c.E.KS.NumShards() {
			n += c.E.KS.Shard(i).Len(c.DB)
		}
		c.W.Int(int64(n))
		return
	}
	c.W.Int(int64(c.E.KS.DBSize(c.DB)))
}

// ---- FLUSHDB, FLUSHALL, SWAPDB ----

// FlushDB removes every key of db. Every shard must be locked.
func FlushDB(ks *keyspace.Keyspace, db int) {
	for i := range ks.NumShards() {
		ks.Shard(i).Flush(db)
	}
}

// FlushAll removes every key of every database. Every shard must be
// locked.
func FlushAll(ks *keyspace.Keyspace) {
	for db := range ks.Databases() {
		FlushDB(ks, db)
	}
}

// SwapDB exchanges the contents of databases a and b (SWAPDB). Every
// shard must be locked.
func SwapDB(ks *keyspace.Keyspace, a, b int) error {
	if CheckDB(ks, a) != nil || CheckDB(ks, b) != nil {
		return errInvalidDB
	}
	if a == b {
		return nil
	}
	for i := range ks.NumShards() {
		ks.Shard(i).Swap(a, b)
	}
	return nil
}

// flushArgsOK accepts no argument, ASYNC or SYNC (kevy frees memory the
// same way either way).
func flushArgsOK(args [][]byte) bool {
	return len(args) == 1 || (len(args) == 2 && (EqualFold(args[1], "async") || EqualFold(args[1], "sync")))
}

func flushdbCmd(c *Ctx, args [][]byte) {
	if !flushArgsOK(args) {
		c.W.Error(WireSyntax)
		return
	}
	c.E.touchFlushed(c.DB, -1, c.Now) // WATCH: the keys that exist change
	FlushDB(c.E.KS, c.DB)
	c.OK()
}

func flushallCmd(c *Ctx, args [][]byte) {
	if !flushArgsOK(args) {
		c.W.Error(WireSyntax)
		return
	}
	c.E.touchFlushed(-1, -1, c.Now)
	FlushAll(c.E.KS)
	c.OK()
}

func swapdbCmd(c *Ctx, args [][]byte) {
	a, ok1 := ParseInt(args[1])
	if !ok1 || a < math.MinInt32 || a > math.MaxInt32 {
		c.W.Error("ERR invalid first DB index")
		return
	}
	b, ok2 := ParseInt(args[2])
	if !ok2 || b < math.MinInt32 || b > math.MaxInt32 {
		c.W.Error("ERR invalid second DB index")
		return
	}
	if CheckDB(c.E.KS, int(a)) == nil && CheckDB(c.E.KS, int(b)) == nil && a != b {
		c.E.touchFlushed(int(a), int(b), c.Now)
	}
	if err := SwapDB(c.E.KS, int(a), int(b)); err != nil {
		c.W.Error(ToWire(err))
		return
	}
	if a != b {
		// Clients blocked in either database may now find their keys.
		c.E.SignalDBReady(int(a), c.Now)
		c.E.SignalDBReady(int(b), c.Now)
	}
	c.OK()
}

// ---- OBJECT ----

// lfuPolicy reports whether an LFU maxmemory policy is selected, in which
// case the access clock holds LFU data rather than LRU seconds.
func lfuPolicy(c *Ctx) bool { return c.E.KS.Policy().LFU() }

// sharedIntegers is Redis's OBJ_SHARED_INTEGERS: integers below it are
// shared objects whose REFCOUNT is reported as INT_MAX.
const sharedIntegers = 10000

// StringEncoding returns the OBJECT ENCODING of a string value: "int" for
// the canonical form of an int64, "embstr" up to 44 bytes, "raw" beyond
// that or when the value was last written by APPEND or SETRANGE.
func StringEncoding(e *keyspace.Entry) string {
	if e.Raw() {
		return "raw"
	}
	v := e.Str()
	if _, ok := ParseInt(v); ok && !e.NoInt() {
		return "int"
	}
	if len(v) <= 44 {
		return "embstr"
	}
	return "raw"
}

// ObjectEncoding returns the OBJECT ENCODING name of an entry's value.
func ObjectEncoding(e *keyspace.Entry) string {
	switch e.Type() {
	case keyspace.TypeString:
		return StringEncoding(e)
	case keyspace.TypeList:
		return (*object.List)(e.Obj()).Encoding()
	case keyspace.TypeHash:
		return (*object.Hash)(e.Obj()).Encoding()
	case keyspace.TypeSet:
		return (*object.Set)(e.Obj()).Encoding()
	case keyspace.TypeZSet:
		return (*object.ZSet)(e.Obj()).Encoding()
	}
	return "unknown"
}

// objectRefCount mimics Redis's OBJECT REFCOUNT: small integers are
// shared objects (INT_MAX), everything else has one reference.
func objectRefCount(e *keyspace.Entry) int64 {
	if e.Type() == keyspace.TypeString && !e.Raw() && !e.NoInt() && !e.Private() {
		if v, ok := ParseInt(e.Str()); ok && v >= 0 && v < sharedIntegers {
			return math.MaxInt32
		}
	}
	return 1
}

// IdleSeconds is Redis's estimateObjectIdleTime in seconds: the distance
// from the entry's 24-bit LRU clock to the current one, with wrap-around.
func IdleSeconds(ks *keyspace.Keyspace, e *keyspace.Entry, now int64) int64 {
	clk, lru := int64(ks.LRUClock(now)), int64(e.Clock())
	if clk >= lru {
		return clk - lru
	}
	return clk + (keyspace.ClockMax - lru)
}

var objectHelp = []string{
	"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
	"HELP",
	"    Prints this help.",
}

func objectCmd(c *Ctx, args [][]byte) {
	sub := args[1]
	var name string
	switch {
	case EqualFold(sub, "help"):
		name = "help"
	case EqualFold(sub, "encoding"):
		name = "encoding"
	case EqualFold(sub, "freq"):
		name = "freq"
	case EqualFold(sub, "idletime"):
		name = "idletime"
	case EqualFold(sub, "refcount"):
		name = "refcount"
	default:
		c.W.Error("ERR unknown subcommand '" + truncArg(sub) + "'. Try OBJECT HELP.")
		return
	}
	want := 3
	if name == "help" {
		want = 2
	}
	if len(args) != want {
		c.W.Error(WrongArity("object|" + name))
		return
	}
	if name == "help" {
		c.W.ArrayLen(len(objectHelp))
		for _, l := range objectHelp {
			c.W.SimpleString(l)
		}
		return
	}
	key := Key(args[2])
	e := readNoTouch(c.Shard(key), c.DB, key, c.Now)
	if e == nil {
		c.W.Null()
		return
	}
	switch name {
	case "encoding":
		c.W.BulkString(ObjectEncoding(e))
	case "refcount":
		c.W.Int(objectRefCount(e))
	case "idletime":
		if lfuPolicy(c) {
			c.W.Error(wireLFUSet)
			return
		}
		c.W.Int(IdleSeconds(c.E.KS, e, c.Now))
	case "freq":
		if !lfuPolicy(c) {
			c.W.Error(wireLFUNotSet)
			return
		}
		c.W.Int(int64(c.E.KS.LFUFrequency(e, c.Now))) // decayed, as Redis's LFUDecrAndReturn
	}
}
