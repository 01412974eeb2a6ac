// Command checkwait is the MONITOR Lambda of the Wait operation: it reports whether a paused workflow execution has
// been resumed (control-plane §8.7).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/mie-go/mie-go/internal/orchestration"
)

func main() {
	h, err := orchestration.NewCheckWaitFromLookup(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.Handle)
}
