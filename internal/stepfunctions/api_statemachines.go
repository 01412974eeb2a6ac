package stepfunctions

// The state machine operations: CreateStateMachine, UpdateStateMachine, DeleteStateMachine, DescribeStateMachine
// and ListStateMachines.

// Encryption types of the API; only the default, a key AWS owns, means anything to an engine that stores nothing.
const encryptionAWSOwnedKey = "AWS_OWNED_KEY"

type wireLoggingConfiguration struct {
	Level                string               `json:"level,omitempty"`
	IncludeExecutionData bool                 `json:"includeExecutionData"`
	Destinations         []wireLogDestination `json:"destinations,omitempty"`
}

type wireLogDestination struct {
	CloudWatchLogsLogGroup *wireLogGroup `json:"cloudWatchLogsLogGroup,omitempty"`
}

type wireLogGroup struct {
	LogGroupArn string `json:"logGroupArn"`
}

type wireTracingConfiguration struct {
	Enabled bool `json:"enabled"`
}

type wireEncryptionConfiguration struct {
	Type string `json:"type"`
}

func (l *wireLoggingConfiguration) core() *LoggingConfiguration {
	if l == nil {
		return nil
	}
	out := &LoggingConfiguration{Level: l.Level, IncludeExecutionData: l.IncludeExecutionData}
	for _, d := range l.Destinations {
		if d.CloudWatchLogsLogGroup != nil {
			out.Destinations = append(out.Destinations, d.CloudWatchLogsLogGroup.LogGroupArn)
		}
	}
	return out
}

func wireLogging(l LoggingConfiguration) wireLoggingConfiguration {
	out := wireLoggingConfiguration{Level: l.Level, IncludeExecutionData: l.IncludeExecutionData}
	for _, arn := range l.Destinations {
		out.Destinations = append(out.Destinations, wireLogDestination{CloudWatchLogsLogGroup: &wireLogGroup{LogGroupArn: arn}})
	}
	return out
}

// checkUnsupported refuses the request members of features the engine does not have, rather than ignore them.
func checkUnsupported(publish bool, enc *wireEncryptionConfiguration) error {
	if publish {
		return validation("publish", "this engine does not publish state machine versions")
	}
	if enc != nil && enc.Type != encryptionAWSOwnedKey {
		return apiError(CodeInvalidEncryptionConfiguration,
			"Invalid Encryption Configuration: this engine supports type %s only", encryptionAWSOwnedKey)
	}
	return nil
}

type createStateMachineRequest struct {
	Name                    string                       `json:"name"`
	Definition              string                       `json:"definition"`
	RoleArn                 string                       `json:"roleArn"`
	Type                    string                       `json:"type"`
	LoggingConfiguration    *wireLoggingConfiguration    `json:"loggingConfiguration"`
	TracingConfiguration    *wireTracingConfiguration    `json:"tracingConfiguration"`
	Tags                    []wireTag                    `json:"tags"`
	Publish                 bool                         `json:"publish"`
	EncryptionConfiguration *wireEncryptionConfiguration `json:"encryptionConfiguration"`
}

type createStateMachineResponse struct {
	StateMachineArn string        `json:"stateMachineArn"`
	CreationDate    *epochSeconds `json:"creationDate"`
}

func createStateMachine(e *Engine, in createStateMachineRequest) (createStateMachineResponse, error) {
	if err := checkUnsupported(in.Publish, in.EncryptionConfiguration); err != nil {
		return createStateMachineResponse{}, err
	}
	sm, err := e.CreateStateMachine(CreateStateMachineInput{
		Name:           in.Name,
		Definition:     in.Definition,
		RoleArn:        in.RoleArn,
		Type:           in.Type,
		Logging:        in.LoggingConfiguration.core(),
		TracingEnabled: in.TracingConfiguration != nil && in.TracingConfiguration.Enabled,
		Tags:           coreTags(in.Tags),
	})
	if err != nil {
		return createStateMachineResponse{}, err
	}
	return createStateMachineResponse{StateMachineArn: sm.StateMachineArn, CreationDate: timestamp(sm.CreationDate)}, nil
}

type updateStateMachineRequest struct {
	StateMachineArn         string                       `json:"stateMachineArn"`
	Definition              *string                      `json:"definition"`
	RoleArn                 *string                      `json:"roleArn"`
	LoggingConfiguration    *wireLoggingConfiguration    `json:"loggingConfiguration"`
	TracingConfiguration    *wireTracingConfiguration    `json:"tracingConfiguration"`
	Publish                 bool                         `json:"publish"`
	EncryptionConfiguration *wireEncryptionConfiguration `json:"encryptionConfiguration"`
}

type updateStateMachineResponse struct {
	UpdateDate *epochSeconds `json:"updateDate"`
}

func updateStateMachine(e *Engine, in updateStateMachineRequest) (updateStateMachineResponse, error) {
	if err := checkUnsupported(in.Publish, in.EncryptionConfiguration); err != nil {
		return updateStateMachineResponse{}, err
	}
	var tracing *bool
	if in.TracingConfiguration != nil {
		tracing = new(in.TracingConfiguration.Enabled)
	}
	at, err := e.UpdateStateMachine(UpdateStateMachineInput{
		StateMachineArn: in.StateMachineArn,
		Definition:      in.Definition,
		RoleArn:         in.RoleArn,
		Logging:         in.LoggingConfiguration.core(),
		TracingEnabled:  tracing,
	})
	if err != nil {
		return updateStateMachineResponse{}, err
	}
	return updateStateMachineResponse{UpdateDate: timestamp(at)}, nil
}

type stateMachineArnRequest struct {
	StateMachineArn string `json:"stateMachineArn"`
}

type emptyResponse struct{}

func deleteStateMachine(e *Engine, in stateMachineArnRequest) (emptyResponse, error) {
	return emptyResponse{}, e.DeleteStateMachine(in.StateMachineArn)
}

type describeStateMachineResponse struct {
	StateMachineArn      string                   `json:"stateMachineArn"`
	Name                 string                   `json:"name"`
	Status               string                   `json:"status"`
	Definition           string                   `json:"definition"`
	RoleArn              string                   `json:"roleArn"`
	Type                 string                   `json:"type"`
	CreationDate         *epochSeconds            `json:"creationDate"`
	LoggingConfiguration wireLoggingConfiguration `json:"loggingConfiguration"`
	TracingConfiguration wireTracingConfiguration `json:"tracingConfiguration"`
}

func describeStateMachine(e *Engine, in stateMachineArnRequest) (describeStateMachineResponse, error) {
	sm, err := e.DescribeStateMachine(in.StateMachineArn)
	if err != nil {
		return describeStateMachineResponse{}, err
	}
	return describeStateMachineResponse{
		StateMachineArn:      sm.StateMachineArn,
		Name:                 sm.Name,
		Status:               sm.Status,
		Definition:           sm.Definition,
		RoleArn:              sm.RoleArn,
		Type:                 sm.Type,
		CreationDate:         timestamp(sm.CreationDate),
		LoggingConfiguration: wireLogging(sm.Logging),
		TracingConfiguration: wireTracingConfiguration{Enabled: sm.TracingEnabled},
	}, nil
}

type listRequest struct {
	MaxResults int32  `json:"maxResults"`
	NextToken  string `json:"nextToken"`
}

type stateMachineListItem struct {
	StateMachineArn string        `json:"stateMachineArn"`
	Name            string        `json:"name"`
	Type            string        `json:"type"`
	CreationDate    *epochSeconds `json:"creationDate"`
}

type listStateMachinesResponse struct {
	StateMachines []stateMachineListItem `json:"stateMachines"`
	NextToken     string                 `json:"nextToken,omitempty"`
}

func listStateMachines(e *Engine, in listRequest) (listStateMachinesResponse, error) {
	machines, next, err := e.ListStateMachines(in.MaxResults, in.NextToken)
	if err != nil {
		return listStateMachinesResponse{}, err
	}
	out := listStateMachinesResponse{StateMachines: make([]stateMachineListItem, len(machines)), NextToken: next}
	for i, sm := range machines {
		out.StateMachines[i] = stateMachineListItem{
			StateMachineArn: sm.StateMachineArn,
			Name:            sm.Name,
			Type:            sm.Type,
			CreationDate:    timestamp(sm.CreationDate),
		}
	}
	return out, nil
}
