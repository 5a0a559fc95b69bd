package bench

import (
	"sync"
	"sync/atomic"
	"time"
)

// Clock is a millisecond wall clock refreshed by a background goroutine
// every millisecond: the same technique kevy uses, so the TTL baseline
// pays for a clock read exactly what kevy pays (one atomic load) rather
// than a time.Now call per operation.
type Clock struct {
	ms   atomic.Int64
	stop chan struct{}
	done chan struct{}
}

// NewClock starts a Clock. Stop releases its goroutine.
func NewClock() *Clock {
	c := &Clock{stop: make(chan struct{}), done: make(chan struct{})}
	c.ms.Store(time.Now().UnixMilli())
	go func() {
		defer close(c.done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case now := <-t.C:
				c.ms.Store(now.UnixMilli())
			}
		}
	}()
	return c
}

// newFixedClock returns a Clock that stays at ms until set; for tests.
func newFixedClock(ms int64) *Clock {
	c := &Clock{}
	c.ms.Store(ms)
	return c
}

// set moves a fixed clock; for tests.
func (c *Clock) set(ms int64) { c.ms.Store(ms) }

// NowMs returns the cached time in Unix milliseconds.
func (c *Clock) NowMs() int64 { return c.ms.Load() }

// Stop stops the refreshing goroutine. It must be called at most once.
func (c *Clock) Stop() {
	if c.stop == nil {
		return
	}
	close(c.stop)
	<-c.done
}

// MapStore is the bare Go baseline: a map[string][]byte behind one
// sync.RWMutex. It stores and returns the caller's slices without
// copying, and has no TTL, no types and no statistics: it is the floor
// that any Go store pays for a hash lookup and a lock.
type MapStore struct {
	mu sync.RWMutex
	m  map[string][]byte
}

// NewMapStore returns an empty MapStore.
func NewMapStore() *MapStore { return &MapStore{m: make(map[string][]byte)} }

// Get returns the slice stored at key (not a copy) and whether it exists.
func (s *MapStore) Get(key string) ([]byte, bool) {
	s.mu.RLock()
	v, ok := s.m[key]
	s.mu.RUnlock()
	return v, ok
}

// Set stores v at key. The store keeps v itself, not a copy, and keeps
// key: it must not alias memory the caller will change.
func (s *MapStore) Set(key string, v []byte) {
	s.mu.Lock()
	s.m[key] = v
	s.mu.Unlock()
}

// Len returns the number of keys.
func (s *MapStore) Len() int {
	s.mu.RLock()
	n := len(s.m)
	s.mu.RUnlock()
	return n
}

// ttlItem is a TTLMapStore value: the caller's slice and an absolute
// deadline in Unix ms.
type ttlItem struct {
	v        []byte
	deadline int64
}

// TTLMapStore is the baseline for shapes with a TTL: MapStore whose
// values carry a deadline that Get checks against a cached clock. An
// expired key reads as missing; it is not removed (removal would need
// the write lock on a read, which a bare baseline avoids).
type TTLMapStore struct {
	mu  sync.RWMutex
	m   map[string]ttlItem
	clk *Clock
}

// NewTTLMapStore returns an empty TTLMapStore reading time from clk.
func NewTTLMapStore(clk *Clock) *TTLMapStore {
	return &TTLMapStore{m: make(map[string]ttlItem), clk: clk}
}

// Get returns the slice stored at key if it exists and has not expired.
func (s *TTLMapStore) Get(key string) ([]byte, bool) {
	now := s.clk.NowMs()
	s.mu.RLock()
	it, ok := s.m[key]
	s.mu.RUnlock()
	if !ok || it.deadline <= now {
		return nil, false
	}
	return it.v, true
}

// Set stores v at key with a deadline ttlMs milliseconds from now. Like
// MapStore.Set it keeps v and key themselves.
func (s *TTLMapStore) Set(key string, v []byte, ttlMs int64) {
	d := s.clk.NowMs() + ttlMs
	s.mu.Lock()
	s.m[key] = ttlItem{v: v, deadline: d}
	s.mu.Unlock()
}

// Len returns the number of keys, expired or not.
func (s *TTLMapStore) Len() int {
	s.mu.RLock()
	n := len(s.m)
	s.mu.RUnlock()
	return n
}
