package moto

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSerializerPassesDynamoDBOneAtATime holds one DynamoDB request at a fake moto and checks what gets through
// meanwhile: DynamoDB Streams and other services do, the next DynamoDB request waits for its turn, and a request
// whose caller gives up while waiting never reaches moto.
func TestSerializerPassesDynamoDBOneAtATime(t *testing.T) {
	var mu sync.Mutex
	var seen []string // requests in the order they reached moto
	arrived, release := make(chan struct{}), make(chan struct{})
	moto := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.Header.Get("X-Test-Name")
		mu.Lock()
		seen = append(seen, name)
		mu.Unlock()
		if name == "held" {
			close(arrived)
			<-release
		}
		w.Header().Set("X-Test-Host", r.Host)
		_, _ = io.WriteString(w, name)
	}))
	t.Cleanup(moto.Close)
	releaseOnce := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseOnce) // before moto.Close, which waits for the held request
	target, err := url.Parse(moto.URL)
	require.NoError(t, err)
	s := newSerializer(target)
	proxy := httptest.NewServer(s)
	t.Cleanup(proxy.Close)

	request := func(ctx context.Context, name, amzTarget string) *http.Request {
		r, err := http.NewRequestWithContext(ctx, http.MethodPost, proxy.URL+"/", strings.NewReader("{}"))
		require.NoError(t, err)
		r.Header.Set("X-Test-Name", name)
		if amzTarget != "" {
			r.Header.Set("X-Amz-Target", amzTarget)
		}
		return r
	}
	type answer struct {
		body, host string
		err        error
	}
	send := func(name, amzTarget string) answer {
		resp, err := http.DefaultClient.Do(request(t.Context(), name, amzTarget))
		if err != nil {
			return answer{err: err}
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return answer{body: string(body), host: resp.Header.Get("X-Test-Host"), err: err}
	}
	sendLater := func(name, amzTarget string) <-chan answer {
		done := make(chan answer, 1)
		go func() { done <- send(name, amzTarget) }()
		return done
	}
	seenNow := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}

	held := sendLater("held", "DynamoDB_20120810.TransactWriteItems")
	<-arrived
	waiting := sendLater("waiting", "DynamoDB_20120810.PutItem")

	streams := send("streams", "DynamoDBStreams_20120810.GetRecords")
	require.NoError(t, streams.err)
	assert.Equal(t, "streams", streams.body)
	s3 := send("s3", "")
	require.NoError(t, s3.err)
	assert.Equal(t, "s3", s3.body)
	assert.Equal(t, strings.TrimPrefix(proxy.URL, "http://"), s3.host, "moto sees the proxy's host")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, request(ctx, "given up", "DynamoDB_20120810.GetItem"))
	assert.Equal(t, http.StatusBadGateway, rec.Code)
	assert.Equal(t, "moto_server: context canceled\n", rec.Body.String())

	assert.Equal(t, []string{"held", "streams", "s3"}, seenNow(), "the second DynamoDB request waits for the first")
	releaseOnce()
	for name, done := range map[string]<-chan answer{"held": held, "waiting": waiting} {
		a := <-done
		require.NoError(t, a.err, name)
		assert.Equal(t, name, a.body)
	}
	assert.Equal(t, []string{"held", "streams", "s3", "waiting"}, seenNow())
}

func TestSerializerReportsAnUnreachableMoto(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	target, err := url.Parse(gone.URL)
	require.NoError(t, err)
	gone.Close()

	rec := httptest.NewRecorder()
	newSerializer(target).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	assert.Equal(t, http.StatusBadGateway, rec.Code)
	assert.Contains(t, rec.Body.String(), "moto_server: ")
	assert.Contains(t, rec.Body.String(), "connection refused")
}
