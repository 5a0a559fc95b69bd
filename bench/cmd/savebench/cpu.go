package main

import (
	"os"
	"time"

	"github.com/kevydb/kevy/bench"
)

// meter measures, over an interval, the CPU that processes other than
// this one and the measured redis-server used: the machine's noise.
type meter struct {
	t0    time.Time
	busy0 time.Duration
	own0  time.Duration
}

// ownCPU is the CPU time this process and process pid (0 for none) have
// used, from /proc as bench.SystemBusy counts it.
func ownCPU(pid int) time.Duration {
	own := bench.ProcCPU(os.Getpid())
	if pid != 0 {
		own += bench.ProcCPU(pid)
	}
	return own
}

// startMeter starts a measurement; pid is the redis-server being
// measured, or 0 for none.
func startMeter(pid int) meter {
	return meter{t0: time.Now(), busy0: bench.SystemBusy(), own0: ownCPU(pid)}
}

// others returns the CPU, in cores, that other processes (and steal) used
// since startMeter. A process pid started after startMeter counts wholly
// as measured; call it while pid is still running.
func (m meter) others(pid int) float64 {
	wall := time.Since(m.t0)
	d := (bench.SystemBusy() - m.busy0) - (ownCPU(pid) - m.own0)
	if wall <= 0 || d < 0 {
		return 0
	}
	return float64(d) / float64(wall)
}
