package local

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/ddbstream"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/internal/stepfunctions"
)

// streamPollInterval is how often an idle table stream is polled; Lambda's DynamoDB event source polls each shard
// about four times a second.
const streamPollInterval = 250 * time.Millisecond

// schedulerTick is the period of the stack's `rate(1 minute)` rule that runs the scheduler (infrastructure §2.10).
const schedulerTick = time.Minute

// minSchedulerTick floors the scaled tick at the scheduler's local receive wait (1 s), so that ticks do not pile
// up runs that each wait on an empty queue; the API's own triggers start queued executions in between.
const minSchedulerTick = time.Second

// streamMappings are the stack's DynamoDB event source mappings, table ID -> function ID (infrastructure §2.10, §5),
// both starting at LATEST.
func streamMappings() []struct{ table, function string } {
	return []struct{ table, function string }{
		{resources.WorkflowExecutionTable, resources.WorkflowExecutionStreamingFunction},
		{resources.DataplaneTable, resources.DynamoDBStreamingFunction},
	}
}

// startEventSources feeds the functions their events: table streams, execution status changes and the
// scheduler's tick. A source whose function is not available locally is not started.
func (rt *Runtime) startEventSources(cfg awsconf.Config) error {
	streams := cfg.DynamoDBStreams()
	for _, m := range streamMappings() {
		function, ok := rt.names[m.function]
		if !ok {
			continue
		}
		arn, err := rt.deployment.Resolve(resources.StreamArnOf(m.table))
		if err != nil {
			return fmt.Errorf("stream of %s: %w", m.table, err)
		}
		reader, err := ddbstream.New(rt.ctx, streams, arn)
		if err != nil {
			return fmt.Errorf("read the stream of %s: %w", m.table, err)
		}
		rt.loops.Go(func() {
			err := reader.Run(rt.ctx, streamPollInterval, func(ctx context.Context, batch events.DynamoDBEvent) error {
				return rt.invokeSync(ctx, function, batch)
			})
			if err != nil {
				rt.fail(fmt.Errorf("stream of %s to %s: %w", m.table, function, err))
			}
		})
	}
	if handler, ok := rt.names[resources.WorkflowErrorHandlerLambda]; ok {
		// The `<S>-state-error-handler` rule: every state machine, these statuses (infrastructure §2.10).
		errorStatuses := []string{"FAILED", "ABORTED", "TIMED_OUT"}
		rt.unsubscribe = rt.engine.Subscribe(func(ctx context.Context, ev stepfunctions.StatusChangeEvent) {
			if !slices.Contains(errorStatuses, ev.Detail.Status) {
				return
			}
			if err := rt.invokeAsync(ctx, handler, ev); err != nil {
				rt.opts.Log.ErrorContext(ctx, "status change not delivered", "function", handler, "error", err)
			}
		})
	}
	if scheduler, ok := rt.names[resources.WorkflowSchedulerLambda]; ok {
		rt.loops.Go(func() { rt.tick(scheduler) })
	}
	return nil
}

// tick runs the scheduler on the rule's period, scaled, with the event EventBridge sends.
func (rt *Runtime) tick(scheduler string) {
	ticker := time.NewTicker(max(rt.scaled(schedulerTick), minSchedulerTick))
	defer ticker.Stop()
	for {
		select {
		case <-rt.ctx.Done():
			return
		case now := <-ticker.C:
			ev := events.CloudWatchEvent{
				Version: "0", ID: uuid.NewString(), DetailType: "Scheduled Event", Source: "aws.events",
				AccountID: rt.opts.Account, Time: now.UTC().Truncate(time.Second), Region: rt.opts.Region,
				Resources: []string{fmt.Sprintf("arn:aws:events:%s:%s:rule/%s-LambdaSchedule", rt.opts.Region, rt.opts.Account, rt.opts.StackName)},
				Detail:    json.RawMessage(`{}`),
			}
			if err := rt.invokeAsync(rt.ctx, scheduler, ev); err != nil {
				rt.opts.Log.ErrorContext(rt.ctx, "scheduler tick not delivered", "error", err)
			}
		}
	}
}

// invokeSync runs a function with an event and fails when the function does, as an event source mapping sees it.
func (rt *Runtime) invokeSync(ctx context.Context, function string, event any) error {
	payload, err := json.Marshal(event)
	if err != nil {
		return fmt.Errorf("encode the event for %s: %w", function, err)
	}
	res, err := rt.registry.Invoke(ctx, function, payload)
	if err != nil {
		return err
	}
	if res.FunctionError != "" {
		return fmt.Errorf("function %s failed: %s", function, res.Payload)
	}
	return nil
}

func (rt *Runtime) invokeAsync(ctx context.Context, function string, event any) error {
	payload, err := json.Marshal(event)
	if err != nil {
		return fmt.Errorf("encode the event for %s: %w", function, err)
	}
	return rt.registry.InvokeAsync(ctx, function, payload)
}
