// Command workflowstream is the WorkflowExecutionStreamingFunction: it announces every status change of a workflow
// execution on the workflow execution SNS topic (control-plane §10).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/mie-go/mie-go/internal/stream"
)

func main() {
	h, err := stream.NewWorkflowFromLookup(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.Handle)
}
