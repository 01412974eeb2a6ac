package dataplane

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// benchResult builds one page of Rekognition-like labels of about size bytes as a store request body, and returns
// it with the size of the stored page.
func benchPage(b *testing.B, page, size int) (string, int) {
	b.Helper()
	var labels []string
	n := 0
	for i := 0; n < size; i++ {
		l := fmt.Sprintf(`{"Timestamp": %d, "Label": {"Name": "Label-%d-%d", "Confidence": 54.41469192504883, `+
			`"Instances": [{"BoundingBox": {"Width": 0.1234, "Height": 0.5678, "Left": 0.1, "Top": 0.2}, "Confidence": 99.1}], `+
			`"Parents": [{"Name": "Parent"}]}}`, i*200, page, i)
		labels = append(labels, l)
		n += len(l) + 2
	}
	results := `{"Labels": [` + strings.Join(labels, ", ") + `]}`
	return `{"OperatorName": "bench", "WorkflowId": "%s", "Results": ` + results + `}`, len(results)
}

// BenchmarkDP13MetadataPages10MB stores a 10 MB result as ten pages of 1 MB with the paged protocol (DP-13) and reads
// it back page by page through R10 cursors (DP-20), against moto. MB/s is result data per store-and-read round.
func BenchmarkDP13MetadataPages10MB(b *testing.B) {
	st := newMotoStack(b)
	id := st.create(b, st.bucket, "upload/bench.mp4")
	const pages = 10
	bodies := make([]string, pages)
	total := 0
	for i := range bodies {
		var size int
		bodies[i], size = benchPage(b, i, 1<<20)
		total += size
	}
	b.SetBytes(int64(total))
	round := 0
	for b.Loop() {
		round++
		workflow := fmt.Sprintf("bench-%d", round)
		for i, body := range bodies {
			query := map[string][]string{"paginated": {"true"}}
			if i == pages-1 {
				query["end"] = []string{"true"}
			}
			resp := st.call(b, "POST", "/metadata/{asset_id}", asset(id), query, fmt.Sprintf(body, workflow))
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("store page %d: %d %s", i, resp.StatusCode, resp.Body)
			}
		}
		cursor, read := "", 0
		for {
			var query map[string][]string
			if cursor != "" {
				query = map[string][]string{"cursor": {cursor}}
			}
			resp := st.call(b, "GET", "/metadata/{asset_id}/{operator_name}", assetOp(id, "bench"), query, "")
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("read page %d: %d %s", read, resp.StatusCode, resp.Body)
			}
			read++
			if cursor = cursorOf(b, resp.Body); cursor == "" {
				break
			}
		}
		if read != pages {
			b.Fatalf("read %d pages, want %d", read, pages)
		}
	}
}
