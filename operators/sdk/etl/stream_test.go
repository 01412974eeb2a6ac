package etl_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/stream"
	"github.com/mie-go/mie-go/operators/sdk/etl"
)

// kinesisRecorder fakes the Kinesis client of the data plane stream function and keeps what it was sent.
type kinesisRecorder struct {
	records []*kinesis.PutRecordInput
}

func (k *kinesisRecorder) PutRecord(_ context.Context, in *kinesis.PutRecordInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordOutput, error) {
	k.records = append(k.records, in)
	return &kinesis.PutRecordOutput{SequenceNumber: aws.String(fmt.Sprint(len(k.records))), ShardId: aws.String("shardId-000000000000")}, nil
}

const (
	streamAsset = "6d0f2c1e-8a51-4c4e-9a55-0f2b7f1d9c33"
	streamWF1   = "0b8e6c7a-2d0f-4c51-b8a9-5b8d2f7b0a11"
	streamWF2   = "9a1b2c3d-0000-4000-8000-000000000001"
	// assetGlobals are the attributes the data plane writes when it creates an asset, in DynamoDB JSON.
	assetGlobals = `"AssetId": {"S": "` + streamAsset + `"}, "MediaType": {"S": "Video"}, "S3Key": {"S": "upload/keynote.mp4"}, ` +
		`"Created": {"S": "1700000000.123456"}, "S3Bucket": {"S": "mie-dataplane-1a2b3c"}`
)

func resultPointer(operator, workflow string) string {
	return "private/assets/" + streamAsset + "/workflows/" + workflow + "/" + operator + ".json"
}

// pointerList renders an operator attribute of the asset row: its pointer list, newest first.
func pointerList(operator string, workflows ...string) string {
	elems := make([]string, len(workflows))
	for i, w := range workflows {
		elems[i] = fmt.Sprintf(`{"M": {"workflow": {"S": %q}, "pointer": {"S": %q}}}`, w, resultPointer(operator, w))
	}
	return fmt.Sprintf(`, %q: {"L": [%s]}`, operator, strings.Join(elems, ", "))
}

// streamRecord renders a DynamoDB stream record of the asset row; an empty image is left out.
func streamRecord(eventName, newImage, oldImage string) string {
	change := `"Keys": {"AssetId": {"S": "` + streamAsset + `"}}, "StreamViewType": "NEW_AND_OLD_IMAGES", "SequenceNumber": "1"`
	if newImage != "" {
		change += `, "NewImage": {` + newImage + `}`
	}
	if oldImage != "" {
		change += `, "OldImage": {` + oldImage + `}`
	}
	return `{"eventID": "1", "eventName": "` + eventName + `", "eventSource": "aws:dynamodb", "awsRegion": "us-east-1", "dynamodb": {` + change + `}}`
}

// TestDecodeWhatTheStreamSends runs a life of an asset through the data plane stream function (DP-29 to DP-33) and
// decodes each Kinesis record it puts, as a consumer reads it.
func TestDecodeWhatTheStreamSends(t *testing.T) {
	locks := `, "Locked": {"S": "true"}, "LockedBy": {"S": "u1"}, "LockedAt": {"N": "1700000100"}`
	first := assetGlobals + pointerList("Mediainfo", streamWF1)
	second := first + pointerList("labelDetection", streamWF1)
	records := []string{
		streamRecord("INSERT", assetGlobals, ""),
		streamRecord("MODIFY", first, assetGlobals),
		streamRecord("MODIFY", second, first),
		// Checkout and checkin change only lock attributes: nothing is sent.
		streamRecord("MODIFY", second+locks, second),
		streamRecord("MODIFY", second, second+locks),
		streamRecord("MODIFY", assetGlobals+pointerList("Mediainfo", streamWF2, streamWF1)+pointerList("labelDetection", streamWF1), second),
		streamRecord("MODIFY", assetGlobals+pointerList("Mediainfo", streamWF2, streamWF1), assetGlobals+pointerList("Mediainfo", streamWF2, streamWF1)+pointerList("labelDetection", streamWF1)),
		streamRecord("REMOVE", "", assetGlobals+pointerList("Mediainfo", streamWF2, streamWF1)),
	}
	var ev events.DynamoDBEvent
	require.NoError(t, json.Unmarshal([]byte(`{"Records": [`+strings.Join(records, ", ")+`]}`), &ev))
	kinesisClient := &kinesisRecorder{}
	require.NoError(t, stream.NewDataplane(kinesisClient, "mie-AnalyticsStream").Handle(context.Background(), ev))

	var got []etl.Change
	for _, in := range kinesisClient.records {
		c, err := etl.Decode(aws.ToString(in.PartitionKey), in.Data)
		require.NoError(t, err, "%s", in.Data)
		got = append(got, c)
	}
	assert.Equal(t, []etl.Change{
		&etl.AssetInserted{AssetID: streamAsset, MediaType: "Video", S3Bucket: "mie-dataplane-1a2b3c", S3Key: "upload/keynote.mp4", Created: "1700000000.123456"},
		&etl.ResultChanged{AssetID: streamAsset, Operator: "Mediainfo", Pointer: resultPointer("Mediainfo", streamWF1), Workflow: streamWF1},
		&etl.ResultChanged{AssetID: streamAsset, Operator: "labelDetection", Pointer: resultPointer("labelDetection", streamWF1), Workflow: streamWF1},
		&etl.ResultChanged{AssetID: streamAsset, Operator: "Mediainfo", Pointer: resultPointer("Mediainfo", streamWF2), Workflow: streamWF2},
		&etl.OperatorRemoved{AssetID: streamAsset, Operator: "labelDetection"},
		&etl.AssetRemoved{AssetID: streamAsset},
	}, got)
}
