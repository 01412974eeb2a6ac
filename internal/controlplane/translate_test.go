package controlplane

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Translate answers in the service's wire form: timestamps are epoch seconds.
const (
	terminologyProps = `{"Name":"glossary","Arn":"arn:aws:translate:us-east-1:123456789012:terminology/glossary/LATEST",` +
		`"SourceLanguageCode":"en","TargetLanguageCodes":["fr"],"Format":"CSV","Directionality":"UNI","TermCount":2,` +
		`"SizeBytes":30,"CreatedAt":946684800,"LastUpdatedAt":946771200.123}`
	terminologyPropsPy = `{"Name":"glossary","Arn":"arn:aws:translate:us-east-1:123456789012:terminology/glossary/LATEST",` +
		`"SourceLanguageCode":"en","TargetLanguageCodes":["fr"],"Format":"CSV","Directionality":"UNI","TermCount":2,` +
		`"SizeBytes":30,"CreatedAt":"2000-01-01T00:00:00+00:00","LastUpdatedAt":"2000-01-02T00:00:00.123000+00:00"}`
	otherTerminologyProps   = `{"Name":"other","CreatedAt":1700000000,"LastUpdatedAt":1700000001}`
	otherTerminologyPropsPy = `{"Name":"other","CreatedAt":"2023-11-14T22:13:20+00:00","LastUpdatedAt":"2023-11-14T22:13:21+00:00"}`
	parallelProps           = `{"Name":"pd","Arn":"arn:aws:translate:us-east-1:123456789012:parallel-data/pd","Status":"ACTIVE",` +
		`"SourceLanguageCode":"en","TargetLanguageCodes":["de","fr"],"ParallelDataConfig":{"S3Uri":"s3://b/pd.csv","Format":"CSV"},` +
		`"ImportedDataSize":1024,"ImportedRecordCount":10,"FailedRecordCount":0,"SkippedRecordCount":1,` +
		`"EncryptionKey":{"Type":"KMS","Id":"arn:aws:kms:us-east-1:123456789012:key/k"},` +
		`"CreatedAt":946684800.5,"LastUpdatedAt":946684801,"LatestUpdateAttemptStatus":"ACTIVE","LatestUpdateAttemptAt":946684802.25}`
	parallelPropsPy = `{"Name":"pd","Arn":"arn:aws:translate:us-east-1:123456789012:parallel-data/pd","Status":"ACTIVE",` +
		`"SourceLanguageCode":"en","TargetLanguageCodes":["de","fr"],"ParallelDataConfig":{"S3Uri":"s3://b/pd.csv","Format":"CSV"},` +
		`"ImportedDataSize":1024,"ImportedRecordCount":10,"FailedRecordCount":0,"SkippedRecordCount":1,` +
		`"EncryptionKey":{"Type":"KMS","Id":"arn:aws:kms:us-east-1:123456789012:key/k"},` +
		`"CreatedAt":"2000-01-01T00:00:00.500000+00:00","LastUpdatedAt":"2000-01-01T00:00:01+00:00",` +
		`"LatestUpdateAttemptStatus":"ACTIVE","LatestUpdateAttemptAt":"2000-01-01T00:00:02.250000+00:00"}`
)

// proxyCase is one request to a proxy route backed by a fake service.
type proxyCase struct {
	name     string
	method   string
	resource string
	body     string
	// answers are queued on the fake before the request.
	answers []fakeAnswer
	// calls are the expected requests to the fake, "<Operation> <JSON body>".
	calls []string
	// want is the expected 200 body, with metadataPlaceholder for ResponseMetadata; or traceback the expected end
	// of a traceback 500.
	want, traceback string
}

func runProxyCases(t *testing.T, fake func(s *stack, transcribe, translate *serviceFake) *serviceFake, cases []proxyCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, transcribeFake, translateFake := fakeStack(t)
			f := fake(s, transcribeFake, translateFake)
			f.queue(tc.answers...)
			resp := s.do(request{method: tc.method, resource: tc.resource, body: tc.body})
			if tc.traceback != "" {
				assertTracebackEnd(t, resp, tc.traceback)
			} else {
				assert.JSONEq(t, tc.want, proxyBody(t, f, resp))
			}
			assert.Equal(t, "*", resp.Headers["Access-Control-Allow-Origin"])
			f.assertCalls(tc.calls...)
		})
	}
}

func translateFakeOf(_ *stack, _, translate *serviceFake) *serviceFake { return translate }

// CP-30: every Translate proxy (R37-R46) against a fake speaking the service's JSON 1.1 protocol: the SDK call and
// its parameters, the answer with every timestamp in isoformat, and each failure's traceback.
func TestTranslateProxies(t *testing.T) {
	const (
		getTerm   = "/service/translate/get_terminology"
		listTerm  = "/service/translate/list_terminologies"
		delTerm   = "/service/translate/delete_terminology"
		createTrm = "/service/translate/create_terminology"
		getPD     = "/service/translate/get_parallel_data"
		listPD    = "/service/translate/list_parallel_data"
		delPD     = "/service/translate/delete_parallel_data"
		createPD  = "/service/translate/create_parallel_data"
		validated = "botocore.exceptions.ParamValidationError: Parameter validation failed:\n"
	)
	csv := "en,fr\nhello,bonjour\ncafé,café\n"
	cases := []proxyCase{
		{
			name: "R37 get_terminology: properties converted, no ResponseMetadata", method: "POST", resource: getTerm,
			body: `{"terminology_name":"glossary"}`,
			answers: []fakeAnswer{answer("GetTerminology", `{"TerminologyProperties":`+terminologyProps+
				`,"TerminologyDataLocation":{"RepositoryType":"S3","Location":"https://example.com/glossary.csv"}}`)},
			calls: []string{`GetTerminology {"Name":"glossary","TerminologyDataFormat":"CSV"}`},
			want: `{"TerminologyProperties":` + terminologyPropsPy +
				`,"TerminologyDataLocation":{"RepositoryType":"S3","Location":"https://example.com/glossary.csv"}}`,
		},
		{
			name: "R37 get_terminology without terminology_name", method: "POST", resource: getTerm,
			body: `{"Name":"glossary"}`, traceback: "KeyError: 'terminology_name'",
		},
		{
			name: "R37 get_terminology with a name that is not a string", method: "POST", resource: getTerm,
			body:      `{"terminology_name":["glossary"]}`,
			traceback: validated + "Invalid type for parameter Name, value: ['glossary'], type: <class 'list'>, valid types: <class 'str'>",
		},
		{
			name: "R37 get_terminology of an unknown terminology", method: "POST", resource: getTerm,
			body:      `{"terminology_name":"nope"}`,
			answers:   []fakeAnswer{awsError("GetTerminology", "ResourceNotFoundException", "Terminology nope does not exist")},
			calls:     []string{`GetTerminology {"Name":"nope","TerminologyDataFormat":"CSV"}`},
			traceback: "botocore.exceptions.ClientError: An error occurred (ResourceNotFoundException) when calling the GetTerminology operation: Terminology nope does not exist",
		},
		{
			name: "R37 get_terminology with a body that is not JSON", method: "POST", resource: getTerm,
			body: `{"terminology_name":`, traceback: "json.decoder.JSONDecodeError: Expecting value: line 1 column 21 (char 20)",
		},
		{
			name: "R38 download_terminology without terminology_name", method: "POST", resource: "/service/translate/download_terminology",
			body: `{}`, traceback: "KeyError: 'terminology_name'",
		},
		{
			name: "R38 download_terminology without a data location", method: "POST", resource: "/service/translate/download_terminology",
			body:      `{"terminology_name":"glossary"}`,
			answers:   []fakeAnswer{answer("GetTerminology", `{"TerminologyProperties":`+terminologyProps+`}`)},
			calls:     []string{`GetTerminology {"Name":"glossary","TerminologyDataFormat":"CSV"}`},
			traceback: "KeyError: 'TerminologyDataLocation'",
		},
		{
			name: "R39 list_terminologies: every page (Q-23)", method: "GET", resource: listTerm,
			answers: []fakeAnswer{
				answer("ListTerminologies", `{"TerminologyPropertiesList":[`+terminologyProps+`],"NextToken":"page2"}`),
				answer("ListTerminologies", `{"TerminologyPropertiesList":[`+otherTerminologyProps+`]}`),
			},
			calls: []string{`ListTerminologies {"MaxResults":100}`, `ListTerminologies {"MaxResults":100,"NextToken":"page2"}`},
			want: `{"TerminologyPropertiesList":[` + terminologyPropsPy + `,` + otherTerminologyPropsPy + `],` +
				`"ResponseMetadata":"<ResponseMetadata>"}`,
		},
		{
			name: "R39 list_terminologies failing on the second page", method: "GET", resource: listTerm,
			answers: []fakeAnswer{
				answer("ListTerminologies", `{"TerminologyPropertiesList":[],"NextToken":"page2"}`),
				awsError("ListTerminologies", "InvalidParameterValueException", "bad token"),
			},
			calls:     []string{`ListTerminologies {"MaxResults":100}`, `ListTerminologies {"MaxResults":100,"NextToken":"page2"}`},
			traceback: "botocore.exceptions.ClientError: An error occurred (InvalidParameterValueException) when calling the ListTerminologies operation: bad token",
		},
		{
			name: "R40 delete_terminology", method: "POST", resource: delTerm,
			body:    `{"terminology_name":"glossary"}`,
			answers: []fakeAnswer{answer("DeleteTerminology", `{}`)},
			calls:   []string{`DeleteTerminology {"Name":"glossary"}`},
			want:    `{"ResponseMetadata":"<ResponseMetadata>"}`,
		},
		{
			name: "R40 delete_terminology without terminology_name", method: "POST", resource: delTerm,
			body: `{"name":"glossary"}`, traceback: "KeyError: 'terminology_name'",
		},
		{
			name: "R40 delete_terminology of a body that is a list", method: "POST", resource: delTerm,
			body: `["glossary"]`, traceback: "TypeError: list indices must be integers or slices, not str",
		},
		{
			name: "R41 create_terminology: ImportTerminology of the CSV text", method: "POST", resource: createTrm,
			body:    `{"terminology_name":"glossary","terminology_csv":` + jsonString(t, csv) + `}`,
			answers: []fakeAnswer{answer("ImportTerminology", `{"TerminologyProperties":`+terminologyProps+`}`)},
			calls: []string{`ImportTerminology {"Name":"glossary","MergeStrategy":"OVERWRITE","TerminologyData":{"File":"` +
				base64.StdEncoding.EncodeToString([]byte(csv)) + `","Format":"CSV"}}`},
			want: `{"TerminologyProperties":` + terminologyPropsPy + `,"ResponseMetadata":"<ResponseMetadata>"}`,
		},
		{
			name: "R41 create_terminology without terminology_csv", method: "POST", resource: createTrm,
			body: `{"terminology_name":"glossary"}`, traceback: "KeyError: 'terminology_csv'",
		},
		{
			name: "R41 create_terminology with a CSV that is not a string", method: "POST", resource: createTrm,
			body: `{"terminology_name":"glossary","terminology_csv":5}`,
			traceback: validated + "Invalid type for parameter TerminologyData.File, value: 5, type: <class 'int'>, " +
				"valid types: <class 'bytes'>, <class 'bytearray'>, file-like object",
		},
		{
			name: "R42 get_parallel_data: every timestamp converted, LatestUpdateAttemptAt included (Q-24)", method: "POST", resource: getPD,
			body: `{"Name":"pd"}`,
			answers: []fakeAnswer{answer("GetParallelData", `{"ParallelDataProperties":`+parallelProps+
				`,"DataLocation":{"RepositoryType":"S3","Location":"https://example.com/pd.csv"}}`)},
			calls: []string{`GetParallelData {"Name":"pd"}`},
			want: `{"ParallelDataProperties":` + parallelPropsPy +
				`,"DataLocation":{"RepositoryType":"S3","Location":"https://example.com/pd.csv"},"ResponseMetadata":"<ResponseMetadata>"}`,
		},
		{
			name: "R42 get_parallel_data with a list of pairs as body, which Python's dict() accepts", method: "POST", resource: getPD,
			body:    `[["Name","pd"]]`,
			answers: []fakeAnswer{answer("GetParallelData", `{"ParallelDataProperties":{"Name":"pd"}}`)},
			calls:   []string{`GetParallelData {"Name":"pd"}`},
			want:    `{"ParallelDataProperties":{"Name":"pd"},"ResponseMetadata":"<ResponseMetadata>"}`,
		},
		{
			name: "R42 get_parallel_data with an unknown parameter", method: "POST", resource: getPD,
			body:      `{"Name":"pd","parallel_data_name":"pd"}`,
			traceback: validated + `Unknown parameter in input: "parallel_data_name", must be one of: Name`,
		},
		{
			name: "R42 get_parallel_data without Name", method: "POST", resource: getPD,
			body: `{}`, traceback: validated + `Missing required parameter in input: "Name"`,
		},
		{
			name: "R43 download_parallel_data without a data location", method: "POST", resource: "/service/translate/download_parallel_data",
			body:      `{"Name":"pd"}`,
			answers:   []fakeAnswer{answer("GetParallelData", `{"ParallelDataProperties":{"Name":"pd"}}`)},
			calls:     []string{`GetParallelData {"Name":"pd"}`},
			traceback: "KeyError: 'DataLocation'",
		},
		{
			name: "R43 download_parallel_data with a data location without Location", method: "POST", resource: "/service/translate/download_parallel_data",
			body:      `{"Name":"pd"}`,
			answers:   []fakeAnswer{answer("GetParallelData", `{"DataLocation":{"RepositoryType":"S3"}}`)},
			calls:     []string{`GetParallelData {"Name":"pd"}`},
			traceback: "KeyError: 'Location'",
		},
		{
			name: "R44 list_parallel_data: every page (Q-23)", method: "GET", resource: listPD,
			answers: []fakeAnswer{
				answer("ListParallelData", `{"ParallelDataPropertiesList":[`+parallelProps+`],"NextToken":"p2"}`),
				answer("ListParallelData", `{"ParallelDataPropertiesList":[],"NextToken":"p3"}`),
				answer("ListParallelData", `{"ParallelDataPropertiesList":[{"Name":"pd2","Status":"CREATING"}],"NextToken":""}`),
			},
			calls: []string{`ListParallelData {"MaxResults":100}`, `ListParallelData {"MaxResults":100,"NextToken":"p2"}`,
				`ListParallelData {"MaxResults":100,"NextToken":"p3"}`},
			want: `{"ParallelDataPropertiesList":[` + parallelPropsPy + `,{"Name":"pd2","Status":"CREATING"}],` +
				`"ResponseMetadata":"<ResponseMetadata>"}`,
		},
		{
			name: "R44 list_parallel_data of an account without any", method: "GET", resource: listPD,
			answers: []fakeAnswer{answer("ListParallelData", `{"ParallelDataPropertiesList":[]}`)},
			calls:   []string{`ListParallelData {"MaxResults":100}`},
			want:    `{"ParallelDataPropertiesList":[],"ResponseMetadata":"<ResponseMetadata>"}`,
		},
		{
			name: "R45 delete_parallel_data", method: "POST", resource: delPD,
			body:    `{"Name":"pd"}`,
			answers: []fakeAnswer{answer("DeleteParallelData", `{"Name":"pd","Status":"DELETING"}`)},
			calls:   []string{`DeleteParallelData {"Name":"pd"}`},
			want:    `{"Name":"pd","Status":"DELETING","ResponseMetadata":"<ResponseMetadata>"}`,
		},
		{
			name: "R45 delete_parallel_data with a string body", method: "POST", resource: delPD,
			body: `"pd"`, traceback: "ValueError: dictionary update sequence element #0 has length 1; 2 is required",
		},
		{
			name: "R45 delete_parallel_data with a number body", method: "POST", resource: delPD,
			body: `5`, traceback: "TypeError: 'int' object is not iterable",
		},
		{
			name: "R46 create_parallel_data: the body is the parameters", method: "POST", resource: createPD,
			body: `{"Name":"pd","Description":"d","ParallelDataConfig":{"S3Uri":"s3://b/pd.csv","Format":"CSV"},` +
				`"EncryptionKey":{"Type":"KMS","Id":"k"},"ClientToken":"token-1","Tags":[{"Key":"k","Value":"v"}]}`,
			answers: []fakeAnswer{answer("CreateParallelData", `{"Name":"pd","Status":"CREATING"}`)},
			calls: []string{`CreateParallelData {"Name":"pd","Description":"d","ParallelDataConfig":{"S3Uri":"s3://b/pd.csv","Format":"CSV"},` +
				`"EncryptionKey":{"Type":"KMS","Id":"k"},"ClientToken":"token-1","Tags":[{"Key":"k","Value":"v"}]}`},
			want: `{"Name":"pd","Status":"CREATING","ResponseMetadata":"<ResponseMetadata>"}`,
		},
		{
			name: "R46 create_parallel_data with an unknown member of ParallelDataConfig", method: "POST", resource: createPD,
			body:      `{"Name":"pd","ParallelDataConfig":{"S3Uri":"s3://b/pd.csv","Format":"CSV","Region":"us-east-1"}}`,
			traceback: validated + `Unknown parameter in ParallelDataConfig: "Region", must be one of: Format, S3Uri`,
		},
		{
			name: "R46 create_parallel_data with values of the wrong types", method: "POST", resource: createPD,
			body: `{"Name":null,"ParallelDataConfig":"s3://b/pd.csv","Tags":[5]}`,
			traceback: validated + "Invalid type for parameter Name, value: None, type: <class 'NoneType'>, valid types: <class 'str'>\n" +
				"Invalid type for parameter ParallelDataConfig, value: s3://b/pd.csv, type: <class 'str'>, valid types: <class 'dict'>\n" +
				"Invalid type for parameter Tags[0], value: 5, type: <class 'int'>, valid types: <class 'dict'>",
		},
		{
			name: "R46 create_parallel_data without required members", method: "POST", resource: createPD,
			body: `{"Name":"pd","ParallelDataConfig":{},"EncryptionKey":{"Type":"KMS"},"Tags":[{"Key":"k"}],"ClientToken":"t"}`,
			traceback: validated + `Missing required parameter in EncryptionKey: "Id"` + "\n" +
				`Missing required parameter in Tags[0]: "Value"`,
		},
	}
	runProxyCases(t, translateFakeOf, cases)
}

// CP-30: R46 lets the SDK fill a missing ClientToken with an idempotency token, as boto3 did.
func TestCreateParallelDataFillsClientToken(t *testing.T) {
	s, _, f := fakeStack(t)
	f.queue(answer("CreateParallelData", `{"Name":"pd","Status":"CREATING"}`))
	resp := s.post("/service/translate/create_parallel_data", `{"Name":"pd","ParallelDataConfig":{"S3Uri":"s3://b/pd.csv","Format":"CSV"}}`)
	assert.JSONEq(t, `{"Name":"pd","Status":"CREATING","ResponseMetadata":"<ResponseMetadata>"}`, proxyBody(t, f, resp))
	var sent map[string]any
	require.NoError(t, json.Unmarshal([]byte(f.lastCall().body), &sent))
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f-]{36}$`), sent["ClientToken"])
	assert.Equal(t, "pd", sent["Name"])
}

// CP-30: the downloads of R38 and R43 read the presigned location the service returns; R38's key is `terminology`
// (Q-26, kept). Failures of the download are urllib's errors.
func TestTranslateDownloads(t *testing.T) {
	files := newFileServer(t, map[string]fakeFile{
		"/glossary.csv":  {status: http.StatusOK, content: "en,fr\nhello,bonjour\ncafé,café\n"},
		"/pd.csv":        {status: http.StatusOK, content: "en,de\r\nhello,hallo\r\n"},
		"/forbidden.csv": {status: http.StatusForbidden, content: "<Error><Code>AccessDenied</Code></Error>"},
		"/latin1.csv":    {status: http.StatusOK, content: "en,fr\ncaf\xe9,caf\xe9\n"},
	})
	terminologyAt := func(path string) fakeAnswer {
		return answer("GetTerminology", `{"TerminologyProperties":`+terminologyProps+
			`,"TerminologyDataLocation":{"RepositoryType":"S3","Location":"`+files.url+path+`?X-Amz-Signature=abc"}}`)
	}
	cases := []proxyCase{
		{
			name: "R38 download_terminology", method: "POST", resource: "/service/translate/download_terminology",
			body: `{"terminology_name":"glossary"}`, answers: []fakeAnswer{terminologyAt("/glossary.csv")},
			calls: []string{`GetTerminology {"Name":"glossary","TerminologyDataFormat":"CSV"}`},
			want:  `{"terminology":"en,fr\nhello,bonjour\ncafé,café\n"}`,
		},
		{
			name: "R38 download_terminology refused by the location", method: "POST", resource: "/service/translate/download_terminology",
			body: `{"terminology_name":"glossary"}`, answers: []fakeAnswer{terminologyAt("/forbidden.csv")},
			calls:     []string{`GetTerminology {"Name":"glossary","TerminologyDataFormat":"CSV"}`},
			traceback: "urllib.error.HTTPError: HTTP Error 403: Forbidden",
		},
		{
			name: "R38 download_terminology of a text that is not UTF-8", method: "POST", resource: "/service/translate/download_terminology",
			body: `{"terminology_name":"glossary"}`, answers: []fakeAnswer{terminologyAt("/latin1.csv")},
			calls:     []string{`GetTerminology {"Name":"glossary","TerminologyDataFormat":"CSV"}`},
			traceback: "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9 in position 9: invalid continuation byte",
		},
		{
			name: "R43 download_parallel_data", method: "POST", resource: "/service/translate/download_parallel_data",
			body:    `{"Name":"pd"}`,
			answers: []fakeAnswer{answer("GetParallelData", `{"DataLocation":{"RepositoryType":"S3","Location":"`+files.url+`/pd.csv"}}`)},
			calls:   []string{`GetParallelData {"Name":"pd"}`},
			want:    `{"parallel_data_csv":"en,de\r\nhello,hallo\r\n"}`,
		},
		{
			name: "R43 download_parallel_data with an unknown parameter", method: "POST", resource: "/service/translate/download_parallel_data",
			body:      `{"name":"pd"}`,
			traceback: "botocore.exceptions.ParamValidationError: Parameter validation failed:\nUnknown parameter in input: \"name\", must be one of: Name",
		},
	}
	runProxyCases(t, translateFakeOf, cases)
	assert.Equal(t, []string{"/glossary.csv?X-Amz-Signature=abc", "/forbidden.csv?X-Amz-Signature=abc", "/latin1.csv?X-Amz-Signature=abc", "/pd.csv"},
		files.requested())
}

// jsonString is s as a JSON string literal.
func jsonString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	require.NoError(t, err)
	return string(b)
}
