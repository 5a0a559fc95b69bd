package object

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// listMemWalk is the O(n) definition of List.MemUsage that the running
// total must always equal.
func listMemWalk(l *List) int {
	m := listStructAlloc
	for n := l.head; n != nil; n = n.next {
		m += listNodeAlloc + len(n.buf)
	}
	if l.spare != nil {
		m += listNodeAlloc + len(l.spare.buf)
	}
	return m
}

// TestListMemUsageRunningTotal drives lists through every mutating
// operation, with several node-size settings, and checks after each step
// that the O(1) MemUsage equals a full walk of the nodes.
func TestListMemUsageRunningTotal(t *testing.T) {
	for _, fill := range []int{-2, -1, -5, 4, 128} {
		lim := DefaultLimits()
		lim.ListMaxListpackSize = fill
		r := rand.New(rand.NewPCG(uint64(fill+10), 7))
		l := NewList(&lim)
		val := func() []byte {
			n := r.IntN(40)
			if r.IntN(20) == 0 {
				n = 2000 + r.IntN(12000) // larger than a node
			}
			return bytes.Repeat([]byte{byte('a' + r.IntN(3))}, n)
		}
		for step := 0; step < 20000; step++ {
			op := r.IntN(10)
			switch op {
			case 0, 1:
				l.PushBack(val())
			case 2, 3:
				l.PushFront(val())
			case 4:
				l.PopFront()
			case 5:
				l.PopBack()
			case 6:
				if l.Len() > 0 {
					l.Set(r.IntN(l.Len()), val())
				}
			case 7:
				if p, ok := l.Index(r.IntN(l.Len() + 1)); ok {
					l.Insert(bytes.Clone(p), val(), r.IntN(2) == 0)
				}
			case 8:
				l.Remove(r.IntN(5)-2, []byte("a"))
			case 9:
				if r.IntN(50) == 0 {
					n := l.Len()
					l.Trim(r.IntN(n+1), n-r.IntN(n+1))
				}
			}
			if got, want := l.MemUsage(), listMemWalk(l); got != want {
				t.Fatalf("fill %d step %d op %d: MemUsage %d, walk %d", fill, step, op, got, want)
			}
		}
		c := l.Clone()
		if got, want := c.MemUsage(), listMemWalk(c); got != want {
			t.Fatalf("fill %d clone: MemUsage %d, walk %d", fill, got, want)
		}
	}
}

// BenchmarkListMemUsage shows MemUsage is O(1) on a long list.
func BenchmarkListMemUsage(b *testing.B) {
	l := NewList(nil)
	for i := 0; i < 100000; i++ {
		l.PushBack([]byte("element-payload"))
	}
	b.ReportAllocs()
	b.ResetTimer()
	s := 0
	for range b.N {
		s += l.MemUsage()
	}
	if s == 0 {
		b.Fatal("no usage")
	}
}
