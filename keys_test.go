package kevy_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy"
)

// keysT0 is the manual clock's start in the key-command tests.
var keysT0 = time.UnixMilli(1_700_000_000_000)

var keysShardCounts = []int{1, 2, 8, 64}

// keysRender turns a Do result into compact text: +status, "bulk", 12,
// (nil), [a b], or the error's wire text. With sorted, arrays of scalars
// are sorted (for replies whose order is unspecified).
func keysRender(v kevy.Value, err error, sorted bool) string {
	if err != nil {
		return strings.TrimPrefix(err.Error(), "kevy: ")
	}
	return keysRenderValue(v, sorted)
}

func keysRenderValue(v kevy.Value, sorted bool) string {
	switch v.Kind() {
	case kevy.KindNil:
		return "(nil)"
	case kevy.KindStatus:
		return "+" + v.String()
	case kevy.KindBulk:
		return strconv.Quote(v.String())
	case kevy.KindInt:
		return v.String()
	case kevy.KindArray, kevy.KindSet:
		parts := make([]string, 0, v.Len())
		scalars := true
		for _, e := range v.Elems() {
			if k := e.Kind(); k == kevy.KindArray || k == kevy.KindSet || k == kevy.KindMap {
				scalars = false
			}
			parts = append(parts, keysRenderValue(e, sorted))
		}
		if sorted && scalars {
			sort.Strings(parts)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return v.Kind().String() + ":" + v.String()
}

// keysSplit splits a command line on spaces; ” is an empty argument.
func keysSplit(line string) []any {
	var args []any
	for _, f := range strings.Fields(line) {
		if f == "''" {
			f = ""
		}
		args = append(args, f)
	}
	return args
}

// keysRunScript runs "COMMAND args => want" lines against a fresh DB with
// a manual clock at keysT0. A want starting with ~ compares arrays
// sorted. Lines without => must not fail. Pseudo-commands: ADVANCE ms
// moves the clock, USE n switches to logical database n.
func keysRunScript(t *testing.T, shards int, lines []string) {
	t.Helper()
	clk := kevy.NewManualClock(keysT0)
	root := openTest(t, &kevy.Options{Shards: shards, Clock: clk, ManualExpiry: true})
	db := root
	ctx := context.Background()
	for i, line := range lines {
		cmd, want, hasWant := strings.Cut(line, " => ")
		args := keysSplit(cmd)
		switch strings.ToUpper(args[0].(string)) {
		case "ADVANCE":
			ms, _ := strconv.Atoi(args[1].(string))
			clk.Advance(time.Duration(ms) * time.Millisecond)
			continue
		case "USE":
			n, _ := strconv.Atoi(args[1].(string))
			var err error
			if db, err = root.Database(n); err != nil {
				t.Fatalf("line %d: %v", i+1, err)
			}
			continue
		}
		v, err := db.Do(ctx, args...)
		if !hasWant {
			if err != nil {
				t.Fatalf("line %d %q: %v", i+1, line, err)
			}
			continue
		}
		sorted := strings.HasPrefix(want, "~")
		want = strings.TrimPrefix(want, "~")
		if got := keysRender(v, err, sorted); got != want {
			t.Errorf("line %d %q:\n got %s\nwant %s", i+1, cmd, got, want)
		}
	}
}

func keysArity(cmd string) string { return "ERR wrong number of arguments for '" + cmd + "' command" }

var keysScripts = []struct {
	name  string
	lines []string
}{
	{"del unlink", []string{
		"DEL => " + keysArity("del"),
		"UNLINK => " + keysArity("unlink"),
		"DEL missing => 0",
		"SET a 1", "SET b 2", "SET {a}c 3",
		"DEL a a b missing {a}c => 3",
		"EXISTS a b {a}c => 0",
		"SET a 1",
		"UNLINK a a missing => 1",
		"GET a => (nil)",
		"SET e v PX 100",
		"ADVANCE 100",
		"DEL e => 0",
		"UNLINK e => 0",
	}},
	{"exists touch type", []string{
		"EXISTS => " + keysArity("exists"),
		"TOUCH => " + keysArity("touch"),
		"TYPE => " + keysArity("type"),
		"TYPE a b => " + keysArity("type"),
		"SET a 1",
		"EXISTS a a b a => 3",
		"EXISTS b => 0",
		"TOUCH a a b => 2",
		"TYPE a => +string",
		"TYPE b => +none",
		"SET x v PX 10",
		"ADVANCE 10",
		"EXISTS x => 0",
		"TYPE x => +none",
		"TOUCH x => 0",
	}},
	{"expire option errors", []string{
		"SET k v",
		"EXPIRE k => " + keysArity("expire"),
		"PEXPIRE k => " + keysArity("pexpire"),
		"EXPIREAT k => " + keysArity("expireat"),
		"PEXPIREAT k => " + keysArity("pexpireat"),
		"EXPIRE k 10 NX XX => ERR NX and XX, GT or LT options at the same time are not compatible",
		"EXPIRE k 10 nx gt => ERR NX and XX, GT or LT options at the same time are not compatible",
		"PEXPIRE k 10 NX LT => ERR NX and XX, GT or LT options at the same time are not compatible",
		"EXPIREAT k 10 GT LT => ERR GT and LT options at the same time are not compatible",
		"PEXPIREAT k 10 xx gt lt => ERR GT and LT options at the same time are not compatible",
		"EXPIRE missing 10 nx xx => ERR NX and XX, GT or LT options at the same time are not compatible",
		"EXPIRE k 10 foo => ERR Unsupported option foo",
		"EXPIRE k 10 NX foo => ERR Unsupported option foo",
		"EXPIRE k abc foo => ERR Unsupported option foo",
		"EXPIRE k abc => ERR value is not an integer or out of range",
		"EXPIRE missing abc => ERR value is not an integer or out of range",
		"EXPIRE k 1.5 => ERR value is not an integer or out of range",
		"EXPIRE k 10 NX NX => 1",
		"EXPIRE k 10 XX XX GT GT => 0",
		"EXPIRE missing 10 => 0",
		"EXPIRE missing 10 NX => 0",
		"PEXPIRE missing 10 LT => 0",
	}},
	{"expire conditions", []string{
		"SET k v",
		"EXPIRE k 100 XX => 0",
		"EXPIRE k 100 GT => 0",
		"TTL k => -1",
		"EXPIRE k 100 NX => 1",
		"EXPIRE k 200 NX => 0",
		"TTL k => 100",
		"EXPIRE k 50 GT => 0",
		"EXPIRE k 100 GT => 0",
		"EXPIRE k 200 GT => 1",
		"TTL k => 200",
		"EXPIRE k 300 LT => 0",
		"EXPIRE k 200 LT => 0",
		"EXPIRE k 50 LT => 1",
		"TTL k => 50",
		"EXPIRE k 60 XX => 1",
		"EXPIRE k 70 XX GT => 1",
		"TTL k => 70",
		"PEXPIRE k 10000 XX LT => 1",
		"PTTL k => 10000",
		"PEXPIREAT k 1700000020000 GT => 1",
		"PTTL k => 20000",
		"EXPIREAT k 1700000010 LT => 1",
		"PTTL k => 10000",
		"SET p v",
		"EXPIRE p 100 LT => 1",
		"TTL p => 100",
		"SET q v",
		"EXPIRE q -1 GT => 0",
		"EXISTS q => 1",
		"EXPIRE q -1 LT => 1",
		"EXISTS q => 0",
		"SET q v EX 100",
		"EXPIRE q -1 GT => 0",
		"EXPIRE q -1 NX => 0",
		"EXPIRE q -1 LT => 1",
		"EXISTS q => 0",
	}},
	{"expire in the past deletes", []string{
		"SET k v", "EXPIRE k 0 => 1", "EXISTS k => 0",
		"SET k v", "PEXPIRE k -5 => 1", "EXISTS k => 0",
		"SET k v", "EXPIREAT k 0 => 1", "EXISTS k => 0",
		"SET k v", "EXPIREAT k -5 => 1", "EXISTS k => 0",
		"SET k v", "PEXPIREAT k 1700000000000 => 1", "EXISTS k => 0",
		"SET k v", "PEXPIRE k -9223372036854775808 => 1", "EXISTS k => 0",
		"SET k v", "PEXPIREAT k 1700000000001 => 1", "PTTL k => 1",
		"ADVANCE 1", "EXISTS k => 0", "TTL k => -2",
	}},
	{"expire overflow", []string{
		"SET k v",
		"EXPIRE k 9223372036854775807 => ERR invalid expire time in 'expire' command",
		"EXPIRE missing 9223372036854775807 => ERR invalid expire time in 'expire' command",
		"EXPIRE k 9223372036854775 => ERR invalid expire time in 'expire' command",
		"EXPIRE k -9223372036854775808 => ERR invalid expire time in 'expire' command",
		"EXPIRE k -9223372036854776 => ERR invalid expire time in 'expire' command",
		"PEXPIRE k 9223372036854775807 => ERR invalid expire time in 'pexpire' command",
		"EXPIREAT k 9223372036854776 => ERR invalid expire time in 'expireat' command",
		"EXPIRE k 9223372036854775808 => ERR value is not an integer or out of range",
		"EXISTS k => 1",
		"EXPIREAT k 9223372036854775 => 1",
		"PEXPIRETIME k => 9223372036854775000",
		"PEXPIREAT k 9223372036854775807 => 1",
		"PEXPIRETIME k => 9223372036854775807",
	}},
	{"ttl and expiretime", []string{
		"TTL => " + keysArity("ttl"),
		"PTTL a b => " + keysArity("pttl"),
		"EXPIRETIME => " + keysArity("expiretime"),
		"PEXPIRETIME => " + keysArity("pexpiretime"),
		"TTL missing => -2", "PTTL missing => -2",
		"EXPIRETIME missing => -2", "PEXPIRETIME missing => -2",
		"SET k v",
		"TTL k => -1", "PTTL k => -1", "EXPIRETIME k => -1", "PEXPIRETIME k => -1",
		"SET k v PX 1500",
		"TTL k => 2", "PTTL k => 1500",
		"ADVANCE 1", "TTL k => 1", "PTTL k => 1499",
		"ADVANCE 999", "TTL k => 1", "PTTL k => 500",
		"ADVANCE 1", "TTL k => 0", "PTTL k => 499",
		"EXPIRETIME k => 1700000002", "PEXPIRETIME k => 1700000001500",
		"ADVANCE 499", "TTL k => -2", "PTTL k => -2", "GET k => (nil)",
		"SET k v",
		"EXPIREAT k 2000000000 => 1",
		"EXPIRETIME k => 2000000000", "PEXPIRETIME k => 2000000000000",
		"PEXPIREAT k 2000000000499 => 1", "EXPIRETIME k => 2000000000",
		"PEXPIREAT k 2000000000500 => 1", "EXPIRETIME k => 2000000001",
		"SET k v2", "TTL k => -1",
	}},
	{"persist", []string{
		"PERSIST => " + keysArity("persist"),
		"PERSIST missing => 0",
		"SET k v",
		"PERSIST k => 0",
		"EXPIRE k 100 => 1",
		"PERSIST k => 1",
		"TTL k => -1",
		"PERSIST k => 0",
		"ADVANCE 200000",
		"GET k => \"v\"",
	}},
	{"rename", []string{
		"RENAME a => " + keysArity("rename"),
		"RENAMENX a b c => " + keysArity("renamenx"),
		"RENAME a b => ERR no such key",
		"RENAME a a => ERR no such key",
		"RENAMENX a b => ERR no such key",
		"RENAMENX a a => ERR no such key",
		"SET a 1",
		"RENAME a a => +OK",
		"RENAMENX a a => 0",
		"GET a => \"1\"",
		"SET b 2",
		"RENAMENX a b => 0",
		"GET a => \"1\"",
		"RENAME a b => +OK",
		"GET b => \"1\"",
		"EXISTS a => 0",
		"EXPIRE b 100 => 1",
		"RENAME b c => +OK",
		"TTL c => 100",
		"EXISTS b => 0",
		"RENAMENX c d => 1",
		"TTL d => 100",
		"EXISTS c => 0",
		"SET e v EX 50",
		"SET f v",
		"RENAME f e => +OK",
		"TTL e => -1",
		"SET g v PX 10",
		"SET h v PX 10",
		"SET i v",
		"ADVANCE 10",
		"RENAME g x => ERR no such key",
		"RENAMENX i h => 1",
		"SET {t}x 1",
		"RENAME {t}x {t}y => +OK",
		"GET {t}y => \"1\"",
		"DBSIZE => 4",
	}},
	{"copy", []string{
		"COPY a => " + keysArity("copy"),
		"COPY a b => 0",
		"COPY a a => ERR source and destination objects are the same",
		"COPY missing missing => ERR source and destination objects are the same",
		"SET a 1",
		"EXPIRE a 100",
		"COPY a b => 1",
		"TTL b => 100",
		"GET b => \"1\"",
		"COPY a b => 0",
		"SET a 2",
		"EXPIRE a 100",
		"COPY a b REPLACE => 1",
		"GET b => \"2\"",
		"SET b 3",
		"GET a => \"2\"",
		"COPY a a DB 0 => ERR source and destination objects are the same",
		"COPY a a DB 1 => 1",
		"COPY a x DB 16 => ERR DB index is out of range",
		"COPY a x DB -1 => ERR DB index is out of range",
		"COPY a x DB abc => ERR value is not an integer or out of range",
		"COPY a x DB 4294967296 => ERR value is out of range, value must between -2147483648 and 2147483647",
		"COPY a x DB 9223372036854775808 => ERR value is not an integer or out of range",
		"COPY a x DB => ERR syntax error",
		"COPY a x foo => ERR syntax error",
		"COPY a x foo DB 16 => ERR syntax error",
		"COPY a x DB 16 foo => ERR DB index is out of range",
		"COPY a x replace REPLACE => 1",
		"COPY a y DB 0 db 1 => 1",
		"EXISTS y => 0",
		"USE 1",
		"EXISTS y a => 2",
		"TTL a => 100",
		"USE 0",
		"SET n v",
		"COPY n b REPLACE => 1",
		"TTL b => -1",
		"SET z v PX 10",
		"ADVANCE 10",
		"COPY z w => 0",
		"COPY n z => 1",
	}},
	{"move", []string{
		"MOVE a => " + keysArity("move"),
		"MOVE a 0 => ERR source and destination objects are the same",
		"MOVE a 16 => ERR DB index is out of range",
		"MOVE a -1 => ERR DB index is out of range",
		"MOVE a abc => ERR value is not an integer or out of range",
		"MOVE a 4294967296 => ERR value is out of range, value must between -2147483648 and 2147483647",
		"MOVE a -2147483649 => ERR value is out of range, value must between -2147483648 and 2147483647",
		"MOVE a 2147483647 => ERR DB index is out of range",
		"MOVE a 1 => 0",
		"SET a 1",
		"EXPIRE a 100",
		"MOVE a 1 => 1",
		"EXISTS a => 0",
		"USE 1",
		"GET a => \"1\"",
		"TTL a => 100",
		"MOVE a 0 => 1",
		"USE 0",
		"TTL a => 100",
		"SET b x",
		"USE 1",
		"SET b y",
		"USE 0",
		"MOVE b 1 => 0",
		"GET b => \"x\"",
	}},
	{"keys", []string{
		"KEYS => " + keysArity("keys"),
		"KEYS a b => " + keysArity("keys"),
		"KEYS * => []",
		"SET hello 1", "SET hallo 1", "SET hxllo 1", "SET heeello 1", "SET '' 1",
		`KEYS * => ~["" "hallo" "heeello" "hello" "hxllo"]`,
		`KEYS ** => ~["hallo" "heeello" "hello" "hxllo"]`,
		`KEYS h?llo => ~["hallo" "hello" "hxllo"]`,
		`KEYS h[ae]llo => ~["hallo" "hello"]`,
		`KEYS h[^e]llo => ~["hallo" "hxllo"]`,
		`KEYS h*llo => ~["hallo" "heeello" "hello" "hxllo"]`,
		`KEYS hello => ["hello"]`,
		`KEYS nope => []`,
		`KEYS '' => [""]`,
		"SET t v PX 5", "SET t2 v PX 5",
		`KEYS t* => ~["t" "t2"]`,
		"ADVANCE 5",
		"KEYS t* => []",
		"KEYS t => []",
	}},
	{"scan", []string{
		"SCAN => " + keysArity("scan"),
		"SCAN x => ERR invalid cursor",
		"SCAN 1x => ERR invalid cursor",
		"SCAN 18446744073709551616 => ERR invalid cursor",
		"SCAN x foo => ERR invalid cursor",
		"SCAN 0 COUNT 0 => ERR syntax error",
		"SCAN 0 COUNT -1 => ERR syntax error",
		"SCAN 0 COUNT x => ERR value is not an integer or out of range",
		"SCAN 0 COUNT => ERR syntax error",
		"SCAN 0 MATCH => ERR syntax error",
		"SCAN 0 TYPE => ERR syntax error",
		"SCAN 0 foo bar => ERR syntax error",
		`SCAN 0 => ["0" []]`,
		"SET a 1", "SET b 2", "SET {a}c 3",
		`SCAN 0 => ~["0" ["a" "b" "{a}c"]]`,
		`SCAN '' => ~["0" ["a" "b" "{a}c"]]`,
		`SCAN +0 => ~["0" ["a" "b" "{a}c"]]`,
		`SCAN 0 MATCH {* => ["0" ["{a}c"]]`,
		`SCAN 0 MATCH * => ~["0" ["a" "b" "{a}c"]]`,
		`SCAN 0 MATCH '' => ["0" []]`,
		`SCAN 0 TYPE string => ~["0" ["a" "b" "{a}c"]]`,
		`SCAN 0 TYPE STRING => ~["0" ["a" "b" "{a}c"]]`,
		`SCAN 0 TYPE list => ["0" []]`,
		`SCAN 0 TYPE foo => ["0" []]`,
		`SCAN 0 COUNT 1000 MATCH a TYPE string => ["0" ["a"]]`,
		`SCAN 0 COUNT 9223372036854775807 => ~["0" ["a" "b" "{a}c"]]`,
		"SET x v PX 5",
		"ADVANCE 5",
		`SCAN 0 COUNT 100 => ~["0" ["a" "b" "{a}c"]]`,
	}},
	{"randomkey dbsize", []string{
		"RANDOMKEY x => " + keysArity("randomkey"),
		"DBSIZE x => " + keysArity("dbsize"),
		"RANDOMKEY => (nil)",
		"DBSIZE => 0",
		"SET a 1",
		`RANDOMKEY => "a"`,
		"DBSIZE => 1",
		"SET b 1 PX 5",
		"DBSIZE => 2",
		"ADVANCE 5",
		`RANDOMKEY => "a"`,
		"DEL a => 1",
		"RANDOMKEY => (nil)",
		"DBSIZE => 0",
	}},
	{"flush swapdb select", []string{
		"FLUSHDB foo => ERR syntax error",
		"FLUSHDB ASYNC SYNC => ERR syntax error",
		"FLUSHALL foo => ERR syntax error",
		"SET a 1", "USE 1", "SET b 2", "USE 0",
		"FLUSHDB => +OK",
		"DBSIZE => 0",
		"USE 1", "DBSIZE => 1", "USE 0",
		"SET a 1",
		"FLUSHDB async => +OK",
		"FLUSHDB SYNC => +OK",
		"FLUSHALL ASYNC => +OK",
		"FLUSHALL sync => +OK",
		"USE 1", "DBSIZE => 0", "USE 0",
		"SET a 1", "EXPIRE a 100",
		"FLUSHALL => +OK",
		"SET a 1", "EXPIRE a 100",
		"SWAPDB 0 1 => +OK",
		"EXISTS a => 0",
		"USE 1", `GET a => "1"`, "TTL a => 100", "USE 0",
		"SWAPDB => " + keysArity("swapdb"),
		"SWAPDB 0 => " + keysArity("swapdb"),
		"SWAPDB 0 16 => ERR DB index is out of range",
		"SWAPDB -1 0 => ERR DB index is out of range",
		"SWAPDB a 1 => ERR invalid first DB index",
		"SWAPDB a b => ERR invalid first DB index",
		"SWAPDB 0 a => ERR invalid second DB index",
		"SWAPDB 4294967296 0 => ERR invalid first DB index",
		"SWAPDB 0 0 => +OK",
		"SWAPDB 1 0 => +OK",
		`GET a => "1"`,
		"SELECT => " + keysArity("select"),
		"SELECT 16 => ERR DB index is out of range",
		"SELECT -1 => ERR DB index is out of range",
		"SELECT a => ERR value is not an integer or out of range",
		"SELECT 4294967296 => ERR value is out of range, value must between -2147483648 and 2147483647",
		"SELECT 1.0 => ERR value is not an integer or out of range",
		"SELECT 15 => +OK",
		"SELECT 0 => +OK",
	}},
	{"object", []string{
		"OBJECT => " + keysArity("object"),
		"OBJECT HELP x => " + keysArity("object|help"),
		"OBJECT foo => ERR unknown subcommand 'foo'. Try OBJECT HELP.",
		"object foo k => ERR unknown subcommand 'foo'. Try OBJECT HELP.",
		"OBJECT encoding => " + keysArity("object|encoding"),
		"OBJECT ENCODING k x => " + keysArity("object|encoding"),
		"OBJECT FREQ => " + keysArity("object|freq"),
		"OBJECT IDLETIME => " + keysArity("object|idletime"),
		"OBJECT REFCOUNT a b => " + keysArity("object|refcount"),
		"OBJECT ENCODING missing => (nil)",
		"OBJECT REFCOUNT missing => (nil)",
		"OBJECT IDLETIME missing => (nil)",
		"OBJECT FREQ missing => (nil)",
		"SET n 100",
		`OBJECT ENCODING n => "int"`,
		"OBJECT REFCOUNT n => 2147483647",
		"SET n 10000", `OBJECT ENCODING n => "int"`, "OBJECT REFCOUNT n => 1",
		"SET n -1", `OBJECT ENCODING n => "int"`, "OBJECT REFCOUNT n => 1",
		"SET n -9223372036854775808", `OBJECT ENCODING n => "int"`,
		"SET n 12345678901234567890", `OBJECT ENCODING n => "embstr"`,
		"SET n 01", `OBJECT ENCODING n => "embstr"`,
		"SET n -0", `OBJECT ENCODING n => "embstr"`,
		"SET n +1", `OBJECT ENCODING n => "embstr"`,
		"SET n ''", `OBJECT ENCODING n => "embstr"`,
		"SET n " + strings.Repeat("x", 44), `OBJECT ENCODING n => "embstr"`, "OBJECT REFCOUNT n => 1",
		"SET n " + strings.Repeat("x", 45), `OBJECT ENCODING n => "raw"`,
		"SET n 100",
		"OBJECT FREQ n => ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
		"OBJECT IDLETIME n => 0",
		"ADVANCE 10000",
		"OBJECT IDLETIME n => 10",
		"TTL n => -1", "PTTL n => -1", "TYPE n => +string", "EXISTS n => 1",
		"OBJECT ENCODING n", "EXPIRETIME n => -1",
		"OBJECT IDLETIME n => 10",
		`GET n => "100"`,
		"OBJECT IDLETIME n => 0",
		"ADVANCE 5000",
		"EXPIRE n 100 => 1",
		"OBJECT IDLETIME n => 0",
		"ADVANCE 3000",
		"TOUCH n => 1",
		"OBJECT IDLETIME n => 0",
		"ADVANCE 3000",
		"PERSIST n => 1",
		"object idletime n => 0",
	}},
	{"ping echo time", []string{
		"PING => +PONG",
		`PING hi => "hi"`,
		"PING a b => " + keysArity("ping"),
		"ECHO => " + keysArity("echo"),
		"ECHO a b => " + keysArity("echo"),
		`ECHO x => "x"`,
		`ECHO '' => ""`,
		"TIME x => " + keysArity("time"),
		`TIME => ["1700000000" "0"]`,
		"ADVANCE 1234",
		`TIME => ["1700000001" "234000"]`,
	}},
}

func TestKeyCommandScripts(t *testing.T) {
	for _, shards := range keysShardCounts {
		for _, sc := range keysScripts {
			t.Run(fmt.Sprintf("shards=%d/%s", shards, sc.name), func(t *testing.T) {
				keysRunScript(t, shards, sc.lines)
			})
		}
	}
}

func TestObjectHelp(t *testing.T) {
	db := openTest(t, nil)
	v, err := db.Do(context.Background(), "object", "help")
	if err != nil {
		t.Fatal(err)
	}
	if v.Len() != 15 {
		t.Fatalf("OBJECT HELP has %d lines, want 15", v.Len())
	}
	first, last := v.Elems()[0], v.Elems()[14]
	if first.Kind() != kevy.KindStatus || first.String() != "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" {
		t.Errorf("first line %v %q", first.Kind(), first)
	}
	if last.String() != "    Prints this help." {
		t.Errorf("last line %q", last)
	}
}

func TestKeyErrorsMapToSentinels(t *testing.T) {
	db := openTest(t, nil)
	ctx := context.Background()
	db.Do(ctx, "SET", "k", "v")
	cases := []struct {
		args []any
		want error
	}{
		{[]any{"RENAME", "nope", "x"}, kevy.ErrNoSuchKey},
		{[]any{"EXPIRE", "k", "1", "NX", "XX"}, kevy.ErrSyntax},
		{[]any{"EXPIRE", "k", "1", "GT", "LT"}, kevy.ErrSyntax},
		{[]any{"EXPIRE", "k", "1", "BAD"}, kevy.ErrSyntax},
		{[]any{"EXPIRE", "k", "9223372036854775807"}, kevy.ErrInvalidArgument},
		{[]any{"COPY", "k", "k"}, kevy.ErrInvalidArgument},
		{[]any{"MOVE", "k", "0"}, kevy.ErrInvalidArgument},
		{[]any{"MOVE", "k", "99"}, kevy.ErrInvalidDB},
		{[]any{"SELECT", "99"}, kevy.ErrInvalidDB},
		{[]any{"SWAPDB", "x", "0"}, kevy.ErrInvalidDB},
		{[]any{"SCAN", "x"}, kevy.ErrInvalidArgument},
		{[]any{"SCAN", "0", "COUNT", "0"}, kevy.ErrSyntax},
		{[]any{"OBJECT", "nope"}, kevy.ErrUnknownCommand},
	}
	for _, c := range cases {
		if _, err := db.Do(ctx, c.args...); !errors.Is(err, c.want) {
			t.Errorf("%v: %v, want %v", c.args, err, c.want)
		}
	}
}

func TestKeysTypedAPI(t *testing.T) {
	for _, shards := range keysShardCounts {
		t.Run(fmt.Sprintf("shards=%d", shards), func(t *testing.T) {
			clk := kevy.NewManualClock(keysT0)
			db := openTest(t, &kevy.Options{Shards: shards, Clock: clk, ManualExpiry: true})
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			for _, k := range []string{"a", "b", "c", "{a}d"} {
				must(db.Set(k, []byte("v-"+k)))
			}
			if n, err := db.Exists("a", "a", "zz", "{a}d"); n != 3 || err != nil {
				t.Errorf("Exists = %d, %v", n, err)
			}
			if n, err := db.Touch("a", "zz"); n != 1 || err != nil {
				t.Errorf("Touch = %d, %v", n, err)
			}
			if typ, _ := db.Type("a"); typ != "string" {
				t.Errorf("Type(a) = %q", typ)
			}
			if typ, _ := db.Type("zz"); typ != "none" {
				t.Errorf("Type(zz) = %q", typ)
			}
			if n, err := db.Del("c", "c", "zz"); n != 1 || err != nil {
				t.Errorf("Del = %d, %v", n, err)
			}
			if n, _ := db.Del(); n != 0 {
				t.Errorf("Del() = %d", n)
			}

			// TTLs.
			if d, _ := db.TTL("zz"); d != kevy.TTLMissing {
				t.Errorf("TTL missing = %v", d)
			}
			if d, _ := db.TTL("a"); d != kevy.TTLPersistent {
				t.Errorf("TTL persistent = %v", d)
			}
			if ok, err := db.Expire("a", 10*time.Second); !ok || err != nil {
				t.Errorf("Expire = %v, %v", ok, err)
			}
			if ok, _ := db.Expire("zz", time.Second); ok {
				t.Error("Expire on a missing key reported true")
			}
			if d, _ := db.TTL("a"); d != 10*time.Second {
				t.Errorf("TTL = %v", d)
			}
			if ok, _ := db.ExpireArgs("a", 5*time.Second, kevy.ExpireOpts{GT: true}); ok {
				t.Error("GT with an earlier deadline applied")
			}
			if ok, _ := db.ExpireArgs("a", 5*time.Second, kevy.ExpireOpts{LT: true}); !ok {
				t.Error("LT with an earlier deadline not applied")
			}
			if ok, _ := db.ExpireArgs("b", 5*time.Second, kevy.ExpireOpts{XX: true}); ok {
				t.Error("XX applied to a key without TTL")
			}
			if _, err := db.ExpireArgs("b", time.Second, kevy.ExpireOpts{NX: true, GT: true}); !errors.Is(err, kevy.ErrSyntax) {
				t.Errorf("NX+GT: %v", err)
			}
			if _, err := db.ExpireAtArgs("b", keysT0, kevy.ExpireOpts{GT: true, LT: true}); !errors.Is(err, kevy.ErrSyntax) {
				t.Errorf("GT+LT: %v", err)
			}
			if ok, _ := db.ExpireAt("b", keysT0.Add(time.Minute)); !ok {
				t.Error("ExpireAt failed")
			}
			if d, _ := db.TTL("b"); d != time.Minute {
				t.Errorf("TTL after ExpireAt = %v", d)
			}
			if ok, _ := db.Persist("b"); !ok {
				t.Error("Persist failed")
			}
			if ok, _ := db.Persist("b"); ok {
				t.Error("Persist twice reported true")
			}
			clk.Advance(5 * time.Second)
			if n, _ := db.Exists("a"); n != 0 {
				t.Error("a did not expire")
			}
			must(db.Set("x", []byte("1")))
			if ok, _ := db.Expire("x", 0); !ok {
				t.Error("Expire 0 did not report the deletion")
			}
			if n, _ := db.Exists("x"); n != 0 {
				t.Error("Expire 0 did not delete")
			}
			must(db.Set("x", []byte("1")))
			if ok, _ := db.ExpireAt("x", time.Time{}); !ok {
				t.Error("ExpireAt(zero) did not delete")
			}

			// Rename, Copy, Move.
			if err := db.Rename("zz", "yy"); !errors.Is(err, kevy.ErrNoSuchKey) {
				t.Errorf("Rename missing: %v", err)
			}
			db.Expire("b", time.Hour)
			must(db.Rename("b", "b2"))
			if d, _ := db.TTL("b2"); d != time.Hour {
				t.Errorf("TTL after Rename = %v", d)
			}
			must(db.Rename("b2", "b2"))
			if ok, _ := db.RenameNX("b2", "{a}d"); ok {
				t.Error("RenameNX over an existing key")
			}
			if ok, _ := db.RenameNX("b2", "b3"); !ok {
				t.Error("RenameNX failed")
			}
			if ok, err := db.Copy("b3", "b3", false); ok || !errors.Is(err, kevy.ErrInvalidArgument) {
				t.Errorf("Copy onto itself: %v %v", ok, err)
			}
			if ok, _ := db.Copy("b3", "c3", false); !ok {
				t.Error("Copy failed")
			}
			if ok, _ := db.Copy("b3", "c3", false); ok {
				t.Error("Copy without replace overwrote")
			}
			if ok, _ := db.Copy("b3", "c3", true); !ok {
				t.Error("Copy with replace failed")
			}
			if _, err := db.CopyToDB("b3", 16, "c3", false); !errors.Is(err, kevy.ErrInvalidDB) {
				t.Errorf("CopyToDB 16: %v", err)
			}
			if ok, _ := db.CopyToDB("b3", 2, "b3", false); !ok {
				t.Error("CopyToDB failed")
			}
			db2, _ := db.Database(2)
			if v, _ := db2.Get("b3"); string(v) != "v-b" {
				t.Errorf("copied value %q", v)
			}
			if ok, _ := db.Move("b3", 2); ok {
				t.Error("Move over an existing key")
			}
			if _, err := db.Move("b3", 0); !errors.Is(err, kevy.ErrInvalidArgument) {
				t.Errorf("Move to self: %v", err)
			}
			if _, err := db.Move("b3", -1); !errors.Is(err, kevy.ErrInvalidDB) {
				t.Errorf("Move -1: %v", err)
			}
			if ok, _ := db.Move("c3", 3); !ok {
				t.Error("Move failed")
			}
			db3, _ := db.Database(3)
			if d, _ := db3.TTL("c3"); d != time.Hour {
				t.Errorf("TTL after Move = %v", d)
			}

			// Keys, Scan, RandomKey, DBSize.
			keys, _ := db.Keys("*")
			slices.Sort(keys)
			want := []string{"b3", "{a}d"}
			if !slices.Equal(keys, want) {
				t.Errorf("Keys = %q, want %q", keys, want)
			}
			var scanned []string
			for k := range db.ScanAll("") {
				scanned = append(scanned, k)
			}
			slices.Sort(scanned)
			if !slices.Equal(scanned, want) {
				t.Errorf("ScanAll = %q", scanned)
			}
			scanned = scanned[:0]
			for k := range db.ScanAll("{*") {
				scanned = append(scanned, k)
			}
			if !slices.Equal(scanned, []string{"{a}d"}) {
				t.Errorf("ScanAll({*) = %q", scanned)
			}
			if k, err := db.RandomKey(); err != nil || !slices.Contains(want, k) {
				t.Errorf("RandomKey = %q, %v", k, err)
			}
			if n, _ := db.DBSize(); n != 2 {
				t.Errorf("DBSize = %d", n)
			}

			// SwapDB, FlushDB, FlushAll.
			must(db.SwapDB(0, 3))
			if n, _ := db.DBSize(); n != 1 {
				t.Errorf("DBSize after SwapDB = %d", n)
			}
			if err := db.SwapDB(0, 16); !errors.Is(err, kevy.ErrInvalidDB) {
				t.Errorf("SwapDB 16: %v", err)
			}
			must(db.FlushDB())
			if n, _ := db.DBSize(); n != 0 {
				t.Errorf("DBSize after FlushDB = %d", n)
			}
			if n, _ := db3.DBSize(); n != 2 {
				t.Errorf("db3 DBSize = %d", n)
			}
			if _, err := db.RandomKey(); !errors.Is(err, kevy.ErrNil) {
				t.Errorf("RandomKey on empty: %v", err)
			}
			must(db.FlushAll())
			if n, _ := db3.DBSize(); n != 0 {
				t.Errorf("db3 DBSize after FlushAll = %d", n)
			}

			db.Close()
			if _, err := db.Del("a"); !errors.Is(err, kevy.ErrClosed) {
				t.Errorf("after Close: %v", err)
			}
			if _, _, err := db.Scan(0, "", 0); !errors.Is(err, kevy.ErrClosed) {
				t.Errorf("Scan after Close: %v", err)
			}
		})
	}
}

// TestScanGuarantee checks SCAN's promise at the database level: every
// key present for the whole iteration is returned at least once, even
// though other keys are inserted and deleted between calls (making the
// shard tables grow, then shrink).
func TestScanGuarantee(t *testing.T) {
	for _, shards := range keysShardCounts {
		for _, viaDo := range []bool{false, true} {
			t.Run(fmt.Sprintf("shards=%d/do=%v", shards, viaDo), func(t *testing.T) {
				db := openTest(t, &kevy.Options{Shards: shards, ManualExpiry: true})
				ctx := context.Background()
				const stable = 1000
				for i := range stable {
					if err := db.Set("stable:"+strconv.Itoa(i), []byte("v")); err != nil {
						t.Fatal(err)
					}
				}
				seen := make(map[string]bool)
				var churn []string
				next := 0
				growing := true
				cursor := uint64(0)
				calls := 0
				for {
					var keys []string
					if viaDo {
						v, err := db.Do(ctx, "SCAN", cursor, "COUNT", 5)
						if err != nil {
							t.Fatal(err)
						}
						c, _ := strconv.ParseUint(v.Elems()[0].String(), 10, 64)
						cursor = c
						for _, e := range v.Elems()[1].Elems() {
							keys = append(keys, e.String())
						}
					} else {
						var err error
						keys, cursor, err = db.Scan(cursor, "", 5)
						if err != nil {
							t.Fatal(err)
						}
					}
					calls++
					for _, k := range keys {
						if !strings.HasPrefix(k, "stable:") && !strings.HasPrefix(k, "churn:") {
							t.Fatalf("unexpected key %q", k)
						}
						seen[k] = true
					}
					if cursor == 0 {
						break
					}
					// Grow to 6000 churn keys, shrink back to none, repeat.
					if growing {
						for range 60 {
							k := "churn:" + strconv.Itoa(next)
							next++
							db.Set(k, nil)
							churn = append(churn, k)
						}
						growing = len(churn) < 6000
					} else {
						n := min(len(churn), 120)
						db.Del(churn[:n]...)
						churn = churn[n:]
						growing = len(churn) == 0
					}
					if calls > 1_000_000 {
						t.Fatal("scan does not terminate")
					}
				}
				for i := range stable {
					if k := "stable:" + strconv.Itoa(i); !seen[k] {
						t.Fatalf("stable key %s never returned (%d calls)", k, calls)
					}
				}
			})
		}
	}
}

// TestMultiKeyCommandsConcurrent runs cross-shard RENAME, COPY, DEL and
// EXISTS from several goroutines: they must neither deadlock nor race,
// and RENAME must never lose the key it moves around.
func TestMultiKeyCommandsConcurrent(t *testing.T) {
	db := openTest(t, &kevy.Options{Shards: 8})
	ctx := context.Background()
	names := []string{"r0", "r1", "r2", "r3", "r4", "r5"}
	db.Set(names[0], []byte("token"))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for range 2000 {
				a, b := names[r.IntN(len(names))], names[r.IntN(len(names))]
				switch r.IntN(4) {
				case 0:
					db.Do(ctx, "RENAME", a, b)
				case 1:
					db.RenameNX(a, b)
				case 2:
					db.Do(ctx, "COPY", a, "c-"+b, "REPLACE")
					db.Del("c-"+a, "c-"+b)
				default:
					db.Exists(a, b, "c-"+a)
				}
			}
		}()
	}
	wg.Wait()
	if n, _ := db.Exists(names...); n != 1 {
		t.Fatalf("token key count = %d, want 1", n)
	}
}
