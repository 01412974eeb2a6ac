package etl_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk/etl"
)

// kinesisEvent builds a batch of records of asset a1 with sequence numbers "1", "2", ...
func kinesisEvent(data ...string) events.KinesisEvent {
	var ev events.KinesisEvent
	for i, d := range data {
		ev.Records = append(ev.Records, events.KinesisEventRecord{
			EventID: "shardId-000000000000:" + string(rune('1'+i)),
			Kinesis: events.KinesisRecord{PartitionKey: "a1", SequenceNumber: string(rune('1' + i)), Data: []byte(d)},
		})
	}
	return ev
}

func TestHandler(t *testing.T) {
	const (
		insert = `{"MediaType": "Video", "S3Bucket": "b", "S3Key": "k", "Created": "1.5", "Action": "INSERT"}`
		modify = `{"Action": "MODIFY", "Pointer": "p", "Operator": "o", "Workflow": "w"}`
		remove = `{"Action": "REMOVE"}`
	)
	failing := errors.New("index unavailable")
	cases := []struct {
		name string
		data []string
		// failOn makes the processor fail on the change of this action.
		failOn      string
		processed   []string
		skipped     []string
		batchFailed string
	}{
		{
			name:      "every record in order",
			data:      []string{insert, modify, remove},
			processed: []string{"*etl.AssetInserted", "*etl.ResultChanged", "*etl.AssetRemoved"},
		},
		{
			name:      "undecodable records are skipped",
			data:      []string{insert, `not json`, `{"Action": "UPSERT"}`, remove},
			processed: []string{"*etl.AssetInserted", "*etl.AssetRemoved"},
			skipped:   []string{"2", "3"},
		},
		{
			name:        "a failed change stops the batch there",
			data:        []string{insert, modify, remove},
			failOn:      "*etl.ResultChanged",
			processed:   []string{"*etl.AssetInserted", "*etl.ResultChanged"},
			batchFailed: "2",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var processed, skipped []string
			h := etl.NewHandler(etl.ProcessorFunc(func(_ context.Context, c etl.Change) error {
				name := typeName(c)
				processed = append(processed, name)
				if name == tc.failOn {
					return failing
				}
				return nil
			}), func(o *etl.HandlerOptions) {
				o.Skipped = func(_ context.Context, rec events.KinesisEventRecord, err error) {
					assert.True(t, errors.Is(err, etl.ErrMalformed) || errors.Is(err, etl.ErrUnknownAction), "%v", err)
					skipped = append(skipped, rec.Kinesis.SequenceNumber)
				}
			})
			resp, err := h.Handle(context.Background(), kinesisEvent(tc.data...))
			require.NoError(t, err)
			assert.Equal(t, tc.processed, processed)
			assert.Equal(t, tc.skipped, skipped)
			if tc.batchFailed == "" {
				assert.Empty(t, resp.BatchItemFailures)
				return
			}
			assert.Equal(t, []events.KinesisBatchItemFailure{{ItemIdentifier: tc.batchFailed}}, resp.BatchItemFailures)
		})
	}
}

func typeName(c etl.Change) string {
	switch c.(type) {
	case *etl.AssetInserted:
		return "*etl.AssetInserted"
	case *etl.ResultChanged:
		return "*etl.ResultChanged"
	case *etl.OperatorRemoved:
		return "*etl.OperatorRemoved"
	case *etl.AssetRemoved:
		return "*etl.AssetRemoved"
	}
	return "?"
}
