package controlplane

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/awstest"
)

// Targets of the JSON 1.1 protocol (X-Amz-Target: <target>.<Operation>).
const (
	transcribeTarget = "Transcribe"
	translateTarget  = "AWSShineFrontendService_20170701"
	// fakeDate is the Date header of every fake answer, so that ResponseMetadata is predictable.
	fakeDate = "Wed, 01 Jan 2025 00:00:00 GMT"
)

// serviceFake speaks the JSON 1.1 protocol of Transcribe or Translate for what moto cannot serve: a call of an
// operation takes the next answer queued for it and is recorded.
type serviceFake struct {
	t      *testing.T
	target string
	url    string

	mu      sync.Mutex
	answers map[string][]fakeAnswer
	calls   []fakeCall
}

// fakeAnswer is one queued answer: a JSON body with status 200, or an AWS error.
type fakeAnswer struct {
	op     string
	status int
	body   string
}

// fakeCall is one request the fake served: operation and JSON body, and what the fake answered.
type fakeCall struct {
	op, body   string
	requestID  string
	answerSize int
}

// answer queues a 200 answer of op.
func answer(op, body string) fakeAnswer { return fakeAnswer{op: op, status: http.StatusOK, body: body} }

// awsError queues an AWS error answer of op.
func awsError(op, code, message string) fakeAnswer {
	body, _ := json.Marshal(map[string]string{"__type": code, "message": message})
	return fakeAnswer{op: op, status: http.StatusBadRequest, body: string(body)}
}

func newServiceFake(t *testing.T, target string) *serviceFake {
	f := &serviceFake{t: t, target: target, answers: map[string][]fakeAnswer{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

func (f *serviceFake) queue(answers ...fakeAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range answers {
		f.answers[a.op] = append(f.answers[a.op], a)
	}
}

func (f *serviceFake) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("fake %s: read request: %v", f.target, err)
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), f.target+".")
	if !ok || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		f.t.Errorf("fake %s: not a JSON 1.1 call: target %q, content type %q", f.target, r.Header.Get("X-Amz-Target"), r.Header.Get("Content-Type"))
	}
	f.mu.Lock()
	queued := f.answers[op]
	a := awsError(op, "UnexpectedCall", "no answer queued for "+op)
	if len(queued) > 0 {
		a, f.answers[op] = queued[0], queued[1:]
	} else {
		f.t.Errorf("fake %s: unexpected call %s %s", f.target, op, body)
	}
	id := fmt.Sprintf("req-%d", len(f.calls)+1)
	f.calls = append(f.calls, fakeCall{op: op, body: string(body), requestID: id, answerSize: len(a.body)})
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", id)
	w.Header().Set("Date", fakeDate)
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

// assertCalls compares the recorded calls with "<Operation> <JSON body>" lines.
func (f *serviceFake) assertCalls(want ...string) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	require.Len(f.t, f.calls, len(want), "calls: %v", f.calls)
	for i, w := range want {
		op, body, _ := strings.Cut(w, " ")
		assert.Equal(f.t, op, f.calls[i].op)
		assert.JSONEq(f.t, body, f.calls[i].body, op)
	}
}

// lastCall is the most recent recorded call.
func (f *serviceFake) lastCall() fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	require.NotEmpty(f.t, f.calls)
	return f.calls[len(f.calls)-1]
}

// proxyStack is a workflow API handler built by NewFromLookup, as the deployed function is: every service at moto
// except those extra sends elsewhere. The variables of the definition routes get placeholders, since the proxies
// read none of them.
func proxyStack(t *testing.T, extra map[string]string) *stack {
	t.Helper()
	aws := awstest.Lookup(t, extra)
	lookup := func(name string) string {
		if v := aws(name); v != "" || strings.HasPrefix(name, "AWS_") || name == "botoConfig" {
			return v
		}
		return "unused-by-the-proxies"
	}
	h, err := NewFromLookup(t.Context(), lookup)
	require.NoError(t, err)
	return &stack{t: t, h: h}
}

// fakeStack is a handler whose Transcribe and Translate are fakes.
func fakeStack(t *testing.T) (*stack, *serviceFake, *serviceFake) {
	transcribeFake := newServiceFake(t, transcribeTarget)
	translateFake := newServiceFake(t, translateTarget)
	s := proxyStack(t, map[string]string{
		"AWS_ENDPOINT_URL_TRANSCRIBE": transcribeFake.url,
		"AWS_ENDPOINT_URL_TRANSLATE":  translateFake.url,
	})
	return s, transcribeFake, translateFake
}

// metadataPlaceholder stands for the ResponseMetadata of an answer in expected bodies.
const metadataPlaceholder = "<ResponseMetadata>"

// proxyBody checks a 200 answer and returns its body with ResponseMetadata, after checking it against the last call
// of the fake, replaced by metadataPlaceholder.
func proxyBody(t *testing.T, f *serviceFake, resp apigw.Response) string {
	t.Helper()
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	var body map[string]any
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &body))
	if meta, ok := body["ResponseMetadata"]; ok {
		call := f.lastCall()
		want := map[string]any{
			"RequestId":      call.requestID,
			"HTTPStatusCode": 200.0,
			"HTTPHeaders": map[string]any{
				"content-type":     "application/x-amz-json-1.1",
				"content-length":   strconv.Itoa(call.answerSize),
				"date":             fakeDate,
				"x-amzn-requestid": call.requestID,
			},
			"RetryAttempts": 0.0,
		}
		assert.Equal(t, want, meta)
		body["ResponseMetadata"] = metadataPlaceholder
	}
	out, err := json.Marshal(body)
	require.NoError(t, err)
	return string(out)
}

// assertTracebackEnd checks an unhandled 500 by the end of its text/plain body, which may span lines (botocore's
// ParamValidationError does).
func assertTracebackEnd(t *testing.T, resp apigw.Response, end string) {
	t.Helper()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Equal(t, "text/plain", resp.Headers["Content-Type"])
	assert.True(t, strings.HasSuffix(resp.Body, "\n"+end+"\n"), "body %q does not end with %q", resp.Body, end)
}

// fileServer serves downloads: path → status and content, recording the paths asked for.
type fileServer struct {
	url   string
	mu    sync.Mutex
	files map[string]fakeFile
	paths []string
}

type fakeFile struct {
	status  int
	content string
}

func newFileServer(t *testing.T, files map[string]fakeFile) *fileServer {
	fs := &fileServer{files: map[string]fakeFile{}}
	maps.Copy(fs.files, files)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.paths = append(fs.paths, r.URL.RequestURI())
		f, ok := fs.files[r.URL.Path]
		fs.mu.Unlock()
		if !ok {
			f = fakeFile{status: http.StatusNotFound}
		}
		w.WriteHeader(f.status)
		_, _ = io.WriteString(w, f.content)
	}))
	t.Cleanup(srv.Close)
	fs.url = srv.URL
	return fs
}

// redirect is an HTTP client that sends every request to the file server whatever host it names: the presigned
// locations moto returns point at AWS.
func (fs *fileServer) redirect() *http.Client {
	target, _ := url.Parse(fs.url)
	return &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		out := r.Clone(r.Context())
		out.URL.Scheme, out.URL.Host, out.Host = target.Scheme, target.Host, ""
		return http.DefaultTransport.RoundTrip(out)
	})}
}

// serve adds a file.
func (fs *fileServer) serve(path string, f fakeFile) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.files[path] = f
}

func (fs *fileServer) requested() []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]string(nil), fs.paths...)
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
