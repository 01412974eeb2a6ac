package moto

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartAnswersAndStops(t *testing.T) {
	binary, err := LookPath()
	if err != nil {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	s, err := Start(t.Context(), binary, 0)
	require.NoError(t, err)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, s.URL)

	resp, err := http.Get(s.URL + "/moto-api/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	s.Stop()
	<-s.Exited()
	s.Stop() // a second stop is harmless
	_, err = http.Get(s.URL + "/moto-api/")
	assert.Error(t, err, "moto no longer answers")
}

func TestStartReportsOutputOfAFailedServer(t *testing.T) {
	script := filepath.Join(t.TempDir(), "fake_moto")
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\necho \"cannot serve: $*\" >&2\nexit 3\n"), 0o755))

	_, err := Start(t.Context(), script, 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exited during start-up")
	assert.Contains(t, err.Error(), "cannot serve: -H 127.0.0.1 -p ")
}

func TestStartRefusesATakenPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	port := l.Addr().(*net.TCPAddr).Port

	_, err = Start(t.Context(), "never-run", port)
	var inUse *PortInUseError
	require.ErrorAs(t, err, &inUse)
	assert.Equal(t, port, inUse.Port)
	assert.Equal(t, "port "+strconv.Itoa(port)+" on 127.0.0.1 is already in use; stop what uses it or choose another port", err.Error())
}

func TestLookPathMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := LookPath()
	var missing *NotInstalledError
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, `moto_server not found on PATH; install it with: pip install "moto[server]"`, err.Error())
}

func TestTailKeepsTheEnd(t *testing.T) {
	out := &tail{max: 8}
	for _, s := range []string{"0123", "4567", "89ab", "c"} {
		n, err := out.Write([]byte(s))
		require.NoError(t, err)
		assert.Equal(t, len(s), n)
	}
	assert.Equal(t, "56789abc", out.String())
}
