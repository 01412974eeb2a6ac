package sdk_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// packageDoc returns the package documentation as godoc shows it.
func packageDoc(t *testing.T) string {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		require.NoError(t, err)
		files = append(files, f)
	}
	pkg, err := doc.NewFromFiles(fset, files, "github.com/mie-go/mie-go/operators/sdk")
	require.NoError(t, err)
	return pkg.Doc
}

// SDK-20, SDK-21: the package documentation states the state-machine contract and the limits an operator author
// must know.
func TestPackageDocumentsContract(t *testing.T) {
	text := strings.Join(strings.Fields(packageDoc(t)), " ")
	for _, want := range []string{
		// SDK-20
		"runs up to three times with the same event",                      // Retry on MasExecutionError
		"OperatorFailed receives the state that entered the failing task", // Catch
		"Executing (async only) waits again",                              // async loop
		"must accept an event whose Status is Complete and return Complete",
		"its MONITOR must find identifiers in MetaData", // reduced outputs
		// SDK-21
		"256 KB", "32 768 characters", "6 MB", "MetaData keys are one namespace for the whole workflow",
	} {
		assert.Contains(t, text, want)
	}
}
