package difftest

// CONFIG scripts. The redis-server is shared by every test: each script
// restores the defaults it changed. Glob patterns are chosen to match only
// parameters kevy has (CONFIG GET * lists Redis's whole configuration).

func init() {
	addScripts(
		Script{Name: "config/get-set-errors", Src: `
CONFIG GET notify-keyspace-events
CONFIG GET hash-max-listpack-entries
[pairs] CONFIG GET hash-max-ziplist-entries HASH-MAX-LISTPACK-ENTRIES hash-max-listpack-entries
[pairs] CONFIG GET hash-max-*
[pairs] CONFIG GET zset-*
[pairs] CONFIG GET list-max*
[pairs] CONFIG GET hash-max-listpack-????? set-max-intset-entries
[pairs] CONFIG GET HASH-MAX-*-VALUE
CONFIG GET nosuchparam
CONFIG GET nosuch*
CONFIG GET maxmemory
CONFIG GET maxmemory-policy
CONFIG SET nosuchparam 1
CONFIG SET hash-max-listpack-entries abc
CONFIG SET hash-max-listpack-entries -1
CONFIG SET hash-max-listpack-entries 007
CONFIG SET hash-max-listpack-entries 9223372036854775808
CONFIG SET hash-max-listpack-value 1.5k
CONFIG SET hash-max-listpack-value " 5"
CONFIG SET hash-max-listpack-value 99999999999999999999999
CONFIG SET list-max-listpack-size 2147483648
CONFIG SET zset-max-listpack-value -1
CONFIG SET hash-max-listpack-entries 1 hash-max-listpack-entries 2
CONFIG SET hash-max-listpack-entries 1 hash-max-ziplist-entries 2
CONFIG GET hash-max-listpack-entries
CONFIG SET hash-max-listpack-entries 1 HASH-MAX-LISTPACK-ENTRIES 2
CONFIG SET hash-max-listpack-entries 512
CONFIG SET hash-max-listpack-entries 1 nosuch 2
CONFIG SET set-max-intset-entries 7 zset-max-listpack-entries x
CONFIG GET set-max-intset-entries
CONFIG SET notify-keyspace-events KEQ
CONFIG SET a b c
CONFIG SET a
CONFIG GET
CONFIG
CONFIG FOO
CONFIG HELP
CONFIG HELP x
CONFIG RESETSTAT
CONFIG RESETSTAT x
CONFIG REWRITE
`},
		Script{Name: "config/encodings", Src: `
CONFIG SET hash-max-listpack-entries 2
HSET h a 1 b 2
OBJECT ENCODING h
HSET h c 3
OBJECT ENCODING h
CONFIG SET hash-max-listpack-entries 512 hash-max-listpack-value 4
HSET h2 a 12345
OBJECT ENCODING h2
CONFIG SET hash-max-listpack-value 1kb
CONFIG GET hash-max-listpack-value
HSET h3 a 12345
OBJECT ENCODING h3
CONFIG SET set-max-intset-entries 2
SADD s 1 2
OBJECT ENCODING s
SADD s 3
OBJECT ENCODING s
CONFIG SET zset-max-ziplist-entries 1
ZADD z 1 a
OBJECT ENCODING z
ZADD z 2 b
OBJECT ENCODING z
CONFIG SET zset-max-listpack-entries 128 zset-max-listpack-value 2
ZADD z2 1 abc
OBJECT ENCODING z2
CONFIG SET list-max-listpack-size 3
CONFIG GET list-max-ziplist-size
RPUSH l 1 2 3 4 5
OBJECT ENCODING l
CONFIG SET hash-max-listpack-entries 512 hash-max-listpack-value 64 set-max-intset-entries 512 zset-max-listpack-entries 128 zset-max-listpack-value 64 list-max-listpack-size -2
[pairs] CONFIG GET hash-max-listpack-* set-max-intset-entries zset-max-listpack-* list-max-listpack-size
`},
		Script{Name: "config/notify-keyspace-events", Src: `
CONFIG SET notify-keyspace-events KEA
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events AKEn
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events nKE
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events g$lshzxetd
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events KExe
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events KEmn
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events "KE "
CONFIG GET notify-keyspace-events
CONFIG SET notify-keyspace-events ""
CONFIG GET notify-keyspace-events
`},
	)
}
