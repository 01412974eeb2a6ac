package controlplane

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mie-go/mie-go/internal/asl"
	"github.com/mie-go/mie-go/internal/pyjson"
)

const (
	stageResource  = "/workflow/stage"
	stageByName    = "/workflow/stage/{name}"
	dependentStage = `Dependent workflows were found for stage %s.
                    Either delete the dependent workflows or set the query parameter
                    force=true to delete the stage anyhow.  Undeleted dependent workflows
                    will be kept but will contain the deleted definition of the stage.  To
                    find the workflow that depend on a stage use the following endpoint:
                    GET /workflow/list/stage/`
)

// CP-14: a stage is the request plus its operations' configurations and the definition compiled from their
// branch templates, in request order.
func TestCreateStage(t *testing.T) {
	s := newStack(t)
	mustOK(t, s.post(operationResource, asyncOp("Labels", userStartArn, userMonitorArn)))
	mustOK(t, s.post(operationResource, syncOp("Mediainfo", libraryStartArn)))
	labels := s.template(asl.Operation{Name: "Labels", Type: "Async", MediaType: "Video", StartLambdaArn: userStartArn, MonitorLambdaArn: userMonitorArn})
	mediainfo := s.template(asl.Operation{Name: "Mediainfo", Type: "Sync", MediaType: "Text", StartLambdaArn: libraryStartArn})

	resp := mustOK(t, s.post(stageResource, `{"Name": "Analyze", "Operations": ["Mediainfo", "Labels"], "Description": "kept"}`))
	// ids 1-4 went to the two operations and their singleton stages.
	want := with(generated("STAGE", "id-5"), map[string]typesAV{
		"Name": S("Analyze"), "Operations": L(S("Mediainfo"), S("Labels")), "Description": S("kept"),
		"Configuration": M(map[string]typesAV{
			"Mediainfo": M(map[string]typesAV{"MediaType": S("Text"), "Enabled": B(false)}),
			"Labels":    M(map[string]typesAV{"MediaType": S("Video"), "Enabled": B(true)}),
		}),
		"Definition": S(s.stageDefinition("Analyze", mediainfo, labels)),
	})
	assertItem(t, want, s.item("STAGE_TABLE_NAME", "Analyze"))
	answered := decode(t, resp.Body).(*pyjson.Map)
	assert.Equal(t, []string{"Name", "Operations", "Description", "Configuration", "Definition", "Version", "Id", "Created", "ResourceType", "ApiVersion"}, answered.Keys())
	assert.Equal(t, ddbText(want), ddbText(mustItem(t, answered)))

	mustOK(t, s.post(stageResource, `{"Name": "Empty", "Operations": []}`))
	assert.Equal(t, S(s.stageDefinition("Empty")), s.item("STAGE_TABLE_NAME", "Empty")["Definition"])

	got := mustOK(t, s.get(stageByName, map[string]string{"name": "Analyze"})).Body
	assert.Equal(t, ddbText(want), ddbText(mustItem(t, decode(t, got).(*pyjson.Map))))
	assertError(t, s.get(stageByName, map[string]string{"name": "Nope"}), 404, "NotFoundError", "Exception: stage 'Nope' not found")
	var names []string
	for _, st := range decode(t, mustOK(t, s.get(stageResource, nil)).Body).([]any) {
		names = append(names, str(st.(*pyjson.Map), "Name"))
	}
	assert.ElementsMatch(t, []string{"_Labels", "_Mediainfo", "Analyze", "Empty"}, names)
}

// CP-14, CP-44, Q-08, §14: bad stages get the original's status and text, and change nothing.
func TestCreateStageErrors(t *testing.T) {
	s := newStack(t)
	mustOK(t, s.post(operationResource, syncOp("Mediainfo", libraryStartArn)))
	mustOK(t, s.post(stageResource, `{"Name": "Existing", "Operations": []}`))
	before := s.snapshot()
	long := strings.Repeat("s", 58-len("Mediainfo")+1)
	cases := []struct {
		name, body string
		status     int
		code       string
		message    string
	}{
		{"missing Operations", `{"Name": "s"}`, 400, "BadRequestError", "'Operations' is a required property"},
		{"Operations not a list", `{"Name": "s", "Operations": "Mediainfo"}`, 400, "BadRequestError", "'Mediainfo' is not of type 'array'"},
		{"operation not a string", `{"Name": "s", "Operations": ["Mediainfo", 1]}`, 400, "BadRequestError", "1 is not of type 'string'"},
		{"exists", `{"Name": "Existing", "Operations": ["Mediainfo"]}`, 500, "ChaliceViewError", "Exception 'A stage with the name 'Existing' already exists'"},
		{"unknown operation", `{"Name": "s", "Operations": ["Mediainfo", "Nope"]}`, 500, "ChaliceViewError", "Exception 'Exception: operation 'Nope' not found'"},
		{"control character in name", `{"Name": "a\tb", "Operations": []}`, 400, "BadRequestError", nameErr(asl.ValidateStageName("a\tb"))},
		{"name too long", fmt.Sprintf(`{"Name": %q, "Operations": []}`, strings.Repeat("s", 66)), 400, "BadRequestError", nameErr(asl.ValidateStageName(strings.Repeat("s", 66)))},
		{"state names too long", fmt.Sprintf(`{"Name": %q, "Operations": ["Mediainfo"]}`, long), 400, "BadRequestError", nameErr(asl.ValidateStateNames(long, []string{"Mediainfo"}))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := s.post(stageResource, c.body)
			assert.Equal(t, c.status, resp.StatusCode)
			got := decode(t, resp.Body).(*pyjson.Map)
			assert.Equal(t, c.code, str(got, "Code"))
			first, _, _ := strings.Cut(str(got, "Message"), "\n\nFailed validating")
			assert.Equal(t, c.message, first)
		})
	}
	t.Run("malformed JSON", func(t *testing.T) {
		assertTraceback(t, s.post(stageResource, `{"Name"`), "json.decoder.JSONDecodeError: Expecting ':' delimiter: line 1 column 8 (char 7)")
	})
	assert.Equal(t, before, s.snapshot())
}

// CP-15, Q-11: deletion checks dependents (a stage name with a dot is one key, not a path) and flags them when
// forced.
func TestDeleteStage(t *testing.T) {
	s := newStack(t)
	mustOK(t, s.post(operationResource, syncOp("Mediainfo", libraryStartArn)))
	mustOK(t, s.post(stageResource, `{"Name": "v1.0", "Operations": ["Mediainfo"]}`))
	mustOK(t, s.post(stageResource, `{"Name": "Unused", "Operations": ["Mediainfo"]}`))
	mustOK(t, s.post(workflowResource, `{"Name": "Dotted", "StartAt": "v1.0", "Stages": {"v1.0": {"End": true}}}`))

	assert.Equal(t, `{"Message":"Warning: stage 'Nope' not found"}`, mustOK(t, s.del(stageByName, map[string]string{"name": "Nope"}, nil)).Body)

	list := decode(t, mustOK(t, s.get(workflowsByStage, map[string]string{"stage_name": "v1.0"})).Body).([]any)
	assert.Len(t, list, 1)
	before := s.snapshot()
	assertError(t, s.del(stageByName, map[string]string{"name": "v1.0"}, nil), 400, "BadRequestError", fmt.Sprintf(dependentStage, "v1.0"))
	assert.Equal(t, before, s.snapshot())

	stored := s.item("STAGE_TABLE_NAME", "v1.0")
	deleted := decode(t, mustOK(t, s.del(stageByName, map[string]string{"name": "v1.0"}, map[string][]string{"force": {"true"}})).Body).(*pyjson.Map)
	assert.Equal(t, ddbText(stored), ddbText(mustItem(t, deleted)))
	assert.Nil(t, s.item("STAGE_TABLE_NAME", "v1.0"))
	assert.Equal(t, L(S("v1.0")), s.item("WORKFLOW_TABLE_NAME", "Dotted")["StaleStages"])

	mustOK(t, s.del(stageByName, map[string]string{"name": "Unused"}, nil))
	assert.Nil(t, s.item("STAGE_TABLE_NAME", "Unused"))
}
