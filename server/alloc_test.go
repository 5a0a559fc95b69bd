package server_test

import (
	"io"
	"net"
	"strings"
	"testing"

	"github.com/kevydb/kevy/internal/resp"
)

// loopback is a client connection to a test server exchanging
// pre-encoded requests for replies of known size.
type loopback struct {
	nc  net.Conn
	buf []byte
}

func newLoopback(tb testing.TB, ts *testServer) *loopback {
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { nc.Close() })
	return &loopback{nc: nc, buf: make([]byte, 1<<20)}
}

// roundTrip writes req and reads exactly n reply bytes.
func (l *loopback) roundTrip(tb testing.TB, req []byte, n int) {
	if _, err := l.nc.Write(req); err != nil {
		tb.Fatal(err)
	}
	if _, err := io.ReadFull(l.nc, l.buf[:n]); err != nil {
		tb.Fatal(err)
	}
}

// engineAllocs measures the allocations of the command alone, executed
// through a Session into a discarding writer.
func engineAllocs(ts *testServer, args ...string) float64 {
	sess := ts.db.NewSession()
	w := resp.NewWriter(io.Discard, 0)
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	return testing.AllocsPerRun(1000, func() {
		sess.Exec(argv, w)
		w.Flush()
	})
}

// TestServerPathAllocs checks that serving GET and SET allocates nothing
// beyond what the engine itself allocates for the command.
func TestServerPathAllocs(t *testing.T) {
	ts := startServer(t, nil)
	lb := newLoopback(t, ts)
	value := strings.Repeat("v", 100)
	tests := []struct {
		name  string
		args  []string
		reply int
	}{
		{"SET", []string{"SET", "key:1", value}, len("+OK\r\n")},
		{"GET", []string{"GET", "key:1"}, len("$100\r\n\r\n") + len(value)},
		{"GET missing", []string{"GET", "nokey"}, len("$-1\r\n")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := resp.AppendCommandString(nil, tc.args...)
			lb.roundTrip(t, req, tc.reply) // warm up buffers
			got := testing.AllocsPerRun(2000, func() { lb.roundTrip(t, req, tc.reply) })
			engine := engineAllocs(ts, tc.args...)
			if got > engine+0.05 {
				t.Fatalf("%s: %.2f allocations per command over the server, %.2f in the engine", tc.name, got, engine)
			}
		})
	}
}

// BenchmarkServer measures one command per round trip over loopback TCP.
func BenchmarkServer(b *testing.B) {
	value := strings.Repeat("v", 100)
	cases := []struct {
		name  string
		args  []string
		reply int
	}{
		{"SET", []string{"SET", "key:1", value}, len("+OK\r\n")},
		{"GET", []string{"GET", "key:1"}, len("$100\r\n\r\n") + len(value)},
	}
	ts := startServer(b, nil)
	lb := newLoopback(b, ts)
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			req := resp.AppendCommandString(nil, bc.args...)
			lb.roundTrip(b, req, bc.reply)
			b.ReportAllocs()
			for b.Loop() {
				lb.roundTrip(b, req, bc.reply)
			}
		})
	}
}

// BenchmarkServerPipeline measures pipelined GETs, 100 per round trip;
// results are per command.
func BenchmarkServerPipeline(b *testing.B) {
	const depth = 100
	ts := startServer(b, nil)
	lb := newLoopback(b, ts)
	var req []byte
	for range depth {
		req = resp.AppendCommandString(req, "GET", "key:1")
	}
	lb.roundTrip(b, resp.AppendCommandString(nil, "SET", "key:1", "value"), len("+OK\r\n"))
	n := depth * len("$5\r\nvalue\r\n")
	b.ReportAllocs()
	for b.Loop() {
		lb.roundTrip(b, req, n)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*depth), "ns/cmd")
}
