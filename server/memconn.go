package server

import (
	"io"
	"math"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// memNetwork is the Network() of in-memory connection addresses.
const memNetwork = "memory"

// memReplyLimit bounds the reply bytes an in-memory connection buffers
// for a client that does not read them: past it the server waits, as it
// would on a full socket buffer. Requests are not bounded, so a client
// that writes a whole pipeline before reading its replies can never
// deadlock with a server waiting for it to read.
const memReplyLimit = 1 << 20

// memKeepBuf is the largest buffer capacity a drained direction keeps.
const memKeepBuf = 64 << 10

// memAddr is the address of one end of an in-memory connection.
type memAddr string

func (a memAddr) Network() string { return memNetwork }
func (a memAddr) String() string  { return string(a) }

// memHalf is one direction of an in-memory connection: the bytes written
// by one end and not yet read by the other. Reads are serialized by rdMu
// and writes by wrMu, so at most one reader and one writer wait at a
// time, each on its own one-slot wake channel.
type memHalf struct {
	rdMu, wrMu sync.Mutex

	mu      sync.Mutex
	buf     []byte
	off     int  // read position in buf
	limit   int  // writers wait while this many bytes are buffered; 0 = no limit
	wclosed bool // the writing end was closed: reads drain, then see EOF
	rclosed bool // the reading end was closed: writes fail

	// The waiting flags are set under mu before the deadline is read and
	// checked by deadline setters after they store one, so that a
	// waiter either sees the new deadline or is woken to reread it.
	rwaiting, wwaiting atomic.Bool
	rwake, wwake       chan struct{}

	// Deadlines of the reading and the writing end, in Unix nanoseconds;
	// 0 means none.
	rdeadline, wdeadline atomic.Int64

	rtimer, wtimer *time.Timer // used only by the (serialized) waiter
}

func newMemHalf(limit int) *memHalf {
	return &memHalf{limit: limit, rwake: make(chan struct{}, 1), wwake: make(chan struct{}, 1)}
}

// wake signals a waiter without blocking; a spurious signal only makes the
// waiter check its conditions again.
func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// memConn is one end of an in-memory connection: a buffered, full-duplex
// net.Conn with deadlines. Unlike net.Pipe, a Write returns as soon as
// the bytes are buffered, so a request and its reply cost one goroutine
// hand-off each way and no rendezvous.
type memConn struct {
	rx, tx        *memHalf
	local, remote memAddr
	closeOnce     sync.Once
}

var memPipeSeq atomic.Int64

// memPipe returns the two ends of a new in-memory connection. Writes by
// the server end wait once memReplyLimit bytes are unread; writes by the
// client end never wait.
func memPipe() (client, srv *memConn) {
	up := newMemHalf(0)               // client to server
	down := newMemHalf(memReplyLimit) // server to client
	n := strconv.FormatInt(memPipeSeq.Add(1), 10)
	caddr, saddr := memAddr("memory:"+n), memAddr("memory:0")
	client = &memConn{rx: down, tx: up, local: caddr, remote: saddr}
	srv = &memConn{rx: up, tx: down, local: saddr, remote: caddr}
	return client, srv
}

// Read reads buffered bytes, waiting for some if there are none. Bytes
// already buffered are returned even past the read deadline; the deadline
// only bounds the wait.
func (c *memConn) Read(p []byte) (int, error) { return c.readIdle(p, nil) }

// readIdle is Read for the server's end of the connection: before it
// waits, it lets the connection give its buffers back (see
// conn.releaseBuffers), and reads into ib's buffer after the wait if the
// read buffer p went with them. With a nil ib it is Read.
func (c *memConn) readIdle(p []byte, ib idleBuffers) (int, error) {
	h := c.rx
	h.rdMu.Lock()
	defer h.rdMu.Unlock()
	for {
		if n, done, err := h.tryRead(p); done {
			return n, err
		}
		if ib != nil && ib.releaseBuffers() {
			p = nil
		}
		err := wait(h.rwake, &h.rdeadline, &h.rtimer)
		h.rwaiting.Store(false)
		if err != nil {
			return 0, err
		}
		if p == nil {
			p = ib.readBuffer()
		}
	}
}

// tryRead reads buffered bytes into p, or reports the end of input or a
// closed connection, and then reports done. Otherwise it has published
// that a reader is about to wait (rwaiting), so that the next write or
// deadline change wakes it. The caller holds rdMu.
func (h *memHalf) tryRead(p []byte) (n int, done bool, err error) {
	h.mu.Lock()
	switch {
	case h.rclosed:
		err, done = net.ErrClosed, true
	case len(h.buf) > h.off:
		n = copy(p, h.buf[h.off:])
		h.off += n
		if h.off == len(h.buf) {
			h.off = 0
			if cap(h.buf) > memKeepBuf {
				h.buf = nil
			} else {
				h.buf = h.buf[:0]
			}
		}
		if h.wwaiting.Load() {
			wake(h.wwake)
		}
		done = true
	case len(p) == 0:
		done = true
	case h.wclosed:
		err, done = io.EOF, true
	default:
		h.rwaiting.Store(true)
	}
	h.mu.Unlock()
	return n, done, err
}

// Write buffers p for the other end, waiting for room when the direction
// has a limit and the reader is behind.
func (c *memConn) Write(p []byte) (int, error) {
	h := c.tx
	h.wrMu.Lock()
	defer h.wrMu.Unlock()
	n := 0
	for {
		h.mu.Lock()
		if h.wclosed {
			h.mu.Unlock()
			return n, net.ErrClosed
		}
		if h.rclosed {
			h.mu.Unlock()
			return n, io.ErrClosedPipe
		}
		chunk := len(p) - n
		if h.limit > 0 {
			chunk = min(chunk, h.limit-(len(h.buf)-h.off))
		}
		if chunk > 0 {
			if h.off > 0 && len(h.buf)+chunk > cap(h.buf) {
				// Reuse the consumed front before growing.
				h.buf = h.buf[:copy(h.buf, h.buf[h.off:])]
				h.off = 0
			}
			h.buf = append(h.buf, p[n:n+chunk]...)
			n += chunk
			if h.rwaiting.Load() {
				wake(h.rwake)
			}
		}
		if n == len(p) {
			h.mu.Unlock()
			return n, nil
		}
		h.wwaiting.Store(true)
		h.mu.Unlock()
		err := wait(h.wwake, &h.wdeadline, &h.wtimer)
		h.wwaiting.Store(false)
		if err != nil {
			return n, err
		}
	}
}

// wait blocks until ch is signalled or the deadline in dl passes, in which
// case it returns os.ErrDeadlineExceeded. The caller has published that it
// is waiting, so a deadline change signals ch.
func wait(ch chan struct{}, dl *atomic.Int64, t **time.Timer) error {
	d := dl.Load()
	if d == 0 {
		<-ch
		return nil
	}
	left := time.Until(time.Unix(0, d))
	if left <= 0 {
		return os.ErrDeadlineExceeded
	}
	if *t == nil {
		*t = time.NewTimer(left)
	} else {
		(*t).Reset(left)
	}
	select {
	case <-ch:
		(*t).Stop()
	case <-(*t).C:
		// The deadline may have moved meanwhile: the caller's loop
		// checks the conditions again and comes back here.
	}
	return nil
}

// Close closes this end: its pending and later reads and writes fail, and
// the other end reads what was written before, then io.EOF.
func (c *memConn) Close() error {
	closed := false
	c.closeOnce.Do(func() {
		closed = true
		h := c.rx
		h.mu.Lock()
		h.rclosed = true
		h.buf, h.off = nil, 0
		wake(h.rwake)
		wake(h.wwake)
		h.mu.Unlock()
		h = c.tx
		h.mu.Lock()
		h.wclosed = true
		wake(h.rwake)
		wake(h.wwake)
		h.mu.Unlock()
	})
	if !closed {
		return net.ErrClosed
	}
	return nil
}

func (c *memConn) LocalAddr() net.Addr  { return c.local }
func (c *memConn) RemoteAddr() net.Addr { return c.remote }

// SetDeadline sets both deadlines.
func (c *memConn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	c.SetWriteDeadline(t)
	return nil
}

// SetReadDeadline bounds the wait of pending and future reads; the zero
// time means no deadline.
func (c *memConn) SetReadDeadline(t time.Time) error {
	h := c.rx
	h.rdeadline.Store(deadlineNanos(t))
	if h.rwaiting.Load() {
		wake(h.rwake)
	}
	return nil
}

// SetWriteDeadline bounds the wait of pending and future writes; the zero
// time means no deadline.
func (c *memConn) SetWriteDeadline(t time.Time) error {
	h := c.tx
	h.wdeadline.Store(deadlineNanos(t))
	if h.wwaiting.Load() {
		wake(h.wwake)
	}
	return nil
}

// maxDeadline is the latest time representable in Unix nanoseconds.
var maxDeadline = time.Unix(0, math.MaxInt64)

// deadlineNanos converts a deadline to Unix nanoseconds, 0 meaning none.
// Times before 1970 become 1 (already passed); times too far away to
// represent mean no deadline.
func deadlineNanos(t time.Time) int64 {
	switch {
	case t.IsZero() || t.After(maxDeadline):
		return 0
	case t.UnixNano() <= 0:
		return 1
	}
	return t.UnixNano()
}

var _ net.Conn = (*memConn)(nil)
