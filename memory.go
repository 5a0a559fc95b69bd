package kevy

import (
	"fmt"
	"time"

	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/keyspace"
)

// EvictionPolicy chooses which keys are evicted when the accounted memory
// exceeds Options.MaxMemory (Redis's maxmemory-policy). The allkeys-*
// policies consider every key, the volatile-* ones only keys with a TTL
// (with none left, writes fail with ErrOOM as under NoEviction).
type EvictionPolicy uint8

// The eviction policies, named after Redis's configuration values. LRU
// evicts the least recently used key (read or written), LRM the least
// recently modified one (reads do not count, as in Redis 8.6), LFU the
// least frequently used, TTL the one with the nearest deadline, Random
// any. All but Random are Redis's approximations: keys are sampled
// (Options.MaxMemorySamples per shard) into a pool of the 16 best
// candidates.
const (
	NoEviction     EvictionPolicy = iota // "noeviction": refuse writes
	AllKeysLRU                           // "allkeys-lru"
	AllKeysLFU                           // "allkeys-lfu"
	AllKeysRandom                        // "allkeys-random"
	VolatileLRU                          // "volatile-lru"
	VolatileLFU                          // "volatile-lfu"
	VolatileRandom                       // "volatile-random"
	VolatileTTL                          // "volatile-ttl"
	AllKeysLRM                           // "allkeys-lrm"
	VolatileLRM                          // "volatile-lrm"
)

// String returns the policy's configuration name ("allkeys-lru").
func (p EvictionPolicy) String() string { return keyspace.Policy(p).String() }

// ParseEvictionPolicy maps a Redis configuration name ("allkeys-lru",
// case-insensitive) to its EvictionPolicy.
func ParseEvictionPolicy(name string) (EvictionPolicy, error) {
	p, ok := keyspace.ParsePolicy(name)
	if !ok {
		return NoEviction, fmt.Errorf("%w: unknown eviction policy %q", ErrInvalidArgument, name)
	}
	return EvictionPolicy(p), nil
}

// validateMemory checks the memory options.
func validateMemory(o *Options) error {
	switch {
	case o.MaxMemory < 0:
		return fmt.Errorf("%w: MaxMemory must not be negative, got %d", ErrInvalidArgument, o.MaxMemory)
	case o.EvictionPolicy > VolatileLRM:
		return fmt.Errorf("%w: unknown EvictionPolicy %d", ErrInvalidArgument, o.EvictionPolicy)
	case o.MaxMemorySamples < 0 || o.MaxMemorySamples > 64:
		return fmt.Errorf("%w: MaxMemorySamples must be between 1 and 64, got %d", ErrInvalidArgument, o.MaxMemorySamples)
	}
	return nil
}

// lfuOption applies the "0 means the default, negative means 0" rule.
func lfuOption(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// setupMemory configures the limit, the policy and the eviction metric.
// It runs in Open, before the keyspace holds data.
func (c *core) setupMemory() {
	o := &c.opts
	c.ks.SetEviction(keyspace.EvictionConfig{
		MaxMemory:    o.MaxMemory,
		Policy:       keyspace.Policy(o.EvictionPolicy),
		Samples:      o.MaxMemorySamples,
		LFULogFactor: lfuOption(o.LFULogFactor, keyspace.DefaultLFULogFactor),
		LFUDecayTime: lfuOption(o.LFUDecayTime, keyspace.DefaultLFUDecayTime),
	})
	if sink := o.MetricSink; sink != nil {
		c.eng.SetEvictionHook(func(keys int, bytes int64, d time.Duration) {
			sink(Metric{Kind: MetricEvicted, Count: int64(keys), Bytes: bytes, Duration: d})
		})
	}
}

// denyOOM is the typed API's maxmemory check, made before a write that
// may grow memory with no shard lock held: over the limit it evicts by
// the policy, and it returns an error wrapping ErrOOM (with Redis's text)
// when nothing could be evicted.
func (c *core) denyOOM() error {
	if c.ks.OverLimit() && !c.closed.Load() && c.eng.DenyOOM() {
		return command.FromWire(command.WireOOM)
	}
	return nil
}

// MemoryUsage returns the bytes key costs (Redis MEMORY USAGE): its
// entry, key and string bytes, value structure and TTL slot, as
// accounted against Options.MaxMemory. It returns ErrNil when the key
// does not exist. It does not touch the key's access clock.
func (db *DB) MemoryUsage(key string) (int64, error) {
	c := db.c
	if c.closed.Load() {
		return 0, ErrClosed
	}
	sh := c.ks.ShardFor(key)
	sh.Lock()
	n, ok := command.KeyMemoryUsage(sh, db.db, key, c.clk.NowMs())
	sh.Unlock()
	if !ok {
		return 0, ErrNil
	}
	return n, nil
}

// UsedMemory returns the accounted memory of all databases (INFO
// used_memory): what Options.MaxMemory limits. See docs/memory.md for how
// it relates to the Go heap.
func (db *DB) UsedMemory() int64 {
	if db.c.closed.Load() {
		return 0
	}
	return db.c.ks.UsedMemory()
}

// SetMaxMemory changes Options.MaxMemory and Options.EvictionPolicy while
// the database runs, together and atomically for every command (as
// CONFIG SET maxmemory ... maxmemory-policy ... does over the wire): 0
// bytes means no limit. When the new limit is under the memory in use,
// keys are evicted by the policy before it returns; under NoEviction (or
// a volatile policy with no key that has a TTL) nothing is evicted and
// writes that may grow memory fail with ErrOOM until memory goes back
// under the limit. It affects every logical database of the DB.
func (db *DB) SetMaxMemory(bytes int64, policy EvictionPolicy) error {
	switch {
	case db.c.closed.Load():
		return ErrClosed
	case bytes < 0:
		return fmt.Errorf("%w: maxmemory must not be negative, got %d", ErrInvalidArgument, bytes)
	case policy > VolatileLRM:
		return fmt.Errorf("%w: unknown EvictionPolicy %d", ErrInvalidArgument, policy)
	}
	db.c.eng.SetMaxMemory(uint64(bytes), keyspace.Policy(policy))
	return nil
}
