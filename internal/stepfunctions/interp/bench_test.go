package interp

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkTransition measures the interpreter's own cost per state transition on a chain of Pass and
// Choice states (no invocations, no waits), history events included.
func BenchmarkTransition(b *testing.B) {
	const pairs = 500
	var states []string
	for i := range pairs {
		states = append(states,
			fmt.Sprintf(`"P%d": {"Type": "Pass", "Parameters": {"v.$": "$.v", "n": %d}, "Next": "C%d"}`, i, i, i),
			fmt.Sprintf(`"C%d": {"Type": "Choice", "Choices": [{"Variable": "$.v", "StringEquals": "go", "Next": "%s"}], "Default": "Stop"}`,
				i, map[bool]string{true: "Done", false: fmt.Sprintf("P%d", i+1)}[i == pairs-1]))
	}
	states = append(states, `"Stop": {"Type": "Fail", "Error": "Unexpected"}`, `"Done": {"Type": "Succeed"}`)
	m, err := Parse(`{"StartAt": "P0", "States": {` + strings.Join(states, ",") + `}}`)
	if err != nil {
		b.Fatal(err)
	}
	transitions := 2*pairs + 1
	opts := RunOptions{Clock: newFakeClock(), OnEvent: func(HistoryEvent) {}}
	input := []byte(`{"v": "go", "payload": {"Media": {"Video": {"S3Bucket": "bucket", "S3Key": "key.mp4"}}, "MetaData": {}}}`)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if out := m.Run(context.Background(), input, opts); out.Status != StatusSucceeded {
			b.Fatalf("%s: %s", out.Error, out.Cause)
		}
	}
	perTransition := float64(b.Elapsed().Nanoseconds()) / float64(b.N*transitions)
	b.ReportMetric(perTransition, "ns/transition")
	b.Logf("%d transitions per run: %.0f ns per transition", transitions, perTransition)
}
