package object

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ---- reference model (plain []string with Redis semantics) ----

func listTNorm(n, start, stop int) (int, int, bool) {
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	if start < 0 {
		start = 0
	}
	if start > stop || start >= n {
		return 0, 0, false
	}
	if stop >= n {
		stop = n - 1
	}
	return start, stop, true
}

func listTModelRange(m []string, start, stop int) []string {
	s, e, ok := listTNorm(len(m), start, stop)
	if !ok {
		return []string{}
	}
	return slices.Clone(m[s : e+1])
}

func listTModelRemove(m []string, count int, v string) ([]string, int) {
	removed := 0
	if count >= 0 {
		out := m[:0:0]
		for _, e := range m {
			if e == v && (count == 0 || removed < count) {
				removed++
				continue
			}
			out = append(out, e)
		}
		return out, removed
	}
	out := slices.Clone(m)
	for i := len(out) - 1; i >= 0 && removed < -count; i-- {
		if out[i] == v {
			out = slices.Delete(out, i, i+1)
			removed++
		}
	}
	return out, removed
}

func listTModelPos(m []string, v string, rank, count, maxlen int) []int {
	var res []int
	matches := 0
	n := len(m)
	for idx := 0; idx < n && (maxlen == 0 || idx < maxlen); idx++ {
		i := idx
		r := rank
		if rank < 0 {
			i = n - 1 - idx
			r = -rank
		}
		if m[i] != v {
			continue
		}
		matches++
		if matches >= r {
			res = append(res, i)
			if count != 0 && len(res) == count {
				break
			}
		}
	}
	return res
}

// listTCollect returns the list contents via forward iteration.
func listTCollect(l *List) []string {
	out := []string{}
	for v := range l.All() {
		out = append(out, string(v))
	}
	return out
}

// listTCheck verifies the structural invariants and that l equals m.
func listTCheck(t *testing.T, l *List, m []string) {
	t.Helper()
	if l.Len() != len(m) {
		t.Fatalf("Len = %d, want %d", l.Len(), len(m))
	}
	total, nodes := 0, 0
	var prev *listNode
	for n := l.head; n != nil; n = n.next {
		nodes++
		if n.prev != prev {
			t.Fatalf("node %d: broken prev link", nodes)
		}
		if n.off < 0 || n.off > n.end || n.end > len(n.buf) || len(n.buf) != cap(n.buf) {
			t.Fatalf("node %d: bad window off=%d end=%d len=%d cap=%d", nodes, n.off, n.end, len(n.buf), cap(n.buf))
		}
		c := 0
		for p := n.off; p < n.end; p = listSkipFwd(n.buf, p) {
			c++
		}
		if c != n.count {
			t.Fatalf("node %d: count %d, decoded %d", nodes, n.count, c)
		}
		if n.count == 0 && !(l.nodes == 1 && l.length == 0) {
			t.Fatalf("node %d: empty node in list of %d nodes/%d elements", nodes, l.nodes, l.length)
		}
		if l.maxCount > 0 && n.count > int(l.maxCount) {
			t.Fatalf("node %d: %d elements > cap %d", nodes, n.count, l.maxCount)
		}
		if n.count > 1 && n.end-n.off > l.nodeMax() {
			t.Fatalf("node %d: %d bytes > budget %d with %d elements", nodes, n.end-n.off, l.nodeMax(), n.count)
		}
		total += n.count
		prev = n
	}
	if prev != l.tail {
		t.Fatalf("tail pointer mismatch")
	}
	if nodes != l.nodes {
		t.Fatalf("nodes = %d, counted %d", l.nodes, nodes)
	}
	if total != l.length {
		t.Fatalf("length = %d, nodes hold %d", l.length, total)
	}
	if got := listTCollect(l); !slices.Equal(got, m) {
		t.Fatalf("forward contents\n got %q\nwant %q", listTShort(got), listTShort(m))
	}
	var back []string
	for v := range l.Backward() {
		back = append(back, string(v))
	}
	slices.Reverse(back)
	if len(m) > 0 && !slices.Equal(back, m) {
		t.Fatalf("backward contents differ")
	}
}

func listTShort(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		if len(v) > 24 {
			v = fmt.Sprintf("%s…(%d)", v[:8], len(v))
		}
		out[i] = v
	}
	return out
}

func listTFrom(lim *Limits, vals ...string) *List {
	l := NewList(lim)
	for _, v := range vals {
		l.PushBack([]byte(v))
	}
	return l
}

// ---- table-driven semantics ----

func TestListElemEncoding(t *testing.T) {
	for _, n := range []int{0, 1, 126, 127, 128, 200, 16383, 16384, 70000} {
		v := bytes.Repeat([]byte{'x'}, n)
		v = append(v[:0], v...)
		b := make([]byte, listElemSize(n)+2)
		listPutElem(b[1:1+listElemSize(n)], v)
		got, next := listElemAt(b, 1)
		if !bytes.Equal(got, v) || next != 1+listElemSize(n) {
			t.Fatalf("n=%d forward decode: len %d next %d", n, len(got), next)
		}
		got, start := listElemBefore(b, 1+listElemSize(n))
		if !bytes.Equal(got, v) || start != 1 {
			t.Fatalf("n=%d backward decode: len %d start %d", n, len(got), start)
		}
		if listSkipFwd(b, 1) != next || listSkipBack(b, next) != 1 {
			t.Fatalf("n=%d skip mismatch", n)
		}
	}
}

func TestListNodeLimits(t *testing.T) {
	tests := []struct {
		fill            int
		maxBytes, count int32
	}{
		{-1, 4096, 0}, {-2, 8192, 0}, {-3, 16384, 0}, {-4, 32768, 0}, {-5, 65536, 0},
		{-6, 65536, 0}, {-100, 65536, 0}, {0, 8192, 1}, {1, 8192, 1}, {128, 8192, 128},
	}
	for _, tc := range tests {
		b, c := listNodeLimits(tc.fill)
		if b != tc.maxBytes || c != tc.count {
			t.Errorf("fill %d: got (%d,%d) want (%d,%d)", tc.fill, b, c, tc.maxBytes, tc.count)
		}
	}
}

func TestListRange(t *testing.T) {
	base := []string{"a", "b", "c", "d", "e"}
	tests := []struct {
		start, stop int
		want        []string
	}{
		{0, -1, base},
		{-100, 100, base},
		{0, 0, []string{"a"}},
		{-1, -1, []string{"e"}},
		{-2, -1, []string{"d", "e"}},
		{2, 1, []string{}},
		{5, 10, []string{}},
		{4, 4, []string{"e"}},
		{-7, -6, []string{}},
		{1, -100, []string{}},
		{-100, 0, []string{"a"}},
		{3, 100, []string{"d", "e"}},
		{math.MinInt, math.MaxInt, base},
	}
	for _, fill := range []int{-2, 2} {
		lim := DefaultLimits()
		lim.ListMaxListpackSize = fill
		l := listTFrom(&lim, base...)
		for _, tc := range tests {
			got := []string{}
			l.Range(tc.start, tc.stop, func(v []byte) { got = append(got, string(v)) })
			if !slices.Equal(got, tc.want) {
				t.Errorf("fill %d LRANGE %d %d = %q, want %q", fill, tc.start, tc.stop, got, tc.want)
			}
			from, n := l.RangeBounds(tc.start, tc.stop)
			if n != len(tc.want) || (n > 0 && base[from] != tc.want[0]) {
				t.Errorf("RangeBounds(%d,%d) = %d,%d", tc.start, tc.stop, from, n)
			}
		}
	}
	var empty List
	empty.Range(0, -1, func([]byte) { t.Fatal("callback on empty list") })
}

func TestListTrim(t *testing.T) {
	base := []string{"a", "b", "c", "d", "e"}
	tests := []struct {
		start, stop int
		want        []string
	}{
		{0, -1, base},
		{1, -1, []string{"b", "c", "d", "e"}},
		{0, -2, []string{"a", "b", "c", "d"}},
		{1, 1, []string{"b"}},
		{2, 1, []string{}},
		{5, 10, []string{}},
		{-2, 100, []string{"d", "e"}},
		{-100, -4, []string{"a", "b"}},
		{-100, -6, []string{}},
	}
	for _, fill := range []int{-2, 1, 2} {
		for _, tc := range tests {
			lim := DefaultLimits()
			lim.ListMaxListpackSize = fill
			l := listTFrom(&lim, base...)
			l.Trim(tc.start, tc.stop)
			listTCheck(t, l, tc.want)
			l.PushBack([]byte("z")) // still usable
			listTCheck(t, l, append(slices.Clone(tc.want), "z"))
		}
	}
}

func TestListPos(t *testing.T) {
	// RPUSH mylist a b c d 1 2 3 4 3 3 3 (the LPOS documentation example).
	base := []string{"a", "b", "c", "d", "1", "2", "3", "4", "3", "3", "3"}
	tests := []struct {
		elem                string
		rank, count, maxlen int
		want                []int
	}{
		{"3", 1, 1, 0, []int{6}},
		{"3", 1, 0, 0, []int{6, 8, 9, 10}},
		{"3", 2, 0, 0, []int{8, 9, 10}},
		{"3", -1, 1, 0, []int{10}},
		{"3", -1, 0, 0, []int{10, 9, 8, 6}},
		{"3", -2, 2, 0, []int{9, 8}},
		{"3", 1, 0, 7, []int{6}},
		{"3", 1, 0, 6, nil},
		{"3", -1, 0, 3, []int{10, 9, 8}},
		{"3", 5, 0, 0, nil},
		{"3", -5, 1, 0, nil},
		{"a", -1, 1, 0, []int{0}},
		{"zz", 1, 0, 0, nil},
		{"3", math.MinInt, 1, 0, []int{10}}, // Redis 7.0 behaves like -1
		{"3", 0, 1, 0, nil},
	}
	lim := DefaultLimits()
	for _, fill := range []int{-2, 3} {
		lim.ListMaxListpackSize = fill
		l := listTFrom(&lim, base...)
		for _, tc := range tests {
			got := l.Pos([]byte(tc.elem), tc.rank, tc.count, tc.maxlen)
			if !slices.Equal(got, tc.want) {
				t.Errorf("fill %d LPOS %s RANK %d COUNT %d MAXLEN %d = %v, want %v", fill, tc.elem, tc.rank, tc.count, tc.maxlen, got, tc.want)
			}
		}
	}
}

func TestListInsert(t *testing.T) {
	tests := []struct {
		base   []string
		pivot  string
		before bool
		want   []string
		ret    int
	}{
		{[]string{"a", "b", "c"}, "b", true, []string{"a", "X", "b", "c"}, 4},
		{[]string{"a", "b", "c"}, "b", false, []string{"a", "b", "X", "c"}, 4},
		{[]string{"a", "b", "c"}, "a", true, []string{"X", "a", "b", "c"}, 4},
		{[]string{"a", "b", "c"}, "c", false, []string{"a", "b", "c", "X"}, 4},
		{[]string{"a", "b", "a"}, "a", false, []string{"a", "X", "b", "a"}, 4},
		{[]string{"a", "b", "c"}, "z", true, []string{"a", "b", "c"}, -1},
		{[]string{}, "a", true, []string{}, -1},
	}
	for _, fill := range []int{-2, 1, 2} {
		for _, tc := range tests {
			lim := DefaultLimits()
			lim.ListMaxListpackSize = fill
			l := listTFrom(&lim, tc.base...)
			if got := l.Insert([]byte(tc.pivot), []byte("X"), tc.before); got != tc.ret {
				t.Errorf("fill %d LINSERT %v %s: ret %d want %d", fill, tc.base, tc.pivot, got, tc.ret)
			}
			listTCheck(t, l, tc.want)
		}
	}
}

func TestListRemove(t *testing.T) {
	base := []string{"a", "b", "a", "c", "a", "b"}
	tests := []struct {
		count int
		elem  string
		want  []string
		n     int
	}{
		{0, "a", []string{"b", "c", "b"}, 3},
		{1, "a", []string{"b", "a", "c", "a", "b"}, 1},
		{2, "a", []string{"b", "c", "a", "b"}, 2},
		{-1, "a", []string{"a", "b", "a", "c", "b"}, 1},
		{-2, "a", []string{"a", "b", "c", "b"}, 2},
		{-10, "b", []string{"a", "a", "c", "a"}, 2},
		{math.MinInt, "a", []string{"b", "c", "b"}, 3},
		{0, "zz", base, 0},
		{0, "c", []string{"a", "b", "a", "a", "b"}, 1},
	}
	for _, fill := range []int{-2, 1, 2} {
		for _, tc := range tests {
			lim := DefaultLimits()
			lim.ListMaxListpackSize = fill
			l := listTFrom(&lim, base...)
			if got := l.Remove(tc.count, []byte(tc.elem)); got != tc.n {
				t.Errorf("fill %d LREM %d %s: removed %d want %d", fill, tc.count, tc.elem, got, tc.n)
			}
			listTCheck(t, l, tc.want)
		}
	}
}

func TestListIndexSet(t *testing.T) {
	l := listTFrom(nil, "a", "b", "c")
	tests := []struct {
		i    int
		want string
		ok   bool
	}{
		{0, "a", true}, {2, "c", true}, {-1, "c", true}, {-3, "a", true},
		{3, "", false}, {-4, "", false}, {math.MinInt, "", false}, {math.MaxInt, "", false},
	}
	for _, tc := range tests {
		v, ok := l.Index(tc.i)
		if ok != tc.ok || string(v) != tc.want {
			t.Errorf("LINDEX %d = %q,%v want %q,%v", tc.i, v, ok, tc.want, tc.ok)
		}
	}
	if l.Set(3, []byte("x")) || l.Set(-4, []byte("x")) {
		t.Fatal("LSET out of range succeeded")
	}
	big := strings.Repeat("B", 300)
	if !l.Set(-2, []byte(big)) || !l.Set(0, []byte("")) {
		t.Fatal("LSET in range failed")
	}
	listTCheck(t, l, []string{"", big, "c"})
	if !l.Set(1, []byte("b")) {
		t.Fatal("LSET failed")
	}
	listTCheck(t, l, []string{"", "b", "c"})
}

func TestListPushPopEnds(t *testing.T) {
	var l List // zero value is usable
	if _, ok := l.PopFront(); ok {
		t.Fatal("pop from empty list")
	}
	if _, ok := l.PopBack(); ok {
		t.Fatal("pop from empty list")
	}
	src := []byte("abc")
	l.PushBack(src)
	src[0] = 'X' // the list owns a copy
	l.PushFront([]byte(""))
	v, ok := l.PopBack()
	if !ok || string(v) != "abc" {
		t.Fatalf("PopBack = %q", v)
	}
	v, ok = l.PopFront()
	if !ok || v == nil || len(v) != 0 {
		t.Fatalf("PopFront of empty element = %v,%v", v, ok)
	}
	listTCheck(t, &l, []string{})
	if l.Encoding() != "quicklist" {
		t.Fatalf("encoding %q", l.Encoding())
	}
}

func TestListLargeElements(t *testing.T) {
	huge := strings.Repeat("h", 20000) // larger than a node
	mid := strings.Repeat("m", 5000)
	l := NewList(nil)
	var m []string
	for i := range 40 {
		v := []string{huge, mid, "s", ""}[i%4]
		if i%3 == 0 {
			l.PushFront([]byte(v))
			m = slices.Insert(m, 0, v)
		} else {
			l.PushBack([]byte(v))
			m = append(m, v)
		}
	}
	listTCheck(t, l, m)
	l.Insert([]byte(mid), []byte(huge), true)
	i := slices.Index(m, mid)
	m = slices.Insert(m, i, huge)
	listTCheck(t, l, m)
	l.Set(5, []byte(huge))
	m[5] = huge
	listTCheck(t, l, m)
	l.Trim(3, -4)
	m = m[3 : len(m)-3]
	listTCheck(t, l, m)
}

func TestListClone(t *testing.T) {
	l := NewList(nil)
	var m []string
	for i := range 3000 {
		v := strconv.Itoa(i)
		l.PushBack([]byte(v))
		m = append(m, v)
	}
	c := l.Clone()
	l.PushBack([]byte("only-in-original"))
	listTCheck(t, c, m)
	c.PushFront([]byte("x"))
	listTCheck(t, l, append(slices.Clone(m), "only-in-original"))
}

func TestListIterator(t *testing.T) {
	lim := DefaultLimits()
	lim.ListMaxListpackSize = 2
	l := listTFrom(&lim, "a", "b", "c", "d", "e")
	tests := []struct {
		start   int
		reverse bool
		want    string
	}{
		{0, false, "abcde"}, {2, false, "cde"}, {-1, false, "e"}, {-1, true, "edcba"},
		{1, true, "ba"}, {5, false, ""}, {-6, true, ""},
	}
	for _, tc := range tests {
		it := l.Iterator(tc.start, tc.reverse)
		var got string
		for v, ok := it.Next(); ok; v, ok = it.Next() {
			got += string(v)
		}
		if got != tc.want {
			t.Errorf("Iterator(%d,%v) = %q want %q", tc.start, tc.reverse, got, tc.want)
		}
	}
	var it ListIterator
	if _, ok := it.Next(); ok {
		t.Fatal("zero iterator yielded")
	}
	n := 0
	for range l.All() {
		n++
		break
	}
	if n != 1 {
		t.Fatal("All did not stop")
	}
}

// ---- randomized comparison against the model ----

func listTRandValue(r *rand.Rand) string {
	switch x := r.IntN(100); {
	case x < 50:
		return []string{"a", "b", "c", "", "hello"}[r.IntN(5)]
	case x < 80:
		return fmt.Sprintf("v%015d", r.IntN(50))
	case x < 97:
		return strings.Repeat(string(rune('A'+r.IntN(3))), 100+r.IntN(300))
	default:
		return strings.Repeat("H", 3000+r.IntN(12000))
	}
}

func TestListRandomOps(t *testing.T) {
	fills := []int{-2, -1, -5, 1, 2, 5, 128}
	for _, fill := range fills {
		t.Run(strconv.Itoa(fill), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(fill+100), 7))
			lim := DefaultLimits()
			lim.ListMaxListpackSize = fill
			l := NewList(&lim)
			var m []string
			maxLen, maxNodes := 0, 0
			steps := 6000
			if testing.Short() {
				steps = 1500
			}
			for step := range steps {
				v := listTRandValue(r)
				n := len(m)
				idx := r.IntN(2*n+3) - n - 1
				op := r.IntN(100)
				switch {
				case op < 22:
					l.PushBack([]byte(v))
					m = append(m, v)
					if r.IntN(40) == 0 { // bursts build multi-node lists
						for range 300 {
							v := listTRandValue(r)
							if r.IntN(2) == 0 {
								l.PushBack([]byte(v))
								m = append(m, v)
							} else {
								l.PushFront([]byte(v))
								m = slices.Insert(m, 0, v)
							}
						}
					}
				case op < 42:
					l.PushFront([]byte(v))
					m = slices.Insert(m, 0, v)
				case op < 50:
					got, ok := l.PopFront()
					if ok != (n > 0) || (ok && string(got) != m[0]) {
						t.Fatalf("step %d PopFront = %q,%v", step, got, ok)
					}
					if ok {
						m = m[1:]
					}
				case op < 58:
					got, ok := l.PopBack()
					if ok != (n > 0) || (ok && string(got) != m[n-1]) {
						t.Fatalf("step %d PopBack = %q,%v", step, got, ok)
					}
					if ok {
						m = m[:n-1]
					}
				case op < 64:
					got, ok := l.Index(idx)
					j := idx
					if j < 0 {
						j += n
					}
					want := j >= 0 && j < n
					if ok != want || (ok && string(got) != m[j]) {
						t.Fatalf("step %d Index(%d) = %q,%v", step, idx, got, ok)
					}
				case op < 72:
					ok := l.Set(idx, []byte(v))
					j := idx
					if j < 0 {
						j += n
					}
					if ok != (j >= 0 && j < n) {
						t.Fatalf("step %d Set(%d) = %v", step, idx, ok)
					}
					if ok {
						m[j] = v
					}
				case op < 80:
					pivot := listTRandValue(r)
					before := r.IntN(2) == 0
					got := l.Insert([]byte(pivot), []byte(v), before)
					i := slices.Index(m, pivot)
					want := -1
					if i >= 0 {
						if !before {
							i++
						}
						m = slices.Insert(m, i, v)
						want = len(m)
					}
					if got != want {
						t.Fatalf("step %d Insert = %d want %d", step, got, want)
					}
				case op < 85:
					cnt := r.IntN(7) - 3
					got := l.Remove(cnt, []byte(v))
					var want int
					m, want = listTModelRemove(m, cnt, v)
					if got != want {
						t.Fatalf("step %d Remove(%d) = %d want %d", step, cnt, got, want)
					}
				case op < 88:
					a, b := r.IntN(2*n+4)-n-2, r.IntN(2*n+4)-n-2
					if r.IntN(8) != 0 && n > 0 { // mostly trim a few elements
						a, b = r.IntN(min(n, 6)), -1-r.IntN(min(n, 6))
					}
					l.Trim(a, b)
					m = listTModelRange(m, a, b)
				case op < 94:
					a, b := r.IntN(2*n+4)-n-2, r.IntN(2*n+4)-n-2
					var got []string
					l.Range(a, b, func(e []byte) { got = append(got, string(e)) })
					want := listTModelRange(m, a, b)
					if len(got) != len(want) || (len(got) > 0 && !slices.Equal(got, want)) {
						t.Fatalf("step %d Range(%d,%d) mismatch", step, a, b)
					}
				default:
					rank := r.IntN(7) - 3
					if rank == 0 {
						rank = 1
					}
					cnt, maxlen := r.IntN(4), r.IntN(n+2)
					got := l.Pos([]byte(v), rank, cnt, maxlen)
					want := listTModelPos(m, v, rank, cnt, maxlen)
					if !slices.Equal(got, want) {
						t.Fatalf("step %d Pos(%q,%d,%d,%d) = %v want %v", step, v, rank, cnt, maxlen, got, want)
					}
				}
				maxLen, maxNodes = max(maxLen, l.Len()), max(maxNodes, l.nodes)
				if step%50 == 0 || l.Len() < 5 {
					listTCheck(t, l, m)
				}
			}
			listTCheck(t, l, m)
			t.Logf("max length %d, max nodes %d", maxLen, maxNodes)
		})
	}
}

// TestListQueueSteadyState checks that FIFO use does not allocate besides the
// popped copy and that memory stays bounded.
func TestListQueueSteadyState(t *testing.T) {
	l := NewList(nil)
	v := []byte("0123456789abcdef")
	for range 5000 {
		l.PushBack(v)
	}
	allocs := testing.AllocsPerRun(20000, func() {
		l.PushBack(v)
		l.PopFront()
	})
	if allocs > 1.01 {
		t.Fatalf("queue push+pop: %.2f allocs/op, want <= 1 (the popped copy)", allocs)
	}
	allocs = testing.AllocsPerRun(20000, func() {
		l.PushFront(v)
		l.PopFront()
		l.PushBack(v)
		l.PopBack()
	})
	if allocs > 2.01 {
		t.Fatalf("stack push+pop: %.2f allocs/op, want <= 2", allocs)
	}
	if per := float64(l.MemUsage()) / float64(l.Len()); per > 24 {
		t.Fatalf("MemUsage %.1f B/element after churn", per)
	}
}

// TestListShrinks checks that emptied memory is returned.
func TestListShrinks(t *testing.T) {
	l := NewList(nil)
	v := []byte("0123456789abcdef")
	for range 100000 {
		l.PushBack(v)
	}
	for l.Len() > 10 {
		l.PopFront()
	}
	if mu := l.MemUsage(); mu > 2048 {
		t.Fatalf("MemUsage %d after popping down to 10 elements", mu)
	}
	for range 100000 {
		l.PushFront(v)
	}
	l.Trim(-5, -1)
	if mu := l.MemUsage(); mu > 2048 {
		t.Fatalf("MemUsage %d after LTRIM to 5 elements", mu)
	}
	listTCheck(t, l, slices.Repeat([]string{string(v)}, 5))
}

func listTHeapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestListMemoryPerElement builds a 1M-element list of 16-byte values and
// checks both the measured heap growth and MemUsage per element.
func TestListMemoryPerElement(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement")
	}
	for _, front := range []bool{false, true} {
		before := listTHeapInUse()
		l := NewList(nil)
		v := []byte("0123456789abcdef")
		const n = 1 << 20
		for i := range n {
			v[i%16] = byte(i)
			if front {
				l.PushFront(v)
			} else {
				l.PushBack(v)
			}
		}
		heap := float64(listTHeapInUse()-before) / n
		usage := float64(l.MemUsage()) / n
		runtime.KeepAlive(l)
		t.Logf("front=%v: heap %.2f B/element, MemUsage %.2f B/element", front, heap, usage)
		if heap > 19.5 || usage > 19.5 || usage < heap*0.95 {
			t.Fatalf("front=%v: heap %.2f, MemUsage %.2f B/element", front, heap, usage)
		}
	}
}

// ---- optional cross-check against a live redis-server ----

// listTRedis is a minimal RESP client for cross-checking against Redis.
type listTRedis struct {
	c net.Conn
	r *bufio.Reader
}

// listTDialRedis connects to $KEVY_REDIS_ADDR or skips the test.
func listTDialRedis(t *testing.T) *listTRedis {
	addr := os.Getenv("KEVY_REDIS_ADDR")
	if addr == "" {
		t.Skip("set KEVY_REDIS_ADDR to cross-check against redis-server")
	}
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Skipf("redis not reachable: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return &listTRedis{c: c, r: bufio.NewReader(c)}
}

// do sends a command and returns the reply: string, int64, nil, []any or
// error.
func (rc *listTRedis) do(t *testing.T, args ...string) any {
	t.Helper()
	var b []byte
	b = fmt.Appendf(b, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := rc.c.Write(b); err != nil {
		t.Fatal(err)
	}
	v, err := rc.read()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (rc *listTRedis) read() (any, error) {
	line, err := rc.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch line[0] {
	case '+':
		return line[1:], nil
	case '-':
		return fmt.Errorf("%s", line[1:]), nil
	case ':':
		return strconv.ParseInt(line[1:], 10, 64)
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rc.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil, nil
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = rc.read(); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("bad reply %q", line)
}

func listTStrings(v any) []string {
	arr, _ := v.([]any)
	out := []string{}
	for _, e := range arr {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

// TestListAgainstRedis runs random list commands on both implementations.
func TestListAgainstRedis(t *testing.T) {
	rc := listTDialRedis(t)
	r := rand.New(rand.NewPCG(42, 42))
	key := "kevy:object:list:test"
	for _, fill := range []int{-2, 3} {
		rc.do(t, "CONFIG", "SET", "list-max-listpack-size", strconv.Itoa(fill))
		rc.do(t, "DEL", key)
		lim := DefaultLimits()
		lim.ListMaxListpackSize = fill
		l := NewList(&lim)
		for step := range 3000 {
			v := []string{"a", "b", "c", "d"}[r.IntN(4)]
			n := l.Len()
			a, b := r.IntN(2*n+6)-n-3, r.IntN(2*n+6)-n-3
			switch op := r.IntN(9); op {
			case 0, 1:
				rc.do(t, "RPUSH", key, v)
				l.PushBack([]byte(v))
			case 2, 3:
				rc.do(t, "LPUSH", key, v)
				l.PushFront([]byte(v))
			case 4:
				pivot := []string{"a", "b", "c", "d", "e"}[r.IntN(5)]
				where := []string{"BEFORE", "AFTER"}[r.IntN(2)]
				want := rc.do(t, "LINSERT", key, where, pivot, v)
				got := l.Insert([]byte(pivot), []byte(v), where == "BEFORE")
				if n == 0 {
					got = 0 // missing key
				}
				if want != int64(got) {
					t.Fatalf("step %d LINSERT %s %s: redis %v kevy %d", step, where, pivot, want, got)
				}
			case 5:
				c := r.IntN(5) - 2
				want := rc.do(t, "LREM", key, strconv.Itoa(c), v)
				if got := l.Remove(c, []byte(v)); want != int64(got) {
					t.Fatalf("step %d LREM: redis %v kevy %d", step, want, got)
				}
			case 6:
				if r.IntN(3) == 0 {
					rc.do(t, "LTRIM", key, strconv.Itoa(a), strconv.Itoa(b))
					l.Trim(a, b)
				}
			case 7:
				rank := r.IntN(7) - 3
				if rank == 0 {
					rank = -1
				}
				c, ml := r.IntN(3), r.IntN(n+2)
				want := rc.do(t, "LPOS", key, v, "RANK", strconv.Itoa(rank), "COUNT", strconv.Itoa(c), "MAXLEN", strconv.Itoa(ml))
				got := l.Pos([]byte(v), rank, c, ml)
				wa, _ := want.([]any)
				if len(wa) != len(got) {
					t.Fatalf("step %d LPOS: redis %v kevy %v", step, want, got)
				}
				for i := range got {
					if wa[i] != int64(got[i]) {
						t.Fatalf("step %d LPOS: redis %v kevy %v", step, want, got)
					}
				}
			case 8:
				want := listTStrings(rc.do(t, "LRANGE", key, strconv.Itoa(a), strconv.Itoa(b)))
				got := []string{}
				l.Range(a, b, func(e []byte) { got = append(got, string(e)) })
				if !slices.Equal(got, want) {
					t.Fatalf("step %d LRANGE %d %d: redis %v kevy %v", step, a, b, want, got)
				}
			}
		}
		want := listTStrings(rc.do(t, "LRANGE", key, "0", "-1"))
		listTCheck(t, l, want)
		rc.do(t, "DEL", key)
	}
	rc.do(t, "CONFIG", "SET", "list-max-listpack-size", "-2")
}

// ---- benchmarks ----

func BenchmarkListPushBack(b *testing.B) {
	b.ReportAllocs()
	v := []byte("0123456789abcdef")
	l := NewList(nil)
	for b.Loop() {
		l.PushBack(v)
	}
}

func BenchmarkListPushFront(b *testing.B) {
	b.ReportAllocs()
	v := []byte("0123456789abcdef")
	l := NewList(nil)
	for b.Loop() {
		l.PushFront(v)
	}
}

func BenchmarkListQueue(b *testing.B) {
	b.ReportAllocs()
	v := []byte("0123456789abcdef")
	l := NewList(nil)
	for range 1000 {
		l.PushBack(v)
	}
	for b.Loop() {
		l.PushBack(v)
		l.PopFront()
	}
}

func BenchmarkListStackSmall(b *testing.B) {
	b.ReportAllocs()
	v := []byte("0123456789abcdef")
	l := NewList(nil)
	for b.Loop() {
		l.PushFront(v)
		l.PushBack(v)
		l.PopFront()
		l.PopBack()
	}
}

func BenchmarkListIndex(b *testing.B) {
	b.ReportAllocs()
	l := NewList(nil)
	for i := range 100000 {
		l.PushBack([]byte(fmt.Sprintf("%016d", i)))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		l.Index(r.IntN(100000))
	}
}

func BenchmarkListRange100(b *testing.B) {
	b.ReportAllocs()
	l := NewList(nil)
	for i := range 100000 {
		l.PushBack([]byte(fmt.Sprintf("%016d", i)))
	}
	n := 0
	for b.Loop() {
		l.Range(5000, 5099, func(v []byte) { n += len(v) })
	}
}

func BenchmarkListInsertMiddle(b *testing.B) {
	b.ReportAllocs()
	l := NewList(nil)
	for i := range 10000 {
		l.PushBack([]byte(fmt.Sprintf("%016d", i)))
	}
	pivot := []byte(fmt.Sprintf("%016d", 5000))
	v := []byte("0123456789abcdef")
	for b.Loop() {
		l.Insert(pivot, v, true)
		if l.Len() > 50000 {
			b.StopTimer()
			l.Remove(0, v)
			b.StartTimer()
		}
	}
}

// BenchmarkListMemory1M reports the heap bytes per element of a 1M-element
// list of 16-byte values.
func BenchmarkListMemory1M(b *testing.B) {
	b.ReportAllocs()
	const n = 1 << 20
	v := []byte("0123456789abcdef")
	var heap, usage float64
	for b.Loop() {
		before := listTHeapInUse()
		l := NewList(nil)
		for range n {
			l.PushBack(v)
		}
		heap = float64(listTHeapInUse()-before) / n
		usage = float64(l.MemUsage()) / n
		runtime.KeepAlive(l)
	}
	b.ReportMetric(heap, "heapB/elem")
	b.ReportMetric(usage, "usageB/elem")
}
