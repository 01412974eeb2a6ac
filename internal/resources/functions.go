package resources

import "time"

// IDs of the functions of the root stack, the two API stacks and the analytics stack. Operator and test functions
// are found by ID(OperatorLibraryStack, ...) and ID(TestResourcesStack, ...).
const (
	MieHelperFunction                  = "MieHelperFunction"
	WorkflowSchedulerLambda            = "WorkflowSchedulerLambda"
	WorkflowErrorHandlerLambda         = "WorkflowErrorHandlerLambda"
	CompleteStageLambda                = "CompleteStageLambda"
	FilterOperationLambda              = "FilterOperationLambda"
	OperatorFailedLambda               = "OperatorFailedLambda"
	StartWaitOperationLambda           = "StartWaitOperationLambda"
	CheckWaitOperationLambda           = "CheckWaitOperationLambda"
	WorkflowExecutionStreamingFunction = "WorkflowExecutionStreamingFunction"
	AnonymizedDataCustomResource       = "AnonymizedDataCustomResource"

	WorkflowAPIHandler        = "MediaInsightsWorkflowApi/APIHandler"
	WorkflowCustomResource    = "MediaInsightsWorkflowApi/WorkflowCustomResource"
	DataplaneAPIHandler       = "MediaInsightsDataplaneApiStack/APIHandler"
	DynamoDBStreamingFunction = "Analytics/DynamoDBStreamingFunction"
)

// singleHandler is the Handler of a main that serves one function.
const singleHandler = "bootstrap"

func env(name string, v Ref) EnvVar { return EnvVar{Name: name, Value: v} }

func botoConfigEnv() EnvVar { return env("botoConfig", ParamRef(ParamBotoConfig)) }

// newFunction returns a function with the Lambda defaults (128 MB, 3 s), the generated-name rule and the
// `environment=mie` tag; callers set the rest.
func newFunction(s Stack, logicalID, main string) Function {
	r := nestedResource(s, logicalID, Always)
	r.Tags = mieTags()
	return Function{Resource: r, Main: main, Handler: singleHandler, MemoryMB: 128, Timeout: 3 * time.Second}
}

// rootFunctions returns the ten functions of the root stack (§2.10; control-plane §2.3).
func rootFunctions() []Function {
	queueAndTables := func() []EnvVar {
		return []EnvVar{
			env("STAGE_EXECUTION_QUEUE_URL", URLOf(StageExecutionQueue)),
			env("STAGE_TABLE_NAME", NameOf(StageTable)),
			env("OPERATION_TABLE_NAME", NameOf(OperationTable)),
			env("WORKFLOW_EXECUTION_TABLE_NAME", NameOf(WorkflowExecutionTable)),
			env("WORKFLOW_TABLE_NAME", NameOf(WorkflowTable)),
		}
	}
	maxWorkflows := env("DEFAULT_MAX_CONCURRENT_WORKFLOWS", ParamRef(ParamMaxConcurrentWorkflows))
	systemTable := env("SYSTEM_TABLE_NAME", NameOf(SystemTable))
	schedulerArn := env("WORKFLOW_SCHEDULER_LAMBDA_ARN", ArnOf(WorkflowSchedulerLambda))
	// CP-33: every function that changes an execution's status takes or releases its slot.
	slots := slotTableEnv()

	// engine returns a 256 MB / 900 s function of the workflow engine (memory kept: §12.4 names these).
	engine := func(logicalID, main string, role string) Function {
		f := newFunction(RootStack, logicalID, main)
		f.MemoryMB = 256
		f.Timeout = 900 * time.Second
		f.Role = role
		return f
	}

	helper := newFunction(RootStack, MieHelperFunction, "cmd/stackhelper")
	helper.Timeout = 60 * time.Second // IQ-03: the original's 3 s can leave CloudFormation waiting for an answer
	helper.Role = MieHelperExecutionRole
	helper.Env = []EnvVar{systemTable, maxWorkflows}

	scheduler := engine(WorkflowSchedulerLambda, "cmd/scheduler", StageExecutionRole)
	scheduler.ReservedConcurrency = 1 // one scheduler at a time counts and takes the slots
	scheduler.Tracing = TracingEntryPoint
	scheduler.DeadLetterQueue = WorkflowExecutionLambdaDeadLetterQueue
	// no WORKFLOW_SCHEDULER_LAMBDA_ARN, as in the original: a function cannot name its own ARN in the
	// template (circular reference), so the scheduler skips re-triggering itself.
	scheduler.Env = append(queueAndTables(), systemTable, maxWorkflows, botoConfigEnv(), slots)

	errorHandler := engine(WorkflowErrorHandlerLambda, "cmd/errorhandler", OperationLambdaExecutionRole)
	errorHandler.ReservedConcurrency = 1
	errorHandler.Tracing = TracingEntryPoint
	errorHandler.DeadLetterQueue = WorkflowExecutionLambdaDeadLetterQueue
	errorHandler.Env = append(queueAndTables(), systemTable, maxWorkflows,
		env("ShortUUID", ParamRef(ParamShortID)),
		schedulerArn,
		botoConfigEnv(), // Q-01/IQ-16: the original omits it and its handler dies at start-up
		slots,
	)

	complete := engine(CompleteStageLambda, "cmd/completestage", OperationLambdaExecutionRole)
	complete.Tracing = TracingPassThrough
	complete.Env = append(append([]EnvVar{botoConfigEnv()}, queueAndTables()...), systemTable, schedulerArn, slots)

	filter := engine(FilterOperationLambda, "cmd/filteroperation", OperationLambdaExecutionRole)
	filter.Tracing = TracingPassThrough
	filter.Env = append([]EnvVar{botoConfigEnv()}, queueAndTables()...)

	failed := newFunction(RootStack, OperatorFailedLambda, "cmd/operatorfailed")
	failed.Role = OperatorFailedRole
	failed.Tracing = TracingPassThrough

	// The wait functions have explicit names: the Step Functions role and the workflow API match their suffixes.
	startWait := engine(StartWaitOperationLambda, "cmd/startwait", OperationLambdaExecutionRole)
	startWait.Name = explicit("{stack}-start-wait-operation")
	startWait.Env = append(append([]EnvVar{botoConfigEnv()}, queueAndTables()...), slots)

	checkWait := engine(CheckWaitOperationLambda, "cmd/checkwait", OperationLambdaExecutionRole)
	checkWait.Name = explicit("{stack}-check-wait-operation")
	checkWait.Env = append([]EnvVar{botoConfigEnv()}, queueAndTables()...)

	stream := newFunction(RootStack, WorkflowExecutionStreamingFunction, "cmd/workflowstream")
	stream.Role = WorkflowExecutionStreamLambdaRole
	stream.Env = []EnvVar{botoConfigEnv(), env("TOPIC_ARN", ArnOf(WorkflowExecutionEventTopic))}

	metrics := newFunction(RootStack, AnonymizedDataCustomResource, "cmd/anonymizeddata")
	metrics.Name = explicit("{stack}-anonymized-data")
	metrics.Condition = AnonymizedDataCondition
	metrics.Tags = nil
	metrics.Description = "Used to send anonymized data"
	metrics.Timeout = 180 * time.Second
	metrics.Role = AnonymizedDataCustomResourceRole

	return []Function{helper, scheduler, errorHandler, complete, filter, failed, startWait, checkWait, stream, metrics}
}

// slotTableEnv names the slot store of package executions, which has no variable in the original (CP-33).
func slotTableEnv() EnvVar { return env("EXECUTION_SLOT_TABLE_NAME", NameOf(ExecutionSlotTable)) }

// workflowAPIEnv is the environment of the workflow API functions (§3.1); the custom resource gets an empty
// FRAMEWORK_VERSION, as in the original.
func workflowAPIEnv(frameworkVersion Ref) []EnvVar {
	return []EnvVar{
		botoConfigEnv(),
		env("STACK_SHORT_UUID", ParamRef(ParamShortID)),
		env("SYSTEM_TABLE_NAME", NameOf(SystemTable)),
		env("WORKFLOW_TABLE_NAME", NameOf(WorkflowTable)),
		env("STAGE_TABLE_NAME", NameOf(StageTable)),
		env("WORKFLOW_EXECUTION_TABLE_NAME", NameOf(WorkflowExecutionTable)),
		env("HISTORY_TABLE_NAME", NameOf(HistoryTable)),
		env("STAGE_EXECUTION_QUEUE_URL", URLOf(StageExecutionQueue)),
		env("OPERATION_TABLE_NAME", NameOf(OperationTable)),
		env("COMPLETE_STAGE_LAMBDA_ARN", ArnOf(CompleteStageLambda)),
		env("FILTER_OPERATION_LAMBDA_ARN", ArnOf(FilterOperationLambda)),
		env("WORKFLOW_SCHEDULER_LAMBDA_ARN", ArnOf(WorkflowSchedulerLambda)),
		// The Step Functions role, despite the name; the API derives the role name after the first "/".
		env("STAGE_EXECUTION_ROLE", ArnOf(StepFunctionRole)),
		env("STEP_FUNCTION_LOG_GROUP_ARN", ArnOf(StepFunctionLogGroup)),
		// A function name, not a URL: the API invokes the data plane Lambda directly.
		env("DataplaneEndpoint", NameOf(DataplaneAPIHandler)),
		env("DATAPLANE_BUCKET", NameOf(DataplaneBucket)),
		env("OPERATOR_FAILED_LAMBDA_ARN", ArnOf(OperatorFailedLambda)),
		env("USER_POOL_ARN", Lit("")),
		env("FRAMEWORK_VERSION", frameworkVersion),
	}
}

// apiFunctions returns the functions of the workflow API, data plane API and analytics stacks (§3.1, §4, §5).
func apiFunctions() []Function {
	workflowAPI := newFunction(WorkflowAPIStack, "APIHandler", "cmd/workflowapi")
	workflowAPI.Tags = nil
	workflowAPI.Timeout = 60 * time.Second
	workflowAPI.Role = WorkflowAPIHandlerRole
	workflowAPI.Tracing = TracingEntryPoint
	// The API's execution routes write statuses through the slot store (R23's Error, R29's release).
	workflowAPI.Env = append(workflowAPIEnv(ParamRef(ParamFrameworkVersion)), slotTableEnv())

	customResource := newFunction(WorkflowAPIStack, "WorkflowCustomResource", "cmd/workflowcustomresource")
	customResource.Tags = nil
	customResource.Timeout = 180 * time.Second
	customResource.Role = WorkflowCustomResourceRole
	customResource.Tracing = TracingEntryPoint
	// The slot store is never used by the custom resource, which serves no execution route; it gets its name so
	// that it builds the API's handler from the same, complete configuration.
	customResource.Env = append(workflowAPIEnv(Lit("")), slotTableEnv())

	dataplane := newFunction(DataplaneAPIStack, "APIHandler", "cmd/dataplaneapi")
	dataplane.Tags = nil
	dataplane.MemoryMB = 2048 // kept: it handles multi-MB JSON bodies (§12.4)
	dataplane.Timeout = 120 * time.Second
	dataplane.Role = DataplaneAPIHandlerRole
	dataplane.Tracing = TracingEntryPoint
	dataplane.Env = []EnvVar{
		env("DATAPLANE_TABLE_NAME", NameOf(DataplaneTable)),
		env("DATAPLANE_BUCKET", NameOf(DataplaneBucket)),
		env("FRAMEWORK_VERSION", ParamRef(ParamFrameworkVersion)),
		env("USER_POOL_ARN", Lit("")),
		botoConfigEnv(),
	}

	stream := newFunction(AnalyticsStack, "DynamoDBStreamingFunction", "cmd/dataplanestream")
	stream.Condition = AnalyticsCondition
	stream.Role = LambdaStreamRole
	stream.Tracing = TracingPassThrough
	stream.Env = []EnvVar{env("StreamName", NameOf(AnalyticsStream)), botoConfigEnv()}

	return []Function{workflowAPI, customResource, dataplane, stream}
}
