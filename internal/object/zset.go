package object

import (
	"encoding/binary"
	"iter"
	"math"
	"math/bits"
	"math/rand/v2"
	"unsafe"

	"github.com/kevydb/kevy/internal/dict"
)

// ZAddFlags are the ZADD options understood by ZSet.Add.
type ZAddFlags uint8

const (
	// ZAddNX only adds new members, never updating existing ones.
	ZAddNX ZAddFlags = 1 << iota
	// ZAddXX only updates existing members, never adding new ones.
	ZAddXX
	// ZAddGT only updates an existing member when the new score is greater.
	ZAddGT
	// ZAddLT only updates an existing member when the new score is less.
	ZAddLT
	// ZAddIncr adds the given score to the current one (ZINCRBY, ZADD INCR).
	ZAddIncr
)

// ZAddResult tells what ZSet.Add did.
type ZAddResult uint8

const (
	// ZAddUnchanged means the member existed and its score stayed the same.
	ZAddUnchanged ZAddResult = iota
	// ZAddAdded means the member was added.
	ZAddAdded
	// ZAddUpdated means the member existed and its score changed.
	ZAddUpdated
	// ZAddSkipped means NX, XX, GT or LT prevented the operation (ZADD INCR
	// then replies with a null).
	ZAddSkipped
)

// zslMaxLevel is the maximum skiplist height (Redis ZSKIPLIST_MAXLEVEL).
const zslMaxLevel = 32

// ZSet is the value of a Redis sorted set: members ordered by score, then
// bytewise by member. It is not safe for concurrent use. The zero value is an
// empty set in the "listpack" encoding.
//
// Small sets use the "listpack" encoding: one byte slice holding the
// entries in order, each as a uvarint member length, the member bytes and the
// 8-byte little-endian score. A set converts to the "skiplist" encoding (a
// skiplist with span widths for O(log n) ranks plus a dict.Dict from member
// to score) once it exceeds Limits.ZSetMaxListpackEntries members or gets a
// member longer than Limits.ZSetMaxListpackValue bytes. Like Redis, it never
// converts back on its own; Compact does so on request (the *STORE
// commands).
//
// Member slices passed to callbacks or returned by methods alias internal
// storage: they must not be modified and are only valid until the next
// mutation of the set. As in Redis, the listpack encoding stores negative
// zero as zero while the skiplist encoding keeps it.
type ZSet struct {
	lp   []byte
	n    int
	zsl  *zskiplist
	dict *dict.Dict[float64]
}

// zslLevel is one level of a skiplist node: the next node at that level and
// the number of level-0 steps it skips.
type zslLevel struct {
	forward *zslNode
	span    int
}

// zslNode is a skiplist node. level is really a variable-length array: nodes
// of height h are allocated as zslNodeN types with h-1 extra levels right
// after it in the same allocation (see zslNewNode).
type zslNode struct {
	member   string
	score    float64
	backward *zslNode
	level    [1]zslLevel
}

// zslNodeN extends zslNode with more levels in the same allocation.
type zslNodeN[T any] struct {
	zslNode
	more T
}

// lv returns level i of x; i must be below the height x was allocated with.
func (x *zslNode) lv(i int) *zslLevel {
	return (*zslLevel)(unsafe.Add(unsafe.Pointer(&x.level[0]), uintptr(i)*unsafe.Sizeof(zslLevel{})))
}

type zskiplist struct {
	header, tail *zslNode
	length       int
	level        int
	// bytes is the allocation size of all nodes and their member strings.
	bytes int
}

// zslNodeSize is the allocation size of a node of height h.
func zslNodeSize(h int) int {
	return hzAllocSize(int(unsafe.Sizeof(zslNode{})) + (h-1)*int(unsafe.Sizeof(zslLevel{})))
}

// zslNewNode allocates a node of height h (1..32).
func zslNewNode(h int) *zslNode {
	switch h {
	case 1:
		return new(zslNode)
	case 2:
		return &new(zslNodeN[[1]zslLevel]).zslNode
	case 3:
		return &new(zslNodeN[[2]zslLevel]).zslNode
	case 4:
		return &new(zslNodeN[[3]zslLevel]).zslNode
	case 5:
		return &new(zslNodeN[[4]zslLevel]).zslNode
	case 6:
		return &new(zslNodeN[[5]zslLevel]).zslNode
	case 7:
		return &new(zslNodeN[[6]zslLevel]).zslNode
	case 8:
		return &new(zslNodeN[[7]zslLevel]).zslNode
	case 9:
		return &new(zslNodeN[[8]zslLevel]).zslNode
	case 10:
		return &new(zslNodeN[[9]zslLevel]).zslNode
	case 11:
		return &new(zslNodeN[[10]zslLevel]).zslNode
	case 12:
		return &new(zslNodeN[[11]zslLevel]).zslNode
	case 13:
		return &new(zslNodeN[[12]zslLevel]).zslNode
	case 14:
		return &new(zslNodeN[[13]zslLevel]).zslNode
	case 15:
		return &new(zslNodeN[[14]zslLevel]).zslNode
	case 16:
		return &new(zslNodeN[[15]zslLevel]).zslNode
	}
	// Heights above 16 have probability 4^-16 per node: one generic size.
	return &new(zslNodeN[[zslMaxLevel - 1]zslLevel]).zslNode
}

// zslRandomLevel returns a height in 1..32 with P(h > k) = 4^-k.
func zslRandomLevel() int {
	h := 1 + bits.TrailingZeros64(rand.Uint64())/2
	return min(h, zslMaxLevel)
}

func newZskiplist() *zskiplist {
	return &zskiplist{header: zslNewNode(zslMaxLevel), level: 1}
}

// zslLess reports whether node x sorts before (score, member).
func zslLess(x *zslNode, score float64, member string) bool {
	return x.score < score || (x.score == score && x.member < member)
}

// insert adds a node; the member must not be present.
func (l *zskiplist) insert(score float64, member string) *zslNode {
	h := zslRandomLevel()
	x := zslNewNode(h)
	x.member, x.score = member, score
	l.insertNode(x, h)
	return x
}

// insertNode links x, a node of height h holding its member and score, at
// its sorted position.
func (l *zskiplist) insertNode(x *zslNode, h int) {
	var update [zslMaxLevel]*zslNode
	var rank [zslMaxLevel]int
	score, member := x.score, x.member
	p := l.header
	for i := l.level - 1; i >= 0; i-- {
		if i < l.level-1 {
			rank[i] = rank[i+1]
		}
		for f := p.lv(i).forward; f != nil && zslLess(f, score, member); f = p.lv(i).forward {
			rank[i] += p.lv(i).span
			p = f
		}
		update[i] = p
	}
	if h > l.level {
		for i := l.level; i < h; i++ {
			rank[i] = 0
			update[i] = l.header
			l.header.lv(i).span = l.length
		}
		l.level = h
	}
	for i := 0; i < h; i++ {
		xl, ul := x.lv(i), update[i].lv(i)
		xl.forward = ul.forward
		ul.forward = x
		xl.span = ul.span - (rank[0] - rank[i])
		ul.span = rank[0] - rank[i] + 1
	}
	for i := h; i < l.level; i++ {
		update[i].lv(i).span++
	}
	x.backward = nil
	if update[0] != l.header {
		x.backward = update[0]
	}
	if f := x.lv(0).forward; f != nil {
		f.backward = x
	} else {
		l.tail = x
	}
	l.length++
	l.bytes += zslNodeSize(h) + hzAllocSize(len(member))
}

// deleteNode unlinks x given its predecessors at every level and returns
// its height.
func (l *zskiplist) deleteNode(x *zslNode, update *[zslMaxLevel]*zslNode) int {
	h := 0
	for i := 0; i < l.level; i++ {
		ul := update[i].lv(i)
		if ul.forward == x {
			h++
			xl := x.lv(i)
			ul.span += xl.span - 1
			ul.forward = xl.forward
		} else {
			ul.span--
		}
	}
	if f := x.lv(0).forward; f != nil {
		f.backward = x.backward
	} else {
		l.tail = x.backward
	}
	for l.level > 1 && l.header.lv(l.level-1).forward == nil {
		l.level--
	}
	l.length--
	l.bytes -= zslNodeSize(h) + hzAllocSize(len(x.member))
	return h
}

// findUpdate fills update with the last node before (score, member) at each
// level and returns the node at level 0 after it (the match, if present).
func (l *zskiplist) findUpdate(score float64, member string, update *[zslMaxLevel]*zslNode) *zslNode {
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && zslLess(f, score, member); f = x.lv(i).forward {
			x = f
		}
		update[i] = x
	}
	return x.lv(0).forward
}

// delete removes the node (score, member) and reports whether it existed.
func (l *zskiplist) delete(score float64, member string) bool {
	var update [zslMaxLevel]*zslNode
	x := l.findUpdate(score, member, &update)
	if x == nil || x.score != score || x.member != member {
		return false
	}
	l.deleteNode(x, &update)
	return true
}

// updateScore moves the existing node (cur, member) to newScore.
func (l *zskiplist) updateScore(cur float64, member string, newScore float64) {
	var update [zslMaxLevel]*zslNode
	x := l.findUpdate(cur, member, &update)
	if x == nil || x.score != cur || x.member != member {
		return // not reachable while the dict and the skiplist agree
	}
	if (x.backward == nil || x.backward.score < newScore) &&
		(x.lv(0).forward == nil || x.lv(0).forward.score > newScore) {
		x.score = newScore // the position stays valid
		return
	}
	// Relink the same node (same height) at its new position.
	h := l.deleteNode(x, &update)
	x.score = newScore
	l.insertNode(x, h)
}

// rank returns the 1-based rank of (score, member), or 0 when absent.
func (l *zskiplist) rank(score float64, member string) int {
	x, r := l.header, 0
	for i := l.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && (f.score < score || (f.score == score && f.member <= member)); f = x.lv(i).forward {
			r += x.lv(i).span
			x = f
		}
		if x != l.header && x.member == member && x.score == score {
			return r
		}
	}
	return 0
}

// byRank returns the node with 1-based rank r, or nil.
func (l *zskiplist) byRank(r int) *zslNode {
	x, t := l.header, 0
	for i := l.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && t+x.lv(i).span <= r; f = x.lv(i).forward {
			t += x.lv(i).span
			x = f
		}
		if t == r {
			if x == l.header {
				return nil
			}
			return x
		}
	}
	return nil
}

// firstInRange returns the first node within r, or nil.
func (l *zskiplist) firstInRange(r *ScoreRange) *zslNode {
	if r.Empty() || l.tail == nil || !r.GteMin(l.tail.score) {
		return nil
	}
	if f := l.header.lv(0).forward; !r.LteMax(f.score) {
		return nil
	}
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && !r.GteMin(f.score); f = x.lv(i).forward {
			x = f
		}
	}
	x = x.lv(0).forward
	if x == nil || !r.LteMax(x.score) {
		return nil
	}
	return x
}

// lastInRange returns the last node within r, or nil.
func (l *zskiplist) lastInRange(r *ScoreRange) *zslNode {
	if r.Empty() || l.tail == nil || !r.GteMin(l.tail.score) {
		return nil
	}
	if f := l.header.lv(0).forward; !r.LteMax(f.score) {
		return nil
	}
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && r.LteMax(f.score); f = x.lv(i).forward {
			x = f
		}
	}
	if x == l.header || !r.GteMin(x.score) {
		return nil
	}
	return x
}

// firstInLex returns the first node within r, or nil.
func (l *zskiplist) firstInLex(r *LexRange) *zslNode {
	if r.Empty() || l.tail == nil || !r.GteMin(hzBytes(l.tail.member)) {
		return nil
	}
	if f := l.header.lv(0).forward; !r.LteMax(hzBytes(f.member)) {
		return nil
	}
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && !r.GteMin(hzBytes(f.member)); f = x.lv(i).forward {
			x = f
		}
	}
	x = x.lv(0).forward
	if x == nil || !r.LteMax(hzBytes(x.member)) {
		return nil
	}
	return x
}

// lastInLex returns the last node within r, or nil.
func (l *zskiplist) lastInLex(r *LexRange) *zslNode {
	if r.Empty() || l.tail == nil || !r.GteMin(hzBytes(l.tail.member)) {
		return nil
	}
	if f := l.header.lv(0).forward; !r.LteMax(hzBytes(f.member)) {
		return nil
	}
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && r.LteMax(hzBytes(f.member)); f = x.lv(i).forward {
			x = f
		}
	}
	if x == l.header || !r.GteMin(hzBytes(x.member)) {
		return nil
	}
	return x
}

// zslAppender builds a skiplist from nodes given in ascending order in O(1)
// amortised time per node.
type zslAppender struct {
	l    *zskiplist
	last [zslMaxLevel]*zslNode
	rank [zslMaxLevel]int
}

func (a *zslAppender) init(l *zskiplist) {
	a.l = l
	for i := range a.last {
		a.last[i] = l.header
	}
}

// add appends (score, member), which must sort after every node present.
func (a *zslAppender) add(score float64, member string) {
	l := a.l
	h := zslRandomLevel()
	if h > l.level {
		l.level = h
	}
	x := zslNewNode(h)
	x.member, x.score = member, score
	r := l.length + 1
	for i := 0; i < h; i++ {
		p := a.last[i]
		p.lv(i).forward = x
		p.lv(i).span = r - a.rank[i]
		a.last[i], a.rank[i] = x, r
	}
	if l.tail != nil {
		x.backward = l.tail
	}
	l.tail = x
	l.length = r
	l.bytes += zslNodeSize(h) + hzAllocSize(len(member))
}

// finish sets the spans of the last node at every level (distance to the
// end, the invariant insert relies on).
func (a *zslAppender) finish() {
	for i := 0; i < a.l.level; i++ {
		a.last[i].lv(i).span = a.l.length - a.rank[i]
	}
}

// NewZSet returns an empty sorted set (listpack encoding).
func NewZSet() *ZSet { return &ZSet{} }

// NewZSetSized returns an empty sorted set whose encoding is chosen for
// about sizeHint members of at most maxMemberLen bytes: listpack when that
// fits lim, skiplist (pre-sized) otherwise.
func NewZSetSized(lim *Limits, sizeHint, maxMemberLen int) *ZSet {
	lim = lim.resolve()
	z := &ZSet{}
	if sizeHint > lim.ZSetMaxListpackEntries || maxMemberLen > lim.ZSetMaxListpackValue ||
		lim.ZSetMaxListpackEntries == 0 {
		z.zsl = newZskiplist()
		z.dict = dict.New[float64](sizeHint)
	}
	return z
}

// Len returns the number of members.
func (z *ZSet) Len() int {
	if z.zsl != nil {
		return z.zsl.length
	}
	return z.n
}

// Encoding returns the Redis name of the current encoding: "listpack" or
// "skiplist".
func (z *ZSet) Encoding() string {
	if z.zsl != nil {
		return "skiplist"
	}
	return "listpack"
}

// ---- listpack helpers ----

// zzEntry decodes the listpack entry at off and returns its member, its
// score and the offset of the next entry.
func (z *ZSet) zzEntry(off int) ([]byte, float64, int) {
	lp := z.lp
	var l uint64
	k := 1
	if c := lp[off]; c < 0x80 {
		l = uint64(c)
	} else {
		l, k = binary.Uvarint(lp[off:])
	}
	s := off + k
	e := s + int(l)
	return lp[s:e:e], math.Float64frombits(binary.LittleEndian.Uint64(lp[e:])), e + 8
}

// zzFind returns the offset of member's entry and the next offset, its
// score, and whether it was found.
func (z *ZSet) zzFind(member []byte) (off, next int, score float64, ok bool) {
	for i := 0; i < z.n; i++ {
		m, s, nx := z.zzEntry(off)
		if len(m) == len(member) && string(m) == string(member) {
			return off, nx, s, true
		}
		off = nx
	}
	return 0, 0, 0, false
}

// zzInsert inserts a new entry at its sorted position.
func (z *ZSet) zzInsert(member []byte, score float64) {
	if score == 0 {
		score = 0 // the listpack encoding stores -0 as 0, as Redis does
	}
	off := 0
	for i := 0; i < z.n; i++ {
		m, s, nx := z.zzEntry(off)
		if s > score || (s == score && string(m) > string(member)) {
			break
		}
		off = nx
	}
	var hdr [binary.MaxVarintLen64]byte
	h := binary.PutUvarint(hdr[:], uint64(len(member)))
	size := h + len(member) + 8
	lp := z.lp
	if cap(lp)-len(lp) < size {
		nlp := make([]byte, len(lp), len(lp)+size+len(lp)/4+8)
		copy(nlp, lp)
		lp = nlp
	}
	lp = lp[:len(lp)+size]
	copy(lp[off+size:], lp[off:])
	copy(lp[off:], hdr[:h])
	copy(lp[off+h:], member)
	binary.LittleEndian.PutUint64(lp[off+h+len(member):], math.Float64bits(score))
	z.lp = lp
	z.n++
}

// zzDelete removes the entries in lp[off:next], which hold cnt entries.
func (z *ZSet) zzDelete(off, next, cnt int) {
	n := copy(z.lp[off:], z.lp[next:])
	z.lp = z.lp[:off+n]
	z.n -= cnt
	if cap(z.lp) > 2*len(z.lp)+64 {
		z.lp = append([]byte(nil), z.lp...)
	}
}

// zzOffsets appends the offset of every entry plus the end offset to dst.
func (z *ZSet) zzOffsets(dst []int) []int {
	off := 0
	for i := 0; i < z.n; i++ {
		dst = append(dst, off)
		_, _, off = z.zzEntry(off)
	}
	return append(dst, off)
}

// convert switches a listpack set to the skiplist encoding.
func (z *ZSet) convert() {
	l := newZskiplist()
	d := dict.New[float64](z.n)
	var a zslAppender
	a.init(l)
	off := 0
	for i := 0; i < z.n; i++ {
		m, s, nx := z.zzEntry(off)
		ms := string(m)
		a.add(s, ms)
		d.Set(ms, s)
		off = nx
	}
	a.finish()
	z.lp, z.n, z.zsl, z.dict = nil, 0, l, d
}

// Compact converts a skiplist-encoded set back to the listpack encoding if
// it fits lim (at most ZSetMaxListpackEntries members, none longer than
// ZSetMaxListpackValue bytes), as Redis does for the results of
// ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE and ZRANGESTORE. It reports whether
// the set is listpack-encoded afterwards.
func (z *ZSet) Compact(lim *Limits) bool {
	if z.zsl == nil {
		return true
	}
	lim = lim.resolve()
	if z.zsl.length > lim.ZSetMaxListpackEntries {
		return false
	}
	size := 0
	for x := z.zsl.header.lv(0).forward; x != nil; x = x.lv(0).forward {
		if len(x.member) > lim.ZSetMaxListpackValue {
			return false
		}
		size += len(x.member) + 9
	}
	lp := make([]byte, 0, size)
	for x := z.zsl.header.lv(0).forward; x != nil; x = x.lv(0).forward {
		lp = binary.AppendUvarint(lp, uint64(len(x.member)))
		lp = append(lp, x.member...)
		s := x.score
		if s == 0 {
			s = 0
		}
		lp = binary.LittleEndian.AppendUint64(lp, math.Float64bits(s))
	}
	z.lp, z.n, z.zsl, z.dict = lp, z.zsl.length, nil, nil
	return true
}

// zaddApply computes the outcome of ZADD on an existing member with score
// cur: the new score and the result, or ErrScoreNaN.
func zaddApply(cur, score float64, flags ZAddFlags) (float64, ZAddResult, error) {
	if flags&ZAddNX != 0 {
		return cur, ZAddSkipped, nil
	}
	if flags&ZAddIncr != 0 {
		score += cur
		if math.IsNaN(score) {
			return cur, ZAddSkipped, ErrScoreNaN
		}
	}
	if (flags&ZAddLT != 0 && score >= cur) || (flags&ZAddGT != 0 && score <= cur) {
		return cur, ZAddSkipped, nil
	}
	if score != cur {
		return score, ZAddUpdated, nil
	}
	return score, ZAddUnchanged, nil
}

// Add implements ZADD for one member (and ZINCRBY with ZAddIncr): it adds
// member with score or updates its score according to flags, converting the
// encoding when lim requires it (nil means DefaultLimits). It returns what
// happened and the resulting score (with ZAddIncr, the incremented score;
// meaningless when the result is ZAddSkipped). A NaN score, or an increment
// producing NaN, returns ErrScoreNaN and leaves the set unchanged.
func (z *ZSet) Add(lim *Limits, member []byte, score float64, flags ZAddFlags) (ZAddResult, float64, error) {
	if math.IsNaN(score) {
		return ZAddSkipped, 0, ErrScoreNaN
	}
	if z.zsl == nil {
		if off, next, cur, ok := z.zzFind(member); ok {
			ns, res, err := zaddApply(cur, score, flags)
			if res == ZAddUpdated {
				z.zzDelete(off, next, 1)
				z.zzInsert(member, ns)
			}
			return res, ns, err
		}
		if flags&ZAddXX != 0 {
			return ZAddSkipped, 0, nil
		}
		lim = lim.resolve()
		if z.n+1 <= lim.ZSetMaxListpackEntries && len(member) <= lim.ZSetMaxListpackValue {
			z.zzInsert(member, score)
			return ZAddAdded, score, nil
		}
		z.convert()
	}
	if p := z.dict.GetPtr(hzStr(member)); p != nil {
		cur := *p
		ns, res, err := zaddApply(cur, score, flags)
		if res == ZAddUpdated {
			z.zsl.updateScore(cur, hzStr(member), ns)
			*p = ns
		}
		return res, ns, err
	}
	if flags&ZAddXX != 0 {
		return ZAddSkipped, 0, nil
	}
	ms := string(member)
	z.zsl.insert(score, ms)
	z.dict.Set(ms, score)
	return ZAddAdded, score, nil
}

// Score returns the score of member.
func (z *ZSet) Score(member []byte) (float64, bool) {
	if z.zsl == nil {
		_, _, s, ok := z.zzFind(member)
		return s, ok
	}
	return z.dict.Get(hzStr(member))
}

// Remove deletes member and reports whether it was present.
func (z *ZSet) Remove(member []byte) bool {
	if z.zsl == nil {
		off, next, _, ok := z.zzFind(member)
		if ok {
			z.zzDelete(off, next, 1)
		}
		return ok
	}
	key := hzStr(member)
	s, ok := z.dict.Delete(key)
	if ok {
		z.zsl.delete(s, key)
	}
	return ok
}

// Rank returns the 0-based rank of member in ascending order, or in
// descending order when reverse is set (ZRANK / ZREVRANK), and its score.
func (z *ZSet) Rank(member []byte, reverse bool) (rank int, score float64, ok bool) {
	if z.zsl == nil {
		off := 0
		for i := 0; i < z.n; i++ {
			m, s, nx := z.zzEntry(off)
			if string(m) == string(member) {
				if reverse {
					i = z.n - 1 - i
				}
				return i, s, true
			}
			off = nx
		}
		return 0, 0, false
	}
	key := hzStr(member)
	s, ok := z.dict.Get(key)
	if !ok {
		return 0, 0, false
	}
	r := z.zsl.rank(s, key) - 1
	if reverse {
		r = z.zsl.length - 1 - r
	}
	return r, s, true
}

// ZRankRange normalises ZRANGE-style start and stop indexes (negative ones
// count from the end) for a set of n members. It returns the inclusive
// 0-based range and false when it is empty.
func ZRankRange(start, stop, n int) (from, to int, ok bool) {
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

// RangeByRank calls fn for the members whose rank lies in [start, stop]
// after ZRankRange normalisation, in ascending order, or for descending
// ranks (ZREVRANGE) when rev is set. It returns the number of calls.
func (z *ZSet) RangeByRank(start, stop int, rev bool, fn func(member []byte, score float64)) int {
	from, to, ok := ZRankRange(start, stop, z.Len())
	if !ok {
		return 0
	}
	cnt := to - from + 1
	if z.zsl == nil {
		if !rev {
			off := 0
			for i := 0; i <= to; i++ {
				m, s, nx := z.zzEntry(off)
				if i >= from {
					fn(m, s)
				}
				off = nx
			}
			return cnt
		}
		var buf [130]int
		offs := z.zzOffsets(buf[:0])
		for i := z.n - 1 - from; i >= z.n-1-to; i-- {
			m, s, _ := z.zzEntry(offs[i])
			fn(m, s)
		}
		return cnt
	}
	if !rev {
		x := z.zsl.byRank(from + 1)
		for i := 0; i < cnt; i++ {
			fn(hzBytes(x.member), x.score)
			x = x.lv(0).forward
		}
		return cnt
	}
	x := z.zsl.byRank(z.zsl.length - from)
	for i := 0; i < cnt; i++ {
		fn(hzBytes(x.member), x.score)
		x = x.backward
	}
	return cnt
}

// RangeByScore calls fn for the members with scores within r in ascending
// order (descending when rev is set; r keeps Min <= Max either way), after
// skipping offset matches and stopping after count calls (count < 0 means
// no limit; a negative offset yields nothing, like Redis's LIMIT). It
// returns the number of calls.
func (z *ZSet) RangeByScore(r ScoreRange, rev bool, offset, count int, fn func(member []byte, score float64)) int {
	if offset < 0 || count == 0 || r.Empty() || offset >= z.Len() {
		return 0
	}
	done := 0
	if z.zsl == nil {
		if !rev {
			off := 0
			for i := 0; i < z.n; i++ {
				m, s, nx := z.zzEntry(off)
				off = nx
				if !r.GteMin(s) {
					continue
				}
				if !r.LteMax(s) {
					break
				}
				if offset > 0 {
					offset--
					continue
				}
				fn(m, s)
				if done++; done == count {
					break
				}
			}
			return done
		}
		var buf [130]int
		offs := z.zzOffsets(buf[:0])
		for i := z.n - 1; i >= 0; i-- {
			m, s, _ := z.zzEntry(offs[i])
			if !r.LteMax(s) {
				continue
			}
			if !r.GteMin(s) {
				break
			}
			if offset > 0 {
				offset--
				continue
			}
			fn(m, s)
			if done++; done == count {
				break
			}
		}
		return done
	}
	if !rev {
		x := z.zsl.firstInRange(&r)
		for ; x != nil && offset > 0; offset-- {
			x = x.lv(0).forward
		}
		for ; x != nil && done != count && r.LteMax(x.score); x = x.lv(0).forward {
			fn(hzBytes(x.member), x.score)
			done++
		}
		return done
	}
	x := z.zsl.lastInRange(&r)
	for ; x != nil && offset > 0; offset-- {
		x = x.backward
	}
	for ; x != nil && done != count && r.GteMin(x.score); x = x.backward {
		fn(hzBytes(x.member), x.score)
		done++
	}
	return done
}

// RangeByLex is RangeByScore for a member range (ZRANGEBYLEX); it is meant
// for sets whose members all have the same score.
func (z *ZSet) RangeByLex(r LexRange, rev bool, offset, count int, fn func(member []byte, score float64)) int {
	if offset < 0 || count == 0 || r.Empty() || offset >= z.Len() {
		return 0
	}
	done := 0
	if z.zsl == nil {
		if !rev {
			off := 0
			for i := 0; i < z.n; i++ {
				m, s, nx := z.zzEntry(off)
				off = nx
				if !r.GteMin(m) {
					continue
				}
				if !r.LteMax(m) {
					break
				}
				if offset > 0 {
					offset--
					continue
				}
				fn(m, s)
				if done++; done == count {
					break
				}
			}
			return done
		}
		var buf [130]int
		offs := z.zzOffsets(buf[:0])
		for i := z.n - 1; i >= 0; i-- {
			m, s, _ := z.zzEntry(offs[i])
			if !r.LteMax(m) {
				continue
			}
			if !r.GteMin(m) {
				break
			}
			if offset > 0 {
				offset--
				continue
			}
			fn(m, s)
			if done++; done == count {
				break
			}
		}
		return done
	}
	if !rev {
		x := z.zsl.firstInLex(&r)
		for ; x != nil && offset > 0; offset-- {
			x = x.lv(0).forward
		}
		for ; x != nil && done != count && r.LteMax(hzBytes(x.member)); x = x.lv(0).forward {
			fn(hzBytes(x.member), x.score)
			done++
		}
		return done
	}
	x := z.zsl.lastInLex(&r)
	for ; x != nil && offset > 0; offset-- {
		x = x.backward
	}
	for ; x != nil && done != count && r.GteMin(hzBytes(x.member)); x = x.backward {
		fn(hzBytes(x.member), x.score)
		done++
	}
	return done
}

// Count returns the number of members with scores within r (ZCOUNT), in
// O(log n) for the skiplist encoding.
func (z *ZSet) Count(r ScoreRange) int {
	if r.Empty() {
		return 0
	}
	if z.zsl == nil {
		cnt, off := 0, 0
		for i := 0; i < z.n; i++ {
			_, s, nx := z.zzEntry(off)
			off = nx
			if !r.GteMin(s) {
				continue
			}
			if !r.LteMax(s) {
				break
			}
			cnt++
		}
		return cnt
	}
	first := z.zsl.firstInRange(&r)
	if first == nil {
		return 0
	}
	last := z.zsl.lastInRange(&r)
	return z.zsl.rank(last.score, last.member) - z.zsl.rank(first.score, first.member) + 1
}

// LexCount returns the number of members within r (ZLEXCOUNT).
func (z *ZSet) LexCount(r LexRange) int {
	if r.Empty() {
		return 0
	}
	if z.zsl == nil {
		cnt, off := 0, 0
		for i := 0; i < z.n; i++ {
			m, _, nx := z.zzEntry(off)
			off = nx
			if !r.GteMin(m) {
				continue
			}
			if !r.LteMax(m) {
				break
			}
			cnt++
		}
		return cnt
	}
	first := z.zsl.firstInLex(&r)
	if first == nil {
		return 0
	}
	last := z.zsl.lastInLex(&r)
	return z.zsl.rank(last.score, last.member) - z.zsl.rank(first.score, first.member) + 1
}

// RemoveRangeByRank removes the members with ranks in [start, stop] after
// ZRankRange normalisation (ZREMRANGEBYRANK) and returns how many.
func (z *ZSet) RemoveRangeByRank(start, stop int) int {
	from, to, ok := ZRankRange(start, stop, z.Len())
	if !ok {
		return 0
	}
	if z.zsl == nil {
		off, begin := 0, 0
		for i := 0; i <= to; i++ {
			if i == from {
				begin = off
			}
			_, _, off = z.zzEntry(off)
		}
		z.zzDelete(begin, off, to-from+1)
		return to - from + 1
	}
	l := z.zsl
	var update [zslMaxLevel]*zslNode
	x, t := l.header, 0
	for i := l.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && t+x.lv(i).span <= from; f = x.lv(i).forward {
			t += x.lv(i).span
			x = f
		}
		update[i] = x
	}
	x = x.lv(0).forward
	removed := 0
	for ; x != nil && removed < to-from+1; removed++ {
		next := x.lv(0).forward
		l.deleteNode(x, &update)
		z.dict.Delete(x.member)
		x = next
	}
	return removed
}

// RemoveRangeByScore removes the members with scores within r
// (ZREMRANGEBYSCORE) and returns how many.
func (z *ZSet) RemoveRangeByScore(r ScoreRange) int {
	if r.Empty() {
		return 0
	}
	if z.zsl == nil {
		off, begin, cnt := 0, -1, 0
		for i := 0; i < z.n; i++ {
			_, s, nx := z.zzEntry(off)
			if r.GteMin(s) {
				if !r.LteMax(s) {
					break
				}
				if begin < 0 {
					begin = off
				}
				cnt++
			}
			off = nx
		}
		if cnt > 0 {
			z.zzDelete(begin, off, cnt)
		}
		return cnt
	}
	l := z.zsl
	var update [zslMaxLevel]*zslNode
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && !r.GteMin(f.score); f = x.lv(i).forward {
			x = f
		}
		update[i] = x
	}
	x = x.lv(0).forward
	removed := 0
	for ; x != nil && r.LteMax(x.score); removed++ {
		next := x.lv(0).forward
		l.deleteNode(x, &update)
		z.dict.Delete(x.member)
		x = next
	}
	return removed
}

// inLexRange is Redis's zzlIsInLexRange/zslIsInLexRange quick check: the
// range can only hold members if the last member is >= min and the first
// is <= max. With mixed scores this decides the result on its own, so it
// must be kept for compatibility.
func (z *ZSet) inLexRange(r LexRange) bool {
	if z.Len() == 0 {
		return false
	}
	var first, last []byte
	z.RangeByRank(0, 0, false, func(m []byte, _ float64) { first = append(first[:0], m...) })
	z.RangeByRank(-1, -1, false, func(m []byte, _ float64) { last = append(last[:0], m...) })
	return r.GteMin(last) && r.LteMax(first)
}

// RemoveRangeByLex removes the members within r (ZREMRANGEBYLEX) and
// returns how many.
func (z *ZSet) RemoveRangeByLex(r LexRange) int {
	if r.Empty() {
		return 0
	}
	if z.zsl == nil {
		off, begin, cnt := 0, -1, 0
		// As Redis: the range starts at the first member >= min (none if
		// that one is > max) and runs while members are <= max. With
		// mixed scores the order is not lexicographic, so members after
		// the start are not checked against min again.
		if !z.inLexRange(r) {
			return 0
		}
		for i := 0; i < z.n; i++ {
			m, _, nx := z.zzEntry(off)
			if begin < 0 {
				if !r.GteMin(m) {
					off = nx
					continue
				}
				if !r.LteMax(m) {
					break
				}
				begin = off
			} else if !r.LteMax(m) {
				break
			}
			cnt++
			off = nx
		}
		if cnt > 0 {
			z.zzDelete(begin, off, cnt)
		}
		return cnt
	}
	l := z.zsl
	var update [zslMaxLevel]*zslNode
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && !r.GteMin(hzBytes(f.member)); f = x.lv(i).forward {
			x = f
		}
		update[i] = x
	}
	x = x.lv(0).forward
	removed := 0
	for ; x != nil && r.LteMax(hzBytes(x.member)); removed++ {
		next := x.lv(0).forward
		l.deleteNode(x, &update)
		z.dict.Delete(x.member)
		x = next
	}
	return removed
}

// PopMin removes up to count members with the lowest scores (ZPOPMIN),
// calling fn for each in ascending order before removal, and returns how
// many were removed. count <= 0 removes nothing.
func (z *ZSet) PopMin(count int, fn func(member []byte, score float64)) int {
	if count <= 0 || z.Len() == 0 {
		return 0
	}
	count = min(count, z.Len())
	if fn != nil {
		z.RangeByRank(0, count-1, false, fn)
	}
	return z.RemoveRangeByRank(0, count-1)
}

// PopMax removes up to count members with the highest scores (ZPOPMAX),
// calling fn for each in descending order before removal, and returns how
// many were removed. count <= 0 removes nothing.
func (z *ZSet) PopMax(count int, fn func(member []byte, score float64)) int {
	if count <= 0 || z.Len() == 0 {
		return 0
	}
	count = min(count, z.Len())
	if fn != nil {
		z.RangeByRank(0, count-1, true, fn)
	}
	return z.RemoveRangeByRank(-count, -1)
}

// All returns an iterator over the members and scores in ascending order.
// The set must not be modified during the iteration.
func (z *ZSet) All() iter.Seq2[[]byte, float64] {
	return func(yield func([]byte, float64) bool) {
		if z.zsl == nil {
			off := 0
			for i := 0; i < z.n; i++ {
				m, s, nx := z.zzEntry(off)
				if !yield(m, s) {
					return
				}
				off = nx
			}
			return
		}
		for x := z.zsl.header.lv(0).forward; x != nil; x = x.lv(0).forward {
			if !yield(hzBytes(x.member), x.score) {
				return
			}
		}
	}
}

// Scan implements one ZSCAN step: it calls fn for some members and returns
// the next cursor, 0 when done. The listpack encoding returns everything in
// one call (and cursor 0), like Redis; the skiplist encoding follows the
// dict's SCAN guarantees.
func (z *ZSet) Scan(cursor uint64, fn func(member []byte, score float64)) uint64 {
	if z.zsl == nil {
		off := 0
		for i := 0; i < z.n; i++ {
			m, s, nx := z.zzEntry(off)
			fn(m, s)
			off = nx
		}
		return 0
	}
	return z.dict.Scan(cursor, func(k string, v float64) { fn(hzBytes(k), v) })
}

// RandomMember returns a uniformly chosen member, or ok == false when the
// set is empty. r may be nil to use the global generator.
func (z *ZSet) RandomMember(r *rand.Rand) (member []byte, score float64, ok bool) {
	n := z.Len()
	if n == 0 {
		return nil, 0, false
	}
	i := hzRandN(r, n)
	if z.zsl == nil {
		off := 0
		for ; i > 0; i-- {
			_, _, off = z.zzEntry(off)
		}
		m, s, _ := z.zzEntry(off)
		return m, s, true
	}
	x := z.zsl.byRank(i + 1)
	return hzBytes(x.member), x.score, true
}

// RandomMembers implements ZRANDMEMBER with a count: for count > 0 it calls
// fn for min(count, Len()) distinct members (all of them, in descending
// order like Redis 7.0, when count >= Len()); for count < 0 it calls fn -count times with members
// chosen independently (repetitions possible). The caller must bound -count.
// r may be nil to use the global generator.
func (z *ZSet) RandomMembers(r *rand.Rand, count int, fn func(member []byte, score float64)) {
	n := z.Len()
	if n == 0 || count == 0 {
		return
	}
	if count >= n {
		z.RangeByRank(0, -1, true, fn) // Redis 7.0 replies in descending order
		return
	}
	if z.zsl == nil {
		var buf [130]int
		offs := z.zzOffsets(buf[:0])
		if count < 0 {
			for ; count < 0; count++ {
				m, s, _ := z.zzEntry(offs[hzRandN(r, n)])
				fn(m, s)
			}
			return
		}
		// Selection sampling keeps the listpack order.
		need := count
		for i := 0; i < n && need > 0; i++ {
			if hzRandN(r, n-i) < need {
				m, s, _ := z.zzEntry(offs[i])
				fn(m, s)
				need--
			}
		}
		return
	}
	l := z.zsl
	if count < 0 {
		for ; count < 0; count++ {
			x := l.byRank(hzRandN(r, n) + 1)
			fn(hzBytes(x.member), x.score)
		}
		return
	}
	if count*3 > n {
		need := count
		for x, i := l.header.lv(0).forward, 0; x != nil && need > 0; x, i = x.lv(0).forward, i+1 {
			if hzRandN(r, n-i) < need {
				fn(hzBytes(x.member), x.score)
				need--
			}
		}
		return
	}
	seen := make(map[int]struct{}, count)
	for len(seen) < count {
		i := hzRandN(r, n)
		if _, dup := seen[i]; dup {
			continue
		}
		seen[i] = struct{}{}
		x := l.byRank(i + 1)
		fn(hzBytes(x.member), x.score)
	}
}

// MemUsage returns an estimate of the bytes used by the set.
func (z *ZSet) MemUsage() int {
	size := int(unsafe.Sizeof(*z))
	if z.zsl == nil {
		return size + cap(z.lp)
	}
	return size + int(unsafe.Sizeof(*z.zsl)) + zslNodeSize(zslMaxLevel) + z.zsl.bytes + z.dict.Overhead()
}

// Clone returns a deep copy of z with the same encoding.
func (z *ZSet) Clone() *ZSet {
	if z.zsl == nil {
		c := &ZSet{n: z.n}
		if len(z.lp) > 0 {
			c.lp = append([]byte(nil), z.lp...)
		}
		return c
	}
	l := newZskiplist()
	d := dict.New[float64](z.zsl.length)
	var a zslAppender
	a.init(l)
	for x := z.zsl.header.lv(0).forward; x != nil; x = x.lv(0).forward {
		m := string(hzBytes(x.member)) // fresh copy, not shared with z
		a.add(x.score, m)
		d.Set(m, x.score)
	}
	a.finish()
	return &ZSet{zsl: l, dict: d}
}

// ---- helpers shared by hash.go and zset.go ----

// hzSizeClasses are the Go allocator's small size classes up to 1024 bytes.
var hzSizeClasses = [...]uint16{
	8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224,
	240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768,
	896, 1024,
}

// hzAllocSize approximates the bytes the Go allocator uses for n bytes.
func hzAllocSize(n int) int {
	if n == 0 {
		return 0
	}
	if n <= 1024 {
		for _, c := range hzSizeClasses {
			if n <= int(c) {
				return int(c)
			}
		}
	}
	if n <= 32768 {
		return (n + 127) &^ 127
	}
	return (n + 8191) &^ 8191
}

// hzBytes returns a read-only byte view of s without copying.
func hzBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// hzStr returns a string view of b without copying; it must only be used
// transiently (lookups), never retained.
func hzStr(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// hzRandN returns a uniform int in [0, n) from r, or from the global
// generator when r is nil.
func hzRandN(r *rand.Rand, n int) int {
	if r == nil {
		return rand.IntN(n)
	}
	return r.IntN(n)
}
