package command

import "testing"

// TestConfigPersistSettings: CONFIG GET reports appendonly from the
// engine's propagator and save as ""; CONFIG SET accepts only the current
// values and refuses the rest with Redis's error form.
func TestConfigPersistSettings(t *testing.T) {
	const prefix = "!ERR CONFIG SET failed (possibly related to argument '"
	for _, tc := range []struct {
		name string
		aof  bool
		args []string
		want string
	}{
		{"get-off", false, []string{"CONFIG", "GET", "appendonly"}, "%1 $appendonly $no"},
		{"get-on", true, []string{"CONFIG", "GET", "appendonly"}, "%1 $appendonly $yes"},
		{"get-save", true, []string{"CONFIG", "GET", "save"}, `%1 $save $""`},
		{"set-same-off", false, []string{"CONFIG", "SET", "appendonly", "NO"}, "+OK"},
		{"set-same-on", true, []string{"CONFIG", "SET", "appendonly", "yes"}, "+OK"},
		{"set-change-off", false, []string{"CONFIG", "SET", "appendonly", "yes"},
			prefix + "appendonly') - kevy can't switch the append-only file at runtime (set it when the database opens)"},
		{"set-change-on", true, []string{"CONFIG", "SET", "appendonly", "no"},
			prefix + "appendonly') - kevy can't switch the append-only file at runtime (set it when the database opens)"},
		{"set-bad-bool", false, []string{"CONFIG", "SET", "appendonly", "maybe"},
			prefix + "appendonly') - argument must be 'yes' or 'no'"},
		{"save-empty", false, []string{"CONFIG", "SET", "save", ""}, "+OK"},
		{"save-blank", false, []string{"CONFIG", "SET", "save", "  "}, prefix + "save') - Invalid save parameters"},
		{"save-points", false, []string{"CONFIG", "SET", "save", "3600 1 300 100"},
			prefix + `save') - kevy has no automatic save points (only "" is accepted; it saves on SAVE, BGSAVE and shutdown)`},
		{"save-odd", false, []string{"CONFIG", "SET", "save", "3600"}, prefix + "save') - Invalid save parameters"},
		{"save-zero-secs", false, []string{"CONFIG", "SET", "save", "0 1"}, prefix + "save') - Invalid save parameters"},
		{"save-neg-changes", false, []string{"CONFIG", "SET", "save", "1 -1"}, prefix + "save') - Invalid save parameters"},
		{"save-junk", false, []string{"CONFIG", "SET", "save", "1a 1"}, prefix + "save') - Invalid save parameters"},
		// all or nothing: a refused save restores nothing else changed.
		{"multi-rollback", false, []string{"CONFIG", "SET", "lfu-log-factor", "9", "save", "1 1"},
			prefix + `save') - kevy has no automatic save points (only "" is accepted; it saves on SAVE, BGSAVE and shutdown)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newPubSubEngine(false)
			if tc.aof {
				e.Prop = &recProp{}
			}
			before := psExec(e, "CONFIG", "GET", "lfu-log-factor")
			if got := psExec(e, tc.args...); got != tc.want {
				t.Errorf("%q = %s, want %s", tc.args, got, tc.want)
			}
			if got := psExec(e, "CONFIG", "GET", "lfu-log-factor"); got != before {
				t.Errorf("lfu-log-factor after: %s", got)
			}
		})
	}
	// CONFIG REWRITE leaves them to the program.
	for _, p := range newPubSubEngine(false).ConfigParams(nil) {
		if p.Name == "save" || p.Name == "appendonly" {
			t.Errorf("ConfigParams lists %s", p.Name)
		}
	}
}
