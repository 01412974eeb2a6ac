package failed

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk"
)

// SDK-09: the Python-literal reader gives what the original's json.loads(json.dumps(ast.literal_eval(text)))
// gave. testdata/python_literals.jsonl holds [text, result] pairs recorded with Python 3.11, the original's
// runtime: result is that chain's JSON (keys sorted) or "ERROR <exception type>". Where the chain produced text
// that is not JSON (an infinite float), the reader must refuse too.
func TestParsePythonLiteralMatchesPython(t *testing.T) {
	f, err := os.Open("testdata/python_literals.jsonl")
	require.NoError(t, err)
	defer f.Close()
	scanner := bufio.NewScanner(f)
	scanner.Buffer(nil, 1<<20)
	n := 0
	for scanner.Scan() {
		var row [2]string
		require.NoError(t, json.Unmarshal(scanner.Bytes(), &row))
		text, want := row[0], row[1]
		n++
		got, err := parsePythonLiteral(text)
		if strings.HasPrefix(want, "ERROR ") || !json.Valid([]byte(want)) {
			assert.Error(t, err, "Python: %s for %q", want, text)
			continue
		}
		require.NoError(t, err, text)
		expected, err := sdk.DecodeJSON([]byte(want))
		require.NoError(t, err)
		assert.Equal(t, expected, got, text)
	}
	require.NoError(t, scanner.Err())
	assert.Greater(t, n, 20)
}

// SDK-09: details the recorded vectors do not show.
func TestParsePythonLiteralDetails(t *testing.T) {
	cases := []struct {
		text string
		want any
	}{
		{`'\ud83d\ude00'`, "😀"},
		{`'\ud83d'`, "\uFFFD"},
		{`'\ude00\ud83d x'`, "\uFFFD\uFFFD x"},
		{`r'a\'b'`, `a\'b`},
		{`-0`, json.Number("0")},
		{`-1.5`, json.Number("-1.5")},
		{`1e-400`, json.Number("0.0")},
		{`(((1)))`, json.Number("1")},
		{`{'a': ('x',)}`, map[string]any{"a": []any{"x"}}},
	}
	for _, tc := range cases {
		got, err := parsePythonLiteral(tc.text)
		require.NoError(t, err, tc.text)
		assert.Equal(t, tc.want, got, tc.text)
	}
	for _, bad := range []string{``, `{`, `{'a' 1}`, `[1 2]`, `(1 2)`, `'\x4'`, `'\N{DASH}'`, `'\U00110000'`, `inf`, `1__0`, `0x`, `'a' b'b'`,
		strings.Repeat("[", 300) + strings.Repeat("]", 300), `'unfinished\`, `'line
break'`} {
		_, err := parsePythonLiteral(bad)
		assert.Error(t, err, bad)
	}
}
