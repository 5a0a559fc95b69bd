//go:build !unix

package bench

import "time"

// processCPU is unavailable on this platform; the "cores" and "others"
// metrics are then not reported.
func processCPU() time.Duration { return 0 }

// systemBusy is unavailable on this platform.
func systemBusy() time.Duration { return 0 }
