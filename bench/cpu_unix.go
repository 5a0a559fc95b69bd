//go:build unix

package bench

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// ProcessCPU returns the CPU time (user + system) this process has used,
// or 0 when it cannot be read.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// SystemBusy returns the CPU time all processes have used, and CPU time
// the hypervisor took from this machine (steal), from Linux's /proc/stat;
// 0 when unavailable. Its tick is 10 ms (USER_HZ = 100).
func SystemBusy() time.Duration {
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
	return time.Duration(busy) * procTick
}

// procTick is Linux's clock tick in /proc (USER_HZ = 100 per second).
const procTick = 10 * time.Millisecond

// ProcCPU returns the CPU time (user + system) process pid has used, from
// Linux's /proc/PID/stat in 10 ms ticks; 0 when unavailable (for example
// before the process exists, or after it was reaped).
func ProcCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields restart after ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0
	}
	u, err1 := strconv.ParseInt(string(f[11]), 10, 64) // utime, field 14
	s, err2 := strconv.ParseInt(string(f[12]), 10, 64) // stime, field 15
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(u+s) * procTick
}
