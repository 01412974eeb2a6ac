package dataplane

import (
	"errors"
	"net/http"
	"slices"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/mie-go/mie-go/internal/apigw"
)

// The asset item's attributes that are not operator pointer lists (data-plane §4.1).
var (
	// globalAttributes in the order R9 returns them (AssetId is the key and is not returned).
	globalAttributes = []string{"MediaType", "S3Key", "S3Bucket", "AssetId", "Created"}
	lockAttributes   = []string{"Locked", "LockedBy", "LockedAt"}
)

// isAssetAttribute reports whether name is a global or lock attribute, i.e. not an operator.
func isAssetAttribute(name string) bool {
	return slices.Contains(globalAttributes, name) || slices.Contains(lockAttributes, name)
}

// reservedOperator returns the 400 for operator names that would overwrite the asset's own attributes. When
// storing, `page` is refused as well: cursors find the operator as "the key that is not page".
func reservedOperator(name string, storing bool) error {
	if isAssetAttribute(name) || (storing && name == "page") {
		return apigw.BadRequest("Operator name '%s' is reserved", name)
	}
	return nil
}

// assetPrefix is the S3 "directory" of an asset: its marker object and the prefix of all its documents (§4.2).
func assetPrefix(assetID string) string { return "private/assets/" + assetID + "/" }

// notFound is the 404 of every route that needs the asset to exist.
func notFound(assetID string) error {
	return apigw.NotFound("Exception occurred while verifying asset exists: %s does not exist", assetID)
}

// awsMessage returns what the original put in its messages: the service's error message for an AWS error (boto3's
// ClientError), otherwise the error text. ok is false for errors that did not come from the service.
func awsMessage(err error) (msg string, ok bool) {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorMessage(), true
	}
	return err.Error(), false
}

// viewError is the original's `except ClientError` / `except Exception` pair: a 500 ChaliceViewError whose text
// is awsPrefix + the service's message for AWS errors and otherPrefix + the error text for anything else.
func viewError(err error, awsPrefix, otherPrefix string) error {
	if msg, ok := awsMessage(err); ok {
		return apigw.ViewError("%s%s", awsPrefix, msg)
	}
	return apigw.ViewError("%s%s", otherPrefix, err.Error())
}

// isNoSuchKey reports whether an S3 read failed because the object does not exist.
func isNoSuchKey(err error) bool {
	var nsk *s3types.NoSuchKey
	if errors.As(err, &nsk) {
		return true
	}
	var resp *awshttp.ResponseError
	return errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusNotFound
}

// conditionFailed returns the DynamoDB conditional-check failure in err, or nil.
func conditionFailed(err error) *dbtypes.ConditionalCheckFailedException {
	var ccf *dbtypes.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ccf
	}
	return nil
}

// stringAttr returns a string attribute's value.
func stringAttr(item map[string]dbtypes.AttributeValue, name string) (string, bool) {
	s, ok := item[name].(*dbtypes.AttributeValueMemberS)
	if !ok {
		return "", false
	}
	return s.Value, true
}

// headPointer returns the current document of an operator: the `pointer` of the first element of its pointer list
// (§4.1). The error is the unhandled failure the original had on a malformed list.
func headPointer(name string, av dbtypes.AttributeValue) (string, error) {
	list, ok := av.(*dbtypes.AttributeValueMemberL)
	if !ok || len(list.Value) == 0 {
		return "", apigw.Unhandledf("TypeError", "attribute %s is not a pointer list", name)
	}
	head, ok := list.Value[0].(*dbtypes.AttributeValueMemberM)
	if !ok {
		return "", apigw.Unhandledf("TypeError", "attribute %s is not a pointer list", name)
	}
	pointer, ok := stringAttr(head.Value, "pointer")
	if !ok {
		return "", apigw.Unhandledf("KeyError", "'pointer'")
	}
	return pointer, nil
}

// pointerKeys collects the S3 keys an operator's pointer list refers to: only the `pointer` values, without
// duplicates, in list order. Values that are not pointer lists contribute nothing.
func pointerKeys(av dbtypes.AttributeValue, seen map[string]bool, keys []string) []string {
	list, ok := av.(*dbtypes.AttributeValueMemberL)
	if !ok {
		return keys
	}
	for _, e := range list.Value {
		m, ok := e.(*dbtypes.AttributeValueMemberM)
		if !ok {
			continue
		}
		if p, ok := stringAttr(m.Value, "pointer"); ok && !seen[p] {
			seen[p] = true
			keys = append(keys, p)
		}
	}
	return keys
}

// keyOf is the DynamoDB key of an asset.
func keyOf(assetID string) map[string]dbtypes.AttributeValue {
	return map[string]dbtypes.AttributeValue{"AssetId": &dbtypes.AttributeValueMemberS{Value: assetID}}
}
