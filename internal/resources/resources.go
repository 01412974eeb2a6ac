// Package resources is the one definition of everything MIE provisions that code depends on (tables, buckets,
// queues, topics, streams, log groups, roles, functions and their environments), read by the CDK app and by the
// local runtime alike.
package resources

import (
	"time"

	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Stack names the CloudFormation stack a resource belongs to: the root stack, or the logical id of the nested stack
// that holds it (the ids the original keeps short on purpose, INF-22).
type Stack string

// The stacks of the deployment (infrastructure §1).
const (
	RootStack            Stack = ""
	WorkflowAPIStack     Stack = "MediaInsightsWorkflowApi"
	DataplaneAPIStack    Stack = "MediaInsightsDataplaneApiStack"
	AnalyticsStack       Stack = "Analytics"
	OperatorLibraryStack Stack = "OperatorLibrary"
	TestResourcesStack   Stack = "TestResources"
)

// ID returns the identifier this package gives a resource: its logical id for the root stack, and
// "<nested stack>/<logical id>" inside a nested stack, because logical ids repeat across stacks (both API stacks
// have an `APIHandler` and an `ApiHandlerRole`).
func ID(s Stack, logicalID string) string {
	if s == RootStack {
		return logicalID
	}
	return string(s) + "/" + logicalID
}

// Condition is the CloudFormation condition a resource is created under; the empty condition means always.
type Condition string

// The conditions of infrastructure §2.3 that decide whether a resource exists.
const (
	Always                  Condition = ""
	AnalyticsCondition      Condition = "DeployAnalyticsPipelineCondition"
	TestResourcesCondition  Condition = "DeployTestResourcesCondition"
	AnonymizedDataCondition Condition = "EnableAnonymizedData"
)

// Tag is one resource tag.
type Tag struct {
	Key, Value string
}

// mieTags is the `environment=mie` tag the original puts on most resources (INF-34); the scheduler's
// StartExecution condition depends on it for state machines.
func mieTags() []Tag { return []Tag{{Key: "environment", Value: "mie"}} }

// Encryption says how a resource is encrypted at rest on AWS. Provision creates no KMS key (the local endpoints do
// not need one); the CDK app applies these.
type Encryption string

// The encryption settings of infrastructure §8.1.
const (
	// EncryptionDefault leaves the service default.
	EncryptionDefault Encryption = ""
	// EncryptionKMSAlias encrypts with the stack key, referenced through its alias ARN.
	EncryptionKMSAlias Encryption = "kms-alias"
	// EncryptionKMSKey encrypts with the stack key, referenced through its key ARN.
	EncryptionKMSKey Encryption = "kms-key"
	// EncryptionS3Managed is SSE-S3 (AES256).
	EncryptionS3Managed Encryption = "s3-managed"
)

// Resource holds what every definition has.
type Resource struct {
	// ID is this package's identifier of the resource, see ID.
	ID string
	// Stack is the stack that holds the resource and LogicalID its logical id there.
	Stack     Stack
	LogicalID string
	// Name is the rule for the physical name.
	Name Name
	// Condition is the condition the resource is created under.
	Condition Condition
	// Tags are the resource's tags, in template order.
	Tags []Tag
	// Retain is true for DeletionPolicy/UpdateReplacePolicy Retain (the resource survives stack deletion).
	Retain bool
}

// res lets the generic look-ups reach the common fields of every definition.
func (r *Resource) res() *Resource { return r }

// KMSKey is the stack's customer-managed key (INF-09). Provision does not create it: key references resolve to
// the empty string locally, which operators treat as "no key" (operators.md: the KMS fields are then omitted).
type KMSKey struct {
	Resource
	Description    string
	EnableRotation bool
	// Alias is the rule for the alias name, `alias/<S>`.
	Alias Name
}

// KeyAttribute is a key attribute of a table or index.
type KeyAttribute struct {
	Name string
	Type dbtypes.ScalarAttributeType
}

// GSI is a global secondary index.
type GSI struct {
	Name         string
	PartitionKey KeyAttribute
	// SortKey is the zero value when the index has none.
	SortKey    KeyAttribute
	Projection dbtypes.ProjectionType
	// NonKeyAttributes are the attributes an INCLUDE projection adds.
	NonKeyAttributes []string
}

// Table is a DynamoDB table (infrastructure §2.5).
type Table struct {
	Resource
	PartitionKey KeyAttribute
	// SortKey is the zero value when the table has none.
	SortKey KeyAttribute
	GSIs    []GSI
	// StreamView is the stream's view type; empty when the table has no stream.
	StreamView          dbtypes.StreamViewType
	BillingMode         dbtypes.BillingMode
	PointInTimeRecovery bool
	Encryption          Encryption
}

// CORSRule is one S3 CORS rule.
type CORSRule struct {
	ID             string
	AllowedOrigins []string
	AllowedHeaders []string
	AllowedMethods []string
	ExposedHeaders []string
	MaxAgeSeconds  int32
}

// LifecycleRule is one S3 lifecycle rule: objects under Prefix expire after ExpirationDays and incomplete
// multipart uploads are aborted after AbortIncompleteMultipartUploadDays.
type LifecycleRule struct {
	ID                                 string
	Prefix                             string
	ExpirationDays                     int32
	AbortIncompleteMultipartUploadDays int32
}

// AccessLogs says where a bucket's server access logs go.
type AccessLogs struct {
	// Bucket is the ID of the target bucket.
	Bucket string
	Prefix string
}

// Bucket is an S3 bucket (infrastructure §2.6). On AWS its name is generated by CloudFormation; Name is the
// lower-case name the local runtime uses.
type Bucket struct {
	Resource
	Versioned         bool
	Encryption        Encryption
	BlockPublicAccess bool
	// EnforceSSL adds the bucket-policy statement that denies requests without TLS.
	EnforceSSL bool
	// AccessLogs is nil when the bucket does not log access.
	AccessLogs *AccessLogs
	// ReceivesAccessLogs is true for the log-delivery target: its bucket policy lets logging.s3.amazonaws.com write
	// (the bucket-policy form, not the legacy ACL).
	ReceivesAccessLogs bool
	CORS               []CORSRule
	Lifecycle          []LifecycleRule
}

// Redrive is a queue's dead-letter configuration.
type Redrive struct {
	// Queue is the ID of the dead-letter queue.
	Queue           string
	MaxReceiveCount int
}

// Queue is an SQS standard queue (infrastructure §2.7). A zero duration means the SQS default (retention 4 days,
// visibility 30 s, receive wait 0).
type Queue struct {
	Resource
	Retention         time.Duration
	VisibilityTimeout time.Duration
	// ReceiveWait is the long-poll wait on AWS; for the stage-execution queue Params can override it.
	ReceiveWait time.Duration
	// DeadLetter is nil for a queue without redrive.
	DeadLetter *Redrive
	Encryption Encryption
	// EnforceSSL adds the queue-policy statement that denies requests without TLS.
	EnforceSSL bool
}

// Topic is an SNS standard topic.
type Topic struct {
	Resource
	DisplayName string
	Encryption  Encryption
	// EnforceSSL adds the topic-policy statement that denies publishing without TLS (IQ-15).
	EnforceSSL bool
	// AccountSubscribePolicy is true when the topic policy lets the account root subscribe and receive (§2.7).
	AccountSubscribePolicy bool
}

// Subscription subscribes an SQS queue to a topic; the queue's policy lets the topic send to it.
type Subscription struct {
	Resource
	// Topic and Queue are IDs.
	Topic, Queue       string
	RawMessageDelivery bool
}

// Stream is a Kinesis data stream in provisioned mode.
type Stream struct {
	Resource
	// ShardCount is the parameter that gives the number of shards.
	ShardCount Param
	// Retention is the retention period; Provision relies on it being the Kinesis default of 24 h.
	Retention  time.Duration
	Encryption Encryption
}

// LogGroup is a CloudWatch Logs log group.
type LogGroup struct {
	Resource
	RetentionDays int32
}

// StatementCondition is one condition of an IAM statement, e.g. StringEquals aws:ResourceTag/environment = mie.
type StatementCondition struct {
	Operator string
	Key      string
	Values   []string
}

// Statement is an Allow statement of an IAM policy.
type Statement struct {
	Sid        string
	Actions    []string
	Resources  []Expr
	Conditions []StatementCondition
}

// Policy is an inline policy of a role.
type Policy struct {
	Name       Name
	Statements []Statement
}

// Role is an IAM role. On AWS its name is generated; Name is the local runtime's deterministic name.
type Role struct {
	Resource
	Description string
	// Principals are the service principals of the trust policy, e.g. "lambda.amazonaws.com".
	Principals []string
	// Path is the role path; the Step Functions role must keep "/" (§10.2 item 4).
	Path     string
	Policies []Policy
}

// Tracing is a function's X-Ray tracing setting.
type Tracing string

// The tracing settings of infrastructure §2.10 and §9.1.
const (
	// TracingUnset leaves TracingConfig out of the template.
	TracingUnset Tracing = ""
	// TracingPassThrough is TracingConfig PassThrough.
	TracingPassThrough Tracing = "PassThrough"
	// TracingEntryPoint is the TraceMode expression: Active when EnableXrayTrace is Yes, else PassThrough.
	TracingEntryPoint Tracing = "TraceMode"
)

// EnvVar is one environment variable of a function; its value is a reference the deployment resolves.
type EnvVar struct {
	Name  string
	Value Ref
}

// Function is a Lambda function.
type Function struct {
	Resource
	Description string
	// Main is the Go main package that implements the function, relative to the module root ("cmd/scheduler").
	Main string
	// Handler is the function's Handler setting. A main that serves one function gets "bootstrap"; a main shared
	// by several functions (as the original shares a zip) tells them apart by this value, which Lambda hands a
	// custom runtime in the _HANDLER variable.
	Handler             string
	MemoryMB            int32
	Timeout             time.Duration
	ReservedConcurrency int32
	// Role is the ID of the execution role.
	Role    string
	Tracing Tracing
	// DeadLetterQueue is the ID of the queue that receives failed asynchronous invocations, or "".
	DeadLetterQueue string
	// Env is the environment in the order the specs list it.
	Env []EnvVar
}
