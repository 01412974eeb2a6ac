package dataplane

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// maxDeleteKeys is S3's limit of keys per DeleteObjects request (DP-36); the original sent one request and failed
// beyond it.
const maxDeleteKeys = 1000

// deleteOperatorMetadata is R11 `DELETE /metadata/{asset_id}/{operator_name}`: it removes the operator's pointer
// list, then deletes the documents it pointed to and returns S3's answer (DP-21).
func (h *Handler) deleteOperatorMetadata(ctx context.Context, req *apigw.Request) (any, error) {
	assetID, operator := req.PathParam("asset_id"), req.PathParam("operator_name")
	if err := reservedOperator(operator, false); err != nil {
		return nil, err
	}
	out, err := h.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(h.cfg.Table),
		Key:                      keyOf(assetID),
		UpdateExpression:         aws.String("REMOVE #operator"),
		ExpressionAttributeNames: map[string]string{"#operator": operator},
		// without it the update created an item holding only AssetId for an unknown asset.
		ConditionExpression: aws.String("attribute_exists(AssetId)"),
		ReturnValues:        dbtypes.ReturnValueUpdatedOld,
	})
	if conditionFailed(err) != nil {
		return nil, notFound(assetID)
	}
	if err != nil {
		return nil, viewError(err, "Unable to delete metadata pointer: ", "Exception: ")
	}
	pointers, ok := out.Attributes[operator]
	if !ok {
		return nil, apigw.NotFound("Unable to delete metadata, pointer does not exist for %s", operator)
	}
	deleted, err := h.deleteKeys(ctx, pointerKeys(pointers, map[string]bool{}, nil))
	if err != nil {
		return nil, viewError(err, "Unable to delete metadata: ", "Unable to delete metadata: ")
	}
	return deleted, nil
}

// deleteKeys deletes objects of the data plane bucket, 1000 keys per request, and returns the combined S3 answer
// as the original's route returned it: `Deleted` and `Errors` in S3's field names, each only when not empty.
// Errors for single keys are reported, not failed on, as in the original.
func (h *Handler) deleteKeys(ctx context.Context, keys []string) (*pyjson.Map, error) {
	var deleted, failed []any
	for start := 0; start < len(keys); start += maxDeleteKeys {
		chunk := keys[start:min(start+maxDeleteKeys, len(keys))]
		objects := make([]s3types.ObjectIdentifier, len(chunk))
		for i, k := range chunk {
			objects[i] = s3types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := h.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(h.cfg.Bucket),
			Delete: &s3types.Delete{Objects: objects},
		})
		if err != nil {
			return nil, err
		}
		for _, d := range out.Deleted {
			deleted = append(deleted, deletedObject(d))
		}
		for _, e := range out.Errors {
			failed = append(failed, deleteError(e))
		}
	}
	result := pyjson.NewMap()
	if len(deleted) > 0 {
		result.Set("Deleted", deleted)
	}
	if len(failed) > 0 {
		result.Set("Errors", failed)
	}
	return result, nil
}

// deletedObject renders one S3 DeletedObject with boto3's member order, leaving out members S3 did not send.
func deletedObject(d s3types.DeletedObject) *pyjson.Map {
	m := pyjson.NewMap()
	setString(m, "Key", d.Key)
	setString(m, "VersionId", d.VersionId)
	if d.DeleteMarker != nil {
		m.Set("DeleteMarker", *d.DeleteMarker)
	}
	setString(m, "DeleteMarkerVersionId", d.DeleteMarkerVersionId)
	return m
}

// deleteError renders one S3 Error with boto3's member order.
func deleteError(e s3types.Error) *pyjson.Map {
	m := pyjson.NewMap()
	setString(m, "Key", e.Key)
	setString(m, "VersionId", e.VersionId)
	setString(m, "Code", e.Code)
	setString(m, "Message", e.Message)
	return m
}

func setString(m *pyjson.Map, name string, v *string) {
	if v != nil {
		m.Set(name, *v)
	}
}
