package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dashboard"
)

// Mount the dashboard under /dagq/ of the application's server. Here the
// controls are on for requests that carry the application's credentials;
// views are read-only and go to whoever reaches the handler, so an
// application that must protect them wraps the handler in its own
// middleware, as requireLogin does here.
func Example() {
	s := dagq.New()
	q := s.DefaultQueue()
	a := dagq.Submit(q, func(context.Context) (int, error) { return 1, nil }, dagq.Name("fetch"))
	dagq.Then(q, a, func(_ context.Context, v int) (int, error) { return v + 1, nil }, dagq.Name("build"))
	if err := s.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	defer s.Shutdown(context.Background())

	admin := func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer admin-token" }
	d := dashboard.New(s, dashboard.WithTitle("nightly"), dashboard.WithControls(admin))
	defer d.Close()
	mux := http.NewServeMux()
	mux.Handle("/dagq/", requireLogin(d))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/dagq/api/tasks?status=succeeded", nil)
	req.Header.Set("Cookie", "session=ok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var page struct {
		Tasks []struct{ Name, Status string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range page.Tasks {
		fmt.Println(t.Name, t.Status)
	}
	// Output:
	// fetch succeeded
	// build succeeded
}

// requireLogin stands for an application's authentication middleware.
func requireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("session"); err != nil || c.Value != "ok" {
			http.Error(w, "log in first", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
