package server_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/resp"
	"github.com/kevydb/kevy/server"
)

// Tests of MULTI/EXEC/WATCH and of blocking commands over the wire.

func TestMultiExecOverTheWire(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	c.run(t, []exchange{
		{"multi", "MULTI\r\n", "+OK\r\n"},
		{"queued", "SET a 1\r\n", "+QUEUED\r\n"},
		{"conn command queued", "CLIENT SETNAME tx\r\n", "+QUEUED\r\n"},
		{"conn getname queued", "CLIENT GETNAME\r\n", "+QUEUED\r\n"},
		{"incr", "INCR a\r\n", "+QUEUED\r\n"},
		{"exec", "EXEC\r\n", "*4\r\n+OK\r\n+OK\r\n$2\r\ntx\r\n:2\r\n"},
		{"unknown aborts", "MULTI\r\nNOSUCH\r\nEXEC\r\n", "+OK\r\n-ERR unknown command 'NOSUCH', with args beginning with: \r\n-EXECABORT Transaction discarded because of previous errors.\r\n"},
		{"arity aborts", "MULTI\r\nGET\r\nEXEC\r\n", "+OK\r\n-ERR wrong number of arguments for 'get' command\r\n-EXECABORT Transaction discarded because of previous errors.\r\n"},
		{"conn subcommand aborts", "MULTI\r\nCLIENT FOO\r\nEXEC\r\n", "+OK\r\n-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n-EXECABORT Transaction discarded because of previous errors.\r\n"},
		{"conn sub arity aborts", "MULTI\r\nCLIENT GETNAME x\r\nEXEC\r\n", "+OK\r\n-ERR wrong number of arguments for 'client|getname' command\r\n-EXECABORT Transaction discarded because of previous errors.\r\n"},
		{"exec arity", "MULTI\r\nEXEC x\r\nEXEC\r\n", "+OK\r\n-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n-ERR EXEC without MULTI\r\n"},
		{"blocking does not block", "MULTI\r\nBLPOP l 0\r\nBZPOPMIN z 0\r\nEXEC\r\n", "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n*-1\r\n*-1\r\n"},
		{"reset discards", "MULTI\r\nSET r 1\r\nRESET\r\nEXEC\r\nGET r\r\n", "+OK\r\n+QUEUED\r\n+RESET\r\n-ERR EXEC without MULTI\r\n$-1\r\n"},
		{"hello switches mid exec", "MULTI\r\nHELLO 3\r\nGET nokey\r\nEXEC\r\n", "+OK\r\n+QUEUED\r\n+QUEUED\r\n"},
	})
	v := c.value()
	if len(v.Elems) != 2 || v.Elems[0].Kind != resp.KindMap || !v.Elems[1].Null {
		t.Fatalf("EXEC with HELLO 3 = %+v", v)
	}
}

func TestWatchOverTheWire(t *testing.T) {
	ts := startServer(t, nil)
	a, b := dial(t, ts.addr), dial(t, ts.addr)
	a.run(t, []exchange{{"watch", "WATCH k\r\n", "+OK\r\n"}})
	b.run(t, []exchange{{"set", "SET k v\r\n", "+OK\r\n"}})
	a.run(t, []exchange{
		{"aborted", "MULTI\r\nGET k\r\nEXEC\r\n", "+OK\r\n+QUEUED\r\n*-1\r\n"},
		{"resp3 null", "HELLO 3\r\n", ""},
	})
	a.value() // HELLO's map
	a.run(t, []exchange{{"watch again", "WATCH k\r\n", "+OK\r\n"}})
	b.run(t, []exchange{{"del", "DEL k\r\n", ":1\r\n"}})
	a.run(t, []exchange{{"aborted resp3", "MULTI\r\nEXEC\r\n", "+OK\r\n_\r\n"}})
	// RESET and disconnection release the watched keys.
	a.run(t, []exchange{{"watch reset", "WATCH k\r\nRESET\r\n", "+OK\r\n+RESET\r\n"}})
	b.run(t, []exchange{{"set2", "SET k v\r\n", "+OK\r\n"}})
	a.run(t, []exchange{{"not aborted", "MULTI\r\nEXEC\r\n", "+OK\r\n*0\r\n"}})
}

func TestClientListTransactionAndBlocked(t *testing.T) {
	ts := startServer(t, nil)
	a, b := dial(t, ts.addr), dial(t, ts.addr)
	a.run(t, []exchange{{"multi", "MULTI\r\nSET x 1\r\nCLIENT ID\r\n", "+OK\r\n+QUEUED\r\n+QUEUED\r\n"}})
	b.send("CLIENT LIST\r\n")
	list := string(b.value().Str)
	if !strings.Contains(list, "flags=x ") || !strings.Contains(list, " multi=2 ") {
		t.Fatalf("CLIENT LIST during MULTI:\n%s", list)
	}
	a.run(t, []exchange{{"discard", "DISCARD\r\n", "+OK\r\n"}})
	a.send("BLPOP l 0\r\n")
	waitBlockedClients(t, ts.db, 1)
	b.send("CLIENT LIST\r\n")
	list = string(b.value().Str)
	if !strings.Contains(list, "flags=b ") || !strings.Contains(list, "cmd=blpop ") || strings.Contains(list, "multi=2") {
		t.Fatalf("CLIENT LIST while blocked:\n%s", list)
	}
	b.run(t, []exchange{{"push", "RPUSH l v\r\n", ":1\r\n"}})
	a.expect("*2\r\n$1\r\nl\r\n$1\r\nv\r\n")
}

// waitBlockedClients waits until n callers are blocked in db.
func waitBlockedClients(t *testing.T, db *kevy.DB, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for db.BlockedClients() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d blocked clients, want %d", db.BlockedClients(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestBlockingOverTheWire(t *testing.T) {
	ts := startServer(t, nil)
	a, b := dial(t, ts.addr), dial(t, ts.addr)
	// Replies pipelined before the blocking command arrive while it
	// waits; the command pipelined after it runs once it is served (its
	// first byte read in the background must not be lost).
	a.send("SET x 1\r\nPING\r\nBLPOP l 0\r\nECHO after\r\n")
	a.expect("+OK\r\n+PONG\r\n")
	waitBlockedClients(t, ts.db, 1)
	b.run(t, []exchange{{"push", "LPUSH l v\r\n", ":1\r\n"}})
	a.expect("*2\r\n$1\r\nl\r\n$1\r\nv\r\n$5\r\nafter\r\n")
	// BZPOPMIN woken by ZADD from another connection.
	a.send("BZPOPMIN z 0\r\n")
	waitBlockedClients(t, ts.db, 1)
	b.run(t, []exchange{{"zadd", "ZADD z 2 m\r\n", ":1\r\n"}})
	a.expect("*3\r\n$1\r\nz\r\n$1\r\nm\r\n$1\r\n2\r\n")
	// A timeout.
	a.run(t, []exchange{{"timeout", "BLPOP l 0.01\r\n", "*-1\r\n"}})
}

func TestBlockedClientDisconnects(t *testing.T) {
	ts := startServer(t, nil)
	a, b := dial(t, ts.addr), dial(t, ts.addr)
	a.send("BLPOP l 0\r\n")
	waitBlockedClients(t, ts.db, 1)
	a.nc.Close()
	waitBlockedClients(t, ts.db, 0)
	// The element pushed next is not consumed for the departed client.
	b.run(t, []exchange{
		{"push", "RPUSH l v\r\n", ":1\r\n"},
		{"still there", "LLEN l\r\n", ":1\r\n"},
	})
}

func TestBlockedInMemoryClientDisconnects(t *testing.T) {
	db, err := kevy.Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := server.New(db, nil)
	defer srv.Close()
	nc, err := srv.DialInMemory()
	if err != nil {
		t.Fatal(err)
	}
	nc.Write([]byte("BLPOP l 0\r\n"))
	waitBlockedClients(t, db, 1)
	nc.Close()
	waitBlockedClients(t, db, 0)
}

func TestClientUnblock(t *testing.T) {
	ts := startServer(t, nil)
	a, b := dial(t, ts.addr), dial(t, ts.addr)
	a.send("CLIENT ID\r\n")
	id := strconv.FormatInt(a.value().Int, 10)
	b.run(t, []exchange{
		{"not blocked", "CLIENT UNBLOCK " + id + "\r\n", ":0\r\n"},
		{"no such client", "CLIENT UNBLOCK 99999\r\n", ":0\r\n"},
		{"bad id", "CLIENT UNBLOCK abc\r\n", "-ERR value is not an integer or out of range\r\n"},
		{"bad reason", "CLIENT UNBLOCK " + id + " FOO\r\n", "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n"},
		{"too many", "CLIENT UNBLOCK 1 2 3\r\n", "-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n"},
	})
	for _, tc := range []struct {
		block, reason, want string
	}{
		{"BLPOP l 0", "", "*-1\r\n"},
		{"BLPOP l 0", " TIMEOUT", "*-1\r\n"},
		{"BLPOP l 0", " ERROR", "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"},
		{"BZMPOP 0 1 z MIN", " error", "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"},
		{"BLMOVE l d LEFT LEFT 0", "", "*-1\r\n"},
	} {
		a.send(tc.block + "\r\n")
		waitBlockedClients(t, ts.db, 1)
		b.run(t, []exchange{{tc.block + tc.reason, "CLIENT UNBLOCK " + id + tc.reason + "\r\n", ":1\r\n"}})
		a.expect(tc.want)
		waitBlockedClients(t, ts.db, 0)
		// The connection works on, and blocks again normally.
		a.run(t, []exchange{{"after unblock", "PING\r\nBLPOP l 0.01\r\n", "+PONG\r\n*-1\r\n"}})
	}
}

func TestClientKillBlocked(t *testing.T) {
	ts := startServer(t, nil)
	a, b := dial(t, ts.addr), dial(t, ts.addr)
	a.send("CLIENT ID\r\n")
	id := strconv.FormatInt(a.value().Int, 10)
	a.send("BLPOP l 0\r\n")
	waitBlockedClients(t, ts.db, 1)
	b.run(t, []exchange{{"kill", "CLIENT KILL ID " + id + "\r\n", ":1\r\n"}})
	a.expectClosed()
	waitBlockedClients(t, ts.db, 0)
}

func TestShutdownWithBlockedClient(t *testing.T) {
	ts := startServer(t, nil)
	a := dial(t, ts.addr)
	a.send("BLPOP l 0\r\n")
	waitBlockedClients(t, ts.db, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with a blocked client: %v after %v", err, time.Since(start))
	}
	a.expectClosed()
	waitBlockedClients(t, ts.db, 0)
}
