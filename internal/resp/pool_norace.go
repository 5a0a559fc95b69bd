//go:build !race

package resp

import "sync"

// bufPool is a sync.Pool of buffer boxes.
type bufPool struct{ sync.Pool }
