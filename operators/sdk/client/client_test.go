package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk/client"
)

// seen is a request as a fake API received it.
type seen struct {
	Method, EscapedPath, RawQuery, ContentType, Authorization, Body string
}

// fakeAPI answers every request with status, headers and body, and records what it received.
func fakeAPI(t *testing.T, status int, headers map[string]string, body string) (string, *[]seen) {
	t.Helper()
	var got []seen
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, seen{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), string(b)})
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(server.Close)
	return server.URL, &got
}

// redirect sends every request to target whatever its URL says, as a proxy would: it lets a test use an
// execute-api host name.
type redirect struct{ target string }

func (r redirect) Do(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	u := *req.URL
	u.Scheme, u.Host = "http", strings.TrimPrefix(r.target, "http://")
	out.URL, out.Host, out.RequestURI = &u, req.Host, ""
	return http.DefaultClient.Do(out)
}

func TestRoutesJoinTheEndpoint(t *testing.T) {
	cases := []struct {
		name      string
		endpoint  string
		call      func(ctx context.Context, c *client.DataplaneAPI) error
		path      string
		query     string
		reqBody   string
		reqMethod string
	}{
		{
			name:     "endpoint with the stack output's trailing slash",
			endpoint: "/api/",
			call: func(ctx context.Context, c *client.DataplaneAPI) error {
				_, err := c.GetOperatorMetadata(ctx, "a1", "labelDetection", "eyJuZXh0Ijoge30=")
				return err
			},
			reqMethod: http.MethodGet,
			path:      "/api/metadata/a1/labelDetection",
			query:     "cursor=eyJuZXh0Ijoge30%3D",
		},
		{
			name:     "endpoint without trailing slash",
			endpoint: "/api",
			call: func(ctx context.Context, c *client.DataplaneAPI) error {
				_, err := c.Version(ctx)
				return err
			},
			reqMethod: http.MethodGet,
			path:      "/api/version",
		},
		{
			name:     "segments are escaped",
			endpoint: "/api/",
			call: func(ctx context.Context, c *client.DataplaneAPI) error {
				_, err := c.MediaPath(ctx, "a b", "w/1?")
				return err
			},
			reqMethod: http.MethodGet,
			path:      "/api/mediapath/a%20b/w%2F1%3F",
		},
		{
			name:     "paged store",
			endpoint: "/api/",
			call: func(ctx context.Context, c *client.DataplaneAPI) error {
				_, err := c.StoreMetadataPage(ctx, "a1", client.Metadata{OperatorName: "o", WorkflowID: "w", Results: map[string]any{"x": "<&>"}}, true)
				return err
			},
			reqMethod: http.MethodPost,
			path:      "/api/metadata/a1",
			query:     "end=true&paginated=true",
			reqBody:   `{"OperatorName":"o","WorkflowId":"w","Results":{"x":"<&>"}}`,
		},
		{
			name:     "create asset",
			endpoint: "/api/",
			call: func(ctx context.Context, c *client.DataplaneAPI) error {
				_, err := c.CreateAsset(ctx, client.Media{MediaType: "Video", S3Bucket: "b", S3Key: "k"})
				return err
			},
			reqMethod: http.MethodPost,
			path:      "/api/create",
			reqBody:   `{"Input":{"MediaType":"Video","S3Bucket":"b","S3Key":"k"}}`,
		},
		{
			name:     "health at the stage root",
			endpoint: "/api/",
			call: func(ctx context.Context, c *client.DataplaneAPI) error {
				return c.Ping(ctx)
			},
			reqMethod: http.MethodGet,
			path:      "/api/",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			server, got := fakeAPI(t, http.StatusOK, nil, `{}`)
			c, err := client.NewDataplaneAPI(callerConfig(callerKey), server+tc.endpoint)
			require.NoError(t, err)
			require.NoError(t, tc.call(t.Context(), c))
			require.Len(t, *got, 1)
			r := (*got)[0]
			assert.Equal(t, tc.reqMethod, r.Method)
			assert.Equal(t, tc.path, r.EscapedPath)
			assert.Equal(t, tc.query, r.RawQuery)
			assert.Equal(t, tc.reqBody, r.Body)
			assert.Equal(t, "application/json", r.ContentType)
			assert.Contains(t, r.Authorization, "Credential=AKIDMIECLIENT/")
		})
	}
}

func TestSigningRegion(t *testing.T) {
	cases := []struct {
		name     string
		endpoint string
		opts     func(*client.Options)
		scope    string
	}{
		{"the configuration's region for a local endpoint", "http://127.0.0.1:1/api/", nil, "/us-east-1/execute-api/aws4_request"},
		{"the region of an execute-api host", "https://abc123xyz.execute-api.eu-west-2.amazonaws.com/api/", nil, "/eu-west-2/execute-api/aws4_request"},
		{"the region option first", "https://abc123xyz.execute-api.eu-west-2.amazonaws.com/api/",
			func(o *client.Options) { o.Region = "ap-south-1" }, "/ap-south-1/execute-api/aws4_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			server, got := fakeAPI(t, http.StatusOK, nil, `{}`)
			opts := []func(*client.Options){func(o *client.Options) { o.HTTPClient = redirect{server} }}
			if tc.opts != nil {
				opts = append(opts, tc.opts)
			}
			c, err := client.NewWorkflowAPI(callerConfig(callerKey), tc.endpoint, opts...)
			require.NoError(t, err)
			_, err = c.Version(t.Context())
			require.NoError(t, err)
			assert.Contains(t, (*got)[0].Authorization, tc.scope)
		})
	}
}

func TestNewAPIErrors(t *testing.T) {
	_, err := client.NewDataplaneAPI(aws.Config{}, "ftp://example.com/api/")
	assert.Error(t, err)
	_, err = client.NewDataplaneAPI(aws.Config{}, "/api/")
	assert.Error(t, err)
	noRegion := callerConfig(callerKey)
	noRegion.Region = ""
	_, err = client.NewWorkflowAPI(noRegion, "http://127.0.0.1:1/api/")
	assert.ErrorContains(t, err, "no region")
	_, err = client.NewWorkflowAPI(aws.Config{}, "http://127.0.0.1:1/api/")
	assert.NoError(t, err, "without credentials nothing is signed, so no region is needed")
}

func TestUnsignedWithoutCredentials(t *testing.T) {
	server, got := fakeAPI(t, http.StatusOK, nil, `{}`)
	c, err := client.NewWorkflowAPI(aws.Config{}, server+"/api/")
	require.NoError(t, err)
	require.NoError(t, c.Ping(t.Context()))
	assert.Empty(t, (*got)[0].Authorization)
}

type failingCredentials struct{}

func (failingCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{}, errors.New("no profile")
}

func TestCredentialsFailure(t *testing.T) {
	server, got := fakeAPI(t, http.StatusOK, nil, `{}`)
	c, err := client.NewWorkflowAPI(aws.Config{Region: region, Credentials: failingCredentials{}}, server+"/api/")
	require.NoError(t, err)
	_, err = c.Version(t.Context())
	assert.ErrorContains(t, err, "no profile")
	assert.Empty(t, *got, "nothing is sent unsigned")
}

func TestAPIErrors(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		headers map[string]string
		body    string
		want    client.APIError
	}{
		{
			name:   "the APIs' error body",
			status: http.StatusNotFound,
			body:   `{"Code":"NotFoundError","Message":"Exception: workflow 'x' not found"}`,
			want:   client.APIError{Status: 404, Code: "NotFoundError", Message: "Exception: workflow 'x' not found"},
		},
		{
			name:    "the workflow API's traceback",
			status:  http.StatusInternalServerError,
			headers: map[string]string{"Content-Type": "text/plain"},
			body:    "Traceback (most recent call last):\n  File \"mie-go\", in GET /workflow\nKeyError: 'Configuration'\n",
			want:    client.APIError{Status: 500, Message: "KeyError: 'Configuration'"},
		},
		{
			name:    "API Gateway refusing a signature",
			status:  http.StatusForbidden,
			headers: map[string]string{"x-amzn-ErrorType": "UnrecognizedClientException", "x-amzn-RequestId": "req-1"},
			body:    `{"message":"The security token included in the request is invalid."}`,
			want: client.APIError{Status: 403, Code: "UnrecognizedClientException", Message: "The security token included in the request is invalid.",
				RequestID: "req-1"},
		},
		{
			name:    "API Gateway's denial, its error type with a namespace",
			status:  http.StatusForbidden,
			headers: map[string]string{"x-amzn-ErrorType": "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/"},
			body:    `{"Message":"User: arn:aws:iam::123456789012:user/u is not authorized to perform: execute-api:Invoke"}`,
			want: client.APIError{Status: 403, Code: "AccessDeniedException",
				Message: "User: arn:aws:iam::123456789012:user/u is not authorized to perform: execute-api:Invoke"},
		},
		{
			name:   "API Gateway's failed integration",
			status: http.StatusBadGateway,
			body:   `{"message": "Internal server error"}`,
			want:   client.APIError{Status: 502, Message: "Internal server error"},
		},
		{
			name:   "API Gateway's message null",
			status: http.StatusInternalServerError,
			body:   `{"message": null}`,
			want:   client.APIError{Status: 500},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			server, _ := fakeAPI(t, tc.status, tc.headers, tc.body)
			c, err := client.NewWorkflowAPI(callerConfig(callerKey), server+"/api/")
			require.NoError(t, err)
			_, err = c.GetWorkflow(t.Context(), "x")
			var got *client.APIError
			require.ErrorAs(t, err, &got)
			want := tc.want
			want.Method, want.Path, want.Body = http.MethodGet, "/api/workflow/x", tc.body
			assert.Equal(t, &want, got)
		})
	}
}

func TestAPIErrorText(t *testing.T) {
	err := &client.APIError{Method: "DELETE", Path: "/api/workflow/operation/x", Status: 400, Code: "BadRequestError", Message: "Dependent workflows"}
	assert.Equal(t, "DELETE /api/workflow/operation/x: 400 BadRequestError: Dependent workflows", err.Error())
	err = &client.APIError{Method: "GET", Path: "/api/version", Status: 502, Message: "Internal server error"}
	assert.Equal(t, "GET /api/version: 502: Internal server error", err.Error())
}

func TestUndecodableAnswer(t *testing.T) {
	server, _ := fakeAPI(t, http.StatusOK, nil, `<html>`)
	c, err := client.NewWorkflowAPI(callerConfig(callerKey), server+"/api/")
	require.NoError(t, err)
	_, err = c.ListWorkflows(t.Context())
	assert.ErrorContains(t, err, "GET /api/workflow: decode answer")
}

func TestTextAnswers(t *testing.T) {
	server, got := fakeAPI(t, http.StatusOK, nil, `Deleted asset: a1 from the dataplane`)
	c, err := client.NewDataplaneAPI(callerConfig(callerKey), server+"/api/")
	require.NoError(t, err)
	text, err := c.DeleteAsset(t.Context(), "a1")
	require.NoError(t, err)
	assert.Equal(t, "Deleted asset: a1 from the dataplane", text)
	assert.Equal(t, seen{Method: "DELETE", EscapedPath: "/api/metadata/a1", ContentType: "application/json", Authorization: (*got)[0].Authorization}, (*got)[0])
}

func TestDeleteForce(t *testing.T) {
	server, got := fakeAPI(t, http.StatusOK, nil, `{"Message":"Warning: stage 's' not found"}`)
	c, err := client.NewWorkflowAPI(callerConfig(callerKey), server+"/api/")
	require.NoError(t, err)
	deleted, err := c.DeleteStage(t.Context(), "s", client.DeleteOptions{Force: true})
	require.NoError(t, err)
	assert.Equal(t, &client.Deleted[client.Stage]{Warning: "Warning: stage 's' not found"}, deleted)
	_, err = c.DeleteStage(t.Context(), "s", client.DeleteOptions{})
	require.NoError(t, err)
	assert.Equal(t, "force=true", (*got)[0].RawQuery)
	assert.Equal(t, "", (*got)[1].RawQuery)
}

func TestDeletedDecoding(t *testing.T) {
	var item client.Deleted[client.Workflow]
	require.NoError(t, json.Unmarshal([]byte(`{"Name":"w","Message":"kept","StateMachineArn":"arn"}`), &item))
	require.NotNil(t, item.Item)
	assert.Equal(t, "arn", item.Item.StateMachineARN)
	assert.Equal(t, json.RawMessage(`"kept"`), item.Item.Extra["Message"], "an item with a Message member is still an item")
	assert.Empty(t, item.Warning)
	var none client.Deleted[client.Workflow]
	assert.Error(t, json.Unmarshal([]byte(`null`), &none))
}

func TestExtraRoundTrip(t *testing.T) {
	const stored = `{"Name":"Op","Type":"Async","Configuration":{"MediaType":"Video","Enabled":true,"MinConfidence":80.5,"Languages":["en"]},` +
		`"StartLambdaArn":"s","MonitorLambdaArn":"m","StageName":"_Op","Version":"v0","Id":"i","Created":"1.5","ResourceType":"OPERATION",` +
		`"ApiVersion":"3.0.0","Description":"d","ServiceToken":"arn:x","Size":12345678901234567890}`
	var op client.Operation
	require.NoError(t, json.Unmarshal([]byte(stored), &op))
	assert.Equal(t, "m", op.MonitorLambdaARN)
	assert.Equal(t, "OPERATION", op.ResourceType)
	assert.Equal(t, client.Extra{"Description": json.RawMessage(`"d"`), "ServiceToken": json.RawMessage(`"arn:x"`),
		"Size": json.RawMessage(`12345678901234567890`)}, op.Extra)
	assert.Equal(t, client.Extra{"MinConfidence": json.RawMessage(`80.5`), "Languages": json.RawMessage(`["en"]`)}, op.Configuration.Extra)
	again, err := json.Marshal(op)
	require.NoError(t, err)
	assert.JSONEq(t, stored, string(again))

	var confidence json.Number
	found, err := op.Configuration.Extra.Get("MinConfidence", &confidence)
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, json.Number("80.5"), confidence)
	found, err = op.Extra.Get("Nothing", &confidence)
	require.NoError(t, err)
	assert.False(t, found)
	var wrong int
	_, err = op.Extra.Get("Description", &wrong)
	assert.Error(t, err)
}

func TestExtraDoesNotOverrideNamedMembers(t *testing.T) {
	p := client.SystemParameter{Name: "MaxConcurrentWorkflows", Value: 5, Extra: client.Extra{"Name": json.RawMessage(`"other"`)}}
	b, err := json.Marshal(p)
	require.NoError(t, err)
	assert.Equal(t, `{"Name":"MaxConcurrentWorkflows","Value":5}`, string(b))
	var empty client.S3Object
	empty.Extra = client.Extra{"VersionId": json.RawMessage(`"v1"`)}
	b, err = json.Marshal(empty)
	require.NoError(t, err)
	assert.Equal(t, `{"S3Bucket":"","S3Key":"","VersionId":"v1"}`, string(b))
}

func TestWorkflowStagesKeepTheirOrder(t *testing.T) {
	stages := client.WorkflowStages{{Name: "Zeta", Next: "Alpha"}, {Name: "Alpha", Next: "Mid"}, {Name: "Mid", End: true}}
	b, err := json.Marshal(client.Workflow{Name: "W", StartAt: "Zeta", Stages: stages})
	require.NoError(t, err)
	assert.Equal(t, `{"Name":"W","StartAt":"Zeta","Stages":{"Zeta":{"Name":"Zeta","Next":"Alpha"},"Alpha":{"Name":"Alpha","Next":"Mid"},"Mid":{"Name":"Mid","End":true}}}`, string(b))
	var back client.Workflow
	require.NoError(t, json.Unmarshal([]byte(`{"Name":"W","Stages":{"Zeta":{"Next":"Alpha","Status":"Started"},"Alpha":{"End":true}}}`), &back))
	require.Len(t, back.Stages, 2)
	assert.Equal(t, "Zeta", back.Stages[0].Name)
	assert.Equal(t, client.Extra{"Status": json.RawMessage(`"Started"`)}, back.Stages[0].Extra)
	assert.Equal(t, "Alpha", back.Stages[1].Name)
	var null client.WorkflowStages
	require.NoError(t, json.Unmarshal([]byte(`null`), &null))
	assert.Nil(t, null)
	assert.Error(t, json.Unmarshal([]byte(`["Zeta"]`), &null))
	_, err = json.Marshal(client.WorkflowStages{{Next: "x"}})
	assert.Error(t, err, "a stage needs a name")
}

func TestStageSendsEmptyOperations(t *testing.T) {
	b, err := json.Marshal(client.Stage{Name: "Empty"})
	require.NoError(t, err)
	assert.Equal(t, `{"Name":"Empty","Operations":[]}`, string(b))
}

func TestEpochSeconds(t *testing.T) {
	var locks []client.Lock
	require.NoError(t, json.Unmarshal([]byte(`[{"AssetId":"a","LockedBy":"u","LockedAt":1641411425},{"AssetId":"b","LockedBy":"u","LockedAt":"1641411426"}]`), &locks))
	assert.Equal(t, client.EpochSeconds(1641411425), locks[0].LockedAt)
	assert.Equal(t, client.EpochSeconds(1641411426), locks[1].LockedAt)
	assert.Equal(t, time.Date(2022, 1, 5, 19, 37, 5, 0, time.UTC), locks[0].LockedAt.Time())
	var bad client.Lock
	assert.Error(t, json.Unmarshal([]byte(`{"LockedAt":"soon"}`), &bad))
}

// pagesReader serves canned metadata pages: the page for each cursor, "" being the first.
type pagesReader struct {
	pages    map[string]*client.MetadataPage
	operator string
	failOn   string
}

func (r *pagesReader) GetMetadata(_ context.Context, _ string, cursor string) (*client.MetadataPage, error) {
	return r.page(cursor)
}

func (r *pagesReader) GetOperatorMetadata(_ context.Context, _, operator, cursor string) (*client.MetadataPage, error) {
	r.operator = operator
	return r.page(cursor)
}

func (r *pagesReader) page(cursor string) (*client.MetadataPage, error) {
	if cursor == r.failOn && cursor != "" {
		return nil, errors.New("read failed")
	}
	return r.pages[cursor], nil
}

func TestMetadataPaginator(t *testing.T) {
	reader := &pagesReader{pages: map[string]*client.MetadataPage{
		"":   {AssetID: "a1", Cursor: "c1", Results: json.RawMessage(`{"MediaType":"Video"}`)},
		"c1": {AssetID: "a1", Operator: "o", Cursor: "c2", Results: json.RawMessage(`[1]`)},
		"c2": {AssetID: "a1", Operator: "o", Results: json.RawMessage(`[2]`)},
	}}
	var cursors []string
	for page, err := range client.NewMetadataPaginator(reader, "a1", "").Pages(t.Context()) {
		require.NoError(t, err)
		cursors = append(cursors, page.Cursor)
	}
	assert.Equal(t, []string{"c1", "c2", ""}, cursors)
	assert.Empty(t, reader.operator, "all operators are read through GetMetadata")

	p := client.NewMetadataPaginator(reader, "a1", "o")
	_, err := p.NextPage(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "o", reader.operator)

	reader.failOn = "c2"
	var errs int
	for _, err := range client.NewMetadataPaginator(reader, "a1", "").Pages(t.Context()) {
		if err != nil {
			errs++
		}
	}
	assert.Equal(t, 1, errs, "the sequence ends after the first error")
}

func TestGlobals(t *testing.T) {
	first := client.MetadataPage{AssetID: "a1", Results: json.RawMessage(`{"MediaType":"Video","S3Key":"k","S3Bucket":"b","Created":"1.5","Extra":1}`)}
	g, err := first.Globals()
	require.NoError(t, err)
	assert.Equal(t, &client.AssetGlobals{MediaType: "Video", S3Key: "k", S3Bucket: "b", Created: "1.5", Extra: client.Extra{"Extra": json.RawMessage(`1`)}}, g)
	_, err = (&client.MetadataPage{AssetID: "a1", Operator: "o", Results: json.RawMessage(`{}`)}).Globals()
	assert.Error(t, err)
}

func TestNewUploadRequest(t *testing.T) {
	var fields map[string]string
	var file string
	var length int64
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		length = r.ContentLength
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		require.NoError(t, err)
		parts := multipart.NewReader(r.Body, params["boundary"])
		fields = map[string]string{}
		for {
			part, err := parts.NextPart()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			b, _ := io.ReadAll(part)
			if part.FormName() == "file" {
				assert.Equal(t, "clip.mp4", part.FileName())
				file = string(b)
				continue
			}
			assert.Empty(t, file, "the file comes last")
			fields[part.FormName()] = string(b)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(server.Close)

	post := client.PresignedPost{URL: server.URL, Fields: map[string]string{"key": "upload/clip.mp4", "policy": "eyJ9", "x-amz-signature": "abc"}}
	content := "0123456789"
	req, err := post.NewUploadRequest(t.Context(), "clip.mp4", strings.NewReader(content+"not sent"), int64(len(content)))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, post.Fields, fields)
	assert.Equal(t, content, file)
	assert.Equal(t, req.ContentLength, length)
}
