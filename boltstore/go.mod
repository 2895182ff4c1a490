module github.com/dagq/dagq/boltstore

go 1.26.0

require (
	github.com/dagq/dagq v0.0.0
	github.com/stretchr/testify v1.12.1
	go.etcd.io/bbolt v1.5.0
	go.uber.org/goleak v1.3.0
)

require (
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/sys v0.48.0 // indirect
)

// The core module, from this repository (go.work does the same).
replace github.com/dagq/dagq => ../
