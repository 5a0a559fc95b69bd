package goredis

import (
	"context"
	"crypto/tls"
	"net"

	"github.com/redis/rueidis"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/server"
)

// NewRueidis returns a rueidis client (github.com/redis/rueidis) of db
// over in-memory connections, served by a server.Server of default
// configuration; NewServerRueidis takes a configured server.
//
// opt is used as given except for these fields: DialCtxFn is replaced,
// InitAddress defaults to Addr, ForceSingleClient is set (kevy is not a
// cluster, so there is no CLUSTER SLOTS probe) and DisableCache is set,
// because client-side caching needs CLIENT TRACKING, which kevy does not
// implement. Closing the client ends the goroutines serving it.
func NewRueidis(db *kevy.DB, opt rueidis.ClientOption) (rueidis.Client, error) {
	return NewServerRueidis(server.New(db, nil), opt)
}

// NewServerRueidis is NewRueidis for a server the caller configured.
func NewServerRueidis(srv *server.Server, opt rueidis.ClientOption) (rueidis.Client, error) {
	if len(opt.InitAddress) == 0 {
		opt.InitAddress = []string{Addr}
	}
	opt.ForceSingleClient = true
	opt.DisableCache = true
	opt.DialFn = nil
	opt.DialCtxFn = func(ctx context.Context, _ string, _ *net.Dialer, _ *tls.Config) (net.Conn, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return srv.DialInMemory()
	}
	return rueidis.NewClient(opt)
}
