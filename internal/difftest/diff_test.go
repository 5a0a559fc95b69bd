package difftest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/command"
)

// scriptShards are the shard counts every script runs with: one shard
// (everything under one lock) and several (multi-key commands span
// shards).
var scriptShards = []int{1, 8}

// knownBugs lists mismatches caused by kevy bugs that were reported but
// are not fixed yet, keyed by "script|command line". They are logged
// instead of failing the run; TestScripts fails when one stops
// reproducing, so fixed bugs leave the list.
var knownBugs = map[string]string{}

// TestScripts runs every script on redis-server and on in-process kevy,
// under RESP2 and RESP3, and compares every reply byte for byte.
func TestScripts(t *testing.T) {
	rc := dialRedis(t)
	seen := map[string]bool{}
	ran := map[string]bool{}
	for _, shards := range scriptShards {
		k := newKevy(t, shards)
		runScripts(t, rc, k, fmt.Sprintf("shards=%d", shards), seen, ran)
	}
	for key := range knownBugs {
		if script, _, _ := strings.Cut(key, "|"); ran[script] && !seen[key] {
			t.Errorf("known bug %q no longer reproduces: remove it from knownBugs", key)
		}
	}
}

// runScripts runs all scripts on targets a and b as subtests. Known bugs
// observed are recorded in seen, scripts that ran in ran.
func runScripts(t *testing.T, a, b Target, label string, seen, ran map[string]bool) {
	for _, s := range allScripts() {
		cmds := mustParse(t, s)
		for _, proto := range protos(s) {
			t.Run(fmt.Sprintf("%s/%s/resp%d", s.Name, label, proto), func(t *testing.T) {
				if missing := missingCommands(cmds); len(missing) > 0 {
					t.Skipf("kevy lacks %s", strings.Join(missing, ", "))
				}
				ms, err := RunScript(a, b, s.Name, cmds, proto)
				ran[s.Name] = true
				var fails []*Mismatch
				for _, m := range ms {
					key := s.Name + "|" + m.Cmd.String()
					if why, ok := knownBugs[key]; ok {
						seen[key] = true
						t.Logf("known kevy bug (%s):\n%s", why, m)
						continue
					}
					fails = append(fails, m)
				}
				report(t, fails)
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// coverageAllowlist names registered commands that no script needs to
// exercise, each with the reason. Commands compared by shape only ([type]
// TIME, RANDOMKEY) are covered and do not belong here.
var coverageAllowlist = map[string]string{
	// (empty: every registered command has a differential case)
}

// TestCoverage fails when kevy registers a command that no runnable
// script exercises: every command must come with differential cases.
func TestCoverage(t *testing.T) {
	covered := map[string]bool{}
	names := map[string]bool{}
	for _, s := range allScripts() {
		if names[s.Name] {
			t.Errorf("duplicate script name %q", s.Name)
		}
		names[s.Name] = true
		cmds := mustParse(t, s)
		if len(missingCommands(cmds)) > 0 {
			continue
		}
		for _, c := range cmds {
			covered[c.Name()] = true
		}
	}
	var uncovered []string
	for _, c := range command.All() {
		if strings.Contains(c.Name, "|") {
			continue // subcommand entries: their container is what scripts name
		}
		if covered[c.Name] {
			if _, ok := coverageAllowlist[c.Name]; ok {
				t.Errorf("%s is allowlisted but covered: remove it from coverageAllowlist", c.Name)
			}
			continue
		}
		if _, ok := coverageAllowlist[c.Name]; !ok {
			uncovered = append(uncovered, c.Name)
		}
	}
	sort.Strings(uncovered)
	if len(uncovered) > 0 {
		t.Errorf("registered commands without a differential script: %s", strings.Join(uncovered, " "))
	}
	for name := range coverageAllowlist {
		if command.Lookup([]byte(name)) == nil {
			t.Errorf("allowlisted command %s is not registered", name)
		}
	}
	var list []string
	for name := range covered {
		if isFake(name) {
			continue
		}
		list = append(list, name)
	}
	slices.Sort(list)
	t.Logf("covered: %s", strings.Join(list, " "))
}

// TestScriptsTCP runs every script on redis-server and on kevy's RESP
// server, both over TCP: the same comparison, with the server's protocol
// handling (HELLO, reply buffering) in the path.
func TestScriptsTCP(t *testing.T) {
	rc := dialRedis(t)
	ks, err := StartKevyServer(&kevy.Options{Shards: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Stop()
	kc, err := Dial("kevy-server", ks.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	seen, ran := map[string]bool{}, map[string]bool{}
	runScripts(t, rc, kc, "tcp", seen, ran)
}
