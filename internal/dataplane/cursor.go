package dataplane

import (
	"encoding/base64"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// A cursor is opaque to clients: url-safe base64, with padding, of Python-spaced JSON in insertion order (DP-18,
// data-plane §6):
//
//	R9:  {"next": {"<op>": "<pointer>", "page": N}, "remaining": [{"<op>": "<pointer>", "page": 0}, {"<op2>": "<pointer2>"}]}
//	R10: {"next": {"<op>": "<pointer>", "page": N}, "remaining": ["<op>"]}

// cursor is a decoded cursor.
type cursor struct {
	operator string
	pointer  string
	page     int
	// remaining is R9's list of operators still to read, the current one first, kept exactly as decoded so that
	// the next cursor carries it on unchanged.
	remaining []any
}

// encodeCursor renders a cursor byte for byte as the original did.
func encodeCursor(next *pyjson.Map, remaining []any) (string, error) {
	c := pyjson.NewMap()
	c.Set("next", next)
	c.Set("remaining", remaining)
	text, err := pyjson.Python(c)
	if err != nil {
		return "", fmt.Errorf("encode cursor: %w", err)
	}
	return base64.URLEncoding.EncodeToString(text), nil
}

// nextPage is a cursor's `next`: the operator's pointer first, then the page.
func nextPage(operator, pointer string, page int) *pyjson.Map {
	m := pyjson.NewMap()
	m.Set(operator, pointer)
	m.Set("page", page)
	return m
}

// invalidCursor is the 400 for a cursor this API did not make for this asset, or that no longer fits the document
// it points to. The original failed on these with the generic 500, or read whatever object a crafted cursor
// named.
func invalidCursor() error { return apigw.BadRequest("Invalid cursor") }

// readCursor decodes and checks a cursor for an asset. For R10, operator is the path's operator and the cursor
// must point at it; for R9 it is empty, the operator is the key of `next` that is not `page`, and `remaining`
// must be a list. The pointer must name a document of this asset.
func readCursor(raw, assetID, operator string) (cursor, error) {
	m, ok := decodeCursor(raw)
	if !ok {
		return cursor{}, invalidCursor()
	}
	nextValue, _ := m.Get("next")
	next, ok := nextValue.(*pyjson.Map)
	if !ok {
		return cursor{}, invalidCursor()
	}
	c := cursor{operator: operator}
	if operator == "" {
		for _, k := range next.Keys() {
			if k != "page" {
				c.operator = k
				break
			}
		}
		remaining, _ := m.Get("remaining")
		if c.remaining, ok = remaining.([]any); !ok || c.operator == "" {
			return cursor{}, invalidCursor()
		}
	}
	pointer, _ := next.Get(c.operator)
	if c.pointer, ok = pointer.(string); !ok || !strings.HasPrefix(c.pointer, assetPrefix(assetID)) {
		return cursor{}, invalidCursor()
	}
	pageValue, _ := next.Get("page")
	page, ok := pageValue.(pyjson.Number)
	if !ok || page.IsFloat() {
		return cursor{}, invalidCursor()
	}
	n, err := page.Int64()
	if err != nil || n < 0 || n > math.MaxInt32 {
		return cursor{}, invalidCursor()
	}
	c.page = int(n)
	return c, nil
}

// decodeCursor accepts the url-safe and the standard base64 alphabet, with or without padding (Q-06: the original
// decoded with the standard alphabet and silently corrupted cursors containing - or _).
func decodeCursor(raw string) (*pyjson.Map, bool) {
	raw = strings.NewReplacer("+", "-", "/", "_").Replace(strings.TrimRight(raw, "="))
	text, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || !utf8.Valid(text) {
		return nil, false
	}
	v, err := pyjson.Decode(text)
	if err != nil {
		return nil, false
	}
	m, ok := v.(*pyjson.Map)
	return m, ok
}
