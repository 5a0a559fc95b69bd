package difftest

import (
	"strconv"
	"strings"
)

// intsetFill returns "SADD key 1 2 ... n".
func intsetFill(key string, n int) string {
	var b strings.Builder
	b.WriteString("SADD " + key)
	for i := 1; i <= n; i++ {
		b.WriteString(" " + strconv.Itoa(i))
	}
	return b.String()
}

// Scripts for the set commands. Replies whose order depends on the hash
// table are compared [unordered]; random commands are compared where the
// result is determined (whole set, empty set) or by shape.

func init() {
	addScripts(
		Script{Name: "set/add-rem-card", Src: `
SADD s 3 1 2
SADD s 2 3 4
SMEMBERS s
SCARD s
SCARD missing
OBJECT ENCODING s
SADD s a
OBJECT ENCODING s
[unordered] SMEMBERS s
SREM s 1 a zz
SREM s zz
SREM missing a
OBJECT ENCODING s
SREM s 2 3 4
EXISTS s
SADD n -1 0 -0 007 1.5 "" 9223372036854775807 -9223372036854775808 9223372036854775808
[unordered] SMEMBERS n
OBJECT ENCODING n
SADD i 5 -3 70000 -70000 4294967296
SMEMBERS i
OBJECT ENCODING i
SISMEMBER i 70000
SISMEMBER i 007
SISMEMBER i x
SISMEMBER missing x
SMISMEMBER i 5 6 -3
SMISMEMBER missing a b
SET str x
SADD str a
SREM str a
SCARD str
SISMEMBER str a
SMISMEMBER str a
SMEMBERS str
SMEMBERS missing
SADD s
SISMEMBER s
SMISMEMBER s
`},
		Script{Name: "set/intset-conversion", Src: intsetFill("s", 512) + `
OBJECT ENCODING s
SCARD s
SADD s 513
OBJECT ENCODING s
SREM s 513 512 511
OBJECT ENCODING s
` + intsetFill("t", 513) + `
OBJECT ENCODING t
[type] SPOP t 510
SCARD t
OBJECT ENCODING t
` + intsetFill("u", 100) + `
SADD u x
SREM u x
OBJECT ENCODING u
SINTERSTORE v u u
OBJECT ENCODING v
SUNIONSTORE v u
OBJECT ENCODING v
SDIFFSTORE v u
OBJECT ENCODING v
`},
		Script{Name: "set/pop-rand", Src: `
SADD s 1 2 3
SPOP s 0
SPOP s -1
SPOP s abc
SPOP s 1 2
SPOP missing
SPOP missing 0
SPOP missing 5
SRANDMEMBER missing
SRANDMEMBER missing 0
SRANDMEMBER missing 5
SRANDMEMBER missing -5
SRANDMEMBER s 0
SRANDMEMBER s 3
SRANDMEMBER s 10
[type] SRANDMEMBER s 2
[type] SRANDMEMBER s -5
[type] SRANDMEMBER s
SRANDMEMBER s abc
SRANDMEMBER s 1 2
SRANDMEMBER s -9223372036854775808
SRANDMEMBER s -9223372036854775807x
SPOP s 3
EXISTS s
SADD s a
SPOP s
EXISTS s
SADD s a b c
[unordered] SPOP s 10
EXISTS s
SADD s x
SRANDMEMBER s
SRANDMEMBER s -3
SRANDMEMBER s 1
SET str x
SPOP str
SPOP str 0
SRANDMEMBER str
SRANDMEMBER str 0
SRANDMEMBER str -1
`},
		Script{Name: "set/move", Src: `
SADD {t}a 1 2 x
SADD {t}b 3
SMOVE {t}a {t}b 1
SMOVE {t}a {t}b 1
SMOVE {t}a {t}b x
SMEMBERS {t}a
[unordered] SMEMBERS {t}b
SMOVE {t}a {t}a 2
SMOVE {t}a {t}a 99
SMOVE {t}a {t}c 2
EXISTS {t}a
SMEMBERS {t}c
SMOVE {t}missing {t}c 1
SET {t}str x
SMOVE {t}missing {t}str 1
SMOVE {t}c {t}str 2
SMOVE {t}c {t}str 99
SMOVE {t}str {t}c 2
SADD x1 a
SMOVE x1 x2 a
SMEMBERS x2
EXISTS x1
OBJECT ENCODING x2
SADD n1 5
SMOVE n1 n2 5
OBJECT ENCODING n2
`},
		Script{Name: "set/algebra", Src: `
SADD {t}a 1 2 3 4
SADD {t}b 3 4 5
SADD {t}c 4 5 6 x
SINTER {t}a {t}b
SINTER {t}a {t}b {t}c
SINTER {t}a
SINTER {t}a {t}missing
SINTER {t}missing {t}a
SUNION {t}a {t}b
[unordered] SUNION {t}a {t}c
SUNION {t}missing
SUNION {t}a {t}missing
SDIFF {t}a {t}b
SDIFF {t}a {t}b {t}c
SDIFF {t}a {t}missing
SDIFF {t}missing {t}a
[unordered] SDIFF {t}c {t}a
SDIFF {t}a {t}a
SINTERCARD 2 {t}a {t}b
SINTERCARD 3 {t}a {t}b {t}c
SINTERCARD 1 {t}a
SINTERCARD 2 {t}a {t}b LIMIT 1
SINTERCARD 2 {t}a {t}b LIMIT 0
SINTERCARD 2 {t}a {t}b LIMIT 1 LIMIT 5
SINTERCARD 2 {t}a {t}missing
SINTERCARD 0 {t}a
SINTERCARD -1 {t}a
SINTERCARD abc {t}a
SINTERCARD 3 {t}a {t}b
SINTERCARD 9223372036854775807 {t}a
SINTERCARD 2 {t}a {t}b LIMIT -1
SINTERCARD 2 {t}a {t}b LIMIT abc
SINTERCARD 2 {t}a {t}b LIMIT
SINTERCARD 2 {t}a {t}b FOO 1
SINTERCARD 1
SET {t}str x
SINTER {t}a {t}str
SINTER {t}missing {t}str
SINTER {t}str {t}missing
SUNION {t}a {t}str
SUNION {t}missing {t}str
SDIFF {t}missing {t}str
SDIFF {t}str {t}a
SINTERCARD 2 {t}missing {t}str
SINTERCARD 1 {t}str
SINTERSTORE {t}d {t}a {t}b
SMEMBERS {t}d
OBJECT ENCODING {t}d
SUNIONSTORE {t}d {t}a {t}c
[unordered] SMEMBERS {t}d
OBJECT ENCODING {t}d
SDIFFSTORE {t}d {t}a {t}b
SMEMBERS {t}d
SDIFFSTORE {t}d {t}a {t}a
EXISTS {t}d
SINTERSTORE {t}str {t}a {t}b
TYPE {t}str
SET {t}str x EX 100
SUNIONSTORE {t}str {t}a
TTL {t}str
SET {t}str x
SINTERSTORE {t}str {t}a {t}missing
EXISTS {t}str
SET {t}str x
SINTERSTORE {t}d {t}a {t}str
SUNIONSTORE {t}d {t}a {t}str
SDIFFSTORE {t}d {t}str
SUNIONSTORE {t}a {t}a {t}b
SMEMBERS {t}a
SDIFFSTORE {t}a {t}a {t}b
SMEMBERS {t}a
SINTERSTORE {t}e {t}missing
EXISTS {t}e
SADD s1 a b c
SADD s2 b c d
SADD s3 c d e
[unordered] SINTER s1 s2 s3
[unordered] SUNION s1 s2 s3
[unordered] SDIFF s1 s2 s3
SINTERSTORE s4 s1 s2
[unordered] SMEMBERS s4
SINTERCARD 3 s1 s2 s3
SINTERSTORE
SUNION
`},
		Script{Name: "set/sscan", Src: `
SADD small 1 2 3 10 20
SSCAN small 0
SSCAN small 0 MATCH 1*
SSCAN small 0 match * count 1
SSCAN small 0 COUNT 1
SADD big a b c d e f g h i j k l m n o p q r s t u v w x y z ""
[scan] SSCAN big 0
[scan] SSCAN big 0 COUNT 3
[scan] SSCAN big 0 MATCH *
[scan] SSCAN big 0 MATCH [a-e]
[scan] SSCAN big 0 MATCH ? COUNT 2
SSCAN missing 0
SSCAN missing 0 COUNT 0
SSCAN missing abc
SSCAN small abc
SSCAN small -1
SSCAN small 18446744073709551615
SSCAN small 18446744073709551616
SSCAN small 0 COUNT 0
SSCAN small 0 COUNT -1
SSCAN small 0 COUNT abc
SSCAN small 0 MATCH
SSCAN small 0 FOO 1
SSCAN small 0 TYPE set
SET str x
SSCAN str 0
SSCAN str abc
SSCAN
`},
	)
}
