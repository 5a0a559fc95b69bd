package kevy_test

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/kevydb/kevy"
)

// A database opened on a directory keeps its data across restarts. With
// FsyncAlways every write is on disk before the call returns.
func Example_persistence() {
	dir, _ := os.MkdirTemp("", "kevy-example")
	defer os.RemoveAll(dir)
	opts := &kevy.Options{
		AppendFsync: kevy.FsyncAlways,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}

	db, err := kevy.Open(dir, opts)
	if err != nil {
		panic(err)
	}
	db.Set("greeting", []byte("hello"))
	db.RPush("queue", "a", "b")
	db.Close()

	db, err = kevy.Open(dir, opts) // replays the append-only file
	if err != nil {
		panic(err)
	}
	defer db.Close()
	v, _ := db.Get("greeting")
	n, _ := db.LLen("queue")
	fmt.Println(string(v), n)

	// A snapshot compacts the logs; Redis's SAVE does the same over RESP.
	if err := db.Save(); err != nil {
		panic(err)
	}
	fmt.Println(!db.LastSave().IsZero())
	// Output:
	// hello 2
	// true
}
