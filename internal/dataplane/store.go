package dataplane

import (
	"bytes"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// writeErrorPrefix starts every message about a failed S3 write or page append of R8.
const writeErrorPrefix = "Exception occurred while writing metadata to s3: "

// storeFields are the body fields of R8 in the order the original read them.
var storeFields = []string{"OperatorName", "WorkflowId", "Results"}

// storeMetadata is R8 `POST /metadata/{asset_id}`: it writes an operator's results to
// private/assets/{A}/workflows/{W}/{O}.json and, once the result is complete, puts that key at the head of the
// operator's pointer list (DP-12, DP-13). Checks run in the original's order, so the first problem of a bad
// request gets the original's answer; nothing is written before every check has passed (DP-14).
func (h *Handler) storeMetadata(ctx context.Context, req *apigw.Request) (any, error) {
	assetID := req.PathParam("asset_id")
	body, err := jsonBody(req)
	if err != nil {
		return nil, err
	}
	paged, end, err := pagingFlags(req)
	if err != nil {
		return nil, err
	}
	operator, workflow, results, err := storeInput(assetID, body)
	if err != nil {
		return nil, err
	}
	key := assetPrefix(assetID) + "workflows/" + workflow + "/" + operator + ".json"
	pointers, err := h.pointerList(ctx, assetID, operator)
	if err != nil {
		return nil, err
	}
	doc, err := pyjson.Python(results)
	if err != nil {
		return nil, fmt.Errorf("encode results: %w", err)
	}
	if paged {
		if doc, err = h.appendPage(ctx, key, doc); err != nil {
			return nil, err
		}
	}
	put, err := h.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(h.cfg.Bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(doc),
		ContentLength: aws.Int64(int64(len(doc))),
	})
	if err != nil {
		return nil, viewError(err, writeErrorPrefix, writeErrorPrefix)
	}
	out := pyjson.NewMap()
	out.Set("Status", "Success")
	if paged && !end {
		return out, nil
	}
	if err := h.publish(ctx, assetID, operator, workflow, key, pointers); err != nil {
		h.unwrite(ctx, key, put.VersionId)
		return nil, err
	}
	out.Set("Bucket", h.cfg.Bucket)
	out.Set("Key", key)
	return out, nil
}

// pagingFlags reads R8's query string (data-plane §5.8.1). With no query string the store is single-shot; with one,
// `paginated` is required. Only `paginated=true` starts or continues a paged result, whose last page carries
// `end=true`; any other value stores a single-shot result and ignores `end` (Q-02: the original appended such
// pages to an array it never published).
func pagingFlags(req *apigw.Request) (paged, end bool, err error) {
	if !req.HasQuery() {
		return false, false, nil
	}
	p, ok := req.Query("paginated")
	if !ok {
		// also for end=true alone and for unrelated parameters.
		return false, false, apigw.BadRequest("Must pass required query parameter: paginated")
	}
	if p != "true" {
		return false, false, nil
	}
	e, ok := req.Query("end")
	if !ok {
		return true, false, nil
	}
	if e != "true" {
		return false, false, apigw.BadRequest("Query param end only supports a value of: true")
	}
	return true, true, nil
}

// storeInput validates R8's body: the three fields, Results an object with finite numbers, and names usable in a
// key. Floats in Results become strings (DP-15, data-plane §4.4).
func storeInput(assetID string, body any) (operator, workflow string, results *pyjson.Map, err error) {
	values := make([]any, len(storeFields))
	for i, name := range storeFields {
		v, perr := index(body, name)
		if perr != nil && perr.Type == "KeyError" {
			return "", "", nil, apigw.BadRequest("Missing required inputs for storing metadata: %s", perr.Message)
		}
		if perr != nil {
			return "", "", nil, apigw.ViewError("Unknown exception when storing asset metadata: %s", perr.Message)
		}
		values[i] = v
	}
	results, ok := values[2].(*pyjson.Map)
	if !ok {
		return "", "", nil, apigw.BadRequest("Exception occurred while storing metadata for %s: results are not the required data type, dict", assetID)
	}
	if _, err := pyjson.CanonicalizeFloats(results); err != nil {
		// the original stored Infinity or NaN, which no JSON reader accepts.
		return "", "", nil, apigw.BadRequest("Exception occurred while storing metadata for %s: results contain a number that is not finite", assetID)
	}
	workflow, ok = values[1].(string)
	if !ok {
		return "", "", nil, apigw.Unhandledf("TypeError", "can only concatenate str (not \"%s\") to str", pyjson.TypeName(values[1]))
	}
	operator, ok = values[0].(string)
	if !ok {
		return "", "", nil, apigw.Unhandledf("TypeError", "can only concatenate str (not \"%s\") to str", pyjson.TypeName(values[0]))
	}
	if err := reservedOperator(operator, true); err != nil {
		return "", "", nil, err
	}
	return operator, workflow, results, nil
}

// pointerList checks that the asset exists and returns the operator's pointer list, empty when the operator has
// no result yet. The read is consistent.
func (h *Handler) pointerList(ctx context.Context, assetID, operator string) ([]dbtypes.AttributeValue, error) {
	out, err := h.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(h.cfg.Table),
		Key:                      keyOf(assetID),
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("#id, #op"),
		ExpressionAttributeNames: map[string]string{"#id": "AssetId", "#op": operator},
	})
	if err != nil {
		return nil, viewError(err, "Unable to retrieve metadata: ", "Unable to retrieve metadata: ")
	}
	if len(out.Item) == 0 {
		return nil, notFound(assetID)
	}
	av, ok := out.Item[operator]
	if !ok {
		return nil, nil
	}
	list, ok := av.(*dbtypes.AttributeValueMemberL)
	if !ok {
		// The original failed here only after overwriting the document; this port fails before writing.
		return nil, apigw.Unhandledf("AttributeError", "attribute %s is not a pointer list", operator)
	}
	return list.Value, nil
}

// appendPage returns the stored page array with one more page (data-plane §5.8.2). Only a missing object starts a
// new array; any other read failure, or an existing document that is not an array, fails without writing.
// The pages already stored are kept byte for byte.
func (h *Handler) appendPage(ctx context.Context, key string, page []byte) ([]byte, error) {
	obj, err := h.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(h.cfg.Bucket), Key: aws.String(key)})
	if isNoSuchKey(err) {
		return append(append([]byte{'['}, page...), ']'), nil
	}
	if err != nil {
		return nil, viewError(err, writeErrorPrefix, writeErrorPrefix)
	}
	existing, err := readBody(obj)
	if err != nil {
		return nil, apigw.ViewError("%s%s", writeErrorPrefix, err.Error())
	}
	pages, err := splitArray(existing, -1)
	if err != nil {
		return nil, apigw.ViewError("%sexisting object is not a list of pages", writeErrorPrefix)
	}
	doc := bytes.TrimRight(existing, " \t\r\n")
	doc = doc[:len(doc)-1]
	if len(pages) > 0 {
		doc = append(doc, ", "...)
	}
	doc = append(doc, page...)
	return append(doc, ']'), nil
}

// publish makes key the operator's current result: {"workflow", "pointer"} is prepended to its pointer list, older
// entries stay as history (data-plane §4.1, Q-19).
func (h *Handler) publish(ctx context.Context, assetID, operator, workflow, key string, pointers []dbtypes.AttributeValue) error {
	head := &dbtypes.AttributeValueMemberM{Value: map[string]dbtypes.AttributeValue{
		"workflow": &dbtypes.AttributeValueMemberS{Value: workflow},
		"pointer":  &dbtypes.AttributeValueMemberS{Value: key},
	}}
	_, err := h.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(h.cfg.Table),
		Key:                       keyOf(assetID),
		UpdateExpression:          aws.String("SET #operator_result = :result"),
		ExpressionAttributeNames:  map[string]string{"#operator_result": operator},
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":result": &dbtypes.AttributeValueMemberL{Value: append([]dbtypes.AttributeValue{head}, pointers...)}},
		// The asset may have been deleted since the existence check; an unconditional update would recreate it.
		ConditionExpression: aws.String("attribute_exists(AssetId)"),
	})
	if conditionFailed(err) != nil {
		return notFound(assetID)
	}
	if err != nil {
		return viewError(err, "Unable to update metadata pointer: ", "Exception: ")
	}
	return nil
}

// unwrite removes the document version a store wrote when its pointer could not be published (for instance because
// the item would exceed DynamoDB's 400 KB): the bucket's previous version becomes current again, so a failed store
// changes nothing and a retried last page is not appended twice. The original left the new version in place. In a
// bucket without versioning there is no version to remove.
func (h *Handler) unwrite(ctx context.Context, key string, versionID *string) {
	if versionID == nil {
		return
	}
	_, err := h.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(h.cfg.Bucket), Key: aws.String(key), VersionId: versionID})
	if err != nil {
		h.log.Error("remove unpublished metadata version", "key", key, "version", aws.ToString(versionID), "error", err)
	}
}
