package resources

// IDs of the roles of the root stack, the API stacks, the analytics and the test stack. Operator roles are found by
// ID(OperatorLibraryStack, ...).
const (
	MieHelperExecutionRole            = "MieHelperExecutionRole"
	StageExecutionRole                = "StageExecutionRole"
	OperationLambdaExecutionRole      = "OperationLambdaExecutionRole"
	StepFunctionRole                  = "StepFunctionRole"
	OperatorFailedRole                = "operatorFailedRole"
	WorkflowExecutionStreamLambdaRole = "WorkflowExecutionStreamLambdaRole"
	AnonymizedDataCustomResourceRole  = "AnonymizedDataCustomResourceRole"

	WorkflowAPIHandlerRole     = "MediaInsightsWorkflowApi/ApiHandlerRole"
	WorkflowCustomResourceRole = "MediaInsightsWorkflowApi/WorkflowCustomResourceRole"
	DataplaneAPIHandlerRole    = "MediaInsightsDataplaneApiStack/ApiHandlerRole"
	LambdaStreamRole           = "Analytics/LambdaStreamRole"
	TestExecutionRole          = "TestResources/TestExecutionRole"
)

// Service principals of the trust policies.
const (
	lambdaPrincipal       = "lambda.amazonaws.com"
	statesPrincipal       = "states.amazonaws.com"
	mediaConvertPrincipal = "mediaconvert.amazonaws.com"
	translatePrincipal    = "translate.amazonaws.com"
	comprehendPrincipal   = "comprehend.amazonaws.com"
	rekognitionPrincipal  = "rekognition.amazonaws.com"
)

func allow(actions []string, resources ...Expr) Statement {
	return Statement{Actions: actions, Resources: resources}
}

func anyResource() Expr { return Expr{Lit("*")} }

func objectsOf(bucket string) Expr { return suffixed(ArnOf(bucket), "/*") }

func xrayStatement() Statement {
	return allow([]string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, anyResource())
}

func logsStatement(resources ...Expr) Statement {
	return allow([]string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}, resources...)
}

// lambdaLogs is the log groups of every function of the stack's region and account.
func lambdaLogs(pattern string) Expr { return arnHere("logs", "log-group:/aws/lambda/"+pattern) }

func keyStatement(actions ...string) Statement { return allow(actions, single(ArnOf(MieKey))) }

func newRole(s Stack, logicalID string, principals ...string) Role {
	r := nestedResource(s, logicalID, Always)
	r.Tags = mieTags()
	return Role{Resource: r, Principals: principals}
}

func inline(name Name, statements ...Statement) []Policy {
	return []Policy{{Name: name, Statements: statements}}
}

// stepFunctionRole is the role every workflow state machine runs as (§2.8, control-plane §2.4). It may invoke the
// functions whose names match these patterns; the workflow API adds one inline policy per user-defined operation
// for the others.
func stepFunctionRole() Role {
	r := newRole(RootStack, StepFunctionRole, statesPrincipal)
	// §10.2 item 4: the API takes the role name from the ARN's segment after the first "/".
	r.Path = "/"
	invoke := func(pattern string) Expr { return arnHere("lambda", "function:"+pattern) }
	r.Policies = inline(explicit("{stack}-sfn-lambda-exec"),
		// IQ-08: in the stack's partition, region and account, where the original hard-codes arn:aws:*:*.
		allow([]string{"lambda:InvokeFunction"},
			invoke("*OperatorLibrary*"),
			invoke("*start-wait-operation"),
			invoke("*check-wait-operation"),
			invoke("*CompleteStageLambda*"),
			invoke("*OperatorFailedLambda*"),
			invoke("*FilterOperationLambda*"),
		),
		allow([]string{"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"},
			anyResource()),
		allow([]string{"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
			"logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"},
			anyResource()),
	)
	return r
}

// engineStatements are the six statements the scheduler's and the engine functions' roles share (§2.8).
func engineStatements() []Statement {
	return []Statement{
		{
			Actions:   []string{"states:StartExecution"},
			Resources: []Expr{arnHere("states", "stateMachine:*")},
			// Only state machines the workflow API created: it tags them environment=mie.
			Conditions: []StatementCondition{{Operator: "StringEquals", Key: "aws:ResourceTag/environment", Values: []string{"mie"}}},
		},
		// CP-33: ConditionCheckItem for the slot store's repairs, which check an execution's status.
		allow([]string{"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:DescribeTable", "dynamodb:BatchGetItem",
			"dynamodb:GetRecords", "dynamodb:DescribeLimits", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
			"dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"},
			single(ArnOf(WorkflowTable)), single(ArnOf(WorkflowExecutionTable)),
			suffixed(ArnOf(WorkflowExecutionTable), "/index/*"), single(ArnOf(SystemTable)),
			single(ArnOf(ExecutionSlotTable))),
		logsStatement(lambdaLogs("*")),
		allow([]string{"sqs:DeleteMessage", "sqs:ListQueues", "sqs:ChangeMessageVisibility", "sqs:ReceiveMessage", "sqs:SendMessage"},
			single(ArnOf(StageExecutionQueue)), single(ArnOf(WorkflowExecutionLambdaDeadLetterQueue))),
		xrayStatement(),
		// IQ-27: GenerateDataKey too, which sending to the KMS-encrypted dead-letter queue needs.
		keyStatement("kms:Decrypt", "kms:GenerateDataKey"),
	}
}

// rootRoles returns the roles of the root stack (§2.8, INF-15).
func rootRoles() []Role {
	helper := newRole(RootStack, MieHelperExecutionRole, lambdaPrincipal)
	helper.Path = "/"
	helper.Policies = inline(explicit("root"),
		logsStatement(lambdaLogs("*")),
		allow([]string{"dynamodb:PutItem"}, single(ArnOf(SystemTable))),
		allow([]string{"mediaconvert:DescribeEndpoints"}, arnHere("mediaconvert", "endpoints/*")),
		keyStatement("kms:GenerateDataKey", "kms:Decrypt"),
	)

	stage := newRole(RootStack, StageExecutionRole, lambdaPrincipal)
	// The reconciler runs in the scheduler and reads the state of each active execution's run (MIE#272).
	stage.Policies = inline(explicit("{stack}-stage-execution-lambda"), append([]Statement{
		allow([]string{"states:DescribeExecution"}, arnHere("states", "execution:*:*")),
	}, engineStatements()...)...)

	operation := newRole(RootStack, OperationLambdaExecutionRole, lambdaPrincipal)
	operation.Policies = inline(explicit("{stack}-operation-lambda"), append([]Statement{
		allow([]string{"states:DescribeExecution", "states:GetExecutionHistory", "states:StopExecution"},
			arnHere("states", "execution:*:*")),
		allow([]string{"lambda:InvokeFunction"}, single(ArnOf(WorkflowSchedulerLambda))),
	}, engineStatements()...)...)

	failed := newRole(RootStack, OperatorFailedRole, lambdaPrincipal)
	failed.Policies = inline(explicit("{stack}-operator-failed"), logsStatement(arnAnywhere("logs", "*:*")), xrayStatement())

	stream := newRole(RootStack, WorkflowExecutionStreamLambdaRole, lambdaPrincipal)
	stream.Tags = nil
	stream.Policies = inline(explicit("{stack}-WorkflowExecutionLambdaStreamAccessPolicy"),
		allow([]string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"},
			single(StreamArnOf(WorkflowExecutionTable))),
		allow([]string{"sns:Publish"}, single(ArnOf(WorkflowExecutionEventTopic))),
		logsStatement(lambdaLogs("*")),
		keyStatement("kms:GenerateDataKey", "kms:Decrypt"),
	)

	metrics := newRole(RootStack, AnonymizedDataCustomResourceRole, lambdaPrincipal)
	metrics.Tags = nil
	metrics.Path = "/"
	// IQ-11: without the original's unused ssm:PutParameter.
	metrics.Policies = inline(explicit("{stack}-anonymized-data-logger"), logsStatement(lambdaLogs("*")))

	return []Role{helper, stage, operation, stepFunctionRole(), failed, stream, metrics}
}

// controlPlaneTables is the DynamoDB statement both workflow API roles have (§3.2).
func controlPlaneTables() Statement {
	return allow([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
		"dynamodb:Scan", "dynamodb:Query"},
		single(ArnOf(SystemTable)), single(ArnOf(WorkflowTable)), single(ArnOf(WorkflowExecutionTable)),
		suffixed(ArnOf(WorkflowExecutionTable), "/*"), single(ArnOf(HistoryTable)), single(ArnOf(OperationTable)),
		single(ArnOf(StageTable)))
}

// stateMachineStatement lets the workflow API manage the state machines of this stack, named `*-<suid>`.
func stateMachineStatement() Statement {
	return allow([]string{"states:ListStateMachines", "states:TagResource", "states:CreateStateMachine",
		"states:DescribeStateMachine", "states:UpdateStateMachine", "states:DeleteStateMachine", "states:UntagResource"},
		append(arnHere("states", "stateMachine:*-"), ParamRef(ParamShortID)))
}

// passStepFunctionRole lets the workflow API hand the Step Functions role to the state machines it creates.
func passStepFunctionRole() Statement {
	return allow([]string{"iam:PassRole"}, single(ArnOf(StepFunctionRole)))
}

// editStepFunctionRole lets the workflow API attach and remove the per-operation inline policies of the Step
// Functions role (control-plane §6.5).
func editStepFunctionRole() Statement {
	return allow([]string{"iam:ListRolePolicies", "iam:PutRolePolicy", "iam:DeleteRolePolicy"}, single(ArnOf(StepFunctionRole)))
}

func loggingStatement(pattern string) Statement {
	s := logsStatement(lambdaLogs(pattern))
	s.Sid = "Logging"
	return s
}

// apiRoles returns the roles of the two API stacks and the analytics stack (§3.2, §4, §5).
func apiRoles() []Role {

	workflowAPI := newRole(WorkflowAPIStack, "ApiHandlerRole", lambdaPrincipal)
	workflowAPI.Tags = nil
	workflowAPI.Description = "This role is used by the workflow api lambda when invoked by API Gateway"
	workflowAPI.Policies = inline(explicit("MieWorkflowApiHandlerRolePolicy"),
		allow([]string{"sqs:SendMessage"}, single(ArnOf(StageExecutionQueue))),
		allow([]string{"s3:GetObject"}, objectsOf(DataplaneBucket)),
		stateMachineStatement(),
		passStepFunctionRole(),
		allow([]string{"lambda:InvokeFunction"},
			single(ArnOf(WorkflowSchedulerLambda)), single(ArnOf(FilterOperationLambda)), single(ArnOf(CompleteStageLambda)),
			single(ArnOf(OperatorFailedLambda)), single(ArnOf(DataplaneAPIHandler))),
		controlPlaneTables(),
		// CP-33: R23 and R29 write execution statuses through the slot store; R29's release checks a holder item.
		allow([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
			"dynamodb:ConditionCheckItem"}, single(ArnOf(ExecutionSlotTable))),
		xrayStatement(),
		allow([]string{"transcribe:CreateVocabulary", "transcribe:DeleteVocabulary", "transcribe:GetVocabulary",
			"transcribe:ListVocabularies", "transcribe:ListLanguageModels", "transcribe:DescribeLanguageModel"}, anyResource()),
		allow([]string{"translate:CreateTerminology", "translate:DeleteTerminology", "translate:GetTerminology",
			"translate:ImportTerminology", "translate:ListTerminologies", "translate:CreateParallelData",
			"translate:DeleteParallelData", "translate:GetParallelData", "translate:ImportParallelData",
			"translate:ListParallelData"}, anyResource()),
		loggingStatement("*-APIHandler-*"),
		editStepFunctionRole(),
		keyStatement("kms:Decrypt", "kms:GenerateDataKey"),
	)

	customResource := newRole(WorkflowAPIStack, "WorkflowCustomResourceRole", lambdaPrincipal)
	customResource.Tags = nil
	customResource.Description = "This role is used by the workflow api lambda when invoked by CloudFormation"
	// IQ-11: without the original's unused sqs:CreateQueue/ListQueues. X-Ray is added because the function is an
	// entry point with TraceMode tracing (§12.4).
	customResource.Policies = inline(explicit("MieWorkflowCustomResourceRolePolicy"),
		loggingStatement("*-WorkflowCustomResource-*"),
		passStepFunctionRole(),
		controlPlaneTables(),
		stateMachineStatement(),
		editStepFunctionRole(),
		xrayStatement(),
		keyStatement("kms:Decrypt", "kms:GenerateDataKey"),
	)

	dataplane := newRole(DataplaneAPIStack, "ApiHandlerRole", lambdaPrincipal)
	dataplane.Tags = nil
	dataplane.Policies = inline(explicit("MieDataplaneApiHandlerRolePolicy"),
		allow([]string{"s3:GetObject"}, single(ParamRef(ParamExternalObjects))),
		allow([]string{"s3:ReplicateObject", "s3:PutObject", "s3:GetObject", "s3:RestoreObject", "s3:GetObjectVersionAcl",
			"s3:ListBucket", "s3:DeleteObject", "s3:HeadBucket", "s3:PutObjectAcl", "s3:GetObjectVersion",
			"s3:DeleteObjectVersion"}, objectsOf(DataplaneBucket)),
		allow([]string{"s3:ListBucket"}, single(ArnOf(DataplaneBucket))),
		allow([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:Scan"},
			single(ArnOf(DataplaneTable))),
		allow([]string{"dynamodb:Query"}, suffixed(ArnOf(DataplaneTable), "/index/"+LockIndex)),
		xrayStatement(),
		loggingStatement("*-APIHandler-*"),
		keyStatement("kms:Decrypt", "kms:GenerateDataKey"),
	)

	stream := newRole(AnalyticsStack, "LambdaStreamRole", lambdaPrincipal)
	stream.Condition = AnalyticsCondition
	// The original names the policy after the nested stack; inline policy names are read by nobody, and the root
	// name keeps the local runtime free of nested stack names.
	stream.Policies = inline(explicit("{stack}-LambdaStreamAccessPolicy"),
		allow([]string{"kinesis:ListShards", "kinesis:DescribeStream", "kinesis:GetRecords", "kinesis:GetShardIterator",
			"kinesis:ListStreams", "kinesis:DescribeStreamSummary", "kinesis:PutRecord", "kinesis:PutRecords"},
			single(ArnOf(AnalyticsStream))),
		allow([]string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"},
			single(StreamArnOf(DataplaneTable))),
		xrayStatement(),
		logsStatement(lambdaLogs("*-DynamoDBStream*")),
		keyStatement("kms:GenerateDataKey", "kms:Decrypt"),
	)

	test := newRole(TestResourcesStack, "TestExecutionRole", lambdaPrincipal)
	test.Condition = TestResourcesCondition
	// IQ-18: without the original's states:StartExecution, whose resource matched nothing.
	test.Policies = inline(explicit("{stack}-test-execution-lambda-role"), logsStatement(lambdaLogs("*")))

	return []Role{workflowAPI, customResource, dataplane, stream, test}
}

// operatorRoles returns the 13 roles of the operator library (§6.3). IQ-09: the original's managed policies
// (AWSLambdaBasicExecutionRole, AmazonS3ReadOnlyAccess) are left out; the inline Logs statement covers the first,
// and reading outside the data plane bucket goes through ExternalBucketArn like every other operator.
func operatorRoles() []Role {
	roleID := func(logicalID string) string { return ID(OperatorLibraryStack, logicalID) }
	s3RO := func() Statement { return allow([]string{"s3:GetObject"}, objectsOf(DataplaneBucket)) }
	s3RW := func() Statement { return allow([]string{"s3:GetObject", "s3:PutObject"}, objectsOf(DataplaneBucket)) }
	s3List := func() Statement { return allow([]string{"s3:ListBucket"}, single(ArnOf(DataplaneBucket))) }
	s3Ext := func() Statement { return allow([]string{"s3:GetObject"}, single(ParamRef(ParamExternalObjects))) }
	invokeDP := func() Statement { return allow([]string{"lambda:InvokeFunction"}, single(ArnOf(DataplaneAPIHandler))) }
	xray := xrayStatement
	kmsD := func() Statement { return keyStatement("kms:Decrypt", "kms:GenerateDataKey") }
	kmsDG := func() Statement { return keyStatement("kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant") }
	kmsED := func() Statement {
		return keyStatement("kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
			"kms:DescribeKey")
	}
	logs := func() Statement { return logsStatement(arnAnywhere("logs", "*:*")) }
	passRole := func(logicalID string) Statement {
		return allow([]string{"iam:PassRole"}, single(ArnOf(roleID(logicalID))))
	}
	role := func(logicalID, policy string, principals []string, statements ...Statement) Role {
		r := newRole(OperatorLibraryStack, logicalID, principals...)
		r.Policies = inline(explicit(policy), statements...)
		return r
	}
	lambda := []string{lambdaPrincipal}

	return []Role{
		role("genericDataLookupLambdaRole", "GenericDataLookupLambdaAccess", lambda, logs(), s3RW(), s3Ext(), invokeDP(), xray(), kmsD()),
		role("mediainfoLambdaRole", "mediainfoLambdaAccess", lambda, logs(), s3RW(), s3Ext(), invokeDP(), xray(), kmsD()),
		role("mediaConvertS3Role", "MediaconvertAllowS3", []string{mediaConvertPrincipal}, s3RW(), s3Ext(), kmsED()),
		role("mediaConvertLambdaRole", "MediaConvertLambdaAccess", lambda,
			allow([]string{"mediaconvert:GetJob", "mediaconvert:ListJobs", "mediaconvert:DescribeEndpoints",
				"mediaconvert:CreateJob"}, anyResource()),
			logs(), passRole("mediaConvertS3Role"), s3RW(), s3Ext(), invokeDP(), xray(), kmsED()),
		role("transcribeRole", "TranscribeAccess", lambda,
			allow([]string{"transcribe:GetVocabulary", "transcribe:GetTranscriptionJob", "transcribe:CreateVocabulary",
				"transcribe:StartStreamTranscription", "transcribe:StartTranscriptionJob", "transcribe:UpdateVocabulary",
				"transcribe:ListTranscriptionJobs", "transcribe:ListVocabularies"}, anyResource()),
			logs(), s3RW(), s3Ext(), invokeDP(), xray(), kmsD()),
		role("captionsRole", "CaptionsAccess", lambda, logs(), s3RW(), s3Ext(), invokeDP(), xray(), kmsD()),
		role("translateS3Role", "TranslateAllowS3", []string{translatePrincipal}, s3RW(), s3Ext(), s3List(), kmsD()),
		role("translateRole", "TranslateAccess", lambda,
			passRole("translateS3Role"),
			allow([]string{"translate:GetTerminology", "translate:ListTerminologies", "translate:ImportTerminology",
				"translate:TranslateText", "translate:DescribeTextTranslationJob", "translate:StartTextTranslationJob"},
				anyResource()),
			logs(), s3RW(), s3Ext(), s3List(), invokeDP(), xray(), kmsD()),
		role("pollyRole", "PollyAccess", []string{lambdaPrincipal, comprehendPrincipal},
			allow([]string{"polly:SynthesizeSpeech", "polly:StartSpeechSynthesisTask", "polly:ListLexicons",
				"polly:GetSpeechSynthesisTask", "polly:ListSpeechSynthesisTasks", "polly:GetLexicon", "polly:DescribeVoices",
				"comprehend:DetectDominantLanguage"}, anyResource()),
			logs(), s3RW(), s3Ext(), invokeDP(), xray(), kmsD()),
		role("comprehendS3Role", "ComprehendAllowS3", []string{comprehendPrincipal}, s3RW(), s3Ext(), s3List(), xray(), kmsDG()),
		role("comprehendRole", "comprehendAccess", lambda,
			passRole("comprehendS3Role"), logs(), s3RW(), s3Ext(),
			allow(comprehendActions(), anyResource()),
			invokeDP(), xray(), kmsDG()),
		role("rekognitionSNSRole", "RekognitionSNSPublishPolicy", []string{rekognitionPrincipal},
			allow([]string{"sns:Publish"}, single(ArnOf(RekognitionTopic))), xray(), kmsD()),
		role("rekognitionLambdaRole", "rekognitionAccess", lambda,
			passRole("rekognitionSNSRole"), invokeDP(), logs(), s3RO(), s3Ext(),
			allow([]string{"rekognition:DetectFaces", "rekognition:DetectLabels", "rekognition:DetectText",
				"rekognition:DetectModerationLabels", "rekognition:GetCelebrityRecognition",
				"rekognition:GetContentModeration", "rekognition:GetFaceDetection", "rekognition:GetFaceSearch",
				"rekognition:GetLabelDetection", "rekognition:GetPersonTracking", "rekognition:RecognizeCelebrities",
				"rekognition:StartCelebrityRecognition", "rekognition:StartContentModeration",
				"rekognition:StartFaceDetection", "rekognition:StartFaceSearch", "rekognition:StartLabelDetection",
				"rekognition:StartPersonTracking", "rekognition:StartTextDetection", "rekognition:GetTextDetection",
				"rekognition:StartSegmentDetection", "rekognition:GetSegmentDetection"}, anyResource()),
			allow([]string{"rekognition:DescribeCollection", "rekognition:SearchFaces", "rekognition:SearchFacesByImage"},
				arnHere("rekognition", "collection/*")),
			xray(), kmsD()),
	}
}

// comprehendActions are the Comprehend actions of the comprehend operators' role (§6.3), none of which supports
// resource-level permissions.
func comprehendActions() []string {
	var actions []string
	for _, a := range []string{
		"BatchDetectDominantLanguage", "BatchDetectEntities", "BatchDetectKeyPhrases", "BatchDetectSentiment",
		"BatchDetectSyntax",
		"CreateDocumentClassifier", "CreateEntityRecognizer",
		"DescribeDocumentClassificationJob", "DescribeDocumentClassifier", "DescribeDominantLanguageDetectionJob",
		"DescribeEntitiesDetectionJob", "DescribeEntityRecognizer", "DescribeKeyPhrasesDetectionJob",
		"DescribeSentimentDetectionJob", "DescribeTopicsDetectionJob",
		"DetectDominantLanguage", "DetectEntities", "DetectKeyPhrases", "DetectSentiment", "DetectSyntax",
		"ListDocumentClassificationJobs", "ListDocumentClassifiers", "ListDominantLanguageDetectionJobs",
		"ListEntitiesDetectionJobs", "ListEntityRecognizers", "ListKeyPhrasesDetectionJobs",
		"ListSentimentDetectionJobs", "ListTagsForResource", "ListTopicsDetectionJobs",
		"StartDocumentClassificationJob", "StartDominantLanguageDetectionJob", "StartEntitiesDetectionJob",
		"StartKeyPhrasesDetectionJob", "StartSentimentDetectionJob", "StartTopicsDetectionJob",
		"StopDominantLanguageDetectionJob", "StopEntitiesDetectionJob", "StopKeyPhrasesDetectionJob",
		"StopSentimentDetectionJob", "StopTrainingDocumentClassifier", "StopTrainingEntityRecognizer",
	} {
		actions = append(actions, "comprehend:"+a)
	}
	return actions
}
