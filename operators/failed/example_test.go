package failed_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mie-go/mie-go/operators/failed"
)

// The failure state's input after a Python operator raised MasExecutionError: the Catch added Outputs, whose
// Cause holds the operator's output as a Python literal. OperatorFailed keeps that output's MetaData.
func ExampleHandler_Handle() {
	h := failed.New(nil)
	event := `{"Name": "Mediainfo", "AssetId": "A1", "WorkflowExecutionId": "W1",
	  "Input": {"Media": {"Video": {"S3Bucket": "b", "S3Key": "upload/notes.txt"}}, "MetaData": {}},
	  "Configuration": {"MediaType": "Video", "Enabled": true}, "Status": "Started", "MetaData": {}, "Media": {},
	  "Outputs": {"Error": "MasExecutionError",
	    "Cause": "{\"errorMessage\": \"{'Name': 'Mediainfo', 'Status': 'Error', 'MetaData': {'MediainfoError': 'File does not contain valid video, audio, image, or text content'}, 'Media': {}}\", \"errorType\": \"MasExecutionError\"}"}}`
	out, err := h.Handle(context.Background(), json.RawMessage(event))
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
	// Output:
	// {"Name":"Mediainfo","AssetId":"A1","WorkflowExecutionId":"W1","Input":{"Media":{"Video":{"S3Bucket":"b","S3Key":"upload/notes.txt"}},"MetaData":{}},"Configuration":{"MediaType":"Video","Enabled":true},"Status":"Error","MetaData":{"MediainfoError":"File does not contain valid video, audio, image, or text content"},"Media":{}}
}
