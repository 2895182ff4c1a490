package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
)

// ErrCorrupt is wrapped by the error of [Open] on a file that is not a
// sound store: empty, truncated, damaged, or of another format.
var ErrCorrupt = errors.New("boltstore: damaged store file")

// CorruptError is the error of [Open] on a file that is not a sound store.
// It wraps [ErrCorrupt]. Nothing in the file is changed: move it aside
// (or restore it from a backup) and Open makes a new store.
type CorruptError struct {
	Path   string
	Reason string // what is wrong, e.g. "file is 8192 bytes, its pages need 24576"
}

// Error names the file, what is wrong and what to do.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("boltstore: %s is not a sound store file (%s): move it aside to start a new store, or restore it from a backup", e.Path, e.Reason)
}

// Unwrap returns ErrCorrupt.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// The bbolt file format, as far as the checks below read it: two meta
// pages (0 and 1), each a 16-byte page header then the meta fields, whose
// FNV-64a checksum covers the 56 bytes before it. Integers are in the
// host's byte order.
const (
	pageHeaderSize   = 16
	metaSize         = 64
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	branchPageFlag   = 0x01
	leafPageFlag     = 0x02
	freelistPageFlag = 0x10
	noFreelist       = ^uint64(0)
)

// meta is what the checks use of a meta page.
type meta struct {
	pageSize uint32
	root     uint64 // the root bucket's page
	freelist uint64 // noFreelist if not stored
	pgid     uint64 // the high-water mark: pages [0, pgid) are in use
	txid     uint64
}

// checkFile checks an existing file before bbolt maps it, so that bbolt
// never reads past its end (a fault no recover catches) or trusts a
// damaged meta page: a valid meta page (the newer of the two), a file
// long enough for the pages it claims, and root and freelist pages of the
// right kind. It returns a *CorruptError for a bad file, nil for a file
// that does not exist.
func checkFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	bad := func(format string, a ...any) error {
		return &CorruptError{Path: path, Reason: fmt.Sprintf(format, a...)}
	}
	size := info.Size()
	switch {
	case size == 0:
		return bad("the file is empty")
	case size < 2*512:
		return bad("the file is %d bytes, too short for a store", size)
	}
	m0, err0 := readMeta(f, 0)
	var m1 meta
	err1 := errors.New("no second meta page")
	if err0 == nil {
		m1, err1 = readMeta(f, int64(m0.pageSize))
	} else if size >= 2*4096 {
		m1, err1 = readMeta(f, 4096) // the first page is damaged: try the usual page size
	}
	m := m0
	switch {
	case err0 != nil && err1 != nil:
		return bad("no valid meta page: %v", err0)
	case err0 != nil || (err1 == nil && m1.txid > m0.txid):
		m = m1
	}
	ps := int64(m.pageSize)
	if m.pgid < 2 || m.pgid > uint64(size/ps) {
		return bad("the file is %d bytes, %d pages of %d bytes, but its meta page claims %d pages", size, size/ps, ps, m.pgid)
	}
	t := &tree{f: f, m: m, seen: map[uint64]bool{}}
	if m.freelist != noFreelist {
		if err := t.freelist(); err != nil {
			return bad("%v", err)
		}
	}
	if err := t.page(m.root, 0); err != nil {
		return bad("%v", err)
	}
	return nil
}

// tree checks the pages of a file as bbolt will read them, with ReadAt
// rather than through a mapping: every page it reaches is below the
// high-water mark, reached once (no cycles), of the kind its parent
// expects, and holds its elements, keys and values within its bounds.
type tree struct {
	f    io.ReaderAt
	m    meta
	seen map[uint64]bool
}

const (
	elemSize       = 16 // a branch or leaf element
	bucketLeafFlag = 0x01
	inBucketSize   = 16 // a bucket's root page and sequence
	maxDepth       = 64
)

// read returns page id with its overflow pages, checked against the
// high-water mark and pages already reached.
func (t *tree) read(id uint64) ([]byte, error) {
	ps := int64(t.m.pageSize)
	if id < 2 || id >= t.m.pgid {
		return nil, fmt.Errorf("page %d outside pages 2 to %d", id, t.m.pgid-1)
	}
	var h [pageHeaderSize]byte
	if _, err := t.f.ReadAt(h[:], int64(id)*ps); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	overflow := uint64(binary.NativeEndian.Uint32(h[12:]))
	if id+overflow >= t.m.pgid {
		return nil, fmt.Errorf("page %d runs past the high-water mark %d", id, t.m.pgid)
	}
	for i := id; i <= id+overflow; i++ {
		if t.seen[i] {
			return nil, fmt.Errorf("page %d reached twice", i)
		}
		t.seen[i] = true
	}
	b := make([]byte, int64(overflow+1)*ps)
	if _, err := t.f.ReadAt(b, int64(id)*ps); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	return b, nil
}

// freelist checks the freelist page: its ids fit in it and are in use.
func (t *tree) freelist() error {
	b, err := t.read(t.m.freelist)
	if err != nil {
		return err
	}
	e := binary.NativeEndian
	if e.Uint16(b[8:]) != freelistPageFlag {
		return fmt.Errorf("freelist page %d is not a freelist page", t.m.freelist)
	}
	idx, count := uint64(0), uint64(e.Uint16(b[10:]))
	if count == 0xFFFF {
		idx, count = 1, e.Uint64(b[pageHeaderSize:])
	}
	if count > uint64(len(b)-pageHeaderSize)/8-idx {
		return fmt.Errorf("freelist page %d lists %d ids, more than it holds", t.m.freelist, count)
	}
	for i := range count {
		if id := e.Uint64(b[pageHeaderSize+8*(idx+i):]); id < 2 || id >= t.m.pgid {
			return fmt.Errorf("freelist page %d lists page %d, outside pages 2 to %d", t.m.freelist, id, t.m.pgid-1)
		}
	}
	return nil
}

// page checks the tree rooted at page id.
func (t *tree) page(id uint64, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("page %d: tree deeper than %d", id, maxDepth)
	}
	b, err := t.read(id)
	if err != nil {
		return err
	}
	return t.node(b, id, depth)
}

// node checks page b (id, or 0 for a bucket's inline page).
func (t *tree) node(b []byte, id uint64, depth int) error {
	e := binary.NativeEndian
	if len(b) < pageHeaderSize {
		return fmt.Errorf("page %d: shorter than its header", id)
	}
	flags, count := e.Uint16(b[8:]), int(e.Uint16(b[10:]))
	if pageHeaderSize+count*elemSize > len(b) {
		return fmt.Errorf("page %d: %d elements do not fit", id, count)
	}
	for i := range count {
		at := pageHeaderSize + i*elemSize
		el := b[at : at+elemSize]
		switch flags {
		case branchPageFlag:
			pos, ksize := int(e.Uint32(el[0:])), int(e.Uint32(el[4:]))
			if at+pos+ksize > len(b) || pos < 0 || ksize < 0 {
				return fmt.Errorf("page %d: key %d out of the page", id, i)
			}
			if err := t.page(e.Uint64(el[8:]), depth+1); err != nil {
				return err
			}
		case leafPageFlag:
			lf, pos, ksize, vsize := e.Uint32(el[0:]), int(e.Uint32(el[4:])), int(e.Uint32(el[8:])), int(e.Uint32(el[12:]))
			end := at + pos + ksize + vsize
			if pos < 0 || ksize < 0 || vsize < 0 || end > len(b) || end < at {
				return fmt.Errorf("page %d: element %d out of the page", id, i)
			}
			if lf&bucketLeafFlag == 0 {
				continue
			}
			v := b[at+pos+ksize : end]
			if len(v) < inBucketSize {
				return fmt.Errorf("page %d: bucket %d too short", id, i)
			}
			if root := e.Uint64(v); root != 0 {
				if err := t.page(root, depth+1); err != nil {
					return err
				}
			} else if err := t.node(v[inBucketSize:], 0, depth+1); err != nil {
				return err
			}
		default:
			return fmt.Errorf("page %d: flags %#x, want a branch or leaf page", id, flags)
		}
	}
	return nil
}

// readMeta reads and validates the meta page at off.
func readMeta(f io.ReaderAt, off int64) (meta, error) {
	var b [pageHeaderSize + metaSize]byte
	if _, err := f.ReadAt(b[:], off); err != nil {
		return meta{}, fmt.Errorf("meta page at %d: %w", off, err)
	}
	e := binary.NativeEndian
	p := b[pageHeaderSize:]
	h := fnv.New64a()
	h.Write(p[:56])
	m := meta{pageSize: e.Uint32(p[8:]), root: e.Uint64(p[16:]), freelist: e.Uint64(p[32:]), pgid: e.Uint64(p[40:]), txid: e.Uint64(p[48:])}
	switch {
	case e.Uint32(p[0:]) != boltMagic:
		return meta{}, fmt.Errorf("meta page at %d: not a bbolt file", off)
	case e.Uint32(p[4:]) != boltVersion:
		return meta{}, fmt.Errorf("meta page at %d: format version %d, want %d", off, e.Uint32(p[4:]), boltVersion)
	case e.Uint64(p[56:]) != h.Sum64():
		return meta{}, fmt.Errorf("meta page at %d: checksum mismatch", off)
	case m.pageSize < 512 || m.pageSize > 1<<20 || m.pageSize&(m.pageSize-1) != 0:
		return meta{}, fmt.Errorf("meta page at %d: page size %d", off, m.pageSize)
	}
	return m, nil
}

// guard runs fn, turning a panic, and a memory fault while reading the
// mapped file (which would otherwise end the process), into a
// *CorruptError naming path.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &CorruptError{Path: path, Reason: fmt.Sprint(r)}
		}
	}()
	return fn()
}

// view runs fn in a read transaction under guard.
func (st *Store) view(fn func(*bolt.Tx) error) error {
	return guard(st.path, func() error { return st.db.View(fn) })
}

// wrapUnlessCorrupt adds the operation to err, unless err is a
// *CorruptError, which already names the file.
func wrapUnlessCorrupt(err error, format string, a ...any) error {
	if ce, ok := errors.AsType[*CorruptError](err); ok {
		return ce
	}
	return fmt.Errorf("boltstore: %s: %w", fmt.Sprintf(format, a...), err)
}
