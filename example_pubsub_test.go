package kevy_test

import (
	"context"
	"fmt"

	"github.com/kevydb/kevy"
)

// Publish and subscribe in process: channel and pattern subscriptions,
// the receiver count PUBLISH reports, and a select loop over Channel.
func Example_pubSub() {
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()
	ctx := context.Background()

	orders, err := db.Subscribe(ctx, "orders")
	if err != nil {
		panic(err)
	}
	defer orders.Close()
	audit, err := db.PSubscribe(ctx, "order*")
	if err != nil {
		panic(err)
	}
	defer audit.Close()

	n, _ := db.Publish("orders", []byte("order #1"))
	fmt.Println("receivers:", n)
	n, _ = db.Publish("orders.eu", []byte("order #2"))
	fmt.Println("receivers:", n)

	m, _ := orders.Receive(ctx)
	fmt.Printf("%s on %s: %s\n", m.Kind, m.Channel, m.Payload)

	for range 2 {
		select {
		case m := <-audit.Channel():
			fmt.Printf("%s %s on %s: %s\n", m.Kind, m.Pattern, m.Channel, m.Payload)
		case <-ctx.Done():
			return
		}
	}
	// Output:
	// receivers: 2
	// receivers: 1
	// message on orders: order #1
	// pmessage order* on orders: order #1
	// pmessage order* on orders.eu: order #2
}
