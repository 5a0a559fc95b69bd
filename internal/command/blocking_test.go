package command

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/resp"
)

func init() {
	// blktest.zwait blocks until its key holds a sorted set (which it then
	// deletes), standing in for BZPOPMIN in the mixed-type queue test.
	Register(&Command{Name: "blktest.zwait", Arity: 2, Flags: FlagWrite | FlagBlocking,
		FirstKey: 1, LastKey: 1, Step: 1, Run: func(c *Ctx, args [][]byte) {
			key := Key(args[1])
			sh := c.Shard(key)
			if e := sh.LookupWrite(c.DB, key, c.Now); e != nil && e.Type() == keyspace.TypeZSet {
				sh.Unlink(c.DB, e)
				c.OK()
				return
			}
			if !c.Block(args[1:2], keyspace.TypeZSet, 0) {
				c.W.NullArray()
			}
		}})
}

// blkResult is what a blocked client's command ended with.
type blkResult struct {
	reply string
	err   error
}

// blkClient runs commands on its own session from its own goroutine.
type blkClient struct {
	s *Session
	w *resp.Writer
}

func newBlkClient(proto int) *blkClient {
	w := resp.NewWriter(nil, 0)
	w.SetProto(proto)
	return &blkClient{s: NewSession(0), w: w}
}

// start runs args in a new goroutine and delivers the outcome on the
// returned channel.
func (cl *blkClient) start(ctx context.Context, e *lsEnv, args ...string) <-chan blkResult {
	out := make(chan blkResult, 1)
	argv := lsArgv(args)
	go func() {
		err := e.eng.ExecContext(ctx, cl.s, argv, cl.w)
		out <- blkResult{string(cl.w.Bytes()), err}
	}()
	return out
}

// waitBlocked waits until n clients are blocked.
func (e *lsEnv) waitBlocked(n int) {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for e.eng.BlockedClients() != n {
		if time.Now().After(deadline) {
			e.t.Fatalf("%d clients blocked, want %d", e.eng.BlockedClients(), n)
		}
		runtime.Gosched()
	}
}

// recv returns a client's outcome, failing after a generous delay.
func recv(t testing.TB, ch <-chan blkResult) blkResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("blocked client was never served")
	}
	return blkResult{}
}

// assertIdle checks that no client is registered any more.
func (e *lsEnv) assertIdle() {
	e.t.Helper()
	if n := e.eng.BlockedClients(); n != 0 {
		e.t.Errorf("%d clients still blocked", n)
	}
	for i := range e.eng.blocking.shards {
		sh := e.ks.Shard(i)
		sh.Lock()
		n := len(e.eng.blocking.shards[i].queues)
		sh.Unlock()
		if n != 0 {
			e.t.Errorf("shard %d keeps %d wait queues", i, n)
		}
	}
}

func TestParseTimeout(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ms   int64
		errT string
	}{
		{"0", 0, ""},
		{"1", 1000, ""},
		{"0.5", 500, ""},
		{"0.001", 1, ""},
		{"0.0001", 1, ""}, // rounded up, as Redis does
		{"1e-400", 1, ""}, // a long double, not zero
		{"-0", 0, ""},
		{"-0.0001", 0, ""},
		{"0x10", 16000, ""},
		{"1e3", 1000000, ""},
		{".25", 250, ""},
		{"+2", 2000, ""},
		{"9223372036854775", 9223372036854775000, ""},
		{"-1", 0, wireTimeoutNegative},
		{"-0.5", 0, wireTimeoutNegative},
		{"inf", 0, wireTimeoutNegative},
		{"-inf", 0, wireTimeoutNegative},
		{"1e400", 0, wireTimeoutNegative},
		{"9223372036854775807", 0, wireTimeoutNegative},
		{"1e16", 0, wireTimeoutNegative},
		{"nan", 0, wireTimeoutNotFloat},
		{"abc", 0, wireTimeoutNotFloat},
		{"", 0, wireTimeoutNotFloat},
		{" 1", 0, wireTimeoutNotFloat},
		{"1 ", 0, wireTimeoutNotFloat},
		{"1e5000", 0, wireTimeoutNotFloat},
	} {
		ms, errT := ParseTimeout([]byte(tc.in))
		if ms != tc.ms || errT != tc.errT {
			t.Errorf("ParseTimeout(%q) = %d, %q; want %d, %q", tc.in, ms, errT, tc.ms, tc.errT)
		}
	}
}

func TestBlockingPopWakesOnPush(t *testing.T) {
	for _, tc := range []struct {
		block, push []string
		want        string
	}{
		{[]string{"BLPOP", "k", "0"}, []string{"RPUSH", "k", "a", "b"}, lsArr("k", "a")},
		{[]string{"BRPOP", "k", "0"}, []string{"RPUSH", "k", "a", "b"}, lsArr("k", "b")},
		{[]string{"BLMPOP", "0", "1", "k", "LEFT", "COUNT", "5"}, []string{"RPUSH", "k", "a", "b"}, "*2\r\n" + lsBulk("k") + lsArr("a", "b")},
		{[]string{"BLMPOP", "0", "1", "k", "RIGHT"}, []string{"LPUSH", "k", "a", "b"}, "*2\r\n" + lsBulk("k") + lsArr("a")},
		{[]string{"BLMOVE", "k", "d", "RIGHT", "LEFT", "0"}, []string{"LPUSH", "k", "a", "b"}, lsBulk("a")},
		{[]string{"BRPOPLPUSH", "k", "d", "0"}, []string{"RPUSH", "k", "a"}, lsBulk("a")},
		// Multiple keys: the one pushed to serves.
		{[]string{"BLPOP", "x", "k", "y", "0"}, []string{"RPUSH", "k", "v"}, lsArr("k", "v")},
		{[]string{"BLPOP", "k", "k", "k", "0"}, []string{"RPUSH", "k", "v"}, lsArr("k", "v")},
	} {
		e := newLSEnv(t, 8)
		res := newBlkClient(2).start(context.Background(), e, tc.block...)
		e.waitBlocked(1)
		e.do(tc.push...)
		if r := recv(t, res); r.reply != tc.want || r.err != nil {
			t.Errorf("%q woken by %q: %q, %v; want %q", tc.block, tc.push, r.reply, r.err, tc.want)
		}
		e.assertIdle()
	}
}

func TestBlockingTimeout(t *testing.T) {
	e := newLSEnv(t, 4)
	for _, tc := range []struct {
		args  []string
		proto int
		want  string
	}{
		{[]string{"BLPOP", "k", "0.05"}, 2, "*-1\r\n"},
		{[]string{"BRPOP", "a", "b", "0.02"}, 3, "_\r\n"},
		{[]string{"BLMOVE", "k", "d", "LEFT", "LEFT", "0.02"}, 2, "*-1\r\n"},
		{[]string{"BRPOPLPUSH", "k", "d", "0.02"}, 2, "*-1\r\n"},
		{[]string{"BLMPOP", "0.02", "2", "a", "b", "LEFT"}, 3, "_\r\n"},
	} {
		start := time.Now()
		r := recv(t, newBlkClient(tc.proto).start(context.Background(), e, tc.args...))
		if r.reply != tc.want || r.err != nil {
			t.Errorf("%q: %q, %v; want %q", tc.args, r.reply, r.err, tc.want)
		}
		if d := time.Since(start); d < 20*time.Millisecond {
			t.Errorf("%q returned after %v, before its timeout", tc.args, d)
		}
	}
	e.assertIdle()
	// A push after the timeout stays in the list.
	e.expect([2]string{"RPUSH k v", ":1\r\n"}, [2]string{"LLEN k", ":1\r\n"})
}

func TestBlockingContextCancel(t *testing.T) {
	e := newLSEnv(t, 4)
	ctx, cancel := context.WithCancel(context.Background())
	cl := newBlkClient(2)
	res := cl.start(ctx, e, "BLPOP", "k", "0")
	e.waitBlocked(1)
	cancel()
	r := recv(t, res)
	if !errors.Is(r.err, context.Canceled) || r.reply != "" {
		t.Fatalf("cancelled BLPOP: %q, %v", r.reply, r.err)
	}
	e.assertIdle()
	e.expect([2]string{"RPUSH k v", ":1\r\n"}, [2]string{"LLEN k", ":1\r\n"})

	// A deadline works the same way; the session is reusable afterwards.
	dctx, dcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer dcancel()
	r = recv(t, cl.start(dctx, e, "BLPOP", "other", "0"))
	if !errors.Is(r.err, context.DeadlineExceeded) {
		t.Fatalf("BLPOP past the context deadline: %q, %v", r.reply, r.err)
	}
	r = recv(t, cl.start(context.Background(), e, "BLPOP", "k", "0"))
	if r.reply != lsArr("k", "v") || r.err != nil {
		t.Fatalf("BLPOP on the same session afterwards: %q, %v", r.reply, r.err)
	}
	e.assertIdle()
}

func TestBlockingUnblockCauses(t *testing.T) {
	e := newLSEnv(t, 1)
	for _, tc := range []struct {
		cause error
		want  string
	}{
		{ErrUnblockTimeout, "*-1\r\n"},
		{ErrUnblockError, "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"},
	} {
		ctx, cancel := context.WithCancelCause(context.Background())
		res := newBlkClient(2).start(ctx, e, "BLPOP", "k", "0")
		e.waitBlocked(1)
		cancel(tc.cause)
		if r := recv(t, res); r.reply != tc.want || r.err != nil {
			t.Errorf("cause %v: %q, %v", tc.cause, r.reply, r.err)
		}
	}
	e.assertIdle()
}

func TestBlockingFIFO(t *testing.T) {
	e := newLSEnv(t, 8)
	const n = 5
	var res [n]<-chan blkResult
	for i := range n {
		res[i] = newBlkClient(2).start(context.Background(), e, "BLPOP", "q", "0")
		e.waitBlocked(i + 1) // registered in this order
	}
	// One push of n elements serves the waiters in arrival order.
	e.do("RPUSH", "q", "e0", "e1", "e2", "e3", "e4")
	for i := range n {
		if r := recv(t, res[i]); r.reply != lsArr("q", "e"+strconv.Itoa(i)) {
			t.Errorf("waiter %d got %q", i, r.reply)
		}
	}
	e.assertIdle()
	// One element at a time: each push serves the oldest waiter.
	for i := range n {
		res[i] = newBlkClient(2).start(context.Background(), e, "BRPOP", "q", "other", "0")
		e.waitBlocked(i + 1)
	}
	for i := range n {
		e.do("LPUSH", "q", "p"+strconv.Itoa(i))
		if r := recv(t, res[i]); r.reply != lsArr("q", "p"+strconv.Itoa(i)) {
			t.Errorf("waiter %d got %q", i, r.reply)
		}
	}
	e.assertIdle()
}

// keysInDistinctShards returns n keys that live in n different shards.
func keysInDistinctShards(ks *keyspace.Keyspace, n int) []string {
	var out []string
	used := map[int]bool{}
	for i := 0; len(out) < n; i++ {
		k := "key" + strconv.Itoa(i)
		if s := ks.ShardIndex(k); !used[s] {
			used[s] = true
			out = append(out, k)
		}
	}
	return out
}

func TestBlockingWokenByMultiKeyCommands(t *testing.T) {
	e := newLSEnv(t, 16)
	k := keysInDistinctShards(e.ks, 4)
	src, dst, other, mid := k[0], k[1], k[2], k[3]

	// LMOVE from another shard feeds a BLPOP waiting on two keys.
	e.do("RPUSH", src, "a", "b")
	res := newBlkClient(2).start(context.Background(), e, "BLPOP", other, dst, "0")
	e.waitBlocked(1)
	e.do("LMOVE", src, dst, "LEFT", "RIGHT")
	if r := recv(t, res); r.reply != lsArr(dst, "a") {
		t.Errorf("BLPOP woken by LMOVE: %q", r.reply)
	}
	// RPOPLPUSH likewise.
	res = newBlkClient(2).start(context.Background(), e, "BRPOP", dst, "0")
	e.waitBlocked(1)
	e.do("RPOPLPUSH", src, dst)
	if r := recv(t, res); r.reply != lsArr(dst, "b") {
		t.Errorf("BRPOP woken by RPOPLPUSH: %q", r.reply)
	}

	// A chain: BLMOVE src->mid is served by the push, and its push into
	// mid serves the BLPOP on mid.
	mover := newBlkClient(2).start(context.Background(), e, "BLMOVE", src, mid, "LEFT", "RIGHT", "0")
	e.waitBlocked(1)
	popper := newBlkClient(2).start(context.Background(), e, "BLPOP", mid, "0")
	e.waitBlocked(2)
	e.do("RPUSH", src, "x")
	if r := recv(t, mover); r.reply != lsBulk("x") {
		t.Errorf("BLMOVE: %q", r.reply)
	}
	if r := recv(t, popper); r.reply != lsArr(mid, "x") {
		t.Errorf("BLPOP after BLMOVE: %q", r.reply)
	}
	e.expect([2]string{"EXISTS " + src + " " + mid, ":0\r\n"})

	// Circular BRPOPLPUSH: the element ends up back in the first list.
	c1 := newBlkClient(2).start(context.Background(), e, "BRPOPLPUSH", src, dst, "0")
	e.waitBlocked(1)
	c2 := newBlkClient(2).start(context.Background(), e, "BRPOPLPUSH", dst, src, "0")
	e.waitBlocked(2)
	e.do("RPUSH", src, "foo")
	if r1, r2 := recv(t, c1), recv(t, c2); r1.reply != lsBulk("foo") || r2.reply != lsBulk("foo") {
		t.Errorf("circular BRPOPLPUSH: %q %q", r1.reply, r2.reply)
	}
	e.expect([2]string{"LRANGE " + src + " 0 -1", lsArr("foo")}, [2]string{"EXISTS " + dst, ":0\r\n"})

	// Self-referential BRPOPLPUSH.
	e.do("DEL", src)
	c1 = newBlkClient(2).start(context.Background(), e, "BRPOPLPUSH", src, src, "0")
	e.waitBlocked(1)
	e.do("RPUSH", src, "self")
	if r := recv(t, c1); r.reply != lsBulk("self") {
		t.Errorf("self BRPOPLPUSH: %q", r.reply)
	}
	e.expect([2]string{"LRANGE " + src + " 0 -1", lsArr("self")})
	e.assertIdle()
}

func TestBlockingMoveToWrongTypeReplies(t *testing.T) {
	e := newLSEnv(t, 1)
	e.do("SET", "dst", "x")
	res := newBlkClient(2).start(context.Background(), e, "BLMOVE", "src", "dst", "LEFT", "LEFT", "0")
	e.waitBlocked(1)
	e.do("RPUSH", "src", "a")
	if r := recv(t, res); r.reply != "-"+WireWrongType+"\r\n" {
		t.Errorf("BLMOVE into a string: %q", r.reply)
	}
	e.expect([2]string{"LRANGE src 0 -1", lsArr("a")})
	e.assertIdle()
}

// TestBlockingRetryIgnoresWrongType is Redis's "BLPOP, LPUSH + DEL + SET
// should not awake blocked client": the client is woken by the push but
// finds a string, so it keeps waiting, and a later push serves it.
func TestBlockingRetryIgnoresWrongType(t *testing.T) {
	e := newLSEnv(t, 4)
	res := newBlkClient(2).start(context.Background(), e, "BLPOP", "k", "0")
	e.waitBlocked(1)
	sh := e.ks.ShardFor("k")
	sh.Lock()
	if _, err := ListPush(e.eng, sh, 0, "k", lsArgv([]string{"a"}), ListLeft, false, lsT0); err != nil {
		t.Fatal(err)
	}
	sh.Delete(0, "k", lsT0)
	sh.SetString(0, "k", []byte("foo"), 0, false)
	sh.Unlock()
	e.waitBlocked(1)
	select {
	case r := <-res:
		t.Fatalf("woken client replied %q", r.reply)
	default:
	}
	e.do("DEL", "k")
	e.do("LPUSH", "k", "b")
	if r := recv(t, res); r.reply != lsArr("k", "b") {
		t.Errorf("after DEL + LPUSH: %q", r.reply)
	}
	e.assertIdle()
}

// TestBlockingMixedTypesInOneQueue: a push of a list serves the first
// list waiter even when a sorted-set waiter is ahead of it in the queue.
func TestBlockingMixedTypesInOneQueue(t *testing.T) {
	e := newLSEnv(t, 2)
	zctx, zcancel := context.WithCancel(context.Background())
	z := newBlkClient(2).start(zctx, e, "BLKTEST.ZWAIT", "k")
	e.waitBlocked(1)
	l := newBlkClient(2).start(context.Background(), e, "BLPOP", "k", "0")
	e.waitBlocked(2)
	e.do("RPUSH", "k", "v")
	if r := recv(t, l); r.reply != lsArr("k", "v") {
		t.Errorf("list waiter behind a zset waiter: %q", r.reply)
	}
	zcancel()
	if r := recv(t, z); !errors.Is(r.err, context.Canceled) {
		t.Errorf("zset waiter: %q, %v", r.reply, r.err)
	}
	e.assertIdle()
}

func TestBlockingNoBlockSession(t *testing.T) {
	e := newLSEnv(t, 1)
	e.s.NoBlock = true
	e.expect(
		[2]string{"BLPOP k 0", "*-1\r\n"},
		[2]string{"BRPOP k 0", "*-1\r\n"},
		[2]string{"BLMPOP 0 1 k LEFT", "*-1\r\n"},
		[2]string{"BLMOVE k d LEFT LEFT 0", "$-1\r\n"},
		[2]string{"BRPOPLPUSH k d 0", "$-1\r\n"},
		[2]string{"RPUSH k a", ":1\r\n"},
		[2]string{"BLPOP k 0", lsArr("k", "a")},
	)
	e.assertIdle()
}

func TestBlockingSignalDBReady(t *testing.T) {
	e := newLSEnv(t, 4)
	res := newBlkClient(2).start(context.Background(), e, "BLPOP", "k", "0")
	e.waitBlocked(1)
	db1 := NewSession(1)
	e.w.Reset(nil)
	e.eng.Exec(db1, lsArgv([]string{"RPUSH", "k", "from-db1"}), e.w)
	// SWAPDB 0 1, as the keys family does it: every shard locked.
	e.ks.LockAll()
	for i := range e.ks.NumShards() {
		e.ks.Shard(i).Swap(0, 1)
	}
	e.eng.SignalDBReady(0, lsT0)
	e.ks.UnlockAll()
	if r := recv(t, res); r.reply != lsArr("k", "from-db1") {
		t.Errorf("after SWAPDB: %q", r.reply)
	}
	e.assertIdle()
}

// TestBlockingCancelWhileWoken: a woken client that is cancelled before
// it retries passes the wake-up on, so the element is never stranded.
func TestBlockingCancelWhileWoken(t *testing.T) {
	e := newLSEnv(t, 1)
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		first := newBlkClient(2).start(ctx, e, "BLPOP", "k", "0")
		e.waitBlocked(1)
		second := newBlkClient(2).start(context.Background(), e, "BLPOP", "k", "0")
		e.waitBlocked(2)
		sh := e.ks.ShardFor("k")
		sh.Lock() // the push and the cancellation happen "at once"
		ListPush(e.eng, sh, 0, "k", lsArgv([]string{"v"}), ListRight, false, lsT0)
		cancel()
		sh.Unlock()
		r1 := recv(t, first)
		switch {
		case errors.Is(r1.err, context.Canceled):
			if r := recv(t, second); r.reply != lsArr("k", "v") {
				t.Fatalf("second waiter after the first gave up: %q", r.reply)
			}
		case r1.reply == lsArr("k", "v"):
			e.do("RPUSH", "k", "w")
			if r := recv(t, second); r.reply != lsArr("k", "w") {
				t.Fatalf("second waiter: %q", r.reply)
			}
		default:
			t.Fatalf("first waiter: %q, %v", r1.reply, r1.err)
		}
		e.assertIdle()
	}
}

// TestBlockingStress runs consumers blocked on random keys against
// producers pushing to random keys, and thieves that pop without blocking
// and push back what they took: every element must reach exactly one
// consumer (no lost wake-up, no duplicate).
func TestBlockingStress(t *testing.T) {
	before := runtime.NumGoroutine()
	e := newLSEnv(t, 8)
	keys := keysInDistinctShards(e.ks, 6)
	const consumers, producers, thieves = 60, 4, 3
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := make(chan string, consumers)
	var wg sync.WaitGroup
	for i := range consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 1))
			cl := newBlkClient(2)
			var args []string
			switch i % 3 {
			case 0:
				args = []string{"BLPOP", keys[r.IntN(6)], keys[r.IntN(6)], "0"}
			case 1:
				args = []string{"BLMPOP", "0", "2", keys[r.IntN(6)], keys[r.IntN(6)], "RIGHT"}
			default:
				args = []string{"BRPOP", keys[r.IntN(6)], "0"}
			}
			if err := e.eng.ExecContext(ctx, cl.s, lsArgv(args), cl.w); err != nil {
				t.Errorf("consumer %d: %v", i, err)
				return
			}
			v := lsParse(t, string(cl.w.Bytes()))
			last := v.Elems[1]
			if len(last.Elems) == 1 {
				last = last.Elems[0]
			}
			got <- string(last.Str)
		}()
	}
	e.waitBlocked(consumers)
	stop := make(chan struct{})
	var thiefWG sync.WaitGroup
	for i := range thieves {
		thiefWG.Add(1)
		go func() {
			defer thiefWG.Done()
			cl := newBlkClient(2)
			r := rand.New(rand.NewPCG(uint64(i), 2))
			for {
				select {
				case <-stop:
					return
				default:
				}
				k := keys[r.IntN(6)]
				cl.w.Reset(nil)
				e.eng.Exec(cl.s, lsArgv([]string{"LPOP", k}), cl.w)
				if out := string(cl.w.Bytes()); out != "$-1\r\n" {
					val := string(lsParse(t, out).Str)
					cl.w.Reset(nil)
					e.eng.Exec(cl.s, lsArgv([]string{"RPUSH", keys[r.IntN(6)], val}), cl.w)
				}
				runtime.Gosched()
			}
		}()
	}
	var prodWG sync.WaitGroup
	for p := range producers {
		prodWG.Add(1)
		go func() {
			defer prodWG.Done()
			cl := newBlkClient(2)
			r := rand.New(rand.NewPCG(uint64(p), 3))
			for j := p; j < consumers; j += producers {
				cl.w.Reset(nil)
				k := keys[r.IntN(6)]
				if j%5 == 0 { // through a move from a scratch list
					e.eng.Exec(cl.s, lsArgv([]string{"RPUSH", "{scratch}" + strconv.Itoa(p), "v" + strconv.Itoa(j)}), cl.w)
					e.eng.Exec(cl.s, lsArgv([]string{"LMOVE", "{scratch}" + strconv.Itoa(p), k, "LEFT", "RIGHT"}), cl.w)
				} else {
					e.eng.Exec(cl.s, lsArgv([]string{"RPUSH", k, "v" + strconv.Itoa(j)}), cl.w)
				}
				runtime.Gosched()
			}
		}()
	}
	prodWG.Wait()
	wg.Wait()
	close(stop)
	thiefWG.Wait()
	close(got)
	var vals []string
	for v := range got {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	var want []string
	for j := range consumers {
		want = append(want, "v"+strconv.Itoa(j))
	}
	slices.Sort(want)
	if !slices.Equal(vals, want) {
		t.Fatalf("consumers got %v\nwant %v", vals, want)
	}
	for _, k := range keys {
		if out := e.do("LLEN", k); out != ":0\r\n" {
			t.Errorf("%s left with %q", k, out)
		}
	}
	e.assertIdle()
	// No goroutine outlives the test: blocking uses none of its own.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the test, %d before", n, before)
	}
}

// BenchmarkBlockingHandoff measures one BLPOP that blocks and is served
// by a push from another goroutine (registration, wake-up, retry).
func BenchmarkBlockingHandoff(b *testing.B) {
	e := newLSEnv(b, 4)
	push := lsArgv([]string{"RPUSH", "q", "job"})
	pop := lsArgv([]string{"BLPOP", "q", "0"})
	w := resp.NewWriter(nil, 0)
	s := NewSession(0)
	n := b.N
	done := make(chan struct{})
	go func() {
		defer close(done)
		cl := newBlkClient(2)
		for range n {
			cl.w.Reset(nil)
			e.eng.Exec(cl.s, pop, cl.w)
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for range n {
		for e.eng.BlockedClients() == 0 {
			runtime.Gosched()
		}
		w.Reset(nil)
		e.eng.Exec(s, push, w)
	}
	<-done
}

func TestBlockingStop(t *testing.T) {
	e := newLSEnv(t, 2)
	res := newBlkClient(2).start(context.Background(), e, "BLPOP", "k", "0")
	e.waitBlocked(1)
	e.eng.StopBlocking()
	e.eng.StopBlocking() // idempotent
	if r := recv(t, res); !errors.Is(r.err, ErrClosed) || r.reply != "" {
		t.Fatalf("BLPOP at stop: %q, %v", r.reply, r.err)
	}
	if r := recv(t, newBlkClient(2).start(context.Background(), e, "BLMOVE", "k", "d", "LEFT", "LEFT", "0")); !errors.Is(r.err, ErrClosed) {
		t.Fatalf("BLMOVE after stop: %q, %v", r.reply, r.err)
	}
	// Commands that do not block still run.
	e.expect([2]string{"RPUSH k v", ":1\r\n"}, [2]string{"BLPOP k 0", lsArr("k", "v")})
	e.assertIdle()
}

// observedWriter records Blocking calls.
type observedWriter struct {
	*resp.Writer
	blocked int
	before  string // what was written when Blocking was called
}

func (o *observedWriter) Blocking() {
	o.blocked++
	o.before = string(o.Bytes())
}

func TestBlockingObserver(t *testing.T) {
	e := newLSEnv(t, 1)
	w := &observedWriter{Writer: resp.NewWriter(nil, 0)}
	s := NewSession(0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.eng.Exec(s, lsArgv([]string{"BLPOP", "k", "0"}), w)
	}()
	e.waitBlocked(1)
	e.do("RPUSH", "k", "v")
	<-done
	if w.blocked != 1 || w.before != "" || string(w.Bytes()) != lsArr("k", "v") {
		t.Fatalf("observer: %d calls, %q before, %q after", w.blocked, w.before, w.Bytes())
	}
	// A blocking command that does not block does not notify.
	e.do("RPUSH", "k", "v")
	e.eng.Exec(s, lsArgv([]string{"BLPOP", "k", "0"}), w)
	if w.blocked != 1 {
		t.Fatalf("observer called for a pop that did not wait")
	}
}
