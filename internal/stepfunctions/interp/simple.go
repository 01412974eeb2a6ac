package interp

import "context"

// passBody is a Pass state: its result is Result when given, else the effective input.
type passBody struct {
	result    any
	hasResult bool
}

func (p *passBody) execute(_ context.Context, _ *stateRun, input any) (any, string, error) {
	if p.hasResult {
		return p.result, "", nil
	}
	return input, "", nil
}

// succeedBody is a Succeed state: it ends its graph with the effective input (through OutputPath).
type succeedBody struct{}

func (succeedBody) execute(_ context.Context, _ *stateRun, input any) (any, string, error) {
	return input, "", nil
}

// failBody is a Fail state: it fails with Error and Cause, given literally or read from the input.
type failBody struct {
	errName, cause     string
	errPath, causePath *refPath
}

func (f *failBody) execute(_ context.Context, r *stateRun, _ any) (any, string, error) {
	name, err := failField(r, f.errName, f.errPath, "ErrorPath")
	if err != nil {
		return nil, "", err
	}
	cause, err := failField(r, f.cause, f.causePath, "CausePath")
	if err != nil {
		return nil, "", err
	}
	return nil, "", newFailure(name, cause)
}

func failField(r *stateRun, fixed string, path *refPath, field string) (string, error) {
	if path == nil {
		return fixed, nil
	}
	v, err := path.get(r.raw)
	if err != nil {
		return "", r.runtimeError("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'",
			path.text, field, encodeJSON(r.raw))
	}
	s, ok := v.(string)
	if !ok {
		return "", r.runtimeError("The value of the field '%s' must be a string, but the path %s selects %s",
			field, path.text, encodeJSON(v))
	}
	return s, nil
}

func parseFail(f *fields, st *state) {
	body := &failBody{}
	st.body = body
	for _, pair := range [][2]string{{"Error", "ErrorPath"}, {"Cause", "CausePath"}} {
		if f.has(pair[0]) && f.has(pair[1]) {
			f.p.add(f.at, schemaFailed, "%s and %s cannot both be given", pair[0], pair[1])
		}
	}
	body.errName, _ = f.str("Error")
	body.cause, _ = f.str("Cause")
	if f.has("ErrorPath") {
		body.errPath = f.path("ErrorPath", false)
	}
	if f.has("CausePath") {
		body.causePath = f.path("CausePath", false)
	}
}
