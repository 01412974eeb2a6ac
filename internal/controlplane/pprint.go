package controlplane

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// pformatWidth is the line width the validator's error text asks Python's pprint for.
const pformatWidth = 72

// pformat renders a decoded JSON value as Python's pprint.pformat(v, width=72) does: dictionaries with sorted keys,
// a value on one line when it fits, otherwise one entry per line aligned after the opening bracket, and long
// strings cut at whitespace into adjacent literals. The schema validator embeds this rendering of the failing
// sub-schema and instance in its 400 messages (CP-06, CP-14; control-plane §6.5).
func pformat(v any) string {
	var p pprinter
	p.format(v, 0, 0, 0)
	return p.b.String()
}

type pprinter struct {
	b strings.Builder
}

func (p *pprinter) format(v any, indent, allowance, level int) {
	rep := sortedRepr(v)
	if utf8.RuneCountInString(rep) <= pformatWidth-indent-allowance {
		p.b.WriteString(rep)
		return
	}
	switch t := v.(type) {
	case *pyjson.Map:
		p.dict(t, indent, allowance, level+1)
	case []any:
		p.list(t, indent, allowance, level+1)
	case string:
		p.str(t, rep, indent, allowance, level+1)
	default:
		p.b.WriteString(rep)
	}
}

func (p *pprinter) dict(m *pyjson.Map, indent, allowance, level int) {
	p.b.WriteByte('{')
	keys := m.Keys()
	slices.Sort(keys)
	indent++
	allowance++
	for i, k := range keys {
		last := i == len(keys)-1
		rep := pyjson.QuoteKey(k)
		p.b.WriteString(rep)
		p.b.WriteString(": ")
		v, _ := m.Get(k)
		entryAllowance := 1
		if last {
			entryAllowance = allowance
		}
		p.format(v, indent+utf8.RuneCountInString(rep)+2, entryAllowance, level)
		if !last {
			p.b.WriteString(",\n" + strings.Repeat(" ", indent))
		}
	}
	p.b.WriteByte('}')
}

func (p *pprinter) list(items []any, indent, allowance, level int) {
	p.b.WriteByte('[')
	indent++
	allowance++
	for i, v := range items {
		if i > 0 {
			p.b.WriteString(",\n" + strings.Repeat(" ", indent))
		}
		entryAllowance := 1
		if i == len(items)-1 {
			entryAllowance = allowance
		}
		p.format(v, indent, entryAllowance, level)
	}
	p.b.WriteByte(']')
}

// str splits a string that does not fit into literals of whole lines, and a line that does not fit into runs of
// non-space characters followed by spaces; only a top-level string gets parentheses around its pieces.
func (p *pprinter) str(s, rep string, indent, allowance, level int) {
	if s == "" {
		p.b.WriteString(rep)
		return
	}
	if level == 1 {
		indent++
		allowance++
	}
	maxWidth := pformatWidth - indent
	lastWidth := maxWidth
	lines := splitLinesKeepEnds(s)
	var chunks []string
	for i, line := range lines {
		rep = pyjson.QuoteKey(line)
		if i == len(lines)-1 {
			lastWidth -= allowance
		}
		if utf8.RuneCountInString(rep) <= lastWidth {
			chunks = append(chunks, rep)
			continue
		}
		parts := wordRuns(line)
		width, current := maxWidth, ""
		for j, part := range parts {
			candidate := current + part
			if j == len(parts)-1 && i == len(lines)-1 {
				width -= allowance
			}
			if utf8.RuneCountInString(pyjson.QuoteKey(candidate)) > width {
				if current != "" {
					chunks = append(chunks, pyjson.QuoteKey(current))
				}
				current = part
			} else {
				current = candidate
			}
		}
		if current != "" {
			chunks = append(chunks, pyjson.QuoteKey(current))
		}
	}
	if len(chunks) == 1 {
		p.b.WriteString(rep)
		return
	}
	if level == 1 {
		p.b.WriteByte('(')
	}
	for i, c := range chunks {
		if i > 0 {
			p.b.WriteString("\n" + strings.Repeat(" ", indent))
		}
		p.b.WriteString(c)
	}
	if level == 1 {
		p.b.WriteByte(')')
	}
}

// sortedRepr is Python's repr of a value as pprint computes it: like repr, but with dictionary keys sorted.
func sortedRepr(v any) string {
	switch t := v.(type) {
	case *pyjson.Map:
		keys := t.Keys()
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			e, _ := t.Get(k)
			parts[i] = pyjson.QuoteKey(k) + ": " + sortedRepr(e)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = sortedRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return pyjson.Repr(v)
}

// splitLinesKeepEnds is Python's str.splitlines(True).
func splitLinesKeepEnds(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		next := i + size
		switch r {
		case '\r':
			if next < len(s) && s[next] == '\n' {
				next++
			}
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		default:
			i = next
			continue
		}
		lines = append(lines, s[start:next])
		start, i = next, next
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

// wordRuns splits a line into the matches of Python's `\S*\s*`, without the final empty match.
func wordRuns(line string) []string {
	var parts []string
	for i := 0; i < len(line); {
		j := i
		for j < len(line) {
			r, size := utf8.DecodeRuneInString(line[j:])
			if isPySpace(r) {
				break
			}
			j += size
		}
		for j < len(line) {
			r, size := utf8.DecodeRuneInString(line[j:])
			if !isPySpace(r) {
				break
			}
			j += size
		}
		parts = append(parts, line[i:j])
		i = j
	}
	return parts
}

// isPySpace is str.isspace for one character, which is what `\s` matches in a Python str pattern.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}
