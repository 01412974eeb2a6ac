package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk/etl"
)

func TestLogChanges(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{
		// Leave the time out of the lines, so that they can be compared.
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
		{Kinesis: events.KinesisRecord{PartitionKey: "a1", SequenceNumber: "1", Data: []byte(`{"MediaType": "Video", "S3Bucket": "b", "S3Key": "k", "Created": "1.5", "Action": "INSERT"}`)}},
		{Kinesis: events.KinesisRecord{PartitionKey: "a1", SequenceNumber: "2", Data: []byte(`{"Action": "MODIFY", "Pointer": "p", "Operator": "o", "Workflow": "w"}`)}},
		{Kinesis: events.KinesisRecord{PartitionKey: "a1", SequenceNumber: "3", Data: []byte(`{"Action": "REMOVE", "Operator": "o"}`)}},
		{Kinesis: events.KinesisRecord{PartitionKey: "a1", SequenceNumber: "4", Data: []byte(`{"Action": "REMOVE"}`)}},
	}}
	resp, err := etl.NewHandler(logChanges(log)).Handle(context.Background(), ev)
	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)

	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		lines = append(lines, m)
	}
	assert.Equal(t, []map[string]any{
		{"level": "INFO", "msg": "asset inserted", "asset": "a1", "mediaType": "Video", "s3Bucket": "b", "s3Key": "k", "created": "1.5"},
		{"level": "INFO", "msg": "result changed", "asset": "a1", "operator": "o", "pointer": "p", "workflow": "w"},
		{"level": "INFO", "msg": "operator removed", "asset": "a1", "operator": "o"},
		{"level": "INFO", "msg": "asset removed", "asset": "a1"},
	}, lines)
}
