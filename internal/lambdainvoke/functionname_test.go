package lambdainvoke

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFunctionRef(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want functionRef
		ok   bool
	}{
		{"name", "my-function", functionRef{name: "my-function"}, true},
		{"name with dots", "my.function_1", functionRef{name: "my.function_1"}, true},
		{"name with alias", "my-function:prod", functionRef{name: "my-function", qualifier: "prod"}, true},
		{"name with $LATEST", "my-function:$LATEST", functionRef{name: "my-function", qualifier: "$LATEST"}, true},
		{"partial ARN", "123456789012:function:f", functionRef{account: "123456789012", name: "f"}, true},
		{"partial ARN with version", "123456789012:function:f:7", functionRef{account: "123456789012", name: "f", qualifier: "7"}, true},
		{"full ARN", "arn:aws:lambda:us-east-1:123456789012:function:f",
			functionRef{region: "us-east-1", account: "123456789012", name: "f"}, true},
		{"full ARN with qualifier", "arn:aws:lambda:eu-west-3:123456789012:function:f:$LATEST",
			functionRef{region: "eu-west-3", account: "123456789012", name: "f", qualifier: "$LATEST"}, true},
		{"GovCloud ARN", "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f",
			functionRef{region: "us-gov-west-1", account: "123456789012", name: "f"}, true},
		{"a function called arn", "arn", functionRef{name: "arn"}, true},
		{"empty", "", functionRef{}, false},
		{"slash", "a/b", functionRef{}, false},
		{"too many parts", "f:a:b", functionRef{}, false},
		{"bad qualifier", "f:pr.od", functionRef{}, false},
		{"empty qualifier", "f:", functionRef{}, false},
		{"other service", "arn:aws:sqs:us-east-1:123456789012:function:f", functionRef{}, false},
		{"name too long", strings.Repeat("a", 65), functionRef{}, false},
		{"longest name", strings.Repeat("a", 64), functionRef{name: strings.Repeat("a", 64)}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseFunctionRef(tc.in)
			require.Equal(t, tc.ok, ok)
			if tc.ok {
				assert.Equal(t, tc.want, got)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	reg := NewRegistry("us-east-1", "123456789012")
	reg.RegisterFunc("f", func() error { return nil })
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:f"

	tests := []struct {
		name, function, qualifier string
		wantARN                   string
		wantErr                   any
	}{
		{name: "name", function: "f", wantARN: arn},
		{name: "qualifier parameter", function: "f", qualifier: "prod", wantARN: arn + ":prod"},
		{name: "same qualifier twice", function: arn + ":prod", qualifier: "prod", wantARN: arn + ":prod"},
		{name: "qualifier mismatch", function: arn + ":prod", qualifier: "dev", wantErr: &QualifierMismatchError{}},
		{name: "invalid qualifier parameter", function: "f", qualifier: "a.b", wantErr: &ValidationError{}},
		{name: "invalid name", function: "f/g", wantErr: &ValidationError{}},
		{name: "unknown", function: "g", wantErr: &FunctionNotFoundError{}},
		{name: "other region", function: "arn:aws:lambda:eu-west-1:123456789012:function:f", wantErr: &FunctionNotFoundError{}},
		{name: "other account", function: "210987654321:function:f", wantErr: &FunctionNotFoundError{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := reg.resolve(tc.function, tc.qualifier)
			if tc.wantErr != nil {
				require.Error(t, err)
				assert.IsType(t, tc.wantErr, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantARN, got.arn)
			assert.Equal(t, "f", got.fn.name)
		})
	}
}

func TestFunctionNotFoundNamesTheRequestedARN(t *testing.T) {
	reg := NewRegistry("us-east-1", "123456789012")
	_, err := reg.resolve("210987654321:function:g:prod", "")
	assert.EqualError(t, err, "Function not found: arn:aws:lambda:us-east-1:210987654321:function:g:prod")
}

func TestLambdaRetryDelay(t *testing.T) {
	assert.Equal(t, time.Minute, lambdaRetryDelay(1))
	assert.Equal(t, 2*time.Minute, lambdaRetryDelay(2))
}

func TestDefaultTimeoutIsThreeSeconds(t *testing.T) {
	reg := NewRegistry("us-east-1", "123456789012")
	var deadline time.Time
	reg.RegisterFunc("f", func(ctx context.Context) error {
		deadline, _ = ctx.Deadline()
		return nil
	})
	before := time.Now()
	_, err := reg.Invoke(context.Background(), "f", nil)
	after := time.Now()
	require.NoError(t, err)
	assert.Equal(t, 3*time.Second, DefaultTimeout)
	assert.False(t, deadline.Before(before.Add(DefaultTimeout)), "deadline %v before %v", deadline, before.Add(DefaultTimeout))
	assert.False(t, deadline.After(after.Add(DefaultTimeout)), "deadline %v after %v", deadline, after.Add(DefaultTimeout))
}
