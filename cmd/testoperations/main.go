// Command testoperations serves the 14 test operator Lambda functions (operators.md §16). They share this main;
// each function's handler string, which the runtime passes in _HANDLER, selects its operator.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/mie-go/mie-go/operators/testops"
)

func main() {
	op, err := testops.NewFromLookup(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(op.Handle)
}
