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
// A few connection commands are handled by the server itself, because they
// act on the connection rather than on the data: QUIT, HELLO (protocol
// switch between RESP2 and RESP3, SETNAME, AUTH for the "default" user)
// and CLIENT ID, GETNAME, SETNAME, SETINFO and HELP. Every other command
// goes to the command engine shared with the embedded API.
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
// (Redis 7.2) is accepted because current client libraries send it on
// connect.
package server
