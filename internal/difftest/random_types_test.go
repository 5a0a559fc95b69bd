package difftest

import (
	"strconv"
	"testing"

	"github.com/kevydb/kevy/internal/command"
)

// randElems are list elements and set members: few, so LREM, LPOS,
// LINSERT pivots and set intersections hit often; integers (sets encode
// them as intsets in Redis), the empty string and binary.
var randElems = []string{"a", "b", "c", "1", "2", "-3", "10", "", "x y", "\x00\xff"}

// randIdx are list indexes and counts, with out-of-range and invalid ones.
var randIdx = []string{"0", "1", "2", "-1", "-2", "3", "5", "-10", "100"}

var randBadInt = []string{"abc", "1.5", "", "-1", "9223372036854775807", "-9223372036854775808", "0"}

func (g *gen) elem() string { return g.pick(randElems) }

func (g *gen) elems(min, max int) []string {
	out := make([]string, min+g.r.IntN(max-min+1))
	for i := range out {
		out[i] = g.elem()
	}
	return out
}

// idx returns a list index, occasionally not an integer.
func (g *gen) idx() string {
	if g.chance(5) {
		return g.pick([]string{"abc", "1.5", "", "9223372036854775807", "-9223372036854775808"})
	}
	return g.pick(randIdx)
}

func (g *gen) side() string {
	if g.chance(3) {
		return g.pick([]string{"UP", "", "l"})
	}
	return g.pick([]string{"LEFT", "RIGHT", "left", "Right"})
}

// popCount returns the optional COUNT argument of LPOP/RPOP.
func (g *gen) popCount() []string {
	switch g.r.IntN(4) {
	case 0:
		return []string{g.small(0, 4)}
	case 1:
		if g.chance(30) {
			return []string{g.pick(randBadInt)}
		}
	}
	return nil
}

// numkeys returns the numkeys argument of LMPOP/SINTERCARD and the keys,
// sometimes with a wrong count.
func (g *gen) numkeys() []string {
	n := 1 + g.r.IntN(3)
	ks := g.keys(n)
	cnt := strconv.Itoa(n)
	if g.chance(8) {
		cnt = g.pick([]string{"0", "-1", "abc", "5", strconv.Itoa(n + 1)})
	}
	return append([]string{cnt}, ks...)
}

// listSetGenerators are the list and set commands of the random run.
// SPOP and SRANDMEMBER are left out: their replies are random.
var listSetGenerators = []genFunc{
	// Lists.
	{"lpush", 4, func(g *gen) Cmd { return c(append([]string{"LPUSH", g.key()}, g.elems(1, 4)...)...) }},
	{"rpush", 4, func(g *gen) Cmd { return c(append([]string{"RPUSH", g.key()}, g.elems(1, 4)...)...) }},
	{"lpushx", 1, func(g *gen) Cmd { return c(append([]string{"LPUSHX", g.key()}, g.elems(1, 2)...)...) }},
	{"rpushx", 1, func(g *gen) Cmd { return c(append([]string{"RPUSHX", g.key()}, g.elems(1, 2)...)...) }},
	{"lpop", 2, func(g *gen) Cmd { return c(append([]string{"LPOP", g.key()}, g.popCount()...)...) }},
	{"rpop", 2, func(g *gen) Cmd { return c(append([]string{"RPOP", g.key()}, g.popCount()...)...) }},
	{"llen", 2, func(g *gen) Cmd { return c("LLEN", g.key()) }},
	{"lindex", 2, func(g *gen) Cmd { return c("LINDEX", g.key(), g.idx()) }},
	{"linsert", 2, func(g *gen) Cmd {
		where := g.pick([]string{"BEFORE", "AFTER", "before"})
		if g.chance(5) {
			where = "MIDDLE"
		}
		return c("LINSERT", g.key(), where, g.elem(), g.elem())
	}},
	{"lrange", 3, func(g *gen) Cmd { return c("LRANGE", g.key(), g.idx(), g.idx()) }},
	{"lset", 2, func(g *gen) Cmd { return c("LSET", g.key(), g.idx(), g.elem()) }},
	{"lrem", 2, func(g *gen) Cmd {
		return c("LREM", g.key(), g.pick([]string{"0", "1", "-1", "2", "-2", "abc"}), g.elem())
	}},
	{"ltrim", 1, func(g *gen) Cmd { return c("LTRIM", g.key(), g.idx(), g.idx()) }},
	{"lpos", 3, func(g *gen) Cmd {
		args := []string{"LPOS", g.key(), g.elem()}
		if g.chance(40) {
			args = append(args, "RANK", g.pick([]string{"1", "2", "-1", "-2", "0", "abc", "-9223372036854775808"}))
		}
		if g.chance(40) {
			args = append(args, "COUNT", g.pick([]string{"0", "1", "2", "-1", "abc"}))
		}
		if g.chance(30) {
			args = append(args, "MAXLEN", g.pick([]string{"0", "1", "3", "-1", "abc"}))
		}
		if g.chance(3) {
			args = append(args, g.pick([]string{"RANK", "FOO", "COUNT"}))
		}
		return c(args...)
	}},
	{"lmove", 2, func(g *gen) Cmd { return c("LMOVE", g.key(), g.key(), g.side(), g.side()) }},
	{"rpoplpush", 1, func(g *gen) Cmd { return c("RPOPLPUSH", g.key(), g.key()) }},
	{"lmpop", 2, func(g *gen) Cmd {
		args := append([]string{"LMPOP"}, g.numkeys()...)
		args = append(args, g.side())
		if g.chance(50) {
			cnt := g.small(1, 4)
			if g.chance(15) {
				cnt = g.pick(randBadInt)
			}
			args = append(args, "COUNT", cnt)
		}
		return c(args...)
	}},
	// Sets.
	{"sadd", 4, func(g *gen) Cmd { return c(append([]string{"SADD", g.key()}, g.elems(1, 4)...)...) }},
	{"srem", 2, func(g *gen) Cmd { return c(append([]string{"SREM", g.key()}, g.elems(1, 3)...)...) }},
	{"scard", 2, func(g *gen) Cmd { return c("SCARD", g.key()) }},
	{"sismember", 2, func(g *gen) Cmd { return c("SISMEMBER", g.key(), g.elem()) }},
	{"smismember", 2, func(g *gen) Cmd { return c(append([]string{"SMISMEMBER", g.key()}, g.elems(1, 3)...)...) }},
	{"smembers", 2, func(g *gen) Cmd { return Cmd{Args: []string{"SMEMBERS", g.key()}, Mode: Unordered} }},
	{"smove", 2, func(g *gen) Cmd { return c("SMOVE", g.key(), g.key(), g.elem()) }},
	{"sinter", 2, func(g *gen) Cmd {
		return Cmd{Args: append([]string{"SINTER"}, g.keys(1+g.r.IntN(3))...), Mode: Unordered}
	}},
	{"sintercard", 2, func(g *gen) Cmd {
		args := append([]string{"SINTERCARD"}, g.numkeys()...)
		if g.chance(40) {
			args = append(args, "LIMIT", g.pick([]string{"0", "1", "2", "-1", "abc"}))
		}
		return c(args...)
	}},
	{"sinterstore", 2, func(g *gen) Cmd { return c(append([]string{"SINTERSTORE"}, g.keys(2+g.r.IntN(2))...)...) }},
	{"sunion", 2, func(g *gen) Cmd {
		return Cmd{Args: append([]string{"SUNION"}, g.keys(1+g.r.IntN(3))...), Mode: Unordered}
	}},
	{"sunionstore", 2, func(g *gen) Cmd { return c(append([]string{"SUNIONSTORE"}, g.keys(2+g.r.IntN(2))...)...) }},
	{"sdiff", 2, func(g *gen) Cmd {
		return Cmd{Args: append([]string{"SDIFF"}, g.keys(1+g.r.IntN(3))...), Mode: Unordered}
	}},
	{"sdiffstore", 2, func(g *gen) Cmd { return c(append([]string{"SDIFFSTORE"}, g.keys(2+g.r.IntN(2))...)...) }},
}

// TestRandomGenCoversTypes checks that the random stream really reaches
// every list and set generator, so a command kevy drops from its table
// cannot silently leave the random run.
func TestRandomGenCoversTypes(t *testing.T) {
	g := newGen(1)
	seen := map[string]int{}
	for i := 0; i < 20000; i++ {
		seen[g.next().Name()]++
	}
	for _, f := range listSetGenerators {
		if command.Lookup([]byte(f.name)) == nil {
			t.Errorf("%s: not registered in kevy, so not generated", f.name)
			continue
		}
		if seen[f.name] == 0 {
			t.Errorf("%s: never generated in 20000 commands", f.name)
		}
	}
}
