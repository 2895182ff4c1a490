//go:build unix

package main

import (
	"strconv"
	"strings"
)

// screen is a terminal as far as dagq drives it: it applies what dagq
// writes (text, CR, LF, cursor up, erase line, erase below, colours) to
// a grid of cols columns, as a terminal would, so that a test compares
// what a user sees rather than the bytes. Text past the last column
// wraps, and is counted.
type screen struct {
	cols     int
	lines    [][]rune
	row, col int
	wraps    []string // the lines that wrapped, as they were then
	unknown  []string // control sequences it does not know
}

func newScreen(cols int) *screen { return &screen{cols: cols, lines: [][]rune{nil}} }

// write applies output to the screen.
func (s *screen) write(out string) {
	r := []rune(out)
	for i := 0; i < len(r); i++ {
		switch c := r[i]; {
		case c == '\r':
			s.col = 0
		case c == '\n':
			s.down()
		case c == 0x1b && i+1 < len(r) && r[i+1] == '[':
			j := i + 2
			for j < len(r) && (r[j] >= '0' && r[j] <= '9' || r[j] == ';') {
				j++
			}
			if j < len(r) {
				s.csi(string(r[i+2:j]), r[j])
			}
			i = j
		case c < ' ':
			s.unknown = append(s.unknown, strconv.QuoteRune(c))
		default:
			if s.col == s.cols {
				s.wraps = append(s.wraps, string(s.lines[s.row]))
				s.down()
				s.col = 0
			}
			line := s.lines[s.row]
			for len(line) <= s.col {
				line = append(line, ' ')
			}
			line[s.col] = c
			s.lines[s.row] = line
			s.col++
		}
	}
}

func (s *screen) down() {
	s.row++
	if s.row == len(s.lines) {
		s.lines = append(s.lines, nil)
	}
}

// csi applies a control sequence.
func (s *screen) csi(params string, final rune) {
	n, err := strconv.Atoi(params)
	if err != nil {
		n = 0
	}
	switch final {
	case 'A':
		s.row = max(s.row-max(n, 1), 0)
	case 'K': // 2K: the whole line
		s.lines[s.row] = nil
	case 'J': // erase below, from the cursor
		if s.col < len(s.lines[s.row]) {
			s.lines[s.row] = s.lines[s.row][:s.col]
		}
		s.lines = s.lines[:s.row+1]
	case 'm': // colours: not shown
	default:
		s.unknown = append(s.unknown, "ESC["+params+string(final))
	}
}

// text returns the screen's lines, without trailing spaces and empty
// lines at the end.
func (s *screen) text() string {
	out := make([]string, len(s.lines))
	for i, l := range s.lines {
		out[i] = strings.TrimRight(string(l), " ")
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}
