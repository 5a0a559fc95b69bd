package server_test

import (
	"bufio"
	"context"
	"fmt"
	"net"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/server"
)

func Example() {
	db, err := kevy.Open("", nil) // in-memory
	if err != nil {
		panic(err)
	}
	defer db.Close()
	srv := server.New(db, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())

	// Any Redis client works; here, raw RESP.
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "SET greeting hello\r\nGET greeting\r\n")
	r := bufio.NewReader(conn)
	for range 3 {
		line, _ := r.ReadString('\n')
		fmt.Printf("%q\n", line)
	}
	// Output:
	// "+OK\r\n"
	// "$5\r\n"
	// "hello\r\n"
}

// A program applies configuration directives with ConfigSet, adds its own
// parameters with Config.Settings, and reads them all with ConfigParams,
// as CONFIG GET and CONFIG REWRITE see them.
func ExampleServer_ConfigSet() {
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()
	srv := server.New(db, &server.Config{Settings: []server.Setting{
		{Name: "role", Get: func() string { return "cache" }}, // read-only
	}})
	defer srv.Close()

	if err := srv.ConfigSet("maxclients", "500", "slowlog-max-len", "32"); err != nil {
		panic(err)
	}
	fmt.Println(srv.ConfigSet("timeout", "-1"))
	params, err := srv.ConfigParams()
	if err != nil {
		panic(err)
	}
	for _, p := range params {
		switch p.Name {
		case "maxclients", "slowlog-max-len", "timeout", "role":
			fmt.Println(p.Line)
		}
	}
	// Output:
	// ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive
	// maxclients 500
	// role cache
	// slowlog-max-len 32
	// timeout 0
}
