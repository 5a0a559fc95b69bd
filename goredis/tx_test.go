package goredis_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kevydb/kevy"
)

// Transactions and blocking commands through go-redis, over TCP ("kevy
// serve") and over in-memory connections.

func TestTxPipelined(t *testing.T) {
	eachClient(t, nil, redis.Options{}, func(t *testing.T, db *kevy.DB, rdb *redis.Client) {
		ctx := context.Background()
		var incr *redis.IntCmd
		var bad *redis.IntCmd
		cmds, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "a", "1", 0)
			incr = p.IncrBy(ctx, "b", 5)
			bad = p.LPush(ctx, "a", "x")
			p.BLPop(ctx, 0, "empty") // does not block inside MULTI
			return nil
		})
		if len(cmds) != 4 {
			t.Fatalf("%d results", len(cmds))
		}
		if err == nil || bad.Err() == nil {
			t.Fatalf("TxPipelined error %v, LPUSH %v: want WRONGTYPE", err, bad.Err())
		}
		if incr.Val() != 5 {
			t.Fatalf("INCRBY = %v", incr)
		}
		if v, _ := db.Get("a"); string(v) != "1" {
			t.Fatalf("a = %q", v)
		}
		// A command refused while queueing discards the transaction.
		_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "c", "1", 0)
			p.Do(ctx, "nosuchcommand")
			return nil
		})
		if err == nil {
			t.Fatal("TxPipelined with an unknown command succeeded")
		}
		if n, _ := rdb.Exists(ctx, "c").Result(); n != 0 {
			t.Fatal("a discarded transaction ran")
		}
	})
}

func TestWatch(t *testing.T) {
	eachClient(t, nil, redis.Options{PoolSize: 4}, func(t *testing.T, db *kevy.DB, rdb *redis.Client) {
		ctx := context.Background()
		rdb.Set(ctx, "k", "1", 0)
		err := rdb.Watch(ctx, func(tx *redis.Tx) error {
			// Another connection modifies the watched key.
			if err := rdb.Set(ctx, "k", "2", 0).Err(); err != nil {
				return err
			}
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "k", "tx", 0)
				return nil
			})
			return err
		}, "k")
		if !errors.Is(err, redis.TxFailedErr) {
			t.Fatalf("Watch after a concurrent write: %v", err)
		}
		if v, _ := rdb.Get(ctx, "k").Result(); v != "2" {
			t.Fatalf("k = %q", v)
		}
		// Optimistic increments from several goroutines lose nothing.
		const workers, each = 4, 25
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					for {
						err := rdb.Watch(ctx, func(tx *redis.Tx) error {
							n, err := tx.Get(ctx, "n").Int()
							if err != nil && err != redis.Nil {
								return err
							}
							_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
								p.Set(ctx, "n", n+1, 0)
								return nil
							})
							return err
						}, "n")
						if err == nil {
							break
						}
						if !errors.Is(err, redis.TxFailedErr) {
							t.Error(err)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		if v, _ := rdb.Get(ctx, "n").Result(); v != strconv.Itoa(workers*each) {
			t.Fatalf("n = %q, want %d", v, workers*each)
		}
	})
}

func TestBlockingPops(t *testing.T) {
	eachClient(t, nil, redis.Options{PoolSize: 4}, func(t *testing.T, db *kevy.DB, rdb *redis.Client) {
		ctx := context.Background()
		type popped struct {
			v   []string
			err error
		}
		res := make(chan popped, 1)
		go func() {
			v, err := rdb.BLPop(ctx, 0, "q").Result()
			res <- popped{v, err}
		}()
		waitBlocked(t, db)
		rdb.RPush(ctx, "q", "job")
		if r := <-res; r.err != nil || len(r.v) != 2 || r.v[1] != "job" {
			t.Fatalf("BLPOP = %v, %v", r.v, r.err)
		}
		zres := make(chan *redis.ZWithKey, 1)
		go func() {
			z, _ := rdb.BZPopMin(ctx, 0, "zq").Result()
			zres <- z
		}()
		waitBlocked(t, db)
		rdb.ZAdd(ctx, "zq", redis.Z{Score: 3, Member: "m"})
		if z := <-zres; z == nil || z.Key != "zq" || z.Member != "m" || z.Score != 3 {
			t.Fatalf("BZPOPMIN = %+v", z)
		}
		type mpopped struct {
			key     string
			members []redis.Z
			err     error
		}
		mres := make(chan mpopped, 1)
		go func() {
			k, ms, err := rdb.BZMPop(ctx, 0, "max", 2, "none", "zq2").Result()
			mres <- mpopped{k, ms, err}
		}()
		waitBlocked(t, db)
		rdb.ZAdd(ctx, "zq2", redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}, redis.Z{Score: 3, Member: "c"})
		r := <-mres
		if r.err != nil || r.key != "zq2" || len(r.members) != 2 || r.members[0].Member != "c" || r.members[1].Score != 2 {
			t.Fatalf("BZMPOP = %+v", r)
		}
	})
}

// waitBlocked waits until a client is blocked in db.
func waitBlocked(t *testing.T, db *kevy.DB) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for db.BlockedClients() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no client blocked")
		}
		time.Sleep(time.Millisecond)
	}
}
