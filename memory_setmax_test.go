package kevy_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/kevydb/kevy"
)

// TestSetMaxMemory: lowering the limit at run time under the memory in
// use evicts at once by the new policy, or makes writes fail with ErrOOM
// under NoEviction; CONFIG GET reports the new values.
func TestSetMaxMemory(t *testing.T) {
	tests := []struct {
		name      string
		policy    kevy.EvictionPolicy
		wantEvict bool // keys are evicted down to the limit
	}{
		{"noeviction", kevy.NoEviction, false},
		{"allkeys-lru", kevy.AllKeysLRU, true},
		{"allkeys-random", kevy.AllKeysRandom, true},
		{"volatile-lru without TTLs", kevy.VolatileLRU, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t, &kevy.Options{Shards: 4})
			for i := range 1000 {
				if err := db.Set("k"+strconv.Itoa(i), make([]byte, 100)); err != nil {
					t.Fatal(err)
				}
			}
			used := db.UsedMemory()
			limit := used / 2
			if err := db.SetMaxMemory(limit, tc.policy); err != nil {
				t.Fatal(err)
			}
			n, err := db.DBSize()
			if err != nil {
				t.Fatal(err)
			}
			err = db.Set("new", []byte("v"))
			if tc.wantEvict {
				if n >= 1000 || n == 0 {
					t.Errorf("DBSize after lowering maxmemory = %d, want some keys evicted", n)
				}
				if u := db.UsedMemory(); u > limit {
					t.Errorf("UsedMemory = %d, over the new limit %d", u, limit)
				}
				if err != nil {
					t.Errorf("Set after eviction: %v", err)
				}
			} else {
				if n != 1000 {
					t.Errorf("DBSize = %d, want 1000 (nothing evictable)", n)
				}
				if !errors.Is(err, kevy.ErrOOM) {
					t.Errorf("Set over the limit: err = %v, want ErrOOM", err)
				}
			}
			v, err := db.Do(context.Background(), "CONFIG", "GET", "maxmemory")
			if err != nil {
				t.Fatal(err)
			}
			if got := v.String(); !strings.Contains(got, strconv.FormatInt(limit, 10)) {
				t.Errorf("CONFIG GET maxmemory = %s, want %d", got, limit)
			}
			v, err = db.Do(context.Background(), "CONFIG", "GET", "maxmemory-policy")
			if err != nil {
				t.Fatal(err)
			}
			if got := v.String(); !strings.Contains(got, tc.policy.String()) {
				t.Errorf("CONFIG GET maxmemory-policy = %s, want %s", got, tc.policy)
			}
			// Lifting the limit lets writes through again.
			if err := db.SetMaxMemory(0, tc.policy); err != nil {
				t.Fatal(err)
			}
			if err := db.Set("after", []byte("v")); err != nil {
				t.Errorf("Set without a limit: %v", err)
			}
		})
	}
}

func TestSetMaxMemoryInvalid(t *testing.T) {
	db := openTest(t, nil)
	tests := []struct {
		name   string
		bytes  int64
		policy kevy.EvictionPolicy
		want   error
	}{
		{"negative", -1, kevy.NoEviction, kevy.ErrInvalidArgument},
		{"unknown policy", 0, kevy.VolatileLRM + 1, kevy.ErrInvalidArgument},
		{"valid", 1 << 30, kevy.AllKeysLFU, nil},
	}
	for _, tc := range tests {
		if err := db.SetMaxMemory(tc.bytes, tc.policy); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	db.Close()
	if err := db.SetMaxMemory(0, kevy.NoEviction); !errors.Is(err, kevy.ErrClosed) {
		t.Errorf("after Close: err = %v, want ErrClosed", err)
	}
}

// TestConfigSetMaxMemoryEvicts: CONFIG SET maxmemory under the memory in
// use evicts at once, before the reply, as Redis does; the tuning
// settings are applied with it (a sample count over the 64 kevy looks at
// is accepted and capped).
func TestConfigSetMaxMemoryEvicts(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, &kevy.Options{Shards: 4})
	for i := range 2000 {
		if err := db.Set("k"+strconv.Itoa(i), make([]byte, 64)); err != nil {
			t.Fatal(err)
		}
	}
	limit := db.UsedMemory() / 4
	steps := []struct {
		args []any
		want string
	}{
		{[]any{"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu", "maxmemory-samples", "100", "lfu-log-factor", "1", "lfu-decay-time", "0"}, "OK"},
		{[]any{"CONFIG", "SET", "maxmemory", strconv.FormatInt(limit, 10)}, "OK"},
		{[]any{"CONFIG", "GET", "maxmemory-samples"}, "[maxmemory-samples 100]"},
	}
	for _, s := range steps {
		v, err := db.Do(ctx, s.args...)
		if err != nil {
			t.Fatalf("%v: %v", s.args, err)
		}
		if got := v.String(); got != s.want {
			t.Errorf("%v = %s, want %s", s.args, got, s.want)
		}
	}
	n, err := db.DBSize()
	if err != nil {
		t.Fatal(err)
	}
	if n >= 2000 || n == 0 {
		t.Errorf("DBSize right after CONFIG SET maxmemory = %d, want keys evicted", n)
	}
	if u := db.UsedMemory(); u > limit {
		t.Errorf("UsedMemory = %d, over the limit %d", u, limit)
	}
}
