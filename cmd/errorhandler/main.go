// Command errorhandler is the WorkflowErrorHandlerLambda: it ends a workflow execution Error when its state machine
// execution fails, times out or is aborted (control-plane §9.6).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/mie-go/mie-go/internal/errorhandler"
)

func main() {
	h, err := errorhandler.NewFromLookup(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.Handle)
}
