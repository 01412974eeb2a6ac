package dataplane

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// errNotArray and errMalformedArray describe stored documents splitArray cannot split.
var (
	errNotArray       = errors.New("document is not an array")
	errMalformedArray = errors.New("malformed array")
)

// splitArray returns the text of the first max top-level elements of a JSON array document (all of them when max
// is negative), without decoding them: a paged result is read one page per call (data-plane §8), so decoding every
// page on every call would make reading n pages cost n times the whole result. It checks the array's structure
// (brackets, strings, separators) as far as it reads; each returned element is decoded by the caller. A document
// whose first value is not an array gives errNotArray.
func splitArray(doc []byte, max int) ([][]byte, error) {
	i := skipJSONSpace(doc, 0)
	if i == len(doc) || doc[i] != '[' {
		return nil, errNotArray
	}
	i = skipJSONSpace(doc, i+1)
	var elems [][]byte
	if i < len(doc) && doc[i] == ']' {
		return elems, trailingSpaceOnly(doc, i+1)
	}
	for max < 0 || len(elems) < max {
		start := i
		end, sep, err := scanValue(doc, i)
		if err != nil {
			return nil, err
		}
		elems = append(elems, bytes.TrimRight(doc[start:end], " \t\r\n"))
		if sep == ']' {
			return elems, trailingSpaceOnly(doc, end+1)
		}
		i = skipJSONSpace(doc, end+1)
	}
	return elems, nil
}

// scanValue finds the end of the array element starting at i: the offset of the `,` or `]` that follows it at the
// array's level, and which of the two it is.
func scanValue(doc []byte, i int) (end int, sep byte, err error) {
	depth, inString, empty := 0, false, true
	for ; i < len(doc); i++ {
		c := doc[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '"':
			inString = true
		case '[', '{':
			depth++
		case '}':
			if depth == 0 {
				return 0, 0, fmt.Errorf("%w: unexpected } at %d", errMalformedArray, i)
			}
			depth--
		case ']', ',':
			if depth == 0 {
				if empty {
					return 0, 0, fmt.Errorf("%w: missing value at %d", errMalformedArray, i)
				}
				return i, c, nil
			}
			if c == ']' {
				depth--
			}
		}
		empty = false
	}
	return 0, 0, fmt.Errorf("%w: unexpected end", errMalformedArray)
}

func skipJSONSpace(doc []byte, i int) int {
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\r' || doc[i] == '\n') {
		i++
	}
	return i
}

func trailingSpaceOnly(doc []byte, i int) error {
	if skipJSONSpace(doc, i) != len(doc) {
		return fmt.Errorf("%w: extra data at %d", errMalformedArray, i)
	}
	return nil
}

// readBody reads an object's body in one allocation of its announced size.
func readBody(out *s3.GetObjectOutput) ([]byte, error) {
	defer out.Body.Close()
	var buf bytes.Buffer
	if n := out.ContentLength; n != nil && *n > 0 {
		buf.Grow(int(*n) + 1)
	}
	if _, err := io.Copy(&buf, out.Body); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
