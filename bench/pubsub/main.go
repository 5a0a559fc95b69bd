// Command pubsub measures pub/sub fan-out: one publisher, -subs
// subscribers (50), -size-byte payloads (16), all on one channel. It runs,
// side by side in one process:
//
//   - kevy: db.Publish to Subscriptions read with Receive, in process;
//   - gochan: the baseline, one message allocated per publish and sent to
//     -subs buffered Go channels;
//   - kevy-resp: a kevy server on 127.0.0.1:0, -subs TCP connections that
//     SUBSCRIBE and read messages with a small raw RESP reader, and one
//     connection sending pipelined PUBLISH;
//   - redis-resp: the same clients against a redis-server (-redis) started
//     on a free loopback port; skipped when the binary is absent.
//
// Each case publishes a fixed number of messages (-n in process, -nresp
// over RESP) and stops when every subscriber has all of them. The
// publisher keeps at most -window messages ahead of the slowest
// subscriber, so nothing is dropped. It prints delivered messages per
// second and heap allocations (runtime.MemStats.Mallocs) per delivered
// message, and per published message; for kevy-resp these include the benchmark's clients, which do
// not allocate per message.
//
// Usage:
//
//	go run ./pubsub [-n 1000000] [-nresp 200000] [-subs 50] [-size 16]
//	                [-window 512] [-batch 64] [-redis redis-server] [-count 1]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/server"
)

var (
	flagN      = flag.Int("n", 1_000_000, "messages published by the in-process cases")
	flagNResp  = flag.Int("nresp", 200_000, "messages published by the RESP cases")
	flagSubs   = flag.Int("subs", 50, "subscribers")
	flagSize   = flag.Int("size", 16, "payload bytes")
	flagWindow = flag.Int("window", 512, "most messages the publisher may be ahead of the slowest subscriber")
	flagBatch  = flag.Int("batch", 64, "PUBLISH commands per pipelined batch (RESP cases)")
	flagRedis  = flag.String("redis", "redis-server", "redis-server binary; empty to skip")
	flagCount  = flag.Int("count", 1, "runs of each case")
)

const channel = "ch"

// counter is a subscriber's progress counter on its own cache line.
type counter struct {
	n atomic.Int64
	_ [56]byte
}

// progress tracks how far every subscriber has got.
type progress []counter

func (p progress) slowest() int64 {
	m := p[0].n.Load()
	for i := 1; i < len(p); i++ {
		m = min(m, p[i].n.Load())
	}
	return m
}

// waitFor spins (yielding) until every subscriber has at least n
// messages, or errc reports a failure.
func (p progress) waitFor(n int64, errc <-chan error) error {
	for p.slowest() < n {
		select {
		case err := <-errc:
			return err
		default:
		}
		runtime.Gosched()
	}
	return nil
}

// result is one measured case.
type result struct {
	name    string
	msgs    int
	elapsed time.Duration
	mallocs uint64
	skipped string
}

func (r result) delivered() float64 { return float64(r.msgs) * float64(*flagSubs) }

// measure runs fn between two MemStats reads and times it.
func measure(name string, msgs int, fn func() error) (result, error) {
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	err := fn()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&m1)
	return result{name: name, msgs: msgs, elapsed: elapsed, mallocs: m1.Mallocs - m0.Mallocs}, err
}

// runKevy: db.Publish to Subscriptions read with Receive.
func runKevy(n int) (result, error) {
	db, err := kevy.Open("", nil)
	if err != nil {
		return result{}, err
	}
	defer db.Close()
	ctx := context.Background()
	prog := make(progress, *flagSubs)
	subs := make([]*kevy.Subscription, *flagSubs)
	var wg sync.WaitGroup
	errc := make(chan error, len(subs))
	for i := range subs {
		s, err := db.Subscribe(ctx, channel)
		if err != nil {
			return result{}, err
		}
		subs[i] = s
		wg.Add(1)
		go func() {
			defer wg.Done()
			var got int64
			for got < int64(n) {
				m, err := s.Receive(ctx)
				if err != nil {
					errc <- fmt.Errorf("subscriber %d: %w", i, err)
					return
				}
				got += int64(len(m.Payload)) / int64(*flagSize)
				prog[i].n.Store(got)
			}
		}()
	}
	payload := make([]byte, *flagSize)
	window := int64(*flagWindow)
	r, err := measure("kevy in-process", n, func() error {
		for i := range n {
			if i%64 == 0 {
				for int64(i)-prog.slowest() > window {
					runtime.Gosched()
				}
			}
			if got, err := db.Publish(channel, payload); err != nil || got != len(subs) {
				return fmt.Errorf("publish: %d receivers, %v", got, err)
			}
		}
		return prog.waitFor(int64(n), errc)
	})
	for _, s := range subs {
		s.Close()
	}
	wg.Wait()
	return r, err
}

// chanMsg is the baseline's message: what a publish has to allocate.
type chanMsg struct {
	channel string
	payload []byte
}

// runChan: one message per publish, sent to buffered Go channels.
func runChan(n int) (result, error) {
	prog := make(progress, *flagSubs)
	chans := make([]chan *chanMsg, *flagSubs)
	var wg sync.WaitGroup
	for i := range chans {
		chans[i] = make(chan *chanMsg, kevy.DefaultPubSubBuffer)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var got int64
			for m := range chans[i] {
				got += int64(len(m.payload)) / int64(*flagSize)
				prog[i].n.Store(got)
			}
		}()
	}
	payload := make([]byte, *flagSize)
	r, err := measure("Go channels (baseline)", n, func() error {
		for range n {
			m := &chanMsg{channel: channel, payload: append([]byte(nil), payload...)}
			for _, c := range chans {
				c <- m
			}
		}
		return prog.waitFor(int64(n), nil)
	})
	for _, c := range chans {
		close(c)
	}
	wg.Wait()
	return r, err
}

// respReader is a minimal RESP reader for the subscriber side.
type respReader struct{ r *bufio.Reader }

// line returns the next line without its CRLF; valid until the next read.
func (rr respReader) line() ([]byte, error) {
	b, err := rr.r.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	if len(b) < 3 || b[len(b)-2] != '\r' {
		return nil, fmt.Errorf("bad RESP line %q", b)
	}
	return b[:len(b)-2], nil
}

// header reads a line starting with prefix and returns its integer.
func (rr respReader) header(prefix byte) (int, error) {
	b, err := rr.line()
	if err != nil {
		return 0, err
	}
	if b[0] != prefix {
		return 0, fmt.Errorf("want %c, got %q", prefix, b)
	}
	n := 0
	for _, c := range b[1:] {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("bad length %q", b)
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

// skipBulk reads a bulk string and returns its length.
func (rr respReader) skipBulk() (int, error) {
	n, err := rr.header('$')
	if err != nil {
		return 0, err
	}
	if _, err := rr.r.Discard(n + 2); err != nil {
		return 0, err
	}
	return n, nil
}

// push reads one push (an array of bulk strings and integers) and returns
// the length of its last element when it is a bulk string.
func (rr respReader) push() (int, error) {
	n, err := rr.header('*')
	if err != nil {
		return 0, err
	}
	last := 0
	for range n {
		c, err := rr.r.Peek(1)
		if err != nil {
			return 0, err
		}
		if c[0] == ':' {
			if _, err := rr.line(); err != nil {
				return 0, err
			}
			last = 0
			continue
		}
		if last, err = rr.skipBulk(); err != nil {
			return 0, err
		}
	}
	return last, nil
}

// runRESP runs the fan-out over TCP against addr.
func runRESP(name, addr string, n int) (result, error) {
	prog := make(progress, *flagSubs)
	errc := make(chan error, *flagSubs+1)
	conns := make([]net.Conn, *flagSubs)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	var wg sync.WaitGroup
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return result{}, err
		}
		conns[i] = c
		if _, err := io.WriteString(c, "*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\n"+channel+"\r\n"); err != nil {
			return result{}, err
		}
		rr := respReader{bufio.NewReaderSize(c, 64<<10)}
		if _, err := rr.push(); err != nil { // subscribe confirmation
			return result{}, fmt.Errorf("subscribe: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var got int64
			for got < int64(n) {
				size, err := rr.push()
				if err != nil {
					errc <- fmt.Errorf("subscriber %d: %w", i, err)
					return
				}
				if size != *flagSize {
					errc <- fmt.Errorf("subscriber %d: payload of %d bytes", i, size)
					return
				}
				got++
				prog[i].n.Store(got)
			}
		}()
	}
	pc, err := net.Dial("tcp", addr)
	if err != nil {
		return result{}, err
	}
	defer pc.Close()
	cmd := fmt.Sprintf("*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n",
		len(channel), channel, *flagSize, make([]byte, *flagSize))
	batch := make([]byte, 0, len(cmd)**flagBatch)
	for range *flagBatch {
		batch = append(batch, cmd...)
	}
	reply := ":" + strconv.Itoa(*flagSubs)
	pr := respReader{bufio.NewReader(pc)}
	window := int64(*flagWindow)
	r, err := measure(name, n, func() error {
		for sent := 0; sent < n; {
			k := min(*flagBatch, n-sent)
			for int64(sent)-prog.slowest() > window {
				runtime.Gosched()
			}
			if _, err := pc.Write(batch[:k*len(cmd)]); err != nil {
				return err
			}
			for range k {
				b, err := pr.line()
				if err != nil {
					return err
				}
				if string(b) != reply {
					return fmt.Errorf("PUBLISH replied %q, want %q", b, reply)
				}
			}
			sent += k
		}
		return prog.waitFor(int64(n), errc)
	})
	for _, c := range conns {
		c.Close()
	}
	wg.Wait()
	return r, err
}

// runKevyRESP serves an in-memory kevy on 127.0.0.1:0.
func runKevyRESP(n int) (result, error) {
	db, err := kevy.Open("", nil)
	if err != nil {
		return result{}, err
	}
	defer db.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	srv := server.New(db, &server.Config{PubSubHardLimit: -1, PubSubSoftLimit: -1})
	go srv.Serve(l)
	defer srv.Close()
	return runRESP("kevy serve, RESP", l.Addr().String(), n)
}

// runRedis starts redis-server on a free loopback port.
func runRedis(n int) (result, error) {
	name := "redis-server 7, RESP"
	if *flagRedis == "" {
		return result{name: name, skipped: "-redis empty"}, nil
	}
	bin, err := exec.LookPath(*flagRedis)
	if err != nil {
		return result{name: name, skipped: "no " + *flagRedis}, nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	addr := l.Addr().(*net.TCPAddr)
	l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(addr.Port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--client-output-buffer-limit", "pubsub 0 0 0")
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	for deadline := time.Now().Add(5 * time.Second); ; {
		c, err := net.Dial("tcp", addr.String())
		if err == nil {
			_, err = io.WriteString(c, "PING\r\n")
			if err == nil {
				var b []byte
				b, err = respReader{bufio.NewReader(c)}.line()
				if err == nil && string(b) != "+PONG" {
					err = fmt.Errorf("PING: %q", b)
				}
			}
			c.Close()
			if err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			return result{}, fmt.Errorf("redis-server did not start: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r, err := runRESP(name, addr.String(), n)
	return r, err
}

func main() {
	flag.Parse()
	if *flagSubs < 1 || *flagSize < 1 || *flagN < 1 || *flagNResp < 1 || *flagBatch < 1 || *flagWindow < *flagBatch {
		fmt.Fprintln(os.Stderr, "pubsub: -subs, -size, -n, -nresp, -batch must be positive and -window ≥ -batch")
		os.Exit(2)
	}
	cases := []struct {
		run func(int) (result, error)
		n   int
	}{
		{runKevy, *flagN},
		{runChan, *flagN},
		{runKevyRESP, *flagNResp},
		{runRedis, *flagNResp},
	}
	fmt.Printf("1 publisher → %d subscribers, %d-byte payloads, GOMAXPROCS=%d, %s\n",
		*flagSubs, *flagSize, runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Printf("%-24s %10s %12s %8s %12s %16s %15s\n",
		"case", "published", "delivered", "seconds", "delivered/s", "allocs/delivery", "allocs/publish")
	failed := false
	for range *flagCount {
		for _, c := range cases {
			r, err := c.run(c.n)
			if err != nil {
				fmt.Fprintf(os.Stderr, "pubsub: %s: %v\n", r.name, err)
				failed = true
				continue
			}
			if r.skipped != "" {
				fmt.Printf("%-24s skipped: %s\n", r.name, r.skipped)
				continue
			}
			perDelivery, perPublish := "n/a", "n/a"
			if r.name != "redis-server 7, RESP" {
				perDelivery = strconv.FormatFloat(float64(r.mallocs)/r.delivered(), 'f', 4, 64)
				perPublish = strconv.FormatFloat(float64(r.mallocs)/float64(r.msgs), 'f', 2, 64)
			}
			fmt.Printf("%-24s %10d %12.0f %8.3f %12s %16s %15s\n", r.name, r.msgs, r.delivered(),
				r.elapsed.Seconds(), human(r.delivered()/r.elapsed.Seconds()), perDelivery, perPublish)
		}
	}
	if failed {
		os.Exit(1)
	}
}

// human formats a rate as 12.3 M.
func human(v float64) string {
	switch {
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 2, 64) + " M"
	case v >= 1e3:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + " k"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}
