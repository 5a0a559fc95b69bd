package object

import (
	"bytes"
	"encoding/binary"
	"iter"
	"math"
	"slices"
)

// listDefaultNodeBytes is the node byte budget of list-max-listpack-size -2,
// also used as the safety cap for count-limited (positive) fills.
const listDefaultNodeBytes = 8192

// listNodeAlloc is the allocation size of one listNode (its size class).
const listNodeAlloc = 64

// listStructAlloc is the allocation size of a List header (its size class).
const listStructAlloc = 48

// List is a Redis list: a doubly linked deque of nodes, each holding a packed
// chunk of elements, like the Redis quicklist. It is not safe for concurrent
// use. The zero value is an empty list with the default node size (-2).
//
// Element bytes are stored back to back inside a node's buffer as
// uvarint(len) | bytes | reversed uvarint(len), so an element of up to 127
// bytes costs 2 bytes of overhead and can be decoded in both directions.
// Each node keeps free space at both ends of its buffer, so pushes at either
// end of the list are amortized O(1) without moving data.
//
// Slices returned by Index, Range, the iterators and Pos callbacks alias the
// list's storage: they are valid only until the next mutation and must not be
// modified. PopFront and PopBack return owned copies.
type List struct {
	head, tail *listNode
	// spare is an emptied full-size node kept for reuse so that a queue
	// (push at one end, pop at the other) reaches a steady state without
	// allocating; only kept while the list has at least two nodes.
	spare  *listNode
	length int
	nodes  int
	// bufBytes is the sum of the linked nodes' buffer sizes, kept up to
	// date by linkAfter, unlink, makeGap and shrink so that MemUsage is
	// O(1).
	bufBytes int
	maxBytes int32 // node byte budget; 0 means listDefaultNodeBytes
	maxCount int32 // node element cap; 0 means unlimited
}

// listNode is one chunk of a List. Live data is buf[off:end].
type listNode struct {
	prev, next *listNode
	buf        []byte // len(buf) == cap(buf)
	off, end   int
	count      int
}

// NewList returns an empty list whose node size follows
// lim.ListMaxListpackSize, read once at creation as Redis does.
func NewList(lim *Limits) *List {
	l := &List{}
	l.maxBytes, l.maxCount = listNodeLimits(lim.resolve().ListMaxListpackSize)
	return l
}

// listNodeLimits maps list-max-listpack-size to a node byte budget and an
// element cap (0 = none).
func listNodeLimits(fill int) (maxBytes, maxCount int32) {
	if fill >= 0 {
		if fill == 0 {
			fill = 1
		}
		return listDefaultNodeBytes, int32(min(fill, math.MaxInt32))
	}
	lvl := -(fill + 1)
	if lvl > 4 {
		lvl = 4
	}
	return 4096 << lvl, 0
}

// Len returns the number of elements.
func (l *List) Len() int { return l.length }

// Encoding returns the OBJECT ENCODING name. Redis 7.0 reports every list as
// "quicklist" (the "listpack" list encoding only appeared in Redis 7.2).
func (l *List) Encoding() string { return "quicklist" }

// nodeMax returns the node byte budget.
func (l *List) nodeMax() int {
	if l.maxBytes == 0 {
		return listDefaultNodeBytes
	}
	return int(l.maxBytes)
}

// fits reports whether an element of encoded size esz may be added to n.
func (l *List) fits(n *listNode, esz int) bool {
	if n.count == 0 {
		return true
	}
	if l.maxCount > 0 && n.count >= int(l.maxCount) {
		return false
	}
	return n.end-n.off+esz <= l.nodeMax()
}

// ---- element encoding ----

// listElemSize returns the encoded size of an n-byte element.
func listElemSize(n int) int {
	if n < 0x80 {
		return n + 2
	}
	k := 1
	for x := n >> 7; x != 0; x >>= 7 {
		k++
	}
	return n + 2*k
}

// listPutElem encodes v into b, which must be exactly listElemSize(len(v))
// bytes long.
func listPutElem(b, v []byte) {
	n := len(v)
	if n < 0x80 {
		b[0] = byte(n)
		copy(b[1:], v)
		b[n+1] = byte(n)
		return
	}
	k := binary.PutUvarint(b, uint64(n))
	copy(b[k:], v)
	t := b[k+n:]
	for i := range k {
		t[i] = b[k-1-i]
	}
}

// listElemAt decodes the element starting at p and returns it (capacity
// clipped) with the offset of the next element.
func listElemAt(b []byte, p int) ([]byte, int) {
	n, k := int(b[p]), 1
	if n >= 0x80 {
		x, kk := binary.Uvarint(b[p:])
		n, k = int(x), kk
	}
	s := p + k
	return b[s : s+n : s+n], s + n + k
}

// listElemBefore decodes the element ending at e and returns it (capacity
// clipped) with its start offset.
func listElemBefore(b []byte, e int) ([]byte, int) {
	if c := b[e-1]; c < 0x80 {
		s := e - 1 - int(c)
		return b[s : e-1 : e-1], s - 1
	}
	n, k := listRevUvarint(b, e)
	s := e - k - n
	return b[s : e-k : e-k], s - k
}

// listRevUvarint decodes the reversed uvarint ending at e.
func listRevUvarint(b []byte, e int) (n, k int) {
	var sh uint
	for i := e - 1; ; i-- {
		c := b[i]
		n |= int(c&0x7f) << sh
		k++
		if c < 0x80 {
			return n, k
		}
		sh += 7
	}
}

// listSkipFwd returns the offset following the element starting at p.
func listSkipFwd(b []byte, p int) int {
	if c := b[p]; c < 0x80 {
		return p + 2 + int(c)
	}
	x, k := binary.Uvarint(b[p:])
	return p + 2*k + int(x)
}

// listSkipBack returns the start offset of the element ending at e.
func listSkipBack(b []byte, e int) int {
	if c := b[e-1]; c < 0x80 {
		return e - 2 - int(c)
	}
	n, k := listRevUvarint(b, e)
	return e - 2*k - n
}

// listAlloc returns a buffer of at least n bytes whose length is its
// capacity, rounded up to the allocator's size class.
func listAlloc(n int) []byte {
	b := slices.Grow([]byte(nil), n)
	return b[:cap(b)]
}

// ---- node management ----

// seek returns the offset of the k-th element of n (0 <= k <= count; k ==
// count gives end), scanning from the nearer end.
func (n *listNode) seek(k int) int {
	if k <= n.count/2 {
		p := n.off
		for ; k > 0; k-- {
			p = listSkipFwd(n.buf, p)
		}
		return p
	}
	p := n.end
	for k = n.count - k; k > 0; k-- {
		p = listSkipBack(n.buf, p)
	}
	return p
}

// nodeAt returns the node holding element i (0 <= i < length) and the
// element's index within that node.
func (l *List) nodeAt(i int) (*listNode, int) {
	if i < l.length/2 {
		n := l.head
		for i >= n.count {
			i -= n.count
			n = n.next
		}
		return n, i
	}
	r := l.length - 1 - i
	n := l.tail
	for r >= n.count {
		r -= n.count
		n = n.prev
	}
	return n, n.count - 1 - r
}

// growCap returns the new buffer size for a node whose buffer is cur bytes
// and needs total bytes.
func (l *List) growCap(cur, total int) int {
	maxB := l.nodeMax()
	if total >= maxB {
		return total
	}
	return min(max(2*cur, total, 32), maxB)
}

// makeGap opens need bytes at offset pos of n (off <= pos <= end), moving or
// reallocating data as needed, and returns the new offset of the gap. Bytes
// before pos end at the returned offset; bytes after pos follow the gap.
func (l *List) makeGap(n *listNode, pos, need int) int {
	buf := n.buf
	front, back := n.off, len(buf)-n.end
	switch {
	case pos == n.end && back >= need:
		n.end += need
		return pos
	case pos == n.off && front >= need:
		n.off -= need
		return n.off
	case pos != n.off && pos != n.end:
		if back >= need && (front < need || n.end-pos <= pos-n.off) {
			copy(buf[pos+need:], buf[pos:n.end])
			n.end += need
			return pos
		}
		if front >= need {
			copy(buf[n.off-need:], buf[n.off:pos])
			n.off -= need
			return pos - need
		}
	}
	a := pos - n.off
	total := n.end - n.off + need
	inPlace := total <= len(buf)
	dst := buf
	if !inPlace {
		dst = listAlloc(l.growCap(len(buf), total))
	}
	free := len(dst) - total
	newOff := free / 2
	switch {
	case pos == n.end && n.next == nil && n.prev != nil:
		newOff = 0 // tail of a multi-node list grows backwards
	case pos == n.off && n.prev == nil && n.next != nil:
		newOff = free // head of a multi-node list grows forwards
	}
	gap := newOff + a
	if !inPlace || newOff >= n.off {
		copy(dst[gap+need:], buf[pos:n.end])
		copy(dst[newOff:], buf[n.off:pos])
	} else {
		copy(dst[newOff:], buf[n.off:pos])
		copy(dst[gap+need:], buf[pos:n.end])
	}
	l.bufBytes += len(dst) - len(buf)
	n.buf = dst
	n.off, n.end = newOff, newOff+total
	return gap
}

// closeGap removes the k bytes at offset pos of n, moving the smaller side,
// and returns the new offset of the byte that followed them.
func (l *List) closeGap(n *listNode, pos, k int) int {
	switch {
	case pos == n.off:
		n.off += k
		return n.off
	case pos+k == n.end:
		n.end -= k
		return pos
	case pos-n.off < n.end-pos-k:
		copy(n.buf[n.off+k:], n.buf[n.off:pos])
		n.off += k
		return pos + k
	default:
		copy(n.buf[pos:], n.buf[pos+k:n.end])
		n.end -= k
		return pos
	}
}

// newNode returns an empty node able to hold an element of encoded size esz,
// reusing the spare node when possible. neighbor, if not nil, is the full
// node next to which it will be linked and serves as a size estimate.
func (l *List) newNode(neighbor *listNode, esz int) *listNode {
	if s := l.spare; s != nil && len(s.buf) >= esz {
		l.spare = nil
		s.off, s.end, s.count = 0, 0, 0
		return s
	}
	maxB := l.nodeMax()
	c := esz
	if esz <= maxB {
		if neighbor != nil {
			c = max(esz, min(neighbor.end-neighbor.off, maxB))
		} else {
			c = min(max(2*esz, 32), maxB)
		}
	}
	return &listNode{buf: listAlloc(c)}
}

// linkAfter links m after at (at == nil: m becomes the head), and places
// m's empty data window for growth in the right direction.
func (l *List) linkAfter(at, m *listNode) {
	m.prev = at
	if at == nil {
		m.next = l.head
		l.head = m
	} else {
		m.next = at.next
		at.next = m
	}
	if m.next != nil {
		m.next.prev = m
	} else {
		l.tail = m
	}
	l.nodes++
	l.bufBytes += len(m.buf)
	switch {
	case m.prev == nil && m.next == nil:
		m.off = len(m.buf) / 2
	case m.prev == nil:
		m.off = len(m.buf)
	default:
		m.off = 0
	}
	m.end = m.off
}

// unlink removes n from the node chain (its data is discarded).
func (l *List) unlink(n *listNode) {
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		l.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		l.tail = n.prev
	}
	n.prev, n.next = nil, nil
	l.nodes--
	l.bufBytes -= len(n.buf)
	if l.nodes < 2 {
		l.spare = nil
	}
}

// dropEmpty handles a node that a pop emptied: the only node is kept (reset)
// unless oversized, others are unlinked and possibly kept as the spare.
func (l *List) dropEmpty(n *listNode) {
	if l.nodes == 1 && len(n.buf) <= l.nodeMax() {
		n.off = len(n.buf) / 2
		n.end = n.off
		return
	}
	l.unlink(n)
	if l.nodes >= 2 && l.spare == nil && len(n.buf) >= l.nodeMax()/2 && len(n.buf) <= l.nodeMax() {
		l.spare = n
	}
}

// shrink reallocates n's buffer when at most 1/factor of it is used.
func (l *List) shrink(n *listNode, factor int) {
	u := n.end - n.off
	if len(n.buf) <= 256 || u*factor > len(n.buf) {
		return
	}
	nb := listAlloc(max(u+u/2, 32))
	if len(nb) >= len(n.buf) {
		return
	}
	off := (len(nb) - u) / 2
	copy(nb[off:], n.buf[n.off:n.end])
	l.bufBytes += len(nb) - len(n.buf)
	n.buf, n.off, n.end = nb, off, off+u
}

// canMerge reports whether b's elements fit in a together with a's.
func (l *List) canMerge(a, b *listNode) bool {
	if l.maxCount > 0 && a.count+b.count > int(l.maxCount) {
		return false
	}
	return a.end-a.off+b.end-b.off <= l.nodeMax()
}

// merge appends b (== a.next) to a and unlinks b.
func (l *List) merge(a, b *listNode) {
	u := b.end - b.off
	g := l.makeGap(a, a.end, u)
	copy(a.buf[g:], b.buf[b.off:b.end])
	a.count += b.count
	l.unlink(b)
}

// mergeAround merges n with its neighbours where they fit and shrinks it.
func (l *List) mergeAround(n *listNode) {
	if n == nil {
		return
	}
	if p := n.prev; p != nil && l.canMerge(p, n) {
		l.merge(p, n)
		n = p
	}
	if nx := n.next; nx != nil && l.canMerge(n, nx) {
		l.merge(n, nx)
	}
	l.shrink(n, 4)
}

// compact merges adjacent nodes that fit together and shrinks underused ones.
func (l *List) compact() {
	for n := l.head; n != nil; {
		if nx := n.next; nx != nil && l.canMerge(n, nx) {
			l.merge(n, nx)
			continue
		}
		l.shrink(n, 4)
		n = n.next
	}
}

// splitAt moves the elements of n from offset pos on into a new node linked
// after n, and returns it. pos must be an element boundary inside n.
func (l *List) splitAt(n *listNode, pos int) *listNode {
	k := 0
	for p := n.off; p < pos; p = listSkipFwd(n.buf, p) {
		k++
	}
	u := n.end - pos
	r := &listNode{buf: listAlloc(u + u/4)}
	l.linkAfter(n, r)
	off := (len(r.buf) - u) / 2
	copy(r.buf[off:], n.buf[pos:n.end])
	r.off, r.end, r.count = off, off+u, n.count-k
	n.end, n.count = pos, k
	return r
}

// insertAt inserts v at byte offset pos of n (an element boundary), splitting
// or spilling into neighbours when n is full.
func (l *List) insertAt(n *listNode, pos int, v []byte) {
	esz := listElemSize(len(v))
	l.length++
	var m *listNode
	var g int
	switch {
	case l.fits(n, esz):
		m, g = n, l.makeGap(n, pos, esz)
	case pos == n.off:
		if p := n.prev; p != nil && l.fits(p, esz) {
			m, g = p, l.makeGap(p, p.end, esz)
		} else {
			m = l.newNode(nil, esz)
			l.linkAfter(n.prev, m)
			g = l.makeGap(m, m.off, esz)
		}
	case pos == n.end:
		if nx := n.next; nx != nil && l.fits(nx, esz) {
			m, g = nx, l.makeGap(nx, nx.off, esz)
		} else {
			m = l.newNode(nil, esz)
			l.linkAfter(n, m)
			g = l.makeGap(m, m.end, esz)
		}
	default:
		r := l.splitAt(n, pos)
		switch {
		case l.fits(n, esz):
			m, g = n, l.makeGap(n, n.end, esz)
		case l.fits(r, esz):
			m, g = r, l.makeGap(r, r.off, esz)
		default:
			m = l.newNode(nil, esz)
			l.linkAfter(n, m)
			g = l.makeGap(m, m.end, esz)
		}
	}
	listPutElem(m.buf[g:g+esz], v)
	m.count++
}

// ---- public operations ----

// PushBack appends a copy of v (RPUSH).
func (l *List) PushBack(v []byte) {
	esz := listElemSize(len(v))
	t := l.tail
	var p int
	switch {
	case t != nil && l.fits(t, esz):
		if t.end+esz <= len(t.buf) {
			p = t.end
			t.end += esz
		} else {
			p = l.makeGap(t, t.end, esz)
		}
	default:
		m := l.newNode(t, esz)
		l.linkAfter(t, m)
		t = m
		p = l.makeGap(t, t.end, esz)
	}
	listPutElem(t.buf[p:p+esz], v)
	t.count++
	l.length++
}

// PushFront prepends a copy of v (LPUSH).
func (l *List) PushFront(v []byte) {
	esz := listElemSize(len(v))
	h := l.head
	var p int
	switch {
	case h != nil && l.fits(h, esz):
		if h.off >= esz {
			h.off -= esz
			p = h.off
		} else {
			p = l.makeGap(h, h.off, esz)
		}
	default:
		m := l.newNode(h, esz)
		l.linkAfter(nil, m)
		h = m
		p = l.makeGap(h, h.off, esz)
	}
	listPutElem(h.buf[p:p+esz], v)
	h.count++
	l.length++
}

// PopFront removes the first element and returns an owned copy of it, or
// false if the list is empty (LPOP).
func (l *List) PopFront() ([]byte, bool) {
	if l.length == 0 {
		return nil, false
	}
	n := l.head
	v, next := listElemAt(n.buf, n.off)
	out := make([]byte, len(v))
	copy(out, v)
	n.off = next
	n.count--
	l.length--
	if n.count == 0 {
		l.dropEmpty(n)
	} else if l.nodes == 1 {
		l.shrink(n, 8)
	}
	return out, true
}

// PopBack removes the last element and returns an owned copy of it, or false
// if the list is empty (RPOP).
func (l *List) PopBack() ([]byte, bool) {
	if l.length == 0 {
		return nil, false
	}
	n := l.tail
	v, start := listElemBefore(n.buf, n.end)
	out := make([]byte, len(v))
	copy(out, v)
	n.end = start
	n.count--
	l.length--
	if n.count == 0 {
		l.dropEmpty(n)
	} else if l.nodes == 1 {
		l.shrink(n, 8)
	}
	return out, true
}

// Index returns the element at index i (negative counts from the end, -1 is
// the last), or false if out of range (LINDEX). The result aliases the list.
func (l *List) Index(i int) ([]byte, bool) {
	if i < 0 {
		i += l.length
	}
	if i < 0 || i >= l.length {
		return nil, false
	}
	n, k := l.nodeAt(i)
	v, _ := listElemAt(n.buf, n.seek(k))
	return v, true
}

// Set replaces the element at index i (negative counts from the end) with a
// copy of v and reports whether i was in range (LSET).
func (l *List) Set(i int, v []byte) bool {
	if i < 0 {
		i += l.length
	}
	if i < 0 || i >= l.length {
		return false
	}
	n, k := l.nodeAt(i)
	p := n.seek(k)
	osz := listSkipFwd(n.buf, p) - p
	esz := listElemSize(len(v))
	switch {
	case esz == osz:
	case esz < osz:
		p = l.closeGap(n, p+esz, osz-esz) - esz
	case n.count == 1 || n.end-n.off-osz+esz <= l.nodeMax():
		p = l.makeGap(n, p+osz, esz-osz) - osz
	default:
		pos := l.closeGap(n, p, osz)
		n.count--
		l.length--
		l.insertAt(n, pos, v)
		return true
	}
	listPutElem(n.buf[p:p+esz], v)
	return true
}

// Insert inserts a copy of v before (or after) the first element equal to
// pivot, searching from the head, and returns the new length, or -1 if pivot
// is not found (LINSERT).
func (l *List) Insert(pivot, v []byte, before bool) int {
	for n := l.head; n != nil; n = n.next {
		for p := n.off; p < n.end; {
			e, nx := listElemAt(n.buf, p)
			if bytes.Equal(e, pivot) {
				if !before {
					p = nx
				}
				l.insertAt(n, p, v)
				return l.length
			}
			p = nx
		}
	}
	return -1
}

// RangeBounds converts LRANGE start/stop (inclusive, negative from the end)
// to a starting index and element count, with Redis clamping.
func (l *List) RangeBounds(start, stop int) (from, count int) {
	n := l.length
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
		return 0, 0
	}
	if stop >= n {
		stop = n - 1
	}
	return start, stop - start + 1
}

// Range calls fn for each element from start to stop inclusive, with LRANGE
// index semantics. The slices alias the list; fn must not mutate the list.
func (l *List) Range(start, stop int, fn func(v []byte)) {
	from, count := l.RangeBounds(start, stop)
	if count == 0 {
		return
	}
	it := l.Iterator(from, false)
	for ; count > 0; count-- {
		v, _ := it.Next()
		fn(v)
	}
}

// Remove deletes elements equal to v (LREM): the first count from the head
// when count > 0, the last -count from the tail when count < 0, all when
// count == 0. It returns the number removed.
func (l *List) Remove(count int, v []byte) int {
	fromTail := count < 0
	limit := count
	if fromTail {
		limit = -count
		if limit < 0 { // count == math.MinInt
			limit = math.MaxInt
		}
	}
	if limit == 0 {
		limit = math.MaxInt
	}
	removed := 0
	n := l.head
	if fromTail {
		n = l.tail
	}
	for n != nil && removed < limit {
		next := n.next
		if fromTail {
			next = n.prev
		}
		k := l.removeIn(n, v, limit-removed, fromTail)
		if k > 0 {
			removed += k
			n.count -= k
			l.length -= k
			if n.count == 0 {
				l.unlink(n)
			}
		}
		n = next
	}
	if removed > 0 {
		l.compact()
	}
	return removed
}

// removeIn deletes up to max elements equal to v from n, compacting in one
// pass from the head (or the tail), and returns how many it deleted. The
// caller adjusts the counts.
func (l *List) removeIn(n *listNode, v []byte, max int, fromTail bool) int {
	removed := 0
	buf := n.buf
	if !fromTail {
		w, r := n.off, n.off
		for r < n.end && removed < max {
			e, nx := listElemAt(buf, r)
			if bytes.Equal(e, v) {
				removed++
			} else {
				if w != r {
					copy(buf[w:], buf[r:nx])
				}
				w += nx - r
			}
			r = nx
		}
		if w != r {
			w += copy(buf[w:], buf[r:n.end])
			n.end = w
		}
		return removed
	}
	w, r := n.end, n.end
	for r > n.off && removed < max {
		e, s := listElemBefore(buf, r)
		if bytes.Equal(e, v) {
			removed++
		} else {
			if w != r {
				copy(buf[w-(r-s):], buf[s:r])
			}
			w -= r - s
		}
		r = s
	}
	if w != r {
		w -= r - n.off
		copy(buf[w:], buf[n.off:r])
		n.off = w
	}
	return removed
}

// Trim keeps only the elements from start to stop inclusive, with LTRIM
// index semantics (an empty range empties the list).
func (l *List) Trim(start, stop int) {
	from, count := l.RangeBounds(start, stop)
	ltrim, rtrim := from, l.length-from-count
	if count == 0 {
		ltrim, rtrim = l.length, 0
	}
	if ltrim == 0 && rtrim == 0 {
		return
	}
	l.deleteRange(0, ltrim)
	l.deleteRange(l.length-rtrim, rtrim)
	if l.length > 0 {
		l.mergeAround(l.head)
		l.mergeAround(l.tail)
	}
}

// deleteRange removes cnt elements starting at index start (in range).
func (l *List) deleteRange(start, cnt int) {
	if cnt <= 0 {
		return
	}
	n, k := l.nodeAt(start)
	for cnt > 0 {
		next := n.next
		if k == 0 && cnt >= n.count {
			cnt -= n.count
			l.length -= n.count
			l.unlink(n)
		} else {
			d := min(cnt, n.count-k)
			a := n.seek(k)
			b := a
			if k+d == n.count {
				b = n.end
			} else {
				for range d {
					b = listSkipFwd(n.buf, b)
				}
			}
			l.closeGap(n, a, b-a)
			n.count -= d
			l.length -= d
			cnt -= d
		}
		k = 0
		n = next
	}
}

// Pos returns the indexes of elements equal to element with LPOS semantics:
// rank r > 0 skips the first r-1 matches scanning from the head, r < 0 scans
// from the tail skipping -r-1 matches; count limits the matches returned (0 =
// all); maxlen limits the elements compared (0 = all). Indexes count from the
// head. It returns nil for rank 0 or negative count/maxlen (callers reject
// those as errors).
func (l *List) Pos(element []byte, rank, count, maxlen int) []int {
	if rank == 0 || count < 0 || maxlen < 0 {
		return nil
	}
	reverse := rank < 0
	if reverse {
		rank = -rank
		if rank < 0 { // math.MinInt: Redis 7.0 then matches like -1
			rank = 1
		}
	}
	var it ListIterator
	if reverse {
		it = l.Iterator(-1, true)
	} else {
		it = l.Iterator(0, false)
	}
	var res []int
	matches := 0
	for idx := 0; maxlen == 0 || idx < maxlen; idx++ {
		v, ok := it.Next()
		if !ok {
			break
		}
		if !bytes.Equal(v, element) {
			continue
		}
		matches++
		if matches < rank {
			continue
		}
		i := idx
		if reverse {
			i = l.length - 1 - idx
		}
		res = append(res, i)
		if count != 0 && len(res) == count {
			break
		}
	}
	return res
}

// Clone returns a deep copy of l with compacted nodes (for COPY).
func (l *List) Clone() *List {
	c := &List{maxBytes: l.maxBytes, maxCount: l.maxCount, length: l.length}
	for n := l.head; n != nil; n = n.next {
		if n.count == 0 {
			continue
		}
		m := &listNode{buf: listAlloc(n.end - n.off), count: n.count}
		c.linkAfter(c.tail, m)
		m.off = 0
		m.end = copy(m.buf, n.buf[n.off:n.end])
	}
	return c
}

// MemUsage returns the approximate heap bytes held by the list: its header,
// node headers and node buffers (full capacity, including free space). It
// is O(1): the buffer total is maintained as nodes change.
func (l *List) MemUsage() int {
	m := listStructAlloc + l.nodes*listNodeAlloc + l.bufBytes
	if l.spare != nil {
		m += listNodeAlloc + len(l.spare.buf)
	}
	return m
}

// ---- iteration ----

// ListIterator walks a List in one direction. It is invalidated by any
// mutation of the list. The zero value is an exhausted iterator.
type ListIterator struct {
	node    *listNode
	pos     int // next element start (forward) or end (reverse)
	reverse bool
}

// Iterator returns an iterator starting at index start (negative counts from
// the end) moving towards the tail, or towards the head if reverse. An
// out-of-range start yields an exhausted iterator.
func (l *List) Iterator(start int, reverse bool) ListIterator {
	if start < 0 {
		start += l.length
	}
	if start < 0 || start >= l.length {
		return ListIterator{}
	}
	n, k := l.nodeAt(start)
	p := n.seek(k)
	if reverse {
		p = listSkipFwd(n.buf, p)
	}
	return ListIterator{node: n, pos: p, reverse: reverse}
}

// Next returns the next element, or false at the end. The slice aliases the
// list.
func (it *ListIterator) Next() ([]byte, bool) {
	n := it.node
	if n == nil {
		return nil, false
	}
	if it.reverse {
		for it.pos <= n.off {
			n = n.prev
			if n == nil {
				it.node = nil
				return nil, false
			}
			it.pos = n.end
		}
		it.node = n
		v, s := listElemBefore(n.buf, it.pos)
		it.pos = s
		return v, true
	}
	for it.pos >= n.end {
		n = n.next
		if n == nil {
			it.node = nil
			return nil, false
		}
		it.pos = n.off
	}
	it.node = n
	v, nx := listElemAt(n.buf, it.pos)
	it.pos = nx
	return v, true
}

// All returns an iterator over the elements from head to tail. The slices
// alias the list, which must not be mutated during the iteration.
func (l *List) All() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		it := l.Iterator(0, false)
		for v, ok := it.Next(); ok; v, ok = it.Next() {
			if !yield(v) {
				return
			}
		}
	}
}

// Backward returns an iterator over the elements from tail to head. The
// slices alias the list, which must not be mutated during the iteration.
func (l *List) Backward() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		it := l.Iterator(-1, true)
		for v, ok := it.Next(); ok; v, ok = it.Next() {
			if !yield(v) {
				return
			}
		}
	}
}
