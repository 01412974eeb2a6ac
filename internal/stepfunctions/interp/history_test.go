package interp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHistoryWireFormat serves a run's events as a GetExecutionHistory response and reads them back
// with the real SDK client: its deserializer is the reference for field names and the timestamp format.
func TestHistoryWireFormat(t *testing.T) {
	calls := 0
	def := machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "TimeoutSeconds": 9, "Retry": [{"ErrorEquals": ["E"]}], "Next": "W"},
		"W": {"Type": "Wait", "Seconds": 1, "Next": "P"},
		"P": {"Type": "Parallel", "Branches": [` + branch("B", `{"Type": "Pass", "End": true}`) + `], "Next": "F"},
		"F": {"Type": "Fail", "Error": "Boom", "Cause": "because"}`)
	clock := newFakeClock()
	clock.blocked = blockAt(9 * time.Second)
	_, h := run(t, def, `{"a": 1}`, failing(&calls, functionError("E", "m")), clock)

	body, err := json.Marshal(map[string]any{"events": h.events})
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	client := sfn.New(sfn.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
	got, err := client.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:111122223333:execution:sm:exec-1")})
	require.NoError(t, err)
	require.Len(t, got.Events, len(h.events))

	known := types.HistoryEventType("").Values()
	for i, e := range got.Events {
		want := h.events[i]
		assert.Contains(t, known, e.Type, "event type %s", e.Type)
		assert.Equal(t, want.Type, string(e.Type))
		assert.Equal(t, want.ID, e.Id)
		assert.Equal(t, want.PreviousEventID, e.PreviousEventId)
		require.NotNil(t, e.Timestamp)
		assert.True(t, want.Timestamp.Truncate(time.Millisecond).Equal(*e.Timestamp), "%v != %v", want.Timestamp, *e.Timestamp)
	}
	byType := func(typ types.HistoryEventType) types.HistoryEvent {
		i := slices.IndexFunc(got.Events, func(e types.HistoryEvent) bool { return e.Type == typ })
		require.GreaterOrEqual(t, i, 0, "no %s event", typ)
		return got.Events[i]
	}
	started := byType(types.HistoryEventTypeExecutionStarted).ExecutionStartedEventDetails
	assert.Equal(t, `{"a": 1}`, aws.ToString(started.Input))
	assert.Equal(t, "arn:aws:iam::111122223333:role/sfn", aws.ToString(started.RoleArn))
	assert.False(t, started.InputDetails.Truncated)
	entered := byType(types.HistoryEventTypeTaskStateEntered).StateEnteredEventDetails
	assert.Equal(t, "S", aws.ToString(entered.Name))
	assert.Equal(t, `{"a":1}`, aws.ToString(entered.Input))
	scheduled := byType(types.HistoryEventTypeLambdaFunctionScheduled).LambdaFunctionScheduledEventDetails
	assert.Equal(t, fnA, aws.ToString(scheduled.Resource))
	assert.Equal(t, int64(9), aws.ToInt64(scheduled.TimeoutInSeconds))
	failed := byType(types.HistoryEventTypeLambdaFunctionFailed).LambdaFunctionFailedEventDetails
	assert.Equal(t, "E", aws.ToString(failed.Error))
	assert.Equal(t, `{"errorMessage":"m","errorType":"E"}`, aws.ToString(failed.Cause))
	succeeded := byType(types.HistoryEventTypeLambdaFunctionSucceeded).LambdaFunctionSucceededEventDetails
	assert.Equal(t, `{"ok": true}`, aws.ToString(succeeded.Output))
	exited := byType(types.HistoryEventTypeTaskStateExited).StateExitedEventDetails
	assert.Equal(t, `{"ok":true}`, aws.ToString(exited.Output))
	execFailed := byType(types.HistoryEventTypeExecutionFailed).ExecutionFailedEventDetails
	assert.Equal(t, "Boom", aws.ToString(execFailed.Error))
	assert.Equal(t, "because", aws.ToString(execFailed.Cause))

	assert.Equal(t, []string{
		"ExecutionStarted", "TaskStateEntered",
		"LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed",
		"LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited",
		"WaitStateEntered", "WaitStateExited",
		"ParallelStateEntered", "ParallelStateStarted", "PassStateEntered", "PassStateExited", "ParallelStateSucceeded", "ParallelStateExited",
		"FailStateEntered", "ExecutionFailed",
	}, h.types())
	assert.Zero(t, h.events[1].PreviousEventID, "the first state links to no event, as in Step Functions")
	for i, e := range h.events[2:] {
		assert.Equal(t, int64(i+3), e.ID)
		assert.Equal(t, int64(i+2), e.PreviousEventID, "a single line links each event to the one before")
	}
}

func TestHistoryEventJSON(t *testing.T) {
	e := HistoryEvent{
		Timestamp: time.Date(2026, 11, 24, 10, 0, 0, 123456789, time.UTC), Type: "ExecutionAborted", ID: 3,
		ExecutionAbortedEventDetails: &ErrorEventDetails{},
	}
	b, err := json.Marshal(e)
	require.NoError(t, err)
	assert.JSONEq(t, `{"timestamp": 1795514400.123, "type": "ExecutionAborted", "id": 3, "previousEventId": 0, "executionAbortedEventDetails": {}}`, string(b))
}
