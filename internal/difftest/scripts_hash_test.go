package difftest

// Scripts for the hash commands. Field order is unspecified, so
// HGETALL/HKEYS/HVALS compare as (pair) multisets, HSCAN is iterated, and
// HRANDFIELD is compared exactly only where its reply is not random.

func init() {
	addScripts(
		Script{Name: "hash/set-get", Src: `
HSET h f v
HSET h f v2 g w
HGET h f
HGET h g
HGET h nope
HGET nokey f
HSETNX h f x
HSETNX h n x
HGET h n
HMSET h a 1 b 2
HMGET h a b nope f
HMGET nokey a b
HLEN h
HLEN nokey
HEXISTS h a
HEXISTS h nope
HEXISTS nokey a
HSTRLEN h f
HSTRLEN h nope
HSTRLEN nokey f
HSET h "" empty "bin\x00\r\n" "v\x00"
HGET h ""
HGET h "bin\x00\r\n"
HSET h num 12345
HSTRLEN h num
[pairs] HGETALL h
[unordered] HKEYS h
[unordered] HVALS h
[pairs] HGETALL nokey
HKEYS nokey
HVALS nokey
TYPE h
HSET h
HSET h f
HSET h f v g
HMSET h f
HSETNX h f
HGET h
HMGET h
HLEN
HEXISTS h
HSTRLEN h
HKEYS
HVALS
HGETALL
`},
		Script{Name: "hash/del", Src: `
HSET h a 1 b 2 c 3
HDEL h a
HDEL h a
HDEL h b c d
EXISTS h
HSET h x 1
HDEL h x x x
EXISTS h
HDEL nokey a
HDEL h
HSET t a 1
EXPIRE t 100
HDEL t a
TTL t
`},
		Script{Name: "hash/incr", Src: `
HINCRBY h n 5
HINCRBY h n -10
HINCRBY h n 0
HGET h n
HINCRBY h n abc
HINCRBY h n 1.5
HINCRBY h n ""
HINCRBY h n 9223372036854775808
HSET h s abc big 9223372036854775807 small -9223372036854775808 sp " 1" f 1.5
HINCRBY h s 1
HINCRBY h sp 1
HINCRBY h f 1
HINCRBY h big 1
HINCRBY h big 0
HINCRBY h small -1
HINCRBY h small 1
HINCRBYFLOAT h fl 1.5
HINCRBYFLOAT h fl 0.1
HINCRBYFLOAT h fl -1.6
HINCRBYFLOAT h fl 1e3
HINCRBYFLOAT h s 1
HINCRBYFLOAT h fl abc
HINCRBYFLOAT h fl inf
HINCRBYFLOAT h fl nan
HINCRBYFLOAT h fl ""
HSET h huge 1e308
HINCRBYFLOAT h huge 1e308
HGET h huge
HINCRBYFLOAT h n 2
HGET h n
HINCRBYFLOAT h big 1
HSET h z 0.1
HINCRBYFLOAT h z 0.2
HINCRBYFLOAT h new 5.0e3
HINCRBY h
HINCRBY h n
HINCRBYFLOAT h n
`},
		Script{Name: "hash/randfield", Src: `
HRANDFIELD nokey
HRANDFIELD nokey 5
HRANDFIELD nokey -5 WITHVALUES
HSET one f v
HRANDFIELD one
HRANDFIELD one 1
HRANDFIELD one -3
HRANDFIELD one -2 WITHVALUES
HRANDFIELD one 5 WITHVALUES
HSET h a 1 b 2 c 3 d 4
[type] HRANDFIELD h
HRANDFIELD h 0
HRANDFIELD h 0 WITHVALUES
[unordered] HRANDFIELD h 4
[unordered] HRANDFIELD h 100
[pairs] HRANDFIELD h 100 WITHVALUES
[type] HRANDFIELD h 2
[type] HRANDFIELD h -10
[type] HRANDFIELD h -3 WITHVALUES
HRANDFIELD h abc
HRANDFIELD h 1.5
HRANDFIELD h 2 FOO
HRANDFIELD h 2 WITHVALUES extra
HRANDFIELD h -9223372036854775808
HRANDFIELD h -9223372036854775808 WITHVALUES
HRANDFIELD
`},
		Script{Name: "hash/scan-encoding", Src: `
HSET h a 1 b 2 c 3 xa 4 xb 5
[scan] HSCAN h 0
[scan] HSCAN h 0 MATCH x*
[scan] HSCAN h 0 COUNT 1
[scan] HSCAN h 0 MATCH nomatch
[scan] HSCAN nokey 0
HSCAN h abc
HSCAN h 0 COUNT 0
HSCAN h 0 FOO
HSCAN h 0 MATCH
HSCAN h
OBJECT ENCODING h
HSET h long ` + repeat("v", 65) + `
OBJECT ENCODING h
HSET small a 1
OBJECT ENCODING small
HMSET big ` + hashFields(130) + `
HLEN big
OBJECT ENCODING big
[scan] HSCAN big 0
[scan] HSCAN big 0 MATCH f1* COUNT 7
[pairs] HGETALL big
HDEL big f0 f1 f2 f3
HLEN big
OBJECT ENCODING big
SET s v
HSCAN s 0
`},
		Script{Name: "hash/wrongtype-and-keys", Src: `
SET s v
HSET s f v
HGET s f
HMGET s f
HLEN s
HDEL s f
HINCRBY s f 1
HINCRBYFLOAT s f 1
HGETALL s
HKEYS s
HVALS s
HEXISTS s f
HSTRLEN s f
HSETNX s f v
HRANDFIELD s
HSET h f v EXTRA
HSET h f v
EXPIRE h 100
[approx 1] TTL h
RENAME h h2
HGET h2 f
COPY h2 h3
HSET h3 f changed
HGET h2 f
HGET h3 f
MOVE h3 1
SELECT 1
HGET h3 f
SELECT 0
[scan] SCAN 0 TYPE hash
TYPE h2
`},
	)
}

// hashFields returns "f0 v0 f1 v1 ..." for n fields: enough to pass
// hash-max-listpack-entries (128).
func hashFields(n int) string {
	var b []byte
	for i := range n {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, "f"...)
		b = appendInt(b, i)
		b = append(b, " v"...)
		b = appendInt(b, i)
	}
	return string(b)
}

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}
