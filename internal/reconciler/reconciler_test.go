package reconciler_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/reconciler"
)

const machine = "arn:aws:states:us-east-1:123456789012:stateMachine:MyWF-abc123"

// queryFunc fakes the status index with one function.
type queryFunc func(in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error)

func (f queryFunc) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return f(in)
}

// index serves the given records by status, one page each.
func index(records ...map[string]dbtypes.AttributeValue) queryFunc {
	return func(in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
		want := in.ExpressionAttributeValues[":workflow_status"].(*dbtypes.AttributeValueMemberS).Value
		out := &dynamodb.QueryOutput{}
		for _, r := range records {
			if r["Status"].(*dbtypes.AttributeValueMemberS).Value == want {
				out.Items = append(out.Items, r)
			}
		}
		return out, nil
	}
}

func s(v string) dbtypes.AttributeValue { return &dbtypes.AttributeValueMemberS{Value: v} }

func item(id string, status executions.Status, arn, created string) map[string]dbtypes.AttributeValue {
	it := map[string]dbtypes.AttributeValue{
		"Id": s(id), "Status": s(string(status)), "Created": s(created),
		"Workflow": &dbtypes.AttributeValueMemberM{Value: map[string]dbtypes.AttributeValue{"Name": s("MyWF"), "StateMachineArn": s(machine)}},
	}
	if arn != "" {
		it["StateMachineExecutionArn"] = s(arn)
	}
	return it
}

// fakeStore keeps statuses in a map and records the status writes.
type fakeStore struct {
	status map[string]executions.Status
	setErr error
	sets   map[string]string
}

func newFakeStore(status map[string]executions.Status) *fakeStore {
	return &fakeStore{status: status, sets: map[string]string{}}
}

func (f *fakeStore) Read(_ context.Context, id string) (executions.Snapshot, error) {
	st, ok := f.status[id]
	if !ok {
		return executions.Snapshot{}, executions.ErrNotFound
	}
	return executions.Snapshot{Status: st}, nil
}

func (f *fakeStore) Set(_ context.Context, id string, to executions.Status, message string) error {
	if f.setErr != nil {
		return f.setErr
	}
	if _, err := executions.Transition(f.status[id], to); err != nil {
		return err
	}
	f.status[id] = to
	f.sets[id] = message
	return nil
}

// describeFunc fakes DescribeExecution with one function.
type describeFunc func(arn string) (*sfn.DescribeExecutionOutput, error)

func (f describeFunc) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	return f(aws.ToString(in.ExecutionArn))
}

// slotsFunc fakes the slot repair with one function.
type slotsFunc func(started []string) error

func (f slotsFunc) RepairSlots(_ context.Context, started []string) error { return f(started) }

func execArn(name string) string {
	return "arn:aws:states:us-east-1:123456789012:execution:MyWF-abc123:" + name
}

// The reconciler's verdict for each kind of active execution (CP-33, MIE#272), with its own Message.
func TestRun(t *testing.T) {
	now := time.Unix(1704067200+3600, 0)
	const (
		old   = "1704067200.5"  // an hour before now
		fresh = "1704070500.25" // five minutes before now
	)
	sfnStatus := map[string]*sfn.DescribeExecutionOutput{
		execArn("running"):      {Status: sfntypes.ExecutionStatusRunning},
		execArn("failed"):       {Status: sfntypes.ExecutionStatusFailed, Error: aws.String("States.Runtime"), Cause: aws.String("bad path")},
		execArn("timedout"):     {Status: sfntypes.ExecutionStatusTimedOut, Error: aws.String("States.Timeout")},
		execArn("aborted"):      {Status: sfntypes.ExecutionStatusAborted},
		execArn("succeeded"):    {Status: sfntypes.ExecutionStatusSucceeded},
		execArn("MyWFunlinked"): {Status: sfntypes.ExecutionStatusRunning},
		execArn("MyWFlost"):     {Status: sfntypes.ExecutionStatusFailed, Error: aws.String("MyError")},
		execArn("ended"):        {Status: sfntypes.ExecutionStatusFailed},
	}
	records := []map[string]dbtypes.AttributeValue{
		item("running", executions.Started, execArn("running"), old),
		item("failed", executions.Started, execArn("failed"), old),
		item("timedout", executions.Waiting, execArn("timedout"), old),
		item("aborted", executions.Resumed, execArn("aborted"), old),
		item("succeeded", executions.Started, execArn("succeeded"), old),
		item("gone", executions.Started, execArn("gone"), old),
		item("starting", executions.Started, "", fresh),
		item("neverstarted", executions.Started, "", old),
		item("unlinked", executions.Started, "", old),
		item("lost", executions.Started, "", old),
		// The index lags: this execution has ended already, with its own Message.
		item("ended", executions.Started, execArn("ended"), old),
	}
	store := newFakeStore(map[string]executions.Status{})
	for _, r := range records {
		store.status[r["Id"].(*dbtypes.AttributeValueMemberS).Value] = executions.Status(r["Status"].(*dbtypes.AttributeValueMemberS).Value)
	}
	store.status["ended"] = executions.Error
	var described []string
	sfnAPI := describeFunc(func(arn string) (*sfn.DescribeExecutionOutput, error) {
		described = append(described, arn)
		if out, ok := sfnStatus[arn]; ok {
			return out, nil
		}
		return nil, &sfntypes.ExecutionDoesNotExist{Message: aws.String("Execution Does Not Exist: '" + arn + "'")}
	})
	var repaired []string
	slots := slotsFunc(func(started []string) error { repaired = started; return nil })

	r := reconciler.New(reconciler.Config{Grace: 10 * time.Minute}, reconciler.NewExecutions(index(records...), "Executions", store),
		sfnAPI, slots, reconciler.WithClock(func() time.Time { return now }))
	require.NoError(t, r.Run(t.Context()))

	const p = "Workflow execution reconciler: "
	assert.Equal(t, map[string]string{
		"failed":       p + "state machine execution " + execArn("failed") + " has status FAILED, error: States.Runtime, cause: bad path",
		"timedout":     p + "state machine execution " + execArn("timedout") + " has status TIMED_OUT, error: States.Timeout",
		"aborted":      p + "state machine execution " + execArn("aborted") + " has status ABORTED",
		"succeeded":    p + "state machine execution " + execArn("succeeded") + " has status SUCCEEDED",
		"gone":         p + "state machine execution " + execArn("gone") + " does not exist",
		"neverstarted": p + "no state machine execution was started for the workflow execution within 10 minutes of its creation",
		"lost":         p + "state machine execution " + execArn("MyWFlost") + " has status FAILED, error: MyError",
	}, store.sets)
	for id, want := range map[string]executions.Status{"running": executions.Started, "starting": executions.Started, "unlinked": executions.Started, "ended": executions.Error} {
		assert.Equal(t, want, store.status[id], id)
	}
	assert.NotContains(t, described, execArn("MyWFstarting"), "inside the grace period nothing is looked up")
	// Every execution left Started still holds its slot; the slot store drops the others' holders itself.
	assert.ElementsMatch(t, []string{"running", "starting", "unlinked", "ended"}, repaired)
}

func TestRunReportsEveryFailure(t *testing.T) {
	now := time.Unix(1704067200+3600, 0)
	throttled := errors.New("ThrottlingException")
	broken := errors.New("slot table unavailable")
	records := []map[string]dbtypes.AttributeValue{
		item("throttled", executions.Started, execArn("throttled"), "1704067200.5"),
		item("aborted", executions.Started, execArn("aborted"), "1704067200.5"),
		item("nocreated", executions.Started, "", "yesterday"),
	}
	store := newFakeStore(map[string]executions.Status{"throttled": executions.Started, "aborted": executions.Started, "nocreated": executions.Started})
	sfnAPI := describeFunc(func(arn string) (*sfn.DescribeExecutionOutput, error) {
		if arn == execArn("throttled") {
			return nil, throttled
		}
		return &sfn.DescribeExecutionOutput{Status: sfntypes.ExecutionStatusAborted}, nil
	})
	var repaired []string
	r := reconciler.New(reconciler.Config{Grace: time.Minute}, reconciler.NewExecutions(index(records...), "Executions", store), sfnAPI,
		slotsFunc(func(started []string) error { repaired = started; return broken }), reconciler.WithClock(func() time.Time { return now }))

	err := r.Run(t.Context())
	assert.ErrorIs(t, err, throttled)
	assert.ErrorIs(t, err, broken)
	assert.ErrorContains(t, err, `its Created "yesterday" is no time`)
	assert.Equal(t, executions.Error, store.status["aborted"], "one failure does not stop the others")
	assert.ElementsMatch(t, []string{"throttled", "nocreated"}, repaired)

	listing := errors.New("index unavailable")
	r = reconciler.New(reconciler.Config{Grace: time.Minute}, reconciler.NewExecutions(queryFunc(func(*dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
		return nil, listing
	}), "Executions", store), sfnAPI, slotsFunc(func([]string) error { t.Fatal("repair without a listing"); return nil }))
	assert.ErrorIs(t, r.Run(t.Context()), listing)
}

// End writes Error only over a status the execution still has: Started, Waiting or Resumed.
func TestEnd(t *testing.T) {
	cases := []struct {
		status executions.Status
		ends   bool
	}{
		{executions.Started, true},
		{executions.Waiting, true},
		{executions.Resumed, true},
		{executions.Queued, false},
		{executions.Complete, false},
		{executions.Error, false},
		{"", false}, // no such execution
	}
	for _, tc := range cases {
		t.Run(string(tc.status), func(t *testing.T) {
			store := newFakeStore(map[string]executions.Status{})
			if tc.status != "" {
				store.status["x"] = tc.status
			}
			ended, err := reconciler.NewExecutions(index(), "Executions", store).End(t.Context(), "x", "why")
			require.NoError(t, err)
			assert.Equal(t, tc.ends, ended)
			if tc.ends {
				assert.Equal(t, map[string]string{"x": "why"}, store.sets)
				assert.Equal(t, executions.Error, store.status["x"])
			} else {
				assert.Empty(t, store.sets)
			}
		})
	}
	store := newFakeStore(map[string]executions.Status{"x": executions.Started})
	store.setErr = errors.New("down")
	_, err := reconciler.NewExecutions(index(), "Executions", store).End(t.Context(), "x", "why")
	assert.ErrorIs(t, err, store.setErr)
	store.setErr = &executions.TransitionError{From: executions.Complete, To: executions.Error}
	ended, err := reconciler.NewExecutions(index(), "Executions", store).End(t.Context(), "x", "why")
	require.NoError(t, err, "an execution that ended between the read and the write is left alone")
	assert.False(t, ended)
}

func TestConfigFromLookup(t *testing.T) {
	cfg, err := reconciler.ConfigFromLookup(awsconf.MapLookup(nil))
	require.NoError(t, err)
	assert.Equal(t, reconciler.DefaultGrace, cfg.Grace)
	cfg, err = reconciler.ConfigFromLookup(awsconf.MapLookup(map[string]string{"RECONCILER_GRACE_MINUTES": "3"}))
	require.NoError(t, err)
	assert.Equal(t, 3*time.Minute, cfg.Grace)
	for _, bad := range []string{"0", "-1", "2m", "x"} {
		_, err = reconciler.ConfigFromLookup(awsconf.MapLookup(map[string]string{"RECONCILER_GRACE_MINUTES": bad}))
		assert.ErrorContains(t, err, "RECONCILER_GRACE_MINUTES", bad)
	}
}
