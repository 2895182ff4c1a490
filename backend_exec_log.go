package dagq

import (
	"fmt"
	"io"
	"os"
)

// DefaultExecLogLimit is the size past which an [Exec] log file keeps
// only its head and its tail (see [ExecLogLimit]).
const DefaultExecLogLimit = 64 << 20

type execLogLimitOption int64

func (o execLogLimitOption) applyExec(e *execBackend) { e.logLimit = max(int64(o), 0) }
func (o execLogLimitOption) String() string           { return fmt.Sprintf("ExecLogLimit(%d)", int64(o)) }

// ExecLogLimit caps each attempt's log file (see [ExecLogDir]) at about n
// bytes (default [DefaultExecLogLimit]): past n, the file keeps the first
// n/2 bytes of the output, a line saying how many bytes were dropped, and
// the last n/2 bytes, so that a chatty command cannot fill the disk while
// the start and the end of its output, where errors are, stay readable.
// The file holds the latest bytes while the command runs and is put in
// order when it exits. n ≤ 0 removes the cap.
func ExecLogLimit(n int64) ExecOption { return execLogLimitOption(n) }

// cappedLog writes a log file of at most limit bytes of output (plus the
// marker line): the first head bytes in place, then the later bytes in a
// ring over the rest of the file, which close puts in order.
type cappedLog struct {
	f       *os.File
	limit   int64 // 0: no cap
	head    int64 // bytes of the head, kept in place
	written int64 // bytes of output so far
}

func newCappedLog(f *os.File, limit int64) *cappedLog {
	return &cappedLog{f: f, limit: limit, head: limit / 2}
}

func (l *cappedLog) Write(p []byte) (int, error) {
	n := len(p)
	if l.limit == 0 || l.written+int64(len(p)) <= l.limit {
		_, err := l.f.Write(p)
		l.written += int64(n)
		return n, err
	}
	if room := l.limit - l.written; room > 0 { // fill the file up to the cap first
		if _, err := l.f.Write(p[:room]); err != nil {
			return 0, err
		}
		l.written += room
		p = p[room:]
	}
	ring := l.limit - l.head
	if int64(len(p)) > ring {
		l.written += int64(len(p)) - ring
		p = p[int64(len(p))-ring:]
	}
	for len(p) > 0 {
		at := (l.written - l.head) % ring
		k := min(int64(len(p)), ring-at)
		if _, err := l.f.WriteAt(p[:k], l.head+at); err != nil {
			return 0, err
		}
		l.written += k
		p = p[k:]
	}
	return n, nil
}

// close puts a wrapped ring in order (head, marker, oldest to newest of
// the tail) and closes the file.
func (l *cappedLog) close() error {
	if l.limit == 0 || l.written <= l.limit {
		return l.f.Close()
	}
	err := l.reorder()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// reorder rewrites the file through a temporary file next to it.
func (l *cappedLog) reorder() error {
	name := l.f.Name()
	tmp, err := os.Create(name + ".tmp")
	if err != nil {
		return fmt.Errorf("dagq: exec: log file: %w", err)
	}
	ring := l.limit - l.head
	at := (l.written - l.head) % ring // the oldest byte of the tail
	_, err = io.Copy(tmp, io.NewSectionReader(l.f, 0, l.head))
	if err == nil {
		_, err = fmt.Fprintf(tmp, "\n[dagq: %d bytes of output dropped here, ExecLogLimit(%d)]\n", l.written-l.limit, l.limit)
	}
	if err == nil {
		_, err = io.Copy(tmp, io.NewSectionReader(l.f, l.head+at, ring-at))
	}
	if err == nil {
		_, err = io.Copy(tmp, io.NewSectionReader(l.f, l.head, at))
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("dagq: exec: log file: %w", err)
	}
	return nil
}
