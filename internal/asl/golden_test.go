package asl

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// The engine ARNs of the constructed example of control-plane §5.5.
var exampleLambdas = Lambdas{
	Filter:         "arn:aws:lambda:us-east-1:111122223333:function:mie-FilterOperationLambda-AAAA",
	OperatorFailed: "arn:aws:lambda:us-east-1:111122223333:function:mie-OperatorFailedLambda-BBBB",
	CompleteStage:  "arn:aws:lambda:us-east-1:111122223333:function:mie-CompleteStageLambda-CCCC",
}

// The two operations of §5.5.
var (
	mediainfo = Operation{
		Name: "Mediainfo", Type: "Sync", MediaType: "Video",
		StartLambdaArn: "arn:aws:lambda:us-east-1:111122223333:function:mie-OperatorLibrary-X-Mediainfo-DDDD",
	}
	labelDetect = Operation{
		Name: "LabelDetect", Type: "Async", MediaType: "Video",
		StartLambdaArn:   "arn:aws:lambda:us-east-1:111122223333:function:my-start-labels",
		MonitorLambdaArn: "arn:aws:lambda:us-east-1:111122223333:function:my-check-labels",
	}
)

// assertGolden compares got with testdata/<name> byte for byte; -update rewrites the file instead.
// Golden texts are one line without a trailing newline, exactly as stored or sent.
func assertGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	assert.Equal(t, string(want), got, "golden file %s", path)
}

// readTestdata returns the content of testdata/<name>.
func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

func mustTemplate(t testing.TB, op Operation, l Lambdas) string {
	t.Helper()
	s, err := OperationTemplate(op, l)
	require.NoError(t, err)
	return s
}

func mustStage(t testing.TB, stage string, l Lambdas, ops ...Operation) string {
	t.Helper()
	templates := make([]string, len(ops))
	for i, op := range ops {
		templates[i] = mustTemplate(t, op, l)
	}
	s, err := StageDefinition(stage, templates, l.CompleteStage)
	require.NoError(t, err)
	return s
}
