package local

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/moto"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/operators/sdk/client"
)

// requireMoto skips a test that needs moto_server where it is missing, except on CI.
func requireMoto(t *testing.T) {
	t.Helper()
	if _, err := moto.LookPath(); err != nil {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

func start(t *testing.T, opts Options) *Runtime {
	t.Helper()
	requireMoto(t)
	rt, err := Start(t.Context(), opts)
	require.NoError(t, err)
	t.Cleanup(rt.Close)
	return rt
}

func outputMap(t *testing.T, rt *Runtime) map[string]string {
	t.Helper()
	outs, err := rt.Outputs()
	require.NoError(t, err)
	m := map[string]string{}
	for _, o := range outs {
		m[o.Key] = o.Value
	}
	return m
}

// TestRuntime starts one runtime for the checks that only read it: each start costs a moto_server.
func TestRuntime(t *testing.T) {
	rt := start(t, Options{StackName: "mietest"})
	t.Run("serves both APIs", func(t *testing.T) { servesBothAPIs(t, rt) })
	t.Run("environment", func(t *testing.T) { environment(t, rt) })
	t.Run("unavailable functions have no main", func(t *testing.T) { unavailableHaveNoMain(t, rt) })
}

func servesBothAPIs(t *testing.T, rt *Runtime) {
	outs := outputMap(t, rt)

	for _, key := range []string{
		"WorkflowApiEndpoint", "DataplaneApiEndpoint", "DataplaneBucket", "AnalyticsStreamArn", "MieSNSTopic",
		"MieSQSQueue", "DataPlaneHandlerArn", "WorkflowCustomResourceArn", "WorkflowApiRestID", "DataplaneApiRestID",
		"Version", "WaitOperation", "VideoSyncOKLambda", "TextAsyncOKMonitorLambda",
	} {
		assert.NotEmpty(t, outs[key], key)
	}
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/api/$`, outs["WorkflowApiEndpoint"])
	assert.Equal(t, "mietest-dataplane", outs["DataplaneBucket"][:len("mietest-dataplane")])
	assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:mietest-video-sync-ok", outs["VideoSyncOKLambda"])
	assert.Equal(t, "Wait", outs["WaitOperation"])
	assert.Equal(t, "v5.1.11", outs["Version"])

	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(DefaultCredentials.AccessKeyID, DefaultCredentials.SecretAccessKey, "")}
	workflow, err := client.NewWorkflowAPI(cfg, outs["WorkflowApiEndpoint"])
	require.NoError(t, err)
	op, err := workflow.GetOperation(t.Context(), "Wait")
	require.NoError(t, err, "the Wait operation is registered through the custom resource")
	assert.Equal(t, "Wait", op.Name)
	params, err := workflow.ListSystemParameters(t.Context())
	require.NoError(t, err)
	require.Len(t, params, 1)
	assert.Equal(t, client.MaxConcurrentWorkflows, params[0].Name)
	assert.Equal(t, "5.0", fmt.Sprint(params[0].Value), "seeded as the helper custom resource does; R04 renders it as a float")

	data, err := client.NewDataplaneAPI(cfg, outs["DataplaneApiEndpoint"])
	require.NoError(t, err)
	v, err := data.Version(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "v5.1.11", v.FrameworkVersion)
}

func environment(t *testing.T, rt *Runtime) {
	env := map[string]string{}
	for _, v := range rt.Environment() {
		env[v.Name] = v.Value
	}
	assert.Equal(t, DefaultCredentials.AccessKeyID, env["AWS_ACCESS_KEY_ID"])
	assert.Equal(t, DefaultCredentials.SecretAccessKey, env["AWS_SECRET_ACCESS_KEY"])
	assert.Equal(t, "us-east-1", env["AWS_REGION"])
	for _, name := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_SFN"} {
		assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, env[name], name)
	}
}

func unavailableHaveNoMain(t *testing.T, rt *Runtime) {
	constructors := mains()
	ids := map[string]bool{}
	for _, u := range rt.Unavailable() {
		ids[u.ID] = true
		_, ok := constructors[u.Main]
		assert.False(t, ok, u.ID)
	}
	assert.False(t, ids[resources.WorkflowAPIHandler])
	assert.False(t, ids[resources.ID(resources.TestResourcesStack, "VideoSyncOKLambda")])
}

// TestEveryMainIsWired fails when a Lambda main exists under cmd/ but the runtime cannot run it in process, so a new
// handler is never silently left out of `mie local`.
func TestEveryMainIsWired(t *testing.T) {
	constructors := mains()
	for _, f := range resources.Definitions().Functions {
		if _, err := os.Stat(filepath.Join("..", "..", f.Main, "main.go")); err != nil {
			continue
		}
		_, ok := constructors[f.Main]
		assert.True(t, ok, "%s has a main (%s) that the local runtime does not run", f.ID, f.Main)
	}
}

func TestPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	port := l.Addr().(*net.TCPAddr).Port

	_, err = Start(t.Context(), Options{Port: port, AWSEndpoint: "http://127.0.0.1:1"})
	var inUse *PortInUseError
	require.ErrorAs(t, err, &inUse)
	assert.Equal(t, port, inUse.Port)
	assert.Equal(t, "port "+strconv.Itoa(port)+" (for the workflow API) on 127.0.0.1 is already in use; stop what uses it or choose another first port with --port", err.Error())
}

func TestMotoMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Start(context.Background(), Options{})
	var missing *moto.NotInstalledError
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, `moto_server not found on PATH; install it with: pip install "moto[server]" (or give the endpoint of running AWS emulators with --aws-endpoint)`, err.Error())
}

func TestOptionsRefused(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"slow time", Options{TimeScale: 0.5}, "time scale 0.5: must be at least 1 (the runtime can speed time up, not slow it down)"},
		{"negative port", Options{Port: -1}, "port -1: must be between 1 and 65530, or 0 for free ports"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Start(t.Context(), tc.opts)
			assert.EqualError(t, err, tc.want)
		})
	}
}

func TestOutputsJSONAndExportLines(t *testing.T) {
	outs := []Output{{Key: "WorkflowApiEndpoint", Value: "http://127.0.0.1:1/api/"}, {Key: "Version", Value: "v5.1.11"}}
	env := []Variable{{Name: "AWS_REGION", Value: "us-east-1"}, {Name: "ODD", Value: "it's"}}
	raw, err := OutputsJSON(outs, env)
	require.NoError(t, err)
	assert.Equal(t, "{\n  \"WorkflowApiEndpoint\": \"http://127.0.0.1:1/api/\",\n  \"Version\": \"v5.1.11\",\n  \"AWS_REGION\": \"us-east-1\",\n  \"ODD\": \"it's\"\n}\n", string(raw))
	assert.Equal(t, "export AWS_REGION='us-east-1'\nexport ODD='it'\\''s'\n", ExportLines(env))
}
