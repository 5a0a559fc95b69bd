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
