package resources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/mie-go/mie-go/internal/awsconf"
)

// provisionedRoles are the roles Provision creates. Locally nothing checks IAM, so only roles that code manipulates
// through the IAM API need to exist: the workflow API attaches per-operation inline policies to the Step Functions
// role (control-plane §6.5).
var provisionedRoles = []string{StepFunctionRole}

// waitLimit bounds the wait for a table or stream to become ACTIVE.
const waitLimit = 5 * time.Minute

// The narrow clients Provision needs.
type (
	tableAPI interface {
		CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
		DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	}
	bucketAPI interface {
		CreateBucket(context.Context, *s3.CreateBucketInput, ...func(*s3.Options)) (*s3.CreateBucketOutput, error)
		PutBucketVersioning(context.Context, *s3.PutBucketVersioningInput, ...func(*s3.Options)) (*s3.PutBucketVersioningOutput, error)
		PutBucketCors(context.Context, *s3.PutBucketCorsInput, ...func(*s3.Options)) (*s3.PutBucketCorsOutput, error)
	}
	queueAPI interface {
		CreateQueue(context.Context, *sqs.CreateQueueInput, ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error)
		GetQueueUrl(context.Context, *sqs.GetQueueUrlInput, ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
		GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
		SetQueueAttributes(context.Context, *sqs.SetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error)
	}
	topicAPI interface {
		CreateTopic(context.Context, *sns.CreateTopicInput, ...func(*sns.Options)) (*sns.CreateTopicOutput, error)
		Subscribe(context.Context, *sns.SubscribeInput, ...func(*sns.Options)) (*sns.SubscribeOutput, error)
		ListSubscriptionsByTopic(context.Context, *sns.ListSubscriptionsByTopicInput, ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error)
	}
	streamAPI interface {
		CreateStream(context.Context, *kinesis.CreateStreamInput, ...func(*kinesis.Options)) (*kinesis.CreateStreamOutput, error)
		DescribeStream(context.Context, *kinesis.DescribeStreamInput, ...func(*kinesis.Options)) (*kinesis.DescribeStreamOutput, error)
	}
	logsAPI interface {
		CreateLogGroup(context.Context, *cloudwatchlogs.CreateLogGroupInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error)
		PutRetentionPolicy(context.Context, *cloudwatchlogs.PutRetentionPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error)
	}
	roleAPI interface {
		CreateRole(context.Context, *iam.CreateRoleInput, ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
		GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error)
		PutRolePolicy(context.Context, *iam.PutRolePolicyInput, ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
	}
)

type provisioner struct {
	d       *Deployment
	tables  tableAPI
	buckets bucketAPI
	queues  queueAPI
	topics  topicAPI
	streams streamAPI
	logs    logsAPI
	roles   roleAPI
}

// Provision creates, at the endpoints of cfg, the tables (with their indexes and streams), buckets (versioning,
// CORS), queues (attributes, redrive), topics and the event queue's subscription, the Kinesis stream, the Step
// Functions log group and the Step Functions role with its inline policy, honouring the conditions of p. It creates
// no KMS key, Lambda function or API: the local runtime serves those itself.
//
// Provision is idempotent: on an endpoint that already holds the resources (a kept LocalStack, a second run) it
// succeeds, leaves them as they are, and returns the same Deployment. It is meant for moto and local emulators; on
// AWS the CDK app provisions the stack.
func Provision(ctx context.Context, cfg awsconf.Config, p Params) (*Deployment, error) {
	p, err := p.Normalize()
	if err != nil {
		return nil, err
	}
	pr := provisioner{
		d:       newDeployment(p, Definitions()),
		tables:  cfg.DynamoDB(),
		buckets: cfg.S3(),
		queues:  cfg.SQS(),
		topics:  cfg.SNS(),
		streams: cfg.Kinesis(),
		logs:    cfg.CloudWatchLogs(),
		roles:   cfg.IAM(),
	}
	if err := pr.run(ctx); err != nil {
		return nil, fmt.Errorf("provision stack %s: %w", p.StackName, err)
	}
	return pr.d, nil
}

// run provisions in dependency order: topics before the queue policy that names them, dead-letter queues before
// the queues that redrive to them (the Set's order), queues and topics before subscriptions.
func (pr *provisioner) run(ctx context.Context) error {
	set := pr.d.set
	for _, t := range set.Tables {
		if err := pr.table(ctx, t); err != nil {
			return err
		}
	}
	for _, b := range set.Buckets {
		if err := pr.bucket(ctx, b); err != nil {
			return err
		}
	}
	for _, t := range set.Topics {
		if err := pr.topic(ctx, t); err != nil {
			return err
		}
	}
	for _, q := range set.Queues {
		if err := pr.queue(ctx, q); err != nil {
			return err
		}
	}
	for _, s := range set.Subscriptions {
		if err := pr.subscription(ctx, s); err != nil {
			return err
		}
	}
	for _, s := range set.Streams {
		if !pr.d.params.Deploys(s.Condition) {
			continue
		}
		if err := pr.stream(ctx, s); err != nil {
			return err
		}
	}
	for _, g := range set.LogGroups {
		if err := pr.logGroup(ctx, g); err != nil {
			return err
		}
	}
	for _, id := range provisionedRoles {
		r, _ := set.Role(id) // provisionedRoles names defined roles; a test checks it
		if err := pr.role(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

func (pr *provisioner) name(r Resource) string { return r.Name.Resolve(pr.d.params) }

func keySchema(pk, sk KeyAttribute) []dbtypes.KeySchemaElement {
	ks := []dbtypes.KeySchemaElement{{AttributeName: aws.String(pk.Name), KeyType: dbtypes.KeyTypeHash}}
	if sk.Name != "" {
		ks = append(ks, dbtypes.KeySchemaElement{AttributeName: aws.String(sk.Name), KeyType: dbtypes.KeyTypeRange})
	}
	return ks
}

// table creates a table with its indexes and stream. Point-in-time recovery and encryption are left to AWS: the
// local endpoints do not need them.
func (pr *provisioner) table(ctx context.Context, t Table) error {
	name := pr.name(t.Resource)
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		KeySchema:   keySchema(t.PartitionKey, t.SortKey),
		BillingMode: t.BillingMode,
	}
	seen := map[string]bool{}
	define := func(k KeyAttribute) {
		if k.Name == "" || seen[k.Name] {
			return
		}
		seen[k.Name] = true
		in.AttributeDefinitions = append(in.AttributeDefinitions,
			dbtypes.AttributeDefinition{AttributeName: aws.String(k.Name), AttributeType: k.Type})
	}
	define(t.PartitionKey)
	define(t.SortKey)
	for _, g := range t.GSIs {
		define(g.PartitionKey)
		define(g.SortKey)
		proj := &dbtypes.Projection{ProjectionType: g.Projection}
		if len(g.NonKeyAttributes) > 0 {
			proj.NonKeyAttributes = g.NonKeyAttributes
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, dbtypes.GlobalSecondaryIndex{
			IndexName:  aws.String(g.Name),
			KeySchema:  keySchema(g.PartitionKey, g.SortKey),
			Projection: proj,
		})
	}
	if t.StreamView != "" {
		in.StreamSpecification = &dbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: t.StreamView}
	}
	var inUse *dbtypes.ResourceInUseException
	if _, err := pr.tables.CreateTable(ctx, in); err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	out, err := dynamodb.NewTableExistsWaiter(pr.tables, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = time.Second
	}).WaitForOutput(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, waitLimit)
	if err != nil {
		return fmt.Errorf("wait for table %s: %w", name, err)
	}
	pr.d.report(t.ID, AttrArn, aws.ToString(out.Table.TableArn))
	if t.StreamView != "" {
		pr.d.report(t.ID, AttrStreamArn, aws.ToString(out.Table.LatestStreamArn))
	}
	return nil
}

// bucket creates a bucket with its versioning and CORS settings.
func (pr *provisioner) bucket(ctx context.Context, b Bucket) error {
	name := pr.name(b.Resource)
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if region := pr.d.params.Region; region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraint(region),
		}
	}
	var owned *s3types.BucketAlreadyOwnedByYou
	if _, err := pr.buckets.CreateBucket(ctx, in); err != nil && !errors.As(err, &owned) {
		return fmt.Errorf("create bucket %s: %w", name, err)
	}
	if b.Versioned {
		_, err := pr.buckets.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
			Bucket:                  aws.String(name),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
		})
		if err != nil {
			return fmt.Errorf("enable versioning of bucket %s: %w", name, err)
		}
	}
	if len(b.CORS) > 0 {
		var rules []s3types.CORSRule
		for _, c := range b.CORS {
			rules = append(rules, s3types.CORSRule{
				ID:             aws.String(c.ID),
				AllowedOrigins: c.AllowedOrigins,
				AllowedHeaders: c.AllowedHeaders,
				AllowedMethods: c.AllowedMethods,
				ExposeHeaders:  c.ExposedHeaders,
				MaxAgeSeconds:  aws.Int32(c.MaxAgeSeconds),
			})
		}
		_, err := pr.buckets.PutBucketCors(ctx, &s3.PutBucketCorsInput{
			Bucket:            aws.String(name),
			CORSConfiguration: &s3types.CORSConfiguration{CORSRules: rules},
		})
		if err != nil {
			return fmt.Errorf("set CORS of bucket %s: %w", name, err)
		}
	}
	return nil
}

// topic creates a topic; CreateTopic returns the existing topic's ARN when it exists.
func (pr *provisioner) topic(ctx context.Context, t Topic) error {
	name := pr.name(t.Resource)
	in := &sns.CreateTopicInput{Name: aws.String(name)}
	if t.DisplayName != "" {
		in.Attributes = map[string]string{"DisplayName": t.DisplayName}
	}
	out, err := pr.topics.CreateTopic(ctx, in)
	if err != nil {
		return fmt.Errorf("create topic %s: %w", name, err)
	}
	pr.d.report(t.ID, AttrArn, aws.ToString(out.TopicArn))
	return nil
}

func seconds(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }

// queueAttributes returns the attributes a queue is created with.
func (pr *provisioner) queueAttributes(q Queue) (map[string]string, error) {
	attrs := map[string]string{}
	if q.Retention > 0 {
		attrs[string(sqstypes.QueueAttributeNameMessageRetentionPeriod)] = seconds(q.Retention)
	}
	if q.VisibilityTimeout > 0 {
		attrs[string(sqstypes.QueueAttributeNameVisibilityTimeout)] = seconds(q.VisibilityTimeout)
	}
	wait := q.ReceiveWait
	if q.ID == StageExecutionQueue {
		wait = pr.d.params.StageQueueWait()
	}
	attrs[string(sqstypes.QueueAttributeNameReceiveMessageWaitTimeSeconds)] = seconds(wait)
	if q.DeadLetter != nil {
		target, err := pr.d.attribute(q.DeadLetter.Queue, AttrArn)
		if err != nil {
			return nil, err
		}
		redrive, _ := json.Marshal(struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
			MaxReceiveCount     int    `json:"maxReceiveCount"`
		}{target, q.DeadLetter.MaxReceiveCount}) // plain values only
		attrs[string(sqstypes.QueueAttributeNameRedrivePolicy)] = string(redrive)
	}
	return attrs, nil
}

// queue creates a queue. When a queue of that name exists with other attributes (a changed receive-wait override,
// say), its attributes are set to the definition's instead.
func (pr *provisioner) queue(ctx context.Context, q Queue) error {
	name := pr.name(q.Resource)
	attrs, err := pr.queueAttributes(q)
	if err != nil {
		return fmt.Errorf("queue %s: %w", name, err)
	}
	var url string
	out, err := pr.queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	var exists *sqstypes.QueueNameExists
	switch {
	case errors.As(err, &exists):
		got, err := pr.queues.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("get URL of queue %s: %w", name, err)
		}
		url = aws.ToString(got.QueueUrl)
		if _, err := pr.queues.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: got.QueueUrl, Attributes: attrs}); err != nil {
			return fmt.Errorf("set attributes of queue %s: %w", name, err)
		}
	case err != nil:
		return fmt.Errorf("create queue %s: %w", name, err)
	default:
		url = aws.ToString(out.QueueUrl)
	}
	got, err := pr.queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return fmt.Errorf("get ARN of queue %s: %w", name, err)
	}
	pr.d.report(q.ID, AttrURL, url)
	pr.d.report(q.ID, AttrArn, got.Attributes[string(sqstypes.QueueAttributeNameQueueArn)])
	return nil
}

// subscription lets the topic send to the queue (queue policy) and subscribes the queue unless it already is.
func (pr *provisioner) subscription(ctx context.Context, s Subscription) error {
	topicArn, err := pr.d.attribute(s.Topic, AttrArn)
	if err != nil {
		return err
	}
	queueArn, err := pr.d.attribute(s.Queue, AttrArn)
	if err != nil {
		return err
	}
	queueURL, err := pr.d.attribute(s.Queue, AttrURL)
	if err != nil {
		return err
	}
	policy := renderPolicy([]policyStatement{{
		Effect:    "Allow",
		Principal: map[string][]string{"Service": {"sns.amazonaws.com"}},
		Action:    []string{"sqs:SendMessage"},
		Resource:  []string{queueArn},
		Condition: map[string]map[string][]string{"ArnEquals": {"aws:SourceArn": {topicArn}}},
	}})
	_, err = pr.queues.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl:   aws.String(queueURL),
		Attributes: map[string]string{string(sqstypes.QueueAttributeNamePolicy): policy},
	})
	if err != nil {
		return fmt.Errorf("let topic %s send to queue %s: %w", topicArn, queueArn, err)
	}
	pages := sns.NewListSubscriptionsByTopicPaginator(pr.topics, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicArn)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list subscriptions of %s: %w", topicArn, err)
		}
		for _, sub := range page.Subscriptions {
			if aws.ToString(sub.Protocol) == "sqs" && aws.ToString(sub.Endpoint) == queueArn {
				pr.d.report(s.ID, AttrArn, aws.ToString(sub.SubscriptionArn))
				return nil
			}
		}
	}
	out, err := pr.topics.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn:              aws.String(topicArn),
		Protocol:              aws.String("sqs"),
		Endpoint:              aws.String(queueArn),
		Attributes:            map[string]string{"RawMessageDelivery": strconv.FormatBool(s.RawMessageDelivery)},
		ReturnSubscriptionArn: true,
	})
	if err != nil {
		return fmt.Errorf("subscribe %s to %s: %w", queueArn, topicArn, err)
	}
	pr.d.report(s.ID, AttrArn, aws.ToString(out.SubscriptionArn))
	return nil
}

// stream creates a provisioned-mode stream and waits until it is ACTIVE.
func (pr *provisioner) stream(ctx context.Context, s Stream) error {
	name := pr.name(s.Resource)
	shards, err := pr.d.Resolve(ParamRef(s.ShardCount))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(shards)
	if err != nil {
		return fmt.Errorf("shard count of stream %s: %w", name, err)
	}
	var inUse *kinesistypes.ResourceInUseException
	_, err = pr.streams.CreateStream(ctx, &kinesis.CreateStreamInput{
		StreamName:        aws.String(name),
		ShardCount:        aws.Int32(int32(n)),
		StreamModeDetails: &kinesistypes.StreamModeDetails{StreamMode: kinesistypes.StreamModeProvisioned},
	})
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("create stream %s: %w", name, err)
	}
	out, err := kinesis.NewStreamExistsWaiter(pr.streams, func(o *kinesis.StreamExistsWaiterOptions) {
		o.MinDelay = time.Second
	}).WaitForOutput(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, waitLimit)
	if err != nil {
		return fmt.Errorf("wait for stream %s: %w", name, err)
	}
	pr.d.report(s.ID, AttrArn, aws.ToString(out.StreamDescription.StreamARN))
	return nil
}

// logGroup creates a log group and sets its retention.
func (pr *provisioner) logGroup(ctx context.Context, g LogGroup) error {
	name := pr.name(g.Resource)
	var exists *logtypes.ResourceAlreadyExistsException
	if _, err := pr.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("create log group %s: %w", name, err)
	}
	_, err := pr.logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{
		LogGroupName:    aws.String(name),
		RetentionInDays: aws.Int32(g.RetentionDays),
	})
	if err != nil {
		return fmt.Errorf("set retention of log group %s: %w", name, err)
	}
	return nil
}

// role creates a role with its trust policy and puts its inline policies. PutRolePolicy replaces a policy of the
// same name and leaves the role's other inline policies (the workflow API's per-operation ones) alone.
func (pr *provisioner) role(ctx context.Context, r Role) error {
	name := pr.name(r.Resource)
	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		Path:                     aws.String(r.Path),
		AssumeRolePolicyDocument: aws.String(trustPolicy(r)),
	}
	if r.Description != "" {
		in.Description = aws.String(r.Description)
	}
	var arn string
	out, err := pr.roles.CreateRole(ctx, in)
	var exists *iamtypes.EntityAlreadyExistsException
	switch {
	case errors.As(err, &exists):
		got, err := pr.roles.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("get role %s: %w", name, err)
		}
		arn = aws.ToString(got.Role.Arn)
	case err != nil:
		return fmt.Errorf("create role %s: %w", name, err)
	default:
		arn = aws.ToString(out.Role.Arn)
	}
	pr.d.report(r.ID, AttrArn, arn)
	for _, p := range r.Policies {
		doc, err := pr.d.policy(p)
		if err != nil {
			return fmt.Errorf("policy of role %s: %w", name, err)
		}
		policyName := p.Name.Resolve(pr.d.params)
		_, err = pr.roles.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
			RoleName:       aws.String(name),
			PolicyName:     aws.String(policyName),
			PolicyDocument: aws.String(doc),
		})
		if err != nil {
			return fmt.Errorf("put policy %s on role %s: %w", policyName, name, err)
		}
	}
	return nil
}
