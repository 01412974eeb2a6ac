// Package testops is the 14 test operators of Media Insights on AWS (operators.md §16, OP-42): Lambda functions
// that do no work, for testing workflows. Each completes at once (or, for video-sync-fail, returns Status "Error")
// and reports metadata and a media object named after the operation, which integration tests look for in the
// workflow globals. They are deployed only with DeployTestResources and share one main, which picks the operator
// by its Lambda handler string.
package testops

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/operators/sdk"
)

// Operator is one test operator. START and MONITOR operators behave alike; so does video-async-fail-monitor,
// which despite its name completes.
type Operator struct {
	// Handler is the function's Lambda handler string, e.g. "video-sync-ok".
	Handler string
	// MediaType is the media type the operator reports producing, unless Configuration.OutputMediaType names
	// another.
	MediaType string
	// Fail makes the operator return Status "Error" instead of "Complete" (returned, not raised).
	Fail bool
}

// Operators returns the 14 test operators in the order of the original's stack outputs.
func Operators() []Operator {
	return []Operator{
		{Handler: "video-sync-ok", MediaType: "Video"},
		{Handler: "video-sync-fail", MediaType: "Video", Fail: true},
		{Handler: "video-async-ok", MediaType: "Video"},
		{Handler: "video-async-ok-monitor", MediaType: "Video"},
		{Handler: "video-async-fail-monitor", MediaType: "Video"},
		{Handler: "audio-sync-ok", MediaType: "Audio"},
		{Handler: "audio-async-ok", MediaType: "Audio"},
		{Handler: "audio-async-ok-monitor", MediaType: "Audio"},
		{Handler: "image-sync-ok", MediaType: "Image"},
		{Handler: "image-async-ok", MediaType: "Image"},
		{Handler: "image-async-ok-monitor", MediaType: "Image"},
		{Handler: "text-sync-ok", MediaType: "Text"},
		{Handler: "text-async-ok", MediaType: "Text"},
		{Handler: "text-async-ok-monitor", MediaType: "Text"},
	}
}

// Find returns the operator with the given handler string.
func Find(handler string) (Operator, bool) {
	i := slices.IndexFunc(Operators(), func(o Operator) bool { return o.Handler == handler })
	if i < 0 {
		return Operator{}, false
	}
	return Operators()[i], true
}

// NewFromLookup returns the operator named by the _HANDLER variable, which the provided.al2023 runtime sets to
// the function's handler string; in a Lambda function lookup is os.Getenv.
func NewFromLookup(lookup func(string) string) (Operator, error) {
	handler := lookup("_HANDLER")
	op, ok := Find(handler)
	if !ok {
		return Operator{}, fmt.Errorf("testops: no test operator has the handler %q", handler)
	}
	return op, nil
}

// Handle is the Lambda handler. Starting from the event:
//
//   - MetaData[<Name>] = {"Meta": "Workflow metadata for <Name>"}, plus "TestCustomConfig" with the value of
//     Configuration.TestCustomConfig when present; other MetaData keys are kept;
//   - the media type is Configuration.OutputMediaType when present, else the operator's; if it is Video, Audio,
//     Image or Text, Media[<type>] = {"S3Bucket": "S3BucketFrom<Name>", "S3Key": "S3/Key/From/<Name>/<type in lower case>"};
//   - Status is "Error" for a failing operator, else "Complete".
//
// Reading Configuration follows Python's rules, as the original did: a Configuration that is not an object makes
// the operator fail with Status "Error" and MetaData.Message "Oh no! Something went wrong: <Python's TypeError
// text>" in a *sdk.MasExecutionError, unless, being a string or a list, it does not contain the key names.
func (o Operator) Handle(_ context.Context, event sdk.Operation) (*sdk.Operation, error) {
	op := sdk.NewOperationHelper(event)
	op.UpdateWorkflowStatus(sdk.OperationStatusComplete)
	failure := func(err error) (*sdk.Operation, error) {
		op.UpdateWorkflowStatus(sdk.OperationStatusError)
		op.AddWorkflowMetadata("Message", "Oh no! Something went wrong: "+err.Error())
		return nil, op.MasExecutionError()
	}
	var config any
	if len(event.Configuration) > 0 {
		var err error
		if config, err = sdk.DecodeJSON(event.Configuration); err != nil {
			return failure(err)
		}
	}
	entry := map[string]any{"Meta": "Workflow metadata for " + event.Name}
	custom, found, err := optionalKey(config, "TestCustomConfig")
	if err != nil {
		return failure(err)
	}
	if found {
		entry["TestCustomConfig"] = custom
	}
	op.AddWorkflowMetadataJSON(map[string]any{event.Name: entry})

	var mediaType any = o.MediaType
	if v, found, err := optionalKey(config, "OutputMediaType"); err != nil {
		return failure(err)
	} else if found {
		mediaType = v
	}
	if t, ok := mediaType.(string); ok && slices.Contains([]string{"Video", "Audio", "Image", "Text"}, t) {
		op.AddMediaObject(t, "S3BucketFrom"+event.Name, "S3/Key/From/"+event.Name+"/"+strings.ToLower(t))
	}
	if o.Fail {
		op.UpdateWorkflowStatus(sdk.OperationStatusError)
	}
	return op.ReturnOutputObject(), nil
}

// optionalKey is Python's `if key in config: value = config[key]` on a decoded JSON value.
func optionalKey(config any, key string) (any, bool, error) {
	switch t := config.(type) {
	case map[string]any:
		v, ok := t[key]
		return v, ok, nil
	case string:
		if !strings.Contains(t, key) {
			return nil, false, nil
		}
		return nil, false, &sdk.TypeError{Message: "string indices must be integers, not 'str'"}
	case []any:
		// Membership is equality, and only a string equals a string.
		if !slices.ContainsFunc(t, func(e any) bool { s, ok := e.(string); return ok && s == key }) {
			return nil, false, nil
		}
		return nil, false, &sdk.TypeError{Message: "list indices must be integers or slices, not str"}
	}
	return nil, false, &sdk.TypeError{Message: fmt.Sprintf("argument of type '%s' is not iterable", pyjson.TypeName(config))}
}
