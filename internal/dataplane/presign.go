package dataplane

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/pyjson"
)

const (
	uploadErrorPrefix   = "Unable to generate pre-signed S3 URL for uploading media: "
	downloadErrorPrefix = "Unable to generate pre-signed S3 URL for downloading media: "
	// presignExpiry is how long R3's form and R4's URL stay valid.
	presignExpiry = time.Hour
	// maxUploadSize is the content-length-range ceiling of R3's policy: 5 GiB, S3's single-POST limit.
	maxUploadSize = 5368709120
	// filenameVariable at the end of a key lets the browser choose the file name: the policy then only fixes the
	// key's prefix (boto3's generate_presigned_post rule).
	filenameVariable = "${filename}"
)

// postFieldOrder is the order of the form fields in R3's response, as boto3 builds them (DP-07).
var postFieldOrder = []string{"key", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-security-token", "policy", "x-amz-signature"}

// presignTarget reads the bucket and key of R3 and R4. A non-empty detail is the text the route puts after its
// message prefix: the JSON error, the missing key ('S3Bucket' before 'S3Key') or the parameter type error.
func (h *Handler) presignTarget(req *apigw.Request) (bucket, key, detail string, err error) {
	// The original read AWS_REGION before its try block: without it both routes failed unhandled.
	if h.cfg.Region == "" {
		return "", "", "", apigw.Unhandledf("KeyError", "'AWS_REGION'")
	}
	raw, err := bodyText(req)
	if err != nil {
		return "", "", "", err
	}
	body, err := pyjson.Decode(raw)
	if err != nil {
		return "", "", err.Error(), nil
	}
	values := [2]string{}
	for i, name := range []string{"S3Bucket", "S3Key"} {
		v, perr := index(body, name)
		if perr != nil {
			return "", "", perr.Message, nil
		}
		s, ok := v.(string)
		if !ok {
			return "", "", paramTypeError(strings.TrimPrefix(name, "S3"), v), nil
		}
		values[i] = s
	}
	return values[0], values[1], "", nil
}

// upload is R3: a presigned POST form for a browser upload of at most 5 GiB to exactly that bucket and key (DP-07).
func (h *Handler) upload(ctx context.Context, req *apigw.Request) (any, error) {
	bucket, key, detail, err := h.presignTarget(req)
	if err != nil {
		return nil, err
	}
	if detail != "" {
		return nil, apigw.ViewError("%s%s", uploadErrorPrefix, detail)
	}
	out, err := h.presign.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)},
		func(o *s3.PresignPostOptions) {
			o.Expires = presignExpiry
			o.Conditions = []any{[]any{"content-length-range", 0, maxUploadSize}}
			o.PostPresigner = postPolicySigner{}
			o.ClientOptions = append(o.ClientOptions, func(so *s3.Options) { so.Region = h.cfg.Region })
		})
	if err != nil {
		return nil, apigw.ViewError("%s%s", uploadErrorPrefix, err.Error())
	}
	fields := pyjson.NewMap()
	for _, name := range postFieldOrder {
		if v, ok := out.Values[name]; ok {
			fields.Set(name, v)
		}
	}
	body := pyjson.NewMap()
	body.Set("url", formURL(out.URL))
	body.Set("fields", fields)
	return body, nil
}

// formURL gives the bucket endpoint the trailing slash boto3's form URL has (`https://<bucket>.s3.amazonaws.com/`);
// a path-style URL already ends with the bucket name and keeps it (`https://s3.amazonaws.com/<bucket>`).
func formURL(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err == nil && u.Path == "" {
		return endpoint + "/"
	}
	return endpoint
}

// download is R4: a presigned GET URL, returned as plain text, for any bucket and key; the object need not exist
// (DP-08, Q-21, Q-25).
func (h *Handler) download(ctx context.Context, req *apigw.Request) (any, error) {
	bucket, key, detail, err := h.presignTarget(req)
	if err != nil {
		return nil, err
	}
	if detail != "" {
		return nil, apigw.ViewError("%s%s", downloadErrorPrefix, detail)
	}
	out, err := h.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)},
		s3.WithPresignExpires(presignExpiry),
		func(o *s3.PresignOptions) {
			o.ClientOptions = append(o.ClientOptions, func(so *s3.Options) { so.Region = h.cfg.Region })
		})
	if err != nil {
		return nil, apigw.ViewError("%s%s", downloadErrorPrefix, err.Error())
	}
	return apigw.Text(out.URL), nil
}

// postPolicySigner writes the POST policy and form fields as boto3 does, which the SDK's own presigner orders
// differently: policy `{"expiration", "conditions"}` with the caller's conditions first, then bucket, key,
// algorithm, credential, date and security token; field names in lower case (DP-07).
type postPolicySigner struct{}

// PresignPost implements s3.PresignPost; the SDK has resolved the endpoint, credentials and signing region.
func (postPolicySigner) PresignPost(creds aws.Credentials, bucket, key, region, service string, signingTime time.Time,
	conditions []any, expirationTime time.Time, _ ...func(*v4.SignerOptions)) (map[string]string, error) {
	day := signingTime.UTC().Format("20060102")
	fields := map[string]string{
		"key":              key,
		"x-amz-algorithm":  "AWS4-HMAC-SHA256",
		"x-amz-credential": strings.Join([]string{creds.AccessKeyID, day, region, service, "aws4_request"}, "/"),
		"x-amz-date":       signingTime.UTC().Format("20060102T150405Z"),
	}
	all := append([]any{}, conditions...)
	all = append(all, condition("bucket", bucket))
	if prefix, ok := strings.CutSuffix(key, filenameVariable); ok {
		all = append(all, []any{"starts-with", "$key", prefix})
	} else {
		all = append(all, condition("key", key))
	}
	names := []string{"x-amz-algorithm", "x-amz-credential", "x-amz-date"}
	if creds.SessionToken != "" {
		fields["x-amz-security-token"] = creds.SessionToken
		names = append(names, "x-amz-security-token")
	}
	for _, name := range names {
		all = append(all, condition(name, fields[name]))
	}
	policy := pyjson.NewMap()
	policy.Set("expiration", expirationTime.UTC().Format("2006-01-02T15:04:05Z"))
	policy.Set("conditions", all)
	doc, err := pyjson.Python(policy)
	if err != nil {
		return nil, fmt.Errorf("encode POST policy: %w", err)
	}
	fields["policy"] = base64.StdEncoding.EncodeToString(doc)
	fields["x-amz-signature"] = hex.EncodeToString(hmacSHA256(signingKey(creds.SecretAccessKey, day, region, service), fields["policy"]))
	return fields, nil
}

func condition(name, value string) *pyjson.Map {
	m := pyjson.NewMap()
	m.Set(name, value)
	return m
}

// signingKey is SigV4's derived key for one day, region and service.
func signingKey(secret, day, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
