package bench

import "net"

// FreePort returns a TCP port free on the loopback interface at the time
// of the call, for a server the caller starts (redis-server).
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
