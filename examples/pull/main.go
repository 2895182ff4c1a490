// Command pull drives dagq from an application's own loop, as a diffusion
// server's generation loop does: each iteration asks the scheduler for the
// next step to run (task_id = scheduler.schedule()), runs it
// (generator.generate_step(task)) and reports back. Each request is three
// steps, encode → denoise → decode; dagq keeps the order of each request's
// steps, serves requests first come first served, and counts what is
// pending.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/dagq/dagq"
)

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run serves the requests, printing each step to w.
func run(w io.Writer) error {
	p := dagq.NewPull()
	s := dagq.New(dagq.WithBackend("generator", p), dagq.WithDefaultBackend("generator"))
	defer s.Shutdown(context.Background())
	q := s.DefaultQueue()

	for _, prompt := range []string{"a red fox", "a lighthouse", "two cats"} {
		enc := dagq.Submit(q, func(ctx context.Context) (string, error) {
			return "latent(" + prompt + ")", nil
		}, dagq.Name("encode "+prompt))
		den := dagq.Then(q, enc, func(ctx context.Context, latent string) (string, error) {
			return strings.Replace(latent, "latent", "denoised", 1), nil
		}, dagq.Name("denoise "+prompt))
		dagq.Then(q, den, func(ctx context.Context, latent string) (string, error) {
			return strings.Replace(latent, "denoised", "image", 1), nil
		}, dagq.Name("decode "+prompt))
	}
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		return err
	}

	// The application's loop: one step per iteration.
	for s.Stats().Pending() > 0 {
		job, err := p.Next(ctx)
		if err != nil {
			return err
		}
		jctx, cancel := p.Context(ctx, job) // cancelled if the task is killed or times out
		out, err := job.Func(jctx)          // generate_step(task)
		cancel()
		p.Complete(job, out, err)
		st := s.Stats()
		fmt.Fprintf(w, "%-22s -> %-24v pending %d (ready %d)\n", job.Name, out, st.Pending(), st.Queued)
	}
	return s.Wait(ctx)
}
