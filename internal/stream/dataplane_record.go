package stream

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/mie-go/mie-go/internal/ddbjson"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// The stream event names of DynamoDB; any other name is ignored (§9.3).
const (
	eventInsert = "INSERT"
	eventModify = "MODIFY"
	eventRemove = "REMOVE"
)

// assetIDAttribute is the data plane table's key; it becomes the Kinesis partition key and never appears in a
// payload (DP-33, Q-34).
const assetIDAttribute = "AssetId"

// insertLead lists the asset attributes an INSERT payload starts with, in this order; the other attributes follow
// sorted by name (§9.3's recommendation for an order the stream image does not give).
var insertLead = []string{"MediaType", "S3Bucket", "S3Key", "Created"}

// dataplaneMessage is one record for the analytics stream.
type dataplaneMessage struct {
	assetID string
	data    []byte // the payload as Python's json.dumps writes it: pure ASCII, ", " and ": " separators
}

// newDataplaneMessage reads one stream record. It returns nil when the change means nothing to analytics consumers,
// and an error when the record cannot be read; neither is a reason to retry.
func newDataplaneMessage(rec events.DynamoDBEventRecord) (*dataplaneMessage, error) {
	switch rec.EventName {
	case eventInsert, eventModify, eventRemove:
	default:
		return nil, nil
	}
	key, ok := rec.Change.Keys[assetIDAttribute]
	if !ok || key.DataType() != events.DataTypeString || key.String() == "" {
		return nil, fmt.Errorf("the record's keys hold no %s string", assetIDAttribute)
	}
	var payload *pyjson.Map
	var err error
	switch rec.EventName {
	case eventInsert:
		payload, err = insertPayload(rec.Change.NewImage)
	case eventModify:
		payload, err = modifyPayload(rec.Change.NewImage, rec.Change.OldImage)
	default:
		// DP-31: an asset deletion carries nothing but the action; the asset is the partition key.
		payload = pyjson.NewMap()
		payload.Set("Action", eventRemove)
	}
	if err != nil || payload == nil {
		return nil, err
	}
	data, err := pyjson.Python(payload)
	if err != nil {
		return nil, fmt.Errorf("render payload: %w", err)
	}
	return &dataplaneMessage{assetID: key.String(), data: data}, nil
}

// insertPayload lists a new asset's attributes except its id, then the action (DP-30).
func insertPayload(image map[string]events.DynamoDBAttributeValue) (*pyjson.Map, error) {
	if image == nil {
		return nil, errors.New("INSERT record without a new image")
	}
	item, err := plainImage(image)
	if err != nil {
		return nil, err
	}
	payload := pyjson.NewMap()
	for _, name := range insertLead {
		if v, ok := item.Get(name); ok {
			payload.Set(name, v)
		}
	}
	// item's keys are sorted, and Set leaves the leading attributes where they are.
	for name, v := range item.All() {
		if name != assetIDAttribute {
			payload.Set(name, v)
		}
	}
	payload.Set("Action", eventInsert)
	return payload, nil
}

// modifyPayload tells which operator's results an update changed (DP-32). Only list-valued attributes are operator
// pointer lists: the asset's own attributes and the lock attributes, which checkout adds and checkin removes, are
// left out of the comparison, so lock changes send nothing. Where the original picked one of several
// candidates at random, the first by name is taken.
func modifyPayload(newImage, oldImage map[string]events.DynamoDBAttributeValue) (*pyjson.Map, error) {
	if newImage == nil || oldImage == nil {
		return nil, errors.New("MODIFY record without both images")
	}
	newItem, err := plainImage(newImage)
	if err != nil {
		return nil, fmt.Errorf("new image: %w", err)
	}
	oldItem, err := plainImage(oldImage)
	if err != nil {
		return nil, fmt.Errorf("old image: %w", err)
	}
	newOps, oldOps := operators(newItem), operators(oldItem)
	// A first result for an operator.
	for _, name := range newOps {
		if !slices.Contains(oldOps, name) {
			return resultPayload(newItem, name)
		}
	}
	// An operator's results deleted: consumers tell this from an asset deletion by the Operator key.
	for _, name := range oldOps {
		if !slices.Contains(newOps, name) {
			payload := pyjson.NewMap()
			payload.Set("Action", eventRemove)
			payload.Set("Operator", name)
			return payload, nil
		}
	}
	var changed []string
	for _, name := range newOps {
		if !samePointer(newItem, oldItem, name) {
			changed = append(changed, name)
		}
	}
	switch len(changed) {
	case 0:
		// E.g. the same workflow stored the same key again: the current result is still where it was.
		return nil, nil
	case 1:
		return resultPayload(newItem, changed[0])
	default:
		return nil, fmt.Errorf("the current results of %d operators changed in one update (%s); the record is ambiguous",
			len(changed), strings.Join(changed, ", "))
	}
}

// resultPayload announces the current result of an operator: the head of its pointer list in item.
func resultPayload(item *pyjson.Map, operator string) (*pyjson.Map, error) {
	head, ok := currentResult(item, operator)
	if !ok {
		return nil, fmt.Errorf("operator %s: its pointer list does not start with an object", operator)
	}
	pointer, ok := head.Get("pointer")
	if !ok {
		return nil, fmt.Errorf("operator %s: its current result has no pointer", operator)
	}
	workflow, ok := head.Get("workflow")
	if !ok {
		return nil, fmt.Errorf("operator %s: its current result has no workflow", operator)
	}
	payload := pyjson.NewMap()
	payload.Set("Action", eventModify)
	payload.Set("Pointer", pointer)
	payload.Set("Operator", operator)
	payload.Set("Workflow", workflow)
	return payload, nil
}

// operators returns the names of item's list-valued attributes, sorted.
func operators(item *pyjson.Map) []string {
	var names []string
	for name, v := range item.All() {
		if _, ok := v.([]any); ok {
			names = append(names, name)
		}
	}
	return names
}

// currentResult returns the first element of an operator's pointer list.
func currentResult(item *pyjson.Map, operator string) (*pyjson.Map, bool) {
	v, _ := item.Get(operator)
	list, _ := v.([]any)
	if len(list) == 0 {
		return nil, false
	}
	head, ok := list[0].(*pyjson.Map)
	return head, ok
}

// samePointer reports whether an operator's current result points to the same place in both items. A list that
// has no readable head counts as a pointer of its own, equal only to another such list.
func samePointer(newItem, oldItem *pyjson.Map, operator string) bool {
	pointerOf := func(item *pyjson.Map) (any, bool) {
		head, ok := currentResult(item, operator)
		if !ok {
			return nil, false
		}
		return head.Get("pointer")
	}
	newPointer, newOK := pointerOf(newItem)
	oldPointer, oldOK := pointerOf(oldItem)
	return newOK == oldOK && reflect.DeepEqual(newPointer, oldPointer)
}

// plainImage converts a stream image to plain values with its keys sorted (Q-37: typed, not guessed from the
// shape), every number as a string holding the stream's N text unchanged (DP-29, Q-33), binary values as base64
// and sets as arrays.
func plainImage(image map[string]events.DynamoDBAttributeValue) (*pyjson.Map, error) {
	item, err := ddbjson.UnmarshalEventMap(image)
	if err != nil {
		return nil, err
	}
	numbersAsStrings(item)
	return item, nil
}

// numbersAsStrings replaces, in place, every number inside v by its text and returns the result.
func numbersAsStrings(v any) any {
	switch x := v.(type) {
	case pyjson.Number:
		return string(x)
	case *pyjson.Map:
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			x.Set(k, numbersAsStrings(e))
		}
	case []any:
		for i, e := range x {
			x[i] = numbersAsStrings(e)
		}
	}
	return v
}
