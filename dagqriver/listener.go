package dagqriver

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/rivertype"
)

// note is a finished job, as the trigger's notification or a read of the
// row gives it.
type note struct {
	ID      int64           `json:"id"`
	Run     string          `json:"run"`
	Task    uint64          `json:"task"`
	Attempt int             `json:"attempt"`
	State   string          `json:"state"`
	Output  json.RawMessage `json:"output"`
	Error   string          `json:"error"`
	Big     bool            `json:"big"` // too large to notify: read the row
}

func finished(state string) bool {
	return state == "completed" || state == "discarded" || state == "cancelled"
}

// noteOf describes a finished job row.
func noteOf(j *rivertype.JobRow) *note {
	var a jobArgs
	_ = json.Unmarshal(j.EncodedArgs, &a)
	n := &note{ID: j.ID, Run: a.Run, Task: a.Task, Attempt: a.Attempt, State: string(j.State), Output: j.Output()}
	if len(j.Errors) > 0 {
		n.Error = j.Errors[len(j.Errors)-1].Error
	}
	return n
}

// listen opens a connection of its own that LISTENs for finished jobs.
func (b *Backend) listen(ctx context.Context) (*pgx.Conn, error) {
	c, err := b.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("dagq: river: the database is not reachable: %w", err)
	}
	conn := c.Hijack()
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		_ = conn.Close(context.Background())
		return nil, fmt.Errorf("dagq: river: LISTEN %s: %w", channel, err)
	}
	return conn, nil
}

// listenLoop hands notifications to the waiting Run calls until ctx ends.
// When the connection breaks it reconnects, with back-off, and reads the
// state of every job in flight, since notifications sent meanwhile are
// lost.
func (b *Backend) listenLoop(ctx context.Context, conn *pgx.Conn) {
	defer b.done.Done()
	defer func() { _ = conn.Close(context.Background()) }()
	delay := 50 * time.Millisecond
	for {
		msg, err := conn.WaitForNotification(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			var n note
			if json.Unmarshal([]byte(msg.Payload), &n) == nil && n.Run == b.run {
				b.mu.Lock()
				b.deliverLocked(&n)
				b.mu.Unlock()
			}
			continue
		}
		b.log.Warn("dagq: river: lost the listening connection; reconnecting", "err", err)
		_ = conn.Close(context.Background())
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			delay = min(2*delay, 5*time.Second)
			c, err := b.listen(ctx)
			if err == nil {
				conn = c
				break
			}
			b.log.Warn("dagq: river: reconnecting", "err", err)
		}
		delay = 50 * time.Millisecond
		b.resync(ctx)
	}
}

// pollLoop reads the state of the jobs in flight every PollInterval, in
// case a notification was missed.
func (b *Backend) pollLoop(ctx context.Context) {
	defer b.done.Done()
	t := time.NewTicker(b.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			b.resync(ctx)
		}
	}
}

// resync reads, in one query, which jobs in flight have finished, and
// delivers their outcomes.
func (b *Backend) resync(ctx context.Context) {
	b.mu.Lock()
	var ids []int64
	for _, w := range b.waiting {
		if w.id != 0 && w.note == nil {
			ids = append(ids, w.id)
		}
	}
	b.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	notes, err := b.readNotes(ctx, ids)
	if err != nil {
		b.log.Warn("dagq: river: reading the state of jobs in flight", "err", err)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range notes {
		b.deliverLocked(n)
	}
}

// readNotes reads the finished jobs among ids.
func (b *Backend) readNotes(ctx context.Context, ids []int64) ([]*note, error) {
	rows, err := b.pool.Query(ctx, `
		SELECT id, args->>'run', (args->>'task')::bigint, (args->>'attempt')::bigint, state::text,
			coalesce(metadata->'output', 'null'::jsonb), coalesce(errors[array_length(errors, 1)]->>'error', '')
		FROM river_job WHERE id = ANY($1) AND state IN ('completed', 'discarded', 'cancelled')`, ids)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*note, error) {
		n := &note{}
		var out []byte
		err := r.Scan(&n.ID, &n.Run, &n.Task, &n.Attempt, &n.State, &out, &n.Error)
		if string(out) != "null" {
			n.Output = out
		}
		return n, err
	})
}
