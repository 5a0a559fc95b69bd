package difftest

// Scripts for engine-level server commands. WAIT has no replicas to wait
// for on either side: kevy replies at once, redis-server after the
// timeout, with the same reply.

func init() {
	addScripts(
		Script{Name: "server/wait", Src: `
WAIT 0 0
WAIT 1 10
WAIT x 0
WAIT 0 x
WAIT 0 -1
WAIT 0
`},
	)
}
