package errorhandler

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// History reads a state machine execution's history.
type History interface {
	GetExecutionHistory(ctx context.Context, in *sfn.GetExecutionHistoryInput, optFns ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error)
}

// historyPageSize is the page size the original reads the history with (§9.6 step 3).
const historyPageSize = 20

// errorWords mark the history events that report an error, by their type, and the attribute of such an event
// that holds the error's details, by its name (§9.6 steps 3 and 4).
var errorWords = []string{"Failed", "Aborted", "TimedOut"}

func hasErrorWord(s string) bool {
	for _, w := range errorWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// errorEvents reads the whole history of a state machine execution, newest first, 20 events per page, and keeps the
// events whose type reports an error (§9.6 step 3).
func errorEvents(ctx context.Context, history History, arn string) ([]types.HistoryEvent, error) {
	var kept []types.HistoryEvent
	p := sfn.NewGetExecutionHistoryPaginator(history, &sfn.GetExecutionHistoryInput{
		ExecutionArn: aws.String(arn),
		MaxResults:   historyPageSize,
		ReverseOrder: true,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read the history of state machine execution %s: %w", arn, err)
		}
		for _, ev := range page.Events {
			if hasErrorWord(string(ev.Type)) {
				kept = append(kept, ev)
			}
		}
	}
	return kept, nil
}

// message composes the execution's Message (§9.6 step 4, §14): the status change, then the cause of each kept
// event in the order given (newest first).
func message(arn, status string, events []types.HistoryEvent) string {
	var b strings.Builder
	b.WriteString("Caught Step Function Execution Status Change event for execution: " + arn + ", status:" + status)
	for _, ev := range events {
		if cause, ok := eventCause(ev); ok {
			b.WriteString(", cause: " + cause)
		}
	}
	return b.String()
}

// eventCause returns the cause of the first details attribute of ev whose name reports an error and which has a
// cause; a cause that is present but empty counts. The details attributes are looked up by name, as the original
// did on the service's response, so that every event type the service has or adds is covered.
func eventCause(ev types.HistoryEvent) (string, bool) {
	v := reflect.ValueOf(ev)
	for i := range v.NumField() {
		f := v.Field(i)
		if !hasErrorWord(v.Type().Field(i).Name) || f.Kind() != reflect.Pointer || f.IsNil() || f.Elem().Kind() != reflect.Struct {
			continue
		}
		cause := f.Elem().FieldByName("Cause")
		if !cause.IsValid() || cause.Kind() != reflect.Pointer || cause.IsNil() || cause.Elem().Kind() != reflect.String {
			continue
		}
		return cause.Elem().String(), true
	}
	return "", false
}
