package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy/server"
)

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunCommands(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		err     error // nil, errUsage, or errAny
		stdout  string
		stderr  string
		errText string
	}{
		{name: "no args", args: nil, err: errUsage, stderr: "Usage:"},
		{name: "help", args: []string{"help"}, stdout: "serve     serve a database"},
		{name: "unknown", args: []string{"frobnicate"}, err: errUsage, stderr: `unknown command "frobnicate"`},
		{name: "version", args: []string{"version"}, stdout: "kevy " + version},
		{name: "version redis", args: []string{"--version"}, stdout: "redis=" + server.RedisVersion},
		{name: "serve help", args: []string{"serve", "-h"}, stderr: "-unixsocket"},
		{name: "serve bad flag", args: []string{"serve", "--nope"}, err: errUsage, stderr: "flag provided but not defined"},
		{name: "serve extra arg", args: []string{"serve", "extra"}, err: errUsage, stderr: `unexpected argument "extra"`},
		{name: "serve bad port", args: []string{"serve", "--port", "70000"}, err: errAny, errText: "--port"},
		{name: "serve bad fsync", args: []string{"serve", "--appendfsync", "sometimes"}, err: errAny, errText: "invalid fsync policy"},
		{name: "export no file", args: []string{"export", "dir"}, err: errUsage, stderr: "--rdb is required"},
		{name: "export no dir", args: []string{"export", "--rdb", "x.rdb"}, err: errUsage, stderr: "want 1 argument"},
		{name: "import one arg", args: []string{"import", "x.rdb"}, err: errUsage, stderr: "want 2 argument"},
		{name: "check help", args: []string{"check", "-h"}, stderr: "Usage: kevy check"},
		{name: "check missing dir", args: []string{"check", "/nonexistent/kevy"}, err: errAny, errText: "not a directory"},
		{name: "serve nothing to listen on", args: []string{"serve", "--dir", "", "--port", "0"}, err: errAny, errText: "nothing to listen on"},
		{name: "serve bad shards", args: []string{"serve", "--dir", "", "--shards", "-1"}, err: errAny, errText: "Shards"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr syncBuffer
			err := run(context.Background(), tc.args, &stdout, &stderr, func() {})
			switch {
			case tc.err == nil && err != nil, tc.err == errUsage && !errors.Is(err, errUsage):
				t.Fatalf("err = %v, want %v", err, tc.err)
			case tc.err == errAny && (err == nil || !strings.Contains(err.Error(), tc.errText)):
				t.Fatalf("err = %v, want one containing %q", err, tc.errText)
			}
			if !strings.Contains(stdout.String(), tc.stdout) {
				t.Errorf("stdout %q does not contain %q", stdout.String(), tc.stdout)
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tc.stderr)
			}
		})
	}
}

// errAny marks a test case expecting some error other than errUsage.
var errAny = errors.New("any error")

// freePort returns a TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startServe runs "kevy serve args..." until the returned cancel is
// called, and waits for the startup banner.
func startServe(t *testing.T, args ...string) (stdout, stderr *syncBuffer, stop func() error) {
	t.Helper()
	stdout, stderr = new(syncBuffer), new(syncBuffer)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	signalled := make(chan struct{})
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), stdout, stderr, func() { close(signalled) })
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), "ready") {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve exited: %v\nstderr: %s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no banner; stderr: %s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return stdout, stderr, func() error {
		cancel()
		select {
		case err := <-done:
			<-signalled
			return err
		case <-time.After(15 * time.Second):
			return errors.New("serve did not stop")
		}
	}
}

// roundTrip sends raw RESP and reads len(want) bytes.
func roundTrip(t *testing.T, network, addr, req, want string) {
	t.Helper()
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, req)
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != want {
		t.Fatalf("reply %q (%v), want %q", got, err, want)
	}
}

func TestServeTCPDefaultDir(t *testing.T) {
	t.Chdir(t.TempDir())
	port := freePort(t)
	stdout, stderr, stop := startServe(t, "--port", strconv.Itoa(port), "--shards", "4")
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if want := "listening on " + addr + ", dir " + defaultDir + ", 0 keys loaded, 4 shards"; !strings.Contains(stdout.String(), want) {
		t.Errorf("banner %q does not contain %q", stdout.String(), want)
	}
	roundTrip(t, "tcp", addr, "SET k v\r\nGET k\r\nSELECT 3\r\nSET k3 v\r\n", "+OK\r\n$1\r\nv\r\n+OK\r\n+OK\r\n")
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Fatal("still listening after shutdown")
	}
	if !strings.Contains(stderr.String(), "kevy: stopped") {
		t.Errorf("stderr %q", stderr.String())
	}
	// The default directory persists the data across a restart.
	if _, err := os.Stat(filepath.Join(defaultDir, "kevy.layout")); err != nil {
		t.Fatalf("no database in the default directory: %v", err)
	}
	stdout, _, stop = startServe(t, "--port", strconv.Itoa(port), "--shards", "4")
	if want := ", 2 keys loaded, "; !strings.Contains(stdout.String(), want) { // one in db 0, one in db 3
		t.Errorf("banner after restart %q does not contain %q", stdout.String(), want)
	}
	roundTrip(t, "tcp", addr, "GET k\r\n", "$1\r\nv\r\n")
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
}

// TestExportImportCheck runs the persistence tools on a directory written
// by serve.
func TestExportImportCheck(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "data")
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	_, _, stop := startServe(t, "--port", strconv.Itoa(port), "--dir", dir, "--shards", "3", "--appendfsync", "always")
	roundTrip(t, "tcp", addr, "SET k v\r\nRPUSH l a b\r\n", "+OK\r\n:2\r\n")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	runOK := func(args ...string) string {
		t.Helper()
		var stdout, stderr syncBuffer
		if err := run(context.Background(), args, &stdout, &stderr, func() {}); err != nil {
			t.Fatalf("kevy %v: %v\n%s%s", args, err, stdout.String(), stderr.String())
		}
		return stdout.String()
	}
	if out := runOK("check", "--shards", "3", dir); !strings.Contains(out, "OK: Open would succeed") {
		t.Fatalf("check: %s", out)
	}
	if out := runOK("check", "--shards", "5", dir); !strings.Contains(out, "re-shard the database from 3 to 5") {
		t.Fatalf("check with other shards: %s", out)
	}
	rdbFile := filepath.Join(base, "dump.rdb")
	runOK("export", "--rdb", rdbFile, dir)
	dir2 := filepath.Join(base, "imported")
	runOK("import", "--shards", "2", rdbFile, dir2)
	_, _, stop = startServe(t, "--port", strconv.Itoa(port), "--dir", dir2, "--shards", "2")
	roundTrip(t, "tcp", addr, "GET k\r\nLRANGE l 0 -1\r\n", "$1\r\nv\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// A damaged log: check reports it and fails.
	logs, _ := filepath.Glob(filepath.Join(dir, "aof-1", "*.incr.aof"))
	var target string
	for _, l := range logs {
		if st, _ := os.Stat(l); st.Size() > 40 {
			target = l
		}
	}
	data, _ := os.ReadFile(target)
	copy(data[len(data)/2:], "XXXX")
	os.WriteFile(target, data, 0o644)
	var stdout, stderr syncBuffer
	err := run(context.Background(), []string{"check", "--shards", "3", dir}, &stdout, &stderr, func() {})
	if err == nil || !strings.Contains(stdout.String(), "FAILED") {
		t.Fatalf("check of a damaged directory: %v\n%s", err, stdout.String())
	}
}

func TestServeUnixSocketInMemory(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "kevy.sock")
	stdout, stderr, stop := startServe(t, "--port", "0", "--unixsocket", sock, "--dir", "")
	if strings.Contains(stderr.String(), "warning") {
		t.Errorf("unexpected warning with --dir \"\": %q", stderr.String())
	}
	if !strings.Contains(stdout.String(), sock) {
		t.Errorf("banner %q does not name the socket", stdout.String())
	}
	roundTrip(t, "unix", sock, "SET k v\r\nGET k\r\n", "+OK\r\n$1\r\nv\r\n")
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	// A socket file left behind by a dead process does not prevent a
	// restart.
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ul.SetUnlinkOnClose(false)
	ul.Close()
	if _, err := os.Stat(sock); err != nil {
		t.Fatalf("no stale socket: %v", err)
	}
	_, _, stop = startServe(t, "--port", "0", "--unixsocket", sock, "--dir", "")
	roundTrip(t, "unix", sock, "GET k\r\n", "$-1\r\n")
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
}

func TestServePortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	var stdout, stderr syncBuffer
	err = run(context.Background(), []string{"serve", "--dir", "", "--port", port}, &stdout, &stderr, func() {})
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("err = %v", err)
	}
}
