package main

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// ticks are Linux clock ticks (USER_HZ = 100 per second).
const tick = 10 * time.Millisecond

// busyTicks returns the CPU time all processes have used, plus the time
// the hypervisor took from this machine (steal), from /proc/stat; 0 when
// unavailable.
func busyTicks() int64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) < 9 || string(f[0]) != "cpu" {
		return 0
	}
	var busy int64
	// user nice system idle iowait irq softirq steal
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return 0
		}
		busy += n
	}
	return busy
}

// procTicks returns the user + system CPU time of process pid ("self"
// for this one) from /proc/PID/stat; 0 when unavailable (for example
// before the process exists).
func procTicks(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	// After "pid (comm)": state is field 3; utime and stime are 14 and 15.
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0
	}
	u, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	s, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return u + s
}

// meter measures, over an interval, the CPU that processes other than
// this one and the measured redis-server used: the machine's noise.
type meter struct {
	t0    time.Time
	busy0 int64
	own0  int64
}

// startMeter starts a measurement; pid is the redis-server being
// measured, or "" for none.
func startMeter(pid string) meter {
	m := meter{t0: time.Now(), busy0: busyTicks(), own0: procTicks("self")}
	if pid != "" {
		m.own0 += procTicks(pid)
	}
	return m
}

// others returns the CPU, in cores, that other processes (and steal) used
// since startMeter. A process pid started after startMeter counts wholly
// as measured; call it while pid is still running.
func (m meter) others(pid string) float64 {
	wall := time.Since(m.t0)
	own := procTicks("self")
	if pid != "" {
		own += procTicks(pid)
	}
	d := (busyTicks() - m.busy0) - (own - m.own0)
	if wall <= 0 || d < 0 {
		return 0
	}
	return float64(time.Duration(d)*tick) / float64(wall)
}
