package sdk

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/stretchr/testify/require"
)

// The identifiers of operator-sdk's examples.
const (
	testAsset    = "6d0f2c1e-8a51-4c4e-9a55-0f2b7f1d9c33"
	testWorkflow = "0b8e6c7a-2d0f-4c51-b8a9-5b8d2f7b0a11"
	testFunction = "mie-dataplane-api"
)

// invokeFunc fakes the Lambda client with one function.
type invokeFunc func(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)

func (f invokeFunc) Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	return f(ctx, in, optFns...)
}

// invocation is what a recording fake saw of one call.
type invocation struct {
	in *lambda.InvokeInput
	// options are the per-call options applied to zero Options.
	options lambda.Options
}

// recorder is a Lambda client that records every invocation and answers each with the next of its payloads (the
// last one repeats).
type recorder struct {
	calls    []invocation
	payloads []string
}

func (r *recorder) Invoke(_ context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	var o lambda.Options
	for _, f := range optFns {
		f(&o)
	}
	r.calls = append(r.calls, invocation{in: in, options: o})
	p := r.payloads[min(len(r.calls), len(r.payloads))-1]
	return &lambda.InvokeOutput{StatusCode: 200, Payload: []byte(p)}, nil
}

// event decodes the proxy event of call i.
func (r *recorder) event(t *testing.T, i int) map[string]any {
	t.Helper()
	var ev map[string]any
	require.NoError(t, json.Unmarshal(r.calls[i].in.Payload, &ev))
	return ev
}

// proxyResponse is a data plane envelope around a JSON body.
func proxyResponse(status int, body string) string {
	b, _ := json.Marshal(map[string]any{"statusCode": status, "body": body})
	return string(b)
}

// fixedDataPlane returns a client over invoker whose events carry the requestTime and requestId of data-plane §3.6.
func fixedDataPlane(t *testing.T, invoker LambdaInvoker) *DataPlane {
	t.Helper()
	dp, err := NewDataPlane(t.Context(), nil, WithLambdaClient(invoker), WithFunctionName(testFunction))
	require.NoError(t, err)
	lt := dp.t.(*lambdaTransport)
	lt.now = func() time.Time { return time.Unix(1700000123, 456789000) }
	lt.requestID = func() string { return "lambda_3f9a1c2b7d4e" }
	return dp
}

// golden reads a file of testdata.
func golden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// functionName returns the name the fake was asked to invoke.
func (inv invocation) functionName() string { return aws.ToString(inv.in.FunctionName) }
