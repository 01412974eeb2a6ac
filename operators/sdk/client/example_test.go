package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/mie-go/mie-go/operators/sdk/client"
)

// Register media already in S3 as an asset, store a result for it and read everything back. The endpoints are
// the stack outputs DataplaneApiEndpoint and WorkflowApiEndpoint; credentials come from the standard chain.
func Example() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	dataplane, err := client.NewDataplaneAPI(cfg, os.Getenv("DATAPLANE_API_ENDPOINT"))
	if err != nil {
		log.Fatal(err)
	}
	asset, err := dataplane.CreateAsset(ctx, client.Media{MediaType: "Video", S3Bucket: "my-media", S3Key: "keynote.mp4"})
	if err != nil {
		log.Fatal(err)
	}
	_, err = dataplane.StoreMetadata(ctx, asset.AssetID, client.Metadata{
		OperatorName: "notes", WorkflowID: "manual", Results: map[string]any{"speaker": "Jane Doe"},
	})
	if err != nil {
		log.Fatal(err)
	}
	pages := client.NewMetadataPaginator(dataplane, asset.AssetID, "")
	for page, err := range pages.Pages(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(page.Operator, string(page.Results))
	}
}

// Define a workflow of two stages from registered operations.
func ExampleWorkflowAPI_CreateWorkflow() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	api, err := client.NewWorkflowAPI(cfg, os.Getenv("WORKFLOW_API_ENDPOINT"))
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range []client.Stage{
		{Name: "Prep", Operations: []string{"Mediainfo", "Thumbnail"}},
		{Name: "Analyze", Operations: []string{"labelDetection"}},
	} {
		if _, err := api.CreateStage(ctx, s); err != nil {
			log.Fatal(err)
		}
	}
	wf, err := api.CreateWorkflow(ctx, client.Workflow{
		Name:    "VideoAnalysis",
		StartAt: "Prep",
		Stages:  client.WorkflowStages{{Name: "Prep", Next: "Analyze"}, {Name: "Analyze", End: true}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(wf.StateMachineARN)
}

// Errors of the API are *APIError values with the API's status, code and message.
func ExampleAPIError() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"Code":"NotFoundError","Message":"Exception: workflow 'Nope' not found"}`)
	}))
	defer api.Close()

	workflows, err := client.NewWorkflowAPI(aws.Config{}, api.URL+"/api/")
	if err != nil {
		log.Fatal(err)
	}
	_, err = workflows.GetWorkflow(context.Background(), "Nope")
	var apiErr *client.APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound {
		fmt.Println(apiErr.Code)
		fmt.Println(apiErr.Message)
	}
	// Output:
	// NotFoundError
	// Exception: workflow 'Nope' not found
}

// Stages are sent in the order they are listed, the chain order the API expects.
func ExampleWorkflowStages() {
	body, err := json.Marshal(client.Workflow{
		Name:    "Captions",
		StartAt: "Transcribe",
		Stages:  client.WorkflowStages{{Name: "Transcribe", Next: "Translate"}, {Name: "Translate", End: true}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(body))
	// Output:
	// {"Name":"Captions","StartAt":"Transcribe","Stages":{"Transcribe":{"Name":"Transcribe","Next":"Translate"},"Translate":{"Name":"Translate","End":true}}}
}

// Members a type does not name are kept, and sent back, as they were.
func ExampleExtra() {
	var op client.Operation
	err := json.Unmarshal([]byte(`{"Name":"Detect","Type":"Sync","StartLambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:detect",
		"Configuration":{"MediaType":"Video","Enabled":true,"MinConfidence":80},"Description":"finds things"}`), &op)
	if err != nil {
		log.Fatal(err)
	}
	var confidence int
	if _, err := op.Configuration.Extra.Get("MinConfidence", &confidence); err != nil {
		log.Fatal(err)
	}
	fmt.Println(op.Name, confidence, string(op.Extra["Description"]))

	if err := op.Configuration.Extra.Set("MinConfidence", 90); err != nil {
		log.Fatal(err)
	}
	body, _ := json.Marshal(op.Configuration)
	fmt.Println(string(body))
	// Output:
	// Detect 80 "finds things"
	// {"MediaType":"Video","Enabled":true,"MinConfidence":90}
}
