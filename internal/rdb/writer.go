package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"iter"
	"math"
	"slices"
	"sort"
	"strconv"
)

const (
	writeBufSize = 256 << 10
	// directWriteMin is the size from which raw strings bypass the buffer.
	directWriteMin = 64 << 10
	// packedThreshold is the element size from which Redis 7.0 stores a
	// list element in a PLAIN quicklist node of its own.
	packedThreshold = 1 << 30
)

var (
	errClosed = errors.New("rdb: writer closed")
	errNaN    = errors.New("rdb: WriteZSet: NaN score")
)

// Limits are the encoding thresholds the Writer applies, mirroring the
// Redis 7.0 configuration directives of the same names.
type Limits struct {
	HashMaxListpackEntries int // hash-max-listpack-entries
	HashMaxListpackValue   int // hash-max-listpack-value (bytes)
	SetMaxIntsetEntries    int // set-max-intset-entries
	ZSetMaxListpackEntries int // zset-max-listpack-entries
	ZSetMaxListpackValue   int // zset-max-listpack-value (bytes)
	ListMaxListpackSize    int // list-max-listpack-size (-1..-5: node bytes 4..64 KB; > 0: elements)
}

// DefaultLimits returns the Redis 7.0 defaults: 512/64, 512, 128/64, -2.
func DefaultLimits() Limits {
	return Limits{
		HashMaxListpackEntries: 512,
		HashMaxListpackValue:   64,
		SetMaxIntsetEntries:    512,
		ZSetMaxListpackEntries: 128,
		ZSetMaxListpackValue:   64,
		ListMaxListpackSize:    -2,
	}
}

// listNodeLimits returns the byte and element caps of a quicklist node.
func listNodeLimits(fill int) (maxBytes, maxCount int) {
	if fill >= 0 {
		return 8192, max(fill, 1)
	}
	return 4096 << min(-fill-1, 4), lpUnknownLen - 1
}

// Writer encodes an RDB version 10 file as Redis 7.0 writes it. It buffers
// its output and computes the CRC64 trailer as it goes; call Close to write
// the EOF opcode and the trailer (Close does not close the io.Writer).
//
// The first error (from the io.Writer or from a method) is sticky: every
// later call returns it, and the output must then be discarded.
type Writer struct {
	// Compression enables LZF compression of strings longer than 20 bytes
	// when it saves space, like Redis's rdbcompression (default true).
	Compression bool
	// Checksum enables the CRC64 trailer, like rdbchecksum (default true);
	// when false the trailer is zero, which readers treat as "not checked".
	Checksum bool
	// Limits chooses between compact and general encodings (default
	// DefaultLimits()). It only affects how values are laid out: Redis
	// converts encodings on load according to its own configuration.
	Limits Limits

	w       io.Writer
	buf     []byte
	crc     uint64
	written int64
	err     error
	lzf     *lzfCompressor
	lzfOut  []byte
	lp      ListpackBuilder
	scratch []byte
	ints    []int64
	counts  []int32
	zsort   zitemsSorter
	st      seqState
	yields  yieldFuncs
}

type zitem struct {
	off, n int
	score  float64
}

// NewWriter returns a Writer emitting to w, with the "REDIS0010" header
// already buffered.
func NewWriter(w io.Writer) *Writer {
	wr := &Writer{
		Compression: true,
		Checksum:    true,
		Limits:      DefaultLimits(),
		w:           w,
		buf:         make([]byte, 0, writeBufSize+4096),
	}
	wr.buf = append(wr.buf, "REDIS0010"...)
	wr.bindYields()
	return wr
}

// Written returns the number of bytes handed to the io.Writer so far (after
// Close, the size of the file).
func (w *Writer) Written() int64 { return w.written }

func (w *Writer) flush() {
	if w.err != nil || len(w.buf) == 0 {
		return
	}
	w.crc = CRC64(w.crc, w.buf)
	n, err := w.w.Write(w.buf)
	w.written += int64(n)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = err
	}
}

func (w *Writer) maybeFlush() {
	if len(w.buf) >= writeBufSize {
		w.flush()
	}
}

// direct writes a large byte string around the buffer.
func (w *Writer) direct(s []byte) {
	w.flush()
	if w.err != nil {
		return
	}
	w.crc = CRC64(w.crc, s)
	n, err := w.w.Write(s)
	w.written += int64(n)
	if err != nil {
		w.err = err
	}
}

func (w *Writer) putBytes(s []byte) {
	if len(s) >= directWriteMin {
		w.direct(s)
		return
	}
	w.buf = append(w.buf, s...)
}

func (w *Writer) putLen(n uint64) {
	switch {
	case n < 1<<6:
		w.buf = append(w.buf, byte(n))
	case n < 1<<14:
		w.buf = append(w.buf, 0x40|byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		w.buf = append(w.buf, len32)
		w.buf = binary.BigEndian.AppendUint32(w.buf, uint32(n))
	default:
		w.buf = append(w.buf, len64)
		w.buf = binary.BigEndian.AppendUint64(w.buf, n)
	}
}

// putString writes s as Redis's rdbSaveRawString does: integer encoding for
// canonical 32-bit integers, else LZF when enabled, longer than 20 bytes
// and at least 5 bytes smaller, else raw.
func (w *Writer) putString(s []byte) {
	n := len(s)
	if n <= 11 && n > 0 && (s[0] == '-' || s[0]-'0' <= 9) {
		if v, ok := parseInt(s); ok && v >= math.MinInt32 && v <= math.MaxInt32 {
			switch {
			case v >= math.MinInt8 && v <= math.MaxInt8:
				w.buf = append(w.buf, lenEnc<<6|encInt8, byte(v))
			case v >= math.MinInt16 && v <= math.MaxInt16:
				w.buf = append(w.buf, lenEnc<<6|encInt16, byte(v), byte(v>>8))
			default:
				w.buf = append(w.buf, lenEnc<<6|encInt32)
				w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(v))
			}
			return
		}
	}
	if w.Compression && n > 20 && w.putLZF(s) {
		return
	}
	w.putLen(uint64(n))
	w.putBytes(s)
}

func (w *Writer) putLZF(s []byte) bool {
	if w.lzf == nil {
		w.lzf = new(lzfCompressor)
	}
	room := len(s) - 4
	if cap(w.lzfOut) < room {
		w.lzfOut = make([]byte, room)
	}
	out := w.lzfOut[:room]
	k := w.lzf.compress(out, s)
	if cap(w.lzfOut) > maxKeepScratch {
		w.lzfOut = nil
	}
	if k == 0 {
		return false
	}
	w.buf = append(w.buf, lenEnc<<6|encLZF)
	w.putLen(uint64(k))
	w.putLen(uint64(len(s)))
	w.putBytes(out[:k])
	return true
}

func (w *Writer) keyHeader(t Type, key []byte, expireMs int64) {
	if expireMs != NoExpire {
		w.buf = append(w.buf, opExpireMs)
		w.buf = binary.LittleEndian.AppendUint64(w.buf, uint64(expireMs))
	}
	w.buf = append(w.buf, byte(t))
	w.putString(key)
}

// Aux writes an auxiliary field (AUX opcode).
func (w *Writer) Aux(key, value []byte) error {
	if w.err != nil {
		return w.err
	}
	w.buf = append(w.buf, opAux)
	w.putString(key)
	w.putString(value)
	w.maybeFlush()
	return w.err
}

// AuxInt writes an auxiliary field with an integer value.
func (w *Writer) AuxInt(key string, v int64) error {
	var tmp [20]byte
	return w.Aux([]byte(key), strconv.AppendInt(tmp[:0], v, 10))
}

// StandardAux writes the auxiliary fields Redis 7.0 puts at the start of a
// file: redis-ver, redis-bits (64), ctime (Unix seconds), used-mem and
// aof-base (0).
func (w *Writer) StandardAux(redisVer string, ctime, usedMem int64) error {
	w.Aux([]byte("redis-ver"), []byte(redisVer))
	w.AuxInt("redis-bits", 64)
	w.AuxInt("ctime", ctime)
	w.AuxInt("used-mem", usedMem)
	return w.AuxInt("aof-base", 0)
}

// Function writes a function library (the FUNCTION LOAD source code).
// Redis writes libraries after the aux fields, before the databases.
func (w *Writer) Function(code []byte) error {
	if w.err != nil {
		return w.err
	}
	w.buf = append(w.buf, opFunction2)
	w.putString(code)
	w.maybeFlush()
	return w.err
}

// SelectDB starts database db; the keys written next belong to it.
func (w *Writer) SelectDB(db int) error {
	if w.err != nil {
		return w.err
	}
	if db < 0 {
		w.err = errors.New("rdb: negative database number")
		return w.err
	}
	w.buf = append(w.buf, opSelectDB)
	w.putLen(uint64(db))
	return w.err
}

// ResizeDB writes the sizing hint Redis emits after SELECTDB: the number of
// keys in the database and how many of them have an expiry.
func (w *Writer) ResizeDB(dbSize, expiresSize uint64) error {
	if w.err != nil {
		return w.err
	}
	w.buf = append(w.buf, opResizeDB)
	w.putLen(dbSize)
	w.putLen(expiresSize)
	return w.err
}

// Idle writes an LRU idle time (seconds) for the key written next.
func (w *Writer) Idle(seconds uint64) error {
	if w.err != nil {
		return w.err
	}
	w.buf = append(w.buf, opIdle)
	w.putLen(seconds)
	return w.err
}

// Freq writes an LFU frequency counter for the key written next.
func (w *Writer) Freq(f uint8) error {
	if w.err != nil {
		return w.err
	}
	w.buf = append(w.buf, opFreq, f)
	return w.err
}

// WriteString writes a string key. expireMs is the absolute expiry in Unix
// milliseconds, or NoExpire.
func (w *Writer) WriteString(key, val []byte, expireMs int64) error {
	if w.err != nil {
		return w.err
	}
	w.keyHeader(TypeString, key, expireMs)
	w.putString(val)
	if len(w.buf) >= writeBufSize {
		w.flush()
	}
	return w.err
}

// WriteList writes a list key as a QUICKLIST_2 of listpack nodes sized by
// Limits.ListMaxListpackSize (elements of 1 GB or more get PLAIN nodes, as
// in Redis). The node count precedes the nodes in the file, so elems is
// iterated twice: once to plan the nodes, once to encode them; it must
// yield the same elements both times. Only one node is held in memory. An
// empty list writes nothing.
func (w *Writer) WriteList(key []byte, expireMs int64, elems iter.Seq[[]byte]) error {
	if w.err != nil {
		return w.err
	}
	st := &w.st
	*st = seqState{size: lpHeaderSize + 1}
	st.maxBytes, st.maxCount = listNodeLimits(w.Limits.ListMaxListpackSize)
	w.counts = w.counts[:0]
	elems(w.yields.listPlan)
	if st.cur > 0 {
		w.counts = append(w.counts, int32(st.cur))
	}
	if st.total == 0 {
		return nil
	}
	w.keyHeader(TypeListQuicklist2, key, expireMs)
	w.putLen(uint64(len(w.counts)))
	w.lp.Reset()
	st.stop = false
	elems(w.yields.listWrite)
	if cap(w.lp.buf) > maxKeepScratch {
		w.lp.buf = nil
	}
	if w.err == nil && (st.ni != len(w.counts) || st.in != 0) {
		w.err = errors.New("rdb: WriteList: the list changed between its two iterations")
	}
	w.maybeFlush()
	return w.err
}

// seqState is the loop state of the collection writers. The loop bodies
// are methods bound once in NewWriter (w.yields), so passing them to an
// iterator allocates nothing.
type seqState struct {
	n, cnt                   int
	cur, size, total, ni, in int
	maxBytes, maxCount       int
	stop, nan                bool
}

// yieldFuncs are the loop bodies handed to the caller's iterators.
type yieldFuncs struct {
	listPlan, listWrite, setInts, setWrite func([]byte) bool
	hashSmall, hashWrite                   func([]byte, []byte) bool
	zsetSmall, zsetWrite                   func([]byte, float64) bool
}

func (w *Writer) bindYields() {
	w.yields = yieldFuncs{
		listPlan: w.yListPlan, listWrite: w.yListWrite,
		setInts: w.ySetInts, setWrite: w.ySetWrite,
		hashSmall: w.yHashSmall, hashWrite: w.yHashWrite,
		zsetSmall: w.yZSetSmall, zsetWrite: w.yZSetWrite,
	}
}

// halt records that iteration must stop (an iterator that keeps calling
// yield after false is ignored).
func (w *Writer) halt() bool {
	w.st.stop = true
	return false
}

func (w *Writer) yListPlan(v []byte) bool {
	st := &w.st
	if st.stop {
		return false
	}
	st.total++
	if len(v) >= packedThreshold {
		if st.cur > 0 {
			w.counts = append(w.counts, int32(st.cur))
			st.cur, st.size = 0, lpHeaderSize+1
		}
		w.counts = append(w.counts, -1)
		return true
	}
	es := lpEntrySize(v)
	if st.cur > 0 && (st.size+es > st.maxBytes || st.cur >= st.maxCount) {
		w.counts = append(w.counts, int32(st.cur))
		st.cur, st.size = 0, lpHeaderSize+1
	}
	st.cur++
	st.size += es
	return true
}

func (w *Writer) yListWrite(v []byte) bool {
	st := &w.st
	if st.stop {
		return false
	}
	if st.ni >= len(w.counts) || w.err != nil {
		st.ni = -1
		return w.halt()
	}
	if w.counts[st.ni] < 0 {
		w.putLen(containerPlain)
		w.putString(v)
		st.ni++
		w.maybeFlush()
		return true
	}
	w.lp.Append(v)
	if st.in++; st.in == int(w.counts[st.ni]) {
		w.putLen(containerPacked)
		w.putString(w.lp.Bytes())
		w.lp.Reset()
		st.in = 0
		st.ni++
		w.maybeFlush()
	}
	return true
}

// WriteSet writes a set key of n members: an INTSET when every member is a
// canonical integer and n <= Limits.SetMaxIntsetEntries, else a SET.
// members must yield exactly n distinct members; it is iterated twice when
// a small set turns out not to be all integers. n == 0 writes nothing.
func (w *Writer) WriteSet(key []byte, expireMs int64, n int, members iter.Seq[[]byte]) error {
	if w.err != nil || n <= 0 {
		return w.err
	}
	st := &w.st
	*st = seqState{n: n}
	if n <= w.Limits.SetMaxIntsetEntries {
		w.ints = w.ints[:0]
		members(w.yields.setInts)
		if !st.stop {
			if len(w.ints) != n {
				return errors.New("rdb: WriteSet: members yielded a different count than n")
			}
			w.keyHeader(TypeSetIntset, key, expireMs)
			w.putString(w.intset(w.ints))
			w.maybeFlush()
			return w.err
		}
		st.stop = false
	}
	w.keyHeader(TypeSet, key, expireMs)
	w.putLen(uint64(n))
	members(w.yields.setWrite)
	if w.err == nil && st.cnt != n {
		w.err = errors.New("rdb: WriteSet: members yielded a different count than n")
	}
	return w.err
}

func (w *Writer) ySetInts(m []byte) bool {
	if w.st.stop {
		return false
	}
	v, ok := parseInt(m)
	if !ok || len(w.ints) == w.st.n {
		return w.halt()
	}
	w.ints = append(w.ints, v)
	return true
}

func (w *Writer) ySetWrite(m []byte) bool {
	st := &w.st
	if st.stop {
		return false
	}
	if st.cnt++; st.cnt > st.n || w.err != nil {
		return w.halt()
	}
	w.putString(m)
	w.maybeFlush()
	return true
}

// intset encodes sorted, deduplicated ints as an intset blob.
func (w *Writer) intset(ints []int64) []byte {
	slices.Sort(ints)
	ints = slices.Compact(ints)
	width := 2
	for _, v := range [2]int64{ints[0], ints[len(ints)-1]} {
		switch {
		case v < math.MinInt32 || v > math.MaxInt32:
			width = 8
		case (v < math.MinInt16 || v > math.MaxInt16) && width < 4:
			width = 4
		}
	}
	b := binary.LittleEndian.AppendUint32(w.scratch[:0], uint32(width))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(ints)))
	for _, v := range ints {
		switch width {
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case 4:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		default:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	w.scratch = b
	return b
}

// WriteHash writes a hash key of n pairs: a HASH_LISTPACK when n <=
// Limits.HashMaxListpackEntries and no field or value is longer than
// Limits.HashMaxListpackValue, else a HASH. pairs must yield exactly n
// distinct fields; it is iterated twice when a small hash turns out to hold
// a long field or value. n == 0 writes nothing.
func (w *Writer) WriteHash(key []byte, expireMs int64, n int, pairs iter.Seq2[[]byte, []byte]) error {
	if w.err != nil || n <= 0 {
		return w.err
	}
	st := &w.st
	*st = seqState{n: n}
	if n <= w.Limits.HashMaxListpackEntries {
		st.maxBytes = w.Limits.HashMaxListpackValue
		w.lp.Reset()
		pairs(w.yields.hashSmall)
		if !st.stop {
			if st.cnt != n {
				return errors.New("rdb: WriteHash: pairs yielded a different count than n")
			}
			w.keyHeader(TypeHashListpack, key, expireMs)
			w.putString(w.lp.Bytes())
			w.maybeFlush()
			return w.err
		}
		st.cnt, st.stop = 0, false
	}
	w.keyHeader(TypeHash, key, expireMs)
	w.putLen(uint64(n))
	pairs(w.yields.hashWrite)
	if w.err == nil && st.cnt != n {
		w.err = errors.New("rdb: WriteHash: pairs yielded a different count than n")
	}
	return w.err
}

func (w *Writer) yHashSmall(f, v []byte) bool {
	st := &w.st
	if st.stop {
		return false
	}
	if len(f) > st.maxBytes || len(v) > st.maxBytes || st.cnt == st.n {
		return w.halt()
	}
	st.cnt++
	w.lp.Append(f)
	w.lp.Append(v)
	return true
}

func (w *Writer) yHashWrite(f, v []byte) bool {
	st := &w.st
	if st.stop {
		return false
	}
	if st.cnt++; st.cnt > st.n || w.err != nil {
		return w.halt()
	}
	w.putString(f)
	w.putString(v)
	w.maybeFlush()
	return true
}

// zitemsSorter sorts buffered zset members by (score, member).
type zitemsSorter struct {
	items []zitem
	arena []byte
}

func (z *zitemsSorter) Len() int      { return len(z.items) }
func (z *zitemsSorter) Swap(i, j int) { z.items[i], z.items[j] = z.items[j], z.items[i] }
func (z *zitemsSorter) Less(i, j int) bool {
	a, b := z.items[i], z.items[j]
	if a.score != b.score {
		return a.score < b.score
	}
	return bytes.Compare(z.arena[a.off:a.off+a.n], z.arena[b.off:b.off+b.n]) < 0
}

// WriteZSet writes a sorted-set key of n members: a ZSET_LISTPACK (sorted
// by score, then member, as Redis requires) when n <=
// Limits.ZSetMaxListpackEntries and no member is longer than
// Limits.ZSetMaxListpackValue, else a ZSET_2 with binary scores in the
// order yielded. members must yield exactly n distinct members and no NaN
// score; it is iterated twice when a small zset turns out to hold a long
// member. n == 0 writes nothing.
func (w *Writer) WriteZSet(key []byte, expireMs int64, n int, members iter.Seq2[[]byte, float64]) error {
	if w.err != nil || n <= 0 {
		return w.err
	}
	st := &w.st
	*st = seqState{n: n}
	if n <= w.Limits.ZSetMaxListpackEntries {
		st.maxBytes = w.Limits.ZSetMaxListpackValue
		z := &w.zsort
		z.items, z.arena = z.items[:0], z.arena[:0]
		members(w.yields.zsetSmall)
		if st.nan {
			return errNaN
		}
		if !st.stop {
			if len(z.items) != n {
				return errors.New("rdb: WriteZSet: members yielded a different count than n")
			}
			if !sort.IsSorted(z) {
				sort.Sort(z)
			}
			w.lp.Reset()
			for _, it := range z.items {
				w.lp.Append(z.arena[it.off : it.off+it.n])
				w.lp.AppendFloat(it.score)
			}
			w.keyHeader(TypeZSetListpack, key, expireMs)
			w.putString(w.lp.Bytes())
			w.maybeFlush()
			return w.err
		}
		st.stop = false
	}
	w.keyHeader(TypeZSet2, key, expireMs)
	w.putLen(uint64(n))
	members(w.yields.zsetWrite)
	if w.err == nil && st.cnt != n {
		w.err = errors.New("rdb: WriteZSet: members yielded a different count than n")
	}
	return w.err
}

func (w *Writer) yZSetSmall(m []byte, sc float64) bool {
	st := &w.st
	if st.stop {
		return false
	}
	z := &w.zsort
	if len(m) > st.maxBytes || len(z.items) == st.n {
		return w.halt()
	}
	if sc != sc {
		st.nan = true
		return w.halt()
	}
	z.items = append(z.items, zitem{off: len(z.arena), n: len(m), score: sc})
	z.arena = append(z.arena, m...)
	return true
}

func (w *Writer) yZSetWrite(m []byte, sc float64) bool {
	st := &w.st
	if st.stop {
		return false
	}
	if st.cnt++; st.cnt > st.n || w.err != nil {
		return w.halt()
	}
	if sc != sc {
		w.err = errNaN
		return w.halt()
	}
	w.putString(m)
	w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(sc))
	w.maybeFlush()
	return true
}

// Close writes the EOF opcode and the checksum trailer and flushes. It does
// not close the underlying io.Writer. Later calls return an error.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	w.buf = append(w.buf, opEOF)
	w.crc = CRC64(w.crc, w.buf)
	sum := w.crc
	if !w.Checksum {
		sum = 0
	}
	w.buf = binary.LittleEndian.AppendUint64(w.buf, sum)
	n, err := w.w.Write(w.buf)
	w.written += int64(n)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = err
		return err
	}
	w.err = errClosed
	return nil
}
