package command

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/clock"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/resp"
)

func newMemEnv(t *testing.T, cfg keyspace.EvictionConfig) *strEnv {
	t.Helper()
	man := clock.NewManual(time.UnixMilli(strT0))
	clk := clock.FromFunc(man.NowMs)
	ks := keyspace.New(keyspace.Config{Shards: 4, Databases: 16, Clock: clk})
	ks.SetEviction(cfg)
	return &strEnv{t: t, ks: ks, eng: NewEngine(ks, clk), man: man, s: NewSession(0), w: resp.NewWriter(nil, 0)}
}

func TestBytesToHuman(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0B"}, {1023, "1023B"}, {1024, "1.00K"}, {1536, "1.50K"},
		{1 << 20, "1.00M"}, {1680680, "1.60M"}, {16 << 30, "16.00G"}, {3 << 40, "3.00T"}, {5 << 50, "5.00P"},
	} {
		if got := BytesToHuman(c.n); got != c.want {
			t.Errorf("BytesToHuman(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// TestOOMReply: over the limit under noeviction, DENYOOM commands get
// Redis's OOM error (RESP) and the others run.
func TestOOMReply(t *testing.T) {
	e := newMemEnv(t, keyspace.EvictionConfig{MaxMemory: 4096, Policy: keyspace.NoEviction})
	for i := 0; i < 40; i++ {
		e.do("SET", "k"+strconv.Itoa(i), strings.Repeat("x", 100))
	}
	if !e.eng.KS.OverLimit() {
		t.Fatalf("not over the limit: %d", e.eng.KS.UsedMemory())
	}
	const oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n"
	for _, args := range [][]string{{"SET", "x", "1"}, {"RPUSH", "l", "a"}, {"INCR", "n"}, {"COPY", "k0", "k0c"}} {
		if got := e.do(args...); got != oom {
			t.Errorf("%v = %q", args, got)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"GET", "k0"}, "$100\r\n" + strings.Repeat("x", 100) + "\r\n"},
		{[]string{"DEL", "k0", "k1"}, ":2\r\n"},
		{[]string{"EXPIRE", "k2", "10"}, ":1\r\n"},
		{[]string{"PING"}, "+PONG\r\n"},
	} {
		if got := e.do(c.args...); got != c.want {
			t.Errorf("%v = %q, want %q", c.args, got, c.want)
		}
	}
	if e.eng.DenyOOM() != e.eng.KS.OverLimit() {
		t.Error("DenyOOM disagrees with OverLimit under noeviction")
	}
}

// TestObjectFreqIdle: OBJECT FREQ and IDLETIME follow the policy, with
// Redis's errors.
func TestObjectFreqIdle(t *testing.T) {
	lru := newMemEnv(t, keyspace.EvictionConfig{Policy: keyspace.AllKeysLRU})
	lru.do("SET", "k", "v")
	lru.man.Advance(7 * time.Second)
	if got := lru.do("OBJECT", "IDLETIME", "k"); got != ":7\r\n" {
		t.Errorf("IDLETIME = %q", got)
	}
	if got := lru.do("OBJECT", "FREQ", "k"); got != "-"+wireLFUNotSet+"\r\n" {
		t.Errorf("FREQ under LRU = %q", got)
	}
	lfu := newMemEnv(t, keyspace.EvictionConfig{Policy: keyspace.VolatileLFU, LFULogFactor: 0, LFUDecayTime: 1})
	lfu.do("SET", "k", "v")
	if got := lfu.do("OBJECT", "FREQ", "k"); got != ":5\r\n" {
		t.Errorf("FREQ of a new key = %q", got)
	}
	lfu.do("GET", "k")
	lfu.do("GET", "k")
	if got := lfu.do("OBJECT", "FREQ", "k"); got != ":7\r\n" { // log factor 0: +1 per access
		t.Errorf("FREQ after two reads = %q", got)
	}
	lfu.man.Advance(2 * time.Minute)
	if got := lfu.do("OBJECT", "FREQ", "k"); got != ":5\r\n" { // decayed by one per minute
		t.Errorf("FREQ two minutes later = %q", got)
	}
	if got := lfu.do("OBJECT", "IDLETIME", "k"); got != "-"+wireLFUSet+"\r\n" {
		t.Errorf("IDLETIME under LFU = %q", got)
	}
}

// TestInfoSections: INFO's text layout and section selection, RESP2 bulk
// and RESP3 verbatim.
func TestInfoSections(t *testing.T) {
	e := newMemEnv(t, keyspace.EvictionConfig{MaxMemory: 1 << 30, Policy: keyspace.AllKeysLRU})
	e.do("SET", "a", "1")
	e.do("SET", "b", "2", "EX", "100")
	got := e.do("INFO", "keyspace")
	body := "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=100000\r\n"
	if want := "$" + strconv.Itoa(len(body)) + "\r\n" + body + "\r\n"; got != want {
		t.Errorf("INFO keyspace = %q, want %q", got, want)
	}
	got = e.doProto(3, "INFO", "KEYSPACE")
	if want := "=" + strconv.Itoa(len(body)+4) + "\r\ntxt:" + body + "\r\n"; got != want {
		t.Errorf("RESP3 INFO keyspace = %q, want %q", got, want)
	}
	got = e.do("INFO", "memory", "server")
	if !strings.Contains(got, "# Server\r\n") || !strings.Contains(got, "\r\n\r\n# Memory\r\n") ||
		strings.Index(got, "# Server") > strings.Index(got, "# Memory") {
		t.Errorf("INFO memory server: sections out of order:\n%s", got)
	}
	for _, f := range []string{"maxmemory:1073741824\r\n", "maxmemory_human:1.00G\r\n", "maxmemory_policy:allkeys-lru\r\n", "redis_version:7.0.15\r\n"} {
		if !strings.Contains(got, f) {
			t.Errorf("INFO lacks %q", f)
		}
	}
	if got := e.do("INFO", "nosuch"); got != "$0\r\n\r\n" {
		t.Errorf("INFO nosuch = %q", got)
	}
}

func TestMemoryDoctorVerdicts(t *testing.T) {
	for _, c := range []struct {
		r    MemoryReport
		want string
	}{
		{MemoryReport{Used: 1 << 20}, "Hi Sam, this instance is empty"},
		{MemoryReport{Used: 100 << 20, Peak: 110 << 20, GoTotal: 120 << 20}, "Hi Sam, I can't find any memory issue"},
		{MemoryReport{Used: 100 << 20, Peak: 200 << 20, GoTotal: 120 << 20}, "Peak memory"},
		{MemoryReport{Used: 100 << 20, Peak: 100 << 20, GoTotal: 300 << 20}, "High total RSS"},
	} {
		if got := memoryDoctor(c.r); !strings.Contains(got, c.want) {
			t.Errorf("%+v: %q", c.r, got)
		}
	}
}
