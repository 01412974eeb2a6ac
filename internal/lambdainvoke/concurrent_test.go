package lambdainvoke

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// Many concurrent calls of one function registered with RegisterFunc each get their own response: aws-lambda-go's
// pooled response buffers must not leak between calls.
func TestRegisterFuncConcurrentResponses(t *testing.T) {
	reg := NewRegistry("us-east-1", "123456789012")
	reg.RegisterFunc("echo", func(_ context.Context, in map[string]string) (map[string]string, error) {
		return in, nil
	})
	const calls = 200
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := map[string]string{"n": fmt.Sprint(i), "pad": strings.Repeat(fmt.Sprint(i%10), 50_000)}
			payload, _ := json.Marshal(want)
			res, err := reg.Invoke(context.Background(), "echo", payload)
			if err != nil {
				errs <- err
				return
			}
			var got map[string]string
			if err := json.Unmarshal(res.Payload, &got); err != nil || got["n"] != want["n"] || got["pad"] != want["pad"] {
				errs <- fmt.Errorf("call %d got a response that is not its own (%v)", i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	var failures []error
	for err := range errs {
		failures = append(failures, err)
	}
	require.Empty(t, failures)
}
