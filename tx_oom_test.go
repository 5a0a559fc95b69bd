package kevy_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/kevydb/kevy"
)

// TestTxRefusedWhenOOM checks Redis's MULTI rules under maxmemory with
// noeviction: as Redis 7.0, every command queued inside MULTI (reads
// included: queueing takes memory) is refused with OOM and aborts the
// transaction, while reads outside a transaction still run.
func TestTxRefusedWhenOOM(t *testing.T) {
	db := openTest(t, &kevy.Options{MaxMemory: 1 << 20, EvictionPolicy: kevy.NoEviction})
	ctx := context.Background()
	big := strings.Repeat("x", 64<<10)
	for i := 0; ; i++ {
		if _, err := db.Do(ctx, "SET", "k"+strconv.Itoa(i), big); err != nil {
			break
		}
		if i > 1000 {
			t.Fatal("never reached the memory limit")
		}
	}
	if v, err := db.Do(ctx, "GET", "nokey"); err != nil || !v.IsNil() {
		t.Fatalf("read over the limit: %v %v", v, err)
	}
	for _, args := range [][]any{{"GET", "nokey"}, {"SET", "new", "v"}} {
		_, err := db.TxPipelined(ctx, func(p *kevy.Pipe) error {
			p.Do(args...)
			return nil
		})
		if err == nil || !strings.Contains(err.Error(), "OOM") {
			t.Fatalf("transaction %v over the limit: %v", args, err)
		}
	}
}
