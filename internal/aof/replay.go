package aof

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"time"
)

// Replay limits.
const (
	// DefaultMaxBulkLen is the default of ReplayOptions.MaxBulkLen, Redis'
	// proto-max-bulk-len.
	DefaultMaxBulkLen = 512 << 20
	// DefaultMaxBlockBuffer is the default of ReplayOptions.MaxBlockBuffer.
	DefaultMaxBlockBuffer = 16 << 20
	// maxArgs is the largest argument count accepted in a record.
	maxArgs = 1<<31 - 1
	// maxAnnotation is the longest annotation line ("#...\r\n") accepted.
	maxAnnotation = 1024
	// maxDigits is the most digits accepted in a length.
	maxDigits = 18
	// replayBuf is the read buffer size of Replay.
	replayBuf = 256 << 10
	// Default progress intervals.
	defaultProgressRecords = 1 << 20
	defaultProgressBytes   = 64 << 20
)

// ReplayOptions configures Replay. The zero value is usable.
type ReplayOptions struct {
	// FS is the file system; nil means OSFS.
	FS FS
	// Logger receives the truncation and repair messages; nil means
	// slog.Default().
	Logger *slog.Logger
	// Repair truncates the file at the first corrupt record instead of
	// failing with ErrCorrupt. Everything from that offset on is dropped
	// (and logged), including valid records after the corruption.
	Repair bool
	// DryRun reports what Replay would truncate without modifying the file.
	DryRun bool
	// MaxBulkLen is the longest argument accepted (DefaultMaxBulkLen if
	// <= 0); a longer one is corruption.
	MaxBulkLen int64
	// Progress, if set, is called every ProgressRecords records or
	// ProgressBytes bytes, whichever comes first, and once at the end.
	Progress func(ReplayProgress)
	// ProgressRecords is the record interval of Progress (default 1Mi).
	ProgressRecords int64
	// ProgressBytes is the byte interval of Progress (default 64 MiB).
	ProgressBytes int64
	// MaxBlockBuffer bounds the memory holding the records of a MULTI ...
	// EXEC block until its EXEC is read (DefaultMaxBlockBuffer if <= 0).
	// A larger block is first checked to end with EXEC by reading ahead,
	// then replayed while read: either way it is applied all or nothing.
	MaxBlockBuffer int64
}

// ReplayProgress is passed to ReplayOptions.Progress.
type ReplayProgress struct {
	Records int64         // records replayed so far
	Bytes   int64         // bytes read so far
	Size    int64         // size of the file
	Elapsed time.Duration // since Replay started
}

// ReplayResult describes a replayed log.
type ReplayResult struct {
	// Path is the replayed file.
	Path string
	// Records is the number of records passed to the callback.
	Records int64
	// Bytes is the length of the valid prefix of the file, where appending
	// resumes (see Options.Replayed).
	Bytes int64
	// TruncatedBytes is the number of bytes after the valid prefix: a torn
	// final record, or with Repair everything from the corruption on. They
	// have been removed from the file unless DryRun was set.
	TruncatedBytes int64
	// Repaired reports that corruption was cut off because of Repair.
	Repaired bool
	// Blocks is the number of MULTI ... EXEC blocks replayed (their
	// records are counted in Records).
	Blocks int64
	// IncompleteBlock reports that the truncated bytes start with a MULTI
	// whose EXEC is missing (a torn tail inside a block, or with Repair a
	// block holding the corruption): the block was not applied.
	IncompleteBlock bool
	// DroppedRecords is the number of complete records of that block,
	// dropped with it.
	DroppedRecords int64
	// Elapsed is the duration of the replay.
	Elapsed time.Duration
}

// Replay reads the log at path and calls fn with the arguments of every
// record, in order. The slice and the arguments alias Replay's buffers and
// are valid only during the call; fn may be nil to only validate the file.
// An error from fn stops the replay and is returned wrapped with the file and
// the record's offset.
//
// A zero-length file is an empty log. A missing file is an error for which
// errors.Is(err, fs.ErrNotExist) holds.
//
// A torn final record (the file ends inside a record, possibly followed by
// zero bytes only) is normal after a crash: it is truncated off the file with
// a log line and reported in TruncatedBytes. Anything else that is not a
// valid record fails with a *CorruptError (wrapping ErrCorrupt) naming the
// file and the offset of the bad record, unless opts.Repair is set, in which
// case the file is truncated there with a log line. A record that claims to
// extend past the end of the file is only taken for a torn tail if no valid
// record can be found after its start; otherwise it is corruption too.
//
// Records are RESP arrays of bulk strings with canonical lengths, exactly as
// Redis writes its append-only file; annotation lines starting with '#' (such
// as Redis' "#TS:" timestamps) are skipped. Inline commands and empty arrays
// are corruption.
//
// A MULTI ... EXEC block (the records of one transaction or of one command
// with several effects) is applied all or nothing: its records are passed
// to fn, without the MULTI and EXEC records, only once its EXEC has been
// read. A file ending inside a block (at a record boundary or inside a
// torn record) is a torn tail that starts at the MULTI: it is truncated
// there with a log line, and reported in IncompleteBlock. A MULTI inside
// a block, or an EXEC outside one, is corruption; so is damage inside a
// block, whose valid prefix then ends at its MULTI (where Repair cuts).
func Replay(path string, fn func(args [][]byte) error, opts ReplayOptions) (ReplayResult, error) {
	start := time.Now()
	res := ReplayResult{Path: path}
	fsys := orOS(opts.FS)
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	f, err := fsys.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return res, fmt.Errorf("aof: replay: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return res, fmt.Errorf("aof: replay: stat %s: %w", path, err)
	}
	size := st.Size()
	v, err := scan(f, size, path, fn, &opts, start, &res)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("aof: replay: close %s: %w", path, cerr)
	}
	res.Elapsed = time.Since(start)
	if err != nil {
		return res, err
	}
	if v.kind == endClean {
		return res, nil
	}
	res.TruncatedBytes = size - res.Bytes
	res.IncompleteBlock, res.DroppedRecords = v.block, v.dropped
	if v.kind == endCorrupt {
		cerr := &CorruptError{Path: path, Offset: res.Bytes, Bad: v.bad, Size: size, Reason: v.reason}
		if !opts.Repair {
			return res, cerr
		}
		res.Repaired = true
		logger.Warn("aof: repairing corrupt log: truncating at the first bad record (or at the MULTI of the block holding it), dropping everything after it",
			"path", path, "offset", res.Bytes, "bad_byte", v.bad, "reason", v.reason,
			"dropped_bytes", res.TruncatedBytes, "dropped_block_records", res.DroppedRecords,
			"records_kept", res.Records, "dry_run", opts.DryRun)
	} else if v.block {
		logger.Warn("aof: truncating an incomplete MULTI/EXEC block at the end of the log (normal after a crash): the transaction is not applied",
			"path", path, "offset", res.Bytes, "dropped_bytes", res.TruncatedBytes,
			"dropped_records", res.DroppedRecords, "records_kept", res.Records, "dry_run", opts.DryRun)
	} else {
		logger.Warn("aof: truncating torn final record (normal after a crash)",
			"path", path, "offset", res.Bytes, "dropped_bytes", res.TruncatedBytes,
			"records_kept", res.Records, "dry_run", opts.DryRun)
	}
	if !opts.DryRun {
		if err := truncateFile(fsys, path, res.Bytes); err != nil {
			return res, err
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// truncateFile durably cuts the file at path to size bytes.
func truncateFile(fsys FS, path string, size int64) error {
	f, err := fsys.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("aof: truncate %s: %w", path, err)
	}
	err = f.Truncate(size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("aof: truncate %s to %d bytes: %w", path, size, err)
	}
	return nil
}

// How a scan ended.
const (
	endClean   = iota // the file ends after a complete record
	endTorn           // the file ends inside a record or a block: truncate
	endCorrupt        // invalid content
)

// verdict is the outcome of scan.
type verdict struct {
	kind   int
	bad    int64 // first invalid byte, for endCorrupt
	reason string
	// block: the valid prefix ends before a MULTI whose EXEC is missing;
	// dropped counts the block's complete records.
	block   bool
	dropped int64
}

// record parsing results of scanner.next.
const (
	recOK   = iota // a complete record (or annotation) was read
	recEOF         // clean end of file at a record boundary
	recTorn        // the file ends inside a valid prefix of a record
	recBad         // invalid byte at scanner.bad
)

// Block markers: what scanner.next found in a one-argument record.
const (
	markNone  = iota
	markMulti // MULTI: a block starts
	markExec  // EXEC: the block ends
)

// span locates one argument in scanner.arena.
type span struct{ start, end int }

// scanner reads records strictly from a buffered reader.
type scanner struct {
	br      *bufio.Reader
	size    int64
	off     int64 // file offset of the next byte of br
	maxBulk int64
	want    bool // collect arguments
	keep    bool // accumulate the arguments of records (block buffering)
	annot   bool // the last recOK was an annotation
	marker  int  // the last recOK was a block marker

	bad    int64
	reason string

	arena []byte
	spans []span
	args  [][]byte
	// recs holds, while keep is set, the index in spans of the first
	// argument of each buffered record, then the end of the last one.
	recs []int
}

// block is the MULTI ... EXEC block being read.
type block struct {
	open     bool
	start    int64 // offset of its MULTI
	records  int64 // complete records read so far
	stream   bool  // its EXEC was found ahead: records are applied as read
	buffered int   // records buffered (keep)
}

// scan replays the records of ra (size bytes), filling res.Records and
// res.Bytes, and tells how the file ends. Errors are I/O errors or errors
// returned by fn.
//
// The records of a MULTI ... EXEC block are buffered until its EXEC is
// read, then passed to fn (without the markers); res.Bytes only moves past
// a complete block. A block larger than MaxBlockBuffer is checked by
// reading ahead (lookahead) and then passed to fn as it is read.
func scan(ra io.ReaderAt, size int64, path string, fn func([][]byte) error, opts *ReplayOptions, start time.Time, res *ReplayResult) (verdict, error) {
	s := scanner{
		br:      bufio.NewReaderSize(io.NewSectionReader(ra, 0, size), int(min(max(size, 64), replayBuf))),
		size:    size,
		maxBulk: opts.MaxBulkLen,
		want:    fn != nil,
	}
	if s.maxBulk <= 0 {
		s.maxBulk = DefaultMaxBulkLen
	}
	maxBlock := opts.MaxBlockBuffer
	if maxBlock <= 0 {
		maxBlock = DefaultMaxBlockBuffer
	}
	everyRec, everyBytes := opts.ProgressRecords, opts.ProgressBytes
	if everyRec <= 0 {
		everyRec = defaultProgressRecords
	}
	if everyBytes <= 0 {
		everyBytes = defaultProgressBytes
	}
	nextRec, nextBytes := everyRec, everyBytes
	progress := func() {
		opts.Progress(ReplayProgress{Records: res.Records, Bytes: res.Bytes, Size: size, Elapsed: time.Since(start)})
	}
	apply := func(args [][]byte, at int64) error {
		if fn != nil {
			if err := fn(args); err != nil {
				return fmt.Errorf("aof: replay %s: record at offset %d: %w", path, at, err)
			}
		}
		res.Records++
		return nil
	}
	// flush applies the buffered records of the block.
	var recOffs []int64 // offsets of the buffered records, for errors
	flush := func(blk *block) error {
		for k := range blk.buffered {
			if s.want {
				s.args = s.args[:0]
				for _, sp := range s.spans[s.recs[k]:s.recs[k+1]] {
					s.args = append(s.args, s.arena[sp.start:sp.end:sp.end])
				}
			}
			if err := apply(s.args, recOffs[k]); err != nil {
				return err
			}
		}
		blk.buffered = 0
		recOffs = recOffs[:0]
		s.keep = false
		return nil
	}
	var blk block
	for {
		recStart := s.off
		kind, err := s.next()
		if err != nil {
			return verdict{}, fmt.Errorf("aof: replay: read %s at offset %d: %w", path, recStart, err)
		}
		if kind != recOK {
			if blk.stream {
				return verdict{}, fmt.Errorf("aof: replay: %s changed while being read (the MULTI block at offset %d ended with EXEC when read ahead)", path, blk.start)
			}
			v, err := s.classify(ra, kind, recStart)
			if err != nil {
				return verdict{}, fmt.Errorf("aof: replay: read %s: %w", path, err)
			}
			if v.kind == endClean && opts.Progress != nil {
				progress()
			}
			if blk.open {
				if v.kind == endClean {
					v.kind = endTorn // the file ends inside the block
				}
				v.block, v.dropped = true, blk.records
			}
			return v, nil
		}
		switch {
		case s.annot:
			if blk.open {
				continue
			}
		case s.marker == markMulti:
			if blk.open {
				return verdict{kind: endCorrupt, bad: recStart, block: true, dropped: blk.records,
					reason: fmt.Sprintf("MULTI inside the MULTI block that starts at offset %d (its EXEC is missing)", blk.start)}, nil
			}
			blk = block{open: true, start: recStart}
			if s.want {
				s.keep = true
				s.recs = append(s.recs[:0], len(s.spans))
			}
			continue // the valid prefix does not move until EXEC
		case s.marker == markExec:
			if !blk.open {
				return verdict{kind: endCorrupt, bad: recStart, reason: "EXEC without MULTI"}, nil
			}
			if err := flush(&blk); err != nil {
				return verdict{}, err
			}
			if !s.want {
				res.Records += blk.records // validation only: nothing applied
			}
			blk.open, blk.stream = false, false
			res.Blocks++
		case blk.open:
			blk.records++
			switch {
			case blk.stream:
				if err := apply(s.args, recStart); err != nil {
					return verdict{}, err
				}
			case s.want:
				blk.buffered++
				recOffs = append(recOffs, recStart)
				s.recs = append(s.recs, len(s.spans))
				if int64(len(s.arena)) > maxBlock {
					v, found, err := s.lookahead(ra, blk.start)
					if err != nil {
						return verdict{}, fmt.Errorf("aof: replay: read %s: %w", path, err)
					}
					if !found {
						v.dropped += blk.records
						return v, nil
					}
					if err := flush(&blk); err != nil {
						return verdict{}, err
					}
					blk.stream = true
				}
			}
			continue
		default:
			if err := apply(s.args, recStart); err != nil {
				return verdict{}, err
			}
		}
		res.Bytes = s.off
		if opts.Progress != nil && (res.Records >= nextRec || res.Bytes >= nextBytes) {
			progress()
			nextRec = res.Records + everyRec
			nextBytes = res.Bytes + everyBytes
		}
	}
}

// classify tells how a file ends when next returned kind (recEOF, recTorn
// or recBad) for the record starting at recStart.
func (s *scanner) classify(ra io.ReaderAt, kind int, recStart int64) (verdict, error) {
	switch kind {
	case recTorn:
		found, err := validRecordAfter(ra, recStart+1, s.size, s.maxBulk)
		if err != nil {
			return verdict{}, err
		}
		if found {
			return verdict{kind: endCorrupt, bad: recStart, reason: "record extends past the end of the file but valid records follow"}, nil
		}
		return verdict{kind: endTorn}, nil
	case recBad:
		zeros, err := allZero(ra, s.bad, s.size)
		if err != nil {
			return verdict{}, err
		}
		if zeros {
			found, err := validRecordAfter(ra, recStart+1, s.size, s.maxBulk)
			if err != nil {
				return verdict{}, err
			}
			if !found {
				return verdict{kind: endTorn}, nil
			}
		}
		return verdict{kind: endCorrupt, bad: s.bad, reason: s.reason}, nil
	}
	return verdict{kind: endClean}, nil
}

// lookaheadBuf is the read buffer size of lookahead.
const lookaheadBuf = 64 << 10

// lookahead reads on from s's position, without collecting arguments, to
// the EXEC closing the block that starts at blockStart. found reports that
// it is there; otherwise v tells how the file ends (v.dropped counting the
// complete records read ahead).
func (s *scanner) lookahead(ra io.ReaderAt, blockStart int64) (v verdict, found bool, err error) {
	la := scanner{
		br:      bufio.NewReaderSize(io.NewSectionReader(ra, s.off, s.size-s.off), lookaheadBuf),
		size:    s.size,
		off:     s.off,
		maxBulk: s.maxBulk,
	}
	var n int64
	for {
		recStart := la.off
		kind, err := la.next()
		if err != nil {
			return verdict{}, false, err
		}
		if kind != recOK {
			v, err := la.classify(ra, kind, recStart)
			if v.kind == endClean {
				v.kind = endTorn
			}
			v.block, v.dropped = true, n
			return v, false, err
		}
		switch {
		case la.annot:
		case la.marker == markExec:
			return verdict{}, true, nil
		case la.marker == markMulti:
			return verdict{kind: endCorrupt, bad: recStart, block: true, dropped: n,
				reason: fmt.Sprintf("MULTI inside the MULTI block that starts at offset %d (its EXEC is missing)", blockStart)}, false, nil
		default:
			n++
		}
	}
}

// setBad records an invalid byte.
func (s *scanner) setBad(at int64, reason string) int {
	s.bad, s.reason = at, reason
	return recBad
}

// next reads one record or annotation line.
func (s *scanner) next() (int, error) {
	s.annot = false
	s.marker = markNone
	start := s.off
	if start >= s.size {
		return recEOF, nil
	}
	c, err := s.br.Peek(1)
	if err != nil {
		return 0, unexpected(err)
	}
	switch c[0] {
	case '*':
	case '#':
		return s.annotation()
	default:
		return s.setBad(start, fmt.Sprintf("expected '*' at the start of a record, got %q", c[0])), nil
	}
	n, kind, err := s.header('*')
	if kind != recOK || err != nil {
		return kind, err
	}
	// Every argument takes at least 6 bytes ("$0\r\n\r\n").
	if n > (s.size-s.off)/6 {
		return recTorn, nil
	}
	if !s.keep {
		s.arena = s.arena[:0]
		s.spans = s.spans[:0]
	}
	first := len(s.spans)
	marker := markNone
	for range n {
		l, kind, err := s.header('$')
		if kind != recOK || err != nil {
			return kind, err
		}
		if l > s.maxBulk {
			return s.setBad(s.off-1, fmt.Sprintf("argument of %d bytes exceeds the limit of %d", l, s.maxBulk)), nil
		}
		if l+2 > s.size-s.off {
			return recTorn, nil
		}
		if n == 1 && (l == 4 || l == 5) {
			if b, err := s.br.Peek(int(l)); err == nil {
				marker = markerOf(b)
			}
		}
		if s.want {
			a := len(s.arena)
			s.arena = grow(s.arena, int(l))
			if _, err := io.ReadFull(s.br, s.arena[a:]); err != nil {
				return 0, unexpected(err)
			}
			s.spans = append(s.spans, span{a, len(s.arena)})
		} else if _, err := s.br.Discard(int(l)); err != nil {
			return 0, unexpected(err)
		}
		s.off += l
		cr, err := s.br.Peek(2)
		if err != nil {
			return 0, unexpected(err)
		}
		if cr[0] != '\r' {
			return s.setBad(s.off, fmt.Sprintf("expected CRLF after an argument, got %q", cr[0])), nil
		}
		if cr[1] != '\n' {
			return s.setBad(s.off+1, fmt.Sprintf("expected CRLF after an argument, got %q", cr[1])), nil
		}
		_, _ = s.br.Discard(2)
		s.off += 2
	}
	s.marker = marker
	if marker != markNone && s.keep {
		// Markers are not part of the block's records.
		s.arena = s.arena[:s.spans[first].start]
		s.spans = s.spans[:first]
	}
	if s.want && !s.keep {
		s.args = s.args[:0]
		for _, sp := range s.spans {
			s.args = append(s.args, s.arena[sp.start:sp.end:sp.end])
		}
	}
	return recOK, nil
}

// markerOf tells whether b, the only argument of a record, makes it a
// block marker: MULTI or EXEC, in any case.
func markerOf(b []byte) int {
	switch {
	case len(b) == 5 && asciiEqualFold(b, "multi"):
		return markMulti
	case len(b) == 4 && asciiEqualFold(b, "exec"):
		return markExec
	}
	return markNone
}

// asciiEqualFold compares b with the lower-case ASCII word w, ignoring
// case.
func asciiEqualFold(b []byte, w string) bool {
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// grow extends b by n bytes, reallocating with headroom if needed.
func grow(b []byte, n int) []byte {
	if need := len(b) + n; need > cap(b) {
		nb := make([]byte, len(b), max(need, 2*cap(b), 4096))
		copy(nb, b)
		b = nb
	}
	return b[:len(b)+n]
}

// unexpected converts an early EOF on a file whose size was checked into
// an error: the file shrank while being read.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// header reads a "*N\r\n" or "$N\r\n" line and returns N.
func (s *scanner) header(typ byte) (int64, int, error) {
	start := s.off
	line, err := s.br.ReadSlice('\n')
	s.off += int64(len(line))
	switch {
	case err == nil:
	case err == io.EOF, err == bufio.ErrBufferFull:
	default:
		return 0, 0, err
	}
	n, bad, complete := parseHeader(line, typ)
	if bad >= 0 {
		reason := "bad array header"
		if typ == '$' {
			reason = "bad bulk header"
		}
		if bad < len(line) {
			reason += fmt.Sprintf(" (unexpected %q)", line[bad])
		}
		return 0, s.setBad(start+int64(bad), reason), nil
	}
	if !complete {
		// A valid prefix: the file ends here (an overlong line always has
		// an invalid byte).
		return 0, recTorn, nil
	}
	return n, recOK, nil
}

// parseHeader checks b, which holds a header line or the start of one, for
// typ followed by a canonical length (positive for arrays, non-negative for
// bulks) and CRLF. It returns the length, the index of the first invalid
// byte (or -1) and whether the line is complete.
func parseHeader(b []byte, typ byte) (n int64, bad int, complete bool) {
	if len(b) == 0 {
		return 0, -1, false
	}
	if b[0] != typ {
		return 0, 0, false
	}
	i := 1
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			break
		}
		if i == 2 && b[1] == '0' {
			return 0, i, false // leading zero
		}
		if i > maxDigits {
			return 0, i, false
		}
		if i == 1 && c == '0' && typ == '*' {
			return 0, i, false // empty array
		}
		n = n*10 + int64(c-'0')
	}
	if i == len(b) {
		return 0, -1, false
	}
	if i == 1 || b[i] != '\r' {
		return 0, i, false
	}
	i++
	if i == len(b) {
		return 0, -1, false
	}
	if b[i] != '\n' {
		return 0, i, false
	}
	if i+1 != len(b) {
		return 0, i + 1, false // cannot happen with ReadSlice
	}
	return n, -1, true
}

// annotation reads a "#...\r\n" line of printable ASCII.
func (s *scanner) annotation() (int, error) {
	start := s.off
	line, err := s.br.ReadSlice('\n')
	s.off += int64(len(line))
	switch {
	case err == nil:
	case err == io.EOF, err == bufio.ErrBufferFull:
	default:
		return 0, err
	}
	for i := 1; i < len(line); i++ {
		c := line[i]
		if i >= maxAnnotation {
			return s.setBad(start+int64(i), "annotation line too long"), nil
		}
		if c == '\r' {
			if i+1 == len(line) {
				return recTorn, nil
			}
			if line[i+1] != '\n' || i+2 != len(line) {
				return s.setBad(start+int64(i+1), "expected LF after CR in an annotation"), nil
			}
			s.annot = true
			return recOK, nil
		}
		if c < 0x20 || c > 0x7e {
			return s.setBad(start+int64(i), fmt.Sprintf("unexpected %q in an annotation", c)), nil
		}
	}
	return recTorn, nil
}

// allZero reports whether ra holds only zero bytes in [from, size).
func allZero(ra io.ReaderAt, from, size int64) (bool, error) {
	buf := make([]byte, min(32<<10, max(size-from, 0)))
	for from < size {
		n := int(min(int64(len(buf)), size-from))
		if _, err := ra.ReadAt(buf[:n], from); err != nil {
			return false, unexpected(err)
		}
		for _, c := range buf[:n] {
			if c != 0 {
				return false, nil
			}
		}
		from += int64(n)
	}
	return true, nil
}

// validRecordAfter reports whether a complete, valid record starts at some
// '*' preceded by '\n' in [from, size). It tells a torn tail (nothing valid
// after it) from a damaged record in the middle of the file.
func validRecordAfter(ra io.ReaderAt, from, size, maxBulk int64) (bool, error) {
	const chunk = 64 << 10
	buf := make([]byte, min(chunk+1, max(size-from+1, 0)))
	for pos := from; pos < size; pos += chunk {
		// Read one byte before pos to see the '\n'.
		lo := pos - 1
		n := int(min(int64(chunk+1), size-lo))
		if _, err := ra.ReadAt(buf[:n], lo); err != nil {
			return false, unexpected(err)
		}
		b := buf[:n]
		for i := 1; i < len(b); {
			j := bytes.IndexByte(b[i:], '*')
			if j < 0 {
				break
			}
			i += j
			if b[i-1] == '\n' {
				ok, err := recordAt(ra, lo+int64(i), size, maxBulk)
				if err != nil || ok {
					return ok, err
				}
			}
			i++
		}
	}
	return false, nil
}

// recordAt reports whether a complete, valid record starts at pos.
func recordAt(ra io.ReaderAt, pos, size, maxBulk int64) (bool, error) {
	var hdr [24]byte
	readHeader := func(typ byte) (int64, bool, error) {
		n := int(min(int64(len(hdr)), size-pos))
		if n <= 0 {
			return 0, false, nil
		}
		if _, err := ra.ReadAt(hdr[:n], pos); err != nil {
			return 0, false, unexpected(err)
		}
		end := bytes.IndexByte(hdr[:n], '\n')
		if end < 0 {
			return 0, false, nil
		}
		v, bad, complete := parseHeader(hdr[:end+1], typ)
		if bad >= 0 || !complete {
			return 0, false, nil
		}
		pos += int64(end + 1)
		return v, true, nil
	}
	n, ok, err := readHeader('*')
	if !ok || err != nil || n > (size-pos)/6 {
		return false, err
	}
	for range n {
		l, ok, err := readHeader('$')
		if !ok || err != nil || l > maxBulk || l+2 > size-pos {
			return false, err
		}
		pos += l
		var crlf [2]byte
		if _, err := ra.ReadAt(crlf[:], pos); err != nil {
			return false, unexpected(err)
		}
		if crlf != [2]byte{'\r', '\n'} {
			return false, nil
		}
		pos += 2
	}
	return true, nil
}

// notExist reports whether err means the file does not exist.
func notExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
