package dagq

import (
	"sync"
	"sync/atomic"
)

// The event log holds the records of a scheduler's events (event_record.go)
// once, for every sink: the scheduler appends under its lock, each sink
// reads at its own pace without it. It is a list of fixed-size chunks, so
// that a lagging sink's backlog grows without copying what it holds; a
// chunk every reader has passed is reused.
const (
	logChunkLen   = 256 // records per chunk
	maxFreeChunks = 64  // emptied chunks kept for reuse
	cacheLine     = 128 // bytes kept apart to avoid false sharing (two lines, for adjacent-line prefetch)
)

// logChunk is a run of logChunkLen records.
type logChunk struct {
	recs [logChunkLen]record
	more *[logChunkLen]recordMore // recs[i].more is &more[i] or nil; made when first needed
	base uint64                   // sequence number of recs[0]; set before the chunk is shared
	next atomic.Pointer[logChunk]
	// refs counts the readers that have not passed the chunk, plus one
	// while it is the log's tail. A reader that leaves the log early does
	// not give its references back: its chunks are then left to the
	// garbage collector instead of being reused.
	refs atomic.Int32
}

// eventLog is the scheduler's event log. The scheduler writes a record,
// then stores the number of records in seq; it stores a chunk's next
// before it writes in the next chunk. A reader that loaded seq may thus
// read every record before it, and follow next out of a full chunk.
type eventLog struct {
	tail *logChunk // where records are appended; nil until the first reader; guarded by Scheduler.mu
	n    int32     // records in tail; guarded by Scheduler.mu

	// seq, which readers poll, has cache lines of its own: the scheduler's
	// writes to its neighbours would otherwise wait for the readers.
	_   [cacheLine]byte
	seq atomic.Uint64 // records published; written under Scheduler.mu
	_   [cacheLine]byte

	mu   sync.Mutex  // guards free
	free []*logChunk // chunks every reader passed, for reuse (at most maxFreeChunks)
}

// logPos is a position in the log: record i of chunk c.
type logPos struct {
	c *logChunk
	i int32
}

// seq returns the sequence number of the record at p.
func (p logPos) seq() uint64 { return p.c.base + uint64(p.i) }

// attachLocked adds a reader, which reads from the next record on, and
// returns its starting position.
func (l *eventLog) attachLocked() logPos {
	if l.tail == nil {
		l.setTailLocked(l.newChunk(0), 1)
	}
	l.tail.refs.Add(1)
	return logPos{l.tail, l.n}
}

// endLocked returns the position of the next record: a reader that
// leaves the log now stops there.
func (l *eventLog) endLocked() logPos { return logPos{l.tail, l.n} }

// reserveLocked returns the next record, for the caller to fill (it may
// hold an older record: every field must be set) and then publish with
// publishLocked; readers is the number of readers attached.
func (l *eventLog) reserveLocked(readers int) *record {
	if l.n == logChunkLen {
		old := l.tail
		c := l.newChunk(old.base + logChunkLen)
		old.next.Store(c)
		l.setTailLocked(c, int32(readers)+1)
		l.release(old)
	}
	return &l.tail.recs[l.n]
}

// moreLocked returns storage for the rarely set fields of the record
// reserveLocked returned last (it may hold older ones).
func (l *eventLog) moreLocked() *recordMore {
	c := l.tail
	if c.more == nil {
		c.more = new([logChunkLen]recordMore)
	}
	return &c.more[l.n]
}

// publishLocked makes r, the record reserveLocked returned, visible to
// readers.
func (l *eventLog) publishLocked(r *record) {
	if r != &l.tail.recs[l.n] {
		panic("dagq: event log: publishing a record that was not reserved last")
	}
	l.n++
	l.seq.Add(1)
}

func (l *eventLog) setTailLocked(c *logChunk, refs int32) {
	c.refs.Store(refs)
	l.tail, l.n = c, 0
}

// newChunk returns a chunk for the records from sequence number base on
// (a reused one still holds old records).
func (l *eventLog) newChunk(base uint64) *logChunk {
	l.mu.Lock()
	var c *logChunk
	if n := len(l.free); n > 0 {
		c, l.free = l.free[n-1], l.free[:n-1]
	}
	l.mu.Unlock()
	if c == nil {
		c = new(logChunk)
	}
	c.base = base
	return c
}

// release drops one reference to c; the last one keeps it for reuse. Its
// records are not cleared (records are overwritten in full when reused):
// what they refer to, the scheduler holds anyway.
func (l *eventLog) release(c *logChunk) {
	if c.refs.Add(-1) != 0 {
		return
	}
	c.next.Store(nil)
	l.mu.Lock()
	if len(l.free) < maxFreeChunks {
		l.free = append(l.free, c)
	}
	l.mu.Unlock()
}
