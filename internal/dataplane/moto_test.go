package dataplane

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/ddbjson"
	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/internal/resources"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// motoStack is the data plane's table and bucket provisioned in moto from internal/resources, the definitions the
// CDK app deploys (data-plane §2.4, §2.5: LockIndex, stream, versioned bucket), and a handler configured with the
// environment resources gives the function.
type motoStack struct {
	h      *Handler
	lookup awsconf.Lookup
	db     *dynamodb.Client
	s3     *s3.Client
	table  string
	bucket string
}

func newMotoStack(t testing.TB) *motoStack {
	t.Helper()
	ctx := t.Context()
	d, err := resources.Provision(ctx, awstest.Config(t, nil), resources.Params{
		StackName: awstest.Prefix(t), ShortID: "abc123", Region: "us-east-1", Account: "123456789012",
	})
	require.NoError(t, err)
	env, err := d.Env(resources.DataplaneAPIHandler)
	require.NoError(t, err)
	st := &motoStack{lookup: awstest.Lookup(t, env), table: env["DATAPLANE_TABLE_NAME"], bucket: env["DATAPLANE_BUCKET"]}
	clients, err := awsconf.Load(ctx, st.lookup)
	require.NoError(t, err)
	st.db, st.s3 = clients.DynamoDB(), clients.S3()
	cfg, err := ConfigFromLookup(st.lookup)
	require.NoError(t, err)
	st.h, err = New(cfg, st.db, st.s3, NewPresigner(st.s3), WithClock(func() time.Time { return testNow }))
	require.NoError(t, err)
	return st
}

// state is everything the data plane stores: each item as Python-spaced JSON with sorted keys, each current object
// with its body, and the number of object versions and delete markers (so that nothing written and removed again
// goes unnoticed).
type state struct {
	Items    map[string]string
	Objects  map[string]string
	Versions int
}

func (st *motoStack) state(t testing.TB) state {
	t.Helper()
	ctx := t.Context()
	s := state{Items: map[string]string{}, Objects: map[string]string{}}
	scan, err := st.db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(st.table), ConsistentRead: aws.Bool(true)})
	require.NoError(t, err)
	for _, item := range scan.Items {
		id, _ := stringAttr(item, "AssetId")
		s.Items[id] = itemJSON(t, item)
	}
	list, err := st.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(st.bucket)})
	require.NoError(t, err)
	for _, o := range list.Contents {
		s.Objects[aws.ToString(o.Key)] = st.object(t, aws.ToString(o.Key))
	}
	versions, err := st.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(st.bucket)})
	require.NoError(t, err)
	s.Versions = len(versions.Versions) + len(versions.DeleteMarkers)
	return s
}

func itemJSON(t testing.TB, item map[string]dbtypes.AttributeValue) string {
	t.Helper()
	m, err := ddbjson.UnmarshalMap(item)
	require.NoError(t, err)
	b, err := pyjson.Python(m)
	require.NoError(t, err)
	return string(b)
}

func (st *motoStack) item(t testing.TB, id string) string {
	t.Helper()
	return st.state(t).Items[id]
}

func (st *motoStack) object(t testing.TB, key string) string {
	t.Helper()
	out, err := st.s3.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(st.bucket), Key: aws.String(key)})
	require.NoError(t, err)
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	return string(b)
}

func (st *motoStack) putObject(t testing.TB, key, body string) {
	t.Helper()
	_, err := st.s3.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(st.bucket), Key: aws.String(key), Body: stringsReader(body)})
	require.NoError(t, err)
}

func (st *motoStack) call(t testing.TB, method, resource string, path map[string]string, query map[string][]string, body string) apigw.Response {
	t.Helper()
	resp, err := st.h.Handle(t.Context(), event(method, resource, path, query, body))
	require.NoError(t, err)
	return resp
}

func (st *motoStack) create(t testing.TB, bucket, key string) string {
	t.Helper()
	resp := st.call(t, "POST", "/create", nil, nil, `{"Input": {"MediaType": "Video", "S3Bucket": "`+bucket+`", "S3Key": "`+key+`"}}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	return regexp.MustCompile(`"AssetId":"([^"]+)"`).FindStringSubmatch(resp.Body)[1]
}

// decodedCursor returns the JSON text inside a cursor of a response body.
func decodedCursor(t testing.TB, body string) string {
	t.Helper()
	m, err := pyjson.DecodeObject([]byte(body))
	require.NoError(t, err)
	c, ok := m.Get("cursor")
	if !ok {
		return ""
	}
	text, err := base64.URLEncoding.DecodeString(c.(string))
	require.NoError(t, err)
	return string(text)
}

func cursorOf(t testing.TB, body string) string {
	t.Helper()
	m, err := pyjson.DecodeObject([]byte(body))
	require.NoError(t, err)
	c, _ := m.Get("cursor")
	s, _ := c.(string)
	return s
}

// The data of the original's integration test (test_dataplane_crud.py).
const (
	nonPagedBody = `{"OperatorName": "samplenonpagresults", "WorkflowId": "test-123", "Results": {"Testing": "This is some test data"}}`
	nonPagedDoc  = `{"Testing": "This is some test data"}`
)

func labelPage(name string) string {
	return `{"OperatorName": "samplepagresults", "WorkflowId": "test-123", "Results": {"Labels": [{"Timestamp": 0, "Label": {"Name": "` +
		name + `", "Confidence": 54.41469192504883, "Instances": [], "Parents": []}}]}}`
}

// labelStored is a page as stored: Python spacing, the float as a string (DP-15).
func labelStored(name string) string {
	return `{"Labels": [{"Timestamp": 0, "Label": {"Name": "` + name + `", "Confidence": "54.41469192504883", "Instances": [], "Parents": []}}]}`
}

// labelReturned is a page as R9 and R10 return it: compact.
func labelReturned(name string) string {
	return `{"Labels":[{"Timestamp":0,"Label":{"Name":"` + name + `","Confidence":"54.41469192504883","Instances":[],"Parents":[]}}]}`
}

// DP-38 (test_dataplane_crud), DP-10, DP-12, DP-13, DP-15 to DP-17, DP-19 to DP-25: the original's integration
// scenario against moto, comparing the stored items and objects with data-plane §4 after every step.
func TestDP38Lifecycle(t *testing.T) {
	st := newMotoStack(t)
	st.putObject(t, "upload/keynote.mp4", "media bytes")

	// Create (R6): marker object and item.
	id := st.create(t, st.bucket, "upload/keynote.mp4")
	assert.Regexp(t, uuidV4, id)
	prefix := "private/assets/" + id + "/"
	globals := `"AssetId": "` + id + `", "Created": "1700000000.123456", "MediaType": "Video", "S3Bucket": "` + st.bucket + `", "S3Key": "upload/keynote.mp4"`
	assert.Equal(t, `{`+globals+`}`, st.item(t, id))
	assert.Equal(t, map[string]string{"upload/keynote.mp4": "media bytes", prefix: ""}, st.state(t).Objects)

	// Single-shot store (R8).
	keyN := prefix + "workflows/test-123/samplenonpagresults.json"
	resp := st.call(t, "POST", "/metadata/{asset_id}", asset(id), nil, nonPagedBody)
	assert.Equal(t, `{"Status":"Success","Bucket":"`+st.bucket+`","Key":"`+keyN+`"}`, resp.Body)
	assert.Equal(t, nonPagedDoc, st.object(t, keyN))
	pointerN := `"samplenonpagresults": [{"pointer": "` + keyN + `", "workflow": "test-123"}]`
	assert.Equal(t, `{`+globals+`, `+pointerN+`}`, st.item(t, id))

	// Three pages (R8 paged): nothing is published before the end page.
	keyP := prefix + "workflows/test-123/samplepagresults.json"
	paged := map[string][]string{"paginated": {"true"}}
	for i, name := range []string{"Purple", "Green"} {
		resp = st.call(t, "POST", "/metadata/{asset_id}", asset(id), paged, labelPage(name))
		assert.Equal(t, `{"Status":"Success"}`, resp.Body)
		assert.Equal(t, `{`+globals+`, `+pointerN+`}`, st.item(t, id), "page %d publishes nothing", i)
	}
	assert.Equal(t, "["+labelStored("Purple")+", "+labelStored("Green")+"]", st.object(t, keyP))
	resp = st.call(t, "POST", "/metadata/{asset_id}", asset(id), map[string][]string{"paginated": {"true"}, "end": {"true"}}, labelPage("Blue"))
	assert.Equal(t, `{"Status":"Success","Bucket":"`+st.bucket+`","Key":"`+keyP+`"}`, resp.Body)
	assert.Equal(t, "["+labelStored("Purple")+", "+labelStored("Green")+", "+labelStored("Blue")+"]", st.object(t, keyP))
	pointerP := `"samplepagresults": [{"pointer": "` + keyP + `", "workflow": "test-123"}]`
	assert.Equal(t, `{`+globals+`, `+pointerN+`, `+pointerP+`}`, st.item(t, id))

	// R9: globals, then every operator and page through cursors (data-plane §6).
	resp = st.call(t, "GET", "/metadata/{asset_id}", asset(id), nil, "")
	assert.Regexp(t, `^\{"asset_id":"`+id+`","cursor":"[A-Za-z0-9_=-]+","results":\{"MediaType":"Video","S3Key":"upload/keynote.mp4","S3Bucket":"`+st.bucket+`","Created":"1700000000.123456"\}\}$`, resp.Body)
	wantCursors := []string{
		`{"next": {"samplenonpagresults": "` + keyN + `", "page": 0}, "remaining": [{"samplenonpagresults": "` + keyN + `", "page": 0}, {"samplepagresults": "` + keyP + `"}]}`,
		`{"next": {"samplepagresults": "` + keyP + `", "page": 0}, "remaining": [{"samplepagresults": "` + keyP + `", "page": 0}]}`,
		`{"next": {"samplepagresults": "` + keyP + `", "page": 1}, "remaining": [{"samplepagresults": "` + keyP + `", "page": 0}]}`,
		`{"next": {"samplepagresults": "` + keyP + `", "page": 2}, "remaining": [{"samplepagresults": "` + keyP + `", "page": 0}]}`,
		"",
	}
	wantPages := []struct{ op, results string }{
		{"samplenonpagresults", `{"Testing":"This is some test data"}`},
		{"samplepagresults", labelReturned("Purple")},
		{"samplepagresults", labelReturned("Green")},
		{"samplepagresults", labelReturned("Blue")},
	}
	assert.Equal(t, wantCursors[0], decodedCursor(t, resp.Body))
	for i, want := range wantPages {
		resp = st.call(t, "GET", "/metadata/{asset_id}", asset(id), map[string][]string{"cursor": {cursorOf(t, resp.Body)}}, "")
		require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
		c := ""
		if cursorOf(t, resp.Body) != "" {
			c = `"cursor":"` + cursorOf(t, resp.Body) + `",`
		}
		assert.Equal(t, `{"asset_id":"`+id+`","operator":"`+want.op+`",`+c+`"results":`+want.results+`}`, resp.Body)
		assert.Equal(t, wantCursors[i+1], decodedCursor(t, resp.Body), "cursor after call %d", i+2)
	}

	// R10: one operator, page by page.
	resp = st.call(t, "GET", "/metadata/{asset_id}/{operator_name}", assetOp(id, "samplenonpagresults"), nil, "")
	assert.Equal(t, `{"asset_id":"`+id+`","operator":"samplenonpagresults","results":{"Testing":"This is some test data"}}`, resp.Body)
	resp = st.call(t, "GET", "/metadata/{asset_id}/{operator_name}", assetOp(id, "samplepagresults"), nil, "")
	for i, name := range []string{"Purple", "Green", "Blue"} {
		require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
		assert.Contains(t, resp.Body, `"results":`+labelReturned(name)+`}`)
		if i == 2 {
			assert.Empty(t, cursorOf(t, resp.Body))
			break
		}
		assert.Equal(t, `{"next": {"samplepagresults": "`+keyP+`", "page": `+[]string{"1", "2"}[i]+`}, "remaining": ["samplepagresults"]}`, decodedCursor(t, resp.Body))
		resp = st.call(t, "GET", "/metadata/{asset_id}/{operator_name}", assetOp(id, "samplepagresults"), map[string][]string{"cursor": {cursorOf(t, resp.Body)}}, "")
	}

	// Locks (R13 to R15).
	resp = st.call(t, "POST", "/checkout/{asset_id}", asset(id), nil, `{"LockedBy": "user01@example.com"}`)
	assert.Equal(t, `{"AssetId":"`+id+`","LockedBy":"user01@example.com","LockedAt":1700000000}`, resp.Body)
	locked := `{"AssetId": "` + id + `", "Created": "1700000000.123456", "Locked": "true", "LockedAt": 1700000000, "LockedBy": "user01@example.com", ` +
		`"MediaType": "Video", "S3Bucket": "` + st.bucket + `", "S3Key": "upload/keynote.mp4", ` + pointerN + `, ` + pointerP + `}`
	assert.Equal(t, locked, st.item(t, id))
	resp = st.call(t, "POST", "/checkout/{asset_id}", asset(id), nil, `{"LockedBy": "user02@example.com"}`)
	assertError(t, resp, 500, "ChaliceViewError", "Unable to lock asset: The conditional request failed")
	assert.Equal(t, locked, st.item(t, id))
	resp = st.call(t, "GET", "/checkouts", nil, nil, "")
	assert.Equal(t, `{"locks":[{"AssetId":"`+id+`","LockedBy":"user01@example.com","LockedAt":"1700000000"}]}`, resp.Body)
	resp = st.call(t, "GET", "/metadata/{asset_id}", asset(id), nil, "")
	assert.Equal(t, wantCursors[0], decodedCursor(t, resp.Body), "lock attributes are not operators")
	resp = st.call(t, "POST", "/checkin/{asset_id}", asset(id), nil, "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "Unlocked asset "+id, resp.Body)
	assert.Equal(t, `{`+globals+`, `+pointerN+`, `+pointerP+`}`, st.item(t, id))
	resp = st.call(t, "POST", "/checkin/{asset_id}", asset(id), nil, "")
	assertError(t, resp, 500, "ChaliceViewError", "Unable to unlock asset: The conditional request failed")
	assert.Equal(t, `{"locks":[]}`, st.call(t, "GET", "/checkouts", nil, nil, "").Body)

	// R11: the operator's attribute and document go; S3 answers with a delete marker (versioned bucket).
	resp = st.call(t, "DELETE", "/metadata/{asset_id}/{operator_name}", assetOp(id, "samplenonpagresults"), nil, "")
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	assert.Regexp(t, `^\{"Deleted":\[\{"Key":"`+regexp.QuoteMeta(keyN)+`","DeleteMarker":true,"DeleteMarkerVersionId":"[^"]+"\}\]\}$`, resp.Body)
	assert.Equal(t, `{`+globals+`, `+pointerP+`}`, st.item(t, id))
	assert.NotContains(t, st.state(t).Objects, keyN)
	resp = st.call(t, "GET", "/metadata/{asset_id}/{operator_name}", assetOp(id, "samplenonpagresults"), nil, "")
	assertError(t, resp, 404, "NotFoundError", "No metadata found for operator samplenonpagresults on asset "+id)

	// R12: item, documents, source media in the data plane bucket and marker go; derived media stays.
	derived := prefix + "workflows/test-123/audio.mp3"
	st.putObject(t, derived, "derived")
	resp = st.call(t, "DELETE", "/metadata/{asset_id}", asset(id), nil, "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "Deleted asset: "+id+" from the dataplane", resp.Body)
	after := st.state(t)
	assert.Empty(t, after.Items)
	assert.Equal(t, map[string]string{derived: "derived"}, after.Objects)
	resp = st.call(t, "GET", "/metadata/{asset_id}", asset(id), nil, "")
	assertError(t, resp, 404, "NotFoundError", "Exception occurred while verifying asset exists: "+id+" does not exist")
}

// DP-14, DP-26, DP-36: malformed, unknown-asset and oversized requests get the original's answer (or the fixed one)
// and leave the table and the bucket exactly as they were.
func TestBadRequestsChangeNothing(t *testing.T) {
	st := newMotoStack(t)
	st.putObject(t, "upload/keynote.mp4", "media bytes")
	id := st.create(t, st.bucket, "upload/keynote.mp4")
	require.Equal(t, http.StatusOK, st.call(t, "POST", "/metadata/{asset_id}", asset(id), nil, nonPagedBody).StatusCode)
	require.Equal(t, http.StatusOK, st.call(t, "POST", "/metadata/{asset_id}", asset(id), map[string][]string{"paginated": {"true"}}, labelPage("Purple")).StatusCode)
	const ghost = "00000000-0000-4000-8000-000000000000"
	notFound := "Exception occurred while verifying asset exists: " + ghost + " does not exist"
	keyN := "private/assets/" + id + "/workflows/test-123/samplenonpagresults.json"
	foreign := base64.URLEncoding.EncodeToString([]byte(`{"next": {"x": "upload/keynote.mp4", "page": 0}, "remaining": [{"x": "upload/keynote.mp4"}]}`))
	storeOp := func(op string) string {
		return `{"OperatorName": "` + op + `", "WorkflowId": "w", "Results": {}}`
	}

	cases := []struct {
		name             string
		method, resource string
		path             map[string]string
		query            map[string][]string
		body             string
		status           int
		code, message    string
	}{
		{"create without S3Key", "POST", "/create", nil, nil, `{"Input": {"MediaType": "Video", "S3Bucket": "b"}}`, 400, "BadRequestError", "Missing required inputs for asset creation: 'S3Key'"},
		{"create with invalid JSON", "POST", "/create", nil, nil, `{"Input":`, 400, "BadRequestError", "Error Parsing JSON"},
		{"create with a number", "POST", "/create", nil, nil, `{"Input": {"MediaType": "Video", "S3Bucket": "b", "S3Key": 7}}`, 400, "BadRequestError", "Invalid input for asset creation: 'S3Key' must be a string"},
		{"create with a non-object body", "POST", "/create", nil, nil, `[]`, 500, "InternalServerError", "An internal server error occurred."},
		{"store for an unknown asset", "POST", "/metadata/{asset_id}", asset(ghost), nil, nonPagedBody, 404, "NotFoundError", notFound},
		{"store with a stray parameter", "POST", "/metadata/{asset_id}", asset(id), map[string][]string{"x": {"1"}}, nonPagedBody, 400, "BadRequestError", "Must pass required query parameter: paginated"},
		{"store with end=false", "POST", "/metadata/{asset_id}", asset(id), map[string][]string{"paginated": {"true"}, "end": {"false"}}, nonPagedBody, 400, "BadRequestError", "Query param end only supports a value of: true"},
		{"store without Results", "POST", "/metadata/{asset_id}", asset(id), nil, `{"OperatorName": "o", "WorkflowId": "w"}`, 400, "BadRequestError", "Missing required inputs for storing metadata: 'Results'"},
		{"store Results as a list", "POST", "/metadata/{asset_id}", asset(id), nil, `{"OperatorName": "o", "WorkflowId": "w", "Results": []}`, 400, "BadRequestError", "Exception occurred while storing metadata for " + id + ": results are not the required data type, dict"},
		{"store an infinite number", "POST", "/metadata/{asset_id}", asset(id), nil, `{"OperatorName": "o", "WorkflowId": "w", "Results": {"x": -1e999}}`, 400, "BadRequestError", "Exception occurred while storing metadata for " + id + ": results contain a number that is not finite"},
		{"store under a lock attribute", "POST", "/metadata/{asset_id}", asset(id), nil, storeOp("LockedAt"), 400, "BadRequestError", "Operator name 'LockedAt' is reserved"},
		{"store under page", "POST", "/metadata/{asset_id}", asset(id), nil, storeOp("page"), 400, "BadRequestError", "Operator name 'page' is reserved"},
		{"store a null body", "POST", "/metadata/{asset_id}", asset(id), nil, `null`, 500, "ChaliceViewError", "Unknown exception when storing asset metadata: 'NoneType' object is not subscriptable"},
		{"store a numeric operator", "POST", "/metadata/{asset_id}", asset(id), nil, `{"OperatorName": 1, "WorkflowId": "w", "Results": {}}`, 500, "InternalServerError", "An internal server error occurred."},
		{"page onto a single-shot result", "POST", "/metadata/{asset_id}", asset(id), map[string][]string{"paginated": {"true"}}, nonPagedBody, 500, "ChaliceViewError", "Exception occurred while writing metadata to s3: existing object is not a list of pages"},
		{"read an unknown asset", "GET", "/metadata/{asset_id}", asset(ghost), nil, "", 404, "NotFoundError", notFound},
		{"read with a garbage cursor", "GET", "/metadata/{asset_id}", asset(id), map[string][]string{"cursor": {"not-a-cursor"}}, "", 400, "BadRequestError", "Invalid cursor"},
		{"read another object through a cursor", "GET", "/metadata/{asset_id}", asset(id), map[string][]string{"cursor": {foreign}}, "", 400, "BadRequestError", "Invalid cursor"},
		{"read an unknown operator", "GET", "/metadata/{asset_id}/{operator_name}", assetOp(id, "nothing"), nil, "", 404, "NotFoundError", "No metadata found for operator nothing on asset " + id},
		{"read an operator of an unknown asset", "GET", "/metadata/{asset_id}/{operator_name}", assetOp(ghost, "x"), nil, "", 404, "NotFoundError", notFound},
		{"delete an operator of an unknown asset", "DELETE", "/metadata/{asset_id}/{operator_name}", assetOp(ghost, "x"), nil, "", 404, "NotFoundError", notFound},
		{"delete an unknown operator", "DELETE", "/metadata/{asset_id}/{operator_name}", assetOp(id, "nothing"), nil, "", 404, "NotFoundError", "Unable to delete metadata, pointer does not exist for nothing"},
		{"delete a global attribute", "DELETE", "/metadata/{asset_id}/{operator_name}", assetOp(id, "S3Key"), nil, "", 400, "BadRequestError", "Operator name 'S3Key' is reserved"},
		{"delete an unknown asset", "DELETE", "/metadata/{asset_id}", asset(ghost), nil, "", 500, "ChaliceViewError", "Unable to delete asset: 'Attributes'"},
		{"lock an unknown asset", "POST", "/checkout/{asset_id}", asset(ghost), nil, `{"LockedBy": "u1"}`, 404, "NotFoundError", notFound},
		{"lock with invalid JSON", "POST", "/checkout/{asset_id}", asset(id), nil, `{`, 400, "BadRequestError", "Error Parsing JSON"},
		{"lock without LockedBy", "POST", "/checkout/{asset_id}", asset(id), nil, `{}`, 500, "InternalServerError", "An internal server error occurred."},
		{"unlock an unlocked asset", "POST", "/checkin/{asset_id}", asset(id), nil, "", 500, "ChaliceViewError", "Unable to unlock asset: The conditional request failed"},
		{"unlock an unknown asset", "POST", "/checkin/{asset_id}", asset(ghost), nil, "", 500, "ChaliceViewError", "Unable to unlock asset: The conditional request failed"},
		{"upload without a bucket", "POST", "/upload", nil, nil, `{"S3Key": "k"}`, 500, "ChaliceViewError", "Unable to generate pre-signed S3 URL for uploading media: 'S3Bucket'"},
		{"download with invalid JSON", "POST", "/download", nil, nil, `nope`, 500, "ChaliceViewError", "Unable to generate pre-signed S3 URL for downloading media: Expecting value: line 1 column 1 (char 0)"},
		{"unsupported media type", "POST", "/create", nil, nil, "", 415, "UnsupportedMediaType", "Unsupported media type: text/plain"},
		{"unsupported method", "PATCH", "/metadata/{asset_id}", asset(id), nil, "", 405, "MethodNotAllowedError", "Unsupported method: PATCH"},
	}
	before := st.state(t)
	require.Contains(t, before.Objects, keyN)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := event(tc.method, tc.resource, tc.path, tc.query, tc.body)
			if tc.status == http.StatusUnsupportedMediaType {
				e.Headers = map[string]string{"Content-Type": "text/plain"}
			}
			resp, err := st.h.Handle(t.Context(), e)
			require.NoError(t, err)
			assertError(t, resp, tc.status, tc.code, tc.message)
			assert.Equal(t, before, st.state(t), "stored data unchanged")
		})
	}

	// DP-36: a pointer list that would push the item past DynamoDB's 400 KB fails with the original's message; the
	// document version written for it is removed again, so the earlier result under the same key is current.
	t.Run("item beyond 400 KB", func(t *testing.T) {
		// Fill the item up to within 64 bytes of the limit; the new pointer entry is larger than that.
		for size := 400 * 1024; ; size -= 64 {
			require.Positive(t, size)
			_, err := st.db.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{
				TableName:                 aws.String(st.table),
				Key:                       keyOf(id),
				UpdateExpression:          aws.String("SET history = :h"),
				ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":h": pointers("w", strings.Repeat("x", size))},
			})
			if err == nil {
				break
			}
		}
		full := st.state(t)
		body := `{"OperatorName": "samplenonpagresults", "WorkflowId": "test-123", "Results": {"Testing": "changed"}}`
		resp := st.call(t, "POST", "/metadata/{asset_id}", asset(id), nil, body)
		assertError(t, resp, 500, "ChaliceViewError", "Unable to update metadata pointer: Item size to update has exceeded the maximum allowed size")
		assert.Equal(t, full, st.state(t), "stored data unchanged")
		assert.Equal(t, nonPagedDoc, st.object(t, keyN))
	})
}

// DP-37: the events the operator helper and the workflow API send by direct invocation (data-plane §3.6), read the
// way the helper reads them: the JSON body of the envelope, whatever the status.
func TestDP37DirectInvoke(t *testing.T) {
	st := newMotoStack(t)
	h, err := NewFromLookup(t.Context(), st.lookup)
	require.NoError(t, err)
	invoke := func(method, resource, path string, params map[string]string, query map[string]string, body string) (int, *pyjson.Map) {
		t.Helper()
		var multi map[string][]string
		if query != nil {
			multi = map[string][]string{}
			for k, v := range query {
				multi[k] = []string{v}
			}
		}
		raw, err := json.Marshal(map[string]any{
			"resource": resource, "path": path, "httpMethod": method,
			"headers": map[string]string{"Content-Type": "application/json"}, "multiValueHeaders": map[string]any{},
			"queryStringParameters": query, "multiValueQueryStringParameters": multi,
			"pathParameters": params, "stageVariables": map[string]any{},
			"requestContext": map[string]any{"resourcePath": resource, "requestTime": 1700000123.456789, "httpMethod": method, "requestId": "lambda_3f9a1c2b7d4e"},
			"body":           body, "isBase64Encoded": false,
		})
		require.NoError(t, err)
		var e apigw.Event
		require.NoError(t, json.Unmarshal(raw, &e))
		resp, err := h.Handle(t.Context(), e)
		require.NoError(t, err)
		out, err := json.Marshal(resp)
		require.NoError(t, err)
		var envelope struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		require.NoError(t, json.Unmarshal(out, &envelope))
		m, err := pyjson.DecodeObject([]byte(envelope.Body))
		require.NoError(t, err, envelope.Body)
		return envelope.StatusCode, m
	}
	get := func(m *pyjson.Map, key string) any { v, _ := m.Get(key); return v }

	status, created := invoke("POST", "/create", "/create", nil, nil, `{"Input": {"MediaType": "Video", "S3Bucket": "`+st.bucket+`", "S3Key": "upload/a.mp4"}}`)
	require.Equal(t, 200, status)
	id := get(created, "AssetId").(string)
	assert.Equal(t, []string{"AssetId", "MediaType", "S3Bucket", "S3Key"}, created.Keys())
	assert.Regexp(t, `^\{"AssetId": "`+id+`", "Created": "\d+\.\d+", "MediaType": "Video"`, st.item(t, id))

	path := "/metadata/" + id
	for i, name := range []string{"Purple", "Green", "Blue"} {
		query := map[string]string{"paginated": "true"}
		if i == 2 {
			query["end"] = "true"
		}
		status, stored := invoke("POST", "/metadata/{asset_id}", path, asset(id), query, labelPage(name))
		require.Equal(t, 200, status)
		assert.Equal(t, "Success", get(stored, "Status"))
	}
	status, first := invoke("GET", "/metadata/{asset_id}", path, asset(id), nil, "null")
	require.Equal(t, 200, status)
	results := get(first, "results").(*pyjson.Map)
	assert.Equal(t, st.bucket, get(results, "S3Bucket"))
	assert.Equal(t, "upload/a.mp4", get(results, "S3Key"))
	assert.Equal(t, "Video", get(results, "MediaType"))

	var names []string
	cursor := ""
	for {
		query := map[string]string(nil)
		if cursor != "" {
			query = map[string]string{"cursor": cursor}
		}
		status, page := invoke("GET", "/metadata/{asset_id}/{operator_name}", path+"/samplepagresults", assetOp(id, "samplepagresults"), query, "null")
		require.Equal(t, 200, status)
		label := get(get(get(page, "results").(*pyjson.Map), "Labels").([]any)[0].(*pyjson.Map), "Label").(*pyjson.Map)
		names = append(names, get(label, "Name").(string))
		assert.Equal(t, "54.41469192504883", get(label, "Confidence"), "floats come back as strings")
		c, ok := page.Get("cursor")
		if !ok {
			break
		}
		cursor = c.(string)
	}
	assert.Equal(t, []string{"Purple", "Green", "Blue"}, names)

	status, media := invoke("GET", "/mediapath/{asset_id}/{workflow_id}", "/mediapath/"+id+"/wf", map[string]string{"asset_id": id, "workflow_id": "wf"}, nil, "null")
	assert.Equal(t, 200, status)
	assert.Equal(t, "private/assets/"+id+"/workflows/wf/", get(media, "S3Key"))

	status, missing := invoke("GET", "/metadata/{asset_id}", "/metadata/nope", asset("nope"), nil, "null")
	assert.Equal(t, 404, status)
	assert.Equal(t, "NotFoundError", get(missing, "Code"))
	_, hasResults := missing.Get("results")
	assert.False(t, hasResults, "callers test for results")
}

// DP-07, DP-08: a browser-style upload with R3's form and a download with R4's URL work against moto (which checks
// neither the policy nor the signature; TestDP07PresignedPost checks those).
func TestDP07UploadAndDownloadThroughMoto(t *testing.T) {
	st := newMotoStack(t)
	resp := st.call(t, "POST", "/upload", nil, nil, `{"S3Bucket": "`+st.bucket+`", "S3Key": "upload/clip.mp4"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	form, err := pyjson.DecodeObject([]byte(resp.Body))
	require.NoError(t, err)
	u, _ := form.Get("url")
	fv, _ := form.Get("fields")
	var fields [][2]string
	for k, v := range fv.(*pyjson.Map).All() {
		fields = append(fields, [2]string{k, v.(string)})
	}
	status := postForm(t, u.(string), fields, "clip bytes")
	assert.Equal(t, http.StatusNoContent, status)
	assert.Equal(t, "clip bytes", st.object(t, "upload/clip.mp4"))

	resp = st.call(t, "POST", "/download", nil, nil, `{"S3Bucket": "`+st.bucket+`", "S3Key": "upload/clip.mp4"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	got, err := http.Get(resp.Body)
	require.NoError(t, err)
	defer got.Body.Close()
	b, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, got.StatusCode)
	assert.Equal(t, "clip bytes", string(b))
}
