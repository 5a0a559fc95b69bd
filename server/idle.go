package server

import (
	"net"
	"syscall"
)

// Idle connections hold no buffers. While a connection waits for input,
// its read and write buffers go back to the shared pools of package resp
// (resp.Reader.Release, resp.Writer.Release) and are taken again when
// input arrives, so an idle client costs its goroutine, its conn and
// session structs and the socket, not 32 KiB of buffers.
//
// Waiting without a buffer needs a read that can drop the buffer once it
// knows it would block: for TCP and unix sockets that is a raw read on
// the file descriptor inside syscall.RawConn.Read (a non-blocking read;
// on EAGAIN the buffers are given back and the poller waits; the next
// attempt takes a buffer again), which costs the same system calls as
// net.Conn.Read. In-memory connections do the same on their own queue.
// Other transports (a net.Conn given to ServeConn that is neither) keep
// their buffers.

// idleRead is the state of a connection's reads through its raw socket.
type idleRead struct {
	raw syscall.RawConn       // TCP or unix socket; nil otherwise
	mem *memConn              // in-memory connection; nil otherwise
	fn  func(fd uintptr) bool // c.rawRead, made once
	p   []byte                // where the read in progress puts its data; nil once given back
	n   int                   // result of the read in progress
	err error
}

// idleBuffers is the side of a connection that gives its buffers back
// while it waits for input.
type idleBuffers interface {
	// releaseBuffers gives the buffers back before a wait and reports
	// whether the read buffer went too, in which case the slice the read
	// was given must not be used any more.
	releaseBuffers() bool
	// readBuffer returns where to read after the wait, taking a buffer
	// again.
	readBuffer() []byte
}

// initIdleRead chooses how the connection reads (see readInput).
func (c *conn) initIdleRead() {
	switch nc := c.nc.(type) {
	case *net.TCPConn, *net.UnixConn:
		if !rawReadSupported {
			return
		}
		rc, err := nc.(syscall.Conn).SyscallConn()
		if err != nil {
			return
		}
		c.idle.raw = rc
		c.idle.fn = c.rawRead
	case *memConn:
		c.idle.mem = nc
	}
}

// readInput reads from the connection into p, the free part of the
// reader's buffer, giving the connection's buffers back while it waits.
func (c *conn) readInput(p []byte) (int, error) {
	switch {
	case c.idle.raw != nil:
		ir := &c.idle
		ir.p, ir.n, ir.err = p, 0, nil
		err := ir.raw.Read(ir.fn)
		ir.p = nil
		if err != nil { // deadline, closed connection
			return 0, err
		}
		return ir.n, ir.err
	case c.idle.mem != nil:
		return c.idle.mem.readIdle(p, c)
	}
	return c.nc.Read(p)
}

// rawRead is the function given to syscall.RawConn.Read: one
// non-blocking read. When it would block, the buffers are given back and
// it returns false, so that the poller waits for input (or the read
// deadline) and calls it again.
func (c *conn) rawRead(fd uintptr) bool {
	ir := &c.idle
	if ir.p == nil {
		ir.p = c.r.ReadBuffer()
	}
	n, err := readFD(fd, ir.p)
	if err == errWouldBlock {
		if c.releaseBuffers() {
			ir.p = nil
		}
		return false
	}
	ir.n, ir.err = n, err
	return true
}

// releaseBuffers implements idleBuffers. The write buffer is kept while
// the connection has pub/sub state: its pusher goroutine writes messages
// through it while the connection waits.
func (c *conn) releaseBuffers() bool {
	if c.ps.Load() == nil {
		c.w.Release()
	}
	return c.r.Release()
}

// readBuffer implements idleBuffers.
func (c *conn) readBuffer() []byte { return c.r.ReadBuffer() }
