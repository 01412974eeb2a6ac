// Package e2e drives a running local runtime (`mie local`, in process) only from outside, as a user does: through
// signed HTTP with the public client, and the AWS SDK pointed at the endpoints the runtime prints.
package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/local"
	"github.com/mie-go/mie-go/internal/moto"
	"github.com/mie-go/mie-go/operators/sdk/client"
)

// timeScale makes the workflows' 10 s waits last 10 ms.
const timeScale = 1000

// deployment is the runtime every test of the binary shares, as the original's tests share one stack; tests keep
// apart by the names they create.
var deployment struct {
	outputs map[string]string
	env     map[string]string
	skip    error // why there is no runtime (moto_server missing outside CI)
}

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	if _, err := moto.LookPath(); err != nil {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			fmt.Fprintf(os.Stderr, "e2e: CI is set and %v\n", err)
			return 1
		}
		deployment.skip = err
		return m.Run()
	}
	// The functions log through slog's default logger; a test shows only warnings and errors.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	rt, err := local.Start(context.Background(), local.Options{StackName: "e2e", TimeScale: timeScale, Log: slog.Default()})
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: start the local runtime: %v\n", err)
		return 1
	}
	defer rt.Close()
	go func() {
		for err := range rt.Failed() {
			fmt.Fprintf(os.Stderr, "e2e: the local runtime failed: %v\n", err)
		}
	}()
	outs, err := rt.Outputs()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	deployment.outputs, deployment.env = map[string]string{}, map[string]string{}
	for _, o := range outs {
		deployment.outputs[o.Key] = o.Value
	}
	for _, v := range rt.Environment() {
		deployment.env[v.Name] = v.Value
	}
	return m.Run()
}

// stack is what a test sees of the deployment: its outputs, and clients configured from the printed environment.
type stack struct {
	outputs   map[string]string
	aws       aws.Config
	workflow  *client.WorkflowAPI
	dataplane *client.DataplaneAPI
}

func newStack(t testing.TB) *stack {
	t.Helper()
	if deployment.skip != nil {
		t.Skip(deployment.skip)
	}
	cfg := callerConfig(deployment.env["AWS_ACCESS_KEY_ID"], deployment.env["AWS_SECRET_ACCESS_KEY"])
	cfg.BaseEndpoint = aws.String(deployment.env["AWS_ENDPOINT_URL"])
	workflow, err := client.NewWorkflowAPI(cfg, deployment.outputs["WorkflowApiEndpoint"])
	require.NoError(t, err)
	dataplane, err := client.NewDataplaneAPI(cfg, deployment.outputs["DataplaneApiEndpoint"])
	require.NoError(t, err)
	return &stack{outputs: deployment.outputs, aws: cfg, workflow: workflow, dataplane: dataplane}
}

func callerConfig(key, secret string) aws.Config {
	return aws.Config{
		Region:      deployment.env["AWS_REGION"],
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""),
	}
}

func assertAPIError(t *testing.T, err error, status int, code, message string) {
	t.Helper()
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, status, apiErr.Status, apiErr.Body)
	assert.Equal(t, code, apiErr.Code, apiErr.Body)
	if message != "" {
		assert.Equal(t, message, apiErr.Message)
	}
}
