//go:build race

package resp

import "sync"

// raceKeep is how many buffers a bufPool keeps under the race detector.
const raceKeep = 64

// bufPool replaces sync.Pool under the race detector, where sync.Pool
// drops a quarter of what is put back at random: the buffers given back
// by idle connections would then be reallocated, and allocation tests
// run with -race would fail. It keeps up to raceKeep buffers under a
// mutex, which also orders a buffer's use before its reuse for the race
// detector, as sync.Pool's annotations do.
type bufPool struct {
	mu    sync.Mutex
	items []any
}

// Get takes a buffer box, or returns nil.
func (p *bufPool) Get() any {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.items)
	if n == 0 {
		return nil
	}
	x := p.items[n-1]
	p.items[n-1] = nil
	p.items = p.items[:n-1]
	return x
}

// Put gives a buffer box back, dropping it if the pool is full.
func (p *bufPool) Put(x any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.items) < raceKeep {
		p.items = append(p.items, x)
	}
}
