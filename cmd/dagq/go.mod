module github.com/dagq/dagq/cmd/dagq

go 1.26.0

// The modules of this repository (go.work does the same).
replace (
	github.com/dagq/dagq => ../..
	github.com/dagq/dagq/boltstore => ../../boltstore
	github.com/dagq/dagq/dashboard => ../../dashboard
	github.com/dagq/dagq/progress => ../../progress
)

require (
	github.com/creack/pty v1.1.24
	github.com/dagq/dagq v0.0.0
	github.com/dagq/dagq/boltstore v0.0.0
	github.com/dagq/dagq/dashboard v0.0.0
	github.com/dagq/dagq/progress v0.0.0
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
	go.yaml.in/yaml/v3 v3.0.6
)

require (
	go.etcd.io/bbolt v1.5.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/term v0.48.0 // indirect
	golang.org/x/text v0.14.0 // indirect
)
