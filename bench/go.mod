module github.com/dagq/dagq/bench

go 1.26.0

require (
	github.com/Azure/go-workflow v0.1.13
	github.com/alitto/pond/v2 v2.7.1
	github.com/dagq/dagq v0.0.0-00010101000000-000000000000
	github.com/heimdalr/dag v1.5.0
	github.com/noneback/go-taskflow v1.2.0
	github.com/panjf2000/ants/v2 v2.12.1
	github.com/sourcegraph/conc v0.3.0
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
	golang.org/x/sync v0.24.0
)

require (
	github.com/benbjohnson/clock v1.3.5 // indirect
	github.com/cenkalti/backoff/v4 v4.3.0 // indirect
	github.com/emirpasic/gods v1.18.1 // indirect
	github.com/google/uuid v1.6.0 // indirect
	go.uber.org/atomic v1.7.0 // indirect
	go.uber.org/multierr v1.9.0 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
)

replace github.com/dagq/dagq => ../
