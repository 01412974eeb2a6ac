// Package etl decodes the records of MIE's data plane analytics stream, the Kinesis data stream on which every
// change of the data plane is announced, into typed changes, and runs them through a Lambda handler for a Kinesis
// event source.
//
// Each record is one change of one asset; the asset id is the record's partition key, not part of its data, so
// the records of one asset arrive in order. Delivery is at least once: a consumer must be idempotent.
package etl

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// The actions of the stream's records.
const (
	ActionInsert = "INSERT"
	ActionModify = "MODIFY"
	ActionRemove = "REMOVE"
)

// Errors of Decode, for errors.Is.
var (
	// ErrMalformed marks a record that is not a data plane change: no partition key, data that is not a JSON
	// object, an action without the fields it needs, or a field of the wrong type.
	ErrMalformed = errors.New("malformed data plane change record")
	// ErrUnknownAction marks a well-formed record whose action this package does not know, e.g. one a later
	// version of the stream adds. Consumers may skip it.
	ErrUnknownAction = errors.New("unknown data plane change action")
)

// Change is one decoded record: *AssetInserted, *ResultChanged, *OperatorRemoved or *AssetRemoved.
type Change interface {
	// Asset returns the id of the asset that changed.
	Asset() string
	change()
}

// Extra holds the fields of a record that its type does not name, as sent. The stream renders every number as a
// JSON string.
type Extra map[string]json.RawMessage

// AssetInserted announces a new asset with its global attributes (INSERT). An asset row created by an update of
// a nonexistent asset in older versions of the data plane may lack the media attributes.
type AssetInserted struct {
	AssetID   string
	MediaType string
	S3Bucket  string
	S3Key     string
	// Created is the creation time in epoch seconds as text, e.g. "1700000000.123456"; see CreatedTime.
	Created string
	Extra   Extra
}

// ResultChanged announces that an operator has a new current result (MODIFY): the JSON document at Pointer, a
// key of the data plane bucket, stored by the workflow execution Workflow. Read it from S3 or through the data
// plane API.
type ResultChanged struct {
	AssetID  string
	Operator string
	Pointer  string
	Workflow string
	Extra    Extra
}

// OperatorRemoved announces that an operator's results of the asset were deleted (REMOVE with Operator).
type OperatorRemoved struct {
	AssetID  string
	Operator string
	Extra    Extra
}

// AssetRemoved announces that the asset and all its results were deleted (REMOVE without Operator).
type AssetRemoved struct {
	AssetID string
	Extra   Extra
}

// Asset implements Change.
func (c *AssetInserted) Asset() string { return c.AssetID }

// Asset implements Change.
func (c *ResultChanged) Asset() string { return c.AssetID }

// Asset implements Change.
func (c *OperatorRemoved) Asset() string { return c.AssetID }

// Asset implements Change.
func (c *AssetRemoved) Asset() string { return c.AssetID }

func (*AssetInserted) change()   {}
func (*ResultChanged) change()   {}
func (*OperatorRemoved) change() {}
func (*AssetRemoved) change()    {}

// CreatedTime returns Created as a time, to the microsecond it is written with.
func (c *AssetInserted) CreatedTime() (time.Time, error) {
	whole, fraction, _ := strings.Cut(c.Created, ".")
	seconds, err := strconv.ParseInt(whole, 10, 64)
	if err == nil && len(fraction) <= 9 {
		var nanos int64
		nanos, err = strconv.ParseInt(fraction+strings.Repeat("0", 9-len(fraction)), 10, 64)
		if err == nil {
			return time.Unix(seconds, nanos).UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("asset %s: Created %q is no time in epoch seconds", c.AssetID, c.Created)
}

// DecodeKinesis decodes the record of a Kinesis event, as a Lambda event source delivers it.
func DecodeKinesis(rec events.KinesisEventRecord) (Change, error) {
	return Decode(rec.Kinesis.PartitionKey, rec.Kinesis.Data)
}

// Decode decodes a record from its partition key (the asset id) and its data. Fields it does not know are kept
// in Extra; errors wrap ErrMalformed or ErrUnknownAction.
func Decode(partitionKey string, data []byte) (Change, error) {
	if partitionKey == "" {
		return nil, fmt.Errorf("%w: no partition key (asset id)", ErrMalformed)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return nil, fmt.Errorf("%w: asset %s: data is not a JSON object: %q", ErrMalformed, partitionKey, data)
	}
	r := reader{asset: partitionKey, fields: fields}
	action, present := r.take("Action")
	switch {
	case !present:
		return nil, r.malformed("no Action")
	case action == ActionInsert:
		c := &AssetInserted{AssetID: partitionKey}
		c.MediaType, _ = r.take("MediaType")
		c.S3Bucket, _ = r.take("S3Bucket")
		c.S3Key, _ = r.take("S3Key")
		c.Created, _ = r.take("Created")
		c.Extra = r.rest()
		return r.done(c)
	case action == ActionModify:
		c := &ResultChanged{AssetID: partitionKey}
		c.Operator = r.require("Operator")
		c.Pointer = r.require("Pointer")
		c.Workflow = r.require("Workflow")
		c.Extra = r.rest()
		return r.done(c)
	case action == ActionRemove:
		if operator, ok := r.take("Operator"); ok {
			return r.done(&OperatorRemoved{AssetID: partitionKey, Operator: operator, Extra: r.rest()})
		}
		return r.done(&AssetRemoved{AssetID: partitionKey, Extra: r.rest()})
	case r.err != nil:
		return nil, r.err
	default:
		return nil, fmt.Errorf("%w %q (asset %s)", ErrUnknownAction, action, partitionKey)
	}
}

// reader takes the string fields of one record's data, remembering the first error.
type reader struct {
	asset  string
	fields map[string]json.RawMessage
	err    error
}

func (r *reader) malformed(format string, args ...any) error {
	return fmt.Errorf("%w: asset %s: %s", ErrMalformed, r.asset, fmt.Sprintf(format, args...))
}

// take removes a field and returns it as a string; present is false when the record has no such field.
func (r *reader) take(name string) (value string, present bool) {
	raw, ok := r.fields[name]
	if !ok {
		return "", false
	}
	delete(r.fields, name)
	if err := json.Unmarshal(raw, &value); err != nil && r.err == nil {
		r.err = r.malformed("%s is not a string: %s", name, raw)
	}
	return value, true
}

// require is take for a field the action cannot do without.
func (r *reader) require(name string) string {
	value, ok := r.take(name)
	if !ok && r.err == nil {
		r.err = r.malformed("a MODIFY record needs %s", name)
	}
	return value
}

// done returns c, or the first error met while reading it.
func (r *reader) done(c Change) (Change, error) {
	if r.err != nil {
		return nil, r.err
	}
	return c, nil
}

// rest returns the fields not taken, nil when there are none.
func (r *reader) rest() Extra {
	if len(r.fields) == 0 {
		return nil
	}
	return Extra(r.fields)
}
