// Package moto runs moto_server, the Python emulator of AWS services that the integration tests and the local
// runtime use for S3, DynamoDB (with Streams), SQS, SNS, Kinesis, IAM and CloudWatch Logs, behind a proxy that
// passes DynamoDB requests one at a time.
package moto

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Binary is the command that serves every AWS service.
const Binary = "moto_server"

// InstallHint tells a person how to get moto_server.
const InstallHint = `install it with: pip install "moto[server]"`

// StartTimeout bounds moto's start-up; it usually answers within about two seconds.
const StartTimeout = 20 * time.Second

// NotInstalledError reports that moto_server is not on PATH.
type NotInstalledError struct{}

func (NotInstalledError) Error() string {
	return Binary + " not found on PATH; " + InstallHint
}

// PortInUseError reports that the port asked for is taken by another process.
type PortInUseError struct {
	Port int
}

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("port %d on 127.0.0.1 is already in use; stop what uses it or choose another port", e.Port)
}

// LookPath returns the path of moto_server, or a *NotInstalledError.
func LookPath() (string, error) {
	path, err := exec.LookPath(Binary)
	if err != nil {
		return "", &NotInstalledError{}
	}
	return path, nil
}

// Server is a running moto_server process behind the proxy that makes its DynamoDB safe for concurrent requests
// (see serializer).
type Server struct {
	// URL is the proxy's base URL, http://127.0.0.1:PORT: the only address callers should use.
	URL string
	// direct is moto's own address, on a free port.
	direct string
	proxy  *http.Server
	cmd    *exec.Cmd
	exited chan struct{} // closed once the process has been waited for
	output *tail
}

// Start runs binary as moto_server behind a proxy on 127.0.0.1:port (a free port when port is 0) and returns once
// moto answers HTTP, or with an error that carries the end of moto's output.
func Start(ctx context.Context, binary string, port int) (*Server, error) {
	l, err := listen(port)
	if err != nil {
		return nil, err
	}
	s, err := start(ctx, binary, l)
	if err != nil {
		l.Close()
		return nil, err
	}
	return s, nil
}

func start(ctx context.Context, binary string, l net.Listener) (*Server, error) {
	motoPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	p := strconv.Itoa(motoPort)
	direct := &url.URL{Scheme: "http", Host: "127.0.0.1:" + p}
	s := &Server{
		URL:    "http://" + l.Addr().String(),
		direct: direct.String(),
		cmd:    exec.Command(binary, "-H", "127.0.0.1", "-p", p),
		exited: make(chan struct{}),
		output: &tail{max: 4096},
	}
	s.cmd.Stdout = s.output
	s.cmd.Stderr = s.output
	s.cmd.SysProcAttr = sysProcAttr()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", binary, err)
	}
	go func() {
		_ = s.cmd.Wait() // the exit status of a killed moto carries no information
		close(s.exited)
	}()
	if err := s.waitReady(ctx); err != nil {
		s.Stop()
		return nil, fmt.Errorf("%w; moto output:\n%s", err, s.output)
	}
	s.proxy = &http.Server{Handler: newSerializer(direct)}
	go func() {
		_ = s.proxy.Serve(l) // it ends only when Stop closes it
	}()
	return s, nil
}

// FreePort asks the kernel for a port of 127.0.0.1 that is free now. Another process could take it before it is
// bound; a server started on it then fails with its own message.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// listen binds the proxy's port before moto starts, so that a taken port is told apart from moto's failures.
func listen(port int) (net.Listener, error) {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, &PortInUseError{Port: port}
		}
		return nil, fmt.Errorf("listen on port %d: %w", port, err)
	}
	return l, nil
}

// waitReady polls moto's own API until it answers, the process exits, ctx ends or StartTimeout passes.
func (s *Server) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(StartTimeout)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.direct+"/moto-api/", nil)
		if err != nil {
			return fmt.Errorf("moto readiness request: %w", err)
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("moto at %s did not answer within %s", s.direct, StartTimeout)
		}
		select {
		case <-s.exited:
			return errors.New("moto_server exited during start-up")
		case <-ctx.Done():
			return fmt.Errorf("wait for moto: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop closes the proxy, kills moto's whole process group, in case it was started through a wrapper that forks,
// and waits for it. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	if s.proxy != nil {
		_ = s.proxy.Close() // closing fails only for a proxy already closed
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL) // fails only when the group is already gone
	<-s.exited
}

// Exited is closed when the moto process has ended, whoever ended it.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// Output returns the last few kilobytes moto wrote.
func (s *Server) Output() string { return s.output.String() }

// tail keeps the last max bytes written to it: moto logs every request, and only the end matters when it fails.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if extra := len(t.buf) - t.max; extra > 0 {
		t.buf = t.buf[:copy(t.buf, t.buf[extra:])]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
