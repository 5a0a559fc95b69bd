package command

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
)

func TestZAdd(t *testing.T) {
	runHZScript(t, 2, []hzStep{
		{"ZADD z 1 a 2 b 3 c", ":3", ""},
		{"ZADD z 1 a 5 b", ":0", ""},
		{"ZADD z CH 1 a 6 b 4 d", ":2", ""},
		{"ZADD z NX XX 1 a", "-ERR XX and NX options at the same time are not compatible", ""},
		{"ZADD z NX GT 1 a", "-ERR GT, LT, and/or NX options at the same time are not compatible", ""},
		{"ZADD z LT NX 1 a", "-ERR GT, LT, and/or NX options at the same time are not compatible", ""},
		{"ZADD z GT LT 1 a", "-ERR GT, LT, and/or NX options at the same time are not compatible", ""},
		{"ZADD z INCR 1 a 2 b", "-ERR INCR option supports a single increment-element pair", ""},
		{"ZADD z 1 a 2", "-ERR syntax error", ""},
		{"ZADD z NX CH", "-ERR syntax error", ""},
		{"ZADD z nan a", "-ERR value is not a valid float", ""},
		{"ZADD z abc a", "-ERR value is not a valid float", ""},
		{"ZADD z 1e400 a", "-ERR value is not a valid float", ""},
		{`ZADD z "\x201" a`, "-ERR value is not a valid float", ""},
		{"ZADD z 1 a x b", "-ERR value is not a valid float", ""}, // nothing is added
		{"ZSCORE z b", "$1 6", ",6"},
		{"ZADD z XX 9 a 9 nosuch", ":0", ""},
		{"ZSCORE z a", "$1 9", ",9"},
		{"ZSCORE z nosuch", "$-1", "_"},
		{"ZADD z XX GT CH 5 a 10 b", ":1", ""},
		{"ZRANGE z 0 -1 WITHSCORES", "*8 " + hzBulks("c", "3", "d", "4", "a", "9", "b", "10"),
			"*4 *2 $1 c ,3 *2 $1 d ,4 *2 $1 a ,9 *2 $1 b ,10"},
		{"ZADD z LT CH 5 a 10 b 1 new", ":2", ""},
		{"ZADD z GT 0 fresh", ":1", ""}, // GT/LT only restrict updates
		{"ZADD z INCR 2.5 a", "$3 7.5", ",7.5"},
		{"ZADD z INCR NX 5 a", "$-1", "_"},
		{"ZADD z INCR XX 5 nosuch", "$-1", "_"},
		{"ZADD z INCR GT -1 a", "$-1", "_"},
		{"ZADD z INCR LT -1 a", "$3 6.5", ",6.5"},
		{"ZADD z INCR 0 a", "$3 6.5", ",6.5"},
		{"ZADD nokey XX 1 a", ":0", ""},
		{"ZADD nokey XX INCR 1 a", "$-1", "_"},
		{"EXISTS nokey", ":0", ""},
		{"ZADD z inf x -inf y", ":2", ""},
		{"ZADD z INCR -inf x", "-ERR resulting score is not a number (NaN)", ""},
		{"ZADD z INCR +inf x", "$3 inf", ",inf"},
		{"ZSCORE z y", "$4 -inf", ",-inf"},
		{"ZADD z 0x10 hex 1.1 f -0 nz 1e20 e", ":4", ""},
		{"ZMSCORE z hex f nz e nosuch", "*5 $2 16 $18 1.1000000000000001 $1 0 $5 1e+20 $-1",
			"*5 ,16 ,1.1000000000000001 ,0 ,1e+20 _"},
		{"ZMSCORE nokey a b", "*2 $-1 $-1", "*2 _ _"},
		{"ZINCRBY z 1.5 m", "$3 1.5", ",1.5"},
		{"ZINCRBY z -0.5 m", "$1 1", ",1"},
		{"ZINCRBY z abc m", "-ERR value is not a valid float", ""},
		{"ZINCRBY z nx m", "-ERR syntax error", ""}, // ZADD's option parser sees "nx"
		{"ZINCRBY newz 2 m", "$1 2", ",2"},
		{"ZCARD z", ":13", ""},
		{"ZCARD nokey", ":0", ""},
		{"SET s v", "+OK", ""},
		{"ZADD s 1 a", hzWrong, ""},
		{"ZADD s x a", "-ERR value is not a valid float", ""}, // scores are parsed first
		{"ZINCRBY s 1 a", hzWrong, ""},
		{"ZCARD s", hzWrong, ""},
		{"ZSCORE s a", hzWrong, ""},
		{"ZMSCORE s a", hzWrong, ""},
		{"ZREM s a", hzWrong, ""},
		{"ZRANK s a", hzWrong, ""},
		{"ZADD z", "-ERR wrong number of arguments for 'zadd' command", ""},
	})
}

func TestZRemRankCount(t *testing.T) {
	runHZScript(t, 2, []hzStep{
		{"ZADD z 1 a 2 b 3 c 4 d 4 e", ":5", ""},
		{"ZRANK z a", ":0", ""},
		{"ZRANK z e", ":4", ""},
		{"ZREVRANK z a", ":4", ""},
		{"ZREVRANK z e", ":0", ""},
		{"ZRANK z nosuch", "$-1", "_"},
		{"ZRANK nokey a", "$-1", "_"},
		{"ZCOUNT z -inf +inf", ":5", ""},
		{"ZCOUNT z (1 4", ":4", ""},
		{"ZCOUNT z (1 (4", ":2", ""},
		{"ZCOUNT z 4 1", ":0", ""},
		{"ZCOUNT z (4 4", ":0", ""},
		{"ZCOUNT z abc 1", "-ERR min or max is not a float", ""},
		{"ZCOUNT z 1 nan", "-ERR min or max is not a float", ""},
		{"ZCOUNT nokey abc 1", "-ERR min or max is not a float", ""},
		{"ZCOUNT nokey 1 2", ":0", ""},
		{`ZCOUNT z "" 2`, ":2", ""}, // strtod reads "" as 0
		{"ZREM z a nosuch b", ":2", ""},
		{"ZREM nokey a", ":0", ""},
		{"ZREM z c d e", ":3", ""},
		{"EXISTS z", ":0", ""},
		{"ZADD l 0 a 0 b 0 c 0 d", ":4", ""},
		{"ZLEXCOUNT l - +", ":4", ""},
		{"ZLEXCOUNT l [b (d", ":2", ""},
		{"ZLEXCOUNT l (a [c", ":2", ""},
		{"ZLEXCOUNT l + -", ":0", ""},
		{"ZLEXCOUNT l a c", "-ERR min or max not valid string range item", ""},
		{"ZLEXCOUNT l [a +x", "-ERR min or max not valid string range item", ""},
		{"ZLEXCOUNT nokey a b", "-ERR min or max not valid string range item", ""},
		{"ZLEXCOUNT nokey - +", ":0", ""},
	})
}

func TestZRangeFamily(t *testing.T) {
	wsc := func(pairs ...string) (string, string) {
		r2 := fmt.Sprintf("*%d", len(pairs))
		r3 := fmt.Sprintf("*%d", len(pairs)/2)
		for i := 0; i < len(pairs); i += 2 {
			r2 += " " + hzBulks(pairs[i], pairs[i+1])
			r3 += " *2 " + hzBulks(pairs[i]) + " ," + pairs[i+1]
		}
		return r2, r3
	}
	all2, all3 := wsc("y", "-inf", "a", "1", "b", "2", "c", "3", "d", "4.5", "x", "inf")
	rev2, rev3 := wsc("x", "inf", "d", "4.5", "c", "3")
	runHZScript(t, 2, []hzStep{
		{"ZADD z 1 a 2 b 3 c 4.5 d inf x -inf y", ":6", ""},
		{"ZRANGE z 0 -1", "*6 " + hzBulks("y", "a", "b", "c", "d", "x"), ""},
		{"ZRANGE z 0 -1 WITHSCORES", all2, all3},
		{"ZRANGE z -3 -1 REV WITHSCORES", "*6 " + hzBulks("b", "2", "a", "1", "y", "-inf"),
			"*3 *2 $1 b ,2 *2 $1 a ,1 *2 $1 y ,-inf"},
		{"ZRANGE z 0 2 REV withscores", rev2, rev3},
		{"ZRANGE z 2 1", "*0", ""},
		{"ZRANGE z -100 0", "*1 $1 y", ""},
		{"ZRANGE z 5 100", "*1 $1 x", ""},
		{"ZRANGE z 6 100", "*0", ""},
		{"ZRANGE z -1 -2", "*0", ""},
		{"ZRANGE z -9223372036854775808 9223372036854775807", "*6 " + hzBulks("y", "a", "b", "c", "d", "x"), ""},
		{"ZRANGE z a b", "-ERR value is not an integer or out of range", ""},
		{"ZRANGE z 0 -1 LIMIT 0 1", "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX", ""},
		{"ZRANGE z 0 -1 LIMIT 0 -1", "*6 " + hzBulks("y", "a", "b", "c", "d", "x"), ""}, // -1 means no LIMIT
		{"ZRANGE z 0 -1 WITHSCORES LIMIT 0 1", "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX", ""},
		{"ZRANGE z 0 -1 LIMIT 0", "-ERR syntax error", ""},
		{"ZRANGE z 0 -1 LIMIT x 1", "-ERR value is not an integer or out of range", ""},
		{"ZRANGE z 0 -1 REV REV", "-ERR syntax error", ""},
		{"ZRANGE z 0 -1 BYSCORE BYLEX", "-ERR syntax error", ""},
		{"ZRANGE z 0 -1 BYSCORE BYSCORE", "-ERR syntax error", ""},
		{"ZRANGE z 0 -1 BYLEX WITHSCORES", "-ERR syntax error, WITHSCORES not supported in combination with BYLEX", ""},
		{"ZRANGE z 0 -1 FOO", "-ERR syntax error", ""},
		{"ZRANGE z (1 4.5 BYSCORE", "*3 " + hzBulks("b", "c", "d"), ""},
		{"ZRANGE z (1 (4.5 BYSCORE", "*2 " + hzBulks("b", "c"), ""},
		{"ZRANGE z -inf +inf BYSCORE LIMIT 1 2 WITHSCORES", "*4 " + hzBulks("a", "1", "b", "2"),
			"*2 *2 $1 a ,1 *2 $1 b ,2"},
		{"ZRANGE z +inf -inf BYSCORE REV LIMIT 0 3 WITHSCORES", rev2, rev3},
		{"ZRANGE z 5 (1 BYSCORE REV LIMIT 1 -1 WITHSCORES", "*4 " + hzBulks("c", "3", "b", "2"),
			"*2 *2 $1 c ,3 *2 $1 b ,2"},
		{"ZRANGE z -inf +inf BYSCORE LIMIT -1 5", "*0", ""},
		{"ZRANGE z -inf +inf BYSCORE LIMIT 0 0", "*0", ""},
		{"ZRANGE z -inf +inf BYSCORE LIMIT 6 1", "*0", ""},
		{"ZRANGE z -inf +inf BYSCORE LIMIT 5 -5", "*1 $1 x", ""},
		{"ZRANGE z 1 inf BYSCORE LIMIT 0 2 LIMIT 1 2", "*2 " + hzBulks("b", "c"), ""}, // last LIMIT wins
		{"ZRANGE z nan 1 BYSCORE", "-ERR min or max is not a float", ""},
		{"ZRANGE z ( 1 BYSCORE", "*1 $1 a", ""}, // "(" is "(0"
		{"ZRANGE z 3 1 BYSCORE", "*0", ""},
		{"ZRANGE z 3 3 BYSCORE", "*1 $1 c", ""},
		{"ZRANGE z (3 3 BYSCORE", "*0", ""},
		{"ZRANGEBYSCORE z (1 4.5", "*3 " + hzBulks("b", "c", "d"), ""},
		{"ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 1 2", "*4 " + hzBulks("a", "1", "b", "2"),
			"*2 *2 $1 a ,1 *2 $1 b ,2"},
		{"ZRANGEBYSCORE z -inf +inf BYSCORE", "-ERR syntax error", ""},
		{"ZRANGEBYSCORE z -inf +inf REV", "-ERR syntax error", ""},
		{"ZREVRANGEBYSCORE z 4.5 (1", "*3 " + hzBulks("d", "c", "b"), ""},
		{"ZREVRANGEBYSCORE z +inf -inf LIMIT 2 2 WITHSCORES", "*4 " + hzBulks("c", "3", "b", "2"),
			"*2 *2 $1 c ,3 *2 $1 b ,2"},
		{"ZREVRANGEBYSCORE z (1 4.5", "*0", ""},
		{"ZREVRANGE z 0 1 WITHSCORES", "*4 $1 x $3 inf $1 d $3 4.5", "*2 *2 $1 x ,inf *2 $1 d ,4.5"},
		{"ZREVRANGE z 0 1 REV", "-ERR syntax error", ""},
		{"ZREVRANGE z 0 1 BYSCORE", "-ERR syntax error", ""},
		{"ZREVRANGE z 0 1 LIMIT 0 1", "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX", ""},
		{"ZRANGE nokey 0 -1", "*0", ""},
		{"ZRANGE nokey (1 x BYSCORE", "-ERR min or max is not a float", ""},
		{"SET s v", "+OK", ""},
		{"ZRANGE s 0 1", hzWrong, ""},
		{"ZRANGE s a b", "-ERR value is not an integer or out of range", ""}, // arguments are checked first
		{"ZRANGEBYLEX s a b", "-ERR min or max not valid string range item", ""},
		// Lexicographical ranges.
		{"ZADD l 0 a 0 b 0 c 0 d 0 e", ":5", ""},
		{"ZRANGE l [b (d BYLEX", "*2 " + hzBulks("b", "c"), ""},
		{"ZRANGE l - + BYLEX LIMIT 1 2", "*2 " + hzBulks("b", "c"), ""},
		{"ZRANGE l + - BYLEX REV LIMIT 0 2", "*2 " + hzBulks("e", "d"), ""},
		{"ZRANGE l (d [b BYLEX REV", "*2 " + hzBulks("c", "b"), ""},
		{"ZRANGE l - + BYLEX LIMIT -1 2", "*0", ""},
		{"ZRANGEBYLEX l - (c", "*2 " + hzBulks("a", "b"), ""},
		{"ZRANGEBYLEX l [c +", "*3 " + hzBulks("c", "d", "e"), ""},
		{"ZRANGEBYLEX l - + WITHSCORES", "-ERR syntax error, WITHSCORES not supported in combination with BYLEX", ""},
		{"ZRANGEBYLEX l - + LIMIT 0 2", "*2 " + hzBulks("a", "b"), ""},
		{"ZRANGEBYLEX l a +", "-ERR min or max not valid string range item", ""},
		{"ZRANGEBYLEX l [e [a", "*0", ""},
		{"ZREVRANGEBYLEX l + - LIMIT 1 1", "*1 $1 d", ""},
		{"ZREVRANGEBYLEX l [c -", "*3 " + hzBulks("c", "b", "a"), ""},
		{`ZRANGEBYLEX l "[" +`, "*5 " + hzBulks("a", "b", "c", "d", "e"), ""},
	})
}

func TestZRangeStore(t *testing.T) {
	runHZScript(t, 1, []hzStep{
		{"ZADD z 1 a 2 b 3 c 4 d", ":4", ""},
		{"ZRANGESTORE dst z 0 1", ":2", ""},
		{"ZRANGE dst 0 -1 WITHSCORES", "*4 " + hzBulks("a", "1", "b", "2"), "*2 *2 $1 a ,1 *2 $1 b ,2"},
		{"ZRANGESTORE dst z (1 +inf BYSCORE REV LIMIT 0 2", ":0", ""}, // REV takes max first
		{"EXISTS dst", ":0", ""},
		{"ZRANGESTORE dst z +inf (1 BYSCORE REV LIMIT 0 2", ":2", ""},
		{"ZRANGE dst 0 -1", "*2 " + hzBulks("c", "d"), ""},
		{"ZRANGESTORE dst z [b + BYLEX", ":3", ""},
		{"ZRANGESTORE dst z 0 -1 WITHSCORES", "-ERR syntax error", ""},
		{"SET str v", "+OK", ""},
		{"PEXPIRE str 100000", ":1", ""},
		{"ZRANGESTORE str z 0 0", ":1", ""}, // any type is overwritten
		{"TYPE str", "+zset", ""},
		{"PTTL str", ":-1", ""}, // and the TTL dropped
		{"ZRANGESTORE dst z 5 10", ":0", ""},
		{"EXISTS dst", ":0", ""},
		{"ZRANGESTORE str nokey 0 -1", ":0", ""},
		{"EXISTS str", ":0", ""},
		{"SET str v", "+OK", ""},
		{"ZRANGESTORE dst str 0 -1", hzWrong, ""},
		{"ZRANGESTORE z z 1 2", ":2", ""}, // source and destination may be the same
		{"ZRANGE z 0 -1", "*2 " + hzBulks("b", "c"), ""},
	})
}

func TestZRemRange(t *testing.T) {
	runHZScript(t, 1, []hzStep{
		{"ZADD z 1 a 2 b 3 c 4 d 5 e", ":5", ""},
		{"ZREMRANGEBYRANK z 1 -2", ":3", ""},
		{"ZRANGE z 0 -1", "*2 " + hzBulks("a", "e"), ""},
		{"ZREMRANGEBYRANK z 5 10", ":0", ""},
		{"ZREMRANGEBYRANK z x 1", "-ERR value is not an integer or out of range", ""},
		{"ZREMRANGEBYRANK nokey 0 -1", ":0", ""},
		{"ZREMRANGEBYSCORE z (1 +inf", ":1", ""},
		{"ZREMRANGEBYSCORE z x 1", "-ERR min or max is not a float", ""},
		{"ZREMRANGEBYSCORE z -inf (1", ":0", ""},
		{"ZREMRANGEBYLEX z - +", ":1", ""},
		{"EXISTS z", ":0", ""},
		{"ZREMRANGEBYLEX z a b", "-ERR min or max not valid string range item", ""},
		{"ZADD l 0 a 0 b 0 c", ":3", ""},
		{"ZREMRANGEBYLEX l (a [b", ":1", ""},
		{"ZREMRANGEBYRANK l -1 -1", ":1", ""},
		{"ZRANGE l 0 -1", "*1 $1 a", ""},
		{"SET s v", "+OK", ""},
		{"ZREMRANGEBYRANK s 0 1", hzWrong, ""},
		{"ZREMRANGEBYSCORE s 0 1", hzWrong, ""},
		{"ZREMRANGEBYLEX s - +", hzWrong, ""},
	})
}

func TestZPop(t *testing.T) {
	runHZScript(t, 4, []hzStep{
		{"ZADD z 1 a 2 b 3 c 4 d", ":4", ""},
		{"ZPOPMIN z", "*2 $1 a $1 1", "*2 $1 a ,1"},
		{"ZPOPMIN z 2", "*4 " + hzBulks("b", "2", "c", "3"), "*2 *2 $1 b ,2 *2 $1 c ,3"},
		{"ZPOPMIN z 0", "*0", ""},
		{"ZPOPMIN z -1", "-ERR value is out of range, must be positive", ""},
		{"ZPOPMIN z x", "-ERR value is out of range, must be positive", ""},
		{"ZPOPMIN z 1 2", "-ERR syntax error", ""},
		{"ZPOPMAX z 10", "*2 $1 d $1 4", "*1 *2 $1 d ,4"},
		{"EXISTS z", ":0", ""},
		{"ZPOPMIN z", "*0", ""},
		{"ZPOPMAX nokey 0", "*0", ""},
		{"ZADD z 1 a 2 b 3 c 4 d", ":4", ""},
		{"ZPOPMAX z", "*2 $1 d $1 4", "*2 $1 d ,4"},
		{"ZMPOP 1 z MIN", "*2 $1 z *1 *2 $1 a $1 1", "*2 $1 z *1 *2 $1 a ,1"},
		{"ZMPOP 1 z max COUNT 5", "*2 $1 z *2 *2 $1 c $1 3 *2 $1 b $1 2", "*2 $1 z *2 *2 $1 c ,3 *2 $1 b ,2"},
		{"ZMPOP 1 z MIN", "*-1", "_"},
		{"ZADD z2 7 q", ":1", ""},
		{"ZMPOP 3 nokey z z2 MIN COUNT 10", "*2 $2 z2 *1 *2 $1 q $1 7", "*2 $2 z2 *1 *2 $1 q ,7"},
		{"ZMPOP 0 z MIN", "-ERR numkeys should be greater than 0", ""},
		{"ZMPOP -1 z MIN", "-ERR numkeys should be greater than 0", ""},
		{"ZMPOP x z MIN", "-ERR numkeys should be greater than 0", ""},
		{"ZMPOP 2 z MIN", "-ERR syntax error", ""},
		{"ZMPOP 5 z MIN", "-ERR syntax error", ""},
		{"ZMPOP 1 z MIDDLE", "-ERR syntax error", ""},
		{"ZMPOP 1 z MIN COUNT 0", "-ERR count should be greater than 0", ""},
		{"ZMPOP 1 z MIN COUNT x", "-ERR count should be greater than 0", ""},
		{"ZMPOP 1 z MIN COUNT 1 COUNT 1", "-ERR syntax error", ""},
		{"ZMPOP 1 z MIN COUNT", "-ERR syntax error", ""},
		{"ZMPOP 1 z MIN FOO", "-ERR syntax error", ""},
		{"SET s v", "+OK", ""},
		{"ZADD z 1 a", ":1", ""},
		{"ZMPOP 2 nokey s MIN", hzWrong, ""},
		{"ZMPOP 2 s z MIN", hzWrong, ""},
		{"ZMPOP 2 z s MIN", "*2 $1 z *1 *2 $1 a $1 1", "*2 $1 z *1 *2 $1 a ,1"}, // stops at the first set
		{"ZPOPMIN s", hzWrong, ""},
		{"ZPOPMAX s 0", hzWrong, ""},
	})
}

func TestZRandMember(t *testing.T) {
	runHZScript(t, 1, []hzStep{
		{"ZRANDMEMBER nokey", "$-1", "_"},
		{"ZRANDMEMBER nokey 5", "*0", ""},
		{"ZADD z 1.5 a", ":1", ""},
		{"ZRANDMEMBER z", "$1 a", ""},
		{"ZRANDMEMBER z 0", "*0", ""},
		{"ZRANDMEMBER z 3", "*1 $1 a", ""},
		{"ZRANDMEMBER z -2", "*2 $1 a $1 a", ""},
		{"ZRANDMEMBER z -2 WITHSCORES", "*4 $1 a $3 1.5 $1 a $3 1.5", "*2 *2 $1 a ,1.5 *2 $1 a ,1.5"},
		{"ZRANDMEMBER z 1 WITHSCORE", "-ERR syntax error", ""},
		{"ZRANDMEMBER z x", "-ERR value is not an integer or out of range", ""},
		{"ZRANDMEMBER z 4611686018427387904 withscores", "-ERR value is out of range", ""},
		{"ZADD z 2 b 3 c 4 d", ":3", ""},
		// A count of at least the size returns the whole set, highest
		// score first (Redis 7.0 walks it from the tail).
		{"ZRANDMEMBER z 10 WITHSCORES", "*8 " + hzBulks("d", "4", "c", "3", "b", "2", "a", "1.5"),
			"*4 *2 $1 d ,4 *2 $1 c ,3 *2 $1 b ,2 *2 $1 a ,1.5"},
		{"!ZRANDMEMBER z -16777217", "-ERR value is out of range", ""},
		{"SET s v", "+OK", ""},
		{"ZRANDMEMBER s", hzWrong, ""},
		{"ZRANDMEMBER s 2", hzWrong, ""},
	})
	// Sampling without repetition, over both encodings.
	for _, n := range []int{10, 500} {
		e := newHZEnv(t, 1)
		args := []string{"ZADD", "z"}
		for i := 0; i < n; i++ {
			args = append(args, strconv.Itoa(i), "m"+strconv.Itoa(i))
		}
		e.execArgs(2, hzBytesArgs(args))
		for _, count := range []int{1, 2, n / 3, n/3 + 1, n - 1} {
			got := hzParseArray(t, e.exec(2, fmt.Sprintf("ZRANDMEMBER z %d WITHSCORES", count)))
			seen := map[string]bool{}
			for i := 0; i < len(got); i += 2 {
				if seen[got[i]] || "m"+got[i+1] != got[i] {
					t.Fatalf("n=%d count=%d: bad or repeated %s %s", n, count, got[i], got[i+1])
				}
				seen[got[i]] = true
			}
			if len(seen) != count {
				t.Fatalf("n=%d count=%d: %d members", n, count, len(seen))
			}
		}
	}
}

func TestZSetOperations(t *testing.T) {
	runHZScript(t, 4, []hzStep{
		{"ZADD z1 1 a 2 b 3 c", ":3", ""},
		{"ZADD z2 10 b 20 c 30 d", ":3", ""},
		{"SADD s1 a d e", ":3", ""},
		{"SET str v", "+OK", ""},
		{"ZUNION 2 z1 z2 WITHSCORES", "*8 " + hzBulks("a", "1", "b", "12", "c", "23", "d", "30"),
			"*4 *2 $1 a ,1 *2 $1 b ,12 *2 $1 c ,23 *2 $1 d ,30"},
		{"ZUNION 2 z1 z2", "*4 " + hzBulks("a", "b", "c", "d"), ""},
		{"ZUNION 3 z1 z2 s1 WITHSCORES", "*10 " + hzBulks("e", "1", "a", "2", "b", "12", "c", "23", "d", "31"),
			"*5 *2 $1 e ,1 *2 $1 a ,2 *2 $1 b ,12 *2 $1 c ,23 *2 $1 d ,31"},
		{"ZUNION 3 z1 z2 s1 WEIGHTS 1 2 3 AGGREGATE MAX WITHSCORES",
			"*10 " + hzBulks("a", "3", "e", "3", "b", "20", "c", "40", "d", "60"),
			"*5 *2 $1 a ,3 *2 $1 e ,3 *2 $1 b ,20 *2 $1 c ,40 *2 $1 d ,60"},
		{"ZUNION 2 z1 z2 aggregate min withscores", "*8 " + hzBulks("a", "1", "b", "2", "c", "3", "d", "30"),
			"*4 *2 $1 a ,1 *2 $1 b ,2 *2 $1 c ,3 *2 $1 d ,30"},
		{"ZUNION 1 z1 WITHSCORES WEIGHTS 2 WITHSCORES", "*6 " + hzBulks("a", "2", "b", "4", "c", "6"),
			"*3 *2 $1 a ,2 *2 $1 b ,4 *2 $1 c ,6"},
		{"ZUNION 2 z1 z2 WEIGHTS 1 WITHSCORES", "-ERR weight value is not a float", ""},
		{"ZUNION 2 z1 z2 WEIGHTS 1 x", "-ERR weight value is not a float", ""},
		{"ZUNION 2 z1 z2 WEIGHTS 1 nan", "-ERR weight value is not a float", ""},
		{"ZUNION 2 z1 z2 WEIGHTS 1", "-ERR syntax error", ""},
		{"ZUNION 2 z1 z2 AGGREGATE avg", "-ERR syntax error", ""},
		{"ZUNION 2 z1 z2 AGGREGATE", "-ERR syntax error", ""},
		{"ZUNION 2 z1 z2 LIMIT 1", "-ERR syntax error", ""},
		{"ZUNION 0 z1", "-ERR at least 1 input key is needed for 'zunion' command", ""},
		{"ZUNION -1 z1", "-ERR at least 1 input key is needed for 'zunion' command", ""},
		{"ZUNION x z1", "-ERR value is not an integer or out of range", ""},
		{"ZUNION 3 z1 z2", "-ERR syntax error", ""},
		{"ZUNION 2 z1 str", hzWrong, ""},
		{"ZUNION 2 z1 str BADOPT", hzWrong, ""}, // types are checked before options
		{"ZINTER 2 z1 z2 WITHSCORES", "*4 " + hzBulks("b", "12", "c", "23"), "*2 *2 $1 b ,12 *2 $1 c ,23"},
		{"ZINTER 2 z1 s1 WEIGHTS 2 3 WITHSCORES", "*2 $1 a $1 5", "*1 *2 $1 a ,5"},
		{"ZINTER 2 z1 z2 AGGREGATE MAX", "*2 " + hzBulks("b", "c"), ""},
		{"ZINTER 3 z1 z2 s1", "*0", ""},
		{"ZINTER 2 z1 nokey", "*0", ""},
		{"ZINTER 2 z1 z1 WITHSCORES", "*6 " + hzBulks("a", "2", "b", "4", "c", "6"),
			"*3 *2 $1 a ,2 *2 $1 b ,4 *2 $1 c ,6"},
		{"ZINTER 0 z1", "-ERR at least 1 input key is needed for 'zinter' command", ""},
		{"ZDIFF 2 z1 z2 WITHSCORES", "*2 $1 a $1 1", "*1 *2 $1 a ,1"},
		{"ZDIFF 2 s1 z1 WITHSCORES", "*4 " + hzBulks("d", "1", "e", "1"), "*2 *2 $1 d ,1 *2 $1 e ,1"},
		{"ZDIFF 1 z1", "*3 " + hzBulks("a", "b", "c"), ""},
		{"ZDIFF 2 nokey z1", "*0", ""},
		{"ZDIFF 2 z1 z2 WEIGHTS 1 1", "-ERR syntax error", ""},
		{"ZDIFF 2 z1 z2 AGGREGATE SUM", "-ERR syntax error", ""},
		{"ZDIFF 0 z1", "-ERR at least 1 input key is needed for 'zdiff' command", ""},
		{"ZINTERCARD 2 z1 z2", ":2", ""},
		{"ZINTERCARD 2 z1 z2 LIMIT 1", ":1", ""},
		{"ZINTERCARD 2 z1 z2 LIMIT 0", ":2", ""},
		{"ZINTERCARD 2 z1 z2 LIMIT -1", "-ERR LIMIT can't be negative", ""},
		{"ZINTERCARD 2 z1 z2 LIMIT x", "-ERR LIMIT can't be negative", ""},
		{"ZINTERCARD 2 z1 z2 WITHSCORES", "-ERR syntax error", ""},
		{"ZINTERCARD 2 z1 z2 WEIGHTS 1 2", "-ERR syntax error", ""},
		{"ZINTERCARD 3 z1 s1 nokey", ":0", ""},
		{"ZINTERCARD 0 z1", "-ERR at least 1 input key is needed for 'zintercard' command", ""},
		{"ZINTERCARD 1 str", hzWrong, ""},
		// Infinities: inf + -inf sums to 0, 0 * inf weighs 0.
		{"ZADD inf 1 a", ":1", ""},
		{"ZADD ninf 1 a", ":1", ""},
		{"ZUNION 2 inf ninf WEIGHTS inf -inf WITHSCORES", "*2 $1 a $1 0", "*1 *2 $1 a ,0"},
		{"ZUNION 2 inf ninf WEIGHTS inf 0 WITHSCORES", "*2 $1 a $3 inf", "*1 *2 $1 a ,inf"},
		{"ZINTER 2 inf ninf WEIGHTS inf -inf AGGREGATE MAX WITHSCORES", "*2 $1 a $3 inf", "*1 *2 $1 a ,inf"},
		{"ZINTER 2 inf ninf WEIGHTS inf -inf AGGREGATE MIN WITHSCORES", "*2 $1 a $4 -inf", "*1 *2 $1 a ,-inf"},
		{"ZADD zinf inf a", ":1", ""},
		{"ZUNION 1 zinf WEIGHTS 0 WITHSCORES", "*2 $1 a $1 0", "*1 *2 $1 a ,0"},
		{"ZUNION 2 z1 z2 WEIGHTS -1 0 WITHSCORES", "*8 " + hzBulks("c", "-3", "b", "-2", "a", "-1", "d", "0"),
			"*4 *2 $1 c ,-3 *2 $1 b ,-2 *2 $1 a ,-1 *2 $1 d ,0"},
		// STORE variants.
		{"ZUNIONSTORE d 2 z1 z2 WEIGHTS 1 2", ":4", ""},
		{"ZRANGE d 0 -1 WITHSCORES", "*8 " + hzBulks("a", "1", "b", "22", "c", "43", "d", "60"),
			"*4 *2 $1 a ,1 *2 $1 b ,22 *2 $1 c ,43 *2 $1 d ,60"},
		{"ZUNIONSTORE d 2 z1 z2 WITHSCORES", "-ERR syntax error", ""},
		{"ZUNIONSTORE d 0 z1", "-ERR at least 1 input key is needed for 'zunionstore' command", ""},
		{"ZUNIONSTORE d 3 z1 z2", "-ERR syntax error", ""},
		{"ZINTERSTORE d 0 z1", "-ERR at least 1 input key is needed for 'zinterstore' command", ""},
		{"ZDIFFSTORE d 0 z1", "-ERR at least 1 input key is needed for 'zdiffstore' command", ""},
		{"ZDIFFSTORE d 2 z1 z2 WITHSCORES", "-ERR syntax error", ""},
		{"SET d x", "+OK", ""},
		{"EXPIRE d 100", ":1", ""},
		{"ZINTERSTORE d 2 z1 z2 AGGREGATE MAX", ":2", ""},
		{"TTL d", ":-1", ""},
		{"TYPE d", "+zset", ""},
		{"ZRANGE d 0 -1 WITHSCORES", "*4 " + hzBulks("b", "10", "c", "20"), "*2 *2 $1 b ,10 *2 $1 c ,20"},
		{"ZINTERSTORE d 2 z1 nokey", ":0", ""},
		{"EXISTS d", ":0", ""},
		{"ZDIFFSTORE d 2 z1 z2", ":1", ""},
		{"ZRANGE d 0 -1 WITHSCORES", "*2 $1 a $1 1", "*1 *2 $1 a ,1"},
		{"ZUNIONSTORE d 2 d s1", ":3", ""}, // the destination may be an input
		{"ZRANGE d 0 -1 WITHSCORES", "*6 " + hzBulks("d", "1", "e", "1", "a", "2"),
			"*3 *2 $1 d ,1 *2 $1 e ,1 *2 $1 a ,2"},
		{"ZUNIONSTORE d 1 str", hzWrong, ""},
		{"TYPE d", "+zset", ""}, // untouched by the failed command
		{"ZUNIONSTORE z1 2 z1 z1", ":3", ""},
		{"ZRANGE z1 0 -1 WITHSCORES", "*6 " + hzBulks("a", "2", "b", "4", "c", "6"),
			"*3 *2 $1 a ,2 *2 $1 b ,4 *2 $1 c ,6"},
		{"ZUNIONSTORE s1 2 s1 z1", ":5", ""}, // a set input replaced by its union
		{"TYPE s1", "+zset", ""},
		{"ZRANGE s1 0 -1 WITHSCORES", "*10 " + hzBulks("d", "1", "e", "1", "a", "3", "b", "4", "c", "6"),
			"*5 *2 $1 d ,1 *2 $1 e ,1 *2 $1 a ,3 *2 $1 b ,4 *2 $1 c ,6"},
		{"ZRANGESTORE r z2 0 1 REV", ":2", ""},
		{"ZRANGE r 0 -1", "*2 " + hzBulks("c", "d"), ""},
	})
}

func TestZScan(t *testing.T) {
	runHZScript(t, 1, []hzStep{
		{"ZSCAN nokey 0", "*2 $1 0 *0", ""},
		{"ZSCAN nokey x", "-ERR invalid cursor", ""},
		{`ZADD z 1 a 2.5 b -inf c 1e20 d 1 ""`, ":5", ""},
		// Scores are strings in both protocols.
		{"ZSCAN z 0", "*2 $1 0 *10 " + hzBulks("c", "-inf", "", "1", "a", "1", "b", "2.5", "d", "1e+20"), ""},
		{"ZSCAN z 0 MATCH ? COUNT 1", "*2 $1 0 *8 " + hzBulks("c", "-inf", "a", "1", "b", "2.5", "d", "1e+20"), ""},
		{"ZSCAN z 0 MATCH *", "*2 $1 0 *10 " + hzBulks("c", "-inf", "", "1", "a", "1", "b", "2.5", "d", "1e+20"), ""},
		{"ZSCAN z 0 COUNT 0", "-ERR syntax error", ""},
		{"ZSCAN z 0 NOPE 1", "-ERR syntax error", ""},
		{"SET s v", "+OK", ""},
		{"ZSCAN s 0", hzWrong, ""},
	})
	// A skiplist set is walked to cursor 0 with every member seen.
	e := newHZEnv(t, 1)
	args := []string{"ZADD", "z"}
	const n = 1000
	for i := 0; i < n; i++ {
		args = append(args, strconv.Itoa(i)+".5", "m"+strconv.Itoa(i))
	}
	e.execArgs(2, hzBytesArgs(args))
	seen := map[string]bool{}
	for cursor := "0"; ; {
		toks := hzParseArray(t, e.exec(3, "ZSCAN z "+cursor+" COUNT 20"))
		cursor = toks[0]
		for i := 1; i < len(toks); i += 2 {
			if "m"+strings.TrimSuffix(toks[i+1], ".5") != toks[i] {
				t.Fatalf("bad pair %s %s", toks[i], toks[i+1])
			}
			seen[toks[i]] = true
		}
		if cursor == "0" {
			break
		}
	}
	if len(seen) != n {
		t.Fatalf("ZSCAN saw %d members, want %d", len(seen), n)
	}
}

func TestZSetEncodingConversion(t *testing.T) {
	e := newHZEnv(t, 1)
	e.eng.Limits.ZSetMaxListpackEntries = 4
	e.eng.Limits.ZSetMaxListpackValue = 5
	for i, st := range []hzStep{
		{"ZADD z 1 a 2 b 3 c 4 d", ":4", ""},
		{"OBJECT ENCODING z", "$8 listpack", ""},
		{"ZADD z 5 e", ":1", ""},
		{"OBJECT ENCODING z", "$8 skiplist", ""},
		{"ZREM z a b c d", ":4", ""},
		{"OBJECT ENCODING z", "$8 skiplist", ""}, // never converts back by itself
		// Like Redis 7.0, a new set's encoding depends on the first member
		// only: duplicates do not count.
		{"ZADD dup 1 a 1 a 1 a 1 a 1 a 1 a", ":1", ""},
		{"OBJECT ENCODING dup", "$8 listpack", ""},
		{"ZADD long 1 abcdef", ":1", ""},
		{"OBJECT ENCODING long", "$8 skiplist", ""},
		{"ZADD long2 1 a 2 abcdef", ":2", ""},
		{"OBJECT ENCODING long2", "$8 skiplist", ""},
		// Store results are listpack again when they fit.
		{"ZUNIONSTORE u 1 z", ":1", ""},
		{"OBJECT ENCODING u", "$8 listpack", ""},
		{"ZUNIONSTORE u 1 long", ":1", ""},
		{"OBJECT ENCODING u", "$8 skiplist", ""},
		{"ZADD big 1 a 2 b 3 c 4 d 5 e 6 f", ":6", ""},
		{"ZRANGESTORE r big 0 3", ":4", ""},
		{"OBJECT ENCODING r", "$8 listpack", ""},
		{"ZRANGESTORE r big 0 4", ":5", ""},
		{"OBJECT ENCODING r", "$8 skiplist", ""},
		{"ZRANGESTORE r big -inf +inf BYSCORE LIMIT 0 4", ":4", ""},
		{"OBJECT ENCODING r", "$8 listpack", ""},
		{"ZINTERSTORE r 2 big big", ":6", ""},
		{"OBJECT ENCODING r", "$8 skiplist", ""},
		{"ZDIFFSTORE r 2 big z", ":5", ""},
		{"OBJECT ENCODING r", "$8 skiplist", ""},
		{"ZDIFFSTORE r 2 z big", ":0", ""},
		{"EXISTS r", ":0", ""},
	} {
		if got := e.exec(2, st.cmd); got != st.want2 {
			t.Errorf("step %d %q: got %q, want %q", i, st.cmd, got, st.want2)
		}
	}
}

// TestZSetEncodingsAgree runs the same commands on a listpack and a
// skiplist set and requires identical replies.
func TestZSetEncodingsAgree(t *testing.T) {
	small, big := newHZEnv(t, 1), newHZEnv(t, 1)
	big.eng.Limits.ZSetMaxListpackEntries = 0
	setup := "ZADD z 1 a 1 b 2 c 2 d 3 e -inf f inf g 0 h 0 i 2.5 j"
	cmds := []string{
		"ZRANGE z 0 -1 WITHSCORES", "ZRANGE z 2 -3 REV WITHSCORES", "ZRANGE z (0 2 BYSCORE",
		"ZRANGE z 2 (0 BYSCORE REV LIMIT 1 2 WITHSCORES", "ZCOUNT z 1 2", "ZCOUNT z -inf (0", "ZRANK z e",
		"ZREVRANK z h", "ZMSCORE z a g f x", "ZRANDMEMBER z 100 WITHSCORES", "ZINTER 1 z WEIGHTS 2 WITHSCORES",
		"ZREMRANGEBYSCORE z (2 2.5", "ZREMRANGEBYRANK z 0 0", "ZPOPMAX z 2",
		"ZPOPMIN z", "ZRANGE z 0 -1 WITHSCORES", "ZMPOP 1 z MAX COUNT 100", "EXISTS z",
		// Lexicographical commands are defined for equal scores only.
		"ZADD l 0 a 0 b 0 c 0 d 0 e", "ZRANGE l - + BYLEX", "ZRANGE l [b (e BYLEX LIMIT 1 -1",
		"ZRANGE l + [b BYLEX REV", "ZLEXCOUNT l [b [e", "ZREMRANGEBYLEX l [b (d", "ZRANGE l 0 -1",
		"ZREMRANGEBYLEX l - +", "EXISTS l",
	}
	for _, proto := range []int{2, 3} {
		small.exec(proto, "FLUSHALL")
		big.exec(proto, "FLUSHALL")
		small.exec(proto, setup)
		big.exec(proto, setup)
		if got := small.exec(2, "OBJECT ENCODING z"); got != "$8 listpack" {
			t.Fatalf("encoding %s", got)
		}
		if got := big.exec(2, "OBJECT ENCODING z"); got != "$8 skiplist" {
			t.Fatalf("encoding %s", got)
		}
		for _, c := range cmds {
			a, b := small.exec(proto, c), big.exec(proto, c)
			if a != b {
				t.Errorf("RESP%d %q: listpack %q, skiplist %q", proto, c, a, b)
			}
		}
	}
}

func TestNumKeysIndexes(t *testing.T) {
	for _, tc := range []struct {
		line string
		idx  int
		want []int
		ok   bool
	}{
		{"ZUNION 2 a b", 1, []int{2, 3}, true},
		{"ZUNION 2 a b WEIGHTS 1 2", 1, []int{2, 3}, true},
		{"ZUNION 3 a b", 1, nil, false},
		{"ZUNION 0 a", 1, nil, false},
		{"ZUNION x a", 1, nil, false},
		{"ZUNION -1 a", 1, nil, false},
		{"BZMPOP 0 2 a b MIN", 2, []int{3, 4}, true},
		{"ZUNION", 1, nil, false},
	} {
		got, ok := NumKeysIndexes(hzArgs(t, tc.line), tc.idx)
		if ok != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("%q: %v %v, want %v %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
	args := []string{"ZUNION", "300"}
	for i := 0; i < 300; i++ {
		args = append(args, "k"+strconv.Itoa(i))
	}
	got, ok := NumKeysIndexes(hzBytesArgs(args), 1)
	if !ok || len(got) != 300 || got[0] != 2 || got[299] != 301 {
		t.Fatalf("300 keys: %v %v", len(got), ok)
	}
	idx, ok := zstoreKeys(hzArgs(t, "ZUNIONSTORE d 2 a b AGGREGATE MIN"))
	if !ok || !slices.Equal(idx, []int{1, 3, 4}) {
		t.Fatalf("zstoreKeys: %v %v", idx, ok)
	}
	if _, ok := zstoreKeys(hzArgs(t, "ZUNIONSTORE d 3 a b")); ok {
		t.Fatal("zstoreKeys accepted a short key list")
	}
}

// TestZSetMultiShardAtomic runs ZUNIONSTORE, ZINTERSTORE and ZMPOP over
// keys of different shards while other goroutines write them; the race
// detector checks that the engine locks every shard the keys live in.
func TestZSetMultiShardAtomic(t *testing.T) {
	e := newHZEnv(t, 16)
	keys := []string{"a", "b", "c", "d", "e", "f"}
	shards := map[int]bool{}
	for _, k := range keys {
		shards[e.ks.ShardIndex(k)] = true
	}
	if len(shards) < 3 {
		t.Fatalf("keys share too few shards: %v", shards)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			s := NewSession(0)
			rec := &hzCount{}
			for i := 0; i < 300; i++ {
				k := keys[(i+g)%len(keys)]
				e.eng.Exec(s, hzArgs(t, fmt.Sprintf("ZADD %s %d m%d", k, i, i%7)), rec)
				e.eng.Exec(s, hzArgs(t, "ZUNIONSTORE "+keys[(i+g+1)%len(keys)]+" 3 a c e WEIGHTS 1 2 3"), rec)
				e.eng.Exec(s, hzArgs(t, "ZINTERSTORE f 2 b d"), rec)
				e.eng.Exec(s, hzArgs(t, "ZMPOP 3 a b c MIN COUNT 2"), rec)
				e.eng.Exec(s, hzArgs(t, "ZINTERCARD 3 a b c"), rec)
				e.eng.Exec(s, hzArgs(t, "ZRANGESTORE d e 0 -1"), rec)
			}
			if rec.errors != 0 {
				t.Errorf("goroutine %d: %d error replies (%s)", g, rec.errors, rec.last)
			}
		}(g)
	}
	wg.Wait()
}

// hzCount is a Reply that only counts errors.
type hzCount struct {
	errors int
	last   string
}

func (r *hzCount) SimpleString(string)     {}
func (r *hzCount) Error(msg string)        { r.errors++; r.last = msg }
func (r *hzCount) Int(int64)               {}
func (r *hzCount) Bulk([]byte)             {}
func (r *hzCount) BulkString(string)       {}
func (r *hzCount) Null()                   {}
func (r *hzCount) NullArray()              {}
func (r *hzCount) ArrayLen(int)            {}
func (r *hzCount) MapLen(int)              {}
func (r *hzCount) SetLen(int)              {}
func (r *hzCount) Double(float64)          {}
func (r *hzCount) Bool(bool)               {}
func (r *hzCount) Verbatim(string, []byte) {}
func (r *hzCount) Proto() int              { return 2 }

func TestZSetSemanticFunctions(t *testing.T) {
	e := newHZEnv(t, 1)
	sh := e.ks.ShardFor("z")
	sh.Lock()
	defer sh.Unlock()
	lim := &e.eng.Limits
	b := func(ss ...string) [][]byte { return hzBytesArgs(ss) }
	r, err := ZAddMembers(sh, lim, 0, "z", 0, []float64{1, 2, 3}, b("a", "b", "c"), hzT0)
	if err != nil || r.Added != 3 || r.Processed != 3 {
		t.Fatalf("ZAddMembers = %+v, %v", r, err)
	}
	if _, err := ZAddMembers(sh, lim, 0, "z", 0, []float64{math.NaN()}, b("a"), hzT0); err != errZNotFloat {
		t.Fatalf("NaN score: %v", err)
	}
	if _, err := ZAddMembers(sh, lim, 0, "z", object.ZAddNX|object.ZAddXX, []float64{1}, b("a"), hzT0); err != errZAddNXXX {
		t.Fatalf("NX XX: %v", err)
	}
	r, err = ZAddMembers(sh, lim, 0, "z", object.ZAddIncr|object.ZAddGT, []float64{-1}, b("a"), hzT0)
	if err != nil || r.Processed != 0 {
		t.Fatalf("INCR GT down = %+v, %v", r, err)
	}
	var popped []string
	n, err := ZPop(sh, 0, "z", true, 2, hzT0, func(m []byte, s float64) {
		popped = append(popped, fmt.Sprintf("%s=%g", m, s))
	})
	if n != 2 || err != nil || !slices.Equal(popped, []string{"c=3", "b=2"}) {
		t.Fatalf("ZPop = %d %v %v", n, popped, err)
	}
	sh.Add(0, "h", keyspace.TypeHash, unsafe.Pointer(object.NewHash()))
	if _, err := ZPop(sh, 0, "h", false, 1, hzT0, nil); err != ErrWrongType {
		t.Fatalf("ZPop on a hash: %v", err)
	}
	if n, err := ZRem(sh, 0, "z", b("a", "a"), hzT0); n != 1 || err != nil {
		t.Fatalf("ZRem = %d, %v", n, err)
	}
	if sh.Peek(0, "z", hzT0) != nil {
		t.Fatal("emptied sorted set still present")
	}
	if err := ZCombineCheck("zunionstore", 0, nil); err == nil || err.Error() != "kevy: ERR at least 1 input key is needed for 'zunionstore' command" {
		t.Fatalf("ZCombineCheck no keys: %v", err)
	}
	if err := ZCombineCheck("zunionstore", 2, []float64{1}); err != errZSyntax {
		t.Fatalf("ZCombineCheck weights: %v", err)
	}
	if err := ZCombineCheck("zunionstore", 1, []float64{math.NaN()}); err != errZWeight {
		t.Fatalf("ZCombineCheck NaN: %v", err)
	}
	for _, s := range []string{"SUM", "min", "Max"} {
		if _, ok := ParseAggregate([]byte(s)); !ok {
			t.Fatalf("ParseAggregate(%q) failed", s)
		}
	}
	if _, ok := ParseAggregate([]byte("avg")); ok {
		t.Fatal("ParseAggregate accepted avg")
	}
}

func TestZSetWireErrorsMapToSentinels(t *testing.T) {
	for wire, kind := range map[string]error{
		"ERR hash value is not an integer":                                     ErrNotInteger,
		"ERR hash value is not a float":                                        ErrNotFloat,
		"ERR min or max is not a float":                                        ErrNotFloat,
		"ERR min or max not valid string range item":                           ErrSyntax,
		"ERR resulting score is not a number (NaN)":                            ErrOverflow,
		"ERR XX and NX options at the same time are not compatible":            ErrSyntax,
		"ERR GT, LT, and/or NX options at the same time are not compatible":    ErrSyntax,
		"ERR INCR option supports a single increment-element pair":             ErrSyntax,
		"ERR at least 1 input key is needed for 'zinter' command":              ErrSyntax,
		"ERR numkeys should be greater than 0":                                 ErrInvalidValue,
		"ERR weight value is not a float":                                      ErrNotFloat,
		"ERR syntax error, WITHSCORES not supported in combination with BYLEX": ErrSyntax,
	} {
		var e *Error
		err := FromWire(wire)
		if !errors.As(err, &e) || e.Kind != kind {
			t.Errorf("FromWire(%q) = %#v, want kind %v", wire, err, kind)
		}
	}
}

func BenchmarkZAdd(b *testing.B) {
	e := newHZEnv(b, 1)
	argv := make([][][]byte, 1000)
	for i := range argv {
		argv[i] = hzArgs(b, fmt.Sprintf("ZADD z %d m%d", i, i))
	}
	e.w.SetProto(2)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.w.Reset(nil)
		e.eng.Exec(e.s, argv[i%len(argv)], e.w)
		i++
	}
}

func BenchmarkZRangeWithScores(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			e := newHZEnv(b, 1)
			args := []string{"ZADD", "z"}
			for i := 0; i < n; i++ {
				args = append(args, strconv.Itoa(i), "member:"+strconv.Itoa(i))
			}
			e.execArgs(2, hzBytesArgs(args))
			rank := hzArgs(b, "ZRANGE z 10 59 WITHSCORES")
			score := hzArgs(b, "ZRANGEBYSCORE z 10 59 WITHSCORES")
			e.w.SetProto(3)
			b.ReportAllocs()
			for b.Loop() {
				e.w.Reset(nil)
				e.eng.Exec(e.s, rank, e.w)
				e.eng.Exec(e.s, score, e.w)
			}
		})
	}
}

func BenchmarkZScore(b *testing.B) {
	e := newHZEnv(b, 1)
	args := []string{"ZADD", "z"}
	for i := 0; i < 1000; i++ {
		args = append(args, strconv.Itoa(i), "m"+strconv.Itoa(i))
	}
	e.execArgs(2, hzBytesArgs(args))
	argv := hzArgs(b, "ZSCORE z m500")
	e.w.SetProto(2)
	b.ReportAllocs()
	for b.Loop() {
		e.w.Reset(nil)
		e.eng.Exec(e.s, argv, e.w)
	}
}

func TestZSetExpiredKeysAreMissing(t *testing.T) {
	e := newHZEnv(t, 4)
	for _, c := range []string{"ZADD z 1 a", "ZADD d 5 x", "PEXPIRE z 100", "PEXPIRE d 100000"} {
		e.exec(2, c)
	}
	e.man.Advance(100 * time.Millisecond)
	for _, st := range []hzStep{
		{"ZCARD z", ":0", ""},
		{"ZUNION 1 z", "*0", ""},
		{"ZADD z XX 2 a", ":0", ""},
		{"ZMPOP 1 z MIN", "*-1", ""},
		{"ZRANGESTORE d z 0 -1", ":0", ""},
		{"EXISTS d", ":0", ""},
		{"ZADD z 3 b", ":1", ""},
		{"PTTL z", ":-1", ""},
	} {
		if got := e.exec(2, st.cmd); got != st.want2 {
			t.Errorf("%q: got %q, want %q", st.cmd, got, st.want2)
		}
	}
}
