package sdk_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/mie-go/mie-go/internal/apigw"
)

// gateway is the part of API Gateway the REST transport meets: it checks each request's SigV4 signature for
// execute-api in its region with its credentials, strips the stage from the path, matches a resource template and
// hands the handler the proxy event API Gateway would build.
type gateway struct {
	creds     aws.Credentials
	region    string
	stage     string // e.g. "/api"
	templates []string
	handle    func(context.Context, apigw.Event) (apigw.Response, error)

	mu     sync.Mutex
	events []apigw.Event
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if !g.signatureValid(r, body) {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"message":"The request signature we calculated does not match the signature you provided."}`))
		return
	}
	path, ok := strings.CutPrefix(r.URL.EscapedPath(), g.stage)
	resource, params := g.match(path)
	if !ok || resource == "" {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"message":"Missing Authentication Token"}`))
		return
	}
	ev := apigw.Event{
		Resource:       resource,
		Path:           strings.TrimPrefix(r.URL.Path, g.stage),
		HTTPMethod:     r.Method,
		Headers:        map[string]string{"Content-Type": r.Header.Get("Content-Type")},
		PathParameters: params,
		Body:           string(body),
	}
	if r.URL.RawQuery != "" {
		ev.MultiValueQueryStringParameters = r.URL.Query()
		ev.QueryStringParameters = map[string]string{}
		for k, v := range ev.MultiValueQueryStringParameters {
			ev.QueryStringParameters[k] = v[len(v)-1]
		}
	}
	ev.RequestContext.ResourcePath = resource
	ev.RequestContext.HTTPMethod = r.Method
	g.mu.Lock()
	g.events = append(g.events, ev)
	g.mu.Unlock()
	resp, err := g.handle(r.Context(), ev)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write([]byte(resp.Body))
}

// signatureValid signs a copy of the request with the gateway's credentials, at the request's own time and with
// the headers it says it signed, and compares the signatures.
func (g *gateway) signatureValid(r *http.Request, body []byte) bool {
	auth := r.Header.Get("Authorization")
	if !strings.Contains(auth, "/"+g.region+"/execute-api/aws4_request") {
		return false
	}
	signedPart := auth[strings.Index(auth, "SignedHeaders=")+len("SignedHeaders="):]
	signedPart = signedPart[:strings.IndexByte(signedPart, ',')]
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return false
	}
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	check, err := http.NewRequest(r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return false
	}
	for _, h := range strings.Split(signedPart, ";") {
		if h != "host" && h != "content-length" {
			check.Header.Set(h, r.Header.Get(h))
		}
	}
	hash := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), g.creds, check, hex.EncodeToString(hash[:]), "execute-api", g.region, at); err != nil {
		return false
	}
	return check.Header.Get("Authorization") == auth
}

// match finds the template of an escaped path and its decoded path parameters.
func (g *gateway) match(path string) (string, map[string]string) {
	segs := strings.Split(path, "/")
	for _, tmpl := range g.templates {
		tsegs := strings.Split(tmpl, "/")
		if len(tsegs) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, ts := range tsegs {
			if name, isVar := strings.CutPrefix(ts, "{"); isVar {
				v, err := url.PathUnescape(segs[i])
				if err != nil {
					return "", nil
				}
				params[strings.TrimSuffix(name, "}")] = v
			} else if ts != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			if len(params) == 0 {
				params = nil
			}
			return tmpl, params
		}
	}
	return "", nil
}

func (g *gateway) lastEvent() apigw.Event {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.events[len(g.events)-1]
}
