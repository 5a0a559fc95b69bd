package server_test

import (
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/server"
)

func TestSlowlog(t *testing.T) {
	ts := startServer(t, &server.Config{SlowlogLogSlowerThan: time.Nanosecond, SlowlogMaxLen: 3})
	c := dial(t, ts.addr)
	steps := []struct {
		args []string
		want string // prefix of the reply
	}{
		{[]string{"SLOWLOG", "RESET"}, "+OK\r\n"},
		{[]string{"SLOWLOG", "LEN"}, ":1\r\n"}, // the RESET itself
		{[]string{"SLOWLOG", "GET", "-2"}, "-ERR count should be greater than or equal to -1\r\n"},
		{[]string{"SLOWLOG", "GET", "x"}, "-ERR count should be greater than or equal to -1\r\n"},
		{[]string{"SLOWLOG", "GET", "1", "2"}, "-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.\r\n"},
		{[]string{"SLOWLOG", "FOO"}, "-ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.\r\n"},
		{[]string{"SLOWLOG", "HELP"}, "*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"},
		{[]string{"CLIENT", "SETNAME", "me"}, "+OK\r\n"},
		{[]string{"SLOWLOG", "LEN"}, ":3\r\n"}, // bounded
		{[]string{"SET", "k", strings.Repeat("v", 130)}, "+OK\r\n"},
	}
	for _, s := range steps {
		c.cmd(s.args...)
		c.expect(s.want)
		if strings.HasPrefix(s.want, "*12") {
			for range 11 {
				if _, err := c.r.ReadValue(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	c.cmd("SLOWLOG", "GET", "1")
	v, err := c.r.ReadValue()
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Elems) != 1 || len(v.Elems[0].Elems) != 6 {
		t.Fatalf("SLOWLOG GET 1 = %v", v)
	}
	e := v.Elems[0].Elems
	args := e[3].Elems
	want := []string{"SET", "k", strings.Repeat("v", 128) + "... (2 more bytes)"}
	if len(args) != len(want) {
		t.Fatalf("args %v", args)
	}
	for i, a := range args {
		if string(a.Str) != want[i] {
			t.Errorf("arg %d = %q, want %q", i, a.Str, want[i])
		}
	}
	if e[1].Int < time.Now().Unix()-60 || e[2].Int < 0 || string(e[4].Str) != c.nc.LocalAddr().String() || string(e[5].Str) != "me" {
		t.Errorf("entry %v", e)
	}
	// Many arguments: 31 kept and a marker.
	many := []string{"DEL"}
	for i := range 40 {
		many = append(many, "k"+strconv.Itoa(i))
	}
	c.cmd(many...)
	c.expect(":0\r\n")
	c.cmd("SLOWLOG", "GET", "1")
	v, err = c.r.ReadValue()
	if err != nil {
		t.Fatal(err)
	}
	args = v.Elems[0].Elems[3].Elems
	if len(args) != 32 || string(args[31].Str) != "... (10 more arguments)" {
		t.Errorf("DEL args %d, last %q", len(args), args[len(args)-1].Str)
	}
	c.cmd("SLOWLOG", "GET", "-1")
	if v, err = c.r.ReadValue(); err != nil || len(v.Elems) != 3 {
		t.Errorf("GET -1: %d entries (%v)", len(v.Elems), err)
	}
}

func TestSlowlogDefaultThreshold(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	c.cmd("SET", "a", "b")
	c.expect("+OK\r\n")
	c.cmd("SLOWLOG", "LEN")
	c.expect(":0\r\n")
}

func TestShutdownErrors(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	for _, s := range []struct{ args, want string }{
		{"SHUTDOWN FOO", "-ERR syntax error\r\n"},
		{"SHUTDOWN SAVE NOSAVE", "-ERR syntax error\r\n"},
		{"SHUTDOWN ABORT NOW", "-ERR syntax error\r\n"},
		{"SHUTDOWN ABORT", "-ERR No shutdown in progress.\r\n"},
		{"WAIT 0 0", ":0\r\n"},
		{"MULTI", "+OK\r\n"},
		{"SHUTDOWN", "-ERR Command not allowed inside a transaction\r\n"},
	} {
		c.cmd(strings.Fields(s.args)...)
		c.expect(s.want)
	}
}

func TestShutdownHook(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		saved bool
	}{
		{[]string{"SHUTDOWN"}, true},
		{[]string{"shutdown", "nosave", "now", "force"}, false},
		{[]string{"SHUTDOWN", "SAVE"}, true},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			db, err := kevy.Open(dir, &kevy.Options{DisableAppendOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			called := make(chan struct{})
			srv := server.New(db, &server.Config{OnShutdown: func() { close(called) }})
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go srv.Serve(l)
			defer srv.Close()
			c := dial(t, l.Addr().String())
			c.cmd("SET", "k", "v")
			c.expect("+OK\r\n")
			before := db.LastSave()
			time.Sleep(1100 * time.Millisecond)
			c.cmd(tc.args...)
			if n, err := c.nc.Read(make([]byte, 64)); err != io.EOF {
				t.Fatalf("read after SHUTDOWN: %d, %v; want EOF", n, err)
			}
			select {
			case <-called:
			case <-time.After(5 * time.Second):
				t.Fatal("OnShutdown not called")
			}
			if saved := db.LastSave() != before; saved != tc.saved {
				t.Errorf("saved = %v, want %v", saved, tc.saved)
			}
		})
	}
}

func TestShutdownWithoutHook(t *testing.T) {
	db, err := kevy.Open("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := server.New(db, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	c := dial(t, l.Addr().String())
	c.cmd("SHUTDOWN")
	select {
	case err := <-served:
		if err != server.ErrServerClosed {
			t.Errorf("Serve = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server still serving")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	srv.Shutdown(ctx)
}
