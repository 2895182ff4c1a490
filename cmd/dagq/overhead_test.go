//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// overheadJobs is the size of the pipeline BenchmarkRunVersusXargs runs.
const overheadJobs = 10_000

// BenchmarkRunVersusXargs runs overheadJobs independent `true` commands
// with `dagq run -j 2` (its defaults otherwise: a state file, a log file
// per job, prefixed output) and with `xargs -P 2`, in the same run, and
// reports what dagq adds per job:
//
//	go test -run '^$' -bench RunVersusXargs -benchtime 1x ./cmd/dagq
func BenchmarkRunVersusXargs(b *testing.B) {
	if _, err := exec.LookPath("xargs"); err != nil {
		b.Skip("no xargs")
	}
	dir := b.TempDir()
	var p strings.Builder
	p.WriteString("jobs:\n")
	for i := range overheadJobs {
		fmt.Fprintf(&p, "  - {name: j%d, cmd: [true]}\n", i)
	}
	file := filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(file, []byte(p.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	var args strings.Builder
	for i := range overheadJobs {
		fmt.Fprintf(&args, "%d\n", i)
	}
	timeIt := func(cmd *exec.Cmd) time.Duration {
		cmd.Dir = dir
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", cmd.Args, err, out)
		}
		return time.Since(start)
	}
	var dagq, bare, xargs time.Duration
	for b.Loop() {
		dagq += timeIt(exec.Command(binary, "run", "-j", "2", "--progress", "none", file))
		bare += timeIt(exec.Command(binary, "run", "-j", "2", "--progress", "none", "--state", "", "--logs", "", "--output", "none", file))
		x := exec.Command("xargs", "-P", "2", "-n", "1", "true")
		x.Stdin = strings.NewReader(args.String())
		xargs += timeIt(x)
	}
	n := float64(b.N * overheadJobs)
	b.ReportMetric(float64(xargs.Microseconds())/n, "xargs-µs/job")
	b.ReportMetric(float64(dagq.Microseconds())/n, "dagq-µs/job")
	b.ReportMetric(float64(bare.Microseconds())/n, "dagq-bare-µs/job")
	b.ReportMetric(float64((dagq-xargs).Microseconds())/n, "added-µs/job")
	b.ReportMetric(float64(dagq)/float64(xargs), "dagq/xargs")
}
