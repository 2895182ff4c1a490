package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dashboard"
)

// serveDashboard serves the run's dashboard on addr (--dashboard) until
// the returned stop is called, and says where through say. With controls
// (--dashboard-controls), the page may pause, resume, cancel jobs and
// resize queues, for requests from this machine only (a loopback
// address): the command has no users to authenticate.
func serveDashboard(addr string, controls bool, s *dagq.Scheduler, title string, logs *runLogs, say func(string)) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--dashboard: %w", err)
	}
	opts := []dashboard.Option{
		dashboard.WithTitle("dagq run " + title),
		dashboard.WithLogger(slog.New(slog.NewTextHandler(sayWriter(say), nil))),
	}
	if controls {
		opts = append(opts, dashboard.WithControls(fromLoopback))
	}
	if logs != nil {
		opts = append(opts, dashboard.WithLogs(logs.path))
	}
	d := dashboard.New(s, opts...)
	srv := &http.Server{Handler: d, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			say(fmt.Sprintf("dagq: dashboard: %v\n", err))
		}
	}()
	say(fmt.Sprintf("dagq: dashboard at http://%s/\n", ln.Addr()))
	return func() {
		d.Close() // ends the pages' event streams, so Shutdown need not wait for them
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx) // past the second, the connections are closed
		<-served
	}, nil
}

// fromLoopback authorises the requests that come from this machine.
func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}

// sayWriter writes through say, above the progress bars.
type sayWriter func(string)

func (w sayWriter) Write(p []byte) (int, error) {
	w(string(p))
	return len(p), nil
}

// path is the log file of a task's last attempt, for the dashboard.
func (r *runLogs) path(t dagq.TaskInfo) string {
	if t.Attempts == 0 {
		return ""
	}
	return filepath.Join(r.root, r.name(&dagq.Job{ID: t.ID, Name: t.Name, Attempt: t.Attempts}))
}
