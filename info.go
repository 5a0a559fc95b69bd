package kevy

import "github.com/kevydb/kevy/internal/command"

// Info is what the INFO command reports, as values: one struct per
// section. Field names follow Redis's INFO fields (UsedMemory is
// used_memory...). DB.Info returns it; INFO renders the same figures.
type Info struct {
	Server      InfoServer
	Clients     InfoClients
	Memory      InfoMemory
	Persistence InfoPersistence
	Stats       InfoStats
	CPU         InfoCPU
	// ErrorStats counts the error replies by code, in byte order.
	ErrorStats []InfoErrorStat
	// Keyspace lists the logical databases holding keys.
	Keyspace []InfoKeyspace
}

// InfoCPU is INFO's cpu section: the CPU time the process used, in
// system and user mode, in seconds, and that of its child processes
// (none: kevy saves with goroutines, not by forking). Zero where the
// system does not report it. Redis's *_main_thread fields have no
// equivalent (Go schedules goroutines on any thread) and are left out.
type InfoCPU struct {
	SysSeconds, UserSeconds                 float64
	SysChildrenSeconds, UserChildrenSeconds float64
}

// InfoServer is INFO's server section.
type InfoServer struct {
	RedisVersion    string // the Redis version kevy is compatible with: 7.0.15
	KevyVersion     string
	RedisMode       string // "standalone"
	OS              string // GOOS and GOARCH
	ArchBits        int
	GoVersion       string
	ProcessID       int
	RunID           string // random per open database, 40 hex digits
	TCPPort         int    // 0 unless a server reported one (AddServerStats)
	ConfigFile      string // the configuration file a server reported, or ""
	ServerTimeUsec  int64
	UptimeInSeconds int64 // since Open
	UptimeInDays    int64
	Hz              int
	LRUClock        int64 // the 24-bit LRU clock, seconds
	Executable      string
}

// InfoClients is INFO's clients section.
type InfoClients struct {
	ConnectedClients int // as reported by the servers (AddServerStats)
	MaxClients       int // as reported by a server
	BlockedClients   int // callers waiting in BLPOP and the like
}

// InfoMemory is INFO's memory section: the accounted memory of the data,
// which Options.MaxMemory limits, next to the Go runtime's figures (see
// docs/memory.md).
type InfoMemory struct {
	UsedMemory         int64 // accounted bytes of all databases
	UsedMemoryRSS      int64 // Go runtime memory mapped and not released
	UsedMemoryPeak     int64
	UsedMemoryOverhead int64 // hash-table buckets, entries, TTL slots
	UsedMemoryStartup  int64
	UsedMemoryDataset  int64 // UsedMemory - UsedMemoryOverhead
	AllocatorAllocated int64 // Go heap objects
	AllocatorActive    int64 // Go heap objects and free space in their spans
	AllocatorResident  int64 // same as UsedMemoryRSS
	MaxMemory          int64
	MaxMemoryPolicy    string
	// MemFragmentationRatio is UsedMemoryRSS / UsedMemory, as Redis
	// defines it.
	MemFragmentationRatio float64
	MemAllocator          string // "go"
	GoHeapLive            int64  // live heap after the last GC
	GoHeapObjects         int64
	GoHeapGoal            int64
	GoHeapReleased        int64
	GoMemoryTotal         int64
	GoGCCycles            int64
}

// InfoField is one extra name:value line of an INFO section.
type InfoField = command.InfoField

// InfoPersistence is INFO's persistence section.
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
	// Extra are further fields the persistence layer reports.
	Extra []InfoField
}

// InfoStats is INFO's stats section.
type InfoStats struct {
	TotalConnectionsReceived int64 // as reported by a server
	// TotalCommandsProcessed counts commands run by Do, sessions and
	// servers; typed API calls (Get, Set...) are not counted.
	TotalCommandsProcessed int64
	RejectedConnections    int64 // as reported by a server
	ExpiredKeys            int64
	EvictedKeys            int64
	KeyspaceHits           int64
	KeyspaceMisses         int64
	PubSubChannels         int
	PubSubPatterns         int
	PubSubShardChannels    int
	// TotalErrorReplies counts the error replies servers sent and Do,
	// Tx and Pipe got (typed API errors are Go errors, not counted).
	TotalErrorReplies int64
}

// InfoErrorStat is one line of INFO's errorstats section: the error
// replies counted under one error code ("ERR", "WRONGTYPE"...).
type InfoErrorStat struct {
	Code  string
	Count int64
}

// InfoKeyspace is one database of INFO's keyspace section.
type InfoKeyspace struct {
	DB      int
	Keys    int64
	Expires int64 // keys with a TTL
	AvgTTL  int64 // estimated mean remaining TTL of those keys, ms
}

// ServerStats are the connection figures a network server serving the
// database reports for INFO.
type ServerStats struct {
	TCPPort                  int
	ConfigFile               string
	ConnectedClients         int
	MaxClients               int
	TotalConnectionsReceived int64
	RejectedConnections      int64
}

// AddServerStats adds f, which INFO calls for the figures only a server
// knows (tcp_port, connected_clients...), and reset (if not nil), which
// CONFIG RESETSTAT calls to zero the server's counters; the function
// returned removes them. A server adds itself when it is created and
// removes itself when it stops. With several servers on the database (a
// TCP one and in-memory go-redis clients, say), INFO adds up their
// clients and connection counts and shows the port, maxclients and
// configuration file of the first one added that listens on TCP (else of
// the first one).
func (db *DB) AddServerStats(f func() ServerStats, reset func()) (remove func()) {
	return db.c.eng.AddServerStats(func() command.ServerStats { return command.ServerStats(f()) }, reset)
}

// Info returns the figures of INFO (all sections). It locks one shard at
// a time, so it sees a consistent state per shard, not a snapshot.
func (db *DB) Info() (Info, error) {
	if db.c.closed.Load() {
		return Info{}, ErrClosed
	}
	in := db.c.eng.CollectInfo()
	out := Info{
		Server:      InfoServer(in.Server),
		Clients:     InfoClients(in.Clients),
		Memory:      InfoMemory(in.Memory),
		Persistence: InfoPersistence(in.Persistence),
		Stats:       InfoStats(in.Stats),
		CPU:         InfoCPU(in.CPU),
	}
	for _, k := range in.Keyspace {
		out.Keyspace = append(out.Keyspace, InfoKeyspace(k))
	}
	for _, es := range in.ErrorStats {
		out.ErrorStats = append(out.ErrorStats, InfoErrorStat(es))
	}
	return out, nil
}
