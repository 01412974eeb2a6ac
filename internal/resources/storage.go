package resources

import (
	"time"

	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// IDs of the key, tables, buckets, queues, topics, stream and log group.
const (
	MieKey = "MieKey"

	SystemTable            = "SystemTable"
	WorkflowTable          = "WorkflowTable"
	StageTable             = "StageTable"
	OperationTable         = "OperationTable"
	HistoryTable           = "HistoryTable"
	WorkflowExecutionTable = "WorkflowExecutionTable"
	DataplaneTable         = "DataplaneTable"
	ExecutionSlotTable     = "ExecutionSlotTable"

	DataplaneLogsBucket = "DataplaneLogsBucket"
	DataplaneBucket     = "Dataplane"

	WorkflowExecutionLambdaDeadLetterQueue = "WorkflowExecutionLambdaDeadLetterQueue"
	StageExecutionDeadLetterQueue          = "StageExecutionDeadLetterQueue"
	StageExecutionQueue                    = "StageExecutionQueue"
	WorkflowExecutionEventQueue            = "WorkflowExecutionEventQueue"

	WorkflowExecutionEventTopic        = "WorkflowExecutionEventTopic"
	WorkflowExecutionEventSubscription = "WorkflowExecutionEventSubscription"
	RekognitionTopic                   = "OperatorLibrary/snsRekognitionTopic"

	AnalyticsStream = "Analytics/AnalyticsStream"

	StepFunctionLogGroup = "StepFunctionLogGroup"
)

// Names of the global secondary indexes code queries.
const (
	WorkflowExecutionStatusIndex  = "WorkflowExecutionStatus"
	WorkflowExecutionAssetIDIndex = "WorkflowExecutionAssetId"
	LockIndex                     = "LockIndex"
)

func rootResource(logicalID string, name Name) Resource {
	return Resource{ID: logicalID, LogicalID: logicalID, Name: name}
}

func nestedResource(s Stack, logicalID string, c Condition) Resource {
	return Resource{ID: ID(s, logicalID), Stack: s, LogicalID: logicalID, Name: generatedName(s, logicalID), Condition: c}
}

func key() KMSKey {
	r := rootResource(MieKey, Name{})
	r.Retain = true
	return KMSKey{
		Resource:       r,
		Description:    "Media Insights on AWS provided KMS key for encryption",
		EnableRotation: true,
		Alias:          explicit("alias/{stack}"),
	}
}

func stringKey(name string) KeyAttribute {
	return KeyAttribute{Name: name, Type: dbtypes.ScalarAttributeTypeS}
}

// tables returns the seven tables of §2.5 (INF-10, CP-42, DP-28) and the scheduler's slot store.
func tables() []Table {
	table := func(logicalID, suffix string, pk KeyAttribute) Table {
		r := rootResource(logicalID, explicit("{stack}"+suffix))
		r.Tags = mieTags()
		return Table{
			Resource:            r,
			PartitionKey:        pk,
			BillingMode:         dbtypes.BillingModePayPerRequest,
			PointInTimeRecovery: true,
			Encryption:          EncryptionKMSAlias,
		}
	}
	history := table(HistoryTable, "History", stringKey("Id"))
	history.SortKey = stringKey("Version") // IQ-11: kept although no code reads it

	execution := table(WorkflowExecutionTable, "WorkflowExecution", stringKey("Id"))
	execution.StreamView = dbtypes.StreamViewTypeNewAndOldImages
	execution.GSIs = []GSI{
		{Name: WorkflowExecutionStatusIndex, PartitionKey: stringKey("Status"), Projection: dbtypes.ProjectionTypeAll},
		{Name: WorkflowExecutionAssetIDIndex, PartitionKey: stringKey("AssetId"), Projection: dbtypes.ProjectionTypeAll},
	}

	// The data plane table's name ends in `Table`, unlike the others.
	dataplane := table(DataplaneTable, "DataplaneTable", stringKey("AssetId"))
	dataplane.StreamView = dbtypes.StreamViewTypeNewAndOldImages
	dataplane.GSIs = []GSI{{
		Name:             LockIndex,
		PartitionKey:     stringKey("Locked"),
		SortKey:          KeyAttribute{Name: "LockedAt", Type: dbtypes.ScalarAttributeTypeN},
		Projection:       dbtypes.ProjectionTypeInclude,
		NonKeyAttributes: []string{"LockedBy"},
	}}

	// CP-33, MIE#755: the slot store of package executions. A counter item and one holder item per execution that
	// counts against MaxConcurrentWorkflows, written in the same transaction as the execution's status; no route
	// lists it. The original had no such table: it counted Started executions through the eventually consistent
	// status index, which let more executions run than the limit allows.
	slots := table(ExecutionSlotTable, "ExecutionSlots", stringKey("Id"))

	return []Table{
		table(SystemTable, "System", stringKey("Name")),
		table(WorkflowTable, "Workflow", stringKey("Name")),
		table(StageTable, "Stage", stringKey("Name")),
		table(OperationTable, "Operation", stringKey("Name")),
		history,
		execution,
		dataplane,
		slots,
	}
}

// buckets returns the two buckets of §2.6 (INF-11, INF-12). On AWS CloudFormation generates their names; the local
// names are lower case (S3 requires it) and carry the short id, as bucket names are global.
func buckets() []Bucket {
	logs := rootResource(DataplaneLogsBucket, generated("{stack-lower}-dataplanelogs-{suid}"))
	logs.Retain = true
	logs.Tags = mieTags()
	data := rootResource(DataplaneBucket, generated("{stack-lower}-dataplane-{suid}"))
	data.Retain = true
	data.Tags = mieTags()
	return []Bucket{
		{
			Resource:           logs,
			Versioned:          true,
			Encryption:         EncryptionS3Managed, // access logging cannot target a KMS-encrypted bucket
			BlockPublicAccess:  true,
			EnforceSSL:         true,
			ReceivesAccessLogs: true,
			// IQ-10: the original puts these rules on the data bucket, where nothing is written under the
			// prefixes; on the logs bucket they bound the access logs. Rule ids kept.
			Lifecycle: []LifecycleRule{
				{ID: "Keep access log for 10 days", Prefix: "access_logs/", ExpirationDays: 10, AbortIncompleteMultipartUploadDays: 1},
				{ID: "Keep cloudfront log for 10 days", Prefix: "cf_logs/", ExpirationDays: 10, AbortIncompleteMultipartUploadDays: 1},
			},
		},
		{
			Resource:          data,
			Versioned:         true,
			Encryption:        EncryptionKMSAlias,
			BlockPublicAccess: true,
			EnforceSSL:        true,
			AccessLogs:        &AccessLogs{Bucket: DataplaneLogsBucket, Prefix: "access_logs/"},
			// Browsers upload through presigned POSTs of the data plane API.
			CORS: []CORSRule{{
				ID:             "AllowUploadsFromWebApp",
				AllowedOrigins: []string{"*"},
				AllowedHeaders: []string{"*"},
				AllowedMethods: []string{"HEAD", "GET", "POST", "DELETE", "PUT"},
				ExposedHeaders: []string{"x-amz-server-side-encryption", "x-amz-request-id", "x-amz-id-2", "ETag"},
				MaxAgeSeconds:  3000,
			}},
		},
	}
}

// queues returns the four queues of §2.7 (INF-14), dead-letter queues before the queues that redrive to them.
func queues() []Queue {
	queue := func(logicalID string, name Name, tagged bool) Queue {
		r := rootResource(logicalID, name)
		if tagged {
			r.Tags = mieTags()
		}
		return Queue{Resource: r, Encryption: EncryptionKMSAlias, EnforceSSL: true}
	}
	lambdaDLQ := queue(WorkflowExecutionLambdaDeadLetterQueue, explicit("{stack}-WorkflowExecLambdaDLQ"), true)
	lambdaDLQ.Retention = 12 * time.Hour
	stageDLQ := queue(StageExecutionDeadLetterQueue, explicit("{stack}-StageExecDLQ"), true)
	stageDLQ.Retention = 12 * time.Hour
	stage := queue(StageExecutionQueue, explicit("{stack}-StageExec"), true)
	stage.VisibilityTimeout = 12 * time.Hour
	stage.ReceiveWait = StageQueueWait
	stage.DeadLetter = &Redrive{Queue: StageExecutionDeadLetterQueue, MaxReceiveCount: 1}
	events := queue(WorkflowExecutionEventQueue, generatedName(RootStack, WorkflowExecutionEventQueue), false)
	events.DeadLetter = &Redrive{Queue: WorkflowExecutionLambdaDeadLetterQueue, MaxReceiveCount: 1}
	return []Queue{lambdaDLQ, stageDLQ, stage, events}
}

// topics returns the workflow execution event topic (§2.7, INF-13) and the operator library's Rekognition topic
// (§6.1), which exists because Rekognition video jobs take a notification channel.
func topics() []Topic {
	rekognition := nestedResource(OperatorLibraryStack, "snsRekognitionTopic", Always)
	rekognition.Tags = mieTags()
	return []Topic{
		{
			Resource:               rootResource(WorkflowExecutionEventTopic, generatedName(RootStack, WorkflowExecutionEventTopic)),
			Encryption:             EncryptionKMSAlias,
			EnforceSSL:             true, // IQ-15
			AccountSubscribePolicy: true,
		},
		{
			Resource:    rekognition,
			DisplayName: "SNS Role for Rekognition",
			Encryption:  EncryptionKMSKey,
			EnforceSSL:  true, // IQ-15
		},
	}
}

// subscriptions returns the event queue's subscription to the event topic; raw delivery is off, so consumers
// receive SNS envelopes.
func subscriptions() []Subscription {
	return []Subscription{{
		Resource: rootResource(WorkflowExecutionEventSubscription, Name{}),
		Topic:    WorkflowExecutionEventTopic,
		Queue:    WorkflowExecutionEventQueue,
	}}
}

// streams returns the analytics stream (§5, INF-26).
func streams() []Stream {
	r := nestedResource(AnalyticsStack, "AnalyticsStream", AnalyticsCondition)
	r.Tags = mieTags()
	// IQ-13: not retained; the stream only holds a derived copy of the data plane table and costs money.
	return []Stream{{Resource: r, ShardCount: ParamKinesisShardCount, Retention: 24 * time.Hour, Encryption: EncryptionKMSKey}}
}

// logGroups returns the Step Functions log group (§2.12, INF-21); the vendedlogs prefix keeps CloudWatch Logs'
// resource policy small.
func logGroups() []LogGroup {
	r := rootResource(StepFunctionLogGroup, explicit("/aws/vendedlogs/states/{stack}-StepFunctionLogGroup-{suid}"))
	r.Retain = true
	r.Tags = mieTags()
	return []LogGroup{{Resource: r, RetentionDays: 14}}
}
