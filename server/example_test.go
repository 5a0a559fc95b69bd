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
