package stepfunctions

import (
	"encoding/base64"
	"encoding/json"
	"slices"
)

// Page sizes of the List and GetExecutionHistory operations.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// pageOrder says which listing a token belongs to and which way it runs.
type pageOrder struct {
	// scope names the listing with everything that selects its items (resource ARN, filter, direction): a token
	// is only valid for the listing that issued it.
	scope string
	// descending lists items by decreasing key, newest first.
	descending bool
}

// pageToken is what a nextToken holds: the listing and the key of the last item of the page before.
type pageToken struct {
	Scope string `json:"s"`
	After int64  `json:"a"`
}

// paginate returns the page of items (sorted by key in the order's direction) that follows the position
// nextToken marks, and the token of the page after it, "" when there is none. Tokens hold keys rather than
// offsets, so that items added meanwhile (a new execution, a new history event) neither repeat nor vanish.
func paginate[T any](items []T, order pageOrder, key func(T) int64, maxResults int32, nextToken string) ([]T, string, error) {
	if maxResults < 0 || maxResults > maxPageSize {
		return nil, "", validation("maxResults", "Member must have value between 0 and 1000")
	}
	size := int(maxResults)
	if size == 0 {
		size = defaultPageSize
	}
	start := 0
	if nextToken != "" {
		after, err := decodeToken(order.scope, nextToken)
		if err != nil {
			return nil, "", err
		}
		start = slices.IndexFunc(items, func(it T) bool {
			if order.descending {
				return key(it) < after
			}
			return key(it) > after
		})
		if start < 0 {
			start = len(items)
		}
	}
	end := min(start+size, len(items))
	next := ""
	if end < len(items) {
		next = encodeToken(order.scope, key(items[end-1]))
	}
	return items[start:end], next, nil
}

func encodeToken(scope string, after int64) string {
	// Marshalling a string and an integer cannot fail.
	b, _ := json.Marshal(pageToken{Scope: scope, After: after})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(scope, token string) (int64, error) {
	invalid := apiError(CodeInvalidToken, "Invalid Token: '%s'", token)
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, invalid
	}
	var t pageToken
	if err := json.Unmarshal(b, &t); err != nil || t.Scope != scope {
		return 0, invalid
	}
	return t.After, nil
}
