package sdk

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var success = proxyResponse(200, `{"Status":"Success"}`)

// queries returns the queryStringParameters of every recorded event.
func (r *recorder) queries(t *testing.T) []any {
	t.Helper()
	var qs []any
	for i := range r.calls {
		qs = append(qs, r.event(t, i)["queryStringParameters"])
	}
	return qs
}

var (
	paged    = map[string]any{"paginated": "true"}
	lastPage = map[string]any{"paginated": "true", "end": "true"}
)

// SDK-17: the page writer's flags for every sequence, never end without paginated.
func TestPageWriter(t *testing.T) {
	cases := []struct {
		name   string
		paging bool
		lasts  []bool
		want   []any
	}{
		{"one page is single-shot", false, []bool{true}, []any{nil}},
		{"three pages", false, []bool{false, false, true}, []any{paged, paged, lastPage}},
		{"two pages", false, []bool{false, true}, []any{paged, lastPage}},
		{"resumed, last page", true, []bool{true}, []any{lastPage}},
		{"resumed, more pages", true, []bool{false, true}, []any{paged, lastPage}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{payloads: []string{success}}
			w := fixedDataPlane(t, rec).NewPageWriter(testAsset, "labelDetection", testWorkflow, tc.paging)
			for i, last := range tc.lasts {
				resp, err := w.Write(t.Context(), map[string]any{"Page": i}, last)
				require.NoError(t, err)
				assert.True(t, resp.Success())
				assert.Equal(t, !last, w.Paging())
			}
			assert.Equal(t, tc.want, rec.queries(t))
			_, err := w.Write(t.Context(), map[string]any{}, true)
			assert.EqualError(t, err, "data plane page writer: the last page has already been written")
			assert.Len(t, rec.calls, len(tc.lasts), "nothing is sent after the last page")
		})
	}
}

// SDK-17: a page the data plane refuses does not advance the writer, so it can be sent again.
func TestPageWriterRefusedPage(t *testing.T) {
	rec := &recorder{payloads: []string{
		success,
		proxyResponse(500, `{"Code":"ChaliceViewError","Message":"Exception occurred while writing metadata to s3: boom"}`),
		success,
	}}
	w := fixedDataPlane(t, rec).NewPageWriter(testAsset, "op", testWorkflow, false)
	_, err := w.Write(t.Context(), map[string]any{}, false)
	require.NoError(t, err)
	resp, err := w.Write(t.Context(), map[string]any{}, true)
	require.NoError(t, err)
	assert.False(t, resp.Success())
	assert.True(t, w.Paging())
	resp, err = w.Write(t.Context(), map[string]any{}, true)
	require.NoError(t, err)
	assert.True(t, resp.Success())
	assert.Equal(t, []any{paged, lastPage, lastPage}, rec.queries(t))
}

// SDK-17: the iterator follows the cursor until the data plane sends none.
func TestMetadataPages(t *testing.T) {
	rec := &recorder{payloads: []string{
		proxyResponse(200, `{"asset_id":"A","operator":"op","cursor":"c1","results":{"p":1}}`),
		proxyResponse(200, `{"asset_id":"A","operator":"op","cursor":"c2","results":[2]}`),
		proxyResponse(200, `{"asset_id":"A","operator":"op","results":{"p":3}}`),
	}}
	var pages []MetadataPage
	for page, err := range fixedDataPlane(t, rec).MetadataPages(t.Context(), "A", "op") {
		require.NoError(t, err)
		pages = append(pages, page)
	}
	assert.Len(t, pages, 3)
	assert.Equal(t, MetadataPage{Operator: "op", Results: []any{json.Number("2")}}, pages[1])
	assert.Equal(t, []any{nil, map[string]any{"cursor": "c1"}, map[string]any{"cursor": "c2"}}, rec.queries(t))

	t.Run("stops when the caller does", func(t *testing.T) {
		rec := &recorder{payloads: []string{proxyResponse(200, `{"cursor":"c","results":{}}`)}}
		for range fixedDataPlane(t, rec).MetadataPages(t.Context(), "A", "") {
			break
		}
		assert.Len(t, rec.calls, 1)
	})
	t.Run("error body", func(t *testing.T) {
		rec := &recorder{payloads: []string{proxyResponse(404, `{"Code":"NotFoundError","Message":"Exception occurred while verifying asset exists: A does not exist"}`)}}
		n := 0
		for _, err := range fixedDataPlane(t, rec).MetadataPages(t.Context(), "A", "") {
			n++
			assert.Equal(t, &APIError{StatusCode: 404, Code: "NotFoundError", Message: "Exception occurred while verifying asset exists: A does not exist"}, err)
		}
		assert.Equal(t, 1, n)
	})
	t.Run("transport error", func(t *testing.T) {
		rec := &recorder{payloads: []string{`not json`}}
		for _, err := range fixedDataPlane(t, rec).MetadataPages(t.Context(), "A", "") {
			assert.Error(t, err)
		}
	})
}
