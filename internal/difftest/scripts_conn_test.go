package difftest

// Scripts for connection commands, command-table errors (unknown command,
// wrong arity) and WRONGTYPE against other types. The WRONGTYPE scripts
// use LPUSH/HSET/SADD/ZADD and run once kevy has them.

func init() {
	addScripts(
		Script{Name: "conn/ping-echo-time", Src: `
PING
ping
PING hello
PING "a b"
PING ""
PING "bin\x00\r\n"
PING a b
ECHO hello
ECHO ""
ECHO "bin\x00\r\n"
ECHO ` + repeat("e", 300) + `
ECHO
ECHO a b
[type] TIME
TIME x
`},
		Script{Name: "conn/unknown-and-arity", Src: `
NOSUCHCMD
NOSUCHCMD a b "c d"
nosuchcmd "a\r\nb" c
NOSUCHCMD "a\x00b" c
NOSUCHCMD ` + longArg + `
NOSUCHCMD ` + longArg + ` b c
NOSUCHCMD a ` + longArg + ` c
NOSUCHCMD ` + repeat("a ", 70) + `
NOSUCH` + longArg + `
""
"" a
GET
GET a b
get
SET k
MGET
MSET
DEL
EXISTS
EXPIRE k
TTL
RENAME a
COPY a
MOVE a
SWAPDB 0
SELECT
ECHO
TIME 1
DBSIZE 1
RANDOMKEY 1
KEYS
SCAN
OBJECT
PING a b
GETRANGE k 0
SETRANGE k 0
LCS a
INCRBYFLOAT k
`},
		Script{Name: "wrongtype/strings-vs-list", Src: `
LPUSH l a
GET l
SET l v GET
TYPE l
GETSET l v
GETDEL l
GETEX l
GETEX l EX 10
GETEX l PERSIST
APPEND l x
STRLEN l
GETRANGE l 0 1
SUBSTR l 0 1
SETRANGE l 0 x
SETRANGE l 0 ""
INCR l
INCRBY l 1
DECR l
DECRBY l 1
INCRBYFLOAT l 1
INCRBY l abc
INCRBYFLOAT l abc
SETNX l v
MSETNX l v other w
EXISTS other
MGET l other
LCS l other
LCS other l
SET s v
LCS s l IDX
TYPE l
SET l v
TYPE l
GET l
`},
		Script{Name: "wrongtype/keys-vs-list", Src: `
LPUSH l a b c
TYPE l
EXPIRE l 100
[approx 1] TTL l
PERSIST l
RENAME l l2
TYPE l2
COPY l2 l3
TYPE l3
OBJECT ENCODING l3
MOVE l3 1
SELECT 1
TYPE l3
SELECT 0
SET s v
RENAME s l2
TYPE l2
LPUSH l4 x
COPY l4 s REPLACE
TYPE s
[unordered] KEYS *
[scan] SCAN 0 TYPE list
[scan] SCAN 0 TYPE string
DEL l4 s
DBSIZE
`},
		Script{Name: "wrongtype/strings-vs-hash", Src: `
HSET h f v
GET h
TYPE h
SET h v GET
APPEND h x
INCR h
INCRBYFLOAT h 1
GETRANGE h 0 -1
STRLEN h
[scan] SCAN 0 TYPE hash
OBJECT ENCODING h
SET h v
TYPE h
`},
		Script{Name: "wrongtype/strings-vs-set-zset", Src: `
SADD s a
ZADD z 1 a
GET s
GET z
TYPE s
TYPE z
INCR s
APPEND z x
[scan] SCAN 0 TYPE set
[scan] SCAN 0 TYPE zset
OBJECT ENCODING s
OBJECT ENCODING z
`},
	)
}
