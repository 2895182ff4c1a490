module github.com/dagq/dagq/prom

go 1.26.0

require github.com/dagq/dagq v0.0.0

require (
	github.com/prometheus/client_golang v1.25.0 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	go.uber.org/goleak v1.3.0 // indirect
)

replace github.com/dagq/dagq => ../
