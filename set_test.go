package kevy_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/kevydb/kevy"
)

func sorted(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return out
}

func TestSetTypedAPI(t *testing.T) {
	db := openTest(t, nil)
	check := func(what string, got, want any, err error) {
		t.Helper()
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, %v; want %v", what, got, err, want)
		}
	}
	n, err := db.SAdd("a", "1", "2", "3", "x", "1")
	check("SAdd", n, 4, err)
	n, err = db.SAdd("b", "2", "3", "4")
	check("SAdd b", n, 3, err)
	n, err = db.SCard("a")
	check("SCard", n, 4, err)
	ok, err := db.SIsMember("a", "x")
	check("SIsMember", ok, true, err)
	bs, err := db.SMIsMember("a", "1", "9")
	check("SMIsMember", bs, []bool{true, false}, err)
	m, err := db.SMembers("b")
	check("SMembers (intset: ascending)", m, []string{"2", "3", "4"}, err)
	m, err = db.SInter("a", "b")
	check("SInter", sorted(m), []string{"2", "3"}, err)
	n, err = db.SInterCard(1, "a", "b")
	check("SInterCard limit", n, 1, err)
	m, err = db.SUnion("a", "b", "none")
	check("SUnion", sorted(m), []string{"1", "2", "3", "4", "x"}, err)
	m, err = db.SDiff("a", "b")
	check("SDiff", sorted(m), []string{"1", "x"}, err)
	n, err = db.SInterStore("d", "a", "b")
	check("SInterStore", n, 2, err)
	n, err = db.SUnionStore("d", "a", "b")
	check("SUnionStore", n, 5, err)
	n, err = db.SDiffStore("d", "a", "a")
	check("SDiffStore empty", n, 0, err)
	if n, _ := db.Exists("d"); n != 0 {
		t.Error("empty SDiffStore kept its destination")
	}
	ok, err = db.SMove("a", "c", "x")
	check("SMove", ok, true, err)
	ok, err = db.SMove("a", "c", "x")
	check("SMove again", ok, false, err)
	n, err = db.SRem("a", "1", "zz")
	check("SRem", n, 1, err)
	s, err := db.SRandMember("c")
	check("SRandMember", s, "x", err)
	m, err = db.SRandMemberN("c", -3)
	check("SRandMemberN negative", m, []string{"x", "x", "x"}, err)
	m, err = db.SRandMemberN("a", 5)
	check("SRandMemberN", sorted(m), []string{"2", "3"}, err)
	s, err = db.SPop("c")
	check("SPop", s, "x", err)
	if n, _ := db.Exists("c"); n != 0 {
		t.Error("SPop of the last member kept the key")
	}
	m, err = db.SPopN("a", 10)
	check("SPopN", sorted(m), []string{"2", "3"}, err)
}

func TestSetTypedAPIErrors(t *testing.T) {
	db := openTest(t, nil)
	db.Set("str", []byte("x"))
	db.SAdd("s", "a")
	for _, tc := range []struct {
		what string
		err  error
		want error
	}{
		{"SPop missing", second(db.SPop("none")), kevy.ErrNil},
		{"SRandMember missing", second(db.SRandMember("none")), kevy.ErrNil},
		{"SPopN negative", second(db.SPopN("s", -1)), kevy.ErrNotInteger},
		{"SRandMemberN too negative", second(db.SRandMemberN("s", -1<<30)), kevy.ErrNotInteger},
		{"SInterCard negative limit", second(db.SInterCard(-1, "s")), kevy.ErrInvalidArgument},
		{"SInter no keys", second(db.SInter()), kevy.ErrArity},
		{"SAdd on a string", second(db.SAdd("str", "a")), kevy.ErrWrongType},
		{"SInter with a string", second(db.SInter("none", "str")), kevy.ErrWrongType},
		{"SUnionStore with a string", second(db.SUnionStore("d", "s", "str")), kevy.ErrWrongType},
		{"SMove to a string", second(db.SMove("s", "str", "a")), kevy.ErrWrongType},
		{"SMembers of a string", second(db.SMembers("str")), kevy.ErrWrongType},
		{"SScan of a string", third(db.SScan("str", 0, "", 0)), kevy.ErrWrongType},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.what, tc.err, tc.want)
		}
	}
	if n, _ := db.SCard("s"); n != 1 {
		t.Fatal("a failed command changed the set")
	}
}

// third returns the error of a three-value call.
func third[T, U any](_ T, _ U, err error) error { return err }

func TestSScanTyped(t *testing.T) {
	db := openTest(t, nil)
	want := map[string]bool{}
	for i := range 300 {
		m := "m" + strconv.Itoa(i)
		db.SAdd("s", m)
		want[m] = true
	}
	seen := map[string]bool{}
	var cursor uint64
	for calls := 0; ; calls++ {
		if calls > 1000 {
			t.Fatal("SScan does not finish")
		}
		members, next, err := db.SScan("s", cursor, "m1*", 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			seen[m] = true
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	for m := range want {
		if (m[1] == '1') != seen[m] {
			t.Errorf("%s: seen=%v", m, seen[m])
		}
	}
	members, next, err := db.SScan("none", 0, "", 0)
	if len(members) != 0 || next != 0 || err != nil {
		t.Fatalf("SScan missing = %v %d %v", members, next, err)
	}
}
