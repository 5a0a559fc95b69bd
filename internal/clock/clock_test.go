package clock

import (
	"testing"
	"time"
)

func TestCachedClockTracksRealTime(t *testing.T) {
	c := New()
	defer c.Stop()
	defer c.Stop() // idempotent
	got := c.NowMs()
	want := time.Now().UnixMilli()
	if d := want - got; d < 0 || d > 1000 {
		t.Fatalf("cached clock off by %d ms", d)
	}
	c.Refresh()
	if c.NowMs() < got {
		t.Fatal("clock went backwards after Refresh")
	}
}

func TestManualClock(t *testing.T) {
	m := NewManual(time.UnixMilli(1000))
	c := FromFunc(m.NowMs)
	if c.NowMs() != 1000 {
		t.Fatalf("got %d", c.NowMs())
	}
	m.Advance(1500 * time.Millisecond)
	if c.NowMs() != 2500 {
		t.Fatalf("got %d after Advance", c.NowMs())
	}
	m.Set(time.UnixMilli(7))
	if c.NowMs() != 7 {
		t.Fatalf("got %d after Set", c.NowMs())
	}
	c.Stop() // no-op for func clocks
}

// TestCachedClockParksWhenUnread checks that the ticker stops once nobody
// reads the clock, and that the next read is nevertheless current and
// restarts it.
func TestCachedClockParksWhenUnread(t *testing.T) {
	c := New()
	defer c.Stop()
	c.NowMs()
	deadline := time.Now().Add(5 * time.Second)
	for c.state.Load() != stateParked {
		if time.Now().After(deadline) {
			t.Fatalf("ticker not parked after 5 s without readers (state %d)", c.state.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	stale := c.ms.Load()
	time.Sleep(30 * time.Millisecond) // the parked ticker no longer refreshes ms
	if got := c.ms.Load(); got != stale {
		t.Fatalf("parked clock refreshed: %d, then %d", stale, got)
	}
	before := time.Now().UnixMilli()
	got := c.NowMs()
	if got < before || got > time.Now().UnixMilli() {
		t.Fatalf("first read after parking = %d, want the current time (%d or later)", got, before)
	}
	// The ticker runs again: a reader sees the time advance without
	// Refresh.
	first := c.NowMs()
	for deadline := time.Now().Add(5 * time.Second); c.NowMs() < first+20; {
		if time.Now().After(deadline) {
			t.Fatal("clock did not advance after being woken")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestCachedClockConcurrentWakes reads the clock from several goroutines
// while it parks and wakes over and over (run it with -race): every read
// is close to the real time, never the time the ticker parked at (300 ms
// earlier). The margin of 100 ms allows for a loaded machine delaying the
// ticker.
func TestCachedClockConcurrentWakes(t *testing.T) {
	c := New()
	defer c.Stop()
	done := make(chan struct{})
	errs := make(chan string, 4)
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 5 {
				before := time.Now().UnixMilli()
				got := c.NowMs()
				if got < before-100 || got > time.Now().UnixMilli() {
					errs <- "read outside the real time's window"
					return
				}
				time.Sleep(300 * time.Millisecond) // long enough to park
			}
		}()
	}
	for range 4 {
		<-done
	}
	select {
	case e := <-errs:
		t.Fatal(e)
	default:
	}
}

// TestNowMsQuietLeavesTickerParked checks that a background reader's
// NowMsQuiet reads the current time without restarting a parked ticker.
func TestNowMsQuietLeavesTickerParked(t *testing.T) {
	c := New()
	defer c.Stop()
	deadline := time.Now().Add(5 * time.Second)
	for c.state.Load() != stateParked {
		if time.Now().After(deadline) {
			t.Fatal("ticker not parked after 5 s without readers")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	before := time.Now().UnixMilli()
	if got := c.NowMsQuiet(); got < before || got > time.Now().UnixMilli() {
		t.Fatalf("NowMsQuiet = %d, want the current time (%d or later)", got, before)
	}
	if s := c.state.Load(); s != stateParked {
		t.Fatalf("state after NowMsQuiet = %d, want parked (%d)", s, stateParked)
	}
}
