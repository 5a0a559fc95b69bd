package difftest

// CONFIG scripts for appendonly and save, which redis-benchmark reads.
// Both sides run without persistence settings changed at run time: the
// shared redis-server has --save '' --appendonly no, kevy's target no
// append-only file. Only values keeping that state are set here; kevy's
// refusal of save points is tested in internal/command.

func init() {
	addScripts(
		Script{Name: "config/appendonly-save", Src: `
CONFIG GET appendonly
CONFIG GET save
CONFIG GET APPENDONLY
[pairs] CONFIG GET appendonly save maxmemory
CONFIG SET appendonly no
CONFIG SET appendonly NO
CONFIG SET appendonly maybe
CONFIG SET appendonly ""
CONFIG GET appendonly
CONFIG SET save ""
CONFIG SET save "  "
CONFIG SET save bogus
CONFIG SET save 3600
CONFIG SET save "0 1"
CONFIG SET save "1 -1"
CONFIG SET save "1a 1"
CONFIG SET save "1 1 2"
CONFIG SET appendonly no save ""
CONFIG SET maxmemory-samples 7 save "x y"
CONFIG GET maxmemory-samples
CONFIG GET save
`},
	)
}
