// Package eventlog is a log of records written by one owner, under its
// lock, and read by several readers at their own pace without it. The
// log is a list of fixed-size chunks, so that a lagging reader's backlog
// grows without copying what it holds; a chunk every reader has passed is
// reused. Each record may have a companion value of type M, stored beside
// it only in chunks that need one.
//
// The writer fills a record, then publishes it by storing the number of
// records published (Seq); it stores a chunk's successor before it
// writes in that successor. A reader that loaded Seq may thus read every
// record before it, and follow Next out of a full chunk.
package eventlog

import (
	"sync"
	"sync/atomic"
)

const (
	// ChunkLen is how many records a chunk holds.
	ChunkLen = 256
	// maxFree is how many emptied chunks are kept for reuse.
	maxFree = 64
	// cacheLine is how many bytes keep apart what the writer and the
	// readers write (two lines, for adjacent-line prefetch).
	cacheLine = 128
)

// Chunk is a run of ChunkLen records.
type Chunk[R, M any] struct {
	Recs [ChunkLen]R
	more *[ChunkLen]M // made when first needed
	base uint64       // sequence number of Recs[0]; set before the chunk is shared
	next atomic.Pointer[Chunk[R, M]]
	// refs counts the readers that have not passed the chunk, plus one
	// while it is the log's tail. A reader that leaves the log early does
	// not give its references back: its chunks are then left to the
	// garbage collector instead of being reused.
	refs atomic.Int32
}

// Base returns the sequence number of the chunk's first record.
func (c *Chunk[R, M]) Base() uint64 { return c.base }

// Next returns the chunk after c, once the writer has moved on to it.
func (c *Chunk[R, M]) Next() *Chunk[R, M] { return c.next.Load() }

// Pos is a position in the log: record I of chunk C.
type Pos[R, M any] struct {
	C *Chunk[R, M]
	I int32
}

// Seq returns the sequence number of the record at p.
func (p Pos[R, M]) Seq() uint64 { return p.C.base + uint64(p.I) }

// Log is the log. Methods ending in Locked are called by the writer,
// under its lock; the others by anyone. The zero value is empty and ready
// to use.
type Log[R, M any] struct {
	tail *Chunk[R, M] // where records are appended; nil until the first reader
	n    int32        // records in tail

	// seq, which readers poll, has cache lines of its own: the writer's
	// writes to its neighbours would otherwise wait for the readers.
	_   [cacheLine]byte
	seq atomic.Uint64 // records published; written under the writer's lock
	_   [cacheLine]byte

	mu   sync.Mutex     // guards free
	free []*Chunk[R, M] // chunks every reader passed, for reuse (at most maxFree)
}

// Seq returns how many records were published.
func (l *Log[R, M]) Seq() uint64 { return l.seq.Load() }

// Reusable returns how many emptied chunks the log keeps for reuse.
func (l *Log[R, M]) Reusable() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.free)
}

// AttachLocked adds a reader, which reads from the next record on, and
// returns its starting position.
func (l *Log[R, M]) AttachLocked() Pos[R, M] {
	if l.tail == nil {
		l.setTailLocked(l.newChunk(0), 1)
	}
	l.tail.refs.Add(1)
	return Pos[R, M]{l.tail, l.n}
}

// EndLocked returns the position of the next record: a reader that
// leaves the log now stops there.
func (l *Log[R, M]) EndLocked() Pos[R, M] { return Pos[R, M]{l.tail, l.n} }

// ReserveLocked returns the next record, for the writer to fill (it may
// hold an older record: every field must be set) and then publish with
// PublishLocked; readers is the number of readers attached. A log
// without readers must not be written to.
func (l *Log[R, M]) ReserveLocked(readers int) *R {
	if l.n == ChunkLen {
		old := l.tail
		c := l.newChunk(old.base + ChunkLen)
		old.next.Store(c)
		l.setTailLocked(c, int32(readers)+1)
		l.Release(old)
	}
	return &l.tail.Recs[l.n]
}

// MoreLocked returns storage for the companion value of the record
// ReserveLocked returned last (it may hold an older one).
func (l *Log[R, M]) MoreLocked() *M {
	c := l.tail
	if c.more == nil {
		c.more = new([ChunkLen]M)
	}
	return &c.more[l.n]
}

// PublishLocked makes r, the record ReserveLocked returned, visible to
// readers.
func (l *Log[R, M]) PublishLocked(r *R) {
	if r != &l.tail.Recs[l.n] {
		panic("eventlog: publishing a record that was not reserved last")
	}
	l.n++
	l.seq.Add(1)
}

func (l *Log[R, M]) setTailLocked(c *Chunk[R, M], refs int32) {
	c.refs.Store(refs)
	l.tail, l.n = c, 0
}

// newChunk returns a chunk for the records from sequence number base on
// (a reused one still holds old records).
func (l *Log[R, M]) newChunk(base uint64) *Chunk[R, M] {
	l.mu.Lock()
	var c *Chunk[R, M]
	if n := len(l.free); n > 0 {
		c, l.free = l.free[n-1], l.free[:n-1]
	}
	l.mu.Unlock()
	if c == nil {
		c = new(Chunk[R, M])
	}
	c.base = base
	return c
}

// Release drops a reader's reference to c, which it has passed; the last
// one keeps c for reuse. Its records are not cleared (records are
// overwritten in full when reused): what they refer to, the writer holds
// anyway.
func (l *Log[R, M]) Release(c *Chunk[R, M]) {
	if c.refs.Add(-1) != 0 {
		return
	}
	c.next.Store(nil)
	l.mu.Lock()
	if len(l.free) < maxFree {
		l.free = append(l.free, c)
	}
	l.mu.Unlock()
}
