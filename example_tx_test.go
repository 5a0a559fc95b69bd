package kevy_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/kevydb/kevy"
)

// TxPipelined runs several commands as one atomic transaction, even when
// their keys live in different shards.
func ExampleDB_TxPipelined() {
	db, _ := kevy.Open("", nil)
	defer db.Close()
	ctx := context.Background()
	db.Set("checking", []byte("100"))

	res, err := db.TxPipelined(ctx, func(p *kevy.Pipe) error {
		p.Do("DECRBY", "checking", 30)
		p.Do("INCRBY", "savings", 30)
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res[0], res[1])
	// Output: 70 30
}

// Watch gives optimistic locking: read, compute, then write only if
// nobody modified the watched key meanwhile; retry otherwise.
func ExampleDB_Watch() {
	db, _ := kevy.Open("", nil)
	defer db.Close()
	ctx := context.Background()
	db.Set("stock", []byte("3"))

	// take removes one item from the stock, unless it is empty.
	take := func() error {
		return db.Watch(ctx, func(tx *kevy.Tx) error {
			v, err := tx.Do(ctx, "GET", "stock")
			if err != nil {
				return err
			}
			n, _ := v.Int()
			if n == 0 {
				return errors.New("out of stock")
			}
			_, err = tx.TxPipelined(ctx, func(p *kevy.Pipe) error {
				p.Do("SET", "stock", n-1)
				return nil
			})
			return err
		}, "stock")
	}
	for {
		err := take()
		if errors.Is(err, kevy.ErrTxFailed) {
			continue // someone else changed the stock: try again
		}
		if err != nil {
			panic(err)
		}
		break
	}
	v, _ := db.Get("stock")
	fmt.Println(string(v))
	// Output: 2
}
