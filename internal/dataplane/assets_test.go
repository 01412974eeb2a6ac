package dataplane

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

const createBody = `{"Input": {"MediaType": "Video", "S3Bucket": "InputBucketName", "S3Key": "InputKeyName"}}`

// DP-10, DP-38 (test_create_asset): the marker, then the item with Created as a string, then the response in the
// original's key order.
func TestDP10CreateAsset(t *testing.T) {
	h, db, store := newFakeHandler(t)
	store.putObject = func(in *s3.PutObjectInput) (*s3.PutObjectOutput, error) { return &s3.PutObjectOutput{}, nil }
	db.putItem = func(in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
		return &dynamodb.PutItemOutput{}, nil
	}

	resp := call(t, h, event("POST", "/create", nil, nil, createBody))
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	id := regexp.MustCompile(`"AssetId":"([^"]+)"`).FindStringSubmatch(resp.Body)[1]
	assert.Regexp(t, uuidV4, id)
	assert.Equal(t, `{"AssetId":"`+id+`","MediaType":"Video","S3Bucket":"InputBucketName","S3Key":"InputKeyName"}`, resp.Body)

	require.Len(t, store.calls, 1)
	marker := store.calls[0].(*s3.PutObjectInput)
	assert.Equal(t, testBucket, aws.ToString(marker.Bucket))
	assert.Equal(t, "private/assets/"+id+"/", aws.ToString(marker.Key))
	assert.Nil(t, marker.Body, "the marker has no body")
	require.Len(t, db.calls, 1)
	put := db.calls[0].(*dynamodb.PutItemInput)
	assert.Equal(t, testTable, aws.ToString(put.TableName))
	assert.Equal(t, map[string]dbtypes.AttributeValue{
		"AssetId": s(id), "MediaType": s("Video"), "S3Bucket": s("InputBucketName"), "S3Key": s("InputKeyName"),
		"Created": s("1700000000.123456"),
	}, put.Item)
	assert.Nil(t, put.ConditionExpression, "unconditional, like the original")
}

// DP-10: every R6 error text; bad input writes nothing.
func TestDP10CreateAssetErrors(t *testing.T) {
	inputErrors := []struct {
		name, body string
		status     int
		message    string
	}{
		{"missing S3Key (test_create_asset_input_error)", `{"Input": {"MediaType": "Video", "S3Bucket": "InputBucketName"}}`, 400, "Missing required inputs for asset creation: 'S3Key'"},
		{"missing MediaType first", `{"Input": {}}`, 400, "Missing required inputs for asset creation: 'MediaType'"},
		{"missing S3Bucket", `{"Input": {"MediaType": "Video", "S3Key": "k"}}`, 400, "Missing required inputs for asset creation: 'S3Bucket'"},
		{"missing Input", `{"input": {}}`, 400, "Missing required inputs for asset creation: 'Input'"},
		{"non-string value", `{"Input": {"MediaType": 5, "S3Bucket": "b", "S3Key": "k"}}`, 400, "Invalid input for asset creation: 'MediaType' must be a string"},
		{"invalid JSON (Q-28)", `{"Input": `, 400, "Error Parsing JSON"},
		{"empty body (Q-28)", ``, 400, "Error Parsing JSON"},
	}
	for _, tc := range inputErrors {
		t.Run(tc.name, func(t *testing.T) {
			h, _, _ := newFakeHandler(t)
			assertError(t, call(t, h, event("POST", "/create", nil, nil, tc.body)), tc.status, "BadRequestError", tc.message)
		})
	}
	for _, body := range []string{`[]`, `null`, `{"Input": "Video"}`, `{"Input": null}`} {
		t.Run("unhandled "+body, func(t *testing.T) {
			h, _, _ := newFakeHandler(t)
			assertGeneric500(t, call(t, h, event("POST", "/create", nil, nil, body)))
		})
	}

	failures := []struct {
		name    string
		s3Err   error
		dbErr   error
		message string
	}{
		{"marker AWS error (test_create_asset_s3_error)", awsError("Access Denied"), nil, "Unable to create asset directory in the dataplane bucket: Access Denied"},
		{"marker other error (Q-23 wording)", errors.New("connection reset"), nil, "Exception when creating dynamo item for asset: connection reset"},
		{"item AWS error (test_create_asset_dynamo_error)", nil, awsError("Requested resource not found"), "Unable to create asset item in dynamo: Requested resource not found"},
		{"item other error", nil, errors.New("connection reset"), "Exception when creating dynamo item for asset: connection reset"},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			h, db, store := newFakeHandler(t)
			store.putObject = func(*s3.PutObjectInput) (*s3.PutObjectOutput, error) { return &s3.PutObjectOutput{}, tc.s3Err }
			if tc.s3Err == nil {
				db.putItem = func(*dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) { return nil, tc.dbErr }
			}
			assertError(t, call(t, h, event("POST", "/create", nil, nil, createBody)), 500, "ChaliceViewError", tc.message)
		})
	}
}

// DP-11, Q-16: R7 lists every asset id across scan pages; the original's unit tests' exact bodies.
func TestDP11ListAssets(t *testing.T) {
	h, db, _ := newFakeHandler(t)
	db.scan = func(in *dynamodb.ScanInput) (*dynamodb.ScanOutput, error) { return &dynamodb.ScanOutput{}, nil }
	resp := call(t, h, event("GET", "/metadata", nil, nil, ""))
	assert.Equal(t, `{"assets":[]}`, resp.Body)

	h, db, _ = newFakeHandler(t)
	db.scan = func(in *dynamodb.ScanInput) (*dynamodb.ScanOutput, error) {
		assert.Equal(t, "#id", aws.ToString(in.ProjectionExpression))
		if in.ExclusiveStartKey == nil {
			return &dynamodb.ScanOutput{Items: []map[string]dbtypes.AttributeValue{{"AssetId": s("testAssetId")}}, LastEvaluatedKey: keyOf("testAssetId")}, nil
		}
		return &dynamodb.ScanOutput{Items: []map[string]dbtypes.AttributeValue{{"AssetId": s("second")}}}, nil
	}
	resp = call(t, h, event("GET", "/metadata", nil, nil, ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, `{"assets":["testAssetId","second"]}`, resp.Body)
	assert.Len(t, db.calls, 2)

	for _, tc := range []struct {
		err     error
		message string
	}{{awsError("Throughput exceeded"), "Unable to list assets: Throughput exceeded"}, {errors.New("timeout"), "Exception: timeout"}} {
		h, db, _ := newFakeHandler(t)
		db.scan = func(*dynamodb.ScanInput) (*dynamodb.ScanOutput, error) { return nil, tc.err }
		assertError(t, call(t, h, event("GET", "/metadata", nil, nil, "")), 500, "ChaliceViewError", tc.message)
	}
}

// DP-22, DP-38 (test_delete_asset*): R12 deletes the item, the pointed documents (pointer values only, Q-09), the
// source media when it is in the data plane bucket, skipping lock attributes, then the marker.
func TestDP22DeleteAsset(t *testing.T) {
	const id = "6d0f2c1e-8a51-4c4e-9a55-0f2b7f1d9c33"
	p := func(wf, op string) string { return "private/assets/" + id + "/workflows/" + wf + "/" + op + ".json" }
	item := func(bucket string) map[string]dbtypes.AttributeValue {
		return map[string]dbtypes.AttributeValue{
			"AssetId": s(id), "MediaType": s("Video"), "S3Bucket": s(bucket), "S3Key": s("upload/keynote.mp4"), "Created": s("1700000000.1"),
			"labelDetection": pointers("w2", p("w2", "labelDetection"), "w1", p("w1", "labelDetection"), "w2", p("w2", "labelDetection")),
			"Mediainfo":      pointers("w1", p("w1", "Mediainfo")),
			"Locked":         s("true"), "LockedBy": s("u1"), "LockedAt": n("1700000001"),
		}
	}
	cases := []struct {
		name   string
		bucket string
		keys   []string
	}{
		{"source in the data plane bucket", testBucket, []string{p("w1", "Mediainfo"), p("w2", "labelDetection"), p("w1", "labelDetection"), "upload/keynote.mp4"}},
		{"source in another bucket stays (Q-10)", "external-media", []string{p("w1", "Mediainfo"), p("w2", "labelDetection"), p("w1", "labelDetection")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, db, store := newFakeHandler(t)
			db.deleteItem = func(in *dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error) {
				assert.Equal(t, dbtypes.ReturnValueAllOld, in.ReturnValues)
				assert.Equal(t, keyOf(id), in.Key)
				return &dynamodb.DeleteItemOutput{Attributes: item(tc.bucket)}, nil
			}
			var deleted []string
			store.deleteObjects = func(in *s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error) {
				assert.Equal(t, testBucket, aws.ToString(in.Bucket))
				for _, o := range in.Delete.Objects {
					deleted = append(deleted, aws.ToString(o.Key))
				}
				return &s3.DeleteObjectsOutput{}, nil
			}
			store.deleteObject = func(in *s3.DeleteObjectInput) (*s3.DeleteObjectOutput, error) {
				assert.Equal(t, "private/assets/"+id+"/", aws.ToString(in.Key))
				return &s3.DeleteObjectOutput{}, nil
			}
			resp := call(t, h, event("DELETE", "/metadata/{asset_id}", asset(id), nil, ""))
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "Deleted asset: "+id+" from the dataplane", resp.Body, "plain text")
			assert.Equal(t, tc.keys, deleted)
			assert.Len(t, store.calls, 2)
		})
	}
}

// DP-22: every R12 error text.
func TestDP22DeleteAssetErrors(t *testing.T) {
	existing := &dynamodb.DeleteItemOutput{Attributes: map[string]dbtypes.AttributeValue{
		"AssetId": s("a"), "S3Bucket": s(testBucket), "S3Key": s("testKeyValue"),
		"testOperatorName": pointers("w", "private/assets/a/workflows/w/testOperatorName.json"),
	}}
	cases := []struct {
		name       string
		deleteItem func(*dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error)
		objects    func(*s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error)
		marker     func(*s3.DeleteObjectInput) (*s3.DeleteObjectOutput, error)
		message    string
	}{
		{"item AWS error (test_delete_asset_dynamo_error)", func(*dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error) { return nil, awsError("boom") }, nil, nil, "Unable to delete asset: boom"},
		{"item other error", func(*dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error) { return nil, errors.New("reset") }, nil, nil, "Exception: reset"},
		{"asset did not exist (Q-12)", func(*dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error) {
			return &dynamodb.DeleteItemOutput{}, nil
		}, nil, nil, "Unable to delete asset: 'Attributes'"},
		{"bulk delete AWS error (test_delete_asset_s3_delete_error)", func(*dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error) { return existing, nil },
			func(*s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error) { return nil, awsError("Access Denied") }, nil,
			"Unable to delete asset from the dataplane: Access Denied"},
		{"bulk delete other error", func(*dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error) { return existing, nil },
			func(*s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error) { return nil, errors.New("reset") }, nil,
			"Unable to delete asset from the dataplane: reset"},
		{"marker AWS error (test_delete_asset_s3_delete_error2)", func(*dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error) { return existing, nil },
			func(*s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error) { return &s3.DeleteObjectsOutput{}, nil },
			func(*s3.DeleteObjectInput) (*s3.DeleteObjectOutput, error) { return nil, awsError("Access Denied") },
			"Unable to delete asset: Access Denied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, db, store := newFakeHandler(t)
			db.deleteItem, store.deleteObjects, store.deleteObject = tc.deleteItem, tc.objects, tc.marker
			assertError(t, call(t, h, event("DELETE", "/metadata/{asset_id}", asset("a"), nil, "")), 500, "ChaliceViewError", tc.message)
		})
	}
	t.Run("marker other error is unhandled", func(t *testing.T) {
		h, db, store := newFakeHandler(t)
		db.deleteItem = func(*dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error) { return existing, nil }
		store.deleteObjects = func(*s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error) { return &s3.DeleteObjectsOutput{}, nil }
		store.deleteObject = func(*s3.DeleteObjectInput) (*s3.DeleteObjectOutput, error) { return nil, errors.New("reset") }
		assertGeneric500(t, call(t, h, event("DELETE", "/metadata/{asset_id}", asset("a"), nil, "")))
	})
}

// DP-36: deletes go to S3 in requests of at most 1000 keys (the original sent one request and failed beyond that).
func TestDP36DeleteChunks(t *testing.T) {
	list := make([]string, 0, 2*2500)
	for i := range 2500 {
		list = append(list, fmt.Sprintf("w%d", i), fmt.Sprintf("private/assets/a/workflows/w%d/op.json", i))
	}
	h, db, store := newFakeHandler(t)
	db.updateItem = func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
		return &dynamodb.UpdateItemOutput{Attributes: map[string]dbtypes.AttributeValue{"op": pointers(list...)}}, nil
	}
	var sizes []int
	store.deleteObjects = func(in *s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error) {
		sizes = append(sizes, len(in.Delete.Objects))
		return &s3.DeleteObjectsOutput{Deleted: []s3types.DeletedObject{{Key: in.Delete.Objects[0].Key}}}, nil
	}
	resp := call(t, h, event("DELETE", "/metadata/{asset_id}/{operator_name}", assetOp("a", "op"), nil, ""))
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	assert.Equal(t, []int{1000, 1000, 500}, sizes)
	assert.Equal(t, `{"Deleted":[{"Key":"private/assets/a/workflows/w0/op.json"},{"Key":"private/assets/a/workflows/w1000/op.json"},{"Key":"private/assets/a/workflows/w2000/op.json"}]}`, resp.Body)
}
