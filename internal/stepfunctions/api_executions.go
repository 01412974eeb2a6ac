package stepfunctions

// The execution operations: StartExecution, DescribeExecution, StopExecution and ListExecutions.

type startExecutionRequest struct {
	StateMachineArn string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Input           string `json:"input"`
}

type startExecutionResponse struct {
	ExecutionArn string        `json:"executionArn"`
	StartDate    *epochSeconds `json:"startDate"`
}

func startExecution(e *Engine, in startExecutionRequest) (startExecutionResponse, error) {
	ex, err := e.StartExecution(StartExecutionInput(in))
	if err != nil {
		return startExecutionResponse{}, err
	}
	return startExecutionResponse{ExecutionArn: ex.ExecutionArn, StartDate: timestamp(ex.StartDate)}, nil
}

type executionArnRequest struct {
	ExecutionArn string `json:"executionArn"`
}

type describeExecutionResponse struct {
	ExecutionArn    string        `json:"executionArn"`
	StateMachineArn string        `json:"stateMachineArn"`
	Name            string        `json:"name"`
	Status          string        `json:"status"`
	StartDate       *epochSeconds `json:"startDate"`
	StopDate        *epochSeconds `json:"stopDate,omitempty"`
	Input           string        `json:"input"`
	InputDetails    DataDetails   `json:"inputDetails"`
	Output          *string       `json:"output,omitempty"`
	OutputDetails   *DataDetails  `json:"outputDetails,omitempty"`
	Error           string        `json:"error,omitempty"`
	Cause           string        `json:"cause,omitempty"`
}

func describeExecution(e *Engine, in executionArnRequest) (describeExecutionResponse, error) {
	ex, err := e.DescribeExecution(in.ExecutionArn)
	if err != nil {
		return describeExecutionResponse{}, err
	}
	out := describeExecutionResponse{
		ExecutionArn:    ex.ExecutionArn,
		StateMachineArn: ex.StateMachineArn,
		Name:            ex.Name,
		Status:          string(ex.Status),
		StartDate:       timestamp(ex.StartDate),
		StopDate:        timestamp(ex.StopDate),
		Input:           ex.Input,
		InputDetails:    DataDetails{Included: true},
		Error:           ex.Error,
		Cause:           ex.Cause,
	}
	if ex.Status == StatusSucceeded {
		out.Output, out.OutputDetails = new(ex.Output), &DataDetails{Included: true}
	}
	return out, nil
}

type stopExecutionRequest struct {
	ExecutionArn string `json:"executionArn"`
	Error        string `json:"error"`
	Cause        string `json:"cause"`
}

type stopExecutionResponse struct {
	StopDate *epochSeconds `json:"stopDate"`
}

func stopExecution(e *Engine, in stopExecutionRequest) (stopExecutionResponse, error) {
	at, err := e.StopExecution(in.ExecutionArn, in.Error, in.Cause)
	if err != nil {
		return stopExecutionResponse{}, err
	}
	return stopExecutionResponse{StopDate: timestamp(at)}, nil
}

type listExecutionsRequest struct {
	StateMachineArn string `json:"stateMachineArn"`
	StatusFilter    string `json:"statusFilter"`
	MaxResults      int32  `json:"maxResults"`
	NextToken       string `json:"nextToken"`
}

type executionListItem struct {
	ExecutionArn    string        `json:"executionArn"`
	StateMachineArn string        `json:"stateMachineArn"`
	Name            string        `json:"name"`
	Status          string        `json:"status"`
	StartDate       *epochSeconds `json:"startDate"`
	StopDate        *epochSeconds `json:"stopDate,omitempty"`
}

type listExecutionsResponse struct {
	Executions []executionListItem `json:"executions"`
	NextToken  string              `json:"nextToken,omitempty"`
}

func listExecutions(e *Engine, in listExecutionsRequest) (listExecutionsResponse, error) {
	list, next, err := e.ListExecutions(ListExecutionsInput{
		StateMachineArn: in.StateMachineArn,
		StatusFilter:    ExecutionStatus(in.StatusFilter),
		MaxResults:      in.MaxResults,
		NextToken:       in.NextToken,
	})
	if err != nil {
		return listExecutionsResponse{}, err
	}
	out := listExecutionsResponse{Executions: make([]executionListItem, len(list)), NextToken: next}
	for i, ex := range list {
		out.Executions[i] = executionListItem{
			ExecutionArn:    ex.ExecutionArn,
			StateMachineArn: ex.StateMachineArn,
			Name:            ex.Name,
			Status:          string(ex.Status),
			StartDate:       timestamp(ex.StartDate),
			StopDate:        timestamp(ex.StopDate),
		}
	}
	return out, nil
}
