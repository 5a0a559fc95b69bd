package command

import (
	"crypto/rand"
	"encoding/hex"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/object"
)

// MEMORY (USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP), the maxmemory
// check the engine makes before commands flagged FlagDenyOOM, and the
// engine's memory, eviction and command counters.

func init() {
	sub := func(name string, arity int, flags Flags, cats ...string) *Command {
		return &Command{Name: "memory|" + name, Arity: arity, Flags: flags, Run: memoryCmd, Categories: cats}
	}
	usage := sub("usage", -3, FlagReadOnly, "read", "slow")
	usage.FirstKey, usage.LastKey, usage.Step = 2, 2, 1
	Register(&Command{Name: "memory", Arity: -2, FirstKey: 2, LastKey: 2, Step: 1,
		Run: memoryCmd, Categories: []string{"slow"},
		Subcommands: []*Command{
			sub("doctor", 2, 0, "slow"),
			sub("help", 2, FlagLoading|FlagStale, "slow"),
			sub("malloc-stats", 2, 0, "slow"),
			sub("purge", 2, 0, "slow"),
			sub("stats", 2, 0, "slow"),
			usage,
		}})
}

// memState is the engine's share of memory management and statistics.
type memState struct {
	start     time.Time
	runID     string
	evictHook func(keys int, bytes int64, d time.Duration)
	// persistence fills INFO's persistence section (SetPersistenceInfo).
	persistence func(*InfoPersistence)
	// servers report connection figures (AddServerStats), in the order
	// they were added.
	servers struct {
		sync.Mutex
		next int
		list []serverStatsFn
	}
	// keyless counts commands that lock no shard, striped to spread
	// contention (commands locking a shard count in Shard.Commands).
	keyless [cmdStripes]cmdStripe
}

const cmdStripes = 8

type cmdStripe struct {
	n atomic.Int64
	_ [56]byte
}

func (m *memState) init(e *Engine) {
	e.KS.SetObjectSizer(objectSize)
	m.start = time.Now()
	var id [20]byte
	_, _ = rand.Read(id[:])
	m.runID = hex.EncodeToString(id[:])
}

// countKeyless counts a command run without a shard lock.
func (m *memState) countKeyless(s *Session) {
	h := uint64(uintptr(unsafe.Pointer(s))) * 0x9e3779b97f4a7c15
	m.keyless[h>>61&(cmdStripes-1)].n.Add(1)
}

// objectSize measures a value object of an aggregate type: each type's
// MemUsage is O(1).
func objectSize(t keyspace.Type, p unsafe.Pointer) int {
	switch t {
	case keyspace.TypeList:
		return (*object.List)(p).MemUsage()
	case keyspace.TypeHash:
		return (*object.Hash)(p).MemUsage()
	case keyspace.TypeSet:
		return (*object.Set)(p).MemUsage()
	case keyspace.TypeZSet:
		return (*object.ZSet)(p).MemUsage()
	}
	return 0
}

// SetEvictionHook installs f, called after every batch of evictions with
// the keys and bytes freed and the time taken (for metrics). Call it
// before the engine is used.
func (e *Engine) SetEvictionHook(f func(keys int, bytes int64, d time.Duration)) {
	e.mem.evictHook = f
}

// DenyOOM is the maxmemory check made before a command that may grow
// memory (FlagDenyOOM): when the accounted memory is over the limit it
// evicts keys by the policy, and it reports whether the command must be
// refused with WireOOM (the policy is noeviction, or nothing is left to
// evict). It must be called with no shard lock held. Transactions call it
// before EXEC when a queued command is flagged FlagDenyOOM.
func (e *Engine) DenyOOM() bool {
	if !e.KS.OverLimit() {
		return false
	}
	start := time.Now()
	n, b, ok := e.KS.Evict()
	if n > 0 && e.mem.evictHook != nil {
		e.mem.evictHook(n, b, time.Since(start))
	}
	return !ok
}

// TotalCommands returns the number of commands the engine has run.
func (e *Engine) TotalCommands() int64 {
	var n int64
	for i := range e.mem.keyless {
		n += e.mem.keyless[i].n.Load()
	}
	ks := e.KS
	for i := range ks.NumShards() {
		sh := ks.Shard(i)
		sh.Lock()
		n += sh.Commands
		sh.Unlock()
	}
	return n
}

// ---- memory report ----

// MemoryReport is the memory picture shared by INFO memory, MEMORY STATS
// and the embedded API: the accounted figures of the keyspace next to the
// Go runtime's own (see docs/memory.md for how they relate).
type MemoryReport struct {
	// Used is the accounted memory of the keyspace (used_memory).
	Used int64
	// Peak is the highest accounted figure reached (used_memory_peak).
	Peak int64
	// Overhead is the structural part of Used: hash-table buckets, the
	// Entry of every key and deadline slots (used_memory_overhead).
	Overhead int64
	// Keys is the number of keys in all databases.
	Keys int64
	// DBs lists the databases holding keys, with their overheads.
	DBs []DBOverhead
	// MaxMemory and Policy are the configured limit and eviction policy.
	MaxMemory int64
	Policy    string
	// Go runtime figures (runtime/metrics), in bytes.
	GoHeapLive     int64 // live heap after the last GC (/gc/heap/live)
	GoHeapObjects  int64 // heap objects, live or not yet swept
	GoHeapUnused   int64 // free space in in-use heap spans
	GoHeapFree     int64 // free heap pages not returned to the OS
	GoHeapReleased int64 // heap pages returned to the OS
	GoHeapGoal     int64 // heap size the next GC aims at
	GoTotal        int64 // all memory mapped by the Go runtime
	GoGCCycles     int64 // completed GC cycles
}

// DBOverhead is one database's structural overhead (MEMORY STATS db.N).
type DBOverhead struct {
	DB      int
	Keys    int64
	Main    int64 // buckets and entries (overhead.hashtable.main)
	Expires int64 // deadline slots (overhead.hashtable.expires)
}

// RSS approximates the resident memory of the Go runtime: everything it
// has mapped minus what it returned to the OS.
func (r *MemoryReport) RSS() int64 { return r.GoTotal - r.GoHeapReleased }

// Dataset is Used minus Overhead (used_memory_dataset).
func (r *MemoryReport) Dataset() int64 { return r.Used - r.Overhead }

var memMetricNames = [...]string{
	"/gc/heap/live:bytes",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
	"/gc/heap/goal:bytes",
	"/memory/classes/total:bytes",
	"/gc/cycles/total:gc-cycles",
}

// ReadGoMemory fills the Go runtime fields of r.
func ReadGoMemory(r *MemoryReport) {
	var s [len(memMetricNames)]metrics.Sample
	for i, n := range memMetricNames {
		s[i].Name = n
	}
	metrics.Read(s[:])
	v := func(i int) int64 {
		if s[i].Value.Kind() == metrics.KindUint64 {
			return int64(s[i].Value.Uint64())
		}
		return 0
	}
	r.GoHeapLive, r.GoHeapObjects, r.GoHeapUnused, r.GoHeapFree = v(0), v(1), v(2), v(3)
	r.GoHeapReleased, r.GoHeapGoal, r.GoTotal, r.GoGCCycles = v(4), v(5), v(6), v(7)
}

// CollectMemory builds the memory report, locking one shard at a time.
func (e *Engine) CollectMemory() MemoryReport {
	ks := e.KS
	r := MemoryReport{MaxMemory: ks.MaxMemory(), Policy: ks.Policy().String()}
	dbs := make([]DBOverhead, ks.Databases())
	for i := range ks.NumShards() {
		sh := ks.Shard(i)
		sh.Lock()
		r.Used += sh.Memory()
		for db := range dbs {
			m, x := sh.TableOverhead(db)
			dbs[db].Main += m
			dbs[db].Expires += x
			dbs[db].Keys += int64(sh.Len(db))
		}
		sh.Unlock()
	}
	for db, d := range dbs {
		r.Overhead += d.Main + d.Expires
		if d.Keys > 0 {
			d.DB = db
			r.Keys += d.Keys
			r.DBs = append(r.DBs, d)
		}
	}
	r.Peak = max(ks.PeakMemory(), r.Used)
	ReadGoMemory(&r)
	return r
}

// ---- MEMORY ----

var memoryHelp = []string{
	"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"DOCTOR",
	"    Return memory problems reports.",
	"MALLOC-STATS",
	"    Return internal statistics report from the memory allocator.",
	"PURGE",
	"    Attempt to purge dirty pages for reclamation by the allocator.",
	"STATS",
	"    Return information about the memory usage of the server.",
	"USAGE <key> [SAMPLES <count>]",
	"    Return memory in bytes used by <key> and its value. Nested values are",
	"    sampled up to <count> times (default: 5, 0 means sample all).",
	"HELP",
	"    Prints this help.",
}

func memoryCmd(c *Ctx, args [][]byte) {
	sub := args[1]
	var name string
	for _, n := range [...]string{"usage", "stats", "doctor", "malloc-stats", "purge", "help"} {
		if EqualFold(sub, n) {
			name = n
			break
		}
	}
	switch {
	case name == "":
		c.W.Error("ERR unknown subcommand '" + truncArg(sub) + "'. Try MEMORY HELP.")
		return
	case name == "usage":
		if len(args) < 3 {
			c.W.Error(WrongArity("memory|usage"))
			return
		}
	case len(args) != 2:
		c.W.Error(WrongArity("memory|" + name))
		return
	}
	switch name {
	case "help":
		c.W.ArrayLen(len(memoryHelp))
		for _, l := range memoryHelp {
			c.W.SimpleString(l)
		}
	case "usage":
		memoryUsage(c, args)
	case "stats":
		memoryStats(c)
	case "doctor":
		c.W.Verbatim("txt", []byte(memoryDoctor(c.E.CollectMemory())))
	case "malloc-stats":
		c.W.Verbatim("txt", []byte("Stats not supported for the current allocator"))
	case "purge":
		debug.FreeOSMemory()
		c.OK()
	}
}

// memoryUsage is MEMORY USAGE key [SAMPLES n]. kevy measures values
// exactly in O(1), so SAMPLES is validated as Redis does and otherwise
// has no effect.
func memoryUsage(c *Ctx, args [][]byte) {
	for j := 3; j < len(args); j++ {
		if EqualFold(args[j], "samples") && j+1 < len(args) {
			n, ok := ParseInt(args[j+1])
			if !ok {
				c.W.Error(WireNotInteger)
				return
			}
			if n < 0 {
				c.W.Error(WireSyntax)
				return
			}
			j++
			continue
		}
		c.W.Error(WireSyntax)
		return
	}
	key := Key(args[2])
	n, ok := KeyMemoryUsage(c.Shard(key), c.DB, key, c.Now)
	if !ok {
		c.W.Null()
		return
	}
	c.W.Int(n)
}

// KeyMemoryUsage returns the bytes key costs (MEMORY USAGE), counting a
// keyspace hit or miss without touching its access clock; ok is false
// when the key does not exist. The key's shard must be locked.
func KeyMemoryUsage(sh *keyspace.Shard, db int, key string, now int64) (n int64, ok bool) {
	e := readNoTouch(sh, db, key, now)
	if e == nil {
		return 0, false
	}
	return sh.EntryMemory(e), true
}

func memoryStats(c *Ctx) {
	r := c.E.CollectMemory()
	w := c.W
	w.MapLen(27 + len(r.DBs))
	kv := func(k string, v int64) {
		w.SimpleString(k)
		w.Int(v)
	}
	kd := func(k string, v float64) {
		w.SimpleString(k)
		w.Double(v)
	}
	kv("peak.allocated", r.Peak)
	kv("total.allocated", r.Used)
	kv("startup.allocated", 0)
	kv("replication.backlog", 0)
	kv("clients.slaves", 0)
	kv("clients.normal", 0)
	kv("cluster.links", 0)
	kv("aof.buffer", 0)
	kv("lua.caches", 0)
	kv("functions.caches", 0)
	for _, d := range r.DBs {
		w.SimpleString("db." + strconv.Itoa(d.DB))
		w.MapLen(3)
		kv("overhead.hashtable.main", d.Main)
		kv("overhead.hashtable.expires", d.Expires)
		kv("overhead.hashtable.slot-to-keys", 0)
	}
	kv("overhead.total", r.Overhead)
	kv("keys.count", r.Keys)
	perKey := int64(0)
	if r.Keys > 0 {
		perKey = r.Used / r.Keys
	}
	kv("keys.bytes-per-key", perKey)
	kv("dataset.bytes", r.Dataset())
	kd("dataset.percentage", pct(r.Dataset(), r.Used))
	kd("peak.percentage", pct(r.Used, r.Peak))
	active := r.GoHeapObjects + r.GoHeapUnused
	kv("allocator.allocated", r.GoHeapObjects)
	kv("allocator.active", active)
	kv("allocator.resident", r.RSS())
	kd("allocator-fragmentation.ratio", ratio(active, r.GoHeapObjects))
	kv("allocator-fragmentation.bytes", active-r.GoHeapObjects)
	kd("allocator-rss.ratio", ratio(r.RSS(), active))
	kv("allocator-rss.bytes", r.RSS()-active)
	kd("rss-overhead.ratio", 1)
	kv("rss-overhead.bytes", 0)
	kd("fragmentation", ratio(r.RSS(), r.Used))
	kv("fragmentation.bytes", r.RSS()-r.Used)
}

func pct(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) * 100 / float64(b)
}

func ratio(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// memoryDoctor gives MEMORY DOCTOR's verdict on a report, with Redis's
// texts for the cases kevy can judge.
func memoryDoctor(r MemoryReport) string {
	if r.Used < 5<<20 {
		return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. " +
			"Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting."
	}
	var issues []string
	if r.Peak > r.Used*3/2 {
		issues = append(issues, " * Peak memory: In the past this instance used more than 150% the memory that is currently using. "+
			"The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, "+
			"however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) "+
			"is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. "+
			"If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, "+
			"otherwise the only other option is to shutdown and restart the instance.\n\n")
	}
	if r.RSS() > r.Used*14/10 && r.RSS()-r.Used > 10<<20 {
		issues = append(issues, " * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 "+
			"(this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). "+
			"In kevy this is mostly the Go garbage collector's headroom (GOGC) and memory it has not yet returned to the OS; see docs/memory.md.\n\n")
	}
	if len(issues) == 0 {
		return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base."
	}
	s := "Sam, I detected a few issues in this Redis instance memory implants:\n\n"
	for _, i := range issues {
		s += i
	}
	return s + "I'm here to keep you safe, Sam. I want to help you.\n"
}
