package dataplane

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// DP-13, DP-17, DP-20: stored page arrays are split into their pages without decoding them.
func TestSplitArray(t *testing.T) {
	cases := []struct {
		doc  string
		max  int
		want []string
	}{
		{`[]`, -1, nil},
		{" \n[ ]\n", -1, nil},
		{`[{"a": 1}]`, -1, []string{`{"a": 1}`}},
		{`[1, "a,]b", {"x": [1, {"y": "}"}]}, [3] , null]`, -1, []string{`1`, `"a,]b"`, `{"x": [1, {"y": "}"}]}`, `[3]`, `null`}},
		{`["\"]", "\\", 2]`, -1, []string{`"\"]"`, `"\\"`, `2`}},
		{`[1, 2, 3]`, 2, []string{`1`, `2`}},
		{`[1, 2, not even json`, 2, []string{`1`, `2`}},
		{`[1, 2]`, 5, []string{`1`, `2`}},
	}
	for _, tc := range cases {
		got, err := splitArray([]byte(tc.doc), tc.max)
		require.NoError(t, err, tc.doc)
		var texts []string
		for _, e := range got {
			texts = append(texts, string(e))
		}
		assert.Equal(t, tc.want, texts, tc.doc)
	}
	for _, doc := range []string{`{"a": [1]}`, `"[1]"`, ``, `  `, `5`} {
		_, err := splitArray([]byte(doc), -1)
		assert.ErrorIs(t, err, errNotArray, doc)
	}
	for _, doc := range []string{`[1,]`, `[,1]`, `[1}`, `[1`, `[1] x`, `["open]`, `[[1]`} {
		_, err := splitArray([]byte(doc), -1)
		assert.ErrorIs(t, err, errMalformedArray, doc)
	}
}
