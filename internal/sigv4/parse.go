package sigv4

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The signing algorithm SigV4 names, and the parts of a credential scope that are not request-specific.
const (
	algorithm  = "AWS4-HMAC-SHA256"
	terminator = "aws4_request"
	// timeFormat is ISO 8601 basic format, the form of X-Amz-Date.
	timeFormat = "20060102T150405Z"
	dateFormat = "20060102"
)

// Header and query parameter names of SigV4.
const (
	headerAuthorization = "Authorization"
	headerDate          = "X-Amz-Date"
	headerToken         = "X-Amz-Security-Token"
	queryAlgorithm      = "X-Amz-Algorithm"
	queryCredential     = "X-Amz-Credential"
	querySignature      = "X-Amz-Signature"
	querySignedHeaders  = "X-Amz-SignedHeaders"
	queryDate           = "X-Amz-Date"
	queryExpires        = "X-Amz-Expires"
	queryToken          = "X-Amz-Security-Token"
)

// signature is what a request says about its own signature, in either form.
type signature struct {
	presigned     bool
	algorithm     string
	credential    string
	signedHeaders []string
	signature     string
	date          string
	token         string
	// expires is X-Amz-Expires of a presigned request; 0 when absent.
	expires time.Duration
}

// scope is the parsed credential `<key id>/<date>/<region>/<service>/aws4_request`.
type scope struct {
	accessKeyID, date, region, service, terminator string
}

// readSignature finds the signature of r in its Authorization header or its query string (presigned form).
func readSignature(r *http.Request) (*signature, *Failure) {
	auth := r.Header.Get(headerAuthorization)
	query := r.URL.Query()
	_, presigned := query[queryAlgorithm]
	switch {
	case auth != "" && presigned:
		return nil, fail(BothForms, "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
	case auth == "" && !presigned:
		return nil, fail(MissingToken, MessageMissingToken)
	case presigned:
		return readQuery(query)
	default:
		return readHeader(auth, r.Header)
	}
}

// readHeader parses `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. Every missing part is
// named in one message, as API Gateway does. Only X-Amz-Date dates a request: the SDK signer cannot reproduce a
// signature over the Date header, and every AWS SDK sends X-Amz-Date.
func readHeader(auth string, header http.Header) (*signature, *Failure) {
	alg, rest, _ := strings.Cut(strings.TrimSpace(auth), " ")
	params := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok {
			params[k] = v
		}
	}
	var msg strings.Builder
	for _, name := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[name] == "" {
			fmt.Fprintf(&msg, "Authorization header requires '%s' parameter. ", name)
		}
	}
	date := header.Get(headerDate)
	if date == "" {
		msg.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if msg.Len() > 0 {
		msg.WriteString("Authorization=" + auth)
		return nil, fail(Incomplete, msg.String())
	}
	return &signature{
		algorithm:     alg,
		credential:    params["Credential"],
		signedHeaders: strings.Split(params["SignedHeaders"], ";"),
		signature:     params["Signature"],
		date:          date,
		token:         header.Get(headerToken),
	}, nil
}

// readQuery reads the X-Amz-* parameters of a presigned request.
func readQuery(query url.Values) (*signature, *Failure) {
	var msg strings.Builder
	for _, name := range []string{queryAlgorithm, queryCredential, querySignature, querySignedHeaders, queryDate} {
		if query.Get(name) == "" {
			fmt.Fprintf(&msg, "AWS query-string parameters must include '%s'. ", name)
		}
	}
	if msg.Len() > 0 {
		msg.WriteString("Re-examine the query-string parameters.")
		return nil, fail(Incomplete, msg.String())
	}
	s := &signature{
		presigned:     true,
		algorithm:     query.Get(queryAlgorithm),
		credential:    query.Get(queryCredential),
		signedHeaders: strings.Split(query.Get(querySignedHeaders), ";"),
		signature:     query.Get(querySignature),
		date:          query.Get(queryDate),
		token:         query.Get(queryToken),
	}
	if raw, ok := query[queryExpires]; ok {
		seconds, err := strconv.Atoi(raw[0])
		if err != nil || seconds < 0 {
			return nil, fail(Incomplete, fmt.Sprintf("X-Amz-Expires must be a non-negative integer of seconds, got '%s'.", raw[0]))
		}
		s.expires = time.Duration(seconds) * time.Second
	}
	return s, nil
}

// parseDate reads the signature's date.
func parseDate(s string) (time.Time, *Failure) {
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		return time.Time{}, fail(Incomplete,
			fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", s))
	}
	return t, nil
}

// parseScope splits the credential into its five parts.
func parseScope(credential string) (scope, *Failure) {
	parts := strings.Split(strings.TrimRight(credential, "/"), "/")
	if len(parts) != 5 {
		return scope{}, fail(Incomplete, fmt.Sprintf(
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", credential))
	}
	return scope{accessKeyID: parts[0], date: parts[1], region: parts[2], service: parts[3], terminator: parts[4]}, nil
}
