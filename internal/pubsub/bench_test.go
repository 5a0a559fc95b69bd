package pubsub

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	benchSubs    = 50
	benchPayload = 16
	// benchWindow bounds the messages in flight per subscriber (half the
	// default buffer), so the benchmark measures delivery, not drops.
	benchWindow = DefaultBuffer / 2
)

// counter is a per-consumer progress counter on its own cache line.
type counter struct {
	n atomic.Int64
	_ [56]byte
}

// fanout drives one publisher against consumers that report progress in
// done; publish(i) publishes message i. It waits whenever a consumer is
// more than benchWindow messages behind, and at the end until every
// consumer has everything, then reports delivered messages per second and
// allocations per delivered message.
func fanout(b *testing.B, done []counter, publish func(i int)) {
	slowest := func() int64 {
		m := done[0].n.Load()
		for i := range done[1:] {
			m = min(m, done[i+1].n.Load())
		}
		return m
	}
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if i%64 == 0 {
			for int64(i)-slowest() > benchWindow {
				runtime.Gosched()
			}
		}
		publish(i)
	}
	for slowest() < int64(b.N) {
		runtime.Gosched()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	runtime.ReadMemStats(&ms1)
	delivered := float64(b.N) * float64(len(done))
	b.ReportMetric(delivered/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(elapsed.Nanoseconds())/delivered, "ns/delivery")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/delivered, "allocs/delivery")
}

// BenchmarkFanout publishes 16-byte messages from one goroutine to 50
// subscribers, each drained by its own goroutine: "bus" through Bus and
// Sub.Drain, "gochan" through 50 buffered Go channels (the baseline; the
// same Message is built per publish and sent without blocking).
func BenchmarkFanout(b *testing.B) {
	payload := make([]byte, benchPayload)
	b.Run("bus", func(b *testing.B) {
		bus := New()
		defer bus.Close(ErrClosed)
		done := make([]counter, benchSubs)
		var wg sync.WaitGroup
		for i := range done {
			s, _ := bus.NewSub(SubOptions{})
			s.Subscribe(ModeChannel, []string{"bench"}, nil)
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]*Message, 64)
				var got int64
				for {
					n := s.Drain(buf)
					if n > 0 {
						for _, m := range buf[:n] {
							got += int64(len(m.Payload)) / benchPayload
						}
						done[i].n.Store(got)
						continue
					}
					select {
					case <-s.Ready():
					case <-s.Done():
						return
					}
				}
			}()
		}
		fanout(b, done, func(int) { bus.PublishCopy("bench", payload) })
		bus.Close(ErrClosed)
		wg.Wait()
	})
	b.Run("gochan", func(b *testing.B) {
		done := make([]counter, benchSubs)
		chans := make([]chan *Message, benchSubs)
		var wg sync.WaitGroup
		for i := range chans {
			chans[i] = make(chan *Message, DefaultBuffer)
			wg.Add(1)
			go func() {
				defer wg.Done()
				var got int64
				for m := range chans[i] {
					got += int64(len(m.Payload)) / benchPayload
					done[i].n.Store(got)
				}
			}()
		}
		fanout(b, done, func(int) {
			ch, p := clone("bench", payload)
			m := &Message{Channel: ch, Payload: p, Kind: KindMessage}
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

// BenchmarkPublishNoSubscriber is the cost of a publish nobody receives
// while other channels have subscribers.
func BenchmarkPublishNoSubscriber(b *testing.B) {
	bus := New()
	s, _ := bus.NewSub(SubOptions{})
	s.Subscribe(ModeChannel, []string{"other"}, nil)
	payload := make([]byte, benchPayload)
	b.ReportAllocs()
	for b.Loop() {
		bus.PublishCopy("__keyspace@0__:user:1000", payload)
	}
}

// BenchmarkPublishPatterns is a publish checked against 100 patterns, one
// of which matches.
func BenchmarkPublishPatterns(b *testing.B) {
	bus := New()
	s, _ := bus.NewSub(SubOptions{Policy: PolicyDropNewest})
	for i := range 100 {
		s.Subscribe(ModePattern, []string{"news." + string(rune('a'+i%26)) + "*" + string(rune('0'+i/26))}, nil)
	}
	s.Subscribe(ModePattern, []string{"__keyspace@0__:*"}, nil)
	payload := make([]byte, benchPayload)
	buf := make([]*Message, 1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		bus.Publish("__keyspace@0__:user:1000", payload)
		if i++; i%1000 == 0 {
			s.Drain(buf)
		}
	}
}
