//go:build unix

package command

import "syscall"

// cpuUsage reads the process's CPU time with getrusage.
func cpuUsage() InfoCPU {
	secs := func(tv syscall.Timeval) float64 { return float64(tv.Sec) + float64(tv.Usec)/1e6 }
	var self, children syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &self) != nil {
		return InfoCPU{}
	}
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	return InfoCPU{SysSeconds: secs(self.Stime), UserSeconds: secs(self.Utime),
		SysChildrenSeconds: secs(children.Stime), UserChildrenSeconds: secs(children.Utime)}
}
