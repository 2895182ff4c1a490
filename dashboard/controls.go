package dashboard

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"

	"github.com/dagq/dagq"
)

// maxControlBody bounds a control request's body.
const maxControlBody = 4 << 10

// maxSize bounds a queue size or parallelism set from the page.
const maxSize = 1 << 20

// control is a control request's body.
type control struct {
	Action string      `json:"action"` // pause, resume, cancel, resize or parallelism
	ID     dagq.TaskID `json:"id"`     // cancel: the task
	Queue  string      `json:"queue"`  // resize: the queue
	N      int         `json:"n"`      // resize, parallelism: the new value
	Reason string      `json:"reason"` // cancel: why (optional)
}

// serveControl carries out a control request after every check of the
// package documentation; a refused request changes nothing.
func (d *Dashboard) serveControl(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		rw.Header().Set("Allow", "POST")
		jsonError(rw, http.StatusMethodNotAllowed, "controls take POST")
		return
	}
	if why := d.refusal(r); why != "" {
		d.cfg.logger.Warn("dashboard: control refused", "why", why, "remote", r.RemoteAddr)
		jsonError(rw, http.StatusForbidden, why)
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		jsonError(rw, http.StatusUnsupportedMediaType, "controls take a JSON body (Content-Type: application/json)")
		return
	}
	w, err := d.watchOf(r)
	if err != nil {
		jsonError(rw, http.StatusNotFound, err.Error())
		return
	}
	var c control
	dec := json.NewDecoder(http.MaxBytesReader(rw, r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		jsonError(rw, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	status, msg := d.apply(w.s, c)
	if status != http.StatusOK {
		jsonError(rw, status, msg)
		return
	}
	d.cfg.logger.Info("dashboard: control", "run", w.name, "action", c.Action, "done", msg, "remote", r.RemoteAddr)
	writeJSON(rw, map[string]string{"ok": msg})
}

// refusal says why a control request may not go on, or "" if it may.
func (d *Dashboard) refusal(r *http.Request) string {
	switch {
	case !d.cfg.controls:
		return "controls are off (read-only dashboard)"
	case !sameOrigin(r):
		return "cross-origin request"
	case subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Dagq-Token")), []byte(d.token)) != 1:
		return "missing or wrong X-Dagq-Token"
	case d.cfg.authorize == nil || !d.authorized(r):
		return "not authorised"
	}
	return ""
}

// authorized calls the application's hook; a panic in it refuses.
func (d *Dashboard) authorized(r *http.Request) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			d.cfg.logger.Error("dashboard: the authorisation hook panicked", "panic", p)
			ok = false
		}
	}()
	return d.cfg.authorize(r)
}

// sameOrigin reports whether the request's Origin (or, without one, its
// Referer) names the request's own host. A request with neither, which
// browsers do not send for a cross-site POST with a JSON body, passes.
func sameOrigin(r *http.Request) bool {
	src := r.Header.Get("Origin")
	if src == "" {
		src = r.Header.Get("Referer")
	}
	if src == "" {
		return true
	}
	u, err := url.Parse(src)
	return err == nil && u.Host == r.Host
}

// apply carries out c on s and returns an HTTP status and what was done
// or why not.
func (d *Dashboard) apply(s *dagq.Scheduler, c control) (int, string) {
	switch c.Action {
	case "pause":
		s.Pause()
		return http.StatusOK, "paused"
	case "resume":
		s.Resume()
		return http.StatusOK, "resumed"
	case "parallelism":
		if c.N < 0 || c.N > maxSize {
			return http.StatusBadRequest, fmt.Sprintf("parallelism %d: want 0 (no cap) to %d", c.N, maxSize)
		}
		s.SetParallelism(c.N)
		return http.StatusOK, fmt.Sprintf("parallelism %d", c.N)
	case "resize":
		if c.N < 1 || c.N > maxSize {
			return http.StatusBadRequest, fmt.Sprintf("size %d: want 1 to %d", c.N, maxSize)
		}
		for _, q := range s.Queues() {
			if q.Name() == c.Queue {
				if err := q.SetSize(c.N); err != nil {
					return http.StatusBadRequest, err.Error()
				}
				return http.StatusOK, fmt.Sprintf("queue %s size %d", c.Queue, c.N)
			}
		}
		return http.StatusNotFound, fmt.Sprintf("no queue named %q", truncate(c.Queue, 64))
	case "cancel":
		t, ok := s.Task(c.ID)
		if !ok {
			return http.StatusNotFound, fmt.Sprintf("no task with id %d", c.ID)
		}
		if t.Status.Terminal() {
			return http.StatusConflict, fmt.Sprintf("task %s already %s", name(&t), t.Status)
		}
		reason := "cancelled from the dashboard"
		if c.Reason != "" {
			reason += ": " + truncate(c.Reason, 200)
		}
		s.Cancel(c.ID, reason)
		return http.StatusOK, "cancelled " + name(&t)
	}
	return http.StatusBadRequest, fmt.Sprintf("unknown action %q: want pause, resume, cancel, resize or parallelism", truncate(c.Action, 32))
}
