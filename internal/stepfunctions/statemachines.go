package stepfunctions

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/mie-go/mie-go/internal/stepfunctions/interp"
)

// State machine types and statuses.
const (
	TypeStandard = "STANDARD"
	typeExpress  = "EXPRESS"

	statusActive   = "ACTIVE"
	statusDeleting = "DELETING"
)

// Logging levels of a state machine.
const (
	LogLevelAll   = "ALL"
	LogLevelError = "ERROR"
	LogLevelFatal = "FATAL"
	LogLevelOff   = "OFF"
)

// maxDefinitionLength is the longest definition the API accepts, in characters.
const maxDefinitionLength = 1 << 20

// LoggingConfiguration is a state machine's logging configuration. The engine keeps and describes it; it writes
// no CloudWatch Logs.
type LoggingConfiguration struct {
	Level                string // LogLevelAll, LogLevelError, LogLevelFatal or LogLevelOff ("" = OFF)
	IncludeExecutionData bool
	// Destinations are CloudWatch Logs log group ARNs; any level but OFF needs exactly one.
	Destinations []string
}

// Tag is a resource tag.
type Tag struct {
	Key, Value string
}

// CreateStateMachineInput is what CreateStateMachine takes.
type CreateStateMachineInput struct {
	Name, Definition, RoleArn string
	// Type is TypeStandard or "" (the same); the engine runs no EXPRESS state machines.
	Type           string
	Logging        *LoggingConfiguration
	TracingEnabled bool
	Tags           []Tag
}

// UpdateStateMachineInput is what UpdateStateMachine takes: a nil member is left as it is.
type UpdateStateMachineInput struct {
	StateMachineArn string
	Definition      *string
	RoleArn         *string
	Logging         *LoggingConfiguration
	TracingEnabled  *bool
}

// StateMachine is what DescribeStateMachine reports.
type StateMachine struct {
	StateMachineArn, Name string
	// Status is ACTIVE, or DELETING from DeleteStateMachine until the last execution's run has returned.
	Status                    string
	Definition, RoleArn, Type string
	CreationDate              time.Time
	Logging                   LoggingConfiguration
	TracingEnabled            bool
}

// stateMachine is the engine's record of a state machine.
type stateMachine struct {
	arn, name  string
	seq        int64
	created    time.Time
	definition string
	// program is the parsed definition; an update replaces it, and executions keep the one they started with.
	program        *interp.Machine
	roleArn        string
	typ            string
	logging        LoggingConfiguration
	tracingEnabled bool
	tags           []Tag
	deleting       bool
	// live counts its executions whose run has not returned yet; deletion completes when it drops to zero.
	live int
}

func (m *stateMachine) describe() StateMachine {
	status := statusActive
	if m.deleting {
		status = statusDeleting
	}
	logging := m.logging
	logging.Destinations = slices.Clone(logging.Destinations)
	return StateMachine{
		StateMachineArn: m.arn,
		Name:            m.name,
		Status:          status,
		Definition:      m.definition,
		RoleArn:         m.roleArn,
		Type:            m.typ,
		CreationDate:    m.created,
		Logging:         logging,
		TracingEnabled:  m.tracingEnabled,
	}
}

// CreateStateMachine creates a state machine after checking its definition with the interpreter, so that a
// definition the engine could not run (Map, intrinsic functions, ...) is refused here with InvalidDefinition.
//
// As on AWS the call is idempotent: for an existing name with the same definition, type, logging and tracing
// configuration it returns the existing state machine, ignoring a different role or tags; any other difference
// is StateMachineAlreadyExists.
func (e *Engine) CreateStateMachine(in CreateStateMachineInput) (StateMachine, error) {
	if err := checkName("name", in.Name); err != nil {
		return StateMachine{}, err
	}
	typ := cmp.Or(in.Type, TypeStandard)
	switch {
	case typ == typeExpress:
		return StateMachine{}, apiError(CodeStateMachineTypeNotSupported,
			"This engine runs STANDARD state machines only, not %s", typ)
	case typ != TypeStandard:
		return StateMachine{}, validation("type", "Member must satisfy enum value set: [STANDARD, EXPRESS]")
	}
	if in.RoleArn == "" {
		return StateMachine{}, validation("roleArn", "Member must not be null")
	}
	logging, err := checkLogging(in.Logging)
	if err != nil {
		return StateMachine{}, err
	}
	if err := checkTags(in.Tags); err != nil {
		return StateMachine{}, err
	}
	program, err := parseDefinition(in.Definition)
	if err != nil {
		return StateMachine{}, err
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	arn := e.machineARN(in.Name)
	if m, ok := e.machines[arn]; ok {
		switch {
		case m.deleting:
			return StateMachine{}, machineDeleting(arn)
		case m.definition == in.Definition && m.typ == typ && m.tracingEnabled == in.TracingEnabled &&
			sameLogging(m.logging, logging):
			return m.describe(), nil
		default:
			return StateMachine{}, apiError(CodeStateMachineAlreadyExists, "State Machine Already Exists: '%s'", arn)
		}
	}
	m := &stateMachine{
		arn:            arn,
		name:           in.Name,
		seq:            e.nextSeq(),
		created:        e.clock.Now(),
		definition:     in.Definition,
		program:        program,
		roleArn:        in.RoleArn,
		typ:            typ,
		logging:        logging,
		tracingEnabled: in.TracingEnabled,
	}
	m.tags = mergeTags(nil, in.Tags)
	e.machines[arn] = m
	return m.describe(), nil
}

// UpdateStateMachine changes what the input sets and returns the update date. Running executions keep the
// definition they started with; only new executions see the change.
func (e *Engine) UpdateStateMachine(in UpdateStateMachineInput) (time.Time, error) {
	if err := checkARN("stateMachineArn", in.StateMachineArn, resourceStateMachine); err != nil {
		return time.Time{}, err
	}
	if in.Definition == nil && in.RoleArn == nil && in.Logging == nil && in.TracingEnabled == nil {
		return time.Time{}, apiError(CodeMissingRequiredParameter,
			"Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified")
	}
	var (
		program *interp.Machine
		logging LoggingConfiguration
		err     error
	)
	if in.Definition != nil {
		if program, err = parseDefinition(*in.Definition); err != nil {
			return time.Time{}, err
		}
	}
	if in.Logging != nil {
		if logging, err = checkLogging(in.Logging); err != nil {
			return time.Time{}, err
		}
	}
	if in.RoleArn != nil && *in.RoleArn == "" {
		return time.Time{}, validation("roleArn", "Member must have length greater than or equal to 1")
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	m, err := e.liveMachine(in.StateMachineArn)
	if err != nil {
		return time.Time{}, err
	}
	if in.Definition != nil {
		m.definition, m.program = *in.Definition, program
	}
	if in.RoleArn != nil {
		m.roleArn = *in.RoleArn
	}
	if in.Logging != nil {
		m.logging = logging
	}
	if in.TracingEnabled != nil {
		m.tracingEnabled = *in.TracingEnabled
	}
	return e.clock.Now(), nil
}

// DeleteStateMachine starts deleting a state machine: it is DELETING at once, refuses new executions, and its
// running executions are aborted; it disappears when the last of their runs has returned. Deleting a state
// machine that does not exist succeeds, as on AWS.
func (e *Engine) DeleteStateMachine(arn string) error {
	if err := checkARN("stateMachineArn", arn, resourceStateMachine); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ok := e.machines[arn]
	if !ok {
		return nil
	}
	m.deleting = true
	for _, ex := range e.executions {
		if ex.machine == m {
			e.abortLocked(ex, "", "")
		}
	}
	e.forgetIfDeletedLocked(m)
	return nil
}

// DescribeStateMachine reports a state machine, including one being deleted.
func (e *Engine) DescribeStateMachine(arn string) (StateMachine, error) {
	if err := checkARN("stateMachineArn", arn, resourceStateMachine); err != nil {
		return StateMachine{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ok := e.machines[arn]
	if !ok {
		return StateMachine{}, machineNotFound(arn)
	}
	return m.describe(), nil
}

// ListStateMachines lists the state machines that are not being deleted, oldest first, maxResults (1 to 1000, 0
// for 100) at a time; the returned token asks for the next page and is "" after the last one.
func (e *Engine) ListStateMachines(maxResults int32, nextToken string) ([]StateMachine, string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var machines []*stateMachine
	for _, m := range e.machines {
		if !m.deleting {
			machines = append(machines, m)
		}
	}
	slices.SortFunc(machines, func(a, b *stateMachine) int { return cmp.Compare(a.seq, b.seq) })
	page, next, err := paginate(machines, pageOrder{scope: "stateMachines"}, func(m *stateMachine) int64 { return m.seq },
		maxResults, nextToken)
	if err != nil {
		return nil, "", err
	}
	out := make([]StateMachine, len(page))
	for i, m := range page {
		out[i] = m.describe()
	}
	return out, next, nil
}

// liveMachine returns the state machine an operation that changes it or starts an execution may use; e.mu must be
// held.
func (e *Engine) liveMachine(arn string) (*stateMachine, error) {
	m, ok := e.machines[arn]
	switch {
	case !ok:
		return nil, machineNotFound(arn)
	case m.deleting:
		return nil, machineDeleting(arn)
	}
	return m, nil
}

// forgetIfDeletedLocked completes the deletion of m once none of its runs is left; e.mu must be held.
func (e *Engine) forgetIfDeletedLocked(m *stateMachine) {
	if m.deleting && m.live == 0 && e.machines[m.arn] == m {
		delete(e.machines, m.arn)
	}
}

// parseDefinition checks a definition with the interpreter, which refuses what it cannot run; its
// *interp.DefinitionError already reads as the service's InvalidDefinition message, problems listed.
func parseDefinition(definition string) (*interp.Machine, error) {
	switch n := len(definition); {
	case n == 0:
		return nil, validation("definition", "Member must not be null")
	case n > maxDefinitionLength:
		return nil, validation("definition", "Member must have length less than or equal to 1048576")
	}
	program, err := interp.Parse(definition)
	if err != nil {
		return nil, &Error{Code: CodeInvalidDefinition, Message: err.Error()}
	}
	return program, nil
}

// checkLogging validates a logging configuration and returns it with the defaults applied: nil is OFF.
func checkLogging(in *LoggingConfiguration) (LoggingConfiguration, error) {
	if in == nil {
		return LoggingConfiguration{Level: LogLevelOff}, nil
	}
	out := LoggingConfiguration{
		Level:                cmp.Or(in.Level, LogLevelOff),
		IncludeExecutionData: in.IncludeExecutionData,
		Destinations:         slices.Clone(in.Destinations),
	}
	switch out.Level {
	case LogLevelAll, LogLevelError, LogLevelFatal, LogLevelOff:
	default:
		return LoggingConfiguration{}, validation("loggingConfiguration.level",
			"Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]")
	}
	if len(out.Destinations) > 1 {
		return LoggingConfiguration{}, apiError(CodeInvalidLoggingConfiguration,
			"Invalid Logging Configuration: Must specify exactly one Log Destination.")
	}
	if out.Level != LogLevelOff && len(out.Destinations) == 0 {
		return LoggingConfiguration{}, apiError(CodeInvalidLoggingConfiguration,
			"Invalid Logging Configuration: Must specify exactly one Log Destination.")
	}
	for _, d := range out.Destinations {
		if !strings.HasPrefix(d, "arn:") || !strings.Contains(d, ":log-group:") {
			return LoggingConfiguration{}, apiError(CodeInvalidLoggingConfiguration,
				"Invalid Logging Configuration: Invalid log group ARN '%s'.", d)
		}
	}
	return out, nil
}

func sameLogging(a, b LoggingConfiguration) bool {
	return a.Level == b.Level && a.IncludeExecutionData == b.IncludeExecutionData && slices.Equal(a.Destinations, b.Destinations)
}
