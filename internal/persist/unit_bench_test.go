package persist

import (
	"testing"
)

// BenchmarkPropagateUnits measures a write command's cost with the
// append-only file on (everysec): a command logged verbatim (the unit's
// last record is appended directly), one logged in effect form (held, then
// appended when the unit ends), and a transaction of three writes in one
// shard (a MULTI ... EXEC block).
func BenchmarkPropagateUnits(b *testing.B) {
	cases := []struct {
		name string
		cmds [][]string
	}{
		{"verbatim", [][]string{{"SET", "key", "value"}}},
		{"effect-form", [][]string{{"SET", "key", "value", "EX", "100"}}},
		{"exec-block", [][]string{{"MULTI"}, {"SET", "{k}1", "v"}, {"SET", "{k}2", "v"}, {"INCR", "{k}3"}, {"EXEC"}}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			d := mustOpen(b, 4, defaultOpts(b.TempDir()), nil)
			defer d.close()
			argv := make([][][]byte, len(tc.cmds))
			for i, c := range tc.cmds {
				for _, a := range c {
					argv[i] = append(argv[i], []byte(a))
				}
			}
			var r replayReply
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				for _, a := range argv {
					d.eng.Exec(d.sess, a, &r)
				}
				d.sess.ClearPending()
			}
		})
	}
}
