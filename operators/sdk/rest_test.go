package sdk_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/operators/sdk"
)

var testTemplates = []string{"/create", "/metadata/{asset_id}", "/metadata/{asset_id}/{operator_name}", "/mediapath/{asset_id}/{workflow_id}"}

func restConfig(secret string) aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", secret, "token")}
}

// SDK-18: the REST transport signs for execute-api and sends the paths, queries and bodies of the direct
// invocation; API Gateway turns them into the same proxy event fields.
func TestRESTTransport(t *testing.T) {
	gw := &gateway{
		creds: aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret", SessionToken: "token"}, region: "us-east-1",
		stage: "/api", templates: testTemplates,
		handle: func(context.Context, apigw.Event) (apigw.Response, error) {
			return apigw.Response{StatusCode: 200, Body: `{"Status":"Success","n":1.0}`}, nil
		},
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	dp, err := sdk.NewRESTDataPlane(srv.URL+"/api/", restConfig("secret"))
	require.NoError(t, err)
	ctx := t.Context()

	resp, err := dp.StoreAssetMetadata(ctx, "A", "labelDetection", "W", map[string]any{"Ratio": 2.0}, true, true)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.True(t, resp.Success())
	ev := gw.lastEvent()
	assert.Equal(t, "POST", ev.HTTPMethod)
	assert.Equal(t, "/metadata/{asset_id}", ev.RequestContext.ResourcePath)
	assert.Equal(t, map[string]string{"asset_id": "A"}, ev.PathParameters)
	assert.Equal(t, map[string][]string{"paginated": {"true"}, "end": {"true"}}, ev.MultiValueQueryStringParameters)
	assert.Equal(t, `{"OperatorName": "labelDetection", "Results": {"Ratio": 2.0}, "WorkflowId": "W"}`, ev.Body)
	assert.Equal(t, "application/json", ev.Headers["Content-Type"])

	_, err = dp.CreateAsset(ctx, "Video", "b", "upload/a b.mp4")
	require.NoError(t, err)
	ev = gw.lastEvent()
	assert.Equal(t, "/create", ev.Resource)
	assert.Nil(t, ev.PathParameters)
	assert.Nil(t, ev.MultiValueQueryStringParameters)
	assert.Equal(t, `{"Input": {"MediaType": "Video", "S3Bucket": "b", "S3Key": "upload/a b.mp4"}}`, ev.Body)

	cursor := "eyJuZXh0IjogeyJvcCI6ICJwIiwgInBhZ2UiOiAxfX0=+/"
	resp, err = dp.RetrieveAssetMetadata(ctx, "A", "web captions/fr", cursor)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode, resp.Body)
	ev = gw.lastEvent()
	assert.Equal(t, "GET", ev.HTTPMethod)
	assert.Equal(t, "/metadata/{asset_id}/{operator_name}", ev.Resource)
	assert.Equal(t, map[string]string{"asset_id": "A", "operator_name": "web captions/fr"}, ev.PathParameters)
	assert.Equal(t, map[string][]string{"cursor": {cursor}}, ev.MultiValueQueryStringParameters)
	assert.Empty(t, ev.Body, "a GET carries no body")

	_, err = dp.GenerateMediaStoragePath(ctx, "A", "W")
	require.NoError(t, err)
	assert.Equal(t, "/mediapath/{asset_id}/{workflow_id}", gw.lastEvent().Resource)

	// A wrong secret gives API Gateway's 403, as a response.
	bad, err := sdk.NewRESTDataPlane(srv.URL+"/api", restConfig("wrong"))
	require.NoError(t, err)
	resp, err = bad.GenerateMediaStoragePath(ctx, "A", "W")
	require.NoError(t, err)
	assert.Equal(t, 403, resp.StatusCode)
	assert.EqualError(t, resp.Err(), "data plane answered 403: The request signature we calculated does not match the signature you provided.")
}

// SDK-18: the client needs an http(s) endpoint, a region and credentials.
func TestNewRESTDataPlaneValidation(t *testing.T) {
	_, err := sdk.NewRESTDataPlane("ftp://x/api", restConfig("s"))
	assert.Error(t, err)
	_, err = sdk.NewRESTDataPlane("::", restConfig("s"))
	assert.Error(t, err)
	_, err = sdk.NewRESTDataPlane("https://x/api", aws.Config{Credentials: restConfig("s").Credentials})
	assert.EqualError(t, err, "data plane REST client: no region to sign requests for")
	_, err = sdk.NewRESTDataPlane("https://x/api", aws.Config{Region: "us-east-1"})
	assert.EqualError(t, err, "data plane REST client: no credentials to sign requests with")
}
