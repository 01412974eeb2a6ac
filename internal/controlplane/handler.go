// Package controlplane is the workflow API of MIE: the REST routes of system configuration, operations, stages,
// workflows and workflow executions, and the CloudFormation custom resource that registers the same definitions
// (control-plane §6, §7).
package controlplane

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/uuid"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/asl"
	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/operators/sdk"
)

// DynamoDB is what the handlers do with the control-plane tables.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// StepFunctions manages the state machine of each workflow.
type StepFunctions interface {
	CreateStateMachine(ctx context.Context, in *sfn.CreateStateMachineInput, optFns ...func(*sfn.Options)) (*sfn.CreateStateMachineOutput, error)
	UpdateStateMachine(ctx context.Context, in *sfn.UpdateStateMachineInput, optFns ...func(*sfn.Options)) (*sfn.UpdateStateMachineOutput, error)
	DeleteStateMachine(ctx context.Context, in *sfn.DeleteStateMachineInput, optFns ...func(*sfn.Options)) (*sfn.DeleteStateMachineOutput, error)
}

// RolePolicies manages the inline policies that let the Step Functions role invoke user operators (CP-09).
type RolePolicies interface {
	PutRolePolicy(ctx context.Context, in *iam.PutRolePolicyInput, optFns ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
	ListRolePolicies(ctx context.Context, in *iam.ListRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error)
	DeleteRolePolicy(ctx context.Context, in *iam.DeleteRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)
}

// Queue is the stage-execution queue that R23 and R24 hand executions to the scheduler on (CP-25, CP-26).
type Queue interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// DataPlane is what R23 asks of the data plane API function, by direct invocation (CP-22, CP-23); *sdk.DataPlane
// is one.
type DataPlane interface {
	CreateAsset(ctx context.Context, mediaType, bucket, key string) (*sdk.Response, error)
	RetrieveAssetMetadata(ctx context.Context, assetID, operatorName, cursor string) (*sdk.Response, error)
}

// Executions changes execution statuses together with their concurrency slots and triggers the scheduler
// (CP-25, CP-26, CP-28); *executions.Store is one.
type Executions interface {
	Set(ctx context.Context, id string, to executions.Status, message string) error
	Resume(ctx context.Context, id, stage string) error
	Delete(ctx context.Context, id string) error
	TriggerScheduler(ctx context.Context) error
}

// Clients are the AWS services the handlers use.
type Clients struct {
	DynamoDB      DynamoDB
	StepFunctions StepFunctions
	IAM           RolePolicies
	// Transcribe and Translate serve the service proxies (CP-29, CP-30).
	Transcribe Transcribe
	Translate  Translate
	// HTTP downloads the presigned locations those services return (R31, R38, R43); nil is http.DefaultClient.
	HTTP *http.Client
	// Queue, DataPlane and Executions serve the execution routes R23-R29.
	Queue      Queue
	DataPlane  DataPlane
	Executions Executions
}

// Handler serves the workflow API's routes and the custom resource's definition logic. It holds no state between
// invocations beyond its configuration and clients.
type Handler struct {
	cfg         Config
	clients     Clients
	lambdas     asl.Lambdas
	opSchema    requestSchema
	stageSchema requestSchema
	log         *slog.Logger
	router      *apigw.Router
	// now and newID make the generated Created and Id attributes; tests replace them.
	now   func() time.Time
	newID func() string
}

// New builds a handler from its configuration and clients; log may be nil.
func New(cfg Config, clients Clients, log *slog.Logger) (*Handler, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opSchema, err := loadSchema("create_operation_request")
	if err != nil {
		return nil, err
	}
	stageSchema, err := loadSchema("create_stage_request")
	if err != nil {
		return nil, err
	}
	h := &Handler{
		cfg:     cfg,
		clients: clients,
		lambdas: asl.Lambdas{
			Filter:         cfg.FilterOperationARN,
			OperatorFailed: cfg.OperatorFailedARN,
			CompleteStage:  cfg.CompleteStageARN,
		},
		opSchema:    opSchema,
		stageSchema: stageSchema,
		log:         log,
		now:         time.Now,
		newID:       uuid.NewString,
	}
	h.router, err = apigw.NewRouter(apigw.TracebackErrors, h.Routes(), log)
	if err != nil {
		return nil, fmt.Errorf("workflow API routes: %w", err)
	}
	return h, nil
}

// NewFromLookup builds the handler of a deployed function: configuration and SDK clients from lookup (os.Getenv in
// production).
func NewFromLookup(ctx context.Context, lookup awsconf.Lookup) (*Handler, error) {
	cfg, err := ConfigFromLookup(lookup)
	if err != nil {
		return nil, err
	}
	storeCfg, err := executions.ConfigFromLookup(lookup)
	if err != nil {
		return nil, fmt.Errorf("workflow API: %w", err)
	}
	aws, err := awsconf.Load(ctx, lookup)
	if err != nil {
		return nil, err
	}
	dataPlane, err := sdk.NewDataPlane(ctx, lookup)
	if err != nil {
		return nil, fmt.Errorf("workflow API: %w", err)
	}
	db := aws.DynamoDB()
	store := executions.New(storeCfg, db, aws.Lambda())
	return New(cfg, Clients{
		DynamoDB:      db,
		StepFunctions: aws.SFN(),
		IAM:           aws.IAM(),
		Transcribe:    newTranscribe(aws),
		Translate:     newTranslate(aws),
		Queue:         aws.SQS(),
		DataPlane:     dataPlane,
		Executions:    store,
	}, slog.Default())
}

// Handle is the API Lambda's entry point.
func (h *Handler) Handle(ctx context.Context, e apigw.Event) (apigw.Response, error) {
	return h.router.Handle(ctx, e)
}

// Router returns the router of the route table, for the local gateway and the CDK app.
func (h *Handler) Router() *apigw.Router {
	return h.router
}
