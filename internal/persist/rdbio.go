package persist

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"unsafe"

	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
	"github.com/kevydb/kevy/internal/rdb"
)

// redisVersion is the redis-ver aux field of the RDB files kevy writes.
const redisVersion = "7.0.0"

// rdbLimits maps the engine's encoding thresholds to the RDB writer's.
func rdbLimits(l *object.Limits) rdb.Limits {
	return rdb.Limits{
		HashMaxListpackEntries: l.HashMaxListpackEntries,
		HashMaxListpackValue:   l.HashMaxListpackValue,
		SetMaxIntsetEntries:    l.SetMaxIntsetEntries,
		ZSetMaxListpackEntries: l.ZSetMaxListpackEntries,
		ZSetMaxListpackValue:   l.ZSetMaxListpackValue,
		ListMaxListpackSize:    l.ListMaxListpackSize,
	}
}

func strBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// writeEntry writes one key to w.
func writeEntry(w *rdb.Writer, e *keyspace.Entry) error {
	exp := rdb.NoExpire
	if d := e.Expire(); d != 0 {
		exp = d
	}
	key := strBytes(e.Key())
	switch e.Type() {
	case keyspace.TypeString:
		return w.WriteString(key, e.Str(), exp)
	case keyspace.TypeList:
		return w.WriteList(key, exp, (*object.List)(e.Obj()).All())
	case keyspace.TypeSet:
		s := (*object.Set)(e.Obj())
		return w.WriteSet(key, exp, s.Len(), s.Members())
	case keyspace.TypeHash:
		h := (*object.Hash)(e.Obj())
		return w.WriteHash(key, exp, h.Len(), h.All())
	case keyspace.TypeZSet:
		z := (*object.ZSet)(e.Obj())
		return w.WriteZSet(key, exp, z.Len(), z.All())
	}
	return fmt.Errorf("kevy: key %q has unknown type %d", e.Key(), e.Type())
}

// newRDBWriter starts an RDB file with Redis 7.0's aux fields, plus
// kevy's own (ignored by Redis).
func newRDBWriter(dst io.Writer, lim *object.Limits, ctimeMs int64, aux ...string) (*rdb.Writer, error) {
	w := rdb.NewWriter(dst)
	w.Limits = rdbLimits(lim)
	if err := w.StandardAux(redisVersion, ctimeMs/1000, 0); err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(aux); i += 2 {
		if err := w.Aux([]byte(aux[i]), []byte(aux[i+1])); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// loader is an rdb.Visitor that inserts keys into a keyspace.
type loader struct {
	rdb.BaseVisitor
	ks    *keyspace.Keyspace
	lim   *object.Limits
	now   int64
	shard int // the shard every key must belong to; -1: route each key
	path  string
	dbs   int
	db    int // the current database (SELECTDB)
	// reserveLeft bounds the keys RESIZEDB hints may still size tables
	// for: a key takes at least minKeyBytes of the file.
	reserveLeft int
	// keys and expired count loaded and skipped (already expired) keys.
	keys, expired int64
	// progress is incremented per key for the progress log.
	progress *atomic.Int64
	// auxShard is the kevy-shard aux field, if any.
	auxShard string
}

func (l *loader) Aux(key, value []byte) error {
	if string(key) == "kevy-shard" {
		l.auxShard = string(value)
	}
	return nil
}

func (l *loader) SelectDB(db int) error {
	if db >= l.dbs {
		return fmt.Errorf("kevy: %s holds database %d but the database is configured with %d (Options.Databases)", l.path, db, l.dbs)
	}
	l.db = db
	return nil
}

// ResizeDB sizes the tables of the current database for the keys the
// file announces, so that loading them rehashes nothing. The hint is not
// trusted beyond what the file's size can hold.
func (l *loader) ResizeDB(dbSize, _ uint64) error {
	n := int(min(dbSize, uint64(max(l.reserveLeft, 0))))
	l.reserveLeft -= n
	if n == 0 {
		return nil
	}
	if l.shard >= 0 {
		sh := l.ks.Shard(l.shard)
		sh.Lock()
		sh.Reserve(l.db, n)
		sh.Unlock()
		return nil
	}
	per := n / l.ks.NumShards()
	for i := range l.ks.NumShards() {
		sh := l.ks.Shard(i)
		sh.Lock()
		sh.Reserve(l.db, per+per/8)
		sh.Unlock()
	}
	return nil
}

func (l *loader) Function([]byte) error {
	return fmt.Errorf("kevy: %s holds a function library (FUNCTION LOAD), which kevy does not support", l.path)
}

func (l *loader) Key(e *rdb.Entry) error {
	if l.progress != nil {
		l.progress.Add(1)
	}
	deadline := int64(0)
	if e.ExpireMs != rdb.NoExpire {
		if e.ExpireMs <= l.now && l.shard < 0 {
			// Already expired: skipped, as Redis does when loading an RDB
			// file. A shard's base is kept whole, like Redis keeps an AOF
			// preamble whole: the log that follows it may still change
			// the key (PERSIST, say) as it did before the deadline; what
			// is still expired after the replay goes by normal expiry.
			l.expired++
			return nil
		}
		deadline = e.ExpireMs
	}
	key := unsafe.String(unsafe.SliceData(e.Key), len(e.Key))
	idx := l.ks.ShardIndex(key)
	if l.shard >= 0 && idx != l.shard {
		return corruptf(nil, "%s: key %q belongs to shard %d, not to shard %d of this file", l.path, truncKey(key), idx, l.shard)
	}
	sh := l.ks.Shard(idx)
	sh.Lock()
	defer sh.Unlock()
	if e.Kind != rdb.KindString && sh.Peek(e.DB, key, l.now) != nil {
		return l.duplicate(key, e.DB)
	}
	var ent *keyspace.Entry
	switch e.Kind {
	case rdb.KindString:
		if ent = sh.AddString(e.DB, key, e.Value); ent == nil {
			return l.duplicate(key, e.DB)
		}
	case rdb.KindList:
		lst := object.NewList(l.lim)
		for v, ok := e.Next(); ok; v, ok = e.Next() {
			lst.PushBack(v)
		}
		if lst.Len() > 0 {
			ent = sh.Add(e.DB, key, keyspace.TypeList, unsafe.Pointer(lst))
		}
	case rdb.KindSet:
		s := object.NewSet()
		for v, ok := e.Next(); ok; v, ok = e.Next() {
			s.Add(l.lim, v)
		}
		if s.Len() > 0 {
			ent = sh.Add(e.DB, key, keyspace.TypeSet, unsafe.Pointer(s))
		}
	case rdb.KindHash:
		h := object.NewHash()
		for f, v, ok := e.NextPair(); ok; f, v, ok = e.NextPair() {
			h.Set(l.lim, f, v)
		}
		if h.Len() > 0 {
			ent = sh.Add(e.DB, key, keyspace.TypeHash, unsafe.Pointer(h))
		}
	case rdb.KindZSet:
		hint := max(e.Len(), 0)
		z := object.NewZSetSized(l.lim, min(hint, 1<<20), 0)
		for m, sc, ok := e.NextMember(); ok; m, sc, ok = e.NextMember() {
			if _, _, err := z.Add(l.lim, m, sc, 0); err != nil {
				return corruptf(err, "%s: key %q", l.path, truncKey(key))
			}
		}
		if z.Len() > 0 {
			ent = sh.Add(e.DB, key, keyspace.TypeZSet, unsafe.Pointer(z))
		}
	}
	if err := e.Err(); err != nil {
		if ent != nil {
			sh.Unlink(e.DB, ent)
		}
		return err
	}
	if ent == nil {
		return nil // an empty collection: skipped, as Redis does
	}
	if deadline != 0 {
		sh.SetExpire(e.DB, ent, deadline)
	}
	if e.Idle >= 0 {
		ent.SetClock(l.ks.LRUClock(l.now - min(e.Idle, l.now/1000)*1000))
	}
	l.keys++
	return nil
}

func (l *loader) duplicate(key string, db int) error {
	return corruptf(nil, "%s: duplicate key %q in database %d", l.path, truncKey(key), db)
}

func truncKey(k string) string {
	if len(k) > 64 {
		return k[:64] + "..."
	}
	return k
}

// loadRDB parses an RDB stream into ks. shard >= 0 requires every key to
// belong to that shard. Errors about the content wrap ErrCorrupt and name
// path.
func loadRDB(r io.Reader, path string, ks *keyspace.Keyspace, lim *object.Limits, shard int, now int64, progress *atomic.Int64) (*loader, error) {
	l := &loader{ks: ks, lim: lim, now: now, shard: shard, path: path, dbs: ks.Databases(), progress: progress}
	if f, ok := r.(interface{ Stat() (os.FileInfo, error) }); ok {
		if fi, err := f.Stat(); err == nil {
			l.reserveLeft = int(min(fi.Size()/minKeyBytes, 1<<40))
		}
	}
	rd := rdb.NewReader(r)
	rd.MaxVersion = 11 // also load what Redis 7.2 writes
	if err := rd.Parse(l); err != nil {
		switch {
		case errors.Is(err, ErrCorrupt):
			return l, err
		case errors.Is(err, rdb.ErrCorrupt):
			return l, corruptf(err, "snapshot %s", path)
		case errors.Is(err, rdb.ErrUnsupported):
			return l, fmt.Errorf("kevy: snapshot %s: %w", path, err)
		}
		return l, fmt.Errorf("kevy: load snapshot %s: %w", path, err)
	}
	return l, nil
}

// minKeyBytes is the smallest encoding of a key in an RDB file: type,
// key length, value length.
const minKeyBytes = 3

// shardAux is the kevy-shard aux value of shard i of n.
func shardAux(i, n int) string { return strconv.Itoa(i) + "/" + strconv.Itoa(n) }
