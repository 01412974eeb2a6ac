package controlplane

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/transcribe"
	"github.com/aws/aws-sdk-go-v2/service/translate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// CP-01: the proxy routes R30-R46, each alone on its resource: IAM and CORS, the preflight's methods of
// infrastructure §3.3, 405 with the one allowed method, 415 for a body that is not JSON.
func TestProxyRoutes(t *testing.T) {
	h, err := New(Config{}, Clients{}, nil)
	require.NoError(t, err)
	r := h.Router()
	want := map[string]string{
		"/service/transcribe/get_vocabulary":          http.MethodPost, // R30
		"/service/transcribe/download_vocabulary":     http.MethodPost, // R31
		"/service/transcribe/list_vocabularies":       http.MethodGet,  // R32
		"/service/transcribe/delete_vocabulary":       http.MethodPost, // R33
		"/service/transcribe/create_vocabulary":       http.MethodPost, // R34
		"/service/transcribe/list_language_models":    http.MethodGet,  // R35
		"/service/transcribe/describe_language_model": http.MethodPost, // R36
		"/service/translate/get_terminology":          http.MethodPost, // R37
		"/service/translate/download_terminology":     http.MethodPost, // R38
		"/service/translate/list_terminologies":       http.MethodGet,  // R39
		"/service/translate/delete_terminology":       http.MethodPost, // R40
		"/service/translate/create_terminology":       http.MethodPost, // R41
		"/service/translate/get_parallel_data":        http.MethodPost, // R42
		"/service/translate/download_parallel_data":   http.MethodPost, // R43
		"/service/translate/list_parallel_data":       http.MethodGet,  // R44
		"/service/translate/delete_parallel_data":     http.MethodPost, // R45
		"/service/translate/create_parallel_data":     http.MethodPost, // R46
	}
	got := map[string]string{}
	for _, rt := range r.Routes() {
		if _, ok := want[rt.Resource]; ok {
			got[rt.Resource] = rt.Method
			assert.True(t, rt.IAM && rt.CORS, rt.Resource)
		}
	}
	assert.Equal(t, want, got)
	for resource, method := range want {
		assert.Equal(t, method+",OPTIONS", r.CORSAllowMethods(resource), resource)
		other := http.MethodGet
		if method == http.MethodGet {
			other = http.MethodPost
		}
		e := apigw.Event{Headers: map[string]string{"content-type": "text/plain"}}
		e.RequestContext.ResourcePath, e.RequestContext.HTTPMethod = resource, other
		resp, err := h.Handle(t.Context(), e)
		require.NoError(t, err)
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, resource)
		assert.Equal(t, method, resp.Headers["Allow"], resource)

		e.RequestContext.HTTPMethod = method
		resp, err = h.Handle(t.Context(), e)
		require.NoError(t, err)
		assert.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode, resource)
		assert.Equal(t, "*", resp.Headers["Access-Control-Allow-Origin"], resource)
	}
}

// CP-29, CP-30: timestamps as Python's isoformat() of the UTC datetime botocore makes of them (§6.29).
func TestIsoformat(t *testing.T) {
	cases := []struct {
		t    time.Time
		want string
	}{
		{time.Unix(0, 0), "1970-01-01T00:00:00+00:00"},
		{time.Unix(946684800, 500_000_000), "2000-01-01T00:00:00.500000+00:00"},
		{time.UnixMilli(1704067200123), "2024-01-01T00:00:00.123000+00:00"},
		{time.Unix(-2, 500_000_000), "1969-12-31T23:59:58.500000+00:00"},
		{time.Date(2024, 1, 2, 4, 4, 5, 678_000_000, time.FixedZone("CET", 3600)), "2024-01-02T03:04:05.678000+00:00"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, isoformat(tc.t))
	}
}

// CP-29, CP-30: downloads are decoded as Python's bytes.decode("utf-8"), whose error names the bad sequence
// (texts taken from CPython 3.11).
func TestDecodeUTF8(t *testing.T) {
	const prefix = "UnicodeDecodeError: 'utf-8' codec can't decode "
	cases := []struct {
		in, want, err string
	}{
		{in: "caf\xc3\xa9 \xef\xbb\xbf ok \xf0\x9f\x98\x80", want: "café \ufeff ok 😀"},
		{in: "\x80abc", err: "byte 0x80 in position 0: invalid start byte"},
		{in: "ab\xff", err: "byte 0xff in position 2: invalid start byte"},
		{in: "\xc0\xaf", err: "byte 0xc0 in position 0: invalid start byte"},
		{in: "\xf5", err: "byte 0xf5 in position 0: invalid start byte"},
		{in: "\xe2(\xa1", err: "byte 0xe2 in position 0: invalid continuation byte"},
		{in: "x\xe2\x82(", err: "bytes in position 1-2: invalid continuation byte"},
		{in: "\xe0\x80\x80", err: "byte 0xe0 in position 0: invalid continuation byte"},
		{in: "\xed\xa0\x80", err: "byte 0xed in position 0: invalid continuation byte"},
		{in: "\xf4\x90\x80\x80", err: "byte 0xf4 in position 0: invalid continuation byte"},
		{in: "\xf0\x9f\x98A", err: "bytes in position 0-2: invalid continuation byte"},
		{in: "xy\xc3", err: "byte 0xc3 in position 2: unexpected end of data"},
		{in: "x\xe2\x82", err: "bytes in position 1-2: unexpected end of data"},
		{in: "\xf0\x9f\x98", err: "bytes in position 0-2: unexpected end of data"},
	}
	for _, tc := range cases {
		got, err := decodeUTF8([]byte(tc.in))
		if tc.err != "" {
			assert.EqualError(t, err, prefix+tc.err, "%q", tc.in)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, got)
	}
}

// CP-29, Q-25 (kept): R31's reading of a vocabulary table.
func TestParseVocabulary(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"empty file", "", `[]`},
		{"header only", "Phrase\tDisplayAs", `[]`},
		{"final newline gives an empty object", "Phrase\tDisplayAs\nLA\tLos Angeles\n", `[{"Phrase":"LA","DisplayAs":"Los Angeles"},{}]`},
		{"carriage returns stay", "Phrase\tDisplayAs\r\nLA\tLos Angeles\r\n", `[{"Phrase":"LA","DisplayAs\r":"Los Angeles\r"},{}]`},
		{"lines with too few or too many values", "A\tB\none\nx\ty\tz\n\t", `[{},{},{"A":"","B":""}]`},
		{"a repeated column keeps its first place and last value", "A\tB\tA\n1\t2\t3", `[{"A":"3","B":"2"}]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pyjson.Compact(parseVocabulary(tc.text))
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

// CP-29, CP-30: ResponseMetadata as botocore reports it, here of a call the SDK retried once: the request id,
// status and headers of the answer used, and the number of retries.
func TestResponseMetadataCountsRetries(t *testing.T) {
	f := newServiceFake(t, translateTarget)
	client := translate.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")},
		func(o *translate.Options) {
			o.BaseEndpoint = aws.String(f.url)
			o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = 3
				so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
				so.RateLimiter = ratelimit.None
			})
		})
	h, err := New(Config{}, Clients{Translate: client}, nil)
	require.NoError(t, err)
	f.queue(fakeAnswer{op: "DeleteTerminology", status: http.StatusInternalServerError, body: `{"__type":"InternalServerException","message":"try again"}`},
		answer("DeleteTerminology", `{}`))
	resp := (&stack{t: t, h: h}).post("/service/translate/delete_terminology", `{"terminology_name":"glossary"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	assert.JSONEq(t, `{"ResponseMetadata":{"RequestId":"req-2","HTTPStatusCode":200,"HTTPHeaders":{`+
		`"content-type":"application/x-amz-json-1.1","content-length":"2","date":"`+fakeDate+`","x-amzn-requestid":"req-2"},`+
		`"RetryAttempts":1}}`, resp.Body)
	f.assertCalls(`DeleteTerminology {"Name":"glossary"}`, `DeleteTerminology {"Name":"glossary"}`)
}

// TestBindCoversProxyInputs binds a value to every member of every input the proxies fill, so that no parameter a
// client may send reaches a kind bind cannot set (it would panic).
func TestBindCoversProxyInputs(t *testing.T) {
	inputs := []any{
		&transcribe.GetVocabularyInput{}, &transcribe.DeleteVocabularyInput{}, &transcribe.CreateVocabularyInput{},
		&transcribe.DescribeLanguageModelInput{},
		&translate.GetTerminologyInput{}, &translate.DeleteTerminologyInput{}, &translate.ImportTerminologyInput{},
		&translate.GetParallelDataInput{}, &translate.DeleteParallelDataInput{}, &translate.CreateParallelDataInput{},
	}
	for _, in := range inputs {
		kwargs := sampleParam(reflect.TypeOf(in).Elem()).(*pyjson.Map)
		require.NoError(t, bind(kwargs, in), "%T", in)
		for f, v := range reflect.ValueOf(in).Elem().Fields() {
			if f.IsExported() {
				assert.False(t, v.IsZero(), "%T.%s", in, f.Name)
			}
		}
	}
}

// sampleParam is a JSON value for a parameter of type t; kinds the proxies' inputs lack get a number, which bind
// rejects.
func sampleParam(t reflect.Type) any {
	switch {
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "blob"
	case t.Kind() == reflect.Pointer:
		return sampleParam(t.Elem())
	case t.Kind() == reflect.String:
		return "s"
	case t.Kind() == reflect.Struct:
		m := pyjson.NewMap()
		for f := range t.Fields() {
			if f.IsExported() {
				m.Set(f.Name, sampleParam(f.Type))
			}
		}
		return m
	case t.Kind() == reflect.Slice:
		return []any{sampleParam(t.Elem())}
	}
	return pyjson.Number("1")
}

// TestRenderCoversProxyOutputs renders every output the proxies return with every member set, so that no member
// a service may send reaches a kind the rendering cannot handle (it would panic), and every member is rendered.
func TestRenderCoversProxyOutputs(t *testing.T) {
	outputs := []any{
		&transcribe.GetVocabularyOutput{}, &transcribe.ListVocabulariesOutput{}, &transcribe.DeleteVocabularyOutput{},
		&transcribe.CreateVocabularyOutput{}, &transcribe.ListLanguageModelsOutput{}, &transcribe.DescribeLanguageModelOutput{},
		&translate.GetTerminologyOutput{}, &translate.ListTerminologiesOutput{}, &translate.DeleteTerminologyOutput{},
		&translate.ImportTerminologyOutput{}, &translate.GetParallelDataOutput{}, &translate.ListParallelDataOutput{},
		&translate.DeleteParallelDataOutput{}, &translate.CreateParallelDataOutput{},
	}
	for _, out := range outputs {
		fillMembers(reflect.ValueOf(out).Elem())
		m := botocoreOutput(out)
		var want []string
		for f := range reflect.TypeOf(out).Elem().Fields() {
			if f.IsExported() && f.Name != "ResultMetadata" {
				want = append(want, f.Name)
			}
		}
		assert.Equal(t, append(want, "ResponseMetadata"), m.Keys(), "%T", out)
	}
}

// fillMembers sets every member of an SDK value; kinds the proxies' outputs lack stay zero.
func fillMembers(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillMembers(v.Elem())
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Unix(1, 0)))
			return
		}
		for f, fv := range v.Fields() {
			if f.IsExported() && f.Name != "ResultMetadata" {
				fillMembers(fv)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillMembers(v.Index(0))
	case reflect.String:
		v.SetString("s")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int32, reflect.Int64:
		v.SetInt(7)
	}
}
