package resources

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// motoParams returns parameters for a fresh stack on the test binary's moto; moto's account is 123456789012.
func motoParams(t *testing.T) Params {
	return Params{
		StackName:             awstest.Prefix(t),
		ShortID:               "abc123",
		Region:                "us-east-1",
		Account:               "123456789012",
		StageQueueReceiveWait: aws.Duration(0),
	}
}

func provision(t *testing.T, cfg awsconf.Config, p Params) *Deployment {
	t.Helper()
	d, err := Provision(t.Context(), cfg, p)
	require.NoError(t, err)
	return d
}

func TestProvisionTables(t *testing.T) {
	// CP-42, DP-28: the key schemas, indexes and streams the handlers query, as DynamoDB reports them.
	cfg := awstest.Config(t, nil)
	p := motoParams(t)
	d := provision(t, cfg, p)
	db := cfg.DynamoDB()

	type index struct {
		keys    []dbtypes.KeySchemaElement
		proj    dbtypes.ProjectionType
		include []string
	}
	hash := func(n string) dbtypes.KeySchemaElement {
		return dbtypes.KeySchemaElement{AttributeName: aws.String(n), KeyType: dbtypes.KeyTypeHash}
	}
	rng := func(n string) dbtypes.KeySchemaElement {
		return dbtypes.KeySchemaElement{AttributeName: aws.String(n), KeyType: dbtypes.KeyTypeRange}
	}
	cases := []struct {
		suffix string
		keys   []dbtypes.KeySchemaElement
		stream bool
		gsis   map[string]index
	}{
		{suffix: "System", keys: []dbtypes.KeySchemaElement{hash("Name")}},
		{suffix: "Workflow", keys: []dbtypes.KeySchemaElement{hash("Name")}},
		{suffix: "Stage", keys: []dbtypes.KeySchemaElement{hash("Name")}},
		{suffix: "Operation", keys: []dbtypes.KeySchemaElement{hash("Name")}},
		{suffix: "History", keys: []dbtypes.KeySchemaElement{hash("Id"), rng("Version")}},
		{suffix: "WorkflowExecution", keys: []dbtypes.KeySchemaElement{hash("Id")}, stream: true, gsis: map[string]index{
			"WorkflowExecutionStatus":  {keys: []dbtypes.KeySchemaElement{hash("Status")}, proj: dbtypes.ProjectionTypeAll},
			"WorkflowExecutionAssetId": {keys: []dbtypes.KeySchemaElement{hash("AssetId")}, proj: dbtypes.ProjectionTypeAll},
		}},
		{suffix: "DataplaneTable", keys: []dbtypes.KeySchemaElement{hash("AssetId")}, stream: true, gsis: map[string]index{
			"LockIndex": {keys: []dbtypes.KeySchemaElement{hash("Locked"), rng("LockedAt")}, proj: dbtypes.ProjectionTypeInclude,
				include: []string{"LockedBy"}},
		}},
		{suffix: "ExecutionSlots", keys: []dbtypes.KeySchemaElement{hash("Id")}},
	}
	for _, tc := range cases {
		t.Run(tc.suffix, func(t *testing.T) {
			out, err := db.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(p.StackName + tc.suffix)})
			require.NoError(t, err)
			table := out.Table
			assert.Equal(t, tc.keys, table.KeySchema)
			assert.Equal(t, dbtypes.TableStatusActive, table.TableStatus)
			require.NotNil(t, table.BillingModeSummary)
			assert.Equal(t, dbtypes.BillingModePayPerRequest, table.BillingModeSummary.BillingMode)
			got := map[string]index{}
			for _, g := range table.GlobalSecondaryIndexes {
				got[aws.ToString(g.IndexName)] = index{keys: g.KeySchema, proj: g.Projection.ProjectionType, include: g.Projection.NonKeyAttributes}
			}
			if tc.gsis == nil {
				assert.Empty(t, got)
			} else {
				assert.Equal(t, tc.gsis, got)
			}
			if tc.stream {
				require.NotNil(t, table.StreamSpecification)
				assert.True(t, aws.ToBool(table.StreamSpecification.StreamEnabled))
				assert.Equal(t, dbtypes.StreamViewTypeNewAndOldImages, table.StreamSpecification.StreamViewType)
				assert.NotEmpty(t, aws.ToString(table.LatestStreamArn))
			} else {
				assert.Nil(t, table.LatestStreamArn)
			}
		})
	}

	// The stream ARN the analytics role grants on is the one DynamoDB reports.
	streamArn, err := d.Resolve(StreamArnOf(DataplaneTable))
	require.NoError(t, err)
	assert.Contains(t, streamArn, p.StackName+"DataplaneTable/stream/")
}

func TestProvisionMessagingStorageAndRole(t *testing.T) {
	cfg := awstest.Config(t, nil)
	p := motoParams(t)
	d := provision(t, cfg, p)
	ctx := t.Context()
	q := cfg.SQS()

	queueAttrs := func(name string) map[string]string {
		t.Helper()
		url, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		require.NoError(t, err, name)
		out, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl: url.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
		})
		require.NoError(t, err, name)
		return out.Attributes
	}
	type redrive struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     any    `json:"maxReceiveCount"`
	}
	parseRedrive := func(attrs map[string]string) redrive {
		t.Helper()
		var r redrive
		require.NoError(t, json.Unmarshal([]byte(attrs["RedrivePolicy"]), &r))
		return r
	}

	// INF-14: the stage-execution queue, with the test's receive-wait override.
	stage := queueAttrs(p.StackName + "-StageExec")
	assert.Equal(t, "43200", stage["VisibilityTimeout"])
	assert.Equal(t, "0", stage["ReceiveMessageWaitTimeSeconds"])
	stageDLQ := queueAttrs(p.StackName + "-StageExecDLQ")
	assert.Equal(t, "43200", stageDLQ["MessageRetentionPeriod"])
	r := parseRedrive(stage)
	assert.Equal(t, stageDLQ["QueueArn"], r.DeadLetterTargetArn)
	assert.EqualValues(t, 1, r.MaxReceiveCount)

	lambdaDLQ := queueAttrs(p.StackName + "-WorkflowExecLambdaDLQ")
	assert.Equal(t, "43200", lambdaDLQ["MessageRetentionPeriod"])
	events := queueAttrs(p.StackName + "-WorkflowExecutionEventQueue")
	r = parseRedrive(events)
	assert.Equal(t, lambdaDLQ["QueueArn"], r.DeadLetterTargetArn)
	assert.EqualValues(t, 1, r.MaxReceiveCount)
	assert.Contains(t, events["Policy"], "sns.amazonaws.com")

	// INF-13: the event queue is subscribed to the topic, without raw delivery.
	topicArn, err := d.Resolve(ArnOf(WorkflowExecutionEventTopic))
	require.NoError(t, err)
	subs, err := cfg.SNS().ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicArn)})
	require.NoError(t, err)
	require.Len(t, subs.Subscriptions, 1)
	assert.Equal(t, "sqs", aws.ToString(subs.Subscriptions[0].Protocol))
	assert.Equal(t, events["QueueArn"], aws.ToString(subs.Subscriptions[0].Endpoint))
	subAttrs, err := cfg.SNS().GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{
		SubscriptionArn: subs.Subscriptions[0].SubscriptionArn,
	})
	require.NoError(t, err)
	assert.Equal(t, "false", subAttrs.Attributes["RawMessageDelivery"])

	// INF-26: the analytics stream is ACTIVE with one shard.
	streamName, err := d.Resolve(NameOf(AnalyticsStream))
	require.NoError(t, err)
	stream, err := cfg.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(streamName)})
	require.NoError(t, err)
	assert.Equal(t, kinesistypes.StreamStatusActive, stream.StreamDescriptionSummary.StreamStatus)
	assert.EqualValues(t, 1, aws.ToInt32(stream.StreamDescriptionSummary.OpenShardCount))
	streamArn, err := d.Resolve(ArnOf(AnalyticsStream))
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(stream.StreamDescriptionSummary.StreamARN), streamArn)

	// INF-12: the data bucket is versioned and has its CORS rule.
	bucket, err := d.Resolve(NameOf(DataplaneBucket))
	require.NoError(t, err)
	versioning, err := cfg.S3().GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	assert.Equal(t, s3types.BucketVersioningStatusEnabled, versioning.Status)
	cors, err := cfg.S3().GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	require.Len(t, cors.CORSRules, 1)
	assert.ElementsMatch(t, []string{"HEAD", "GET", "POST", "DELETE", "PUT"}, cors.CORSRules[0].AllowedMethods)

	// INF-21: the Step Functions log group keeps logs 14 days.
	groupName := "/aws/vendedlogs/states/" + p.StackName + "-StepFunctionLogGroup-abc123"
	groups, err := cfg.CloudWatchLogs().DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(groupName)})
	require.NoError(t, err)
	require.Len(t, groups.LogGroups, 1)
	assert.EqualValues(t, 14, aws.ToInt32(groups.LogGroups[0].RetentionInDays))

	// The workflow API attaches per-operation inline policies to the Step Functions role, whose name it takes
	// after the first "/" of STAGE_EXECUTION_ROLE (§10.2 item 4).
	env, err := d.Env(WorkflowAPIHandler)
	require.NoError(t, err)
	roleName := strings.Split(env["STAGE_EXECUTION_ROLE"], "/")[1]
	_, err = cfg.IAM().PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName:       aws.String(roleName),
		PolicyName:     aws.String("MyOperation"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:123456789012:function:my-op"}]}`),
	})
	require.NoError(t, err)
	policies, err := cfg.IAM().ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(roleName)})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{p.StackName + "-sfn-lambda-exec", "MyOperation"}, policies.PolicyNames)
}

func TestProvisionWorkflowAPIEnvironment(t *testing.T) {
	cfg := awstest.Config(t, nil)
	p := motoParams(t)
	d := provision(t, cfg, p)
	ctx := t.Context()

	env, err := d.Env(WorkflowAPIHandler)
	require.NoError(t, err)
	url, err := cfg.SQS().GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(p.StackName + "-StageExec")})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(url.QueueUrl), env["STAGE_EXECUTION_QUEUE_URL"])
	assert.True(t, strings.HasPrefix(env["STAGE_EXECUTION_QUEUE_URL"], "http://127.0.0.1:"), "moto's queue URL")
	role, err := cfg.IAM().GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(p.StackName + "-StepFunctionRole")})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(role.Role.Arn), env["STAGE_EXECUTION_ROLE"])

	s := p.StackName
	for name, want := range map[string]string{
		"botoConfig":                    `{"user_agent_extra": "AwsSolution/SO0163/v5.1.11"}`,
		"STACK_SHORT_UUID":              "abc123",
		"SYSTEM_TABLE_NAME":             s + "System",
		"WORKFLOW_TABLE_NAME":           s + "Workflow",
		"STAGE_TABLE_NAME":              s + "Stage",
		"WORKFLOW_EXECUTION_TABLE_NAME": s + "WorkflowExecution",
		"HISTORY_TABLE_NAME":            s + "History",
		"OPERATION_TABLE_NAME":          s + "Operation",
		"COMPLETE_STAGE_LAMBDA_ARN":     "arn:aws:lambda:us-east-1:123456789012:function:" + s + "-CompleteStageLambda",
		"STEP_FUNCTION_LOG_GROUP_ARN":   "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/" + s + "-StepFunctionLogGroup-abc123:*",
		"DataplaneEndpoint":             s + "-MediaInsightsDataplaneApiStack-APIHandler",
		"DATAPLANE_BUCKET":              s + "-dataplane-abc123",
		"USER_POOL_ARN":                 "",
		"FRAMEWORK_VERSION":             "v5.1.11",
		"EXECUTION_SLOT_TABLE_NAME":     s + "ExecutionSlots",
	} {
		assert.Equal(t, want, env[name], name)
	}
	for _, id := range []string{SystemTable, WorkflowTable, StageTable, OperationTable, HistoryTable, WorkflowExecutionTable,
		ExecutionSlotTable} {
		name, err := d.Resolve(NameOf(id))
		require.NoError(t, err)
		_, err = cfg.DynamoDB().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		assert.NoError(t, err, "the table %s the API is given exists", name)
	}

	cr, err := d.Env(WorkflowCustomResource)
	require.NoError(t, err)
	assert.Empty(t, cr["FRAMEWORK_VERSION"], "the custom resource gets an empty FRAMEWORK_VERSION, as in the original")
	assert.Equal(t, env["STAGE_EXECUTION_QUEUE_URL"], cr["STAGE_EXECUTION_QUEUE_URL"])
}

func TestProvisionIsIdempotent(t *testing.T) {
	cfg := awstest.Config(t, nil)
	p := motoParams(t)
	p.DeployTestResources = true
	first := provision(t, cfg, p)
	second := provision(t, cfg, p)

	for _, f := range first.set.Functions {
		if !first.params.Deploys(f.Condition) {
			continue
		}
		a, err := first.EnvList(f.ID)
		require.NoError(t, err, f.ID)
		b, err := second.EnvList(f.ID)
		require.NoError(t, err, f.ID)
		assert.Equal(t, a, b, f.ID)
	}
	assert.Equal(t, first.reported, second.reported, "the endpoint reports the same resources")

	topicArn, err := second.Resolve(ArnOf(WorkflowExecutionEventTopic))
	require.NoError(t, err)
	subs, err := cfg.SNS().ListSubscriptionsByTopic(t.Context(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicArn)})
	require.NoError(t, err)
	assert.Len(t, subs.Subscriptions, 1, "no second subscription")

	// A restart with another receive-wait override converges on it.
	p.StageQueueReceiveWait = aws.Duration(time.Second)
	third := provision(t, cfg, p)
	url, err := third.Resolve(URLOf(StageExecutionQueue))
	require.NoError(t, err)
	attrs, err := cfg.SQS().GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameReceiveMessageWaitTimeSeconds},
	})
	require.NoError(t, err)
	assert.Equal(t, "1", attrs.Attributes["ReceiveMessageWaitTimeSeconds"])
}

func TestProvisionWithoutAnalytics(t *testing.T) {
	cfg := awstest.Config(t, nil)
	p := motoParams(t)
	p.DeployAnalyticsPipeline = aws.Bool(false)
	d := provision(t, cfg, p)

	_, err := cfg.Kinesis().DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{
		StreamName: aws.String(p.StackName + "-Analytics-AnalyticsStream"),
	})
	var missing *kinesistypes.ResourceNotFoundException
	assert.True(t, errors.As(err, &missing), "no stream without the analytics pipeline: %v", err)
	_, err = d.Env(DynamoDBStreamingFunction)
	assert.ErrorContains(t, err, "not deployed")
}

func TestProvisionRejectsInvalidParams(t *testing.T) {
	p := Params{StackName: "a-much-too-long-name", ShortID: "abc123", Region: "us-east-1", Account: "123456789012"}
	_, err := Provision(t.Context(), awsconf.Config{}, p)
	assert.ErrorContains(t, err, "at most 12")
}
