// Command workflowapi is the workflow API Lambda (APIHandler): the REST routes of the control plane.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/mie-go/mie-go/internal/controlplane"
)

func main() {
	h, err := controlplane.NewFromLookup(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.Handle)
}
