package main

import (
	"fmt"
	"math"
	"strings"
)

type seriesData struct {
	name string
	ns   []float64
}

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"}

// svgChart draws one line per series: x is the graph size (log scale),
// y is ns/task (linear, from 0).
func svgChart(title string, sizes []int, series []seriesData) string {
	const w, h, left, right, top, bottom = 640, 360, 60, 150, 40, 40
	top0 := 0.0
	for _, s := range series {
		for _, v := range s.ns {
			top0 = math.Max(top0, v)
		}
	}
	top0 *= 1.1
	x := func(i int) float64 {
		return left + float64(i)*float64(w-left-right)/float64(max(len(sizes)-1, 1))
	}
	y := func(v float64) float64 { return float64(h-bottom) - v/top0*float64(h-top-bottom) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/><text x="%d" y="20" font-size="14">%s</text>`+"\n", w, h, left, title)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", left, h-bottom, w-right, h-bottom)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", left, top, left, h-bottom)
	for i, n := range sizes {
		fmt.Fprintf(&b, `<text x="%.0f" y="%d" text-anchor="middle">%.0e</text>`+"\n", x(i), h-bottom+16, float64(n))
	}
	for k := 0; k <= 4; k++ {
		v := top0 * float64(k) / 4
		fmt.Fprintf(&b, `<text x="%d" y="%.0f" text-anchor="end">%.0f</text>`+"\n", left-6, y(v)+4, v)
	}
	for k, s := range series {
		color := palette[k%len(palette)]
		var pts []string
		for i, v := range s.ns {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(v)))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", color, strings.Join(pts, " "))
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="%s">%s</text>`+"\n", w-right+10, top+16*(k+1), color, s.name)
	}
	b.WriteString("</svg>\n")
	return b.String()
}
