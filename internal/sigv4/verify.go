// Package sigv4 verifies AWS Signature Version 4 signatures on incoming HTTP requests the way API Gateway checks
// IAM-authorized routes, and answers failures with API Gateway's 403 messages.
//
// A signature is verified by signing the request again with the AWS SDK's own signer, at the date the request
// carries, with the secret of its access key, and comparing the two signatures. The checks run in the order AWS
// runs them, so a request with several faults gets the message AWS would give.
package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/logging"
)

// ServiceExecuteAPI is the signing name of API Gateway's invoke endpoint.
const ServiceExecuteAPI = "execute-api"

// MaxSkew is how far from the verifier's clock a signature may be dated (API Gateway's 5 minutes).
const MaxSkew = 5 * time.Minute

// CredentialsLookup returns the credentials of an access key id, found false when the key is unknown. An error is
// a failure of the lookup itself, not a verdict on the request.
type CredentialsLookup func(ctx context.Context, accessKeyID string) (creds aws.Credentials, found bool, err error)

// StaticCredentials is a lookup over a fixed set of credentials, such as the one pair a local gateway accepts.
// A credential with a session token accepts only requests that carry that token.
func StaticCredentials(creds ...aws.Credentials) CredentialsLookup {
	byKey := make(map[string]aws.Credentials, len(creds))
	for _, c := range creds {
		byKey[c.AccessKeyID] = c
	}
	return func(_ context.Context, accessKeyID string) (aws.Credentials, bool, error) {
		c, ok := byKey[accessKeyID]
		return c, ok, nil
	}
}

// Options configure a Verifier.
type Options struct {
	// Service is the signing name requests must be scoped to; ServiceExecuteAPI by default.
	Service string
	// Now is the verifier's clock; time.Now by default.
	Now func() time.Time
}

// Verifier checks the signatures of requests to one service in one region.
type Verifier struct {
	lookup  CredentialsLookup
	region  string
	service string
	now     func() time.Time
	signer  *v4.Signer
}

// New returns a verifier of requests signed for region with credentials that lookup knows.
func New(lookup CredentialsLookup, region string, optFns ...func(*Options)) *Verifier {
	opts := Options{Service: ServiceExecuteAPI, Now: time.Now}
	for _, fn := range optFns {
		fn(&opts)
	}
	return &Verifier{lookup: lookup, region: region, service: opts.Service, now: opts.Now, signer: v4.NewSigner()}
}

// Identity is the caller a verified request was signed by.
type Identity struct {
	AccessKeyID string
}

// Verify checks the signature of r, in its Authorization header or in its query string (presigned form). It reads
// the whole body to hash it and leaves r.Body readable again from the start. A request that fails a check gets a
// *Failure; any other error comes from reading the body or from the credentials lookup.
func (v *Verifier) Verify(r *http.Request) (Identity, error) {
	sig, f := readSignature(r)
	if f != nil {
		return Identity{}, f
	}
	signedAt, f := parseDate(sig.date)
	if f != nil {
		return Identity{}, f
	}
	if f := v.checkTime(sig, signedAt); f != nil {
		return Identity{}, f
	}
	if !slices.Contains(sig.signedHeaders, "host") {
		return Identity{}, fail(HostNotSigned, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if sig.algorithm != algorithm {
		return Identity{}, fail(Incomplete, fmt.Sprintf("Unsupported AWS 'algorithm': '%s' (only %s for now). ", sig.algorithm, algorithm))
	}
	sc, f := parseScope(sig.credential)
	if f != nil {
		return Identity{}, f
	}
	if f := v.checkScope(sc, signedAt); f != nil {
		return Identity{}, f
	}
	creds, found, err := v.lookup(r.Context(), sc.accessKeyID)
	if err != nil {
		return Identity{}, fmt.Errorf("look up access key %s: %w", sc.accessKeyID, err)
	}
	if !found {
		return Identity{}, fail(UnknownKey, MessageInvalidToken)
	}
	body, err := readBody(r)
	if err != nil {
		return Identity{}, err
	}
	expected, err := v.sign(r, sig, creds.SecretAccessKey, sc.accessKeyID, body, signedAt)
	if err != nil {
		return Identity{}, err
	}
	if subtle.ConstantTimeCompare([]byte(expected.signature), []byte(sig.signature)) != 1 {
		return Identity{}, fail(SignatureMismatch, fmt.Sprintf(
			"%s\n\nThe Canonical String for this request should have been\n'%s'\n\nThe String-to-Sign should have been\n'%s'\n",
			MessageSignatureMismatch, expected.canonical, expected.stringToSign))
	}
	// The token was signed as sent; it must also be the one issued with the key.
	if subtle.ConstantTimeCompare([]byte(sig.token), []byte(creds.SessionToken)) != 1 {
		return Identity{}, fail(InvalidToken, MessageInvalidToken)
	}
	return Identity{AccessKeyID: sc.accessKeyID}, nil
}

// checkTime refuses signatures dated too far from now: MaxSkew either way, or for a presigned request older than
// its X-Amz-Expires when that is longer.
func (v *Verifier) checkTime(sig *signature, signedAt time.Time) *Failure {
	now := v.now().UTC()
	maxAge := MaxSkew
	if sig.presigned && sig.expires > maxAge {
		maxAge = sig.expires
	}
	if earliest := now.Add(-maxAge); signedAt.Before(earliest) {
		return fail(Expired, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s)",
			sig.date, earliest.Format(timeFormat), now.Format(timeFormat), spelledDuration(maxAge)))
	}
	if latest := now.Add(MaxSkew); signedAt.After(latest) {
		return fail(NotYetCurrent, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s)",
			sig.date, latest.Format(timeFormat), now.Format(timeFormat), spelledDuration(MaxSkew)))
	}
	return nil
}

// spelledDuration writes a duration as AWS does in its date messages, `5 min.`; durations that are no whole
// number of minutes are written in seconds.
func spelledDuration(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min.", d/time.Minute)
	}
	return fmt.Sprintf("%d sec.", d/time.Second)
}

// checkScope compares the credential scope with the verifier's region and service and the signature's date; all
// mismatches are reported in one message.
func (v *Verifier) checkScope(sc scope, signedAt time.Time) *Failure {
	var msg strings.Builder
	if sc.region != v.region {
		fmt.Fprintf(&msg, "Credential should be scoped to a valid region, not '%s'. ", sc.region)
	}
	if sc.service != v.service {
		fmt.Fprintf(&msg, "Credential should be scoped to correct service: '%s'. ", v.service)
	}
	if sc.terminator != terminator {
		fmt.Fprintf(&msg, "Credential should be scoped with a valid terminator: '%s', not '%s'. ", terminator, sc.terminator)
	}
	if day := signedAt.Format(dateFormat); sc.date != day {
		fmt.Fprintf(&msg, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			sc.date, day, signedAt.Format(timeFormat))
	}
	if msg.Len() > 0 {
		return fail(BadScope, msg.String())
	}
	return nil
}

// readBody returns the body and puts an unread copy back on the request.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// computed is the verifier's own signature of a request and what it was computed from.
type computed struct {
	signature, canonical, stringToSign string
}

// sign signs a copy of r that holds only what the caller signed: the method, the path as sent, the query (less
// the signature of a presigned request), the signed headers and the session token, at the request's own date.
func (v *Verifier) sign(r *http.Request, sig *signature, secret, accessKeyID string, body []byte, signedAt time.Time) (computed, error) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := &url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	if sig.presigned {
		query := r.URL.Query()
		query.Del(querySignature)
		u.RawQuery = query.Encode()
	}
	copied := &http.Request{Method: r.Method, URL: u, Host: r.Host, Header: http.Header{}}
	for _, name := range sig.signedHeaders {
		switch name {
		case "host", "x-amz-date", "x-amz-security-token":
			// The signer writes these itself, from the URL's host, the signing time and the credentials.
		case "content-length":
			// The signer signs the length of the request it is given, not a header.
			copied.ContentLength = int64(len(body))
		default:
			for _, value := range r.Header.Values(name) {
				copied.Header.Add(name, value)
			}
		}
	}
	creds := aws.Credentials{AccessKeyID: accessKeyID, SecretAccessKey: secret, SessionToken: sig.token}
	hash := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(hash[:])
	var log signingLog
	capture := func(o *v4.SignerOptions) {
		o.LogSigning = true
		o.Logger = &log
		// What the caller put in the query stays there; its headers stay headers.
		o.DisableHeaderHoisting = true
	}
	var signature string
	if sig.presigned {
		signedURL, _, err := v.signer.PresignHTTP(r.Context(), creds, copied, payloadHash, v.service, v.region, signedAt, capture)
		if err != nil {
			return computed{}, fmt.Errorf("presign request copy: %w", err)
		}
		parsed, err := url.Parse(signedURL)
		if err != nil {
			return computed{}, fmt.Errorf("read presigned URL: %w", err)
		}
		signature = parsed.Query().Get(querySignature)
	} else {
		if err := v.signer.SignHTTP(r.Context(), creds, copied, payloadHash, v.service, v.region, signedAt, capture); err != nil {
			return computed{}, fmt.Errorf("sign request copy: %w", err)
		}
		_, signature, _ = strings.Cut(copied.Header.Get(headerAuthorization), "Signature=")
	}
	return computed{signature: signature, canonical: log.canonical, stringToSign: log.stringToSign}, nil
}

// signingLog receives the SDK signer's debug log of a signature, whose first two arguments are the canonical
// request and the string to sign: API Gateway shows both in its mismatch message.
type signingLog struct {
	canonical, stringToSign string
}

// Logf implements logging.Logger.
func (l *signingLog) Logf(_ logging.Classification, _ string, v ...any) {
	if len(v) >= 2 {
		l.canonical, _ = v[0].(string)
		l.stringToSign, _ = v[1].(string)
	}
}
