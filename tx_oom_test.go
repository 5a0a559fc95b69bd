package kevy_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/kevydb/kevy"
)

// TestTxRefusedWhenOOM checks Redis's MULTI rules under maxmemory with
// noeviction: a write that may grow memory is refused at queue time and
// aborts the transaction, while reads still queue and run.
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
	vals, err := db.TxPipelined(ctx, func(p *kevy.Pipe) error {
		p.Do("GET", "nokey")
		return nil
	})
	if err != nil || len(vals) != 1 || !vals[0].IsNil() {
		t.Fatalf("read-only transaction over the limit: %v %v", vals, err)
	}
	_, err = db.TxPipelined(ctx, func(p *kevy.Pipe) error {
		p.Do("SET", "new", "v")
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "OOM") {
		t.Fatalf("write transaction over the limit: %v", err)
	}
}
