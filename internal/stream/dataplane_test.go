package stream_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/stream"
)

// putRecordFunc fakes the Kinesis client with one function.
type putRecordFunc func(ctx context.Context, in *kinesis.PutRecordInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordOutput, error)

func (f putRecordFunc) PutRecord(ctx context.Context, in *kinesis.PutRecordInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordOutput, error) {
	return f(ctx, in, optFns...)
}

// sent is one PutRecord call as the fake saw it.
type sent struct {
	Stream, PartitionKey, Data string
}

// recorder returns a fake Kinesis client that accepts every record, and the calls it received.
func recorder() (stream.RecordPutter, *[]sent) {
	var calls []sent
	return putRecordFunc(func(_ context.Context, in *kinesis.PutRecordInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordOutput, error) {
		calls = append(calls, sent{aws.ToString(in.StreamName), aws.ToString(in.PartitionKey), string(in.Data)})
		return &kinesis.PutRecordOutput{ShardId: aws.String("shardId-000000000000"), SequenceNumber: aws.String("1")}, nil
	}), &calls
}

const (
	streamName = "mie-AnalyticsStream"
	assetID    = "6d0f2c1e-8a51-4c4e-9a55-0f2b7f1d9c33"
	wf1        = "0b8e6c7a-2d0f-4c51-b8a9-5b8d2f7b0a11"
	wf2        = "9a1b2c3d-0000-4000-8000-000000000001"
	wf3        = "c4d5e6f7-1111-4222-8333-444455556666"

	// Attributes of an asset in DynamoDB JSON, as a stream record carries them (data-plane §4.1).
	globals = `"MediaType": {"S": "Video"}, "S3Key": {"S": "upload/keynote.mp4"}, "Created": {"S": "1700000000.123456"}, "S3Bucket": {"S": "mie-dataplane-1a2b3c"}`
	locks   = `"Locked": {"S": "true"}, "LockedBy": {"S": "user01@example.com"}, "LockedAt": {"N": "1700000100"}`
)

// pointer is the S3 key of an operator's result, as the data plane API stores it.
func pointer(operator, workflow string) string {
	return "private/assets/" + assetID + "/workflows/" + workflow + "/" + operator + ".json"
}

// pointers renders an operator attribute: its pointer list, newest first, one element per workflow.
func pointers(operator string, workflows ...string) string {
	elems := make([]string, len(workflows))
	for i, w := range workflows {
		elems[i] = fmt.Sprintf(`{"M": {"workflow": {"S": %q}, "pointer": {"S": %q}}}`, w, pointer(operator, w))
	}
	return fmt.Sprintf(`%q: {"L": [%s]}`, operator, strings.Join(elems, ", "))
}

// image renders an item image of the asset with the given attributes.
func image(attrs ...string) string {
	return `{"AssetId": {"S": "` + assetID + `"}` + strings.Join(append([]string{""}, attrs...), ", ") + "}"
}

// record renders one stream record as Lambda's event source delivers it; an empty image is left out.
func record(eventName, newImage, oldImage string) string {
	parts := []string{`"Keys": {"AssetId": {"S": "` + assetID + `"}}`}
	if newImage != "" {
		parts = append(parts, `"NewImage": `+newImage)
	}
	if oldImage != "" {
		parts = append(parts, `"OldImage": `+oldImage)
	}
	parts = append(parts, `"ApproximateCreationDateTime": 1700000200`, `"SequenceNumber": "4100000000019535471431"`,
		`"SizeBytes": 412`, `"StreamViewType": "NEW_AND_OLD_IMAGES"`)
	return `{"eventID": "` + eventName + `-1", "eventName": "` + eventName + `", "eventVersion": "1.1", ` +
		`"eventSource": "aws:dynamodb", "awsRegion": "us-east-1", ` +
		`"eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/mieDataplaneTable/stream/2024-01-01T00:00:00.000", ` +
		`"dynamodb": {` + strings.Join(parts, ", ") + `}}`
}

// batch decodes records into the event a stream function receives.
func batch(t *testing.T, records ...string) events.DynamoDBEvent {
	t.Helper()
	var ev events.DynamoDBEvent
	require.NoError(t, json.Unmarshal([]byte(`{"Records": [`+strings.Join(records, ", ")+`]}`), &ev))
	require.Len(t, ev.Records, len(records))
	return ev
}

// captureLogs sends the default logger's output to a buffer for the rest of the test.
func captureLogs(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(previous) })
	return &buf
}

// TestDataplanePayloads covers every rule of data-plane §9.3 with one realistic record each; want is the exact
// Data text, "" when nothing may be sent.
func TestDataplanePayloads(t *testing.T) {
	lockedWithResults := image(globals, locks, pointers("Mediainfo", wf1), pointers("labelDetection", wf1))
	withResults := image(globals, pointers("Mediainfo", wf1), pointers("labelDetection", wf1))

	cases := []struct {
		name   string
		record string
		want   string
		// warns is true for the one case where nothing is sent and the record is also reported in the log.
		warns bool
	}{
		{
			name:   "DP-30 INSERT of a new asset lists its attributes in the recommended order",
			record: record("INSERT", image(globals), ""),
			want:   `{"MediaType": "Video", "S3Bucket": "mie-dataplane-1a2b3c", "S3Key": "upload/keynote.mp4", "Created": "1700000000.123456", "Action": "INSERT"}`,
		},
		{
			name: "DP-29 INSERT converts typed values and renders numbers as their stream text",
			record: record("INSERT", image(globals,
				`"Size": {"N": "1.50"}`, `"Big": {"N": "123456789012345678901234567890.5"}`, `"Tiny": {"N": "0.0000001"}`,
				`"Flag": {"BOOL": true}`, `"Nothing": {"NULL": true}`,
				`"Nested": {"M": {"b": {"L": [{"N": "7"}, {"S": "x"}, {"BOOL": false}]}, "a": {"N": "-2.5E-3"}}}`,
				`"Tags": {"SS": ["red", "blue"]}`, `"Sizes": {"NS": ["10", "2.5"]}`, `"Blob": {"B": "AAEC"}`, `"Blobs": {"BS": ["CQ=="]}`,
			), ""),
			want: `{"MediaType": "Video", "S3Bucket": "mie-dataplane-1a2b3c", "S3Key": "upload/keynote.mp4", "Created": "1700000000.123456", ` +
				`"Big": "123456789012345678901234567890.5", "Blob": "AAEC", "Blobs": ["CQ=="], "Flag": true, ` +
				`"Nested": {"a": "-2.5E-3", "b": ["7", "x", false]}, "Nothing": null, "Size": "1.50", "Sizes": ["10", "2.5"], ` +
				`"Tags": ["red", "blue"], "Tiny": "0.0000001", "Action": "INSERT"}`,
		},
		{
			name:   "DP-29 INSERT escapes non-ASCII text",
			record: record("INSERT", image(`"MediaType": {"S": "Vidéo"}`, `"S3Key": {"S": "upload/日本 🎬 \"cut\".mp4"}`), ""),
			want:   `{"MediaType": "Vid\u00e9o", "S3Key": "upload/\u65e5\u672c \ud83c\udfac \"cut\".mp4", "Action": "INSERT"}`,
		},
		{
			name:   "DP-30 INSERT of a row holding only a lock",
			record: record("INSERT", image(locks), ""),
			want:   `{"Locked": "true", "LockedAt": "1700000100", "LockedBy": "user01@example.com", "Action": "INSERT"}`,
		},
		{
			name:   "DP-31 REMOVE of an asset",
			record: record("REMOVE", "", withResults),
			want:   `{"Action": "REMOVE"}`,
		},
		{
			name: "DP-32 MODIFY with one new current result",
			record: record("MODIFY",
				image(globals, pointers("Mediainfo", wf2), pointers("labelDetection", wf1, wf2)),
				image(globals, pointers("Mediainfo", wf2), pointers("labelDetection", wf2))),
			want: `{"Action": "MODIFY", "Pointer": "` + pointer("labelDetection", wf1) + `", "Operator": "labelDetection", "Workflow": "` + wf1 + `"}`,
		},
		{
			name: "DP-32 MODIFY where the same workflow stored the same key again sends nothing",
			record: record("MODIFY",
				image(globals, pointers("Mediainfo", wf1), pointers("labelDetection", wf1, wf1)),
				withResults),
		},
		{
			name:   "DP-32 MODIFY of an asset attribute only sends nothing",
			record: record("MODIFY", image(globals, `"Extra": {"S": "b"}`), image(globals, `"Extra": {"S": "a"}`)),
		},
		{
			name: "DP-32 MODIFY with several new current results is ambiguous and sends nothing",
			record: record("MODIFY",
				image(globals, pointers("Mediainfo", wf2, wf1), pointers("labelDetection", wf2, wf1)),
				withResults),
			warns: true,
		},
		{
			name:   "DP-32 MODIFY adding the first result of an operator",
			record: record("MODIFY", image(globals, pointers("Mediainfo", wf1), pointers("labelDetection", wf1)), image(globals, pointers("Mediainfo", wf1))),
			want:   `{"Action": "MODIFY", "Pointer": "` + pointer("labelDetection", wf1) + `", "Operator": "labelDetection", "Workflow": "` + wf1 + `"}`,
		},
		{
			name:   "DP-32 MODIFY adding several operators takes the first by name",
			record: record("MODIFY", image(globals, pointers("transcribe", wf3), pointers("celebrityRecognition", wf3)), image(globals)),
			want:   `{"Action": "MODIFY", "Pointer": "` + pointer("celebrityRecognition", wf3) + `", "Operator": "celebrityRecognition", "Workflow": "` + wf3 + `"}`,
		},
		{
			name:   "DP-32 MODIFY removing an operator",
			record: record("MODIFY", image(globals, pointers("Mediainfo", wf1)), withResults),
			want:   `{"Action": "REMOVE", "Operator": "labelDetection"}`,
		},
		{
			name:   "DP-32 MODIFY removing several operators takes the first by name",
			record: record("MODIFY", image(globals), withResults),
			want:   `{"Action": "REMOVE", "Operator": "Mediainfo"}`,
		},
		{
			name:   "DP-32 Q-31 checkout sends nothing",
			record: record("MODIFY", lockedWithResults, withResults),
		},
		{
			name:   "DP-32 Q-31 checkout of an asset without results sends nothing",
			record: record("MODIFY", image(globals, locks), image(globals)),
		},
		{
			name:   "DP-32 Q-32 checkin sends nothing",
			record: record("MODIFY", withResults, lockedWithResults),
		},
		{
			name: "DP-32 a result stored while the asset is locked",
			record: record("MODIFY",
				image(globals, locks, pointers("Mediainfo", wf2, wf1), pointers("labelDetection", wf1)),
				lockedWithResults),
			want: `{"Action": "MODIFY", "Pointer": "` + pointer("Mediainfo", wf2) + `", "Operator": "Mediainfo", "Workflow": "` + wf2 + `"}`,
		},
		{
			name:   "unknown event name",
			record: record("UPDATE", withResults, withResults),
		},
		{
			name:   "empty event name",
			record: record("", withResults, ""),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logs := captureLogs(t)
			putter, calls := recorder()
			require.NoError(t, stream.NewDataplane(putter, streamName).Handle(t.Context(), batch(t, tc.record)))
			assert.Equal(t, tc.warns, strings.Contains(logs.String(), "level=WARN"), "warning logged: %s", logs)
			if tc.want == "" {
				assert.Empty(t, *calls)
				return
			}
			// DP-33: one PutRecord, partition key = AssetId, Data = the payload text.
			assert.Equal(t, []sent{{streamName, assetID, tc.want}}, *calls)
		})
	}
}

// DP-33: a batch is sent in order, one record per change, each partitioned by its asset.
func TestDataplaneBatchInOrder(t *testing.T) {
	other := strings.ReplaceAll(record("REMOVE", "", image(globals)), assetID, "other-asset")
	putter, calls := recorder()
	err := stream.NewDataplane(putter, streamName).Handle(t.Context(), batch(t,
		record("INSERT", image(`"MediaType": {"S": "Audio"}`), ""),
		record("MODIFY", image(pointers("Mediainfo", wf1)), image()),
		other,
		record("MODIFY", image(), image(pointers("Mediainfo", wf1))),
	))
	require.NoError(t, err)
	assert.Equal(t, []sent{
		{streamName, assetID, `{"MediaType": "Audio", "Action": "INSERT"}`},
		{streamName, assetID, `{"Action": "MODIFY", "Pointer": "` + pointer("Mediainfo", wf1) + `", "Operator": "Mediainfo", "Workflow": "` + wf1 + `"}`},
		{streamName, "other-asset", `{"Action": "REMOVE"}`},
		{streamName, assetID, `{"Action": "REMOVE", "Operator": "Mediainfo"}`},
	}, *calls)
}

// A record that cannot be read is logged and skipped; the rest of the batch still goes out and the batch succeeds,
// so the record cannot block its shard.
func TestDataplaneSkipsUnreadableRecords(t *testing.T) {
	noPointer := `"labelDetection": {"L": [{"M": {"workflow": {"S": "` + wf1 + `"}}}]}`
	noWorkflow := `"labelDetection": {"L": [{"M": {"pointer": {"S": "` + pointer("labelDetection", wf1) + `"}}}]}`
	cases := []struct {
		name   string
		record string
	}{
		{"no keys", strings.Replace(record("INSERT", image(globals), ""), `"Keys": {"AssetId": {"S": "`+assetID+`"}}, `, "", 1)},
		{"numeric AssetId", strings.Replace(record("REMOVE", "", image()), `"Keys": {"AssetId": {"S": "`+assetID+`"}}`, `"Keys": {"AssetId": {"N": "1"}}`, 1)},
		{"empty AssetId", strings.Replace(record("REMOVE", "", image()), `"Keys": {"AssetId": {"S": "`+assetID+`"}}`, `"Keys": {"AssetId": {"S": ""}}`, 1)},
		{"INSERT without new image", record("INSERT", "", "")},
		{"MODIFY without old image", record("MODIFY", image(globals), "")},
		{"added operator with an empty list", record("MODIFY", image(`"labelDetection": {"L": []}`), image())},
		{"added operator whose list holds no object", record("MODIFY", image(`"labelDetection": {"L": [{"S": "x"}]}`), image())},
		{"current result without pointer", record("MODIFY", image(noPointer), image(pointers("labelDetection", wf2)))},
		{"current result without workflow", record("MODIFY", image(noWorkflow), image(pointers("labelDetection", wf2)))},
		{"pointer list emptied", record("MODIFY", image(`"labelDetection": {"L": []}`), image(pointers("labelDetection", wf2)))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logs := captureLogs(t)
			putter, calls := recorder()
			ev := batch(t, tc.record, record("REMOVE", "", image()))
			require.NoError(t, stream.NewDataplane(putter, streamName).Handle(t.Context(), ev))
			assert.Equal(t, []sent{{streamName, assetID, `{"Action": "REMOVE"}`}}, *calls, "only the readable record is sent")
			assert.Contains(t, logs.String(), "level=WARN")
			assert.Contains(t, logs.String(), "eventID="+ev.Records[0].EventID)
		})
	}
}

// DP-32: an update that changes several current results is reported in the log, as the original did.
func TestDataplaneLogsAmbiguousUpdate(t *testing.T) {
	logs := captureLogs(t)
	putter, calls := recorder()
	ev := batch(t, record("MODIFY",
		image(pointers("Mediainfo", wf2, wf1), pointers("labelDetection", wf2, wf1)),
		image(pointers("Mediainfo", wf1), pointers("labelDetection", wf1))))
	require.NoError(t, stream.NewDataplane(putter, streamName).Handle(t.Context(), ev))
	assert.Empty(t, *calls)
	assert.Contains(t, logs.String(), "Mediainfo, labelDetection")
}

// DP-34: a failed put fails the whole batch at once, so that the event source delivers it again; the records after
// the failed one are left for that retry.
func TestDataplaneKinesisFailureFailsBatch(t *testing.T) {
	throttled := errors.New("ProvisionedThroughputExceededException: rate exceeded")
	var partitionKeys []string
	putter := putRecordFunc(func(_ context.Context, in *kinesis.PutRecordInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordOutput, error) {
		partitionKeys = append(partitionKeys, aws.ToString(in.PartitionKey))
		if len(partitionKeys) == 2 {
			return nil, throttled
		}
		return &kinesis.PutRecordOutput{}, nil
	})
	asset := func(id, rec string) string { return strings.ReplaceAll(rec, assetID, id) }
	err := stream.NewDataplane(putter, streamName).Handle(t.Context(), batch(t,
		asset("a1", record("INSERT", image(globals), "")),
		asset("a2", record("REMOVE", "", image())),
		asset("a3", record("REMOVE", "", image())),
	))
	require.Error(t, err)
	assert.ErrorIs(t, err, throttled)
	assert.Contains(t, err.Error(), "asset a2")
	assert.Equal(t, []string{"a1", "a2"}, partitionKeys)
}

// DP-38: the original's unit-test events (test/unit/dataplanestream/test_stream.py). They wrap the `dynamodb`
// section, and each image in it, in an extra {"M": ...} that real events never have.
var originalEvents = []struct {
	name, event, want string
}{
	{
		name: "insert",
		event: `{"Records": [{"eventName": "INSERT", "dynamodb": {"M": {
			"Keys": {"M": {"AssetId": {"S": "testAssetId"}}},
			"NewImage": {"M": {"AssetId": {"S": "testAssetId"}, "TestKey": {"S": "testValue"}}}}}}]}`,
		want: `{"TestKey": "testValue", "Action": "INSERT"}`,
	},
	{
		name: "delete",
		event: `{"Records": [{"eventName": "REMOVE", "dynamodb": {"M": {
			"Keys": {"M": {"AssetId": {"S": "testAssetId"}}},
			"NewImage": {"M": {"AssetId": {"S": "testAssetId"}, "TestKey": {"S": "testValue"}}}}}}]}`,
		want: `{"Action": "REMOVE"}`,
	},
	{
		name: "modify, no modifications",
		event: `{"Records": [{"eventName": "MODIFY", "dynamodb": {"M": {
			"Keys": {"M": {"AssetId": {"S": "testAssetId"}}},
			"NewImage": {"M": {"AssetId": {"S": "testAssetId"}, "TestOperator": {"L": [{"M": {"pointer": {"S": "Pointer1"}}}]}}},
			"OldImage": {"M": {"AssetId": {"S": "testAssetId"}, "TestOperator": {"L": [{"M": {"pointer": {"S": "Pointer1"}}}]}}}}}}]}`,
	},
	{
		name: "modify, existing attribute modified",
		event: `{"Records": [{"eventName": "MODIFY", "dynamodb": {"M": {
			"Keys": {"M": {"AssetId": {"S": "testAssetId"}}},
			"NewImage": {"M": {"AssetId": {"S": "testAssetId"}, "TestOperator": {"L": [{"M": {"workflow": {"S": "workflow1"}, "pointer": {"S": "Pointer1"}}}]}}},
			"OldImage": {"M": {"AssetId": {"S": "testAssetId"}, "TestOperator": {"L": [{"M": {"pointer": {"S": "Pointer2"}}}]}}}}}}]}`,
		want: `{"Action": "MODIFY", "Pointer": "Pointer1", "Operator": "TestOperator", "Workflow": "workflow1"}`,
	},
	{
		name: "modify, attribute added",
		event: `{"Records": [{"eventName": "MODIFY", "dynamodb": {"M": {
			"Keys": {"M": {"AssetId": {"S": "testAssetId"}}},
			"NewImage": {"M": {"AssetId": {"S": "testAssetId"},
				"TestKey1": {"L": [{"M": {"workflow": {"S": "workflow1"}, "pointer": {"S": "Pointer1"}}}]},
				"TestKey2": {"L": [{"M": {"workflow": {"S": "workflow2"}, "pointer": {"S": "Pointer2"}}}]}}},
			"OldImage": {"M": {"AssetId": {"S": "testAssetId"},
				"TestKey1": {"L": [{"M": {"workflow": {"S": "workflow1"}, "pointer": {"S": "Pointer1"}}}]}}}}}}]}`,
		want: `{"Action": "MODIFY", "Pointer": "Pointer2", "Operator": "TestKey2", "Workflow": "workflow2"}`,
	},
	{
		name: "modify, attribute removed",
		event: `{"Records": [{"eventName": "MODIFY", "dynamodb": {"M": {
			"Keys": {"M": {"AssetId": {"S": "testAssetId"}}},
			"NewImage": {"M": {"AssetId": {"S": "testAssetId"},
				"TestKey1": {"L": [{"M": {"workflow": {"S": "workflow1"}, "pointer": {"S": "Pointer1"}}}]}}},
			"OldImage": {"M": {"AssetId": {"S": "testAssetId"},
				"TestKey1": {"L": [{"M": {"workflow": {"S": "workflow1"}, "pointer": {"S": "Pointer1"}}}]},
				"TestKey2": {"L": [{"M": {"workflow": {"S": "workflow2"}, "pointer": {"S": "Pointer2"}}}]}}}}}}]}`,
		want: `{"Action": "REMOVE", "Operator": "TestKey2"}`,
	},
	{
		// The original's converter test (BOOL, NULL, N), seen through an INSERT payload.
		name: "converter",
		event: `{"Records": [{"eventName": "INSERT", "dynamodb": {"M": {
			"Keys": {"M": {"AssetId": {"S": "testAssetId"}}},
			"NewImage": {"M": {"AssetId": {"S": "testAssetId"}, "Values": {"L": [{"BOOL": true}, {"NULL": true}, {"N": "123"}]}}}}}}]}`,
		want: `{"Values": [true, null, "123"], "Action": "INSERT"}`,
	},
}

// unwrap turns one of the original's test events into the shape Lambda delivers, by dropping the {"M": ...} layers.
func unwrap(t *testing.T, event string) events.DynamoDBEvent {
	t.Helper()
	var wrapped struct {
		Records []map[string]json.RawMessage
	}
	require.NoError(t, json.Unmarshal([]byte(event), &wrapped))
	for _, rec := range wrapped.Records {
		var section struct {
			M map[string]struct{ M json.RawMessage }
		}
		require.NoError(t, json.Unmarshal(rec["dynamodb"], &section))
		plain := map[string]json.RawMessage{}
		for name, image := range section.M {
			plain[name] = image.M
		}
		var err error
		rec["dynamodb"], err = json.Marshal(plain)
		require.NoError(t, err)
	}
	raw, err := json.Marshal(wrapped)
	require.NoError(t, err)
	var ev events.DynamoDBEvent
	require.NoError(t, json.Unmarshal(raw, &ev))
	return ev
}

// DP-38: with the wrapping removed, the original's events give the original's exact Kinesis records.
func TestDataplaneOriginalUnitTestEvents(t *testing.T) {
	for _, tc := range originalEvents {
		t.Run(tc.name, func(t *testing.T) {
			putter, calls := recorder()
			require.NoError(t, stream.NewDataplane(putter, "testStreamName").Handle(t.Context(), unwrap(t, tc.event)))
			if tc.want == "" {
				assert.Empty(t, *calls)
				return
			}
			assert.Equal(t, []sent{{"testStreamName", "testAssetId", tc.want}}, *calls)
		})
	}
}

// DP-38: as they are, the wrapped events are not stream records: decoded as Lambda decodes them they carry no keys,
// so each is logged and skipped rather than guessed at.
func TestDataplaneWrappedEventsAreSkipped(t *testing.T) {
	for _, tc := range originalEvents {
		t.Run(tc.name, func(t *testing.T) {
			logs := captureLogs(t)
			var ev events.DynamoDBEvent
			require.NoError(t, json.Unmarshal([]byte(tc.event), &ev))
			putter, calls := recorder()
			require.NoError(t, stream.NewDataplane(putter, "testStreamName").Handle(t.Context(), ev))
			assert.Empty(t, *calls)
			assert.Contains(t, logs.String(), "no AssetId")
		})
	}
}

func TestNewDataplaneFromLookupChecksConfiguration(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"no StreamName", map[string]string{"botoConfig": `{"user_agent_extra": "AwsSolution/SO0163/v5.1.11"}`}, "StreamName is not set"},
		{"no botoConfig", map[string]string{"StreamName": streamName}, "botoConfig is not set"},
		{"botoConfig not JSON", map[string]string{"StreamName": streamName, "botoConfig": "{"}, "parse botoConfig"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"AWS_REGION": "us-east-1"}
			for k, v := range tc.env {
				env[k] = v
			}
			_, err := stream.NewDataplaneFromLookup(t.Context(), awsconf.MapLookup(env))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}
