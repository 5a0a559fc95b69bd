package keyspace

// Snapshots without stopping writers.
//
// A snapshot of a shard is the image of its keys at one point (the
// snapshot point, under the shard lock), produced while writers go on:
//
//   - Every entry carries a one-bit mark (Entry.capm's top bit). With no
//     snapshot running, every entry of the shard carries Shard.mark.
//   - BeginSnapshot flips Shard.mark: from then on an entry whose mark
//     differs is one the snapshot has not saved yet, and entries linked
//     into a table (new keys, RENAME and MOVE targets) get the new mark at
//     once, since they were not there at the snapshot point.
//   - Step walks the tables that held keys at the snapshot point with the
//     dict's reverse-binary cursor (which returns every entry present for
//     the whole walk, across resizes), a batch per call, and hands each
//     unmarked entry to the sink, marking it. The caller releases the
//     lock between steps, so writers wait for one batch at most.
//   - Serialize-before-mutate: every path that changes an entry's value
//     or deadline or takes it out of its table first hands it to the sink
//     when it is unmarked (saveOld): the lookups that return an entry for
//     writing (LookupWrite, and Peek for aggregates, which callers change
//     in place), SetString, GrowString, SetExpire, Delete, Unlink, Add
//     over a stale entry, lazy and active expiry, eviction. So the sink
//     sees each key once, with its value at the snapshot point.
//   - The walk keeps the table objects it started with, and each table
//     records the database it held at the snapshot point (snapDB): FLUSHDB
//     and FLUSHALL detach a table, which the walk still saves (nobody can
//     change it any more), and SWAPDB moves tables, whose keys are still
//     saved under their database at the snapshot point. Neither needs any
//     work under the lock.
//
// When the walk is complete every entry carries Shard.mark again.

// SnapshotSink receives the keys of a snapshot, with the shard lock held.
type SnapshotSink interface {
	// BeginDB is called when the walk starts the keys that database db
	// held at the snapshot point; keys and expires are its key and
	// deadline counts then (sizing hints, like RDB's RESIZEDB).
	BeginDB(db, keys, expires int)
	// Entry receives a key of database db as it was at the snapshot
	// point. Keys may come in any order and interleave databases (a
	// writer about to change a key hands it over first). e is valid
	// during the call only and must not be changed.
	Entry(db int, e *Entry)
}

// Snapshot is a point-in-time image of one shard being saved while the
// shard keeps serving (see BeginSnapshot). Its methods require the shard
// lock.
type Snapshot struct {
	s    *Shard
	sink SnapshotSink
	now  int64
	// expire: keys whose deadline is <= now are left out.
	expire bool
	tabs   []snapTable
	ti     int    // the table being walked
	cursor uint64 // its dict cursor
	begun  bool   // BeginDB was called for tabs[ti]
	batch  []*Entry
	touch  byte // defeats the elimination of the loads that warm the cache
	handed int  // keys handed over by writers
}

// snapTable is a table present at the snapshot point with its counts then.
type snapTable struct {
	t             *table
	keys, expires int
}

// BeginSnapshot starts a snapshot of the shard as it is now (the lock must
// be held; this is the snapshot point). Keys whose deadline is at or
// before now are left out, as Redis leaves them out of a save (unless
// expiry is suspended). The caller then calls Step, releasing the lock
// between calls, until it reports completion; meanwhile writers hand the
// keys they are about to change to sink. At most one snapshot of a shard
// runs at a time (the caller serializes them).
func (s *Shard) BeginSnapshot(now int64, sink SnapshotSink) *Snapshot {
	if s.snap != nil {
		panic("keyspace: a snapshot of this shard is already running")
	}
	sn := &Snapshot{s: s, sink: sink, now: now, expire: !s.ks.noExpire}
	for db, t := range s.dbs {
		if t != nil && t.keys.len() > 0 {
			t.snapDB = db
			sn.tabs = append(sn.tabs, snapTable{t: t, keys: t.keys.len(), expires: t.expires.len()})
		}
	}
	if len(sn.tabs) > 0 {
		s.mark ^= markBit
		s.snap = sn
	}
	return sn
}

// SnapshotRunning reports whether a snapshot of the shard is in progress
// (lock held).
func (s *Shard) SnapshotRunning() bool { return s.snap != nil }

// Done reports whether the walk is complete (the snapshot has ended).
func (sn *Snapshot) Done() bool { return sn.ti >= len(sn.tabs) }

// HandedOver returns how many keys writers handed over (saved before
// changing them) so far.
func (sn *Snapshot) HandedOver() int { return sn.handed }

// Discard stops handing keys to the sink (after a write error, say): the
// caller still runs Step to completion, which then only restores the
// marks, a fast walk.
func (sn *Snapshot) Discard() { sn.sink = nil }

// Step saves about n more keys and reports whether the walk is complete,
// in which case the snapshot has ended and the sink receives nothing
// more. The lock must be held.
func (sn *Snapshot) Step(n int) bool {
	s := sn.s
	budget := max(n, 1)
	for budget > 0 && sn.ti < len(sn.tabs) {
		st := &sn.tabs[sn.ti]
		t := st.t
		if !sn.begun {
			sn.begun = true
			if sn.sink != nil {
				sn.sink.BeginDB(t.snapDB, st.keys, st.expires)
			}
		}
		b, cursor, used, end := t.keys.gather(sn.cursor, budget, s.mark, sn.batch[:0])
		sn.cursor = cursor
		budget -= used
		if sn.sink != nil {
			// Load the keys' first bytes in a tight loop: the cache misses
			// of independent entries overlap, instead of each one
			// stalling the encoder in turn.
			var x byte
			for _, e := range b {
				if e.data != nil {
					x ^= *(*byte)(e.data)
				}
			}
			sn.touch ^= x
		}
		for i, e := range b {
			sn.save(t.snapDB, e)
			b[i] = nil
		}
		sn.batch = b[:0]
		if end {
			sn.ti++
			sn.cursor = 0
			sn.begun = false
		}
	}
	if sn.ti < len(sn.tabs) {
		return false
	}
	if s.snap == sn {
		s.snap = nil
	}
	sn.tabs = nil
	return true
}

// save marks e as saved and hands it to the sink unless it had expired
// at the snapshot point.
func (sn *Snapshot) save(db int, e *Entry) {
	if e.capm&markBit == sn.s.mark {
		return
	}
	e.capm ^= markBit
	if sn.sink == nil || sn.expire && e.expire != 0 && e.expire <= sn.now {
		return
	}
	sn.sink.Entry(db, e)
}

// saveOld hands e, a key of table t about to change or to leave t, to the
// running snapshot if the walk has not saved it yet. It is one predictable
// branch when no snapshot runs.
func (s *Shard) saveOld(t *table, e *Entry) {
	if s.snap != nil && e.capm&markBit != s.mark {
		s.snap.handOver(t.snapDB, e)
	}
}

// handOver saves e for a writer about to change it. It stays out of line
// so that saveOld inlines into every mutation path as a bare branch.
//
//go:noinline
func (sn *Snapshot) handOver(db int, e *Entry) {
	sn.handed++
	sn.save(db, e)
}

// setMark gives an entry being linked into a table the shard's current
// mark: a key that appears during a snapshot is not part of it.
func (s *Shard) setMark(e *Entry) { e.capm = e.capm&^markBit | s.mark }

// gather appends to out the entries of the buckets from cursor on whose
// snapshot mark differs from mark, stopping once it has visited about n
// buckets and entries, and returns out, the next cursor, the work done
// (buckets and entries visited) and whether the walk of the table is
// complete. It does not modify the dict. The cursor is scan's.
func (d *dict) gather(cursor uint64, n int, mark uint32, out []*Entry) ([]*Entry, uint64, int, bool) {
	if d.len() == 0 {
		return out, 0, 1, true
	}
	steps := 0
	if d.rehashIdx >= 0 {
		for steps < n {
			cursor = d.scan(cursor, func(e *Entry) {
				steps++
				if e.capm&markBit != mark {
					out = append(out, e)
				}
			})
			steps++
			if cursor == 0 {
				return out, 0, steps, true
			}
		}
		return out, cursor, steps, false
	}
	// Reverse-binary order scatters the buckets over the array: read a
	// group of bucket heads, then their entries, each in a tight loop of
	// independent loads, so that the cache misses overlap.
	var heads [gatherWidth]*Entry
	b := d.t[0].b
	m := uint64(len(b) - 1)
	v := cursor
	for steps < n {
		k, end := 0, false
		for k < len(heads) {
			heads[k] = b[v&m]
			k++
			if v = nextCursor(v, m); v == 0 {
				end = true
				break
			}
		}
		steps += k
		for _, e := range heads[:k] {
			for ; e != nil; e = e.next {
				if e.capm&markBit != mark {
					out = append(out, e)
				}
				steps++
			}
		}
		if end {
			return out, 0, steps, true
		}
	}
	return out, v, steps, false
}

// gatherWidth is how many buckets gather reads at once.
const gatherWidth = 32
