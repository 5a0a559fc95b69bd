package keyspace

import (
	"math/rand/v2"
	"slices"

	"github.com/kevydb/kevy/internal/clock"
	"github.com/kevydb/kevy/internal/hashslot"
)

// Config sets up a Keyspace.
type Config struct {
	Shards    int          // number of shards, >= 1
	Databases int          // number of logical databases, >= 1
	Clock     *clock.Clock // time source for access clocks (required)
}

// Keyspace is the whole dataset: Shards independent shards, each holding
// its slice of every logical database. A key lives in the shard that its
// Redis Cluster hash slot maps to, so keys sharing a {hashtag} share a
// shard.
type Keyspace struct {
	shards    []Shard
	databases int
	clk       *clock.Clock

	// OnDelete, when set, is called (under the shard lock) for every key
	// the keyspace removes by itself: lazy or active expiry, eviction.
	OnDelete func(s *Shard, db int, key string, why DeleteReason)

	// noExpire suspends expiry (used while loading data or replaying).
	noExpire bool

	// acct is the memory accounting and eviction state (memory.go,
	// evict.go).
	acct accounting
}

// New builds an empty keyspace.
func New(cfg Config) *Keyspace {
	ks := &Keyspace{
		shards:    make([]Shard, cfg.Shards),
		databases: cfg.Databases,
		clk:       cfg.Clock,
	}
	for i := range ks.shards {
		s := &ks.shards[i]
		s.idx = i
		s.ks = ks
		s.dbs = make([]*table, cfg.Databases)
		s.rnd = rand.New(rand.NewPCG(uint64(i)+1, 0x6b657679))
	}
	ks.acct.flushThr = defaultFlushThr
	return ks
}

// SetExpirySuspended turns expiry off (true) or on. While loading a
// snapshot or replaying a log, keys must not expire half-way.
func (ks *Keyspace) SetExpirySuspended(v bool) { ks.noExpire = v }

// NumShards returns the shard count.
func (ks *Keyspace) NumShards() int { return len(ks.shards) }

// Databases returns the number of logical databases.
func (ks *Keyspace) Databases() int { return ks.databases }

// Shard returns shard i.
func (ks *Keyspace) Shard(i int) *Shard { return &ks.shards[i] }

// ShardIndex maps a key to its shard: the key's cluster hash slot, split
// into Shards contiguous slot ranges (as a cluster assigns slot ranges to
// nodes).
func (ks *Keyspace) ShardIndex(key string) int {
	if len(ks.shards) == 1 {
		return 0
	}
	return int(uint32(hashslot.Slot(key)) * uint32(len(ks.shards)) >> 14)
}

// ShardFor returns the shard that holds key.
func (ks *Keyspace) ShardFor(key string) *Shard {
	return &ks.shards[ks.ShardIndex(key)]
}

// NowMs returns the keyspace clock's time in Unix ms.
func (ks *Keyspace) NowMs() int64 { return ks.clk.NowMs() }

// LockSet is a sorted, duplicate-free set of shard indexes locked together.
// Its zero value is empty; it avoids allocation for up to 8 shards.
type LockSet struct {
	buf [8]int
	idx []int
}

// Add records shard i.
func (l *LockSet) Add(i int) {
	if l.idx == nil {
		l.idx = l.buf[:0]
	}
	if !slices.Contains(l.idx, i) {
		l.idx = append(l.idx, i)
	}
}

// AddAll records every shard of ks.
func (l *LockSet) AddAll(ks *Keyspace) {
	l.idx = l.buf[:0]
	for i := range ks.shards {
		l.idx = append(l.idx, i)
	}
}

// Indexes returns the recorded shard indexes (sorted after Lock).
func (l *LockSet) Indexes() []int { return l.idx }

// Reset empties the set for reuse.
func (l *LockSet) Reset() { l.idx = l.buf[:0] }

// Lock acquires every recorded shard lock in ascending shard order, which
// is the global order that keeps multi-shard commands deadlock-free.
func (l *LockSet) Lock(ks *Keyspace) {
	slices.Sort(l.idx)
	for _, i := range l.idx {
		ks.shards[i].mu.Lock()
	}
}

// Unlock releases what Lock acquired.
func (l *LockSet) Unlock(ks *Keyspace) {
	for j := len(l.idx) - 1; j >= 0; j-- {
		s := &ks.shards[l.idx[j]]
		s.Settle()
		s.Unlock()
	}
}

// LockAll locks every shard in order; UnlockAll releases them.
func (ks *Keyspace) LockAll() {
	for i := range ks.shards {
		ks.shards[i].mu.Lock()
	}
}

// UnlockAll releases the locks LockAll took.
func (ks *Keyspace) UnlockAll() {
	for i := len(ks.shards) - 1; i >= 0; i-- {
		s := &ks.shards[i]
		s.Settle()
		s.Unlock()
	}
}

// DBSize returns the number of keys in db, locking one shard at a time
// (keys that expired but were not yet removed are counted, as in Redis).
func (ks *Keyspace) DBSize(db int) int {
	n := 0
	for i := range ks.shards {
		s := &ks.shards[i]
		s.mu.Lock()
		n += s.Len(db)
		s.Unlock()
	}
	return n
}

// ActiveExpireCycle runs one active-expiry pass over every shard and
// database, locking one shard at a time, with a budget of sampled keys per
// shard. It returns the number of keys removed.
func (ks *Keyspace) ActiveExpireCycle(budgetPerShard int) int {
	now := ks.clk.NowMsQuiet() // an idle database's clock stays parked
	removed := 0
	for i := range ks.shards {
		s := &ks.shards[i]
		s.mu.Lock()
		for db := range s.dbs {
			removed += s.ActiveExpire(db, now, budgetPerShard)
		}
		s.Settle()
		s.Unlock()
	}
	return removed
}

// SplitCursor unpacks a SCAN cursor into a shard index and that shard's
// table cursor: cursor = tableCursor*shards + shard. Shards are scanned in
// order; each shard's cursor is the dict's reverse-binary cursor.
func (ks *Keyspace) SplitCursor(c uint64) (shard int, inner uint64) {
	n := uint64(len(ks.shards))
	return int(c % n), c / n
}

// JoinCursor is the inverse of SplitCursor.
func (ks *Keyspace) JoinCursor(shard int, inner uint64) uint64 {
	return inner*uint64(len(ks.shards)) + uint64(shard)
}
