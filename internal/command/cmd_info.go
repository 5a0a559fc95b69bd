package command

import (
	"cmp"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// INFO [section ...]: Redis's report, with the sections kevy can fill
// honestly (server, clients, memory, persistence, stats, replication,
// modules, cluster, keyspace). The figures are gathered into an Info
// value, which the embedded API returns as is.

func init() {
	Register(&Command{Name: "info", Arity: -1, Flags: FlagLoading | FlagStale | FlagSelfLock,
		Run: infoCmd, Categories: []string{"slow", "dangerous"}})
}

// RedisVersion is the Redis version kevy reports (INFO redis_version).
const RedisVersion = "7.0.15"

// KevyVersion is kevy's own version (INFO kevy_version).
var KevyVersion = "0.1.0-dev"

// Info is everything INFO reports. Field names follow the INFO fields.
type Info struct {
	Server      InfoServer
	Clients     InfoClients
	Memory      InfoMemory
	Persistence InfoPersistence
	Stats       InfoStats
	CPU         InfoCPU
	// ErrorStats counts the error replies by code (errorstats).
	ErrorStats []InfoErrorStat
	// Keyspace lists the databases holding keys.
	Keyspace []InfoKeyspace
}

// InfoCPU is INFO's cpu section: the CPU time the process used, in
// system and user mode (getrusage), and that of its waited-for children
// (none: kevy saves with goroutines, not by forking).
type InfoCPU struct {
	SysSeconds, UserSeconds                 float64
	SysChildrenSeconds, UserChildrenSeconds float64
}

// InfoServer is INFO's server section.
type InfoServer struct {
	RedisVersion    string
	KevyVersion     string
	RedisMode       string
	OS              string
	ArchBits        int
	GoVersion       string
	ProcessID       int
	RunID           string
	TCPPort         int    // 0 when no server reported one (embedded use)
	ConfigFile      string // "" unless a server reported one
	ServerTimeUsec  int64
	UptimeInSeconds int64
	UptimeInDays    int64
	Hz              int
	LRUClock        int64
	Executable      string
}

// InfoClients is INFO's clients section.
type InfoClients struct {
	ConnectedClients int
	MaxClients       int
	BlockedClients   int
}

// InfoMemory is INFO's memory section: the accounted figures of the
// keyspace and the Go runtime's (see docs/memory.md).
type InfoMemory struct {
	UsedMemory         int64
	UsedMemoryRSS      int64 // Go runtime memory mapped and not released
	UsedMemoryPeak     int64
	UsedMemoryOverhead int64
	UsedMemoryStartup  int64
	UsedMemoryDataset  int64
	AllocatorAllocated int64 // Go heap objects
	AllocatorActive    int64 // Go heap objects plus free space of in-use spans
	AllocatorResident  int64 // same as UsedMemoryRSS
	MaxMemory          int64
	MaxMemoryPolicy    string
	// MemFragmentationRatio is UsedMemoryRSS / UsedMemory, as Redis
	// defines it (RSS over logical allocations).
	MemFragmentationRatio float64
	MemAllocator          string
	GoHeapLive            int64 // live heap after the last GC
	GoHeapObjects         int64
	GoHeapGoal            int64
	GoHeapReleased        int64
	GoMemoryTotal         int64
	GoGCCycles            int64
}

// InfoPersistence is INFO's persistence section. Without persistence it
// reports no saves; the persistence layer fills it through
// Engine.SetPersistenceInfo.
type InfoPersistence struct {
	Loading                  bool
	AsyncLoading             bool
	RDBChangesSinceLastSave  int64
	RDBBgsaveInProgress      bool
	RDBLastSaveTime          int64
	RDBLastBgsaveStatus      string
	RDBLastBgsaveTimeSec     int64
	RDBCurrentBgsaveTimeSec  int64
	RDBSaves                 int64
	AOFEnabled               bool
	AOFRewriteInProgress     bool
	AOFRewriteScheduled      bool
	AOFLastRewriteTimeSec    int64
	AOFCurrentRewriteTimeSec int64
	AOFLastBgrewriteStatus   string
	AOFRewrites              int64
	AOFLastWriteStatus       string
	// Extra are further name:value lines appended to the section.
	Extra []InfoField
}

// InfoField is one extra "name:value" line of an INFO section.
type InfoField struct {
	Name, Value string
}

// InfoStats is INFO's stats section.
type InfoStats struct {
	TotalConnectionsReceived int64
	TotalCommandsProcessed   int64
	RejectedConnections      int64
	ExpiredKeys              int64
	EvictedKeys              int64
	KeyspaceHits             int64
	KeyspaceMisses           int64
	PubSubChannels           int
	PubSubPatterns           int
	PubSubShardChannels      int
	TotalErrorReplies        int64
}

// InfoKeyspace is one line of INFO's keyspace section.
type InfoKeyspace struct {
	DB      int
	Keys    int64
	Expires int64
	// AvgTTL is the mean remaining TTL in ms of keys with a TTL,
	// estimated from a sample as Redis does.
	AvgTTL int64
}

// ServerStats are the connection figures a network server supplies for
// INFO (Engine.AddServerStats).
type ServerStats struct {
	TCPPort                  int
	ConfigFile               string
	ConnectedClients         int
	MaxClients               int
	TotalConnectionsReceived int64
	RejectedConnections      int64
}

type serverStatsFn struct {
	id    int
	f     func() ServerStats
	reset func()
}

// AddServerStats adds f, which INFO calls for the connection figures of
// one server on the engine, and reset (if not nil), which CONFIG
// RESETSTAT calls to zero its counters; the function returned removes
// them. With several servers (a TCP one and in-memory go-redis clients,
// say), INFO adds up their clients and connection counts and shows the
// port, maxclients and configuration file of the first one added that
// listens on TCP (else of the first one).
func (e *Engine) AddServerStats(f func() ServerStats, reset func()) (remove func()) {
	st := &e.mem.servers
	st.Lock()
	defer st.Unlock()
	id := st.next
	st.next++
	st.list = append(st.list, serverStatsFn{id, f, reset})
	return func() {
		st.Lock()
		defer st.Unlock()
		st.list = slices.DeleteFunc(st.list, func(s serverStatsFn) bool { return s.id == id })
	}
}

// serverStatsList returns the servers added, in order.
func (e *Engine) serverStatsList() []serverStatsFn {
	st := &e.mem.servers
	st.Lock()
	defer st.Unlock()
	return slices.Clone(st.list)
}

// serverStats combines the servers' figures (see AddServerStats).
func (e *Engine) serverStats() ServerStats {
	fns := e.serverStatsList()
	var sum, main ServerStats
	found := false
	for i, s := range fns {
		one := s.f()
		sum.ConnectedClients += one.ConnectedClients
		sum.TotalConnectionsReceived += one.TotalConnectionsReceived
		sum.RejectedConnections += one.RejectedConnections
		if i == 0 || (!found && one.TCPPort != 0) {
			main, found = one, one.TCPPort != 0
		}
	}
	sum.TCPPort, sum.MaxClients, sum.ConfigFile = main.TCPPort, main.MaxClients, main.ConfigFile
	return sum
}

// SetPersistenceInfo installs f, called by INFO with the persistence
// section pre-filled with "no persistence" values for it to correct. Call
// it before the engine is used.
func (e *Engine) SetPersistenceInfo(f func(p *InfoPersistence)) {
	e.mem.persistence = f
}

// CollectInfo gathers every INFO section, locking one shard at a time.
func (e *Engine) CollectInfo() Info {
	var in Info
	now := e.Clock.NowMs()
	srv := e.serverStats()
	exe, _ := os.Executable()
	up := int64(time.Since(e.mem.start) / time.Second)
	in.Server = InfoServer{
		RedisVersion:    RedisVersion,
		KevyVersion:     KevyVersion,
		RedisMode:       "standalone",
		OS:              runtime.GOOS + " " + runtime.GOARCH,
		ArchBits:        strconv.IntSize,
		GoVersion:       runtime.Version(),
		ProcessID:       os.Getpid(),
		RunID:           e.mem.runID,
		TCPPort:         srv.TCPPort,
		ConfigFile:      srv.ConfigFile,
		ServerTimeUsec:  now * 1000,
		UptimeInSeconds: up,
		UptimeInDays:    up / 86400,
		Hz:              int(max(e.Hz.Load(), 0)),
		LRUClock:        int64(e.KS.LRUClock(now)),
		Executable:      exe,
	}
	in.Clients = InfoClients{ConnectedClients: srv.ConnectedClients, MaxClients: srv.MaxClients,
		BlockedClients: e.BlockedClients()}

	r := e.CollectMemory()
	active := r.GoHeapObjects + r.GoHeapUnused
	in.Memory = InfoMemory{
		UsedMemory:            r.Used,
		UsedMemoryRSS:         r.RSS(),
		UsedMemoryPeak:        r.Peak,
		UsedMemoryOverhead:    r.Overhead,
		UsedMemoryDataset:     r.Dataset(),
		AllocatorAllocated:    r.GoHeapObjects,
		AllocatorActive:       active,
		AllocatorResident:     r.RSS(),
		MaxMemory:             r.MaxMemory,
		MaxMemoryPolicy:       r.Policy,
		MemFragmentationRatio: ratio(r.RSS(), r.Used),
		MemAllocator:          "go",
		GoHeapLive:            r.GoHeapLive,
		GoHeapObjects:         r.GoHeapObjects,
		GoHeapGoal:            r.GoHeapGoal,
		GoHeapReleased:        r.GoHeapReleased,
		GoMemoryTotal:         r.GoTotal,
		GoGCCycles:            r.GoGCCycles,
	}

	ks := e.KS
	var dirty int64
	keyspace := make([]InfoKeyspace, ks.Databases())
	ttlSum := make([]float64, ks.Databases())
	ttlN := make([]int64, ks.Databases())
	for i := range ks.NumShards() {
		sh := ks.Shard(i)
		sh.Lock()
		in.Stats.ExpiredKeys += sh.ExpiredKeys
		in.Stats.EvictedKeys += sh.EvictedKeys
		in.Stats.KeyspaceHits += sh.Hits
		in.Stats.KeyspaceMisses += sh.Misses
		in.Stats.TotalCommandsProcessed += sh.Commands
		dirty += sh.Dirty
		for db := range keyspace {
			k := &keyspace[db]
			k.Keys += int64(sh.Len(db))
			x := int64(sh.ExpiresLen(db))
			k.Expires += x
			if x > 0 {
				// Weight each shard's sampled mean by its TTL count.
				if sum, n := sh.SampleTTL(db, now, 16); n > 0 {
					ttlSum[db] += float64(sum) / float64(n) * float64(x)
					ttlN[db] += x
				}
			}
		}
		sh.Unlock()
	}
	for i := range e.mem.keyless {
		in.Stats.TotalCommandsProcessed += e.mem.keyless[i].n.Load()
	}
	for db, k := range keyspace {
		if k.Keys == 0 {
			continue
		}
		k.DB = db
		if ttlN[db] > 0 {
			k.AvgTTL = int64(ttlSum[db] / float64(ttlN[db]))
		}
		in.Keyspace = append(in.Keyspace, k)
	}
	in.Stats.TotalConnectionsReceived = srv.TotalConnectionsReceived
	in.Stats.RejectedConnections = srv.RejectedConnections
	if b := e.PubSub; b != nil {
		in.Stats.PubSubChannels = len(b.Channels(nil, nil, false))
		in.Stats.PubSubShardChannels = len(b.Channels(nil, nil, true))
		in.Stats.PubSubPatterns = b.NumPat()
	}

	in.Persistence = InfoPersistence{
		RDBChangesSinceLastSave:  dirty,
		RDBLastSaveTime:          e.mem.start.Unix(),
		RDBLastBgsaveStatus:      "ok",
		RDBLastBgsaveTimeSec:     -1,
		RDBCurrentBgsaveTimeSec:  -1,
		AOFLastRewriteTimeSec:    -1,
		AOFCurrentRewriteTimeSec: -1,
		AOFLastBgrewriteStatus:   "ok",
		AOFLastWriteStatus:       "ok",
	}
	if f := e.mem.persistence; f != nil {
		f(&in.Persistence)
	}
	in.CPU = cpuUsage()
	in.Stats.TotalErrorReplies, in.ErrorStats = e.errorInfo()
	return in
}

// infoSections are the sections INFO knows, in Redis's output order.
var infoSections = [...]string{"server", "clients", "memory", "persistence", "stats",
	"replication", "cpu", "modules", "errorstats", "cluster", "keyspace"}

func infoCmd(c *Ctx, args [][]byte) {
	var want [len(infoSections)]bool
	if len(args) == 1 {
		for i := range want {
			want[i] = true
		}
	}
	for _, a := range args[1:] {
		switch {
		case EqualFold(a, "all"), EqualFold(a, "everything"), EqualFold(a, "default"):
			for i := range want {
				want[i] = true
			}
		default:
			for i, s := range infoSections {
				if EqualFold(a, s) {
					want[i] = true
				}
			}
		}
	}
	in := c.E.CollectInfo()
	c.W.Verbatim("txt", []byte(FormatInfo(&in, want[:])))
}

// FormatInfo renders the wanted sections (indexed like infoSections) of
// in as INFO text: "# Section" headers, name:value lines ending in CRLF,
// and a blank line between sections.
func FormatInfo(in *Info, want []bool) string {
	var b strings.Builder
	n := 0
	section := func(title string) {
		if n > 0 {
			b.WriteString("\r\n")
		}
		n++
		b.WriteString("# " + title + "\r\n")
	}
	line := func(k, v string) { b.WriteString(k + ":" + v + "\r\n") }
	num := func(k string, v int64) { line(k, strconv.FormatInt(v, 10)) }
	flag := func(k string, v bool) {
		if v {
			line(k, "1")
		} else {
			line(k, "0")
		}
	}
	for i, s := range infoSections {
		if !want[i] {
			continue
		}
		switch s {
		case "server":
			section("Server")
			sv := &in.Server
			line("redis_version", sv.RedisVersion)
			line("redis_git_sha1", "00000000")
			line("redis_git_dirty", "0")
			line("redis_mode", sv.RedisMode)
			line("kevy_version", sv.KevyVersion)
			line("os", sv.OS)
			num("arch_bits", int64(sv.ArchBits))
			line("go_version", sv.GoVersion)
			num("process_id", int64(sv.ProcessID))
			line("process_supervised", "no")
			line("run_id", sv.RunID)
			num("tcp_port", int64(sv.TCPPort))
			num("server_time_usec", sv.ServerTimeUsec)
			num("uptime_in_seconds", sv.UptimeInSeconds)
			num("uptime_in_days", sv.UptimeInDays)
			num("hz", int64(cmp.Or(sv.Hz, 10)))
			num("configured_hz", int64(cmp.Or(sv.Hz, 10)))
			num("lru_clock", sv.LRUClock)
			line("executable", sv.Executable)
			line("config_file", sv.ConfigFile)
		case "clients":
			section("Clients")
			num("connected_clients", int64(in.Clients.ConnectedClients))
			num("cluster_connections", 0)
			num("maxclients", int64(in.Clients.MaxClients))
			num("blocked_clients", int64(in.Clients.BlockedClients))
		case "memory":
			section("Memory")
			m := &in.Memory
			num("used_memory", m.UsedMemory)
			line("used_memory_human", BytesToHuman(m.UsedMemory))
			num("used_memory_rss", m.UsedMemoryRSS)
			line("used_memory_rss_human", BytesToHuman(m.UsedMemoryRSS))
			num("used_memory_peak", m.UsedMemoryPeak)
			line("used_memory_peak_human", BytesToHuman(m.UsedMemoryPeak))
			line("used_memory_peak_perc", strconv.FormatFloat(pct(m.UsedMemory, m.UsedMemoryPeak), 'f', 2, 64)+"%")
			num("used_memory_overhead", m.UsedMemoryOverhead)
			num("used_memory_startup", m.UsedMemoryStartup)
			num("used_memory_dataset", m.UsedMemoryDataset)
			line("used_memory_dataset_perc", strconv.FormatFloat(pct(m.UsedMemoryDataset, m.UsedMemory-m.UsedMemoryStartup), 'f', 2, 64)+"%")
			num("allocator_allocated", m.AllocatorAllocated)
			num("allocator_active", m.AllocatorActive)
			num("allocator_resident", m.AllocatorResident)
			num("maxmemory", m.MaxMemory)
			line("maxmemory_human", BytesToHuman(m.MaxMemory))
			line("maxmemory_policy", m.MaxMemoryPolicy)
			line("allocator_frag_ratio", strconv.FormatFloat(ratio(m.AllocatorActive, m.AllocatorAllocated), 'f', 2, 64))
			num("allocator_frag_bytes", m.AllocatorActive-m.AllocatorAllocated)
			line("mem_fragmentation_ratio", strconv.FormatFloat(m.MemFragmentationRatio, 'f', 2, 64))
			num("mem_fragmentation_bytes", m.UsedMemoryRSS-m.UsedMemory)
			num("mem_not_counted_for_evict", 0)
			num("mem_replication_backlog", 0)
			num("mem_clients_slaves", 0)
			num("mem_clients_normal", 0)
			num("mem_aof_buffer", 0)
			line("mem_allocator", m.MemAllocator)
			num("go_heap_live", m.GoHeapLive)
			line("go_heap_live_human", BytesToHuman(m.GoHeapLive))
			num("go_heap_objects", m.GoHeapObjects)
			num("go_heap_goal", m.GoHeapGoal)
			num("go_heap_released", m.GoHeapReleased)
			num("go_memory_total", m.GoMemoryTotal)
			num("go_gc_cycles", m.GoGCCycles)
			line("go_heap_live_to_used_ratio", strconv.FormatFloat(ratio(m.GoHeapLive, m.UsedMemory), 'f', 2, 64))
		case "persistence":
			section("Persistence")
			p := &in.Persistence
			flag("loading", p.Loading)
			flag("async_loading", p.AsyncLoading)
			num("rdb_changes_since_last_save", p.RDBChangesSinceLastSave)
			flag("rdb_bgsave_in_progress", p.RDBBgsaveInProgress)
			num("rdb_last_save_time", p.RDBLastSaveTime)
			line("rdb_last_bgsave_status", p.RDBLastBgsaveStatus)
			num("rdb_last_bgsave_time_sec", p.RDBLastBgsaveTimeSec)
			num("rdb_current_bgsave_time_sec", p.RDBCurrentBgsaveTimeSec)
			num("rdb_saves", p.RDBSaves)
			flag("aof_enabled", p.AOFEnabled)
			flag("aof_rewrite_in_progress", p.AOFRewriteInProgress)
			flag("aof_rewrite_scheduled", p.AOFRewriteScheduled)
			num("aof_last_rewrite_time_sec", p.AOFLastRewriteTimeSec)
			num("aof_current_rewrite_time_sec", p.AOFCurrentRewriteTimeSec)
			line("aof_last_bgrewrite_status", p.AOFLastBgrewriteStatus)
			num("aof_rewrites", p.AOFRewrites)
			line("aof_last_write_status", p.AOFLastWriteStatus)
			for _, f := range p.Extra {
				line(f.Name, f.Value)
			}
		case "stats":
			section("Stats")
			st := &in.Stats
			num("total_connections_received", st.TotalConnectionsReceived)
			num("total_commands_processed", st.TotalCommandsProcessed)
			num("rejected_connections", st.RejectedConnections)
			num("expired_keys", st.ExpiredKeys)
			num("evicted_keys", st.EvictedKeys)
			num("keyspace_hits", st.KeyspaceHits)
			num("keyspace_misses", st.KeyspaceMisses)
			num("pubsub_channels", int64(st.PubSubChannels))
			num("pubsub_patterns", int64(st.PubSubPatterns))
			num("pubsubshard_channels", int64(st.PubSubShardChannels))
			num("total_error_replies", st.TotalErrorReplies)
		case "replication":
			section("Replication")
			line("role", "master")
			num("connected_slaves", 0)
			line("master_failover_state", "no-failover")
			line("master_replid", in.Server.RunID)
			line("master_replid2", "0000000000000000000000000000000000000000")
			num("master_repl_offset", 0)
			num("second_repl_offset", -1)
			num("repl_backlog_active", 0)
			num("repl_backlog_size", 1048576)
			num("repl_backlog_first_byte_offset", 0)
			num("repl_backlog_histlen", 0)
		case "cpu":
			section("CPU")
			secs := func(k string, v float64) { line(k, strconv.FormatFloat(v, 'f', 6, 64)) }
			secs("used_cpu_sys", in.CPU.SysSeconds)
			secs("used_cpu_user", in.CPU.UserSeconds)
			secs("used_cpu_sys_children", in.CPU.SysChildrenSeconds)
			secs("used_cpu_user_children", in.CPU.UserChildrenSeconds)
		case "modules":
			section("Modules")
		case "errorstats":
			section("Errorstats")
			for _, es := range in.ErrorStats {
				line("errorstat_"+es.Code, "count="+strconv.FormatInt(es.Count, 10))
			}
		case "cluster":
			section("Cluster")
			num("cluster_enabled", 0)
		case "keyspace":
			section("Keyspace")
			for _, k := range in.Keyspace {
				line("db"+strconv.Itoa(k.DB), "keys="+strconv.FormatInt(k.Keys, 10)+
					",expires="+strconv.FormatInt(k.Expires, 10)+",avg_ttl="+strconv.FormatInt(k.AvgTTL, 10))
			}
		}
	}
	return b.String()
}

// BytesToHuman formats a byte count as Redis's INFO does: "512B",
// "1.50K", "2.00M", "3.25G"...
func BytesToHuman(n int64) string {
	const k = 1024.0
	d := float64(n)
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + "B"
	case d < k*k:
		return strconv.FormatFloat(d/k, 'f', 2, 64) + "K"
	case d < k*k*k:
		return strconv.FormatFloat(d/(k*k), 'f', 2, 64) + "M"
	case d < k*k*k*k:
		return strconv.FormatFloat(d/(k*k*k), 'f', 2, 64) + "G"
	case d < k*k*k*k*k:
		return strconv.FormatFloat(d/(k*k*k*k), 'f', 2, 64) + "T"
	case d < k*k*k*k*k*k:
		return strconv.FormatFloat(d/(k*k*k*k*k), 'f', 2, 64) + "P"
	}
	return strconv.FormatInt(n, 10) + "B"
}
