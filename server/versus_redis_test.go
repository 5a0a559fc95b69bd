package server_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/difftest"
	"github.com/kevydb/kevy/internal/resp"
	"github.com/kevydb/kevy/server"
)

// Helpers of the tests that play a scenario on redis-server and on kevy
// and compare what each shows.

// startOwnRedis starts a redis-server of the test's own (the tests change
// users, configuration and the slow log, so they cannot share the
// difftest one), stopped at the end of the test. Without redis-server the
// test is skipped, or fails when CI is "true".
func startOwnRedis(t *testing.T) *difftest.RedisServer {
	t.Helper()
	rs, err := difftest.StartRedis()
	switch {
	case errors.Is(err, difftest.ErrNoRedis) && os.Getenv("CI") != "true":
		t.Skip("redis-server not installed; differential test skipped")
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(func() { rs.Stop() })
	return rs
}

// sameLines reports, as one test error, the first line where kevy's
// transcript differs from redis-server's (a missing line counts), what
// naming the transcript, and whether the two agree.
func sameLines(t *testing.T, what string, redis, kevy []string) bool {
	t.Helper()
	for i := range max(len(redis), len(kevy)) {
		if i >= len(redis) || i >= len(kevy) || redis[i] != kevy[i] {
			var r, k string
			if i < len(redis) {
				r = redis[i]
			}
			if i < len(kevy) {
				k = kevy[i]
			}
			t.Errorf("%s differ at %d:\nredis: %q\nkevy:  %q", what, i, r, k)
			return false
		}
	}
	return true
}

// slowlogEntries turns a SLOWLOG GET reply into one line per entry,
// oldest first: its arguments and its client name. The entries of
// SLOWLOG itself are left out.
func slowlogEntries(v resp.Value) []string {
	var entries []string
	for i := len(v.Elems) - 1; i >= 0; i-- {
		e := v.Elems[i]
		var args []string
		for _, a := range e.Elems[3].Elems {
			args = append(args, string(a.Str))
		}
		if len(args) > 0 && strings.EqualFold(args[0], "slowlog") {
			continue
		}
		entries = append(entries, strings.Join(args, " ")+" | "+string(e.Elems[5].Str))
	}
	return entries
}

// slowlogVersusRedis runs a scenario with every command logged (run
// returns its replies and the slow log's entries) on redis-server and on
// kevy, and compares both.
func slowlogVersusRedis(t *testing.T, run func(t *testing.T, addr string) (replies, entries []string)) {
	t.Helper()
	rs := startOwnRedis(t)
	rReplies, rEntries := run(t, rs.Addr)
	ts := startServer(t, &server.Config{SlowlogLogSlowerThan: time.Nanosecond})
	kReplies, kEntries := run(t, ts.addr)
	sameLines(t, "replies", rReplies, kReplies)
	sameLines(t, "slow log entries", rEntries, kEntries)
}
