package command

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/kevydb/kevy/internal/keyspace"
)

// TestConfigSetMemoryEvicts: CONFIG SET maxmemory under the memory in use
// evicts before replying under an allkeys policy, and evicts nothing
// under noeviction, where writes then fail with OOM.
func TestConfigSetMemoryEvicts(t *testing.T) {
	for _, tc := range []struct {
		policy string
		evicts bool
	}{
		{"allkeys-lru", true},
		{"allkeys-random", true},
		{"noeviction", false},
	} {
		t.Run(tc.policy, func(t *testing.T) {
			e := newPubSubEngine(false)
			e.KS.SetEviction(keyspace.EvictionConfig{})
			for i := range 500 {
				psExec(e, "SET", "k"+strconv.Itoa(i), strings.Repeat("v", 100))
			}
			limit := e.KS.UsedMemory() / 2
			if got := psExec(e, "CONFIG", "SET", "maxmemory-policy", tc.policy, "maxmemory", strconv.FormatInt(limit, 10)); got != "+OK" {
				t.Fatalf("CONFIG SET: %s", got)
			}
			n, _ := strconv.Atoi(strings.TrimPrefix(psExec(e, "DBSIZE"), ":"))
			set := psExec(e, "SET", "new", "v")
			if tc.evicts {
				if n >= 500 || e.KS.UsedMemory() > limit || set != "+OK" {
					t.Errorf("DBSIZE %d, used %d, limit %d, SET %s", n, e.KS.UsedMemory(), limit, set)
				}
			} else if n != 500 || set != "!"+WireOOM {
				t.Errorf("DBSIZE %d, SET %s", n, set)
			}
		})
	}
}

// TestConfigRewriteHook: without a rewriter CONFIG REWRITE fails as Redis
// does without a config file; with one, it is handed every setting with
// its value and redis.conf line, and its error is replied.
func TestConfigRewriteHook(t *testing.T) {
	e := newPubSubEngine(false)
	e.KS.SetEviction(keyspace.EvictionConfig{LFUDecayTime: keyspace.DefaultLFUDecayTime})
	if got := psExec(e, "CONFIG", "REWRITE"); got != "!ERR The server is running without a config file" {
		t.Fatalf("no rewriter: %s", got)
	}
	psExec(e, "CONFIG", "SET", "maxmemory", "3gb", "notify-keyspace-events", "KEA", "hash-max-listpack-value", "1536",
		"zset-max-listpack-value", "2kb", "maxmemory-policy", "allkeys-lfu")
	var got []ConfigParam
	e.SetConfigRewriter(func(ps []ConfigParam) error { got = ps; return nil })
	if r := psExec(e, "CONFIG", "REWRITE"); r != "+OK" {
		t.Fatalf("CONFIG REWRITE: %s", r)
	}
	lines := map[string]string{}
	names := map[string]bool{}
	for i, p := range got {
		if i > 0 && got[i-1].Name >= p.Name {
			t.Errorf("not sorted: %s after %s", p.Name, got[i-1].Name)
		}
		lines[p.Name] = p.Line
		names[p.Name] = true
		for _, a := range p.Aliases {
			if names[a] {
				t.Errorf("alias %s listed as a setting", a)
			}
		}
	}
	for name, want := range map[string]string{
		"maxmemory":               "maxmemory 3gb",
		"notify-keyspace-events":  `notify-keyspace-events "AKE"`,
		"hash-max-listpack-value": "hash-max-listpack-value 1536",
		"zset-max-listpack-value": "zset-max-listpack-value 2kb",
		"maxmemory-policy":        "maxmemory-policy allkeys-lfu",
		"list-max-listpack-size":  "list-max-listpack-size -2",
		"lfu-decay-time":          "lfu-decay-time 1",
	} {
		if lines[name] != want {
			t.Errorf("%s: line %q, want %q", name, lines[name], want)
		}
	}
	if names["hash-max-ziplist-entries"] {
		t.Error("an alias is listed as a setting")
	}
	e.SetConfigRewriter(func([]ConfigParam) error { return errors.New("Permission denied") })
	if r := psExec(e, "CONFIG", "REWRITE"); r != "!ERR Rewriting config file: Permission denied" {
		t.Errorf("failing rewriter: %s", r)
	}
	e.SetConfigRewriter(nil)
	if r := psExec(e, "CONFIG", "REWRITE"); r != "!ERR The server is running without a config file" {
		t.Errorf("rewriter removed: %s", r)
	}
}

func TestRewriteValue(t *testing.T) {
	for _, tc := range []struct {
		kind     RewriteKind
		in, want string
	}{
		{RewriteMemory, "0", "0"},
		{RewriteMemory, "1", "1"},
		{RewriteMemory, "1024", "1kb"},
		{RewriteMemory, "1536", "1536"},
		{RewriteMemory, "3145728", "3mb"},
		{RewriteMemory, "1073741824", "1gb"},
		{RewriteMemory, "18446744073709551615", "18446744073709551615"},
		{RewriteQuoted, "", `""`},
		{RewriteQuoted, "AKE", `"AKE"`},
		{RewriteQuoted, "a\"b\\c\n\r\t\a\b\x00\x7f\xc3\xa9 ~", `"a\"b\\c\n\r\t\a\b\x00\x7f\xc3\xa9 ~"`},
		{RewritePlain, "allkeys-lru", "allkeys-lru"},
	} {
		if got := rewriteValue(tc.kind, tc.in); got != tc.want {
			t.Errorf("rewriteValue(%d, %q) = %s, want %s", tc.kind, tc.in, got, tc.want)
		}
	}
}
