package main

import (
	_ "embed"
	"io"
)

// pipelineSchema is the JSON Schema of pipeline files, for editors: with
// the YAML language server, a first line
//
//	# yaml-language-server: $schema=https://raw.githubusercontent.com/dagq/dagq/main/cmd/dagq/pipeline.schema.json
//
// completes and checks a pipeline file as it is written. `dagq schema`
// prints it, for editors that want a local file.
//
//go:embed pipeline.schema.json
var pipelineSchema string

// schemaCommand prints the schema.
func schemaCommand(stdout io.Writer) int {
	_, _ = io.WriteString(stdout, pipelineSchema)
	return exitOK
}
