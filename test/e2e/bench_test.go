package e2e

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/mie-go/mie-go/internal/local"
)

// BenchmarkLocalStartUp measures `mie local` from nothing to every API answering: moto_server's start, provisioning
// the stack, building every function and registering the Wait operation.
//
//	go test ./test/e2e -run '^$' -bench LocalStartUp -benchtime 3x
func BenchmarkLocalStartUp(b *testing.B) {
	if deployment.skip != nil {
		b.Skip(deployment.skip)
	}
	var total time.Duration
	runs := 0
	for b.Loop() {
		began := time.Now()
		rt, err := local.Start(context.Background(), local.Options{StackName: "bench", Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(began)
		runs++
		rt.Close()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(runs), "startup-ms")
}

// BenchmarkThreeStageWorkflow measures a three-stage workflow of test operators (Sync, Async with its monitor,
// Sync) on the shared runtime, from POST /workflow/execution to Complete, at the tests' time scale.
//
//	go test ./test/e2e -run '^$' -bench ThreeStageWorkflow -benchtime 10x
func BenchmarkThreeStageWorkflow(b *testing.B) {
	s := newStack(b)
	workflow := s.defineWorkflow(b, "Bench", [][]string{{"BenchSync"}, {"BenchAsync"}, {"BenchSync2"}}, map[string]testOp{
		"BenchSync":  {start: "VideoSyncOKLambda"},
		"BenchAsync": {start: "VideoAsyncOKLambda", monitor: "VideoAsyncOKMonitorLambda"},
		"BenchSync2": {start: "VideoSyncOKLambda"},
	})
	for b.Loop() {
		e := s.startExecution(b, workflow, nil)
		if final := s.waitFor(b, e.ID, nil, "Complete", "Error"); final.Status != "Complete" {
			b.Fatalf("execution ended %s: %s", final.Status, final.Message)
		}
	}
}
