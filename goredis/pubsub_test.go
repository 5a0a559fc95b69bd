package goredis_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kevydb/kevy"
)

// receive reads the next message of ps, failing after a timeout.
func receive(t *testing.T, ps *redis.PubSub) *redis.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := ps.ReceiveMessage(ctx)
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	return m
}

// waitNumPat waits until the server counts n pattern subscriptions.
func waitNumPat(t *testing.T, rdb *redis.Client, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		np, err := rdb.PubSubNumPat(context.Background()).Result()
		if err == nil && np == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("PUBSUB NUMPAT is %d (%v), want %d", np, err, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestGoRedisPubSub drives go-redis's PubSub against kevy's server, in
// memory and over TCP, RESP2 and RESP3: subscriptions, patterns, shard
// channels, publishing from go-redis and from the embedded API, and
// unsubscribing.
func TestGoRedisPubSub(t *testing.T) {
	eachClient(t, nil, redis.Options{}, func(t *testing.T, db *kevy.DB, rdb *redis.Client) {
		ctx := context.Background()
		ps := rdb.Subscribe(ctx, "news")
		defer ps.Close()
		if _, err := ps.Receive(ctx); err != nil { // the subscription confirmation
			t.Fatal(err)
		}
		if err := ps.PSubscribe(ctx, "news.*"); err != nil {
			t.Fatal(err)
		}
		n, err := rdb.Publish(ctx, "news", "hello").Result()
		if err != nil || n != 1 {
			t.Fatalf("PUBLISH: %d %v", n, err)
		}
		if m := receive(t, ps); m.Channel != "news" || m.Payload != "hello" || m.Pattern != "" {
			t.Errorf("message: %+v", m)
		}
		// go-redis sends PSUBSCRIBE without waiting for its reply, and the
		// server reads each connection on its own goroutine: publish once
		// the pattern is registered.
		waitNumPat(t, rdb, 1)
		if _, err := db.Publish("news.it", []byte("ciao")); err != nil {
			t.Fatal(err)
		}
		if m := receive(t, ps); m.Channel != "news.it" || m.Payload != "ciao" || m.Pattern != "news.*" {
			t.Errorf("pmessage: %+v", m)
		}
		num, err := rdb.PubSubNumSub(ctx, "news", "other").Result()
		if err != nil || num["news"] != 1 || num["other"] != 0 {
			t.Errorf("PUBSUB NUMSUB: %v %v", num, err)
		}
		if np, err := rdb.PubSubNumPat(ctx).Result(); err != nil || np != 1 {
			t.Errorf("PUBSUB NUMPAT: %d %v", np, err)
		}
		if err := ps.Unsubscribe(ctx, "news"); err != nil {
			t.Fatal(err)
		}
		if err := ps.PUnsubscribe(ctx); err != nil {
			t.Fatal(err)
		}
		// The subscription changes are acknowledged before the next
		// message, which only the new channel receives.
		if err := ps.Subscribe(ctx, "later"); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			num, _ := rdb.PubSubNumSub(ctx, "later").Result()
			if num["later"] == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("subscription to later never registered")
			}
			time.Sleep(time.Millisecond)
		}
		rdb.Publish(ctx, "news", "nobody")
		rdb.Publish(ctx, "later", "x")
		if m := receive(t, ps); m.Channel != "later" || m.Payload != "x" {
			t.Errorf("after unsubscribing: %+v", m)
		}

		ss := rdb.SSubscribe(ctx, "shard")
		defer ss.Close()
		if _, err := ss.Receive(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := rdb.SPublish(ctx, "shard", "s").Result(); err != nil || n != 1 {
			t.Fatalf("SPUBLISH: %d %v", n, err)
		}
		if m := receive(t, ss); m.Channel != "shard" || m.Payload != "s" {
			t.Errorf("smessage: %+v", m)
		}
	})
}

// TestGoRedisKeyspaceNotifications receives keyspace events with a
// go-redis PubSub, the configuration set with CONFIG SET.
func TestGoRedisKeyspaceNotifications(t *testing.T) {
	eachClient(t, nil, redis.Options{}, func(t *testing.T, db *kevy.DB, rdb *redis.Client) {
		ctx := context.Background()
		if err := rdb.ConfigSet(ctx, "notify-keyspace-events", "KEA").Err(); err != nil {
			t.Fatal(err)
		}
		cfg, err := rdb.ConfigGet(ctx, "notify-keyspace-events").Result()
		if err != nil || cfg["notify-keyspace-events"] != "AKE" {
			t.Fatalf("CONFIG GET: %v %v", cfg, err)
		}
		ps := rdb.PSubscribe(ctx, "__keyevent@0__:*")
		defer ps.Close()
		if _, err := ps.Receive(ctx); err != nil {
			t.Fatal(err)
		}
		rdb.Set(ctx, "k", "v", 0)
		rdb.LPush(ctx, "l", "a")
		rdb.Expire(ctx, "k", time.Hour)
		rdb.Del(ctx, "k", "l")
		want := []string{"set k", "lpush l", "expire k", "del k", "del l"}
		for _, w := range want {
			m := receive(t, ps)
			if got := m.Channel[len("__keyevent@0__:"):] + " " + m.Payload; got != w {
				t.Errorf("event %q, want %q", got, w)
			}
		}
	})
}

// TestGoRedisPubSubChannel uses go-redis's Channel API under load: every
// message arrives, in order.
func TestGoRedisPubSubChannel(t *testing.T) {
	eachClient(t, nil, redis.Options{}, func(t *testing.T, db *kevy.DB, rdb *redis.Client) {
		ctx := context.Background()
		ps := rdb.Subscribe(ctx, "load")
		defer ps.Close()
		if _, err := ps.Receive(ctx); err != nil {
			t.Fatal(err)
		}
		ch := ps.Channel(redis.WithChannelSize(4096))
		const n = 2000
		go func() {
			for i := range n {
				db.Publish("load", []byte(strconv.Itoa(i)))
			}
		}()
		for i := range n {
			select {
			case m := <-ch:
				if m.Payload != strconv.Itoa(i) {
					t.Fatalf("message %d: %q", i, m.Payload)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("timed out at message %d", i)
			}
		}
	})
}
