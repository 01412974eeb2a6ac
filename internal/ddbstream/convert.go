package ddbstream

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// eventVersion is the record format version Lambda's DynamoDB event source reports; moto reports an older one.
const eventVersion = "1.1"

// convertRecord fills a Lambda event record from a GetRecords record of this Reader's stream.
func (r *Reader) convertRecord(rec types.Record) (events.DynamoDBEventRecord, error) {
	ev := events.DynamoDBEventRecord{
		AWSRegion:      aws.ToString(rec.AwsRegion),
		EventID:        aws.ToString(rec.EventID),
		EventName:      string(rec.EventName),
		EventSource:    "aws:dynamodb",
		EventVersion:   eventVersion,
		EventSourceArn: r.arn,
	}
	if ev.AWSRegion == "" {
		ev.AWSRegion = r.region
	}
	if id := rec.UserIdentity; id != nil {
		// Present on deletions by Time to Live.
		ev.UserIdentity = &events.DynamoDBUserIdentity{Type: aws.ToString(id.Type), PrincipalID: aws.ToString(id.PrincipalId)}
	}
	sr := rec.Dynamodb
	if sr == nil {
		return events.DynamoDBEventRecord{}, fmt.Errorf("record %s has no dynamodb section", ev.EventID)
	}
	var err error
	ch := &ev.Change
	if ch.Keys, err = convertMap(sr.Keys); err != nil {
		return events.DynamoDBEventRecord{}, fmt.Errorf("keys of record %s: %w", ev.EventID, err)
	}
	if ch.NewImage, err = convertMap(sr.NewImage); err != nil {
		return events.DynamoDBEventRecord{}, fmt.Errorf("new image of record %s: %w", ev.EventID, err)
	}
	if ch.OldImage, err = convertMap(sr.OldImage); err != nil {
		return events.DynamoDBEventRecord{}, fmt.Errorf("old image of record %s: %w", ev.EventID, err)
	}
	if sr.ApproximateCreationDateTime != nil {
		ch.ApproximateCreationDateTime = events.SecondsEpochTime{Time: *sr.ApproximateCreationDateTime}
	}
	ch.SequenceNumber = aws.ToString(sr.SequenceNumber)
	ch.SizeBytes = aws.ToInt64(sr.SizeBytes)
	ch.StreamViewType = string(sr.StreamViewType)
	return ev, nil
}

// convertMap converts an item image or key map; nil stays nil, so an image the record lacks stays absent in JSON.
func convertMap(m map[string]types.AttributeValue) (map[string]events.DynamoDBAttributeValue, error) {
	if m == nil {
		return nil, nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for name, v := range m {
		c, err := convertValue(v)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", name, err)
		}
		out[name] = c
	}
	return out, nil
}

// convertValue converts one attribute value. Numbers keep the exact text the stream delivered: the stream functions
// forward that text as is (data-plane §9.3).
func convertValue(v types.AttributeValue) (events.DynamoDBAttributeValue, error) {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value), nil
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value), nil
	case *types.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value), nil
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value), nil
	case *types.AttributeValueMemberNULL:
		return events.NewNullAttribute(), nil
	case *types.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value), nil
	case *types.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value), nil
	case *types.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value), nil
	case *types.AttributeValueMemberM:
		m, err := convertMap(v.Value)
		if err != nil {
			return events.DynamoDBAttributeValue{}, err
		}
		return events.NewMapAttribute(m), nil
	case *types.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, e := range v.Value {
			c, err := convertValue(e)
			if err != nil {
				return events.DynamoDBAttributeValue{}, fmt.Errorf("element %d: %w", i, err)
			}
			l[i] = c
		}
		return events.NewListAttribute(l), nil
	default:
		return events.DynamoDBAttributeValue{}, fmt.Errorf("unsupported attribute value type %T", v)
	}
}
