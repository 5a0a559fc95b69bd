package server_test

import (
	"testing"

	"github.com/kevydb/kevy/internal/resp"
)

// TestSubscribedExecVersusRedis: a RESP2 connection in subscribed mode
// gets EXEC refused as an aborted transaction ("EXECABORT Transaction
// discarded because of: ..."), the other commands with the plain error,
// byte for byte as redis-server replies.
func TestSubscribedExecVersusRedis(t *testing.T) {
	script := [][]string{
		{"MULTI"}, {"SUBSCRIBE", "ch"}, {"EXEC"},
		{"EXEC"},
		{"EXEC", "x"},
		{"MULTI"},
		{"DISCARD"},
		{"EXEC"},
		{"GET", "k"},
		{"PING"},
		{"UNSUBSCRIBE"},
		{"EXEC"},
		{"WATCH", "k"},
		{"SUBSCRIBE", "ch"},
		{"EXEC"},
		{"UNSUBSCRIBE"},
		{"SET", "k", "v"},
		{"MULTI"},
		{"EXEC"},
	}
	run := func(addr string) []string {
		c := dial(t, addr)
		var out []string
		for _, args := range script {
			c.cmd(args...)
			v := c.value()
			out = append(out, string(resp.AppendValue(nil, &v)))
		}
		return out
	}
	rs := startOwnRedis(t)
	want := run(rs.Addr)
	got := run(startServer(t, nil).addr)
	for i := range script {
		if got[i] != want[i] {
			t.Errorf("%q:\nredis: %q\nkevy:  %q", script[i], want[i], got[i])
		}
	}
}
