//go:build unix

package mnistdata_test

import (
	"syscall"
	"time"
)

// processCPU returns the user+system CPU time of the process so far, so
// benchmarks can report a cost per image that does not depend on how busy
// the machine is.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
