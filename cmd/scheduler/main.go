// Command scheduler is the WorkflowSchedulerLambda: it starts queued workflow executions while concurrency slots
// are free (control-plane §8.3).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/mie-go/mie-go/internal/scheduler"
)

func main() {
	h, err := scheduler.NewFromLookup(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.Handle)
}
