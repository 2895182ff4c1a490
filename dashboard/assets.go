package dashboard

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"time"
)

// files are the page's assets: its HTML, script and style, written for
// the dashboard with no library (about 30 KB in all, nothing fetched).
//
//go:embed assets
var files embed.FS

// index is the page, with its title, token and the controls' switch.
var index = template.Must(template.ParseFS(files, "assets/index.html"))

// served is when the assets were built into the binary, as far as caches
// are told.
var served = time.Now()

// isAsset reports whether name is a file of the page other than the
// index.
func isAsset(name string) bool {
	if name == "index.html" {
		return false
	}
	_, err := fs.Stat(files, path.Join("assets", name))
	return err == nil
}

// serveAsset serves an asset by name.
func serveAsset(rw http.ResponseWriter, r *http.Request, name string) {
	b, err := files.ReadFile(path.Join("assets", name))
	if err != nil {
		http.NotFound(rw, r)
		return
	}
	rw.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(rw, r, name, served, bytes.NewReader(b))
}

// serveIndex serves the page.
func (d *Dashboard) serveIndex(rw http.ResponseWriter, r *http.Request) {
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	var b bytes.Buffer
	if err := index.Execute(&b, map[string]any{"Title": d.cfg.title, "Token": d.token, "Controls": d.cfg.controls}); err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = b.WriteTo(rw) // a failed write means the client left
}
