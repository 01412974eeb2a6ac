// Command dataplanestream is the Lambda function that copies the data plane table's changes to the analytics
// Kinesis stream (data-plane §9).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/mie-go/mie-go/internal/stream"
)

func main() {
	h, err := stream.NewDataplaneFromLookup(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.Handle)
}
