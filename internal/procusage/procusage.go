// Package procusage measures the CPU time and context switches a benchmark
// costs the whole process: with servers and writers running on goroutines
// of their own, the time of the benchmark loop alone misses most of it.
package procusage

import (
	"syscall"
	"testing"
	"time"
)

// Meter is the process's usage at the moment Start was called.
type Meter struct {
	tb  testing.TB
	cpu time.Duration
	csw int64
}

// Start begins measuring.
func Start(tb testing.TB) Meter {
	cpu, csw := read(tb)
	return Meter{tb: tb, cpu: cpu, csw: csw}
}

// Report adds to b, per operation, the CPU time (user and system,
// "cpu-ns/op") and the context switches ("ctxsw/op": a thread going to
// sleep, as an idle one does until a goroutine is woken for it, or being
// preempted) used since m started.
func (m Meter) Report(b *testing.B) {
	cpu, csw := read(m.tb)
	b.ReportMetric(float64(cpu-m.cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(csw-m.csw)/float64(b.N), "ctxsw/op")
}

func read(tb testing.TB) (time.Duration, int64) {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Nvcsw + ru.Nivcsw
}
