package client_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk/client"
)

// CP-10: UpdateOperation and UpdateStage through the gateway and the workflow API handler on moto. The answers hold
// the stored item; the dependents an update could not rebuild come out of Extra into their own fields.
func TestUpdates(t *testing.T) {
	s := newStack(t)
	ctx := t.Context()
	api := s.workflow

	detect := client.Operation{
		Name: "Detect", Type: client.OperationSync,
		Configuration:  client.OperationConfiguration{MediaType: "Video", Enabled: true},
		StartLambdaARN: userLambda("detect"),
	}
	created, err := api.CreateOperation(ctx, detect)
	require.NoError(t, err)
	_, err = api.CreateOperation(ctx, client.Operation{
		Name: "Gone", Type: client.OperationSync,
		Configuration:  client.OperationConfiguration{MediaType: "Video", Enabled: true},
		StartLambdaARN: userLambda("gone"),
	})
	require.NoError(t, err)
	_, err = api.CreateStage(ctx, client.Stage{Name: "Mixed", Operations: []string{"Detect", "Gone"}})
	require.NoError(t, err)
	_, err = api.CreateWorkflow(ctx, client.Workflow{
		Name: "Flow", StartAt: "_Detect",
		Stages: client.WorkflowStages{{Name: "_Detect", Next: "Mixed"}, {Name: "Mixed", End: true}},
	})
	require.NoError(t, err)
	// Mixed can no longer be compiled once Gone is deleted.
	_, err = api.DeleteOperation(ctx, "Gone", client.DeleteOptions{Force: true})
	require.NoError(t, err)

	// An operation read back can be changed and sent: the generated members are replaced.
	read, err := api.GetOperation(ctx, "Detect")
	require.NoError(t, err)
	require.NoError(t, read.Configuration.Extra.Set("MinConfidence", "90"))
	updated, err := api.UpdateOperation(ctx, *read)
	require.NoError(t, err)
	assert.Equal(t, "v1", updated.Version)
	assert.Equal(t, created.ID, updated.ID)
	assert.Equal(t, created.Created, updated.Created)
	assert.Equal(t, "_Detect", updated.StageName)
	assert.Equal(t, json.RawMessage(`"90"`), updated.Configuration.Extra["MinConfidence"])
	assert.Equal(t, []string{"Mixed"}, updated.StaleStages)
	assert.Equal(t, []string{"Flow"}, updated.StaleWorkflows)
	assert.Nil(t, updated.Extra, "the lists are not members of the operation")
	flow, err := api.GetWorkflow(ctx, "Flow")
	require.NoError(t, err)
	assert.Equal(t, []string{"Gone", "Detect"}, flow.StaleOperations)

	stage, err := api.UpdateStage(ctx, client.Stage{Name: "Mixed", Operations: []string{"Detect"}})
	require.NoError(t, err)
	assert.Equal(t, "v1", stage.Version)
	assert.Empty(t, stage.StaleWorkflows)
	assert.Nil(t, stage.Extra)
	assert.Equal(t, json.RawMessage(`"90"`), stage.Configuration["Detect"].Extra["MinConfidence"])

	_, err = api.UpdateOperation(ctx, client.Operation{Name: "Nope", Type: client.OperationSync,
		Configuration: client.OperationConfiguration{MediaType: "Video"}, StartLambdaARN: userLambda("nope")})
	assertAPIError(t, err, http.StatusNotFound, "NotFoundError", "Exception: operation 'Nope' not found")
	_, err = api.UpdateStage(ctx, client.Stage{Name: "Nope"})
	assertAPIError(t, err, http.StatusNotFound, "NotFoundError", "Exception: stage 'Nope' not found")
	_, err = api.UpdateOperation(ctx, client.Operation{Name: "Detect", Type: "Sometimes", StartLambdaARN: userLambda("detect")})
	assertAPIError(t, err, http.StatusBadRequest, "BadRequestError", "")
}

// The answers decode and encode as the API sends them: the lists only when not empty, after the item's members.
func TestUpdateAnswersJSON(t *testing.T) {
	cases := []struct {
		name, body string
		decode     func([]byte) (any, error)
		want       any
	}{
		{
			name: "operation with stale dependents",
			body: `{"Name":"Detect","Type":"Sync","Configuration":{"MediaType":"Video","Enabled":true},"StartLambdaArn":"arn:start","Version":"v1",` +
				`"Description":"d","StaleStages":["Mixed"],"StaleWorkflows":["A","B"]}`,
			decode: decodeAs[client.OperationUpdate],
			want: &client.OperationUpdate{
				Operation: client.Operation{
					Name: "Detect", Type: "Sync", Configuration: client.OperationConfiguration{MediaType: "Video", Enabled: true},
					StartLambdaARN: "arn:start", Generated: client.Generated{Version: "v1"}, Extra: client.Extra{"Description": json.RawMessage(`"d"`)},
				},
				StaleStages: []string{"Mixed"}, StaleWorkflows: []string{"A", "B"},
			},
		},
		{
			name:   "operation without",
			body:   `{"Name":"Detect","Type":"Sync","Configuration":{"MediaType":"Video","Enabled":true},"StartLambdaArn":"arn:start"}`,
			decode: decodeAs[client.OperationUpdate],
			want: &client.OperationUpdate{Operation: client.Operation{
				Name: "Detect", Type: "Sync", Configuration: client.OperationConfiguration{MediaType: "Video", Enabled: true}, StartLambdaARN: "arn:start",
			}},
		},
		{
			name:   "stage with stale workflows",
			body:   `{"Name":"Mixed","Operations":["Detect"],"Version":"v3","StaleWorkflows":["A"]}`,
			decode: decodeAs[client.StageUpdate],
			want:   &client.StageUpdate{Stage: client.Stage{Name: "Mixed", Operations: []string{"Detect"}, Generated: client.Generated{Version: "v3"}}, StaleWorkflows: []string{"A"}},
		},
		{
			name:   "stage without",
			body:   `{"Name":"Mixed","Operations":[]}`,
			decode: decodeAs[client.StageUpdate],
			want:   &client.StageUpdate{Stage: client.Stage{Name: "Mixed", Operations: []string{}}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.decode([]byte(tc.body))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			encoded, err := json.Marshal(got)
			require.NoError(t, err)
			assert.JSONEq(t, tc.body, string(encoded))
		})
	}
}

func decodeAs[T any](data []byte) (any, error) {
	out := new(T)
	err := json.Unmarshal(data, out)
	return out, err
}
