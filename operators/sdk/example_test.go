package sdk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/mie-go/mie-go/operators/sdk"
)

const exampleEvent = `{"Name": "WordCount", "AssetId": "a1", "WorkflowExecutionId": "w1",
 "Input": {"Media": {"Text": {"S3Bucket": "bucket", "S3Key": "upload/notes.txt"}}, "MetaData": {}},
 "Configuration": {"MediaType": "Text", "Enabled": true},
 "Status": "Started", "MetaData": {}, "Media": {}}`

// A START Lambda that completes at once: decode the event, update the output, return it.
func ExampleOperationHelper() {
	var event sdk.Operation
	if err := json.Unmarshal([]byte(exampleEvent), &event); err != nil {
		fmt.Println(err)
		return
	}
	op := sdk.NewOperationHelper(event)
	op.AddWorkflowMetadata("WordCount_words", "42")
	op.AddMediaObject("Text", "bucket", "private/assets/a1/workflows/w1/words.txt")
	op.UpdateWorkflowStatus(sdk.OperationStatusComplete)

	out, _ := json.Marshal(op.ReturnOutputObject())
	fmt.Println(string(out))
	// Output:
	// {"Name":"WordCount","AssetId":"a1","WorkflowExecutionId":"w1","Input":{"Media":{"Text":{"S3Bucket":"bucket","S3Key":"upload/notes.txt"}},"MetaData":{}},"Configuration":{"MediaType":"Text","Enabled":true},"Status":"Complete","MetaData":{"WordCount_words":"42"},"Media":{"Text":{"S3Bucket":"bucket","S3Key":"private/assets/a1/workflows/w1/words.txt"}}}
}

// An async START Lambda returning the reduced output: the identifiers its MONITOR needs travel in MetaData.
func ExampleOutputHelper() {
	var event sdk.Operation
	if err := json.Unmarshal([]byte(exampleEvent), &event); err != nil {
		fmt.Println(err)
		return
	}
	out := sdk.NewOutputHelper("labelDetection")
	out.UpdateWorkflowStatus(sdk.OperationStatusExecuting)
	out.AddWorkflowMetadata("JobId", "4a1f")
	out.AddWorkflowMetadata("AssetId", event.AssetID)
	out.AddWorkflowMetadata("WorkflowExecutionId", event.WorkflowExecutionID)

	b, _ := json.Marshal(out.ReturnOutputObject())
	fmt.Println(string(b))
	// Output:
	// {"Name":"labelDetection","Status":"Executing","MetaData":{"AssetId":"a1","JobId":"4a1f","WorkflowExecutionId":"w1"},"Media":{}}
}

// A handled failure: Status Error, an explanatory MetaData entry, and the error whose type name Step Functions
// matches. Its text is what OperatorFailed parses.
func ExampleMasExecutionError() {
	var event sdk.Operation
	if err := json.Unmarshal([]byte(exampleEvent), &event); err != nil {
		fmt.Println(err)
		return
	}
	op := sdk.NewOperationHelper(event)
	op.UpdateWorkflowStatus(sdk.OperationStatusError)
	op.AddWorkflowMetadata("WordCountError", "File is empty")
	var err error = op.MasExecutionError()
	fmt.Println(err)
	// Output:
	// {"Name": "WordCount", "AssetId": "a1", "WorkflowExecutionId": "w1", "Input": {"Media": {"Text": {"S3Bucket": "bucket", "S3Key": "upload/notes.txt"}}, "MetaData": {}}, "Configuration": {"MediaType": "Text", "Enabled": true}, "Status": "Error", "MetaData": {"WordCountError": "File is empty"}, "Media": {}}
}

// The workflow engine's filter decides whether an operation runs.
func ExampleFilterStatus() {
	op := &sdk.Operation{
		Input:         json.RawMessage(`{"Media": {"Video": {"S3Bucket": "b", "S3Key": "k"}}}`),
		Configuration: json.RawMessage(`{"MediaType": "Audio", "Enabled": true}`),
	}
	status, err := sdk.FilterStatus(op)
	fmt.Println(status, err)

	op.Configuration = json.RawMessage(`{"MediaType": "Video", "Enabled": true}`)
	status, err = sdk.FilterStatus(op)
	fmt.Println(status, err)

	op.Configuration = json.RawMessage(`{"MediaType": "Video"}`)
	_, err = sdk.FilterStatus(op)
	fmt.Printf("%T %v\n", err, err)
	// Output:
	// Skipped <nil>
	// Started <nil>
	// *sdk.KeyError 'Enabled'
}

// fakeLambda stands in for the Lambda client: it shows the request event and answers as the data plane would.
type fakeLambda func(event map[string]any) (status int, body string)

func (f fakeLambda) Invoke(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	var event map[string]any
	if err := json.Unmarshal(in.Payload, &event); err != nil {
		return nil, err
	}
	status, body := f(event)
	payload, err := json.Marshal(map[string]any{"statusCode": status, "body": body})
	return &lambda.InvokeOutput{StatusCode: 200, Payload: payload}, err
}

// An operator's data plane client. In a Lambda function the lookup is os.Getenv and the Lambda client is built
// from it; here a fake client shows what is sent.
func ExampleNewDataPlane() {
	lookup := func(name string) string {
		return map[string]string{"DataplaneEndpoint": "mie-DataplaneApiHandler"}[name]
	}
	fake := fakeLambda(func(event map[string]any) (int, string) {
		fmt.Println(event["httpMethod"], event["path"], event["queryStringParameters"])
		fmt.Println(event["body"])
		return 200, `{"Status":"Success","Bucket":"b","Key":"private/assets/a1/workflows/w1/WordCount.json"}`
	})
	dp, err := sdk.NewDataPlane(context.Background(), lookup, sdk.WithLambdaClient(fake))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := dp.StoreAssetMetadata(context.Background(), "a1", "WordCount", "w1", map[string]any{"Words": 42, "Score": 0.5}, false, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.StatusCode, resp.Success(), resp.StringField("Key"))
	// Output:
	// POST /metadata/a1 <nil>
	// {"OperatorName": "WordCount", "Results": {"Score": 0.5, "Words": 42}, "WorkflowId": "w1"}
	// 200 true private/assets/a1/workflows/w1/WordCount.json
}

// A result too large for one request is stored page by page; only the last page publishes it.
func ExampleDataPlane_NewPageWriter() {
	fake := fakeLambda(func(event map[string]any) (int, string) {
		fmt.Println(event["queryStringParameters"])
		return 200, `{"Status":"Success"}`
	})
	dp, _ := sdk.NewDataPlane(context.Background(), nil, sdk.WithLambdaClient(fake), sdk.WithFunctionName("dataplane"))
	pages := []map[string]any{{"Labels": []any{"a"}}, {"Labels": []any{"b"}}, {"Labels": []any{"c"}}}
	w := dp.NewPageWriter("a1", "labelDetection", "w1", false)
	for i, page := range pages {
		if _, err := w.Write(context.Background(), page, i == len(pages)-1); err != nil {
			fmt.Println(err)
			return
		}
	}
	// Output:
	// map[paginated:true]
	// map[paginated:true]
	// map[end:true paginated:true]
}

// Reading every page of an operator's results, following the cursor.
func ExampleDataPlane_MetadataPages() {
	answers := []string{
		`{"asset_id":"a1","operator":"labelDetection","cursor":"c1","results":{"Labels":["a"]}}`,
		`{"asset_id":"a1","operator":"labelDetection","results":{"Labels":["b"]}}`,
	}
	fake := fakeLambda(func(map[string]any) (int, string) {
		answer := answers[0]
		answers = answers[1:]
		return 200, answer
	})
	dp, _ := sdk.NewDataPlane(context.Background(), nil, sdk.WithLambdaClient(fake), sdk.WithFunctionName("dataplane"))
	for page, err := range dp.MetadataPages(context.Background(), "a1", "labelDetection") {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(page.Operator, page.Results)
	}
	// Output:
	// labelDetection map[Labels:[a]]
	// labelDetection map[Labels:[b]]
}

// A program outside the stack reaches the data plane over its REST API, signing with its own credentials.
func ExampleNewRESTDataPlane() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path, r.Header.Get("Authorization") != "")
		_, _ = w.Write([]byte(`{"S3Bucket":"b","S3Key":"private/assets/a1/workflows/w1/"}`))
	}))
	defer api.Close()
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")}
	dp, err := sdk.NewRESTDataPlane(api.URL+"/api/", cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := dp.GenerateMediaStoragePath(context.Background(), "a1", "w1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Body["S3Key"])
	// Output:
	// GET /api/mediapath/a1/w1 true
	// private/assets/a1/workflows/w1/
}
