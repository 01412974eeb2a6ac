package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/mie-go/mie-go/operators/sdk/client"
)

// errNoExecutions says that the workflow API answering has no execution routes (R23-R29): API Gateway answers
// routes it does not have with 403 Missing Authentication Token.
var errNoExecutions = errors.New("this build's workflow API cannot run workflows yet: its execution routes " +
	"(POST /workflow/execution, GET /workflow/execution/{id}) are still being ported; the workflow and the uploaded " +
	"media are registered and ready")

// executions calls the workflow API's execution routes with SigV4-signed requests. The public client covers
// routes R01-R22; these two are the ones the demo needs beyond them.
type executions struct {
	cfg      aws.Config
	endpoint string
	http     *http.Client
}

func newExecutions(cfg aws.Config, endpoint string) *executions {
	return &executions{cfg: cfg, endpoint: strings.TrimSuffix(endpoint, "/"), http: &http.Client{Timeout: 30 * time.Second}}
}

// execution is what the demo reads of a workflow execution record (control-plane §4.5).
type execution struct {
	ID           string `json:"Id"`
	AssetID      string `json:"AssetId"`
	Status       string `json:"Status"`
	CurrentStage string `json:"CurrentStage"`
	Message      string `json:"Message"`
	Workflow     struct {
		Stages map[string]struct {
			Status  string `json:"Status"`
			Outputs []struct {
				Name   string `json:"Name"`
				Status string `json:"Status"`
			} `json:"Outputs"`
		} `json:"Stages"`
	} `json:"Workflow"`
}

// start queues an execution of a workflow on a media object (R23).
func (c *executions) start(ctx context.Context, workflow string, media client.S3Object) (*execution, error) {
	body := map[string]any{
		"Name":  workflow,
		"Input": map[string]any{"Media": map[string]any{"Video": map[string]string{"S3Bucket": media.S3Bucket, "S3Key": media.S3Key}}},
	}
	var e execution
	if err := c.call(ctx, http.MethodPost, "/workflow/execution", body, &e); err != nil {
		return nil, fmt.Errorf("start workflow %s: %w", workflow, err)
	}
	return &e, nil
}

// get reads an execution (R28).
func (c *executions) get(ctx context.Context, id string) (*execution, error) {
	var e execution
	if err := c.call(ctx, http.MethodGet, "/workflow/execution/"+id, nil, &e); err != nil {
		return nil, fmt.Errorf("read execution %s: %w", id, err)
	}
	return &e, nil
}

func (c *executions) call(ctx context.Context, method, path string, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encode the request: %w", err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint+path, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("build the request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	sum := sha256.Sum256(payload)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "execute-api", c.cfg.Region, time.Now()); err != nil {
		return fmt.Errorf("sign the request: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read the answer: %w", err)
	}
	if resp.StatusCode == http.StatusForbidden && resp.Header.Get("x-amzn-ErrorType") == "MissingAuthenticationTokenException" {
		return errNoExecutions
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, answer)
	}
	if err := json.Unmarshal(answer, out); err != nil {
		return fmt.Errorf("decode the answer: %w", err)
	}
	return nil
}
