package etl_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk/etl"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// record is one Kinesis record of testdata/records.json: its partition key and its data as text.
type record struct {
	Name         string `json:"name"`
	PartitionKey string `json:"partitionKey"`
	Data         string `json:"data"`
}

func readRecords(t *testing.T) []record {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "records.json"))
	require.NoError(t, err)
	var records []record
	require.NoError(t, json.Unmarshal(raw, &records))
	return records
}

// TestDecodeGolden decodes every record kind of data-plane §9.3 and the original's stream unit tests (DP-30 to
// DP-33: the INSERT, REMOVE and MODIFY payloads, the partition key as asset id) into the changes of
// testdata/changes.golden.json.
func TestDecodeGolden(t *testing.T) {
	type decoded struct {
		Name   string     `json:"name"`
		Type   string     `json:"type"`
		Change etl.Change `json:"change"`
	}
	var got []decoded
	for _, r := range readRecords(t) {
		c, err := etl.Decode(r.PartitionKey, []byte(r.Data))
		require.NoError(t, err, r.Name)
		assert.Equal(t, r.PartitionKey, c.Asset(), r.Name)
		got = append(got, decoded{Name: r.Name, Type: fmt.Sprintf("%T", c), Change: c})
	}
	rendered, err := json.MarshalIndent(got, "", "  ")
	require.NoError(t, err)
	rendered = append(rendered, '\n')
	golden := filepath.Join("testdata", "changes.golden.json")
	if *update {
		require.NoError(t, os.WriteFile(golden, rendered, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), string(rendered))
}

func TestDecodeTypes(t *testing.T) {
	const asset = "6d0f2c1e-8a51-4c4e-9a55-0f2b7f1d9c33"
	cases := []struct {
		name string
		data string
		want etl.Change
	}{
		{
			name: "DP-30 insert",
			data: `{"MediaType": "Video", "S3Bucket": "b", "S3Key": "upload/k.mp4", "Created": "1700000000.123456", "Action": "INSERT"}`,
			want: &etl.AssetInserted{AssetID: asset, MediaType: "Video", S3Bucket: "b", S3Key: "upload/k.mp4", Created: "1700000000.123456"},
		},
		{
			name: "DP-30 insert keeps other attributes",
			data: `{"Locked": "true", "LockedAt": "1700000001", "Action": "INSERT"}`,
			want: &etl.AssetInserted{AssetID: asset, Extra: etl.Extra{"Locked": json.RawMessage(`"true"`), "LockedAt": json.RawMessage(`"1700000001"`)}},
		},
		{
			name: "DP-31 asset removed",
			data: `{"Action": "REMOVE"}`,
			want: &etl.AssetRemoved{AssetID: asset},
		},
		{
			name: "DP-32 result changed",
			data: `{"Action": "MODIFY", "Pointer": "private/assets/x/workflows/w/o.json", "Operator": "o", "Workflow": "w"}`,
			want: &etl.ResultChanged{AssetID: asset, Operator: "o", Pointer: "private/assets/x/workflows/w/o.json", Workflow: "w"},
		},
		{
			name: "DP-32 operator removed",
			data: `{"Action": "REMOVE", "Operator": "labelDetection"}`,
			want: &etl.OperatorRemoved{AssetID: asset, Operator: "labelDetection"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := etl.Decode(asset, []byte(tc.data))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name         string
		partitionKey string
		data         string
		want         error
	}{
		{"no partition key", "", `{"Action": "REMOVE"}`, etl.ErrMalformed},
		{"not JSON", "a1", `{"Action": "REMOVE"`, etl.ErrMalformed},
		{"empty data", "a1", ``, etl.ErrMalformed},
		{"JSON array", "a1", `[{"Action": "REMOVE"}]`, etl.ErrMalformed},
		{"JSON null", "a1", `null`, etl.ErrMalformed},
		{"no action", "a1", `{"Operator": "o"}`, etl.ErrMalformed},
		{"action not a string", "a1", `{"Action": 1}`, etl.ErrMalformed},
		{"modify without pointer", "a1", `{"Action": "MODIFY", "Operator": "o", "Workflow": "w"}`, etl.ErrMalformed},
		{"modify without operator", "a1", `{"Action": "MODIFY", "Pointer": "p", "Workflow": "w"}`, etl.ErrMalformed},
		{"modify without workflow", "a1", `{"Action": "MODIFY", "Pointer": "p", "Operator": "o"}`, etl.ErrMalformed},
		{"operator not a string", "a1", `{"Action": "REMOVE", "Operator": ["o"]}`, etl.ErrMalformed},
		{"media type not a string", "a1", `{"MediaType": 3, "Action": "INSERT"}`, etl.ErrMalformed},
		{"unknown action", "a1", `{"Action": "UPSERT"}`, etl.ErrUnknownAction},
		{"action in lower case", "a1", `{"Action": "insert"}`, etl.ErrUnknownAction},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := etl.Decode(tc.partitionKey, []byte(tc.data))
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, c)
		})
	}
}

func TestDecodeKinesisEvent(t *testing.T) {
	// As Lambda delivers it: Data base64-encoded inside the event's JSON.
	raw := `{"Records": [{"kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "a1", "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
		"data": "eyJBY3Rpb24iOiAiUkVNT1ZFIiwgIk9wZXJhdG9yIjogIk1lZGlhaW5mbyJ9", "approximateArrivalTimestamp": 1700000300.5},
		"eventSource": "aws:kinesis", "eventVersion": "1.0", "eventID": "shardId-000000000000:4959", "eventName": "aws:kinesis:record",
		"awsRegion": "us-east-1", "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/mie-AnalyticsStream"}]}`
	var ev events.KinesisEvent
	require.NoError(t, json.Unmarshal([]byte(raw), &ev))
	c, err := etl.DecodeKinesis(ev.Records[0])
	require.NoError(t, err)
	assert.Equal(t, &etl.OperatorRemoved{AssetID: "a1", Operator: "Mediainfo"}, c)
}

func TestCreatedTime(t *testing.T) {
	cases := []struct {
		created string
		want    time.Time
		bad     bool
	}{
		{created: "1700000000.123456", want: time.Date(2023, 11, 14, 22, 13, 20, 123456000, time.UTC)},
		{created: "1700000000.1", want: time.Date(2023, 11, 14, 22, 13, 20, 100000000, time.UTC)},
		{created: "1700000000", want: time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)},
		{created: "", bad: true},
		{created: "yesterday", bad: true},
		{created: "1700000000.1234567890", bad: true},
	}
	for _, tc := range cases {
		t.Run(tc.created, func(t *testing.T) {
			got, err := (&etl.AssetInserted{AssetID: "a1", Created: tc.created}).CreatedTime()
			if tc.bad {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.True(t, tc.want.Equal(got), "got %s", got)
		})
	}
}

func TestExtraKeepsNumbersAsSent(t *testing.T) {
	c, err := etl.Decode("a1", []byte(`{"Action": "REMOVE", "Size": 12345678901234567890}`))
	require.NoError(t, err)
	removed := c.(*etl.AssetRemoved)
	assert.True(t, bytes.Equal([]byte("12345678901234567890"), removed.Extra["Size"]))
}
