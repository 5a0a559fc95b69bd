package persist

import (
	"strconv"

	"github.com/kevydb/kevy/internal/resp"
)

// Units: the records of one command or one EXEC in a shard's log.
//
// The engine opens a unit on each shard a write command (or an EXEC)
// locked, and closes it when the command is done (command.Propagator's
// Begin and End). A unit that ends up holding one record is logged as that
// record alone; one holding more is logged as a block, as Redis does:
//
//	SELECT 0       (when the database changes: before the block)
//	MULTI
//	record 1
//	record 2       (SELECT inside the block if the database changes)
//	EXEC
//
// so that a crash tearing the log in the middle of the block replays none
// of it (internal/aof treats a log ending inside a block as a torn tail,
// cut back to before the MULTI), and a redis-server replaying the log
// applies it the same way. Since the number of records is only known at
// the end, the unit's first record is encoded into the shard's held
// buffer instead of the log; the second record writes MULTI and the held
// record, and End writes EXEC, or the held record alone. The verbatim
// record of a command is passed to End as the unit's last record, so a
// command logged as one record is appended directly, without the copy.
//
// The DELs the keyspace hook logs while a unit is open (keys found
// expired by the command) belong to the unit. Everything here runs under
// the shard lock.

// Records of a block's markers.
var (
	multiRecord = []byte("*1\r\n$5\r\nMULTI\r\n")
	execRecord  = []byte("*1\r\n$4\r\nEXEC\r\n")
)

// maxKeptHeld is the largest held buffer a shard keeps between units.
const maxKeptHeld = 64 << 10

// unitState is a shard's open unit.
type unitState struct {
	open bool
	n    int    // records propagated in the unit so far
	held []byte // the unit's first record, encoded, while n == 1
}

// Begin implements command.Propagator: it opens a unit on shard.
func (s *Store) Begin(shard int) {
	st := &s.shards[shard]
	if st.log == nil {
		return
	}
	st.unit.open, st.unit.n = true, 0
}

// End implements command.Propagator: it closes shard's unit, with last as
// its final record if not nil, and returns the ticket of the last record
// appended.
func (s *Store) End(shard, db int, last [][]byte) uint64 {
	t := s.end(shard, db, last)
	if t == 0 && s.failed.Load() != nil {
		return failedTicket
	}
	return t
}

func (s *Store) end(shard, db int, last [][]byte) uint64 {
	st := &s.shards[shard]
	u := &st.unit
	if !u.open || u.n == 0 {
		u.open = false
		if last == nil {
			return 0
		}
		return s.propagate(shard, db, last)
	}
	var t uint64
	if last != nil {
		t = s.propagateUnit(st, db, last)
	}
	u.open = false
	if u.n == 1 {
		t = s.appendRaw(st, u.held)
	} else {
		t = s.appendRaw(st, execRecord)
	}
	if cap(u.held) > maxKeptHeld {
		u.held = nil
	}
	return t
}

// propagateUnit adds a record to st's open unit. It returns the record's
// ticket, or 0 while the record is held.
func (s *Store) propagateUnit(st *shardState, db int, args [][]byte) uint64 {
	u := &st.unit
	switch u.n {
	case 0:
		// SELECT goes before the block, as Redis writes it.
		if !s.selectDB(st, db) {
			return 0
		}
		u.held = resp.AppendCommand(u.held[:0], args...)
		u.n = 1
		return 0
	case 1:
		if s.appendRaw(st, multiRecord) == 0 || s.appendRaw(st, u.held) == 0 {
			return 0
		}
	}
	u.n++
	if !s.selectDB(st, db) {
		return 0
	}
	t, err := st.log.AppendArgs(args)
	if err != nil {
		s.fail(err)
		return 0
	}
	return uint64(t)
}

// selectDB appends SELECT db when db is not the database of the previous
// record. It reports false if the log failed.
func (s *Store) selectDB(st *shardState, db int) bool {
	if st.curDB == db {
		return true
	}
	st.sel[1] = strconv.AppendInt(st.num[:0], int64(db), 10)
	if _, err := st.log.AppendArgs(st.sel[:]); err != nil {
		s.fail(err)
		return false
	}
	st.curDB = db
	return true
}

// appendRaw appends an encoded record and returns its ticket, 0 if the log
// failed.
func (s *Store) appendRaw(st *shardState, rec []byte) uint64 {
	t, err := st.log.Append(rec)
	if err != nil {
		s.fail(err)
		return 0
	}
	return uint64(t)
}
