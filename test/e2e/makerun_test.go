package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// makeRunPatience bounds `make run ONCE=1`: building the CLI, starting `mie local`, installing ffmpeg when it is
// missing on CI, and the demo's execution, which lasts a few seconds.
const makeRunPatience = 5 * time.Minute

// TestMakeRunOnce runs `make run ONCE=1` from the module root, as the README tells a person on a clean clone: it
// must build the CLI, start `mie local` on free ports, run the demo workflow to Complete, stop and exit 0. Its
// build and run directories are the test's own, so it neither collides with a `make run` of the clone nor leaves
// anything behind.
func TestMakeRunOnce(t *testing.T) {
	if deployment.skip != nil {
		t.Skip(deployment.skip)
	}
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	if _, err := exec.LookPath("make"); err != nil {
		if ci {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	dir := t.TempDir()
	args := []string{"run", "ONCE=1", "BUILD_DIR=" + filepath.Join(dir, "build"), "TIME_SCALE=100"}
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		args = append(args, "MEDIA="+tinyVideo(t, dir))
	} else if !ci {
		// Without MEDIA, `make run` installs ffmpeg with apt-get, as root or through sudo: not for a test run on a
		// person's machine.
		t.Skip("ffmpeg is not installed; `make run` would install it")
	}

	ctx, cancel := context.WithTimeout(t.Context(), makeRunPatience)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", args...)
	cmd.Dir = root
	cmd.Env = withoutMakeVariables(os.Environ())
	// make, mie local and moto_server share a process group, so that a run past its patience ends whole.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	require.NoError(t, err, "make %s:\n%s", strings.Join(args, " "), out.String())
	assert.Regexp(t, `(?m)^Execution \S+ ended Complete\.$`, out.String())
}

// tinyVideo makes a one-second video, smaller than the demo's own, with ffmpeg.
func tinyVideo(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "tiny.mp4")
	cmd := exec.CommandContext(t.Context(), "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc=duration=1:size=160x90:rate=10",
		"-c:v", "libx264", "-pix_fmt", "yuv420p", path)
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", msg)
	return path
}

// withoutMakeVariables drops what a `make test` that runs this test passes its sub-makes: its command-line
// variables and job server would otherwise reach the `make run` under test.
func withoutMakeVariables(env []string) []string {
	kept := env[:0:0]
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if name != "MAKEFLAGS" && name != "MFLAGS" && name != "MAKELEVEL" {
			kept = append(kept, kv)
		}
	}
	return kept
}
