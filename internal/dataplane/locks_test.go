package dataplane

import (
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// DP-23, DP-26, DP-38 (test_lock_asset): the original's update and condition plus the asset-existence guard,
// and LockedAt as an integer.
func TestDP23Checkout(t *testing.T) {
	h, db, _ := newFakeHandler(t)
	db.updateItem = func(in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
		assert.Equal(t, testTable, aws.ToString(in.TableName))
		assert.Equal(t, keyOf("a1"), in.Key)
		assert.Equal(t, "set Locked = :locked, LockedBy = :lockedby, LockedAt = :timestamp", aws.ToString(in.UpdateExpression))
		assert.Equal(t, map[string]dbtypes.AttributeValue{":locked": s("true"), ":lockedby": s("testUserName"), ":timestamp": n("1700000000")}, in.ExpressionAttributeValues)
		assert.Equal(t, "attribute_exists(AssetId) and attribute_not_exists(LockedBy) and attribute_not_exists(LockedAt)", aws.ToString(in.ConditionExpression))
		assert.Equal(t, dbtypes.ReturnValuesOnConditionCheckFailureAllOld, in.ReturnValuesOnConditionCheckFailure)
		return &dynamodb.UpdateItemOutput{}, nil
	}
	resp := call(t, h, event("POST", "/checkout/{asset_id}", asset("a1"), nil, `{"LockedBy": "testUserName"}`))
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	assert.Equal(t, `{"AssetId":"a1","LockedBy":"testUserName","LockedAt":1700000000}`, resp.Body)
	assert.Equal(t, corsHeaders, resp.Headers)
}

// DP-23, DP-26: R13 errors. A second lock keeps the original's 500; an unknown asset is now a 404.
func TestDP23CheckoutErrors(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		status  int
		code    string
		message string
	}{
		{"already locked", conditionError(map[string]dbtypes.AttributeValue{"AssetId": s("a1"), "LockedBy": s("u0")}), 500, "ChaliceViewError", "Unable to lock asset: The conditional request failed"},
		{"unknown asset (Q-15)", conditionError(nil), 404, "NotFoundError", "Exception occurred while verifying asset exists: a1 does not exist"},
		{"AWS error (test_lock_asset_dynamo_error)", awsError("Throttled"), 500, "ChaliceViewError", "Unable to lock asset: Throttled"},
		{"other error", errors.New("reset"), 500, "ChaliceViewError", "Exception: reset"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, db, _ := newFakeHandler(t)
			db.updateItem = func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) { return nil, tc.err }
			resp := call(t, h, event("POST", "/checkout/{asset_id}", asset("a1"), nil, `{"LockedBy": "u1"}`))
			assertError(t, resp, tc.status, tc.code, tc.message)
		})
	}
	h, _, _ := newFakeHandler(t)
	resp := call(t, h, event("POST", "/checkout/{asset_id}", asset("a1"), nil, `{"LockedBy"`))
	assertError(t, resp, 400, "BadRequestError", "Error Parsing JSON")
	resp = call(t, h, event("POST", "/checkout/{asset_id}", asset("a1"), nil, `{"LockedBy": 42}`))
	assertError(t, resp, 500, "ChaliceViewError", "Exception: Parameter validation failed:\nInvalid type for parameter ExpressionAttributeValues.:lockedby.S, value: 42, type: <class 'int'>, valid types: <class 'str'>")
	for _, body := range []string{`{}`, `null`, `[]`} {
		t.Run("unhandled "+body, func(t *testing.T) {
			h, _, _ := newFakeHandler(t)
			assertGeneric500(t, call(t, h, event("POST", "/checkout/{asset_id}", asset("a1"), nil, body)))
		})
	}
}

// DP-24, DP-38 (test_unlock_asset*): R14 removes the lock under the original's condition, answers in plain text
// and ignores its body.
func TestDP24Checkin(t *testing.T) {
	h, db, _ := newFakeHandler(t)
	db.updateItem = func(in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
		assert.Equal(t, "remove Locked, LockedAt, LockedBy", aws.ToString(in.UpdateExpression))
		assert.Equal(t, "attribute_exists(Locked) and attribute_exists(LockedBy) and attribute_exists(LockedAt)", aws.ToString(in.ConditionExpression))
		return &dynamodb.UpdateItemOutput{}, nil
	}
	for _, body := range []string{`{"LockedBy": "testUserName"}`, "null", "not json"} {
		resp := call(t, h, event("POST", "/checkin/{asset_id}", asset("a1"), nil, body))
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "Unlocked asset a1", resp.Body)
	}
	for _, tc := range []struct {
		err     error
		message string
	}{
		{conditionError(nil), "Unable to unlock asset: The conditional request failed"},
		{awsError("Throttled"), "Unable to unlock asset: Throttled"},
		{errors.New("reset"), "Exception: reset"},
	} {
		h, db, _ := newFakeHandler(t)
		db.updateItem = func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) { return nil, tc.err }
		assertError(t, call(t, h, event("POST", "/checkin/{asset_id}", asset("a1"), nil, "")), 500, "ChaliceViewError", tc.message)
	}
}

// DP-25, DP-38 (test_list_all_locked_assets*): R15 queries LockIndex across pages; LockedAt is a string.
func TestDP25ListCheckouts(t *testing.T) {
	h, db, _ := newFakeHandler(t)
	db.query = func(in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
		assert.Equal(t, "LockIndex", aws.ToString(in.IndexName))
		assert.Equal(t, "Locked=:locked", aws.ToString(in.KeyConditionExpression))
		assert.Equal(t, map[string]dbtypes.AttributeValue{":locked": s("true")}, in.ExpressionAttributeValues)
		if in.ExclusiveStartKey == nil {
			return &dynamodb.QueryOutput{
				Items:            []map[string]dbtypes.AttributeValue{{"AssetId": s("testAssetId"), "LockedBy": s("testUserName"), "LockedAt": n("0")}},
				LastEvaluatedKey: map[string]dbtypes.AttributeValue{"AssetId": s("testAssetId")},
			}, nil
		}
		return &dynamodb.QueryOutput{Items: []map[string]dbtypes.AttributeValue{{"AssetId": s("b"), "LockedBy": n("7"), "LockedAt": n("1641411425")}}}, nil
	}
	resp := call(t, h, event("GET", "/checkouts", nil, nil, ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, `{"locks":[{"AssetId":"testAssetId","LockedBy":"testUserName","LockedAt":"0"},{"AssetId":"b","LockedBy":null,"LockedAt":"1641411425"}]}`, resp.Body)

	cases := []struct {
		query   func(*dynamodb.QueryInput) (*dynamodb.QueryOutput, error)
		message string
	}{
		{func(*dynamodb.QueryInput) (*dynamodb.QueryOutput, error) { return nil, awsError("Throttled") }, "Unable to list locked assets: Throttled"},
		{func(*dynamodb.QueryInput) (*dynamodb.QueryOutput, error) { return nil, errors.New("reset") }, "Exception: reset"},
		{func(*dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
			return &dynamodb.QueryOutput{Items: []map[string]dbtypes.AttributeValue{{"AssetId": s("a"), "LockedAt": n("1")}}}, nil
		}, "Exception: 'LockedBy'"},
	}
	for _, tc := range cases {
		h, db, _ := newFakeHandler(t)
		db.query = tc.query
		assertError(t, call(t, h, event("GET", "/checkouts", nil, nil, "")), 500, "ChaliceViewError", tc.message)
	}
	h, db, _ = newFakeHandler(t)
	db.query = func(*dynamodb.QueryInput) (*dynamodb.QueryOutput, error) { return &dynamodb.QueryOutput{}, nil }
	assert.Equal(t, `{"locks":[]}`, call(t, h, event("GET", "/checkouts", nil, nil, "")).Body)
}

// DP-21, DP-26, DP-38 (test_delete_operator_metadata*): R11 removes the attribute under the asset-existence guard
// deletes only pointer values once each and returns S3's answer.
func TestDP21DeleteOperator(t *testing.T) {
	const p1, p2 = "private/assets/a/workflows/w2/op.json", "private/assets/a/workflows/w1/op.json"
	h, db, store := newFakeHandler(t)
	db.updateItem = func(in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
		assert.Equal(t, "REMOVE #operator", aws.ToString(in.UpdateExpression))
		assert.Equal(t, map[string]string{"#operator": "op"}, in.ExpressionAttributeNames)
		assert.Equal(t, "attribute_exists(AssetId)", aws.ToString(in.ConditionExpression))
		assert.Equal(t, dbtypes.ReturnValueUpdatedOld, in.ReturnValues)
		return &dynamodb.UpdateItemOutput{Attributes: map[string]dbtypes.AttributeValue{"op": pointers("w2", p1, "w1", p2, "w2", p1)}}, nil
	}
	store.deleteObjects = func(in *s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error) {
		var keys []string
		for _, o := range in.Delete.Objects {
			keys = append(keys, aws.ToString(o.Key))
		}
		assert.Equal(t, []string{p1, p2}, keys, "pointer values only, once each")
		return &s3.DeleteObjectsOutput{
			Deleted: []s3types.DeletedObject{{Key: aws.String(p1), DeleteMarker: aws.Bool(true), DeleteMarkerVersionId: aws.String("v1")}},
			Errors:  []s3types.Error{{Key: aws.String(p2), Code: aws.String("AccessDenied"), Message: aws.String("Access Denied")}},
		}, nil
	}
	resp := call(t, h, event("DELETE", "/metadata/{asset_id}/{operator_name}", assetOp("a", "op"), nil, ""))
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	assert.Equal(t, `{"Deleted":[{"Key":"`+p1+`","DeleteMarker":true,"DeleteMarkerVersionId":"v1"}],"Errors":[{"Key":"`+p2+`","Code":"AccessDenied","Message":"Access Denied"}]}`, resp.Body)
}

// DP-21, DP-26: every R11 error text; reserved names are refused before anything changes.
func TestDP21DeleteOperatorErrors(t *testing.T) {
	for _, name := range []string{"AssetId", "MediaType", "S3Bucket", "S3Key", "Created", "Locked", "LockedBy", "LockedAt"} {
		h, _, _ := newFakeHandler(t)
		resp := call(t, h, event("DELETE", "/metadata/{asset_id}/{operator_name}", assetOp("a", name), nil, ""))
		assertError(t, resp, 400, "BadRequestError", "Operator name '"+name+"' is reserved")
	}
	cases := []struct {
		name    string
		update  func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error)
		s3Err   error
		status  int
		code    string
		message string
	}{
		{"AWS error (test_delete_operator_metadata_dynamo_error)", func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) { return nil, awsError("Throttled") }, nil,
			500, "ChaliceViewError", "Unable to delete metadata pointer: Throttled"},
		{"other error", func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) { return nil, errors.New("reset") }, nil,
			500, "ChaliceViewError", "Exception: reset"},
		{"unknown asset (Q-15)", func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) { return nil, conditionError(nil) }, nil,
			404, "NotFoundError", "Exception occurred while verifying asset exists: a does not exist"},
		{"operator without results", func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
			return &dynamodb.UpdateItemOutput{}, nil
		}, nil,
			404, "NotFoundError", "Unable to delete metadata, pointer does not exist for op"},
		{"S3 AWS error (test_delete_operator_metadata_s3_error)", withOp, awsError("Access Denied"),
			500, "ChaliceViewError", "Unable to delete metadata: Access Denied"},
		{"S3 other error", withOp, errors.New("reset"),
			500, "ChaliceViewError", "Unable to delete metadata: reset"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, db, store := newFakeHandler(t)
			db.updateItem = tc.update
			if tc.s3Err != nil {
				store.deleteObjects = func(*s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error) { return nil, tc.s3Err }
			}
			resp := call(t, h, event("DELETE", "/metadata/{asset_id}/{operator_name}", assetOp("a", "op"), nil, ""))
			assertError(t, resp, tc.status, tc.code, tc.message)
		})
	}
	t.Run("empty pointer list deletes nothing (test_delete_operator_metadata)", func(t *testing.T) {
		h, db, _ := newFakeHandler(t)
		db.updateItem = func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
			return &dynamodb.UpdateItemOutput{Attributes: map[string]dbtypes.AttributeValue{"op": &dbtypes.AttributeValueMemberL{}}}, nil
		}
		resp := call(t, h, event("DELETE", "/metadata/{asset_id}/{operator_name}", assetOp("a", "op"), nil, ""))
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, `{}`, resp.Body)
	})
}

func withOp(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
	return &dynamodb.UpdateItemOutput{Attributes: map[string]dbtypes.AttributeValue{"op": pointers("w", "private/assets/a/workflows/w/op.json")}}, nil
}
