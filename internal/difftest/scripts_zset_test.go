package difftest

// Scripts for the sorted-set commands. Sorted-set replies are ordered,
// so almost everything compares exactly; scores check double formatting
// (RESP2 bulk strings, RESP3 doubles).

func init() {
	addScripts(
		Script{Name: "zset/add-score-card", Src: `
ZADD z 1 a 2 b 3 c
ZADD z 1 a
ZADD z 5 a
ZSCORE z a
ZSCORE z nope
ZSCORE nokey a
ZCARD z
ZCARD nokey
ZADD z NX 10 a 4 d
ZSCORE z a
ZADD z XX 10 a 4 e
ZSCORE z a
ZSCORE z e
ZADD z CH 11 a 2 b 7 f
ZADD z GT 5 a
ZADD z GT 20 a
ZADD z LT 30 a
ZADD z LT 1 a
ZADD z GT CH 25 a 1 newm
ZADD z INCR 5 a
ZADD z INCR -inf a
ZADD z INCR +inf a
ZADD z NX INCR 1 a
ZADD z XX INCR 1 nope
ZADD z INCR 1 a 2 b
ZADD z NX XX 1 a
ZADD z GT LT 1 a
ZADD z NX GT 1 a
ZADD z 1
ZADD z 1 a 2
ZADD z abc a
ZADD z nan a
ZADD z "" a
ZADD z 1.5e400 a
ZADD z 0x10 a
ZADD z inf i -inf ni +inf pi 0 zero -0 nz 1e-300 tiny 123456789.123456789 long 0.1 tenth
ZSCORE z i
ZSCORE z ni
ZSCORE z nz
ZSCORE z tiny
ZSCORE z long
ZSCORE z tenth
ZMSCORE z a nope i tenth
ZMSCORE nokey a b
ZMSCORE z
ZADD z 1 "bin\x00\r\n" 1 ""
ZSCORE z "bin\x00\r\n"
ZCARD z
ZADD
ZADD z
ZCARD
ZSCORE z
`},
		Script{Name: "zset/range", Src: `
ZADD z 1 a 2 b 3 c 4 d 5 e 5 ee 6 f
ZRANGE z 0 -1
ZRANGE z 0 -1 WITHSCORES
ZRANGE z 2 4
ZRANGE z -3 -1 WITHSCORES
ZRANGE z 5 2
ZRANGE z 100 200
ZRANGE z -100 1
ZRANGE z 0 -1 REV
ZRANGE z 0 1 REV WITHSCORES
ZRANGE z 2 5 BYSCORE
ZRANGE z (2 5 BYSCORE
ZRANGE z 2 (5 BYSCORE WITHSCORES
ZRANGE z -inf +inf BYSCORE LIMIT 1 3
ZRANGE z -inf +inf BYSCORE LIMIT 1 -1
ZRANGE z -inf +inf BYSCORE LIMIT -1 3
ZRANGE z +inf -inf BYSCORE REV LIMIT 0 2 WITHSCORES
ZRANGE z 5 2 BYSCORE REV
ZRANGE z [b [d BYLEX
ZRANGE z - + BYLEX LIMIT 2 2
ZRANGE z + - BYLEX REV
ZRANGE z (a [c BYLEX
ZRANGE z a c BYLEX
ZRANGE z [a [c BYLEX WITHSCORES
ZRANGE z 0 1 LIMIT 0 1
ZRANGE z 0 1 BYSCORE BYLEX
ZRANGE z abc 1 BYSCORE
ZRANGE z 0 abc
ZRANGE z 0 1 FOO
ZRANGE nokey 0 -1
ZRANGE nokey 0 -1 WITHSCORES
ZREVRANGE z 0 2
ZREVRANGE z 0 2 WITHSCORES
ZRANGEBYSCORE z 2 4
ZRANGEBYSCORE z (2 (5 WITHSCORES
ZRANGEBYSCORE z -inf +inf LIMIT 2 2
ZRANGEBYSCORE z 5 2
ZRANGEBYSCORE z x 2
ZREVRANGEBYSCORE z 4 2
ZREVRANGEBYSCORE z +inf -inf WITHSCORES LIMIT 0 3
ZRANGEBYLEX z - +
ZRANGEBYLEX z [c +
ZRANGEBYLEX z [c + LIMIT 0 1
ZRANGEBYLEX z c +
ZREVRANGEBYLEX z + -
ZREVRANGEBYLEX z (e - LIMIT 1 2
ZCOUNT z 2 4
ZCOUNT z (2 +inf
ZCOUNT z -inf +inf
ZCOUNT z x 1
ZCOUNT nokey 0 1
ZLEXCOUNT z - +
ZLEXCOUNT z [b (e
ZLEXCOUNT z b e
ZRANGESTORE dst z 0 2
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst z 2 4 BYSCORE REV
ZRANGESTORE dst z 4 2 BYSCORE REV
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst nokey 0 -1
EXISTS dst
ZRANGESTORE dst z 0 -1 WITHSCORES
ZRANGE z
ZRANGESTORE dst z 0
`},
		Script{Name: "zset/rank-rem-incr", Src: `
ZADD z 1 a 2 b 3 c 4 d 5 e
ZRANK z a
ZRANK z e
ZRANK z nope
ZRANK nokey a
ZREVRANK z a
ZREVRANK z e
ZINCRBY z 10 a
ZINCRBY z -0.5 b
ZINCRBY z 1 newm
ZINCRBY z abc a
ZINCRBY z nan a
ZINCRBY z inf a
ZINCRBY z -inf a
ZINCRBY nokey2 2.5 m
ZRANGE z 0 -1 WITHSCORES
ZREM z a
ZREM z a nope b
ZREM nokey a
ZREMRANGEBYRANK z 0 0
ZREMRANGEBYRANK z -1 -1
ZREMRANGEBYRANK z 5 10
ZRANGE z 0 -1 WITHSCORES
ZADD z 1 a 2 b 3 c 4 d 5 e
ZREMRANGEBYSCORE z 2 (4
ZREMRANGEBYSCORE z (100 200
ZREMRANGEBYSCORE z x 1
ZRANGE z 0 -1
ZADD lex 0 a 0 b 0 c 0 d
ZREMRANGEBYLEX lex [b (d
ZRANGE lex 0 -1
ZREMRANGEBYLEX lex a b
ZREMRANGEBYLEX lex - +
EXISTS lex
ZADD one 1 a
ZREM one a
EXISTS one
ZREM z
ZINCRBY z 1
ZRANK z
`},
		Script{Name: "zset/pop", Src: `
ZADD z 1 a 2 b 3 c 4 d 5 e
ZPOPMIN z
ZPOPMAX z
ZPOPMIN z 2
ZPOPMAX z 0
ZPOPMIN z -1
ZPOPMIN z abc
ZPOPMAX z 10
EXISTS z
ZPOPMIN nokey
ZPOPMIN nokey 3
ZADD z 1 a 2 b 3 c
ZMPOP 1 z MIN
ZMPOP 1 z MAX COUNT 5
ZMPOP 2 nokey z MIN
ZADD z2 1 x 2 y
ZMPOP 2 nokey z2 MAX COUNT 1
ZMPOP 1 nokey MIN
ZMPOP 0 z MIN
ZMPOP -1 z MIN
ZMPOP 1 z FOO
ZMPOP 1 z MIN COUNT 0
ZMPOP 1 z MIN COUNT -1
ZMPOP 3 a b MIN
ZMPOP 1 z2 MIN COUNT 1 COUNT 2
ZMPOP abc z MIN
ZPOPMIN
ZMPOP 1 z
`},
		Script{Name: "zset/setops", Src: `
ZADD {z}a 1 a 2 b 3 c
ZADD {z}b 10 b 20 c 30 d
ZUNION 2 {z}a {z}b
ZUNION 2 {z}a {z}b WITHSCORES
ZUNION 2 {z}a {z}b WEIGHTS 2 0.5 WITHSCORES
ZUNION 2 {z}a {z}b AGGREGATE MAX WITHSCORES
ZUNION 2 {z}a {z}b AGGREGATE MIN WITHSCORES
ZUNION 3 {z}a {z}b nokey WITHSCORES
ZINTER 2 {z}a {z}b WITHSCORES
ZINTER 2 {z}a {z}b AGGREGATE MAX
ZINTER 2 {z}a nokey
ZINTERCARD 2 {z}a {z}b
ZINTERCARD 2 {z}a {z}b LIMIT 1
ZINTERCARD 2 {z}a {z}b LIMIT 0
ZINTERCARD 2 {z}a {z}b LIMIT -1
ZINTERCARD 0 {z}a
ZDIFF 2 {z}a {z}b
ZDIFF 2 {z}a {z}b WITHSCORES
ZDIFF 1 {z}a
ZDIFF 2 nokey {z}a
ZUNIONSTORE {z}d 2 {z}a {z}b
ZRANGE {z}d 0 -1 WITHSCORES
ZINTERSTORE {z}d 2 {z}a {z}b WEIGHTS 1 -1
ZRANGE {z}d 0 -1 WITHSCORES
ZDIFFSTORE {z}d 2 {z}b {z}a
ZRANGE {z}d 0 -1 WITHSCORES
ZINTERSTORE {z}d 2 {z}a nokey
EXISTS {z}d
ZUNION 0 {z}a
ZUNION 3 {z}a {z}b
ZUNION 2 {z}a {z}b WEIGHTS 1
ZUNION 2 {z}a {z}b WEIGHTS 1 x
ZUNION 2 {z}a {z}b AGGREGATE FOO
ZUNION 2 {z}a {z}b FOO
ZUNION abc {z}a
ZUNIONSTORE {z}d 0 {z}a
ZADD {z}inf inf a -inf b
ZUNION 2 {z}inf {z}inf WITHSCORES
ZUNION 2 {z}inf {z}a WEIGHTS 0 1 WITHSCORES
ZUNION 1 {z}inf WEIGHTS -1 WITHSCORES
`},
		Script{Name: "zset/setops-with-sets", Src: `
ZADD {z}a 1 a 2 b 3 c
SADD {z}s b d x
ZUNION 2 {z}a {z}s WITHSCORES
ZINTER 2 {z}a {z}s WITHSCORES
ZDIFF 2 {z}a {z}s
ZINTERCARD 2 {z}a {z}s
ZUNIONSTORE {z}d 2 {z}s {z}a WEIGHTS 2 3
ZRANGE {z}d 0 -1 WITHSCORES
`},
		Script{Name: "zset/randmember-scan-encoding", Src: `
ZRANDMEMBER nokey
ZRANDMEMBER nokey 3
ZADD one 1 a
ZRANDMEMBER one
ZRANDMEMBER one 2 WITHSCORES
ZRANDMEMBER one -2 WITHSCORES
ZADD z 1 a 2 b 3 c 4 d
[type] ZRANDMEMBER z
ZRANDMEMBER z 0
[unordered] ZRANDMEMBER z 4
[unordered] ZRANDMEMBER z 10
[type] ZRANDMEMBER z -6
[type] ZRANDMEMBER z 2 WITHSCORES
ZRANDMEMBER z abc
ZRANDMEMBER z 1 FOO
[scan] ZSCAN z 0
[scan] ZSCAN z 0 MATCH [ab]
[scan] ZSCAN nokey 0
ZSCAN z abc
OBJECT ENCODING z
ZADD z 1 ` + repeat("m", 65) + `
OBJECT ENCODING z
ZADD big ` + zsetMembers(130) + `
ZCARD big
OBJECT ENCODING big
ZRANGE big 60 70 WITHSCORES
ZRANK big m99
[scan] ZSCAN big 0 COUNT 5
`},
		Script{Name: "zset/wrongtype-and-keys", Src: `
SET s v
ZADD s 1 a
ZSCORE s a
ZRANGE s 0 -1
ZCARD s
ZINCRBY s 1 a
ZPOPMIN s
ZUNION 2 s nokey
ZUNIONSTORE d 1 s
ZADD z 1 a
GET z
INCR z
TYPE z
EXPIRE z 100
[approx 1] TTL z
RENAME z z2
ZSCORE z2 a
COPY z2 z3
ZADD z3 5 a
ZSCORE z2 a
ZSCORE z3 a
[scan] SCAN 0 TYPE zset
`},
	)
}

// zsetMembers returns "0 m0 1 m1 ..." for n members: enough to pass
// zset-max-listpack-entries (128).
func zsetMembers(n int) string {
	var b []byte
	for i := range n {
		if i > 0 {
			b = append(b, ' ')
		}
		b = appendInt(b, i)
		b = append(b, " m"...)
		b = appendInt(b, i)
	}
	return string(b)
}
