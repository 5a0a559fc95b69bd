package keyspace

import (
	"math/rand/v2"
	"sync"
	"unsafe"
)

// DeleteReason says why the keyspace removed a key on its own.
type DeleteReason uint8

// Reasons for a key removal that no command asked for.
const (
	ReasonExpired DeleteReason = iota + 1
	ReasonEvicted
)

// table is one logical database inside one shard.
type table struct {
	keys    *dict
	expires ptrSet // entries with a deadline, for the active expiry cycle
	// used is the memory accounted to this table (memory.go).
	used int64
	sh   *Shard
	// snapDB is the database the table held when the running snapshot
	// started (SWAPDB may move it since): the one its keys are saved in.
	snapDB int
}

func newTable(s *Shard) *table {
	t := &table{keys: newDict(), sh: s}
	t.keys.owner = t
	s.account(t, tableBytes+int64(t.keys.buckets())*bucketBytes)
	return t
}

// Shard is one lock's worth of the keyspace: every logical database's
// keys whose hash slot maps here. All methods require the caller to hold
// the shard lock (Lock/Unlock), except where noted.
type Shard struct {
	mu  sync.Mutex
	idx int
	ks  *Keyspace
	dbs []*table
	rnd *rand.Rand

	// Counters, guarded by mu.
	Hits, Misses, ExpiredKeys, EvictedKeys int64
	// Dirty counts modifications since start (Redis's "dirty").
	Dirty int64
	// Commands counts commands the engine ran with this shard as the
	// first one locked (INFO total_commands_processed).
	Commands int64

	acct shardAcct // memory accounting, see memory.go

	// snap is the snapshot in progress, nil when none (snapshot.go);
	// mark is the snapshot mark of the entries it has saved, which every
	// entry carries when no snapshot runs.
	snap *Snapshot
	mark uint32

	_ [64]byte // keep neighbouring shards' locks on separate cache lines
}

// Lock acquires the shard lock.
func (s *Shard) Lock() { s.mu.Lock() }

// Unlock releases the shard lock. It stays a bare mutex release, cheap
// enough to inline: the size changes of aggregate values are accounted by
// Settle and at their next lookup (see memory.go).
func (s *Shard) Unlock() { s.mu.Unlock() }

// Index returns the shard's position in the keyspace.
func (s *Shard) Index() int { return s.idx }

func (s *Shard) table(db int) *table {
	t := s.dbs[db]
	if t == nil {
		t = newTable(s)
		s.dbs[db] = t
	}
	return t
}

// Len returns the number of keys (expired or not) in database db.
func (s *Shard) Len(db int) int {
	if t := s.dbs[db]; t != nil {
		return t.keys.len()
	}
	return 0
}

// ExpiresLen returns the number of keys with a TTL in database db.
func (s *Shard) ExpiresLen(db int) int {
	if t := s.dbs[db]; t != nil {
		return t.expires.len()
	}
	return 0
}

// Lookup returns the live entry for key in db, or nil. An expired entry is
// deleted on the way (lazy expiry). Lookup updates the access clock and
// the hit/miss counters; use Peek for internal reads that must not.
func (s *Shard) Lookup(db int, key string, now int64) *Entry {
	e := s.Peek(db, key, now)
	if e == nil {
		s.Misses++
		return nil
	}
	s.Hits++
	if s.ks.acct.mode == clockLRU {
		e.setLRU(now)
	} else {
		s.touchRead(e, now)
	}
	return e
}

// LookupWrite is Lookup for commands that write the key (Redis's
// lookupKeyWrite): it expires lazily and updates the access clock, but
// leaves the hit/miss counters alone.
func (s *Shard) LookupWrite(db int, key string, now int64) *Entry {
	e := s.Peek(db, key, now)
	if e != nil {
		if s.snap != nil && e.meta&metaTypeMask == uint32(TypeString) {
			s.saveOld(s.dbs[db], e) // the caller is about to change it (Peek saved aggregates)
		}
		s.TouchWrite(e, now)
	}
	return e
}

// Peek is Lookup without statistics or access-clock updates. Like every
// lookup, it notes a value of the aggregate types for re-measurement (see
// Settle), since the caller may change it in place.
func (s *Shard) Peek(db int, key string, now int64) *Entry {
	t := s.dbs[db]
	if t == nil {
		return nil
	}
	h := hashKey(key)
	e := t.keys.find(key, h)
	if e == nil {
		return nil
	}
	if e.expire != 0 && e.expire <= now && !s.ks.noExpire {
		s.expireEntry(db, t, e, h)
		return nil
	}
	if e.meta&metaTypeMask > uint32(TypeString) {
		// An aggregate: the caller may change it in place.
		s.saveOld(t, e)
		s.lookedUp(t, e)
	}
	return e
}

// expireEntry removes an expired entry and reports it.
func (s *Shard) expireEntry(db int, t *table, e *Entry, h uint64) {
	s.saveOld(t, e)
	key := e.Key()
	t.keys.remove(key, h)
	t.dropExpire(e)
	s.unnote(e)
	s.account(t, -entryBytes(e))
	s.ExpiredKeys++
	s.Dirty++
	if f := s.ks.OnDelete; f != nil {
		f(s, db, key, ReasonExpired)
	}
}

func (t *table) dropExpire(e *Entry) {
	if e.expire == 0 {
		return
	}
	t.expires.remove(e)
}

// SetExpire sets (deadline > 0) or clears (0) the entry's TTL.
func (s *Shard) SetExpire(db int, e *Entry, deadline int64) {
	t := s.table(db)
	s.saveOld(t, e)
	if e.expire == 0 && deadline != 0 {
		t.expires.add(e)
		s.account(t, TTLBytes)
	} else if e.expire != 0 && deadline == 0 {
		t.dropExpire(e)
		s.account(t, -TTLBytes)
	}
	e.expire = deadline
}

// SetString stores val under key as a string, replacing any value of any
// type, and sets the deadline unless keepTTL. It returns the entry.
// Overwriting a string of similar size reuses its storage (no allocation).
func (s *Shard) SetString(db int, key string, val []byte, deadline int64, keepTTL bool) *Entry {
	t := s.table(db)
	h := hashKey(key)
	e := t.keys.find(key, h)
	now := s.ks.clk.NowMs()
	if e == nil {
		e = s.insertString(t, key, h, val, now)
		if deadline != 0 {
			s.SetExpire(db, e, deadline)
		}
		return e
	}
	s.saveOld(t, e)
	oldCap := int64(e.dcap())
	if e.Type() != TypeString {
		oldCap += int64(e.vlen) << objUnitShift
		e.obj = nil
		e.vlen = 0
		s.unnote(e)
	}
	e.setType(TypeString)
	e.setStr(val)
	if d := int64(e.dcap()) - oldCap; d != 0 {
		s.account(t, d)
	}
	if !keepTTL && e.expire != deadline {
		s.SetExpire(db, e, deadline)
	}
	if s.ks.acct.mode != clockLFU {
		e.setLRU(now)
	} else {
		s.lfuTouch(e, now)
	}
	s.Dirty++
	return e
}

// AddString inserts a new string key without a deadline, for bulk loads:
// it returns nil, changing nothing, when key exists in db (expired or
// not).
func (s *Shard) AddString(db int, key string, val []byte) *Entry {
	t := s.table(db)
	h := hashKey(key)
	if t.keys.find(key, h) != nil {
		return nil
	}
	return s.insertString(t, key, h, val, s.ks.clk.NowMs())
}

// insertString links a new string entry for key (absent from t, whose
// hash is h) holding a copy of val, with no deadline.
func (s *Shard) insertString(t *table, key string, h uint64, val []byte, now int64) *Entry {
	e := newEntry(key, len(val))
	e.setType(TypeString)
	copy(e.Str(), val)
	s.initClock(e, now)
	s.setMark(e)
	t.keys.insert(e, h)
	s.account(t, EntryBytes+int64(e.dcap()))
	s.Dirty++
	return e
}

// Reserve sizes database db's table for n keys when it is empty, so that
// a bulk load of that many keys does not rehash (RDB's RESIZEDB hint).
func (s *Shard) Reserve(db, n int) {
	if n > 0 {
		s.table(db).keys.reserve(n)
	}
}

// GrowString resizes a string entry's value to n bytes (keeping the
// existing bytes, zero-padding new ones) and returns the whole value for
// the caller to fill in. The entry is marked raw.
func (s *Shard) GrowString(e *Entry, n int) []byte {
	if s.snap != nil && e.capm&markBit != s.mark {
		if t := s.tableOf(e); t != nil {
			s.saveOld(t, e)
		}
	}
	s.Dirty++
	e.SetRaw(true)
	e.meta &^= flagPrivate
	oldCap := e.dcap()
	v := e.growStr(n)
	if c := e.dcap(); c != oldCap {
		if t := s.tableOf(e); t != nil {
			s.account(t, int64(c)-int64(oldCap))
		}
	}
	return v
}

// Add inserts a new non-string key that must not exist live (callers look
// it up first); a stale expired entry is replaced.
func (s *Shard) Add(db int, key string, typ Type, obj unsafe.Pointer) *Entry {
	t := s.table(db)
	h := hashKey(key)
	if old := t.keys.find(key, h); old != nil {
		s.saveOld(t, old)
		t.keys.remove(key, h)
		t.dropExpire(old)
		s.unnote(old)
		s.account(t, -entryBytes(old))
	}
	e := newEntry(key, 0)
	e.setType(typ)
	e.obj = obj
	s.initClock(e, s.ks.clk.NowMs())
	s.setMark(e)
	t.keys.insert(e, h)
	s.account(t, EntryBytes+int64(e.dcap()))
	s.note(t, e) // the caller fills the new value in
	s.Dirty++
	return e
}

// Delete removes key from db and returns the removed entry (nil if it was
// absent). An expired key counts as absent, as in Redis.
func (s *Shard) Delete(db int, key string, now int64) *Entry {
	t := s.dbs[db]
	if t == nil {
		return nil
	}
	h := hashKey(key)
	e := t.keys.find(key, h)
	if e == nil {
		return nil
	}
	if e.expire != 0 && e.expire <= now && !s.ks.noExpire {
		s.expireEntry(db, t, e, h)
		return nil
	}
	s.saveOld(t, e)
	t.keys.remove(key, h)
	t.dropExpire(e)
	s.unnote(e)
	s.account(t, -entryBytes(e))
	s.Dirty++
	return e
}

// Unlink removes a specific live entry from db (for example one found by
// Lookup) without treating it as expired.
func (s *Shard) Unlink(db int, e *Entry) {
	t := s.dbs[db]
	s.saveOld(t, e)
	key := e.Key()
	t.keys.remove(key, hashKey(key))
	t.dropExpire(e)
	s.unnote(e)
	s.account(t, -entryBytes(e))
	s.Dirty++
}

// Insert links an entry detached from another database or shard (MOVE,
// RENAME, SWAPDB-free moves). The key must be absent in db.
func (s *Shard) Insert(db int, e *Entry) {
	t := s.table(db)
	s.setMark(e)
	t.keys.insert(e, hashKey(e.Key()))
	if e.expire != 0 {
		t.expires.add(e)
	}
	s.measure(e)
	s.account(t, entryBytes(e))
	s.Dirty++
}

// Rekey returns a copy of e under a new key, with the same type, value
// object, TTL and access clock, detached from any table (RENAME, COPY use
// it). The value object is shared, not cloned.
func Rekey(e *Entry, key string) *Entry {
	vlen := 0
	if e.Type() == TypeString {
		vlen = int(e.vlen)
	}
	n := newEntry(key, vlen)
	n.meta = e.meta
	unnote(n) // a fresh entry is on no list
	copy(n.Str(), e.Str())
	n.obj = e.obj
	n.expire = e.expire
	return n
}

// Scan visits the keys named by an in-database cursor and returns the next
// cursor. Expired keys are deleted and not visited. fn receives entries
// that stay valid while the lock is held.
func (s *Shard) Scan(db int, cursor uint64, now int64, fn func(*Entry)) uint64 {
	t := s.dbs[db]
	if t == nil {
		return 0
	}
	var expired []*Entry
	next := t.keys.scan(cursor, func(e *Entry) {
		if e.expire != 0 && e.expire <= now && !s.ks.noExpire {
			expired = append(expired, e)
			return
		}
		fn(e)
	})
	for _, e := range expired {
		s.expireEntry(db, t, e, hashKey(e.Key()))
	}
	return next
}

// Each calls fn for every live key in db until fn returns false. Expired
// keys are skipped (not deleted: fn may be iterating for a read).
func (s *Shard) Each(db int, now int64, fn func(*Entry) bool) {
	t := s.dbs[db]
	if t == nil {
		return
	}
	t.keys.each(func(e *Entry) bool {
		if e.expire != 0 && e.expire <= now && !s.ks.noExpire {
			return true
		}
		return fn(e)
	})
}

// Random returns a random live key's entry in db, or nil when the
// database has none in this shard. Expired keys met on the way are
// deleted, a bounded number of times like Redis's RANDOMKEY.
func (s *Shard) Random(db int, now int64) *Entry {
	t := s.dbs[db]
	if t == nil {
		return nil
	}
	for tries := 0; tries < 100; tries++ {
		e := t.keys.random(s.rnd)
		if e == nil {
			return nil
		}
		if e.expire != 0 && e.expire <= now && !s.ks.noExpire {
			s.expireEntry(db, t, e, hashKey(e.Key()))
			continue
		}
		return e
	}
	return nil
}

// Flush removes every key of db in this shard and returns how many.
func (s *Shard) Flush(db int) int {
	t := s.dbs[db]
	if t == nil {
		return 0
	}
	s.settle() // nothing noted may refer to the dropped table afterwards
	n := t.keys.len()
	s.dbs[db] = nil
	s.account(t, -t.used)
	s.Dirty += int64(n)
	return n
}

// Swap exchanges databases a and b in this shard (SWAPDB).
func (s *Shard) Swap(a, b int) {
	s.dbs[a], s.dbs[b] = s.dbs[b], s.dbs[a]
	s.Dirty++
}

// ActiveExpire runs one active-expiry pass over db, modelled on Redis's
// cycle: sample up to 20 keys with a TTL, delete the expired ones, and
// repeat while more than a quarter of the sample was expired and the
// budget of sampled keys lasts. It returns the number of keys removed.
func (s *Shard) ActiveExpire(db int, now int64, budget int) int {
	t := s.dbs[db]
	if t == nil || s.ks.noExpire {
		return 0
	}
	removed := 0
	for budget > 0 && t.expires.len() > 0 {
		sampled, expired := 0, 0
		var batch [activeExpireSample]*Entry
		for e := range t.expires.from(s.rnd.Uint64()) {
			if sampled == activeExpireSample {
				break
			}
			sampled++
			if e.expire <= now {
				batch[expired] = e
				expired++
			}
		}
		for _, e := range batch[:expired] {
			s.expireEntry(db, t, e, hashKey(e.Key()))
		}
		removed += expired
		budget -= sampled
		if expired*4 <= sampled {
			break
		}
	}
	return removed
}

// activeExpireSample is Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP.
const activeExpireSample = 20
