package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/sigv4"
)

// proxyResponse is what a Lambda proxy integration must return. API Gateway refuses anything else, members it does
// not know included, as a malformed response.
type proxyResponse struct {
	StatusCode        *int                `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              *string             `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// writeProxyResponse maps a function's proxy response to HTTP. When a header is in both maps, only the values of
// multiValueHeaders are sent, as API Gateway merges them. A malformed response is an error (502 for the caller).
func writeProxyResponse(w http.ResponseWriter, payload []byte) error {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	var resp proxyResponse
	if err := dec.Decode(&resp); err != nil {
		return fmt.Errorf("malformed Lambda proxy response: %w", err)
	}
	if resp.StatusCode == nil {
		return fmt.Errorf("malformed Lambda proxy response: no statusCode")
	}
	var body []byte
	if resp.Body != nil {
		body = []byte(*resp.Body)
		if resp.IsBase64Encoded {
			decoded, err := base64.StdEncoding.DecodeString(*resp.Body)
			if err != nil {
				return fmt.Errorf("malformed Lambda proxy response: body: %w", err)
			}
			body = decoded
		}
	}
	for k, v := range resp.Headers {
		if _, multi := resp.MultiValueHeaders[k]; !multi {
			w.Header().Set(k, v)
		}
	}
	for k, vs := range resp.MultiValueHeaders {
		w.Header().Del(k)
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(*resp.StatusCode)
	_, _ = w.Write(body) // the caller may have gone; nothing to tell it then
	return nil
}

// writeMessage answers as API Gateway answers on its own: {"message": ...} with its error type.
func writeMessage(w http.ResponseWriter, status int, errorType, message string) {
	body, _ := json.Marshal(map[string]string{"message": message}) // a map of strings always encodes
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", errorType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeInternalError is API Gateway's answer to a function error or a malformed response.
func writeInternalError(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", "InternalServerErrorException")
	w.WriteHeader(http.StatusBadGateway)
	_, _ = io.WriteString(w, `{"message": "Internal server error"}`)
}

// writeMissingToken is API Gateway's answer to a resource or method the API does not have.
func writeMissingToken(w http.ResponseWriter) {
	sigv4.WriteError(w, &sigv4.Failure{Reason: sigv4.MissingToken, Message: sigv4.MessageMissingToken})
}

// HandlerFunction makes a Function of an in-process API handler, passing the event and the response through JSON as
// the Lambda runtime does, so that the handler sees exactly what it would see deployed.
func HandlerFunction(handle func(context.Context, apigw.Event) (apigw.Response, error)) Function {
	return func(ctx context.Context, event []byte) ([]byte, error) {
		var e apigw.Event
		if err := json.Unmarshal(event, &e); err != nil {
			return nil, fmt.Errorf("decode the proxy event: %w", err)
		}
		resp, err := handle(ctx, e)
		if err != nil {
			return nil, err
		}
		out, err := json.Marshal(resp)
		if err != nil {
			return nil, fmt.Errorf("encode the proxy response: %w", err)
		}
		return out, nil
	}
}
