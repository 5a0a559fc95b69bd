package command

import "github.com/kevydb/kevy/internal/keyspace"

// lookupValue is the read lookup of an aggregate (Redis's lookupKeyRead,
// with hit/miss statistics; the shard lock must be held): the value object
// of type typ at key, nil when the key does not exist, ErrWrongType when it
// holds another type. T is the object type that typ names (object.List for
// keyspace.TypeList...).
func lookupValue[T any](sh *keyspace.Shard, db int, key string, typ keyspace.Type, now int64) (*T, error) {
	e := sh.Lookup(db, key, now)
	if e == nil {
		return nil, nil
	}
	if e.Type() != typ {
		return nil, ErrWrongType
	}
	return (*T)(e.Obj()), nil
}

// lookupWrite is lookupValue for commands that write the key (Redis's
// lookupKeyWrite: no hit/miss statistics); it also returns the entry.
func lookupWrite[T any](sh *keyspace.Shard, db int, key string, typ keyspace.Type, now int64) (*T, *keyspace.Entry, error) {
	e := sh.LookupWrite(db, key, now)
	if e == nil {
		return nil, nil, nil
	}
	if e.Type() != typ {
		return nil, nil, ErrWrongType
	}
	return (*T)(e.Obj()), e, nil
}
