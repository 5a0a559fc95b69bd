package server

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"
)

func TestMemConnReadWrite(t *testing.T) {
	cl, sv := memPipe()
	defer cl.Close()
	defer sv.Close()
	tests := []struct {
		name  string
		from  net.Conn
		to    net.Conn
		write []string
		bufs  []int // read sizes
		want  []string
	}{
		{"one write one read", cl, sv, []string{"hello"}, []int{16}, []string{"hello"}},
		{"writes coalesce", cl, sv, []string{"ab", "cd"}, []int{16}, []string{"abcd"}},
		{"partial reads", sv, cl, []string{"abcdef"}, []int{2, 3, 16}, []string{"ab", "cde", "f"}},
		{"empty read", sv, cl, []string{"x"}, []int{0, 4}, []string{"", "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, w := range tc.write {
				if n, err := tc.from.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			for i, size := range tc.bufs {
				buf := make([]byte, size)
				n, err := tc.to.Read(buf)
				if err != nil || string(buf[:n]) != tc.want[i] {
					t.Fatalf("read %d = %q, %v; want %q", i, buf[:n], err, tc.want[i])
				}
			}
		})
	}
	if cl.LocalAddr().Network() != "memory" || cl.LocalAddr().String() != sv.RemoteAddr().String() ||
		sv.LocalAddr().String() != cl.RemoteAddr().String() {
		t.Fatalf("addresses: client %v->%v, server %v->%v", cl.LocalAddr(), cl.RemoteAddr(), sv.LocalAddr(), sv.RemoteAddr())
	}
}

func TestMemConnDeadlines(t *testing.T) {
	cl, sv := memPipe()
	defer cl.Close()
	defer sv.Close()
	isTimeout := func(err error) bool {
		var ne net.Error
		return errors.Is(err, os.ErrDeadlineExceeded) && errors.As(err, &ne) && ne.Timeout()
	}

	// A read with nothing to read waits until the deadline.
	cl.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	start := time.Now()
	if _, err := cl.Read(make([]byte, 1)); !isTimeout(err) {
		t.Fatalf("Read = %v, want a timeout", err)
	}
	if d := time.Since(start); d < 25*time.Millisecond {
		t.Fatalf("timed out after %v", d)
	}
	// A deadline in the past fails at once; data still buffered is read.
	cl.SetReadDeadline(time.Unix(1, 0))
	if _, err := cl.Read(make([]byte, 1)); !isTimeout(err) {
		t.Fatalf("Read past deadline = %v", err)
	}
	sv.Write([]byte("x"))
	if n, err := cl.Read(make([]byte, 1)); n != 1 || err != nil {
		t.Fatalf("buffered Read past deadline = %d, %v", n, err)
	}
	// Moving the deadline wakes a blocked read: Shutdown relies on it.
	cl.SetReadDeadline(time.Time{})
	errc := make(chan error, 1)
	go func() {
		_, err := cl.Read(make([]byte, 1))
		errc <- err
	}()
	time.Sleep(10 * time.Millisecond)
	cl.SetReadDeadline(time.Unix(1, 0))
	select {
	case err := <-errc:
		if !isTimeout(err) {
			t.Fatalf("Read = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("SetReadDeadline did not wake the blocked Read")
	}
	cl.SetReadDeadline(time.Time{})

	// The server end's writes wait for room, within their deadline.
	sv.SetWriteDeadline(time.Now().Add(30 * time.Millisecond))
	big := make([]byte, memReplyLimit+100)
	n, err := sv.Write(big)
	if !isTimeout(err) || n != memReplyLimit {
		t.Fatalf("Write beyond the limit = %d, %v", n, err)
	}
	sv.SetDeadline(time.Time{})
	done := make(chan error, 1)
	go func() {
		_, err := sv.Write(big)
		done <- err
	}()
	got := 0
	buf := make([]byte, 64<<10)
	for got < memReplyLimit+len(big) {
		n, err := cl.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got += n
	}
	if err := <-done; err != nil {
		t.Fatalf("Write after the reader caught up = %v", err)
	}
	// Far-future deadlines mean none.
	cl.SetDeadline(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))
	sv.Write([]byte("y"))
	if n, err := cl.Read(buf); n != 1 || err != nil {
		t.Fatalf("Read with a far deadline = %d, %v", n, err)
	}
}

func TestMemConnClose(t *testing.T) {
	cl, sv := memPipe()
	cl.Write([]byte("last words"))
	if err := cl.Close(); err != nil {
		t.Fatal(err)
	}
	if err := cl.Close(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("second Close = %v", err)
	}
	// The peer reads what was sent, then EOF.
	b, err := io.ReadAll(sv)
	if err != nil || string(b) != "last words" {
		t.Fatalf("ReadAll = %q, %v", b, err)
	}
	if _, err := sv.Write([]byte("x")); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("Write to a closed peer = %v", err)
	}
	if _, err := cl.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Read after Close = %v", err)
	}
	if _, err := cl.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Write after Close = %v", err)
	}

	// Close wakes a blocked Read of the same end and a blocked Write of
	// the peer.
	cl, sv = memPipe()
	errs := make(chan error, 2)
	go func() {
		_, err := sv.Read(make([]byte, 1))
		errs <- err
	}()
	go func() {
		_, err := sv.Write(make([]byte, memReplyLimit+1))
		errs <- err
	}()
	time.Sleep(10 * time.Millisecond)
	sv.Close()
	cl.Close()
	for range 2 {
		select {
		case err := <-errs:
			if err == nil {
				t.Fatal("blocked call returned no error after Close")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not wake a blocked call")
		}
	}
}

// TestMemConnConcurrent streams data both ways at once through small
// reads, checking order and integrity.
func TestMemConnConcurrent(t *testing.T) {
	cl, sv := memPipe()
	defer cl.Close()
	defer sv.Close()
	const total = 4 << 20
	src := make([]byte, total)
	for i := range src {
		src[i] = byte(i * 7)
	}
	var wg sync.WaitGroup
	check := func(name string, w, r net.Conn) {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for off := 0; off < total; off += 1000 {
				if _, err := w.Write(src[off:min(off+1000, total)]); err != nil {
					t.Errorf("%s write: %v", name, err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			got := make([]byte, 0, total)
			buf := make([]byte, 777)
			for len(got) < total {
				n, err := r.Read(buf)
				if err != nil {
					t.Errorf("%s read: %v", name, err)
					return
				}
				got = append(got, buf[:n]...)
			}
			if !bytes.Equal(got, src) {
				t.Errorf("%s: data corrupted", name)
			}
		}()
	}
	check("up", cl, sv)
	check("down", sv, cl)
	wg.Wait()
}

// BenchmarkMemConnRoundTrip measures a small request and reply between
// two goroutines, compared with net.Pipe.
func BenchmarkMemConnRoundTrip(b *testing.B) {
	pipes := []struct {
		name string
		mk   func() (net.Conn, net.Conn)
	}{
		{"memconn", func() (net.Conn, net.Conn) { c, s := memPipe(); return c, s }},
		{"net.Pipe", net.Pipe},
	}
	for _, p := range pipes {
		b.Run(p.name, func(b *testing.B) {
			cl, sv := p.mk()
			defer cl.Close()
			go func() {
				buf := make([]byte, 64)
				for {
					n, err := sv.Read(buf)
					if err != nil {
						sv.Close()
						return
					}
					if _, err := sv.Write(buf[:n]); err != nil {
						return
					}
				}
			}()
			req := []byte("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n")
			buf := make([]byte, 64)
			b.ReportAllocs()
			for b.Loop() {
				cl.Write(req)
				if _, err := io.ReadFull(cl, buf[:len(req)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
