package resources

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func validParams() Params {
	return Params{StackName: "mie", ShortID: "a1b2c3", Region: "us-east-1", Account: "123456789012"}
}

func TestNormalizeFillsDefaults(t *testing.T) {
	p, err := validParams().Normalize()
	require.NoError(t, err)
	assert.Equal(t, "aws", p.Partition)
	assert.Equal(t, "v5.1.11", p.FrameworkVersion)
	assert.Equal(t, "SO0163", p.SolutionID)
	assert.Equal(t, "v5.1.11", p.SolutionVersion)
	assert.Equal(t, 5, p.MaxConcurrentWorkflows)
	assert.Equal(t, 1, p.KinesisShardCount)
	assert.True(t, p.AnalyticsEnabled())
	assert.False(t, p.DeployTestResources)
	assert.Equal(t, 20*time.Second, p.StageQueueWait())
}

func TestNormalizeRejects(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Params)
		want   string
	}{
		// §10.1: 13 characters is one too many.
		{"long stack name", func(p *Params) { p.StackName = "abcdefghijklm" }, "at most 12"},
		{"stack name with underscore", func(p *Params) { p.StackName = "mie_1" }, "letters, digits and hyphens"},
		{"stack name starting with a digit", func(p *Params) { p.StackName = "1mie" }, "start with a letter"},
		{"short id too short", func(p *Params) { p.ShortID = "abc12" }, "6 characters"},
		{"short id upper case", func(p *Params) { p.ShortID = "ABC123" }, "6 characters"},
		{"no region", func(p *Params) { p.Region = "" }, "region"},
		{"bad account", func(p *Params) { p.Account = "1234" }, "12 digits"},
		{"negative MaxConcurrentWorkflows", func(p *Params) { p.MaxConcurrentWorkflows = -1 }, "minimum is 1"},
		{"negative shard count", func(p *Params) { p.KinesisShardCount = -2 }, "minimum is 1"},
		{"queue wait 2s", func(p *Params) { p.StageQueueReceiveWait = aws.Duration(2 * time.Second) }, "only 0s or 1s"},
		{"queue wait 20s override", func(p *Params) { p.StageQueueReceiveWait = aws.Duration(20 * time.Second) }, "only 0s or 1s"},
		{"queue wait 500ms", func(p *Params) { p.StageQueueReceiveWait = aws.Duration(500 * time.Millisecond) }, "only 0s or 1s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := validParams()
			tc.change(&p)
			_, err := p.Normalize()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestNormalizeAccepts(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Params)
	}{
		{"12-character stack name", func(p *Params) { p.StackName = "Abcdefghij-1" }},
		{"queue wait 0", func(p *Params) { p.StageQueueReceiveWait = aws.Duration(0) }},
		{"queue wait 1s", func(p *Params) { p.StageQueueReceiveWait = aws.Duration(time.Second) }},
		{"one workflow at a time", func(p *Params) { p.MaxConcurrentWorkflows = 1 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := validParams()
			tc.change(&p)
			_, err := p.Normalize()
			assert.NoError(t, err)
		})
	}
}

func TestStageQueueWaitOverride(t *testing.T) {
	p := validParams()
	p.StageQueueReceiveWait = aws.Duration(time.Second)
	assert.Equal(t, time.Second, p.StageQueueWait())
	p.StageQueueReceiveWait = aws.Duration(0)
	assert.Equal(t, time.Duration(0), p.StageQueueWait())
}

func TestBotoConfig(t *testing.T) {
	// INF-07: the text as the original's template renders it, spacing included.
	assert.Equal(t, `{"user_agent_extra": "AwsSolution/SO0163/v5.1.11"}`, validParams().BotoConfig())

	p := validParams()
	p.SolutionID, p.SolutionVersion = "SO9999", "v6.0.0"
	assert.Equal(t, `{"user_agent_extra": "AwsSolution/SO9999/v6.0.0"}`, p.BotoConfig())

	p = validParams()
	p.FrameworkVersion = "v5.2.0"
	got := p.BotoConfig()
	var parsed struct {
		UserAgentExtra string `json:"user_agent_extra"`
	}
	require.NoError(t, json.Unmarshal([]byte(got), &parsed))
	assert.Equal(t, "AwsSolution/SO0163/v5.2.0", parsed.UserAgentExtra, "the solution version follows the framework version")
}

func TestDeploysConditions(t *testing.T) {
	p := validParams()
	assert.True(t, p.Deploys(Always))
	assert.True(t, p.Deploys(AnalyticsCondition))
	assert.False(t, p.Deploys(TestResourcesCondition))
	assert.False(t, p.Deploys(AnonymizedDataCondition), "IQ-23: no metrics from a local deployment")

	p.DeployAnalyticsPipeline = aws.Bool(false)
	p.DeployTestResources = true
	assert.False(t, p.Deploys(AnalyticsCondition))
	assert.True(t, p.Deploys(TestResourcesCondition))
}

func TestNameResolve(t *testing.T) {
	p := Params{StackName: "MyStack", ShortID: "x1y2z3"}
	assert.Equal(t, "mystack-dataplane-x1y2z3", generated("{stack-lower}-dataplane-{suid}").Resolve(p))
	assert.Equal(t, "/aws/vendedlogs/states/MyStack-StepFunctionLogGroup-x1y2z3",
		explicit("/aws/vendedlogs/states/{stack}-StepFunctionLogGroup-{suid}").Resolve(p))
	assert.True(t, strings.HasPrefix(generatedName(OperatorLibraryStack, "Mediainfo").Resolve(p), "MyStack-OperatorLibrary-"))
}
