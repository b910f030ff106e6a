//go:build unix

package decomposition_test

import "syscall"

// cpuSeconds returns the user+system CPU time of the process so far, so that
// benchmarks can report CPU seconds per fit, which load from other processes
// on a shared machine does not inflate the way it inflates wall time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
