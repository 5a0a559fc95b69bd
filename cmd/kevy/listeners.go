package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/kevydb/kevy/server"
)

// listeners are what serve listens on: a TCP listener per bind address
// on the port (with TLS when serve started with a certificate), and a
// unix socket. CONFIG SET port, bind, tls-cert-file and tls-key-file
// change them while serving, as in Redis (see rebind): the connections
// already open stay, and a new certificate serves the TLS handshakes
// that follow.
type listeners struct {
	logger     *slog.Logger
	unixSocket string
	tlsOn      bool // serve started with a certificate: TCP is TLS
	cert       atomic.Pointer[tls.Certificate]

	mu                sync.Mutex
	srv               *server.Server // set by serve
	bind              string         // applied, as CONFIG GET shows it
	port              int
	certFile, keyFile string
	next              struct { // values CONFIG SET gave, applied by apply
		bind, certFile, keyFile string
		port                    int
	}
	tcp      []net.Listener
	tcpHosts []string // the bind address of each of tcp
	unix     net.Listener
	retired  map[net.Listener]bool // closed by a rebind: their Serve's error is expected
	wg       sync.WaitGroup        // Serve goroutines
	fatal    chan error            // a Serve that stopped on its own
}

// newListeners prepares the listeners of the flags' values; open opens
// them. With a certificate and key, TCP serves TLS.
func newListeners(bind string, port int, unixSocket, certFile, keyFile string, logger *slog.Logger) (*listeners, error) {
	ln := &listeners{logger: logger, unixSocket: unixSocket, bind: normalizeBind(bind), port: port,
		certFile: certFile, keyFile: keyFile, retired: map[net.Listener]bool{}, fatal: make(chan error, 1)}
	ln.next.bind, ln.next.port, ln.next.certFile, ln.next.keyFile = ln.bind, port, certFile, keyFile
	switch {
	case certFile != "" && keyFile != "":
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("serve: TLS: %w", err)
		}
		ln.cert.Store(&cert)
		ln.tlsOn = true
	case certFile != "":
		return nil, errors.New("serve: --tls-cert-file needs --tls-key-file")
	case keyFile != "":
		return nil, errors.New("serve: --tls-key-file needs --tls-cert-file")
	}
	return ln, nil
}

// normalizeBind returns a bind value with its addresses separated by one
// space (the flag also accepts commas).
func normalizeBind(bind string) string {
	return strings.Join(strings.FieldsFunc(bind, func(r rune) bool { return r == ' ' || r == ',' }), " ")
}

// open opens the TCP listeners and the unix socket.
func (ln *listeners) open() error {
	tcp, names, err := ln.listenTCP(ln.bind, ln.port)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if ln.unixSocket != "" {
		// A socket file left by a process that died is in the way; Redis
		// removes it too. Anything else at that path is kept.
		if fi, err := os.Lstat(ln.unixSocket); err == nil && fi.Mode().Type() == fs.ModeSocket {
			os.Remove(ln.unixSocket)
		}
		if ln.unix, err = net.Listen("unix", ln.unixSocket); err != nil {
			closeAll(tcp)
			return fmt.Errorf("serve: %w", err)
		}
	}
	if len(tcp) == 0 && ln.unix == nil {
		return errors.New("serve: nothing to listen on: --port is 0 and --unixsocket is not set")
	}
	ln.tcp, ln.tcpHosts = tcp, names
	return nil
}

// listenTCP opens a listener per address of bind on port (none for port
// 0), and returns them with their addresses as bind names them.
func (ln *listeners) listenTCP(bind string, port int) ([]net.Listener, []string, error) {
	if port == 0 {
		return nil, nil, nil
	}
	hosts := strings.Fields(bind)
	if len(hosts) == 0 {
		return nil, nil, errors.New("--bind is empty")
	}
	var ls []net.Listener
	var names []string
	for _, h := range hosts {
		l, err := ln.listenHost(h, port)
		if err != nil {
			closeAll(ls)
			return nil, nil, err
		}
		if l != nil {
			ls, names = append(ls, l), append(names, h)
		}
	}
	return ls, names, nil
}

// listenHost listens on one address of bind, with Redis's syntax: "*"
// is every IPv4 address, "::*" every IPv6 one, and a "-" prefix makes
// the address optional, skipped (nil, nil) when the machine does not
// have it (Redis's default "bind 127.0.0.1 -::1").
func (ln *listeners) listenHost(h string, port int) (net.Listener, error) {
	optional := strings.HasPrefix(h, "-")
	h = strings.TrimPrefix(h, "-")
	switch h {
	case "*":
		h = "0.0.0.0"
	case "::*":
		h = "::"
	}
	network := "tcp" // a host name
	if ip := net.ParseIP(h); ip != nil {
		// One family per address: "0.0.0.0" and "::" would otherwise
		// both take the dual-stack socket.
		network = "tcp6"
		if ip.To4() != nil {
			network = "tcp4"
		}
	}
	l, err := net.Listen(network, net.JoinHostPort(h, strconv.Itoa(port)))
	if err != nil {
		if optional && (errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT)) {
			return nil, nil
		}
		return nil, err
	}
	if ln.tlsOn {
		l = tls.NewListener(l, ln.tlsConfig())
	}
	return l, nil
}

func closeAll(ls []net.Listener) {
	for _, l := range ls {
		l.Close()
	}
}

// tlsConfig serves the current certificate.
func (ln *listeners) tlsConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return ln.cert.Load(), nil }}
}

// addrs returns the addresses listened on, for the banner.
func (ln *listeners) addrs() []string {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	var out []string
	for _, l := range ln.all() {
		out = append(out, l.Addr().String())
	}
	return out
}

func (ln *listeners) all() []net.Listener {
	ls := append([]net.Listener(nil), ln.tcp...)
	if ln.unix != nil {
		ls = append(ls, ln.unix)
	}
	return ls
}

// serve serves every listener with srv.
func (ln *listeners) serve(srv *server.Server) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	ln.srv = srv
	for _, l := range ln.all() {
		ln.serveOne(l)
	}
}

// serveOne serves l in a goroutine; ln.mu is held.
func (ln *listeners) serveOne(l net.Listener) {
	ln.wg.Add(1)
	go func() {
		defer ln.wg.Done()
		err := ln.srv.Serve(l)
		ln.mu.Lock()
		retired := ln.retired[l]
		delete(ln.retired, l)
		ln.mu.Unlock()
		if !retired && !errors.Is(err, server.ErrServerClosed) {
			select {
			case ln.fatal <- err:
			default:
			}
		}
	}()
}

// wait waits for the Serve goroutines, once the server is shut down.
func (ln *listeners) wait() { ln.wg.Wait() }

// settings are the CONFIG parameters of the listeners.
func (ln *listeners) settings() []server.Setting {
	str := func(p *string) func() string {
		return func() string {
			ln.mu.Lock()
			defer ln.mu.Unlock()
			return *p
		}
	}
	setStr := func(p *string) func(string) error {
		return func(v string) error {
			ln.mu.Lock()
			*p = v
			ln.mu.Unlock()
			return nil
		}
	}
	return []server.Setting{
		{Name: "bind", Get: str(&ln.bind),
			Set:   func(v string) error { return setStr(&ln.next.bind)(normalizeBind(v)) },
			Apply: func() error { return ln.rebind("Failed to bind to specified addresses.") }},
		{Name: "port",
			Get: func() string {
				ln.mu.Lock()
				defer ln.mu.Unlock()
				return strconv.Itoa(ln.port)
			},
			Set: func(v string) error {
				n, err := strconv.ParseInt(v, 10, 64)
				switch {
				case err != nil && !errors.Is(err, strconv.ErrRange):
					return errors.New("argument couldn't be parsed into an integer")
				case err != nil || n < 0 || n > 65535:
					return errors.New("argument must be between 0 and 65535 inclusive")
				}
				ln.mu.Lock()
				ln.next.port = int(n)
				ln.mu.Unlock()
				return nil
			},
			Apply: func() error { return ln.rebind("Unable to listen on this port. Check server logs.") }},
		{Name: "unixsocket", Get: func() string { return ln.unixSocket }, Quoted: true},
		{Name: "tls-cert-file", Get: str(&ln.certFile), Set: setStr(&ln.next.certFile), Apply: ln.reloadTLS, Quoted: true},
		{Name: "tls-key-file", Get: str(&ln.keyFile), Set: setStr(&ln.next.keyFile), Apply: ln.reloadTLS, Quoted: true},
	}
}

// rebind listens on the bind addresses and port CONFIG SET gave, if they
// changed, as Redis does: a listener whose address and port stay is kept;
// the new ones are opened before the old ones are closed, or, when that
// fails (a wildcard address taking the port of a specific one), after
// closing them; on failure the old addresses are listened on again and
// the error is failText (Redis's). Accepted connections stay.
func (ln *listeners) rebind(failText string) error {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if ln.next.bind == ln.bind && ln.next.port == ln.port {
		return nil
	}
	var want []string
	if ln.next.port != 0 {
		want = strings.Fields(ln.next.bind)
	}
	kept := map[string]net.Listener{}
	var retire []net.Listener
	var retireHosts []string
	for i, h := range ln.tcpHosts {
		if ln.next.port == ln.port && slices.Contains(want, h) && kept[h] == nil {
			kept[h] = ln.tcp[i]
		} else {
			retire, retireHosts = append(retire, ln.tcp[i]), append(retireHosts, h)
		}
	}
	openNew := func() (map[string]net.Listener, error) {
		opened := map[string]net.Listener{}
		for i, h := range want {
			if kept[h] != nil && slices.Index(want, h) == i {
				continue // kept (a repeated address fails, as in Redis)
			}
			l, err := ln.listenHost(h, ln.next.port)
			if err != nil {
				for _, o := range opened {
					o.Close()
				}
				return nil, err
			}
			if l != nil {
				opened[h] = l
			}
		}
		return opened, nil
	}
	retireAll := func() {
		for _, l := range retire {
			ln.retired[l] = true
			l.Close()
		}
		retire = nil
	}
	opened, err := openNew()
	if err != nil && len(retire) > 0 {
		retireAll() // the old listeners may hold the port: close, then listen
		if opened, err = openNew(); err != nil {
			restored := ln.tcp[:0:0]
			var restoredHosts []string
			for h, l := range kept {
				restored, restoredHosts = append(restored, l), append(restoredHosts, h)
			}
			for _, h := range retireHosts {
				l, lerr := ln.listenHost(h, ln.port)
				if lerr != nil {
					// Redis panics here; serve stops with the error.
					select {
					case ln.fatal <- fmt.Errorf("CONFIG SET: cannot listen again on %s port %d: %w", h, ln.port, lerr):
					default:
					}
					continue
				}
				if l != nil {
					restored, restoredHosts = append(restored, l), append(restoredHosts, h)
					if ln.srv != nil {
						ln.serveOne(l)
					}
				}
			}
			ln.tcp, ln.tcpHosts = restored, restoredHosts
		}
	}
	if err != nil {
		ln.logger.Warn("kevy: CONFIG SET: cannot listen", "bind", ln.next.bind, "port", ln.next.port, "err", err)
		return errors.New(failText)
	}
	var tcp []net.Listener
	var hosts []string
	for _, h := range want {
		l := kept[h]
		if l == nil {
			l = opened[h]
			if l != nil && ln.srv != nil {
				ln.serveOne(l)
			}
		}
		if l != nil && !slices.Contains(hosts, h) {
			tcp, hosts = append(tcp, l), append(hosts, h)
		}
	}
	retireAll()
	ln.tcp, ln.tcpHosts, ln.bind, ln.port = tcp, hosts, ln.next.bind, ln.next.port
	ln.logger.Info("kevy: listening", "bind", ln.bind, "port", ln.port)
	return nil
}

// reloadTLS loads the certificate and key CONFIG SET gave, for the TLS
// handshakes that follow. Without TLS (serve started without a
// certificate) the files are only recorded, for CONFIG REWRITE.
func (ln *listeners) reloadTLS() error {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if ln.next.certFile == ln.certFile && ln.next.keyFile == ln.keyFile {
		return nil
	}
	if ln.tlsOn {
		cert, err := tls.LoadX509KeyPair(ln.next.certFile, ln.next.keyFile)
		if err != nil {
			ln.logger.Warn("kevy: CONFIG SET: cannot load the TLS certificate", "cert", ln.next.certFile, "key", ln.next.keyFile, "err", err)
			return errors.New("Unable to update TLS configuration. Check server logs.")
		}
		ln.cert.Store(&cert)
	}
	ln.certFile, ln.keyFile = ln.next.certFile, ln.next.keyFile
	return nil
}
