package sdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/dataplane"
	"github.com/mie-go/mie-go/internal/lambdainvoke"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/operators/sdk"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// stack is a provisioned data plane on moto: its API function registered under its deployed name behind the
// Lambda Invoke API, as operators reach it.
type stack struct {
	handler  *dataplane.Handler
	function string // the function's name
	arn      string
	bucket   string
	// lambdaURL is the Lambda endpoint serving the function.
	lambdaURL string
}

func newStack(t *testing.T) *stack {
	t.Helper()
	ctx := t.Context()
	prefix := awstest.Prefix(t)
	d, err := resources.Provision(ctx, awstest.Config(t, nil),
		resources.Params{StackName: prefix, ShortID: prefix, Region: "us-east-1", Account: "123456789012"})
	require.NoError(t, err)
	env, err := d.Env(resources.DataplaneAPIHandler)
	require.NoError(t, err)
	h, err := dataplane.NewFromLookup(ctx, awstest.Lookup(t, env))
	require.NoError(t, err)
	name, err := d.Resolve(resources.NameOf(resources.DataplaneAPIHandler))
	require.NoError(t, err)

	reg := lambdainvoke.NewRegistry("us-east-1", "123456789012")
	reg.RegisterFunc(name, h.Handle, lambdainvoke.WithTimeout(120*time.Second))
	reg.RegisterFunc("crashing-dataplane", func(context.Context, json.RawMessage) (any, error) {
		return nil, errors.New("out of memory")
	})
	srv := httptest.NewServer(lambdainvoke.NewServer(reg))
	t.Cleanup(srv.Close)
	return &stack{handler: h, function: name, arn: reg.ARN(name), bucket: env["DATAPLANE_BUCKET"], lambdaURL: srv.URL}
}

// operatorClient is the client an operator Lambda builds from its environment.
func (s *stack) operatorClient(t *testing.T, function string) *sdk.DataPlane {
	t.Helper()
	dp, err := sdk.NewDataPlane(t.Context(), awstest.Lookup(t, map[string]string{
		"DataplaneEndpoint":       function,
		"AWS_ENDPOINT_URL_LAMBDA": s.lambdaURL,
	}))
	require.NoError(t, err)
	return dp
}

// restClient reaches the same handler through a signing gateway.
func (s *stack) restClient(t *testing.T) *sdk.DataPlane {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}
	var templates []string
	for _, r := range s.handler.Routes() {
		templates = append(templates, r.Resource)
	}
	srv := httptest.NewServer(&gateway{creds: creds, region: "us-east-1", stage: "/api", templates: templates, handle: s.handler.Handle})
	t.Cleanup(srv.Close)
	dp, err := sdk.NewRESTDataPlane(srv.URL+"/api/", awstest.Config(t, nil).AWS)
	require.NoError(t, err)
	return dp
}

// SDK-11 to SDK-18 against the real data plane handler, moto's S3 and DynamoDB, and the Lambda Invoke API.
func TestDataPlaneRoundTrip(t *testing.T) {
	s := newStack(t)
	ctx := t.Context()
	clients := map[string]*sdk.DataPlane{
		"direct invoke by name": s.operatorClient(t, s.function),
		"direct invoke by ARN":  s.operatorClient(t, s.arn),
		"REST":                  s.restClient(t),
	}
	for name, dp := range clients {
		t.Run(name, func(t *testing.T) {
			// SDK-13
			created, err := dp.CreateAsset(ctx, "Video", s.bucket, "upload/keynote.mp4")
			require.NoError(t, err)
			require.Equal(t, 200, created.StatusCode, created.Body)
			asset := created.StringField("AssetId")
			assert.Regexp(t, `^[0-9a-f-]{36}$`, asset)
			assert.Equal(t, map[string]any{"AssetId": asset, "MediaType": "Video", "S3Bucket": s.bucket, "S3Key": "upload/keynote.mp4"}, created.Body)
			const wf = "0b8e6c7a-2d0f-4c51-b8a9-5b8d2f7b0a11"

			// SDK-16
			path, err := dp.GenerateMediaStoragePath(ctx, asset, wf)
			require.NoError(t, err)
			assert.Equal(t, map[string]any{"S3Bucket": s.bucket, "S3Key": "private/assets/" + asset + "/workflows/" + wf + "/"}, path.Body)

			// SDK-14: single-shot; floats come back as strings, as the data plane stores them.
			stored, err := dp.StoreAssetMetadata(ctx, asset, "Mediainfo", wf, map[string]any{"Ratio": 2.0, "Tracks": 1}, false, false)
			require.NoError(t, err)
			assert.Equal(t, map[string]any{"Status": "Success", "Bucket": s.bucket,
				"Key": "private/assets/" + asset + "/workflows/" + wf + "/Mediainfo.json"}, stored.Body)

			// SDK-15
			read, err := dp.RetrieveAssetMetadata(ctx, asset, "Mediainfo", "")
			require.NoError(t, err)
			assert.Equal(t, map[string]any{"Ratio": "2.0", "Tracks": json.Number("1")}, read.Body["results"])

			// SDK-17: three pages through the writer, read back through the iterator.
			w := dp.NewPageWriter(asset, "labelDetection", wf, false)
			for i := range 3 {
				resp, err := w.Write(ctx, map[string]any{"Page": i}, i == 2)
				require.NoError(t, err)
				require.True(t, resp.Success(), resp.Body)
				assert.Equal(t, i == 2, resp.StringField("Key") != "", "only the last page publishes")
			}
			var pages []any
			for page, err := range dp.MetadataPages(ctx, asset, "labelDetection") {
				require.NoError(t, err)
				assert.Equal(t, "labelDetection", page.Operator)
				pages = append(pages, page.Results)
			}
			assert.Equal(t, []any{
				map[string]any{"Page": json.Number("0")}, map[string]any{"Page": json.Number("1")}, map[string]any{"Page": json.Number("2")},
			}, pages)

			var operators []string
			for page, err := range dp.MetadataPages(ctx, asset, "") {
				require.NoError(t, err)
				operators = append(operators, page.Operator)
			}
			assert.Equal(t, []string{"", "Mediainfo", "labelDetection", "labelDetection", "labelDetection"}, operators)

			// SDK-12: error responses come back as bodies with their status.
			missing, err := dp.StoreAssetMetadata(ctx, "no-such-asset", "Mediainfo", wf, map[string]any{}, false, false)
			require.NoError(t, err)
			assert.Equal(t, 404, missing.StatusCode)
			assert.Equal(t, &sdk.APIError{StatusCode: 404, Code: "NotFoundError",
				Message: "Exception occurred while verifying asset exists: no-such-asset does not exist"}, missing.Err())
			refused, err := dp.StoreAssetMetadata(ctx, asset, "x", wf, map[string]any{}, false, true)
			require.NoError(t, err)
			assert.Equal(t, 400, refused.StatusCode)
			assert.Equal(t, "Must pass required query parameter: paginated", refused.StringField("Message"))
			for _, err := range dp.MetadataPages(ctx, "no-such-asset", "") {
				var apiErr *sdk.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, 404, apiErr.StatusCode)
			}
		})
	}

	t.Run("function error", func(t *testing.T) {
		_, err := s.operatorClient(t, "crashing-dataplane").GenerateMediaStoragePath(ctx, "A", "W")
		assert.Equal(t, &sdk.FunctionError{Type: "errorString", Message: "out of memory"}, err)
	})
}
