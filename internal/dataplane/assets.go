package dataplane

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// createFields are the Input fields of R6, in the order the original read them (the first missing one is named).
var createFields = []string{"MediaType", "S3Key", "S3Bucket"}

// createAsset is R6 `POST /create`: it registers media that is already in S3 under a new asset id, writes the
// asset's directory marker and its item. Nothing is copied (DP-10).
func (h *Handler) createAsset(ctx context.Context, req *apigw.Request) (any, error) {
	body, err := jsonBody(req)
	if err != nil {
		return nil, err
	}
	input, perr := index(body, "Input")
	if perr != nil {
		return nil, createInputError(perr)
	}
	values := map[string]string{}
	for _, name := range createFields {
		v, perr := index(input, name)
		if perr != nil {
			return nil, createInputError(perr)
		}
		s, ok := v.(string)
		if !ok {
			// The original stored any JSON value here; a number or object then broke R9 and R12 later.
			return nil, apigw.BadRequest("Invalid input for asset creation: %s must be a string", pyjson.QuoteKey(name))
		}
		values[name] = s
	}

	assetID := uuid.NewString()
	if _, err := h.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(h.cfg.Bucket), Key: aws.String(assetPrefix(assetID))}); err != nil {
		// the second message names DynamoDB although S3 failed; kept as the original wrote it.
		return nil, viewError(err, "Unable to create asset directory in the dataplane bucket: ", "Exception when creating dynamo item for asset: ")
	}
	item := map[string]dbtypes.AttributeValue{
		"AssetId":   &dbtypes.AttributeValueMemberS{Value: assetID},
		"MediaType": &dbtypes.AttributeValueMemberS{Value: values["MediaType"]},
		"S3Bucket":  &dbtypes.AttributeValueMemberS{Value: values["S3Bucket"]},
		"S3Key":     &dbtypes.AttributeValueMemberS{Value: values["S3Key"]},
		"Created":   &dbtypes.AttributeValueMemberS{Value: pyjson.EpochSeconds(h.now())},
	}
	if _, err := h.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(h.cfg.Table), Item: item}); err != nil {
		return nil, viewError(err, "Unable to create asset item in dynamo: ", "Exception when creating dynamo item for asset: ")
	}
	out := pyjson.NewMap()
	out.Set("AssetId", assetID)
	out.Set("MediaType", values["MediaType"])
	out.Set("S3Bucket", values["S3Bucket"])
	out.Set("S3Key", values["S3Key"])
	return out, nil
}

// createInputError maps a failed field lookup of R6: a missing field is a 400 naming it, anything else (a body or
// Input that is not an object) was unhandled in the original.
func createInputError(perr *apigw.Unhandled) error {
	if perr.Type == "KeyError" {
		return apigw.BadRequest("Missing required inputs for asset creation: %s", perr.Message)
	}
	return perr
}

// listAssets is R7 `GET /metadata`: every asset id, following the scan across pages (DP-11, Q-16; the original
// returned only the first 1 MB page).
func (h *Handler) listAssets(ctx context.Context, _ *apigw.Request) (any, error) {
	ids := []any{}
	pages := dynamodb.NewScanPaginator(h.db, &dynamodb.ScanInput{
		TableName:                aws.String(h.cfg.Table),
		ProjectionExpression:     aws.String("#id"),
		ExpressionAttributeNames: map[string]string{"#id": "AssetId"},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, viewError(err, "Unable to list assets: ", "Exception: ")
		}
		for _, item := range page.Items {
			if id, ok := stringAttr(item, "AssetId"); ok {
				ids = append(ids, id)
			}
		}
	}
	out := pyjson.NewMap()
	out.Set("assets", ids)
	return out, nil
}

// deleteAsset is R12 `DELETE /metadata/{asset_id}`: it deletes the item first, then every metadata document its
// pointer lists name, the source media when it lives in the data plane bucket, and the asset marker (DP-22). The
// order is the original's: the stream sees the REMOVE even when an S3 step fails afterwards.
func (h *Handler) deleteAsset(ctx context.Context, req *apigw.Request) (any, error) {
	assetID := req.PathParam("asset_id")
	out, err := h.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:    aws.String(h.cfg.Table),
		Key:          keyOf(assetID),
		ReturnValues: dbtypes.ReturnValueAllOld,
	})
	if err != nil {
		return nil, viewError(err, "Unable to delete asset: ", "Exception: ")
	}
	if len(out.Attributes) == 0 {
		// the original's KeyError on the missing response field, kept with its 500.
		return nil, apigw.ViewError("Unable to delete asset: 'Attributes'")
	}
	names := make([]string, 0, len(out.Attributes))
	for name := range out.Attributes {
		// lock attributes are not pointer lists; the original crashed on them after deleting the item.
		if !isAssetAttribute(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	seen := map[string]bool{}
	var keys []string
	for _, name := range names {
		keys = pointerKeys(out.Attributes[name], seen, keys)
	}
	// the source media is deleted only when it is in the data plane bucket; the original deleted the same key
	// in its own bucket whatever bucket the asset referenced.
	if bucket, _ := stringAttr(out.Attributes, "S3Bucket"); bucket == h.cfg.Bucket {
		if key, ok := stringAttr(out.Attributes, "S3Key"); ok && !seen[key] {
			keys = append(keys, key)
		}
	}
	if _, err := h.deleteKeys(ctx, keys); err != nil {
		return nil, viewError(err, "Unable to delete asset from the dataplane: ", "Unable to delete asset from the dataplane: ")
	}
	if _, err := h.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(h.cfg.Bucket), Key: aws.String(assetPrefix(assetID))}); err != nil {
		if msg, ok := awsMessage(err); ok {
			return nil, apigw.ViewError("Unable to delete asset: %s", msg)
		}
		// The original caught only service errors here.
		return nil, err
	}
	return apigw.Text("Deleted asset: " + assetID + " from the dataplane"), nil
}
