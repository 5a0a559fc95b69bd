//go:build !unix

package command

// cpuUsage reports nothing where getrusage does not exist.
func cpuUsage() InfoCPU { return InfoCPU{} }
