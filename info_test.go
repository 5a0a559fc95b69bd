package kevy_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy"
)

// parseInfo splits INFO text into sections of name:value fields, checking
// the layout Redis uses: "# Title" headers, CRLF line ends, one blank line
// between sections.
func parseInfo(t *testing.T, s string) (titles []string, fields map[string]string) {
	t.Helper()
	fields = map[string]string{}
	if s == "" {
		return nil, fields
	}
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatalf("INFO does not end with CRLF: %q", s[max(0, len(s)-20):])
	}
	for i, sec := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n\r\n") {
		lines := strings.Split(sec, "\r\n")
		if !strings.HasPrefix(lines[0], "# ") {
			t.Fatalf("section %d starts with %q", i, lines[0])
		}
		titles = append(titles, lines[0][2:])
		for _, l := range lines[1:] {
			k, v, ok := strings.Cut(l, ":")
			if !ok || strings.ContainsAny(l, "\r\n") {
				t.Fatalf("bad INFO line %q", l)
			}
			fields[k] = v
		}
	}
	return titles, fields
}

func TestInfoCommand(t *testing.T) {
	clk := kevy.NewManualClock(memT0)
	db := openTest(t, &kevy.Options{Clock: clk, ManualExpiry: true, MaxMemory: 100 << 20, EvictionPolicy: kevy.AllKeysLRU})
	ctx := context.Background()
	for i := range 10 {
		_ = db.Set("k"+strconv.Itoa(i), []byte("v"))
	}
	for i := range 4 {
		_, _, _ = db.SetArgs("t"+strconv.Itoa(i), []byte("v"), kevy.SetOpts{TTL: 100 * time.Second})
	}
	d3, _ := db.Database(3)
	_ = d3.Set("x", []byte("y"))
	_, _ = db.Get("k1")
	_, _ = db.Get("nope")
	_, _ = db.Do(ctx, "GET", "k2")
	_, _ = db.Do(ctx, "PING")

	v, err := db.Do(ctx, "INFO")
	if err != nil {
		t.Fatal(err)
	}
	titles, f := parseInfo(t, v.String())
	if got := strings.Join(titles, ","); got != "Server,Clients,Memory,Persistence,Stats,Replication,CPU,Modules,Errorstats,Cluster,Keyspace" {
		t.Fatalf("sections %s", got)
	}
	for _, k := range []string{"used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children"} {
		if v, err := strconv.ParseFloat(f[k], 64); err != nil || v < 0 || !strings.Contains(f[k], ".") {
			t.Errorf("%s = %q, want seconds with microseconds", k, f[k])
		}
	}
	for k, want := range map[string]string{
		"redis_version":     "7.0.15",
		"redis_mode":        "standalone",
		"process_id":        strconv.Itoa(os.Getpid()),
		"tcp_port":          "0",
		"maxmemory":         strconv.Itoa(100 << 20),
		"maxmemory_human":   "100.00M",
		"maxmemory_policy":  "allkeys-lru",
		"mem_allocator":     "go",
		"loading":           "0",
		"aof_enabled":       "0",
		"keyspace_hits":     "2",
		"keyspace_misses":   "1",
		"expired_keys":      "0",
		"evicted_keys":      "0",
		"role":              "master",
		"cluster_enabled":   "0",
		"connected_clients": "0",
		"db0":               "keys=14,expires=4,avg_ttl=100000",
		"db3":               "keys=1,expires=0,avg_ttl=0",
		"lru_clock":         strconv.FormatInt(memT0.Unix()&(1<<24-1), 10),
	} {
		if f[k] != want {
			t.Errorf("%s = %q, want %q", k, f[k], want)
		}
	}
	if n, _ := strconv.Atoi(f["total_commands_processed"]); n < 2 { // GET and PING through Do (INFO counts too)
		t.Errorf("total_commands_processed %q", f["total_commands_processed"])
	}
	used, _ := strconv.ParseInt(f["used_memory"], 10, 64)
	if used != db.UsedMemory() || used == 0 {
		t.Errorf("used_memory %d, UsedMemory %d", used, db.UsedMemory())
	}
	for _, k := range []string{"used_memory_human", "used_memory_rss", "used_memory_peak", "mem_fragmentation_ratio",
		"go_heap_live", "go_heap_objects", "uptime_in_seconds", "run_id", "kevy_version", "rdb_changes_since_last_save"} {
		if f[k] == "" {
			t.Errorf("%s missing", k)
		}
	}

	// Sections by name, in Redis's order whatever the argument order.
	v, _ = db.Do(ctx, "INFO", "keyspace", "MEMORY")
	titles, _ = parseInfo(t, v.String())
	if strings.Join(titles, ",") != "Memory,Keyspace" {
		t.Errorf("INFO keyspace memory: %v", titles)
	}
	v, _ = db.Do(ctx, "INFO", "nosuchsection")
	if v.String() != "" {
		t.Errorf("unknown section: %q", v.String())
	}
	v, _ = db.Do(ctx, "INFO", "everything")
	if titles, _ = parseInfo(t, v.String()); len(titles) != 11 {
		t.Errorf("INFO everything: %v", titles)
	}

	// Typed API: the same figures.
	in, err := db.Info()
	if err != nil {
		t.Fatal(err)
	}
	if in.Server.RedisVersion != "7.0.15" || in.Memory.MaxMemoryPolicy != "allkeys-lru" || in.Memory.UsedMemory != db.UsedMemory() {
		t.Errorf("Info = %+v %+v", in.Server, in.Memory)
	}
	if len(in.Keyspace) != 2 || in.Keyspace[0] != (kevy.InfoKeyspace{DB: 0, Keys: 14, Expires: 4, AvgTTL: 100000}) || in.Keyspace[1].DB != 3 {
		t.Errorf("Keyspace = %+v", in.Keyspace)
	}
	if in.Memory.GoHeapObjects <= 0 || in.Memory.UsedMemoryRSS <= 0 || in.Memory.MemFragmentationRatio <= 0 {
		t.Errorf("Go memory figures %+v", in.Memory)
	}
}

// TestInfoServerStats: INFO shows what the servers on the database
// report: their clients and connection counts added up, and the port,
// maxclients and configuration file of the first one listening on TCP;
// CONFIG RESETSTAT calls their resets; a removed server leaves them.
func TestInfoServerStats(t *testing.T) {
	db := openTest(t, &kevy.Options{ManualExpiry: true})
	removeMem := db.AddServerStats(func() kevy.ServerStats { // an in-memory server, first
		return kevy.ServerStats{ConnectedClients: 2, MaxClients: 500, TotalConnectionsReceived: 3}
	}, nil)
	received := int64(42)
	removeTCP := db.AddServerStats(func() kevy.ServerStats {
		return kevy.ServerStats{TCPPort: 6380, ConfigFile: "/etc/kevy.conf", ConnectedClients: 7, MaxClients: 10000,
			TotalConnectionsReceived: received, RejectedConnections: 1}
	}, func() { received = 0 })
	v, _ := db.Do(context.Background(), "INFO", "server", "clients", "stats")
	_, f := parseInfo(t, v.String())
	for k, want := range map[string]string{"tcp_port": "6380", "config_file": "/etc/kevy.conf", "connected_clients": "9",
		"maxclients": "10000", "total_connections_received": "45", "rejected_connections": "1"} {
		if f[k] != want {
			t.Errorf("%s = %q, want %q", k, f[k], want)
		}
	}
	// CONFIG RESETSTAT resets each server's counters through its reset.
	if _, err := db.Do(context.Background(), "CONFIG", "RESETSTAT"); err != nil || received != 0 {
		t.Errorf("CONFIG RESETSTAT: %v, the server's count is %d", err, received)
	}
	removeTCP()
	in, _ := db.Info()
	if in.Clients.ConnectedClients != 2 || in.Clients.MaxClients != 500 || in.Server.TCPPort != 0 {
		t.Errorf("after removing the TCP server: %+v %+v", in.Clients, in.Server)
	}
	removeMem()
	if in, _ = db.Info(); in.Clients.ConnectedClients != 0 {
		t.Errorf("with no server: %d clients", in.Clients.ConnectedClients)
	}
}

func TestInfoAfterClose(t *testing.T) {
	db, err := kevy.Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := db.Info(); err != kevy.ErrClosed {
		t.Fatalf("Info after Close: %v", err)
	}
	if _, err := db.MemoryUsage("k"); err != kevy.ErrClosed {
		t.Fatalf("MemoryUsage after Close: %v", err)
	}
}

// ExampleDB_Info reads the memory figures INFO reports.
func ExampleDB_Info() {
	db, _ := kevy.Open("", &kevy.Options{MaxMemory: 64 << 20, EvictionPolicy: kevy.AllKeysLFU})
	defer db.Close()
	_ = db.Set("greeting", []byte("hello"))
	in, _ := db.Info()
	fmt.Println(in.Memory.MaxMemory, in.Memory.MaxMemoryPolicy, in.Memory.UsedMemory > 0)
	fmt.Printf("db%d:keys=%d\n", in.Keyspace[0].DB, in.Keyspace[0].Keys)
	// Output:
	// 67108864 allkeys-lfu true
	// db0:keys=1
}

// TestInfoCPU: INFO cpu's figures grow with the CPU the process uses.
func TestInfoCPU(t *testing.T) {
	db := openTest(t, nil)
	used := func() float64 {
		v, err := db.Do(context.Background(), "INFO", "cpu")
		if err != nil {
			t.Fatal(err)
		}
		_, f := parseInfo(t, v.String())
		sys, err1 := strconv.ParseFloat(f["used_cpu_sys"], 64)
		user, err2 := strconv.ParseFloat(f["used_cpu_user"], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("INFO cpu: %q", v.String())
		}
		return sys + user
	}
	before := used()
	x := 0
	for start := time.Now(); time.Since(start) < 200*time.Millisecond; {
		x++ // burn CPU
	}
	if after := used(); after <= before {
		t.Errorf("CPU time %.6f after 200 ms of work, %.6f before (%d)", after, before, x)
	}
}

// TestInfoErrorStats: error replies Do and Pipe get are counted by
// code, as the server counts them; the typed API's errors are Go errors,
// not counted.
func TestInfoErrorStats(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, nil)
	_, _ = db.Do(ctx, "SET", "s", "v")
	_, _ = db.Do(ctx, "LPUSH", "s", "x")
	_, _ = db.Do(ctx, "INCR", "s")
	_, _ = db.LPush("s", "x") // typed: not counted
	_, _ = db.TxPipelined(ctx, func(p *kevy.Pipe) error {
		p.Do("LPUSH", "s", "x")
		return nil
	})
	// Refused when queued: the refusal and the EXECABORT a client's EXEC
	// would get are counted, as over the wire.
	if _, err := db.TxPipelined(ctx, func(p *kevy.Pipe) error {
		p.Do("NOPE")
		p.Do("GET", "s")
		return nil
	}); err == nil {
		t.Fatal("a transaction with an unknown command ran")
	}
	in, err := db.Info()
	if err != nil {
		t.Fatal(err)
	}
	want := []kevy.InfoErrorStat{{Code: "ERR", Count: 2}, {Code: "EXECABORT", Count: 1}, {Code: "WRONGTYPE", Count: 2}}
	if !reflect.DeepEqual(in.ErrorStats, want) || in.Stats.TotalErrorReplies != 5 {
		t.Fatalf("errors %+v, total %d; want %+v, 5", in.ErrorStats, in.Stats.TotalErrorReplies, want)
	}
	v, _ := db.Do(ctx, "INFO", "errorstats")
	if got := v.String(); got != "# Errorstats\r\nerrorstat_ERR:count=2\r\nerrorstat_EXECABORT:count=1\r\nerrorstat_WRONGTYPE:count=2\r\n" {
		t.Fatalf("INFO errorstats: %q", got)
	}
}
