package etl_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/mie-go/mie-go/operators/sdk/etl"
)

// A consumer of the analytics stream: each change updates an index of assets and their current results.
func ExampleHandler() {
	// The batch as Lambda's Kinesis event source delivers it; each data field is a base64-encoded JSON record.
	const batch = `{"Records": [
		{"kinesis": {"partitionKey": "6d0f2c1e", "sequenceNumber": "1",
			"data": "eyJNZWRpYVR5cGUiOiAiVmlkZW8iLCAiUzNCdWNrZXQiOiAibWllLWRhdGFwbGFuZSIsICJTM0tleSI6ICJ1cGxvYWQva2V5bm90ZS5tcDQiLCAiQ3JlYXRlZCI6ICIxNzAwMDAwMDAwLjEyMzQ1NiIsICJBY3Rpb24iOiAiSU5TRVJUIn0="}},
		{"kinesis": {"partitionKey": "6d0f2c1e", "sequenceNumber": "2",
			"data": "eyJBY3Rpb24iOiAiTU9ESUZZIiwgIlBvaW50ZXIiOiAicHJpdmF0ZS9hc3NldHMvNmQwZjJjMWUvd29ya2Zsb3dzLzBiOGUvbGFiZWxEZXRlY3Rpb24uanNvbiIsICJPcGVyYXRvciI6ICJsYWJlbERldGVjdGlvbiIsICJXb3JrZmxvdyI6ICIwYjhlIn0="}},
		{"kinesis": {"partitionKey": "6d0f2c1e", "sequenceNumber": "3",
			"data": "eyJBY3Rpb24iOiAiUkVNT1ZFIiwgIk9wZXJhdG9yIjogImxhYmVsRGV0ZWN0aW9uIn0="}},
		{"kinesis": {"partitionKey": "6d0f2c1e", "sequenceNumber": "4",
			"data": "eyJBY3Rpb24iOiAiUkVNT1ZFIn0="}}
	]}`
	var ev events.KinesisEvent
	if err := json.Unmarshal([]byte(batch), &ev); err != nil {
		fmt.Println(err)
		return
	}

	index := etl.ProcessorFunc(func(_ context.Context, c etl.Change) error {
		switch c := c.(type) {
		case *etl.AssetInserted:
			fmt.Printf("index asset %s: %s s3://%s/%s\n", c.AssetID, c.MediaType, c.S3Bucket, c.S3Key)
		case *etl.ResultChanged:
			fmt.Printf("index %s results of asset %s from %s\n", c.Operator, c.AssetID, c.Pointer)
		case *etl.OperatorRemoved:
			fmt.Printf("drop %s results of asset %s\n", c.Operator, c.AssetID)
		case *etl.AssetRemoved:
			fmt.Printf("drop asset %s\n", c.AssetID)
		}
		return nil
	})
	// In a Lambda main: lambda.Start(etl.NewHandler(index).Handle)
	resp, err := etl.NewHandler(index).Handle(context.Background(), ev)
	fmt.Println(len(resp.BatchItemFailures), err)
	// Output:
	// index asset 6d0f2c1e: Video s3://mie-dataplane/upload/keynote.mp4
	// index labelDetection results of asset 6d0f2c1e from private/assets/6d0f2c1e/workflows/0b8e/labelDetection.json
	// drop labelDetection results of asset 6d0f2c1e
	// drop asset 6d0f2c1e
	// 0 <nil>
}

// Decoding one record read from the stream by other means, e.g. a Kinesis GetRecords loop.
func ExampleDecode() {
	c, err := etl.Decode("6d0f2c1e", []byte(`{"Action": "MODIFY", "Pointer": "private/assets/6d0f2c1e/workflows/0b8e/Mediainfo.json", "Operator": "Mediainfo", "Workflow": "0b8e"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	if changed, ok := c.(*etl.ResultChanged); ok {
		fmt.Println(changed.Operator, changed.Workflow, changed.Pointer)
	}
	// Output:
	// Mediainfo 0b8e private/assets/6d0f2c1e/workflows/0b8e/Mediainfo.json
}
