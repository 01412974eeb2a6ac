package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/moto"
)

func TestUsage(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no command", nil, 2, "Usage: mie <command>"},
		{"unknown command", []string{"deploy"}, 2, `mie: unknown command "deploy"`},
		{"demo without outputs", []string{"demo"}, 2, "mie demo: --outputs is required"},
		{"local with an argument", []string{"local", "extra"}, 2, `mie local: unexpected argument "extra"`},
		{"local with a slow clock", []string{"local", "--time-scale", "0.5"}, 1, "mie local: time scale 0.5: must be at least 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tc.code, run(t.Context(), tc.args, &stdout, &stderr))
			assert.Contains(t, stderr.String(), tc.stderr)
		})
	}
}

func TestLocalWithoutMoto(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 1, run(t.Context(), []string{"local"}, &stdout, &stderr))
	assert.Equal(t, "mie local: moto_server not found on PATH; install it with: pip install \"moto[server]\" "+
		"(or give the endpoint of running AWS emulators with --aws-endpoint)\n", stderr.String())
	assert.Empty(t, stdout.String())
}

func TestLocalPrintsAndWritesOutputs(t *testing.T) {
	if _, err := moto.LookPath(); err != nil {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dir := t.TempDir()
	outputsFile, envFile := filepath.Join(dir, "outputs.json"), filepath.Join(dir, "env.sh")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"local", "--stack-name", "clitest", "--outputs", outputsFile, "--env", envFile}, stdoutW, &stderr)
		stdoutW.Close()
	}()

	var printed []string
	lines := bufio.NewScanner(stdoutR)
	for lines.Scan() {
		printed = append(printed, lines.Text())
		if lines.Text() == readyLine {
			break
		}
	}
	text := strings.Join(printed, "\n")
	require.Contains(t, text, readyLine, "stderr: %s", stderr.String())
	assert.Regexp(t, `(?m)^  WorkflowApiEndpoint\s+http://127\.0\.0\.1:\d+/api/$`, text)
	assert.Regexp(t, `(?m)^export AWS_ACCESS_KEY_ID='AKIDMIELOCAL'$`, text)
	assert.Contains(t, text, "Not available locally yet")

	raw, err := os.ReadFile(outputsFile)
	require.NoError(t, err)
	var outs map[string]string
	require.NoError(t, json.Unmarshal(raw, &outs))
	for _, key := range []string{"WorkflowApiEndpoint", "DataplaneApiEndpoint", "DataplaneBucket", "AnalyticsStreamArn", "MieSNSTopic",
		"MieSQSQueue", "VideoSyncOKLambda", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_SFN"} {
		assert.NotEmpty(t, outs[key], key)
	}
	assert.Contains(t, outs["VideoSyncOKLambda"], ":function:clitest-video-sync-ok")
	env, err := os.ReadFile(envFile)
	require.NoError(t, err)
	assert.Contains(t, string(env), "export WorkflowApiEndpoint='"+outs["WorkflowApiEndpoint"]+"'\n")

	go func() { _, _ = io.Copy(io.Discard, stdoutR) }() // the shutdown message
	cancel()
	assert.Equal(t, 0, <-code, stderr.String())
}
