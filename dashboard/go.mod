module github.com/dagq/dagq/dashboard

go 1.26.0

require (
	github.com/dagq/dagq v0.0.0
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
)

require go.yaml.in/yaml/v3 v3.0.6 // indirect

replace github.com/dagq/dagq => ../
