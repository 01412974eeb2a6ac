package stream_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/stream"
	"github.com/mie-go/mie-go/operators/sdk"
)

const (
	topicARN    = "arn:aws:sns:us-east-1:123456789012:mie-WorkflowExecutionEventTopic"
	executionID = "3f0c9d2e-5b7a-4e8e-9a51-2c6d1e0f4b77"
)

// eventTime is the clock of the tests: Python's time.time() at this instant is 1704067260.5312345.
var eventTime = time.Unix(1704067260, 531234500)

// publishFunc fakes the SNS client with one function.
type publishFunc func(in *sns.PublishInput) (*sns.PublishOutput, error)

func (f publishFunc) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	return f(in)
}

// published is one Publish call as the fake saw it.
type published struct {
	TargetArn, Message, MessageStructure string
}

// publisher returns a fake SNS client that answers each call with the next of errs (nil: accepted), and the calls.
func publisher(errs ...error) (stream.Publisher, *[]published) {
	var calls []published
	return publishFunc(func(in *sns.PublishInput) (*sns.PublishOutput, error) {
		calls = append(calls, published{aws.ToString(in.TargetArn), aws.ToString(in.Message), aws.ToString(in.MessageStructure)})
		var err error
		if len(errs) > 0 {
			err, errs = errs[0], errs[1:]
		}
		if err != nil {
			return nil, err
		}
		return &sns.PublishOutput{MessageId: aws.String("m")}, nil
	}), &calls
}

// executionAttributes are the attributes of an execution record image in DynamoDB JSON with the given status.
func executionAttributes(status string) [][2]string {
	return [][2]string{
		{"Id", `{"S": "` + executionID + `"}`},
		{"AssetId", `{"S": "6d0f2c1e-8a51-4c4e-9a55-0f2b7f1d9c33"}`},
		{"Status", `{"S": "` + status + `"}`},
		{"Created", `{"S": "1704067200.123456"}`},
		{"CurrentStage", `{"S": "End"}`},
		{"Configuration", `{"M": {}}`},
		{"Globals", `{"M": {"MetaData": {"M": {"Mediainfo_num_audio_tracks": {"N": "1"}}}, "Media": {"M": {"Video": {"M": {"S3Key": {"S": "upload/keynote.mp4"}, "S3Bucket": {"S": "mie-dataplane-1a2b3c"}}}}}}}`},
	}
}

// execution renders an execution record image with the given status; extra attributes are added.
func execution(status string, extra ...string) string {
	var attrs []string
	for _, a := range executionAttributes(status) {
		attrs = append(attrs, `"`+a[0]+`": `+a[1])
	}
	return "{" + strings.Join(append(attrs, extra...), ", ") + "}"
}

// without renders an execution record image with the given status without the attribute name.
func without(status, name string) string {
	var attrs []string
	for _, a := range executionAttributes(status) {
		if a[0] != name {
			attrs = append(attrs, `"`+a[0]+`": `+a[1])
		}
	}
	return "{" + strings.Join(attrs, ", ") + "}"
}

// wfRecord renders one stream record of the WorkflowExecution table; an empty image is left out.
func wfRecord(eventName, newImage, oldImage string) string {
	parts := []string{`"Keys": {"Id": {"S": "` + executionID + `"}}`, `"StreamViewType": "NEW_AND_OLD_IMAGES"`}
	if newImage != "" {
		parts = append(parts, `"NewImage": `+newImage)
	}
	if oldImage != "" {
		parts = append(parts, `"OldImage": `+oldImage)
	}
	return `{"eventID": "e-` + eventName + `", "eventName": "` + eventName + `", "eventSource": "aws:dynamodb", "dynamodb": {` + strings.Join(parts, ", ") + `}}`
}

func wfEvent(t *testing.T, records ...string) events.DynamoDBEvent {
	t.Helper()
	var ev events.DynamoDBEvent
	require.NoError(t, json.Unmarshal([]byte(`{"Records": [`+strings.Join(records, ", ")+`]}`), &ev))
	return ev
}

// statusNotice is the text subscribers receive for a change of the test execution to status (§10), exactly as
// the original's json.dumps writes it.
func statusNotice(status string) string {
	return `{"EventTimestamp": 1704067260.5312345, "WorkflowExecutionId": "` + executionID + `", ` +
		`"AssetId": "6d0f2c1e-8a51-4c4e-9a55-0f2b7f1d9c33", "Status": "` + status + `", ` +
		`"Globals": {"Media": {"Video": {"S3Bucket": "mie-dataplane-1a2b3c", "S3Key": "upload/keynote.mp4"}}, "MetaData": {"Mediainfo_num_audio_tracks": "1"}}, ` +
		`"Configuration": {}, "Created": "1704067200.123456"}`
}

// notice is the SNS message published for a change of the test execution to status: statusNotice inside the
// JSON-structured envelope {"default": ...}.
func notice(status string) string {
	return `{"default": "` + strings.ReplaceAll(statusNotice(status), `"`, `\"`) + `"}`
}

func newWorkflow(p stream.Publisher) *stream.WorkflowHandler {
	return stream.NewWorkflow(p, topicARN, stream.WithWorkflowClock(func() time.Time { return eventTime }))
}

// CP-41, §10, ported from the original's test_workflowstream: INSERT and REMOVE publish nothing, neither does an
// update that keeps the status; a status change publishes the exact message, JSON-structured, to the topic.
func TestWorkflowNotifier(t *testing.T) {
	queued, started := execution("Queued"), execution("Started")
	cases := []struct {
		name    string
		records []string
		want    []published
	}{
		{name: "INSERT and REMOVE", records: []string{wfRecord("INSERT", queued, ""), wfRecord("REMOVE", "", started)}, want: []published{}},
		{name: "MODIFY without status change", records: []string{wfRecord("MODIFY", started, execution("Started", `"Message": {"S": "x"}`))}, want: []published{}},
		{name: "MODIFY", records: []string{wfRecord("MODIFY", started, queued)}, want: []published{{topicARN, notice("Started"), "json"}}},
		{
			name: "a run with a pause, in order",
			records: []string{
				wfRecord("INSERT", queued, ""),
				wfRecord("MODIFY", started, queued),
				wfRecord("MODIFY", execution("Waiting"), started),
				wfRecord("MODIFY", execution("Resumed"), execution("Waiting")),
				wfRecord("MODIFY", started, execution("Resumed")),
				wfRecord("MODIFY", started, started),
				wfRecord("MODIFY", execution("Complete"), started),
			},
			want: []published{
				{topicARN, notice("Started"), "json"},
				{topicARN, notice("Waiting"), "json"},
				{topicARN, notice("Resumed"), "json"},
				{topicARN, notice("Started"), "json"},
				{topicARN, notice("Complete"), "json"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, calls := publisher()
			require.NoError(t, newWorkflow(p).Handle(t.Context(), wfEvent(t, tc.records...)))
			if *calls == nil {
				*calls = []published{}
			}
			assert.Equal(t, tc.want, *calls)
		})
	}
}

// CP-41: the message's number and text rendering: numbers as their stream text in strings, non-ASCII escaped as
// Python escapes it, and the inner text escaped once more inside the envelope.
func TestWorkflowNotifierRendering(t *testing.T) {
	p, calls := publisher()
	newImage := `{"Id": {"S": "i"}, "AssetId": {"S": "a"}, "Status": {"S": "Error"}, "Created": {"S": "1.5"}, ` +
		`"Configuration": {"M": {"Analyze": {"M": {"LabelDetect": {"M": {"MinConfidence": {"N": "80.50"}, "Enabled": {"BOOL": true}}}}}}}, ` +
		`"Globals": {"M": {"MetaData": {"M": {"Note": {"S": "café \"q\" \\ /"}, "None": {"NULL": true}, "List": {"L": [{"N": "1"}, {"S": "x"}]}}}}}}`
	oldImage := `{"Id": {"S": "i"}, "AssetId": {"S": "a"}, "Status": {"S": "Started"}}`
	require.NoError(t, newWorkflow(p).Handle(t.Context(), wfEvent(t, wfRecord("MODIFY", newImage, oldImage))))
	require.Len(t, *calls, 1)
	want := `{"default": "{\"EventTimestamp\": 1704067260.5312345, \"WorkflowExecutionId\": \"i\", \"AssetId\": \"a\", \"Status\": \"Error\", ` +
		`\"Globals\": {\"MetaData\": {\"List\": [\"1\", \"x\"], \"None\": null, \"Note\": \"caf\\u00e9 \\\"q\\\" \\\\ /\"}}, ` +
		`\"Configuration\": {\"Analyze\": {\"LabelDetect\": {\"Enabled\": true, \"MinConfidence\": \"80.50\"}}}, \"Created\": \"1.5\"}"}`
	assert.Equal(t, want, (*calls)[0].Message)
}

// §10 failure semantics: a publish SNS refuses (botocore's ClientError) is logged and dropped and the batch goes
// on; a publish that never reached SNS fails the batch, and so does a record without an attribute the message needs.
func TestWorkflowNotifierFailures(t *testing.T) {
	started, queued := execution("Started"), execution("Queued")
	refused := &smithy.GenericAPIError{Code: "AuthorizationError", Message: "not allowed"}
	unreachable := errors.New("dial tcp: connection refused")

	t.Run("SNS refuses", func(t *testing.T) {
		p, calls := publisher(refused, nil)
		err := newWorkflow(p).Handle(t.Context(), wfEvent(t, wfRecord("MODIFY", started, queued), wfRecord("MODIFY", execution("Complete"), started)))
		require.NoError(t, err)
		assert.Len(t, *calls, 2, "the record after the refused one is published")
	})
	t.Run("SNS unreachable", func(t *testing.T) {
		p, calls := publisher(unreachable)
		err := newWorkflow(p).Handle(t.Context(), wfEvent(t, wfRecord("MODIFY", started, queued), wfRecord("MODIFY", execution("Complete"), started)))
		assert.ErrorIs(t, err, unreachable)
		assert.Len(t, *calls, 1)
	})
	missing := []struct {
		name, newImage, oldImage, key string
	}{
		{"no old image", started, "", "OldImage"},
		{"no new image", "", queued, "NewImage"},
		{"no new Status", without("Started", "Status"), queued, "Status"},
		{"no old Status", started, without("Queued", "Status"), "Status"},
		{"no Id", started, without("Queued", "Id"), "Id"},
		{"no AssetId", started, without("Queued", "AssetId"), "AssetId"},
		{"no Globals", without("Started", "Globals"), queued, "Globals"},
		{"no Configuration", without("Started", "Configuration"), queued, "Configuration"},
		{"no Created", without("Started", "Created"), queued, "Created"},
	}
	for _, tc := range missing {
		t.Run(tc.name, func(t *testing.T) {
			p, calls := publisher()
			err := newWorkflow(p).Handle(t.Context(), wfEvent(t, wfRecord("MODIFY", tc.newImage, tc.oldImage)))
			var ke *sdk.KeyError
			require.ErrorAs(t, err, &ke)
			assert.Equal(t, tc.key, ke.Key)
			assert.Empty(t, *calls)
		})
	}
}

func TestNewWorkflowFromLookup(t *testing.T) {
	boto := `{"user_agent_extra": "AwsSolution/SO0163/v5.1.11"}`
	_, err := stream.NewWorkflowFromLookup(t.Context(), awsconf.MapLookup(map[string]string{"botoConfig": boto}))
	assert.ErrorContains(t, err, "TOPIC_ARN")
	_, err = stream.NewWorkflowFromLookup(t.Context(), awsconf.MapLookup(map[string]string{"TOPIC_ARN": topicARN}))
	assert.ErrorContains(t, err, "botoConfig")
	_, err = stream.NewWorkflowFromLookup(t.Context(), awsconf.MapLookup(map[string]string{"TOPIC_ARN": topicARN, "botoConfig": boto, "AWS_REGION": "us-east-1"}))
	assert.NoError(t, err)
}
