package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk/client"
)

func TestSummary(t *testing.T) {
	cases := []struct {
		name, record, want string
	}{
		{"queued, no workflow copy", `{"Id": "e1", "Status": "Queued"}`, "Queued"},
		{
			"stages that have begun, operations sorted",
			`{"Id": "e1", "Status": "Started", "Workflow": {"Name": "DemoWorkflow", "Stages": {
				"DemoIngest": {"Status": "Complete", "Outputs": [{"Name": "DemoDetect", "Status": "Complete"}, {"Name": "Another", "Status": "Error"}]},
				"DemoAnalyze": {"Status": "Started"},
				"DemoPublish": {"Status": "Not Started"}}}}`,
			"Started | DemoIngest: Complete (Another=Error, DemoDetect=Complete) | DemoAnalyze: Started",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var e client.Execution
			require.NoError(t, json.Unmarshal([]byte(tc.record), &e))
			got, err := summary(&e)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestSummaryRefusesAStageStatusOfTheWrongType(t *testing.T) {
	var e client.Execution
	require.NoError(t, json.Unmarshal([]byte(`{"Status": "Started", "Workflow": {"Name": "W", "Stages": {"DemoIngest": {"Status": 3}}}}`), &e))
	_, err := summary(&e)
	assert.ErrorContains(t, err, "stage DemoIngest: member Status")
}
