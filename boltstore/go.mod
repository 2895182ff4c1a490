module github.com/dagq/dagq/boltstore

go 1.26.0

require (
	github.com/dagq/dagq v0.0.0
	github.com/stretchr/testify v1.11.1
	go.etcd.io/bbolt v1.5.0
	go.uber.org/goleak v1.3.0
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/kr/text v0.2.0 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

// The core module, from this repository (go.work does the same).
replace github.com/dagq/dagq => ../
