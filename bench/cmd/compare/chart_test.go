package main

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dagq/dagq/bench"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, bench.LeakOptions()...) }

// The chart is well-formed SVG with one line and one label per series.
func TestSVGChart(t *testing.T) {
	svg := svgChart("title", []int{1_000, 10_000}, []seriesData{{"floor", []float64{100, 110}}, {"dagq-fifo", []float64{900, 950}}})
	dec := xml.NewDecoder(strings.NewReader(svg))
	lines := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			require.ErrorContains(t, err, "EOF")
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "polyline" {
			lines++
		}
	}
	require.Equal(t, 2, lines)
	require.Contains(t, svg, ">dagq-fifo</text>")
}
