package kevy_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy"
)

// TestActiveExpiryRemovesUntouchedKeys checks that Tick (the active cycle)
// removes expired keys nobody reads, keeps live ones, and reports the
// removals to the metric sink.
func TestActiveExpiryRemovesUntouchedKeys(t *testing.T) {
	for _, shards := range []int{1, 8} {
		t.Run(strconv.Itoa(shards), func(t *testing.T) {
			clk := kevy.NewManualClock(time.Unix(1_700_000_000, 0))
			var mu sync.Mutex
			var expired int64
			db := openTest(t, &kevy.Options{
				Shards: shards, Clock: clk, ManualExpiry: true,
				MetricSink: func(m kevy.Metric) {
					if m.Kind == kevy.MetricExpired {
						mu.Lock()
						expired += m.Count
						mu.Unlock()
					}
				},
			})
			const volatile, persistent = 5000, 500
			for i := range volatile {
				if _, _, err := db.SetArgs("v"+strconv.Itoa(i), []byte("x"), kevy.SetOpts{TTL: time.Second}); err != nil {
					t.Fatal(err)
				}
			}
			for i := range persistent {
				if err := db.Set("p"+strconv.Itoa(i), []byte("x")); err != nil {
					t.Fatal(err)
				}
			}
			if n := db.Tick(); n != 0 {
				t.Fatalf("Tick removed %d keys before any deadline", n)
			}
			clk.Advance(time.Second)
			total := 0
			for range 1000 {
				n := db.Tick()
				total += n
				if n == 0 {
					break
				}
			}
			if total != volatile {
				t.Fatalf("active expiry removed %d keys, want %d", total, volatile)
			}
			mu.Lock()
			got := expired
			mu.Unlock()
			if got != volatile {
				t.Fatalf("metric sink saw %d expirations, want %d", got, volatile)
			}
			for i := range persistent {
				if _, err := db.Get("p" + strconv.Itoa(i)); err != nil {
					t.Fatalf("persistent key p%d lost: %v", i, err)
				}
			}
		})
	}
}

// TestBackgroundExpiry checks the background cycle runs without Tick.
func TestBackgroundExpiry(t *testing.T) {
	clk := kevy.NewManualClock(time.Unix(1_700_000_000, 0))
	done := make(chan struct{}, 1)
	db := openTest(t, &kevy.Options{Clock: clk, MetricSink: func(m kevy.Metric) {
		if m.Kind == kevy.MetricExpired {
			select {
			case done <- struct{}{}:
			default:
			}
		}
	}})
	if _, _, err := db.SetArgs("k", []byte("v"), kevy.SetOpts{TTL: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("background expiry cycle did not remove the key")
	}
}
