package difftest

// Scripts for the persistence commands. The differential targets run kevy
// in memory (no data directory), where SAVE, BGSAVE and BGREWRITEAOF
// refuse, while the reference redis-server has a --dir and succeeds; so
// only argument errors and reply shapes are compared here. Their
// successful paths are tested against files in internal/persist and the
// root persistence tests, and against redis-server by the RDB/AOF interop
// tests there.

func init() {
	addScripts(
		Script{Name: "persist/argument-errors", Src: `
SAVE x
BGSAVE x
BGSAVE SCHEDULE x
BGREWRITEAOF x
LASTSAVE x
[type] LASTSAVE
`},
	)
}
