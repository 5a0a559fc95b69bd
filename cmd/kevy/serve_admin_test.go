package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestServeShutdownCommand: SHUTDOWN from a client stops serve cleanly.
func TestServeShutdownCommand(t *testing.T) {
	port := freePort(t)
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"serve", "--dir", t.TempDir(), "--port", strconv.Itoa(port)}, &stdout, &stderr, func() {})
	}()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), "ready") {
		if time.Now().After(deadline) {
			t.Fatalf("no banner: %s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	roundTrip(t, "tcp", addr, "SET k v\r\nSHUTDOWN ABORT\r\n", "+OK\r\n-ERR No shutdown in progress.\r\n")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "SHUTDOWN\r\n")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), "kevy: stopped") {
		t.Errorf("stderr %q", stderr.String())
	}
}

// writeCert writes a self-signed certificate for 127.0.0.1 and its key.
func writeCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kevy"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return certFile, keyFile
}

func TestServeTLS(t *testing.T) {
	certFile, keyFile := writeCert(t, t.TempDir())
	port := freePort(t)
	_, _, stop := startServe(t, "--dir", "", "--port", strconv.Itoa(port), "--tls-cert-file", certFile, "--tls-key-file", keyFile)
	pemData, _ := os.ReadFile(certFile)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemData)
	c, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "PING\r\n")
	got := make([]byte, 7)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "+PONG\r\n" {
		t.Fatalf("PING over TLS: %q, %v", got, err)
	}
	c.Close()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// respConn is a connection to serve for the listener tests.
type respConn struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

func dialResp(t *testing.T, network, addr string) *respConn {
	t.Helper()
	nc, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	return &respConn{t: t, nc: nc, r: bufio.NewReader(nc)}
}

// do sends an inline command (none if cmd is "") and checks the next
// line of the reply.
func (c *respConn) do(cmd, want string) {
	c.t.Helper()
	if cmd != "" {
		io.WriteString(c.nc, cmd+"\r\n")
	}
	line, err := c.r.ReadString('\n')
	if err != nil || line != want+"\r\n" {
		c.t.Fatalf("%s: %q (%v), want %q", cmd, line, err, want)
	}
}

// TestServeConfigSetListeners: CONFIG SET port and bind move the TCP
// listeners while serving, as in Redis: the new address serves, the old
// one no longer does, connections already open stay; an address that
// cannot be listened on gets Redis's error and keeps the old listeners.
func TestServeConfigSetListeners(t *testing.T) {
	p1, p2 := freePort(t), freePort(t)
	sock := filepath.Join(t.TempDir(), "kevy.sock")
	_, _, stop := startServe(t, "--dir", "", "--port", strconv.Itoa(p1), "--unixsocket", sock)
	addr := func(p int) string { return "127.0.0.1:" + strconv.Itoa(p) }
	a := dialResp(t, "tcp", addr(p1))
	a.do("CONFIG SET port "+strconv.Itoa(p2), "+OK")
	a.do("PING", "+PONG")
	onP2 := dialResp(t, "tcp", addr(p2))
	onP2.do("CONFIG GET port", "*2")
	for _, want := range []string{"$4", "port", "$" + strconv.Itoa(len(strconv.Itoa(p2))), strconv.Itoa(p2)} {
		onP2.do("", want)
	}
	if c, err := net.Dial("tcp", addr(p1)); err == nil {
		c.Close()
		t.Fatalf("port %d still accepts connections", p1)
	}

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	a.do("CONFIG SET port "+strconv.Itoa(busy.Addr().(*net.TCPAddr).Port),
		"-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.")
	a.do("CONFIG SET port 70000", "-ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive")
	a.do("CONFIG SET port x", "-ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer")
	a.do("CONFIG SET bind 203.0.113.7", "-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.")
	// Both values are set before either is applied: the port's apply
	// fails on the new address, with its own text, as in Redis.
	a.do("CONFIG SET port "+strconv.Itoa(p1)+" bind 203.0.113.7",
		"-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.")
	a.do("CONFIG SET bind 203.0.113.7 port "+strconv.Itoa(p1),
		"-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.")
	dialResp(t, "tcp", addr(p2)).do("PING", "+PONG")

	// Redis's address syntax; port 0 closes TCP, the unix socket stays.
	a.do("CONFIG SET bind \"-203.0.113.7 127.0.0.1\" port "+strconv.Itoa(p1), "+OK")
	b := dialResp(t, "tcp", addr(p1))
	b.do("CONFIG GET bind", "*2")
	if line, _ := b.r.ReadString('\n'); line != "$4\r\n" {
		t.Fatalf("bind reply: %q", line)
	}
	b.do("", "bind")
	b.do("", "$22")
	b.do("", "-203.0.113.7 127.0.0.1")
	// The same port: listeners on unchanged addresses are kept; a
	// wildcard that takes the port of a specific address replaces it.
	for _, bind := range []string{"127.0.0.1 -::1", "*", "127.0.0.1"} {
		b.do("CONFIG SET bind \""+bind+"\"", "+OK")
		dialResp(t, "tcp", addr(p1)).do("PING", "+PONG")
	}
	b.do("CONFIG SET bind \"127.0.0.1 127.0.0.1\"", "-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.")
	dialResp(t, "tcp", addr(p1)).do("PING", "+PONG")
	b.do("CONFIG SET port 0", "+OK")
	u := dialResp(t, "unix", sock)
	u.do("CONFIG SET port "+strconv.Itoa(p2)+" bind 127.0.0.1", "+OK")
	dialResp(t, "tcp", addr(p2)).do("PING", "+PONG")
	b.do("PING", "+PONG")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestServeConfigSetTLS: CONFIG SET tls-cert-file and tls-key-file load
// a new certificate for the handshakes that follow; a pair that does not
// load is refused with Redis's error and the old certificate stays.
func TestServeConfigSetTLS(t *testing.T) {
	cert1, key1 := writeCert(t, t.TempDir())
	cert2, key2 := writeCert(t, t.TempDir())
	port := freePort(t)
	_, _, stop := startServe(t, "--dir", "", "--port", strconv.Itoa(port), "--tls-cert-file", cert1, "--tls-key-file", key1)
	served := func() []byte {
		t.Helper()
		c, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].Raw
	}
	der := func(path string) []byte {
		b, _ := os.ReadFile(path)
		p, _ := pem.Decode(b)
		return p.Bytes
	}
	if !bytes.Equal(served(), der(cert1)) {
		t.Fatal("not serving the first certificate")
	}
	c, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rc := &respConn{t: t, nc: c, r: bufio.NewReader(c)}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	rc.do(fmt.Sprintf("CONFIG SET tls-cert-file %q tls-key-file %q", cert2, key2), "+OK")
	if !bytes.Equal(served(), der(cert2)) {
		t.Fatal("not serving the new certificate")
	}
	rc.do(fmt.Sprintf("CONFIG SET tls-cert-file %q", cert1),
		"-ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs.")
	rc.do("CONFIG GET tls-cert-file", "*2")
	for _, want := range []string{"$13", "tls-cert-file", "$" + strconv.Itoa(len(cert2)), cert2} {
		rc.do("", want)
	}
	if !bytes.Equal(served(), der(cert2)) {
		t.Fatal("a refused certificate replaced the served one")
	}
	rc.do("PING", "+PONG") // the connection opened before the change stays

	// CONFIG SET timeout wakes the connections' reads to apply the new
	// timeout, but not a handshake in progress, whose timeout crypto/tls
	// would make final.
	raw, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rc.do("PING", "+PONG") // the raw connection is accepted meanwhile
	rc.do("CONFIG SET timeout 0", "+OK")
	tc := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	late := &respConn{t: t, nc: tc, r: bufio.NewReader(tc)}
	late.do("PING", "+PONG")

	// A TLS client that completed its handshake and sends nothing gets a
	// new timeout like any other.
	quiet, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer quiet.Close()
	rc.do("CONFIG SET timeout 1", "+OK")
	quiet.SetReadDeadline(time.Now().Add(10 * time.Second))
	var one [1]byte
	if n, err := quiet.Read(one[:]); n != 0 || err == nil || isTimeoutErr(err) {
		t.Fatalf("idle TLS client: read %d, %v; want it closed by the new timeout", n, err)
	}
	fresh, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	fresh.SetDeadline(time.Now().Add(10 * time.Second))
	(&respConn{t: t, nc: fresh, r: bufio.NewReader(fresh)}).do("CONFIG SET timeout 0", "+OK")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func isTimeoutErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestServeRedisDefaultBind: redis.conf's default "bind 127.0.0.1 -::1"
// starts serve whether or not the machine has IPv6 (the "-" address is
// optional), and "*" takes every IPv4 address.
func TestServeRedisDefaultBind(t *testing.T) {
	for _, bind := range []string{"127.0.0.1 -::1", "* -203.0.113.7"} {
		port := freePort(t)
		_, _, stop := startServe(t, "--dir", "", "--port", strconv.Itoa(port), "--bind", bind)
		dialResp(t, "tcp", "127.0.0.1:"+strconv.Itoa(port)).do("PING", "+PONG")
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}
}
