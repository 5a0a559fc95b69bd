package kevy_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy"
)

func TestTxPipelined(t *testing.T) {
	db := openTest(t, nil)
	ctx := context.Background()
	res, err := db.TxPipelined(ctx, func(p *kevy.Pipe) error {
		p.Do("SET", "a", 1)
		p.Do("INCRBY", "b", 5)
		p.Do("LPUSH", "a", "x") // WRONGTYPE at run time: the others still run
		p.Do("MGET", "a", "b")
		p.Do("BLPOP", "empty", 0) // does not block inside a transaction
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 5 {
		t.Fatalf("%d results", len(res))
	}
	if res[0].String() != "OK" || res[1].String() != "5" {
		t.Errorf("SET, INCRBY = %v, %v", res[0], res[1])
	}
	if res[2].Kind() != kevy.KindError || !errors.Is(res[2].Err(), kevy.ErrWrongType) {
		t.Errorf("LPUSH result = %v (%v)", res[2], res[2].Kind())
	}
	if got := res[3].Elems(); len(got) != 2 || got[0].String() != "1" || got[1].String() != "5" {
		t.Errorf("MGET = %v", res[3])
	}
	if !res[4].IsNil() {
		t.Errorf("BLPOP in a transaction = %v", res[4])
	}

	// Refused before running: nothing runs.
	_, err = db.TxPipelined(ctx, func(p *kevy.Pipe) error {
		p.Do("SET", "c", 1)
		p.Do("NOSUCHCMD")
		return nil
	})
	if !errors.Is(err, kevy.ErrUnknownCommand) {
		t.Fatalf("unknown command in a transaction: %v", err)
	}
	_, err = db.TxPipelined(ctx, func(p *kevy.Pipe) error {
		p.Do("SET", "c")
		return nil
	})
	if !errors.Is(err, kevy.ErrArity) {
		t.Fatalf("wrong arity in a transaction: %v", err)
	}
	if _, err := db.Get("c"); !errors.Is(err, kevy.ErrNil) {
		t.Fatalf("a refused transaction ran: %v", err)
	}
	errStop := errors.New("stop")
	if _, err := db.TxPipelined(ctx, func(p *kevy.Pipe) error { p.Do("SET", "c", 1); return errStop }); err != errStop {
		t.Fatalf("fn error: %v", err)
	}
	if _, err := db.TxPipelined(ctx, func(p *kevy.Pipe) error { p.Do("SET", "c", struct{}{}); return nil }); !errors.Is(err, kevy.ErrInvalidArgument) {
		t.Fatalf("bad argument: %v", err)
	}
	if _, err := db.Get("c"); !errors.Is(err, kevy.ErrNil) {
		t.Fatalf("a transaction that was not sent ran: %v", err)
	}
}

func TestDoRefusesSessionCommands(t *testing.T) {
	db := openTest(t, nil)
	ctx := context.Background()
	for _, name := range []any{"MULTI", "multi", "WATCH", []byte("Watch")} {
		args := []any{name}
		if n, _ := name.(string); n == "WATCH" {
			args = append(args, "k")
		}
		if _, err := db.Do(ctx, args...); !errors.Is(err, kevy.ErrInvalidArgument) {
			t.Errorf("Do %v: %v", name, err)
		}
	}
	if _, err := db.Do(ctx, "EXEC"); err == nil || err.Error() != "kevy: ERR EXEC without MULTI" {
		t.Errorf("Do EXEC: %v", err)
	}
	if v, err := db.Do(ctx, "UNWATCH"); err != nil || v.String() != "OK" {
		t.Errorf("Do UNWATCH: %v %v", v, err)
	}
}

func TestWatch(t *testing.T) {
	db := openTest(t, nil)
	ctx := context.Background()
	if err := db.Set("k", []byte("1")); err != nil {
		t.Fatal(err)
	}
	// Untouched: runs.
	err := db.Watch(ctx, func(tx *kevy.Tx) error {
		v, err := tx.Do(ctx, "GET", "k")
		if err != nil {
			return err
		}
		n, _ := v.Int()
		_, err = tx.TxPipelined(ctx, func(p *kevy.Pipe) error {
			p.Do("SET", "k", n+1)
			return nil
		})
		return err
	}, "k")
	if err != nil {
		t.Fatal(err)
	}
	// Modified through Do, through the typed API, by expiry: fails.
	for _, modify := range []func(){
		func() { db.Do(ctx, "INCR", "k") },
		func() { db.Set("k", []byte("9")) },
		func() { db.Do(ctx, "FLUSHDB") },
	} {
		db.Set("k", []byte("1"))
		err := db.Watch(ctx, func(tx *kevy.Tx) error {
			modify()
			_, err := tx.TxPipelined(ctx, func(p *kevy.Pipe) error {
				p.Do("SET", "k", "tx")
				return nil
			})
			return err
		}, "k")
		if !errors.Is(err, kevy.ErrTxFailed) {
			t.Fatalf("Watch after a modification: %v", err)
		}
		if v, _ := db.Get("k"); string(v) == "tx" {
			t.Fatal("the failed transaction ran")
		}
	}
	// Tx.Do refuses the transaction commands; Unwatch lifts the watch.
	err = db.Watch(ctx, func(tx *kevy.Tx) error {
		if _, err := tx.Do(ctx, "MULTI"); !errors.Is(err, kevy.ErrInvalidArgument) {
			t.Errorf("Tx.Do MULTI: %v", err)
		}
		db.Set("k", []byte("2"))
		if err := tx.Unwatch(); err != nil {
			return err
		}
		_, err := tx.TxPipelined(ctx, func(p *kevy.Pipe) error { p.Do("SET", "k", "3"); return nil })
		return err
	}, "k")
	if err != nil {
		t.Fatal(err)
	}
	// A handle on another database watches there: a command on the same
	// key of database 0 does not touch it.
	db1, _ := db.Database(1)
	err = db1.Watch(ctx, func(tx *kevy.Tx) error {
		db.Do(ctx, "SET", "k", "db0")
		_, err := tx.TxPipelined(ctx, func(p *kevy.Pipe) error { p.Do("SET", "k", "db1"); return nil })
		return err
	}, "k")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := db1.Get("k"); string(v) != "db1" {
		t.Fatalf("db1 k = %q", v)
	}
}

// TestWatchRetryLoop increments a counter from many goroutines with
// optimistic transactions; no increment may be lost.
func TestWatchRetryLoop(t *testing.T) {
	db := openTest(t, nil)
	ctx := context.Background()
	const workers, each = 8, 50
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				for {
					err := db.Watch(ctx, func(tx *kevy.Tx) error {
						v, err := tx.Do(ctx, "GET", "n")
						n := int64(0)
						if err == nil {
							n, _ = v.Int()
						} else if !errors.Is(err, kevy.ErrNil) {
							return err
						}
						_, err = tx.TxPipelined(ctx, func(p *kevy.Pipe) error {
							p.Do("SET", "n", n+1)
							return nil
						})
						return err
					}, "n")
					if err == nil {
						break
					}
					if !errors.Is(err, kevy.ErrTxFailed) {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if v, _ := db.Get("n"); string(v) != strconv.Itoa(workers*each) {
		t.Fatalf("n = %q, want %d", v, workers*each)
	}
}

// TestTxPipelinedAtomic transfers between keys of different shards while
// readers read both in transactions.
func TestTxPipelinedAtomic(t *testing.T) {
	db := openTest(t, &kevy.Options{Shards: 16})
	ctx := context.Background()
	db.Set("acct:a", []byte("500"))
	db.Set("acct:b", []byte("500"))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				n := (w+i)%5 + 1
				if _, err := db.TxPipelined(ctx, func(p *kevy.Pipe) error {
					p.Do("DECRBY", "acct:a", n)
					p.Do("INCRBY", "acct:b", n)
					return nil
				}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				res, err := db.TxPipelined(ctx, func(p *kevy.Pipe) error {
					p.Do("GET", "acct:a")
					p.Do("GET", "acct:b")
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				a, _ := res[0].Int()
				b, _ := res[1].Int()
				if a+b != 1000 {
					t.Errorf("read %d + %d", a, b)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestTypedWritesWakeBlockedClients: writes made through the typed API
// that create a list or sorted set wake the callers blocked on the key.
func TestTypedWritesWakeBlockedClients(t *testing.T) {
	for _, tc := range []struct {
		name  string
		block []any
		setup func(db *kevy.DB)
		wake  func(db *kevy.DB) error
	}{
		{"zadd", []any{"BZPOPMIN", "z", 0}, nil, func(db *kevy.DB) error {
			_, err := db.ZAdd("z", kevy.Z{Member: "m", Score: 1})
			return err
		}},
		{"zunionstore", []any{"BZPOPMAX", "{z}d", 0}, func(db *kevy.DB) { db.ZAdd("{z}s", kevy.Z{Member: "m", Score: 1}) },
			func(db *kevy.DB) error {
				_, err := db.ZUnionStore("{z}d", kevy.ZStore{Keys: []string{"{z}s"}})
				return err
			}},
		{"rename", []any{"BLPOP", "{l}d", 0}, func(db *kevy.DB) { db.RPush("{l}s", "x") },
			func(db *kevy.DB) error { return db.Rename("{l}s", "{l}d") }},
		{"copy", []any{"BZMPOP", 0, 1, "{z}d", "MIN"}, func(db *kevy.DB) { db.ZAdd("{z}s", kevy.Z{Member: "m", Score: 1}) },
			func(db *kevy.DB) error { _, err := db.Copy("{z}s", "{z}d", false); return err }},
		{"move", []any{"BLPOP", "l", 0}, func(db *kevy.DB) {
			db1, _ := db.Database(1)
			db1.RPush("l", "x")
		}, func(db *kevy.DB) error {
			db1, _ := db.Database(1)
			_, err := db1.Move("l", 0)
			return err
		}},
		{"swapdb", []any{"BLPOP", "l", 0}, func(db *kevy.DB) {
			db1, _ := db.Database(1)
			db1.RPush("l", "x")
		}, func(db *kevy.DB) error { return db.SwapDB(0, 1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t, nil)
			ctx := context.Background()
			if tc.setup != nil {
				tc.setup(db)
			}
			done := make(chan error, 1)
			go func() {
				_, err := db.Do(ctx, tc.block...)
				done <- err
			}()
			waitBlocked(t, db, 1)
			if err := tc.wake(db); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the blocked call was not woken")
			}
		})
	}
}
