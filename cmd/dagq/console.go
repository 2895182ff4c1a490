package main

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/dagq/dagq"
)

// Output modes of `dagq run --output`: how the jobs' output reaches the
// console (stdout).
const (
	outputPrefixed    = "prefixed"    // each line as it comes, as "[job] line"
	outputInterleaved = "interleaved" // each line as it comes, as it is
	outputGrouped     = "grouped"     // a job's output in one block once the attempt ends
	outputNone        = "none"        // only in the log files
)

var outputModes = []string{outputPrefixed, outputInterleaved, outputGrouped, outputNone}

// maxLine is where a line without a newline is cut, so that a job that
// prints no newline cannot hold memory without bound.
const maxLine = 64 << 10

// maxGroup caps what grouped mode holds of one attempt; the rest is in
// its log file.
const maxGroup = 1 << 20

// console serialises the jobs' output onto one writer, a line (or, in
// grouped mode, a block) at a time, so that lines of different jobs never
// mix. print is the writer's WriteString, or the live display's Print so
// that the lines go above its bars.
type console struct {
	mu     sync.Mutex
	print  func(string)
	mode   string
	github bool // grouped blocks get ::group:: markers (GitHub Actions folds them)
}

// open returns the writer of one attempt's output (ExecOutput).
func (c *console) open(job *dagq.Job) io.Writer {
	if c.mode == outputNone {
		return nil
	}
	name := job.Name
	if job.Attempt > 1 {
		name = fmt.Sprintf("%s#%d", job.Name, job.Attempt)
	}
	return &jobOutput{c: c, name: name}
}

// emit writes s in one piece.
func (c *console) emit(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.print(s)
}

// jobOutput is one attempt's output on its way to the console. Exec
// writes it from one goroutine and closes it when the output ends.
type jobOutput struct {
	c       *console
	name    string
	partial []byte // a line not ended yet
	group   bytes.Buffer
	dropped int // bytes past maxGroup, in grouped mode
}

func (o *jobOutput) Write(p []byte) (int, error) {
	if o.c.mode == outputGrouped {
		keep := min(len(p), max(maxGroup-o.group.Len(), 0))
		o.group.Write(p[:keep])
		o.dropped += len(p) - keep
		return len(p), nil
	}
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			o.partial = append(o.partial, p...)
			for len(o.partial) >= maxLine {
				o.line(o.partial[:maxLine])
				o.partial = append(o.partial[:0], o.partial[maxLine:]...)
			}
			break
		}
		if len(o.partial) > 0 {
			o.partial = append(o.partial, p[:i]...)
			o.line(o.partial)
			o.partial = o.partial[:0]
		} else {
			o.line(p[:i])
		}
		p = p[i+1:]
	}
	return n, nil
}

// line writes one line of output.
func (o *jobOutput) line(b []byte) {
	if o.c.mode == outputPrefixed {
		o.c.emit("[" + o.name + "] " + string(b) + "\n")
		return
	}
	o.c.emit(string(b) + "\n")
}

// Close writes what is left: the last line without a newline, or the
// whole block in grouped mode.
func (o *jobOutput) Close() error {
	if o.c.mode != outputGrouped {
		if len(o.partial) > 0 {
			o.line(o.partial)
		}
		return nil
	}
	if o.group.Len() == 0 {
		return nil
	}
	var b bytes.Buffer
	if o.c.github {
		fmt.Fprintf(&b, "::group::%s\n", o.name)
	} else {
		fmt.Fprintf(&b, "== %s\n", o.name)
	}
	b.Write(o.group.Bytes())
	if !bytes.HasSuffix(o.group.Bytes(), []byte("\n")) {
		b.WriteByte('\n')
	}
	if o.dropped > 0 {
		fmt.Fprintf(&b, "[dagq: %d bytes more of %s are in its log file]\n", o.dropped, o.name)
	}
	if o.c.github {
		b.WriteString("::endgroup::\n")
	}
	o.c.emit(b.String())
	return nil
}
