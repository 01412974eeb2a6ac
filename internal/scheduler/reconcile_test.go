package scheduler

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/executions"
)

// reconcileFunc is a Reconciler made of a function.
type reconcileFunc func(context.Context) error

func (f reconcileFunc) Run(ctx context.Context) error { return f(ctx) }

// CP-33 (MIE#272): every trigger reconciles before it schedules, so slots freed by ending lost executions are used in
// the same pass; a reconciliation failure does not stop the scheduling.
func TestSchedulerReconcilesFirst(t *testing.T) {
	for _, reconcileErr := range []error{nil, errors.New("describe failed")} {
		f := &fakes{get: tables(num(1), 1, "", "")}
		var opsWhenReconciled []string
		s := New(testConfig, executions.New(testConfig.Executions, f, f), f, f, f, nil,
			WithReconciler(reconcileFunc(func(context.Context) error {
				opsWhenReconciled = f.ops()
				return reconcileErr
			})))
		out, err := s.Handle(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "", out)
		require.NotNil(t, opsWhenReconciled, "the reconciler ran")
		assert.Empty(t, opsWhenReconciled, "it ran before any scheduling call")
		assert.NotEmpty(t, f.ops(), "scheduling went on after the reconciliation")
	}
}
