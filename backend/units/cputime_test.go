package units

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time. The benchmarks report it per op beside the
// wall time: on a machine shared by several jobs the wall time mostly measures waiting.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU runs loop and reports its CPU milliseconds per op.
func reportCPU(b *testing.B, loop func()) {
	start := cpuTime(b)
	n := 0
	for b.Loop() {
		loop()
		n++
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Millisecond)/float64(n), "cpu-ms/op")
}
