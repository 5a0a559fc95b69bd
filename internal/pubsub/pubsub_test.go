package pubsub

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

func newSubT(t testing.TB, b *Bus, o SubOptions) *Sub {
	t.Helper()
	s, err := b.NewSub(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func subscribe(t testing.TB, s *Sub, mode Mode, names ...string) []Change {
	t.Helper()
	ch, err := s.Subscribe(mode, names, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// drainAll returns every queued message.
func drainAll(s *Sub) []*Message {
	var out []*Message
	buf := make([]*Message, 7) // odd size: exercises partial drains
	for {
		n := s.Drain(buf)
		if n == 0 {
			return out
		}
		out = append(out, buf[:n]...)
	}
}

// describe renders messages as "kind pattern channel payload" lines.
func describe(ms []*Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = fmt.Sprintf("%s|%s|%s|%s", m.Kind, m.Pattern, m.Channel, m.Payload)
	}
	return out
}

// TestRedisSession replays a redis-cli session recorded against Redis
// 7.0.15: the counts in (un)subscribe replies and PUBLISH results. Redis
// unsubscribes "all channels" in hash order; kevy uses subscription order,
// so only those lines differ in name order (the counts are the same).
func TestRedisSession(t *testing.T) {
	b := New()
	a := newSubT(t, b, SubOptions{})
	type step struct {
		op    string // sub, unsub, pub, spub
		mode  Mode
		names []string
		want  []Change // for sub/unsub
		n     int      // for pub: receivers
	}
	steps := []step{
		{op: "sub", mode: ModePattern, names: []string{"*"}, want: []Change{{"*", 1}}},
		{op: "sub", mode: ModeChannel, names: []string{""}, want: []Change{{"", 2}}},
		// "*" does not match the empty channel.
		{op: "pub", names: []string{"", "x"}, n: 1},
		{op: "sub", mode: ModeChannel, names: []string{"c", "c", "d"}, want: []Change{{"c", 3}, {"c", 3}, {"d", 4}}},
		{op: "sub", mode: ModePattern, names: []string{"c*", "c*"}, want: []Change{{"c*", 5}, {"c*", 5}}},
		{op: "pub", names: []string{"c", "hi"}, n: 3},
		{op: "sub", mode: ModeShard, names: []string{"s1", "s2", "s1"}, want: []Change{{"s1", 1}, {"s2", 2}, {"s1", 2}}},
		{op: "spub", names: []string{"s1", "m"}, n: 1},
		{op: "spub", names: []string{"c", "m"}, n: 0}, // shard namespace is separate
		{op: "pub", names: []string{"s1", "m"}, n: 1}, // only the "*" pattern
		{op: "unsub", mode: ModeChannel, names: []string{"zz", "c"}, want: []Change{{"zz", 5}, {"c", 4}}},
		{op: "unsub", mode: ModeChannel, want: []Change{{"", 3}, {"d", 2}}},
		{op: "unsub", mode: ModeChannel, want: nil},
		{op: "unsub", mode: ModePattern, names: []string{"nope"}, want: []Change{{"nope", 2}}},
		{op: "unsub", mode: ModePattern, want: []Change{{"*", 1}, {"c*", 0}}},
		{op: "unsub", mode: ModePattern, want: nil},
		{op: "unsub", mode: ModeShard, names: []string{"zz"}, want: []Change{{"zz", 2}}},
		{op: "unsub", mode: ModeShard, want: []Change{{"s1", 1}, {"s2", 0}}},
		{op: "unsub", mode: ModeShard, want: nil},
		{op: "pub", names: []string{"c", "hi"}, n: 0},
	}
	for i, st := range steps {
		switch st.op {
		case "sub":
			got := subscribe(t, a, st.mode, st.names...)
			if !slices.Equal(got, st.want) {
				t.Fatalf("step %d %s %v: got %v, want %v", i, st.mode.SubscribeReply(), st.names, got, st.want)
			}
		case "unsub":
			got := a.Unsubscribe(st.mode, st.names, nil)
			if !slices.Equal(got, st.want) {
				t.Fatalf("step %d %s %v: got %v, want %v", i, st.mode.UnsubscribeReply(), st.names, got, st.want)
			}
		case "pub", "spub":
			pub := b.Publish
			if st.op == "spub" {
				pub = b.SPublish
			}
			if got := pub(st.names[0], []byte(st.names[1])); got != st.n {
				t.Fatalf("step %d %s %v = %d, want %d", i, st.op, st.names, got, st.n)
			}
		}
	}
	if a.Count(ModeChannel) != 0 || a.Count(ModeShard) != 0 || !b.Idle() {
		t.Fatalf("counts after unsubscribing everything: %d %d idle=%v", a.Count(ModeChannel), a.Count(ModeShard), b.Idle())
	}
	want := []string{
		"message|||x",
		"message||c|hi", "pmessage|*|c|hi", "pmessage|c*|c|hi",
		"smessage||s1|m",
		"pmessage|*|s1|m",
	}
	if got := describe(drainAll(a)); !slices.Equal(got, want) {
		t.Fatalf("delivered:\n%q\nwant:\n%q", got, want)
	}
}

func TestPublishFanout(t *testing.T) {
	type subSpec struct {
		channels, patterns, shards []string
	}
	tests := []struct {
		name    string
		subs    []subSpec
		shard   bool
		channel string
		want    int
		got     [][]string // per sub, "kind|pattern"
	}{
		{"nobody", []subSpec{{channels: []string{"a"}}}, false, "b", 0, [][]string{nil}},
		{"two channel subs", []subSpec{{channels: []string{"a"}}, {channels: []string{"a", "b"}}}, false, "a", 2,
			[][]string{{"message|"}, {"message|"}}},
		{"channel and patterns", []subSpec{{channels: []string{"news.it"}, patterns: []string{"news.*", "*.it", "x*"}}}, false, "news.it", 3,
			[][]string{{"message|", "pmessage|news.*", "pmessage|*.it"}}},
		{"pattern shared by two subs", []subSpec{{patterns: []string{"h?llo"}}, {patterns: []string{"h?llo", "[a-h]*"}}}, false, "hello", 3,
			[][]string{{"pmessage|h?llo"}, {"pmessage|h?llo", "pmessage|[a-h]*"}}},
		{"patterns are case-sensitive", []subSpec{{patterns: []string{"A*"}}}, false, "abc", 0, [][]string{nil}},
		{"shard channel", []subSpec{{channels: []string{"a"}, patterns: []string{"*"}, shards: []string{"a"}}}, true, "a", 1,
			[][]string{{"smessage|"}}},
		{"shard publish ignores channels", []subSpec{{channels: []string{"a"}}}, true, "a", 0, [][]string{nil}},
		{"empty channel", []subSpec{{channels: []string{""}, patterns: []string{"*", ""}}}, false, "", 2,
			[][]string{{"message|", "pmessage|"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := New()
			defer b.Close(ErrClosed)
			subs := make([]*Sub, len(tc.subs))
			for i, sp := range tc.subs {
				subs[i] = newSubT(t, b, SubOptions{})
				subscribe(t, subs[i], ModeChannel, sp.channels...)
				subscribe(t, subs[i], ModePattern, sp.patterns...)
				subscribe(t, subs[i], ModeShard, sp.shards...)
			}
			pub := b.PublishCopy
			if tc.shard {
				pub = b.SPublishCopy
			}
			payload := []byte("body")
			if n := pub(tc.channel, payload); n != tc.want {
				t.Fatalf("receivers = %d, want %d", n, tc.want)
			}
			payload[0] = 'X' // the bus copied it
			for i, s := range subs {
				var got []string
				for _, m := range drainAll(s) {
					if m.Channel != tc.channel || string(m.Payload) != "body" {
						t.Fatalf("sub %d got %+v", i, m)
					}
					got = append(got, m.Kind+"|"+m.Pattern)
				}
				if !slices.Equal(got, tc.got[i]) {
					t.Fatalf("sub %d got %q, want %q", i, got, tc.got[i])
				}
			}
		})
	}
}

// TestSharedMessage checks that every receiver gets the same *Message.
func TestSharedMessage(t *testing.T) {
	b := New()
	s1, s2 := newSubT(t, b, SubOptions{}), newSubT(t, b, SubOptions{})
	subscribe(t, s1, ModeChannel, "c")
	subscribe(t, s2, ModeChannel, "c")
	b.Publish("c", []byte("x"))
	m1, m2 := drainAll(s1), drainAll(s2)
	if len(m1) != 1 || len(m2) != 1 || m1[0] != m2[0] {
		t.Fatalf("messages not shared: %v %v", m1, m2)
	}
}

func TestIntrospection(t *testing.T) {
	b := New()
	s1, s2 := newSubT(t, b, SubOptions{}), newSubT(t, b, SubOptions{})
	subscribe(t, s1, ModeChannel, "a", "ab", "")
	subscribe(t, s2, ModeChannel, "a")
	subscribe(t, s1, ModePattern, "p*", "q")
	subscribe(t, s2, ModePattern, "p*")
	subscribe(t, s2, ModeShard, "sh1", "sh2")
	star, aStar := "*", "a*"
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"NumPat distinct patterns", b.NumPat(), 2},
		{"NumSub a", b.NumSub("a", false), 2},
		{"NumSub ab", b.NumSub("ab", false), 1},
		{"NumSub missing", b.NumSub("zz", false), 0},
		{"NumSub shard in channel space", b.NumSub("sh1", false), 0},
		{"ShardNumSub", b.NumSub("sh1", true), 1},
		{"Channels all", sorted(b.Channels(nil, nil, false)), []string{"", "a", "ab"}},
		{"Channels * skips empty", sorted(b.Channels(nil, &star, false)), []string{"a", "ab"}},
		{"Channels a*", sorted(b.Channels(nil, &aStar, false)), []string{"a", "ab"}},
		{"ShardChannels", sorted(b.Channels(nil, nil, true)), []string{"sh1", "sh2"}},
		{"Subscriptions order", s1.Subscriptions(ModeChannel, nil), []string{"a", "ab", ""}},
		{"Count", s1.Count(ModePattern), 5},
	}
	for _, tc := range tests {
		if fmt.Sprint(tc.got) != fmt.Sprint(tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	s1.Close()
	if b.NumPat() != 1 || b.NumSub("a", false) != 1 || b.NumSub("ab", false) != 0 {
		t.Fatalf("after close: numpat %d numsub a %d ab %d", b.NumPat(), b.NumSub("a", false), b.NumSub("ab", false))
	}
}

func sorted(s []string) []string { slices.Sort(s); return s }

func TestOrderingSinglePublisher(t *testing.T) {
	b := New()
	const n = 5000
	subs := make([]*Sub, 4)
	for i := range subs {
		subs[i] = newSubT(t, b, SubOptions{Buffer: n})
		subscribe(t, subs[i], ModeChannel, "c")
	}
	for i := range n {
		b.Publish("c", []byte(fmt.Sprint(i)))
	}
	for _, s := range subs {
		ms := drainAll(s)
		if len(ms) != n {
			t.Fatalf("got %d messages", len(ms))
		}
		for i, m := range ms {
			if string(m.Payload) != fmt.Sprint(i) {
				t.Fatalf("message %d is %q", i, m.Payload)
			}
		}
	}
}

func TestCloseReasons(t *testing.T) {
	reason := errors.New("custom")
	tests := []struct {
		name  string
		close func(b *Bus, s *Sub)
		want  error
	}{
		{"Close", func(_ *Bus, s *Sub) { s.Close() }, ErrClosed},
		{"CloseWith", func(_ *Bus, s *Sub) { s.CloseWith(reason) }, reason},
		{"Bus.Close", func(b *Bus, _ *Sub) { b.Close(reason) }, reason},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := New()
			s := newSubT(t, b, SubOptions{})
			subscribe(t, s, ModeChannel, "c")
			subscribe(t, s, ModePattern, "*")
			b.Publish("c", []byte("queued"))
			waited := make(chan error)
			go func() {
				buf := make([]*Message, 4)
				for s.Drain(buf) > 0 {
				}
				<-s.Done()
				waited <- s.Err()
			}()
			tc.close(b, s)
			if err := <-waited; !errors.Is(err, tc.want) {
				t.Fatalf("Err = %v, want %v", err, tc.want)
			}
			if !s.Closed() || s.Len() != 0 || s.Drain(make([]*Message, 1)) != 0 {
				t.Fatal("closed sub still has messages")
			}
			if n := b.Publish("c", []byte("late")); n != 0 {
				t.Fatalf("publish after close reached %d", n)
			}
			if !b.Idle() {
				t.Fatal("closed sub still subscribed")
			}
			if _, err := s.Subscribe(ModeChannel, []string{"x"}, nil); !errors.Is(err, tc.want) {
				t.Fatalf("Subscribe after close: %v", err)
			}
			if s.CloseWith(errors.New("again")) || !errors.Is(s.Err(), tc.want) {
				t.Fatal("second close changed the reason")
			}
		})
	}
}

func TestBusClosedRefusesSubs(t *testing.T) {
	b := New()
	b.Close(ErrClosed)
	b.Close(errors.New("twice")) // idempotent
	if _, err := b.NewSub(SubOptions{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("NewSub on closed bus: %v", err)
	}
}

// waitFor polls cond, yielding, for up to 10 s of wall time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
	}
}

func TestSlowSubscriberPolicies(t *testing.T) {
	tests := []struct {
		name     string
		opts     SubOptions
		payload  int
		counts   []int // receivers reported for publishes 1..len
		queued   int
		dropped  uint64
		closeErr error
	}{
		{"disconnect on count", SubOptions{Buffer: 3}, 1, []int{1, 1, 1, 1, 0, 0}, 0, 0, ErrSlowSubscriber},
		{"drop newest on count", SubOptions{Buffer: 3, Policy: PolicyDropNewest}, 1, []int{1, 1, 1, 1, 1, 1}, 3, 3, nil},
		// Each message is 1 (channel) + 10 bytes.
		{"disconnect on bytes", SubOptions{MaxBytes: 25}, 10, []int{1, 1, 1, 0}, 0, 0, ErrSlowSubscriber},
		{"drop newest on bytes", SubOptions{MaxBytes: 25, Policy: PolicyDropNewest}, 10, []int{1, 1, 1, 1}, 2, 2, nil},
		{"message bigger than MaxBytes", SubOptions{MaxBytes: 5, Policy: PolicyDropNewest}, 10, []int{1}, 0, 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := New()
			s := newSubT(t, b, tc.opts)
			other := newSubT(t, b, SubOptions{Buffer: 100})
			subscribe(t, s, ModeChannel, "c")
			subscribe(t, other, ModeChannel, "d")
			for i, want := range tc.counts {
				if got := b.Publish("c", make([]byte, tc.payload)); got != want {
					t.Fatalf("publish %d reached %d, want %d", i, got, want)
				}
				b.Publish("d", nil)
			}
			if s.Len() != tc.queued || s.Dropped() != tc.dropped || !errors.Is(s.Err(), tc.closeErr) {
				t.Fatalf("len %d dropped %d err %v; want %d %d %v", s.Len(), s.Dropped(), s.Err(), tc.queued, tc.dropped, tc.closeErr)
			}
			if tc.closeErr != nil {
				waitFor(t, "detach", func() bool { return b.NumSub("c", false) == 0 })
			}
			// The other subscriber is unaffected.
			if n := len(drainAll(other)); n != len(tc.counts) {
				t.Fatalf("other subscriber got %d", n)
			}
			if tc.opts.MaxBytes > 0 && tc.closeErr == nil {
				drainAll(s)
				s.mu.Lock()
				bytes := s.bytes
				s.mu.Unlock()
				if bytes != 0 {
					t.Fatalf("byte accounting left %d", bytes)
				}
			}
		})
	}
}

// TestRingModel interleaves publishes and drains on a small queue and
// checks the contents against a plain slice model.
func TestRingModel(t *testing.T) {
	for _, limit := range []int{1, 5, 16, 17, 100} {
		b := New()
		s := newSubT(t, b, SubOptions{Buffer: limit, Policy: PolicyDropNewest})
		subscribe(t, s, ModeChannel, "c")
		var model []string
		var dropped uint64
		buf := make([]*Message, 3)
		next := 0
		for round := range 400 {
			for range round % 7 {
				p := fmt.Sprint(next)
				next++
				b.Publish("c", []byte(p))
				if len(model) < limit {
					model = append(model, p)
				} else {
					dropped++
				}
			}
			if round%3 != 0 {
				n := s.Drain(buf[:round%4])
				for _, m := range buf[:n] {
					if len(model) == 0 || string(m.Payload) != model[0] {
						t.Fatalf("limit %d: drained %q, model %v", limit, m.Payload, model)
					}
					model = model[1:]
				}
			}
			if s.Len() != len(model) || s.Dropped() != dropped {
				t.Fatalf("limit %d: len %d dropped %d, model %d %d", limit, s.Len(), s.Dropped(), len(model), dropped)
			}
		}
		if c := len(s.ring); c > max(minRing, limit) && c >= 2*limit {
			t.Fatalf("limit %d: ring grew to %d", limit, c)
		}
	}
}

// TestBoundedMemory publishes 64 MiB to a subscriber that never reads:
// the heap must stay near its 1024-message limit while the publisher goes
// on.
func TestBoundedMemory(t *testing.T) {
	for _, policy := range []Policy{PolicyDropNewest, PolicyDisconnect} {
		b := New()
		s := newSubT(t, b, SubOptions{Policy: policy})
		subscribe(t, s, ModeChannel, "c")
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		payload := make([]byte, 4096)
		for range 16384 {
			b.PublishCopy("c", payload)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
		// 1024 queued messages of 4 KiB = 4 MiB; allow slack for the GC.
		if grown > 8<<20 {
			t.Fatalf("policy %d: heap grew by %d bytes", policy, grown)
		}
		if policy == PolicyDropNewest && (s.Len() != DefaultBuffer || s.Dropped() != 16384-DefaultBuffer) {
			t.Fatalf("len %d dropped %d", s.Len(), s.Dropped())
		}
		if policy == PolicyDisconnect && !errors.Is(s.Err(), ErrSlowSubscriber) {
			t.Fatalf("Err = %v", s.Err())
		}
		runtime.KeepAlive(s)
	}
}

func TestReadyWakesConsumer(t *testing.T) {
	b := New()
	s := newSubT(t, b, SubOptions{})
	subscribe(t, s, ModeChannel, "c")
	const n = 1000
	got := make(chan []string)
	go func() {
		var out []string
		buf := make([]*Message, 16)
		for len(out) < n {
			k := s.Drain(buf)
			for _, m := range buf[:k] {
				out = append(out, string(m.Payload))
			}
			if k == 0 {
				<-s.Ready()
			}
		}
		got <- out
	}()
	for i := range n {
		b.Publish("c", []byte(fmt.Sprint(i)))
		if i%10 == 0 {
			runtime.Gosched() // let the consumer catch up and wait
		}
	}
	out := <-got
	for i, p := range out {
		if p != fmt.Sprint(i) {
			t.Fatalf("message %d is %s", i, p)
		}
	}
}

func TestPublishAllocations(t *testing.T) {
	b := New()
	payload := []byte("0123456789abcdef")
	if a := testing.AllocsPerRun(100, func() { b.PublishCopy("c", payload) }); a != 0 {
		t.Fatalf("publish with no subscriber: %v allocs", a)
	}
	idle := newSubT(t, b, SubOptions{})
	subscribe(t, idle, ModeChannel, "other")
	if a := testing.AllocsPerRun(100, func() { b.PublishCopy("c", payload) }); a != 0 {
		t.Fatalf("publish to a channel nobody listens to: %v allocs", a)
	}
	subs := make([]*Sub, 10)
	for i := range subs {
		subs[i] = newSubT(t, b, SubOptions{Buffer: 100000, Policy: PolicyDropNewest})
		subscribe(t, subs[i], ModeChannel, "c")
	}
	// Fill the rings first so that growth is not counted.
	for range 100000 {
		b.Publish("c", payload)
	}
	buf := make([]*Message, 1024)
	for _, s := range subs {
		for s.Drain(buf) > 0 {
		}
	}
	tests := []struct {
		name string
		pub  func()
		want float64
	}{
		{"owned: one Message for 10 receivers", func() { b.Publish("c", payload) }, 1},
		{"copy: Message and one buffer", func() { b.PublishCopy("c", payload) }, 2},
	}
	for _, tc := range tests {
		if a := testing.AllocsPerRun(1000, tc.pub); a != tc.want {
			t.Errorf("%s: %v allocs, want %v", tc.name, a, tc.want)
		}
		for _, s := range subs {
			for s.Drain(buf) > 0 {
			}
		}
	}
}

// TestConcurrentRace runs publishers, draining subscribers and
// subscription churn together (meant for -race). Stable subscribers must
// see each publisher's messages in order with no loss.
func TestConcurrentRace(t *testing.T) {
	b := New()
	const publishers, perPub, stable = 4, 3000, 3
	var wg sync.WaitGroup
	results := make([][]*Message, stable)
	ready := make(chan struct{})
	for i := range stable {
		s := newSubT(t, b, SubOptions{Buffer: publishers * perPub})
		subscribe(t, s, ModeChannel, "c")
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			buf := make([]*Message, 64)
			for len(results[i]) < publishers*perPub {
				n := s.Drain(buf)
				results[i] = append(results[i], buf[:n]...)
				if n == 0 {
					<-s.Ready()
				}
			}
		}()
	}
	stop := make(chan struct{})
	var churn sync.WaitGroup
	for i := range 3 {
		churn.Add(1)
		go func() {
			defer churn.Done()
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				s, err := b.NewSub(SubOptions{Buffer: 4, Policy: Policy(k % 2)})
				if err != nil {
					t.Error(err)
					return
				}
				s.Subscribe(ModeChannel, []string{"c", fmt.Sprint("x", i)}, nil)
				s.Subscribe(ModePattern, []string{"c*", "*"}, nil)
				s.Subscribe(ModeShard, []string{"c"}, nil)
				s.Drain(make([]*Message, 2))
				b.NumPat()
				b.Channels(nil, nil, false)
				s.Unsubscribe(ModePattern, nil, nil)
				if k%3 == 0 {
					s.Unsubscribe(ModeChannel, []string{"c"}, nil)
				}
				s.Close()
			}
		}()
	}
	close(ready)
	var pubs sync.WaitGroup
	for p := range publishers {
		pubs.Add(1)
		go func() {
			defer pubs.Done()
			for i := range perPub {
				b.PublishCopy("c", fmt.Appendf(nil, "%d:%d", p, i))
				b.SPublish("c", nil)
			}
		}()
	}
	pubs.Wait()
	wg.Wait()
	close(stop)
	churn.Wait()
	for i, ms := range results {
		next := make([]int, publishers)
		for _, m := range ms {
			var p, k int
			if _, err := fmt.Sscanf(string(m.Payload), "%d:%d", &p, &k); err != nil {
				t.Fatal(err)
			}
			if k != next[p] {
				t.Fatalf("sub %d: publisher %d message %d arrived when %d was expected", i, p, k, next[p])
			}
			next[p]++
		}
	}
	b.Close(ErrClosed)
	waitFor(t, "idle bus", b.Idle)
}

func TestSubByteAccounting(t *testing.T) {
	b := New()
	s, err := b.NewSub(SubOptions{MaxBytes: 100, Overhead: 10, SoftBytes: 30})
	if err != nil {
		t.Fatal(err)
	}
	s.Subscribe(ModeChannel, []string{"ch"}, nil)
	s.Subscribe(ModePattern, []string{"c*"}, nil)
	if ch, pat, sh := s.Counts(); ch != 1 || pat != 1 || sh != 0 {
		t.Fatalf("Counts = %d %d %d", ch, pat, sh)
	}
	select {
	case <-s.Soft():
		t.Fatal("soft signal before any message")
	default:
	}
	// One publish: a message (2+3+10) and a pmessage (2+2+3+10).
	b.Publish("ch", []byte("abc"))
	if got := s.Bytes(); got != 15+17 {
		t.Fatalf("Bytes = %d, want 32", got)
	}
	select {
	case <-s.Soft():
	default:
		t.Fatal("no soft signal after crossing SoftBytes")
	}
	buf := make([]*Message, 8)
	if n := s.Drain(buf); n != 2 || s.Bytes() != 0 {
		t.Fatalf("Drain = %d, Bytes = %d", n, s.Bytes())
	}
	// Over MaxBytes: 7 publishes of 32 bytes exceed 100.
	for range 7 {
		b.Publish("ch", []byte("abc"))
	}
	if !s.Closed() || s.Err() != ErrSlowSubscriber {
		t.Fatalf("closed=%v err=%v, want ErrSlowSubscriber", s.Closed(), s.Err())
	}
}

// TestSubSetByteLimits: limits set on a Sub that counted nothing count
// the messages already queued; a soft limit lowered under the queue
// signals at once; a lowered hard limit closes the Sub at the next
// message over it.
func TestSubSetByteLimits(t *testing.T) {
	b := New()
	s, err := b.NewSub(SubOptions{Overhead: 10})
	if err != nil {
		t.Fatal(err)
	}
	s.Subscribe(ModeChannel, []string{"ch"}, nil)
	b.Publish("ch", []byte("abc")) // 2+3+10 bytes
	b.Publish("ch", []byte("abc"))
	if got := s.Bytes(); got != 0 {
		t.Fatalf("Bytes = %d without limits, want 0 (not counted)", got)
	}
	s.SetByteLimits(1000, 20)
	if got := s.Bytes(); got != 30 {
		t.Fatalf("Bytes = %d after SetByteLimits, want 30", got)
	}
	select {
	case <-s.Soft():
	default:
		t.Fatal("no soft signal for a queue already over the new soft limit")
	}
	s.SetByteLimits(40, 0)
	b.Publish("ch", []byte("abc"))
	if !s.Closed() || s.Err() != ErrSlowSubscriber {
		t.Fatalf("closed=%v err=%v, want ErrSlowSubscriber over the lowered hard limit", s.Closed(), s.Err())
	}
	s2, _ := b.NewSub(SubOptions{MaxBytes: 100, Overhead: 10})
	s2.Subscribe(ModeChannel, []string{"ch"}, nil)
	b.Publish("ch", []byte("abc"))
	s2.SetByteLimits(0, 0)
	if got := s2.Bytes(); got != 0 {
		t.Fatalf("Bytes = %d with no limits left, want 0", got)
	}
	for range 20 {
		b.Publish("ch", []byte("abc"))
	}
	if s2.Closed() {
		t.Fatal("closed with no limit")
	}
	buf := make([]*Message, 32)
	if n := s2.Drain(buf); n != 21 {
		t.Fatalf("Drain = %d, want 21", n)
	}
}
