package difftest

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/command"
)

func TestMain(m *testing.M) {
	code := m.Run()
	StopShared()
	os.Exit(code)
}

// scriptSets holds every family's scripts; each scripts_*_test.go file
// adds its own in init.
var scriptSets [][]Script

func addScripts(s ...Script) { scriptSets = append(scriptSets, s) }

func allScripts() []Script {
	var out []Script
	for _, s := range scriptSets {
		out = append(out, s...)
	}
	return out
}

// isFake reports whether name is a deliberately unknown command, used to
// test the unknown-command error. Such names must start with "nosuch"
// (or be empty) so that a real command kevy lacks is never mistaken for
// one.
func isFake(name string) bool { return name == "" || strings.HasPrefix(name, "nosuch") }

// missingCommands lists the commands of cmds that kevy does not
// implement (yet). A script using one is skipped: type-dependent cases
// (WRONGTYPE against a list) switch on when the type's family lands.
func missingCommands(cmds []Cmd) []string {
	var out []string
	for _, c := range cmds {
		if c.Mode == Sleep {
			continue
		}
		name := c.Name()
		if isFake(name) || command.Lookup([]byte(name)) != nil || slices.Contains(out, name) {
			continue
		}
		out = append(out, name)
	}
	return out
}

func mustParse(t testing.TB, s Script) []Cmd {
	t.Helper()
	cmds, err := ParseScript(s.Src)
	if err != nil {
		t.Fatalf("script %s: %v", s.Name, err)
	}
	return cmds
}

func protos(s Script) []int {
	if s.Proto != 0 {
		return []int{s.Proto}
	}
	return []int{2, 3}
}

// dialRedis connects to the shared redis-server.
func dialRedis(t testing.TB) *Conn {
	t.Helper()
	srv := SharedRedis(t)
	c, err := Dial("redis", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// newKevy returns an in-process kevy target with the given shard count.
func newKevy(t testing.TB, shards int) *Kevy {
	t.Helper()
	k := NewKevy(&kevy.Options{Shards: shards})
	t.Cleanup(func() { k.Close() })
	return k
}

// report fails t with every mismatch, quoted.
func report(t testing.TB, ms []*Mismatch) {
	t.Helper()
	const maxShown = 20
	for i, m := range ms {
		if i == maxShown {
			t.Errorf("... and %d more mismatches", len(ms)-maxShown)
			break
		}
		t.Errorf("%s", m)
	}
}

// longArg is a 200-byte argument, longer than the 128 bytes Redis quotes
// in an unknown-command error.
var longArg = strings.Repeat("x", 200)

// repeat returns s repeated n times, for building script lines.
func repeat(s string, n int) string { return strings.Repeat(s, n) }
