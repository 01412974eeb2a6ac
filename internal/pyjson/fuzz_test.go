package pyjson

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzDecode checks that Decode never panics, fails only with its own error types, and that both
// encoders write text that decodes back to the same value, in pure ASCII.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		``,
		`{"a": [1, 2.50, -0, 1E+2, "\u00e9\ud83d\ude00", true, false, null], "b": {}}`,
		`[NaN, Infinity, -Infinity, 123456789012345678901234567890]`,
		`"\ud800 \n \" \\ é"`,
		`{"a":1,"a":2}`,
		"[\"\xff\"]",
		`{"a" 1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Decode(data)
		if err != nil {
			var syn *SyntaxError
			var depth *DepthError
			if !errors.As(err, &syn) && !errors.As(err, &depth) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		for _, enc := range []func(any) ([]byte, error){Compact, Python} {
			text, err := enc(v)
			require.NoError(t, err)
			for _, c := range text {
				require.Less(t, c, byte(0x80), "output must be ASCII: %q", text)
			}
			again, err := Decode(text)
			require.NoError(t, err, "%q", text)
			assert.Equal(t, v, again)
		}
	})
}

// benchDocument builds a nested document shaped like stored operator results, about 100 KB in Python
// mode.
func benchDocument() *Map {
	labels := make([]any, 0, 380)
	for i := range 380 {
		box := NewMap()
		box.Set("Width", 0.123456789)
		box.Set("Height", Number("0.5"))
		box.Set("Left", float64(i)/7)
		box.Set("Top", 1e-05)
		instance := NewMap()
		instance.Set("BoundingBox", box)
		instance.Set("Confidence", Number("54.41469192504883"))
		label := NewMap()
		label.Set("Name", fmt.Sprintf("Label %d — é", i))
		label.Set("Confidence", 99.5)
		label.Set("Instances", []any{instance})
		label.Set("Parents", []any{"Person", "Human </script>"})
		label.Set("Timestamp", i*1000)
		labels = append(labels, label)
	}
	doc := NewMap()
	doc.Set("LabelModelVersion", "2.0")
	doc.Set("Labels", labels)
	return doc
}

func BenchmarkPython(b *testing.B) {
	doc := benchDocument()
	text, err := Python(doc)
	require.NoError(b, err)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Python(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	text, err := Python(benchDocument())
	require.NoError(b, err)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(text); err != nil {
			b.Fatal(err)
		}
	}
}
