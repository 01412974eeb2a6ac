package asl

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nameCase is a name and the error text expected for it ("" when valid).
type nameCase struct{ name, want string }

func checkNames(t *testing.T, validate func(string) error, kind string, cases []nameCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := validate(tc.name)
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			var nameErr *NameError
			require.True(t, errors.As(err, &nameErr), "got %v", err)
			assert.Equal(t, kind, nameErr.Kind)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// CP-44, Q-19: the rules every name follows; letters, digits, '-' and '_' are always accepted.
func TestValidateNameCommonRules(t *testing.T) {
	for kind, validate := range map[string]func(string) error{
		"Operation": ValidateOperationName, "Stage": ValidateStageName, "Workflow": ValidateWorkflowName,
	} {
		t.Run(kind, func(t *testing.T) {
			checkNames(t, validate, kind, []nameCase{
				{"Mediainfo", ""},
				{"label-detect_2", ""},
				{"_x", ""},
				{"0", ""},
				{"", kind + ` name '' is not valid: it may not be empty`},
				{`a"b`, kind + ` name 'a"b' is not valid: it may not contain '"', '\' or control characters`},
				{`a\b`, kind + ` name 'a\\b' is not valid: it may not contain '"', '\' or control characters`},
				{"a\nb", kind + ` name 'a\nb' is not valid: it may not contain '"', '\' or control characters`},
				{"a\x7fb", kind + ` name 'a\x7fb' is not valid: it may not contain '"', '\' or control characters`},
				{"a\u0085b", kind + ` name 'a\x85b' is not valid: it may not contain '"', '\' or control characters`},
			})
		})
	}
}

// CP-44, Q-19: operation names are part of the JSONPath $.Configuration.<name> and of state names.
func TestValidateOperationName(t *testing.T) {
	const reason = ` is not valid: it may not contain '.', '[', ']', ''' or whitespace`
	checkNames(t, ValidateOperationName, "Operation", []nameCase{
		{"Détection", ""},
		{"a+b=c@d,e:f", ""},
		{strings.Repeat("x", 57), ""},
		{"a.b", "Operation name 'a.b'" + reason},
		{"a[0]", "Operation name 'a[0]'" + reason},
		{"a]", "Operation name 'a]'" + reason},
		{"it's", `Operation name "it's"` + reason},
		{"a b", "Operation name 'a b'" + reason},
		{"a\u00a0b", `Operation name 'a\xa0b'` + reason}, // Python's repr shows invisible characters
		{strings.Repeat("x", 58), "Operation name '" + strings.Repeat("x", 58) +
			"' is not valid: it may be at most 57 characters long, so that its state names fit Step Functions' limit of 80"},
		{strings.Repeat("é", 57), ""},
	})
}

// CP-44: stage names appear in "Complete Stage <name>".
func TestValidateStageName(t *testing.T) {
	checkNames(t, ValidateStageName, "Stage", []nameCase{
		{"Analyze video", ""},
		{"a.b[c]'d'", ""},
		{"Étape 🎬", ""},
		{strings.Repeat("s", 65), ""},
		{strings.Repeat("s", 66), "Stage name '" + strings.Repeat("s", 66) +
			"' is not valid: it may be at most 65 characters long, so that the state 'Complete Stage <stage>' fits Step Functions' limit of 80"},
	})
}

// CP-44, §5.3: operation and stage names together fit the longest state name.
func TestValidateStateNames(t *testing.T) {
	stage := strings.Repeat("s", 29)
	assert.NoError(t, ValidateStateNames(stage, []string{"a", strings.Repeat("o", 29)}))
	assert.NoError(t, ValidateStateNames(stage, nil))
	err := ValidateStateNames(stage, []string{"a", strings.Repeat("o", 30)})
	assert.EqualError(t, err, "Stage name '"+stage+"' is not valid: with operation '"+strings.Repeat("o", 30)+
		"' its state names would exceed Step Functions' limit of 80 characters (operation and stage names may have 58 characters together)")
	// The limit is what the longest generated name allows: exactly 80 characters.
	assert.Len(t, branchStateNames(strings.Repeat("o", 29), stage).filter, 80)
}

// CP-44, Q-19: workflow names name state machines and executions.
func TestValidateWorkflowName(t *testing.T) {
	const reason = " is not valid: Step Functions state machine names may not contain whitespace or any of " +
		"< > { } [ ] ? * \" # % \\ ^ | ~ ` $ & , ; : /"
	cases := []nameCase{
		{"MyWF", ""},
		{"a.b'c(d)+e=f@g!", ""},
		{"Flux-vidéo", ""},
		{strings.Repeat("w", 44), ""},
		{strings.Repeat("w", 45), "Workflow name '" + strings.Repeat("w", 45) + "' is not valid: it may be at most 44 characters " +
			"long, so that execution names (<workflow><execution id>) fit Step Functions' limit of 80"},
		{"my workflow", "Workflow name 'my workflow'" + reason},
		{"a\u2003b", `Workflow name 'a\u2003b'` + reason},
	}
	for _, c := range "<>{}[]?*#%^|~`$&,;:/" {
		name := "a" + string(c) + "b"
		cases = append(cases, nameCase{name, "Workflow name '" + name + "'" + reason})
	}
	checkNames(t, ValidateWorkflowName, "Workflow", cases)
}
