package kevy_test

import (
	"testing"
	"time"

	"github.com/kevydb/kevy"
)

// TestTypedWritesEmitKeyEvents checks that writes made through the typed
// API produce the same keyspace events as the commands, once something
// listens for them.
func TestTypedWritesEmitKeyEvents(t *testing.T) {
	db := openTest(t, nil)
	got := make(chan kevy.KeyEvent, 16)
	h, err := db.OnKeyEvent(kevy.EventAll, func(ev kevy.KeyEvent) { got <- ev })
	if err != nil {
		t.Fatal(err)
	}
	defer h.Stop()
	if err := db.Set("k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LPush("l", "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Del("k"); err != nil {
		t.Fatal(err)
	}
	want := []string{"set k", "lpush l", "del k"}
	for _, w := range want {
		select {
		case ev := <-got:
			if ev.Event+" "+ev.Key != w {
				t.Fatalf("event %q %q, want %q", ev.Event, ev.Key, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no event for %q", w)
		}
	}
}
