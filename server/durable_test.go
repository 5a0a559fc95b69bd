package server_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/server"
)

// TestReplyAfterAppendAlways checks that with appendfsync always the
// server acknowledges a write only once its AOF record has been written
// (and fsynced): as soon as the client has the reply, the record is in
// the shard's log file, for every command of a pipelined batch.
func TestReplyAfterAppendAlways(t *testing.T) {
	dir := t.TempDir()
	db, err := kevy.Open(dir, &kevy.Options{AppendFsync: kevy.FsyncAlways, Shards: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := server.New(db, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	c := dial(t, l.Addr().String())
	keys := []string{"durable-a", "durable-b", "durable-c"}
	for _, k := range keys {
		c.cmd("SET", k, "v")
	}
	for range keys {
		c.expect("+OK\r\n")
	}
	logs, err := filepath.Glob(filepath.Join(dir, "*", "*.incr.aof"))
	if err != nil || len(logs) == 0 {
		t.Fatalf("no AOF files under %s: %v", dir, err)
	}
	var all []byte
	for _, p := range logs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	for _, k := range keys {
		if !bytes.Contains(all, []byte("\r\n"+k+"\r\n")) {
			t.Errorf("reply received but no AOF record holds %q", k)
		}
	}
}
