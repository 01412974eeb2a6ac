package awsconf

import (
	"context"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a fake AWS endpoint that answers every request with an empty JSON object and keeps what it saw.
type recorder struct {
	mu    sync.Mutex
	seen  []*http.Request
	hosts []string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.seen = append(r.seen, req)
	r.hosts = append(r.hosts, req.Host)
	r.mu.Unlock()
	if strings.Contains(req.Header.Get("Content-Type"), "json") {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(`{}`))), 10))
		_, _ = w.Write([]byte(`{}`))
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write([]byte(`<ListAllMyBucketsResult></ListAllMyBucketsResult>`))
}

func lookup(m map[string]string) Lookup {
	base := map[string]string{"AWS_REGION": "eu-west-3", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_MAX_ATTEMPTS": "1"}
	for k, v := range m {
		base[k] = v
	}
	return MapLookup(base)
}

// CP-03, DP-27: configuration comes from the lookup, botoConfig's user agent suffix reaches every request.
func TestLoadFromLookup(t *testing.T) {
	main, other := &recorder{}, &recorder{}
	mainSrv, otherSrv := httptest.NewServer(main), httptest.NewServer(other)
	t.Cleanup(mainSrv.Close)
	t.Cleanup(otherSrv.Close)

	cfg, err := Load(context.Background(), lookup(map[string]string{
		"AWS_ENDPOINT_URL":    mainSrv.URL,
		"AWS_ENDPOINT_URL_S3": otherSrv.URL,
		"botoConfig":          `{"user_agent_extra": "AwsSolution/SO0163/v5.1.11"}`,
	}))
	require.NoError(t, err)
	assert.Equal(t, "eu-west-3", cfg.AWS.Region)
	creds, err := cfg.AWS.Credentials.Retrieve(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "k", creds.AccessKeyID)

	_, err = cfg.DynamoDB().ListTables(context.Background(), &dynamodb.ListTablesInput{})
	require.NoError(t, err)
	require.Len(t, main.seen, 1)
	assert.Contains(t, main.seen[0].Header.Get("User-Agent"), "AwsSolution/SO0163/v5.1.11")

	_, err = cfg.S3().ListBuckets(context.Background(), &s3.ListBucketsInput{})
	require.NoError(t, err)
	require.Len(t, other.seen, 1, "AWS_ENDPOINT_URL_S3 overrides AWS_ENDPOINT_URL for S3 only")
	assert.Equal(t, aws.ToString(cfg.Endpoint("S3")), otherSrv.URL)
	assert.Nil(t, cfg.Endpoint("DYNAMODB"))
}

func TestS3PathStyleOnCustomEndpoints(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	cfg, err := Load(context.Background(), lookup(map[string]string{"AWS_ENDPOINT_URL": strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)}))
	require.NoError(t, err)
	_, err = cfg.S3().HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: aws.String("mybucket")})
	require.NoError(t, err)
	require.Len(t, rec.seen, 1)
	assert.Equal(t, "/mybucket", rec.seen[0].URL.Path, "bucket in the path, not in the host name")
}

func TestLoadRejectsBadValues(t *testing.T) {
	cases := map[string]map[string]string{
		"botoConfig not JSON":           {"botoConfig": "{user_agent_extra"},
		"AWS_MAX_ATTEMPTS not a number": {"AWS_MAX_ATTEMPTS": "x"},
		"AWS_MAX_ATTEMPTS zero":         {"AWS_MAX_ATTEMPTS": "0"},
	}
	for name, env := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Load(context.Background(), lookup(env))
			assert.Error(t, err)
		})
	}
}
