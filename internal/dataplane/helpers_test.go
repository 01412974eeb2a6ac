package dataplane

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// The configuration of the original's unit tests (data-plane §12).
const (
	testTable   = "testDataplaneTableName"
	testBucket  = "testDataplaneBucketName"
	testVersion = "v9.9.9"
)

// testNow is the fixed clock of the unit tests: Created "1700000000.123456", LockedAt 1700000000.
var testNow = time.Unix(1700000000, 123456000)

func testConfig() Config {
	return Config{Table: testTable, Bucket: testBucket, FrameworkVersion: testVersion, Region: "us-east-1"}
}

// offlinePresigner is a presign client with fixed credentials and no endpoint override: it never sends a request.
func offlinePresigner(region, token string) *s3.PresignClient {
	client := s3.New(s3.Options{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", token),
	})
	return NewPresigner(client)
}

// newFakeHandler returns a handler on fakes; tests set the fake functions they expect to be called.
func newFakeHandler(t *testing.T) (*Handler, *fakeDB, *fakeS3) {
	t.Helper()
	db, store := &fakeDB{t: t}, &fakeS3{t: t}
	h, err := New(testConfig(), db, store, offlinePresigner("us-east-1", ""), WithClock(func() time.Time { return testNow }))
	require.NoError(t, err)
	return h, db, store
}

// event builds the proxy event of a request the way API Gateway does, with a JSON Content-Type. query nil means no
// query string; path holds the path variables.
func event(method, resource string, path map[string]string, query map[string][]string, body string) apigw.Event {
	e := apigw.Event{
		Resource:                        resource,
		HTTPMethod:                      method,
		Headers:                         map[string]string{"Content-Type": "application/json"},
		PathParameters:                  path,
		MultiValueQueryStringParameters: query,
		Body:                            body,
	}
	e.RequestContext.ResourcePath = resource
	e.RequestContext.HTTPMethod = method
	return e
}

func asset(id string) map[string]string { return map[string]string{"asset_id": id} }

func assetOp(id, op string) map[string]string {
	return map[string]string{"asset_id": id, "operator_name": op}
}

func call(t *testing.T, h *Handler, e apigw.Event) apigw.Response {
	t.Helper()
	resp, err := h.Handle(context.Background(), e)
	require.NoError(t, err, "the handler answers every request with an envelope")
	return resp
}

// errorJSON is the body of a handled error (DP-03).
func errorJSON(code, message string) string {
	m := pyjson.NewMap()
	m.Set("Code", code)
	m.Set("Message", message)
	b, _ := pyjson.Compact(m)
	return string(b)
}

const genericError = `{"Code":"InternalServerError","Message":"An internal server error occurred."}`

// assertError checks an error response: status and exact body.
func assertError(t *testing.T, resp apigw.Response, status int, code, message string) {
	t.Helper()
	assert.Equal(t, status, resp.StatusCode, resp.Body)
	assert.Equal(t, errorJSON(code, message), resp.Body)
}

func assertGeneric500(t *testing.T, resp apigw.Response) {
	t.Helper()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Equal(t, genericError, resp.Body)
}

// readAll returns the body a PutObject call would send.
func readAll(t *testing.T, in *s3.PutObjectInput) string {
	t.Helper()
	if in.Body == nil {
		return ""
	}
	b, err := io.ReadAll(in.Body)
	require.NoError(t, err)
	return string(b)
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// postForm sends a browser-style multipart upload: the form fields in order, then the file.
func postForm(t testing.TB, url string, fields [][2]string, file string) int {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		require.NoError(t, w.WriteField(f[0], f[1]))
	}
	part, err := w.CreateFormFile("file", "clip.mp4")
	require.NoError(t, err)
	_, err = part.Write([]byte(file))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	resp, err := http.Post(url, w.FormDataContentType(), &buf)
	require.NoError(t, err)
	defer resp.Body.Close()
	return resp.StatusCode
}
