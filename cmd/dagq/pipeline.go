package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/dagq/dagq"
	"go.yaml.in/yaml/v3"
)

// pipeline is a pipeline file, read and checked.
type pipeline struct {
	file        string
	gpus        string // device ids as written
	gpuIDs      []string
	gpusAt      *yaml.Node // where gpus was written; nil if not
	parallelism int
	queues      []*queueDef
	jobs        []*jobDef
}

// queueDef is one entry of `queues:`.
type queueDef struct {
	name      string
	at        *yaml.Node
	size      int
	policy    string
	aging     time.Duration
	quotas    map[string]int
	strategy  string
	maxErrors int
	opts      []dagq.QueueOption
}

// jobDef is one entry of `jobs:`: a spec and where its parts were written.
type jobDef struct {
	spec    dagq.Spec
	desc    string       // what the job does, for `dagq list`
	inputs  []glob       // the files its result depends on (cache.go)
	outputs []glob       // the files it makes: one missing means run it
	keyed   bool         // the file gave `key:`, used as it is
	at      *yaml.Node   // the job's mapping
	depsAt  []*yaml.Node // each dependency
	ref     map[string]*yaml.Node
}

var (
	topKeys   = []string{"gpus", "parallelism", "queues", "jobs"}
	queueKeys = []string{"size", "policy", "aging", "quotas", "strategy", "max_errors"}
	jobKeys   = []string{"name", "desc", "cmd", "deps", "env", "dir", "inputs", "outputs", "queue", "weight", "priority", "tenant", "cost", "gpus", "key", "timeout", "retries", "backoff", "trigger"}
)

// loadPipeline reads and checks the pipeline file at path. gpus, if not
// nil, replaces the file's device list. Problems in the file are an
// [inputErrors]; nothing is run either way.
func loadPipeline(path string, gpus *string) (*pipeline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dagq: %w", err)
	}
	p, err := parsePipeline(path, data, gpus)
	if err != nil {
		return nil, err
	}
	if err := newHasher().computeKeys(p.order()); err != nil {
		return nil, fmt.Errorf("dagq: %s: %w", path, err)
	}
	return p, nil
}

// parsePipeline reads and checks a pipeline file's contents.
func parsePipeline(file string, data []byte, gpus *string) (*pipeline, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, inputErrors{{File: file, Msg: "the file is empty", Fix: "see examples/pipeline.yaml"}}
	} else if err != nil {
		return nil, fmt.Errorf("dagq: %s: %w", file, err)
	}
	d := &decoder{file: file}
	p := &pipeline{file: file}
	root := d.resolve(doc.Content[0])
	d.fields(root, "the pipeline", topKeys, func(key string, v *yaml.Node) {
		switch key {
		case "gpus":
			p.gpus, p.gpusAt = d.str(v, "gpus"), v
		case "parallelism":
			p.parallelism = d.integer(v, "parallelism", 0)
		case "queues":
			p.readQueues(d, v)
		case "jobs":
			p.readJobs(d, v)
		}
	})
	if len(p.jobs) == 0 && len(d.errs) == 0 {
		d.errorf(root, "add a `jobs:` list with at least one job", "the pipeline has no jobs")
	}
	p.checkGPUs(d, gpus)
	p.check(d)
	if len(d.errs) == 0 {
		p.checkCycles(d)
	}
	if len(d.errs) > 0 {
		return nil, d.errs.sorted()
	}
	return p, nil
}

func (p *pipeline) readQueues(d *decoder, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "write `name: {size: N}` entries", "queues must be a mapping of names to queues, not %s", kindName(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		q := &queueDef{name: k.Value, at: k, size: 1}
		what := fmt.Sprintf("queue %q", q.name)
		d.fields(v, what, queueKeys, func(key string, v *yaml.Node) {
			switch key {
			case "size":
				q.size = d.integer(v, what+": size", 1)
			case "policy":
				q.policy = d.str(v, what+": policy")
			case "aging":
				q.aging = d.duration(v, what+": aging")
			case "quotas":
				q.quotas = d.quotas(v, what+": quotas")
			case "strategy":
				q.strategy = d.str(v, what+": strategy")
			case "max_errors":
				q.maxErrors = d.integer(v, what+": max_errors", 1)
			}
		})
		q.options(d, v)
		p.queues = append(p.queues, q)
	}
}

func (p *pipeline) readJobs(d *decoder, n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "write a list of `- name: ...` entries", "jobs must be a list, not %s", kindName(n))
		return
	}
	for i, item := range n.Content {
		j := &jobDef{at: item, ref: map[string]*yaml.Node{}}
		what := fmt.Sprintf("job #%d", i+1)
		if item.Kind == yaml.MappingNode {
			for k := 0; k+1 < len(item.Content); k += 2 {
				if item.Content[k].Value == "name" && item.Content[k+1].Kind == yaml.ScalarNode {
					what = fmt.Sprintf("job %q", item.Content[k+1].Value)
				}
			}
		}
		sp := &j.spec
		read := map[string]func(v *yaml.Node){
			"name":     func(v *yaml.Node) { sp.Name = d.str(v, what+": name") },
			"desc":     func(v *yaml.Node) { j.desc = d.str(v, what+": desc") },
			"cmd":      func(v *yaml.Node) { sp.Cmd = d.command(v, what) },
			"deps":     func(v *yaml.Node) { sp.Deps, j.depsAt = d.strings(v, what+": deps") },
			"env":      func(v *yaml.Node) { sp.Env = d.env(v, what+": env") },
			"dir":      func(v *yaml.Node) { sp.Dir = d.str(v, what+": dir") },
			"inputs":   func(v *yaml.Node) { j.inputs = d.globs(v, what+": inputs") },
			"outputs":  func(v *yaml.Node) { j.outputs = d.globs(v, what+": outputs") },
			"queue":    func(v *yaml.Node) { sp.Queue = d.str(v, what+": queue") },
			"weight":   func(v *yaml.Node) { sp.Weight = d.number(v, what+": weight") },
			"priority": func(v *yaml.Node) { sp.Priority = d.integer(v, what+": priority", -1<<31) },
			"tenant":   func(v *yaml.Node) { sp.Tenant = d.str(v, what+": tenant") },
			"cost":     func(v *yaml.Node) { sp.Cost = d.number(v, what+": cost") },
			"gpus":     func(v *yaml.Node) { sp.Needs.GPUs = d.integer(v, what+": gpus", 0) },
			"key":      func(v *yaml.Node) { sp.Key, j.keyed = d.str(v, what+": key"), true },
			"timeout":  func(v *yaml.Node) { sp.Timeout = d.duration(v, what+": timeout") },
			"retries":  func(v *yaml.Node) { sp.Retries = d.integer(v, what+": retries", 0) },
			"backoff":  func(v *yaml.Node) { sp.Backoff = d.duration(v, what+": backoff") },
			"trigger":  func(v *yaml.Node) { sp.Trigger = d.trigger(v, what) },
		}
		d.fields(item, what, jobKeys, func(key string, v *yaml.Node) {
			j.ref[key] = v
			read[key](v)
		})
		p.jobs = append(p.jobs, j)
	}
}

// command reads cmd: a string, run by sh -c, or a list, run as it is.
func (d *decoder) command(n *yaml.Node, what string) []string {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		if strings.TrimSpace(n.Value) == "" {
			d.errorf(n, "write the shell command to run", "%s: cmd is empty", what)
			return nil
		}
		return []string{"sh", "-c", n.Value}
	}
	argv, _ := d.strings(n, what+": cmd")
	if len(argv) == 0 && n.Kind == yaml.SequenceNode {
		d.errorf(n, "write the program and its arguments", "%s: cmd is an empty list", what)
	}
	return argv
}

var triggers = map[string]dagq.TriggerRule{
	"all_succeeded": dagq.AllSucceeded, "any_succeeded": dagq.AnySucceeded, "all_done": dagq.AllDone,
}

func (d *decoder) trigger(n *yaml.Node, what string) dagq.TriggerRule {
	v := d.str(n, what+": trigger")
	r, ok := triggers[v]
	if !ok && n.Kind == yaml.ScalarNode {
		d.errorf(n, "use all_succeeded (the default), any_succeeded or all_done", "%s: unknown trigger %q", what, v)
	}
	return r
}

// checkGPUs reads the device list, from the flag if given.
func (p *pipeline) checkGPUs(d *decoder, flag *string) {
	if flag != nil {
		p.gpus, p.gpusAt = *flag, nil
	}
	ids, err := dagq.ParseGPUIDs(p.gpus)
	if de, ok := errors.AsType[*dagq.DeviceListError](err); ok {
		fix := `write device ids like "0,1,3", "0-3" or "0-1,4", or "none"`
		if p.gpusAt == nil {
			d.errs = append(d.errs, &inputError{File: "--gpus", Msg: fmt.Sprintf("bad item %q: %s", de.Item, de.Reason), Fix: fix})
			return
		}
		d.errorf(p.gpusAt, fix, "gpus %q: bad item %q: %s", de.List, de.Item, de.Reason)
	}
	p.gpuIDs = ids
}

// check reports what a job gets wrong on its own or about queues and
// other jobs' names.
func (p *pipeline) check(d *decoder) {
	queues := map[string]bool{"default": true}
	for _, q := range p.queues {
		queues[q.name] = true
	}
	names := map[string]*jobDef{}
	var known []string
	for _, j := range p.jobs {
		sp := &j.spec
		switch prev := names[sp.Name]; {
		case sp.Name == "":
			d.errorf(j.at, "add `name: <unique name>`", "a job has no name")
			continue
		case prev != nil:
			d.errorf(j.ref["name"], "give each job its own name", "job %q is already defined at line %d", sp.Name, prev.at.Line)
			continue
		}
		names[sp.Name] = j
		known = append(known, sp.Name)
		if j.ref["cmd"] == nil {
			d.errorf(j.at, "add `cmd: <shell command>`", "job %q has no cmd", sp.Name)
		}
		if sp.Queue != "" && !queues[sp.Queue] {
			d.errorf(j.ref["queue"], "declare it under `queues:` or remove `queue:` to use the default queue", "job %q: unknown queue %q", sp.Name, sp.Queue)
		}
		if n := sp.Needs.GPUs; n > 0 && len(p.gpuIDs) > 0 && n > len(p.gpuIDs) {
			d.errorf(j.ref["gpus"], "ask for fewer GPUs or list more device ids in `gpus:`", "job %q needs %d GPUs, only %d exist (%s)", sp.Name, n, len(p.gpuIDs), p.gpus)
		}
	}
	for _, j := range p.jobs {
		for i, dep := range j.spec.Deps {
			switch {
			case dep == j.spec.Name:
				d.errorf(j.depsAt[i], "remove it from deps", "job %q depends on itself", dep)
			case names[dep] == nil && j.spec.Name != "":
				d.errorf(j.depsAt[i], suggestJob(dep, known), "job %q: unknown dependency %q", j.spec.Name, dep)
			}
		}
	}
}

func suggestJob(name string, known []string) string {
	if s := suggest(name, known); strings.HasPrefix(s, "did") {
		return s
	}
	return "name one of the jobs: " + strings.Join(known, ", ")
}

// checkCycles reports a dependency cycle, pointing at each dependency
// that closes it.
func (p *pipeline) checkCycles(d *decoder) {
	_, err := dagq.Plan(p.specs())
	ce, ok := errors.AsType[*dagq.CycleError](err)
	if !ok {
		if err != nil {
			d.errorf(p.jobs[0].at, "", "%v", err)
		}
		return
	}
	byName := map[string]*jobDef{}
	for _, j := range p.jobs {
		byName[j.spec.Name] = j
	}
	path := strings.Join(ce.Path, " -> ")
	for i := 0; i+1 < len(ce.Path); i++ {
		j := byName[ce.Path[i]]
		for k, dep := range j.spec.Deps {
			if dep == ce.Path[i+1] {
				d.errorf(j.depsAt[k], "remove one of the dependencies of the cycle", "job %q depends on %q, closing the cycle %s", j.spec.Name, dep, path)
				break
			}
		}
	}
}

// order returns the jobs in a topological order (dependencies first,
// ties in file order). The pipeline's graph was checked when it was read.
func (p *pipeline) order() []*jobDef {
	byName := map[string]*jobDef{}
	for _, j := range p.jobs {
		byName[j.spec.Name] = j
	}
	g, err := dagq.Plan(p.specs())
	if err != nil {
		return p.jobs // cannot happen: checkCycles passed
	}
	out := make([]*jobDef, 0, len(p.jobs))
	for _, name := range g.Order() {
		out = append(out, byName[name])
	}
	return out
}

// specs returns the jobs' specs, in file order.
func (p *pipeline) specs() []dagq.Spec {
	out := make([]dagq.Spec, len(p.jobs))
	for i, j := range p.jobs {
		out[i] = j.spec
	}
	return out
}

// known reports the names that are not jobs, as given by flag.
func (p *pipeline) known(flag string, names []string) error {
	var errs inputErrors
	all := make([]string, len(p.jobs))
	for i, j := range p.jobs {
		all[i] = j.spec.Name
	}
	for _, name := range names {
		if !slices.Contains(all, name) {
			errs = append(errs, &inputError{File: flag, Msg: fmt.Sprintf("no job named %q", name), Fix: suggestJob(name, all)})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// only keeps the jobs named in targets and those they depend on,
// transitively, in file order; no targets keeps every job. An unknown
// name is an [inputErrors].
func (p *pipeline) only(targets []string) error {
	if len(targets) == 0 {
		return nil
	}
	byName := map[string]*jobDef{}
	known := make([]string, 0, len(p.jobs))
	for _, j := range p.jobs {
		byName[j.spec.Name] = j
		known = append(known, j.spec.Name)
	}
	var errs inputErrors
	keep := map[string]bool{}
	stack := []string{}
	for _, t := range targets {
		if byName[t] == nil {
			errs = append(errs, &inputError{File: p.file, Msg: fmt.Sprintf("no job named %q to run", t), Fix: suggestJob(t, known)})
			continue
		}
		stack = append(stack, t)
	}
	if len(errs) > 0 {
		return errs
	}
	for len(stack) > 0 {
		name := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if keep[name] {
			continue
		}
		keep[name] = true
		stack = append(stack, byName[name].spec.Deps...)
	}
	p.jobs = slices.DeleteFunc(p.jobs, func(j *jobDef) bool { return !keep[j.spec.Name] })
	return nil
}
