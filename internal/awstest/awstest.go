// Package awstest gives integration tests one moto_server per test binary and the handler configuration that
// points at it. The endpoint is moto's proxy (internal/moto), so tests may write DynamoDB concurrently.
//
// A package's TestMain calls Main. moto is started lazily, by the first test that asks for it (through Endpoint,
// Lookup or Config), so a run that selects only tests without AWS calls does not pay moto's start-up. When
// moto_server is not installed, those tests are skipped, unless CI is true, where the binary fails instead.
package awstest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/moto"
)

// harness is the one moto of this test binary. It is package state on purpose: every test of the binary shares the
// server, and Main must find it to stop it.
var harness struct {
	inMain  bool   // Main is running the tests
	binary  string // moto_server's path; "" when it is missing
	missing error  // why binary is ""
	once    sync.Once
	server  *moto.Server
	err     error
	counter atomic.Uint64 // source of Prefix
}

// Main runs the tests of a package and stops moto afterwards if a test started it. Call it from TestMain:
//
//	func TestMain(m *testing.M) { awstest.Main(m) }
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	harness.inMain = true
	if path, err := moto.LookPath(); err == nil {
		harness.binary = path
	} else if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		// On CI a missing moto must not turn every integration test into a silent skip.
		fmt.Fprintf(os.Stderr, "awstest: CI is set and %v\n", err)
		return 1
	} else {
		harness.missing = err
	}
	code := m.Run()
	if harness.server != nil {
		harness.server.Stop()
	}
	return code
}

// Endpoint returns moto's base URL (http://127.0.0.1:PORT), starting moto on first use. It skips the test when
// moto_server is not installed.
func Endpoint(t testing.TB) string {
	t.Helper()
	if !harness.inMain {
		t.Fatal("awstest: the package's TestMain must call awstest.Main")
	}
	if harness.binary == "" {
		t.Skip(harness.missing)
	}
	harness.once.Do(func() {
		// Not the test's context: the server outlives the test that happens to start it.
		harness.server, harness.err = moto.Start(context.Background(), harness.binary, 0)
	})
	if harness.err != nil {
		t.Fatalf("awstest: %v", harness.err)
	}
	return harness.server.URL
}

// Lookup returns the configuration a handler under test gets: every service at moto, region us-east-1, moto's
// fixed credentials, and no SDK retries, because moto answers unimplemented calls with a 500 that the SDK would
// otherwise retry. Entries of extra are added and win, so a test can send one service to an httptest fake with
// AWS_ENDPOINT_URL_<SERVICE> or give the handler its own variables.
func Lookup(t testing.TB, extra map[string]string) awsconf.Lookup {
	t.Helper()
	m := map[string]string{
		"AWS_ENDPOINT_URL":      Endpoint(t),
		"AWS_REGION":            "us-east-1",
		"AWS_ACCESS_KEY_ID":     "testing",
		"AWS_SECRET_ACCESS_KEY": "testing",
		"AWS_MAX_ATTEMPTS":      "1",
	}
	for k, v := range extra {
		m[k] = v
	}
	return awsconf.MapLookup(m)
}

// Config returns the awsconf configuration built from Lookup(t, extra).
func Config(t testing.TB, extra map[string]string) awsconf.Config {
	t.Helper()
	cfg, err := awsconf.Load(t.Context(), Lookup(t, extra))
	if err != nil {
		t.Fatalf("awstest: %v", err)
	}
	return cfg
}

// Prefix returns a name prefix that no other call in this test binary returns, such as "t00042", so that tests
// sharing one moto keep their tables, buckets, queues and streams apart. It is lower case, starts with a letter and
// is long enough on its own to be an S3 bucket name.
func Prefix(t testing.TB) string {
	t.Helper()
	// One moto serves one test binary, so a counter is unique across everything that moto holds.
	return fmt.Sprintf("t%05d", harness.counter.Add(1))
}
