package asl

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// Step Functions limits state, state machine and execution names to 80 characters (control-plane §11).
const maxSFNName = 80

// maxWorkflowName keeps every execution name, <workflow><36-character execution id>, within 80
// characters (§11, §13); the state machine name <workflow>-<short id> is shorter still.
const maxWorkflowName = 44

// workflowForbidden are the characters Step Functions refuses in state machine and execution names,
// besides whitespace and control characters.
const workflowForbidden = "<>{}[]?*\"#%\\^|~`$&,;:/"

// NameError reports a name refused by the naming policy (CP-44, Q-19). Handlers answer 400
// BadRequestError with its text, e.g. Operation name 'a.b' is not valid: it may not contain '.', ...
type NameError struct {
	Kind   string // "Operation", "Stage" or "Workflow"
	Name   string
	Reason string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("%s name %s is not valid: %s", e.Kind, pyjson.QuoteKey(e.Name), e.Reason)
}

// ValidateOperationName applies Q-19 to an operation name. Besides the rules for every name, the name
// becomes part of the JSONPath $.Configuration.<name> in the filter task, which dots, brackets, single
// quotes and whitespace break, and of state names, which Step Functions limits to 80 characters.
func ValidateOperationName(name string) error {
	if err := validateName("Operation", name); err != nil {
		return err
	}
	if strings.ContainsFunc(name, func(r rune) bool { return strings.ContainsRune(".[]'", r) || unicode.IsSpace(r) }) {
		return &NameError{"Operation", name, `it may not contain '.', '[', ']', ''' or whitespace`}
	}
	// At least one character is left for the stage name.
	if limit := maxOperationAndStage() - 1; utf8.RuneCountInString(name) > limit {
		return &NameError{"Operation", name, fmt.Sprintf(
			"it may be at most %d characters long, so that its state names fit Step Functions' limit of %d",
			limit, maxSFNName)}
	}
	return nil
}

// ValidateStageName applies Q-19 to a stage name: the rules for every name, and a length that keeps
// the state "Complete Stage <name>" within Step Functions' 80 characters. ValidateStateNames checks
// the stage name together with its operations.
func ValidateStageName(name string) error {
	if err := validateName("Stage", name); err != nil {
		return err
	}
	if limit := maxSFNName - utf8.RuneCountInString(CompletionStateName("")); utf8.RuneCountInString(name) > limit {
		return &NameError{"Stage", name, fmt.Sprintf(
			"it may be at most %d characters long, so that the state %s fits Step Functions' limit of %d",
			limit, pyjson.QuoteKey(CompletionStateName("<stage>")), maxSFNName)}
	}
	return nil
}

// ValidateStateNames refuses a stage whose branch state names would exceed Step Functions' 80
// characters: the longest, "Filter <operation> Media Type? (<stage>)", leaves 58 characters for the
// operation and stage names together (§5.3).
func ValidateStateNames(stage string, operations []string) error {
	limit := maxOperationAndStage()
	for _, op := range operations {
		if utf8.RuneCountInString(op)+utf8.RuneCountInString(stage) > limit {
			return &NameError{"Stage", stage, fmt.Sprintf(
				"with operation %s its state names would exceed Step Functions' limit of %d characters "+
					"(operation and stage names may have %d characters together)",
				pyjson.QuoteKey(op), maxSFNName, limit)}
		}
	}
	return nil
}

// ValidateWorkflowName applies Q-19 to a workflow name, which names the state machine
// (<name>-<short id>) and, prefixed to the execution id, every execution: it follows Step Functions'
// naming rules and has at most 44 characters.
func ValidateWorkflowName(name string) error {
	if err := validateName("Workflow", name); err != nil {
		return err
	}
	if strings.ContainsFunc(name, func(r rune) bool { return strings.ContainsRune(workflowForbidden, r) || unicode.IsSpace(r) }) {
		return &NameError{"Workflow", name,
			"Step Functions state machine names may not contain whitespace or any of " +
				strings.Join(strings.Split(workflowForbidden, ""), " ")}
	}
	if utf8.RuneCountInString(name) > maxWorkflowName {
		return &NameError{"Workflow", name, fmt.Sprintf(
			"it may be at most %d characters long, so that execution names (<workflow><execution id>) fit "+
				"Step Functions' limit of %d", maxWorkflowName, maxSFNName)}
	}
	return nil
}

// validateName applies the rules for every name: not empty, and nothing that corrupts the JSON texts
// the names are inserted into unescaped (§5.1) or that Step Functions refuses.
func validateName(kind, name string) error {
	if name == "" {
		return &NameError{kind, name, "it may not be empty"}
	}
	if strings.ContainsFunc(name, func(r rune) bool { return r == '"' || r == '\\' || unicode.IsControl(r) }) {
		return &NameError{kind, name, `it may not contain '"', '\' or control characters`}
	}
	return nil
}

// maxOperationAndStage is how many characters the longest branch state name leaves for the
// operation and stage names together: 58.
func maxOperationAndStage() int {
	n := branchStateNames("", "")
	longest := 0
	for _, s := range []string{n.filter, n.skip, n.notStarted, n.execute, n.wait, n.status, n.complete, n.failed, n.succeeded} {
		longest = max(longest, utf8.RuneCountInString(s))
	}
	return maxSFNName - longest
}
