//go:build !linux

package aof

// syncFS is only available on Linux: elsewhere a group fsyncs each log.
func syncFS(File) (ok bool, err error) { return false, nil }
