package interp

import (
	"context"
	"math"
	"time"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// maxWait is the longest delay Step Functions accepts from a Wait state (2^31-1 seconds).
const maxWait = math.MaxInt32 * time.Second

// waitBody is a Wait state: it delays the effective input for Seconds or until Timestamp, either given
// literally or read from the effective input.
type waitBody struct {
	seconds       int
	hasSeconds    bool
	timestamp     time.Time
	hasTimestamp  bool
	secondsPath   *refPath
	timestampPath *refPath
}

func (w *waitBody) execute(ctx context.Context, r *stateRun, input any) (any, string, error) {
	d, err := w.delay(r, input)
	if err != nil {
		return nil, "", err
	}
	if d > maxWait {
		return nil, "", r.runtimeError("Wait state delay is too long.")
	}
	if d > 0 {
		if err := r.ex.clock.Sleep(ctx, d); err != nil {
			return nil, "", err
		}
	}
	return input, "", nil
}

func (w *waitBody) delay(r *stateRun, input any) (time.Duration, error) {
	switch {
	case w.hasSeconds:
		return time.Duration(w.seconds) * time.Second, nil
	case w.hasTimestamp:
		return w.timestamp.Sub(r.ex.clock.Now()), nil
	case w.secondsPath != nil:
		v, err := w.secondsPath.get(input)
		if err != nil {
			return 0, r.runtimeError("The SecondsPath parameter does not reference an input value: %s", w.secondsPath.text)
		}
		n, isNum := v.(pyjson.Number)
		secs, err := n.Int64()
		if !isNum || err != nil {
			return 0, r.runtimeError("The SecondsPath parameter cannot be parsed as a long value: %s == %s",
				w.secondsPath.text, encodeJSON(v))
		}
		if secs < 0 {
			return 0, r.runtimeError("The SecondsPath parameter references a negative value: %s == %d", w.secondsPath.text, secs)
		}
		if secs > math.MaxInt32 {
			return 0, r.runtimeError("Wait state delay is too long.")
		}
		return time.Duration(secs) * time.Second, nil
	}
	v, err := w.timestampPath.get(input)
	if err != nil {
		return 0, r.runtimeError("The TimestampPath parameter does not reference an input value: %s", w.timestampPath.text)
	}
	t, ok := timestampValue(v)
	if !ok {
		return 0, r.runtimeError("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s",
			w.timestampPath.text, jsonText(v))
	}
	return t.Sub(r.ex.clock.Now()), nil
}

// jsonText shows a value in a message: strings bare, anything else as JSON.
func jsonText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return encodeJSON(v)
}

func parseWait(f *fields, st *state) {
	w := &waitBody{}
	st.body = w
	given := 0
	for _, k := range []string{"Seconds", "SecondsPath", "Timestamp", "TimestampPath"} {
		if f.has(k) {
			given++
		}
	}
	if given != 1 {
		f.p.add(f.at, schemaFailed, "a Wait state must have exactly one of Seconds, SecondsPath, Timestamp and TimestampPath")
	}
	w.seconds, w.hasSeconds = f.integer("Seconds", 0)
	if s, ok := f.str("Timestamp"); ok {
		if w.timestamp, w.hasTimestamp = parseTimestamp(s); !w.hasTimestamp {
			f.p.add(f.loc("Timestamp"), schemaFailed, "the field 'Timestamp' must be an RFC 3339 timestamp")
		}
	}
	if f.has("SecondsPath") {
		w.secondsPath = f.path("SecondsPath", false)
	}
	if f.has("TimestampPath") {
		w.timestampPath = f.path("TimestampPath", false)
	}
}
