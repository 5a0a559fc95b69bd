package difftest

// Keyspace notification scripts: every command of every family, with the
// events (and their order) Redis 7.0 publishes. See notify_test.go.

func init() {
	addNotifyScripts(
		notifyScript{name: "notify/string", flags: "KEAn", src: `
SET a 1
SET a 2
SET a 3 EX 100
SET a 3 KEEPTTL
SET a 4 GET
SET a 5 PX 100000 GET
SETNX a 1
SETNX b 1
SETEX c 10 x
PSETEX c 10000 x
GETSET c y
GETDEL c
GETDEL c
GETEX a EX 100
GETEX a PERSIST
GETEX a PERSIST
GETEX a
GETEX a PXAT 1
GETEX nokey EX 10
MSET a 1 b 2
MSET m 1 m 2
MSETNX x 1 y 2
MSETNX x 1 z 2
APPEND z a
APPEND z b
SETRANGE z 0 ""
SETRANGE w 0 ""
SETRANGE w 1 x
SETRANGE w 0 yy
INCR n
DECR n
INCRBY n 10
DECRBY n 5
INCRBYFLOAT n 1.5
INCR z
SET f v NX
SET f v NX
SET f v XX
SET g v XX
LPUSH f x
SET f v GET
HSET hh f v
SET hh v GET
SET hh v
GET nokey
MGET a nokey
STRLEN a
GETRANGE a 0 1
LCS a b
`},
		notifyScript{name: "notify/keys", flags: "KEAn", src: `
MSET a 1 b 2 c 3
DEL a x b
DEL a
UNLINK c
SET k v
EXPIRE k 100
EXPIRE k 100 NX
EXPIRE k 50 GT
EXPIRE k 50 LT
PEXPIRE k 1000000
EXPIREAT k 99999999999
PEXPIREAT k 99999999999000
PERSIST k
PERSIST k
EXPIRE k 0
SET k v
PEXPIREAT k 1
SET k v
EXPIRE k -5
EXPIRE nokey 10
PERSIST nokey
SET s v
RENAME s d
SET s2 v
RENAME s2 d
RENAME d d
RENAMENX d d
RENAMENX d s2
SET x 1
RENAMENX x s2
RENAME nokey x
SET t 1 EX 100
RENAME t u
MOVE s2 3
MOVE s2 3
SET s2 v
MOVE s2 3
SET y 1
COPY y z
COPY y z
COPY y z REPLACE
COPY y y9 DB 2
COPY nokey z
RPUSH l a b
COPY l l2
RENAME l l3
SWAPDB 0 1
SWAPDB 0 1
TOUCH u y
EXISTS u
TYPE u
TTL u
OBJECT ENCODING u
FLUSHDB
`},
		notifyScript{name: "notify/list", flags: "KEAn", src: `
LPUSH l a b c
RPUSH l d
LPUSHX l x
LPUSHX nol x
RPUSHX l y
RPUSHX nol y
LINSERT l BEFORE a z
LINSERT l AFTER a z2
LINSERT l BEFORE nope z
LINSERT nol BEFORE a z
LSET l 0 q
LSET l 100 q
LPOP l
RPOP l 2
LPOP l 0
LREM l 0 nope
LREM l 1 z
LREM l -1 z2
LTRIM l 0 -1
LTRIM l 5 10
LTRIM l 0 1
RPUSH l 1 2 3
LMOVE l m LEFT RIGHT
RPOPLPUSH l m
LMOVE l m LEFT LEFT
LMOVE m m LEFT RIGHT
LMOVE nol m LEFT RIGHT
LPOP m 0
LMPOP 2 x m LEFT COUNT 5
LMPOP 1 x RIGHT
RPUSH b 1
BLPOP b 0
RPUSH b 1 2
BRPOP b 0
BLMOVE b c RIGHT LEFT 0
BRPOPLPUSH c d 0
RPUSH e 1 2 3
BLMPOP 0 2 x e RIGHT COUNT 2
BLMPOP 0 1 e LEFT
LPOP nol
LPOS e 1
LRANGE e 0 -1
LLEN e
LINDEX e 0
`},
		notifyScript{name: "notify/set", flags: "KEAn", src: `
SADD s a b c
SADD s a
SREM s x
SREM s a
SREM nos a
[type] SPOP s
SPOP s 0
SADD s x y z
[type] SPOP s 2
[type] SPOP s 10
SPOP s
SPOP s 3
SADD s 1 2
SMOVE s t 1
SMOVE s t 1
SMOVE s t 2
SMOVE t t 1
SMOVE t t 9
SMOVE nos t 1
SADD s 1
SADD t 5
SMOVE s t 1
SADD a 1 2
SADD b 2 3
SINTERSTORE d a b
SINTERSTORE d a b
SUNIONSTORE d a b
SDIFFSTORE d a a
SDIFFSTORE d a a
SINTERSTORE e a nokey
SDIFFSTORE a a b
SUNIONSTORE u nokey1 nokey2
SET str v
SUNIONSTORE str a b
SINTERSTORE str a nokey
SADD big 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20
[type] SPOP big 5
[type] SRANDMEMBER a
[unordered] SMEMBERS a
SISMEMBER a 1
SCARD a
SINTERCARD 2 a b
SINTER a b
`},
		notifyScript{name: "notify/hash", flags: "KEAn", src: `
HSET h a 1 b 2
HSET h a 1
HMSET h c 3
HSETNX h a 1
HSETNX h d 1
HSETNX h2 d 1
HDEL h x
HDEL h a b
HDEL noh a
HINCRBY h n 1
HINCRBY h n -3
HINCRBYFLOAT h f 1.5
HINCRBY h f 1
HINCRBY noh2 n 5
HINCRBYFLOAT noh3 f 0.5
HDEL h c d n f
HGETALL h
HGET h2 d
HLEN h2
[type] HRANDFIELD h2
HDEL h2 d
`},
		notifyScript{name: "notify/zset", flags: "KEAn", src: `
ZADD z 1 a 2 b
ZADD z 1 a
ZADD z 5 a
ZADD z XX 5 c
ZADD z NX 9 a
ZADD z GT 1 a
ZADD z LT 1 a
ZADD z INCR 1 a
ZADD z INCR 0 a
ZINCRBY z 0 a
ZINCRBY z 2 q
ZADD z CH 7 a
ZADD z NX INCR 1 a
ZADD noz XX 1 a
ZREM z nope
ZREM z q
ZREMRANGEBYRANK z 5 6
ZREMRANGEBYRANK z 0 0
ZREMRANGEBYSCORE z 100 200
ZADD z 1 x 1 y
ZREMRANGEBYSCORE z 1 1
ZPOPMIN z
ZPOPMAX z 5
ZPOPMAX z
ZADD z 1 a 2 b 3 c
ZPOPMIN z 0
ZMPOP 1 z MAX COUNT 1
ZMPOP 1 noz MIN
BZPOPMIN z 0
BZPOPMAX z 0
ZADD z 1 a 2 b 3 c
BZMPOP 0 1 z MIN COUNT 5
ZADD a 1 a 2 b
ZADD b 1 b
ZINTERSTORE d 2 a b
ZUNIONSTORE d 2 a b
ZDIFFSTORE d 2 a b
ZDIFFSTORE d 2 a a
ZDIFFSTORE d 2 a a
ZRANGESTORE d a 0 -1
ZRANGESTORE d a 5 6
ZRANGESTORE d a 5 6
ZINTERSTORE e 2 a x
ZADD lx 0 a 0 b 0 c
ZREMRANGEBYLEX lx [a [b
ZREMRANGEBYLEX lx [x [y
ZREMRANGEBYLEX lx - +
ZSCORE a a
ZRANGE a 0 -1
ZCARD a
`},
		notifyScript{name: "notify/keymiss", flags: "KEm", src: `
GET a
MGET a b
EXISTS a
TYPE a
TTL a
PTTL a
LRANGE a 0 1
LLEN a
HGET a f
HGETALL a
SMEMBERS a
SCARD a
ZSCORE a m
ZRANGE a 0 1
STRLEN a
GETDEL a
GETEX a
GETRANGE a 0 1
OBJECT ENCODING a
DEL a
SET b 1
MGET a b a
GET b
SISMEMBER a m
ZCARD a
HMGET a f
SET n 1 GET
SET n 2 GET
GETSET g 1
LMOVE x y LEFT LEFT
SINTERSTORE d x y
RENAME x y
INCR c
CONFIG SET notify-keyspace-events KEAmn
SET n2 1 GET
`},
		notifyScript{name: "notify/filters", flags: "Kl", src: `
SET a 1
LPUSH l x
DEL l
CONFIG SET notify-keyspace-events E$
SET a 2
LPUSH l x
CONFIG SET notify-keyspace-events Eg
SET a 3
DEL a l
CONFIG SET notify-keyspace-events A
SET a 4
CONFIG SET notify-keyspace-events KEh
HSET h f v
SADD s m
CONFIG SET notify-keyspace-events Ez
ZADD z 1 m
HSET h f w
CONFIG SET notify-keyspace-events Kn
SET new v
CONFIG SET notify-keyspace-events ""
SET a 5
`},
		notifyScript{name: "notify/databases", flags: "KEA", src: `
SET a 1
SELECT 5
SET a 1
DEL a
MOVE a 0
SET b 1
MOVE b 0
SELECT 0
COPY b c DB 7
SELECT 7
DEL c
SELECT 0
`},
		notifyScript{name: "notify/expired", flags: "KEA", src: `
SET lazy v PX 100
SET active v PX 100
HSET h f v
PEXPIRE h 100
RPUSH l a
PEXPIRE l 50
!sleep 400
GET lazy
EXISTS active
SET k v PX 100000
PERSIST k
SET past v PXAT 1
GET past
`},
		notifyScript{name: "notify/expired-lazy", flags: "KEA", src: `
CONFIG SET notify-keyspace-events Ex
SET a v PX 150
SET b v PX 150
SET c v PX 150
!sleep 50
GET a
!sleep 400
GET a
MGET b c
`},
		notifyScript{name: "notify/config", flags: "", src: `
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events KEA
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events AKEn
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events KEmn
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events g$lshzxetdK
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events KExe
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events KEQ
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events
CONFIG SET notify-keyspace-events a b
CONFIG SET NOTIFY-KEYSPACE-EVENTS Kg
CONFIG GET NOTIFY-KEYSPACE-EVENTS
[pairs] CONFIG GET notify-*
CONFIG SET notify-keyspace-events ""
CONFIG GET notify-keyspace-events
`},
	)
}
