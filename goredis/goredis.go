package goredis

import (
	"context"
	"net"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/server"
)

// Addr is the address NewClient and NewServerClient give the client when
// the options name none. Nothing listens on it: it only labels the
// client in go-redis's errors and metrics.
const Addr = "kevy:0"

// NewClient returns a go-redis client of db that talks to it over
// in-memory connections: no port is opened and no byte leaves the
// process. It serves db with a server.Server of default configuration;
// use NewServerClient to choose one (a password, a logger).
//
// opts may be nil. They are copied and used as given, except Dialer,
// which is replaced, Addr, which defaults to Addr, and
// MaintNotificationsConfig, which defaults to disabled (an in-process
// server never moves). Closing the client closes its connections, which
// ends the goroutines serving them.
func NewClient(db *kevy.DB, opts *redis.Options) *redis.Client {
	return NewServerClient(server.New(db, nil), opts)
}

// NewServerClient is NewClient for a server the caller configured and may
// also serve over TCP. Shutting the server down closes the client's
// connections; the client then fails with ErrServerClosed-based errors.
func NewServerClient(srv *server.Server, opts *redis.Options) *redis.Client {
	var o redis.Options
	if opts != nil {
		o = *opts
	}
	if o.Addr == "" {
		o.Addr = Addr
	}
	if o.MaintNotificationsConfig == nil {
		o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	}
	o.Dialer = Dialer(srv)
	return redis.NewClient(&o)
}

// Dialer returns a go-redis dial function that connects to srv in memory,
// whatever the network and address asked for. It fits the Dialer field
// of every go-redis options type (redis.Options, redis.UniversalOptions,
// redis.RingOptions ...).
func Dialer(srv *server.Server) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return srv.DialInMemory()
	}
}
