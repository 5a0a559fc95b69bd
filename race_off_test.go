//go:build !race

package kevy_test

// raceBuild is true when the tests run with -race, whose sync.Pool drops
// a share of what is put back (allocation counts are higher).
const raceBuild = false
