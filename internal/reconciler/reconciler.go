// Package reconciler ends workflow executions whose state machine execution is gone without their record being
// told, and keeps the concurrency slots in line with the executions that really run (CP-33, MIE#272). The
// scheduler runs it on its tick; the workflow error handler ends executions through its Executions.
package reconciler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/executions"
)

// DefaultGrace is how long a Started execution may go without a recorded state machine execution before the
// reconciler looks for the one the scheduler would have started.
const DefaultGrace = 10 * time.Minute

// graceVariable sets the grace period, in whole minutes.
const graceVariable = "RECONCILER_GRACE_MINUTES"

// messagePrefix starts every Message the reconciler writes, so that an operator can tell its ends from the
// engine's own.
const messagePrefix = "Workflow execution reconciler: "

// StepFunctions describes state machine executions.
type StepFunctions interface {
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
}

// Slots repairs the slot store (*executions.Store): started lists the executions the reconciler saw Started and
// left running, and the store makes its holders agree with the executions' statuses, checking each change against
// the execution's status in the transaction that makes it.
type Slots interface {
	RepairSlots(ctx context.Context, started []string) error
}

// Config is the reconciler's configuration.
type Config struct {
	// Grace is how long after its creation a Started execution may lack a state machine execution ARN.
	Grace time.Duration
}

// ConfigFromLookup reads RECONCILER_GRACE_MINUTES (DefaultGrace when unset).
func ConfigFromLookup(lookup awsconf.Lookup) (Config, error) {
	c := Config{Grace: DefaultGrace}
	if raw := lookup(graceVariable); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return Config{}, fmt.Errorf("workflow execution reconciler: %s %q is not a positive number of minutes", graceVariable, raw)
		}
		c.Grace = time.Duration(n) * time.Minute
	}
	return c, nil
}

// Reconciler compares the active workflow executions with their state machine executions.
type Reconciler struct {
	cfg   Config
	execs *Executions
	sfn   StepFunctions
	slots Slots
	now   func() time.Time
	log   *slog.Logger
}

// Option configures a Reconciler.
type Option func(*Reconciler)

// WithClock sets the reconciler's clock (default time.Now), against which the grace period is measured.
func WithClock(now func() time.Time) Option {
	return func(r *Reconciler) { r.now = now }
}

// WithLogger sets where the reconciler reports what it ended (default: nowhere).
func WithLogger(l *slog.Logger) Option {
	return func(r *Reconciler) { r.log = l }
}

// New returns a reconciler.
func New(cfg Config, execs *Executions, sfn StepFunctions, slots Slots, opts ...Option) *Reconciler {
	r := &Reconciler{cfg: cfg, execs: execs, sfn: sfn, slots: slots, now: time.Now, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Run ends every Started, Waiting and Resumed execution whose state machine execution is no longer running (it
// failed, timed out, was aborted or ended otherwise) or does not exist, with a Message of its own, through the
// status helper, which frees the slot. A Started execution without a recorded state machine execution is judged
// only once the grace period after its creation has passed, by the execution the scheduler names after it. Then
// it has the slot store repaired from the executions left running. A failure with one execution does not stop
// the others; Run returns all of them.
func (r *Reconciler) Run(ctx context.Context) error {
	active, err := r.execs.Active(ctx)
	if err != nil {
		return fmt.Errorf("reconcile workflow executions: %w", err)
	}
	var errs []error
	var started []string
	for _, ex := range active {
		ended, err := r.reconcile(ctx, ex)
		if err != nil {
			errs = append(errs, fmt.Errorf("reconcile workflow execution %s: %w", ex.ID, err))
		}
		if !ended && ex.Status == executions.Started {
			started = append(started, ex.ID)
		}
	}
	if err := r.slots.RepairSlots(ctx, started); err != nil {
		errs = append(errs, fmt.Errorf("repair the execution slots: %w", err))
	}
	return errors.Join(errs...)
}

// reconcile judges one execution and reports whether it ended it.
func (r *Reconciler) reconcile(ctx context.Context, ex Execution) (bool, error) {
	arn := ex.StateMachineExecutionArn
	if arn == "" {
		due, err := r.overdue(ex)
		if err != nil || !due {
			return false, err
		}
		// The scheduler may have started the state machine execution and failed to record it: look for it.
		arn = executionArn(ex.StateMachineArn, ex.WorkflowName+ex.ID)
		if arn == "" {
			return r.end(ctx, ex, r.neverStarted())
		}
	}
	out, err := r.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	var missing *sfntypes.ExecutionDoesNotExist
	switch {
	case errors.As(err, &missing) && ex.StateMachineExecutionArn == "":
		return r.end(ctx, ex, r.neverStarted())
	case errors.As(err, &missing):
		return r.end(ctx, ex, messagePrefix+"state machine execution "+arn+" does not exist")
	case err != nil:
		return false, fmt.Errorf("describe state machine execution %s: %w", arn, err)
	case out.Status == sfntypes.ExecutionStatusRunning:
		return false, nil
	}
	return r.end(ctx, ex, stoppedMessage(arn, out))
}

// overdue reports whether the grace period after the execution's creation has passed.
func (r *Reconciler) overdue(ex Execution) (bool, error) {
	secs, err := strconv.ParseFloat(ex.Created, 64)
	if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) {
		return false, fmt.Errorf("it has no state machine execution and its Created %q is no time", ex.Created)
	}
	return r.now().Sub(time.UnixMicro(int64(secs*1e6))) >= r.cfg.Grace, nil
}

func (r *Reconciler) neverStarted() string {
	return fmt.Sprintf("%sno state machine execution was started for the workflow execution within %s minutes of its creation",
		messagePrefix, strconv.FormatFloat(r.cfg.Grace.Minutes(), 'f', -1, 64))
}

// end ends the execution with message and logs it.
func (r *Reconciler) end(ctx context.Context, ex Execution, message string) (bool, error) {
	ended, err := r.execs.End(ctx, ex.ID, message)
	if err != nil {
		return false, err
	}
	if ended {
		r.log.WarnContext(ctx, "workflow execution ended by the reconciler", "id", ex.ID, "was", ex.Status, "message", message)
	}
	return ended, nil
}

// stoppedMessage describes a state machine execution that is no longer running.
func stoppedMessage(arn string, out *sfn.DescribeExecutionOutput) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sstate machine execution %s has status %s", messagePrefix, arn, out.Status)
	if e := aws.ToString(out.Error); e != "" {
		b.WriteString(", error: " + e)
	}
	if c := aws.ToString(out.Cause); c != "" {
		b.WriteString(", cause: " + c)
	}
	return b.String()
}

// executionArn is the ARN of the named execution of a state machine, or "" when stateMachine is no state machine
// ARN: arn:<partition>:states:<region>:<account>:stateMachine:<name> becomes
// arn:<partition>:states:<region>:<account>:execution:<name>:<execution>.
func executionArn(stateMachine, name string) string {
	parts := strings.Split(stateMachine, ":")
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "states" || parts[5] != "stateMachine" || parts[6] == "" {
		return ""
	}
	parts[5] = "execution"
	return strings.Join(append(parts, name), ":")
}
