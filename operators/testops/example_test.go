package testops_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mie-go/mie-go/operators/sdk"
	"github.com/mie-go/mie-go/operators/testops"
)

// The audio-sync-ok function on an operation configured to report a text output.
func ExampleOperator_Handle() {
	op, err := testops.NewFromLookup(func(name string) string {
		return map[string]string{"_HANDLER": "audio-sync-ok"}[name]
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var event sdk.Operation
	if err := json.Unmarshal([]byte(`{"Name": "audio-test-sync", "AssetId": "a1", "WorkflowExecutionId": "w1",
	  "Input": {"Media": {"Audio": {"S3Bucket": "b", "S3Key": "upload/talk.mp3"}}, "MetaData": {}},
	  "Configuration": {"MediaType": "Audio", "Enabled": true, "OutputMediaType": "Text", "TestCustomConfig": "x"},
	  "Status": "Started", "MetaData": {}, "Media": {}}`), &event); err != nil {
		fmt.Println(err)
		return
	}
	out, err := op.Handle(context.Background(), event)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Status)
	fmt.Println(out.MetaData)
	fmt.Println(out.Media)
	// Output:
	// Complete
	// map[audio-test-sync:map[Meta:Workflow metadata for audio-test-sync TestCustomConfig:x]]
	// map[Text:map[S3Bucket:S3BucketFromaudio-test-sync S3Key:S3/Key/From/audio-test-sync/text]]
}
