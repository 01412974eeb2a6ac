// Package stream holds the functions that turn DynamoDB stream batches of MIE's tables into messages for consumers
// outside the engine.
package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/mie-go/mie-go/internal/awsconf"
)

// RecordPutter is the part of the Kinesis client the data plane stream function uses.
type RecordPutter interface {
	PutRecord(ctx context.Context, in *kinesis.PutRecordInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordOutput, error)
}

// DataplaneHandler is the data plane stream function (the original's DynamoDBStreamingFunction, data-plane §9): it
// turns each change of the data plane table into at most one record on the analytics Kinesis stream.
type DataplaneHandler struct {
	kinesis    RecordPutter
	streamName string
}

// NewDataplane returns a handler that writes to the Kinesis stream named streamName.
func NewDataplane(kinesis RecordPutter, streamName string) *DataplaneHandler {
	return &DataplaneHandler{kinesis: kinesis, streamName: streamName}
}

// NewDataplaneFromLookup builds the handler from the function's configuration: StreamName, the Kinesis stream
// (DP-33), and botoConfig, which the original requires at start-up too.
func NewDataplaneFromLookup(ctx context.Context, lookup awsconf.Lookup) (*DataplaneHandler, error) {
	streamName := lookup("StreamName")
	if streamName == "" {
		return nil, errors.New("data plane stream function: StreamName is not set")
	}
	if lookup("botoConfig") == "" {
		return nil, errors.New("data plane stream function: botoConfig is not set")
	}
	cfg, err := awsconf.Load(ctx, lookup)
	if err != nil {
		return nil, fmt.Errorf("data plane stream function: %w", err)
	}
	return NewDataplane(cfg.Kinesis(), streamName), nil
}

// Handle sends the records of one batch in order, one PutRecord each (DP-33).
//
// A stream record that cannot be read is logged and skipped: retrying it could never succeed, and the event source
// would retry the batch for the stream's whole retention, holding back every later change of the shard.
// A failed PutRecord, on the other hand, fails the whole batch at once, so that the event source delivers it again
// (DP-34): the records of the batch that were already sent are then sent a second time, which the at-least-once
// contract allows, and their order per asset is kept because the retry replays them in order.
func (h *DataplaneHandler) Handle(ctx context.Context, ev events.DynamoDBEvent) error {
	for _, rec := range ev.Records {
		msg, err := newDataplaneMessage(rec)
		if err != nil {
			slog.WarnContext(ctx, "data plane stream record skipped",
				"eventID", rec.EventID, "eventName", rec.EventName, "error", err)
			continue
		}
		if msg == nil {
			continue
		}
		_, err = h.kinesis.PutRecord(ctx, &kinesis.PutRecordInput{
			StreamName:   aws.String(h.streamName),
			PartitionKey: aws.String(msg.assetID),
			Data:         msg.data,
		})
		if err != nil {
			return fmt.Errorf("put %s record of asset %s (stream event %s) into Kinesis stream %s: %w",
				rec.EventName, msg.assetID, rec.EventID, h.streamName, err)
		}
	}
	return nil
}
