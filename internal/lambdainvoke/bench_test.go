package lambdainvoke_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/mie-go/mie-go/internal/lambdainvoke"
)

// benchPayload is the size of a typical operator input (a workflow stage object).
var benchPayload = []byte(`{"Name":"Mediainfo","AssetId":"6d0f","WorkflowExecutionId":"0b8e",` +
	`"Input":{"Media":{"Video":{"S3Bucket":"mie-dataplane","S3Key":"upload/video.mp4"}},"MetaData":{}},` +
	`"Configuration":{"MediaType":"Video","Enabled":true},"Status":"Started","MetaData":{},"Media":{}}`)

func benchRegistry() *lambdainvoke.Registry {
	reg := newRegistry()
	reg.RegisterFunc("echo", func(in map[string]any) (map[string]any, error) { return in, nil })
	return reg
}

// BenchmarkInvokeHTTP is one RequestResponse invocation through the SDK client and the Invoke API server.
func BenchmarkInvokeHTTP(b *testing.B) {
	client := newClient(b, benchRegistry())
	in := &awslambda.InvokeInput{FunctionName: aws.String("echo"), Payload: benchPayload}
	ctx := context.Background()
	for b.Loop() {
		out, err := client.Invoke(ctx, in)
		if err != nil || out.FunctionError != nil {
			b.Fatalf("invoke: %v %v", err, out)
		}
	}
}

// BenchmarkInvokeInProcess is one invocation through Registry.Invoke.
func BenchmarkInvokeInProcess(b *testing.B) {
	reg := benchRegistry()
	ctx := context.Background()
	for b.Loop() {
		res, err := reg.Invoke(ctx, "echo", benchPayload)
		if err != nil || res.Error != nil {
			b.Fatalf("invoke: %v %v", err, res.Error)
		}
	}
}
