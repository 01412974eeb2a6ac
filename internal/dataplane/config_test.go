package dataplane

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awsconf"
)

func lambdaEnv(extra map[string]string) map[string]string {
	env := map[string]string{
		"DATAPLANE_TABLE_NAME":  "mie-DataplaneTable",
		"DATAPLANE_BUCKET":      "mie-dataplane-1a2b3c",
		"FRAMEWORK_VERSION":     "v5.1.11",
		"botoConfig":            `{"user_agent_extra": "AwsSolution/SO0163/v5.1.11"}`,
		"AWS_REGION":            "eu-west-1",
		"AWS_ACCESS_KEY_ID":     "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_MAX_ATTEMPTS":      "1",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// DP-27: the handler starts only with its four variables, like the original, which read them at import.
func TestDP27RequiredConfiguration(t *testing.T) {
	for _, name := range []string{"DATAPLANE_TABLE_NAME", "DATAPLANE_BUCKET", "FRAMEWORK_VERSION", "botoConfig"} {
		t.Run(name, func(t *testing.T) {
			_, err := NewFromLookup(t.Context(), awsconf.MapLookup(lambdaEnv(map[string]string{name: ""})))
			require.Error(t, err)
			assert.Contains(t, err.Error(), name)
		})
	}
	_, err := NewFromLookup(t.Context(), awsconf.MapLookup(lambdaEnv(map[string]string{"botoConfig": "{"})))
	assert.ErrorContains(t, err, "botoConfig")

	cfg, err := ConfigFromLookup(awsconf.MapLookup(lambdaEnv(nil)))
	require.NoError(t, err)
	assert.Equal(t, Config{Table: "mie-DataplaneTable", Bucket: "mie-dataplane-1a2b3c", FrameworkVersion: "v5.1.11", Region: "eu-west-1"}, cfg)
}

// DP-27: the clients use the table, region and botoConfig user-agent suffix of the environment.
func TestDP27ClientsFromEnvironment(t *testing.T) {
	var mu sync.Mutex
	var agents, targets, bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		agents = append(agents, r.Header.Get("User-Agent"))
		targets = append(targets, r.Header.Get("X-Amz-Target"))
		bodies = append(bodies, string(b))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{"Items":[{"AssetId":{"S":"a1"}}],"Count":1}`))
	}))
	t.Cleanup(srv.Close)
	h, err := NewFromLookup(t.Context(), awsconf.MapLookup(lambdaEnv(map[string]string{"AWS_ENDPOINT_URL": srv.URL})))
	require.NoError(t, err)

	resp := call(t, h, event("GET", "/metadata", nil, nil, ""))
	assert.Equal(t, `{"assets":["a1"]}`, resp.Body)
	require.Len(t, agents, 1)
	assert.True(t, strings.HasSuffix(agents[0], " AwsSolution/SO0163/v5.1.11"), agents[0])
	assert.Equal(t, "DynamoDB_20120810.Scan", targets[0])
	var scan struct{ TableName string }
	require.NoError(t, json.Unmarshal([]byte(bodies[0]), &scan))
	assert.Equal(t, "mie-DataplaneTable", scan.TableName)

	assert.Equal(t, `{"ApiVersion":"3.0.0","FrameworkVersion":"v5.1.11"}`, call(t, h, event("GET", "/version", nil, nil, "")).Body)
	resp = call(t, h, event("POST", "/download", nil, nil, `{"S3Bucket": "mie-dataplane-1a2b3c", "S3Key": "upload/a.mp4"}`))
	assert.True(t, strings.HasPrefix(resp.Body, srv.URL+"/mie-dataplane-1a2b3c/upload/a.mp4?"), "path style on a custom endpoint: %s", resp.Body)
	assert.Contains(t, resp.Body, "%2Feu-west-1%2Fs3%2Faws4_request", "signed for AWS_REGION")
}
