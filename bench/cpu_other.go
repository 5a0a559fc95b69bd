//go:build !unix

package bench

import "time"

// ProcessCPU is unavailable on this platform; the "cores" and "others"
// metrics are then not reported.
func ProcessCPU() time.Duration { return 0 }

// SystemBusy is unavailable on this platform.
func SystemBusy() time.Duration { return 0 }

// ProcCPU is unavailable on this platform.
func ProcCPU(pid int) time.Duration { return 0 }
