package client_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk/client"
)

// TestDataplaneAPI runs the original's data plane CRUD integration scenario (data-plane §12) through the client,
// the gateway's signature checks and the real data plane handler on moto.
func TestDataplaneAPI(t *testing.T) {
	s := newStack(t)
	ctx := t.Context()
	api := s.dataplane
	bucket := s.bucket(t)

	// DP-05: GET / needs no signature; DP-06.
	require.NoError(t, api.Ping(ctx))
	version, err := api.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, client.Version{APIVersion: "3.0.0", FrameworkVersion: "v5.1.11"}, *version)

	// DP-07, DP-08: upload with the presigned POST, then download through the presigned URL.
	media := "not really a video"
	post, err := api.PresignUpload(ctx, client.S3Object{S3Bucket: bucket, S3Key: "upload/keynote.mp4"})
	require.NoError(t, err)
	assert.Equal(t, "upload/keynote.mp4", post.Fields["key"])
	upload, err := post.NewUploadRequest(ctx, "keynote.mp4", strings.NewReader(media), int64(len(media)))
	require.NoError(t, err)
	uploaded, err := http.DefaultClient.Do(upload)
	require.NoError(t, err)
	uploadAnswer, _ := io.ReadAll(uploaded.Body)
	_ = uploaded.Body.Close()
	require.Less(t, uploaded.StatusCode, 300, "%s", uploadAnswer)
	downloadURL, err := api.PresignDownload(ctx, client.S3Object{S3Bucket: bucket, S3Key: "upload/keynote.mp4"})
	require.NoError(t, err)
	downloaded, err := http.Get(downloadURL)
	require.NoError(t, err)
	content, _ := io.ReadAll(downloaded.Body)
	_ = downloaded.Body.Close()
	require.Equal(t, http.StatusOK, downloaded.StatusCode, "%s", content)
	assert.Equal(t, media, string(content))

	// DP-10.
	asset, err := api.CreateAsset(ctx, client.Media{MediaType: "Video", S3Bucket: bucket, S3Key: "upload/keynote.mp4"})
	require.NoError(t, err)
	require.NotEmpty(t, asset.AssetID)
	assert.Equal(t, client.Asset{AssetID: asset.AssetID, MediaType: "Video", S3Bucket: bucket, S3Key: "upload/keynote.mp4"}, *asset)
	// DP-11.
	assets, err := api.ListAssets(ctx)
	require.NoError(t, err)
	assert.Contains(t, assets, asset.AssetID)
	// DP-09.
	mediaPath, err := api.MediaPath(ctx, asset.AssetID, "wf-1")
	require.NoError(t, err)
	assert.Equal(t, client.S3Object{S3Bucket: bucket, S3Key: "private/assets/" + asset.AssetID + "/workflows/wf-1/"}, *mediaPath)

	// DP-12, DP-15: a single-shot store; floats come back as strings.
	stored, err := api.StoreMetadata(ctx, asset.AssetID, client.Metadata{
		OperatorName: "Mediainfo", WorkflowID: "wf-1", Results: map[string]any{"tracks": 2, "duration": 12.5},
	})
	require.NoError(t, err)
	assert.Equal(t, client.StoreResult{Status: "Success", Bucket: bucket, Key: "private/assets/" + asset.AssetID + "/workflows/wf-1/Mediainfo.json"}, *stored)

	// DP-13: three pages, the last publishes.
	for i, last := range []bool{false, false, true} {
		page, err := api.StoreMetadataPage(ctx, asset.AssetID, client.Metadata{
			OperatorName: "labelDetection", WorkflowID: "wf-1", Results: map[string]any{"page": i},
		}, last)
		require.NoError(t, err)
		if last {
			assert.Equal(t, "private/assets/"+asset.AssetID+"/workflows/wf-1/labelDetection.json", page.Key)
		} else {
			assert.Equal(t, client.StoreResult{Status: "Success"}, *page)
		}
	}

	// DP-16, DP-17: the asset's globals, then every operator's pages, operators by name.
	var operators []string
	var results []string
	pages := client.NewMetadataPaginator(api, asset.AssetID, "")
	for page, err := range pages.Pages(ctx) {
		require.NoError(t, err)
		if page.Operator == "" {
			globals, err := page.Globals()
			require.NoError(t, err)
			assert.Equal(t, "Video", globals.MediaType)
			assert.Equal(t, "upload/keynote.mp4", globals.S3Key)
			assert.NotEmpty(t, globals.Created)
			continue
		}
		operators = append(operators, page.Operator)
		results = append(results, string(page.Results))
	}
	assert.Equal(t, []string{"Mediainfo", "labelDetection", "labelDetection", "labelDetection"}, operators)
	assert.Equal(t, []string{`{"duration":"12.5","tracks":2}`, `{"page":0}`, `{"page":1}`, `{"page":2}`}, results)
	assert.False(t, pages.HasMorePages())

	// DP-19, DP-20: one operator's pages.
	var labelPages []map[string]json.Number
	operatorPages := client.NewMetadataPaginator(api, asset.AssetID, "labelDetection")
	for operatorPages.HasMorePages() {
		page, err := operatorPages.NextPage(ctx)
		require.NoError(t, err)
		assert.Equal(t, "labelDetection", page.Operator)
		var results map[string]json.Number
		require.NoError(t, page.DecodeResults(&results))
		labelPages = append(labelPages, results)
	}
	assert.Equal(t, []map[string]json.Number{{"page": "0"}, {"page": "1"}, {"page": "2"}}, labelPages)
	_, err = operatorPages.NextPage(ctx)
	assert.Error(t, err, "no page after the last")

	// DP-23, DP-24, DP-25: locks.
	lock, err := api.Checkout(ctx, asset.AssetID, "user01@example.com")
	require.NoError(t, err)
	assert.Equal(t, asset.AssetID, lock.AssetID)
	assert.Positive(t, int64(lock.LockedAt))
	_, err = api.Checkout(ctx, asset.AssetID, "user02@example.com")
	assertAPIError(t, err, http.StatusInternalServerError, "ChaliceViewError", "Unable to lock asset: The conditional request failed")
	locks, err := api.ListCheckouts(ctx)
	require.NoError(t, err)
	require.Len(t, locks, 1)
	assert.Equal(t, client.Lock{AssetID: asset.AssetID, LockedBy: "user01@example.com", LockedAt: lock.LockedAt}, locks[0])
	unlocked, err := api.Checkin(ctx, asset.AssetID)
	require.NoError(t, err)
	assert.Equal(t, "Unlocked asset "+asset.AssetID, unlocked)
	_, err = api.Checkin(ctx, asset.AssetID)
	assertAPIError(t, err, http.StatusInternalServerError, "ChaliceViewError", "Unable to unlock asset: The conditional request failed")

	// DP-21.
	deleted, err := api.DeleteOperatorMetadata(ctx, asset.AssetID, "labelDetection")
	require.NoError(t, err)
	require.Len(t, deleted.Deleted, 1)
	assert.Equal(t, "private/assets/"+asset.AssetID+"/workflows/wf-1/labelDetection.json", deleted.Deleted[0].Key)
	_, err = api.DeleteOperatorMetadata(ctx, asset.AssetID, "labelDetection")
	assertAPIError(t, err, http.StatusNotFound, "NotFoundError", "Unable to delete metadata, pointer does not exist for labelDetection")
	_, err = api.GetOperatorMetadata(ctx, asset.AssetID, "labelDetection", "")
	assertAPIError(t, err, http.StatusNotFound, "NotFoundError", "")

	// DP-22.
	text, err := api.DeleteAsset(ctx, asset.AssetID)
	require.NoError(t, err)
	assert.Equal(t, "Deleted asset: "+asset.AssetID+" from the dataplane", text)
	_, err = api.GetMetadata(ctx, asset.AssetID, "")
	assertAPIError(t, err, http.StatusNotFound, "NotFoundError",
		"Exception occurred while verifying asset exists: "+asset.AssetID+" does not exist")
}

// TestDataplaneErrors checks that the API's error bodies arrive as typed errors (DP-03, DP-14).
func TestDataplaneErrors(t *testing.T) {
	s := newStack(t)
	ctx := t.Context()
	_, err := s.dataplane.CreateAsset(ctx, client.Media{MediaType: "Video", S3Bucket: "b"})
	require.NoError(t, err, "the data plane does not check that the object exists")
	_, err = s.dataplane.StoreMetadata(ctx, "no-such-asset", client.Metadata{OperatorName: "o", WorkflowID: "w", Results: map[string]any{}})
	assertAPIError(t, err, http.StatusNotFound, "NotFoundError", "Exception occurred while verifying asset exists: no-such-asset does not exist")
	_, err = s.dataplane.StoreMetadata(ctx, "a1", client.Metadata{OperatorName: "o", WorkflowID: "w", Results: []int{1}})
	assertAPIError(t, err, http.StatusBadRequest, "BadRequestError",
		"Exception occurred while storing metadata for a1: results are not the required data type, dict")
	_, err = s.dataplane.GetMetadata(ctx, "a1", "not-a-cursor")
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.Status)
	assert.NotEmpty(t, apiErr.RequestID, "the gateway's request id")
}

// assertAPIError checks the status, code and (when not empty) message of an *client.APIError.
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
