package stepfunctions

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Fixed members of a status change event.
const (
	EventSource     = "aws.states"
	EventDetailType = "Step Functions Execution Status Change"
	eventVersion    = "0"
)

// StatusChangeEvent is the EventBridge event Step Functions sends when an execution changes status: its JSON is
// what a rule's target (MIE's workflow error handler) receives.
type StatusChangeEvent struct {
	Version    string             `json:"version"`
	ID         string             `json:"id"`
	DetailType string             `json:"detail-type"`
	Source     string             `json:"source"`
	Account    string             `json:"account"`
	Time       string             `json:"time"` // RFC 3339, whole seconds, UTC
	Region     string             `json:"region"`
	Resources  []string           `json:"resources"` // the execution ARN
	Detail     StatusChangeDetail `json:"detail"`
}

// StatusChangeDetail is the detail of a StatusChangeEvent: the execution as DescribeExecution reports it, with
// dates in epoch milliseconds and null for what the execution does not have (yet).
type StatusChangeDetail struct {
	ExecutionArn    string       `json:"executionArn"`
	StateMachineArn string       `json:"stateMachineArn"`
	Name            string       `json:"name"`
	Status          string       `json:"status"`
	StartDate       int64        `json:"startDate"`
	StopDate        *int64       `json:"stopDate"`
	Input           string       `json:"input"`
	InputDetails    *DataDetails `json:"inputDetails"`
	Output          *string      `json:"output"`
	OutputDetails   *DataDetails `json:"outputDetails"`
	Error           *string      `json:"error"`
	Cause           *string      `json:"cause"`
}

// DataDetails tells whether an event carries the input or output in full; the engine never truncates them.
type DataDetails struct {
	Included bool `json:"included"`
}

// Subscribe registers fn to receive every execution status change, RUNNING included, in the order the changes
// happened. Events are delivered one at a time on a goroutine of the engine, never while the engine is locked, so
// fn may call the engine (MIE's error handler reads the execution history); a slow fn delays later events, as an
// EventBridge target that is slow to accept them would. It returns the function that ends the subscription.
func (e *Engine) Subscribe(fn func(ctx context.Context, ev StatusChangeEvent)) (unsubscribe func()) {
	return e.notify.subscribe(fn)
}

// statusEvent builds the event of ex's current status; e.mu must be held.
func (e *Engine) statusEvent(ex *execution) StatusChangeEvent {
	d := StatusChangeDetail{
		ExecutionArn:    ex.arn,
		StateMachineArn: ex.machine.arn,
		Name:            ex.name,
		Status:          string(ex.status),
		StartDate:       ex.start.UnixMilli(),
		Input:           ex.input,
		InputDetails:    &DataDetails{Included: true},
	}
	if ex.status != StatusRunning {
		d.StopDate = new(ex.stop.UnixMilli())
	}
	if ex.status == StatusSucceeded {
		d.Output, d.OutputDetails = new(ex.output), &DataDetails{Included: true}
	}
	if ex.errName != "" {
		d.Error = new(ex.errName)
	}
	if ex.cause != "" {
		d.Cause = new(ex.cause)
	}
	at := ex.start
	if !ex.stop.IsZero() {
		at = ex.stop
	}
	return StatusChangeEvent{
		Version:    eventVersion,
		ID:         uuid.NewString(),
		DetailType: EventDetailType,
		Source:     EventSource,
		Account:    e.account,
		Time:       at.UTC().Format(time.RFC3339),
		Region:     e.region,
		Resources:  []string{ex.arn},
		Detail:     d,
	}
}

// publishLocked queues the event of ex's current status; e.mu must be held, which keeps the queue in the order of
// the status changes.
func (e *Engine) publishLocked(ex *execution) {
	if e.notify.enqueue(e.statusEvent(ex)) {
		e.busy.begin()
		go func() {
			defer e.busy.end()
			e.notify.drain()
		}()
	}
}

// notifier holds the subscribers and the events not delivered yet. At most one goroutine drains the queue at a
// time, which keeps deliveries in order without a goroutine that lives as long as the engine.
type notifier struct {
	mu       sync.Mutex
	subs     []subscriber
	nextID   int
	queue    []StatusChangeEvent
	draining bool
}

type subscriber struct {
	id int
	fn func(context.Context, StatusChangeEvent)
}

func (n *notifier) subscribe(fn func(context.Context, StatusChangeEvent)) func() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nextID++
	id := n.nextID
	n.subs = append(n.subs, subscriber{id: id, fn: fn})
	return func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		for i, s := range n.subs {
			if s.id == id {
				// A fresh slice: a drain in progress keeps iterating the one it took.
				n.subs = append(n.subs[:i:i], n.subs[i+1:]...)
				return
			}
		}
	}
}

// enqueue adds ev to the queue and reports whether the caller must start a drain.
func (n *notifier) enqueue(ev StatusChangeEvent) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.queue = append(n.queue, ev)
	if n.draining {
		return false
	}
	n.draining = true
	return true
}

// drain delivers queued events to the subscribers of the moment until the queue is empty.
func (n *notifier) drain() {
	for {
		n.mu.Lock()
		if len(n.queue) == 0 {
			n.queue = nil
			n.draining = false
			n.mu.Unlock()
			return
		}
		ev := n.queue[0]
		n.queue = n.queue[1:]
		subs := n.subs
		n.mu.Unlock()
		for _, s := range subs {
			s.fn(context.Background(), ev)
		}
	}
}
