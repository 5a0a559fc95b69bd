package kevy_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/kevydb/kevy"
)

func strs(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

func TestListTypedAPI(t *testing.T) {
	db := openTest(t, nil)
	check := func(what string, got, want any, err error) {
		t.Helper()
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, %v; want %v", what, got, err, want)
		}
	}
	n, err := db.RPushX("l", "x")
	check("RPushX missing", n, 0, err)
	n, err = db.LPush("l", "b", "a")
	check("LPush", n, 2, err)
	n, err = db.RPush("l", "c", "d", "e")
	check("RPush", n, 5, err)
	n, err = db.LPushX("l", "z")
	check("LPushX", n, 6, err)
	r, err := db.LRange("l", 0, -1)
	check("LRange", strs(r), []string{"z", "a", "b", "c", "d", "e"}, err)
	r, err = db.LRange("l", -2, 100)
	check("LRange clamped", strs(r), []string{"d", "e"}, err)
	v, err := db.LIndex("l", -1)
	check("LIndex -1", string(v), "e", err)
	n, err = db.LLen("l")
	check("LLen", n, 6, err)
	n, err = db.LInsert("l", true, "c", "bc")
	check("LInsert before", n, 7, err)
	n, err = db.LInsert("l", false, "nope", "x")
	check("LInsert no pivot", n, -1, err)
	check("LSet", 0, 0, db.LSet("l", 0, "Z"))
	p, err := db.LPos("l", "bc", kevy.LPosOpts{})
	check("LPos", p, 3, err)
	db.RPush("l", "a")
	ps, err := db.LPosCount("l", "a", 0, kevy.LPosOpts{})
	check("LPosCount all", ps, []int64{1, 7}, err)
	ps, err = db.LPosCount("l", "a", 1, kevy.LPosOpts{Rank: -1})
	check("LPosCount from the tail", ps, []int64{7}, err)
	p, err = db.LPos("l", "a", kevy.LPosOpts{MaxLen: 1})
	if !errors.Is(err, kevy.ErrNil) {
		t.Errorf("LPos beyond MaxLen = %d, %v", p, err)
	}
	n, err = db.LRem("l", -1, "a")
	check("LRem", n, 1, err)
	v, err = db.LPop("l")
	check("LPop", string(v), "Z", err)
	v, err = db.RPop("l")
	check("RPop", string(v), "e", err)
	r, err = db.LPopCount("l", 2)
	check("LPopCount", strs(r), []string{"a", "b"}, err)
	r, err = db.RPopCount("l", 0)
	check("RPopCount 0", strs(r), []string{}, err)
	check("LTrim", 0, 0, db.LTrim("l", 0, 1))
	r, err = db.LRange("l", 0, -1)
	check("after LTrim", strs(r), []string{"bc", "c"}, err)
	v, err = db.LMove("l", "l2", kevy.Right, kevy.Left)
	check("LMove", string(v), "c", err)
	v, err = db.LMove("l", "l", kevy.Left, kevy.Right)
	check("LMove rotate", string(v), "bc", err)
	r, err = db.RPopCount("l", 10)
	check("RPopCount drains", strs(r), []string{"bc"}, err)
	if n, _ := db.Exists("l"); n != 0 {
		t.Error("emptied list still exists")
	}
}

func TestListTypedAPIErrors(t *testing.T) {
	db := openTest(t, nil)
	db.Set("str", []byte("x"))
	db.RPush("l", "a")
	for _, tc := range []struct {
		what string
		err  error
		want error
	}{
		{"LPop missing", second(db.LPop("none")), kevy.ErrNil},
		{"LPopCount missing", second(db.LPopCount("none", 2)), kevy.ErrNil},
		{"LPopCount negative", second(db.LPopCount("l", -1)), kevy.ErrNotInteger},
		{"LIndex missing", second(db.LIndex("none", 0)), kevy.ErrNil},
		{"LIndex out of range", second(db.LIndex("l", 5)), kevy.ErrNil},
		{"LSet missing", db.LSet("none", 0, "x"), kevy.ErrNoSuchKey},
		{"LSet out of range", db.LSet("l", 5, "x"), kevy.ErrOutOfRange},
		{"LPos none", second(db.LPos("l", "zz", kevy.LPosOpts{})), kevy.ErrNil},
		{"LPos negative MaxLen", second(db.LPos("l", "a", kevy.LPosOpts{MaxLen: -1})), kevy.ErrInvalidArgument},
		{"LPosCount negative", second(db.LPosCount("l", "a", -1, kevy.LPosOpts{})), kevy.ErrInvalidArgument},
		{"LMove missing", second(db.LMove("none", "l", kevy.Left, kevy.Left)), kevy.ErrNil},
		{"LMove to a string", second(db.LMove("l", "str", kevy.Left, kevy.Left)), kevy.ErrWrongType},
		{"LPush on a string", second(db.LPush("str", "a")), kevy.ErrWrongType},
		{"LRange on a string", second(db.LRange("str", 0, -1)), kevy.ErrWrongType},
		{"LLen on a string", second(db.LLen("str")), kevy.ErrWrongType},
		{"LTrim on a string", db.LTrim("str", 0, 1), kevy.ErrWrongType},
		{"LRem on a string", second(db.LRem("str", 0, "a")), kevy.ErrWrongType},
		{"LInsert on a string", second(db.LInsert("str", true, "a", "b")), kevy.ErrWrongType},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.what, tc.err, tc.want)
		}
	}
	// The typed API and Do report the same sentinel.
	if _, err := db.Do(context.Background(), "LSET", "l", "5", "x"); !errors.Is(err, kevy.ErrOutOfRange) {
		t.Errorf("Do LSET: %v", err)
	}
	if _, err := db.Do(context.Background(), "LPOS", "l", "a", "RANK", "0"); !errors.Is(err, kevy.ErrInvalidArgument) {
		t.Errorf("Do LPOS RANK 0: %v", err)
	}
}

// second returns the error of a two-value call.
func second[T any](_ T, err error) error { return err }
