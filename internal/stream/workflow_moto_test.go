package stream_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/ddbjson"
	"github.com/mie-go/mie-go/internal/ddbstream"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/internal/stream"
)

// CP-41 end to end on moto: the provisioned WorkflowExecution table, its stream read as Lambda's event source reads
// it, the status changes written by the execution store as the engine writes them, the function built from its
// configuration (with the test's clock), and the messages read back from the event queue subscribed to the topic.
// Each status change arrives once, its text exactly the spec's; the record's creation and updates that keep the
// status send nothing.
func TestWorkflowNotifierAgainstMoto(t *testing.T) {
	ctx := t.Context()
	conf := awstest.Config(t, nil)
	prefix := awstest.Prefix(t)
	d, err := resources.Provision(ctx, conf, resources.Params{StackName: prefix, ShortID: "abc123", Region: "us-east-1", Account: "123456789012"})
	require.NoError(t, err)
	env, err := d.Env(resources.WorkflowExecutionStreamingFunction)
	require.NoError(t, err)
	_, err = stream.NewWorkflowFromLookup(ctx, awstest.Lookup(t, env))
	require.NoError(t, err)
	fn := stream.NewWorkflow(conf.SNS(), env["TOPIC_ARN"], stream.WithWorkflowClock(func() time.Time { return eventTime }))

	schedulerEnv, err := d.Env(resources.WorkflowSchedulerLambda)
	require.NoError(t, err)
	cfg, err := executions.ConfigFromLookup(awsconf.MapLookup(schedulerEnv))
	require.NoError(t, err)
	db := conf.DynamoDB()
	store := executions.New(cfg, db, nil)
	arn, err := ddbstream.StreamARN(ctx, db, cfg.ExecutionTable)
	require.NoError(t, err)
	changes, err := ddbstream.New(ctx, conf.DynamoDBStreams(), arn)
	require.NoError(t, err)
	queue, err := d.Resolve(resources.URLOf(resources.WorkflowExecutionEventQueue))
	require.NoError(t, err)
	sqsAPI := conf.SQS()

	// received returns the texts delivered to the event queue since the last call, from their SNS envelopes.
	received := func() []string {
		out, err := sqsAPI.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue), MaxNumberOfMessages: 10, WaitTimeSeconds: 0})
		require.NoError(t, err)
		texts := []string{}
		for _, m := range out.Messages {
			var envelope struct{ Type, TopicArn, Message string }
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &envelope))
			assert.Equal(t, "Notification", envelope.Type)
			assert.Equal(t, env["TOPIC_ARN"], envelope.TopicArn)
			texts = append(texts, envelope.Message)
			_, err := sqsAPI.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queue), ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
		return texts
	}
	record, err := pyjson.DecodeObject([]byte(`{"Id": "` + executionID + `", "AssetId": "6d0f2c1e-8a51-4c4e-9a55-0f2b7f1d9c33",
		"Status": "Queued", "Created": "1704067200.123456", "CurrentStage": "Prep", "Configuration": {},
		"Globals": {"Media": {"Video": {"S3Bucket": "mie-dataplane-1a2b3c", "S3Key": "upload/keynote.mp4"}}, "MetaData": {"Mediainfo_num_audio_tracks": 1}}}`))
	require.NoError(t, err)
	item, err := ddbjson.MarshalMap(record)
	require.NoError(t, err)
	update := func(ctx context.Context, expr string, names map[string]string, values map[string]dbtypes.AttributeValue) error {
		_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(cfg.ExecutionTable), Key: map[string]dbtypes.AttributeValue{"Id": &dbtypes.AttributeValueMemberS{Value: executionID}},
			UpdateExpression: aws.String(expr), ExpressionAttributeNames: names, ExpressionAttributeValues: values,
		})
		return err
	}

	steps := []struct {
		name  string
		write func(context.Context) error
		want  []string
	}{
		{name: "R23 writes the record Queued", write: func(ctx context.Context) error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(cfg.ExecutionTable), Item: item})
			return err
		}, want: []string{}},
		{name: "the scheduler starts it", write: func(ctx context.Context) error {
			_, err := store.Take(ctx, executionID, executions.Queued, 5)
			return err
		}, want: []string{statusNotice("Started")}},
		{name: "the next stage starts", write: func(ctx context.Context) error {
			return update(ctx, "SET CurrentStage = :s", nil, map[string]dbtypes.AttributeValue{":s": &dbtypes.AttributeValueMemberS{Value: "Analyze"}})
		}, want: []string{}},
		{name: "the stage completion rewrites Started", write: func(ctx context.Context) error {
			return store.Set(ctx, executionID, executions.Started, "")
		}, want: []string{}},
		{name: "the Wait operation pauses", write: func(ctx context.Context) error {
			return store.Set(ctx, executionID, executions.Waiting, "")
		}, want: []string{statusNotice("Waiting")}},
		{name: "R24 resumes", write: func(ctx context.Context) error {
			return store.Resume(ctx, executionID, "Analyze")
		}, want: []string{statusNotice("Resumed")}},
		{name: "the scheduler continues it", write: func(ctx context.Context) error {
			_, err := store.Take(ctx, executionID, executions.Resumed, 5)
			return err
		}, want: []string{statusNotice("Started")}},
		{name: "the last stage fails", write: func(ctx context.Context) error {
			return store.Set(ctx, executionID, executions.Error, "Exception while rolling up stage status Stage Analyze encountered and error during execution, aborting the workflow")
		}, want: []string{statusNotice("Error")}},
		// As the original's status helper writes it, unconditionally. (The store's own conditional Error-to-Error
		// write first tries a slot release that is refused, and moto's stream iterators miss every record written
		// to the table after a cancelled transaction.)
		{name: "a second Error write", write: func(ctx context.Context) error {
			return update(ctx, "SET #s = :s, Message = :m", map[string]string{"#s": "Status"}, map[string]dbtypes.AttributeValue{
				":s": &dbtypes.AttributeValueMemberS{Value: "Error"},
				":m": &dbtypes.AttributeValueMemberS{Value: "Caught Step Function Execution Status Change event"},
			})
		}, want: []string{}},
	}
	for _, step := range steps {
		require.NoError(t, step.write(ctx), step.name)
		ev, err := changes.Poll(ctx)
		require.NoError(t, err, step.name)
		require.Len(t, ev.Records, 1, "%s: one stream record per write", step.name)
		require.NoError(t, fn.Handle(ctx, ev), step.name)
		assert.Equal(t, step.want, received(), step.name)
	}
}
