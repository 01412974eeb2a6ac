package awstest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// startTimeout bounds moto's start-up; it usually answers within about two seconds.
const startTimeout = 20 * time.Second

// server is a running moto_server process.
type server struct {
	url    string
	cmd    *exec.Cmd
	exited chan struct{} // closed once the process has been waited for
	output *tail
}

// start runs binary as moto_server on a free port of 127.0.0.1 and returns once moto answers HTTP.
func start(binary string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{
		url:    "http://127.0.0.1:" + port,
		cmd:    exec.Command(binary, "-H", "127.0.0.1", "-p", port),
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
	if err := s.waitReady(); err != nil {
		s.stop()
		return nil, fmt.Errorf("%w; moto output:\n%s", err, s.output)
	}
	return s, nil
}

// freePort asks the kernel for a port that is free now. Another process could take it before moto binds it; moto
// then exits at once and start reports its output.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

// waitReady polls moto's own API until it answers, the process exits, or startTimeout passes.
func (s *server) waitReady() error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := client.Get(s.url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("moto at %s did not answer within %s", s.url, startTimeout)
		}
		select {
		case <-s.exited:
			return errors.New("moto_server exited during start-up")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop kills moto's whole process group, in case it was started through a wrapper that forks, and waits for it.
func (s *server) stop() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL) // fails only when the group is already gone
	<-s.exited
}

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
