package keyspace

import (
	"math/rand/v2"
	"testing"
)

// TestPtrSetMatchesMap runs random adds and removes against a Go map and
// checks membership, size and iteration after every step batch.
func TestPtrSetMatchesMap(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 42} {
		r := rand.New(rand.NewPCG(seed, 0))
		pool := make([]*Entry, 3000)
		for i := range pool {
			pool[i] = &Entry{}
		}
		var p ptrSet
		model := map[*Entry]bool{}
		for step := range 60000 {
			e := pool[r.IntN(len(pool))]
			// Phases that grow and shrink the table.
			grow := (step/10000)%2 == 0
			if r.IntN(10) < 7 == grow {
				p.add(e)
				model[e] = true
			} else {
				p.remove(e)
				delete(model, e)
			}
			if step%997 == 0 {
				if p.len() != len(model) {
					t.Fatalf("seed %d step %d: len %d, model %d", seed, step, p.len(), len(model))
				}
				seen := map[*Entry]bool{}
				for x := range p.from(r.Uint64()) {
					if seen[x] || !model[x] {
						t.Fatalf("seed %d step %d: bad or duplicate member", seed, step)
					}
					seen[x] = true
				}
				if len(seen) != len(model) {
					t.Fatalf("seed %d step %d: iterated %d of %d", seed, step, len(seen), len(model))
				}
			}
		}
		for e := range model {
			p.remove(e)
		}
		if p.len() != 0 || len(p.slots) > minPtrSlots {
			t.Fatalf("seed %d: after removing all, len %d, %d slots", seed, p.len(), len(p.slots))
		}
	}
}
