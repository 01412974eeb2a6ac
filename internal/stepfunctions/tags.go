package stepfunctions

import (
	"slices"
	"unicode/utf8"
)

// Tag limits of the API.
const (
	maxTags           = 50
	maxTagKeyLength   = 128
	maxTagValueLength = 256
)

// TagResource adds tags to a state machine, replacing the value of a key it already has.
func (e *Engine) TagResource(arn string, tags []Tag) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	m, err := e.taggable(arn)
	if err != nil {
		return err
	}
	merged := mergeTags(m.tags, tags)
	if len(merged) > maxTags {
		return apiError(CodeTooManyTags, "Too many tags: '%s' would have %d tags, the limit is %d", arn, len(merged), maxTags)
	}
	m.tags = merged
	return nil
}

// UntagResource removes tags from a state machine by key; keys it does not have are ignored.
func (e *Engine) UntagResource(arn string, keys []string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, err := e.taggable(arn)
	if err != nil {
		return err
	}
	m.tags = slices.DeleteFunc(m.tags, func(t Tag) bool { return slices.Contains(keys, t.Key) })
	return nil
}

// ListTagsForResource returns a state machine's tags in the order they were first set.
func (e *Engine) ListTagsForResource(arn string) ([]Tag, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, err := e.taggable(arn)
	if err != nil {
		return nil, err
	}
	return slices.Clone(m.tags), nil
}

// taggable returns the state machine a tagging operation names; e.mu must be held.
func (e *Engine) taggable(arn string) (*stateMachine, error) {
	if err := checkARN("resourceArn", arn, resourceStateMachine); err != nil {
		return nil, err
	}
	m, ok := e.machines[arn]
	if !ok {
		return nil, apiError(CodeResourceNotFound, "Resource not found: '%s'", arn)
	}
	return m, nil
}

// checkTags applies the API's limits to the tags of one request.
func checkTags(tags []Tag) error {
	if len(tags) > maxTags {
		return apiError(CodeTooManyTags, "Too many tags: %d, the limit is %d", len(tags), maxTags)
	}
	for _, t := range tags {
		if n := utf8.RuneCountInString(t.Key); n < 1 || n > maxTagKeyLength {
			return validation("tags.member.key", "Member must have length between 1 and 128")
		}
		if utf8.RuneCountInString(t.Value) > maxTagValueLength {
			return validation("tags.member.value", "Member must have length less than or equal to 256")
		}
	}
	return nil
}

// mergeTags returns have with add applied: a new key is appended, a known one gets the new value.
func mergeTags(have, add []Tag) []Tag {
	out := slices.Clone(have)
	for _, t := range add {
		if i := slices.IndexFunc(out, func(o Tag) bool { return o.Key == t.Key }); i >= 0 {
			out[i].Value = t.Value
			continue
		}
		out = append(out, t)
	}
	return out
}
