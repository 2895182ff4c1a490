package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dagq/dagq"
)

// A job's cache key stands for everything its result depends on: its
// name, command, environment and directory, the content of the files its
// `inputs:` match, and the keys of its dependencies. A change anywhere
// upstream changes the key of every job downstream of it, and of nothing
// else.
//
// Which jobs run (plan): a job runs if it is forced, if its key has no
// success recorded in the state file, if one of its `outputs:` matches no
// file, if one of its dependencies runs, or if it declares no inputs and
// the run is not --resume (a job without inputs could depend on anything:
// only --resume trusts its record). Every other job is cached: it is not
// run, and the summary says so.

// glob is a file pattern of `inputs:` or `outputs:`: path segments
// separated by '/', each matched as [path.Match] does (*, ?, [a-z]),
// and "**" matching any number of directories.
type glob struct {
	pattern string   // as written
	base    string   // the leading segments without wildcards: where to look
	parts   []string // the rest, to match; empty for a plain path
}

// newGlob checks and splits a pattern.
func newGlob(pattern string) (glob, error) {
	if strings.TrimSpace(pattern) == "" {
		return glob{}, errors.New("empty pattern")
	}
	segs := strings.Split(path.Clean(filepath.ToSlash(pattern)), "/")
	i := slices.IndexFunc(segs, func(s string) bool { return strings.ContainsAny(s, `*?[\`) })
	if i < 0 {
		return glob{pattern: pattern, base: path.Join(segs...)}, nil
	}
	for _, s := range segs[i:] {
		if _, err := path.Match(s, ""); err != nil {
			return glob{}, fmt.Errorf("bad pattern %q: %w", pattern, err)
		}
	}
	base := path.Join(segs[:i]...)
	if strings.HasPrefix(pattern, "/") {
		base = "/" + base
	}
	return glob{pattern: pattern, base: base, parts: segs[i:]}, nil
}

// match reports whether rel (slash-separated, relative to the base)
// matches the pattern's parts.
func matchParts(parts, rel []string) bool {
	for len(parts) > 0 {
		if parts[0] == "**" {
			for k := 0; k <= len(rel); k++ {
				if matchParts(parts[1:], rel[k:]) {
					return true
				}
			}
			return false
		}
		if len(rel) == 0 {
			return false
		}
		if ok, _ := path.Match(parts[0], rel[0]); !ok {
			return false
		}
		parts, rel = parts[1:], rel[1:]
	}
	return len(rel) == 0
}

// skipDirs are never searched for inputs: version control and dagq's own.
var skipDirs = map[string]bool{".git": true, ".hg": true, ".svn": true, ".dagq": true}

// files returns the regular files the pattern matches under dir, sorted.
func (g glob) files(dir string) ([]string, error) {
	base := g.base
	if !filepath.IsAbs(base) {
		base = filepath.Join(dir, base)
	}
	if len(g.parts) == 0 {
		st, err := os.Stat(base)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, nil
		case err != nil:
			return nil, err
		case st.IsDir():
			return (glob{pattern: g.pattern, base: g.base, parts: []string{"**", "*"}}).files(dir)
		}
		return []string{base}, nil
	}
	var out []string
	err := filepath.WalkDir(base, func(p string, e fs.DirEntry, err error) error {
		switch {
		case errors.Is(err, fs.ErrNotExist) && p == base:
			return fs.SkipAll
		case err != nil:
			return err
		case e.IsDir() && p != base && skipDirs[e.Name()]:
			return fs.SkipDir
		case e.IsDir():
			return nil
		}
		rel, err := filepath.Rel(base, p)
		if err != nil {
			return err
		}
		if matchParts(g.parts, strings.Split(filepath.ToSlash(rel), "/")) {
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}

// hasher computes the jobs' keys, hashing a file again only when its
// size or modification time changed. It is safe for concurrent use.
type hasher struct {
	mu   sync.Mutex
	sums map[string]fileSum
}

// fileSum is a file's content hash and what tells it changed.
type fileSum struct {
	size  int64
	mtime time.Time
	sum   string
}

func newHasher() *hasher { return &hasher{sums: map[string]fileSum{}} }

// sum returns the hex sha256 of a file's content.
func (h *hasher) sum(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	h.mu.Lock()
	s, ok := h.sums[file]
	h.mu.Unlock()
	if ok && s.size == st.Size() && s.mtime.Equal(st.ModTime()) {
		return s.sum, nil
	}
	d := sha256.New()
	if _, err := io.Copy(d, f); err != nil {
		return "", err
	}
	s = fileSum{size: st.Size(), mtime: st.ModTime(), sum: hex.EncodeToString(d.Sum(nil))}
	h.mu.Lock()
	h.sums[file] = s
	h.mu.Unlock()
	return s.sum, nil
}

// jobDir is the directory a job runs in and its patterns are read from.
func jobDir(j *jobDef) string {
	if j.spec.Dir == "" {
		return "."
	}
	return j.spec.Dir
}

// key returns a job's key, from its files as they are now and its
// dependencies' keys as depKey gives them.
func (h *hasher) key(j *jobDef, depKey func(dep string) string) (string, error) {
	d := sha256.New()
	field := func(s string) { fmt.Fprintf(d, "%d:%s\n", len(s), s) }
	field(j.spec.Name)
	for _, a := range j.spec.Cmd {
		field("cmd " + a)
	}
	for _, kv := range slices.Sorted(slices.Values(j.spec.Env)) {
		field("env " + kv)
	}
	field("dir " + j.spec.Dir)
	for _, g := range j.inputs {
		field("input " + g.pattern)
		files, err := g.files(jobDir(j))
		if err != nil {
			return "", fmt.Errorf("job %q: inputs %q: %w", j.spec.Name, g.pattern, err)
		}
		for _, f := range files {
			s, err := h.sum(f)
			if err != nil {
				return "", fmt.Errorf("job %q: input %s: %w", j.spec.Name, f, err)
			}
			field("file " + filepath.ToSlash(f) + " " + s)
		}
	}
	for _, dep := range j.spec.Deps {
		field("dep " + depKey(dep))
	}
	return "job:" + j.spec.Name + ":" + hex.EncodeToString(d.Sum(nil)[:12]), nil
}

// computeKeys sets the key of every job that was not given one, in
// dependency order (order lists the jobs so).
func (h *hasher) computeKeys(order []*jobDef) error {
	keys := map[string]string{}
	for _, j := range order {
		if !j.keyed {
			k, err := h.key(j, func(dep string) string { return keys[dep] })
			if err != nil {
				return err
			}
			j.spec.Key = k
		}
		keys[j.spec.Name] = j.spec.Key
	}
	return nil
}

// startKeys wraps the backend that runs the jobs, to record each job's
// success under its key as of its start too. The key computed before the
// run cannot know the files that the job's dependencies make during the
// run (a build's output, the input of the job that packages it); the
// next run computes its keys from them as they are then, and finds the
// success recorded under the key the job really ran with.
type startKeys struct {
	dagq.Capacity
	h    *hasher
	st   dagq.Store
	jobs map[string]*jobDef

	mu      sync.Mutex
	started map[string]string // job → its key at its start
}

func newStartKeys(inner dagq.Capacity, h *hasher, st dagq.Store, jobs []*jobDef) *startKeys {
	k := &startKeys{Capacity: inner, h: h, st: st, jobs: map[string]*jobDef{}, started: map[string]string{}}
	for _, j := range jobs {
		k.jobs[j.spec.Name] = j
	}
	return k
}

// Run computes the job's key from its inputs as they are now, runs it, and
// records a success under that key if it differs from the job's.
func (k *startKeys) Run(ctx context.Context, job *dagq.Job) (any, error) {
	j := k.jobs[job.Name]
	if j == nil || j.keyed {
		return k.Capacity.Run(ctx, job)
	}
	key, err := k.h.key(j, k.depKey)
	if err != nil {
		return nil, fmt.Errorf("dagq: hashing the inputs: %w", err)
	}
	k.mu.Lock()
	k.started[job.Name] = key
	k.mu.Unlock()
	v, err := k.Capacity.Run(ctx, job)
	if err == nil && key != j.spec.Key {
		if err := k.st.Save(ctx, key, nil); err != nil {
			return nil, fmt.Errorf("dagq: state file: recording the job's success: %w", err)
		}
	}
	return v, err
}

// depKey is a dependency's key as of its start, if it ran.
func (k *startKeys) depKey(dep string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	if s, ok := k.started[dep]; ok {
		return s
	}
	return k.jobs[dep].spec.Key
}

// outputsMissing names the first of a job's output patterns that matches
// no file, or returns "".
func outputsMissing(j *jobDef) (string, error) {
	for _, g := range j.outputs {
		files, err := g.files(jobDir(j))
		if err != nil {
			return "", fmt.Errorf("job %q: outputs %q: %w", j.spec.Name, g.pattern, err)
		}
		if len(files) == 0 {
			return g.pattern, nil
		}
	}
	return "", nil
}

// The reasons a job runs whatever its record says.
const (
	whyNoState  = "no state file"
	whyNoInputs = "no inputs declared"
)

// runPlan is what a run does with each job.
type runPlan struct {
	run map[string]string // job → why it runs; a job not in it is cached
}

// planRun decides which jobs run (see the top of this file): st is the
// state file (nil: none, every job runs), force names jobs to run anyway.
func planRun(order []*jobDef, st dagq.Store, resume bool, force map[string]bool) (runPlan, error) {
	plan := runPlan{run: map[string]string{}}
	for _, j := range order {
		name := j.spec.Name
		why := ""
		switch {
		case st == nil:
			why = whyNoState
		case force[name]:
			why = "forced"
		case len(j.inputs) == 0 && !resume:
			why = whyNoInputs
		}
		if why == "" {
			for _, dep := range j.spec.Deps {
				if _, runs := plan.run[dep]; runs {
					why = "dependency " + dep + " runs"
					break
				}
			}
		}
		if why == "" {
			var v any
			found, err := st.Load(context.Background(), j.spec.Key, &v)
			switch {
			case err != nil:
				return plan, fmt.Errorf("state file: job %q: %w", name, err)
			case !found:
				why = "changed, or never succeeded"
			}
		}
		if why == "" {
			missing, err := outputsMissing(j)
			if err != nil {
				return plan, err
			}
			if missing != "" {
				why = fmt.Sprintf("output %s missing", missing)
			}
		}
		if why != "" {
			plan.run[name] = why
		}
	}
	return plan, nil
}
