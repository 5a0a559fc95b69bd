package command

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/clock"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/resp"
)

// recProp is a Propagator that records what it is given. With wrap set it
// models a log: the records of a unit holding more than one record are
// recorded between "shard db MULTI" and "shard db EXEC" when the unit
// ends; otherwise records are recorded as they come.
type recProp struct {
	recs   []string // "shard db CMD arg..."
	refuse error
	ticket uint64
	wrap   bool
	open   map[int][]string // shard -> records of its open unit (wrap)
	begins int              // Begin calls
	nested int              // Begin calls on a shard with an open unit
}

func recText(shard, db int, args [][]byte) string {
	parts := []string{strconv.Itoa(shard), strconv.Itoa(db)}
	for _, a := range args {
		parts = append(parts, string(a))
	}
	return strings.Join(parts, " ")
}

func (p *recProp) Propagate(shard, db int, args [][]byte) uint64 {
	p.ticket++
	if u, ok := p.open[shard]; ok && p.wrap {
		p.open[shard] = append(u, recText(shard, db, args))
		return 0
	}
	p.recs = append(p.recs, recText(shard, db, args))
	return p.ticket
}

func (p *recProp) Begin(shard int) {
	p.begins++
	if p.open == nil {
		p.open = map[int][]string{}
	}
	if _, ok := p.open[shard]; ok {
		p.nested++
	}
	p.open[shard] = []string{}
}

func (p *recProp) End(shard, db int, last [][]byte) uint64 {
	u, ok := p.open[shard]
	delete(p.open, shard)
	if !ok || !p.wrap {
		if last != nil {
			return p.Propagate(shard, db, last)
		}
		return 0
	}
	if last != nil {
		u = append(u, recText(shard, db, last))
	}
	if len(u) > 1 {
		u = append(append([]string{recText(shard, db, [][]byte{[]byte("MULTI")})}, u...), recText(shard, db, [][]byte{[]byte("EXEC")}))
	}
	p.recs = append(p.recs, u...)
	if len(u) == 0 {
		return 0
	}
	p.ticket++
	return p.ticket
}

func (p *recProp) Refuse() error { return p.refuse }

func newPropEnv(t *testing.T, shards int) (*Engine, *recProp, *clock.Manual) {
	t.Helper()
	man := clock.NewManual(time.UnixMilli(strT0))
	clk := clock.FromFunc(man.NowMs)
	ks := keyspace.New(keyspace.Config{Shards: shards, Databases: 16, Clock: clk})
	e := NewEngine(ks, clk)
	p := &recProp{}
	e.Prop = p
	return e, p, man
}

func execs(e *Engine, s *Session, args ...string) string {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	w := resp.NewWriter(nil, 0)
	e.Exec(s, argv, w)
	return string(w.Bytes())
}

func TestPropagationForms(t *testing.T) {
	now := strconv.FormatInt(strT0, 10)
	in := func(ms int64) string { return strconv.FormatInt(strT0+ms, 10) }
	tests := []struct {
		name  string
		setup [][]string
		cmd   []string
		want  []string // records, without the shard ("db CMD args")
	}{
		{"verbatim", nil, []string{"SET", "k", "v"}, []string{"0 SET k v"}},
		{"no change", [][]string{{"SET", "k", "v"}}, []string{"SET", "k", "w", "NX"}, nil},
		{"read", [][]string{{"SET", "k", "v"}}, []string{"GET", "k"}, nil},
		{"set ex", nil, []string{"SET", "k", "v", "EX", "10"}, []string{"0 SET k v PXAT " + in(10000)}},
		{"setex", nil, []string{"SETEX", "k", "5", "v"}, []string{"0 SET k v PXAT " + in(5000)}},
		{"psetex", nil, []string{"PSETEX", "k", "5", "v"}, []string{"0 SET k v PXAT " + in(5)}},
		{"expire", [][]string{{"SET", "k", "v"}}, []string{"EXPIRE", "k", "100"}, []string{"0 PEXPIREAT k " + in(100000)}},
		{"expire past", [][]string{{"SET", "k", "v"}}, []string{"PEXPIREAT", "k", now}, []string{"0 DEL k"}},
		{"getex", [][]string{{"SET", "k", "v"}}, []string{"GETEX", "k", "PX", "7"}, []string{"0 PEXPIREAT k " + in(7)}},
		{"incrbyfloat", [][]string{{"SET", "k", "1"}}, []string{"INCRBYFLOAT", "k", "0.5"}, []string{"0 SET k 1.5 KEEPTTL"}},
		{"hincrbyfloat", nil, []string{"HINCRBYFLOAT", "h", "f", "2.5"}, []string{"0 HSET h f 2.5"}},
		{"spop all", [][]string{{"SADD", "s", "a"}}, []string{"SPOP", "s"}, []string{"0 DEL s"}},
		{"spop one", [][]string{{"SADD", "s", "a", "b"}}, []string{"SPOP", "s", "0"}, nil},
		{"lmpop", [][]string{{"RPUSH", "l", "a", "b", "c"}}, []string{"LMPOP", "2", "x", "l", "RIGHT", "COUNT", "5"}, []string{"0 RPOP l 3"}},
		{"blpop served", [][]string{{"RPUSH", "l", "a"}}, []string{"BLPOP", "l", "0"}, []string{"0 LPOP l"}},
		{"zmpop", [][]string{{"ZADD", "z", "1", "a"}}, []string{"ZMPOP", "1", "z", "MIN", "COUNT", "2"}, []string{"0 ZPOPMIN z 2"}},
		{"bzpopmax", [][]string{{"ZADD", "z", "1", "a"}}, []string{"BZPOPMAX", "z", "0"}, []string{"0 ZPOPMAX z 1"}},
		{"flushall", [][]string{{"SET", "k", "v"}}, []string{"FLUSHALL"}, []string{"0 FLUSHALL"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, p, _ := newPropEnv(t, 1)
			s := NewSession(0)
			for _, a := range tc.setup {
				execs(e, s, a...)
			}
			p.recs = nil
			execs(e, s, tc.cmd...)
			var got []string
			for _, r := range p.recs {
				got = append(got, strings.SplitN(r, " ", 2)[1])
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("records %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPropagationShards: with several shards every record names only keys
// of the shard whose log receives it.
func TestPropagationShards(t *testing.T) {
	e, p, _ := newPropEnv(t, 8)
	s := NewSession(0)
	cmds := [][]string{
		{"MSET", "a", "1", "b", "2", "c", "3", "d", "4"},
		{"DEL", "a", "b", "zz"},
		{"RPUSH", "src", "x", "y"},
		{"LMOVE", "src", "dst", "LEFT", "RIGHT"},
		{"SADD", "s1", "m", "n"},
		{"SMOVE", "s1", "s2", "m"},
		{"SUNIONSTORE", "s3", "s1", "s2"},
		{"RENAME", "c", "renamed"},
		{"COPY", "d", "d2", "DB", "3"},
		{"SWAPDB", "0", "1"},
	}
	for _, c := range cmds {
		execs(e, s, c...)
	}
	ks := e.KS
	if len(p.recs) == 0 {
		t.Fatal("nothing propagated")
	}
	for _, r := range p.recs {
		f := strings.Fields(r)
		shard, _ := strconv.Atoi(f[0])
		cmd := Lookup([]byte(f[2]))
		args := make([][]byte, len(f)-2)
		for i := range args {
			args[i] = []byte(f[i+2])
		}
		idx, _ := cmd.KeyIndexes(args, nil)
		for _, k := range idx {
			if ks.ShardIndex(string(args[k])) != shard {
				t.Errorf("record %q in shard %d names key %q of shard %d", r, shard, args[k], ks.ShardIndex(string(args[k])))
			}
		}
	}
	want := "3 DEL d2"
	found := false
	for _, r := range p.recs {
		found = found || strings.HasSuffix(r, want) && strings.Contains(r, " 3 DEL d2")
	}
	if !found {
		t.Errorf("COPY ... DB 3 not logged in database 3: %q", p.recs)
	}
}

func TestPropagationRefused(t *testing.T) {
	e, p, _ := newPropEnv(t, 1)
	s := NewSession(0)
	p.refuse = &Error{Wire: "MISCONF Errors writing to the AOF file: disk full", Kind: ErrPersistence}
	if got := execs(e, s, "SET", "k", "v"); !strings.HasPrefix(got, "-MISCONF") {
		t.Fatalf("SET = %q", got)
	}
	if got := execs(e, s, "GET", "k"); got != "$-1\r\n" {
		t.Fatalf("GET = %q (reads must still work, and the write must not be applied)", got)
	}
	if err := FromWire("MISCONF Errors writing to the AOF file: x"); !errors.Is(err, ErrPersistence) {
		t.Fatalf("FromWire MISCONF: %v", err)
	}
}

func TestPropagationTickets(t *testing.T) {
	e, _, _ := newPropEnv(t, 4)
	s := NewSession(0)
	execs(e, s, "MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5")
	seen := map[int]bool{}
	for _, pt := range s.Pending() {
		if seen[pt.Shard] || pt.Ticket == 0 {
			t.Fatalf("pending %v", s.Pending())
		}
		seen[pt.Shard] = true
	}
	if len(seen) < 2 {
		t.Fatalf("pending %v: want one ticket per shard written", s.Pending())
	}
	s.ClearPending()
	if len(s.Pending()) != 0 {
		t.Fatal("ClearPending kept tickets")
	}
}

// TestPropagationUnits checks where units begin and end: the records of
// one command or one EXEC in one shard come out as a MULTI ... EXEC block
// when there are several, alone otherwise.
func TestPropagationUnits(t *testing.T) {
	e, _, _ := newPropEnv(t, 4)
	ks := e.KS
	// a1, a2 share shard A; b1 is in shard B.
	a1, a2, b1 := "{a}1", "{a}2", ""
	for i := 0; b1 == ""; i++ {
		if k := "b" + strconv.Itoa(i); ks.ShardIndex(k) != ks.ShardIndex(a1) {
			b1 = k
		}
	}
	A, B := strconv.Itoa(ks.ShardIndex(a1)), strconv.Itoa(ks.ShardIndex(b1))
	big := []string{"HSET", b1}
	for i := range 70 {
		big = append(big, "f"+strconv.Itoa(i), "v")
	}
	hsetBatches := func(shard string, key string) []string {
		first := []string{shard + " 0 HSET " + key}
		for i := range 64 {
			first[0] += " f" + strconv.Itoa(i) + " v"
		}
		second := shard + " 0 HSET " + key
		for i := 64; i < 70; i++ {
			second += " f" + strconv.Itoa(i) + " v"
		}
		return append(first, second)
	}
	tests := []struct {
		name  string
		setup [][]string
		cmds  [][]string
		want  []string
	}{
		{"one record", nil, [][]string{{"SET", a1, "v"}}, []string{A + " 0 SET " + a1 + " v"}},
		{"effect form", nil, [][]string{{"SET", a1, "v", "EX", "10"}},
			[]string{A + " 0 SET " + a1 + " v PXAT " + strconv.FormatInt(strT0+10000, 10)}},
		{"exec one shard", nil, [][]string{{"MULTI"}, {"SET", a1, "1"}, {"INCR", a2}, {"GET", a1}, {"EXEC"}},
			[]string{A + " 0 MULTI", A + " 0 SET " + a1 + " 1", A + " 0 INCR " + a2, A + " 0 EXEC"}},
		{"exec one record", nil, [][]string{{"MULTI"}, {"SET", a1, "1"}, {"GET", a2}, {"EXEC"}},
			[]string{A + " 0 SET " + a1 + " 1"}},
		{"exec one record per shard", nil, [][]string{{"MULTI"}, {"SET", a1, "1"}, {"SET", b1, "2"}, {"EXEC"}},
			[]string{A + " 0 SET " + a1 + " 1", B + " 0 SET " + b1 + " 2"}},
		{"exec two shards", nil, [][]string{{"MULTI"}, {"SET", a1, "1"}, {"SET", b1, "2"}, {"DEL", a2}, {"SET", a2, "3"}, {"EXEC"}},
			[]string{B + " 0 SET " + b1 + " 2",
				A + " 0 MULTI", A + " 0 SET " + a1 + " 1", A + " 0 SET " + a2 + " 3", A + " 0 EXEC"}},
		{"exec select", nil, [][]string{{"MULTI"}, {"SET", a1, "1"}, {"SELECT", "2"}, {"SET", a2, "2"}, {"EXEC"}},
			[]string{A + " 2 MULTI", A + " 0 SET " + a1 + " 1", A + " 2 SET " + a2 + " 2", A + " 2 EXEC"}},
		{"exec read only", [][]string{{"SET", a1, "1"}}, [][]string{{"MULTI"}, {"GET", a1}, {"EXEC"}}, nil},
		{"discard", nil, [][]string{{"MULTI"}, {"SET", a1, "1"}, {"DISCARD"}}, nil},
		{"key state across shards", [][]string{{"RPUSH", b1, "x", "y"}},
			[][]string{{"RENAME", b1, a1}},
			[]string{B + " 0 DEL " + b1, A + " 0 MULTI", A + " 0 DEL " + a1, A + " 0 RPUSH " + a1 + " x y", A + " 0 EXEC"}},
		{"key state in batches", [][]string{big},
			[][]string{{"COPY", b1, a1}},
			append(append([]string{A + " 0 MULTI", A + " 0 DEL " + a1}, hsetBatches(A, a1)...), A+" 0 EXEC")},
		{"flushall", [][]string{{"SET", a1, "1"}, {"SET", b1, "1"}}, [][]string{{"FLUSHALL"}},
			[]string{"FLUSHALL", "FLUSHALL"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, p, _ := newPropEnv(t, 4)
			p.wrap = true
			s := NewSession(0)
			for _, a := range tc.setup {
				execs(e, s, a...)
			}
			p.recs = nil
			for _, c := range tc.cmds {
				execs(e, s, c...)
			}
			got := p.recs
			if tc.name == "flushall" {
				got = nil
				for _, r := range p.recs {
					got = append(got, strings.SplitN(r, " ", 3)[2])
				}
				if p.recs[0][0] == p.recs[1][0] {
					t.Fatalf("FLUSHALL logged twice in one shard: %q", p.recs)
				}
			}
			// Compare each shard's log; units of different shards may come
			// in any order.
			perShard := func(recs []string) map[string]string {
				m := map[string]string{}
				for _, r := range recs {
					sh, _, _ := strings.Cut(r, " ")
					m[sh] += r + "|"
				}
				return m
			}
			if !reflect.DeepEqual(perShard(got), perShard(tc.want)) {
				t.Fatalf("records\n%q\nwant\n%q", got, tc.want)
			}
			if len(p.open) != 0 || p.nested != 0 {
				t.Fatalf("units left open %v, nested Begin calls %d", p.open, p.nested)
			}
			if s.InMulti() {
				t.Fatal("still in MULTI")
			}
		})
	}
}

// TestPropagationUnitTickets: the ticket End returns is the one a session
// waits for.
func TestPropagationUnitTickets(t *testing.T) {
	e, p, _ := newPropEnv(t, 1)
	p.wrap = true
	s := NewSession(0)
	for _, c := range [][]string{{"MULTI"}, {"SET", "a", "1"}, {"SET", "b", "2"}, {"EXEC"}} {
		execs(e, s, c...)
	}
	if pend := s.Pending(); len(pend) != 1 || pend[0].Ticket != p.ticket {
		t.Fatalf("pending %v, want the unit's ticket %d", pend, p.ticket)
	}
}
