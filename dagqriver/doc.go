// Package river runs dagq tasks on worker processes through River
// (github.com/riverqueue/river), a job queue on PostgreSQL.
//
// The scheduling stays in dagq — the graph, queues, policies, retries —
// and every task that becomes ready is inserted as one River job naming a
// handler of a [dagq.Registry] and carrying its JSON arguments. Worker
// processes are the user's own binary: it registers the same handlers and
// calls [RunWorker]. The submitter learns that jobs finished through a
// PostgreSQL trigger on River's job table that NOTIFYs it; results travel
// back as JSON into the typed futures.
//
//	// once, at deployment (or in tests):
//	err := dagqriver.Migrate(ctx, pool)
//
//	// the submitter
//	b, err := dagqriver.New(ctx, pool, &dagqriver.Config{})
//	defer b.Close()
//	s := dagq.New(dagq.WithBackend("river", b), dagq.WithDefaultBackend("river"))
//	f := dagq.Call(s.DefaultQueue(), resize, img)
//
//	// each worker process
//	err := dagqriver.RunWorker(ctx, pool, registry, &dagqriver.WorkerConfig{})
//
// Execution is at least once: a task whose worker died is run again on
// another worker once the worker's heartbeats have stopped for
// [WorkerConfig.DeadAfter] (5 s by default). A failed task is a discarded
// River job, as River's UI and metrics expect. See docs/distributed.md.
package dagqriver
