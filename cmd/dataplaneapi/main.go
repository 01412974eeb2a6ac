// Command dataplaneapi is the data plane API Lambda function (data-plane.md).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/mie-go/mie-go/internal/dataplane"
)

func main() {
	h, err := dataplane.NewFromLookup(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.Handle)
}
