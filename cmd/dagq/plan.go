package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dagq/dagq"
)

// planCommand checks a pipeline and prints the order its jobs may run in
// and its graph, without running anything.
func planCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dagq plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "dot", "graph format: dot, mermaid or none")
	gpus := gpusFlag(fs)
	file, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	if *format != "dot" && *format != "mermaid" && *format != "none" {
		fmt.Fprintf(stderr, "dagq plan: --format %q: want dot, mermaid or none\n", *format)
		return exitBadInput
	}
	p, err := loadPipeline(file, gpus.value())
	if err != nil {
		return reportInput(stderr, err)
	}
	g, err := dagq.Plan(p.specs())
	if err != nil { // loadPipeline checked the graph already
		fmt.Fprintln(stderr, err)
		return exitBadInput
	}
	writePlan(stdout, p, g, *format)
	return exitOK
}

// writePlan prints the jobs in a topological order, then the graph.
func writePlan(w io.Writer, p *pipeline, g *dagq.Graph, format string) {
	devices := "none (GPU jobs share CPU slots)"
	if len(p.gpuIDs) > 0 {
		devices = strings.Join(p.gpuIDs, ",")
	}
	fmt.Fprintf(w, "%s: %d jobs, %d queues, GPUs %s\n", p.file, len(p.jobs), len(p.queues), devices)
	byName := map[string]*jobDef{}
	for _, j := range p.jobs {
		byName[j.spec.Name] = j
	}
	for i, name := range g.Order() {
		sp := byName[name].spec
		queue := sp.Queue
		if queue == "" {
			queue = "default"
		}
		line := fmt.Sprintf("%3d. %-20s queue %s", i+1, name, queue)
		if sp.Needs.GPUs > 0 {
			line += fmt.Sprintf(", %d GPU(s)", sp.Needs.GPUs)
		}
		if len(sp.Deps) > 0 {
			line += ", after " + strings.Join(sp.Deps, ", ")
		}
		fmt.Fprintln(w, line)
	}
	switch format {
	case "dot":
		fmt.Fprint(w, "\n"+g.DOT())
	case "mermaid":
		fmt.Fprint(w, "\n"+g.Mermaid())
	}
}

// optionalString is a flag that records whether it was given.
type optionalString struct {
	s   string
	set bool
}

func (o *optionalString) String() string     { return o.s }
func (o *optionalString) Set(v string) error { o.s, o.set = v, true; return nil }

// value returns the flag's value, or nil if it was not given.
func (o *optionalString) value() *string {
	if !o.set {
		return nil
	}
	return &o.s
}

// gpusFlag declares --gpus, which replaces the file's device list.
func gpusFlag(fs *flag.FlagSet) *optionalString {
	o := &optionalString{}
	fs.Var(o, "gpus", `GPU device ids, replacing the file's "gpus" ("0,1", "0-3", "none")`)
	return o
}
