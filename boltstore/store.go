// Package boltstore is a durable [dagq.Store]: the results of keyed tasks
// are kept in one file, with go.etcd.io/bbolt, so that they survive the
// process. A pipeline run again after a crash or an interrupt finds the
// results of the tasks that succeeded and runs only the others:
//
//	st, err := boltstore.Open("results.db")
//	if err != nil { ... }
//	defer st.Close()
//	s := dagq.New(dagq.WithStore(st))
//	dagq.Submit(q, build, dagq.Key("build:"+commit))
//
// Every Save is one bbolt transaction, committed and fsynced before Save
// returns, so a task is marked Succeeded only once its result is on disk;
// a crash at any point loses at most the results of tasks that were not
// yet Succeeded, and never leaves half a record that loads as a success.
// [WithBatch] shares one transaction and one fsync between concurrent
// saves.
//
// Only one process may have the file open at a time; [Open] waits for the
// other to close it for at most the [WithOpenTimeout] duration.
package boltstore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/dagq/dagq"
)

var bucket = []byte("dagq.results")

// Store is a [dagq.Store] kept in a bbolt file. Its methods are safe for
// concurrent use: loads run in parallel with each other and with one save
// at a time.
type Store struct {
	db    *bolt.DB
	codec Codec
	batch bool
	path  string
}

var _ dagq.Store = (*Store)(nil)

// Option configures [Open]. Options print with String.
type Option interface {
	apply(*config)
	String() string
}

type config struct {
	codec       Codec
	batchDelay  time.Duration
	batch       bool
	openTimeout time.Duration
}

type codecOption struct{ c Codec }

func (o codecOption) apply(c *config) {
	if o.c != nil {
		c.codec = o.c
	}
}
func (o codecOption) String() string { return fmt.Sprintf("WithCodec(%T)", o.c) }

// WithCodec sets how results are encoded; the default is [JSON]. A file
// must always be opened with the codec it was written with.
func WithCodec(c Codec) Option { return codecOption{c} }

type batchOption time.Duration

func (o batchOption) apply(c *config) { c.batch, c.batchDelay = true, time.Duration(o) }
func (o batchOption) String() string  { return fmt.Sprintf("WithBatch(%v)", time.Duration(o)) }

// WithBatch makes concurrent saves share transactions: a save waits up to
// maxDelay for others to join its transaction (bbolt's DB.Batch), so that
// many results cost one fsync. Each Save still returns only once its own
// result is on disk. It raises throughput when many keyed tasks finish at
// once, and adds up to maxDelay to each save otherwise. maxDelay ≤ 0
// means bbolt's default, 10ms.
func WithBatch(maxDelay time.Duration) Option { return batchOption(maxDelay) }

type openTimeoutOption time.Duration

func (o openTimeoutOption) apply(c *config) { c.openTimeout = time.Duration(o) }
func (o openTimeoutOption) String() string {
	return fmt.Sprintf("WithOpenTimeout(%v)", time.Duration(o))
}

// WithOpenTimeout sets how long Open waits for another process to close
// the file (default one second).
func WithOpenTimeout(d time.Duration) Option { return openTimeoutOption(d) }

// Open opens the store in the file at path, creating it if the file does
// not exist. It blocks while another process has the file open, up to the
// open timeout. Close the store when done.
//
// Open checks an existing file before using it: its meta pages, that it
// is as long as they say, and every page of its records, in time linear
// in its size. A file that fails (empty, truncated, damaged, or not a
// store) is a [*CorruptError] wrapping [ErrCorrupt], naming the file;
// nothing is written to it. No file content can crash the process: reads
// of the mapped file that fault are turned into that error too.
func Open(path string, opts ...Option) (*Store, error) {
	c := config{codec: JSON(), openTimeout: time.Second}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if err := checkFile(path); err != nil {
		return nil, err
	}
	var db *bolt.DB
	err := guard(path, func() (err error) {
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: c.openTimeout})
		return err
	})
	if errors.Is(err, bolterrors.ErrInvalid) || errors.Is(err, bolterrors.ErrChecksum) || errors.Is(err, bolterrors.ErrVersionMismatch) {
		err = &CorruptError{Path: path, Reason: err.Error()}
	}
	var ce *CorruptError
	switch {
	case errors.As(err, &ce):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	if c.batchDelay > 0 {
		db.MaxBatchDelay = c.batchDelay
	}
	err = guard(path, func() error { return db.View(walk) })
	if err == nil {
		err = db.Update(func(tx *bolt.Tx) error {
			_, err := tx.CreateBucketIfNotExists(bucket)
			return err
		})
	}
	if err != nil {
		if !errors.As(err, &ce) {
			err = fmt.Errorf("boltstore: open %s: %w", path, err)
		}
		return nil, errors.Join(err, db.Close())
	}
	return &Store{db: db, codec: c.codec, batch: c.batch, path: path}, nil
}

// walk reads every key of every bucket, so that a damaged page is met at
// Open (under guard) rather than by a later Load or Keys.
func walk(tx *bolt.Tx) error {
	return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return walkBucket(b, 0) })
}

func walkBucket(b *bolt.Bucket, depth int) error {
	if depth > 16 {
		return errors.New("buckets nested too deep")
	}
	h := fnv.New64a()
	return b.ForEach(func(k, v []byte) error {
		h.Write(k)
		if v == nil {
			if nb := b.Bucket(k); nb != nil {
				return walkBucket(nb, depth+1)
			}
		}
		return nil
	})
}

// Close closes the file. It waits for loads and saves under way.
func (st *Store) Close() error {
	if err := st.db.Close(); err != nil {
		return fmt.Errorf("boltstore: close: %w", err)
	}
	return nil
}

// Load decodes the result recorded under key into into, a non-nil pointer,
// and reports whether there was one; when there was none, into is
// unchanged. A record of another Go type than into's element is an error
// wrapping [dagq.ErrKeyType] (into an interface type, any record is
// decoded as the codec does); a damaged record is an error, never a
// success. Load does not block on saves.
func (st *Store) Load(ctx context.Context, key string, into any) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if err := dagq.CheckStoredType("", into); err != nil {
		return false, fmt.Errorf("boltstore: load %q: %w", key, err)
	}
	var found bool
	err := st.view(func(tx *bolt.Tx) error {
		rec := tx.Bucket(bucket).Get([]byte(key))
		if rec == nil {
			return nil
		}
		found = true
		typ, payload, err := decodeRecord(rec)
		if err != nil {
			return err
		}
		if err := dagq.CheckStoredType(typ, into); err != nil {
			return err
		}
		return st.codec.Unmarshal(payload, into) // payload is valid only inside the transaction
	})
	if err != nil {
		return false, wrapUnlessCorrupt(err, "load %q", key)
	}
	return found, nil
}

// Save records value as the result of key, replacing any older record,
// and returns once it is on disk. A value the codec cannot encode is an
// error and nothing is written; so is a ctx that has ended (the task was
// killed meanwhile).
func (st *Store) Save(ctx context.Context, key string, value any) error {
	payload, err := st.codec.Marshal(value)
	if err != nil {
		return fmt.Errorf("boltstore: save %q: encode %T: %w", key, value, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rec := encodeRecord(dagq.StoredType(value), payload)
	put := func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put([]byte(key), rec) }
	if st.batch {
		err = st.db.Batch(put)
	} else {
		err = st.db.Update(put)
	}
	if err != nil {
		return fmt.Errorf("boltstore: save %q: %w", key, err)
	}
	return nil
}

// Delete forgets the result of key, so that the next task with that key
// runs. Deleting a key that has no result does nothing.
func (st *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := st.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Delete([]byte(key)) })
	if err != nil {
		return fmt.Errorf("boltstore: delete %q: %w", key, err)
	}
	return nil
}

// Keys returns the keys that have a result, in byte order.
func (st *Store) Keys(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var keys []string
	err := st.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, _ []byte) error {
			keys = append(keys, string(k))
			return nil
		})
	})
	if err != nil {
		return nil, wrapUnlessCorrupt(err, "keys")
	}
	return keys, nil
}
