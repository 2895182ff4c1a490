// Package dashboard serves a live web page that shows and, when allowed,
// steers dagq runs: counts by status per queue with rates and an ETA, a
// task stream (a row per worker slot or device, a bar per attempt), the
// latest failures with their reasons, resource pools and devices in use, a
// searchable task table, a task's page (times, attempts, reason, culprit,
// dependencies, log tail) and the graph around a task.
//
//	http.Handle("/dagq/", dashboard.New(s))
//
// The page updates over server-sent events, at most every
// [WithInterval] (250 ms by default), whatever the event rate. The
// dashboard watches its schedulers with an observer that takes only task
// starts, retries and ends ([dagq.Scheduler.AddObserver] with an
// [dagq.EventFilter]) and keeps a bounded window of them: its memory does
// not grow with the run. Everything the page needs is embedded: no script
// or style is fetched from the network.
//
// # Security
//
// Views are read-only and change nothing; protect them as the rest of the
// application (wrap the handler with its own authentication middleware).
// Controls (pause, resume, cancel a task, resize a queue, change
// parallelism) are off unless [WithControls] enables them; each control is
// a POST that must pass the authorisation hook given to WithControls,
// come from the page's own origin (the Origin or Referer header, when the
// browser sends one, must name the request's host), carry the dashboard's
// token in the X-Dagq-Token header (the page reads it from itself; a
// cross-site page cannot) and have a JSON body. Anything else is refused
// with 403 (or 405, 400) and changes nothing.
package dashboard
