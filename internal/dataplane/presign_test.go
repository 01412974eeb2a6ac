package dataplane

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/pyjson"
)

func presignHandler(t *testing.T, presign PresignAPI) *Handler {
	t.Helper()
	cfg := testConfig()
	h, err := New(cfg, &fakeDB{t: t}, &fakeS3{t: t}, presign)
	require.NoError(t, err)
	return h
}

// sigV4 is the SigV4 signature of a string for an S3 POST policy, computed independently of the handler.
func sigV4(secret, day, region, policy string) string {
	mac := func(key []byte, data string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(data))
		return m.Sum(nil)
	}
	key := mac(mac(mac(mac([]byte("AWS4"+secret), day), region), "s3"), "aws4_request")
	return hex.EncodeToString(mac(key, policy))
}

// DP-07: R3's presigned POST has boto3's URL forms, field order and policy (conditions in boto3's order, 5 GiB,
// 3600 s) and a signature S3 accepts.
func TestDP07PresignedPost(t *testing.T) {
	cases := []struct {
		name, region, token, bucket, key string
		endpoint                         string
		url                              string
		keyCondition                     string
	}{
		{name: "us-east-1 global endpoint", region: "us-east-1", bucket: "mie-dataplane-1a2b3c", key: "upload/keynote.mp4",
			url: "https://mie-dataplane-1a2b3c.s3.amazonaws.com/", keyCondition: `{"key": "upload/keynote.mp4"}`},
		{name: "regional endpoint with session token", region: "eu-west-1", token: "IQoJtoken", bucket: "mie-dataplane-1a2b3c", key: "upload/a.mp4",
			url: "https://mie-dataplane-1a2b3c.s3.eu-west-1.amazonaws.com/", keyCondition: `{"key": "upload/a.mp4"}`},
		{name: "bucket name that is not DNS-compatible", region: "us-east-1", bucket: "testBucketName", key: "testBucketKey",
			url: "https://s3.amazonaws.com/testBucketName", keyCondition: `{"key": "testBucketKey"}`},
		{name: "browser-chosen file name", region: "us-east-1", bucket: "mie-dataplane-1a2b3c", key: "upload/${filename}",
			url: "https://mie-dataplane-1a2b3c.s3.amazonaws.com/", keyCondition: `["starts-with", "$key", "upload/"]`},
		{name: "custom endpoint uses path style", region: "us-east-1", bucket: "mie-dataplane-1a2b3c", key: "upload/k",
			endpoint: "http://127.0.0.1:9", url: "http://127.0.0.1:9/mie-dataplane-1a2b3c", keyCondition: `{"key": "upload/k"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			client := s3.New(s3.Options{
				Region:       tc.region,
				Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", tc.token),
				UsePathStyle: tc.endpoint != "",
			}, func(o *s3.Options) {
				if tc.endpoint != "" {
					o.BaseEndpoint = aws.String(tc.endpoint)
				}
			})
			h := presignHandler(t, NewPresigner(client))
			h.cfg.Region = tc.region
			body := `{"S3Bucket": "` + tc.bucket + `", "S3Key": "` + tc.key + `"}`
			resp := call(t, h, event("POST", "/upload", nil, nil, body))
			require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)

			doc, err := pyjson.DecodeObject([]byte(resp.Body))
			require.NoError(t, err)
			assert.Equal(t, []string{"url", "fields"}, doc.Keys())
			u, _ := doc.Get("url")
			assert.Equal(t, tc.url, u)
			fv, _ := doc.Get("fields")
			fields := fv.(*pyjson.Map)
			want := []string{"key", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "policy", "x-amz-signature"}
			if tc.token != "" {
				want = []string{"key", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-security-token", "policy", "x-amz-signature"}
			}
			require.Equal(t, want, fields.Keys())
			get := func(k string) string { v, _ := fields.Get(k); return v.(string) }
			assert.Equal(t, tc.key, get("key"))
			assert.Equal(t, "AWS4-HMAC-SHA256", get("x-amz-algorithm"))
			date, err := time.Parse("20060102T150405Z", get("x-amz-date"))
			require.NoError(t, err)
			day := date.Format("20060102")
			assert.Equal(t, "AKIDEXAMPLE/"+day+"/"+tc.region+"/s3/aws4_request", get("x-amz-credential"))

			policy, err := base64.StdEncoding.DecodeString(get("policy"))
			require.NoError(t, err)
			wantPolicy := `{"expiration": "` + date.Add(time.Hour).Format("2006-01-02T15:04:05Z") + `", "conditions": [` +
				`["content-length-range", 0, 5368709120], {"bucket": "` + tc.bucket + `"}, ` + tc.keyCondition + `, ` +
				`{"x-amz-algorithm": "AWS4-HMAC-SHA256"}, {"x-amz-credential": "` + get("x-amz-credential") + `"}, ` +
				`{"x-amz-date": "` + get("x-amz-date") + `"}`
			if tc.token != "" {
				assert.Equal(t, tc.token, get("x-amz-security-token"))
				wantPolicy += `, {"x-amz-security-token": "` + tc.token + `"}`
			}
			assert.Equal(t, wantPolicy+`]}`, string(policy))
			assert.Equal(t, sigV4("secret", day, tc.region, get("policy")), get("x-amz-signature"))
		})
	}
}

// DP-08: R4's presigned GET is the URL as plain text, virtual-hosted on the global endpoint, valid 3600 s.
func TestDP08PresignedGet(t *testing.T) {
	h := presignHandler(t, offlinePresigner("us-east-1", ""))
	resp := call(t, h, event("POST", "/download", nil, nil, `{"S3Bucket": "mie-dataplane-1a2b3c", "S3Key": "upload/keynote.mp4"}`))
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	assert.True(t, strings.HasPrefix(resp.Body, "https://mie-dataplane-1a2b3c.s3.amazonaws.com/upload/keynote.mp4?"), resp.Body)
	u, err := url.Parse(resp.Body)
	require.NoError(t, err)
	q := u.Query()
	assert.Equal(t, "AWS4-HMAC-SHA256", q.Get("X-Amz-Algorithm"))
	assert.Equal(t, "3600", q.Get("X-Amz-Expires"))
	assert.Equal(t, "host", q.Get("X-Amz-SignedHeaders"))
	assert.Regexp(t, `^AKIDEXAMPLE/\d{8}/us-east-1/s3/aws4_request$`, q.Get("X-Amz-Credential"))
	assert.NotEmpty(t, q.Get("X-Amz-Signature"))

	// The original's unit test: a bucket name that is not DNS-compatible is addressed path style.
	resp = call(t, h, event("POST", "/download", nil, nil, `{"S3Bucket": "testBucketName", "S3Key": "testBucketKey"}`))
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	assert.True(t, strings.HasPrefix(resp.Body, "https://s3.amazonaws.com/testBucketName/testBucketKey?"), resp.Body)
}

// DP-07, DP-08: every error text of R3 and R4 (data-plane §10).
func TestDP07PresignErrors(t *testing.T) {
	h := presignHandler(t, offlinePresigner("us-east-1", ""))
	cases := []struct{ body, detail string }{
		{`{"S3Key": "testBucketKey"}`, "'S3Bucket'"},
		{`{"S3Bucket": "testBucketName"}`, "'S3Key'"},
		{`{}`, "'S3Bucket'"},
		{``, "Expecting value: line 1 column 1 (char 0)"},
		{`{"S3Bucket": }`, "Expecting value: line 1 column 14 (char 13)"},
		{`[]`, "list indices must be integers or slices, not str"},
		{`"text"`, "string indices must be integers, not 'str'"},
		{`null`, "'NoneType' object is not subscriptable"},
		{`{"S3Bucket": 5, "S3Key": "k"}`, "Parameter validation failed:\nInvalid type for parameter Bucket, value: 5, type: <class 'int'>, valid types: <class 'str'>"},
		{`{"S3Bucket": "b", "S3Key": ["k"]}`, "Parameter validation failed:\nInvalid type for parameter Key, value: ['k'], type: <class 'list'>, valid types: <class 'str'>"},
	}
	for _, route := range []struct{ resource, prefix string }{
		{"/upload", "Unable to generate pre-signed S3 URL for uploading media: "},
		{"/download", "Unable to generate pre-signed S3 URL for downloading media: "},
	} {
		for _, tc := range cases {
			t.Run(route.resource+" "+tc.body, func(t *testing.T) {
				resp := call(t, h, event("POST", route.resource, nil, nil, tc.body))
				assertError(t, resp, http.StatusInternalServerError, "ChaliceViewError", route.prefix+tc.detail)
				assert.Equal(t, corsHeaders, resp.Headers)
			})
		}
		t.Run(route.resource+" without AWS_REGION", func(t *testing.T) {
			h := presignHandler(t, offlinePresigner("us-east-1", ""))
			h.cfg.Region = ""
			assertGeneric500(t, call(t, h, event("POST", route.resource, nil, nil, `{"S3Bucket": "b", "S3Key": "k"}`)))
		})
	}
}
