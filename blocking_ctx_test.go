package kevy_test

// Tests of DB.Do passing its context to blocking commands, and of Close
// ending blocked calls.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kevydb/kevy"
)

func TestDoBlockingCancelledByContext(t *testing.T) {
	db := openTest(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := db.Do(ctx, "BLPOP", "k", 0)
		done <- err
	}()
	waitBlocked(t, db, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Do BLPOP after cancel: %v", err)
	}
	tctx, tcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer tcancel()
	if _, err := db.Do(tctx, "BLMOVE", "k", "d", "LEFT", "LEFT", 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Do BLMOVE past the deadline: %v", err)
	}
	if db.BlockedClients() != 0 {
		t.Fatal("callers still registered")
	}
}

func TestCloseEndsBlockedCalls(t *testing.T) {
	db := openTest(t, nil)
	res := startBLPop(db, context.Background(), 0, "k")
	waitBlocked(t, db, 1)
	db.Close()
	if r := recvPop(t, res); !errors.Is(r.err, kevy.ErrClosed) {
		t.Fatalf("BLPop across Close: %+v", r)
	}
}
