package stepfunctions

import "github.com/mie-go/mie-go/internal/stepfunctions/interp"

// The GetExecutionHistory operation.

type getExecutionHistoryRequest struct {
	ExecutionArn string `json:"executionArn"`
	MaxResults   int32  `json:"maxResults"`
	NextToken    string `json:"nextToken"`
	ReverseOrder bool   `json:"reverseOrder"`
}

type getExecutionHistoryResponse struct {
	Events    []interp.HistoryEvent `json:"events"`
	NextToken string                `json:"nextToken,omitempty"`
}

func getExecutionHistory(e *Engine, in getExecutionHistoryRequest) (getExecutionHistoryResponse, error) {
	events, next, err := e.GetExecutionHistory(GetExecutionHistoryInput(in))
	if err != nil {
		return getExecutionHistoryResponse{}, err
	}
	return getExecutionHistoryResponse{Events: events, NextToken: next}, nil
}
