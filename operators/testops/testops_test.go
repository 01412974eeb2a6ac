package testops

import (
	"encoding/json"
	"errors"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/lambdainvoke"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/operators/sdk"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata")

// event is a START event of a test operation; config is its Configuration and extra fields replace others.
func event(t *testing.T, name, config string, extra map[string]string) sdk.Operation {
	t.Helper()
	fields := map[string]json.RawMessage{
		"Name":                json.RawMessage(`"` + name + `"`),
		"AssetId":             json.RawMessage(`"6d0f2c1e-8a51-4c4e-9a55-0f2b7f1d9c33"`),
		"WorkflowExecutionId": json.RawMessage(`"0b8e6c7a-2d0f-4c51-b8a9-5b8d2f7b0a11"`),
		"Input":               json.RawMessage(`{"Media": {"Video": {"S3Bucket": "mie-dataplane-1a2b3c", "S3Key": "upload/keynote.mp4"}}, "MetaData": {}}`),
		"Configuration":       json.RawMessage(config),
		"Status":              json.RawMessage(`"Started"`),
		"MetaData":            json.RawMessage(`{}`),
		"Media":               json.RawMessage(`{}`),
	}
	for k, v := range extra {
		fields[k] = json.RawMessage(v)
	}
	b, err := json.Marshal(fields)
	require.NoError(t, err)
	var ev sdk.Operation
	require.NoError(t, json.Unmarshal(b, &ev))
	return ev
}

// result renders what the Lambda returns: the output object, or the MasExecutionError's text.
func result(t *testing.T, out *sdk.Operation, err error) string {
	t.Helper()
	if err != nil {
		var mas *sdk.MasExecutionError
		require.True(t, errors.As(err, &mas), "%T %v", err, err)
		return "MasExecutionError: " + mas.Error() + "\n"
	}
	b, err := json.Marshal(out)
	require.NoError(t, err)
	return string(b) + "\n"
}

// assertGolden compares got with testdata/<name>.golden, or rewrites the file with -update.
func assertGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}

const videoConfig = `{"MediaType": "Video", "Enabled": true}`

// OP-42: each of the 14 operators on the event the integration tests send, named as the original's handlers name
// their operations. The golden files of this test and the next were checked, when recorded, against the original's
// test.py run on the same events with the original helper: the outputs and errors agree as JSON values.
func TestOperatorOutputs(t *testing.T) {
	names := map[string]string{
		"video-sync-ok": "video-test-sync", "video-sync-fail": "video-test-sync-fail",
		"video-async-ok": "video-test-async", "video-async-ok-monitor": "video-test-async",
		"video-async-fail-monitor": "video-test-async",
		"audio-sync-ok":            "audio-test-sync", "audio-async-ok": "audio-test-async", "audio-async-ok-monitor": "audio-test-async",
		"image-sync-ok": "image-test-sync", "image-async-ok": "image-test-async", "image-async-ok-monitor": "image-test-async",
		"text-sync-ok": "text-test-sync", "text-async-ok": "text-test-async", "text-async-ok-monitor": "text-test-async",
	}
	require.Len(t, Operators(), 14)
	for _, op := range Operators() {
		t.Run(op.Handler, func(t *testing.T) {
			name, ok := names[op.Handler]
			require.True(t, ok)
			out, err := op.Handle(t.Context(), event(t, name, videoConfig, nil))
			assertGolden(t, op.Handler, result(t, out, err))
		})
	}
}

// OP-42: configuration keys, carried metadata and the Python-rule failures.
func TestOperatorVariants(t *testing.T) {
	videoOK, _ := Find("video-sync-ok")
	monitor, _ := Find("video-async-ok-monitor")
	cases := []struct {
		golden string
		op     Operator
		config string
		extra  map[string]string
	}{
		{"custom_config_and_output_type", videoOK,
			`{"MediaType": "Video", "Enabled": true, "TestCustomConfig": {"b": [1, 2.50], "a": "é"}, "OutputMediaType": "Audio"}`, nil},
		{"output_type_without_media", videoOK, `{"MediaType": "Video", "Enabled": true, "OutputMediaType": "Thumbnail"}`, nil},
		{"output_type_not_a_string", videoOK, `{"MediaType": "Video", "Enabled": true, "OutputMediaType": 5}`, nil},
		{"monitor_keeps_metadata", monitor, videoConfig, map[string]string{
			"Status":   `"Executing"`,
			"MetaData": `{"video-test-async": {"Meta": "from start", "JobId": "j1"}, "Other": 1.0}`,
			"Media":    `{"Audio": {"S3Bucket": "b", "S3Key": "k"}}`,
		}},
		{"config_string_without_keys", videoOK, `"no keys here"`, nil},
		{"config_list_without_keys", videoOK, `["Video", 1, {"TestCustomConfig": 1}]`, nil},
		{"config_string_with_key", videoOK, `"has TestCustomConfig inside"`, nil},
		{"config_list_with_output_type", videoOK, `["OutputMediaType"]`, nil},
		{"config_number", videoOK, `5`, nil},
		{"config_null", videoOK, `null`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			out, err := tc.op.Handle(t.Context(), event(t, "video-test-sync", tc.config, tc.extra))
			assertGolden(t, tc.golden, result(t, out, err))
		})
	}
}

// OP-42: every test function of the stack definitions is served by an operator of this package, found by the
// handler string Lambda passes in _HANDLER.
func TestOperatorsMatchDefinitions(t *testing.T) {
	var handlers []string
	for _, f := range resources.Definitions().Functions {
		if f.Main == "cmd/testoperations" {
			handlers = append(handlers, f.Handler)
		}
	}
	var ours []string
	for _, op := range Operators() {
		ours = append(ours, op.Handler)
	}
	assert.Equal(t, handlers, ours)

	op, err := NewFromLookup(func(k string) string { return map[string]string{"_HANDLER": "text-async-ok"}[k] })
	require.NoError(t, err)
	assert.Equal(t, Operator{Handler: "text-async-ok", MediaType: "Text"}, op)
	_, err = NewFromLookup(func(string) string { return "bootstrap" })
	assert.EqualError(t, err, `testops: no test operator has the handler "bootstrap"`)
}

// OP-42: through the Lambda Invoke API, as Step Functions calls them: the handler signature suits lambda.Start,
// a Python-rule failure arrives as MasExecutionError and an event without a required key as KeyError.
func TestOperatorsThroughLambda(t *testing.T) {
	reg := lambdainvoke.NewRegistry("us-east-1", "123456789012")
	op, _ := Find("video-sync-ok")
	reg.RegisterFunc("test-video-sync-ok", op.Handle)
	srv := httptest.NewServer(lambdainvoke.NewServer(reg))
	t.Cleanup(srv.Close)
	client := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")})
	invoke := func(payload string) (*lambda.InvokeOutput, map[string]any) {
		out, err := client.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("test-video-sync-ok"), Payload: []byte(payload)})
		require.NoError(t, err)
		var body map[string]any
		require.NoError(t, json.Unmarshal(out.Payload, &body))
		return out, body
	}
	ev := `{"Name": "video-test-sync", "AssetId": "a", "WorkflowExecutionId": "w", "Input": {"Media": {}}, "Status": "Started", `
	out, body := invoke(ev + `"Configuration": {"MediaType": "Video", "Enabled": true}}`)
	assert.Nil(t, out.FunctionError)
	assert.Equal(t, "Complete", body["Status"])

	out, body = invoke(ev + `"Configuration": 5}`)
	assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
	assert.Equal(t, "MasExecutionError", body["errorType"])
	assert.Contains(t, body["errorMessage"], `"Message": "Oh no! Something went wrong: argument of type 'int' is not iterable"`)

	_, body = invoke(`{"Name": "video-test-sync"}`)
	assert.Equal(t, "KeyError", body["errorType"])
	assert.Equal(t, "'AssetId'", body["errorMessage"])
}
