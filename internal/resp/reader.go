package resp

import (
	"bytes"
	"io"
	"math"
)

// Default limits, as in Redis 7.0.
const (
	// DefaultBufSize is the read buffer size used when NewReader is given a
	// non-positive size (Redis' PROTO_IOBUF_LEN).
	DefaultBufSize = 16 * 1024
	// DefaultMaxBulkLen is the default of Reader.MaxBulkLen
	// (proto-max-bulk-len).
	DefaultMaxBulkLen = 512 * 1024 * 1024
	// DefaultMaxMultibulkLen is the default of Reader.MaxMultibulkLen
	// (INT_MAX, the largest array header Redis 7.0 accepts).
	DefaultMaxMultibulkLen = math.MaxInt32
	// InlineMax is the longest inline command and the longest array or bulk
	// header line accepted (PROTO_INLINE_MAX_SIZE).
	InlineMax = 64 * 1024
	// unauthMaxMultibulk and unauthMaxBulk are the limits applied to
	// clients that still have to authenticate.
	unauthMaxMultibulk = 10
	unauthMaxBulk      = 16384
	// shrinkAfter is the number of consecutive small commands after which
	// an oversized buffer is given back.
	shrinkAfter = 32
	// keepBuf is the buffer size that is never shrunk.
	keepBuf = 64 * 1024
	// keepArgs is the argument slice capacity that is never shrunk.
	keepArgs = 1024
)

// parser states of ReadCommand.
const (
	stIdle     uint8 = iota // between commands
	stInline                // looking for the end of an inline line
	stMbulk                 // reading the "*N" header
	stBulkHdr               // reading a "$N" header
	stBulkData              // waiting for bulk payload
)

// span locates one argument relative to the start of the current command.
type span struct{ start, end int }

// Reader reads RESP requests and replies from an io.Reader through an
// internal buffer. It is not safe for concurrent use.
//
// The exported limit fields may be changed between calls.
type Reader struct {
	// MaxBulkLen is the longest bulk string accepted in a request
	// (proto-max-bulk-len); longer ones are an "invalid bulk length".
	MaxBulkLen int64
	// MaxMultibulkLen is the largest array header accepted in a request;
	// larger ones are an "invalid multibulk length".
	MaxMultibulkLen int64
	// AuthRequired applies Redis' stricter limits for clients that have not
	// authenticated yet: at most 10 arguments of at most 16384 bytes.
	AuthRequired bool

	rd   io.Reader
	buf  []byte  // nil after Release until the next read
	box  *[]byte // buf's pool box, nil if buf is not pooled
	r, w int     // unread data is buf[r:w]; a command in progress starts at r

	state   uint8
	pos     int   // parse position of the command in progress
	scan    int   // where the search for the current line end resumes
	need    int   // bytes from r needed to finish the current bulk, or 0
	left    int64 // bulks still expected
	bulkLen int64 // length of the bulk being read

	offs []span
	args [][]byte

	err  error // sticky error returned by every later call
	rerr error // error from the underlying reader, reported once data ran out

	initSize int
	small    int  // consecutive small commands while the buffers are oversized
	lastSize int  // size in bytes of the previous command
	inValue  bool // ReadValue in progress: Release must not take the buffer
}

// NewReader returns a Reader reading from rd with an initial buffer of
// bufSize bytes (DefaultBufSize if bufSize <= 0), rounded up to a power of
// two between 512 bytes and 64 KiB. The buffer is taken from a shared
// pool at the first read; it grows as needed for larger commands, with
// the data actually received (never to a length announced by a header),
// and shrinks back later.
func NewReader(rd io.Reader, bufSize int) *Reader {
	if bufSize <= 0 {
		bufSize = DefaultBufSize
	}
	return &Reader{
		MaxBulkLen:      DefaultMaxBulkLen,
		MaxMultibulkLen: DefaultMaxMultibulkLen,
		rd:              rd,
		initSize:        bufSize,
	}
}

// Release gives the Reader's buffer back to a shared pool if the Reader
// holds no unread input and no part of a command, and reports whether it
// did; the next read takes a buffer from the pool again. A server calls
// it while a connection waits for input, so that an idle connection holds
// no buffer.
//
// The source may call Release from its Read method while it waits: the
// slice Read was given then belongs to the pool and must not be used any
// more; the source reads into ReadBuffer instead. Release does nothing
// while ReadValue is in progress.
func (r *Reader) Release() bool {
	if r.buf == nil {
		return true
	}
	if r.r != r.w || r.state != stIdle || r.inValue {
		return false
	}
	putBuf(r.buf, r.box)
	r.buf, r.box = nil, nil
	r.r, r.w, r.pos, r.scan = 0, 0, 0, 0
	// The arguments of the last command point into the released buffer:
	// forget them so that they do not keep it alive.
	if cap(r.args) > 64 {
		r.args, r.offs = nil, nil
	} else {
		clear(r.args[:cap(r.args)])
		r.args = r.args[:0]
	}
	return true
}

// ReadBuffer returns the free part of the Reader's buffer, taking a
// buffer from the pool if Release gave it back. A source whose Read
// method called Release reads into it instead of the slice it was given.
func (r *Reader) ReadBuffer() []byte {
	if r.buf == nil {
		r.acquire()
	}
	return r.buf[r.w:]
}

// acquire takes a buffer of the initial size from the pool.
func (r *Reader) acquire() {
	r.buf, r.box = getBuf(r.initSize)
	r.r, r.w, r.pos, r.scan = 0, 0, 0, 0
}

// replaceBuf moves the unread data (from r.r) to a buffer of size bytes
// and gives the old buffer back.
func (r *Reader) replaceBuf(size int) {
	nb, box := getBuf(size)
	pending := copy(nb, r.buf[r.r:r.w])
	putBuf(r.buf, r.box)
	r.buf, r.box = nb, box
	r.pos -= r.r
	r.scan -= r.r
	r.w = pending
	r.r = 0
}

// Reset discards all buffered data and errors and makes the Reader read from
// rd. The limit fields are kept.
func (r *Reader) Reset(rd io.Reader) {
	r.rd = rd
	r.r, r.w = 0, 0
	r.state = stIdle
	r.need = 0
	r.err, r.rerr = nil, nil
	r.small, r.lastSize = 0, 0
	r.inValue = false
	if len(r.buf) > keepBuf && len(r.buf) > r.initSize {
		putBuf(r.buf, r.box)
		r.buf, r.box = nil, nil
	}
}

// Buffered returns the number of bytes read from the underlying reader but
// not consumed yet, e.g. further pipelined commands.
func (r *Reader) Buffered() int { return r.w - r.r }

// ReadCommand reads the next request: a multibulk array of bulk strings or
// an inline command. Empty commands (blank inline lines, "*0", "*-1") are
// skipped.
//
// The returned slice and the arguments it holds alias the Reader's internal
// buffers and are valid only until the next call on r. Inline arguments are
// unescaped in place.
//
// At a clean end of input the error is io.EOF; if the input ends inside a
// command it is io.ErrUnexpectedEOF. Malformed input yields a
// *ProtocolError.
func (r *Reader) ReadCommand() ([][]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	if len(r.buf) > keepBuf || cap(r.args) > keepArgs {
		r.maybeShrink()
	}
	for {
		done, err := r.parse()
		if err != nil {
			r.err = err
			return nil, err
		}
		if done {
			if len(r.args) == 0 {
				continue
			}
			return r.args, nil
		}
		if err := r.fill(); err != nil {
			r.err = err
			return nil, err
		}
	}
}

// maybeShrink gives back oversized buffers after a run of small commands.
func (r *Reader) maybeShrink() {
	if r.lastSize > keepBuf/2 || len(r.args) > keepArgs {
		r.small = 0
		return
	}
	r.small++
	if r.small < shrinkAfter {
		return
	}
	r.small = 0
	if cap(r.args) > keepArgs {
		r.args, r.offs = nil, nil
	}
	if pending := r.w - r.r; len(r.buf) > keepBuf && len(r.buf) > r.initSize && pending <= keepBuf/2 {
		r.replaceBuf(max(r.initSize, pending))
	}
}

// parse advances the state machine over the buffered bytes. It reports
// done when a whole command is in r.args.
func (r *Reader) parse() (bool, error) {
	buf := r.buf
	for {
		switch r.state {
		case stIdle:
			if r.r == r.w {
				return false, nil
			}
			r.pos, r.scan, r.need = r.r, r.r, 0
			if buf[r.r] == '*' {
				r.state = stMbulk
			} else {
				r.state = stInline
			}

		case stInline:
			i := bytes.IndexByte(buf[r.scan:r.w], '\n')
			if i < 0 {
				if r.w-r.r > InlineMax {
					return false, ErrTooBigInline
				}
				r.scan = r.w
				return false, nil
			}
			end := r.scan + i
			if end-r.r > InlineMax {
				return false, ErrTooBigInline
			}
			line := buf[r.r:end]
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			if !r.splitInline(line) {
				return false, ErrUnbalancedQuotes
			}
			r.finish(end + 1)
			return true, nil

		case stMbulk:
			n, cr, valid := fastLen(buf, r.r+1, r.w)
			if !valid {
				var ok bool
				var err error
				if cr, ok, err = r.findCR(r.r, ErrTooBigMbulkCount); !ok {
					return false, err
				}
				n, valid = parseLen(buf[r.r+1 : cr])
			}
			if !valid || n > r.MaxMultibulkLen {
				return false, ErrInvalidMultibulkLength
			}
			if r.AuthRequired && n > unauthMaxMultibulk {
				return false, ErrUnauthenticatedMultibulkLength
			}
			r.pos = cr + 2 // the byte after '\r' is skipped unchecked, as Redis does
			if n <= 0 {
				r.args = r.args[:0]
				r.finish(r.pos)
				return true, nil
			}
			r.left = n
			r.offs = r.offs[:0]
			r.scan = r.pos
			r.state = stBulkHdr

		case stBulkHdr:
			var n int64
			var cr int
			valid := false
			if r.pos < r.w && buf[r.pos] == '$' {
				n, cr, valid = fastLen(buf, r.pos+1, r.w)
			}
			if !valid {
				var ok bool
				var err error
				if cr, ok, err = r.findCR(r.pos, ErrTooBigBulkCount); !ok {
					return false, err
				}
				if buf[r.pos] != '$' {
					return false, errExpectedDollar(buf[r.pos])
				}
				n, valid = parseLen(buf[r.pos+1 : cr])
			}
			if !valid || n < 0 || n > r.MaxBulkLen {
				return false, ErrInvalidBulkLength
			}
			if r.AuthRequired && n > unauthMaxBulk {
				return false, ErrUnauthenticatedBulkLength
			}
			r.bulkLen = n
			r.pos = cr + 2
			r.state = stBulkData

		case stBulkData:
			end := r.pos + int(r.bulkLen)
			if end+2 > r.w {
				r.need = end + 2 - r.r
				return false, nil
			}
			r.need = 0
			r.offs = append(r.offs, span{r.pos - r.r, end - r.r})
			r.pos = end + 2 // the CRLF after the payload is skipped unchecked, as Redis does
			r.left--
			if r.left > 0 {
				r.scan = r.pos
				r.state = stBulkHdr
				continue
			}
			base := buf[r.r:]
			args := r.args[:0]
			for _, s := range r.offs {
				args = append(args, base[s.start:s.end:s.end])
			}
			r.args = args
			r.finish(r.pos)
			return true, nil
		}
	}
}

// findCR looks for the '\r' ending the header line that starts at from. It
// reports ok once the line and the byte after the '\r' are buffered; if the
// line grows beyond InlineMax it returns tooBig.
func (r *Reader) findCR(from int, tooBig *ProtocolError) (cr int, ok bool, err error) {
	i := bytes.IndexByte(r.buf[r.scan:r.w], '\r')
	if i < 0 {
		if r.w-from > InlineMax {
			return 0, false, tooBig
		}
		r.scan = r.w
		return 0, false, nil
	}
	cr = r.scan + i
	if cr-from > InlineMax {
		return 0, false, tooBig
	}
	if cr+1 >= r.w {
		r.scan = cr
		return 0, false, nil
	}
	return cr, true, nil
}

// finish consumes the current command, which ends at end.
func (r *Reader) finish(end int) {
	r.lastSize = end - r.r
	r.r = end
	r.state = stIdle
}

// fill reads more data into the buffer, compacting or growing it if it is
// full. The command in progress (from r.r) is preserved.
func (r *Reader) fill() error {
	if r.buf == nil {
		r.acquire()
	}
	if r.r == r.w {
		r.pos -= r.r
		r.scan -= r.r
		r.r, r.w = 0, 0
	}
	if r.rerr != nil {
		return r.readErr()
	}
	if r.w == len(r.buf) {
		pending := r.w - r.r
		if r.r > 0 && (pending <= len(r.buf)/2 || (r.need > 0 && r.need <= len(r.buf))) {
			copy(r.buf, r.buf[r.r:r.w])
			r.pos -= r.r
			r.scan -= r.r
			r.w = pending
			r.r = 0
		} else {
			// Grow by doubling, or to what the bulk being read still
			// needs if that is less: the buffer follows the data that
			// arrives, never a length announced ahead of it.
			size := 2 * len(r.buf)
			if r.need > pending && r.need < size {
				size = r.need
			}
			r.replaceBuf(size)
		}
	}
	for range 100 {
		// r.buf is reread at every call: the source may have replaced
		// it (Release, ReadBuffer).
		n, err := r.rd.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			r.rerr = errBadRead
			return errBadRead
		}
		r.w += n
		if err != nil {
			r.rerr = err
			if n > 0 {
				return nil
			}
			return r.readErr()
		}
		if n > 0 {
			return nil
		}
	}
	return io.ErrNoProgress
}

// readErr converts the saved read error for the caller: a clean io.EOF
// becomes io.ErrUnexpectedEOF if a command is partially buffered.
func (r *Reader) readErr() error {
	if r.rerr == io.EOF && (r.r != r.w || r.state != stIdle) {
		return io.ErrUnexpectedEOF
	}
	return r.rerr
}

// errBadRead reports an io.Reader returning an impossible count.
var errBadRead = protoErr("resp: reader returned invalid count")

// fastLen parses the common case of a header length: 1 to 18 digits
// without a leading zero starting at buf[p], followed by '\r' and one more
// buffered byte (end is the end of the buffered data). If it reports false
// the caller falls back to the general path, which also produces the errors.
func fastLen(buf []byte, p, end int) (n int64, cr int, ok bool) {
	i := p
	for i < end && i-p < 18 {
		c := buf[i]
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
		i++
	}
	if i == p || i+1 >= end || buf[i] != '\r' || (buf[p] == '0' && i > p+1) {
		return 0, 0, false
	}
	return n, i, true
}

// parseLen parses a length the way Redis' string2ll does: an optional '-',
// no '+', no leading zeros, no spaces, at most 20 characters.
func parseLen(b []byte) (int64, bool) {
	n := len(b)
	if n == 0 || n > 20 {
		return 0, false
	}
	if n == 1 && b[0] == '0' {
		return 0, true
	}
	i := 0
	neg := b[0] == '-'
	if neg {
		i = 1
		if n == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < n; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
		if v < uint64(c-'0') {
			return 0, false
		}
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// isSpace reports whether c is a C isspace character.
func isSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// hexVal returns the value of a hex digit or -1.
func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// splitInline splits an inline command line into r.args with Redis' rules,
// unescaping quoted arguments in place. It reports false for unbalanced
// quotes.
func (r *Reader) splitInline(line []byte) bool {
	args := r.args[:0]
	n := len(line)
	i := 0
	for {
		for i < n && isSpace(line[i]) {
			i++
		}
		if i == n {
			break
		}
		start, wp := i, i
		inDQ, inSQ := false, false
	token:
		for {
			switch {
			case inDQ:
				if i >= n {
					return false
				}
				c := line[i]
				switch {
				case c == '\\' && i+3 < n && line[i+1] == 'x' && hexVal(line[i+2]) >= 0 && hexVal(line[i+3]) >= 0:
					line[wp] = byte(hexVal(line[i+2])<<4 | hexVal(line[i+3]))
					i += 4
				case c == '\\' && i+1 < n:
					i++
					switch c = line[i]; c {
					case 'n':
						c = '\n'
					case 'r':
						c = '\r'
					case 't':
						c = '\t'
					case 'b':
						c = '\b'
					case 'a':
						c = '\a'
					}
					line[wp] = c
					i++
				case c == '"':
					if i+1 < n && !isSpace(line[i+1]) {
						return false
					}
					i++
					break token
				default:
					line[wp] = c
					i++
				}
				wp++
			case inSQ:
				if i >= n {
					return false
				}
				c := line[i]
				switch {
				case c == '\\' && i+1 < n && line[i+1] == '\'':
					line[wp] = '\''
					i += 2
				case c == '\'':
					if i+1 < n && !isSpace(line[i+1]) {
						return false
					}
					i++
					break token
				default:
					line[wp] = c
					i++
				}
				wp++
			default:
				if i >= n {
					break token
				}
				switch c := line[i]; c {
				case ' ', '\n', '\r', '\t':
					i++
					break token
				case '"':
					inDQ = true
				case '\'':
					inSQ = true
				default:
					line[wp] = c
					wp++
				}
				i++
			}
		}
		args = append(args, line[start:wp:wp])
	}
	r.args = args
	return true
}
