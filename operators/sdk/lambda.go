package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/uuid"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// LambdaInvoker is the one Lambda API call the data plane client makes; *lambda.Client implements it.
type LambdaInvoker interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// invokeTimeout bounds one invocation of the data plane function by the Lambda client NewDataPlane builds: above
// the function's 120 s timeout plus a cold start, where the original's 60 s read timeout gave up early (SQ-09).
const invokeTimeout = 3 * time.Minute

// DataPlaneOption configures NewDataPlane.
type DataPlaneOption func(*dataPlaneOptions)

type dataPlaneOptions struct {
	client   LambdaInvoker
	function string
}

// WithLambdaClient makes the data plane client invoke through c instead of a Lambda client built from the lookup.
func WithLambdaClient(c LambdaInvoker) DataPlaneOption {
	return func(o *dataPlaneOptions) { o.client = c }
}

// WithFunctionName sets the data plane function's name or ARN, instead of the lookup's DataplaneEndpoint.
func WithFunctionName(name string) DataPlaneOption {
	return func(o *dataPlaneOptions) { o.function = name }
}

// NewDataPlane returns a client that invokes the data plane API function synchronously (SDK-11), as operators do:
// they never call API Gateway.
//
// The function is named by WithFunctionName or else by the variable DataplaneEndpoint of lookup (exact spelling;
// the function name or ARN); without either NewDataPlane fails. In a Lambda function lookup is os.Getenv; the
// client never reads the environment itself. Unless WithLambdaClient gives one, the Lambda client is built from the
// same lookup (region, credentials, AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_LAMBDA, AWS_MAX_ATTEMPTS, and botoConfig's
// user-agent suffix), with a 3-minute timeout per call (SDK-19). Whatever the client, POST requests are sent with
// automatic retries off: a retried page write would be stored twice. lookup may be nil when both options are given.
func NewDataPlane(ctx context.Context, lookup func(string) string, opts ...DataPlaneOption) (*DataPlane, error) {
	var o dataPlaneOptions
	for _, opt := range opts {
		opt(&o)
	}
	if lookup == nil {
		lookup = func(string) string { return "" }
	}
	if o.function == "" {
		o.function = lookup("DataplaneEndpoint")
	}
	if o.function == "" {
		return nil, errors.New("data plane client: DataplaneEndpoint is not set")
	}
	if o.client == nil {
		cfg, err := awsconf.Load(ctx, lookup)
		if err != nil {
			return nil, fmt.Errorf("data plane client: %w", err)
		}
		o.client = lambda.NewFromConfig(cfg.AWS, func(lo *lambda.Options) {
			if ep := cfg.Endpoint("LAMBDA"); ep != nil {
				lo.BaseEndpoint = ep
			}
			lo.HTTPClient = awshttp.NewBuildableClient().WithTimeout(invokeTimeout)
		})
	}
	return &DataPlane{t: &lambdaTransport{
		client:    o.client,
		function:  o.function,
		now:       time.Now,
		requestID: lambdaRequestID,
	}}, nil
}

// lambdaTransport sends requests as hand-built API Gateway proxy events by direct invocation.
type lambdaTransport struct {
	client   LambdaInvoker
	function string
	// now and requestID stamp requestContext; tests fix them.
	now       func() time.Time
	requestID func() string
}

// lambdaRequestID is the original's requestContext.requestId: "lambda_" and the last 12 hex digits of a random
// UUID.
func lambdaRequestID() string {
	id := uuid.NewString()
	return "lambda_" + id[strings.LastIndexByte(id, '-')+1:]
}

// noRetry turns the SDK's automatic retries off for one call.
func noRetry(o *lambda.Options) {
	o.RetryMaxAttempts = 1
}

func (t *lambdaTransport) roundTrip(ctx context.Context, req *request) (*Response, error) {
	payload, err := t.event(req)
	if err != nil {
		return nil, err
	}
	var opts []func(*lambda.Options)
	if req.method != http.MethodGet {
		opts = append(opts, noRetry)
	}
	out, err := t.client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(t.function),
		InvocationType: lambdatypes.InvocationTypeRequestResponse,
		LogType:        lambdatypes.LogTypeNone,
		Payload:        payload,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("invoke data plane function %s: %w", t.function, err)
	}
	if out.FunctionError != nil {
		var fe struct {
			Type    string `json:"errorType"`
			Message string `json:"errorMessage"`
		}
		if json.Unmarshal(out.Payload, &fe) != nil || fe.Type == "" {
			fe.Type, fe.Message = aws.ToString(out.FunctionError), string(out.Payload)
		}
		return nil, &FunctionError{Type: fe.Type, Message: fe.Message}
	}
	var envelope struct {
		StatusCode int     `json:"statusCode"`
		Body       *string `json:"body"`
	}
	if err := json.Unmarshal(out.Payload, &envelope); err != nil {
		return nil, fmt.Errorf("data plane function returned a payload that is not a proxy response: %w", err)
	}
	if envelope.Body == nil {
		return nil, errors.New("data plane function returned a proxy response without a body")
	}
	return decodeBody(envelope.StatusCode, []byte(*envelope.Body))
}

// event renders the API Gateway proxy event of req exactly as the original helper did (operator-sdk §8.2,
// data-plane §3.6): its keys, their order, json.dumps spacing and ASCII escaping. requestTime is a number of epoch
// seconds (SQ-10).
func (t *lambdaTransport) event(req *request) ([]byte, error) {
	body, err := req.bodyText()
	if err != nil {
		return nil, err
	}
	headers := pyjson.NewMap()
	headers.Set("Content-Type", "application/json")
	var query, multiQuery, pathParams any
	if req.query != nil {
		single, multi := pyjson.NewMap(), pyjson.NewMap()
		for _, q := range req.query {
			single.Set(q.name, q.value)
			multi.Set(q.name, []any{q.value})
		}
		query, multiQuery = single, multi
	}
	if req.pathParams != nil {
		m := pyjson.NewMap()
		for _, p := range req.pathParams {
			m.Set(p.name, p.value)
		}
		pathParams = m
	}
	now := t.now()
	rc := pyjson.NewMap()
	rc.Set("resourcePath", req.resource)
	rc.Set("requestTime", pyjson.Number(pyjson.FloatRepr(float64(now.UnixNano())/1e9)))
	rc.Set("httpMethod", req.method)
	rc.Set("requestId", t.requestID())

	ev := pyjson.NewMap()
	ev.Set("resource", req.resource)
	ev.Set("path", req.path(unescaped))
	ev.Set("httpMethod", req.method)
	ev.Set("headers", headers)
	ev.Set("multiValueHeaders", pyjson.NewMap())
	ev.Set("queryStringParameters", query)
	ev.Set("multiValueQueryStringParameters", multiQuery)
	ev.Set("pathParameters", pathParams)
	ev.Set("stageVariables", pyjson.NewMap())
	ev.Set("requestContext", rc)
	ev.Set("body", body)
	ev.Set("isBase64Encoded", false)
	return pyjson.Python(ev)
}
