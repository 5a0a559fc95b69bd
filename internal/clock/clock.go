package clock

import (
	"sync"
	"sync/atomic"
	"time"
)

// tickEvery is the refresh period of the cached clock. One millisecond is
// the resolution of Redis deadlines (PEXPIRE), so a coarser tick would let
// keys outlive their TTL by more than Redis allows.
const tickEvery = time.Millisecond

// parkAfter is how many ticks in a row without a reader make the ticker
// stop until the next read: an idle process is not woken a thousand
// times a second.
const parkAfter = 2

// The states of a cached Clock, in Clock.state.
const (
	stateRead   = iota // read since the last tick
	stateUnread        // not read since the last tick
	stateParked        // the ticker is stopped; the next read restarts it
	stateWaking        // a reader is restarting the ticker
)

// Clock yields the current Unix time in milliseconds. A Clock built by New
// is cached and refreshed in the background until Stop, while it is read:
// after parkAfter ticks without a reader the ticker stops, and the next
// read takes the time itself and restarts it. One built by FromFunc calls
// the function every time.
type Clock struct {
	ms    atomic.Int64
	state atomic.Int32
	fn    func() int64
	wake  chan struct{} // a parked ticker's restart signal
	stop  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
}

// New returns a cached real-time clock; call Stop to end its ticker.
func New() *Clock {
	c := &Clock{stop: make(chan struct{}), wake: make(chan struct{}, 1)}
	c.ms.Store(time.Now().UnixMilli())
	c.wg.Add(1)
	go c.run()
	return c
}

// FromFunc returns a clock that asks fn for the time on every read. It is
// meant for tests and for callers that supply their own time source.
func FromFunc(fn func() int64) *Clock {
	return &Clock{fn: fn}
}

func (c *Clock) run() {
	defer c.wg.Done()
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	unread := 0 // ticks in a row without a reader
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			// The time now, not the tick's: a tick left in the channel
			// from before parking (GODEBUG=asynctimerchan=1) must not
			// move the clock back to then.
			c.advance(time.Now().UnixMilli())
		}
		if c.state.Swap(stateUnread) == stateRead {
			unread = 0
			continue
		}
		if unread++; unread < parkAfter || !c.state.CompareAndSwap(stateUnread, stateParked) {
			continue
		}
		t.Stop()
		select {
		case <-c.stop:
			return
		case <-c.wake: // a reader has stored the time and marked it read
		}
		t.Reset(tickEvery)
		unread = 0
	}
}

// NowMs returns the current Unix time in milliseconds.
func (c *Clock) NowMs() int64 {
	if c.fn != nil {
		return c.fn()
	}
	if c.state.Load() != stateRead {
		return c.nowSlow()
	}
	return c.ms.Load()
}

// NowMsQuiet is NowMs for a periodic background task (the active expiry
// cycle): it neither restarts a parked ticker (it takes the time itself)
// nor counts as a read that keeps the ticker running, so that such a
// task alone does not keep the clock ticking.
func (c *Clock) NowMsQuiet() int64 {
	if c.fn != nil {
		return c.fn()
	}
	if s := c.state.Load(); s == stateParked || s == stateWaking {
		return time.Now().UnixMilli()
	}
	return c.ms.Load()
}

// nowSlow is NowMs for a clock not yet read since the last tick, or
// parked.
func (c *Clock) nowSlow() int64 {
	for {
		switch c.state.Load() {
		case stateRead:
			return c.ms.Load()
		case stateUnread:
			if c.state.CompareAndSwap(stateUnread, stateRead) {
				return c.ms.Load()
			}
		case stateParked:
			if c.state.CompareAndSwap(stateParked, stateWaking) {
				now := time.Now().UnixMilli()
				c.advance(now)
				c.state.Store(stateRead)
				c.wake <- struct{}{} // never blocks: one signal per parking
				return now
			}
		default: // stateWaking: the cached time is not fresh yet
			return time.Now().UnixMilli()
		}
	}
}

// Refresh re-reads the real time immediately (no-op for FromFunc clocks).
// The engine calls it before time-sensitive work that must not see a value
// up to one tick old.
func (c *Clock) Refresh() {
	if c.fn == nil {
		c.advance(time.Now().UnixMilli())
	}
}

// advance stores ms unless the clock already shows a later time (two
// goroutines storing the time at once), so that the cached clock never
// goes back.
func (c *Clock) advance(ms int64) {
	for {
		old := c.ms.Load()
		if ms <= old || c.ms.CompareAndSwap(old, ms) {
			return
		}
	}
}

// Stop ends the background ticker. It is idempotent.
func (c *Clock) Stop() {
	if c.stop == nil {
		return
	}
	c.once.Do(func() { close(c.stop) })
	c.wg.Wait()
}

// Manual is a settable time source for tests: Advance moves it forward
// and NowMs reports it. It is safe for concurrent use.
type Manual struct {
	ms atomic.Int64
}

// NewManual returns a Manual clock set to t.
func NewManual(t time.Time) *Manual {
	m := &Manual{}
	m.ms.Store(t.UnixMilli())
	return m
}

// NowMs returns the manual clock's time in Unix milliseconds.
func (m *Manual) NowMs() int64 { return m.ms.Load() }

// Advance moves the clock forward by d.
func (m *Manual) Advance(d time.Duration) { m.ms.Add(d.Milliseconds()) }

// Set moves the clock to t.
func (m *Manual) Set(t time.Time) { m.ms.Store(t.UnixMilli()) }
