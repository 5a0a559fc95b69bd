// Package server serves a kevy database over the Redis protocol (RESP2
// and RESP3), so redis-cli and Redis client libraries work unchanged.
//
// # Basics
//
// The API has the shape of net/http:
//
//	db, _ := kevy.Open("", nil)
//	srv := server.New(db, nil) // nil *Config = defaults
//	go srv.ListenAndServe("tcp", "127.0.0.1:6379")
//	...
//	srv.Shutdown(ctx) // stop accepting, finish in-flight commands, close
//
// Serve may be called several times with different listeners (TCP and a
// unix socket, say); Shutdown and Close stop them all. The Server does not
// own the DB: close it after Shutdown returns.
//
// # Connections
//
// Each connection is served by one goroutine that reads a command,
// executes it through a kevy.Session and appends the reply to the
// connection's write buffer. Replies are written to the socket when the
// server needs more input to go on (or when more than 64 KiB of replies
// are pending), so a pipelined batch of commands costs one write.
// Arguments are parsed in place in the read buffer and replies are encoded
// straight into the write buffer: in steady state the server itself does
// not allocate per command.
//
// Memory per connection is bounded. While a connection waits for input
// its read and write buffers (16 KiB each by default) go back to shared
// pools, so an idle client costs about 2.5 KiB of heap and a 4 KiB
// goroutine stack (10,000 idle clients: about 64 MiB). A client that
// pipelines without reading its replies makes its goroutine wait in the
// socket write once the kernel buffers are full; it then stops reading
// that client's requests, so the replies it holds stay under 64 KiB plus
// one reply. A header announcing a huge bulk or array (up to Redis's
// 512 MB and 2^31-1 limits) allocates nothing ahead: the buffer grows
// with the bytes that arrive. See docs/server-limits.md.
//
// # Connection commands
//
// The commands that act on the connection rather than on the data are
// handled by the server itself: QUIT, RESET, AUTH, HELLO (protocol switch
// between RESP2 and RESP3, AUTH, SETNAME), CLIENT (ID, GETNAME, SETNAME,
// SETINFO, INFO, LIST, KILL, NO-EVICT, NO-TOUCH, REPLY, PAUSE, UNPAUSE,
// UNBLOCK, HELP) and COMMAND (the command table with Redis's reply shape: COUNT,
// INFO, DOCS, LIST, GETKEYS, GETKEYSANDFLAGS, HELP), so that redis-cli
// and client libraries find what they probe for. MONITOR streams every
// command run, in Redis 7.0's format and with its rules (see monitor.go);
// while nobody monitors it costs the command path one atomic load, and a
// monitor that falls more than Config.MonitorBufferLimit behind is
// disconnected. Every other command goes
// to the command engine shared with the embedded API. CLIENT LIST uses
// Redis 7.0's field layout (flags x and b, multi=); the fields kevy does
// not track (buffer sizes, the d flag of a failed WATCH) show an idle
// client's values.
//
// # Transactions and blocking commands
//
// MULTI, EXEC, DISCARD, WATCH and UNWATCH are the engine's (each
// connection has its own kevy.Session); connection commands sent inside
// MULTI are queued too (kevy.Session.QueueLocal) and run by EXEC in
// order, and the errors found while queueing (unknown command or
// subcommand, wrong arity) make EXEC fail with EXECABORT, as in Redis.
//
// A blocking command (BLPOP, BZPOPMIN...) runs with a per-connection
// context that is cancelled when the client disconnects, on CLIENT KILL
// and on Shutdown or Close, which withdraw the command without a reply;
// CLIENT UNBLOCK makes it reply as on a timeout or with -UNBLOCKED. Before
// it waits, the replies of the commands pipelined ahead of it are sent,
// and a background read watches the socket for the client leaving (what
// it reads is kept for the commands that follow).
//
// # Pub/sub
//
// SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBE counterparts
// are handled by the server on the database's pub/sub bus, with Redis
// 7.0's replies (arrays in RESP2, push frames in RESP3). In RESP2 a
// subscribed connection may only run those commands, PING (which replies
// ["pong", message]), QUIT and RESET, which drops every subscription;
// CLIENT LIST shows the subscription counts and the P flag, and TYPE
// pubsub selects subscribed connections.
//
// Messages are written by the connection's goroutine after each command
// (those queued by then go before the command's reply, so a message a
// command caused precedes its reply, as in Redis) and, while it waits
// for input, by a goroutine of the subscription's own. While a blocking
// command waits, messages wait with it. A subscriber that does not read
// is disconnected as with Redis's "client-output-buffer-limit pubsub
// 32mb 8mb 60": at once when the unwritten messages exceed
// Config.PubSubHardLimit, or when they stay over Config.PubSubSoftLimit
// for Config.PubSubSoftSeconds; memory is bounded either way and
// publishers never wait. Each message counts its channel, pattern and
// payload plus 40 bytes of framing against the limits.
//
// # Authentication and protected mode
//
// Config.RequirePass is the password of the "default" user, as Redis's
// requirepass. While the default user has a password (or is off), a
// connection must authenticate (AUTH password, AUTH user password, or
// HELLO ... AUTH user password) before anything but AUTH, HELLO, RESET
// and QUIT; the replies and their order (unknown command, then arity,
// then NOAUTH) are Redis's. Until then requests are limited as in Redis
// to 10 arguments of at most 16384 bytes ("-ERR Protocol error:
// unauthenticated multibulk length", "... bulk length"). Failed attempts
// are logged at most once a second, with the number of the others, and
// recorded in ACL LOG.
// Without a password, protected mode (on unless
// Config.DisableProtectedMode) refuses connections from non-loopback
// addresses with Redis's "-DENIED" error, as Redis does.
//
// # Configuration parameters
//
// CONFIG GET, SET and REWRITE over a connection see the server's
// parameters next to the database's (maxmemory, the encoding thresholds,
// notify-keyspace-events, dir, appendfsync...): requirepass, maxclients,
// timeout, slowlog-log-slower-than, slowlog-max-len, protected-mode and
// client-output-buffer-limit (its pubsub class; kevy refuses limits for
// normal clients, which it never disconnects for their output), which
// start from Config and which CONFIG SET changes for every connection at
// once, with Redis 7.0's ranges and errors (a lower timeout wakes the
// idle connections' reads to apply it). A program adds its own
// parameters with Config.Settings (kevy serve: port and bind, which move
// its listeners, tls-cert-file and tls-key-file, which reload its
// certificate, and unixsocket), and applies or reads parameters itself
// with ConfigSet and ConfigParams. CONFIG SET requirepass sets the
// default user's password, shown "(redacted)" in the slow log. A
// database served by several servers shows each connection its own
// server's parameters.
//
// # ACL
//
// Users and their permissions work as in Redis 7.0: ACL SETUSER (on, off,
// >pass, <pass, #hash, !hash, nopass, resetpass, ~pattern, %R~ %W~ %RW~
// patterns, allkeys, resetkeys, &pattern, allchannels, resetchannels,
// +cmd, -cmd, +cmd|sub, -cmd|sub, +cmd|firstarg, +@category, -@category,
// allcommands, nocommands, (selector), clearselectors,
// sanitize-payload, skip-sanitize-payload, reset; all or nothing, with
// Redis's error texts), GETUSER, DELUSER, USERS, LIST, WHOAMI, CAT,
// GENPASS, DRYRUN, LOG (the last 128 denials and failed logins, merged
// as Redis merges them) and HELP. The users live in memory: ACL LOAD and
// SAVE reply that no ACL file is configured, as Redis without aclfile.
//
// Every command is checked before it runs or is queued by MULTI: the
// command (or subcommand, or allowed first argument), then its keys
// against the key patterns, then the channels of PUBLISH, SPUBLISH,
// SUBSCRIBE, SSUBSCRIBE and PSUBSCRIBE, with Redis's NOPERM errors; a
// refused command inside MULTI makes EXEC fail, and a refused EXEC
// discards the transaction. A user allowed every command, key and
// channel (the default user, unless restricted) costs one flag test per
// command. As in Redis, EXEC checks each queued command again as it runs
// it: one that rules changed since (ACL SETUSER) now refuse does not run
// and gets the NOPERM "ACLs rules changed..." error in EXEC's reply. The
// read/write permission each key needs comes
// from the command's flags, corrected for the commands whose Redis key
// specifications differ (EXISTS and TYPE need none, COPY reads its
// source, INCR reads and writes...). ACL DELUSER closes the connections
// of the deleted users, ACL SETUSER off does not (they keep running),
// and removing channel patterns closes the user's subscribers of those
// channels, all as in Redis; CLIENT LIST and CLIENT KILL USER see the
// users. GETUSER and LIST describe command rules with Redis's algorithm
// over kevy's command table, so a rule set reads as in Redis when kevy
// has the commands of the categories involved; the single commands are
// listed in table order where Redis uses its hash table's.
//
// # In-memory connections
//
// DialInMemory returns a net.Conn connected to the server without a
// socket, and ServeConn serves any already established connection; both
// are counted by MaxClients and closed by Shutdown and Close. The
// in-memory connection buffers writes (a request and its reply cost one
// goroutine hand-off each way, about half to a third of net.Pipe's round
// trip) and supports deadlines. Package goredis builds Redis clients on
// it.
//
// # Errors
//
// Malformed input gets Redis's "-ERR Protocol error: ..." reply, after
// which the connection is closed, as Redis does. A panic while serving a
// connection is recovered and logged, and only that connection is closed.
// Past Config.MaxClients, a new connection receives "-ERR max number of
// clients reached" and is closed.
//
// # Compatibility
//
// The server reports itself as Redis RedisVersion in HELLO, because
// clients decide which features to use from that version. CLIENT SETINFO
// and CLIENT NO-TOUCH (Redis 7.2) are accepted because current client
// libraries send them on connect; NO-TOUCH is recorded (flag T in CLIENT
// LIST) but the engine still updates access times. COMMAND's key
// specifications and GETKEYSANDFLAGS derive from the command's first,
// last and step key positions and its read/write flags, since kevy's
// command table has no per-key specifications; COMMAND DOCS gives each
// command's version and group.
package server
