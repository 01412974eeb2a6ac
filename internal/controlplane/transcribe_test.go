package controlplane

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/awstest"
)

const (
	getVocabularyRoute      = "/service/transcribe/get_vocabulary"
	downloadVocabularyRoute = "/service/transcribe/download_vocabulary"
	listVocabulariesRoute   = "/service/transcribe/list_vocabularies"
	deleteVocabularyRoute   = "/service/transcribe/delete_vocabulary"
	createVocabularyRoute   = "/service/transcribe/create_vocabulary"
	// isoTimestamp is the form of every converted timestamp (§6.29).
	isoTimestamp = `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$`
	// vocabularyTable is a vocabulary as Transcribe stores it: tab-separated, a header line, a final newline.
	vocabularyTable = "Phrase\tIPA\tSoundsLike\tDisplayAs\nLos-Angeles\t\t\tLos Angeles\nMIE\t\tem-eye-ee\tM.I.E.\r\nbroken line\n"
)

// motoBody checks a 200 answer from a proxy in front of moto and returns its body as a map, after checking that
// ResponseMetadata is botocore's (request id, status, lower-case headers, retries) and removing it.
func motoBody(t *testing.T, resp apigw.Response) map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	var body map[string]any
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &body))
	meta, ok := body["ResponseMetadata"].(map[string]any)
	require.True(t, ok, "ResponseMetadata: %s", resp.Body)
	assert.NotEmpty(t, meta["RequestId"])
	assert.Equal(t, 200.0, meta["HTTPStatusCode"])
	assert.Equal(t, 0.0, meta["RetryAttempts"])
	headers, _ := meta["HTTPHeaders"].(map[string]any)
	assert.Equal(t, meta["RequestId"], headers["x-amzn-requestid"])
	for name := range headers {
		assert.Equal(t, strings.ToLower(name), name)
	}
	delete(body, "ResponseMetadata")
	return body
}

// CP-29: the vocabulary proxies R30-R34 against moto's Transcribe, through the life of one vocabulary: created,
// read with its timestamp in isoformat, downloaded from its DownloadUri, listed, deleted, then unknown.
func TestVocabularyProxies(t *testing.T) {
	files := newFileServer(t, nil)
	s := proxyStack(t, nil)
	s.h.clients.HTTP = files.redirect()
	name := awstest.Prefix(t) + "-vocabulary"
	nameBody := fmt.Sprintf(`{"vocabulary_name":%q}`, name)
	createBody := fmt.Sprintf(`{"vocabulary_name":%q,"language_code":"en-US","s3uri":"s3://bucket/vocabulary.txt"}`, name)

	// R34
	created := motoBody(t, s.post(createVocabularyRoute, createBody))
	assert.Equal(t, map[string]any{"VocabularyName": name, "LanguageCode": "en-US"}, created)
	assertTraceback(t, s.post(createVocabularyRoute, createBody), "botocore.exceptions.ClientError: An error occurred "+
		"(ConflictException) when calling the CreateVocabulary operation: The requested vocabulary name already exists. "+
		"Use a different vocabulary name.")

	// R30
	got := motoBody(t, s.post(getVocabularyRoute, nameBody))
	assert.Equal(t, name, got["VocabularyName"])
	assert.Equal(t, "en-US", got["LanguageCode"])
	assert.Equal(t, "PENDING", got["VocabularyState"])
	assert.Regexp(t, isoTimestamp, got["LastModifiedTime"])
	downloadURI, _ := got["DownloadUri"].(string)
	location, err := url.Parse(downloadURI)
	require.NoError(t, err)
	require.NotEmpty(t, location.Path)

	// R31
	files.serve(location.Path, fakeFile{status: http.StatusOK, content: vocabularyTable})
	resp := s.post(downloadVocabularyRoute, nameBody)
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	assert.JSONEq(t, `{"vocabulary":[`+
		`{"Phrase":"Los-Angeles","IPA":"","SoundsLike":"","DisplayAs":"Los Angeles"},`+
		`{"Phrase":"MIE","IPA":"","SoundsLike":"em-eye-ee","DisplayAs":"M.I.E.\r"},{},{}]}`, resp.Body)
	assert.Equal(t, []string{location.RequestURI()}, files.requested())

	// R32
	listed := motoBody(t, s.get(listVocabulariesRoute, nil))
	assert.NotContains(t, listed, "NextToken")
	var mine []map[string]any
	for _, v := range listed["Vocabularies"].([]any) {
		if entry := v.(map[string]any); entry["VocabularyName"] == name {
			mine = append(mine, entry)
		}
	}
	require.Len(t, mine, 1)
	assert.Equal(t, "READY", mine[0]["VocabularyState"])
	assert.Regexp(t, isoTimestamp, mine[0]["LastModifiedTime"])

	// R33, then the vocabulary is unknown to every route.
	assert.Equal(t, map[string]any{}, motoBody(t, s.post(deleteVocabularyRoute, nameBody)))
	unknown := " operation: The requested vocabulary couldn't be found. Check the vocabulary name and try your request again."
	for route, operation := range map[string]string{
		getVocabularyRoute:      "GetVocabulary",
		downloadVocabularyRoute: "GetVocabulary",
		deleteVocabularyRoute:   "DeleteVocabulary",
	} {
		assertTraceback(t, s.post(route, nameBody),
			"botocore.exceptions.ClientError: An error occurred (BadRequestException) when calling the "+operation+unknown)
	}
}

// CP-29, Q-23: R32 answers the vocabularies of every page, where the original answered the last page only. moto
// pages by the MaxResults of 100 the route asks for.
func TestListVocabulariesReadsEveryPage(t *testing.T) {
	s := proxyStack(t, nil)
	prefix := awstest.Prefix(t)
	var want []string
	for i := range 101 {
		name := fmt.Sprintf("%s-%03d", prefix, i)
		motoBody(t, s.post(createVocabularyRoute, fmt.Sprintf(`{"vocabulary_name":%q,"language_code":"en-US","s3uri":"s3://b/v.txt"}`, name)))
		want = append(want, name)
	}
	listed := motoBody(t, s.get(listVocabulariesRoute, nil))
	assert.NotContains(t, listed, "NextToken")
	var got []string
	for _, v := range listed["Vocabularies"].([]any) {
		if name := v.(map[string]any)["VocabularyName"].(string); strings.HasPrefix(name, prefix+"-") {
			got = append(got, name)
		}
	}
	assert.Equal(t, want, got)
}

// CP-29: the body fields the vocabulary routes read, in the original's order; a missing one is its KeyError, a
// value that is not a string botocore's parameter validation. No call is made.
func TestVocabularyProxyBodies(t *testing.T) {
	s, transcribeFake, _ := fakeStack(t)
	cases := []struct {
		name, resource, body, traceback string
	}{
		{"R30 without vocabulary_name", getVocabularyRoute, `{"VocabularyName":"v"}`, "KeyError: 'vocabulary_name'"},
		{"R30 with a body that is a string", getVocabularyRoute, `"v"`, "TypeError: string indices must be integers, not 'str'"},
		{"R30 with a body that is not JSON", getVocabularyRoute, ``, "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)"},
		{"R31 without vocabulary_name", downloadVocabularyRoute, `{}`, "KeyError: 'vocabulary_name'"},
		{"R33 without vocabulary_name", deleteVocabularyRoute, `{"name":"v"}`, "KeyError: 'vocabulary_name'"},
		{"R34 without vocabulary_name", createVocabularyRoute, `{"language_code":"en-US","s3uri":"s3://b/k"}`, "KeyError: 'vocabulary_name'"},
		{"R34 without language_code", createVocabularyRoute, `{"vocabulary_name":"v","s3uri":"s3://b/k"}`, "KeyError: 'language_code'"},
		{"R34 without s3uri", createVocabularyRoute, `{"vocabulary_name":"v","language_code":"en-US"}`, "KeyError: 's3uri'"},
		{
			"R34 with values that are not strings", createVocabularyRoute, `{"vocabulary_name":1.5,"language_code":true,"s3uri":{"Bucket":"b"}}`,
			"botocore.exceptions.ParamValidationError: Parameter validation failed:\n" +
				"Invalid type for parameter VocabularyName, value: 1.5, type: <class 'float'>, valid types: <class 'str'>\n" +
				"Invalid type for parameter LanguageCode, value: True, type: <class 'bool'>, valid types: <class 'str'>\n" +
				"Invalid type for parameter VocabularyFileUri, value: {'Bucket': 'b'}, type: <class 'dict'>, valid types: <class 'str'>",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertTracebackEnd(t, s.post(tc.resource, tc.body), tc.traceback)
		})
	}
	transcribeFake.assertCalls()
}

// CP-29: R31's failures around the download: no DownloadUri in the answer, a location urllib cannot open, a
// location that refuses, a connection that fails.
func TestDownloadVocabularyFailures(t *testing.T) {
	files := newFileServer(t, map[string]fakeFile{"/gone.txt": {status: http.StatusNotFound, content: "NoSuchKey"}})
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	cases := []struct {
		name, answer, traceback string
	}{
		{"no DownloadUri", `{"VocabularyName":"v","VocabularyState":"FAILED"}`, "KeyError: 'DownloadUri'"},
		{"no scheme", `{"DownloadUri":"vocabulary.txt"}`, "ValueError: unknown url type: 'vocabulary.txt'"},
		{"a scheme urllib does not open", `{"DownloadUri":"ftp://example.com/vocabulary.txt"}`, "urllib.error.URLError: <urlopen error unknown url type: ftp>"},
		{"a status outside 2xx", `{"DownloadUri":"` + files.url + `/gone.txt"}`, "urllib.error.HTTPError: HTTP Error 404: Not Found"},
	}
	for _, tc := range cases {
		t.Run("R31 "+tc.name, func(t *testing.T) {
			s, f, _ := fakeStack(t)
			f.queue(answer("GetVocabulary", tc.answer))
			assertTraceback(t, s.post(downloadVocabularyRoute, `{"vocabulary_name":"v"}`), tc.traceback)
			f.assertCalls(`GetVocabulary {"VocabularyName":"v"}`)
		})
	}
	t.Run("R31 a connection that fails", func(t *testing.T) {
		s, f, _ := fakeStack(t)
		f.queue(answer("GetVocabulary", `{"DownloadUri":"`+closedURL+`/v.txt"}`))
		resp := s.post(downloadVocabularyRoute, `{"vocabulary_name":"v"}`)
		assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
		assert.Contains(t, resp.Body, "\nurllib.error.URLError: <urlopen error dial tcp ")
		assert.NotContains(t, resp.Body, closedURL, "the location may be presigned: it stays out of the answer")
	})
}

// CP-29, Q-24: R34 answers the vocabulary with its LastModifiedTime in isoformat, where the original's answer
// failed to serialize (API Gateway's 502) although the vocabulary had been created. moto's answer has no timestamp.
func TestCreateVocabularyConvertsTimestamp(t *testing.T) {
	runProxyCases(t, transcribeFakeOf, []proxyCase{{
		name: "R34 create_vocabulary", method: "POST", resource: createVocabularyRoute,
		body: `{"vocabulary_name":"v","language_code":"en-US","s3uri":"s3://b/v.txt","ignored":true}`,
		answers: []fakeAnswer{answer("CreateVocabulary",
			`{"VocabularyName":"v","LanguageCode":"en-US","VocabularyState":"PENDING","LastModifiedTime":1704067200.25}`)},
		calls: []string{`CreateVocabulary {"VocabularyName":"v","LanguageCode":"en-US","VocabularyFileUri":"s3://b/v.txt"}`},
		want: `{"VocabularyName":"v","LanguageCode":"en-US","VocabularyState":"PENDING",` +
			`"LastModifiedTime":"2024-01-01T00:00:00.250000+00:00","ResponseMetadata":"<ResponseMetadata>"}`,
	}})
}

func transcribeFakeOf(_ *stack, transcribe, _ *serviceFake) *serviceFake { return transcribe }

// CP-29: the language model proxies R35 and R36 against a fake speaking Transcribe's JSON 1.1 protocol (moto does
// not implement them).
func TestLanguageModelProxies(t *testing.T) {
	const (
		list      = "/service/transcribe/list_language_models"
		describe  = "/service/transcribe/describe_language_model"
		validated = "botocore.exceptions.ParamValidationError: Parameter validation failed:\n"
		model     = `{"ModelName":"m1","LanguageCode":"en-US","BaseModelName":"WideBand","ModelStatus":"COMPLETED",` +
			`"UpgradeAvailability":false,"InputDataConfig":{"S3Uri":"s3://b/train/","DataAccessRoleArn":"arn:aws:iam::123456789012:role/r"},` +
			`"CreateTime":1704067200.123,"LastModifiedTime":1704067260}`
		modelPy = `{"ModelName":"m1","LanguageCode":"en-US","BaseModelName":"WideBand","ModelStatus":"COMPLETED",` +
			`"UpgradeAvailability":false,"InputDataConfig":{"S3Uri":"s3://b/train/","DataAccessRoleArn":"arn:aws:iam::123456789012:role/r"},` +
			`"CreateTime":"2024-01-01T00:00:00.123000+00:00","LastModifiedTime":"2024-01-01T00:01:00+00:00"}`
	)
	cases := []proxyCase{
		{
			name: "R35 list_language_models: every page (Q-23)", method: "GET", resource: list,
			answers: []fakeAnswer{
				answer("ListLanguageModels", `{"Models":[`+model+`],"NextToken":"next"}`),
				answer("ListLanguageModels", `{"Models":[{"ModelName":"m2","ModelStatus":"IN_PROGRESS","CreateTime":0,"LastModifiedTime":0}]}`),
			},
			calls: []string{`ListLanguageModels {"MaxResults":100}`, `ListLanguageModels {"MaxResults":100,"NextToken":"next"}`},
			want: `{"Models":[` + modelPy + `,{"ModelName":"m2","ModelStatus":"IN_PROGRESS","CreateTime":"1970-01-01T00:00:00+00:00",` +
				`"LastModifiedTime":"1970-01-01T00:00:00+00:00"}],"ResponseMetadata":"<ResponseMetadata>"}`,
		},
		{
			name: "R35 list_language_models refused", method: "GET", resource: list,
			answers:   []fakeAnswer{awsError("ListLanguageModels", "LimitExceededException", "Rate exceeded")},
			calls:     []string{`ListLanguageModels {"MaxResults":100}`},
			traceback: "botocore.exceptions.ClientError: An error occurred (LimitExceededException) when calling the ListLanguageModels operation: Rate exceeded",
		},
		{
			name: "R36 describe_language_model: the body is the parameters", method: "POST", resource: describe,
			body:    `{"ModelName":"m1"}`,
			answers: []fakeAnswer{answer("DescribeLanguageModel", `{"LanguageModel":`+model+`}`)},
			calls:   []string{`DescribeLanguageModel {"ModelName":"m1"}`},
			want:    `{"LanguageModel":` + modelPy + `,"ResponseMetadata":"<ResponseMetadata>"}`,
		},
		{
			name: "R36 describe_language_model of an unknown model", method: "POST", resource: describe,
			body:      `{"ModelName":"nope"}`,
			answers:   []fakeAnswer{awsError("DescribeLanguageModel", "NotFoundException", "The requested language model couldn't be found.")},
			calls:     []string{`DescribeLanguageModel {"ModelName":"nope"}`},
			traceback: "botocore.exceptions.ClientError: An error occurred (NotFoundException) when calling the DescribeLanguageModel operation: The requested language model couldn't be found.",
		},
		{
			name: "R36 describe_language_model with the other routes' field name", method: "POST", resource: describe,
			body:      `{"model_name":"m1"}`,
			traceback: validated + `Unknown parameter in input: "model_name", must be one of: ModelName`,
		},
		{
			name: "R36 describe_language_model without ModelName", method: "POST", resource: describe,
			body: `{}`, traceback: validated + `Missing required parameter in input: "ModelName"`,
		},
		{
			name: "R36 describe_language_model with a ModelName that is not a string", method: "POST", resource: describe,
			body:      `{"ModelName":["m1"]}`,
			traceback: validated + "Invalid type for parameter ModelName, value: ['m1'], type: <class 'list'>, valid types: <class 'str'>",
		},
		{
			name: "R36 describe_language_model with a list body whose element is not a pair", method: "POST", resource: describe,
			body: `[["ModelName","m1","extra"]]`, traceback: "ValueError: dictionary update sequence element #0 has length 3; 2 is required",
		},
		{
			name: "R36 describe_language_model with a list body whose element is a number", method: "POST", resource: describe,
			body: `[5]`, traceback: "TypeError: cannot convert dictionary update sequence element #0 to a sequence",
		},
		{
			name: "R36 describe_language_model with a pair whose key is a number", method: "POST", resource: describe,
			body: `[[1,"m1"]]`, traceback: "TypeError: keywords must be strings",
		},
		{
			name: "R36 describe_language_model with a pair whose key is a list", method: "POST", resource: describe,
			body: `[[["ModelName"],"m1"]]`, traceback: "TypeError: unhashable type: 'list'",
		},
		{
			name: "R36 describe_language_model with a null body", method: "POST", resource: describe,
			body: `null`, traceback: "TypeError: 'NoneType' object is not iterable",
		},
	}
	runProxyCases(t, transcribeFakeOf, cases)
}
