package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dagq/dagq"
)

// runLogs is the log directory of one run, <logs>/<run>/, where each
// attempt writes <job>.<attempt>.log; <logs>/latest links to the newest
// run, and only the newest keep runs are kept.
type runLogs struct {
	root string // --logs
	dir  string // this run's, under root
}

// newRunLogs makes this run's directory, named after the time it starts,
// points latest at it and removes the oldest runs past keep.
func newRunLogs(root string, now time.Time, keep int) (*runLogs, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("log directory: %w", err)
	}
	var name string
	for ; ; now = now.Add(time.Millisecond) { // names sort as the runs started
		name = now.Format("20060102-150405.000")
		err := os.Mkdir(filepath.Join(root, name), 0o755)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("log directory: %w", err)
		}
	}
	r := &runLogs{root: root, dir: filepath.Join(root, name)}
	if err := r.link(name); err != nil {
		return nil, err
	}
	return r, r.prune(keep)
}

// link points root/latest at the run, replacing the link atomically.
func (r *runLogs) link(name string) error {
	tmp := filepath.Join(r.root, ".latest.tmp")
	_ = os.Remove(tmp)
	if err := os.Symlink(name, tmp); err != nil {
		return fmt.Errorf("log directory: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(r.root, "latest")); err != nil {
		return fmt.Errorf("log directory: %w", err)
	}
	return nil
}

// prune removes the oldest run directories past keep (0: keep all).
func (r *runLogs) prune(keep int) error {
	if keep <= 0 {
		return nil
	}
	entries, err := os.ReadDir(r.root)
	if err != nil {
		return fmt.Errorf("log directory: %w", err)
	}
	var runs []string
	for _, e := range entries {
		if _, err := time.Parse("20060102-150405.000", e.Name()); err == nil && e.IsDir() {
			runs = append(runs, e.Name())
		}
	}
	slices.Sort(runs)
	for _, old := range runs[:max(len(runs)-keep, 0)] {
		if err := os.RemoveAll(filepath.Join(r.root, old)); err != nil {
			return fmt.Errorf("log directory: removing an old run: %w", err)
		}
	}
	return nil
}

// name is ExecLogName: <run>/<job>.<attempt>.log, with characters other
// than letters, digits, '.', '-' and '_' replaced (and then the job's id
// added, so that two such names cannot meet).
func (r *runLogs) name(job *dagq.Job) string {
	safe := strings.Map(func(c rune) rune {
		if c == '.' || c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			return c
		}
		return '_'
	}, job.Name)
	if safe != job.Name || safe == "" || safe == "." || safe == ".." {
		safe = fmt.Sprintf("%s-%d", safe, job.ID)
	}
	return filepath.Join(filepath.Base(r.dir), fmt.Sprintf("%s.%d.log", safe, job.Attempt))
}
