package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/operators/sdk"
)

// Publisher is the part of the SNS client the workflow execution stream function uses.
type Publisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// WorkflowHandler is the workflow execution stream function (the original's WorkflowExecutionStreamingFunction,
// control-plane §10, CP-41): it announces each status change of a workflow execution on the SNS topic.
type WorkflowHandler struct {
	sns      Publisher
	topicARN string
	now      func() time.Time
	log      *slog.Logger
}

// WorkflowOption configures a WorkflowHandler.
type WorkflowOption func(*WorkflowHandler)

// WithWorkflowClock sets the clock that stamps the messages' EventTimestamp (default time.Now).
func WithWorkflowClock(now func() time.Time) WorkflowOption {
	return func(h *WorkflowHandler) { h.now = now }
}

// NewWorkflow returns a handler that publishes to the topic topicARN.
func NewWorkflow(sns Publisher, topicARN string, opts ...WorkflowOption) *WorkflowHandler {
	h := &WorkflowHandler{sns: sns, topicARN: topicARN, now: time.Now, log: slog.Default()}
	for _, o := range opts {
		o(h)
	}
	return h
}

// NewWorkflowFromLookup builds the handler from the function's configuration: TOPIC_ARN, the topic, and
// botoConfig, both of which the original requires at start-up.
func NewWorkflowFromLookup(ctx context.Context, lookup awsconf.Lookup) (*WorkflowHandler, error) {
	topic := lookup("TOPIC_ARN")
	if topic == "" {
		return nil, errors.New("workflow execution stream function: TOPIC_ARN is not set")
	}
	if lookup("botoConfig") == "" {
		return nil, errors.New("workflow execution stream function: botoConfig is not set")
	}
	cfg, err := awsconf.Load(ctx, lookup)
	if err != nil {
		return nil, fmt.Errorf("workflow execution stream function: %w", err)
	}
	return NewWorkflow(cfg.SNS(), topic), nil
}

// Handle publishes one SNS message for each MODIFY record of the batch whose Status changed, in order (CP-41).
// INSERT and REMOVE records, and updates that keep the status, publish nothing: the first status a client hears of
// is Started.
//
// A publish the SNS service refuses is logged and the record dropped, as the original did with botocore's
// ClientError. Any other failure fails the batch, which the event source delivers again: a record without one of
// the attributes the message needs, or a publish that never reached SNS.
func (h *WorkflowHandler) Handle(ctx context.Context, ev events.DynamoDBEvent) error {
	for _, rec := range ev.Records {
		if rec.EventName != eventModify {
			continue
		}
		msg, err := h.statusMessage(rec)
		if err != nil {
			return fmt.Errorf("workflow execution stream record %s: %w", rec.EventID, err)
		}
		if msg == "" {
			continue
		}
		_, err = h.sns.Publish(ctx, &sns.PublishInput{
			TargetArn:        aws.String(h.topicARN),
			Message:          aws.String(msg),
			MessageStructure: aws.String("json"),
		})
		var refused smithy.APIError
		if errors.As(err, &refused) {
			h.log.ErrorContext(ctx, "Exception occurred while publishing message to SNS: "+refused.ErrorMessage(),
				"eventID", rec.EventID, "error", err)
			continue
		}
		if err != nil {
			return fmt.Errorf("publish the status change of stream record %s: %w", rec.EventID, err)
		}
	}
	return nil
}

// statusMessage returns the SNS message of a MODIFY record, or "" when the status did not change (§10). The
// message is JSON structured per protocol, `{"default": "<inner>"}`, so that every subscriber receives the inner
// text: the 7 keys below, in this order, numbers as strings (their stream text), as Python's json.dumps writes them.
func (h *WorkflowHandler) statusMessage(rec events.DynamoDBEventRecord) (string, error) {
	oldItem, err := workflowImage(rec.Change.OldImage, "OldImage")
	if err != nil {
		return "", err
	}
	newItem, err := workflowImage(rec.Change.NewImage, "NewImage")
	if err != nil {
		return "", err
	}
	newStatus, err := attribute(newItem, "Status")
	if err != nil {
		return "", err
	}
	oldStatus, err := attribute(oldItem, "Status")
	if err != nil {
		return "", err
	}
	if reflect.DeepEqual(newStatus, oldStatus) {
		return "", nil
	}
	inner := pyjson.NewMap()
	// Python's time.time(): the epoch nanoseconds divided as a float, written as its repr.
	inner.Set("EventTimestamp", float64(h.now().UnixNano())/1e9)
	for _, f := range []struct {
		key  string
		from *pyjson.Map
		name string
	}{
		{"WorkflowExecutionId", oldItem, "Id"},
		{"AssetId", oldItem, "AssetId"},
		{"Status", newItem, "Status"},
		{"Globals", newItem, "Globals"},
		{"Configuration", newItem, "Configuration"},
		{"Created", newItem, "Created"},
	} {
		v, err := attribute(f.from, f.name)
		if err != nil {
			return "", err
		}
		inner.Set(f.key, v)
	}
	text, err := pyjson.Python(inner)
	if err != nil {
		return "", fmt.Errorf("render the message: %w", err)
	}
	outer := pyjson.NewMap()
	outer.Set("default", string(text))
	msg, err := pyjson.Python(outer)
	if err != nil {
		return "", fmt.Errorf("render the message: %w", err)
	}
	return string(msg), nil
}

// workflowImage converts a record image to plain values, every number as its stream text (§10); a missing image is
// the original's KeyError.
func workflowImage(image map[string]events.DynamoDBAttributeValue, name string) (*pyjson.Map, error) {
	if image == nil {
		return nil, &sdk.KeyError{Key: name}
	}
	item, err := plainImage(image)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return item, nil
}

// attribute returns item[name], or the original's KeyError.
func attribute(item *pyjson.Map, name string) (any, error) {
	v, ok := item.Get(name)
	if !ok {
		return nil, &sdk.KeyError{Key: name}
	}
	return v, nil
}
