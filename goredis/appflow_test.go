package goredis_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/goredis"
	"github.com/kevydb/kevy/internal/difftest"
)

// An application written against redis.UniversalClient, run unchanged on
// the portless client and on a go-redis client of a real redis-server:
// every observable result goes into a transcript, and the two transcripts
// must be identical.

// transcript records the observable results of an application flow, one
// "label: value" line each.
type transcript struct {
	lines []string
}

// add records a value under label.
func (tr *transcript) add(label string, v any) {
	tr.lines = append(tr.lines, label+": "+fmt.Sprint(v))
}

// cmd records a command with its arguments and its reply or error, as
// go-redis prints them (maps with sorted keys).
func (tr *transcript) cmd(label string, c redis.Cmder) {
	tr.add(label, c.String())
}

// sorted records a reply whose order Redis does not define (SMEMBERS,
// HKEYS), sorted.
func (tr *transcript) sorted(label string, c *redis.StringSliceCmd) {
	v, err := c.Result()
	if err != nil {
		tr.add(label, "error "+err.Error())
		return
	}
	v = slices.Clone(v)
	slices.Sort(v)
	tr.add(label, v)
}

// ttl records a TTL or PTTL reply as the part of (0, full] it falls in:
// the exact remaining time depends on when it is read, the bucket does
// not.
func (tr *transcript) ttl(label string, c *redis.DurationCmd, full time.Duration) {
	d, err := c.Result()
	switch {
	case err != nil:
		tr.add(label, "error "+err.Error())
	case d == -1: // go-redis gives Redis's -1 (no TTL) and -2 (no key) as is
		tr.add(label, "no ttl")
	case d == -2:
		tr.add(label, "no key")
	case d <= 0:
		tr.add(label, "expired "+d.String())
	case d > full:
		tr.add(label, "over "+full.String())
	case d > full/2:
		tr.add(label, "in (½, 1] of "+full.String())
	default:
		tr.add(label, "in (0, ½] of "+full.String())
	}
}

// get returns the value recorded under label, or "" and false.
func (tr *transcript) get(label string) (string, bool) {
	for _, l := range tr.lines {
		if v, ok := strings.CutPrefix(l, label+": "); ok {
			return v, true
		}
	}
	return "", false
}

// fakeUsers is the "database" behind the cache.
var fakeUsers = map[string]string{"1": "ada", "2": "grace", "3": "edsger"}

// errNoUser is the fake database's not-found error.
var errNoUser = errors.New("no such user")

// getUser reads a user through the cache (cache-aside): a hit answers
// from Redis; a miss loads from fakeUsers and fills the cache for a
// minute. A user that does not exist is cached as "" for 50 ms, so that
// repeated lookups of a missing id do not all reach the database.
func getUser(ctx context.Context, rdb redis.UniversalClient, id string) (name, source string, err error) {
	key := "cache:user:" + id
	v, err := rdb.Get(ctx, key).Result()
	switch {
	case err == nil && v == "":
		return "", "cache", errNoUser
	case err == nil:
		return v, "cache", nil
	case err != redis.Nil:
		return "", "", err
	}
	name, ok := fakeUsers[id]
	if !ok {
		return "", "db", errors.Join(errNoUser, rdb.Set(ctx, key, "", 50*time.Millisecond).Err())
	}
	return name, "db", rdb.Set(ctx, key, name, time.Minute).Err()
}

// allow is a fixed-window rate limiter: at most limit calls per window
// per user. INCR and EXPIRE NX run in one MULTI/EXEC, so the counter
// never lives without its TTL.
func allow(ctx context.Context, rdb redis.UniversalClient, user string, limit int64, window time.Duration) (int64, bool, error) {
	key := "rl:" + user
	var incr *redis.IntCmd
	_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		incr = p.Incr(ctx, key)
		p.ExpireNX(ctx, key, window)
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return incr.Val(), incr.Val() <= limit, nil
}

// appFlow runs a small application on rdb and returns its transcript:
// cache-aside with TTLs, a reliable job queue, a leaderboard, a rate
// limiter and an optimistic (WATCH) update, pipelines and pub/sub. It
// needs a database of its own (it starts with FLUSHDB) and a client pool
// of at least three connections. Failures of the flow itself (a blocked
// pop never woken, a message never received) are reported on t; results,
// including the errors Redis replies, go into the transcript.
func appFlow(t *testing.T, rdb redis.UniversalClient) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tr := &transcript{}
	tr.cmd("flushdb", rdb.FlushDB(ctx))

	// Cache-aside.
	for i, id := range []string{"1", "1", "2", "404", "404"} {
		name, src, err := getUser(ctx, rdb, id)
		tr.add(fmt.Sprintf("cache/get %d user %s", i, id), fmt.Sprint(name, " from ", src, " err=", err))
	}
	tr.ttl("cache/ttl user 1", rdb.TTL(ctx, "cache:user:1"), time.Minute)
	tr.ttl("cache/pttl user 404", rdb.PTTL(ctx, "cache:user:404"), 50*time.Millisecond)
	tr.cmd("cache/invalidate user 1", rdb.Del(ctx, "cache:user:1"))
	name, src, err := getUser(ctx, rdb, "1")
	tr.add("cache/after invalidation", fmt.Sprint(name, " from ", src, " err=", err))
	// A profile cached as a hash, with a TTL on the whole key.
	tr.cmd("cache/hset profile", rdb.HSet(ctx, "cache:profile:1", "name", "ada", "lang", "go", "visits", 1))
	tr.cmd("cache/expire profile", rdb.Expire(ctx, "cache:profile:1", 30*time.Second))
	tr.cmd("cache/hincrby profile", rdb.HIncrBy(ctx, "cache:profile:1", "visits", 2))
	tr.cmd("cache/hgetall profile", rdb.HGetAll(ctx, "cache:profile:1"))
	tr.sorted("cache/hkeys profile", rdb.HKeys(ctx, "cache:profile:1"))
	tr.ttl("cache/ttl profile", rdb.TTL(ctx, "cache:profile:1"), 30*time.Second)
	tr.cmd("cache/persist profile", rdb.Persist(ctx, "cache:profile:1"))
	tr.ttl("cache/ttl profile persisted", rdb.TTL(ctx, "cache:profile:1"), 30*time.Second)
	// The negative entry of user 404 expires after 50 ms: the next
	// lookup goes to the database again.
	time.Sleep(70 * time.Millisecond)
	tr.cmd("cache/negative entry expired", rdb.Exists(ctx, "cache:user:404"))
	name, src, err = getUser(ctx, rdb, "404")
	tr.add("cache/404 after expiry", fmt.Sprint(name, " from ", src, " err=", err))

	// A reliable job queue: producers LPUSH, a worker moves each job to
	// a processing list with BRPOPLPUSH and removes it from there (LREM)
	// once done; a reaper puts unacknowledged jobs back.
	tr.cmd("queue/producer a", rdb.LPush(ctx, "jobs", "a1", "a2", "a3"))
	tr.cmd("queue/producer b 1", rdb.LPush(ctx, "jobs", "b1"))
	tr.cmd("queue/producer b 2", rdb.LPush(ctx, "jobs", "b2"))
	tr.cmd("queue/pending", rdb.LRange(ctx, "jobs", 0, -1))
	for i := range 5 {
		job, err := rdb.BRPopLPush(ctx, "jobs", "processing", time.Second).Result()
		switch {
		case err != nil:
			tr.add(fmt.Sprintf("queue/worker %d", i), "error "+err.Error())
		case job == "a2": // the worker "crashes" on a2: no ack
			tr.add(fmt.Sprintf("queue/worker %d", i), job+" failed")
		default:
			tr.add(fmt.Sprintf("queue/worker %d", i), job+" acked "+strconv.FormatInt(rdb.LRem(ctx, "processing", 1, job).Val(), 10))
		}
	}
	tr.cmd("queue/processing left", rdb.LRange(ctx, "processing", 0, -1))
	tr.cmd("queue/reaper", rdb.RPopLPush(ctx, "processing", "jobs"))
	tr.cmd("queue/retry", rdb.BRPopLPush(ctx, "jobs", "processing", time.Second))
	tr.cmd("queue/retry ack", rdb.LRem(ctx, "processing", 1, "a2"))
	// An idle worker blocks until a producer, on another connection,
	// pushes a job.
	popped := make(chan redis.Cmder, 1)
	go func() { popped <- rdb.BRPopLPush(ctx, "jobs", "processing", 5*time.Second) }()
	waitBlockedInfo(t, ctx, rdb)
	tr.cmd("queue/late producer", rdb.LPush(ctx, "jobs", "late"))
	select {
	case c := <-popped:
		tr.cmd("queue/woken worker", c)
	case <-ctx.Done():
		t.Fatal("the blocked BRPOPLPUSH was never woken")
	}
	tr.cmd("queue/late ack", rdb.LRem(ctx, "processing", 0, "late"))
	tr.cmd("queue/timeout", rdb.Do(ctx, "BRPOPLPUSH", "jobs", "processing", "0.05"))
	tr.cmd("queue/len jobs", rdb.LLen(ctx, "jobs"))
	tr.cmd("queue/len processing", rdb.LLen(ctx, "processing"))

	// A leaderboard.
	tr.cmd("board/zadd", rdb.ZAdd(ctx, "board",
		redis.Z{Score: 100, Member: "alice"}, redis.Z{Score: 80, Member: "bob"},
		redis.Z{Score: 120, Member: "carol"}, redis.Z{Score: 95, Member: "dave"}))
	tr.cmd("board/zincrby bob", rdb.ZIncrBy(ctx, "board", 50, "bob"))
	tr.cmd("board/zincrby dave", rdb.ZIncrBy(ctx, "board", 5.5, "dave"))
	tr.cmd("board/zadd gt lower", rdb.ZAddGT(ctx, "board", redis.Z{Score: 1, Member: "alice"}))
	tr.cmd("board/zadd nx new", rdb.ZAddNX(ctx, "board", redis.Z{Score: 100, Member: "erin"}))
	tr.cmd("board/top3", rdb.ZRevRangeWithScores(ctx, "board", 0, 2))
	tr.cmd("board/all", rdb.ZRangeWithScores(ctx, "board", 0, -1))
	tr.cmd("board/zrank alice", rdb.ZRank(ctx, "board", "alice"))
	tr.cmd("board/zrevrank alice", rdb.ZRevRank(ctx, "board", "alice"))
	tr.cmd("board/zrank nobody", rdb.ZRank(ctx, "board", "nobody"))
	tr.cmd("board/zscore dave", rdb.ZScore(ctx, "board", "dave"))
	tr.cmd("board/zscore nobody", rdb.ZScore(ctx, "board", "nobody"))
	tr.cmd("board/zcount 100+", rdb.ZCount(ctx, "board", "100", "+inf"))
	tr.cmd("board/zrangebyscore", rdb.ZRangeByScore(ctx, "board", &redis.ZRangeBy{Min: "(100", Max: "+inf"}))
	tr.cmd("board/zrem", rdb.ZRem(ctx, "board", "erin"))
	tr.cmd("board/zcard", rdb.ZCard(ctx, "board"))
	tr.cmd("board/wrongtype", rdb.ZAdd(ctx, "cache:user:1", redis.Z{Score: 1, Member: "x"}))

	// A rate limiter: 5 calls per 10 s window.
	for i := range 7 {
		n, ok, err := allow(ctx, rdb, "u1", 5, 10*time.Second)
		tr.add(fmt.Sprintf("ratelimit/call %d", i), fmt.Sprint(n, " allowed=", ok, " err=", err))
	}
	tr.ttl("ratelimit/window", rdb.PTTL(ctx, "rl:u1"), 10*time.Second)
	n, ok, err := allow(ctx, rdb, "u2", 5, 10*time.Second)
	tr.add("ratelimit/other user", fmt.Sprint(n, " allowed=", ok, " err=", err))

	// An optimistic update: spend credits unless the balance changed
	// since it was read; the first attempt meets a concurrent top-up on
	// another connection and is retried.
	tr.cmd("watch/set", rdb.Set(ctx, "credits:ada", 100, 0))
	for attempt := range 3 {
		err := rdb.Watch(ctx, func(tx *redis.Tx) error {
			bal, err := tx.Get(ctx, "credits:ada").Int64()
			if err != nil {
				return err
			}
			tr.add(fmt.Sprintf("watch/attempt %d read", attempt), bal)
			if attempt == 0 {
				tr.cmd("watch/concurrent top-up", rdb.IncrBy(ctx, "credits:ada", 50))
			}
			if bal < 30 {
				return errors.New("insufficient credits")
			}
			cmds, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "credits:ada", bal-30, 0)
				p.RPush(ctx, "ledger:ada", "-30")
				return nil
			})
			for i, c := range cmds {
				tr.cmd(fmt.Sprintf("watch/attempt %d cmd %d", attempt, i), c)
			}
			return err
		}, "credits:ada")
		tr.add(fmt.Sprintf("watch/attempt %d", attempt), fmt.Sprint("err=", err, " txfailed=", errors.Is(err, redis.TxFailedErr)))
		if err == nil {
			break
		}
	}
	tr.cmd("watch/balance", rdb.Get(ctx, "credits:ada"))
	tr.cmd("watch/ledger", rdb.LRange(ctx, "ledger:ada", 0, -1))
	// A transaction with a command failing at EXEC: the others apply.
	cmds, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Incr(ctx, "tx:n")
		p.LPush(ctx, "credits:ada", "x")
		p.Incr(ctx, "tx:n")
		return nil
	})
	tr.add("tx/exec error", fmt.Sprint("err=", err))
	for i, c := range cmds {
		tr.cmd(fmt.Sprintf("tx/cmd %d", i), c)
	}

	// Pipelines.
	cmds, err = rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "p:str", "x", 0)
		p.Incr(ctx, "p:str")
		p.MSet(ctx, "p:a", "1", "p:b", "2")
		p.MGet(ctx, "p:a", "p:missing", "p:b")
		p.Get(ctx, "p:missing")
		p.SAdd(ctx, "p:set", "x", "y", "z", "x")
		p.SIsMember(ctx, "p:set", "y")
		p.Append(ctx, "p:a", "23")
		p.GetRange(ctx, "p:a", 1, 2)
		p.Do(ctx, "NOSUCHCOMMAND", "x")
		p.IncrByFloat(ctx, "p:f", 1.5)
		return nil
	})
	tr.add("pipeline/first error", fmt.Sprint(err))
	for i, c := range cmds {
		tr.cmd(fmt.Sprintf("pipeline/cmd %d", i), c)
	}
	tr.sorted("pipeline/smembers", rdb.SMembers(ctx, "p:set"))
	pipe := rdb.Pipeline()
	for range 100 {
		pipe.Incr(ctx, "p:counter")
	}
	cmds, err = pipe.Exec(ctx)
	tr.add("pipeline/100 incr", fmt.Sprint(len(cmds), " err=", err, " last=", cmds[len(cmds)-1].(*redis.IntCmd).Val()))

	// Pub/sub: a channel and a pattern subscription on one connection.
	ps := rdb.Subscribe(ctx, "ev:orders")
	defer ps.Close()
	sub, err := ps.Receive(ctx)
	tr.add("pubsub/subscribe", fmt.Sprint(sub, " err=", err))
	if err := ps.PSubscribe(ctx, "ev:*"); err != nil {
		t.Fatal(err)
	}
	sub, err = ps.Receive(ctx)
	tr.add("pubsub/psubscribe", fmt.Sprint(sub, " err=", err))
	tr.cmd("pubsub/numsub", rdb.PubSubNumSub(ctx, "ev:orders", "ev:none"))
	tr.cmd("pubsub/numpat", rdb.PubSubNumPat(ctx))
	tr.cmd("pubsub/channels", rdb.PubSubChannels(ctx, "ev:*"))
	tr.cmd("pubsub/publish orders", rdb.Publish(ctx, "ev:orders", "order 1"))
	tr.cmd("pubsub/publish users", rdb.Publish(ctx, "ev:users", "user 7"))
	tr.cmd("pubsub/publish nobody", rdb.Publish(ctx, "other", "lost"))
	for i := range 3 {
		m, err := ps.ReceiveMessage(ctx)
		if err != nil {
			t.Fatalf("pub/sub message %d: %v", i, err)
		}
		tr.add(fmt.Sprintf("pubsub/message %d", i), fmt.Sprintf("channel=%s pattern=%s payload=%s", m.Channel, m.Pattern, m.Payload))
	}
	if err := ps.Unsubscribe(ctx, "ev:orders"); err != nil {
		t.Fatal(err)
	}
	sub, err = ps.Receive(ctx)
	tr.add("pubsub/unsubscribe", fmt.Sprint(sub, " err=", err))

	// The negative entry set by the second lookup of user 404 has expired
	// by now; reading it removes it, whether or not active expiry got to
	// it first (DBSIZE counts expired keys not yet removed, in Redis too).
	tr.cmd("end/negative entry", rdb.Get(ctx, "cache:user:404"))
	tr.cmd("end/dbsize", rdb.DBSize(ctx))
	tr.sorted("end/keys", rdb.Keys(ctx, "*"))
	return tr.lines
}

// waitBlockedInfo waits until INFO reports a blocked client.
func waitBlockedInfo(t *testing.T, ctx context.Context, rdb redis.UniversalClient) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; {
		info, err := rdb.Info(ctx, "clients").Result()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(info, "\nblocked_clients:1\r\n") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no blocked client in INFO clients:\n%s", info)
		}
		time.Sleep(time.Millisecond)
	}
}

// appRedis starts a redis-server for the test. Like the differential
// tests, it skips when redis-server is not installed, unless CI is
// "true", where it fails.
func appRedis(t *testing.T) string {
	t.Helper()
	srv, err := difftest.StartRedis()
	switch {
	case errors.Is(err, difftest.ErrNoRedis) && os.Getenv("CI") != "true":
		t.Skip("redis-server not installed")
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	return srv.Addr
}

// TestAppFlow runs the same application flow on the portless client and
// on a real redis-server, with both protocol versions, and requires
// identical transcripts.
func TestAppFlow(t *testing.T) {
	addr := appRedis(t)
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			opts := redis.Options{
				Protocol:                 proto,
				PoolSize:                 4,
				MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
			}
			db, err := kevy.Open("", nil) // as a user opens it: active expiry, real clock
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			portless := goredis.NewClient(db, &opts)
			defer portless.Close()
			ro := opts
			ro.Addr = addr
			rc := redis.NewClient(&ro)
			defer rc.Close()

			got := appFlow(t, portless)
			want := appFlow(t, rc)

			if len(want) < 100 {
				t.Fatalf("redis-server transcript has only %d lines", len(want))
			}
			for i := range max(len(got), len(want)) {
				var g, w string
				if i < len(got) {
					g = got[i]
				}
				if i < len(want) {
					w = want[i]
				}
				if g != w {
					t.Errorf("line %d:\nkevy:  %s\nredis: %s", i, g, w)
				}
			}

			// Known values, so that two equally wrong transcripts fail.
			tr := &transcript{lines: got}
			for _, c := range []struct{ label, want string }{
				{"cache/get 0 user 1", "ada from db err=<nil>"},
				{"cache/get 1 user 1", "ada from cache err=<nil>"},
				{"cache/get 4 user 404", " from cache err=no such user"},
				{"cache/ttl user 1", "in (½, 1] of 1m0s"},
				{"cache/pttl user 404", "in (½, 1] of 50ms"},
				{"cache/ttl profile persisted", "no ttl"},
				{"cache/negative entry expired", "exists cache:user:404: 0"},
				{"cache/404 after expiry", " from db err=no such user"},
				{"queue/pending", "lrange jobs 0 -1: [b2 b1 a3 a2 a1]"},
				{"queue/worker 1", "a2 failed"},
				{"queue/processing left", "lrange processing 0 -1: [a2]"},
				{"queue/woken worker", "brpoplpush jobs processing 5: late"},
				{"queue/timeout", "BRPOPLPUSH jobs processing 0.05: redis: nil"},
				{"queue/len processing", "llen processing: 0"},
				{"board/top3", "zrevrange board 0 2 withscores: [{130 bob} {120 carol} {100.5 dave}]"},
				{"board/zrank alice", "zrank board alice: 0"}, // tied with erin, first by name
				{"board/zrevrank alice", "zrevrank board alice: 4"},
				{"board/zscore dave", "zscore board dave: 100.5"},
				{"board/wrongtype", "zadd cache:user:1 1 x: WRONGTYPE Operation against a key holding the wrong kind of value"},
				{"ratelimit/call 4", "5 allowed=true err=<nil>"},
				{"ratelimit/call 5", "6 allowed=false err=<nil>"},
				{"ratelimit/window", "in (½, 1] of 10s"},
				{"watch/attempt 0", "err=redis: transaction failed txfailed=true"},
				{"watch/attempt 1 read", "150"},
				{"watch/attempt 1", "err=<nil> txfailed=false"},
				{"watch/balance", "get credits:ada: 120"},
				{"tx/cmd 2", "incr tx:n: 2"},
				{"pipeline/cmd 1", "incr p:str: ERR value is not an integer or out of range"},
				{"pipeline/100 incr", "100 err=<nil> last=100"},
				{"end/negative entry", "get cache:user:404: redis: nil"},
				{"end/dbsize", "dbsize: 15"},
				{"pubsub/message 0", "channel=ev:orders pattern= payload=order 1"},
				{"pubsub/message 1", "channel=ev:orders pattern=ev:* payload=order 1"},
				{"pubsub/message 2", "channel=ev:users pattern=ev:* payload=user 7"},
			} {
				if v, ok := tr.get(c.label); !ok || v != c.want {
					t.Errorf("%s = %q (recorded: %v), want %q", c.label, v, ok, c.want)
				}
			}
			if t.Failed() {
				t.Logf("kevy transcript:\n%s", strings.Join(got, "\n"))
			}
		})
	}
}
