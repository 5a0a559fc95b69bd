//go:build !linux

package difftest

import "os/exec"

// setDeathSignal does nothing where the kernel offers no parent-death
// signal; StopShared still kills the server at the end of a normal run.
func setDeathSignal(*exec.Cmd) {}
