package kevy_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy"
)

func TestNotifyKeyspaceEventsOption(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, &kevy.Options{NotifyKeyspaceEvents: "KEA"})
	sub, err := db.PSubscribe(ctx, "__key*__:*")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if _, err := db.Do(ctx, "SET", "k", "v"); err != nil {
		t.Fatal(err)
	}
	want := []string{"__keyspace@0__:k set", "__keyevent@0__:set k"}
	for _, w := range want {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		m, err := sub.Receive(rctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Channel + " " + string(m.Payload); got != w || m.Kind != "pmessage" || m.Pattern != "__key*__:*" {
			t.Errorf("got %q (%s, %q), want %q", got, m.Kind, m.Pattern, w)
		}
	}
	// CONFIG SET switches them off.
	if _, err := db.Do(ctx, "CONFIG", "SET", "notify-keyspace-events", ""); err != nil {
		t.Fatal(err)
	}
	db.Do(ctx, "SET", "k", "w")
	db.Publish("__keyevent@0__:marker", []byte("x"))
	m, err := sub.Receive(ctx)
	if err != nil || m.Channel != "__keyevent@0__:marker" {
		t.Errorf("after CONFIG SET \"\": got %v, %v; want only the marker", m, err)
	}
}

func TestNotifyKeyspaceEventsValidation(t *testing.T) {
	for _, v := range []string{"KEQ", "a", "K E"} {
		if _, err := kevy.Open("", &kevy.Options{NotifyKeyspaceEvents: v}); !errors.Is(err, kevy.ErrInvalidArgument) {
			t.Errorf("NotifyKeyspaceEvents %q: err %v, want ErrInvalidArgument", v, err)
		}
	}
	db := openTest(t, &kevy.Options{NotifyKeyspaceEvents: "KEAn"})
	v, err := db.Do(context.Background(), "CONFIG", "GET", "notify-keyspace-events")
	if err != nil || v.Kind() != kevy.KindMap || len(v.Elems()) != 2 || v.Elems()[1].String() != "AKE" {
		t.Errorf("CONFIG GET: %v, %v", v, err)
	}
}

// collector gathers hook events.
type collector struct {
	mu  sync.Mutex
	got []kevy.KeyEvent
	ch  chan struct{}
}

func newCollector() *collector { return &collector{ch: make(chan struct{}, 1024)} }

func (c *collector) fn(e kevy.KeyEvent) {
	c.mu.Lock()
	c.got = append(c.got, e)
	c.mu.Unlock()
	c.ch <- struct{}{}
}

// wait returns the first n events, failing after a timeout.
func (c *collector) wait(t *testing.T, n int) []kevy.KeyEvent {
	t.Helper()
	for range n {
		select {
		case <-c.ch:
		case <-time.After(5 * time.Second):
			c.mu.Lock()
			defer c.mu.Unlock()
			t.Fatalf("timed out with %d events: %+v", len(c.got), c.got)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]kevy.KeyEvent(nil), c.got...)
}

func TestOnKeyEvent(t *testing.T) {
	ctx := context.Background()
	clk := kevy.NewManualClock(time.Unix(1_700_000_000, 0))
	db := openTest(t, &kevy.Options{Clock: clk, ManualExpiry: true})
	col := newCollector()
	h, err := db.OnKeyEvent(kevy.EventString|kevy.EventGeneric|kevy.EventExpired, col.fn)
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := db.Database(2)
	db.Do(ctx, "SET", "a", "1", "PX", "100")
	db.Do(ctx, "LPUSH", "l", "x") // list class: not selected
	d2.Do(ctx, "INCR", "n")
	db.Do(ctx, "DEL", "l")
	clk.Advance(time.Second)
	db.Tick()
	got := col.wait(t, 5)
	want := []kevy.KeyEvent{
		{0, "a", "set", kevy.EventString},
		{0, "a", "expire", kevy.EventGeneric},
		{2, "n", "incrby", kevy.EventString},
		{0, "l", "del", kevy.EventGeneric},
		{0, "a", "expired", kevy.EventExpired},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	h.Stop()
	h.Stop()
	db.Do(ctx, "SET", "b", "1")
	time.Sleep(20 * time.Millisecond)
	if n := len(col.wait(t, 0)); n != 5 {
		t.Errorf("%d events after Stop", n)
	}
}

func TestOnKeyEventCallsBack(t *testing.T) {
	// The hook runs outside the command's locks: it may use the DB.
	ctx := context.Background()
	db := openTest(t, nil)
	done := make(chan string, 1)
	h, err := db.OnKeyEvent(kevy.EventString, func(e kevy.KeyEvent) {
		v, err := db.Get(e.Key)
		if err != nil {
			done <- err.Error()
			return
		}
		db.Set("seen:"+e.Key, v)
		done <- string(v)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Stop()
	db.Do(ctx, "SET", "k", "hello")
	select {
	case v := <-done:
		if v != "hello" {
			t.Fatalf("hook read %q", v)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("hook deadlocked")
	}
}

func TestOnKeyEventDropsWhenFull(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, nil)
	block := make(chan struct{})
	var calls int
	var mu sync.Mutex
	h, err := db.OnKeyEvent(kevy.EventString, func(kevy.KeyEvent) {
		<-block
		mu.Lock()
		calls++
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	n := kevy.DefaultKeyEventBuffer + 100
	for i := range n {
		db.Do(ctx, "SET", "k"+strconv.Itoa(i), "v")
	}
	// The hook's goroutine may have taken one batch (64 events) out of
	// the queue before fn blocked.
	if d := h.Dropped(); d < 100-64 || d > 100 {
		t.Errorf("Dropped = %d, want 36..100", d)
	}
	close(block)
	h.Stop()
}

func TestOnKeyEventClosedDB(t *testing.T) {
	db, err := kevy.Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := db.OnKeyEvent(0, func(kevy.KeyEvent) {})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	h.Stop()
	if _, err := db.OnKeyEvent(0, func(kevy.KeyEvent) {}); !errors.Is(err, kevy.ErrClosed) {
		t.Errorf("OnKeyEvent after Close: %v", err)
	}
}

func TestNotifyEvicted(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, &kevy.Options{Shards: 2, ManualExpiry: true, EvictionPolicy: kevy.AllKeysRandom,
		MaxMemory: 64 << 10, NotifyKeyspaceEvents: "Ee"})
	sub, err := db.PSubscribe(ctx, "__keyevent@0__:evicted")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	col := newCollector()
	h, err := db.OnKeyEvent(kevy.EventEvicted, col.fn)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Stop()
	val := strings.Repeat("v", 1000)
	for i := range 500 {
		if _, err := db.Do(ctx, "SET", "k"+strconv.Itoa(i), val); err != nil {
			t.Fatal(err)
		}
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	m, err := sub.Receive(rctx)
	if err != nil {
		t.Fatalf("no evicted event: %v", err)
	}
	if !strings.HasPrefix(string(m.Payload), "k") {
		t.Errorf("evicted %q", m.Payload)
	}
	if e := col.wait(t, 1)[0]; e.Event != "evicted" || e.Class != kevy.EventEvicted || e.DB != 0 {
		t.Errorf("hook got %+v", e)
	}
}
