package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/resp"
)

// RedisVersion is the Redis version the server reports to clients (HELLO,
// and INFO later). Client libraries choose features by this number, and
// kevy implements Redis 7.0's behaviour.
const RedisVersion = "7.0.15"

// DefaultMaxClients is the default of Config.MaxClients, Redis's
// "maxclients" default.
const DefaultMaxClients = 10000

// ErrServerClosed is returned by Serve, ListenAndServe, ServeConn and
// DialInMemory after Shutdown or Close.
var ErrServerClosed = errors.New("kevy: server closed")

// ErrMaxClients is returned by ServeConn and DialInMemory when the server
// already serves Config.MaxClients connections.
var ErrMaxClients = errors.New("kevy: max number of clients reached")

// Config configures a Server. The zero value (or a nil *Config) gives the
// defaults documented on each field. New copies it; later changes to the
// caller's Config have no effect.
type Config struct {
	// ReadBufferSize is the initial size in bytes of each connection's
	// read buffer; it grows for larger commands and shrinks back. 0 means
	// 16 KiB (Redis's query buffer chunk).
	ReadBufferSize int
	// WriteBufferSize is the initial size in bytes of each connection's
	// reply buffer. 0 means 16 KiB.
	WriteBufferSize int
	// MaxClients is the largest number of simultaneous connections;
	// beyond it a new connection gets "-ERR max number of clients
	// reached" and is closed. 0 means DefaultMaxClients (10000).
	MaxClients int
	// IdleTimeout closes a connection that sent nothing for this long
	// (Redis "timeout"). 0 means never.
	IdleTimeout time.Duration
	// Logger receives the server's logs (accept errors, recovered
	// panics, failed authentications). nil means slog.Default().
	Logger *slog.Logger
	// RequirePass is the password of the "default" user (Redis
	// "requirepass"). When set, a connection must authenticate with AUTH
	// or HELLO ... AUTH before any other command; "" means no password,
	// and every connection starts authenticated.
	RequirePass string
	// DisableProtectedMode turns protected mode off (Redis
	// "protected-mode no"). Protected mode is on by default: while no
	// password is set, connections from addresses other than loopback
	// receive Redis's "-DENIED ..." error and are closed. Unix sockets
	// and in-memory connections are always local.
	DisableProtectedMode bool
	// PubSubHardLimit bounds the bytes of pub/sub messages waiting to be
	// written to a subscribed connection (Redis's client-output-buffer-
	// limit pubsub hard limit); over it the connection is closed. 0 means
	// DefaultPubSubHardLimit (32 MB), a negative value no limit.
	PubSubHardLimit int64
	// PubSubSoftLimit closes a subscribed connection whose waiting
	// messages stay over it for PubSubSoftSeconds (the soft limit). 0
	// means DefaultPubSubSoftLimit (8 MB), a negative value no limit.
	PubSubSoftLimit int64
	// PubSubSoftSeconds is how long a connection may stay over
	// PubSubSoftLimit. 0 means DefaultPubSubSoftSeconds (60 s).
	PubSubSoftSeconds time.Duration
	// OnShutdown is called (in its own goroutine) when a client sends
	// SHUTDOWN and the requested save succeeded; the program should then
	// stop the server, e.g. with Shutdown, and exit. nil means the server
	// calls Shutdown itself.
	OnShutdown func()
	// SlowlogLogSlowerThan is the duration from which a command is
	// recorded in the slow log (Redis "slowlog-log-slower-than"). 0 means
	// 10 ms; a negative value disables the slow log.
	SlowlogLogSlowerThan time.Duration
	// SlowlogMaxLen is the number of slow log entries kept (Redis
	// "slowlog-max-len"). 0 means 128.
	SlowlogMaxLen int
	// MonitorBufferLimit bounds the bytes of MONITOR lines waiting to be
	// written to a monitoring connection; a monitor that does not keep
	// up is disconnected when its backlog would exceed it, so that
	// neither commands nor memory wait for it. 0 or less means
	// DefaultMonitorBufferLimit (32 MB).
	MonitorBufferLimit int64
	// ConfigFile is the configuration file the program read its settings
	// from, which INFO shows as config_file (Redis shows an absolute
	// path); "" means none.
	ConfigFile string
	// Settings are CONFIG parameters the program adds to the server's
	// (see Setting). MaxClients, IdleTimeout, RequirePass,
	// DisableProtectedMode, SlowlogLogSlowerThan and SlowlogMaxLen are
	// the initial values of the server's own parameters, which CONFIG
	// SET changes (maxclients, timeout, requirepass...).
	Settings []Setting
}

// Server serves a kevy.DB over RESP. Its methods are safe for concurrent
// use.
type Server struct {
	db  *kevy.DB
	cfg Config
	log *slog.Logger

	nextID   atomic.Int64
	shutdown atomic.Bool
	done     chan struct{} // closed when shutting down, to wake paused clients

	pause   pauseState
	authLog logLimiter // failed AUTH attempts
	acl     aclTable   // users and the ACL log (acl.go)
	denyLog logLimiter // connections refused by protected mode
	slow    slowlog
	mon     monitors // MONITOR clients (monitor.go)

	// The settings CONFIG SET changes while connections read them
	// (config.go): maxclients, timeout (nanoseconds), protected-mode
	// (off) and requirepass (as last set).
	maxClients   atomic.Int64
	idleTimeout  atomic.Int64
	protectedOff atomic.Bool
	requirePass  atomic.Pointer[string]
	nextPass     string                      // requirepass as CONFIG SET set it, until applied (under every shard lock)
	psLimits     atomic.Pointer[outputLimit] // client-output-buffer-limit pubsub
	replicaLimit atomic.Pointer[[3]int64]    // ... replica: shown only, kevy has no replicas
	// nextLimits are the client-output-buffer-limit classes CONFIG SET
	// set, until applied (under every shard lock).
	nextLimits struct {
		ps      *outputLimit
		replica *[3]int64
	}
	settings *command.SettingTable

	mu        sync.Mutex
	listeners []*trackedListener
	conns     map[*conn]struct{}
	idle      chan struct{} // closed once shutting down with no connection left
	idleDone  bool

	accepted, rejected int64  // total connections accepted / refused (max clients), under mu
	stopStats          func() // removes stats and resetStats from INFO's and CONFIG RESETSTAT's
}

// trackedListener wraps a listener so that closing it twice (Serve's
// defer and Shutdown) reports the first error only.
type trackedListener struct {
	net.Listener
	once sync.Once
	err  error
}

func (l *trackedListener) close() error {
	l.once.Do(func() { l.err = l.Listener.Close() })
	return l.err
}

// New returns a Server for db configured by cfg (nil means defaults).
func New(db *kevy.DB, cfg *Config) *Server {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.ReadBufferSize <= 0 {
		c.ReadBufferSize = resp.DefaultBufSize
	}
	if c.WriteBufferSize <= 0 {
		c.WriteBufferSize = resp.DefaultBufSize
	}
	if c.MaxClients <= 0 {
		c.MaxClients = DefaultMaxClients
	}
	if c.SlowlogLogSlowerThan == 0 {
		c.SlowlogLogSlowerThan = defaultSlowlogThreshold
	}
	if c.SlowlogMaxLen <= 0 {
		c.SlowlogMaxLen = defaultSlowlogMaxLen
	}
	if c.IdleTimeout < 0 {
		c.IdleTimeout = 0
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	s := &Server{
		db:    db,
		cfg:   c,
		log:   c.Logger,
		done:  make(chan struct{}),
		conns: make(map[*conn]struct{}),
		idle:  make(chan struct{}),
	}
	s.pause.init()
	s.initPubsubLimits(&c)
	s.replicaLimit.Store(&[3]int64{256 << 20, 64 << 20, 60})
	s.maxClients.Store(int64(c.MaxClients))
	s.idleTimeout.Store(int64(c.IdleTimeout))
	s.protectedOff.Store(c.DisableProtectedMode)
	s.requirePass.Store(&c.RequirePass)
	if c.SlowlogLogSlowerThan < 0 {
		s.slow.setThreshold(-1)
	} else { // as given, CONFIG GET showing the microseconds
		s.slow.thresholdUs.Store(c.SlowlogLogSlowerThan.Microseconds())
		s.slow.thresholdNs.Store(int64(c.SlowlogLogSlowerThan))
	}
	s.slow.maxLen = int64(c.SlowlogMaxLen)
	s.settings = s.settingTable(c.Settings)
	s.stopStats = db.AddServerStats(s.stats, s.resetStats)
	return s
}

// ListenAndServe listens on the network address (network "tcp", "tcp4",
// "tcp6" or "unix") and serves connections until Shutdown or Close, after
// which it returns ErrServerClosed.
func (s *Server) ListenAndServe(network, addr string) error {
	if s.shutdown.Load() {
		return ErrServerClosed
	}
	l, err := net.Listen(network, addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts connections on l and serves each in its own goroutine
// until Shutdown or Close, after which it returns ErrServerClosed. It
// closes l when it returns. Any other error is an accept error that is not
// temporary.
func (s *Server) Serve(l net.Listener) error {
	tl := &trackedListener{Listener: l}
	if !s.addListener(tl) {
		l.Close()
		return ErrServerClosed
	}
	defer s.removeListener(tl)
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.shutdown.Load() {
				return ErrServerClosed
			}
			if isTemporary(err) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.log.Warn("kevy server: accept error; retrying", "err", err, "delay", delay)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		c, err := s.admit(nc)
		if err != nil {
			continue
		}
		go c.serve()
	}
}

// ServeConn serves one already established connection (accepted
// elsewhere, or one end of an in-memory pipe) with the same handler as
// Serve, in the calling goroutine, until the client leaves, QUIT, CLIENT
// KILL or the server stops; Shutdown and Close include it. It returns nil
// once the connection is done, or at once ErrServerClosed if the server
// is shutting down and ErrMaxClients if it is full (the client then
// receives Redis's error first). nc is closed in every case.
func (s *Server) ServeConn(nc net.Conn) error {
	c, err := s.admit(nc)
	if err != nil {
		return err
	}
	c.serve()
	return nil
}

// DialInMemory returns the client end of a new in-memory connection
// served by s: a net.Conn that speaks RESP to the server without any
// socket, for in-process clients (see package goredis). Writes are
// buffered, so a request costs no rendezvous between goroutines, and the
// connection supports deadlines. The server serves it in a goroutine of
// its own until either end is closed; Shutdown and Close include it.
func (s *Server) DialInMemory() (net.Conn, error) {
	cl, sv := memPipe()
	c, err := s.admit(sv)
	if err != nil {
		cl.Close()
		return nil, err
	}
	go c.serve()
	return cl, nil
}

// admit registers a new connection, or refuses it when the server is
// shutting down or full, closing it.
func (s *Server) admit(nc net.Conn) (*conn, error) {
	c, err := s.addConn(nc)
	if err != nil {
		if err == ErrMaxClients {
			nc.SetWriteDeadline(time.Now().Add(time.Second))
			nc.Write(maxClientsReply)
		}
		nc.Close()
		return nil, err
	}
	return c, nil
}

// maxClientsReply is what a connection beyond MaxClients receives.
var maxClientsReply = []byte("-ERR max number of clients reached\r\n")

// isTemporary reports whether an accept error is worth retrying (EMFILE,
// ECONNABORTED...).
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

func (s *Server) addListener(l *trackedListener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown.Load() {
		return false
	}
	s.listeners = append(s.listeners, l)
	return true
}

func (s *Server) removeListener(l *trackedListener) {
	l.close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.listeners {
		if x == l {
			s.listeners = append(s.listeners[:i], s.listeners[i+1:]...)
			break
		}
	}
}

// addConn registers a new connection, or refuses it when the server is
// shutting down or full.
func (s *Server) addConn(nc net.Conn) (*conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown.Load() {
		return nil, ErrServerClosed
	}
	if int64(len(s.conns)) >= s.maxClients.Load() {
		s.rejected++
		return nil, ErrMaxClients
	}
	c := newConn(s, nc)
	s.conns[c] = struct{}{}
	s.accepted++
	return c, nil
}

// resetStats zeroes the connection counters, for CONFIG RESETSTAT.
func (s *Server) resetStats() {
	s.mu.Lock()
	s.accepted, s.rejected = 0, 0
	s.mu.Unlock()
}

// stats reports the connection figures INFO shows (clients section and
// total_connections_received).
func (s *Server) stats() kevy.ServerStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := kevy.ServerStats{
		ConnectedClients:         len(s.conns),
		MaxClients:               int(s.maxClients.Load()),
		ConfigFile:               s.cfg.ConfigFile,
		TotalConnectionsReceived: s.accepted,
		RejectedConnections:      s.rejected,
	}
	for _, l := range s.listeners {
		if a, ok := l.Addr().(*net.TCPAddr); ok {
			st.TCPPort = a.Port
			break
		}
	}
	return st
}

// removeConn forgets a connection whose goroutine is ending.
func (s *Server) removeConn(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	s.checkIdleLocked()
}

// checkIdleLocked signals Shutdown when the last connection is gone.
func (s *Server) checkIdleLocked() {
	if s.shutdown.Load() && len(s.conns) == 0 && !s.idleDone {
		s.idleDone = true
		close(s.idle)
	}
}

// beginShutdown marks the server as shutting down and closes its
// listeners.
func (s *Server) beginShutdown() error {
	s.mu.Lock()
	if !s.shutdown.Load() {
		close(s.done)
		s.stopStats() // a stopped server leaves INFO
	}
	s.shutdown.Store(true)
	ls := append([]*trackedListener(nil), s.listeners...)
	s.checkIdleLocked()
	s.mu.Unlock()
	var first error
	for _, l := range ls {
		if err := l.close(); err != nil && first == nil && !errors.Is(err, net.ErrClosed) {
			first = err
		}
	}
	return first
}

// eachConn calls fn for every open connection.
func (s *Server) eachConn(fn func(c *conn)) {
	s.mu.Lock()
	cs := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		cs = append(cs, c)
	}
	s.mu.Unlock()
	for _, c := range cs {
		fn(c)
	}
}

// Shutdown stops the server gracefully: it closes the listeners, lets each
// connection finish the commands it has already received and send their
// replies, then closes the connections. Commands that arrive later are not
// read, and a command blocked waiting for data (BLPOP...) is withdrawn
// without a reply. Shutdown returns once every connection is closed, or when ctx is
// done, in which case it closes the remaining connections at once and
// returns ctx's error. It does not close the DB.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.beginShutdown()
	// Wake connections blocked waiting for input; they see the shutdown
	// flag and close after flushing their replies.
	// Blocked commands (BLPOP...) are withdrawn without a reply.
	s.eachConn(func(c *conn) {
		c.nc.SetReadDeadline(aLongTimeAgo)
		c.cancelWith(errShutdown)
	})
	select {
	case <-s.idle:
		return err
	case <-ctx.Done():
		s.eachConn(func(c *conn) { c.nc.Close() })
		return ctx.Err()
	}
}

// Close stops the server at once: it closes the listeners and every
// connection without waiting for commands in progress. Use Shutdown for a
// graceful stop.
func (s *Server) Close() error {
	err := s.beginShutdown()
	s.eachConn(func(c *conn) {
		c.nc.Close()
		c.cancelWith(errShutdown)
	})
	return err
}

// aLongTimeAgo is a read deadline in the past, which makes blocked reads
// return at once.
var aLongTimeAgo = time.Unix(1, 0)

// Addr returns the address of the first listener being served, or nil if
// the server is not serving.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.listeners) == 0 {
		return nil
	}
	return s.listeners[0].Addr()
}
