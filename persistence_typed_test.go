package kevy_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/kevydb/kevy"
)

// typedScript calls every typed write method (and a few reads) and
// records the results, so that an in-memory database and one logging to
// an append-only file can be compared call by call.
func typedScript(db *kevy.DB, clk *kevy.ManualClock) []string {
	var out []string
	rec := func(name string, vals ...any) {
		for i, v := range vals {
			if err, ok := v.(error); ok && err != nil {
				// Compare the sentinel, not the text.
				for _, s := range []error{kevy.ErrNil, kevy.ErrWrongType, kevy.ErrSyntax, kevy.ErrNotInteger,
					kevy.ErrNotFloat, kevy.ErrOverflow, kevy.ErrNoSuchKey, kevy.ErrOutOfRange, kevy.ErrArity,
					kevy.ErrInvalidDB, kevy.ErrInvalidArgument, kevy.ErrBusyKey} {
					if errors.Is(err, s) {
						vals[i] = "error:" + s.Error()
						break
					}
				}
				if _, ok := vals[i].(error); ok {
					vals[i] = "error:" + err.Error()
				}
			}
			if b, ok := v.([]byte); ok {
				vals[i] = fmt.Sprintf("%q", b)
			}
		}
		out = append(out, fmt.Sprint(append([]any{name}, vals...)...))
	}
	sorted := func(s []string) []string { sort.Strings(s); return s }
	rec("Set", db.Set("s", []byte("v")))
	o, w, err := db.SetArgs("s", []byte("v2"), kevy.SetOpts{Get: true, NX: true})
	rec("SetArgs NX GET", o, w, err)
	o, w, err = db.SetArgs("s", []byte("v3"), kevy.SetOpts{Get: true, XX: true, TTL: time.Minute})
	rec("SetArgs XX GET TTL", o, w, err)
	o, w, err = db.SetArgs("t", []byte("x"), kevy.SetOpts{XX: true})
	rec("SetArgs XX missing", o, w, err)
	o, w, err = db.SetArgs("t", []byte("x"), kevy.SetOpts{ExpireAt: time.Unix(1_900_000_000, 0)})
	rec("SetArgs ExpireAt", o, w, err)
	o, w, err = db.SetArgs("t", []byte("y"), kevy.SetOpts{KeepTTL: true, Get: true})
	rec("SetArgs KeepTTL", o, w, err)
	v, err := db.GetEx("t", kevy.GetExOpts{TTL: time.Hour})
	rec("GetEx", v, err)
	v, err = db.GetEx("missing", kevy.GetExOpts{Persist: true})
	rec("GetEx missing", v, err)
	v, err = db.GetDel("t")
	rec("GetDel", v, err)
	rec("MSet", db.MSet(kevy.KV{Key: "a", Value: []byte("1")}, kevy.KV{Key: "b", Value: []byte("2")}))
	ok, err := db.MSetNX(kevy.KV{Key: "a", Value: []byte("1")}, kevy.KV{Key: "c", Value: []byte("3")})
	rec("MSetNX", ok, err)
	n, err := db.Append("a", []byte("xyz"))
	rec("Append", n, err)
	n, err = db.SetRange("a", 10, []byte("!"))
	rec("SetRange", n, err)
	n, err = db.Incr("cnt")
	rec("Incr", n, err)
	n, err = db.DecrBy("cnt", 10)
	rec("DecrBy", n, err)
	n, err = db.Incr("a")
	rec("Incr bad", n, err)
	f, err := db.IncrByFloat("fl", 0.1)
	rec("IncrByFloat", f, err)
	f, err = db.IncrByFloat("fl", 0.2)
	rec("IncrByFloat", f, err)

	i, err := db.HSet("h", "f1", "1", "f2", "2")
	rec("HSet", i, err)
	i, err = db.HSet("h", "odd")
	rec("HSet odd", i, err)
	ok, err = db.HSetNX("h", "f1", "x")
	rec("HSetNX", ok, err)
	n, err = db.HIncrBy("h", "f1", 5)
	rec("HIncrBy", n, err)
	f, err = db.HIncrByFloat("h", "f3", 1.5)
	rec("HIncrByFloat", f, err)
	i, err = db.HDel("h", "f2", "nope")
	rec("HDel", i, err)

	i, err = db.RPush("l", "a", "b", "c", "d", "e")
	rec("RPush", i, err)
	i, err = db.LPush("l", "z")
	rec("LPush", i, err)
	i, err = db.LPushX("nolist", "z")
	rec("LPushX", i, err)
	i, err = db.RPushX("l", "y")
	rec("RPushX", i, err)
	v, err = db.LPop("l")
	rec("LPop", v, err)
	v, err = db.RPop("nolist")
	rec("RPop missing", v, err)
	vs, err := db.LPopCount("l", 2)
	rec("LPopCount", fmt.Sprintf("%q", vs), err)
	vs, err = db.RPopCount("l", 0)
	rec("RPopCount 0", fmt.Sprintf("%q", vs), err)
	i, err = db.LInsert("l", true, "c", "x")
	rec("LInsert", i, err)
	rec("LSet", db.LSet("l", 0, "first"))
	rec("LSet range", db.LSet("l", 100, "x"))
	i, err = db.LRem("l", 0, "x")
	rec("LRem", i, err)
	rec("LTrim", db.LTrim("l", 0, 10))
	v, err = db.LMove("l", "l2", kevy.Left, kevy.Right)
	rec("LMove", v, err)
	v, err = db.LMove("nolist", "l2", kevy.Left, kevy.Right)
	rec("LMove missing", v, err)
	k, bv, err := db.BLPop(context.Background(), time.Millisecond, "l2")
	rec("BLPop", k, bv, err)

	i, err = db.SAdd("set", "a", "b", "c", "1", "2")
	rec("SAdd", i, err)
	i, err = db.SRem("set", "a", "zz")
	rec("SRem", i, err)
	m, err := db.SPop("noset")
	rec("SPop missing", m, err)
	ms, err := db.SPopN("set", 0)
	rec("SPopN 0", ms, err)
	ok, err = db.SMove("set", "set2", "b")
	rec("SMove", ok, err)
	i, err = db.SUnionStore("set3", "set", "set2")
	rec("SUnionStore", i, err)
	i, err = db.SInterStore("set4", "set", "set2")
	rec("SInterStore", i, err)
	i, err = db.SDiffStore("set5", "set", "set2")
	rec("SDiffStore", i, err)

	i, err = db.ZAdd("z", kevy.Z{Member: "a", Score: 1}, kevy.Z{Member: "b", Score: 2}, kevy.Z{Member: "c", Score: 3})
	rec("ZAdd", i, err)
	i, err = db.ZAddArgs("z", kevy.ZAddArgs{CH: true, GT: true}, kevy.Z{Member: "a", Score: 5}, kevy.Z{Member: "d", Score: 1})
	rec("ZAddArgs CH GT", i, err)
	f, err = db.ZAddIncr("z", kevy.ZAddArgs{XX: true}, kevy.Z{Member: "nope", Score: 1})
	rec("ZAddIncr XX missing", f, err)
	f, err = db.ZIncrBy("z", 2.5, "b")
	rec("ZIncrBy", f, err)
	i, err = db.ZRem("z", "d", "nope")
	rec("ZRem", i, err)
	zs, err := db.ZPopMin("z", 1)
	rec("ZPopMin", zs, err)
	zs, err = db.ZPopMax("z", 5)
	rec("ZPopMax", zs, err)
	db.ZAdd("z", kevy.Z{Member: "x", Score: 1}, kevy.Z{Member: "y", Score: 2})
	db.ZAdd("z2", kevy.Z{Member: "x", Score: 10})
	i, err = db.ZUnionStore("zu", kevy.ZStore{Keys: []string{"z", "z2"}, Weights: []float64{1, 2}, Aggregate: "max"})
	rec("ZUnionStore", i, err)
	i, err = db.ZInterStore("zi", kevy.ZStore{Keys: []string{"z", "z2"}})
	rec("ZInterStore", i, err)

	ok, err = db.Expire("h", time.Hour)
	rec("Expire", ok, err)
	ok, err = db.ExpireArgs("h", time.Minute, kevy.ExpireOpts{GT: true})
	rec("ExpireArgs GT", ok, err)
	ok, err = db.ExpireAt("cnt", clk.Now().Add(time.Hour))
	rec("ExpireAt", ok, err)
	ok, err = db.Persist("cnt")
	rec("Persist", ok, err)
	ok, err = db.Expire("gone", 0)
	rec("Expire missing", ok, err)
	db.Set("gone", []byte("x"))
	ok, err = db.Expire("gone", -time.Second)
	rec("Expire negative", ok, err)
	rec("Rename", db.Rename("a", "a2"))
	rec("Rename missing", db.Rename("nope", "x"))
	ok, err = db.RenameNX("b", "a2")
	rec("RenameNX", ok, err)
	ok, err = db.Copy("h", "h2", false)
	rec("Copy", ok, err)
	ok, err = db.CopyToDB("h", 3, "h", false)
	rec("CopyToDB", ok, err)
	ok, err = db.Move("c", 2)
	rec("Move", ok, err)
	i, err = db.Del("a2", "b", "nope")
	rec("Del", i, err)
	rec("SwapDB", db.SwapDB(2, 4))
	d1, _ := db.Database(1)
	d1.Set("x", []byte("1"))
	rec("FlushDB", d1.FlushDB())
	keys, err := db.Keys("*")
	rec("Keys", sorted(keys), err)
	return out
}

// TestTypedAPIWithAOF checks that the typed write methods return the same
// results with the append-only file on (where they run through the
// engine) as in memory, and that everything they wrote survives a
// restart.
func TestTypedAPIWithAOF(t *testing.T) {
	start := time.Unix(1_800_000_000, 0)
	memClk := kevy.NewManualClock(start)
	mem, err := kevy.Open("", &kevy.Options{Shards: 4, Clock: memClk, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	want := typedScript(mem, memClk)
	wantSnap := snapshot(t, mem)

	dir := t.TempDir()
	clk := kevy.NewManualClock(start)
	opts := kevy.Options{Shards: 4, Clock: clk}
	db := openDir(t, dir, opts)
	got := typedScript(db, clk)
	for i := range max(len(got), len(want)) {
		if i >= len(got) || i >= len(want) || got[i] != want[i] {
			t.Errorf("call %d:\n got  %v\n want %v", i, at(got, i), at(want, i))
		}
	}
	if s := snapshot(t, db); s != wantSnap {
		t.Fatalf("data differs from the in-memory run:\n%s\nwant:\n%s", s, wantSnap)
	}
	db.Close()
	db = openDir(t, dir, opts)
	defer db.Close()
	if s := snapshot(t, db); s != wantSnap {
		t.Fatalf("after restart:\n%s\nwant:\n%s", s, wantSnap)
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}
