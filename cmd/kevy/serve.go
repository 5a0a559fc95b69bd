package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/server"
)

// defaultDir is where serve keeps its data unless told otherwise.
const defaultDir = "./kevy-data"

// shutdownTimeout bounds the graceful part of a shutdown, like Redis's
// shutdown-timeout default of 10 seconds; connections still busy after it
// are closed.
const shutdownTimeout = 10 * time.Second

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, onSignal func()) error {
	fset := flag.NewFlagSet("serve", flag.ContinueOnError)
	fset.SetOutput(stderr)
	bind := fset.String("bind", "127.0.0.1", "`addresses` to listen on, separated by spaces or commas (Redis's syntax: * is every IPv4 address, ::* every IPv6 one, a - prefix makes one optional)")
	port := fset.Int("port", 6379, "TCP `port`; 0 disables TCP (then --unixsocket is required)")
	dir := fset.String("dir", defaultDir, "data `directory`; \"\" runs in memory only")
	databases := fset.Int("databases", kevy.DefaultDatabases, "`number` of logical databases (SELECT 0 to number-1)")
	shards := fset.Int("shards", 0, "`number` of keyspace shards; 0 means the data directory's count, or "+strconv.Itoa(kevy.DefaultShards)+" for a new one (another count re-shards it)")
	unixSocket := fset.String("unixsocket", "", "also listen on the unix socket at `path`")
	maxClients := fset.Int("maxclients", server.DefaultMaxClients, "maximum number of simultaneous `clients`")
	timeout := fset.Duration("timeout", 0, "close connections idle for this `duration` (0 = never)")
	appendOnly := fset.Bool("appendonly", true, "log every write to the append-only file (with --dir); false: only snapshots (SAVE, shutdown) persist")
	appendFsync := fset.String("appendfsync", "everysec", "fsync `policy` of the append-only file: always, everysec or no")
	repairAOF := fset.Bool("repair-aof", false, "truncate a damaged append-only log at the damage instead of refusing to start")
	requirePass := fset.String("requirepass", "", "`password` clients must send with AUTH (\"\" = none)")
	protectedMode := fset.String("protected-mode", "yes", "yes: without a password, refuse clients not on loopback; no: accept them")
	maxMemory := fset.String("maxmemory", "0", "memory `limit` of the data in bytes or with a unit (100k, 32mb, 1gb); 0 = none")
	maxMemoryPolicy := fset.String("maxmemory-policy", "noeviction", "eviction `policy` over --maxmemory (Redis names, e.g. allkeys-lru)")
	tlsCert := fset.String("tls-cert-file", "", "serve TLS with the certificate in `file` (with --tls-key-file)")
	tlsKey := fset.String("tls-key-file", "", "private key `file` of --tls-cert-file")
	configFile := fset.String("config", "", "read redis.conf-style directives from `file`; flags override them")
	procs := fset.Int("procs", 0, "`number` of cores running Go code once the data is loaded (GOMAXPROCS); 0: the GOMAXPROCS environment variable if set, else one less than the cores available (at least 1)")
	fset.Usage = func() {
		fmt.Fprint(fset.Output(), "Usage: kevy serve [flags]\n\nServe a kevy database over the Redis protocol.\n\nFlags:\n")
		fset.PrintDefaults()
	}
	err := parseFlags(fset, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	var params []paramDirective
	if *configFile != "" {
		if params, err = applyConfigFile(fset, *configFile); err != nil {
			return err
		}
	}
	if *port < 0 || *port > 65535 {
		return fmt.Errorf("serve: --port must be between 0 and 65535, got %d", *port)
	}
	fsync, err := kevy.ParseFsyncPolicy(*appendFsync)
	if err != nil {
		return fmt.Errorf("serve: --appendfsync: %w", err)
	}

	protected, err := parseYesNo(*protectedMode)
	if err != nil {
		return fmt.Errorf("serve: --protected-mode: %w", err)
	}
	maxMem, err := parseMemory(*maxMemory)
	if err != nil {
		return fmt.Errorf("serve: --maxmemory: %w", err)
	}
	policy, err := kevy.ParseEvictionPolicy(*maxMemoryPolicy)
	if err != nil {
		return fmt.Errorf("serve: --maxmemory-policy: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	openDir := *dir
	db, err := kevy.Open(openDir, &kevy.Options{Shards: *shards, Databases: *databases, Logger: logger,
		DisableAppendOnly: !*appendOnly, AppendFsync: fsync, RepairAOF: *repairAOF,
		MaxMemory: maxMem, EvictionPolicy: policy})
	if err != nil {
		return err
	}
	defer db.Close()
	ln, err := newListeners(*bind, *port, *unixSocket, *tlsCert, *tlsKey, logger)
	if err != nil {
		return err
	}
	shutdownReq := make(chan struct{})
	var shutdownOnce sync.Once
	srv := server.New(db, &server.Config{MaxClients: *maxClients, IdleTimeout: *timeout, Logger: logger,
		RequirePass: *requirePass, DisableProtectedMode: !protected,
		OnShutdown: func() { shutdownOnce.Do(func() { close(shutdownReq) }) },
		Settings:   ln.settings(), ConfigFile: absPath(*configFile)})
	defer srv.Close()
	if *configFile != "" {
		if err := setupConfigFile(db, srv, fset, *configFile, params, logger); err != nil {
			return err
		}
	}

	servingProcs(*procs, logger)
	if err := ln.open(); err != nil {
		return err
	}
	ln.serve(srv)
	addrs := ln.addrs()
	where := "in memory"
	if openDir != "" {
		where = "dir " + openDir
	}
	n := db.Shards()
	fmt.Fprintf(stdout, "kevy %s ready: listening on %s, %s, %d keys loaded, %d shards\n", version, strings.Join(addrs, " and "), where, totalKeys(db), n)

	select {
	case <-ctx.Done():
		onSignal()
	case <-shutdownReq:
	case err := <-ln.fatal:
		srv.Close()
		ln.wait()
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(stderr, "kevy: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("kevy: connections closed before finishing", "err", err)
	}
	ln.wait()
	fmt.Fprintln(stderr, "kevy: stopped")
	return nil
}

// servingProcs sets GOMAXPROCS for serving, once the data is loaded
// (loading uses every core): procs if positive; otherwise, unless the
// GOMAXPROCS environment variable chose, one less than the cores
// available. The core left free runs the kernel's network stack and, on
// the same machine, the clients: on the 2-core machine of
// docs/performance.md, redis-benchmark -P 1 gets 1.00–1.08 of
// redis-server's requests/s from kevy with GOMAXPROCS=1 and 0.75–0.80
// with 2, where the second P spins looking for work and takes CPU from
// redis-benchmark.
func servingProcs(procs int, logger *slog.Logger) {
	n := procs
	if n <= 0 {
		if os.Getenv("GOMAXPROCS") != "" {
			return
		}
		n = max(1, runtime.GOMAXPROCS(0)-1)
	}
	if prev := runtime.GOMAXPROCS(n); prev != n {
		logger.Info("kevy: serving with GOMAXPROCS set", "procs", n, "was", prev)
	}
}

// setupConfigFile applies the CONFIG parameters read from the
// configuration file at path (those that are not serve flags) and
// installs the CONFIG REWRITE implementation that rewrites it
// (rewrite.go). The parameters' defaults (what a rewrite does not
// append) are their values before the file's are applied, or for the
// serve flags their flags' defaults.
func setupConfigFile(db *kevy.DB, srv *server.Server, fset *flag.FlagSet, path string, params []paramDirective, logger *slog.Logger) error {
	initial, err := srv.ConfigParams()
	if err != nil {
		return err
	}
	serve, defaults := serveConfDirectives(fset)
	for _, p := range initial {
		if _, ok := defaults[p.Name]; !ok {
			defaults[p.Name] = p.Value
		}
	}
	err = applyParamDirectives(path, params, func(name, value string) error {
		return srv.ConfigSet(name, value)
	})
	if err != nil {
		return err
	}
	db.SetConfigRewriter(configRewriter(path, serve, defaults, logger))
	return nil
}

// absPath returns path made absolute ("" stays "").
func absPath(path string) string {
	if path == "" {
		return ""
	}
	if a, err := filepath.Abs(path); err == nil {
		return a
	}
	return path
}

// totalKeys counts the keys of every logical database, for the banner.
func totalKeys(db *kevy.DB) int {
	total := 0
	for i := 0; ; i++ {
		d, err := db.Database(i)
		if err != nil {
			return total
		}
		n, err := d.DBSize()
		if err != nil {
			return total
		}
		total += n
	}
}
