package server_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/server"
)

func init() {
	// A command that panics, to check that the server survives it. The
	// name cannot clash with a Redis command.
	command.Register(&command.Command{
		Name:  "kevy-test-panic",
		Arity: 1,
		Flags: command.FlagReadOnly,
		Run:   func(c *command.Ctx, args [][]byte) { panic("boom") },
	})
}

func TestPanicClosesOnlyThatConnection(t *testing.T) {
	var logs lockedBuffer
	ts := startServer(t, &server.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	other := dial(t, ts.addr)
	other.send("SET k v\r\n")
	other.expect("+OK\r\n")
	c := dial(t, ts.addr)
	c.send("SET a 1\r\nKEVY-TEST-PANIC\r\nSET b 2\r\n")
	c.expectClosed()
	// The replies to the commands before the panic may or may not have
	// been flushed; the command after it must not have run.
	if _, err := ts.db.Get("b"); err == nil {
		t.Fatal("command after the panic ran")
	}
	other.send("GET k\r\n")
	other.expect("$1\r\nv\r\n")
	c2 := dial(t, ts.addr)
	c2.send("GET a\r\n")
	c2.expect("$1\r\n1\r\n")
	if l := logs.String(); !strings.Contains(l, "panic") || !strings.Contains(l, "boom") {
		t.Fatalf("panic not logged:\n%s", l)
	}
}
