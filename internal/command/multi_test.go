package command

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/resp"
)

// txClient is a second client of an lsEnv's engine, with its own session.
type txClient struct {
	e *lsEnv
	s *Session
	w *resp.Writer
}

func (e *lsEnv) client() *txClient {
	return &txClient{e: e, s: NewSession(0), w: resp.NewWriter(nil, 0)}
}

// line runs a space-separated command on the client, returning its RESP2
// reply.
func (cl *txClient) line(l string) string {
	cl.w.Reset(nil)
	cl.e.eng.Exec(cl.s, lsArgv(strings.Fields(l)), cl.w)
	return string(cl.w.Bytes())
}

// keysInShards returns two keys that live in different shards.
func (e *lsEnv) keysInShards() (string, string) {
	a := "a"
	for i := 0; ; i++ {
		b := "b" + strconv.Itoa(i)
		if e.ks.ShardIndex(a) != e.ks.ShardIndex(b) {
			return a, b
		}
	}
}

// assertNoWatch checks that no key is registered as watched any more.
func (e *lsEnv) assertNoWatch() {
	e.t.Helper()
	for i := range e.eng.watch.shards {
		sh := e.ks.Shard(i)
		sh.Lock()
		n := len(e.eng.watch.shards[i].keys)
		sh.Unlock()
		if n != 0 {
			e.t.Errorf("shard %d keeps %d watched keys", i, n)
		}
	}
}

const (
	rNull  = "*-1\r\n"
	rOK    = "+OK\r\n"
	rQueue = "+QUEUED\r\n"
)

func TestMultiQueueAndExec(t *testing.T) {
	e := newLSEnv(t, 8)
	a, b := e.keysInShards()
	e.expect(
		[2]string{"EXEC", "-ERR EXEC without MULTI\r\n"},
		[2]string{"DISCARD", "-ERR DISCARD without MULTI\r\n"},
		[2]string{"MULTI", rOK},
		[2]string{"MULTI", "-ERR MULTI calls can not be nested\r\n"},
		[2]string{"WATCH x", "-ERR WATCH inside MULTI is not allowed\r\n"},
		[2]string{"SET " + a + " 1", rQueue},
		[2]string{"INCR " + b, rQueue},
		[2]string{"LPUSH " + a + " x", rQueue},
		[2]string{"MGET " + a + " " + b, rQueue},
		[2]string{"BLPOP nolist 0", rQueue},
		[2]string{"BZPOPMIN nozset 0", rQueue},
		[2]string{"EXEC", "*6\r\n+OK\r\n:1\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n*2\r\n$1\r\n1\r\n$1\r\n1\r\n*-1\r\n*-1\r\n"},
		[2]string{"EXEC", "-ERR EXEC without MULTI\r\n"},
		// Refused while queueing: EXEC aborts.
		[2]string{"MULTI", rOK},
		[2]string{"SET k v", rQueue},
		[2]string{"NOSUCHCMD", "-ERR unknown command 'NOSUCHCMD', with args beginning with: \r\n"},
		[2]string{"EXEC", "-EXECABORT Transaction discarded because of previous errors.\r\n"},
		[2]string{"GET k", "$-1\r\n"},
		[2]string{"MULTI", rOK},
		[2]string{"GET", "-ERR wrong number of arguments for 'get' command\r\n"},
		[2]string{"EXEC", "-EXECABORT Transaction discarded because of previous errors.\r\n"},
		[2]string{"MULTI", rOK},
		[2]string{"OBJECT nosuch k", "-ERR unknown subcommand 'nosuch'. Try OBJECT HELP.\r\n"},
		[2]string{"EXEC", "-EXECABORT Transaction discarded because of previous errors.\r\n"},
		[2]string{"MULTI", rOK},
		[2]string{"OBJECT ENCODING", "-ERR wrong number of arguments for 'object|encoding' command\r\n"},
		[2]string{"EXEC", "-EXECABORT Transaction discarded because of previous errors.\r\n"},
		// EXEC's own arity error aborts at once.
		[2]string{"MULTI", rOK},
		[2]string{"EXEC x", "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n"},
		[2]string{"EXEC", "-ERR EXEC without MULTI\r\n"},
		// Outside MULTI too, as in Redis 7.0.
		[2]string{"EXEC x", "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n"},
		// MULTI and WATCH errors inside MULTI do not abort.
		[2]string{"MULTI", rOK},
		[2]string{"MULTI", "-ERR MULTI calls can not be nested\r\n"},
		[2]string{"SELECT 1", rQueue},
		[2]string{"SET k one", rQueue},
		[2]string{"SELECT 0", rQueue},
		[2]string{"EXEC", "*3\r\n+OK\r\n+OK\r\n+OK\r\n"},
		[2]string{"GET k", "$-1\r\n"},
		[2]string{"SELECT 1", rOK},
		[2]string{"GET k", "$3\r\none\r\n"},
		[2]string{"MULTI", rOK},
		[2]string{"EXEC", "*0\r\n"},
		[2]string{"MULTI", rOK},
		[2]string{"PING", rQueue},
		[2]string{"DISCARD", rOK},
		[2]string{"DISCARD", "-ERR DISCARD without MULTI\r\n"},
	)
	if e.s.NoBlock {
		t.Error("NoBlock still set after EXEC")
	}
	e.assertNoWatch()
}

func TestExecRESP3Null(t *testing.T) {
	e := newLSEnv(t, 4)
	other := e.client()
	e.do("WATCH", "k")
	other.line("SET k v")
	e.do("MULTI")
	e.do("GET", "k")
	if got := e.doProto(3, "EXEC"); got != "_\r\n" {
		t.Fatalf("RESP3 aborted EXEC = %q", got)
	}
}

// TestWatch checks which modifications abort a watching transaction.
func TestWatch(t *testing.T) {
	e0 := newLSEnv(t, 8)
	a, b := e0.keysInShards()
	for _, tc := range []struct {
		name    string
		setup   []string // run by the other client before WATCH
		watch   string
		between []string // run by the other client between WATCH and EXEC
		abort   bool
	}{
		{"untouched", nil, "w", nil, false},
		{"set", nil, "w", []string{"SET w 1"}, true},
		{"other key other shard", nil, a, []string{"SET " + b + " 1"}, false},
		{"read", []string{"SET w 1"}, "w", []string{"GET w", "EXISTS w"}, false},
		{"del missing", nil, "w", []string{"DEL w"}, false},
		{"del existing", []string{"SET w 1"}, "w", []string{"DEL w"}, true},
		{"failed incr", []string{"SET w x"}, "w", []string{"INCR w"}, false},
		{"lpush", nil, "w", []string{"LPUSH w x"}, true},
		{"expire", []string{"SET w 1"}, "w", []string{"EXPIRE w 100"}, true},
		{"rename onto", []string{"SET {w}src 1"}, "w", []string{"RENAME {w}src w"}, true},
		// The documented conservative case: a command naming two keys of
		// one shard, changing only the other one.
		{"del same shard", []string{"SET {w}x 1"}, "{w}y", []string{"DEL {w}x {w}y"}, true},
		{"other db", nil, "w", []string{"SELECT 1", "SET w 1", "SELECT 0"}, false},
		{"flushdb missing", []string{"SET other 1"}, "w", []string{"FLUSHDB"}, false},
		{"flushdb existing", []string{"SET w 1"}, "w", []string{"FLUSHDB"}, true},
		{"flushdb other db", []string{"SET w 1"}, "w", []string{"SELECT 1", "SET z 1", "FLUSHDB", "SELECT 0"}, false},
		{"flushall", []string{"SET w 1"}, "w", []string{"FLUSHALL"}, true},
		{"swapdb missing both", nil, "w", []string{"SWAPDB 0 1"}, false},
		{"swapdb present", []string{"SET w 1"}, "w", []string{"SWAPDB 0 1"}, true},
		{"swapdb arrives", []string{"SELECT 1", "SET w 1", "SELECT 0"}, "w", []string{"SWAPDB 0 1"}, true},
		{"move in", []string{"SELECT 1", "SET w 1"}, "w", []string{"SELECT 1", "MOVE w 0", "SELECT 0"}, true},
		{"copy db", []string{"SET src 1"}, "w", []string{"COPY src w DB 0"}, true},
		{"multi exec", nil, "w", []string{"MULTI", "SET w 1", "EXEC"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newLSEnv(t, 8)
			other := e.client()
			for _, l := range tc.setup {
				other.line(l)
			}
			other.line("SELECT 0")
			if got := e.line("WATCH " + tc.watch); got != rOK {
				t.Fatalf("WATCH = %q", got)
			}
			for _, l := range tc.between {
				other.line(l)
			}
			e.line("MULTI")
			e.line("PING")
			got := e.line("EXEC")
			if aborted := got == rNull; aborted != tc.abort {
				t.Fatalf("EXEC = %q, want aborted=%v", got, tc.abort)
			}
			e.assertNoWatch()
		})
	}
}

func TestWatchExpiry(t *testing.T) {
	e := newLSEnv(t, 4)
	e.do("SET", "k", "v", "PX", "100")
	e.do("WATCH", "k")
	e.man.Advance(200 * time.Millisecond)
	e.do("MULTI")
	if got := e.do("EXEC"); got != rNull {
		t.Fatalf("EXEC after the watched key expired = %q", got)
	}
	// Active expiry reaches the key through the keyspace hook.
	e.do("SET", "k", "v", "PX", "100")
	e.do("WATCH", "k")
	e.man.Advance(200 * time.Millisecond)
	if n := e.ks.ActiveExpireCycle(1000); n != 1 {
		t.Fatalf("active expiry removed %d keys", n)
	}
	e.do("MULTI")
	if got := e.do("EXEC"); got != rNull {
		t.Fatalf("EXEC after active expiry = %q", got)
	}
	// A key already expired when watched is simply missing.
	e.do("SET", "k", "v", "PX", "100")
	e.man.Advance(200 * time.Millisecond)
	e.do("WATCH", "k")
	e.do("MULTI")
	if got := e.do("EXEC"); got != "*0\r\n" {
		t.Fatalf("EXEC watching a key expired before WATCH = %q", got)
	}
	// The expiry of an unrelated key of the same shard aborts nothing.
	e.do("SET", "{k}other", "v", "PX", "100")
	e.do("WATCH", "{k}w")
	e.man.Advance(200 * time.Millisecond)
	e.ks.ActiveExpireCycle(1000)
	e.do("MULTI")
	if got := e.do("EXEC"); got != "*0\r\n" {
		t.Fatalf("EXEC after another key expired = %q", got)
	}
	e.assertNoWatch()
}

// TestWatchDirectWrite checks the fallback for writes that bypass the
// executor (the embedded typed API): every watched key of the shard is
// touched.
func TestWatchDirectWrite(t *testing.T) {
	e := newLSEnv(t, 4)
	e.do("WATCH", "{k}a")
	sh := e.ks.ShardFor("{k}b")
	sh.Lock()
	sh.SetString(0, "{k}b", []byte("v"), 0, false)
	sh.Unlock()
	e.do("MULTI")
	if got := e.do("EXEC"); got != rNull {
		t.Fatalf("EXEC after an unattributed write in the shard = %q", got)
	}
}

func TestWatchReleasedBy(t *testing.T) {
	for _, end := range []string{"UNWATCH", "DISCARD", "EXEC", "reset"} {
		t.Run(end, func(t *testing.T) {
			e := newLSEnv(t, 4)
			other := e.client()
			e.do("WATCH", "k", "k", "{k}x", "z")
			switch end {
			case "UNWATCH":
				e.do("UNWATCH")
			case "reset":
				e.eng.ResetSession(e.s)
			default:
				e.do("MULTI")
				e.do(end)
			}
			e.assertNoWatch()
			other.line("SET k 1")
			e.do("MULTI")
			if got := e.do("EXEC"); got != "*0\r\n" {
				t.Fatalf("EXEC after %s then a write = %q", end, got)
			}
		})
	}
}

// TestExecSelfLockCommands runs every FlagSelfLock command inside a
// transaction next to a keyed command: a handler that locks shards while
// EXEC holds them would deadlock, and must honour Ctx.LocksHeld.
func TestExecSelfLockCommands(t *testing.T) {
	e := newLSEnv(t, 8)
	e.do("SET", "k", "v")
	for _, cmd := range All() {
		if cmd.Flags&FlagSelfLock == 0 || cmd.Flags&FlagNoMulti != 0 {
			continue
		}
		switch cmd.Name {
		case "multi", "exec", "discard", "watch":
			continue
		}
		args := []string{cmd.Name}
		if len(cmd.Subcommands) > 0 {
			args = append(args, "help")
		}
		switch cmd.Name {
		case "scan":
			args = append(args, "0")
		case "select":
			args = append(args, "0")
		case "echo":
			args = append(args, "x")
		case "publish", "spublish":
			args = append(args, "ch", "msg")
		}
		for n := cmd.Arity; len(args) < n || len(args) < -n; {
			args = append(args, "x")
		}
		done := make(chan string, 1)
		go func() {
			s := NewSession(0)
			w := resp.NewWriter(nil, 0)
			for _, a := range [][]string{{"MULTI"}, {"GET", "k"}, args, {"EXEC"}} {
				w.Reset(nil)
				e.eng.Exec(s, lsArgv(a), w)
			}
			done <- string(w.Bytes())
		}()
		select {
		case got := <-done:
			if !strings.HasPrefix(got, "*2\r\n$1\r\nv\r\n") {
				t.Errorf("%s inside EXEC: %q", strings.Join(args, " "), got)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s inside EXEC deadlocked", strings.Join(args, " "))
		}
	}
	e.expect(
		[2]string{"MULTI", rOK},
		[2]string{"DBSIZE", rQueue},
		[2]string{"SCAN 0 COUNT 100", rQueue},
		[2]string{"EXEC", "*2\r\n:1\r\n*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n"},
	)
}

// TestExecAtomicAcrossShards moves amounts between two keys of different
// shards in transactions while readers read both keys in transactions:
// every reader must see the same total.
func TestExecAtomicAcrossShards(t *testing.T) {
	e := newLSEnv(t, 16)
	a, b := e.keysInShards()
	e.do("SET", a, "1000")
	e.do("SET", b, "1000")
	const writers, readers, rounds = 4, 4, 300
	var wg sync.WaitGroup
	errs := make(chan string, readers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := e.client()
			for i := range rounds {
				n := strconv.Itoa((w+i)%7 + 1)
				cl.line("MULTI")
				cl.line("DECRBY " + a + " " + n)
				cl.line("INCRBY " + b + " " + n)
				if got := cl.line("EXEC"); !strings.HasPrefix(got, "*2\r\n:") {
					errs <- "transfer EXEC = " + got
					return
				}
			}
		}()
	}
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := e.client()
			for range rounds {
				cl.line("MULTI")
				cl.line("GET " + a)
				cl.line("GET " + b)
				v, err := resp.NewReader(strings.NewReader(cl.line("EXEC")), 0).ReadValue()
				if err != nil || len(v.Elems) != 2 {
					errs <- fmt.Sprintf("read EXEC: %v %v", v, err)
					return
				}
				x, _ := strconv.Atoi(string(v.Elems[0].Str))
				y, _ := strconv.Atoi(string(v.Elems[1].Str))
				if x+y != 2000 {
					errs <- fmt.Sprintf("reader saw %d + %d = %d", x, y, x+y)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestWatchConcurrentIncrement runs optimistic increments (WATCH, GET,
// MULTI, SET, EXEC, retry on abort) from several clients: no increment
// is lost.
func TestWatchConcurrentIncrement(t *testing.T) {
	e := newLSEnv(t, 8)
	const clients, each = 6, 100
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := e.client()
			for done := 0; done < each; {
				cl.line("WATCH counter")
				v, _ := resp.NewReader(strings.NewReader(cl.line("GET counter")), 0).ReadValue()
				n, _ := strconv.Atoi(string(v.Str))
				cl.line("MULTI")
				cl.line("SET counter " + strconv.Itoa(n+1))
				if cl.line("EXEC") != rNull {
					done++
				}
			}
		}()
	}
	wg.Wait()
	if got := e.do("GET", "counter"); got != "$3\r\n600\r\n" {
		t.Fatalf("counter = %q, want 600", got)
	}
	e.assertNoWatch()
}

// TestBlockingZSetPops covers BZPOPMIN, BZPOPMAX and BZMPOP waking on the
// writes that create a sorted set.
func TestBlockingZSetPops(t *testing.T) {
	for _, tc := range []struct {
		name  string
		block string
		setup []string // run before the wake-up
		wake  string
		want  string
	}{
		{"zadd", "BZPOPMIN z 0", nil, "ZADD z 1 a 2 b", "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"},
		{"zadd max", "BZPOPMAX z 0", nil, "ZADD z 1 a 2 b", "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{"zincrby", "BZPOPMIN z 0", nil, "ZINCRBY z 5 m", "*3\r\n$1\r\nz\r\n$1\r\nm\r\n$1\r\n5\r\n"},
		{"bzmpop", "BZMPOP 0 2 y z MAX COUNT 5", nil, "ZADD z 1 a 2 b", "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
		{"zunionstore", "BZPOPMIN {z}d 0", []string{"ZADD {z}s 3 c"}, "ZUNIONSTORE {z}d 1 {z}s", "*3\r\n$4\r\n{z}d\r\n$1\r\nc\r\n$1\r\n3\r\n"},
		{"zrangestore", "BZPOPMIN {z}d 0", []string{"ZADD {z}s 3 c"}, "ZRANGESTORE {z}d {z}s 0 -1", "*3\r\n$4\r\n{z}d\r\n$1\r\nc\r\n$1\r\n3\r\n"},
		{"rename", "BZPOPMIN {z}d 0", []string{"ZADD {z}s 3 c"}, "RENAME {z}s {z}d", "*3\r\n$4\r\n{z}d\r\n$1\r\nc\r\n$1\r\n3\r\n"},
		{"copy", "BZPOPMIN {z}d 0", []string{"ZADD {z}s 3 c"}, "COPY {z}s {z}d", "*3\r\n$4\r\n{z}d\r\n$1\r\nc\r\n$1\r\n3\r\n"},
		{"rename list", "BLPOP {l}d 0", []string{"RPUSH {l}s x"}, "RENAME {l}s {l}d", "*2\r\n$4\r\n{l}d\r\n$1\r\nx\r\n"},
		{"move", "BZPOPMIN z 0", []string{"SELECT 1", "ZADD z 1 a"}, "MOVE z 0", "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"},
		{"copy db", "BLPOP l 0", []string{"RPUSH src x"}, "COPY src l DB 0", "*2\r\n$1\r\nl\r\n$1\r\nx\r\n"},
		{"swapdb", "BZPOPMIN z 0", []string{"SELECT 1", "ZADD z 1 a", "SELECT 0"}, "SWAPDB 0 1", "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"},
		{"multi", "BZPOPMIN z 0", []string{"MULTI", "ZADD z 1 a"}, "EXEC", "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newLSEnv(t, 8)
			bl := newBlkClient(2)
			res := bl.start(context.Background(), e, strings.Fields(tc.block)...)
			e.waitBlocked(1)
			other := e.client()
			for _, l := range tc.setup {
				other.line(l)
			}
			other.line(tc.wake)
			if r := recv(t, res); r.reply != tc.want || r.err != nil {
				t.Fatalf("%s woken by %s: %q, %v; want %q", tc.block, tc.wake, r.reply, r.err, tc.want)
			}
			e.assertIdle()
		})
	}
}

func TestBlockingZSetPopsRESP3AndErrors(t *testing.T) {
	e := newLSEnv(t, 4)
	e.do("SET", "s", "x")
	e.do("ZADD", "z", "1", "a", "2", "b")
	for _, tc := range []struct {
		cmd   string
		proto int
		want  string
	}{
		{"BZPOPMIN z 0", 3, "*3\r\n$1\r\nz\r\n$1\r\na\r\n,1\r\n"},
		{"BZMPOP 0 1 z MIN", 3, "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n,2\r\n"},
		{"BZPOPMIN z 0.01", 3, "_\r\n"},
		{"BZMPOP 0.01 1 z MIN", 2, rNull},
		{"BZPOPMIN s 0", 2, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{"BZPOPMIN z x", 2, "-ERR timeout is not a float or out of range\r\n"},
		{"BZPOPMIN z -1", 2, "-ERR timeout is negative\r\n"},
		{"BZMPOP x 0 z MIN", 2, "-ERR numkeys should be greater than 0\r\n"},
		{"BZMPOP x 1 z FOO", 2, "-ERR syntax error\r\n"},
		{"BZMPOP x 1 z MIN", 2, "-ERR timeout is not a float or out of range\r\n"},
		{"BZMPOP 0 1 z MIN COUNT 0", 2, "-ERR count should be greater than 0\r\n"},
		{"BZMPOP 0 2 s z MIN", 2, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	} {
		if got := e.doProto(tc.proto, strings.Fields(tc.cmd)...); got != tc.want {
			t.Errorf("%s (RESP%d) = %q, want %q", tc.cmd, tc.proto, got, tc.want)
		}
	}
	e.assertIdle()
}

// TestBlockedZSetSkipsOtherTypes: a woken BZPOPMIN ignores a key that
// became another type and keeps waiting.
func TestBlockedZSetSkipsOtherTypes(t *testing.T) {
	e := newLSEnv(t, 4)
	bl := newBlkClient(2)
	res := bl.start(context.Background(), e, "BZPOPMIN", "{k}a", "{k}b", "0")
	e.waitBlocked(1)
	other := e.client()
	other.line("MULTI")
	other.line("ZADD {k}b 1 m")
	other.line("SET {k}a str")
	other.line("EXEC")
	if r := recv(t, res); r.reply != "*3\r\n$4\r\n{k}b\r\n$1\r\nm\r\n$1\r\n1\r\n" {
		t.Fatalf("BZPOPMIN = %q", r.reply)
	}
	e.assertIdle()
}

// BenchmarkWatchIdleShard measures a SET in a shard where nobody watches
// while another shard has a watched key: the bookkeeping must cost
// nothing noticeable.
func BenchmarkWatchIdleShard(b *testing.B) {
	e := newLSEnv(b, 8)
	x, y := e.keysInShards()
	watcher := e.client()
	watcher.line("WATCH " + y)
	argv := lsArgv([]string{"SET", x, "v"})
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e.w.Reset(nil)
		e.eng.Exec(e.s, argv, e.w)
	}
}
