package dataplane

import (
	"encoding/base64"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/apigw"
)

const (
	readAsset = "testAssetId"
	// readPointer is a document of readAsset; the original's unit tests used the bare "testPointer", which a cursor
	// may no longer name.
	readPointer = "private/assets/testAssetId/workflows/w1/testPointer.json"
)

// pyCursor encodes a cursor from its JSON text written as Python's json.dumps writes it, independently of the
// handler's encoder.
func pyCursor(text string) string { return base64.URLEncoding.EncodeToString([]byte(text)) }

func getMetadata(t *testing.T, h *Handler, cursor string) apigw.Response {
	t.Helper()
	var query map[string][]string
	if cursor != "" {
		query = map[string][]string{"cursor": {cursor}}
	}
	return call(t, h, event("GET", "/metadata/{asset_id}", asset(readAsset), query, ""))
}

func getOperator(t *testing.T, h *Handler, op, cursor string) apigw.Response {
	t.Helper()
	var query map[string][]string
	if cursor != "" {
		query = map[string][]string{"cursor": {cursor}}
	}
	return call(t, h, event("GET", "/metadata/{asset_id}/{operator_name}", assetOp(readAsset, op), query, ""))
}

func globalsItem() map[string]dbtypes.AttributeValue {
	return map[string]dbtypes.AttributeValue{
		"AssetId": s(readAsset), "MediaType": s("testMediaType"), "S3Key": s("testS3Key"), "S3Bucket": s("testS3Bucket"), "Created": s("testCreated"),
	}
}

const globalsJSON = `{"MediaType":"testMediaType","S3Key":"testS3Key","S3Bucket":"testS3Bucket","Created":"testCreated"}`

// DP-16, DP-38 (test_get_asset_metadata_first_call_*): globals in the original's order, operators sorted,
// lock attributes left out, and the cursor whose remaining[0] shares `"page": 0` with next.
func TestDP16FirstCall(t *testing.T) {
	h, db, _ := newFakeHandler(t)
	db.getItem = func(in *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
		assert.True(t, aws.ToBool(in.ConsistentRead), "Q-26")
		return &dynamodb.GetItemOutput{Item: globalsItem()}, nil
	}
	resp := getMetadata(t, h, "")
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	assert.Equal(t, `{"asset_id":"testAssetId","results":`+globalsJSON+`}`, resp.Body)

	item := globalsItem()
	item["RandomAttribute"] = &dbtypes.AttributeValueMemberL{Value: []dbtypes.AttributeValue{
		&dbtypes.AttributeValueMemberM{Value: map[string]dbtypes.AttributeValue{"pointer": s("testPointer")}}}}
	db.getItem = func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
		return &dynamodb.GetItemOutput{Item: item}, nil
	}
	resp = getMetadata(t, h, "")
	assert.Equal(t, `{"asset_id":"testAssetId","cursor":"`+
		pyCursor(`{"next": {"RandomAttribute": "testPointer", "page": 0}, "remaining": [{"RandomAttribute": "testPointer", "page": 0}]}`)+
		`","results":`+globalsJSON+`}`, resp.Body)

	// The worked example of data-plane §6, with a lock that must not appear.
	item = globalsItem()
	item["labelDetection"] = pointers("w2", "pL", "w1", "old")
	item["Mediainfo"] = pointers("w1", "pM")
	item["Locked"], item["LockedBy"], item["LockedAt"] = s("true"), s("u1"), n("1700000001")
	resp = getMetadata(t, h, "")
	assert.Equal(t, `{"asset_id":"testAssetId","cursor":"`+
		pyCursor(`{"next": {"Mediainfo": "pM", "page": 0}, "remaining": [{"Mediainfo": "pM", "page": 0}, {"labelDetection": "pL"}]}`)+
		`","results":`+globalsJSON+`}`, resp.Body)

	// a query string without cursor is a first call too.
	resp = call(t, h, event("GET", "/metadata/{asset_id}", asset(readAsset), map[string][]string{"x": {"1"}}, ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// DP-16: R9 first-call errors.
func TestDP16FirstCallErrors(t *testing.T) {
	cases := []struct {
		name    string
		getItem func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error)
		status  int
		message string
	}{
		{"AWS error", func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) { return nil, awsError("Throttled") }, 500, "Unable to retrieve metadata: Throttled"},
		{"other error", func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) { return nil, errors.New("reset") }, 500, "Unable to retrieve metadata: reset"},
		{"unknown asset", func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) { return &dynamodb.GetItemOutput{}, nil }, 404, "Exception occurred while verifying asset exists: testAssetId does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, db, _ := newFakeHandler(t)
			db.getItem = tc.getItem
			code := "ChaliceViewError"
			if tc.status == 404 {
				code = "NotFoundError"
			}
			assertError(t, getMetadata(t, h, ""), tc.status, code, tc.message)
		})
	}
	for name, item := range map[string]map[string]dbtypes.AttributeValue{
		"missing global":     {"AssetId": s(readAsset), "MediaType": s("Video")},
		"malformed operator": func() map[string]dbtypes.AttributeValue { i := globalsItem(); i["op"] = s("x"); return i }(),
		"empty pointer list": func() map[string]dbtypes.AttributeValue { i := globalsItem(); i["op"] = pointers(); return i }(),
		"element without key": func() map[string]dbtypes.AttributeValue {
			i := globalsItem()
			i["op"] = &dbtypes.AttributeValueMemberL{Value: []dbtypes.AttributeValue{&dbtypes.AttributeValueMemberM{}}}
			return i
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			h, db, _ := newFakeHandler(t)
			db.getItem = func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
				return &dynamodb.GetItemOutput{Item: item}, nil
			}
			assertGeneric500(t, getMetadata(t, h, ""))
		})
	}
}

// DP-17, DP-38 (test_get_asset_metadata_cursor_call*): each cursor call returns one page and the next cursor,
// byte for byte as the original; no cursor after the last page of the last operator.
func TestDP17CursorCalls(t *testing.T) {
	p := readPointer
	cases := []struct {
		name, cursor, doc, results, next string
	}{
		{"single object (cursor_call)",
			`{"next": {"RandomAttribute": "` + p + `", "page": 0}, "remaining": [{"RandomAttribute": "` + p + `", "page": 0}]}`,
			`"testOperator"`, `"testOperator"`, ""},
		{"next operator (cursor_call_with_remaining)",
			`{"next": {"RandomAttribute": "` + p + `", "page": 0}, "remaining": [{"RandomAttribute": "` + p + `", "page": 0}, {"RandomAttribute": "` + p + `", "page": 1}]}`,
			`"testOperator"`, `"testOperator"`,
			`{"next": {"RandomAttribute": "` + p + `", "page": 0}, "remaining": [{"RandomAttribute": "` + p + `", "page": 0}]}`},
		{"one page (cursor_call_single_operator)",
			`{"next": {"RandomAttribute": "` + p + `", "page": 0}, "remaining": [{"RandomAttribute": "` + p + `", "page": 0}]}`,
			`["testOperator1"]`, `"testOperator1"`, ""},
		{"next page, empty remaining (cursor_call_multi_operator)",
			`{"next": {"RandomAttribute": "` + p + `", "page": 0}, "remaining": []}`,
			`["testOperator1", "testOperator2"]`, `"testOperator1"`,
			`{"next": {"RandomAttribute": "` + p + `", "page": 1}, "remaining": []}`},
		{"next page keeps remaining (cursor_call_with_remaining_multi_operator)",
			`{"next": {"RandomAttribute": "` + p + `", "page": 0}, "remaining": [{"RandomAttribute": "` + p + `", "page": 1}, {"RandomAttribute": "` + p + `", "page": 2}]}`,
			`["testOperator1", "testOperator2"]`, `"testOperator1"`,
			`{"next": {"RandomAttribute": "` + p + `", "page": 1}, "remaining": [{"RandomAttribute": "` + p + `", "page": 1}, {"RandomAttribute": "` + p + `", "page": 2}]}`},
		{"last page of the last operator",
			`{"next": {"RandomAttribute": "` + p + `", "page": 1}, "remaining": [{"RandomAttribute": "` + p + `", "page": 0}]}`,
			`["testOperator1", "testOperator2"]`, `"testOperator2"`, ""},
		{"an R10 cursor read through R9",
			`{"next": {"RandomAttribute": "` + p + `", "page": 1}, "remaining": ["RandomAttribute"]}`,
			`["a", "b"]`, `"b"`, ""},
		{"numbers and text pass through unchanged (DP-15)",
			`{"next": {"op": "` + p + `", "page": 0}, "remaining": [{"op": "` + p + `", "page": 0}]}`,
			`[{"n": 1.0, "e": 1E+16, "big": 123456789012345678901234567890, "s": "é\u00e9"}]`,
			`{"n":1.0,"e":1E+16,"big":123456789012345678901234567890,"s":"\u00e9\u00e9"}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, _, store := newFakeHandler(t)
			store.getObject = objects(map[string]string{p: tc.doc})
			resp := getMetadata(t, h, pyCursor(tc.cursor))
			require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
			op := "RandomAttribute"
			if tc.name == "numbers and text pass through unchanged (DP-15)" {
				op = "op"
			}
			want := `{"asset_id":"testAssetId","operator":"` + op + `",`
			if tc.next != "" {
				want += `"cursor":"` + pyCursor(tc.next) + `",`
			}
			assert.Equal(t, want+`"results":`+tc.results+`}`, resp.Body)
			assert.Empty(t, h.db.(*fakeDB).calls, "cursor calls do not read DynamoDB")
		})
	}
}

// DP-18, Q-06, Q-07: cursors decode in either base64 alphabet with or without padding; cursors this API did not
// make for this asset, or that no longer fit the document, are a 400.
func TestDP18CursorCodec(t *testing.T) {
	text := `{"next": {"op": "` + readPointer + `", "page": 0}, "remaining": [{"op": "` + readPointer + `", "page": 0}]}`
	for name, cur := range map[string]string{
		"url-safe with padding": base64.URLEncoding.EncodeToString([]byte(text)),
		"url-safe unpadded":     base64.RawURLEncoding.EncodeToString([]byte(text)),
		"standard":              base64.StdEncoding.EncodeToString([]byte(text)),
		"standard unpadded":     base64.RawStdEncoding.EncodeToString([]byte(text)),
	} {
		t.Run(name, func(t *testing.T) {
			h, _, store := newFakeHandler(t)
			store.getObject = objects(map[string]string{readPointer: `{"a": 1}`})
			resp := getMetadata(t, h, cur)
			assert.Equal(t, `{"asset_id":"testAssetId","operator":"op","results":{"a":1}}`, resp.Body)
		})
	}
	// A url-safe encoding with - and _ that the original's standard decoding corrupted.
	odd := `{"next": {"op": "` + readPointer + `", "page": 0}, "remaining": [{"op": "` + readPointer + `", "page": 0, "x": ">>>???~~~"}]}`
	require.Regexp(t, `[-_]`, base64.URLEncoding.EncodeToString([]byte(odd)))
	h, _, store := newFakeHandler(t)
	store.getObject = objects(map[string]string{readPointer: `{"a": 1}`})
	assert.Equal(t, http.StatusOK, getMetadata(t, h, pyCursor(odd)).StatusCode)

	other := "private/assets/otherAsset/workflows/w1/op.json"
	bad := map[string]string{
		"not base64":               "%%%",
		"not JSON":                 pyCursor(`{"next"`),
		"not an object":            pyCursor(`[1]`),
		"no next":                  pyCursor(`{"remaining": []}`),
		"next without operator":    pyCursor(`{"next": {"page": 0}, "remaining": []}`),
		"no remaining":             pyCursor(`{"next": {"op": "` + readPointer + `", "page": 0}}`),
		"pointer of another asset": pyCursor(`{"next": {"op": "` + other + `", "page": 0}, "remaining": [{"op": "` + other + `"}]}`),
		"pointer outside assets":   pyCursor(`{"next": {"op": "private/secret.json", "page": 0}, "remaining": [{"op": "x"}]}`),
		"pointer not a string":     pyCursor(`{"next": {"op": 5, "page": 0}, "remaining": [{"op": 5}]}`),
		"negative page":            pyCursor(`{"next": {"op": "` + readPointer + `", "page": -1}, "remaining": [{"op": "x"}]}`),
		"float page":               pyCursor(`{"next": {"op": "` + readPointer + `", "page": 1.0}, "remaining": [{"op": "x"}]}`),
		"boolean page":             pyCursor(`{"next": {"op": "` + readPointer + `", "page": true}, "remaining": [{"op": "x"}]}`),
		"page out of range":        pyCursor(`{"next": {"op": "` + readPointer + `", "page": 2}, "remaining": [{"op": "x"}]}`),
		"nothing remaining at end": pyCursor(`{"next": {"op": "` + readPointer + `", "page": 1}, "remaining": []}`),
		"next operator not object": pyCursor(`{"next": {"op": "` + readPointer + `", "page": 1}, "remaining": [{"op": "x"}, "other"]}`),
		"empty":                    "",
	}
	for name, cur := range bad {
		t.Run(name, func(t *testing.T) {
			h, _, store := newFakeHandler(t)
			store.getObject = objects(map[string]string{readPointer: `["p0", "p1"]`})
			e := event("GET", "/metadata/{asset_id}", asset(readAsset), map[string][]string{"cursor": {cur}}, "")
			assertError(t, call(t, h, e), 400, "BadRequestError", "Invalid cursor")
		})
	}
	t.Run("document read fails", func(t *testing.T) {
		h, _, store := newFakeHandler(t)
		store.getObject = func(*s3.GetObjectInput) (*s3.GetObjectOutput, error) { return nil, awsError("Access Denied") }
		assertGeneric500(t, getMetadata(t, h, pyCursor(text)))
	})
	t.Run("document is not JSON", func(t *testing.T) {
		h, _, store := newFakeHandler(t)
		store.getObject = objects(map[string]string{readPointer: `{`})
		assertGeneric500(t, getMetadata(t, h, pyCursor(text)))
	})
}

// DP-19, DP-38 (test_get_asset_metadata_operator_first_call_*): R10's first call reads the head pointer with a
// projection and returns page 0 with a cursor whose remaining is the operator's name.
func TestDP19OperatorFirstCall(t *testing.T) {
	for _, tc := range []struct{ name, doc, body string }{
		{"single result", `"testOperator1"`, `{"asset_id":"testAssetId","operator":"testOperator","results":"testOperator1"}`},
		{"one page", `["only"]`, `{"asset_id":"testAssetId","operator":"testOperator","results":"only"}`},
		{"several pages", `["testOperator", "testOperator2"]`, `{"asset_id":"testAssetId","operator":"testOperator","cursor":"` +
			pyCursor(`{"next": {"testOperator": "testPointer", "page": 1}, "remaining": ["testOperator"]}`) + `","results":"testOperator"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, db, store := newFakeHandler(t)
			db.getItem = func(in *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
				assert.Equal(t, "#id, #attr", aws.ToString(in.ProjectionExpression))
				assert.Equal(t, map[string]string{"#id": "AssetId", "#attr": "testOperator"}, in.ExpressionAttributeNames)
				assert.True(t, aws.ToBool(in.ConsistentRead), "Q-26")
				return &dynamodb.GetItemOutput{Item: map[string]dbtypes.AttributeValue{
					"AssetId":      s(readAsset),
					"testOperator": &dbtypes.AttributeValueMemberL{Value: []dbtypes.AttributeValue{&dbtypes.AttributeValueMemberM{Value: map[string]dbtypes.AttributeValue{"pointer": s("testPointer")}}}},
				}}, nil
			}
			store.getObject = objects(map[string]string{"testPointer": tc.doc})
			resp := getOperator(t, h, "testOperator", "")
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, tc.body, resp.Body)
		})
	}
}

// DP-20, DP-38 (test_get_asset_metadata_operator_cursor_call): later pages by cursor; R9's remaining is ignored.
func TestDP20OperatorCursor(t *testing.T) {
	h, _, store := newFakeHandler(t)
	store.getObject = objects(map[string]string{readPointer: `["testOperator", "testOperator2", "third"]`})
	cur := pyCursor(`{"next": {"testOperator": "` + readPointer + `", "page": 0}, "remaining": [{"RandomAttribute": "testPointer", "page": 1}, {"RandomAttribute": "testPointer", "page": 2}]}`)
	resp := getOperator(t, h, "testOperator", cur)
	next := pyCursor(`{"next": {"testOperator": "` + readPointer + `", "page": 1}, "remaining": ["testOperator"]}`)
	assert.Equal(t, `{"asset_id":"testAssetId","operator":"testOperator","cursor":"`+next+`","results":"testOperator"}`, resp.Body)
	resp = getOperator(t, h, "testOperator", next)
	last := pyCursor(`{"next": {"testOperator": "` + readPointer + `", "page": 2}, "remaining": ["testOperator"]}`)
	assert.Equal(t, `{"asset_id":"testAssetId","operator":"testOperator","cursor":"`+last+`","results":"testOperator2"}`, resp.Body)
	resp = getOperator(t, h, "testOperator", last)
	assert.Equal(t, `{"asset_id":"testAssetId","operator":"testOperator","results":"third"}`, resp.Body)

	for name, c := range map[string]string{
		"another operator's cursor": pyCursor(`{"next": {"other": "` + readPointer + `", "page": 1}, "remaining": ["other"]}`),
		"page out of range":         pyCursor(`{"next": {"testOperator": "` + readPointer + `", "page": 3}, "remaining": ["testOperator"]}`),
		"another asset's document":  pyCursor(`{"next": {"testOperator": "private/assets/x/workflows/w/testOperator.json", "page": 1}, "remaining": ["testOperator"]}`),
	} {
		t.Run(name, func(t *testing.T) {
			assertError(t, getOperator(t, h, "testOperator", c), 400, "BadRequestError", "Invalid cursor")
		})
	}
	t.Run("single-shot document with a cursor", func(t *testing.T) {
		h, _, store := newFakeHandler(t)
		store.getObject = objects(map[string]string{readPointer: `{"a": 1}`})
		assertError(t, getOperator(t, h, "testOperator", cur), 400, "BadRequestError", "Invalid cursor")
	})
}

// DP-19, Q-08: R10 first-call errors.
func TestDP19OperatorErrors(t *testing.T) {
	item := func(attrs map[string]dbtypes.AttributeValue) func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
		return func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
			return &dynamodb.GetItemOutput{Item: attrs}, nil
		}
	}
	cases := []struct {
		name, op string
		getItem  func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error)
		status   int
		code     string
		message  string
	}{
		{"AWS error (operator_first_call_dynamo_error)", "op", func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) { return nil, awsError("Throttled") }, 500, "ChaliceViewError", "Unable to retrieve metadata: Throttled"},
		{"unknown asset", "op", item(nil), 404, "NotFoundError", "Exception occurred while verifying asset exists: testAssetId does not exist"},
		{"operator without results (Q-08)", "op", item(map[string]dbtypes.AttributeValue{"AssetId": s(readAsset)}), 404, "NotFoundError", "No metadata found for operator op on asset testAssetId"},
		{"asset attribute (Q-14)", "MediaType", nil, 404, "NotFoundError", "No metadata found for operator MediaType on asset testAssetId"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, db, _ := newFakeHandler(t)
			db.getItem = tc.getItem
			assertError(t, getOperator(t, h, tc.op, ""), tc.status, tc.code, tc.message)
		})
	}
	t.Run("document read fails", func(t *testing.T) {
		h, db, store := newFakeHandler(t)
		db.getItem = item(map[string]dbtypes.AttributeValue{"AssetId": s(readAsset), "op": pointers("w", readPointer)})
		store.getObject = objects(nil)
		assertGeneric500(t, getOperator(t, h, "op", ""))
	})
}
