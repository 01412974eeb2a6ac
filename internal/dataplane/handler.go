package dataplane

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mie-go/mie-go/internal/apigw"
)

// DynamoDBAPI is the part of DynamoDB the data plane uses on its asset table.
type DynamoDBAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// S3API is the part of S3 the data plane uses on its bucket.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
}

// PresignAPI makes the presigned URLs of R3 and R4; *s3.PresignClient implements it (see NewPresigner).
type PresignAPI interface {
	PresignGetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error)
	PresignPostObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.PresignPostOptions)) (*s3.PresignedPostRequest, error)
}

// Handler serves the data plane API. It holds no per-request state, so one Handler serves every invocation of a
// warm Lambda container.
type Handler struct {
	cfg     Config
	db      DynamoDBAPI
	s3      S3API
	presign PresignAPI
	now     func() time.Time
	log     *slog.Logger
	router  *apigw.Router
}

// Option changes a Handler built by New.
type Option func(*Handler)

// WithClock replaces the clock that stamps asset creation (`Created`) and locks (`LockedAt`).
func WithClock(now func() time.Time) Option {
	return func(h *Handler) { h.now = now }
}

// WithLogger sets where unhandled errors are logged; by default they are discarded.
func WithLogger(log *slog.Logger) Option {
	return func(h *Handler) { h.log = log }
}

// New builds a handler on the given clients.
func New(cfg Config, db DynamoDBAPI, s3Client S3API, presign PresignAPI, opts ...Option) (*Handler, error) {
	h := &Handler{cfg: cfg, db: db, s3: s3Client, presign: presign, now: time.Now, log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(h)
	}
	router, err := apigw.NewRouter(apigw.GenericErrors, h.Routes(), h.log)
	if err != nil {
		return nil, fmt.Errorf("dataplane: %w", err)
	}
	h.router = router
	return h, nil
}

// Handle is the Lambda entry point for API Gateway proxy events and the operators' hand-built events (DP-01).
func (h *Handler) Handle(ctx context.Context, e apigw.Event) (apigw.Response, error) {
	return h.router.Handle(ctx, e)
}

// Router returns the router built from Routes, for the local gateway and tests that drive it directly.
func (h *Handler) Router() *apigw.Router { return h.router }

// Routes is the data plane's route table (data-plane §3.1). The order is the original's registration order, which
// decides the 405 Allow header: `POST, GET, DELETE` for /metadata/{asset_id} (DP-04).
func (h *Handler) Routes() []apigw.Route {
	route := func(method, resource string, fn apigw.HandlerFunc) apigw.Route {
		return apigw.Route{Method: method, Resource: resource, Handler: fn, IAM: true, CORS: true}
	}
	return []apigw.Route{
		// R1 is the only route without IAM auth and without CORS.
		{Method: http.MethodGet, Resource: "/", Handler: h.hello},
		route(http.MethodGet, "/version", h.version),
		route(http.MethodPost, "/upload", h.upload),
		route(http.MethodPost, "/download", h.download),
		route(http.MethodGet, "/mediapath/{asset_id}/{workflow_id}", h.mediaPath),
		route(http.MethodPost, "/create", h.createAsset),
		route(http.MethodPost, "/metadata/{asset_id}", h.storeMetadata),
		route(http.MethodGet, "/metadata/{asset_id}", h.assetMetadata),
		route(http.MethodGet, "/metadata/{asset_id}/{operator_name}", h.operatorMetadata),
		route(http.MethodPost, "/checkout/{asset_id}", h.lockAsset),
		route(http.MethodPost, "/checkin/{asset_id}", h.unlockAsset),
		route(http.MethodGet, "/checkouts", h.listLocks),
		route(http.MethodGet, "/metadata", h.listAssets),
		route(http.MethodDelete, "/metadata/{asset_id}/{operator_name}", h.deleteOperatorMetadata),
		route(http.MethodDelete, "/metadata/{asset_id}", h.deleteAsset),
	}
}
