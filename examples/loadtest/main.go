// Command loadtest runs a guidellm-style load test with dagq: requests
// arrive as a Poisson process at a target rate against a local HTTP server
// (httptest) for a fixed duration, and it prints the achieved request
// rate, the latency percentiles and the distribution of the queue delay
// (Dispatched − Targeted: how late each request left compared with the
// time its arrival was scheduled for).
//
//	go run ./examples/loadtest -rate 200 -duration 3s
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"time"

	"github.com/dagq/dagq"
)

func main() {
	rate := flag.Float64("rate", 200, "target requests per second (Poisson arrivals)")
	duration := flag.Duration("duration", 3*time.Second, "how long requests are sent")
	concurrency := flag.Int("concurrency", 128, "most requests in flight")
	seed := flag.Int64("seed", 42, "seed of the arrival times")
	flag.Parse()

	// The server under test answers after 2 ms plus an exponential delay
	// of mean 5 ms.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2*time.Millisecond + time.Duration(rand.ExpFloat64()*float64(5*time.Millisecond)))
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *concurrency}}

	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	q, err := s.Queue("load", *concurrency,
		dagq.WithStrategy(dagq.Poisson(*rate, false, *seed)),
		dagq.MaxDuration(*duration))
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		log.Fatal(err)
	}

	requests := func(yield func(int) bool) {
		for i := 0; yield(i); i++ {
		}
	}
	get := func(ctx context.Context, i int) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/?i="+strconv.Itoa(i), nil)
		if err != nil {
			return 0, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		n, err := io.Copy(io.Discard, resp.Body)
		return int(n), err
	}

	var latency, delay []time.Duration
	var first, last time.Time
	var failed, cut int
	for res := range dagq.Feed(ctx, q, requests, get) {
		info := res.Info
		switch {
		case info.Status == dagq.Killed:
			cut++ // still waiting for its release when the run ended
			continue
		case res.Err != nil:
			failed++
		default:
			latency = append(latency, info.Finished.Sub(info.Started))
		}
		delay = append(delay, info.Dispatched.Sub(info.Targeted))
		if first.IsZero() || info.Targeted.Before(first) {
			first = info.Targeted
		}
		if info.Finished.After(last) {
			last = info.Finished
		}
	}

	elapsed := last.Sub(first)
	fmt.Printf("strategy %v for %v, up to %d in flight\n", dagq.Poisson(*rate, false, *seed), *duration, *concurrency)
	fmt.Printf("requests: %d succeeded, %d failed, %d not sent when the run ended\n", len(latency), failed, cut)
	fmt.Printf("achieved: %.1f req/s over %v (target %.1f req/s)\n",
		float64(len(latency)+failed)/elapsed.Seconds(), elapsed.Round(time.Millisecond), *rate)
	fmt.Printf("latency:     %s\n", percentiles(latency))
	fmt.Printf("queue delay: %s\n", percentiles(delay))
	fmt.Println("queue delay distribution (Dispatched − Targeted):")
	bounds := []time.Duration{50 * time.Microsecond, 100 * time.Microsecond, 250 * time.Microsecond,
		500 * time.Microsecond, time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond}
	counts := make([]int, len(bounds)+1)
	for _, d := range delay {
		i, _ := slices.BinarySearch(bounds, d)
		counts[i]++
	}
	for i, c := range counts {
		label := "≥ " + bounds[len(bounds)-1].String()
		if i < len(bounds) {
			label = "< " + bounds[i].String()
		}
		fmt.Printf("  %9s %6d %5.1f%%\n", label, c, 100*float64(c)/float64(max(len(delay), 1)))
	}
}

// percentiles formats the p50, p90 and p99 of ds.
func percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "no samples"
	}
	slices.Sort(ds)
	at := func(p int) time.Duration { return ds[min(len(ds)*p/100, len(ds)-1)] }
	return fmt.Sprintf("p50 %v  p90 %v  p99 %v  max %v", at(50).Round(time.Microsecond),
		at(90).Round(time.Microsecond), at(99).Round(time.Microsecond), ds[len(ds)-1].Round(time.Microsecond))
}
