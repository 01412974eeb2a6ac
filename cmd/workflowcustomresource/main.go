// Command workflowcustomresource is the WorkflowCustomResource Lambda: CloudFormation registers operations, stages
// and workflows through it.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/mie-go/mie-go/internal/controlplane"
)

func main() {
	c, err := controlplane.NewCustomResourceFromLookup(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(c.Handle)
}
