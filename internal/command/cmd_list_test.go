package command

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/clock"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/resp"
)

// lsEnv runs list and set commands through an engine and captures their
// wire replies.
type lsEnv struct {
	t   testing.TB
	ks  *keyspace.Keyspace
	eng *Engine
	man *clock.Manual
	s   *Session
	w   *resp.Writer
}

const lsT0 = 1_700_000_000_000

func newLSEnv(t testing.TB, shards int) *lsEnv {
	t.Helper()
	man := clock.NewManual(time.UnixMilli(lsT0))
	clk := clock.FromFunc(man.NowMs)
	ks := keyspace.New(keyspace.Config{Shards: shards, Databases: 16, Clock: clk})
	return &lsEnv{t: t, ks: ks, eng: NewEngine(ks, clk), man: man, s: NewSession(0), w: resp.NewWriter(nil, 0)}
}

func lsArgv(args []string) [][]byte {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	return argv
}

// doProto runs one command and returns its reply in RESP2 or RESP3.
func (e *lsEnv) doProto(proto int, args ...string) string {
	e.w.Reset(nil)
	e.w.SetProto(proto)
	e.eng.Exec(e.s, lsArgv(args), e.w)
	return string(e.w.Bytes())
}

func (e *lsEnv) do(args ...string) string { return e.doProto(2, args...) }

// line runs a space-separated command.
func (e *lsEnv) line(l string) string { return e.do(strings.Fields(l)...) }

// expect runs steps of "command => reply" and reports mismatches.
func (e *lsEnv) expect(steps ...[2]string) {
	e.t.Helper()
	for _, st := range steps {
		if got := e.line(st[0]); got != st[1] {
			e.t.Errorf("%s: got %q, want %q", st[0], got, st[1])
		}
	}
}

// lsStep is one recorded command: its RESP2 reply and, when different,
// its RESP3 reply; skip marks replies that depend on randomness or hash
// order (the command still runs, for its effect).
type lsStep struct {
	args         []string
	resp2, resp3 string
	skip         bool
}

type lsScript struct {
	name  string
	steps []lsStep
}

// TestListSetRecordedRedisReplies replays the list and set scripts whose
// replies were recorded from redis-server 7.0 (cmd_list_redis_test.go)
// and compares every reply byte for byte, with one and eight shards,
// under RESP2 and RESP3.
func TestListSetRecordedRedisReplies(t *testing.T) {
	for _, sc := range lsRedisScripts {
		for _, shards := range []int{1, 8} {
			for _, proto := range []int{2, 3} {
				t.Run(fmt.Sprintf("%s/shards=%d/resp%d", sc.name, shards, proto), func(t *testing.T) {
					e := newLSEnv(t, shards)
					for i, st := range sc.steps {
						got := e.doProto(proto, st.args...)
						want := st.resp2
						if proto == 3 && st.resp3 != "" {
							want = st.resp3
						}
						if !st.skip && got != want {
							t.Errorf("step %d %q: got %q, want %q", i, st.args, got, want)
						}
					}
				})
			}
		}
	}
}

func lsBulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

func lsArr(elems ...string) string {
	var b strings.Builder
	b.WriteString("*" + strconv.Itoa(len(elems)) + "\r\n")
	for _, s := range elems {
		b.WriteString(lsBulk(s))
	}
	return b.String()
}

func TestListNegativeIndexes(t *testing.T) {
	e := newLSEnv(t, 4)
	e.line("RPUSH l a b c d e")
	for _, tc := range []struct {
		cmd, want string
	}{
		{"LINDEX l -1", lsBulk("e")},
		{"LINDEX l -5", lsBulk("a")},
		{"LINDEX l -6", "$-1\r\n"},
		{"LINDEX l -9223372036854775808", "$-1\r\n"},
		{"LINDEX l 9223372036854775807", "$-1\r\n"},
		{"LRANGE l -2 -1", lsArr("d", "e")},
		{"LRANGE l -100 -4", lsArr("a", "b")},
		{"LRANGE l -1 -100", lsArr()},
		{"LRANGE l 2 -3", lsArr("c")},
		{"LSET l -2 D", "+OK\r\n"},
		{"LSET l -6 x", "-ERR index out of range\r\n"},
		{"LRANGE l 0 -1", lsArr("a", "b", "c", "D", "e")},
		{"LTRIM l -4 -2", "+OK\r\n"},
		{"LRANGE l 0 -1", lsArr("b", "c", "D")},
		{"LTRIM l -1 -2", "+OK\r\n"},
		{"EXISTS l", ":0\r\n"},
	} {
		if got := e.line(tc.cmd); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.cmd, got, tc.want)
		}
	}
}

func TestLPosOptions(t *testing.T) {
	e := newLSEnv(t, 1)
	e.line("RPUSH l x a x b x c x")
	ints := func(ns ...int) string {
		var b strings.Builder
		b.WriteString("*" + strconv.Itoa(len(ns)) + "\r\n")
		for _, n := range ns {
			b.WriteString(":" + strconv.Itoa(n) + "\r\n")
		}
		return b.String()
	}
	for _, tc := range []struct {
		cmd, want string
	}{
		{"LPOS l x", ":0\r\n"},
		{"LPOS l x RANK 3", ":4\r\n"},
		{"LPOS l x RANK -1", ":6\r\n"},
		{"LPOS l x RANK -3", ":2\r\n"},
		{"LPOS l x RANK 5", "$-1\r\n"},
		{"LPOS l x COUNT 0", ints(0, 2, 4, 6)},
		{"LPOS l x COUNT 2 RANK -1", ints(6, 4)},
		{"LPOS l x COUNT 0 RANK 2 MAXLEN 5", ints(2, 4)},
		{"LPOS l x COUNT 0 RANK -2 MAXLEN 3", ints(4)},
		{"LPOS l x MAXLEN 1", ":0\r\n"},
		{"LPOS l c MAXLEN 5", "$-1\r\n"},
		{"LPOS l c MAXLEN 0", ":5\r\n"},
		{"LPOS l c COUNT 5", ints(5)},
		{"LPOS l nope COUNT 5", ints()},
		{"LPOS l x RANK -9223372036854775808", ":6\r\n"},
		{"LPOS l x RANK 0", "-" + errRankZero.Wire + "\r\n"},
		{"LPOS l x COUNT -2", "-ERR COUNT can't be negative\r\n"},
		{"LPOS l x MAXLEN -2", "-ERR MAXLEN can't be negative\r\n"},
	} {
		if got := e.line(tc.cmd); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.cmd, got, tc.want)
		}
	}
}

// TestListSemanticFunctions checks the functions the typed API shares
// with the handlers.
func TestListSemanticFunctions(t *testing.T) {
	e := newLSEnv(t, 4)
	eng, now := e.eng, int64(lsT0)
	sh := e.ks.ShardFor("l")
	b := func(ss ...string) [][]byte { return lsArgv(ss) }
	if n, err := ListPush(eng, sh, 0, "l", b("a", "b"), ListRight, true, now); n != 0 || err != nil {
		t.Fatalf("RPUSHX missing = %d, %v", n, err)
	}
	if n, err := ListPush(eng, sh, 0, "l", b("a", "b", "c"), ListRight, false, now); n != 3 || err != nil {
		t.Fatalf("RPUSH = %d, %v", n, err)
	}
	if n, _ := ListPush(eng, sh, 0, "l", b("z"), ListLeft, true, now); n != 4 {
		t.Fatalf("LPUSHX = %d", n)
	}
	if v, err := ListIndex(sh, 0, "l", -1, now); string(v) != "c" || err != nil {
		t.Fatalf("LINDEX -1 = %q, %v", v, err)
	}
	if _, err := ListIndex(sh, 0, "l", 10, now); err != ErrNil {
		t.Fatalf("LINDEX out of range: %v", err)
	}
	if _, err := ListIndex(sh, 0, "nokey", 0, now); err != ErrNil {
		t.Fatalf("LINDEX missing: %v", err)
	}
	vals, err := ListRange(sh, 0, "l", 0, -1, now)
	if err != nil || fmt.Sprintf("%q", vals) != `["z" "a" "b" "c"]` {
		t.Fatalf("LRANGE = %q, %v", vals, err)
	}
	vals[0][0] = 'Q' // copies: the list is unaffected
	if v, _ := ListIndex(sh, 0, "l", 0, now); string(v) != "z" {
		t.Fatalf("LRANGE result aliased the list: %q", v)
	}
	if err := ListSet(sh, 0, "l", 9, []byte("x"), now); err != ErrOutOfRange {
		t.Fatalf("LSET out of range: %v", err)
	}
	if err := ListSet(sh, 0, "nokey", 0, []byte("x"), now); err != ErrNoSuchKey {
		t.Fatalf("LSET missing: %v", err)
	}
	if n, _ := ListInsert(sh, 0, "l", false, []byte("a"), []byte("a2"), now); n != 5 {
		t.Fatalf("LINSERT = %d", n)
	}
	if pos, _ := ListPos(sh, 0, "l", []byte("a2"), LPosOptions{}, now); fmt.Sprint(pos) != "[2]" {
		t.Fatalf("LPOS = %v", pos)
	}
	if _, err := ListPos(sh, 0, "l", []byte("a"), LPosOptions{Count: -1}, now); err == nil || err.Error() != "kevy: ERR COUNT can't be negative" {
		t.Fatalf("LPOS negative count: %v", err)
	}
	if n, _ := ListRem(sh, 0, "l", 0, []byte("a2"), now); n != 1 {
		t.Fatalf("LREM = %d", n)
	}
	popped, err := ListPop(nil, sh, 0, "l", ListLeft, 2, now)
	if err != nil || fmt.Sprintf("%q", popped) != `["z" "a"]` {
		t.Fatalf("LPOP 2 = %q, %v", popped, err)
	}
	if err := ListTrim(sh, 0, "l", 1, 0, now); err != nil {
		t.Fatal(err)
	}
	if n, _ := ListLen(sh, 0, "l", now); n != 0 {
		t.Fatalf("LTRIM to empty left %d elements", n)
	}
	if _, err := ListPop(nil, sh, 0, "l", ListLeft, 1, now); err != ErrNil {
		t.Fatalf("LPOP on deleted list: %v", err)
	}
	ssh := e.ks.ShardFor("str")
	ssh.SetString(0, "str", []byte("v"), 0, false)
	if _, err := ListPush(eng, ssh, 0, "str", b("a"), ListLeft, false, now); err != ErrWrongType {
		t.Fatalf("LPUSH on string: %v", err)
	}
	if _, err := ListLen(ssh, 0, "str", now); err != ErrWrongType {
		t.Fatalf("LLEN on string: %v", err)
	}
}

func TestListMoveAcrossShards(t *testing.T) {
	e := newLSEnv(t, 16)
	// Find two keys in different shards.
	src, dst := "src", ""
	for i := 0; dst == ""; i++ {
		if k := "dst" + strconv.Itoa(i); e.ks.ShardIndex(k) != e.ks.ShardIndex(src) {
			dst = k
		}
	}
	e.line("RPUSH " + src + " 1 2 3")
	e.expect(
		[2]string{"LMOVE " + src + " " + dst + " LEFT RIGHT", lsBulk("1")},
		[2]string{"RPOPLPUSH " + src + " " + dst, lsBulk("3")},
		[2]string{"LRANGE " + dst + " 0 -1", lsArr("3", "1")},
		[2]string{"LMOVE " + src + " " + dst + " RIGHT RIGHT", lsBulk("2")},
		[2]string{"EXISTS " + src, ":0\r\n"},
		[2]string{"LRANGE " + dst + " 0 -1", lsArr("3", "1", "2")},
		[2]string{"LMPOP 2 " + src + " " + dst + " RIGHT COUNT 2", "*2\r\n" + lsBulk(dst) + lsArr("2", "1")},
	)
}

func TestListLargeValues(t *testing.T) {
	e := newLSEnv(t, 1)
	big := strings.Repeat("x", 20000)
	args := []string{"RPUSH", "l"}
	for i := range 1000 {
		args = append(args, strconv.Itoa(i))
	}
	e.do(args...)
	e.do("LSET", "l", "500", big)
	if got := e.do("LINDEX", "l", "500"); got != lsBulk(big) {
		t.Fatalf("LINDEX of a large element: %d bytes", len(got))
	}
	if got := e.do("LINSERT", "l", "BEFORE", big, big); got != ":1001\r\n" {
		t.Fatalf("LINSERT large: %q", got)
	}
	if got := e.do("LREM", "l", "0", big); got != ":2\r\n" {
		t.Fatalf("LREM large: %q", got)
	}
	if got := e.do("LLEN", "l"); got != ":999\r\n" {
		t.Fatalf("LLEN: %q", got)
	}
	if got := e.do("LPOS", "l", "999"); got != ":998\r\n" {
		t.Fatalf("LPOS: %q", got)
	}
	if got := e.do("OBJECT", "ENCODING", "l"); got != lsBulk("quicklist") {
		t.Fatalf("OBJECT ENCODING: %q", got)
	}
}

func TestListErrorsMapToSentinels(t *testing.T) {
	for _, tc := range []struct {
		err  error
		kind error
	}{
		{errRankZero, ErrInvalidValue},
		{errCountNegative, ErrInvalidValue},
		{errNumkeys, ErrInvalidValue},
		{errCountPositive, ErrInvalidValue},
		{errSetNumkeysArgs, ErrSyntax},
		{errLimitNegative, ErrInvalidValue},
		{errRandCountMin, ErrNotInteger},
		{&Error{Wire: wireTimeoutNegative}, ErrInvalidValue},
		{&Error{Wire: wireTimeoutNotFloat}, ErrInvalidValue},
		{&Error{Wire: wireUnblocked}, ErrUnblockError},
	} {
		got := FromWire(ToWire(tc.err))
		if !errors.Is(got, tc.kind) {
			t.Errorf("%q maps to %v, want %v", ToWire(tc.err), got, tc.kind)
		}
	}
}

func TestListEmptiedIsDeleted(t *testing.T) {
	e := newLSEnv(t, 1)
	for _, tc := range [][]string{
		{"RPUSH l a", "LPOP l"},
		{"RPUSH l a", "RPOP l 5"},
		{"RPUSH l a", "LREM l 0 a"},
		{"RPUSH l a", "LTRIM l 1 1"},
		{"RPUSH l a", "LMOVE l other LEFT LEFT", "DEL other"},
		{"RPUSH l a", "LMPOP 1 l LEFT"},
		{"RPUSH l a", "BLPOP l 0"},
		{"RPUSH l a", "BLMPOP 0 1 l RIGHT COUNT 3"},
	} {
		for _, c := range tc {
			e.line(c)
		}
		if got := e.line("EXISTS l"); got != ":0\r\n" {
			t.Errorf("%q left the list behind", tc)
		}
	}
}

func BenchmarkListPushPop(b *testing.B) {
	e := newLSEnv(b, 1)
	e.do("RPUSH", "q", "keeps-the-list-alive")
	push := lsArgv([]string{"RPUSH", "q", "some-job-payload"})
	pop := lsArgv([]string{"LPOP", "q"})
	b.ReportAllocs()
	for b.Loop() {
		e.w.Reset(nil)
		e.eng.Exec(e.s, push, e.w)
		e.eng.Exec(e.s, pop, e.w)
	}
}

func BenchmarkListRange100(b *testing.B) {
	e := newLSEnv(b, 1)
	args := []string{"RPUSH", "l"}
	for i := range 100 {
		args = append(args, "element-"+strconv.Itoa(i))
	}
	e.do(args...)
	r := lsArgv([]string{"LRANGE", "l", "0", "-1"})
	b.ReportAllocs()
	for b.Loop() {
		e.w.Reset(nil)
		e.eng.Exec(e.s, r, e.w)
	}
}
