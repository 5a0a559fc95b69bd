package kevy

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevydb/kevy/internal/clock"
	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/persist"
)

// DefaultShards is the shard count used when Options.Shards is 0. It was
// chosen by measurement (docs/performance.md): enough that two cores
// rarely meet on one lock, few enough that whole-keyspace commands (SCAN,
// KEYS, FLUSHALL) and per-shard files stay cheap.
const DefaultShards = 32

// DefaultDatabases is the number of logical databases, as in Redis.
const DefaultDatabases = 16

// maxShards bounds Options.Shards: there are 16384 hash slots, and a
// shard with no slot would never hold a key.
const maxShards = 16384

// Clock is a time source. Tests pass a *ManualClock in Options.Clock to
// control expiry without sleeping.
type Clock interface {
	Now() time.Time
}

// ManualClock is a Clock that only moves when told to. It is safe for
// concurrent use.
type ManualClock struct{ m *clock.Manual }

// NewManualClock returns a ManualClock set to t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{m: clock.NewManual(t)} }

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time { return time.UnixMilli(c.m.NowMs()) }

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) { c.m.Advance(d) }

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) { c.m.Set(t) }

// MetricKind names a metric event.
type MetricKind uint8

// Metric event kinds. Later releases add more; sinks must ignore kinds
// they do not know.
const (
	// MetricExpired: an active-expiry pass removed Count keys.
	MetricExpired MetricKind = iota + 1
	// MetricEvicted: a batch of evictions (made before one write, to get
	// back under MaxMemory) removed Count keys accounted for Bytes bytes.
	// It is delivered on the goroutine of that write.
	MetricEvicted
)

// Metric is one event delivered to Options.MetricSink.
type Metric struct {
	Kind     MetricKind
	Count    int64         // keys (or bytes) concerned
	Bytes    int64         // bytes concerned, when relevant
	Duration time.Duration // time the operation took, when relevant
}

// Options configures Open. The zero value (or a nil *Options) gives the
// defaults documented on each field. Open never modifies the caller's
// Options.
type Options struct {
	// Shards is the number of independent lock domains. 0 means
	// DefaultShards, or for an existing data directory the count it was
	// written with; another count re-shards the directory (see
	// docs/persistence.md). Keys map to shards by Redis Cluster hash slot.
	Shards int
	// Databases is the number of logical databases (SELECT 0..n-1).
	// 0 means 16.
	Databases int
	// ManualExpiry disables the background active-expiry goroutine; keys
	// still expire lazily when touched, and DB.Tick runs one active cycle.
	ManualExpiry bool
	// Clock overrides the time source. nil means the real clock (read
	// through a cache refreshed every millisecond).
	Clock Clock
	// Logger receives operational logs. nil means slog.Default().
	Logger *slog.Logger
	// MetricSink, when set, receives metric events. It is called from
	// background goroutines and must not block or call back into the DB.
	MetricSink func(Metric)
	// PubSubBuffer is how many messages a Subscription may hold unread.
	// 0 means DefaultPubSubBuffer (1024).
	PubSubBuffer int
	// PubSubPolicy says what happens to a Subscription whose buffer is
	// full. The zero value, PolicyDisconnect, closes it.
	PubSubPolicy PubSubPolicy
	// DisableAppendOnly turns the append-only file off for a database
	// with a data directory (Redis's appendonly no): only snapshots
	// (Save, BGSave, and Close, which saves) persist data. The zero value
	// keeps it on. See docs/persistence.md.
	DisableAppendOnly bool
	// AppendFsync is the fsync policy of the append-only file. The zero
	// value is FsyncEverySec.
	AppendFsync FsyncPolicy
	// AutoRewritePercentage and AutoRewriteMinSize trigger the automatic
	// compaction of a shard's append-only log when its files have grown
	// by this percentage since the last compaction and exceed
	// AutoRewriteMinSize/Shards bytes (Redis's auto-aof-rewrite-*). 0
	// means 100 and 64 MB; a negative percentage disables it.
	AutoRewritePercentage int
	AutoRewriteMinSize    int64
	// RepairAOF makes Open truncate an append-only log at the first
	// damaged record instead of failing with ErrCorrupt; what follows the
	// damage is lost (and logged).
	RepairAOF bool
	// NotifyKeyspaceEvents selects the keyspace notifications published
	// on the pub/sub bus, with the letters of Redis's
	// notify-keyspace-events ("KEA", "Elg", ...; see OnKeyEvent for a
	// typed alternative). "" means none. CONFIG SET can change it.
	NotifyKeyspaceEvents string
	// MaxMemory limits the accounted memory of the data, in bytes
	// (Redis's maxmemory; see docs/memory.md for what is accounted). 0
	// means no limit. Over it, writes that may grow memory first evict
	// keys by EvictionPolicy, or fail with ErrOOM.
	MaxMemory int64
	// EvictionPolicy chooses the keys evicted over MaxMemory. The zero
	// value is NoEviction; ParseEvictionPolicy reads Redis's names.
	EvictionPolicy EvictionPolicy
	// MaxMemorySamples is how many keys are sampled per shard for each
	// eviction (maxmemory-samples, 1..64). 0 means 5.
	MaxMemorySamples int
	// LFULogFactor is lfu-log-factor: the larger, the more accesses it
	// takes to saturate the 8-bit LFU counter. 0 means 10; a negative
	// value means 0.
	LFULogFactor int
	// LFUDecayTime is lfu-decay-time in minutes: the LFU counter loses
	// one per period without access. 0 means 1; a negative value means 0
	// (no decay).
	LFUDecayTime int
}

// DB is an open kevy database, or a handle on one of its logical
// databases (see Database). It is safe for concurrent use.
type DB struct {
	c  *core
	db int
}

// core is what all handles of one open database share.
type core struct {
	opts   Options
	clk    *clock.Clock
	ks     *keyspace.Keyspace
	eng    *command.Engine
	log    *slog.Logger
	closed atomic.Bool
	stop   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
	// persist is the data directory's store; nil for an in-memory DB.
	persist *persist.Store
	// fsync is the current FsyncPolicy (CONFIG SET appendfsync).
	fsync atomic.Uint32
	// hzChanged wakes the expiry loop after CONFIG SET hz.
	hzChanged chan struct{}
	// rewritePct (0: off) and rewriteMin are the automatic log rewrite
	// thresholds, as CONFIG shows them.
	rewritePct, rewriteMin atomic.Int64
}

// Open opens the database stored in the directory dir (created if
// missing), or an in-memory database when dir is "". A directory is
// persisted with an append-only file and snapshots (docs/persistence.md):
// Open loads it, re-sharding it when it was written with another Shards,
// and fails with an error wrapping ErrCorrupt when a file is damaged.
func Open(dir string, opts *Options) (*DB, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if err := validatePersistence(dir, &o); err != nil {
		return nil, err
	}
	if o.Shards == 0 && dir != "" {
		o.Shards, _ = persist.LayoutShards(dir)
	}
	if o.Shards == 0 {
		o.Shards = DefaultShards
	}
	if o.Shards < 1 || o.Shards > maxShards {
		return nil, fmt.Errorf("%w: Shards must be between 1 and %d, got %d", ErrInvalidArgument, maxShards, o.Shards)
	}
	if o.Databases == 0 {
		o.Databases = DefaultDatabases
	}
	if o.Databases < 1 || o.Databases > math.MaxInt32 {
		return nil, fmt.Errorf("%w: Databases must be at least 1, got %d", ErrInvalidArgument, o.Databases)
	}
	if err := validatePubSub(&o); err != nil {
		return nil, err
	}
	if err := validateMemory(&o); err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	c := &core{opts: o, log: o.Logger, stop: make(chan struct{}), hzChanged: make(chan struct{}, 1)}
	if o.Clock != nil {
		src := o.Clock
		c.clk = clock.FromFunc(func() int64 { return src.Now().UnixMilli() })
	} else {
		c.clk = clock.New()
	}
	c.ks = keyspace.New(keyspace.Config{Shards: o.Shards, Databases: o.Databases, Clock: c.clk})
	c.eng = command.NewEngine(c.ks, c.clk)
	c.eng.PubSub = newBus()
	c.setupNotify()
	c.setupMemory()
	c.setupSettings(dir)
	if dir != "" {
		if err := c.openPersistence(dir); err != nil {
			c.clk.Stop()
			return nil, err
		}
	}
	if !o.ManualExpiry {
		c.wg.Add(1)
		go c.expireLoop()
	}
	return &DB{c: c}, nil
}

// activeExpireHz is how often the background expiry cycle runs by
// default: Redis's "hz 10" (CONFIG SET hz changes it).
const activeExpireHz = 10

// activeExpireBudget bounds the keys sampled per shard per cycle, which
// bounds how long a shard lock is held by the cycle (well under a
// millisecond) while still removing 2,000 keys/s/shard at idle.
const activeExpireBudget = 200

func (c *core) expireLoop() {
	defer c.wg.Done()
	hz := c.eng.Hz.Load()
	t := time.NewTicker(time.Second / time.Duration(hz))
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.hzChanged:
			hz = c.eng.Hz.Load()
			t.Reset(time.Second / time.Duration(hz))
		case <-t.C:
			c.runExpire()
		}
	}
}

func (c *core) runExpire() int {
	start := time.Now()
	n := c.ks.ActiveExpireCycle(activeExpireBudget)
	if n > 0 && c.opts.MetricSink != nil {
		c.opts.MetricSink(Metric{Kind: MetricExpired, Count: int64(n), Duration: time.Since(start)})
	}
	return n
}

// Tick runs one active-expiry cycle now and returns how many keys it
// removed. It is how ManualExpiry users expire keys nobody reads.
func (db *DB) Tick() int {
	if db.c.closed.Load() {
		return 0
	}
	return db.c.runExpire()
}

// Close stops background work and closes the database. It is idempotent;
// closing any handle closes them all. Calls after Close return ErrClosed.
func (db *DB) Close() error {
	c := db.c
	var err error
	c.once.Do(func() {
		c.closed.Store(true)
		c.eng.StopBlocking() // callers blocked in BLPOP... get ErrClosed
		c.closeBus()
		close(c.stop)
		c.wg.Wait()
		err = c.closePersistence()
		c.clk.Stop()
	})
	return err
}

// Database returns a handle on logical database n (Redis SELECT n). The
// handle shares everything with db; closing either closes both.
func (db *DB) Database(n int) (*DB, error) {
	if n < 0 || n >= db.c.opts.Databases {
		return nil, fmt.Errorf("%w: %d", ErrInvalidDB, n)
	}
	return &DB{c: db.c, db: n}, nil
}

// Index returns the logical database number this handle addresses.
func (db *DB) Index() int { return db.db }

var sessionPool = sync.Pool{New: func() any { return command.NewSession(0) }}

// Do runs one Redis command, given as its name and arguments, and returns
// its reply. Arguments may be string, []byte, integers, floats, bool
// (1 or 0) or time.Duration (in milliseconds); anything else is
// ErrInvalidArgument. They are copied into a reused buffer, never
// retained, so passing them allocates nothing (arguments adding up to
// more than 64 MiB get a buffer of their own).
// An error reply is returned as an error wrapping the matching sentinel
// (errors.Is(err, kevy.ErrWrongType)...) whose text is Redis's. Each call
// runs in a fresh client session on this handle's database, so SELECT
// only affects its own call; use Database to address another database.
// For the same reason MULTI and WATCH are refused (ErrInvalidArgument):
// use TxPipelined and Watch.
func (db *DB) Do(ctx context.Context, args ...any) (Value, error) {
	if len(args) > 0 {
		if name, refused := sessionOnly(args[0]); refused {
			return Value{}, errNotInDo(name)
		}
	}
	s := sessionPool.Get().(*command.Session)
	s.DB = db.db
	v, err := db.doIn(ctx, s, args)
	db.putSession(s)
	return v, err
}

// doIn runs one command of Do in session s.
func (db *DB) doIn(ctx context.Context, s *command.Session, args []any) (Value, error) {
	if db.c.closed.Load() {
		return Value{}, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return Value{}, err
	}
	if len(args) == 0 {
		return Value{}, fmt.Errorf("%w: empty command", ErrArity)
	}
	d := doPool.Get().(*doScratch)
	defer d.release()
	n := argsSize(args)
	if n > maxPooledBytes {
		d.small, d.buf = d.buf, getArgBuf(n) // the pooled buffer is kept for the next call
	}
	var err error
	if d.argv, d.buf, err = encodeArgs(d.argv, d.buf, args, n); err != nil {
		return Value{}, fmt.Errorf("kevy: %w", err)
	}
	vb := &d.vb
	vb.eng = db.c.eng // counts error replies
	err = db.c.eng.ExecContext(ctx, s, d.argv, vb)
	if werr := db.c.waitDurable(s); werr != nil && err == nil {
		return Value{}, werr
	}
	if err != nil { // a blocking command given up because ctx is done
		return Value{}, err
	}
	if vb.root.kind == KindError {
		return Value{}, vb.root.Err()
	}
	return vb.root, nil
}

// doScratch is the memory a Do call reuses from one call to the next:
// the bytes of its arguments, its argument vector and its reply builder
// (the reply itself is never reused: its values are built fresh).
type doScratch struct {
	buf   []byte // the arguments' bytes, one after the other
	small []byte // the pooled buffer while buf is a large one (getArgBuf)
	argv  [][]byte
	vb    valueBuilder
}

var doPool = sync.Pool{New: func() any { return new(doScratch) }}

// maxPooledArgs and maxPooledBytes bound the argument vector and the
// argument bytes a pooled doScratch keeps.
const (
	maxPooledArgs  = 1024
	maxPooledBytes = 64 << 10
)

// release empties d and returns it to doPool.
func (d *doScratch) release() {
	clear(d.argv)
	d.argv, d.buf = d.argv[:0], d.buf[:0]
	if cap(d.argv) > maxPooledArgs {
		d.argv = nil
	}
	if d.small != nil {
		putArgBuf(d.buf)
		d.buf, d.small = d.small[:0], nil
	}
	if cap(d.buf) > maxPooledBytes {
		d.buf = nil // grown by append past the pooled size
	}
	d.vb.root = Value{}
	clear(d.vb.stack)
	d.vb.stack = d.vb.stack[:0]
	doPool.Put(d)
}

// appendArg appends the bytes of a Do argument to buf: a string or
// []byte as is, an integer or float in decimal, a bool as 1 or 0, a
// time.Duration in milliseconds. The argument is copied, never retained,
// so the caller's values (and the interface boxes holding them) can stay
// on its stack: a Do call allocates nothing for its arguments.
func appendArg(buf []byte, a any) ([]byte, error) {
	switch v := a.(type) {
	case string:
		return append(buf, v...), nil
	case []byte:
		return append(buf, v...), nil
	case int:
		return strconv.AppendInt(buf, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(buf, v, 10), nil
	case int32:
		return strconv.AppendInt(buf, int64(v), 10), nil
	case int16:
		return strconv.AppendInt(buf, int64(v), 10), nil
	case int8:
		return strconv.AppendInt(buf, int64(v), 10), nil
	case uint:
		return strconv.AppendUint(buf, uint64(v), 10), nil
	case uint64:
		return strconv.AppendUint(buf, v, 10), nil
	case uint32:
		return strconv.AppendUint(buf, uint64(v), 10), nil
	case uint16:
		return strconv.AppendUint(buf, uint64(v), 10), nil
	case uint8:
		return strconv.AppendUint(buf, uint64(v), 10), nil
	case float64:
		return strconv.AppendFloat(buf, v, 'g', -1, 64), nil
	case float32:
		return strconv.AppendFloat(buf, float64(v), 'g', -1, 32), nil
	case bool:
		if v {
			return append(buf, '1'), nil
		}
		return append(buf, '0'), nil
	case time.Duration:
		return strconv.AppendInt(buf, v.Milliseconds(), 10), nil
	}
	// reflect.TypeOf reads only the type word: a stays unescaped.
	return buf, fmt.Errorf("%w: unsupported argument type %s (pass a string, []byte or number)",
		ErrInvalidArgument, reflect.TypeOf(a))
}
