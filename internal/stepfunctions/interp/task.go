package interp

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// taskBody is a Task state whose Resource is a Lambda function ARN, invoked synchronously with the
// effective input as payload; the payload the function returns is the result.
type taskBody struct {
	resource string
	// timeout and heartbeat are in seconds (0: none); their ...Path forms are read from the raw input.
	timeout, heartbeat         int
	timeoutPath, heartbeatPath *refPath
}

func (t *taskBody) execute(ctx context.Context, r *stateRun, input any) (any, string, error) {
	timeout, err := t.seconds(r, t.timeout, t.timeoutPath, "TimeoutSecondsPath")
	if err != nil {
		return nil, "", err
	}
	heartbeat, err := t.seconds(r, t.heartbeat, t.heartbeatPath, "HeartbeatSecondsPath")
	if err != nil {
		return nil, "", err
	}
	payload := encodeJSON(input)
	sched := &LambdaFunctionScheduledEventDetails{Resource: t.resource, Input: payload, InputDetails: whole()}
	if timeout > 0 {
		sched.TimeoutInSeconds = &timeout
	}
	// A Lambda function sends no heartbeats, so for it a heartbeat interval is one more timeout.
	limit, byHeartbeat := timeout, false
	if heartbeat > 0 && (timeout == 0 || heartbeat < timeout) {
		limit, byHeartbeat = heartbeat, true
	}
	r.emit(HistoryEvent{Type: evLambdaScheduled, LambdaFunctionScheduledEventDetails: sched})
	r.emit(HistoryEvent{Type: evLambdaStarted})

	out, timedOut, err := invokeWithin(ctx, r.ex.invoker, r.ex.clock, t.resource, []byte(payload), time.Duration(limit)*time.Second)
	if timedOut {
		r.emit(HistoryEvent{Type: evLambdaTimedOut, LambdaFunctionTimedOutEventDetails: &ErrorEventDetails{Error: errTimeout}})
		return nil, "", &failure{name: errTimeout, heartbeat: byHeartbeat}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", ctx.Err()
		}
		f := invocationFailure(err)
		r.emit(HistoryEvent{Type: evLambdaFailed, LambdaFunctionFailedEventDetails: &ErrorEventDetails{Error: f.name, Cause: f.cause}})
		return nil, "", f
	}
	if len(out) > maxPayloadBytes {
		return nil, "", newFailure(errDataLimit, fmt.Sprintf(dataLimitCause, t.resource))
	}
	if len(out) == 0 {
		out = []byte("null")
	}
	result, err := decodeJSON(out)
	if err != nil {
		return nil, "", r.runtimeError("The function '%s' returned a payload that is not JSON: %v", t.resource, err)
	}
	r.emit(HistoryEvent{Type: evLambdaSucceeded, LambdaFunctionSucceededEventDetails: &OutputEventDetails{
		Output: string(out), OutputDetails: whole(),
	}})
	return result, "", nil
}

// seconds returns a TimeoutSeconds or HeartbeatSeconds value, read from the raw input for the ...Path form.
func (t *taskBody) seconds(r *stateRun, fixed int, path *refPath, field string) (int64, error) {
	if path == nil {
		return int64(fixed), nil
	}
	v, err := path.get(r.raw)
	if err != nil {
		return 0, r.runtimeError("Invalid path '%s' : %v", path.text, err)
	}
	n, isNum := v.(pyjson.Number)
	secs, err := n.Int64()
	if !isNum || err != nil || secs < 1 || secs > maxIntegerField {
		return 0, r.runtimeError("The %s field refers to value \"%s\" which is not a valid positive integer: %s",
			field, encodeJSON(v), path.text)
	}
	return secs, nil
}

// invokeWithin calls the function and gives up after limit (0: never), measured on clock; timedOut
// reports that the limit struck first. The invocation's context is cancelled on return, so an
// abandoned invocation learns that nobody waits for it any more.
func invokeWithin(ctx context.Context, inv Invoker, clock Clock, arn string, payload []byte, limit time.Duration) (out []byte, timedOut bool, err error) {
	ictx, cancel := context.WithCancel(ctx)
	defer cancel()
	type response struct {
		out []byte
		err error
	}
	done := make(chan response, 1)
	go func() {
		out, err := inv.Invoke(ictx, arn, payload)
		done <- response{out, err}
	}()
	var expired chan error
	if limit > 0 {
		expired = make(chan error, 1)
		go func() { expired <- clock.Sleep(ictx, limit) }()
	}
	select {
	case res := <-done:
		return res.out, false, res.err
	case err := <-expired:
		if err != nil {
			return nil, false, ctx.Err()
		}
		return nil, true, nil
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}

// invocationFailure turns what an Invoker returned into the error Step Functions reports.
func invocationFailure(err error) *failure {
	var fe *FunctionError
	var ie *InvokeError
	switch {
	case errors.As(err, &fe):
		return newFailure(functionErrorType(fe.Payload), string(fe.Payload))
	case errors.As(err, &ie):
		name := ie.Name
		if name == "" {
			name = LambdaUnknown
		}
		return newFailure(name, ie.Message)
	}
	return newFailure(LambdaSdkClientException, err.Error())
}

// functionErrorType is the errorType of a function error payload; a payload without one (a crash the
// runtime could not describe) is Lambda.Unknown.
func functionErrorType(payload []byte) string {
	v, err := decodeJSON(payload)
	if err != nil {
		return LambdaUnknown
	}
	obj, _ := v.(*pyjson.Map)
	t, _ := obj.Get("errorType")
	if s, ok := t.(string); ok && s != "" {
		return s
	}
	return LambdaUnknown
}

// lambdaARN matches a Lambda function ARN, optionally qualified with a version or alias.
var lambdaARN = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,140}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?$`)

func parseTask(f *fields, st *state) {
	t := &taskBody{resource: f.required("Resource")}
	st.body = t
	switch r := t.resource; {
	case r == "":
	case strings.HasSuffix(r, ".waitForTaskToken"):
		f.p.add(f.loc("Resource"), unsupported, "task tokens (.waitForTaskToken) are not supported: %s", r)
	case strings.Contains(r, ":states:::"):
		f.p.add(f.loc("Resource"), unsupported, "service integrations are not supported, only Lambda function ARNs: %s", r)
	case strings.Contains(r, ":activity:"):
		f.p.add(f.loc("Resource"), unsupported, "activities are not supported, only Lambda function ARNs: %s", r)
	case !lambdaARN.MatchString(r):
		f.p.add(f.loc("Resource"), invalidResource, "the resource '%s' is not a Lambda function ARN", r)
	}
	t.timeout, t.timeoutPath = exclusiveSeconds(f, "TimeoutSeconds")
	t.heartbeat, t.heartbeatPath = exclusiveSeconds(f, "HeartbeatSeconds")
	if t.heartbeat > 0 && t.timeout > 0 && t.heartbeat >= t.timeout {
		f.p.add(f.loc("HeartbeatSeconds"), schemaFailed, "HeartbeatSeconds must be smaller than TimeoutSeconds")
	}
}

// exclusiveSeconds reads <key> or <key>Path, not both.
func exclusiveSeconds(f *fields, key string) (int, *refPath) {
	if f.has(key) && f.has(key+"Path") {
		f.p.add(f.at, schemaFailed, "%s and %sPath cannot both be given", key, key)
	}
	n, _ := f.integer(key, 1)
	if !f.has(key + "Path") {
		return n, nil
	}
	return n, f.path(key+"Path", false)
}
