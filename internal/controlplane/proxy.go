package controlplane

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// The service proxies (control-plane §6.29, CP-29, CP-30) hand request values to boto3 and return what it parsed.
// Nothing there is caught, so every failure is a traceback 500. This file is the boto3 side of that, shared by the
// Transcribe and Translate routes: keyword arguments checked as botocore checks them, SDK outputs rendered as the
// dicts botocore returns, and the download of a presigned location as urllib did it.

// bodyFields decodes the body and reads the named fields in order, as the original's
// json.loads(body)['<field>'] did: a bad body or a missing field is its traceback.
func bodyFields(req *apigw.Request, names ...string) ([]any, error) {
	body, err := decodeBody(req)
	if err != nil {
		return nil, err
	}
	values := make([]any, len(names))
	for i, name := range names {
		if values[i], err = pyGet(body, name); err != nil {
			return nil, err
		}
	}
	return values, nil
}

// bodyKwargs binds a body passed verbatim as the SDK's parameters, `client.op(**dict(body))` in the original:
// exactly the SDK's parameter names are accepted (§6.29).
func bodyKwargs(req *apigw.Request, input any) error {
	body, err := decodeBody(req)
	if err != nil {
		return err
	}
	kwargs, err := pyDict(body)
	if err != nil {
		return err
	}
	return bind(kwargs, input)
}

// args builds boto3 keyword arguments from name/value pairs.
func args(pairs ...any) *pyjson.Map {
	m := pyjson.NewMap()
	for i := 0; i < len(pairs); i += 2 {
		m.Set(pairs[i].(string), pairs[i+1])
	}
	return m
}

// pyDict is Python's dict(v) followed by a keyword-argument call: a dict as is; a list of key/value pairs, or a
// str, whose elements must be pairs; anything else is not iterable. Keys must be strings to be keywords.
func pyDict(v any) (*pyjson.Map, error) {
	if m, ok := v.(*pyjson.Map); ok {
		return m, nil
	}
	elems, err := iterate(v)
	if err != nil {
		return nil, err
	}
	m := pyjson.NewMap()
	for i, e := range elems {
		pair, err := iterate(e)
		if err != nil {
			return nil, apigw.Unhandledf("TypeError", "cannot convert dictionary update sequence element #%d to a sequence", i)
		}
		if len(pair) != 2 {
			return nil, apigw.Unhandledf("ValueError", "dictionary update sequence element #%d has length %d; 2 is required", i, len(pair))
		}
		switch key := pair[0].(type) {
		case string:
			m.Set(key, pair[1])
		case []any, *pyjson.Map:
			return nil, apigw.Unhandledf("TypeError", "unhashable type: '%s'", pyjson.TypeName(key))
		default:
			return nil, apigw.Unhandledf("TypeError", "keywords must be strings")
		}
	}
	return m, nil
}

// paramValidation is botocore's ParamValidationError, raised before any request is sent. Its message spans lines,
// so the traceback ends with the report's lines as Python's does.
func paramValidation(report []string) error {
	return &apigw.Unhandled{
		Type:    "botocore.exceptions.ParamValidationError",
		Message: "Parameter validation failed:\n" + strings.Join(report, "\n"),
	}
}

// bind checks boto3 keyword arguments against an SDK input struct as botocore's parameter validation does (unknown
// names, wrong types; missing required members are the SDK's own check, see proxyError) and fills the input. Member
// names are the SDK's Go field names, which are the API's member names.
func bind(kwargs *pyjson.Map, input any) error {
	var report []string
	bindStruct(kwargs, reflect.ValueOf(input).Elem(), "", &report)
	if len(report) > 0 {
		return paramValidation(report)
	}
	return nil
}

// members lists the exported fields of an SDK struct: its API members.
func members(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		if f.IsExported() {
			names = append(names, f.Name)
		}
	}
	return names
}

// bindStruct binds the members of one structure. name is botocore's path of it (".ParallelDataConfig",
// ".Tags[0]", "" for the input itself), which its messages show without the leading dot.
func bindStruct(params *pyjson.Map, dst reflect.Value, name string, report *[]string) {
	where := strings.TrimPrefix(name, ".")
	if where == "" {
		where = "input"
	}
	valid := members(dst.Type())
	var known []string
	for key := range params.All() {
		if slices.Contains(valid, key) {
			known = append(known, key)
			continue
		}
		*report = append(*report, fmt.Sprintf("Unknown parameter in %s: \"%s\", must be one of: %s", where, key, strings.Join(valid, ", ")))
	}
	for _, key := range known {
		v, _ := params.Get(key)
		bindValue(v, dst.FieldByName(key), name+"."+key, report)
	}
}

// bindValue sets dst from a decoded JSON value, or reports botocore's type error. The kinds handled are those of
// the inputs the proxies fill (TestBindCoversProxyInputs walks them).
func bindValue(v any, dst reflect.Value, name string, report *[]string) {
	invalid := func(valid string) {
		*report = append(*report, fmt.Sprintf("Invalid type for parameter %s, value: %s, type: <class '%s'>, valid types: %s",
			strings.TrimPrefix(name, "."), pyStrOf(v), pyjson.TypeName(v), valid))
	}
	t := dst.Type()
	switch {
	case t.Kind() == reflect.String || t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.String:
		s, ok := v.(string)
		if !ok {
			invalid("<class 'str'>")
			return
		}
		if t.Kind() == reflect.Pointer {
			dst.Set(reflect.New(t.Elem()))
			dst = dst.Elem()
		}
		dst.SetString(s)
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct || t.Kind() == reflect.Struct:
		m, ok := v.(*pyjson.Map)
		if !ok {
			invalid("<class 'dict'>")
			return
		}
		if t.Kind() == reflect.Pointer {
			dst.Set(reflect.New(t.Elem()))
			dst = dst.Elem()
		}
		bindStruct(m, dst, name, report)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		// A blob: botocore takes bytes or a str, which it encodes as UTF-8; JSON has only the str.
		s, ok := v.(string)
		if !ok {
			invalid("<class 'bytes'>, <class 'bytearray'>, file-like object")
			return
		}
		dst.SetBytes([]byte(s))
	case t.Kind() == reflect.Slice:
		l, ok := v.([]any)
		if !ok {
			invalid("<class 'list'>, <class 'tuple'>")
			return
		}
		dst.Set(reflect.MakeSlice(t, len(l), len(l)))
		for i, e := range l {
			bindValue(e, dst.Index(i), fmt.Sprintf("%s[%d]", name, i), report)
		}
	default:
		panic(fmt.Sprintf("service proxy: no binding for SDK parameter type %s", t))
	}
}

// proxyError is the traceback of a failed SDK call: the SDK's check of required members becomes botocore's
// ParamValidationError (`Missing required parameter in <where>: "<member>"`), AWS errors botocore's ClientError.
func proxyError(err error) error {
	var invalid smithy.InvalidParamsError
	if !errors.As(err, &invalid) {
		return traceback(err)
	}
	var report []string
	for _, e := range invalid.Errs() {
		// The SDK names the field after its input type: CreateParallelDataInput.EncryptionKey.Id.
		path := e.(smithy.InvalidParamError).Field()
		path = path[strings.Index(path, ".")+1:]
		where, member := "input", path
		if i := strings.LastIndex(path, "."); i >= 0 {
			where, member = path[:i], path[i+1:]
		}
		report = append(report, fmt.Sprintf("Missing required parameter in %s: \"%s\"", where, member))
	}
	return paramValidation(report)
}

// botocoreOutput renders an SDK output as the dict botocore returns (§6.29): the members the response holds, under
// the API's member names, every timestamp in isoformat (Q-24: all of them, where the original missed some), and
// ResponseMetadata last.
func botocoreOutput(out any) *pyjson.Map {
	v := reflect.ValueOf(out).Elem()
	m := structMap(v)
	m.Set("ResponseMetadata", responseMetadata(v.FieldByName("ResultMetadata").Interface().(middleware.Metadata)))
	return m
}

func structMap(v reflect.Value) *pyjson.Map {
	m := pyjson.NewMap()
	for f, fv := range v.Fields() {
		if !f.IsExported() || f.Name == "ResultMetadata" {
			continue
		}
		if value, ok := pyValue(fv); ok {
			m.Set(f.Name, value)
		}
	}
	return m
}

// pyValue is the Python value botocore parses a member into, and whether the response held the member: the SDK
// leaves absent members nil, and absent enums empty. The kinds handled are those of the outputs the proxies
// return (TestRenderCoversProxyOutputs walks them).
func pyValue(v reflect.Value) (any, bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil, false
		}
		if v.Elem().Kind() == reflect.String {
			return v.Elem().String(), true
		}
		return pyValue(v.Elem())
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return isoformat(t), true
		}
		return structMap(v), true
	case reflect.Slice:
		if v.IsNil() {
			return nil, false
		}
		l := make([]any, v.Len())
		for i := range l {
			l[i], _ = pyValue(v.Index(i))
		}
		return l, true
	case reflect.String:
		return v.String(), v.Len() > 0
	case reflect.Bool:
		return v.Bool(), true
	case reflect.Int32, reflect.Int64:
		return v.Int(), true
	}
	panic(fmt.Sprintf("service proxy: no rendering for SDK member type %s", v.Type()))
}

// isoformat is Python's datetime.isoformat() of the UTC-aware datetime botocore parses a timestamp into (§6.29):
// 2024-01-02T03:04:05.678000+00:00, without the fraction when the microseconds are zero.
func isoformat(t time.Time) string {
	t = t.UTC()
	s := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return s + "+00:00"
}

// responseMetadata is botocore's ResponseMetadata of a call: the request id, the HTTP status and headers (names
// lower-cased) and the number of retries.
func responseMetadata(meta middleware.Metadata) *pyjson.Map {
	m := pyjson.NewMap()
	if id, ok := awsmiddleware.GetRequestIDMetadata(meta); ok {
		m.Set("RequestId", id)
	}
	if raw, ok := awsmiddleware.GetRawResponse(meta).(*smithyhttp.Response); ok {
		m.Set("HTTPStatusCode", raw.StatusCode)
		headers := pyjson.NewMap()
		for _, name := range slices.Sorted(maps.Keys(raw.Header)) {
			headers.Set(strings.ToLower(name), strings.Join(raw.Header[name], ", "))
		}
		m.Set("HTTPHeaders", headers)
	}
	retries := 0
	if attempts, ok := retry.GetAttemptResults(meta); ok && len(attempts.Results) > 0 {
		retries = len(attempts.Results) - 1
	}
	m.Set("RetryAttempts", retries)
	return m
}

// pager is an SDK paginator.
type pager[Out, Opts any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(*Opts)) (*Out, error)
}

// allPages reads every page of a listing and returns the last page holding the items of all pages (Q-23: the
// original followed NextToken but answered the last page only). The caller clears the last page's NextToken.
func allPages[Out, Opts, Item any](ctx context.Context, pages pager[Out, Opts], items func(*Out) *[]Item) (*Out, error) {
	all := []Item{}
	var last *Out
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, proxyError(err)
		}
		all, last = append(all, *items(page)...), page
	}
	*items(last) = all
	return last, nil
}

// httpClient is the client of the downloads: Clients.HTTP, or Go's default client.
func (h *Handler) httpClient() *http.Client {
	if h.clients.HTTP != nil {
		return h.clients.HTTP
	}
	return http.DefaultClient
}

// urlopen reads a presigned location as the original's urllib.request.urlopen(url).read().decode("utf-8") did
// (R31, R38, R43), with urllib's errors: a URL without scheme, a scheme other than http(s), a failed connection,
// a status outside 2xx, and content that is not UTF-8.
func (h *Handler) urlopen(ctx context.Context, location string) (string, error) {
	u, err := url.Parse(location)
	if err != nil || u.Scheme == "" {
		return "", apigw.Unhandledf("ValueError", "unknown url type: %s", pyjson.Repr(location))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", apigw.Unhandledf("urllib.error.URLError", "<urlopen error unknown url type: %s>", u.Scheme)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
	if err != nil {
		return "", apigw.Unhandledf("urllib.error.URLError", "<urlopen error %v>", err)
	}
	resp, err := h.httpClient().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", apigw.Unhandledf("urllib.error.URLError", "<urlopen error %v>", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		reason := strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode)))
		return "", apigw.Unhandledf("urllib.error.HTTPError", "HTTP Error %d: %s", resp.StatusCode, reason)
	}
	content, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", traceback(fmt.Errorf("read the download: %w", err))
	}
	return decodeUTF8(content)
}

// decodeUTF8 is Python's bytes.decode("utf-8"), whose UnicodeDecodeError names the first bad sequence.
func decodeUTF8(b []byte) (string, error) {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return "", unicodeDecodeError(b, i)
		}
		i += size
	}
	return string(b), nil
}

// unicodeDecodeError words a bad sequence at b[i] as CPython's UTF-8 decoder does: a byte that cannot start a
// sequence, a byte that cannot continue it (the range covers the valid prefix), or a sequence cut off by the end.
func unicodeDecodeError(b []byte, i int) error {
	lead := b[i]
	// need continuation bytes; the first one must lie in lo..hi (which excludes overlong forms and surrogates).
	need, lo, hi := 0, byte(0x80), byte(0xBF)
	switch {
	case lead >= 0xC2 && lead <= 0xDF:
		need = 1
	case lead == 0xE0:
		need, lo = 2, 0xA0
	case lead == 0xED:
		need, hi = 2, 0x9F
	case lead >= 0xE1 && lead <= 0xEF:
		need = 2
	case lead == 0xF0:
		need, lo = 3, 0x90
	case lead == 0xF4:
		need, hi = 3, 0x8F
	case lead >= 0xF1 && lead <= 0xF3:
		need = 3
	}
	reason, end := "invalid start byte", i+1
	for k := 1; k <= need; k++ {
		if i+k >= len(b) {
			reason, end = "unexpected end of data", len(b)
			break
		}
		if c := b[i+k]; c < lo || c > hi {
			reason, end = "invalid continuation byte", i+k
			break
		}
		lo, hi = 0x80, 0xBF
	}
	if end-i == 1 {
		return apigw.Unhandledf("UnicodeDecodeError", "'utf-8' codec can't decode byte 0x%02x in position %d: %s", lead, i, reason)
	}
	return apigw.Unhandledf("UnicodeDecodeError", "'utf-8' codec can't decode bytes in position %d-%d: %s", i, end-1, reason)
}
