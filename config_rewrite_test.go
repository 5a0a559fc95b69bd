package kevy_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy"
)

// TestSetConfigRewriter: CONFIG REWRITE fails without a rewriter, as
// Redis does without a config file, and otherwise hands the rewriter the
// current parameters.
func TestSetConfigRewriter(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, nil)
	if _, err := db.Do(ctx, "CONFIG", "REWRITE"); err == nil || err.Error() != "kevy: ERR The server is running without a config file" {
		t.Fatalf("no rewriter: err = %v", err)
	}
	if _, err := db.Do(ctx, "CONFIG", "SET", "maxmemory", "2mb"); err != nil {
		t.Fatal(err)
	}
	var got []kevy.ConfigParam
	db.SetConfigRewriter(func(ps []kevy.ConfigParam) error { got = ps; return nil })
	if _, err := db.Do(ctx, "CONFIG", "REWRITE"); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range got {
		if p.Name == "maxmemory" {
			found = p.Value == "2097152" && p.Line == "maxmemory 2mb"
		}
	}
	if !found {
		t.Errorf("maxmemory not handed over as 2mb: %+v", got)
	}
	params, err := db.ConfigParams()
	if err != nil || len(params) != len(got) {
		t.Errorf("ConfigParams: %d params, %v; the rewriter got %d", len(params), err, len(got))
	}
	db.SetConfigRewriter(func([]kevy.ConfigParam) error { return errors.New("No space left on device") })
	if _, err := db.Do(ctx, "CONFIG", "REWRITE"); err == nil || err.Error() != "kevy: ERR Rewriting config file: No space left on device" {
		t.Errorf("failing rewriter: err = %v", err)
	}
	db.Close()
	if _, err := db.ConfigParams(); !errors.Is(err, kevy.ErrClosed) {
		t.Errorf("ConfigParams after Close: %v", err)
	}
}

// TestDatabaseConfigParams: the database's own parameters: dir (absolute,
// "" in memory, protected), databases (immutable) and appendfsync, which
// CONFIG SET changes on the open append-only files; writes keep working
// and survive a reopen under each policy.
func TestDatabaseConfigParams(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := kevy.Open(dir, &kevy.Options{Databases: 4})
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) string {
		t.Helper()
		v, err := db.Do(ctx, "CONFIG", "GET", name)
		if err != nil || len(v.Elems()) != 2 {
			t.Fatalf("CONFIG GET %s: %v %v", name, v, err)
		}
		return v.Elems()[1].String()
	}
	if got := get("dir"); got != dir {
		t.Errorf("dir = %q, want %q", got, dir)
	}
	if got := get("databases"); got != "4" {
		t.Errorf("databases = %q", got)
	}
	if got := get("appendfsync"); got != "everysec" {
		t.Errorf("appendfsync = %q", got)
	}
	for _, c := range []struct{ name, value, err string }{
		{"dir", "/tmp", "kevy: ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"},
		{"databases", "16", "kevy: ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"},
		{"appendfsync", "sometimes", "kevy: ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no"},
	} {
		if _, err := db.Do(ctx, "CONFIG", "SET", c.name, c.value); err == nil || err.Error() != c.err {
			t.Errorf("CONFIG SET %s %s: %v, want %q", c.name, c.value, err, c.err)
		}
	}
	for _, p := range []string{"always", "no", "everysec", "ALWAYS"} {
		if _, err := db.Do(ctx, "CONFIG", "SET", "appendfsync", p); err != nil {
			t.Fatal(err)
		}
		if got := get("appendfsync"); !strings.EqualFold(got, p) {
			t.Errorf("appendfsync = %q after setting %q", got, p)
		}
		if _, err := db.Do(ctx, "SET", "k-"+p, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = kevy.Open(dir, &kevy.Options{Databases: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.DBSize(); err != nil || n != 4 {
		t.Fatalf("reopened: %d keys, %v", n, err)
	}
	// hz: clamped to 1..500 as Redis does, shown by INFO, and the
	// active expiry cycle runs at it.
	if _, err := db.Do(ctx, "CONFIG", "SET", "hz", "1000"); err != nil {
		t.Fatal(err)
	}
	if got := get("hz"); got != "500" {
		t.Errorf("hz = %q after setting 1000, want 500", got)
	}
	info, err := db.Do(ctx, "INFO", "server")
	if err != nil || !strings.Contains(info.String(), "\r\nhz:500\r\n") || !strings.Contains(info.String(), "\r\nconfigured_hz:500\r\n") {
		t.Errorf("INFO server after hz 500: %v %v", info, err)
	}
	if _, err := db.Do(ctx, "SET", "short", "v", "PX", "5"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if n, err := db.DBSize(); err == nil && n == 4 {
			break // removed by the active cycle, never read
		} else if time.Now().After(deadline) {
			t.Fatalf("the short-lived key was not expired: %d keys, %v", n, err)
		}
	}
	mem := openTest(t, nil)
	if v, err := mem.Do(ctx, "CONFIG", "GET", "dir"); err != nil || len(v.Elems()) != 2 || v.Elems()[1].String() != "" {
		t.Errorf("in-memory dir: %v %v", v, err)
	}
}

// TestConfigSetAutoRewrite: with the automatic log rewrite off at Open,
// CONFIG SET auto-aof-rewrite-percentage and -min-size turn it on: a
// log that grew past them is rewritten within seconds.
func TestConfigSetAutoRewrite(t *testing.T) {
	ctx := context.Background()
	rewrites := make(chan struct{}, 16)
	db, err := kevy.Open(t.TempDir(), &kevy.Options{Shards: 2, AutoRewritePercentage: -1,
		MetricSink: func(m kevy.Metric) {
			if m.Kind == kevy.MetricRewrite {
				select {
				case rewrites <- struct{}{}:
				default:
				}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, err := db.Do(ctx, "CONFIG", "GET", "auto-aof-rewrite-percentage")
	if err != nil || v.Elems()[1].String() != "0" {
		t.Fatalf("auto-aof-rewrite-percentage: %v %v, want 0 (off)", v, err)
	}
	for i := range 2000 {
		if _, err := db.Do(ctx, "SET", "k", i); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-rewrites:
		t.Fatal("rewritten while the automatic rewrite was off")
	case <-time.After(1500 * time.Millisecond):
	}
	if _, err := db.Do(ctx, "CONFIG", "SET", "auto-aof-rewrite-percentage", "10", "auto-aof-rewrite-min-size", "1kb"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rewrites:
	case <-time.After(10 * time.Second):
		t.Fatal("no automatic rewrite after CONFIG SET turned it on")
	}
	// 0 turns it off again, as in Redis.
	if _, err := db.Do(ctx, "CONFIG", "SET", "auto-aof-rewrite-percentage", "0"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // a check that began before the change may still rewrite
	for len(rewrites) > 0 {
		<-rewrites
	}
	for i := range 2000 {
		if _, err := db.Do(ctx, "SET", "k", i); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-rewrites:
		t.Fatal("rewritten after CONFIG SET auto-aof-rewrite-percentage 0")
	case <-time.After(1500 * time.Millisecond):
	}
}
