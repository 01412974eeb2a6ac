// Command filteroperation is the FilterOperationLambda: it decides whether an operation of a stage runs
// (control-plane §8.4).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/mie-go/mie-go/internal/orchestration"
)

func main() {
	lambda.Start(orchestration.NewFilter().Handle)
}
