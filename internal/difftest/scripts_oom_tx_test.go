package difftest

// Transactions over the memory limit. The redis-server is shared by
// every test: the script restores the limit it lowers (see
// scripts_config2_test.go).

func init() {
	addScripts(
		// Over the limit under noeviction, Redis 7.0 refuses every command
		// queued inside MULTI with OOM, reads and PING included (queueing
		// takes memory), except EXEC and DISCARD; unknown commands and
		// arity errors are reported first, and the OOM comes before the
		// not-allowed-inside-MULTI errors of WATCH and MULTI. Outside
		// MULTI, reads still run.
		Script{Name: "tx/maxmemory-oom-queue", Src: `
SET mm:a hello
CONFIG SET maxmemory-policy noeviction
CONFIG SET maxmemory 1
MULTI
GET mm:a
PING
ECHO a
DEL mm:a
SELECT 0
WATCH mm:a
MULTI
NOSUCH a
GET
SET mm:b x
EXEC
MULTI
GET mm:a
DISCARD
MULTI
EXEC
GET mm:a
PING
CONFIG SET maxmemory 0
MULTI
GET mm:a
PING
EXEC
DEL mm:a
`},
	)
}
