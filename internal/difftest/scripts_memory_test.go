package difftest

// Scripts for INFO and MEMORY. Their figures differ by design (kevy
// reports its own accounting and Go heap), so values are compared by
// shape, while errors, nils and the argument checks are compared exactly.

func init() {
	addScripts(
		Script{Name: "memory/usage-and-errors", Src: `
MEMORY USAGE nokey
SET k hello
[type] MEMORY USAGE k
[type] MEMORY USAGE k SAMPLES 5
MEMORY USAGE k SAMPLES x
MEMORY USAGE k BOGUS 1
MEMORY USAGE
MEMORY NOSUCH
MEMORY
[type] MEMORY DOCTOR
`},
		Script{Name: "memory/info", Src: `
[type] INFO
[type] INFO keyspace
[type] INFO server memory
INFO nosuchsection
`},
	)
}
