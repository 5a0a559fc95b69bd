package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/resp"
	"github.com/kevydb/kevy/server"
)

// memClient is a raw RESP client on an in-memory connection.
type memClient struct {
	t  *testing.T
	nc net.Conn
	r  *resp.Reader
}

func dialMem(t *testing.T, srv *server.Server) *memClient {
	t.Helper()
	nc, err := srv.DialInMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	return &memClient{t: t, nc: nc, r: resp.NewReader(nc, 0)}
}

func (c *memClient) cmd(args ...string) {
	c.t.Helper()
	if _, err := c.nc.Write(resp.AppendCommandString(nil, args...)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *memClient) value() resp.Value {
	c.t.Helper()
	v, err := c.r.ReadValue()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return v
}

// render formats a reply compactly: strings bare, null as nil, integers
// with ':', aggregates in brackets prefixed by their type byte.
func render(v resp.Value) string {
	switch v.Kind {
	case resp.KindArray, resp.KindPush, resp.KindMap, resp.KindSet:
		if v.Null {
			return "nil"
		}
		parts := make([]string, len(v.Elems))
		for i := range v.Elems {
			parts[i] = render(v.Elems[i])
		}
		return string(rune(v.Kind)) + "[" + strings.Join(parts, " ") + "]"
	case resp.KindInteger:
		return ":" + strconv.FormatInt(v.Int, 10)
	case resp.KindNull:
		return "nil"
	case resp.KindBulk:
		if v.Null {
			return "nil"
		}
	case resp.KindError:
		return "-" + string(v.Str)
	}
	return string(v.Str)
}

func TestSubscribeReplies(t *testing.T) {
	ts := startServer(t, nil)
	for _, proto := range []string{"2", "3"} {
		t.Run("resp"+proto, func(t *testing.T) {
			c := dialMem(t, ts.srv)
			p := "*"
			if proto == "3" {
				p = ">"
				c.cmd("HELLO", "3")
				c.value()
			}
			steps := []struct {
				cmd  []string
				want []string
			}{
				{[]string{"SUBSCRIBE", "a", "b", "a"}, []string{p + "[subscribe a :1]", p + "[subscribe b :2]", p + "[subscribe a :2]"}},
				{[]string{"PSUBSCRIBE", "x*"}, []string{p + "[psubscribe x* :3]"}},
				{[]string{"SSUBSCRIBE", "s", "t"}, []string{p + "[ssubscribe s :1]", p + "[ssubscribe t :2]"}},
				{[]string{"UNSUBSCRIBE", "b", "zz"}, []string{p + "[unsubscribe b :2]", p + "[unsubscribe zz :2]"}},
				{[]string{"UNSUBSCRIBE"}, []string{p + "[unsubscribe a :1]"}},
				{[]string{"UNSUBSCRIBE"}, []string{p + "[unsubscribe nil :1]"}},
				{[]string{"PUNSUBSCRIBE"}, []string{p + "[punsubscribe x* :0]"}},
				{[]string{"SUNSUBSCRIBE"}, []string{p + "[sunsubscribe s :1]", p + "[sunsubscribe t :0]"}},
				{[]string{"SUNSUBSCRIBE"}, []string{p + "[sunsubscribe nil :0]"}},
				{[]string{"PUNSUBSCRIBE", "q"}, []string{p + "[punsubscribe q :0]"}},
			}
			for _, st := range steps {
				c.cmd(st.cmd...)
				for _, w := range st.want {
					if got := render(c.value()); got != w {
						t.Errorf("%v: got %s, want %s", st.cmd, got, w)
					}
				}
			}
			// Not subscribed any more: normal commands run.
			c.cmd("PING")
			if got := render(c.value()); got != "PONG" {
				t.Errorf("PING after unsubscribing: %s", got)
			}
		})
	}
}

func TestSubscribedContextRESP2(t *testing.T) {
	ts := startServer(t, nil)
	c := dialMem(t, ts.srv)
	c.cmd("SSUBSCRIBE", "s")
	c.value()
	steps := []struct {
		cmd  []string
		want string
	}{
		{[]string{"GET", "x"}, "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"},
		{[]string{"CLIENT", "ID"}, "-ERR Can't execute 'client|id': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"},
		{[]string{"COMMAND"}, "-ERR Can't execute 'command': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"},
		{[]string{"CLIENT", "FOO"}, "-ERR unknown subcommand 'FOO'. Try CLIENT HELP."},
		{[]string{"GET"}, "-ERR wrong number of arguments for 'get' command"},
		{[]string{"PING"}, "*[pong ]"},
		{[]string{"PING", "hi"}, "*[pong hi]"},
		{[]string{"PING", "a", "b"}, "-ERR wrong number of arguments for 'ping' command"},
		{[]string{"HELLO", "3"}, "-ERR Can't execute 'hello': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"},
		{[]string{"RESET"}, "RESET"},
		{[]string{"GET", "x"}, "nil"},
		{[]string{"PUBSUB", "SHARDNUMSUB", "s"}, "*[s :0]"},
	}
	for _, st := range steps {
		c.cmd(st.cmd...)
		if got := render(c.value()); got != st.want {
			t.Errorf("%v: got %s, want %s", st.cmd, got, st.want)
		}
	}
}

// TestMessagesInterleaveWithReplies pipelines commands on a RESP3
// subscriber while messages arrive: every frame parses, the replies come
// in order and every message arrives once.
func TestMessagesInterleaveWithReplies(t *testing.T) {
	ts := startServer(t, nil)
	c := dialMem(t, ts.srv)
	c.cmd("HELLO", "3")
	c.value()
	c.cmd("SUBSCRIBE", "ch")
	c.value()
	const msgs, cmds = 2000, 2000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range msgs {
			ts.db.Publish("ch", []byte(strconv.Itoa(i)))
		}
	}()
	go func() {
		var buf []byte
		for i := range cmds {
			buf = resp.AppendCommandString(buf[:0], "ECHO", strconv.Itoa(i))
			if _, err := c.nc.Write(buf); err != nil {
				return
			}
		}
	}()
	nextMsg, nextReply := 0, 0
	for nextMsg < msgs || nextReply < cmds {
		v := c.value()
		switch {
		case v.Kind == resp.KindPush:
			if got := render(v); got != ">[message ch "+strconv.Itoa(nextMsg)+"]" {
				t.Fatalf("message %d: %s", nextMsg, got)
			}
			nextMsg++
		case v.Kind == resp.KindBulk:
			if string(v.Str) != strconv.Itoa(nextReply) {
				t.Fatalf("reply %d: %s", nextReply, render(v))
			}
			nextReply++
		default:
			t.Fatalf("unexpected %s", render(v))
		}
	}
	wg.Wait()
}

// TestSelfPublishOrder checks Redis's order for a message caused by the
// subscriber's own command: the message precedes the reply.
func TestSelfPublishOrder(t *testing.T) {
	ts := startServer(t, nil)
	c := dialMem(t, ts.srv)
	c.cmd("HELLO", "3")
	c.value()
	c.cmd("CONFIG", "SET", "notify-keyspace-events", "E$")
	c.value()
	c.cmd("SUBSCRIBE", "__keyevent@0__:set", "own")
	c.value()
	c.value()
	c.cmd("SET", "k", "v")
	c.cmd("PUBLISH", "own", "x")
	want := []string{">[message __keyevent@0__:set k]", "OK", ">[message own x]", ":1"}
	for _, w := range want {
		if got := render(c.value()); got != w {
			t.Errorf("got %s, want %s", got, w)
		}
	}
}

// syncLogger collects log output safely.
type syncLogger struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLogger) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// slowSubscriber subscribes a client that never reads, calls setup (if
// not nil), publishes until the server closes it, and returns how long
// that took.
func slowSubscriber(t *testing.T, cfg *server.Config, setup ...func(*testServer)) (time.Duration, *testServer, *syncLogger) {
	t.Helper()
	logs := &syncLogger{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	ts := startServer(t, cfg)
	nc, err := ts.srv.DialInMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.Write(resp.AppendCommandString(nil, "SUBSCRIBE", "ch"))
	r := resp.NewReader(nc, 0)
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := r.ReadValue(); err != nil {
		t.Fatal(err)
	}
	for _, f := range setup {
		f(ts)
	}
	start := time.Now()
	payload := bytes.Repeat([]byte("x"), 1024)
	deadline := start.Add(10 * time.Second)
	for {
		n, err := ts.db.Publish("ch", payload)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 { // the subscriber is gone
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the slow subscriber was never disconnected")
		}
		if cfg.PubSubHardLimit < 0 {
			time.Sleep(time.Millisecond) // a trickle: only the soft limit can act
		}
	}
	elapsed := time.Since(start)
	// The client reads what was written before, then sees the close.
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = io.Copy(io.Discard, nc)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the connection was not closed")
	}
	return elapsed, ts, logs
}

func TestSlowSubscriberHardLimit(t *testing.T) {
	_, ts, logs := slowSubscriber(t, &server.Config{PubSubHardLimit: 256 << 10})
	if !strings.Contains(logs.String(), "limit=hard") {
		t.Errorf("log: %s", logs.String())
	}
	// The subscription is removed asynchronously, as Redis frees such a
	// client "ASAP".
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := ts.db.Do(context.Background(), "PUBSUB", "NUMSUB", "ch")
		if err == nil && render2(v) == "[ch 0]" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("PUBSUB NUMSUB ch: %v %v", v, err)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestConfigSetPubsubLimit: CONFIG SET client-output-buffer-limit
// pubsub applies to the subscribers already there: one that had no limit
// is closed over the new hard limit.
func TestConfigSetPubsubLimit(t *testing.T) {
	_, _, logs := slowSubscriber(t, &server.Config{PubSubHardLimit: -1, PubSubSoftLimit: -1}, func(ts *testServer) {
		if err := ts.srv.ConfigSet("client-output-buffer-limit", "pubsub 256kb 0 0"); err != nil {
			t.Fatal(err)
		}
	})
	if !strings.Contains(logs.String(), "limit=hard") {
		t.Errorf("log: %s", logs.String())
	}
}

func TestSlowSubscriberSoftLimit(t *testing.T) {
	elapsed, _, logs := slowSubscriber(t, &server.Config{
		PubSubHardLimit: -1, PubSubSoftLimit: 64 << 10, PubSubSoftSeconds: 300 * time.Millisecond})
	if !strings.Contains(logs.String(), "limit=soft") {
		t.Errorf("log: %s", logs.String())
	}
	if elapsed < 300*time.Millisecond {
		t.Errorf("closed after %v, before the soft limit's duration", elapsed)
	}
}

// render2 formats a kevy.Value array of bulk/int.
func render2(v kevy.Value) string {
	parts := make([]string, 0, v.Len())
	for _, e := range v.Elems() {
		parts = append(parts, e.String())
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// TestSoftLimitRecovers: a subscriber that catches up within the soft
// duration stays connected.
func TestSoftLimitRecovers(t *testing.T) {
	ts := startServer(t, &server.Config{PubSubHardLimit: -1, PubSubSoftLimit: 32 << 10, PubSubSoftSeconds: 2 * time.Second})
	c := dialMem(t, ts.srv)
	c.cmd("SUBSCRIBE", "ch")
	c.value()
	payload := bytes.Repeat([]byte("y"), 4096)
	const n = 400 // 1.6 MB: more than the in-memory connection buffers
	for range n {
		ts.db.Publish("ch", payload)
	}
	time.Sleep(100 * time.Millisecond)
	for i := range n {
		if v := c.value(); len(v.Elems) != 3 || len(v.Elems[2].Str) != len(payload) {
			t.Fatalf("message %d: %s", i, render(v))
		}
	}
	c.cmd("PING")
	if got := render(c.value()); got != "*[pong ]" {
		t.Fatalf("PING: %s", got)
	}
}

func TestSubscriberGoroutinesEnd(t *testing.T) {
	ts := startServer(t, nil)
	time.Sleep(50 * time.Millisecond)
	base := runtime.NumGoroutine()
	for range 20 {
		c := dialMem(t, ts.srv)
		c.cmd("SUBSCRIBE", "a")
		c.value()
		c.cmd("QUIT")
		c.value()
		c.nc.Close()
	}
	waitGoroutines(t, base)
	v, _ := ts.db.Do(context.Background(), "PUBSUB", "NUMSUB", "a")
	if render2(v) != "[a 0]" {
		t.Errorf("subscriptions left: %s", render2(v))
	}
}

func TestClientListPubSub(t *testing.T) {
	ts := startServer(t, nil)
	c := dialMem(t, ts.srv)
	c.cmd("HELLO", "3")
	c.value()
	c.cmd("SUBSCRIBE", "a", "b")
	c.value()
	c.value()
	c.cmd("PSUBSCRIBE", "p*")
	c.value()
	c.cmd("SSUBSCRIBE", "s")
	c.value()
	c.cmd("CLIENT", "INFO")
	info := render(c.value())
	for _, want := range []string{" flags=P ", " sub=2 psub=1 ssub=1 "} {
		if !strings.Contains(info, want) {
			t.Errorf("CLIENT INFO %q lacks %q", info, want)
		}
	}
	o := dialMem(t, ts.srv)
	o.cmd("CLIENT", "LIST", "TYPE", "pubsub")
	if got := render(o.value()); !strings.Contains(got, " sub=2 ") || strings.Count(got, "id=") != 1 {
		t.Errorf("CLIENT LIST TYPE pubsub: %s", got)
	}
	o.cmd("CLIENT", "LIST", "TYPE", "normal")
	if got := render(o.value()); strings.Contains(got, "flags=P") || strings.Count(got, "id=") != 1 {
		t.Errorf("CLIENT LIST TYPE normal: %s", got)
	}
}

// TestSubscriberIgnoresIdleTimeout: like Redis's "timeout", the idle
// timeout does not apply to subscribed clients.
func TestSubscriberIgnoresIdleTimeout(t *testing.T) {
	ts := startServer(t, &server.Config{IdleTimeout: 100 * time.Millisecond})
	c := dialMem(t, ts.srv)
	c.cmd("SUBSCRIBE", "ch")
	c.value()
	time.Sleep(300 * time.Millisecond)
	ts.db.Publish("ch", []byte("still here"))
	if got := render(c.value()); got != "*[message ch still here]" {
		t.Fatalf("got %s", got)
	}
	c.cmd("UNSUBSCRIBE")
	c.value()
	time.Sleep(300 * time.Millisecond)
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.r.ReadValue(); err == nil {
		t.Fatal("an unsubscribed idle client was not closed")
	}
}

// BenchmarkPubSubDelivery measures a message published through the
// embedded API and read by a RESP2 subscriber on an in-memory connection.
func BenchmarkPubSubDelivery(b *testing.B) {
	db, err := kevy.Open("", &kevy.Options{ManualExpiry: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	srv := server.New(db, nil)
	defer srv.Close()
	nc, err := srv.DialInMemory()
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	nc.Write(resp.AppendCommandString(nil, "SUBSCRIBE", "ch"))
	r := resp.NewReader(nc, 0)
	if _, err := r.ReadValue(); err != nil {
		b.Fatal(err)
	}
	payload := []byte("hello")
	b.ReportAllocs()
	for b.Loop() {
		db.Publish("ch", payload)
		if _, err := r.ReadValue(); err != nil {
			b.Fatal(err)
		}
	}
}
