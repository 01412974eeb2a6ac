package dataplane

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/internal/resources"
)

// lockAsset is R13 `POST /checkout/{asset_id}`: it records who locked the asset and when, refusing a second lock
// with the original's 500 (DP-23).
func (h *Handler) lockAsset(ctx context.Context, req *apigw.Request) (any, error) {
	assetID := req.PathParam("asset_id")
	body, err := jsonBody(req)
	if err != nil {
		return nil, err
	}
	v, perr := index(body, "LockedBy")
	if perr != nil {
		// A body that is not an object, or one without LockedBy, was unhandled in the original.
		return nil, perr
	}
	user, ok := v.(string)
	if !ok {
		return nil, apigw.ViewError("Exception: %s", paramTypeError("ExpressionAttributeValues.:lockedby.S", v))
	}
	lockedAt := h.now().Unix()
	_, err = h.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(h.cfg.Table),
		Key:              keyOf(assetID),
		UpdateExpression: aws.String("set Locked = :locked, LockedBy = :lockedby, LockedAt = :timestamp"),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{
			":locked":    &dbtypes.AttributeValueMemberS{Value: "true"},
			":lockedby":  &dbtypes.AttributeValueMemberS{Value: user},
			":timestamp": &dbtypes.AttributeValueMemberN{Value: strconv.FormatInt(lockedAt, 10)},
		},
		// attribute_exists(AssetId) keeps a lock from creating an item for an unknown asset; the old item
		// tells "not found" from "already locked" when the condition fails.
		ConditionExpression:                 aws.String("attribute_exists(AssetId) and attribute_not_exists(LockedBy) and attribute_not_exists(LockedAt)"),
		ReturnValuesOnConditionCheckFailure: dbtypes.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if ccf := conditionFailed(err); ccf != nil && len(ccf.Item) == 0 {
		return nil, notFound(assetID)
	}
	if err != nil {
		return nil, viewError(err, "Unable to lock asset: ", "Exception: ")
	}
	out := pyjson.NewMap()
	out.Set("AssetId", assetID)
	out.Set("LockedBy", user)
	// an integer here, a string in R15.
	out.Set("LockedAt", lockedAt)
	return out, nil
}

// unlockAsset is R14 `POST /checkin/{asset_id}`: anyone may remove a lock; an asset that is not locked (or does
// not exist) gets the original's 500 (DP-24). The body is ignored.
func (h *Handler) unlockAsset(ctx context.Context, req *apigw.Request) (any, error) {
	assetID := req.PathParam("asset_id")
	_, err := h.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(h.cfg.Table),
		Key:                 keyOf(assetID),
		UpdateExpression:    aws.String("remove Locked, LockedAt, LockedBy"),
		ConditionExpression: aws.String("attribute_exists(Locked) and attribute_exists(LockedBy) and attribute_exists(LockedAt)"),
	})
	if err != nil {
		return nil, viewError(err, "Unable to unlock asset: ", "Exception: ")
	}
	return apigw.Text("Unlocked asset " + assetID), nil
}

// listLocks is R15 `GET /checkouts`: every lock, oldest first, following the index query across pages (DP-25,
// LockedAt is DynamoDB's number text, a JSON string.
func (h *Handler) listLocks(ctx context.Context, _ *apigw.Request) (any, error) {
	locks := []any{}
	pages := dynamodb.NewQueryPaginator(h.db, &dynamodb.QueryInput{
		TableName:                 aws.String(h.cfg.Table),
		IndexName:                 aws.String(resources.LockIndex),
		KeyConditionExpression:    aws.String("Locked=:locked"),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":locked": &dbtypes.AttributeValueMemberS{Value: "true"}},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, viewError(err, "Unable to list locked assets: ", "Exception: ")
		}
		for _, item := range page.Items {
			lock := pyjson.NewMap()
			for _, f := range lockFields {
				av, ok := item[f.name]
				if !ok {
					// The original's KeyError inside its try block.
					return nil, apigw.ViewError("Exception: %s", pyjson.QuoteKey(f.name))
				}
				lock.Set(f.name, scalarText(av, f.number))
			}
			locks = append(locks, lock)
		}
	}
	out := pyjson.NewMap()
	out.Set("locks", locks)
	return out, nil
}

// lockFields are the attributes of an R15 entry, in response order; LockedAt is read as a number.
var lockFields = []struct {
	name   string
	number bool
}{{"AssetId", false}, {"LockedBy", false}, {"LockedAt", true}}

// scalarText is the original's item[name].get('S') or .get('N'): the attribute's text when it has the expected
// type, null otherwise.
func scalarText(av dbtypes.AttributeValue, number bool) any {
	if n, ok := av.(*dbtypes.AttributeValueMemberN); ok && number {
		return n.Value
	}
	if s, ok := av.(*dbtypes.AttributeValueMemberS); ok && !number {
		return s.Value
	}
	return nil
}
