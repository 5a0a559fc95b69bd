package keyspace

import (
	"strconv"
	"testing"

	"github.com/kevydb/kevy/internal/clock"
)

const ksT0 = 1_700_000_000_000

func newTestKeyspace(shards int) *Keyspace {
	return New(Config{Shards: shards, Databases: 4, Clock: clock.FromFunc(func() int64 { return ksT0 })})
}

func TestCursorSplitJoin(t *testing.T) {
	for _, n := range []int{1, 2, 8, 64} {
		ks := newTestKeyspace(n)
		for _, c := range []struct {
			shard int
			inner uint64
		}{{0, 0}, {n - 1, 0}, {0, 1}, {n - 1, 12345}, {n / 2, 1 << 40}} {
			cur := ks.JoinCursor(c.shard, c.inner)
			s, in := ks.SplitCursor(cur)
			if s != c.shard || in != c.inner {
				t.Errorf("n=%d: Split(Join(%d,%d)) = %d,%d", n, c.shard, c.inner, s, in)
			}
		}
	}
}

func TestShardExpiryBookkeeping(t *testing.T) {
	ks := newTestKeyspace(1)
	var deleted []string
	ks.OnDelete = func(_ *Shard, db int, key string, why DeleteReason) {
		if why != ReasonExpired {
			t.Errorf("OnDelete reason %d", why)
		}
		deleted = append(deleted, strconv.Itoa(db)+":"+key)
	}
	s := ks.Shard(0)
	s.Lock()
	defer s.Unlock()

	s.SetString(0, "a", []byte("1"), ksT0+10, false)
	s.SetString(0, "b", []byte("2"), 0, false)
	if s.ExpiresLen(0) != 1 {
		t.Fatalf("ExpiresLen = %d", s.ExpiresLen(0))
	}
	// Moving a volatile entry between databases (MOVE) keeps its TTL
	// registered in the right database.
	e := s.Peek(0, "a", ksT0)
	s.Unlink(0, e)
	s.Insert(1, e)
	if s.ExpiresLen(0) != 0 || s.ExpiresLen(1) != 1 || s.Len(0) != 1 || s.Len(1) != 1 {
		t.Fatalf("after move: expires %d/%d len %d/%d", s.ExpiresLen(0), s.ExpiresLen(1), s.Len(0), s.Len(1))
	}
	// Rekey (RENAME, COPY) copies value, TTL and metadata.
	r := Rekey(e, "renamed")
	if r.Key() != "renamed" || string(r.Str()) != "1" || r.Expire() != e.Expire() || r.Type() != TypeString || r.Clock() != e.Clock() {
		t.Fatalf("Rekey: %q %q %d", r.Key(), r.Str(), r.Expire())
	}
	// Delete of an expired key reports absence and counts an expiry.
	if got := s.Delete(1, "a", ksT0+10); got != nil {
		t.Fatal("Delete returned an expired entry")
	}
	if s.ExpiredKeys != 1 || s.ExpiresLen(1) != 0 || s.Len(1) != 0 {
		t.Fatalf("expired=%d expires=%d len=%d", s.ExpiredKeys, s.ExpiresLen(1), s.Len(1))
	}
	// SetExpire adds and removes.
	b := s.Peek(0, "b", ksT0)
	s.SetExpire(0, b, ksT0+5)
	s.SetExpire(0, b, ksT0+6)
	if s.ExpiresLen(0) != 1 {
		t.Fatalf("ExpiresLen after SetExpire = %d", s.ExpiresLen(0))
	}
	s.SetExpire(0, b, 0)
	if s.ExpiresLen(0) != 0 || b.Expire() != 0 {
		t.Fatal("SetExpire(0) kept the TTL")
	}
	if len(deleted) != 1 || deleted[0] != "1:a" {
		t.Fatalf("OnDelete calls %v", deleted)
	}
}

func TestShardScanSkipsAndDeletesExpired(t *testing.T) {
	ks := newTestKeyspace(1)
	s := ks.Shard(0)
	s.Lock()
	defer s.Unlock()
	for i := range 100 {
		deadline := int64(0)
		if i%2 == 0 {
			deadline = ksT0 + 1
		}
		s.SetString(2, "k"+strconv.Itoa(i), nil, deadline, false)
	}
	seen := 0
	c := uint64(0)
	for {
		c = s.Scan(2, c, ksT0+1, func(e *Entry) {
			if e.Expire() != 0 {
				t.Errorf("visited expired %s", e.Key())
			}
			seen++
		})
		if c == 0 {
			break
		}
	}
	if seen != 50 || s.Len(2) != 50 || s.ExpiresLen(2) != 0 {
		t.Fatalf("seen %d, len %d, expires %d", seen, s.Len(2), s.ExpiresLen(2))
	}
	if s.Scan(3, 0, ksT0, func(*Entry) { t.Error("visited an empty db") }) != 0 {
		t.Error("scan of an empty db did not end")
	}
}

func TestShardRandomFlushSwap(t *testing.T) {
	ks := newTestKeyspace(1)
	s := ks.Shard(0)
	s.Lock()
	defer s.Unlock()
	if s.Random(0, ksT0) != nil {
		t.Fatal("Random on an empty db")
	}
	s.SetString(0, "gone", nil, ksT0+1, false)
	if s.Random(0, ksT0+1) != nil || s.Len(0) != 0 {
		t.Fatal("Random returned or kept an expired key")
	}
	s.SetString(0, "x", nil, 0, false)
	if e := s.Random(0, ksT0); e == nil || e.Key() != "x" {
		t.Fatal("Random missed the only key")
	}
	s.SetString(1, "y", nil, 0, false)
	s.Swap(0, 1)
	if s.Peek(0, "y", ksT0) == nil || s.Peek(1, "x", ksT0) == nil {
		t.Fatal("Swap did not exchange the databases")
	}
	if n := s.Flush(0); n != 1 || s.Len(0) != 0 || s.Len(1) != 1 {
		t.Fatalf("Flush removed %d, left %d/%d", n, s.Len(0), s.Len(1))
	}
}

func TestLockSetOrdersAndDedups(t *testing.T) {
	ks := newTestKeyspace(16)
	var l LockSet
	for _, i := range []int{9, 3, 9, 15, 0, 3} {
		l.Add(i)
	}
	l.Lock(ks)
	got := l.Indexes()
	want := []int{0, 3, 9, 15}
	if len(got) != len(want) {
		t.Fatalf("Indexes = %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Indexes = %v", got)
		}
	}
	for _, i := range want {
		if ks.Shard(i).mu.TryLock() {
			t.Fatalf("shard %d not locked", i)
		}
	}
	l.Unlock(ks)
	for _, i := range want {
		if !ks.Shard(i).mu.TryLock() {
			t.Fatalf("shard %d still locked", i)
		}
		ks.Shard(i).mu.Unlock()
	}
}
