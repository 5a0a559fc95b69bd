package server_test

import (
	"strconv"
	"strings"
	"testing"
)

// TestInfoReportsServerStats checks that a server feeds INFO the figures
// only it knows: connected clients, the TCP port, connections received.
func TestInfoReportsServerStats(t *testing.T) {
	ts := startServer(t, nil)
	a := dial(t, ts.addr)
	b := dial(t, ts.addr)
	b.cmd("PING")
	b.expect("+PONG\r\n")
	info, err := ts.db.Info()
	if err != nil {
		t.Fatal(err)
	}
	if info.Clients.ConnectedClients != 2 {
		t.Errorf("ConnectedClients = %d, want 2", info.Clients.ConnectedClients)
	}
	port := ts.addr[strings.LastIndexByte(ts.addr, ':')+1:]
	if got := strconv.Itoa(info.Server.TCPPort); got != port {
		t.Errorf("TCPPort = %s, want %s", got, port)
	}
	a.cmd("INFO", "clients")
	v, err := a.r.ReadValue()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(v.Str), "connected_clients:2\r\n") {
		t.Errorf("INFO clients lacks connected_clients:2:\n%s", v.Str)
	}
}
