//go:build unix

package testutil

import "syscall"

// CPUSeconds returns the user+system CPU time of the process so far (all
// threads), so that benchmarks can report CPU seconds per operation, which
// load from other processes on a shared machine does not inflate the way
// it inflates wall time. It is 0 where it cannot be measured.
func CPUSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
