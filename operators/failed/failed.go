// Package failed is OperatorFailed, the Lambda function at the end of every operation's failure path
// (operators.md §15; operator-sdk §7.3). It turns what reached the "<op> Failed" state into the operation's
// output: an object with Status "Error" whose MetaData says what went wrong, which the stage then rolls up.
package failed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/operators/sdk"
)

// JSONDecodeError reports a MasExecutionError whose Cause is not JSON text; the original failed with Python's
// JSONDecodeError, whose name and message it keeps.
type JSONDecodeError struct {
	// Message is Python's message, e.g. "Expecting value: line 1 column 1 (char 0)".
	Message string
}

// Error returns the message.
func (e *JSONDecodeError) Error() string { return e.Message }

// Handler is the OperatorFailed function. It keeps no state between invocations.
type Handler struct {
	log *slog.Logger
}

// New returns the handler; it logs each event and result to log, as the original printed them. A nil log
// discards them.
func New(log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{log: log}
}

// Handle turns the input of the failure state into the operation's output (SDK-09, OP-41):
//
//   - An input without Outputs arrived from the "Did Complete" choice with a status other than Complete; it is
//     returned unchanged, and the stage sees that status.
//   - Otherwise the input is the state that entered the failing task plus Outputs {"Error", "Cause"} from the
//     Catch. Name, AssetId, WorkflowExecutionId, Input and Configuration are copied from it; a missing one fails
//     this function with a *sdk.KeyError, as in the original. Status becomes "Error", Media {}, and MetaData is
//     what the failed operator reported: for a MasExecutionError, the MetaData of the output object in the Cause's
//     errorMessage, read as JSON (Go operators) or as a Python literal (Python operators); for any other error,
//     {"<Name>Error": <the error type, e.g. "KeyError" or "States.Timeout">}.
//
// Where the original itself crashed on a MasExecutionError, because its errorMessage is not an object with an
// object MetaData (a Python operator raising MasExecutionError("text"), or the repr of an exception object inside
// the output), MetaData becomes {"<Name>Error": <the errorMessage text>}.
func (h *Handler) Handle(ctx context.Context, event json.RawMessage) (any, error) {
	h.log.InfoContext(ctx, "Received", "event", string(event))
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(event, &fields); err != nil || fields == nil {
		return nil, &sdk.TypeError{Message: "the failure state's input is not a JSON object"}
	}
	outputs, ok := fields["Outputs"]
	if !ok {
		h.log.InfoContext(ctx, "Returning the event unchanged to the control plane")
		return event, nil
	}
	for _, key := range []string{"Name", "AssetId", "WorkflowExecutionId", "Input", "Configuration"} {
		if _, ok := fields[key]; !ok {
			h.log.ErrorContext(ctx, "Missing a required key for building the output object", "key", key)
			return nil, &sdk.KeyError{Key: key}
		}
	}
	op := sdk.Operation{Input: fields["Input"], Configuration: fields["Configuration"], Status: sdk.OperationStatusError}
	for _, f := range []struct {
		key string
		dst *string
	}{{"Name", &op.Name}, {"AssetId", &op.AssetID}, {"WorkflowExecutionId", &op.WorkflowExecutionID}} {
		if err := json.Unmarshal(fields[f.key], f.dst); err != nil {
			return nil, &sdk.TypeError{Message: fmt.Sprintf("%s must be a string", f.key)}
		}
	}
	metadata, err := failureMetadata(op.Name, outputs)
	if err != nil {
		return nil, err
	}
	op.MetaData = metadata
	out := sdk.NewOperationHelper(op).ReturnOutputObject()
	h.log.InfoContext(ctx, "Returning the failed operation's output to the control plane", "output", out)
	return out, nil
}

// failureMetadata returns the MetaData of the output for the Catch's error object.
func failureMetadata(name string, outputs json.RawMessage) (map[string]any, error) {
	var caught map[string]json.RawMessage
	if err := json.Unmarshal(outputs, &caught); err != nil || caught == nil {
		return nil, &sdk.TypeError{Message: "Outputs is not a JSON object"}
	}
	errRaw, ok := caught["Error"]
	if !ok {
		return nil, &sdk.KeyError{Key: "Error"}
	}
	errType, err := sdk.DecodeJSON(errRaw)
	if err != nil {
		return nil, err
	}
	errorKey := name + "Error"
	if errType != "MasExecutionError" {
		return map[string]any{errorKey: errType}, nil
	}
	causeRaw, ok := caught["Cause"]
	if !ok {
		return nil, &sdk.KeyError{Key: "Cause"}
	}
	var cause string
	if err := json.Unmarshal(causeRaw, &cause); err != nil {
		return nil, &sdk.TypeError{Message: "the Cause of a MasExecutionError must be a string"}
	}
	causeValue, err := sdk.DecodeJSON([]byte(cause))
	if err != nil {
		var syntax *pyjson.SyntaxError
		if _, perr := pyjson.Decode([]byte(cause)); errors.As(perr, &syntax) {
			return nil, &JSONDecodeError{Message: syntax.Error()}
		}
		return nil, &JSONDecodeError{Message: err.Error()}
	}
	causeObject, ok := causeValue.(map[string]any)
	if !ok {
		return nil, &sdk.TypeError{Message: "the Cause of a MasExecutionError is not a JSON object"}
	}
	message, ok := causeObject["errorMessage"]
	if !ok {
		return nil, &sdk.KeyError{Key: "errorMessage"}
	}
	text, ok := message.(string)
	if !ok {
		return map[string]any{errorKey: message}, nil
	}
	payload, ok := parseErrorMessage(text)
	if !ok {
		return map[string]any{errorKey: text}, nil
	}
	metadata, ok := payload["MetaData"]
	if !ok {
		return nil, &sdk.KeyError{Key: "MetaData"}
	}
	if m, ok := metadata.(map[string]any); ok {
		return m, nil
	}
	return map[string]any{errorKey: text}, nil
}

// parseErrorMessage reads an operator's output object from an errorMessage: JSON from Go operators, a Python
// literal from Python operators (SQ-01). It reports false when the text is neither or not an object.
func parseErrorMessage(text string) (map[string]any, bool) {
	v, err := sdk.DecodeJSON([]byte(text))
	if err != nil {
		if v, err = parsePythonLiteral(text); err != nil {
			return nil, false
		}
	}
	m, ok := v.(map[string]any)
	return m, ok
}
