package stepfunctions

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/mie-go/mie-go/internal/lambdainvoke"
	"github.com/mie-go/mie-go/internal/stepfunctions/interp"
)

// lambdaErrorPrefix starts the name under which Step Functions reports a Lambda invocation the Lambda API refused
// (not a function error): "Lambda." and the API's exception name.
const lambdaErrorPrefix = "Lambda."

// RegistryInvoker runs Task states' Lambda functions in process, in a lambdainvoke.Registry. It reports the same
// error names as a ClientInvoker over lambdainvoke.NewServer(registry) would.
type RegistryInvoker struct {
	reg *lambdainvoke.Registry
}

// NewRegistryInvoker returns an Invoker over reg.
func NewRegistryInvoker(reg *lambdainvoke.Registry) *RegistryInvoker {
	return &RegistryInvoker{reg: reg}
}

// Invoke implements interp.Invoker.
func (r *RegistryInvoker) Invoke(ctx context.Context, functionARN string, input []byte) ([]byte, error) {
	res, err := r.reg.Invoke(ctx, functionARN, input)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("invoke %s: %w", functionARN, ctxErr)
		}
		return nil, &interp.InvokeError{Name: registryErrorName(err), Message: err.Error()}
	}
	if res.FunctionError != "" {
		return nil, &interp.FunctionError{Payload: res.Payload}
	}
	return res.Payload, nil
}

// registryErrorName names a refusal of the registry after the exception the Lambda API sends for it. (The
// registry's qualifier mismatch cannot happen: Invoke takes no separate qualifier.)
func registryErrorName(err error) string {
	var (
		notFound *lambdainvoke.FunctionNotFoundError
		invalid  *lambdainvoke.ValidationError
		content  *lambdainvoke.InvalidPayloadError
		tooLarge *lambdainvoke.PayloadTooLargeError
	)
	switch {
	case errors.As(err, &notFound):
		return lambdaErrorPrefix + "ResourceNotFoundException"
	case errors.As(err, &invalid):
		return lambdaErrorPrefix + "ValidationException"
	case errors.As(err, &content):
		return lambdaErrorPrefix + "InvalidRequestContentException"
	case errors.As(err, &tooLarge):
		return lambdaErrorPrefix + "RequestEntityTooLargeException"
	default:
		return interp.LambdaServiceException
	}
}

// LambdaInvokeAPI is the part of the Lambda client a ClientInvoker uses.
type LambdaInvokeAPI interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// ClientInvoker runs Task states' Lambda functions through the Lambda Invoke API, on AWS or any endpoint the client
// points at. The client's own retries happen before a Task state sees a failure; the state machine's Retry
// fields come on top of them.
type ClientInvoker struct {
	client LambdaInvokeAPI
}

// NewClientInvoker returns an Invoker over client.
func NewClientInvoker(client LambdaInvokeAPI) *ClientInvoker {
	return &ClientInvoker{client: client}
}

// Invoke implements interp.Invoker.
func (c *ClientInvoker) Invoke(ctx context.Context, functionARN string, input []byte) ([]byte, error) {
	out, err := c.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(functionARN), Payload: input})
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("invoke %s: %w", functionARN, ctxErr)
		}
		return nil, &interp.InvokeError{Name: clientErrorName(err), Message: err.Error()}
	}
	if out.FunctionError != nil {
		return nil, &interp.FunctionError{Payload: out.Payload}
	}
	return out.Payload, nil
}

// clientErrorName names a failed Invoke call as Step Functions does: a service fault is Lambda.ServiceException, a
// refused request Lambda.<exception>, a request that got no answer Lambda.SdkClientException, and anything else
// (an answer the SDK could not read) Lambda.Unknown.
func clientErrorName(err error) string {
	var (
		resp *smithyhttp.ResponseError
		api  smithy.APIError
		send *smithyhttp.RequestSendError
	)
	switch {
	case errors.As(err, &resp) && resp.HTTPStatusCode() >= http.StatusInternalServerError:
		return interp.LambdaServiceException
	case errors.As(err, &api) && api.ErrorCode() != "":
		return lambdaErrorPrefix + api.ErrorCode()
	case errors.As(err, &send):
		return interp.LambdaSdkClientException
	default:
		return interp.LambdaUnknown
	}
}
