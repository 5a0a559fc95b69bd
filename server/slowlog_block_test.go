package server_test

import (
	"bufio"
	"bytes"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/resp"
	"github.com/kevydb/kevy/server"
)

// slowBlockStep is one step of slowlogBlockScenario: client sends args
// ("$A" stands for client A's id); async sends without reading the reply,
// which a later step with read set reads; waitBlock first waits until
// the client is blocked, then pause more; waitGone waits until client D
// is gone.
type slowBlockStep struct {
	client    string
	args      []string
	async     bool
	read      bool
	waitBlock string
	pause     time.Duration
	waitGone  string
}

func sb(client string, args ...string) slowBlockStep {
	return slowBlockStep{client: client, args: args}
}

// sbAsync sends a command that blocks; sbServe waits until it blocks and
// sends what serves or ends it; sbRead reads its reply.
func sbAsync(client string, args ...string) slowBlockStep {
	return slowBlockStep{client: client, args: args, async: true}
}

func sbServe(blocked, client string, args ...string) slowBlockStep {
	return slowBlockStep{client: client, args: args, waitBlock: blocked}
}

func sbRead(client string) slowBlockStep { return slowBlockStep{client: client, read: true} }

// slowlogBlockScenario: with every command logged, Redis 7.0 records a
// blocking command that did not wait as any other; one that waited when
// it is served, after the command that served it, with the time it ran
// (not the time it waited); not one that timed out or whose client was
// killed; and, when CLIENT UNBLOCK ends the wait, an entry without
// arguments. WAIT asking for replicas waits until its timeout in Redis
// (kevy has no replicas and answers at once): not recorded either.
var slowlogBlockScenario = []slowBlockStep{
	sbAsync("A", "BLPOP", "L", "5"),
	{client: "B", args: []string{"LPUSH", "L", "a"}, waitBlock: "A", pause: 200 * time.Millisecond},
	sbRead("A"),
	sb("A", "BLPOP", "nolist", "0.2"),
	sb("B", "RPUSH", "L2", "x"),
	sb("A", "BLPOP", "L2", "1"),
	sbAsync("A", "BRPOP", "L3", "L4", "5"),
	sbServe("A", "B", "RPUSH", "L4", "y", "z"),
	sbRead("A"),
	sbAsync("A", "BLMOVE", "S", "D", "LEFT", "RIGHT", "5"),
	sbServe("A", "B", "RPUSH", "S", "q"),
	sbRead("A"),
	sbAsync("A", "BRPOPLPUSH", "S2", "D2", "5"),
	sbServe("A", "B", "RPUSH", "S2", "q"),
	sbRead("A"),
	sbAsync("A", "BLMPOP", "5", "2", "nx", "M", "LEFT", "COUNT", "2"),
	sbServe("A", "B", "RPUSH", "M", "1", "2", "3"),
	sbRead("A"),
	sbAsync("A", "BZPOPMIN", "Z", "5"),
	sbServe("A", "B", "ZADD", "Z", "1", "m"),
	sbRead("A"),
	sbAsync("A", "BZMPOP", "5", "1", "Z2", "MAX"),
	sbServe("A", "B", "ZADD", "Z2", "1", "m", "2", "n"),
	sbRead("A"),
	sb("A", "BLMOVE", "nosrc", "D", "LEFT", "RIGHT", "0.1"),
	sb("A", "BZPOPMAX", "noz", "0.1"),
	sb("A", "BRPOPLPUSH", "nosrc", "D", "0.1"),
	sbAsync("A", "BLPOP", "U", "50"),
	{client: "C", args: []string{"CLIENT", "UNBLOCK", "$A"}, waitBlock: "A", pause: 200 * time.Millisecond},
	sbRead("A"),
	sbAsync("A", "BZPOPMIN", "U", "50"),
	sbServe("A", "C", "CLIENT", "UNBLOCK", "$A", "ERROR"),
	sbRead("A"),
	sb("C", "CLIENT", "UNBLOCK", "$A"),
	sb("A", "BLPOP", "L", "x"),
	sb("A", "BLPOP", "L", "-1"),
	sb("A", "BLPOP", "L"),
	sb("B", "WAIT", "0", "100"),
	sb("B", "WAIT", "-1", "100"),
	sb("B", "WAIT", "1", "100"),
	sb("B", "WAIT", "x", "100"),
	sb("B", "WAIT", "1", "-1"),
	sbAsync("D", "BLPOP", "K", "50"),
	sbServe("D", "C", "CLIENT", "KILL", "ID", "$D"),
	{client: "C", args: []string{"ECHO", "killed"}, waitGone: "D"},
	sb("B", "RPUSH", "K", "k"),
	sb("B", "LLEN", "K"),
}

// slowBlockEntry is a slow log entry: its arguments and client name, and
// how long the command took.
type slowBlockEntry struct {
	text   string
	micros int64
}

// slowlogBlockRun plays scenario (such as slowlogBlockScenario) on the
// server at addr in protocol proto and returns the replies and, for each step after which
// no reply is pending, the slow log entries it added, sorted (two
// connections record at once in kevy: the one that pushes and the one
// it serves). The entries of connection S, which polls, are left out.
func slowlogBlockRun(t *testing.T, addr, proto string, scenario []slowBlockStep) (replies []string, entries [][]slowBlockEntry) {
	t.Helper()
	conns := map[string]*rawConn{}
	ids := map[string]string{}
	send := func(c *rawConn, args ...string) {
		t.Helper()
		if _, err := c.nc.Write(resp.AppendCommandString(nil, args...)); err != nil {
			t.Fatal(err)
		}
	}
	do := func(c *rawConn, args ...string) string {
		t.Helper()
		send(c, args...)
		r, err := c.read()
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		return r
	}
	for _, n := range []string{"S", "A", "B", "C", "D", "E"} {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		nc.SetDeadline(time.Now().Add(30 * time.Second))
		c := &rawConn{nc: nc, br: bufio.NewReader(nc)}
		conns[n] = c
		if r := do(c, "HELLO", proto, "SETNAME", n); r[0] == '-' {
			t.Fatalf("HELLO: %q", r)
		}
		id := do(c, "CLIENT", "ID")
		ids["$"+n] = strings.TrimSpace(id[1:])
	}
	s := conns["S"]
	if r := do(s, "CONFIG", "SET", "slowlog-log-slower-than", "0"); r != "+OK\r\n" {
		t.Fatalf("CONFIG SET slowlog-log-slower-than: %q", r)
	}
	if r := do(s, "SLOWLOG", "RESET"); r != "+OK\r\n" {
		t.Fatalf("SLOWLOG RESET: %q", r)
	}
	waitFor := func(what string, ok func(list string) bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
			if ok(do(s, "CLIENT", "LIST")) {
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
		t.Fatalf("waiting until %s: timed out", what)
	}
	lastID := int64(-1)
	pending := map[string]bool{}
	for _, st := range scenario {
		if st.waitBlock != "" {
			re := regexp.MustCompile(`(?m)name=` + st.waitBlock + ` .*flags=\w*b`)
			waitFor(st.waitBlock+" blocks", re.MatchString)
			time.Sleep(st.pause)
		}
		if st.waitGone != "" {
			waitFor(st.waitGone+" is gone", func(l string) bool { return !strings.Contains(l, "name="+st.waitGone+" ") })
			pending[st.waitGone] = false
		}
		c := conns[st.client]
		if st.read {
			r, err := c.read()
			if err != nil {
				t.Fatal(err)
			}
			replies = append(replies, st.client+" (reply): "+r)
			pending[st.client] = false
		} else {
			args := slices.Clone(st.args)
			for i, a := range args {
				if id, ok := ids[a]; ok {
					args[i] = id
				}
			}
			send(c, args...)
			if st.async {
				pending[st.client] = true
				continue
			}
			r, err := c.read()
			if err != nil {
				t.Fatalf("%s %q: %v", st.client, args, err)
			}
			replies = append(replies, st.client+" "+strings.Join(st.args, " ")+": "+r)
		}
		if pending["A"] || pending["D"] {
			continue
		}
		raw := do(s, "SLOWLOG", "GET", "-1")
		v, err := resp.NewReader(bytes.NewReader([]byte(raw)), 0).ReadValue()
		if err != nil {
			t.Fatalf("SLOWLOG GET %q: %v", raw, err)
		}
		var step []slowBlockEntry
		maxID := lastID
		for _, e := range v.Elems {
			id := e.Elems[0].Int
			if id <= lastID || string(e.Elems[5].Str) == "S" {
				maxID = max(maxID, id)
				continue
			}
			maxID = max(maxID, id)
			var args []string
			for i, a := range e.Elems[3].Elems {
				arg := string(a.Str)
				if i >= 2 && strings.EqualFold(args[0], "client") {
					for name, id := range ids {
						if id == arg {
							arg = name // CLIENT UNBLOCK, KILL: the ids differ
						}
					}
				}
				args = append(args, arg)
			}
			step = append(step, slowBlockEntry{
				text:   "[" + strings.Join(args, " ") + "] " + string(e.Elems[5].Str),
				micros: e.Elems[2].Int,
			})
		}
		lastID = maxID
		slices.SortFunc(step, func(a, b slowBlockEntry) int { return strings.Compare(a.text, b.text) })
		entries = append(entries, step)
	}
	return replies, entries
}

// TestSlowlogBlockingVersusRedis plays slowlogBlockScenario on
// redis-server and on kevy, in RESP2 and RESP3, and compares the replies
// and the slow log entries each step adds; the blocking commands are
// recorded with the time they ran, under 10 ms, on both, the wait left
// out (200 ms for the first BLPOP and a CLIENT UNBLOCK).
func TestSlowlogBlockingVersusRedis(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			rs := startOwnRedis(t)
			rReplies, rEntries := slowlogBlockRun(t, rs.Addr, proto, slowlogBlockScenario)
			ts := startServer(t, &server.Config{SlowlogLogSlowerThan: time.Nanosecond})
			kReplies, kEntries := slowlogBlockRun(t, ts.addr, proto, slowlogBlockScenario)
			if !sameLines(t, "replies", rReplies, kReplies) {
				t.FailNow()
			}
			show := func(e [][]slowBlockEntry) string {
				var b strings.Builder
				for i, step := range e {
					for _, x := range step {
						b.WriteString(strconv.Itoa(i) + ": " + x.text + "\n")
					}
				}
				return b.String()
			}
			if r, k := show(rEntries), show(kEntries); r != k {
				t.Fatalf("slow log differs:\nredis:\n%s\nkevy:\n%s", r, k)
			}
			blocked := 0
			for i := range kEntries {
				for j, k := range kEntries[i] {
					name := strings.ToLower(strings.Fields(strings.Trim(k.text, "[") + " x")[0])
					if !strings.HasPrefix(name, "b") && !strings.HasPrefix(k.text, "[]") {
						continue
					}
					blocked++
					if r := rEntries[i][j]; r.micros >= 10000 || k.micros >= 10000 {
						t.Errorf("%s: redis %d µs, kevy %d µs; want both under 10 ms", k.text, r.micros, k.micros)
					}
				}
			}
			if blocked < 10 {
				t.Errorf("%d entries of blocking commands, want at least 10:\n%s", blocked, show(kEntries))
			}
		})
	}
}

// blockedServeOrderScenario: Redis 7.0 serves a woken client from the key
// that became ready, not from its first key that has data: a transaction
// that pushes to the second key then the first serves BLPOP's second key
// (Redis 7.2, which runs the command again, would serve the first).
// Likewise for the sorted-set pops, for two clients woken by one
// transaction, in the order of the keys' signals and the queues, for
// three clients on one key, and for a client whose waking key the
// transaction emptied again. Left out, as a known difference: a client
// A on key k1 and a client D on k2 and k1, served by MULTI RPUSH k1 x,
// RPUSH k2 y, RPUSH k1 z, EXEC. Redis serves the ready keys in order, k1
// first, to the clients at the head of its queue (A gets x, then D gets
// z); kevy's woken clients retry concurrently, each first from the key
// that woke it, so D, woken by k2, gets y.
var blockedServeOrderScenario = []slowBlockStep{
	sbAsync("A", "BLPOP", "R1", "R2", "5"),
	sbServe("A", "B", "MULTI"),
	sb("B", "RPUSH", "R2", "b"),
	sb("B", "RPUSH", "R1", "a"),
	sb("B", "EXEC"),
	sbRead("A"),
	sb("B", "LRANGE", "R1", "0", "-1"),
	sb("B", "DEL", "R1"),
	sbAsync("A", "BRPOP", "R1", "R2", "R3", "5"),
	sbServe("A", "B", "MULTI"),
	sb("B", "RPUSH", "R3", "c"),
	sb("B", "RPUSH", "R1", "a"),
	sb("B", "EXEC"),
	sbRead("A"),
	sb("B", "DEL", "R1", "R2", "R3"),
	sbAsync("A", "BZPOPMIN", "Z1", "Z2", "5"),
	sbServe("A", "B", "MULTI"),
	sb("B", "ZADD", "Z2", "2", "b"),
	sb("B", "ZADD", "Z1", "1", "a"),
	sb("B", "EXEC"),
	sbRead("A"),
	sb("B", "DEL", "Z1", "Z2"),
	sbAsync("A", "BLMPOP", "5", "2", "M1", "M2", "LEFT"),
	sbServe("A", "B", "MULTI"),
	sb("B", "RPUSH", "M2", "b"),
	sb("B", "RPUSH", "M1", "a"),
	sb("B", "EXEC"),
	sbRead("A"),
	sb("B", "DEL", "M1", "M2"),
	sbAsync("A", "BLPOP", "Q1", "Q2", "5"),
	{client: "D", args: []string{"BLPOP", "Q2", "Q1", "5"}, async: true, waitBlock: "A"}, // A first in both queues
	sbServe("D", "B", "MULTI"),
	sb("B", "RPUSH", "Q2", "x"),
	sb("B", "RPUSH", "Q1", "y"),
	sb("B", "EXEC"),
	sbRead("A"),
	sbRead("D"),
	// Three clients on one key, served in the order they blocked by one
	// push of three elements.
	sbAsync("A", "BLPOP", "F", "5"),
	{client: "D", args: []string{"BLPOP", "F", "5"}, async: true, waitBlock: "A"},
	{client: "E", args: []string{"BRPOP", "F", "5"}, async: true, waitBlock: "D"},
	sbServe("E", "B", "RPUSH", "F", "a", "b", "c"),
	sbRead("A"),
	sbRead("D"),
	sbRead("E"),
	// The key that woke the client emptied by the same transaction: it is
	// served from its other key.
	sbAsync("A", "BLPOP", "G1", "G2", "5"),
	sbServe("A", "B", "MULTI"),
	sb("B", "RPUSH", "G1", "a"),
	sb("B", "LPOP", "G1"),
	sb("B", "RPUSH", "G2", "b"),
	sb("B", "EXEC"),
	sbRead("A"),
}

// TestBlockedServeOrderVersusRedis plays blockedServeOrderScenario on
// redis-server and on kevy and compares the replies.
func TestBlockedServeOrderVersusRedis(t *testing.T) {
	rs := startOwnRedis(t)
	rReplies, _ := slowlogBlockRun(t, rs.Addr, "2", blockedServeOrderScenario)
	ts := startServer(t, &server.Config{SlowlogLogSlowerThan: time.Nanosecond})
	kReplies, _ := slowlogBlockRun(t, ts.addr, "2", blockedServeOrderScenario)
	sameLines(t, "replies", rReplies, kReplies)
}

// TestBlockedServeOrderKnownDifference pins down the one serving order
// that differs from Redis 7.0 (README, "Known differences"): A waits on
// k1, D on k2 and k1, and MULTI RPUSH k1 x, RPUSH k2 y, RPUSH k1 z, EXEC
// wakes A by k1 and D by k2. Redis serves k1 first, A then D (x and z);
// kevy serves each woken client from the key that woke it: A gets x, D
// gets y, and z stays in k1.
func TestBlockedServeOrderKnownDifference(t *testing.T) {
	ts := startServer(t, nil)
	scenario := []slowBlockStep{
		sbAsync("A", "BLPOP", "k1", "5"),
		{client: "D", args: []string{"BLPOP", "k2", "k1", "5"}, async: true, waitBlock: "A"},
		sbServe("D", "B", "MULTI"),
		sb("B", "RPUSH", "k1", "x"),
		sb("B", "RPUSH", "k2", "y"),
		sb("B", "RPUSH", "k1", "z"),
		sb("B", "EXEC"),
		sbRead("A"),
		sbRead("D"),
		sb("B", "LRANGE", "k1", "0", "-1"),
	}
	replies, _ := slowlogBlockRun(t, ts.addr, "2", scenario)
	want := []string{
		"A (reply): *2\r\n$2\r\nk1\r\n$1\r\nx\r\n",
		"D (reply): *2\r\n$2\r\nk2\r\n$1\r\ny\r\n",
		"B LRANGE k1 0 -1: *1\r\n$1\r\nz\r\n",
	}
	got := replies[len(replies)-3:]
	if !slices.Equal(got, want) {
		t.Errorf("replies %q, want %q", got, want)
	}
}
