package dataplane

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyendpoints "github.com/aws/smithy-go/endpoints"

	"github.com/mie-go/mie-go/internal/awsconf"
)

// Config is what the data plane reads from its environment (DP-27).
type Config struct {
	// Table is DATAPLANE_TABLE_NAME, the asset table.
	Table string
	// Bucket is DATAPLANE_BUCKET, where asset markers and metadata documents live.
	Bucket string
	// FrameworkVersion is FRAMEWORK_VERSION, echoed by GET /version.
	FrameworkVersion string
	// Region is AWS_REGION. The original read it only when presigning, so a missing region fails only R3 and R4.
	Region string
}

// ConfigFromLookup reads the configuration. Like the original, which read these variables when its module loaded,
// it refuses to start without DATAPLANE_TABLE_NAME, DATAPLANE_BUCKET, FRAMEWORK_VERSION or botoConfig.
func ConfigFromLookup(lookup awsconf.Lookup) (Config, error) {
	for _, name := range []string{"DATAPLANE_TABLE_NAME", "DATAPLANE_BUCKET", "FRAMEWORK_VERSION", "botoConfig"} {
		if lookup(name) == "" {
			return Config{}, fmt.Errorf("dataplane: environment variable %s is required", name)
		}
	}
	return Config{
		Table:            lookup("DATAPLANE_TABLE_NAME"),
		Bucket:           lookup("DATAPLANE_BUCKET"),
		FrameworkVersion: lookup("FRAMEWORK_VERSION"),
		Region:           lookup("AWS_REGION"),
	}, nil
}

// NewFromLookup builds the handler with AWS clients from the same lookup: the Lambda main passes os.Getenv, tests
// and the local runtime pass their own variables.
func NewFromLookup(ctx context.Context, lookup awsconf.Lookup) (*Handler, error) {
	cfg, err := ConfigFromLookup(lookup)
	if err != nil {
		return nil, err
	}
	clients, err := awsconf.Load(ctx, lookup)
	if err != nil {
		return nil, fmt.Errorf("dataplane: %w", err)
	}
	s3Client := clients.S3()
	return New(cfg, clients.DynamoDB(), s3Client, NewPresigner(s3Client), WithLogger(slog.Default()))
}

// NewPresigner returns the presign client for R3 and R4. Like the original's boto3 client it uses the global
// endpoint in us-east-1 (`https://<bucket>.s3.amazonaws.com/`) and virtual-hosted addressing; the S3 client's own
// settings still apply, so a custom endpoint (moto, the local runtime) keeps the path style awsconf gives it.
func NewPresigner(client *s3.Client) *s3.PresignClient {
	return s3.NewPresignClient(client, func(o *s3.PresignOptions) {
		o.ClientOptions = append(o.ClientOptions, func(so *s3.Options) {
			so.EndpointResolverV2 = globalEndpoint{next: so.EndpointResolverV2}
		})
	})
}

// globalEndpoint sets the AWS::S3::UseGlobalEndpoint rule parameter, which boto3 sets by default ("legacy"
// us-east-1 regional endpoint mode) and aws-sdk-go-v2 does not.
type globalEndpoint struct {
	next s3.EndpointResolverV2
}

func (g globalEndpoint) ResolveEndpoint(ctx context.Context, p s3.EndpointParameters) (smithyendpoints.Endpoint, error) {
	p.UseGlobalEndpoint = aws.Bool(true)
	return g.next.ResolveEndpoint(ctx, p)
}
