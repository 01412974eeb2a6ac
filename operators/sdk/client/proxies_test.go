package client_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/transcribe"
	transcribetypes "github.com/aws/aws-sdk-go-v2/service/transcribe/types"
	"github.com/aws/aws-sdk-go-v2/service/translate"
	translatetypes "github.com/aws/aws-sdk-go-v2/service/translate/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/controlplane"
	"github.com/mie-go/mie-go/internal/sigv4"
	"github.com/mie-go/mie-go/operators/sdk/client"
)

// servicesFake answers the Transcribe language model calls and every Translate call (JSON 1.1, which moto does not
// serve) with canned answers, records their bodies, and forwards the other Transcribe calls to moto.
type servicesFake struct {
	url     string
	answers map[string]string
	mu      sync.Mutex
	bodies  map[string]string
}

func newServicesFake(t *testing.T, answers map[string]string) *servicesFake {
	moto, err := url.Parse(awstest.Endpoint(t))
	require.NoError(t, err)
	forward := httputil.NewSingleHostReverseProxy(moto)
	f := &servicesFake{answers: answers, bodies: map[string]string{}}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		answer, ok := f.answers[target]
		if !ok {
			forward.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.bodies[target] = string(body)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(server.Close)
	f.url = server.URL
	return f
}

func (f *servicesFake) body(target string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodies[target]
}

// TestServiceProxies drives the workflow API's Transcribe and Translate proxies (R30 to R46, CP-29, CP-30)
// through the client, the gateway's signature checks and the real workflow API handler: vocabularies on moto,
// language models and Translate on a fake, downloads from a local file server.
func TestServiceProxies(t *testing.T) {
	const (
		vocabularyTable = "Phrase\tIPA\tSoundsLike\tDisplayAs\nLos-Angeles\t\t\tLos Angeles\n"
		glossary        = "en,fr\nhello,bonjour\n"
		parallelText    = "en,de\nhello,hallo\n"
		model           = `{"ModelName":"m1","LanguageCode":"en-US","BaseModelName":"WideBand","ModelStatus":"COMPLETED",` +
			`"CreateTime":1704067200.5,"LastModifiedTime":1704067260}`
		terminology = `{"Name":"glossary","SourceLanguageCode":"en","TargetLanguageCodes":["fr"],"TermCount":1,` +
			`"CreatedAt":946684800,"LastUpdatedAt":946684801.25}`
		parallelData = `{"Name":"pd","Status":"ACTIVE","ParallelDataConfig":{"S3Uri":"s3://b/pd.csv","Format":"CSV"},` +
			`"ImportedRecordCount":1,"CreatedAt":946684800,"LastUpdatedAt":946684800,"LatestUpdateAttemptAt":946684802}`
	)
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/input.txt"):
			_, _ = io.WriteString(w, vocabularyTable)
		case r.URL.Path == "/glossary.csv":
			_, _ = io.WriteString(w, glossary)
		case r.URL.Path == "/pd.csv":
			_, _ = io.WriteString(w, parallelText)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(files.Close)
	// The presigned locations point at AWS: the handler's downloads go to the file server.
	toFiles := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		out := r.Clone(r.Context())
		out.URL.Scheme, out.URL.Host, out.Host = "http", strings.TrimPrefix(files.URL, "http://"), ""
		return http.DefaultTransport.RoundTrip(out)
	})}

	const translateTarget = "AWSShineFrontendService_20170701."
	fake := newServicesFake(t, map[string]string{
		"Transcribe.ListLanguageModels":    `{"Models":[` + model + `]}`,
		"Transcribe.DescribeLanguageModel": `{"LanguageModel":` + model + `}`,
		translateTarget + "GetTerminology": `{"TerminologyProperties":` + terminology +
			`,"TerminologyDataLocation":{"RepositoryType":"S3","Location":"https://bucket.s3.amazonaws.com/glossary.csv?X-Amz-Signature=s"}}`,
		translateTarget + "ListTerminologies":  `{"TerminologyPropertiesList":[` + terminology + `]}`,
		translateTarget + "DeleteTerminology":  `{}`,
		translateTarget + "ImportTerminology":  `{"TerminologyProperties":` + terminology + `}`,
		translateTarget + "GetParallelData":    `{"ParallelDataProperties":` + parallelData + `,"DataLocation":{"RepositoryType":"S3","Location":"https://bucket.s3.amazonaws.com/pd.csv"}}`,
		translateTarget + "ListParallelData":   `{"ParallelDataPropertiesList":[` + parallelData + `]}`,
		translateTarget + "DeleteParallelData": `{"Name":"pd","Status":"DELETING"}`,
		translateTarget + "CreateParallelData": `{"Name":"pd","Status":"CREATING"}`,
	})
	cfg := awstest.Config(t, nil)
	h, err := controlplane.New(controlplane.Config{}, controlplane.Clients{
		Transcribe: transcribe.NewFromConfig(cfg.AWS, func(o *transcribe.Options) { o.BaseEndpoint = aws.String(fake.url) }),
		Translate:  translate.NewFromConfig(cfg.AWS, func(o *translate.Options) { o.BaseEndpoint = aws.String(fake.url) }),
		HTTP:       toFiles,
	}, nil)
	require.NoError(t, err)
	endpoint := startGateway(t, &gateway{router: h.Router(), handler: h.Handle, verifier: sigv4.New(sigv4.StaticCredentials(callerKey), region)})
	api, err := client.NewWorkflowAPI(callerConfig(callerKey), endpoint)
	require.NoError(t, err)
	ctx := t.Context()

	// CP-29: a vocabulary's life on moto.
	name := awstest.Prefix(t) + "-vocabulary"
	created, err := api.CreateVocabulary(ctx, name, "en-US", "s3://bucket/vocabulary.txt")
	require.NoError(t, err)
	assert.Equal(t, name, aws.ToString(created.VocabularyName))
	assert.Equal(t, transcribetypes.LanguageCodeEnUs, created.LanguageCode)
	vocabulary, err := api.GetVocabulary(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, transcribetypes.VocabularyStatePending, vocabulary.VocabularyState)
	assert.NotNil(t, vocabulary.LastModifiedTime)
	assert.Contains(t, aws.ToString(vocabulary.DownloadUri), name)
	entries, err := api.DownloadVocabulary(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, []map[string]string{{"Phrase": "Los-Angeles", "IPA": "", "SoundsLike": "", "DisplayAs": "Los Angeles"}, {}}, entries)
	vocabularies, err := api.ListVocabularies(ctx)
	require.NoError(t, err)
	var listed []string
	for _, v := range vocabularies {
		listed = append(listed, aws.ToString(v.VocabularyName))
	}
	assert.Contains(t, listed, name)
	require.NoError(t, api.DeleteVocabulary(ctx, name))
	_, err = api.GetVocabulary(ctx, name)
	assertAPIError(t, err, http.StatusInternalServerError, "", "botocore.exceptions.ClientError: An error occurred (BadRequestException) "+
		"when calling the GetVocabulary operation: The requested vocabulary couldn't be found. Check the vocabulary name and try your request again.")

	// CP-29: language models.
	models, err := api.ListLanguageModels(ctx)
	require.NoError(t, err)
	require.Len(t, models, 1)
	assert.Equal(t, "m1", aws.ToString(models[0].ModelName))
	assert.True(t, time.UnixMilli(1704067200500).Equal(aws.ToTime(models[0].CreateTime)), "%v", models[0].CreateTime)
	described, err := api.DescribeLanguageModel(ctx, "m1")
	require.NoError(t, err)
	assert.Equal(t, transcribetypes.ModelStatusCompleted, described.ModelStatus)
	assert.JSONEq(t, `{"ModelName":"m1"}`, fake.body("Transcribe.DescribeLanguageModel"))

	// CP-30: terminologies.
	term, err := api.GetTerminology(ctx, "glossary")
	require.NoError(t, err)
	assert.Equal(t, int32(1), aws.ToInt32(term.TerminologyProperties.TermCount))
	assert.True(t, time.UnixMilli(946684801250).Equal(aws.ToTime(term.TerminologyProperties.LastUpdatedAt)))
	assert.JSONEq(t, `{"Name":"glossary","TerminologyDataFormat":"CSV"}`, fake.body(translateTarget+"GetTerminology"))
	csv, err := api.DownloadTerminology(ctx, "glossary")
	require.NoError(t, err)
	assert.Equal(t, glossary, csv)
	terms, err := api.ListTerminologies(ctx)
	require.NoError(t, err)
	require.Len(t, terms, 1)
	assert.Equal(t, []string{"fr"}, terms[0].TargetLanguageCodes)
	imported, err := api.CreateTerminology(ctx, "glossary", glossary)
	require.NoError(t, err)
	assert.Equal(t, "glossary", aws.ToString(imported.Name))
	assert.JSONEq(t, `{"Name":"glossary","MergeStrategy":"OVERWRITE","TerminologyData":{"File":"`+
		base64.StdEncoding.EncodeToString([]byte(glossary))+`","Format":"CSV"}}`, fake.body(translateTarget+"ImportTerminology"))
	require.NoError(t, api.DeleteTerminology(ctx, "glossary"))
	assert.JSONEq(t, `{"Name":"glossary"}`, fake.body(translateTarget+"DeleteTerminology"))

	// CP-30: parallel data.
	pd, err := api.GetParallelData(ctx, "pd")
	require.NoError(t, err)
	assert.Equal(t, translatetypes.ParallelDataStatusActive, pd.ParallelDataProperties.Status)
	assert.True(t, time.Unix(946684802, 0).Equal(aws.ToTime(pd.ParallelDataProperties.LatestUpdateAttemptAt)), "Q-24")
	text, err := api.DownloadParallelData(ctx, "pd")
	require.NoError(t, err)
	assert.Equal(t, parallelText, text)
	sets, err := api.ListParallelData(ctx)
	require.NoError(t, err)
	require.Len(t, sets, 1)
	assert.Equal(t, int64(1), aws.ToInt64(sets[0].ImportedRecordCount))
	deleted, err := api.DeleteParallelData(ctx, "pd")
	require.NoError(t, err)
	assert.Equal(t, translatetypes.ParallelDataStatusDeleting, deleted.Status)
	started, err := api.CreateParallelData(ctx, &translate.CreateParallelDataInput{
		Name:               aws.String("pd"),
		ParallelDataConfig: &translatetypes.ParallelDataConfig{S3Uri: aws.String("s3://b/pd.csv"), Format: translatetypes.ParallelDataFormatCsv},
		EncryptionKey:      &translatetypes.EncryptionKey{Type: translatetypes.EncryptionKeyTypeKms, Id: aws.String("k")},
		Tags:               []translatetypes.Tag{{Key: aws.String("team"), Value: aws.String("media")}},
	})
	require.NoError(t, err)
	assert.Equal(t, translatetypes.ParallelDataStatusCreating, started.Status)
	var sent map[string]any
	require.NoError(t, json.Unmarshal([]byte(fake.body(translateTarget+"CreateParallelData")), &sent))
	assert.NotEmpty(t, sent["ClientToken"], "the workflow API's SDK fills the idempotency token")
	delete(sent, "ClientToken")
	assert.Equal(t, map[string]any{
		"Name":               "pd",
		"ParallelDataConfig": map[string]any{"S3Uri": "s3://b/pd.csv", "Format": "CSV"},
		"EncryptionKey":      map[string]any{"Type": "KMS", "Id": "k"},
		"Tags":               []any{map[string]any{"Key": "team", "Value": "media"}},
	}, sent)
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
