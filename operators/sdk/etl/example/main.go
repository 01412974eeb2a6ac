// Command example is a consumer of MIE's analytics stream, ready to deploy as a Lambda function (runtime
// provided.al2023, handler bootstrap) behind a Kinesis event source mapping on the stream with
// ReportBatchItemFailures enabled. It writes every data plane change as one JSON line to the function's log;
// replace logChanges with the indexing your application needs.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/mie-go/mie-go/operators/sdk/etl"
)

func main() {
	lambda.Start(etl.NewHandler(logChanges(slog.New(slog.NewJSONHandler(os.Stdout, nil)))).Handle)
}

// logChanges logs each change with its kind and fields.
func logChanges(log *slog.Logger) etl.ProcessorFunc {
	return func(ctx context.Context, c etl.Change) error {
		switch c := c.(type) {
		case *etl.AssetInserted:
			log.InfoContext(ctx, "asset inserted", "asset", c.AssetID, "mediaType", c.MediaType,
				"s3Bucket", c.S3Bucket, "s3Key", c.S3Key, "created", c.Created)
		case *etl.ResultChanged:
			log.InfoContext(ctx, "result changed", "asset", c.AssetID, "operator", c.Operator,
				"pointer", c.Pointer, "workflow", c.Workflow)
		case *etl.OperatorRemoved:
			log.InfoContext(ctx, "operator removed", "asset", c.AssetID, "operator", c.Operator)
		case *etl.AssetRemoved:
			log.InfoContext(ctx, "asset removed", "asset", c.AssetID)
		}
		return nil
	}
}
