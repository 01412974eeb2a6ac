package controlplane

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/mie-go/mie-go/internal/ddbjson"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// dbNumber is a number read from DynamoDB. The original answered such numbers as floats (`2` as `2.0`, Q-27) but
// echoed numbers of the request as sent, and items mix both (a stage copies its operations' configurations, a
// workflow overlays its stages). Marking where a number came from lets one value be stored exactly (CP-45) and
// answered as the original did.
type dbNumber string

// fromDB converts an item read from DynamoDB, marking its numbers.
func fromDB(item map[string]types.AttributeValue) (*pyjson.Map, error) {
	m, err := ddbjson.UnmarshalMap(item)
	if err != nil {
		return nil, err
	}
	return mapNumbers(m, func(n pyjson.Number) (any, error) { return dbNumber(n), nil })
}

// toDB converts a value built from requests and items to a DynamoDB item, numbers as DynamoDB numbers.
func toDB(m *pyjson.Map) (map[string]types.AttributeValue, error) {
	plain, err := mapNumbers(m, nil)
	if err != nil {
		return nil, err
	}
	return ddbjson.MarshalMap(plain)
}

// respond converts a value for an HTTP body: numbers read from DynamoDB as Python floats, request numbers as sent.
func respond(v any) (any, error) {
	return convertNumbers(v, nil, func(n dbNumber) (any, error) { return pyjson.DynamoFloat(string(n)) })
}

func mapNumbers(m *pyjson.Map, fromRequest func(pyjson.Number) (any, error)) (*pyjson.Map, error) {
	v, err := convertNumbers(m, fromRequest, nil)
	if err != nil {
		return nil, err
	}
	return v.(*pyjson.Map), nil
}

// convertNumbers copies v, converting request numbers with fromRequest and DynamoDB numbers with fromDB; a nil
// function turns numbers of that kind into plain pyjson.Numbers.
func convertNumbers(v any, fromRequest func(pyjson.Number) (any, error), fromDB func(dbNumber) (any, error)) (any, error) {
	switch t := v.(type) {
	case pyjson.Number:
		if fromRequest == nil {
			return t, nil
		}
		return fromRequest(t)
	case dbNumber:
		if fromDB == nil {
			return pyjson.Number(t), nil
		}
		return fromDB(t)
	case *pyjson.Map:
		out := pyjson.NewMap()
		for k, e := range t.All() {
			c, err := convertNumbers(e, fromRequest, fromDB)
			if err != nil {
				return nil, err
			}
			out.Set(k, c)
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			c, err := convertNumbers(e, fromRequest, fromDB)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	return v, nil
}

// nameKey is the key of the four definition tables.
func nameKey(name any) (map[string]types.AttributeValue, error) {
	av, err := ddbjson.Marshal(name)
	if err != nil {
		return nil, err
	}
	return map[string]types.AttributeValue{"Name": av}, nil
}

// getItem reads a definition by name; it returns nil without error when there is none.
func (h *Handler) getItem(ctx context.Context, table string, name any, consistent bool) (*pyjson.Map, error) {
	key, err := nameKey(name)
	if err != nil {
		return nil, err
	}
	in := &dynamodb.GetItemInput{TableName: aws.String(table), Key: key}
	if consistent {
		in.ConsistentRead = aws.Bool(true)
	}
	out, err := h.clients.DynamoDB.GetItem(ctx, in)
	if err != nil {
		return nil, err
	}
	if out.Item == nil {
		return nil, nil
	}
	return fromDB(out.Item)
}

// putItem writes an item, under a condition expression when cond is not empty.
func (h *Handler) putItem(ctx context.Context, table string, item *pyjson.Map, cond *condition) error {
	av, err := toDB(item)
	if err != nil {
		return err
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(table), Item: av}
	if cond != nil {
		in.ConditionExpression = aws.String(cond.expression)
		in.ExpressionAttributeNames = cond.names
	}
	_, err = h.clients.DynamoDB.PutItem(ctx, in)
	return err
}

// condition is a hand-written condition expression: the original's expressions are kept verbatim.
type condition struct {
	expression string
	names      map[string]string
}

// nameIsNew is the condition that makes creating a definition safe against a concurrent creation of the same
// name: CloudFormation registers the operator library's 34 operations in parallel (infrastructure §6.5).
var nameIsNew = &condition{expression: "attribute_not_exists(#name)", names: map[string]string{"#name": "Name"}}

// deleteItem deletes a definition by name.
func (h *Handler) deleteItem(ctx context.Context, table string, name any) error {
	key, err := nameKey(name)
	if err != nil {
		return err
	}
	_, err = h.clients.DynamoDB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: key})
	return err
}

// scanAll reads every page of a scan with the same parameters on each page (CP-11; the original dropped the filter
// after the first page, Q-10, and read one page of the system table, Q-28).
func (h *Handler) scanAll(ctx context.Context, in *dynamodb.ScanInput) ([]any, error) {
	items := []any{}
	pages := dynamodb.NewScanPaginator(h.clients.DynamoDB, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, raw := range page.Items {
			item, err := fromDB(raw)
			if err != nil {
				return nil, fmt.Errorf("scan %s: %w", aws.ToString(in.TableName), err)
			}
			items = append(items, item)
		}
	}
	return items, nil
}
