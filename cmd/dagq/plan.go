package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/dagq/dagq"
)

// planCommand checks a pipeline and prints the order its jobs may run in
// and its graph, without running anything.
func planCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dagq plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "what to print: text (the jobs in order), dot, mermaid or json")
	gpus := gpusFlag(fs)
	file, targets, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	if *format != "text" && *format != "dot" && *format != "mermaid" && *format != "json" {
		fmt.Fprintf(stderr, "dagq plan: --format %q: want text, dot, mermaid or json\n", *format)
		return exitBadInput
	}
	p, err := loadPipeline(file, gpus.value())
	if err == nil {
		err = p.only(targets)
	}
	if err != nil {
		return reportInput(stderr, err)
	}
	g, err := dagq.Plan(p.specs())
	if err != nil { // loadPipeline checked the graph already
		fmt.Fprintln(stderr, err)
		return exitBadInput
	}
	switch *format {
	case "text":
		writePlan(stdout, p)
	case "dot":
		fmt.Fprint(stdout, g.DOT())
	case "mermaid":
		fmt.Fprint(stdout, g.Mermaid())
	case "json":
		if err := writePlanJSON(stdout, p); err != nil {
			fmt.Fprintf(stderr, "dagq: %v\n", err)
			return exitFailed
		}
	}
	return exitOK
}

// planJob is a job in `dagq plan --format json`.
type planJob struct {
	Name    string   `json:"name"`
	Desc    string   `json:"desc,omitempty"`
	Cmd     []string `json:"cmd"`
	Deps    []string `json:"deps,omitempty"`
	Env     []string `json:"env,omitempty"`
	Dir     string   `json:"dir,omitempty"`
	Queue   string   `json:"queue"`
	GPUs    int      `json:"gpus,omitempty"`
	Key     string   `json:"key"`
	Trigger string   `json:"trigger"`
}

// writePlanJSON prints the jobs in a topological order as JSON.
func writePlanJSON(w io.Writer, p *pipeline) error {
	out := struct {
		File string    `json:"file"`
		GPUs []string  `json:"gpus"`
		Jobs []planJob `json:"jobs"`
	}{File: p.file, GPUs: p.gpuIDs, Jobs: []planJob{}}
	if out.GPUs == nil {
		out.GPUs = []string{}
	}
	for _, j := range p.order() {
		sp := j.spec
		out.Jobs = append(out.Jobs, planJob{Name: sp.Name, Desc: j.desc, Cmd: sp.Cmd, Deps: sp.Deps, Env: sp.Env, Dir: sp.Dir,
			Queue: queueOf(sp), GPUs: sp.Needs.GPUs, Key: sp.Key, Trigger: sp.Trigger.String()})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// queueOf names the queue a spec runs on.
func queueOf(sp dagq.Spec) string {
	if sp.Queue == "" {
		return "default"
	}
	return sp.Queue
}

// writePlan prints the jobs in a topological order.
func writePlan(w io.Writer, p *pipeline) {
	devices := "none (GPU jobs share CPU slots)"
	if len(p.gpuIDs) > 0 {
		devices = strings.Join(p.gpuIDs, ",")
	}
	fmt.Fprintf(w, "%s: %d jobs, %d queues, GPUs %s\n", p.file, len(p.jobs), len(p.queues), devices)
	for i, j := range p.order() {
		sp := j.spec
		line := fmt.Sprintf("%3d. %-20s queue %s", i+1, sp.Name, queueOf(sp))
		if sp.Needs.GPUs > 0 {
			line += fmt.Sprintf(", %d GPU(s)", sp.Needs.GPUs)
		}
		if len(sp.Deps) > 0 {
			line += ", after " + strings.Join(sp.Deps, ", ")
		}
		fmt.Fprintln(w, line)
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

// listCommand prints the jobs of a pipeline, each with its description.
func listCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dagq list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file, targets, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	p, err := loadPipeline(file, nil)
	if err == nil {
		err = p.only(targets)
	}
	if err != nil {
		return reportInput(stderr, err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, j := range p.jobs {
		desc := j.desc
		if desc == "" {
			desc = "-"
		}
		if len(j.spec.Deps) > 0 {
			desc += " (after " + strings.Join(j.spec.Deps, ", ") + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\n", j.spec.Name, desc)
	}
	_ = tw.Flush()
	return exitOK
}
