// Command operatorfailed is the OperatorFailed Lambda function, the end of every operation's failure path
// (operators.md §15).
package main

import (
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/mie-go/mie-go/operators/failed"
)

func main() {
	lambda.Start(failed.New(slog.Default()).Handle)
}
