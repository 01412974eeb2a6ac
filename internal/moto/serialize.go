package moto

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
)

// dynamoDBTarget starts the X-Amz-Target of every DynamoDB request, and of no DynamoDB Streams request
// ("DynamoDBStreams_20120810.").
const dynamoDBTarget = "DynamoDB_20120810."

// serializer is a reverse proxy to moto that lets one DynamoDB request through at a time and every other request
// as it comes.
//
// moto's DynamoDB is not safe for concurrent requests, which DynamoDB itself is: a TransactWriteItems whose
// condition fails puts back copies of its tables taken when it started, undoing what other requests wrote
// meanwhile, and copying a table while another request changes it can fail with a 500. DynamoDB Streams requests
// need no turn: they only read tables, and the iterators they create live outside them.
type serializer struct {
	proxy *httputil.ReverseProxy
	// turn holds a token while a DynamoDB request is at moto. A channel rather than a mutex, so that a request
	// whose caller has given up stops waiting.
	turn chan struct{}
}

func newSerializer(target *url.URL) *serializer {
	return &serializer{
		proxy: &httputil.ReverseProxy{
			Rewrite: func(r *httputil.ProxyRequest) {
				r.SetURL(target)
				// moto builds URLs in its answers (SQS queue URLs) from the Host header: they must lead back here.
				r.Out.Host = r.In.Host
			},
			ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
				http.Error(w, "moto_server: "+err.Error(), http.StatusBadGateway)
			},
		},
		turn: make(chan struct{}, 1),
	}
}

func (s *serializer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.Header.Get("X-Amz-Target"), dynamoDBTarget) {
		select {
		case s.turn <- struct{}{}:
			defer func() { <-s.turn }()
		case <-r.Context().Done():
			s.proxy.ErrorHandler(w, r, r.Context().Err())
			return
		}
	}
	s.proxy.ServeHTTP(w, r)
}
