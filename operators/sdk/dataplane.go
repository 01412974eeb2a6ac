package sdk

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// DataPlane is the data plane API client operators use to create assets and store and read metadata (SDK-11 to
// SDK-16; operator-sdk §8). Its methods send exactly the requests of the original helper: by default by invoking
// the data plane Lambda function directly (NewDataPlane), or over the REST API with SigV4 (NewRESTDataPlane).
//
// Like the original, the methods do not check the HTTP status: an error response comes back as a *Response whose
// Body is the error body, e.g. {"Code": "NotFoundError", "Message": "..."}, and callers inspect its fields. Errors
// are returned only when no API response arrives: the call failed, the function failed (*FunctionError), or the
// response is not a JSON object. A DataPlane holds no per-call state and is safe for concurrent use; build one per
// cold start and reuse it.
type DataPlane struct {
	t transport
}

// transport carries one request to the data plane and brings back its response.
type transport interface {
	roundTrip(ctx context.Context, req *request) (*Response, error)
}

// request is one data plane API call: the fields of the proxy event the original helper built (operator-sdk §8.2).
type request struct {
	method string
	// resource is the route template, e.g. /metadata/{asset_id}.
	resource string
	// pathParams fill the template's variables, in the original's order; nil is JSON null.
	pathParams []param
	// query is the query string in the original's order; nil means none (JSON null), not an empty one.
	query []param
	// body is encoded as JSON text; nil is the text "null".
	body any
}

type param struct{ name, value string }

// path fills the resource template with the path parameters, each passed through escape.
func (r *request) path(escape func(string) string) string {
	p := r.resource
	for _, pp := range r.pathParams {
		p = strings.ReplaceAll(p, "{"+pp.name+"}", escape(pp.value))
	}
	return p
}

// bodyText is the body as the original helper sent it: json.dumps of the body, "null" for none.
func (r *request) bodyText() (string, error) {
	b, err := pyjson.Python(r.body)
	if err != nil {
		return "", fmt.Errorf("encode request body: %w", err)
	}
	return string(b), nil
}

// Response is a data plane API response (SDK-12). Body is the decoded JSON body, numbers as json.Number: what the
// original helper returned, whatever the status.
type Response struct {
	// StatusCode is the HTTP status the data plane answered with.
	StatusCode int
	// Body is the response body.
	Body map[string]any
}

// Success reports whether Body.Status is "Success": the check operators apply to a store's response (OP-03).
func (r *Response) Success() bool {
	return r.Body["Status"] == "Success"
}

// StringField returns Body[key] when it is a string, else "".
func (r *Response) StringField(key string) string {
	s, _ := r.Body[key].(string)
	return s
}

// Err returns nil for a 2xx response and an *APIError with the error body's Code and Message otherwise.
func (r *Response) Err() error {
	if r.StatusCode >= 200 && r.StatusCode < 300 {
		return nil
	}
	return r.apiError()
}

func (r *Response) apiError() *APIError {
	msg := r.StringField("Message")
	if msg == "" {
		// API Gateway's own errors, e.g. {"message": "Missing Authentication Token"}.
		msg = r.StringField("message")
	}
	return &APIError{StatusCode: r.StatusCode, Code: r.StringField("Code"), Message: msg}
}

// CreateAsset registers an asset for media already in S3: POST /create with
// {"Input": {"MediaType", "S3Bucket", "S3Key"}} (SDK-13). Success: {"AssetId", "MediaType", "S3Bucket", "S3Key"}.
func (d *DataPlane) CreateAsset(ctx context.Context, mediaType, bucket, key string) (*Response, error) {
	input := pyjson.NewMap()
	input.Set("MediaType", mediaType)
	input.Set("S3Bucket", bucket)
	input.Set("S3Key", key)
	body := pyjson.NewMap()
	body.Set("Input", input)
	return d.t.roundTrip(ctx, &request{method: http.MethodPost, resource: "/create", body: body})
}

// StoreAssetMetadata stores an operator's results: POST /metadata/{asset_id} with
// {"OperatorName", "Results", "WorkflowId"} (SDK-14). results must encode as a JSON object; the data plane stores
// its floats as strings. The query string follows the original exactly:
//
//	paginate  end    query string
//	false     false  none: a single-shot store, answered {"Status", "Bucket", "Key"}
//	true      false  paginated=true: one page of a paged result, answered {"Status"}
//	true      true   paginated=true&end=true: the last page, answered {"Status", "Bucket", "Key"}
//	false     true   end=true: refused by the data plane (400); PageWriter never sends it
//
// A retried page is stored twice, so page writes are sent without automatic retries.
func (d *DataPlane) StoreAssetMetadata(ctx context.Context, assetID, operatorName, workflowID string, results any, paginate, end bool) (*Response, error) {
	body := pyjson.NewMap()
	body.Set("OperatorName", operatorName)
	body.Set("Results", results)
	body.Set("WorkflowId", workflowID)
	var query []param
	if paginate || end {
		query = []param{}
		if paginate {
			query = append(query, param{"paginated", "true"})
		}
		if end {
			query = append(query, param{"end", "true"})
		}
	}
	return d.t.roundTrip(ctx, &request{
		method:     http.MethodPost,
		resource:   "/metadata/{asset_id}",
		pathParams: []param{{"asset_id", assetID}},
		query:      query,
		body:       body,
	})
}

// RetrieveAssetMetadata reads metadata (SDK-15): GET /metadata/{asset_id} for the asset's globals and then every
// operator's results, or GET /metadata/{asset_id}/{operator_name} for one operator; an empty operatorName means
// the former. A non-empty cursor, taken from the previous response, asks for the next page. The response holds
// "results" and, while more pages follow, "cursor"; MetadataPages follows the cursor for you.
func (d *DataPlane) RetrieveAssetMetadata(ctx context.Context, assetID, operatorName, cursor string) (*Response, error) {
	req := &request{method: http.MethodGet, resource: "/metadata/{asset_id}", pathParams: []param{{"asset_id", assetID}}}
	if operatorName != "" {
		req.resource = "/metadata/{asset_id}/{operator_name}"
		req.pathParams = append(req.pathParams, param{"operator_name", operatorName})
	}
	if cursor != "" {
		req.query = []param{{"cursor", cursor}}
	}
	return d.t.roundTrip(ctx, req)
}

// GenerateMediaStoragePath returns where a workflow writes derived media (SDK-16): GET
// /mediapath/{asset_id}/{workflow_id}, answered {"S3Bucket": <data plane bucket>,
// "S3Key": "private/assets/<asset>/workflows/<workflow>/"}.
func (d *DataPlane) GenerateMediaStoragePath(ctx context.Context, assetID, workflowID string) (*Response, error) {
	return d.t.roundTrip(ctx, &request{
		method:     http.MethodGet,
		resource:   "/mediapath/{asset_id}/{workflow_id}",
		pathParams: []param{{"asset_id", assetID}, {"workflow_id", workflowID}},
	})
}

// decodeBody decodes a response body, which must be a JSON object.
func decodeBody(status int, body []byte) (*Response, error) {
	v, err := decodeValue(body)
	if err != nil {
		return nil, fmt.Errorf("data plane answered %d with a body that is not JSON: %w", status, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("data plane answered %d with a body that is not a JSON object but %s", status, pyjson.TypeName(v))
	}
	return &Response{StatusCode: status, Body: m}, nil
}

// unescaped inserts path parameters as they are, as the original's str.format did in the event's path.
func unescaped(s string) string { return s }

// queryValues renders the query for an HTTP URL.
func queryValues(query []param) url.Values {
	v := url.Values{}
	for _, q := range query {
		v.Set(q.name, q.value)
	}
	return v
}
