package resources

import (
	"path"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func s(name string) KeyAttribute { return KeyAttribute{Name: name, Type: dbtypes.ScalarAttributeTypeS} }

func TestTables(t *testing.T) {
	// CP-42 (control-plane §2.1), DP-28 (data-plane §2.4), INF-10 (infrastructure §2.5).
	cases := []struct {
		id, name string
		pk, sk   KeyAttribute
		stream   dbtypes.StreamViewType
		gsis     []GSI
	}{
		{id: "SystemTable", name: "mieSystem", pk: s("Name")},
		{id: "WorkflowTable", name: "mieWorkflow", pk: s("Name")},
		{id: "StageTable", name: "mieStage", pk: s("Name")},
		{id: "OperationTable", name: "mieOperation", pk: s("Name")},
		{id: "HistoryTable", name: "mieHistory", pk: s("Id"), sk: s("Version")},
		{id: "WorkflowExecutionTable", name: "mieWorkflowExecution", pk: s("Id"), stream: dbtypes.StreamViewTypeNewAndOldImages,
			gsis: []GSI{
				{Name: "WorkflowExecutionStatus", PartitionKey: s("Status"), Projection: dbtypes.ProjectionTypeAll},
				{Name: "WorkflowExecutionAssetId", PartitionKey: s("AssetId"), Projection: dbtypes.ProjectionTypeAll},
			}},
		{id: "DataplaneTable", name: "mieDataplaneTable", pk: s("AssetId"), stream: dbtypes.StreamViewTypeNewAndOldImages,
			gsis: []GSI{{
				Name: "LockIndex", PartitionKey: s("Locked"),
				SortKey:    KeyAttribute{Name: "LockedAt", Type: dbtypes.ScalarAttributeTypeN},
				Projection: dbtypes.ProjectionTypeInclude, NonKeyAttributes: []string{"LockedBy"},
			}}},
		// CP-33: the scheduler's slot store, after the spec's tables.
		{id: "ExecutionSlotTable", name: "mieExecutionSlots", pk: s("Id")},
	}
	set := Definitions()
	require.Len(t, set.Tables, len(cases))
	for i, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			table := set.Tables[i]
			assert.Equal(t, tc.id, table.ID, "order of the spec's table")
			assert.Equal(t, tc.name, table.Name.Resolve(validParams()))
			assert.True(t, table.Name.Explicit, "table names are set in the template")
			assert.Equal(t, tc.pk, table.PartitionKey)
			assert.Equal(t, tc.sk, table.SortKey)
			assert.Equal(t, tc.stream, table.StreamView)
			assert.Equal(t, tc.gsis, table.GSIs)
			assert.Equal(t, dbtypes.BillingModePayPerRequest, table.BillingMode)
			assert.True(t, table.PointInTimeRecovery)
			assert.Equal(t, EncryptionKMSAlias, table.Encryption)
			assert.Equal(t, []Tag{{"environment", "mie"}}, table.Tags)
			assert.False(t, table.Retain)
		})
	}
}

func TestQueues(t *testing.T) {
	// INF-14.
	set := Definitions()
	p := validParams()
	byID := func(id string) Queue {
		q, ok := set.Queue(id)
		require.True(t, ok, id)
		return q
	}
	stage := byID(StageExecutionQueue)
	assert.Equal(t, "mie-StageExec", stage.Name.Resolve(p))
	assert.Equal(t, 12*time.Hour, stage.VisibilityTimeout)
	assert.Equal(t, 20*time.Second, stage.ReceiveWait)
	assert.Equal(t, &Redrive{Queue: StageExecutionDeadLetterQueue, MaxReceiveCount: 1}, stage.DeadLetter)

	stageDLQ := byID(StageExecutionDeadLetterQueue)
	assert.Equal(t, "mie-StageExecDLQ", stageDLQ.Name.Resolve(p))
	assert.Equal(t, 12*time.Hour, stageDLQ.Retention)

	lambdaDLQ := byID(WorkflowExecutionLambdaDeadLetterQueue)
	assert.Equal(t, "mie-WorkflowExecLambdaDLQ", lambdaDLQ.Name.Resolve(p))
	assert.Equal(t, 12*time.Hour, lambdaDLQ.Retention)

	events := byID(WorkflowExecutionEventQueue)
	assert.False(t, events.Name.Explicit)
	assert.Equal(t, &Redrive{Queue: WorkflowExecutionLambdaDeadLetterQueue, MaxReceiveCount: 1}, events.DeadLetter)
	assert.Nil(t, events.Tags)

	// Dead-letter queues come before the queues that redrive to them, so Provision knows their ARNs.
	seen := map[string]bool{}
	for _, q := range set.Queues {
		if q.DeadLetter != nil {
			assert.True(t, seen[q.DeadLetter.Queue], "%s before %s", q.DeadLetter.Queue, q.ID)
		}
		seen[q.ID] = true
	}

	sub := set.Subscriptions[0]
	assert.Equal(t, WorkflowExecutionEventTopic, sub.Topic)
	assert.Equal(t, WorkflowExecutionEventQueue, sub.Queue)
	assert.False(t, sub.RawMessageDelivery, "consumers receive SNS envelopes")
}

func TestBucketsStreamLogGroup(t *testing.T) {
	set := Definitions()
	p := validParams()
	data, ok := set.Bucket(DataplaneBucket)
	require.True(t, ok)
	assert.Equal(t, "mie-dataplane-a1b2c3", data.Name.Resolve(p))
	assert.True(t, data.Versioned)
	assert.True(t, data.Retain)
	require.Len(t, data.CORS, 1)
	assert.Equal(t, "AllowUploadsFromWebApp", data.CORS[0].ID)
	assert.Equal(t, []string{"HEAD", "GET", "POST", "DELETE", "PUT"}, data.CORS[0].AllowedMethods)
	assert.Equal(t, int32(3000), data.CORS[0].MaxAgeSeconds)
	assert.Equal(t, &AccessLogs{Bucket: DataplaneLogsBucket, Prefix: "access_logs/"}, data.AccessLogs)

	logs, ok := set.Bucket(DataplaneLogsBucket)
	require.True(t, ok)
	assert.Equal(t, EncryptionS3Managed, logs.Encryption)
	assert.Len(t, logs.Lifecycle, 2, "IQ-10: the expiry rules sit on the logs bucket")

	stream, ok := set.Stream(AnalyticsStream)
	require.True(t, ok)
	assert.Equal(t, AnalyticsCondition, stream.Condition)
	assert.Equal(t, 24*time.Hour, stream.Retention)
	assert.Equal(t, ParamKinesisShardCount, stream.ShardCount)

	group, ok := set.LogGroup(StepFunctionLogGroup)
	require.True(t, ok)
	assert.Equal(t, "/aws/vendedlogs/states/mie-StepFunctionLogGroup-a1b2c3", group.Name.Resolve(p))
	assert.Equal(t, int32(14), group.RetentionDays)
	assert.True(t, group.Retain)
}

// envNames lists each function's variables in the order the specs give them.
var envNames = func() map[string][]string {
	engine := []string{"STAGE_EXECUTION_QUEUE_URL", "STAGE_TABLE_NAME", "OPERATION_TABLE_NAME",
		"WORKFLOW_EXECUTION_TABLE_NAME", "WORKFLOW_TABLE_NAME"}
	cat := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	workflowAPI := []string{"botoConfig", "STACK_SHORT_UUID", "SYSTEM_TABLE_NAME", "WORKFLOW_TABLE_NAME",
		"STAGE_TABLE_NAME", "WORKFLOW_EXECUTION_TABLE_NAME", "HISTORY_TABLE_NAME", "STAGE_EXECUTION_QUEUE_URL",
		"OPERATION_TABLE_NAME", "COMPLETE_STAGE_LAMBDA_ARN", "FILTER_OPERATION_LAMBDA_ARN",
		"WORKFLOW_SCHEDULER_LAMBDA_ARN", "STAGE_EXECUTION_ROLE", "STEP_FUNCTION_LOG_GROUP_ARN", "DataplaneEndpoint",
		"DATAPLANE_BUCKET", "OPERATOR_FAILED_LAMBDA_ARN", "USER_POOL_ARN", "FRAMEWORK_VERSION"}
	m := map[string][]string{
		"MieHelperFunction": {"SYSTEM_TABLE_NAME", "DEFAULT_MAX_CONCURRENT_WORKFLOWS"},
		// CP-33: EXECUTION_SLOT_TABLE_NAME, last, on every function that changes execution statuses.
		"WorkflowSchedulerLambda": cat(engine, []string{"SYSTEM_TABLE_NAME", "DEFAULT_MAX_CONCURRENT_WORKFLOWS", "botoConfig",
			"EXECUTION_SLOT_TABLE_NAME"}),
		// Q-01/IQ-16: botoConfig added.
		"WorkflowErrorHandlerLambda": cat(engine, []string{"SYSTEM_TABLE_NAME", "DEFAULT_MAX_CONCURRENT_WORKFLOWS",
			"ShortUUID", "WORKFLOW_SCHEDULER_LAMBDA_ARN", "botoConfig", "EXECUTION_SLOT_TABLE_NAME"}),
		"CompleteStageLambda": cat([]string{"botoConfig"}, engine, []string{"SYSTEM_TABLE_NAME", "WORKFLOW_SCHEDULER_LAMBDA_ARN",
			"EXECUTION_SLOT_TABLE_NAME"}),
		"FilterOperationLambda":                           cat([]string{"botoConfig"}, engine),
		"OperatorFailedLambda":                            nil,
		"StartWaitOperationLambda":                        cat([]string{"botoConfig"}, engine, []string{"EXECUTION_SLOT_TABLE_NAME"}),
		"CheckWaitOperationLambda":                        cat([]string{"botoConfig"}, engine),
		"WorkflowExecutionStreamingFunction":              {"botoConfig", "TOPIC_ARN"},
		"AnonymizedDataCustomResource":                    nil,
		"MediaInsightsWorkflowApi/APIHandler":             cat(workflowAPI, []string{"EXECUTION_SLOT_TABLE_NAME"}),
		"MediaInsightsWorkflowApi/WorkflowCustomResource": cat(workflowAPI, []string{"EXECUTION_SLOT_TABLE_NAME"}),
		"MediaInsightsDataplaneApiStack/APIHandler": {"DATAPLANE_TABLE_NAME", "DATAPLANE_BUCKET", "FRAMEWORK_VERSION",
			"USER_POOL_ARN", "botoConfig"},
		"Analytics/DynamoDBStreamingFunction": {"StreamName", "botoConfig"},
	}
	op := func(id string, names ...string) { m["OperatorLibrary/"+id] = append(names, "botoConfig") }
	comprehend := []string{"OPERATOR_NAME", "DataplaneEndpoint", "comprehendRole", "KmsId"}
	rekStart := []string{"REKOGNITION_SNS_TOPIC_ARN", "REKOGNITION_ROLE_ARN", "OPERATOR_NAME", "DataplaneEndpoint", "DATAPLANE_BUCKET"}
	rekCheck := []string{"REKOGNITION_ROLE_ARN", "OPERATOR_NAME", "DataplaneEndpoint", "DATAPLANE_BUCKET"}
	dpdb := []string{"DataplaneEndpoint", "DATAPLANE_BUCKET"}
	op("startGenericDataLookup", "OPERATOR_NAME", "DataplaneEndpoint", "DataLookupRole")
	op("Mediainfo", "OPERATOR_NAME", "DataplaneEndpoint", "DataLookupRole", "LD_LIBRARY_PATH")
	for _, id := range []string{"startKeyPhrases", "getKeyPhrases", "startEntityDetection", "getEntityDetection"} {
		op(id, comprehend...)
	}
	for _, id := range []string{"startTechnicalCueDetection", "checkTechnicalCueDetection", "startShotDetection",
		"checkShotDetection", "startCelebrityRecognition", "startContentModeration", "startFaceDetection",
		"startFaceSearch", "startTextDetection", "startLabelDetection"} {
		op(id, rekStart...)
	}
	for _, id := range []string{"checkCelebrityRecognition", "checkContentModeration", "checkFaceDetection",
		"checkFaceSearch", "checkTextDetection", "checkLabelDetection", "checkPersonTracking"} {
		op(id, rekCheck...)
	}
	op("startPersonTracking", "REKOGNITION_SNS_TOPIC_ARN", "REKOGNITION_ROLE_ARN", "OPERATOR_NAME")
	op("StartMediaConvertFunction", "mediaconvertRole", "DataplaneEndpoint", "DATAPLANE_BUCKET", "MEDIACONVERT_ENDPOINT")
	op("CheckMediaConvertFunction", "DataplaneEndpoint", "DATAPLANE_BUCKET", "MEDIACONVERT_ENDPOINT")
	op("StartThumbnailFunction", "mediaconvertRole", "DataplaneEndpoint", "DATAPLANE_BUCKET", "MEDIACONVERT_ENDPOINT")
	op("CheckThumbnailFunction", "mediaconvertRole", "DataplaneEndpoint", "DATAPLANE_BUCKET", "MEDIACONVERT_ENDPOINT")
	for _, id := range []string{"StartTranscribeFunction", "CheckTranscribeFunction", "WebCaptionsFunction",
		"CreateSRTCaptionsFunction", "CreateVTTCaptionsFunction", "WebToSRTCaptionsFunction", "WebToVTTCaptionsFunction",
		"TranslateFunction", "CheckTranslateWebcaptionsFunction", "StartPollyWebCaptionsFunction",
		"CheckPollyWebCaptionsFunction", "StartPollyFunction", "CheckPollyFunction"} {
		op(id, dpdb...)
	}
	op("StartTranslateWebcaptionsFunction", "translateRole", "DataplaneEndpoint", "DATAPLANE_BUCKET")
	for _, id := range []string{"VideoSyncOKLambda", "VideoSyncFailLambda", "VideoAsyncOKLambda",
		"VideoAsyncOKMonitorLambda", "VideoAsyncFailMonitorLambda", "AudioSyncOKLambda", "AudioAsyncOKLambda",
		"AudioAsyncOKMonitorLambda", "ImageSyncOKLambda", "ImageAsyncOKLambda", "ImageAsyncOKMonitorLambda",
		"TextSyncOKLambda", "TextAsyncOKLambda", "TextAsyncOKMonitorLambda"} {
		m["TestResources/"+id] = dpdb
	}
	return m
}()

func TestFunctionEnvironmentNames(t *testing.T) {
	set := Definitions()
	assert.Len(t, set.Functions, len(envNames), "every function of the specs, no other")
	for _, f := range set.Functions {
		t.Run(f.ID, func(t *testing.T) {
			want, ok := envNames[f.ID]
			require.True(t, ok, "unexpected function %s", f.ID)
			var got []string
			for _, v := range f.Env {
				got = append(got, v.Name)
			}
			assert.Equal(t, want, got)
		})
	}
}

func TestFunctionCountsPerStack(t *testing.T) {
	count := map[Stack]int{}
	for _, f := range Definitions().Functions {
		count[f.Stack]++
	}
	assert.Equal(t, map[Stack]int{
		RootStack: 10, WorkflowAPIStack: 2, DataplaneAPIStack: 1, AnalyticsStack: 1,
		OperatorLibraryStack: 42, TestResourcesStack: 14,
	}, count)
}

func TestFunctionSettings(t *testing.T) {
	set := Definitions()
	cases := []struct {
		id          string
		main        string
		memory      int32
		timeout     time.Duration
		reserved    int32
		role        string
		tracing     Tracing
		dlq         string
		condition   Condition
		explicitPat string
	}{
		{id: WorkflowSchedulerLambda, main: "cmd/scheduler", memory: 256, timeout: 900 * time.Second, reserved: 1,
			role: StageExecutionRole, tracing: TracingEntryPoint, dlq: WorkflowExecutionLambdaDeadLetterQueue},
		{id: WorkflowErrorHandlerLambda, main: "cmd/errorhandler", memory: 256, timeout: 900 * time.Second, reserved: 1,
			role: OperationLambdaExecutionRole, tracing: TracingEntryPoint, dlq: WorkflowExecutionLambdaDeadLetterQueue},
		{id: CompleteStageLambda, main: "cmd/completestage", memory: 256, timeout: 900 * time.Second,
			role: OperationLambdaExecutionRole, tracing: TracingPassThrough},
		{id: StartWaitOperationLambda, main: "cmd/startwait", memory: 256, timeout: 900 * time.Second,
			role: OperationLambdaExecutionRole, explicitPat: "{stack}-start-wait-operation"},
		{id: CheckWaitOperationLambda, main: "cmd/checkwait", memory: 256, timeout: 900 * time.Second,
			role: OperationLambdaExecutionRole, explicitPat: "{stack}-check-wait-operation"},
		{id: OperatorFailedLambda, main: "cmd/operatorfailed", memory: 128, timeout: 3 * time.Second,
			role: OperatorFailedRole, tracing: TracingPassThrough},
		{id: AnonymizedDataCustomResource, main: "cmd/anonymizeddata", memory: 128, timeout: 180 * time.Second,
			role: AnonymizedDataCustomResourceRole, condition: AnonymizedDataCondition, explicitPat: "{stack}-anonymized-data"},
		{id: WorkflowAPIHandler, main: "cmd/workflowapi", memory: 128, timeout: 60 * time.Second,
			role: WorkflowAPIHandlerRole, tracing: TracingEntryPoint},
		{id: WorkflowCustomResource, main: "cmd/workflowcustomresource", memory: 128, timeout: 180 * time.Second,
			role: WorkflowCustomResourceRole, tracing: TracingEntryPoint},
		{id: DataplaneAPIHandler, main: "cmd/dataplaneapi", memory: 2048, timeout: 120 * time.Second,
			role: DataplaneAPIHandlerRole, tracing: TracingEntryPoint},
		{id: DynamoDBStreamingFunction, main: "cmd/dataplanestream", memory: 128, timeout: 3 * time.Second,
			role: LambdaStreamRole, tracing: TracingPassThrough, condition: AnalyticsCondition},
		{id: "OperatorLibrary/checkFaceDetection", main: "cmd/checkrekognition", memory: 512, timeout: 300 * time.Second,
			role: "OperatorLibrary/rekognitionLambdaRole", tracing: TracingPassThrough},
		{id: "OperatorLibrary/StartPollyWebCaptionsFunction", main: "cmd/webcaptions", memory: 128, timeout: 300 * time.Second,
			role: "OperatorLibrary/pollyRole"},
		{id: "TestResources/VideoAsyncFailMonitorLambda", main: "cmd/testoperations", memory: 128, timeout: 900 * time.Second,
			role: TestExecutionRole, condition: TestResourcesCondition, explicitPat: "{stack}-video-async-fail-monitor"},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			f, ok := set.Function(tc.id)
			require.True(t, ok)
			assert.Equal(t, tc.main, f.Main)
			assert.Equal(t, tc.memory, f.MemoryMB)
			assert.Equal(t, tc.timeout, f.Timeout)
			assert.Equal(t, tc.reserved, f.ReservedConcurrency)
			assert.Equal(t, tc.role, f.Role)
			assert.Equal(t, tc.tracing, f.Tracing)
			assert.Equal(t, tc.dlq, f.DeadLetterQueue)
			assert.Equal(t, tc.condition, f.Condition)
			if tc.explicitPat != "" {
				assert.Equal(t, explicit(tc.explicitPat), f.Name)
			} else {
				assert.False(t, f.Name.Explicit)
			}
		})
	}
}

func TestSharedMainsTellFunctionsApart(t *testing.T) {
	// Functions sharing a main differ by Handler unless they run the very same handler (the SRT/VTT pairs).
	type key struct{ main, handler string }
	users := map[key][]string{}
	for _, f := range Definitions().Functions {
		require.NotEmpty(t, f.Handler, f.ID)
		require.True(t, strings.HasPrefix(f.Main, "cmd/"), f.ID)
		users[key{f.Main, f.Handler}] = append(users[key{f.Main, f.Handler}], f.ID)
	}
	for k, ids := range users {
		if len(ids) > 1 {
			assert.Contains(t, []string{"create_srt", "create_vtt"}, k.handler, "%v share %v", ids, k)
		}
	}
	mains := map[string]map[string]bool{}
	for k := range users {
		if mains[k.main] == nil {
			mains[k.main] = map[string]bool{}
		}
		mains[k.main][k.handler] = true
	}
	for main, handlers := range mains {
		if len(handlers) > 1 {
			assert.False(t, handlers[singleHandler], "%s serves several handlers, so none may be %q", main, singleHandler)
		}
	}
}

func TestIDsAreUniqueAndReferencesResolve(t *testing.T) {
	set := Definitions()
	seen := map[string]bool{}
	add := func(r Resource) {
		assert.False(t, seen[r.ID], "duplicate ID %s", r.ID)
		seen[r.ID] = true
		assert.Equal(t, ID(r.Stack, r.LogicalID), r.ID)
	}
	add(set.Key.Resource)
	for _, x := range set.Tables {
		add(x.Resource)
	}
	for _, x := range set.Buckets {
		add(x.Resource)
	}
	for _, x := range set.Queues {
		add(x.Resource)
	}
	for _, x := range set.Topics {
		add(x.Resource)
	}
	for _, x := range set.Subscriptions {
		add(x.Resource)
	}
	for _, x := range set.Streams {
		add(x.Resource)
	}
	for _, x := range set.LogGroups {
		add(x.Resource)
	}
	for _, x := range set.Roles {
		add(x.Resource)
	}
	for _, x := range set.Functions {
		add(x.Resource)
	}

	// Every reference resolves in a deployment with every condition on, except the values only an endpoint
	// reports; those are given here.
	p, err := validParams().Normalize()
	require.NoError(t, err)
	p.DeployTestResources = true
	d := newDeployment(p, set)
	for _, q := range set.Queues {
		d.report(q.ID, AttrURL, "http://127.0.0.1:1/123456789012/"+q.Name.Resolve(p))
	}
	for _, tb := range set.Tables {
		d.report(tb.ID, AttrStreamArn, "stream-of-"+tb.ID)
	}
	for _, f := range set.Functions {
		_, ok := set.Role(f.Role)
		assert.True(t, ok, "role %q of %s", f.Role, f.ID)
		if f.DeadLetterQueue != "" {
			_, ok := set.Queue(f.DeadLetterQueue)
			assert.True(t, ok, "queue %q of %s", f.DeadLetterQueue, f.ID)
		}
		if f.Condition != AnonymizedDataCondition {
			_, err := d.EnvList(f.ID)
			assert.NoError(t, err, f.ID)
		}
	}
	for _, r := range set.Roles {
		for _, pol := range r.Policies {
			for _, st := range pol.Statements {
				for _, e := range st.Resources {
					_, err := d.ResolveExpr(e)
					assert.NoError(t, err, "%s: %v", r.ID, st.Actions)
				}
			}
		}
	}
	for _, id := range provisionedRoles {
		_, ok := set.Role(id)
		assert.True(t, ok, id)
	}
}

func TestLocalNamesFitServiceLimits(t *testing.T) {
	// INF-41, §10.1: with the longest stack name allowed, every derived name fits its service's limit.
	p := validParams()
	p.StackName = "Abcdefghijkl"
	_, err := p.Normalize()
	require.NoError(t, err)
	set := Definitions()
	check := func(kind string, limit int, r Resource, names map[string]string) {
		n := r.Name.Resolve(p)
		assert.LessOrEqual(t, len(n), limit, "%s %s", kind, n)
		assert.NotEmpty(t, n, r.ID)
		if other, dup := names[n]; dup {
			t.Errorf("%s name %s used by %s and %s", kind, n, other, r.ID)
		}
		names[n] = r.ID
	}
	names := map[string]string{}
	for _, f := range set.Functions {
		check("function", 64, f.Resource, names)
	}
	names = map[string]string{}
	for _, r := range set.Roles {
		check("role", 64, r.Resource, names)
		for _, pol := range r.Policies {
			assert.LessOrEqual(t, len(pol.Name.Resolve(p)), 128, "policy of %s", r.ID)
		}
	}
	names = map[string]string{}
	for _, q := range set.Queues {
		check("queue", 80, q.Resource, names)
	}
	names = map[string]string{}
	for _, b := range set.Buckets {
		check("bucket", 63, b.Resource, names)
		n := b.Name.Resolve(p)
		assert.Equal(t, strings.ToLower(n), n, "S3 names are lower case")
	}
	names = map[string]string{}
	for _, tb := range set.Tables {
		check("table", 255, tb.Resource, names)
	}
	names = map[string]string{}
	for _, tp := range set.Topics {
		check("topic", 256, tp.Resource, names)
	}
	for _, st := range set.Streams {
		check("stream", 128, st.Resource, map[string]string{})
	}
	for _, g := range set.LogGroups {
		check("log group", 512, g.Resource, map[string]string{})
	}
}

// stepFunctionPatterns returns the function-name globs of the Step Functions role's invoke statement.
func stepFunctionPatterns(t *testing.T, d *Deployment) []string {
	t.Helper()
	role, ok := d.set.Role(StepFunctionRole)
	require.True(t, ok)
	var globs []string
	for _, st := range role.Policies[0].Statements {
		if st.Actions[0] != "lambda:InvokeFunction" {
			continue
		}
		for _, e := range st.Resources {
			arn, err := d.ResolveExpr(e)
			require.NoError(t, err)
			globs = append(globs, arn)
		}
	}
	return globs
}

func TestStepFunctionRoleMayInvokeEngineAndOperators(t *testing.T) {
	// §10.2 items 1 and 2: the local names keep the substrings the role's grant and the workflow API match.
	p, err := validParams().Normalize()
	require.NoError(t, err)
	p.DeployTestResources = true
	d := newDeployment(p, Definitions())
	globs := stepFunctionPatterns(t, d)
	assert.Contains(t, globs, "arn:aws:lambda:us-east-1:123456789012:function:*OperatorLibrary*", "IQ-08: stack's partition, region, account")

	allowed := func(arn string) bool {
		for _, g := range globs {
			if ok, _ := path.Match(g, arn); ok {
				return true
			}
		}
		return false
	}
	invokedByStateMachines := []string{CompleteStageLambda, FilterOperationLambda, OperatorFailedLambda,
		StartWaitOperationLambda, CheckWaitOperationLambda}
	for _, f := range d.set.Functions {
		if f.Stack == OperatorLibraryStack {
			invokedByStateMachines = append(invokedByStateMachines, f.ID)
		}
	}
	for _, id := range invokedByStateMachines {
		arn, err := d.Resolve(ArnOf(id))
		require.NoError(t, err)
		assert.True(t, allowed(arn), "%s (%s) must match the Step Functions role", id, arn)
		if f, _ := d.set.Function(id); f.Stack == OperatorLibraryStack {
			// control-plane §6.5: the API attaches no inline policy for these.
			assert.Contains(t, arn, "OperatorLibrary")
		}
	}
	for _, f := range d.set.Functions {
		if f.Stack != TestResourcesStack {
			continue
		}
		arn, err := d.Resolve(ArnOf(f.ID))
		require.NoError(t, err)
		assert.False(t, allowed(arn), "test operators get per-operation inline policies, so %s must not match", arn)
	}
}

func TestStepFunctionRole(t *testing.T) {
	role, ok := Definitions().Role(StepFunctionRole)
	require.True(t, ok)
	assert.Equal(t, []string{"states.amazonaws.com"}, role.Principals)
	assert.Equal(t, "/", role.Path, "§10.2 item 4")
	require.Len(t, role.Policies, 1)
	assert.Equal(t, "mie-sfn-lambda-exec", role.Policies[0].Name.Resolve(validParams()))
}

func TestDeploymentResolution(t *testing.T) {
	p, err := validParams().Normalize()
	require.NoError(t, err)
	d := newDeployment(p, Definitions())

	cases := []struct {
		ref  Ref
		want string
	}{
		{ArnOf(StepFunctionRole), "arn:aws:iam::123456789012:role/mie-StepFunctionRole"},
		{ArnOf(StepFunctionLogGroup), "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/mie-StepFunctionLogGroup-a1b2c3:*"},
		{ArnOf(CompleteStageLambda), "arn:aws:lambda:us-east-1:123456789012:function:mie-CompleteStageLambda"},
		{NameOf(DataplaneAPIHandler), "mie-MediaInsightsDataplaneApiStack-APIHandler"},
		{ArnOf(StartWaitOperationLambda), "arn:aws:lambda:us-east-1:123456789012:function:mie-start-wait-operation"},
		{NameOf(DataplaneBucket), "mie-dataplane-a1b2c3"},
		{ArnOf(DataplaneBucket), "arn:aws:s3:::mie-dataplane-a1b2c3"},
		{ArnOf(WorkflowTable), "arn:aws:dynamodb:us-east-1:123456789012:table/mieWorkflow"},
		{NameOf(ExecutionSlotTable), "mieExecutionSlots"},
		{ArnOf(StageExecutionQueue), "arn:aws:sqs:us-east-1:123456789012:mie-StageExec"},
		{ArnOf(AnalyticsStream), "arn:aws:kinesis:us-east-1:123456789012:stream/mie-Analytics-AnalyticsStream"},
		{KeyIDOf(MieKey), ""},
		{ParamRef(ParamMaxConcurrentWorkflows), "5"},
		{ParamRef(ParamShortID), "a1b2c3"},
		{ParamRef(ParamExternalObjects), "arn:aws:s3:::mie-dataplane-a1b2c3/*"},
		{Lit(""), ""},
	}
	for _, tc := range cases {
		t.Run(tc.ref.String(), func(t *testing.T) {
			got, err := d.Resolve(tc.ref)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}

	_, err = d.Resolve(URLOf(StageExecutionQueue))
	assert.ErrorContains(t, err, "only once it is provisioned")
	_, err = d.Resolve(NameOf("NoSuchThing"))
	assert.Error(t, err)
	_, err = d.EnvList("TestResources/VideoSyncOKLambda")
	assert.ErrorContains(t, err, "not deployed", "DeployTestResources is off")

	p.ExternalBucketArn = "arn:aws:s3:::media/*"
	p.DeployAnalyticsPipeline = aws.Bool(false)
	d = newDeployment(p, Definitions())
	got, err := d.Resolve(ParamRef(ParamExternalObjects))
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:s3:::media/*", got)
	_, err = d.Env(DynamoDBStreamingFunction)
	assert.ErrorContains(t, err, "not deployed")
	_, err = d.Resolve(NameOf(AnalyticsStream))
	assert.ErrorContains(t, err, "not deployed")
}

func TestPolicyRendering(t *testing.T) {
	p, err := validParams().Normalize()
	require.NoError(t, err)
	d := newDeployment(p, Definitions())
	role, _ := d.set.Role(StageExecutionRole)
	doc, err := d.policy(role.Policies[0])
	require.NoError(t, err)
	assert.Contains(t, doc, `"Condition":{"StringEquals":{"aws:ResourceTag/environment":["mie"]}}`)
	assert.Contains(t, doc, `"arn:aws:dynamodb:us-east-1:123456789012:table/mieWorkflowExecution/index/*"`)
	assert.Contains(t, doc, `"arn:aws:dynamodb:us-east-1:123456789012:table/mieExecutionSlots"`, "CP-33: the scheduler takes slots")
	assert.Contains(t, doc, `"dynamodb:ConditionCheckItem"`, "CP-33: slot repairs check statuses")
	assert.Equal(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["states.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}`,
		trustPolicy(func() Role { r, _ := d.set.Role(StepFunctionRole); return r }()))
	assert.NotContains(t, doc, "kms:", "no key exists locally, so its statement is left out")
	assert.Contains(t, doc, `"Action":["xray:PutTraceSegments","xray:PutTelemetryRecords"],"Resource":["*"]`)
}

// CP-33: the scheduler's role lets the reconciler read the state of every active execution's run.
func TestSchedulerRoleMayDescribeExecutions(t *testing.T) {
	role, ok := Definitions().Role(StageExecutionRole)
	require.True(t, ok)
	var actions []string
	for _, p := range role.Policies {
		for _, st := range p.Statements {
			actions = append(actions, st.Actions...)
		}
	}
	assert.Contains(t, actions, "states:DescribeExecution")
	assert.Contains(t, actions, "states:StartExecution")
}
