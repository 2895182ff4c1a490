package dagq

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// svgElem is a generic XML element, to walk the timeline's SVG.
type svgElem struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Kids    []svgElem  `xml:",any"`
}

func (e *svgElem) attr(name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (e *svgElem) walk(fn func(*svgElem)) {
	fn(e)
	for i := range e.Kids {
		e.Kids[i].walk(fn)
	}
}

func TestWriteTimelineStructure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, buf := sampleExport(t, WriteTimeline)
		page := buf.String()
		require.True(t, strings.HasPrefix(page, "<!DOCTYPE html>"))
		require.NotContains(t, page, "<script")
		start, end := strings.Index(page, "<svg"), strings.Index(page, "</svg>")
		require.True(t, start > 0 && end > start)
		var svg svgElem
		require.NoError(t, xml.Unmarshal([]byte(page[start:end+len("</svg>")]), &svg))

		classes := map[string]int{}
		var groups, titles []string
		svg.walk(func(e *svgElem) {
			classes[e.attr("class")]++
			switch {
			case e.attr("class") == "group":
				groups = append(groups, e.Text)
			case e.XMLName.Local == "title":
				titles = append(titles, e.Text)
			}
			if e.attr("class") == "run" {
				x := e.attr("x")
				require.NotEmpty(t, x)
			}
		})
		require.Equal(t, []string{"queue net", "queue cpu"}, groups)
		require.Equal(t, 7, classes["task"], "one row per task")
		require.Equal(t, 5, classes["run"], "one run bar per task that ran")
		require.Equal(t, 5, classes["wait"], "one wait bar per task that became ready")
		require.Equal(t, 2, classes["kill"], "a cross per task killed before running")
		require.Len(t, titles, 7)
		require.Contains(t, strings.Join(titles, "\n"), `reason: dependency "compile b" (id 4) failed: syntax error`)
		require.Contains(t, strings.Join(titles, "\n"), "fetch b (id 2) on queue net, backend local: succeeded\nwaited 10ms, ran 10ms")
	})
}

func TestNiceStep(t *testing.T) {
	for in, want := range map[time.Duration]time.Duration{
		0: 1, 3: 5, 7 * time.Millisecond: 10 * time.Millisecond, 1500 * time.Microsecond: 2 * time.Millisecond,
		time.Second: time.Second,
	} {
		require.Equal(t, want, niceStep(in), "niceStep(%v)", in)
	}
}

// TestTimelineScreenshot renders the timeline in headless Chromium when it
// is installed (Debian's chromium package), and checks that a picture
// came out. It is skipped elsewhere and with -short.
func TestTimelineScreenshot(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil || testing.Short() {
		t.Skip("chromium not installed, or -short")
	}
	var tasks []TaskInfo
	synctest.Test(t, func(t *testing.T) { tasks = sampleRun(t).Tasks() })
	dir := t.TempDir()
	page := filepath.Join(dir, "timeline.html")
	var buf bytes.Buffer
	require.NoError(t, WriteTimeline(&buf, tasks))
	require.NoError(t, os.WriteFile(page, buf.Bytes(), 0o644))
	shot := filepath.Join(dir, "timeline.png")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--window-size=1220,200",
		"--screenshot="+shot, "file://"+page).CombinedOutput()
	require.NoError(t, err, string(out))
	png, err := os.ReadFile(shot)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(png, []byte("\x89PNG")))
	require.Greater(t, len(png), 5000, "a blank page compresses to less")
}
