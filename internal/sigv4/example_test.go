package sigv4_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/mie-go/mie-go/internal/sigv4"
)

// A gateway protects its handler with the middleware: unsigned requests get API Gateway's 403, signed ones pass.
func ExampleVerifier_Middleware() {
	creds := aws.Credentials{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "local-secret"}
	verifier := sigv4.New(sigv4.StaticCredentials(creds), "us-east-1")
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := sigv4.IdentityFrom(r.Context())
		fmt.Fprintf(w, "hello %s", id.AccessKeyID)
	})
	server := httptest.NewServer(verifier.Middleware(hello))
	defer server.Close()

	show := func(req *http.Request) {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		var body [128]byte
		n, _ := resp.Body.Read(body[:])
		fmt.Println(resp.StatusCode, string(body[:n]))
	}

	unsigned, _ := http.NewRequest(http.MethodGet, server.URL+"/api/version", nil)
	show(unsigned)

	signed, _ := http.NewRequest(http.MethodGet, server.URL+"/api/version", nil)
	emptyHash := sha256.Sum256(nil)
	_ = v4.NewSigner().SignHTTP(context.Background(), creds, signed, hex.EncodeToString(emptyHash[:]),
		sigv4.ServiceExecuteAPI, "us-east-1", time.Now())
	show(signed)
	// Output:
	// 403 {"message":"Missing Authentication Token"}
	// 200 hello AKIDLOCAL
}
