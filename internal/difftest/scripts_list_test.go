package difftest

// Scripts for the list commands. The blocking commands are compared where
// they do not block: with data present, on timeouts, inside MULTI, and on
// argument errors.

func init() {
	addScripts(
		Script{Name: "list/push-pop", Src: `
LPUSH l a b c
RPUSH l d e
LRANGE l 0 -1
LPUSHX l x
RPUSHX l y
LPUSHX missing x
RPUSHX missing y
EXISTS missing
LLEN l
LLEN missing
LPOP l
RPOP l
LPOP l 2
RPOP l 2
LPOP l 0
RPOP l 0
LPOP l 100
EXISTS l
LPOP l
LPOP l 0
LPOP l 2
RPOP missing
RPOP missing 3
RPUSH l a
LPOP l -1
LPOP l abc
LPOP l 1.5
LPOP l 1 2
RPOP l 1 2
LPOP l ""
LPOP l 9223372036854775807
EXISTS l
SET str x
LPUSH str a
RPUSH str a
LPUSHX str a
RPUSHX str a
LPOP str
RPOP str 2
LLEN str
LPUSH
LPUSH l
LPOP
RPUSH "bin\x00key" "\x00\xff" ""
LRANGE "bin\x00key" 0 -1
LPOP "bin\x00key" 5
`},
		Script{Name: "list/index-range-set", Src: `
RPUSH l a b c d e f
LINDEX l 0
LINDEX l -1
LINDEX l -6
LINDEX l -7
LINDEX l 6
LINDEX l 5
LINDEX l abc
LINDEX missing abc
LINDEX missing 0
LRANGE l 0 -1
LRANGE l 1 3
LRANGE l -3 -1
LRANGE l -100 100
LRANGE l 4 2
LRANGE l 6 10
LRANGE l -1 -2
LRANGE l 0 0
LRANGE l -9223372036854775808 9223372036854775807
LRANGE l a 1
LRANGE l 1 b
LRANGE missing 0 -1
LRANGE missing a b
LSET l 0 A
LSET l -1 F
LSET l 6 x
LSET l -7 x
LSET l abc x
LSET missing 0 x
LSET missing abc x
LRANGE l 0 -1
LSET l 2 "a much longer element than before, to make it grow in place"
LINDEX l 2
LSET l 2 c
SET str x
LINDEX str 0
LINDEX str abc
LRANGE str 0 -1
LRANGE str a b
LSET str 0 x
LSET str abc x
LLEN l
`},
		Script{Name: "list/insert-rem-trim", Src: `
RPUSH l a b c b a
LINSERT l BEFORE b x
LINSERT l after b y
LINSERT l before zz q
LINSERT l middle a q
LINSERT missing before a q
LINSERT missing middle a q
EXISTS missing
LRANGE l 0 -1
LREM l 0 b
LRANGE l 0 -1
RPUSH r a b a c a d a
LREM r 2 a
LRANGE r 0 -1
LREM r -1 a
LRANGE r 0 -1
LREM r -5 a
LRANGE r 0 -1
LREM r 0 zz
LREM r abc a
LREM missing 1 a
LREM missing abc a
LREM r 0 b
LREM r 0 c
LREM r 0 d
EXISTS r
RPUSH t 0 1 2 3 4 5 6 7 8 9
LTRIM t 1 -2
LRANGE t 0 -1
LTRIM t -3 100
LRANGE t 0 -1
LTRIM t 0 0
LRANGE t 0 -1
LTRIM t 5 1
EXISTS t
LTRIM missing 0 1
LTRIM missing a 1
RPUSH t a b
LTRIM t a 1
LTRIM t 0 b
SET str x
LINSERT str before a b
LINSERT str middle a b
LREM str 0 a
LREM str abc a
LTRIM str 0 1
LTRIM str a b
`},
		Script{Name: "list/lpos", Src: `
RPUSH l a b c a b c a
LPOS l a
LPOS l c
LPOS l z
LPOS l a RANK 2
LPOS l a RANK -1
LPOS l a RANK -2
LPOS l a RANK 4
LPOS l a RANK -4
LPOS l a COUNT 0
LPOS l a COUNT 2
LPOS l a COUNT 2 RANK 2
LPOS l a COUNT 0 RANK -1
LPOS l a COUNT 0 MAXLEN 4
LPOS l a COUNT 0 RANK -1 MAXLEN 2
LPOS l c MAXLEN 2
LPOS l c MAXLEN 3
LPOS l z COUNT 0
LPOS l a RANK 1 RANK 3
LPOS l a rank 9223372036854775807
LPOS l a rank -9223372036854775807
LPOS l a rank -9223372036854775808
LPOS l a RANK 0
LPOS l a RANK abc
LPOS l a COUNT -1
LPOS l a COUNT abc
LPOS l a MAXLEN -1
LPOS l a MAXLEN abc
LPOS l a RANK
LPOS l a COUNT
LPOS l a FOO 1
LPOS l a RANK 0 COUNT -1
LPOS l a COUNT -1 RANK 0
LPOS missing a
LPOS missing a COUNT 0
LPOS missing a COUNT 2
LPOS missing a RANK 0
SET str x
LPOS str a
LPOS str a COUNT 0
LPOS str a RANK 0
LPOS l
`},
		Script{Name: "list/move", Src: `
RPUSH {t}src a b c
LMOVE {t}src {t}dst LEFT RIGHT
LMOVE {t}src {t}dst right left
LRANGE {t}src 0 -1
LRANGE {t}dst 0 -1
LMOVE {t}src {t}src LEFT RIGHT
RPOPLPUSH {t}dst {t}src
LRANGE {t}src 0 -1
LRANGE {t}dst 0 -1
RPOPLPUSH {t}dst {t}src
EXISTS {t}dst
LMOVE {t}missing {t}src LEFT LEFT
RPOPLPUSH {t}missing {t}src
LMOVE {t}src {t}dst MIDDLE LEFT
LMOVE {t}src {t}dst LEFT up
LMOVE {t}missing {t}dst up up
SET {t}str x
LMOVE {t}src {t}str LEFT LEFT
LMOVE {t}str {t}src LEFT LEFT
LMOVE {t}missing {t}str LEFT LEFT
RPOPLPUSH {t}src {t}str
RPOPLPUSH {t}str {t}src
LRANGE {t}src 0 -1
RPUSH {t}one x
LMOVE {t}one {t}one LEFT LEFT
LRANGE {t}one 0 -1
RPOPLPUSH {t}one {t}one
LMOVE {t}one {t}two LEFT LEFT
EXISTS {t}one
LRANGE {t}two 0 -1
RPUSH s1 a b c
LMOVE s1 s2 LEFT LEFT
LMOVE s1 s3 RIGHT RIGHT
LRANGE s1 0 -1
LRANGE s2 0 -1
LRANGE s3 0 -1
`},
		Script{Name: "list/lmpop", Src: `
RPUSH {t}a 1 2 3 4
RPUSH {t}b x y
LMPOP 2 {t}missing {t}a LEFT
LMPOP 2 {t}missing {t}a RIGHT COUNT 2
LMPOP 2 {t}a {t}b left count 10
EXISTS {t}a
LMPOP 2 {t}a {t}b RIGHT COUNT 1
LMPOP 2 {t}a {t}b right
LMPOP 2 {t}a {t}b right
LMPOP 1 {t}a LEFT
LMPOP 1 {t}a LEFT COUNT 1
LMPOP 0 {t}a LEFT
LMPOP -1 {t}a LEFT
LMPOP abc {t}a LEFT
LMPOP 3 {t}a {t}b LEFT
LMPOP 2 {t}a {t}b
LMPOP 9223372036854775807 {t}a LEFT
LMPOP 1 {t}a MIDDLE
LMPOP 1 {t}a LEFT COUNT 0
LMPOP 1 {t}a LEFT COUNT -1
LMPOP 1 {t}a LEFT COUNT abc
LMPOP 1 {t}a LEFT COUNT
LMPOP 1 {t}a LEFT COUNT 1 COUNT 2
LMPOP 1 {t}a LEFT FOO
RPUSH {t}a 1
SET {t}str x
LMPOP 2 {t}str {t}a LEFT
LMPOP 2 {t}missing {t}str LEFT
LMPOP 2 {t}a {t}str LEFT
LMPOP 1 {t}missing LEFT
LMPOP 1
`},
		Script{Name: "list/blocking-nonblocking", Src: `
RPUSH {t}a 1 2 3
BLPOP {t}missing {t}a 0
BRPOP {t}missing {t}a 0
BLPOP {t}a {t}missing 1
BLPOP {t}missing 0.01
BRPOP {t}missing 0.01
BLPOP {t}missing 0x0.1p-4
BLPOP {t}missing abc
BLPOP {t}missing -1
BLPOP {t}missing -0.5
BLPOP {t}missing inf
BLPOP {t}missing nan
BLPOP {t}missing 1e400
BLPOP {t}missing 1e5000
BLPOP {t}missing " 1"
BLPOP {t}missing ""
BLPOP {t}missing 9223372036854775807
BLPOP {t}missing
SET {t}str x
BLPOP {t}str 0
BLPOP {t}missing {t}str 0
BRPOP {t}str 0.01
RPUSH {t}b x y
BRPOPLPUSH {t}b {t}c 0
BLMOVE {t}b {t}c LEFT LEFT 0
EXISTS {t}b
LRANGE {t}c 0 -1
BLMOVE {t}missing {t}c LEFT LEFT 0.01
BRPOPLPUSH {t}missing {t}c 0.01
BLMOVE {t}c {t}str LEFT LEFT 0
BLMOVE {t}str {t}c LEFT LEFT 0
BRPOPLPUSH {t}str {t}c 0
BLMOVE {t}c {t}d MIDDLE LEFT 0
BLMOVE {t}c {t}d LEFT LEFT -1
BLMOVE {t}c {t}d LEFT LEFT abc
BLMOVE {t}c {t}d up LEFT abc
BRPOPLPUSH {t}c {t}d abc
BLMPOP 0 2 {t}missing {t}c LEFT
BLMPOP 0.01 1 {t}missing LEFT
BLMPOP 0 1 {t}c LEFT COUNT 5
RPUSH {t}c 1 2 3
BLMPOP 0 2 {t}missing {t}c RIGHT COUNT 2
BLMPOP -1 1 {t}c LEFT
BLMPOP abc 0 {t}c LEFT
BLMPOP 1 abc {t}c LEFT
BLMPOP 1 1 {t}c up COUNT -5
BLMPOP 1 1 {t}c LEFT COUNT -5
BLMPOP 1 1 {t}c LEFT COUNT 0
BLMPOP 1 2 {t}c LEFT
BLMPOP 1 1 {t}str LEFT
BLMPOP 1 1 {t}c LEFT COUNT 1 COUNT 1
`},
		Script{Name: "list/blocking-in-multi", Src: `
RPUSH {t}c 1
MULTI
BLPOP {t}missing 0
BRPOP {t}missing 0
BLMOVE {t}missing {t}d LEFT LEFT 0
BRPOPLPUSH {t}missing {t}d 0
BLMPOP 0 1 {t}missing LEFT
BLPOP {t}c 0
EXEC
`},
		Script{Name: "list/encoding", Src: `
RPUSH l a b c
OBJECT ENCODING l
TYPE l
`},
	)
}
