package difftest

// CONFIG scripts for the maxmemory family, settable at run time. The
// redis-server is shared by every test: each script restores the
// defaults it changed, and limits low enough to make Redis evict are only
// set under noeviction, with nothing else running.

func init() {
	addScripts(
		Script{Name: "config/maxmemory-set-get", Src: `
CONFIG SET maxmemory 100mb
CONFIG GET maxmemory
CONFIG SET maxmemory 10GB
CONFIG GET maxmemory
CONFIG SET maxmemory 2kb
CONFIG SET maxmemory 0
CONFIG SET maxmemory 7K
CONFIG GET maxmemory
CONFIG SET maxmemory 1G
CONFIG GET maxmemory
CONFIG SET maxmemory ""
CONFIG GET maxmemory
CONFIG SET maxmemory 18446744073709551615
CONFIG GET maxmemory
CONFIG SET maxmemory 18446744073709551616
CONFIG GET maxmemory
CONFIG SET maxmemory 99999999999999999999gb
CONFIG GET maxmemory
CONFIG SET maxmemory 1.5mb
CONFIG SET maxmemory -1
CONFIG SET maxmemory abc
CONFIG SET maxmemory " 5"
CONFIG SET maxmemory 5x
CONFIG GET maxmemory
CONFIG SET maxmemory 0
CONFIG GET maxmemory
`},
		Script{Name: "config/maxmemory-policy", Src: `
CONFIG SET maxmemory-policy allkeys-lru
CONFIG GET maxmemory-policy
CONFIG SET maxmemory-policy VOLATILE-TTL
CONFIG GET maxmemory-policy
CONFIG SET maxmemory-policy allkeys-lfu
CONFIG GET maxmemory-policy
CONFIG SET maxmemory-policy volatile-lfu
CONFIG SET maxmemory-policy allkeys-random
CONFIG SET maxmemory-policy volatile-random
CONFIG SET maxmemory-policy volatile-lru
CONFIG GET maxmemory-policy
CONFIG SET maxmemory-policy foo
CONFIG SET maxmemory-policy ""
CONFIG GET maxmemory-policy
CONFIG SET maxmemory-policy noeviction
CONFIG SET maxmemory 100mb maxmemory-policy allkeys-lru
[pairs] CONFIG GET maxmemory maxmemory-policy maxmemory-samples
CONFIG SET maxmemory 1mb maxmemory-policy bogus
[pairs] CONFIG GET maxmemory maxmemory-policy
CONFIG SET maxmemory 0 maxmemory-policy noeviction
[pairs] CONFIG GET maxmemory maxmemory-policy
`},
		Script{Name: "config/maxmemory-tuning", Src: `
[pairs] CONFIG GET maxmemory-samples maxmemory-eviction-tenacity lfu-log-factor lfu-decay-time
CONFIG SET maxmemory-samples 10
CONFIG GET maxmemory-samples
CONFIG SET maxmemory-samples 65
CONFIG GET maxmemory-samples
CONFIG SET maxmemory-samples 0
CONFIG SET maxmemory-samples 2147483648
CONFIG SET maxmemory-samples x
CONFIG SET maxmemory-samples 5
CONFIG SET maxmemory-eviction-tenacity 100
CONFIG GET maxmemory-eviction-tenacity
CONFIG SET maxmemory-eviction-tenacity 101
CONFIG SET maxmemory-eviction-tenacity -1
CONFIG SET maxmemory-eviction-tenacity 10
CONFIG SET lfu-log-factor 0
CONFIG SET lfu-log-factor 2147483647
CONFIG GET lfu-log-factor
CONFIG SET lfu-log-factor -1
CONFIG SET lfu-log-factor 10
CONFIG SET lfu-decay-time 0
CONFIG GET lfu-decay-time
CONFIG SET lfu-decay-time -1
CONFIG SET lfu-decay-time x
CONFIG SET lfu-decay-time 1
CONFIG SET lfu-log-factor 5 lfu-decay-time -1
[pairs] CONFIG GET lfu-*
[pairs] CONFIG GET maxmemory-samples maxmemory-eviction-tenacity lfu-log-factor lfu-decay-time
`},
		// Over the limit under noeviction: writes that may grow memory
		// are refused, reads and deletions go on, and raising the limit
		// lets writes through again. (A limit of 1 byte is under the
		// memory in use on both sides once a key exists.)
		Script{Name: "config/maxmemory-oom", Src: `
SET mm:a hello
CONFIG SET maxmemory-policy noeviction
CONFIG SET maxmemory 1
SET mm:b x
APPEND mm:a x
RPUSH mm:l x
GET mm:a
STRLEN mm:a
EXPIRE mm:a 100
MULTI
SET mm:c x
EXEC
DEL mm:a
CONFIG SET maxmemory 0
SET mm:b x
GET mm:b
DEL mm:b
`},
	)
}
