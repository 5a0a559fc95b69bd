package kevy_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/pubsub"
)

// recv receives one message or fails the test; ctx bounds the wait so a
// broken implementation fails instead of hanging.
func recv(t *testing.T, s *kevy.Subscription) *kevy.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := s.Receive(ctx)
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return m
}

// empty asserts that nothing is buffered.
func empty(t *testing.T, s *kevy.Subscription) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if m, err := s.Receive(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("unexpected message %+v (%v)", m, err)
	}
}

func mustPublish(t *testing.T, db *kevy.DB, channel, msg string, want int) {
	t.Helper()
	n, err := db.Publish(channel, []byte(msg))
	if err != nil || n != want {
		t.Fatalf("Publish(%q) = %d, %v; want %d", channel, n, err, want)
	}
}

func TestPubSubDelivery(t *testing.T) {
	db := openTest(t, nil)
	ctx := context.Background()
	chSub, err := db.Subscribe(ctx, "news", "")
	if err != nil {
		t.Fatal(err)
	}
	defer chSub.Close()
	patSub, err := db.PSubscribe(ctx, "n*", "*")
	if err != nil {
		t.Fatal(err)
	}
	defer patSub.Close()
	shSub, err := db.SSubscribe(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	defer shSub.Close()

	tests := []struct {
		shard   bool
		channel string
		n       int
		// want lists the messages each subscription receives, as
		// "kind pattern".
		chWant, patWant, shWant []string
	}{
		{false, "news", 3, []string{"message "}, []string{"pmessage n*", "pmessage *"}, nil},
		{false, "other", 1, nil, []string{"pmessage *"}, nil},
		{false, "", 1, []string{"message "}, nil, nil}, // "*" does not match ""
		{true, "news", 1, nil, nil, []string{"smessage "}},
		{true, "nobody", 0, nil, nil, nil},
	}
	for i, tc := range tests {
		payload := []byte(fmt.Sprint("payload", i))
		pub := db.Publish
		if tc.shard {
			pub = db.SPublish
		}
		n, err := pub(tc.channel, payload)
		if err != nil || n != tc.n {
			t.Fatalf("case %d: publish = %d, %v; want %d", i, n, err, tc.n)
		}
		payload[0] = 'X' // kevy copied it
		for _, c := range []struct {
			s    *kevy.Subscription
			want []string
		}{{chSub, tc.chWant}, {patSub, tc.patWant}, {shSub, tc.shWant}} {
			for _, w := range c.want {
				m := recv(t, c.s)
				if got := m.Kind + " " + m.Pattern; got != w || m.Channel != tc.channel || string(m.Payload) != fmt.Sprint("payload", i) {
					t.Fatalf("case %d: got %q %+v, want %q", i, got, m, w)
				}
			}
			empty(t, c.s)
		}
	}
}

func TestPubSubChangeSet(t *testing.T) {
	db := openTest(t, nil)
	ctx := context.Background()
	s, err := db.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	steps := []struct {
		do       func() error
		channels []string
		patterns []string
		numsub   int64 // PUBSUB NUMSUB a
		numpat   int64
	}{
		{func() error { return s.Subscribe("a", "b", "a") }, []string{"a", "b"}, nil, 1, 0},
		{func() error { return s.PSubscribe("x*", "y*") }, []string{"a", "b"}, []string{"x*", "y*"}, 1, 2},
		{func() error { return s.Unsubscribe("a", "zz") }, []string{"b"}, []string{"x*", "y*"}, 0, 2},
		{func() error { return s.PUnsubscribe("y*") }, []string{"b"}, []string{"x*"}, 0, 1},
		{func() error { return s.Subscribe("c") }, []string{"b", "c"}, []string{"x*"}, 0, 1},
		{func() error { return s.Unsubscribe() }, nil, []string{"x*"}, 0, 1},
		{func() error { return s.PUnsubscribe() }, nil, nil, 0, 0},
	}
	for i, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := s.Channels(); !slices.Equal(got, st.channels) {
			t.Fatalf("step %d: channels %q, want %q", i, got, st.channels)
		}
		if got := s.Patterns(); !slices.Equal(got, st.patterns) {
			t.Fatalf("step %d: patterns %q, want %q", i, got, st.patterns)
		}
		v, err := db.Do(ctx, "PUBSUB", "NUMSUB", "a")
		if err != nil || v.String() != fmt.Sprintf("[a %d]", st.numsub) {
			t.Fatalf("step %d: NUMSUB = %v, %v; want %d", i, v, err, st.numsub)
		}
		v, err = db.Do(ctx, "PUBSUB", "NUMPAT")
		if n, _ := v.Int(); err != nil || n != st.numpat {
			t.Fatalf("step %d: NUMPAT = %v, %v; want %d", i, v, err, st.numpat)
		}
	}
	if err := s.SSubscribe("s1"); err != nil || !slices.Equal(s.ShardChannels(), []string{"s1"}) {
		t.Fatalf("SSubscribe: %v %q", err, s.ShardChannels())
	}
	if err := s.SUnsubscribe(); err != nil || len(s.ShardChannels()) != 0 {
		t.Fatalf("SUnsubscribe: %v %q", err, s.ShardChannels())
	}
}

// TestPubSubThroughDo: PUBLISH through Do reaches Go subscribers.
func TestPubSubThroughDo(t *testing.T) {
	db := openTest(t, nil)
	ctx := context.Background()
	s, _ := db.Subscribe(ctx, "c")
	defer s.Close()
	v, err := db.Do(ctx, "PUBLISH", "c", "hello")
	if n, _ := v.Int(); err != nil || n != 1 {
		t.Fatalf("PUBLISH = %v, %v", v, err)
	}
	if m := recv(t, s); m.Channel != "c" || string(m.Payload) != "hello" || m.Kind != "message" {
		t.Fatalf("got %+v", m)
	}
	v, err = db.Do(ctx, "PUBSUB", "CHANNELS")
	if err != nil || v.String() != "[c]" {
		t.Fatalf("PUBSUB CHANNELS = %v, %v", v, err)
	}
	// Pub/sub ignores the logical database, as in Redis.
	db3, _ := db.Database(3)
	mustPublish(t, db3, "c", "from db 3", 1)
	if m := recv(t, s); string(m.Payload) != "from db 3" {
		t.Fatalf("got %+v", m)
	}
}

func TestPubSubOrderingConcurrent(t *testing.T) {
	db := openTest(t, &kevy.Options{PubSubBuffer: 1 << 16})
	ctx := context.Background()
	const publishers, each, subscribers = 4, 2000, 3
	subs := make([]*kevy.Subscription, subscribers)
	for i := range subs {
		var err error
		if subs[i], err = db.Subscribe(ctx, "c"); err != nil {
			t.Fatal(err)
		}
		defer subs[i].Close()
	}
	var wg sync.WaitGroup
	errs := make(chan error, subscribers)
	for _, s := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := make([]int, publishers)
			for range publishers * each {
				m, err := s.Receive(ctx)
				if err != nil {
					errs <- err
					return
				}
				var p, k int
				fmt.Sscanf(string(m.Payload), "%d/%d", &p, &k)
				if k != next[p] {
					errs <- fmt.Errorf("publisher %d: got %d, want %d", p, k, next[p])
					return
				}
				next[p]++
			}
		}()
	}
	var pubs sync.WaitGroup
	for p := range publishers {
		pubs.Add(1)
		go func() {
			defer pubs.Done()
			for k := range each {
				if n, err := db.Publish("c", fmt.Appendf(nil, "%d/%d", p, k)); err != nil || n != subscribers {
					errs <- fmt.Errorf("publish: %d %v", n, err)
					return
				}
			}
		}()
	}
	pubs.Wait()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestPubSubCloseUnblocksReceivers(t *testing.T) {
	db, err := kevy.Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s1, _ := db.Subscribe(ctx, "a")
	s2, _ := db.PSubscribe(ctx, "*")
	s3, _ := db.SSubscribe(ctx, "a")
	mustPublish(t, db, "a", "buffered", 2) // discarded by the close
	results := make(chan error, 3)
	go func() {
		_, err := s1.Receive(ctx)
		_, err = s1.Receive(ctx)
		results <- err
	}()
	go func() {
		for range s2.Channel() {
		}
		results <- s2.Err()
	}()
	go func() {
		_, err := s3.Receive(ctx)
		results <- err
	}()
	db.Close()
	for range 3 {
		if err := <-results; !errors.Is(err, kevy.ErrClosed) {
			t.Fatalf("receiver ended with %v, want ErrClosed", err)
		}
	}
	if _, err := s2.Receive(ctx); !errors.Is(err, kevy.ErrClosed) {
		t.Fatalf("Receive after close: %v", err)
	}
	if _, err := db.Publish("a", nil); !errors.Is(err, kevy.ErrClosed) {
		t.Fatalf("Publish after close: %v", err)
	}
	if _, err := db.Subscribe(ctx, "a"); !errors.Is(err, kevy.ErrClosed) {
		t.Fatalf("Subscribe after close: %v", err)
	}
	if err := s1.Subscribe("b"); !errors.Is(err, kevy.ErrClosed) {
		t.Fatalf("Subscription.Subscribe after close: %v", err)
	}
}

func TestPubSubSubscriptionClose(t *testing.T) {
	db := openTest(t, nil)
	ctx := context.Background()
	s, _ := db.Subscribe(ctx, "a")
	ch := s.Channel()
	mustPublish(t, db, "a", "1", 1)
	if m := <-ch; string(m.Payload) != "1" {
		t.Fatalf("got %+v", m)
	}
	s.Close()
	s.Close() // idempotent
	if _, ok := <-ch; ok {
		t.Fatal("channel not closed")
	}
	if !errors.Is(s.Err(), kevy.ErrSubscriptionClosed) {
		t.Fatalf("Err = %v", s.Err())
	}
	mustPublish(t, db, "a", "2", 0)
	if err := s.Unsubscribe(); !errors.Is(err, kevy.ErrSubscriptionClosed) {
		t.Fatalf("Unsubscribe after close: %v", err)
	}
}

func TestPubSubContext(t *testing.T) {
	db := openTest(t, nil)
	subCtx, cancel := context.WithCancel(context.Background())
	s, err := db.Subscribe(subCtx, "a")
	if err != nil {
		t.Fatal(err)
	}
	// A Receive context only bounds the wait.
	waitCtx, stop := context.WithCancel(context.Background())
	stop()
	if _, err := s.Receive(waitCtx); !errors.Is(err, context.Canceled) || s.Err() != nil {
		t.Fatalf("Receive with done ctx: %v, sub err %v", err, s.Err())
	}
	mustPublish(t, db, "a", "still open", 1)
	recv(t, s)
	// The Subscribe context closes the subscription.
	done := make(chan error)
	go func() {
		_, err := s.Receive(context.Background())
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Receive after cancel: %v", err)
	}
	mustPublish(t, db, "a", "gone", 0)
	ended, endCancel := context.WithCancel(context.Background())
	endCancel()
	if _, err := db.Subscribe(ended, "a"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Subscribe with done ctx: %v", err)
	}
}

func TestPubSubSlowSubscriber(t *testing.T) {
	const buffer, published = 8, 100000
	tests := []struct {
		policy   kevy.PubSubPolicy
		received int
		dropped  uint64
		err      error
	}{
		{kevy.PolicyDisconnect, 0, 0, kevy.ErrSlowSubscriber},
		{kevy.PolicyDropNewest, buffer, published - buffer, nil},
	}
	for _, tc := range tests {
		t.Run(tc.policy.String(), func(t *testing.T) {
			db := openTest(t, &kevy.Options{PubSubBuffer: buffer, PubSubPolicy: tc.policy})
			ctx := context.Background()
			slow, _ := db.Subscribe(ctx, "c")
			defer slow.Close()
			// The subscriber never reads: the publisher must go on at full
			// speed regardless, and memory must stay bounded.
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			payload := make([]byte, 1024)
			start := time.Now()
			for range published {
				if _, err := db.Publish("c", payload); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("%d publishes in %v", published, time.Since(start))
			runtime.GC()
			runtime.ReadMemStats(&after)
			// 100 MB went through; at most the buffers may remain.
			if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 4<<20 {
				t.Errorf("heap grew by %d bytes", grown)
			}
			if !errors.Is(slow.Err(), tc.err) || slow.Dropped() != tc.dropped {
				t.Fatalf("slow: err %v dropped %d; want %v %d", slow.Err(), slow.Dropped(), tc.err, tc.dropped)
			}
			n := 0
			for {
				cctx, cancel := context.WithCancel(ctx)
				cancel()
				m, err := slow.Receive(cctx)
				if err != nil {
					if !errors.Is(err, tc.err) && !errors.Is(err, context.Canceled) {
						t.Fatalf("slow Receive: %v", err)
					}
					break
				}
				if len(m.Payload) != 1024 {
					t.Fatalf("slow got %d bytes", len(m.Payload))
				}
				n++
			}
			if n != tc.received {
				t.Fatalf("slow received %d, want %d", n, tc.received)
			}
		})
	}
}

func TestPubSubOptionsValidation(t *testing.T) {
	tests := []kevy.Options{
		{PubSubBuffer: -1},
		{PubSubPolicy: kevy.PolicyDropNewest + 1},
	}
	for _, o := range tests {
		if _, err := kevy.Open("", &o); !errors.Is(err, kevy.ErrInvalidArgument) {
			t.Errorf("Open(%+v) = %v, want ErrInvalidArgument", o, err)
		}
	}
}

// TestPubSubServerHook checks the internal bridge the RESP server uses.
func TestPubSubServerHook(t *testing.T) {
	db := openTest(t, &kevy.Options{PubSubBuffer: 7, PubSubPolicy: kevy.PolicyDropNewest})
	bus, opts := pubsub.ForDB(db)
	if bus == nil || opts.Buffer != 7 || opts.Policy != pubsub.PolicyDropNewest {
		t.Fatalf("ForDB = %v %+v", bus, opts)
	}
	if b, _ := pubsub.ForDB("not a db"); b != nil {
		t.Fatal("ForDB accepted a string")
	}
	sub, _ := bus.NewSub(opts)
	sub.Subscribe(pubsub.ModeChannel, []string{"c"}, nil)
	mustPublish(t, db, "c", "x", 1)
	if sub.Len() != 1 {
		t.Fatalf("server-side sub has %d messages", sub.Len())
	}
}

// TestPubSubForgottenSubscription: a Subscription dropped without Close is
// removed from the bus by the garbage collector.
func TestPubSubForgottenSubscription(t *testing.T) {
	db := openTest(t, nil)
	func() {
		db.Subscribe(context.Background(), "lost")
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		if n, _ := db.Publish("lost", nil); n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("forgotten subscription still receives")
		}
		runtime.Gosched()
	}
}

// Benchmark: one publisher, 50 subscribers, 16-byte payloads.

const (
	fanSubs    = 50
	fanPayload = 16
	fanWindow  = kevy.DefaultPubSubBuffer / 2 // in-flight bound: no drops
)

type fanCounter struct {
	n atomic.Int64
	_ [56]byte
}

// runFanout publishes b.N messages with publish, never letting the
// slowest consumer fall more than fanWindow behind (so that no message is
// dropped and the figure is delivery throughput), waits until every
// consumer has everything and reports delivered messages per second and
// allocations per delivered message.
func runFanout(b *testing.B, done []fanCounter, publish func()) {
	slowest := func() int64 {
		m := done[0].n.Load()
		for i := 1; i < len(done); i++ {
			m = min(m, done[i].n.Load())
		}
		return m
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if i%64 == 0 {
			for int64(i)-slowest() > fanWindow {
				runtime.Gosched()
			}
		}
		publish()
	}
	for slowest() < int64(b.N) {
		runtime.Gosched()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	runtime.ReadMemStats(&m1)
	delivered := float64(b.N) * float64(len(done))
	b.ReportMetric(delivered/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/delivered, "allocs/msg")
}

// BenchmarkPubSubFanout compares DB.Publish to 50 subscriptions read with
// Receive, the same read through Channel, and the baseline: 50 buffered
// Go channels written without blocking (one *Message built per publish,
// as kevy does).
func BenchmarkPubSubFanout(b *testing.B) {
	payload := make([]byte, fanPayload)
	for _, mode := range []string{"Receive", "Channel"} {
		b.Run("kevy-"+mode, func(b *testing.B) {
			db, _ := kevy.Open("", &kevy.Options{ManualExpiry: true})
			defer db.Close()
			ctx := context.Background()
			done := make([]fanCounter, fanSubs)
			var wg sync.WaitGroup
			for i := range done {
				s, _ := db.Subscribe(ctx, "bench")
				wg.Add(1)
				go func() {
					defer wg.Done()
					var got int64
					if mode == "Channel" {
						for m := range s.Channel() {
							got += int64(len(m.Payload)) / fanPayload
							done[i].n.Store(got)
						}
						return
					}
					for {
						m, err := s.Receive(ctx)
						if err != nil {
							return
						}
						got += int64(len(m.Payload)) / fanPayload
						done[i].n.Store(got)
					}
				}()
			}
			runFanout(b, done, func() { db.Publish("bench", payload) })
			db.Close()
			wg.Wait()
		})
	}
	b.Run("gochan-baseline", func(b *testing.B) {
		done := make([]fanCounter, fanSubs)
		chans := make([]chan *kevy.Message, fanSubs)
		var wg sync.WaitGroup
		for i := range chans {
			chans[i] = make(chan *kevy.Message, kevy.DefaultPubSubBuffer)
			wg.Add(1)
			go func() {
				defer wg.Done()
				var got int64
				for m := range chans[i] {
					got += int64(len(m.Payload)) / fanPayload
					done[i].n.Store(got)
				}
			}()
		}
		runFanout(b, done, func() {
			m := &kevy.Message{Channel: "bench", Payload: append([]byte(nil), payload...), Kind: "message"}
			for _, c := range chans {
				select {
				case c <- m:
				default:
				}
			}
		})
		for _, c := range chans {
			close(c)
		}
		wg.Wait()
	})
}

// BenchmarkPublishNoSubscriber is the cost of DB.Publish when nobody
// listens.
func BenchmarkPublishNoSubscriber(b *testing.B) {
	db, _ := kevy.Open("", &kevy.Options{ManualExpiry: true})
	defer db.Close()
	payload := make([]byte, fanPayload)
	b.ReportAllocs()
	for b.Loop() {
		db.Publish("bench", payload)
	}
}
