// Package awsconf builds the AWS SDK configuration and clients that every handler uses, from a configuration
// lookup instead of the process environment, so that one process can host many functions with different settings.
package awsconf

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Lookup returns the value of a configuration variable, or "" when it is not set. In production it is os.Getenv.
type Lookup func(string) string

// MapLookup turns a map into a Lookup; tests and the local runtime use it to give each function its own variables.
func MapLookup(m map[string]string) Lookup {
	return func(k string) string { return m[k] }
}

// Config is the SDK configuration of one function plus the per-service endpoint overrides it was given.
type Config struct {
	AWS aws.Config
	// endpoints maps an SDK service id in the AWS_ENDPOINT_URL_<SERVICE> spelling (upper case, spaces as
	// underscores) to the endpoint that overrides AWS_ENDPOINT_URL for that service.
	endpoints map[string]string
	// customS3 is true when S3 is reached through a configured endpoint (moto, the local runtime): such endpoints
	// need path-style addressing because virtual-host names of buckets do not resolve there.
	customS3 bool
}

// botoConfig is the JSON object of SDK client options the original passes to every function (CP-03, DP-27); the
// only option in use is the user-agent suffix `AwsSolution/SO0163/<version>`.
type botoConfig struct {
	UserAgentExtra string `json:"user_agent_extra"`
}

// Load builds the configuration of one function. Values present in lookup win over the SDK's own default chain:
// AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>, AWS_MAX_ATTEMPTS, and botoConfig (user agent). With os.Getenv as lookup this is
// exactly the standard chain.
func Load(ctx context.Context, lookup Lookup, optFns ...func(*config.LoadOptions) error) (Config, error) {
	var opts []func(*config.LoadOptions) error
	if region := lookup("AWS_REGION"); region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if key, secret := lookup("AWS_ACCESS_KEY_ID"), lookup("AWS_SECRET_ACCESS_KEY"); key != "" && secret != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(key, secret, lookup("AWS_SESSION_TOKEN"))))
	}
	if raw := lookup("AWS_MAX_ATTEMPTS"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return Config{}, fmt.Errorf("AWS_MAX_ATTEMPTS must be a positive integer, got %q", raw)
		}
		opts = append(opts, config.WithRetryer(func() aws.Retryer {
			return retry.AddWithMaxAttempts(retry.NewStandard(), n)
		}))
	}
	if raw := lookup("botoConfig"); raw != "" {
		var bc botoConfig
		if err := json.Unmarshal([]byte(raw), &bc); err != nil {
			return Config{}, fmt.Errorf("parse botoConfig %q: %w", raw, err)
		}
		if bc.UserAgentExtra != "" {
			opts = append(opts, config.WithAPIOptions([]func(*middleware.Stack) error{appendUserAgent(bc.UserAgentExtra)}))
		}
	}
	base := lookup("AWS_ENDPOINT_URL")
	if base != "" {
		opts = append(opts, config.WithBaseEndpoint(base))
	}
	cfg, err := config.LoadDefaultConfig(ctx, append(opts, optFns...)...)
	if err != nil {
		return Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	c := Config{AWS: cfg, endpoints: map[string]string{}}
	for _, svc := range services {
		if ep := lookup("AWS_ENDPOINT_URL_" + svc); ep != "" {
			c.endpoints[svc] = ep
		}
	}
	c.customS3 = c.endpoints["S3"] != "" || cfg.BaseEndpoint != nil
	return c, nil
}

// appendUserAgent appends text to the User-Agent header as is, like botocore's user_agent_extra. The SDK's own
// user-agent keys cannot carry it: they replace the `/` of `AwsSolution/SO0163/<version>`.
func appendUserAgent(extra string) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Build.Add(middleware.BuildMiddlewareFunc("MIEUserAgentExtra",
			func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					req.Header.Set("User-Agent", req.Header.Get("User-Agent")+" "+extra)
				}
				return next.HandleBuild(ctx, in)
			}), middleware.After)
	}
}

// services lists the SDK service ids MIE uses, spelled as in AWS_ENDPOINT_URL_<SERVICE>.
var services = []string{
	"DYNAMODB", "DYNAMODB_STREAMS", "S3", "SQS", "SNS", "KINESIS", "LAMBDA", "SFN", "IAM", "CLOUDWATCH_LOGS",
	"TRANSCRIBE", "TRANSLATE", "COMPREHEND", "POLLY", "REKOGNITION", "MEDIACONVERT", "STS",
}

// Endpoint returns the endpoint override for a service id (e.g. "TRANSLATE"), or nil to use AWS_ENDPOINT_URL or
// the service's default endpoint. Clients of services not constructed here (operators' AI services) use it to
// set BaseEndpoint.
func (c Config) Endpoint(service string) *string {
	if ep, ok := c.endpoints[service]; ok {
		return aws.String(ep)
	}
	return nil
}

func endpointOpt[O any](c Config, service string, set func(*O, *string)) func(*O) {
	return func(o *O) {
		if ep := c.Endpoint(service); ep != nil {
			set(o, ep)
		}
	}
}

// DynamoDB returns a DynamoDB client.
func (c Config) DynamoDB() *dynamodb.Client {
	return dynamodb.NewFromConfig(c.AWS, endpointOpt(c, "DYNAMODB", func(o *dynamodb.Options, ep *string) { o.BaseEndpoint = ep }))
}

// DynamoDBStreams returns a DynamoDB Streams client.
func (c Config) DynamoDBStreams() *dynamodbstreams.Client {
	return dynamodbstreams.NewFromConfig(c.AWS, endpointOpt(c, "DYNAMODB_STREAMS", func(o *dynamodbstreams.Options, ep *string) { o.BaseEndpoint = ep }))
}

// S3 returns an S3 client; path-style addressing when a custom endpoint is configured.
func (c Config) S3() *s3.Client {
	return s3.NewFromConfig(c.AWS, endpointOpt(c, "S3", func(o *s3.Options, ep *string) { o.BaseEndpoint = ep }), func(o *s3.Options) {
		o.UsePathStyle = c.customS3
		// Endpoints such as moto send no checksum headers; the SDK would log a warning on every GetObject.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
}

// SQS returns an SQS client.
func (c Config) SQS() *sqs.Client {
	return sqs.NewFromConfig(c.AWS, endpointOpt(c, "SQS", func(o *sqs.Options, ep *string) { o.BaseEndpoint = ep }))
}

// SNS returns an SNS client.
func (c Config) SNS() *sns.Client {
	return sns.NewFromConfig(c.AWS, endpointOpt(c, "SNS", func(o *sns.Options, ep *string) { o.BaseEndpoint = ep }))
}

// Kinesis returns a Kinesis client.
func (c Config) Kinesis() *kinesis.Client {
	return kinesis.NewFromConfig(c.AWS, endpointOpt(c, "KINESIS", func(o *kinesis.Options, ep *string) { o.BaseEndpoint = ep }))
}

// Lambda returns a Lambda client.
func (c Config) Lambda() *lambda.Client {
	return lambda.NewFromConfig(c.AWS, endpointOpt(c, "LAMBDA", func(o *lambda.Options, ep *string) { o.BaseEndpoint = ep }))
}

// SFN returns a Step Functions client.
func (c Config) SFN() *sfn.Client {
	return sfn.NewFromConfig(c.AWS, endpointOpt(c, "SFN", func(o *sfn.Options, ep *string) { o.BaseEndpoint = ep }))
}

// IAM returns an IAM client.
func (c Config) IAM() *iam.Client {
	return iam.NewFromConfig(c.AWS, endpointOpt(c, "IAM", func(o *iam.Options, ep *string) { o.BaseEndpoint = ep }))
}

// CloudWatchLogs returns a CloudWatch Logs client.
func (c Config) CloudWatchLogs() *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(c.AWS, endpointOpt(c, "CLOUDWATCH_LOGS", func(o *cloudwatchlogs.Options, ep *string) { o.BaseEndpoint = ep }))
}
