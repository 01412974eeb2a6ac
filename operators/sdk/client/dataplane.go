package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// DataplaneAPI is a client of the data plane API (data-plane §5, routes R1 to R15).
type DataplaneAPI struct {
	api *api
}

// NewDataplaneAPI returns a client of the data plane API at endpoint, the stack output DataplaneApiEndpoint.
func NewDataplaneAPI(cfg aws.Config, endpoint string, optFns ...func(*Options)) (*DataplaneAPI, error) {
	a, err := newAPI(cfg, endpoint, optFns)
	if err != nil {
		return nil, err
	}
	return &DataplaneAPI{api: a}, nil
}

// Version is the answer of GET /version of either API.
type Version struct {
	APIVersion       string `json:"ApiVersion"`
	FrameworkVersion string `json:"FrameworkVersion"`
	Extra            Extra  `json:"-"`
}

// UnmarshalJSON keeps unknown members in Extra.
func (v *Version) UnmarshalJSON(data []byte) error {
	type plain Version
	return decodeObject(data, (*plain)(v), &v.Extra)
}

// S3Object names an object in S3.
type S3Object struct {
	S3Bucket string `json:"S3Bucket"`
	S3Key    string `json:"S3Key"`
	Extra    Extra  `json:"-"`
}

// MarshalJSON writes Extra's members after the named ones.
func (o S3Object) MarshalJSON() ([]byte, error) {
	type plain S3Object
	return encodeObject(plain(o), o.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (o *S3Object) UnmarshalJSON(data []byte) error {
	type plain S3Object
	return decodeObject(data, (*plain)(o), &o.Extra)
}

// PresignedPost is an S3 presigned POST: a browser or program uploads a file by POSTing a multipart form of Fields
// followed by the file to URL (see NewUploadRequest).
type PresignedPost struct {
	URL    string            `json:"url"`
	Fields map[string]string `json:"fields"`
	Extra  Extra             `json:"-"`
}

// UnmarshalJSON keeps unknown members in Extra.
func (p *PresignedPost) UnmarshalJSON(data []byte) error {
	type plain PresignedPost
	return decodeObject(data, (*plain)(p), &p.Extra)
}

// Media is the original media of an asset to create: any object S3 holds, conventionally of MediaType Video,
// Audio, Image or Text.
type Media struct {
	MediaType string `json:"MediaType"`
	S3Bucket  string `json:"S3Bucket"`
	S3Key     string `json:"S3Key"`
}

// Asset is a created asset.
type Asset struct {
	AssetID   string `json:"AssetId"`
	MediaType string `json:"MediaType"`
	S3Bucket  string `json:"S3Bucket"`
	S3Key     string `json:"S3Key"`
	Extra     Extra  `json:"-"`
}

// UnmarshalJSON keeps unknown members in Extra.
func (a *Asset) UnmarshalJSON(data []byte) error {
	type plain Asset
	return decodeObject(data, (*plain)(a), &a.Extra)
}

// Metadata is one result of an operator to store: Results must be a JSON object. The data plane stores every
// number with a fraction or exponent as a string (data-plane §4.4), so reading it back gives "54.4" for 54.4.
type Metadata struct {
	OperatorName string `json:"OperatorName"`
	WorkflowID   string `json:"WorkflowId"`
	Results      any    `json:"Results"`
}

// StoreResult is the answer of a store: Status "Success", and Bucket and Key of the stored document once it is
// published (a single-shot store or the last page).
type StoreResult struct {
	Status string `json:"Status"`
	Bucket string `json:"Bucket,omitempty"`
	Key    string `json:"Key,omitempty"`
	Extra  Extra  `json:"-"`
}

// UnmarshalJSON keeps unknown members in Extra.
func (r *StoreResult) UnmarshalJSON(data []byte) error {
	type plain StoreResult
	return decodeObject(data, (*plain)(r), &r.Extra)
}

// DeletedObjects is the answer of DeleteOperatorMetadata: the S3 objects deleted and those S3 refused.
type DeletedObjects struct {
	Deleted []DeletedObject `json:"Deleted,omitempty"`
	Errors  []DeleteError   `json:"Errors,omitempty"`
	Extra   Extra           `json:"-"`
}

// UnmarshalJSON keeps unknown members in Extra.
func (d *DeletedObjects) UnmarshalJSON(data []byte) error {
	type plain DeletedObjects
	return decodeObject(data, (*plain)(d), &d.Extra)
}

// DeletedObject is an object S3 deleted; in the versioned data plane bucket a delete adds a delete marker.
type DeletedObject struct {
	Key                   string `json:"Key"`
	VersionID             string `json:"VersionId,omitempty"`
	DeleteMarker          bool   `json:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `json:"DeleteMarkerVersionId,omitempty"`
}

// DeleteError is an object S3 did not delete.
type DeleteError struct {
	Key       string `json:"Key"`
	VersionID string `json:"VersionId,omitempty"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
}

// Lock is a checked-out asset.
type Lock struct {
	AssetID  string `json:"AssetId"`
	LockedBy string `json:"LockedBy"`
	// LockedAt is when the asset was checked out, in epoch seconds. Checkout answers it as a number, the list of
	// checkouts as a string; both decode.
	LockedAt EpochSeconds `json:"LockedAt"`
	Extra    Extra        `json:"-"`
}

// UnmarshalJSON keeps unknown members in Extra.
func (l *Lock) UnmarshalJSON(data []byte) error {
	type plain Lock
	return decodeObject(data, (*plain)(l), &l.Extra)
}

// Ping calls GET / (R1), the one route without authorization; it fails when the API does not answer 2xx.
func (c *DataplaneAPI) Ping(ctx context.Context) error {
	return c.api.call(ctx, request{method: http.MethodGet}, nil)
}

// Version returns the API and framework versions (R2).
func (c *DataplaneAPI) Version(ctx context.Context) (*Version, error) {
	return get[Version](ctx, c.api, "version")
}

// PresignUpload returns a presigned POST for uploading one object of up to 5 GiB, valid for an hour (R3). The
// bucket is not checked; the URL works only where the data plane's role may write, its own bucket.
func (c *DataplaneAPI) PresignUpload(ctx context.Context, object S3Object) (*PresignedPost, error) {
	return send[PresignedPost](ctx, c.api, http.MethodPost, object, "upload")
}

// PresignDownload returns a presigned GET URL of an object, valid for an hour (R4). Existence is not checked.
func (c *DataplaneAPI) PresignDownload(ctx context.Context, object S3Object) (string, error) {
	var out string
	if err := c.api.call(ctx, request{method: http.MethodPost, path: []string{"download"}, body: object}, &out); err != nil {
		return "", err
	}
	return out, nil
}

// MediaPath returns where a workflow execution should write media it derives from an asset (R5): the data plane
// bucket and the key prefix private/assets/<asset>/workflows/<workflow>/.
func (c *DataplaneAPI) MediaPath(ctx context.Context, assetID, workflowID string) (*S3Object, error) {
	return get[S3Object](ctx, c.api, "mediapath", assetID, workflowID)
}

// CreateAsset registers media already in S3 as a new asset (R6). Nothing is copied.
func (c *DataplaneAPI) CreateAsset(ctx context.Context, media Media) (*Asset, error) {
	body := struct {
		Input Media `json:"Input"`
	}{media}
	return send[Asset](ctx, c.api, http.MethodPost, body, "create")
}

// ListAssets returns the ids of all assets (R7).
func (c *DataplaneAPI) ListAssets(ctx context.Context) ([]string, error) {
	var out struct {
		Assets []string `json:"assets"`
	}
	if err := c.api.call(ctx, request{method: http.MethodGet, path: []string{"metadata"}}, &out); err != nil {
		return nil, err
	}
	return out.Assets, nil
}

// StoreMetadata stores an operator's result in one request and publishes it as the operator's current result
// (R8).
func (c *DataplaneAPI) StoreMetadata(ctx context.Context, assetID string, m Metadata) (*StoreResult, error) {
	return c.store(ctx, assetID, m, nil)
}

// StoreMetadataPage appends one page to an operator's paged result (R8 with paginated=true); the page with last
// set publishes the result (end=true). Pages of one result must be stored one after the other: the data plane
// appends each to the document of earlier ones.
func (c *DataplaneAPI) StoreMetadataPage(ctx context.Context, assetID string, m Metadata, last bool) (*StoreResult, error) {
	query := url.Values{"paginated": {"true"}}
	if last {
		query.Set("end", "true")
	}
	return c.store(ctx, assetID, m, query)
}

func (c *DataplaneAPI) store(ctx context.Context, assetID string, m Metadata, query url.Values) (*StoreResult, error) {
	var out StoreResult
	req := request{method: http.MethodPost, path: []string{"metadata", assetID}, query: query, body: m}
	if err := c.api.call(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteOperatorMetadata deletes an operator's results of an asset, every stored version included (R11).
func (c *DataplaneAPI) DeleteOperatorMetadata(ctx context.Context, assetID, operator string) (*DeletedObjects, error) {
	return send[DeletedObjects](ctx, c.api, http.MethodDelete, nil, "metadata", assetID, operator)
}

// DeleteAsset deletes an asset and its operators' results (R12) and returns the API's confirmation text. Media
// that workflows derived from the asset stays in S3.
func (c *DataplaneAPI) DeleteAsset(ctx context.Context, assetID string) (string, error) {
	var out string
	if err := c.api.call(ctx, request{method: http.MethodDelete, path: []string{"metadata", assetID}}, &out); err != nil {
		return "", err
	}
	return out, nil
}

// Checkout locks an asset for a user (R13). Locking a locked asset fails with a 500 APIError.
func (c *DataplaneAPI) Checkout(ctx context.Context, assetID, lockedBy string) (*Lock, error) {
	body := struct {
		LockedBy string `json:"LockedBy"`
	}{lockedBy}
	return send[Lock](ctx, c.api, http.MethodPost, body, "checkout", assetID)
}

// Checkin unlocks an asset, whoever locked it (R14), and returns the API's confirmation text. Unlocking an asset
// that is not locked fails with a 500 APIError.
func (c *DataplaneAPI) Checkin(ctx context.Context, assetID string) (string, error) {
	var out string
	if err := c.api.call(ctx, request{method: http.MethodPost, path: []string{"checkin", assetID}}, &out); err != nil {
		return "", err
	}
	return out, nil
}

// ListCheckouts returns the locks of all checked-out assets, oldest first (R15).
func (c *DataplaneAPI) ListCheckouts(ctx context.Context) ([]Lock, error) {
	var out struct {
		Locks []Lock `json:"locks"`
	}
	if err := c.api.call(ctx, request{method: http.MethodGet, path: []string{"checkouts"}}, &out); err != nil {
		return nil, err
	}
	return out.Locks, nil
}
