package command

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kevydb/kevy/internal/resp"
)

// lsParse decodes a RESP reply for assertions on aggregates.
func lsParse(t *testing.T, raw string) resp.Value {
	t.Helper()
	v, err := resp.NewReader(strings.NewReader(raw), 0).ReadValue()
	if err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	return v
}

// lsStrings returns the bulk strings of an array reply.
func lsStrings(t *testing.T, raw string) []string {
	t.Helper()
	v := lsParse(t, raw)
	var out []string
	for _, el := range v.Elems {
		out = append(out, string(el.Str))
	}
	return out
}

func TestSetIntsetToHashtable(t *testing.T) {
	e := newLSEnv(t, 4)
	args := []string{"SADD", "s"}
	for i := 1; i <= 512; i++ {
		args = append(args, strconv.Itoa(i))
	}
	e.expect([2]string{"OBJECT ENCODING s", "$-1\r\n"})
	if got := e.do(args...); got != ":512\r\n" {
		t.Fatalf("SADD 512: %q", got)
	}
	e.expect(
		[2]string{"OBJECT ENCODING s", lsBulk("intset")},
		[2]string{"SADD s 513", ":1\r\n"},
		[2]string{"OBJECT ENCODING s", lsBulk("hashtable")},
		[2]string{"SREM s 513", ":1\r\n"},
		[2]string{"OBJECT ENCODING s", lsBulk("hashtable")}, // never converts back
		[2]string{"SADD t 1 2 3", ":3\r\n"},
		[2]string{"OBJECT ENCODING t", lsBulk("intset")},
		[2]string{"SADD t 007", ":1\r\n"}, // not canonical: a string
		[2]string{"OBJECT ENCODING t", lsBulk("hashtable")},
		[2]string{"SADD u x", ":1\r\n"},
		[2]string{"OBJECT ENCODING u", lsBulk("hashtable")},
		[2]string{"SINTERSTORE v s t", ":3\r\n"},
		[2]string{"OBJECT ENCODING v", lsBulk("intset")},
	)
	// The limit is the engine's.
	e.eng.Limits.SetMaxIntsetEntries = 2
	e.expect(
		[2]string{"SADD w 1 2", ":2\r\n"},
		[2]string{"OBJECT ENCODING w", lsBulk("intset")},
		[2]string{"SADD w 3", ":1\r\n"},
		[2]string{"OBJECT ENCODING w", lsBulk("hashtable")},
	)
}

func TestSetStoreResultIsIndependent(t *testing.T) {
	e := newLSEnv(t, 8)
	e.expect(
		[2]string{"SADD {k}s a b", ":2\r\n"},
		[2]string{"SUNIONSTORE {k}d {k}s", ":2\r\n"},
		[2]string{"SADD {k}d x", ":1\r\n"},
		[2]string{"SISMEMBER {k}s x", ":0\r\n"},
		[2]string{"SDIFFSTORE {k}d2 {k}s", ":2\r\n"},
		[2]string{"SREM {k}d2 a", ":1\r\n"},
		[2]string{"SISMEMBER {k}s a", ":1\r\n"},
		[2]string{"SINTERSTORE {k}d3 {k}s", ":2\r\n"},
		[2]string{"SREM {k}d3 a b", ":2\r\n"},
		[2]string{"EXISTS {k}d3", ":0\r\n"},
		[2]string{"SCARD {k}s", ":2\r\n"},
	)
}

func TestSetScanHashtableVisitsEverything(t *testing.T) {
	e := newLSEnv(t, 1)
	args := []string{"SADD", "s"}
	want := map[string]bool{}
	for i := range 1000 {
		m := "m" + strconv.Itoa(i)
		args = append(args, m)
		want[m] = true
	}
	args = append(args, "") // the empty member matches "*" only
	want[""] = true
	e.do(args...)
	for _, tc := range []struct {
		opts  []string
		match func(string) bool
	}{
		{nil, func(string) bool { return true }},
		{[]string{"COUNT", "7"}, func(string) bool { return true }},
		{[]string{"MATCH", "*"}, func(string) bool { return true }},
		{[]string{"MATCH", "m1*", "COUNT", "50"}, func(s string) bool { return strings.HasPrefix(s, "m1") }},
		{[]string{"MATCH", "*9"}, func(s string) bool { return strings.HasSuffix(s, "9") }},
	} {
		seen := map[string]bool{}
		cursor := "0"
		for calls := 0; ; calls++ {
			if calls > 10000 {
				t.Fatalf("%v: no end", tc.opts)
			}
			v := lsParse(t, e.do(append([]string{"SSCAN", "s", cursor}, tc.opts...)...))
			cursor = string(v.Elems[0].Str)
			for _, m := range v.Elems[1].Elems {
				if !tc.match(string(m.Str)) {
					t.Fatalf("%v: %q should have been filtered", tc.opts, m.Str)
				}
				seen[string(m.Str)] = true
			}
			if cursor == "0" {
				break
			}
		}
		for m := range want {
			if tc.match(m) && !seen[m] {
				t.Errorf("%v: %q never returned", tc.opts, m)
			}
		}
	}
}

func TestSetRandomCounts(t *testing.T) {
	e := newLSEnv(t, 1)
	e.line("SADD s a b c d e")
	for _, tc := range []struct {
		count    int
		n        int
		distinct bool
	}{
		{3, 3, true}, {5, 5, true}, {50, 5, true}, {-3, 3, false}, {-50, 50, false},
	} {
		got := lsStrings(t, e.do("SRANDMEMBER", "s", strconv.Itoa(tc.count)))
		if len(got) != tc.n {
			t.Errorf("SRANDMEMBER %d: %d members", tc.count, len(got))
		}
		seen := map[string]bool{}
		for _, m := range got {
			if !strings.Contains("abcde", m) || len(m) != 1 {
				t.Errorf("SRANDMEMBER %d: stray %q", tc.count, m)
			}
			if seen[m] && tc.distinct {
				t.Errorf("SRANDMEMBER %d: %q repeated", tc.count, m)
			}
			seen[m] = true
		}
	}
	e.expect(
		[2]string{"SRANDMEMBER s " + strconv.Itoa(-setRandCountLimit-1), "-ERR value is out of range\r\n"},
		[2]string{"SRANDMEMBER missing " + strconv.Itoa(-setRandCountLimit-1), "*0\r\n"},
		[2]string{"SRANDMEMBER s -9223372036854775808", "-" + errRandCountMin.Wire + "\r\n"},
		[2]string{"SCARD s", ":5\r\n"},
	)
	popped := lsStrings(t, e.do("SPOP", "s", "2"))
	rest := lsStrings(t, e.do("SMEMBERS", "s"))
	all := append(popped, rest...)
	slices.Sort(all)
	if fmt.Sprint(all) != "[a b c d e]" {
		t.Fatalf("SPOP 2 + SMEMBERS = %v", all)
	}
	for range 3 {
		e.do("SPOP", "s")
	}
	e.expect([2]string{"EXISTS s", ":0\r\n"})
}

// TestSetSemanticFunctions checks the functions the typed API shares with
// the handlers.
func TestSetSemanticFunctions(t *testing.T) {
	e := newLSEnv(t, 4)
	eng, now, ks := e.eng, int64(lsT0), e.ks
	b := func(ss ...string) [][]byte { return lsArgv(ss) }
	sh := ks.ShardFor("s")
	if n, err := SetAdd(eng, sh, 0, "s", b("a", "b", "a", "1"), now); n != 3 || err != nil {
		t.Fatalf("SADD = %d, %v", n, err)
	}
	if ok, _ := SetIsMember(sh, 0, "s", []byte("b"), now); !ok {
		t.Fatal("SISMEMBER b")
	}
	if r, _ := SetMIsMember(sh, 0, "s", b("a", "z"), now); fmt.Sprint(r) != "[true false]" {
		t.Fatalf("SMISMEMBER = %v", r)
	}
	if r, _ := SetMIsMember(sh, 0, "nokey", b("a"), now); fmt.Sprint(r) != "[false]" {
		t.Fatalf("SMISMEMBER missing = %v", r)
	}
	ms, _ := SetMembers(sh, 0, "s", now)
	slices.Sort(ms)
	if fmt.Sprint(ms) != "[1 a b]" {
		t.Fatalf("SMEMBERS = %v", ms)
	}
	ok, err := SetMove(eng, 0, "s", "d", []byte("a"), now)
	if !ok || err != nil {
		t.Fatalf("SMOVE = %v, %v", ok, err)
	}
	if n, _ := SetCard(ks.ShardFor("d"), 0, "d", now); n != 1 {
		t.Fatalf("SCARD d = %d", n)
	}
	if n, _ := SetInterCard(ks, 0, b("s", "d"), 0, now); n != 0 {
		t.Fatalf("SINTERCARD = %d", n)
	}
	if _, err := SetInterCard(ks, 0, b("s"), -1, now); err != errLimitNegative {
		t.Fatalf("SINTERCARD negative limit: %v", err)
	}
	u, _ := SetCombine(eng, 0, SetOpUnion, b("s", "d", "nokey"), now)
	got := u.Strings()
	slices.Sort(got)
	if fmt.Sprint(got) != "[1 a b]" {
		t.Fatalf("SUNION = %v", got)
	}
	if n, _ := SetStore(eng, 0, "x", SetOpDiff, b("s", "d"), now); n != 2 {
		t.Fatalf("SDIFFSTORE = %d", n)
	}
	if n, _ := SetRem(sh, 0, "s", b("1", "b", "zz"), now); n != 2 {
		t.Fatalf("SREM = %d", n)
	}
	if n, _ := SetCard(sh, 0, "s", now); n != 0 {
		t.Fatalf("SREM left %d", n)
	}
	if _, err := SetPop(sh, 0, "s", now); err != ErrNil {
		t.Fatalf("SPOP missing: %v", err)
	}
	if _, err := SetRandMember(sh, 0, "s", now); err != ErrNil {
		t.Fatalf("SRANDMEMBER missing: %v", err)
	}
	xs := ks.ShardFor("x")
	popped, _ := SetPopN(&eng.Limits, xs, 0, "x", 10, now)
	slices.Sort(popped)
	if fmt.Sprint(popped) != "[1 b]" {
		t.Fatalf("SPOP 10 = %v", popped)
	}
	if _, err := SetPopN(&eng.Limits, xs, 0, "x", -1, now); err == nil {
		t.Fatal("SPOP -1 accepted")
	}
	ks.ShardFor("str").SetString(0, "str", []byte("v"), 0, false)
	if _, err := SetCombine(eng, 0, SetOpInter, b("nokey", "str"), now); err != ErrWrongType {
		t.Fatalf("SINTER with a string: %v", err)
	}
	sc, next, err := SetScan(ks.ShardFor("d"), 0, "d", 0, &SetScanOptions{}, now)
	if err != nil || next != 0 || fmt.Sprint(sc.Strings()) != "[a]" {
		t.Fatalf("SSCAN = %v %d %v", sc.Strings(), next, err)
	}
}

func TestSetNumkeysCommandsLockTheirKeys(t *testing.T) {
	cmd := Lookup([]byte("sintercard"))
	for _, tc := range []struct {
		args string
		idx  string
		ok   bool
	}{
		{"SINTERCARD 2 a b", "[2 3]", true},
		{"SINTERCARD 1 a LIMIT 3", "[2]", true},
		{"SINTERCARD 3 a b", "[]", false},
		{"SINTERCARD 0 a", "[]", false},
		{"SINTERCARD x a", "[]", false},
	} {
		idx, ok := cmd.KeyIndexes(lsArgv(strings.Fields(tc.args)), nil)
		if ok != tc.ok || (ok && fmt.Sprint(idx) != tc.idx) {
			t.Errorf("%s: %v %v", tc.args, idx, ok)
		}
	}
	lm := Lookup([]byte("lmpop"))
	bl := Lookup([]byte("blmpop"))
	for _, tc := range []struct {
		cmd  *Command
		args string
		idx  string
		ok   bool
	}{
		{lm, "LMPOP 2 a b LEFT", "[2 3]", true},
		{lm, "LMPOP 2 a b", "[]", false},
		{lm, "LMPOP 0 a LEFT", "[]", false},
		{bl, "BLMPOP 0 1 a LEFT COUNT 2", "[3]", true},
		{bl, "BLMPOP 0 3 a b LEFT", "[]", false},
	} {
		idx, ok := tc.cmd.KeyIndexes(lsArgv(strings.Fields(tc.args)), nil)
		if ok != tc.ok || (ok && fmt.Sprint(idx) != tc.idx) {
			t.Errorf("%s: %v %v", tc.args, idx, ok)
		}
	}
}

func BenchmarkSetAddIsMember(b *testing.B) {
	e := newLSEnv(b, 1)
	e.do("SADD", "s", "x", "y", "z")
	add := lsArgv([]string{"SADD", "s", "member"})
	is := lsArgv([]string{"SISMEMBER", "s", "member"})
	b.ReportAllocs()
	for b.Loop() {
		e.w.Reset(nil)
		e.eng.Exec(e.s, add, e.w)
		e.eng.Exec(e.s, is, e.w)
	}
}

func BenchmarkSetInter(b *testing.B) {
	e := newLSEnv(b, 1)
	a := []string{"SADD", "a"}
	c := []string{"SADD", "c"}
	for i := range 200 {
		a = append(a, "m"+strconv.Itoa(i))
		c = append(c, "m"+strconv.Itoa(i*2))
	}
	e.do(a...)
	e.do(c...)
	inter := lsArgv([]string{"SINTER", "a", "c"})
	b.ReportAllocs()
	for b.Loop() {
		e.w.Reset(nil)
		e.eng.Exec(e.s, inter, e.w)
	}
}
