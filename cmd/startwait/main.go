// Command startwait is the START Lambda of the Wait operation: it pauses a workflow execution (control-plane §8.7).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/mie-go/mie-go/internal/orchestration"
)

func main() {
	h, err := orchestration.NewStartWaitFromLookup(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.Handle)
}
