package keyspace

// LookupString is Lookup specialised for reads of string values (GET and
// the typed Get): the common case — no rehash in progress, a live string
// entry — runs in one function; anything else takes Lookup's path.
func (s *Shard) LookupString(db int, key string, now int64) *Entry {
	t := s.dbs[db]
	if t == nil || t.keys.rehashIdx >= 0 || s.ks.acct.mode != clockLRU {
		return s.Lookup(db, key, now)
	}
	bt := &t.keys.t[0]
	for e := bt.b[hashKey(key)&bt.mask()]; e != nil; e = e.next {
		if int(e.klen) == len(key) && e.Key() == key {
			if e.expire != 0 && e.expire <= now || e.meta&metaTypeMask != uint32(TypeString) {
				return s.Lookup(db, key, now)
			}
			s.Hits++
			e.setLRU(now)
			return e
		}
	}
	s.Misses++
	return nil
}
