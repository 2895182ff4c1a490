package dagqprom_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqprom"
	"github.com/prometheus/client_golang/prometheus"
)

func Example() {
	reg := prometheus.NewRegistry() // or prometheus.DefaultRegisterer, served by promhttp
	o, err := dagqprom.New(reg)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := dagq.New(dagq.WithObserver(o))
	q, _ := s.Queue("jobs", 2)
	for i := range 5 {
		dagq.Submit(q, func(context.Context) (int, error) {
			if i == 3 {
				return 0, errors.New("bad input")
			}
			return i, nil
		})
	}
	ctx := context.Background()
	_ = s.Run(ctx)
	_ = s.Shutdown(ctx)

	families, _ := reg.Gather()
	for _, f := range families {
		if f.GetName() != "dagq_tasks_finished_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			fmt.Println(m.GetLabel()[0].GetValue(), m.GetLabel()[1].GetValue(), m.GetCounter().GetValue())
		}
	}
	// Output:
	// jobs failed 1
	// jobs succeeded 4
}
