package kevy

import (
	"context"
	"strconv"
	"unsafe"

	"github.com/kevydb/kevy/internal/command"
)

// Typed write methods when the append-only file is on, or keyspace
// notifications are wanted.
//
// The typed API normally calls the command's shared function directly
// under the shard lock. The append-only file, however, is fed by the
// command engine, which logs each write command in the form that replays
// it exactly (PEXPIREAT for a relative TTL, SREM for SPOP, per-shard
// records for commands spanning shards...). So when the database logs
// its writes, every typed write method runs the equivalent command
// through the engine instead (aof* below), and waits for its durability
// as Do does. Rules are still implemented once: these functions only
// build the command and read its reply.

// viaEngine reports whether typed writes must go through the engine:
// when the append-only file logs writes, and when keyspace notifications
// (configured events or OnKeyEvent hooks) must be emitted, since both
// are produced by the command handlers.
func (c *core) viaEngine() bool {
	return (c.persist != nil && c.eng.Prop != nil) || c.eng.NotifyAny()
}

// sv views a string as bytes without copying (the engine never modifies
// or retains arguments).
func sv(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func iv(n int64) []byte { return strconv.AppendInt(nil, n, 10) }

func fv(f float64) []byte { return command.AppendScore(nil, f) }

// wdo runs a write command for a typed method through the engine in a
// pooled session of db's database, waits for durability and returns the
// reply; an error reply is returned as an error.
func (db *DB) wdo(args ...[]byte) (Value, error) {
	if db.c.closed.Load() {
		return Value{}, ErrClosed
	}
	s := sessionPool.Get().(*command.Session)
	s.DB = db.db
	var vb valueBuilder
	err := db.c.eng.ExecContext(context.Background(), s, args, &vb)
	if werr := db.c.waitDurable(s); werr != nil && err == nil {
		err = werr
	}
	db.putSession(s)
	if err != nil {
		return Value{}, err
	}
	if vb.root.kind == KindError {
		return Value{}, vb.root.Err()
	}
	return vb.root, nil
}

// Reply conversions.

func vInt(v Value, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return v.Int()
}

func vIntN(v Value, err error) (int, error) {
	n, err := vInt(v, err)
	return int(n), err
}

func vBool(v Value, err error) (bool, error) {
	n, err := vInt(v, err)
	return n != 0, err
}

func vOK(_ Value, err error) error { return err }

// vBytes returns a bulk reply, ErrNil for a null.
func vBytes(v Value, err error) ([]byte, error) {
	switch {
	case err != nil:
		return nil, err
	case v.kind == KindNil:
		return nil, ErrNil
	}
	if v.str == nil {
		return []byte{}, nil
	}
	return v.str, nil
}

func vFloat(v Value, err error) (float64, error) {
	if err != nil {
		return 0, err
	}
	return v.Float()
}

func cmdArgs(name string, key string, rest ...string) [][]byte {
	a := make([][]byte, 0, 2+len(rest))
	a = append(a, sv(name), sv(key))
	for _, r := range rest {
		a = append(a, sv(r))
	}
	return a
}

// ------------------------------------------------------------- strings

func (db *DB) aofSet(key string, value []byte) error {
	c := db.c
	if c.persist == nil || c.eng.NotifyAny() {
		return vOK(db.wdo(sv("SET"), sv(key), value))
	}
	// The plain SET needs none of the engine's machinery: its effect form
	// is itself, one record in the key's shard, appended under the lock
	// that applies it (log order = apply order) as the engine would.
	if err := c.persist.Refuse(); err != nil {
		return err
	}
	sh := c.ks.ShardFor(key)
	sh.Lock()
	sh.SetString(db.db, key, value, 0, false)
	rec := [3][]byte{setName, sv(key), value}
	t := c.persist.Propagate(sh.Index(), db.db, rec[:])
	sh.Unlock()
	if t == 0 {
		return nil
	}
	return c.persist.WaitShard(sh.Index(), t)
}

// setName is the command name of SET records.
var setName = []byte("SET")

func (db *DB) aofSetArgs(key string, value []byte, p command.SetParams) ([]byte, bool, error) {
	args := [][]byte{sv("SET"), sv(key), value}
	switch p.Mode {
	case command.SetNX:
		args = append(args, sv("NX"))
	case command.SetXX:
		args = append(args, sv("XX"))
	}
	if p.Get {
		args = append(args, sv("GET"))
	}
	if p.KeepTTL {
		args = append(args, sv("KEEPTTL"))
	}
	if p.Deadline != 0 {
		args = append(args, sv("PXAT"), iv(p.Deadline))
	}
	v, err := db.wdo(args...)
	if err != nil {
		return nil, false, err
	}
	if !p.Get {
		return nil, v.kind != KindNil, nil
	}
	var old []byte
	if v.kind != KindNil {
		old = v.str
		if old == nil {
			old = []byte{}
		}
	}
	switch p.Mode {
	case command.SetNX:
		return old, old == nil, nil
	case command.SetXX:
		return old, old != nil, nil
	}
	return old, true, nil
}

func (db *DB) aofGetDel(key string) ([]byte, error) { return vBytes(db.wdo(cmdArgs("GETDEL", key)...)) }

func (db *DB) aofGetEx(key string, opts GetExOpts, ms int64) ([]byte, error) {
	args := cmdArgs("GETEX", key)
	switch {
	case opts.Persist:
		args = append(args, sv("PERSIST"))
	case opts.TTL != 0:
		args = append(args, sv("PX"), iv(ms))
	case !opts.ExpireAt.IsZero():
		args = append(args, sv("PXAT"), iv(ms))
	}
	return vBytes(db.wdo(args...))
}

func (db *DB) aofMSet(pairs []KV, nx bool) (bool, error) {
	name := "MSET"
	if nx {
		name = "MSETNX"
	}
	args := make([][]byte, 0, 1+2*len(pairs))
	args = append(args, sv(name))
	for _, p := range pairs {
		args = append(args, sv(p.Key), p.Value)
	}
	v, err := db.wdo(args...)
	if err != nil {
		return false, err
	}
	return !nx || v.num == 1, nil
}

func (db *DB) aofIntCmd(name, key string, args ...[]byte) (int64, error) {
	return vInt(db.wdo(append([][]byte{sv(name), sv(key)}, args...)...))
}

func (db *DB) aofFloatCmd(name, key string, args ...[]byte) (float64, error) {
	return vFloat(db.wdo(append([][]byte{sv(name), sv(key)}, args...)...))
}

// --------------------------------------------------------------- hashes

func (db *DB) aofHSet(key string, fieldValues []string) (int, error) {
	return vIntN(db.wdo(cmdArgs("HSET", key, fieldValues...)...))
}

func (db *DB) aofHSetNX(key, field, value string) (bool, error) {
	return vBool(db.wdo(cmdArgs("HSETNX", key, field, value)...))
}

func (db *DB) aofHDel(key string, fields []string) (int, error) {
	return vIntN(db.wdo(cmdArgs("HDEL", key, fields...)...))
}

// ----------------------------------------------------------------- keys

func (db *DB) aofDel(keys []string) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	args := make([][]byte, 0, 1+len(keys))
	args = append(args, sv("DEL"))
	for _, k := range keys {
		args = append(args, sv(k))
	}
	return vIntN(db.wdo(args...))
}

func (db *DB) aofExpire(key string, ms int64, relative bool, opts ExpireOpts) (bool, error) {
	name := "PEXPIREAT"
	if relative {
		name = "PEXPIRE"
	}
	args := [][]byte{sv(name), sv(key), iv(ms)}
	for _, o := range []struct {
		on   bool
		name string
	}{{opts.NX, "NX"}, {opts.XX, "XX"}, {opts.GT, "GT"}, {opts.LT, "LT"}} {
		if o.on {
			args = append(args, sv(o.name))
		}
	}
	return vBool(db.wdo(args...))
}

func (db *DB) aofPersist(key string) (bool, error) { return vBool(db.wdo(cmdArgs("PERSIST", key)...)) }

func (db *DB) aofRename(src, dst string, nx bool) (bool, error) {
	if nx {
		return vBool(db.wdo(cmdArgs("RENAMENX", src, dst)...))
	}
	_, err := db.wdo(cmdArgs("RENAME", src, dst)...)
	return err == nil, err
}

func (db *DB) aofCopy(src string, dstDB int, dst string, replace bool) (bool, error) {
	args := [][]byte{sv("COPY"), sv(src), sv(dst), sv("DB"), iv(int64(dstDB))}
	if replace {
		args = append(args, sv("REPLACE"))
	}
	return vBool(db.wdo(args...))
}

func (db *DB) aofMove(key string, dstDB int) (bool, error) {
	return vBool(db.wdo(sv("MOVE"), sv(key), iv(int64(dstDB))))
}

func (db *DB) aofFlush(all bool) error {
	if all {
		return vOK(db.wdo(sv("FLUSHALL")))
	}
	return vOK(db.wdo(sv("FLUSHDB")))
}

func (db *DB) aofSwapDB(a, b int) error {
	return vOK(db.wdo(sv("SWAPDB"), iv(int64(a)), iv(int64(b))))
}

// ---------------------------------------------------------------- lists

func (db *DB) aofPush(key string, values []string, side command.ListSide, onlyExisting bool) (int, error) {
	name := "LPUSH"
	if side == command.ListRight {
		name = "RPUSH"
	}
	if onlyExisting {
		name += "X"
	}
	return vIntN(db.wdo(cmdArgs(name, key, values...)...))
}

func popName(side command.ListSide) string {
	if side == command.ListRight {
		return "RPOP"
	}
	return "LPOP"
}

func (db *DB) aofPop(key string, side command.ListSide, count int) ([][]byte, error) {
	v, err := db.wdo(sv(popName(side)), sv(key), iv(int64(count)))
	switch {
	case err != nil:
		return nil, err
	case v.kind == KindNil:
		return nil, ErrNil
	}
	out := make([][]byte, len(v.elems))
	for i, e := range v.elems {
		out[i] = e.str
		if out[i] == nil {
			out[i] = []byte{}
		}
	}
	return out, nil
}

func (db *DB) aofPopOne(key string, side command.ListSide) ([]byte, error) {
	return vBytes(db.wdo(sv(popName(side)), sv(key)))
}

func (db *DB) aofLInsert(key string, before bool, pivot, value string) (int, error) {
	where := "AFTER"
	if before {
		where = "BEFORE"
	}
	return vIntN(db.wdo(cmdArgs("LINSERT", key, where, pivot, value)...))
}

func (db *DB) aofLSet(key string, index int64, value string) error {
	return vOK(db.wdo(sv("LSET"), sv(key), iv(index), sv(value)))
}

func (db *DB) aofLRem(key string, count int64, value string) (int, error) {
	return vIntN(db.wdo(sv("LREM"), sv(key), iv(count), sv(value)))
}

func (db *DB) aofLTrim(key string, start, stop int64) error {
	return vOK(db.wdo(sv("LTRIM"), sv(key), iv(start), iv(stop)))
}

func (db *DB) aofLMove(src, dst string, from, to ListSide) ([]byte, error) {
	return vBytes(db.wdo(cmdArgs("LMOVE", src, dst, from.arg(), to.arg())...))
}

// ----------------------------------------------------------------- sets

func (db *DB) aofSAdd(key string, members []string) (int, error) {
	return vIntN(db.wdo(cmdArgs("SADD", key, members...)...))
}

func (db *DB) aofSRem(key string, members []string) (int, error) {
	return vIntN(db.wdo(cmdArgs("SREM", key, members...)...))
}

func (db *DB) aofSPop(key string) (string, error) {
	b, err := vBytes(db.wdo(cmdArgs("SPOP", key)...))
	return string(b), err
}

func (db *DB) aofSPopN(key string, count int) ([]string, error) {
	v, err := db.wdo(sv("SPOP"), sv(key), iv(int64(count)))
	if err != nil {
		return nil, err
	}
	out := make([]string, len(v.elems))
	for i, e := range v.elems {
		out[i] = string(e.str)
	}
	return out, nil
}

func (db *DB) aofSMove(src, dst, member string) (bool, error) {
	return vBool(db.wdo(cmdArgs("SMOVE", src, dst, member)...))
}

func (db *DB) aofSetStore(name, dst string, keys []string) (int, error) {
	return vIntN(db.wdo(cmdArgs(name, dst, keys...)...))
}

// --------------------------------------------------------- sorted sets

func zaddArgs(key string, a ZAddArgs, incr bool, members []Z) [][]byte {
	args := [][]byte{sv("ZADD"), sv(key)}
	for _, o := range []struct {
		on   bool
		name string
	}{{a.NX, "NX"}, {a.XX, "XX"}, {a.GT, "GT"}, {a.LT, "LT"}, {a.CH && !incr, "CH"}, {incr, "INCR"}} {
		if o.on {
			args = append(args, sv(o.name))
		}
	}
	for _, m := range members {
		args = append(args, fv(m.Score), sv(m.Member))
	}
	return args
}

func (db *DB) aofZAdd(key string, a ZAddArgs, members []Z) (int, error) {
	if len(members) == 0 {
		return 0, command.FromWire(command.WrongArity("zadd"))
	}
	return vIntN(db.wdo(zaddArgs(key, a, false, members)...))
}

func (db *DB) aofZAddIncr(key string, a ZAddArgs, member Z) (float64, error) {
	return vFloat(db.wdo(zaddArgs(key, a, true, []Z{member})...))
}

func (db *DB) aofZRem(key string, members []string) (int, error) {
	return vIntN(db.wdo(cmdArgs("ZREM", key, members...)...))
}

func (db *DB) aofZPop(key string, count int, high bool) ([]Z, error) {
	name := "ZPOPMIN"
	if high {
		name = "ZPOPMAX"
	}
	v, err := db.wdo(sv(name), sv(key), iv(int64(count)))
	if err != nil {
		return nil, err
	}
	out := []Z{}
	// RESP3 replies [[member, score] ...] for a count; flatten either form.
	var flat []Value
	for _, e := range v.elems {
		if e.kind == KindArray {
			flat = append(flat, e.elems...)
		} else {
			flat = append(flat, e)
		}
	}
	for i := 0; i+1 < len(flat); i += 2 {
		s, err := flat[i+1].Float()
		if err != nil {
			return nil, err
		}
		out = append(out, Z{Member: string(flat[i].str), Score: s})
	}
	return out, nil
}

func (db *DB) aofZStore(name, dest string, st ZStore) (int, error) {
	args := [][]byte{sv(name), sv(dest), iv(int64(len(st.Keys)))}
	for _, k := range st.Keys {
		args = append(args, sv(k))
	}
	if st.Weights != nil {
		args = append(args, sv("WEIGHTS"))
		for _, w := range st.Weights {
			args = append(args, fv(w))
		}
	}
	if st.Aggregate != "" {
		args = append(args, sv("AGGREGATE"), sv(st.Aggregate))
	}
	return vIntN(db.wdo(args...))
}
