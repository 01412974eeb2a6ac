package client_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/controlplane"
	"github.com/mie-go/mie-go/internal/dataplane"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/internal/sigv4"
	"github.com/mie-go/mie-go/operators/sdk/client"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const region = "us-east-1"

// callerKey is the key the test gateways accept; the handlers behind them reach moto with their own.
var callerKey = aws.Credentials{AccessKeyID: "AKIDMIECLIENT", SecretAccessKey: "client-secret"}

// stack is a deployment provisioned on moto with both APIs behind local gateways that check signatures.
type stack struct {
	deployment *resources.Deployment
	aws        awsconf.Config
	// dataplaneURL and workflowURL are the endpoints as the stack outputs give them.
	dataplaneURL, workflowURL string
	dataplane                 *client.DataplaneAPI
	workflow                  *client.WorkflowAPI
}

func newStack(t *testing.T) *stack {
	t.Helper()
	ctx := t.Context()
	cfg := awstest.Config(t, nil)
	prefix := awstest.Prefix(t)
	d, err := resources.Provision(ctx, cfg, resources.Params{StackName: prefix, ShortID: prefix[:6], Region: region, Account: "123456789012"})
	require.NoError(t, err)

	dataplaneEnv, err := d.Env(resources.DataplaneAPIHandler)
	require.NoError(t, err)
	dataplaneHandler, err := dataplane.NewFromLookup(ctx, awstest.Lookup(t, dataplaneEnv))
	require.NoError(t, err)
	workflowEnv, err := d.Env(resources.WorkflowAPIHandler)
	require.NoError(t, err)
	workflowHandler, err := controlplane.NewFromLookup(ctx, awstest.Lookup(t, workflowEnv))
	require.NoError(t, err)

	verifier := sigv4.New(sigv4.StaticCredentials(callerKey), region)
	s := &stack{
		deployment:   d,
		aws:          cfg,
		dataplaneURL: startGateway(t, &gateway{router: dataplaneHandler.Router(), handler: dataplaneHandler.Handle, verifier: verifier}),
		workflowURL:  startGateway(t, &gateway{router: workflowHandler.Router(), handler: workflowHandler.Handle, verifier: verifier}),
	}
	s.dataplane, err = client.NewDataplaneAPI(callerConfig(callerKey), s.dataplaneURL)
	require.NoError(t, err)
	s.workflow, err = client.NewWorkflowAPI(callerConfig(callerKey), s.workflowURL)
	require.NoError(t, err)
	return s
}

// callerConfig is the SDK configuration of a client program signing with creds.
func callerConfig(creds aws.Credentials) aws.Config {
	return aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken),
	}
}

// bucket is the data plane bucket of the stack.
func (s *stack) bucket(t *testing.T) string {
	t.Helper()
	name, err := s.deployment.Resolve(resources.NameOf(resources.DataplaneBucket))
	require.NoError(t, err)
	return name
}
