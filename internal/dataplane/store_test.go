package dataplane

import (
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
	storeAsset = "6d0f2c1e-8a51-4c4e-9a55-0f2b7f1d9c33"
	storeKey   = "private/assets/" + storeAsset + "/workflows/abcd-1234-efgh-5678/testOperator.json"
	// storeBody is the original unit tests' request.
	storeBody = `{"OperatorName": "testOperator", "Results": {"serviceName": "testService", "someValue": {"nextValue": "testValue"}}, "WorkflowId": "abcd-1234-efgh-5678"}`
	// storedResults is how the original wrote those results: json.dumps with Python's separators.
	storedResults = `{"serviceName": "testService", "someValue": {"nextValue": "testValue"}}`
)

// storeFake is a handler whose asset exists with the given pointer list for testOperator (nil: none yet), whose
// bucket holds docs, and which records what it writes.
type storeFake struct {
	h      *Handler
	db     *fakeDB
	s3     *fakeS3
	puts   map[string]string
	update *dynamodb.UpdateItemInput
}

func newStoreFake(t *testing.T, list dbtypes.AttributeValue, docs map[string]string) *storeFake {
	t.Helper()
	h, db, store := newFakeHandler(t)
	f := &storeFake{h: h, db: db, s3: store, puts: map[string]string{}}
	db.getItem = func(in *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
		assert.True(t, aws.ToBool(in.ConsistentRead), "Q-26")
		item := map[string]dbtypes.AttributeValue{"AssetId": s(storeAsset)}
		if list != nil {
			item["testOperator"] = list
		}
		return &dynamodb.GetItemOutput{Item: item}, nil
	}
	store.getObject = objects(docs)
	store.putObject = func(in *s3.PutObjectInput) (*s3.PutObjectOutput, error) {
		assert.Equal(t, testBucket, aws.ToString(in.Bucket))
		assert.Nil(t, in.ContentType, "written without a content type, like the original")
		f.puts[aws.ToString(in.Key)] = readAll(t, in)
		return &s3.PutObjectOutput{}, nil
	}
	db.updateItem = func(in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
		f.update = in
		return &dynamodb.UpdateItemOutput{}, nil
	}
	return f
}

func (f *storeFake) store(t *testing.T, query map[string][]string, body string) apigw.Response {
	t.Helper()
	return call(t, f.h, event("POST", "/metadata/{asset_id}", asset(storeAsset), query, body))
}

// assertPublished checks the pointer update: the original's expression, the new head, then the older entries.
func (f *storeFake) assertPublished(t *testing.T, list ...string) {
	t.Helper()
	require.NotNil(t, f.update, "pointer published")
	assert.Equal(t, "SET #operator_result = :result", aws.ToString(f.update.UpdateExpression))
	assert.Equal(t, map[string]string{"#operator_result": "testOperator"}, f.update.ExpressionAttributeNames)
	assert.Equal(t, "attribute_exists(AssetId)", aws.ToString(f.update.ConditionExpression))
	assert.Equal(t, map[string]dbtypes.AttributeValue{":result": pointers(list...)}, f.update.ExpressionAttributeValues)
}

// DP-12, DP-38 (test_put_asset_metadata_non_paginated): a single-shot store writes the results as the object and
// prepends the pointer.
func TestDP12StoreSingleShot(t *testing.T) {
	f := newStoreFake(t, nil, nil)
	resp := f.store(t, nil, storeBody)
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	assert.Equal(t, `{"Status":"Success","Bucket":"testDataplaneBucketName","Key":"`+storeKey+`"}`, resp.Body)
	assert.Equal(t, map[string]string{storeKey: storedResults}, f.puts)
	f.assertPublished(t, "abcd-1234-efgh-5678", storeKey)

	// A later store keeps the history: the new entry goes first, duplicates included.
	f = newStoreFake(t, pointers("abcd-1234-efgh-5678", storeKey, "old-wf", "private/assets/"+storeAsset+"/workflows/old-wf/testOperator.json"), nil)
	require.Equal(t, http.StatusOK, f.store(t, nil, storeBody).StatusCode)
	f.assertPublished(t, "abcd-1234-efgh-5678", storeKey, "abcd-1234-efgh-5678", storeKey, "old-wf", "private/assets/"+storeAsset+"/workflows/old-wf/testOperator.json")
}

// DP-13, DP-38 (test_put_asset_metadata_paginated, _paginated_end): a page starts or extends the S3 array; only
// the end page publishes. Stored pages are kept byte for byte.
func TestDP13StorePaged(t *testing.T) {
	paged := map[string][]string{"paginated": {"true"}}
	f := newStoreFake(t, nil, nil)
	resp := f.store(t, paged, storeBody)
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	assert.Equal(t, `{"Status":"Success"}`, resp.Body)
	assert.Equal(t, map[string]string{storeKey: "[" + storedResults + "]"}, f.puts)
	assert.Nil(t, f.update, "an intermediate page publishes nothing")

	existing := `[{"serviceName":"testService",  "n": 1.0}]` + "\n"
	f = newStoreFake(t, nil, map[string]string{storeKey: existing})
	resp = f.store(t, map[string][]string{"paginated": {"true"}, "end": {"true"}}, storeBody)
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	assert.Equal(t, `{"Status":"Success","Bucket":"testDataplaneBucketName","Key":"`+storeKey+`"}`, resp.Body)
	assert.Equal(t, map[string]string{storeKey: `[{"serviceName":"testService",  "n": 1.0}, ` + storedResults + `]`}, f.puts)
	f.assertPublished(t, "abcd-1234-efgh-5678", storeKey)

	f = newStoreFake(t, nil, map[string]string{storeKey: "[]"})
	require.Equal(t, http.StatusOK, f.store(t, paged, storeBody).StatusCode)
	assert.Equal(t, "["+storedResults+"]", f.puts[storeKey])
}

// DP-14, Q-02, Q-03, Q-04: query flags, checked before the body fields, with the original's texts. Only
// paginated=true pages; other values store single-shot and ignore end.
func TestDP14QueryFlags(t *testing.T) {
	type outcome int
	const (
		single outcome = iota
		page
		last
		bad
	)
	cases := []struct {
		name    string
		query   map[string][]string
		body    string
		want    outcome
		message string
	}{
		{"unrelated parameter (test_put_asset_metadata_input_error1)", map[string][]string{"wrong_param": {"wrong"}}, `{}`, bad, "Must pass required query parameter: paginated"},
		{"paginated=true, empty body (input_error2)", map[string][]string{"paginated": {"true"}}, `{}`, bad, "Missing required inputs for storing metadata: 'OperatorName'"},
		{"end=false (input_error3)", map[string][]string{"paginated": {"true"}, "end": {"false"}}, `{}`, bad, "Query param end only supports a value of: true"},
		{"end=true, empty body (input_error4)", map[string][]string{"paginated": {"true"}, "end": {"true"}}, `{}`, bad, "Missing required inputs for storing metadata: 'OperatorName'"},
		{"end=true without paginated (Q-03)", map[string][]string{"end": {"true"}}, storeBody, bad, "Must pass required query parameter: paginated"},
		{"empty query object", map[string][]string{}, storeBody, bad, "Must pass required query parameter: paginated"},
		{"end= empty", map[string][]string{"paginated": {"true"}, "end": {""}}, storeBody, bad, "Query param end only supports a value of: true"},
		{"flags win over body errors", map[string][]string{"x": {"1"}}, `[]`, bad, "Must pass required query parameter: paginated"},
		{"no query string", nil, storeBody, single, ""},
		{"paginated=false is single-shot (Q-02)", map[string][]string{"paginated": {"false"}}, storeBody, single, ""},
		{"paginated=True is single-shot (Q-02)", map[string][]string{"paginated": {"True"}, "end": {"no"}}, storeBody, single, ""},
		{"paginated empty is single-shot", map[string][]string{"paginated": {""}, "end": {"x"}}, storeBody, single, ""},
		{"paginated=true", map[string][]string{"paginated": {"true"}}, storeBody, page, ""},
		{"last value wins", map[string][]string{"paginated": {"false", "true"}}, storeBody, page, ""},
		{"paginated=true&end=true", map[string][]string{"paginated": {"true"}, "end": {"true"}}, storeBody, last, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newStoreFake(t, nil, nil)
			if tc.want == bad {
				f.db.getItem, f.s3.getObject = nil, nil
			}
			resp := f.store(t, tc.query, tc.body)
			switch tc.want {
			case bad:
				assertError(t, resp, 400, "BadRequestError", tc.message)
				assert.Empty(t, f.puts)
			case single:
				assert.Equal(t, storedResults, f.puts[storeKey])
				assert.NotNil(t, f.update)
			case page:
				assert.Equal(t, `{"Status":"Success"}`, resp.Body)
				assert.Equal(t, "["+storedResults+"]", f.puts[storeKey])
				assert.Nil(t, f.update)
			case last:
				assert.Equal(t, "["+storedResults+"]", f.puts[storeKey])
				assert.NotNil(t, f.update)
			}
		})
	}
}

// DP-14, DP-26, Q-14, Q-28, Q-29: body validation in the original's order; nothing is read or written for a bad
// body.
func TestDP14StoreBodyErrors(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		code       string
		message    string
	}{
		{"missing OperatorName", `{"WorkflowId": "w", "Results": {}}`, 400, "BadRequestError", "Missing required inputs for storing metadata: 'OperatorName'"},
		{"missing WorkflowId", `{"OperatorName": "o", "Results": {}}`, 400, "BadRequestError", "Missing required inputs for storing metadata: 'WorkflowId'"},
		{"missing Results", `{"OperatorName": "o", "WorkflowId": "w"}`, 400, "BadRequestError", "Missing required inputs for storing metadata: 'Results'"},
		{"null body", `null`, 500, "ChaliceViewError", "Unknown exception when storing asset metadata: 'NoneType' object is not subscriptable"},
		{"array body", `[]`, 500, "ChaliceViewError", "Unknown exception when storing asset metadata: list indices must be integers or slices, not str"},
		{"number body", `5`, 500, "ChaliceViewError", "Unknown exception when storing asset metadata: 'int' object is not subscriptable"},
		{"Results a string", `{"OperatorName": "o", "WorkflowId": "w", "Results": "x"}`, 400, "BadRequestError", "Exception occurred while storing metadata for " + storeAsset + ": results are not the required data type, dict"},
		{"Results an array", `{"OperatorName": "o", "WorkflowId": "w", "Results": [1]}`, 400, "BadRequestError", "Exception occurred while storing metadata for " + storeAsset + ": results are not the required data type, dict"},
		{"float overflow (Q-29)", `{"OperatorName": "o", "WorkflowId": "w", "Results": {"v": 1e400}}`, 400, "BadRequestError", "Exception occurred while storing metadata for " + storeAsset + ": results contain a number that is not finite"},
		{"NaN (Q-29)", `{"OperatorName": "o", "WorkflowId": "w", "Results": {"v": [NaN]}}`, 400, "BadRequestError", "Exception occurred while storing metadata for " + storeAsset + ": results contain a number that is not finite"},
		{"invalid JSON (Q-28)", `{"OperatorName": `, 400, "BadRequestError", "Error Parsing JSON"},
	}
	for _, name := range []string{"AssetId", "MediaType", "S3Bucket", "S3Key", "Created", "Locked", "LockedBy", "LockedAt", "page"} {
		cases = append(cases, struct {
			name, body string
			status     int
			code       string
			message    string
		}{"reserved " + name + " (Q-14)", `{"OperatorName": "` + name + `", "WorkflowId": "w", "Results": {}}`, 400, "BadRequestError", "Operator name '" + name + "' is reserved"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, _, _ := newFakeHandler(t)
			assertError(t, call(t, h, event("POST", "/metadata/{asset_id}", asset(storeAsset), nil, tc.body)), tc.status, tc.code, tc.message)
		})
	}
	for _, body := range []string{`{"OperatorName": 5, "WorkflowId": "w", "Results": {}}`, `{"OperatorName": "o", "WorkflowId": null, "Results": {}}`} {
		t.Run("non-string name "+body, func(t *testing.T) {
			h, _, _ := newFakeHandler(t)
			assertGeneric500(t, call(t, h, event("POST", "/metadata/{asset_id}", asset(storeAsset), nil, body)))
		})
	}
}

// DP-15: floats are stored as Python's str(Decimal(repr(float))) (data-plane §4.4), integers keep every digit.
func TestDP15FloatCanonicalization(t *testing.T) {
	cases := []struct{ token, stored string }{
		{"54.41469192504883", `"54.41469192504883"`},
		{"2.50", `"2.5"`},
		{"1e2", `"100.0"`},
		{"1E+2", `"100.0"`},
		{"100.0", `"100.0"`},
		{"1e-5", `"0.00001"`},
		{"1e-7", `"1E-7"`},
		{"1e16", `"1E+16"`},
		{"9999999999999999.0", `"1E+16"`},
		{"12345678901234567.0", `"12345678901234568"`},
		{"123456789012345678.0", `"1.2345678901234568E+17"`},
		{"-0.0", `"-0.0"`},
		{"3", `3`},
		{"123456789012345678901234567890", `123456789012345678901234567890`},
	}
	for _, tc := range cases {
		t.Run(tc.token, func(t *testing.T) {
			f := newStoreFake(t, nil, nil)
			body := `{"OperatorName": "testOperator", "WorkflowId": "abcd-1234-efgh-5678", "Results": {"v": ` + tc.token + `, "l": [` + tc.token + `]}}`
			require.Equal(t, http.StatusOK, f.store(t, nil, body).StatusCode)
			assert.Equal(t, `{"v": `+tc.stored+`, "l": [`+tc.stored+`]}`, f.puts[storeKey])
		})
	}
}

// DP-12, DP-13: every storage error text of R8; a failed step leaves the later steps undone.
func TestDP12StoreErrors(t *testing.T) {
	paged := map[string][]string{"paginated": {"true"}}
	cases := []struct {
		name    string
		query   map[string][]string
		setup   func(*storeFake)
		status  int
		code    string
		message string
		writes  bool
	}{
		{"GetItem AWS error (test_put_asset_metadata_paginated_dynamo_error)", paged, func(f *storeFake) {
			f.db.getItem = func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) { return nil, awsError("Throttled") }
		}, 500, "ChaliceViewError", "Unable to retrieve metadata: Throttled", false},
		{"GetItem other error", nil, func(f *storeFake) {
			f.db.getItem = func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) { return nil, errors.New("reset") }
		}, 500, "ChaliceViewError", "Unable to retrieve metadata: reset", false},
		{"unknown asset", nil, func(f *storeFake) {
			f.db.getItem = func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) { return &dynamodb.GetItemOutput{}, nil }
		}, 404, "NotFoundError", "Exception occurred while verifying asset exists: " + storeAsset + " does not exist", false},
		{"page read fails (Q-18)", paged, func(f *storeFake) {
			f.s3.getObject = func(*s3.GetObjectInput) (*s3.GetObjectOutput, error) { return nil, awsError("Access Denied") }
		}, 500, "ChaliceViewError", "Exception occurred while writing metadata to s3: Access Denied", false},
		{"page onto a single-shot result (Q-18)", paged, func(f *storeFake) {
			f.s3.getObject = objects(map[string]string{storeKey: storedResults})
		}, 500, "ChaliceViewError", "Exception occurred while writing metadata to s3: existing object is not a list of pages", false},
		{"page onto invalid JSON", paged, func(f *storeFake) {
			f.s3.getObject = objects(map[string]string{storeKey: "[1,"})
		}, 500, "ChaliceViewError", "Exception occurred while writing metadata to s3: existing object is not a list of pages", false},
		{"S3 write AWS error", nil, func(f *storeFake) {
			f.s3.putObject = func(*s3.PutObjectInput) (*s3.PutObjectOutput, error) { return nil, awsError("Access Denied") }
		}, 500, "ChaliceViewError", "Exception occurred while writing metadata to s3: Access Denied", false},
		{"S3 write other error", nil, func(f *storeFake) {
			f.s3.putObject = func(*s3.PutObjectInput) (*s3.PutObjectOutput, error) { return nil, errors.New("reset") }
		}, 500, "ChaliceViewError", "Exception occurred while writing metadata to s3: reset", false},
		{"pointer update AWS error (test_put_asset_metadata_dynamo_error)", nil, func(f *storeFake) {
			f.db.updateItem = func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
				return nil, awsError("Item size has exceeded the maximum allowed size")
			}
		}, 500, "ChaliceViewError", "Unable to update metadata pointer: Item size has exceeded the maximum allowed size", true},
		{"pointer update other error", nil, func(f *storeFake) {
			f.db.updateItem = func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) { return nil, errors.New("reset") }
		}, 500, "ChaliceViewError", "Exception: reset", true},
		{"asset deleted meanwhile", nil, func(f *storeFake) {
			f.db.updateItem = func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) { return nil, conditionError(nil) }
		}, 404, "NotFoundError", "Exception occurred while verifying asset exists: " + storeAsset + " does not exist", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newStoreFake(t, nil, nil)
			tc.setup(f)
			assertError(t, f.store(t, tc.query, storeBody), tc.status, tc.code, tc.message)
			assert.Equal(t, tc.writes, len(f.puts) > 0)
		})
	}
	t.Run("operator attribute that is not a list fails before writing", func(t *testing.T) {
		f := newStoreFake(t, s("corrupt"), nil)
		assertGeneric500(t, f.store(t, nil, storeBody))
		assert.Empty(t, f.puts)
	})
}

// DP-12, DP-36: when the pointer cannot be published (for instance past DynamoDB's 400 KB), the document version
// the store wrote is removed again; a bucket without versioning has nothing to remove.
func TestDP12UnpublishedVersionRemoved(t *testing.T) {
	for _, tc := range []struct {
		name      string
		version   *string
		deleteErr error
	}{
		{"versioned bucket", aws.String("v2"), nil},
		{"removal fails: the store's error still wins", aws.String("v2"), awsError("Access Denied")},
		{"bucket without versioning", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newStoreFake(t, nil, nil)
			f.s3.putObject = func(*s3.PutObjectInput) (*s3.PutObjectOutput, error) {
				return &s3.PutObjectOutput{VersionId: tc.version}, nil
			}
			f.db.updateItem = func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
				return nil, awsError("Item size to update has exceeded the maximum allowed size")
			}
			var removed []*s3.DeleteObjectInput
			if tc.version != nil {
				f.s3.deleteObject = func(in *s3.DeleteObjectInput) (*s3.DeleteObjectOutput, error) {
					removed = append(removed, in)
					return &s3.DeleteObjectOutput{}, tc.deleteErr
				}
			}
			assertError(t, f.store(t, nil, storeBody), 500, "ChaliceViewError", "Unable to update metadata pointer: Item size to update has exceeded the maximum allowed size")
			if tc.version == nil {
				assert.Empty(t, removed)
				return
			}
			require.Len(t, removed, 1)
			assert.Equal(t, storeKey, aws.ToString(removed[0].Key))
			assert.Equal(t, "v2", aws.ToString(removed[0].VersionId))
		})
	}
}
