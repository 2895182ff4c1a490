// Command compare measures dagq against its baselines and Go peers on
// every shape, in one process, and prints a Markdown table of ns, bytes
// and allocations per task with the ratio to the floor executor; with
// -scaling it also measures dagq and the floor from 1e3 to 1e6 tasks and
// writes an SVG chart.
//
//	go run ./bench/cmd/compare -n 100000 -scaling docs/scaling.svg
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dagq/dagq/bench"
)

func main() {
	n := flag.Int("n", 100_000, "tasks per graph for the table")
	work := flag.String("work", "empty", "task body: empty, 1us or 50us")
	only := flag.String("systems", "", "comma-separated systems to measure (default all)")
	shapes := flag.String("shapes", "", "comma-separated shapes to measure (default all)")
	scaling := flag.String("scaling", "", "write a scaling chart (SVG) to this file")
	flag.Parse()
	w := bench.Works[slices.IndexFunc(bench.Works, func(w bench.Work) bool { return w.Name == *work })]
	fmt.Printf("## %d tasks per graph, %s task bodies\n\n", *n, w.Name)
	fmt.Println("| shape | system | ns/task | B/task | allocs/task | × floor | × floor-prebuilt |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|")
	for _, sh := range bench.Shapes {
		if *shapes != "" && !slices.Contains(strings.Split(*shapes, ","), sh.Name) {
			continue
		}
		g := sh.Build(*n)
		var rows []row
		results := map[string]result{}
		for _, sys := range bench.Systems {
			gg := g
			if !sys.Supports(g) {
				if sys.MaxN == 0 || !sys.Supports(sh.Build(sys.MaxN)) {
					continue
				}
				gg = sh.Build(sys.MaxN) // a super-linear peer, at its capped size
			}
			if *only != "" && !slices.Contains(strings.Split(*only, ","), sys.Name) && !strings.HasPrefix(sys.Name, "floor") {
				continue
			}
			results[sys.Name] = measure(sys, gg, w)
			rows = append(rows, row{sys.Name, gg.N})
		}
		for _, r := range rows {
			m := results[r.system]
			note := ""
			if r.n != g.N {
				note = fmt.Sprintf(" (n=%d)", r.n)
			}
			fmt.Printf("| %s | %s%s | %.0f | %.0f | %.1f | %.2f | %.2f |\n", sh.Name, r.system, note, m.ns, m.bytes, m.allocs,
				m.ns/results["floor"].ns, m.ns/results["floor-prebuilt"].ns)
		}
	}
	if *scaling != "" {
		if err := writeScaling(*scaling, w); err != nil {
			log.Fatal(err)
		}
	}
}

type result struct{ ns, bytes, allocs float64 }

type row struct {
	system string
	n      int
}

// measure runs the system on g with testing.Benchmark.
func measure(sys bench.System, g *bench.Graph, w bench.Work) result {
	run := sys.Prepare(g, w.Body())
	r := testing.Benchmark(func(b *testing.B) { bench.Measure(b, g.N, run) })
	return result{r.Extra["ns/task"], r.Extra["B/task"], r.Extra["allocs/task"]}
}

// writeScaling measures ns/task of dagq's policies and the floor on the
// layered shape from 1e3 to 1e6 tasks and draws it.
func writeScaling(path string, w bench.Work) error {
	sizes := []int{1_000, 10_000, 100_000, 1_000_000}
	var series []seriesData
	for _, sys := range bench.Systems {
		if !strings.HasPrefix(sys.Name, "dagq-") && sys.Name != "floor" {
			continue
		}
		s := seriesData{name: sys.Name}
		for _, n := range sizes {
			r := measure(sys, bench.Layered(n), w)
			s.ns = append(s.ns, r.ns)
			fmt.Fprintf(os.Stderr, "scaling %s %d: %.0f ns/task\n", sys.Name, n, r.ns)
		}
		series = append(series, s)
	}
	return os.WriteFile(path, []byte(svgChart("ns per task, layered DAG, by graph size", sizes, series)), 0o644)
}
