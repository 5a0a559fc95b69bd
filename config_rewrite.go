package kevy

import "github.com/kevydb/kevy/internal/command"

// ConfigParam is one CONFIG parameter as CONFIG REWRITE hands it to the
// function installed by SetConfigRewriter: Name, and Aliases, the other
// names a configuration file may use for it (hash-max-ziplist-entries for
// hash-max-listpack-entries), whose lines Redis rewrites under Name; Value,
// the current value as CONFIG GET shows it; Line, the directive as Redis's
// CONFIG REWRITE writes it in redis.conf ("maxmemory 1gb",
// `notify-keyspace-events "AKE"`).
type ConfigParam = command.ConfigParam

// SetConfigRewriter installs f as the implementation of CONFIG REWRITE
// (over Do, sessions and servers): f is called with every parameter's
// current value, sorted by name, and should write them to the
// configuration file the program was started with; its error is replied
// as "ERR Rewriting config file: " and its text. The database itself
// knows no configuration file: until a rewriter is installed (and after
// SetConfigRewriter(nil)), CONFIG REWRITE replies Redis's "ERR The server
// is running without a config file". kevy serve installs one when started
// with --config.
func (db *DB) SetConfigRewriter(f func(params []ConfigParam) error) {
	db.c.eng.SetConfigRewriter(f)
}

// ConfigParams returns every CONFIG parameter with its current value,
// sorted by name, as CONFIG REWRITE would hand them to a rewriter.
func (db *DB) ConfigParams() ([]ConfigParam, error) {
	if db.c.closed.Load() {
		return nil, ErrClosed
	}
	return db.c.eng.ConfigParams(nil), nil
}
