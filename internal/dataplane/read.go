package dataplane

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/ddbjson"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// assetMetadata is R9 `GET /metadata/{asset_id}`. Without a cursor it returns the asset's global attributes and a
// cursor over its operators (DP-16); each call with a cursor returns one page of one operator's result and the
// cursor for the next page or operator, none after the last (DP-17). A query string without `cursor` is a first
// call.
func (h *Handler) assetMetadata(ctx context.Context, req *apigw.Request) (any, error) {
	assetID := req.PathParam("asset_id")
	raw, ok := req.Query("cursor")
	if !ok {
		return h.assetFirstPage(ctx, assetID)
	}
	c, err := readCursor(raw, assetID, "")
	if err != nil {
		return nil, err
	}
	doc, err := h.readPage(ctx, c.pointer, c.page)
	if errors.Is(err, errNoPage) {
		return nil, invalidCursor()
	}
	if err != nil {
		return nil, err
	}
	out := pyjson.NewMap()
	out.Set("asset_id", assetID)
	out.Set("operator", c.operator)
	if doc.more {
		if err := setCursor(out, nextPage(c.operator, c.pointer, c.page+1), c.remaining); err != nil {
			return nil, err
		}
	} else {
		// remaining[0] is the operator just finished.
		if len(c.remaining) == 0 {
			return nil, invalidCursor()
		}
		if err := setRemainingCursor(out, c.remaining[1:]); err != nil {
			return nil, err
		}
	}
	out.Set("results", doc.results)
	return out, nil
}

// assetFirstPage is R9's first call: the global attributes in the original's order, then a cursor over the
// operators sorted by name, lock attributes left out. The read is consistent.
func (h *Handler) assetFirstPage(ctx context.Context, assetID string) (any, error) {
	out, err := h.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(h.cfg.Table),
		Key:            keyOf(assetID),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, viewError(err, "Unable to retrieve metadata: ", "Unable to retrieve metadata: ")
	}
	if len(out.Item) == 0 {
		return nil, notFound(assetID)
	}
	globals := pyjson.NewMap()
	for _, name := range globalAttributes {
		if name == "AssetId" {
			continue
		}
		av, ok := out.Item[name]
		if !ok {
			return nil, apigw.Unhandledf("KeyError", "%s", pyjson.QuoteKey(name))
		}
		v, err := ddbjson.Unmarshal(av)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", name, err)
		}
		// The original's framework rendered DynamoDB numbers as floats; in practice these are all strings.
		if v, err = ddbjson.FloatNumbers(v); err != nil {
			return nil, fmt.Errorf("attribute %s: %w", name, err)
		}
		globals.Set(name, v)
	}
	var names []string
	for name := range out.Item {
		if !isAssetAttribute(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	remaining := make([]any, 0, len(names))
	for _, name := range names {
		pointer, err := headPointer(name, out.Item[name])
		if err != nil {
			return nil, err
		}
		entry := pyjson.NewMap()
		entry.Set(name, pointer)
		remaining = append(remaining, entry)
	}
	resp := pyjson.NewMap()
	resp.Set("asset_id", assetID)
	if err := setRemainingCursor(resp, remaining); err != nil {
		return nil, err
	}
	resp.Set("results", globals)
	return resp, nil
}

// setRemainingCursor adds the cursor that starts reading remaining[0] at page 0, if anything remains. `next` and
// remaining[0] are the same object, so the encoded remaining[0] carries `"page": 0` too, as in the original.
func setRemainingCursor(resp *pyjson.Map, remaining []any) error {
	if len(remaining) == 0 {
		return nil
	}
	next, ok := remaining[0].(*pyjson.Map)
	if !ok {
		return invalidCursor()
	}
	next.Set("page", 0)
	return setCursor(resp, next, remaining)
}

func setCursor(resp *pyjson.Map, next *pyjson.Map, remaining []any) error {
	c, err := encodeCursor(next, remaining)
	if err != nil {
		return err
	}
	resp.Set("cursor", c)
	return nil
}

// operatorMetadata is R10 `GET /metadata/{asset_id}/{operator_name}`: the first page of the operator's current
// result with a cursor while more pages follow (DP-19), or the page a cursor names (DP-20).
func (h *Handler) operatorMetadata(ctx context.Context, req *apigw.Request) (any, error) {
	assetID, operator := req.PathParam("asset_id"), req.PathParam("operator_name")
	if raw, ok := req.Query("cursor"); ok {
		c, err := readCursor(raw, assetID, operator)
		if err != nil {
			return nil, err
		}
		doc, err := h.readPage(ctx, c.pointer, c.page)
		if errors.Is(err, errNoPage) || (err == nil && !doc.paged) {
			return nil, invalidCursor()
		}
		if err != nil {
			return nil, err
		}
		return operatorPage(assetID, operator, c.pointer, c.page, doc)
	}
	noMetadata := apigw.NotFound("No metadata found for operator %s on asset %s", operator, assetID)
	if isAssetAttribute(operator) {
		return nil, noMetadata
	}
	out, err := h.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(h.cfg.Table),
		Key:                      keyOf(assetID),
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("#id, #attr"),
		ExpressionAttributeNames: map[string]string{"#id": "AssetId", "#attr": operator},
	})
	if err != nil {
		return nil, viewError(err, "Unable to retrieve metadata: ", "Unable to retrieve metadata: ")
	}
	if len(out.Item) == 0 {
		return nil, notFound(assetID)
	}
	av, ok := out.Item[operator]
	if !ok {
		// the original failed with the generic 500.
		return nil, noMetadata
	}
	pointer, err := headPointer(operator, av)
	if err != nil {
		return nil, err
	}
	doc, err := h.readPage(ctx, pointer, 0)
	if errors.Is(err, errNoPage) {
		return nil, apigw.Unhandledf("IndexError", "list index out of range")
	}
	if err != nil {
		return nil, err
	}
	return operatorPage(assetID, operator, pointer, 0, doc)
}

// operatorPage is R10's answer for one page; R10 cursors list only the operator in `remaining`.
func operatorPage(assetID, operator, pointer string, n int, doc page) (any, error) {
	resp := operatorResponse(assetID, operator)
	if doc.more {
		if err := setCursor(resp, nextPage(operator, pointer, n+1), []any{operator}); err != nil {
			return nil, err
		}
	}
	resp.Set("results", doc.results)
	return resp, nil
}

func operatorResponse(assetID, operator string) *pyjson.Map {
	resp := pyjson.NewMap()
	resp.Set("asset_id", assetID)
	resp.Set("operator", operator)
	return resp
}

// page is what a read returns of a stored document: one page of a paged result, or the whole single result.
type page struct {
	results any
	// paged is true when the document is an array of pages; more when a page follows this one.
	paged, more bool
}

// errNoPage is the error of readPage for a page beyond the end of the array.
var errNoPage = errors.New("page out of range")

// readPage reads page n of a metadata document. Readers decide by type: an array holds pages, anything else is one
// result, returned whole whatever n is (data-plane §4.3). Numbers keep their stored spelling (DP-15). Failures
// other than errNoPage were unhandled in the original.
func (h *Handler) readPage(ctx context.Context, key string, n int) (page, error) {
	out, err := h.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(h.cfg.Bucket), Key: aws.String(key)})
	if err != nil {
		return page{}, fmt.Errorf("read %s: %w", key, err)
	}
	text, err := readBody(out)
	if err != nil {
		return page{}, fmt.Errorf("read %s: %w", key, err)
	}
	pages, err := splitArray(text, n+2)
	if errors.Is(err, errNotArray) {
		doc, err := pyjson.Decode(text)
		if err != nil {
			return page{}, fmt.Errorf("decode %s: %w", key, err)
		}
		return page{results: doc}, nil
	}
	if err != nil {
		return page{}, fmt.Errorf("decode %s: %w", key, err)
	}
	if n >= len(pages) {
		return page{}, errNoPage
	}
	doc, err := pyjson.Decode(pages[n])
	if err != nil {
		return page{}, fmt.Errorf("decode page %d of %s: %w", n, key, err)
	}
	return page{results: doc, paged: true, more: len(pages) > n+1}, nil
}
