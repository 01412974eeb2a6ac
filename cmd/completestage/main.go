// Command completestage is the CompleteStageLambda: it rolls a stage's results into the workflow execution and
// starts the next stage (control-plane §8.5).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/mie-go/mie-go/internal/orchestration"
)

func main() {
	h, err := orchestration.NewCompleteStageFromLookup(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.Handle)
}
