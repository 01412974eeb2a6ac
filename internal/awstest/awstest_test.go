package awstest

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { Main(m) }

func TestEndpointAnswers(t *testing.T) {
	url := Endpoint(t)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, url)
	assert.Equal(t, url, Endpoint(t), "one moto per test binary")

	resp, err := http.Get(url + "/moto-api/")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestLookup(t *testing.T) {
	lookup := Lookup(t, map[string]string{
		"AWS_ENDPOINT_URL_TRANSLATE": "http://127.0.0.1:1",
		"AWS_MAX_ATTEMPTS":           "2",
		"OperatorName":               "translate",
	})
	for key, want := range map[string]string{
		"AWS_ENDPOINT_URL":           Endpoint(t),
		"AWS_REGION":                 "us-east-1",
		"AWS_ACCESS_KEY_ID":          "testing",
		"AWS_SECRET_ACCESS_KEY":      "testing",
		"AWS_MAX_ATTEMPTS":           "2", // extra wins over the default of 1
		"AWS_ENDPOINT_URL_TRANSLATE": "http://127.0.0.1:1",
		"OperatorName":               "translate",
		"AWS_SESSION_TOKEN":          "",
	} {
		assert.Equal(t, want, lookup(key), key)
	}
	assert.Equal(t, "1", Lookup(t, nil)("AWS_MAX_ATTEMPTS"), "SDK retries are off by default")
}

func TestConfig(t *testing.T) {
	cfg := Config(t, map[string]string{"AWS_ENDPOINT_URL_TRANSLATE": "http://127.0.0.1:1"})
	assert.Equal(t, "us-east-1", cfg.AWS.Region)
	assert.Equal(t, Endpoint(t), aws.ToString(cfg.AWS.BaseEndpoint))
	assert.Equal(t, "http://127.0.0.1:1", aws.ToString(cfg.Endpoint("TRANSLATE")))
	assert.Nil(t, cfg.Endpoint("S3"))
	assert.Equal(t, 1, cfg.AWS.Retryer().MaxAttempts())
}

func TestDynamoDBThroughAwsconf(t *testing.T) {
	ctx := t.Context()
	db := Config(t, nil).DynamoDB()
	table := Prefix(t) + "-items"
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("Id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("Id"), KeyType: ddbtypes.KeyTypeHash}},
	})
	require.NoError(t, err)
	item := map[string]ddbtypes.AttributeValue{
		"Id":    &ddbtypes.AttributeValueMemberS{Value: "a1"},
		"Count": &ddbtypes.AttributeValueMemberN{Value: "3"},
	}
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item})
	require.NoError(t, err)

	got, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(table),
		Key:       map[string]ddbtypes.AttributeValue{"Id": &ddbtypes.AttributeValueMemberS{Value: "a1"}},
	})
	require.NoError(t, err)
	assert.Equal(t, item, got.Item)
}

func TestS3ThroughAwsconf(t *testing.T) {
	ctx := t.Context()
	client := Config(t, nil).S3()
	bucket := Prefix(t)
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	_, err = client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String("dir/hello.txt"), Body: strings.NewReader("hello"),
	})
	require.NoError(t, err)

	obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/hello.txt")})
	require.NoError(t, err)
	defer obj.Body.Close()
	body, err := io.ReadAll(obj.Body)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(body))
}

func TestPrefixUniqueAndValidName(t *testing.T) {
	const n = 200
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			p := Prefix(t)
			mu.Lock()
			defer mu.Unlock()
			seen[p] = true
		})
	}
	wg.Wait()
	assert.Len(t, seen, n)
	valid := regexp.MustCompile(`^[a-z][a-z0-9]{2,19}$`) // a bucket name on its own, with room for suffixes
	for p := range seen {
		assert.Regexp(t, valid, p)
	}
}
