package resources

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// CP-38, INF-28: the registration table's Wait row is the operation operators.md §14 and infrastructure §6.5 give,
// and every row names functions that exist.
func TestOperationRegistrationTable(t *testing.T) {
	ops := Operations()
	require.NotEmpty(t, ops)
	wait := ops[0]
	assert.Equal(t, "Wait", wait.Name)
	assert.Equal(t, "Async", wait.Type)
	assert.Equal(t, []ConfigEntry{{"MediaType", "MetadataOnly"}, {"Enabled", false}}, wait.Configuration)
	assert.Equal(t, StartWaitOperationLambda, wait.StartFunction)
	assert.Equal(t, CheckWaitOperationLambda, wait.MonitorFunction)
	assert.Equal(t, "WaitOperation", wait.OutputKey)
	assert.Equal(t, "Wait", wait.ExportName)

	defs := Definitions()
	names := map[string]bool{}
	for _, op := range ops {
		assert.False(t, names[op.Name], "operation %s registered twice", op.Name)
		names[op.Name] = true
		assert.Contains(t, []string{"Sync", "Async"}, op.Type, op.Name)
		_, ok := defs.Function(op.StartFunction)
		assert.True(t, ok, "%s: start function %s", op.Name, op.StartFunction)
		if op.Type == "Async" {
			_, ok := defs.Function(op.MonitorFunction)
			assert.True(t, ok, "%s: monitor function %s", op.Name, op.MonitorFunction)
		}
		require.GreaterOrEqual(t, len(op.Configuration), 2, op.Name)
		assert.Equal(t, "MediaType", op.Configuration[0].Key, op.Name)
		assert.Equal(t, "Enabled", op.Configuration[1].Key, op.Name)
	}
}
