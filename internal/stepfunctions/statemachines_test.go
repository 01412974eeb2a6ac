package stepfunctions_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/stepfunctions"
)

func TestCreateAndDescribeStateMachine(t *testing.T) {
	h := newHarness(t)
	out, err := h.client.CreateStateMachine(h.ctx(), &sfn.CreateStateMachineInput{
		Name:       aws.String("MyWF-k3x9qa"),
		Definition: aws.String(passMachine),
		RoleArn:    aws.String(roleArn),
		LoggingConfiguration: &types.LoggingConfiguration{
			Level:                types.LogLevelAll,
			IncludeExecutionData: false,
			Destinations: []types.LogDestination{
				{CloudWatchLogsLogGroup: &types.CloudWatchLogsLogGroup{LogGroupArn: aws.String(logArn)}},
			},
		},
		TracingConfiguration: &types.TracingConfiguration{Enabled: true},
		Tags:                 []types.Tag{{Key: aws.String("environment"), Value: aws.String("mie")}},
	})
	require.NoError(t, err)
	arn := aws.ToString(out.StateMachineArn)
	assert.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:MyWF-k3x9qa", arn)
	require.NotNil(t, out.CreationDate)

	desc, err := h.client.DescribeStateMachine(h.ctx(), &sfn.DescribeStateMachineInput{StateMachineArn: out.StateMachineArn})
	require.NoError(t, err)
	assert.Equal(t, arn, aws.ToString(desc.StateMachineArn))
	assert.Equal(t, "MyWF-k3x9qa", aws.ToString(desc.Name))
	assert.Equal(t, types.StateMachineStatusActive, desc.Status)
	assert.Equal(t, types.StateMachineTypeStandard, desc.Type)
	assert.Equal(t, passMachine, aws.ToString(desc.Definition))
	assert.Equal(t, roleArn, aws.ToString(desc.RoleArn))
	assert.True(t, out.CreationDate.Equal(aws.ToTime(desc.CreationDate)))
	require.NotNil(t, desc.LoggingConfiguration)
	assert.Equal(t, types.LogLevelAll, desc.LoggingConfiguration.Level)
	require.Len(t, desc.LoggingConfiguration.Destinations, 1)
	assert.Equal(t, logArn, aws.ToString(desc.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn))
	require.NotNil(t, desc.TracingConfiguration)
	assert.True(t, desc.TracingConfiguration.Enabled)

	tags, err := h.client.ListTagsForResource(h.ctx(), &sfn.ListTagsForResourceInput{ResourceArn: out.StateMachineArn})
	require.NoError(t, err)
	assert.Equal(t, []types.Tag{{Key: aws.String("environment"), Value: aws.String("mie")}}, tags.Tags)
}

func TestDescribeStateMachineDefaults(t *testing.T) {
	h := newHarness(t)
	arn := h.create("plain", passMachine)
	desc, err := h.client.DescribeStateMachine(h.ctx(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	require.NotNil(t, desc.LoggingConfiguration)
	assert.Equal(t, types.LogLevelOff, desc.LoggingConfiguration.Level)
	assert.Empty(t, desc.LoggingConfiguration.Destinations)
	require.NotNil(t, desc.TracingConfiguration)
	assert.False(t, desc.TracingConfiguration.Enabled)
}

func TestCreateStateMachineIsIdempotent(t *testing.T) {
	h := newHarness(t)
	first, err := h.client.CreateStateMachine(h.ctx(), &sfn.CreateStateMachineInput{
		Name: aws.String("wf"), Definition: aws.String(passMachine), RoleArn: aws.String(roleArn),
	})
	require.NoError(t, err)

	// Another role and tags are ignored, as on AWS: same ARN and creation date, nothing changed.
	again, err := h.client.CreateStateMachine(h.ctx(), &sfn.CreateStateMachineInput{
		Name: aws.String("wf"), Definition: aws.String(passMachine),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/Other"),
		Tags:    []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
	})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(first.StateMachineArn), aws.ToString(again.StateMachineArn))
	assert.True(t, first.CreationDate.Equal(aws.ToTime(again.CreationDate)))
	desc, err := h.client.DescribeStateMachine(h.ctx(), &sfn.DescribeStateMachineInput{StateMachineArn: first.StateMachineArn})
	require.NoError(t, err)
	assert.Equal(t, roleArn, aws.ToString(desc.RoleArn))
	tags, err := h.client.ListTagsForResource(h.ctx(), &sfn.ListTagsForResourceInput{ResourceArn: first.StateMachineArn})
	require.NoError(t, err)
	assert.Empty(t, tags.Tags)

	differences := []struct {
		name string
		in   sfn.CreateStateMachineInput
	}{
		{name: "definition", in: sfn.CreateStateMachineInput{
			Definition: aws.String(`{"StartAt":"Q","States":{"Q":{"Type":"Pass","End":true}}}`),
		}},
		{name: "logging", in: sfn.CreateStateMachineInput{
			Definition: aws.String(passMachine),
			LoggingConfiguration: &types.LoggingConfiguration{Level: types.LogLevelError, Destinations: []types.LogDestination{
				{CloudWatchLogsLogGroup: &types.CloudWatchLogsLogGroup{LogGroupArn: aws.String(logArn)}},
			}},
		}},
		{name: "tracing", in: sfn.CreateStateMachineInput{
			Definition: aws.String(passMachine), TracingConfiguration: &types.TracingConfiguration{Enabled: true},
		}},
	}
	for _, tc := range differences {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Name, in.RoleArn = aws.String("wf"), aws.String(roleArn)
			_, err := h.client.CreateStateMachine(h.ctx(), &in)
			requireAPIError[*types.StateMachineAlreadyExists](t, err)
		})
	}
}

func TestCreateStateMachineRefusals(t *testing.T) {
	withLogging := func(level types.LogLevel, arns ...string) *types.LoggingConfiguration {
		l := &types.LoggingConfiguration{Level: level}
		for _, a := range arns {
			l.Destinations = append(l.Destinations, types.LogDestination{
				CloudWatchLogsLogGroup: &types.CloudWatchLogsLogGroup{LogGroupArn: aws.String(a)},
			})
		}
		return l
	}
	manyTags := make([]types.Tag, 51)
	for i := range manyTags {
		manyTags[i] = types.Tag{Key: aws.String(strings.Repeat("k", i+1)), Value: aws.String("v")}
	}
	tests := []struct {
		name  string
		edit  func(in *sfn.CreateStateMachineInput)
		check func(t *testing.T, err error)
	}{
		{
			name: "name with a space",
			edit: func(in *sfn.CreateStateMachineInput) { in.Name = aws.String("my workflow") },
			check: func(t *testing.T, err error) {
				e := requireAPIError[*types.InvalidName](t, err)
				assert.Contains(t, e.ErrorMessage(), "my workflow")
			},
		},
		{
			name:  "name with a colon",
			edit:  func(in *sfn.CreateStateMachineInput) { in.Name = aws.String("a:b") },
			check: func(t *testing.T, err error) { requireAPIError[*types.InvalidName](t, err) },
		},
		{
			name:  "name longer than 80 characters",
			edit:  func(in *sfn.CreateStateMachineInput) { in.Name = aws.String(strings.Repeat("n", 81)) },
			check: func(t *testing.T, err error) { requireAPIError[*types.ValidationException](t, err) },
		},
		{
			name: "definition that is not JSON",
			edit: func(in *sfn.CreateStateMachineInput) { in.Definition = aws.String("{") },
			check: func(t *testing.T, err error) {
				e := requireAPIError[*types.InvalidDefinition](t, err)
				assert.Contains(t, e.ErrorMessage(), "Invalid State Machine Definition")
			},
		},
		{
			name:  "EXPRESS type",
			edit:  func(in *sfn.CreateStateMachineInput) { in.Type = types.StateMachineTypeExpress },
			check: func(t *testing.T, err error) { requireAPIError[*types.StateMachineTypeNotSupported](t, err) },
		},
		{
			name:  "logging without a destination",
			edit:  func(in *sfn.CreateStateMachineInput) { in.LoggingConfiguration = withLogging(types.LogLevelAll) },
			check: func(t *testing.T, err error) { requireAPIError[*types.InvalidLoggingConfiguration](t, err) },
		},
		{
			name: "logging to two destinations",
			edit: func(in *sfn.CreateStateMachineInput) {
				in.LoggingConfiguration = withLogging(types.LogLevelAll, logArn, logArn)
			},
			check: func(t *testing.T, err error) { requireAPIError[*types.InvalidLoggingConfiguration](t, err) },
		},
		{
			name: "logging to something else than a log group",
			edit: func(in *sfn.CreateStateMachineInput) {
				in.LoggingConfiguration = withLogging(types.LogLevelAll, "arn:aws:s3:::bucket")
			},
			check: func(t *testing.T, err error) { requireAPIError[*types.InvalidLoggingConfiguration](t, err) },
		},
		{
			name:  "too many tags",
			edit:  func(in *sfn.CreateStateMachineInput) { in.Tags = manyTags },
			check: func(t *testing.T, err error) { requireAPIError[*types.TooManyTags](t, err) },
		},
		{
			name:  "publishing a version",
			edit:  func(in *sfn.CreateStateMachineInput) { in.Publish = true },
			check: func(t *testing.T, err error) { requireAPIError[*types.ValidationException](t, err) },
		},
		{
			name: "a customer managed key",
			edit: func(in *sfn.CreateStateMachineInput) {
				in.EncryptionConfiguration = &types.EncryptionConfiguration{
					Type: types.EncryptionTypeCustomerManagedKmsKey, KmsKeyId: aws.String("key"),
				}
			},
			check: func(t *testing.T, err error) { requireAPIError[*types.InvalidEncryptionConfiguration](t, err) },
		},
		{
			name:  "empty definition",
			edit:  func(in *sfn.CreateStateMachineInput) { in.Definition = aws.String("") },
			check: func(t *testing.T, err error) { requireAPIError[*types.ValidationException](t, err) },
		},
		{
			name: "definition over 1 MiB",
			edit: func(in *sfn.CreateStateMachineInput) {
				in.Definition = aws.String(passMachine + strings.Repeat(" ", 1<<20))
			},
			check: func(t *testing.T, err error) { requireAPIError[*types.ValidationException](t, err) },
		},
		{
			name:  "unknown type",
			edit:  func(in *sfn.CreateStateMachineInput) { in.Type = "BATCH" },
			check: func(t *testing.T, err error) { requireAPIError[*types.ValidationException](t, err) },
		},
		{
			name:  "unknown logging level",
			edit:  func(in *sfn.CreateStateMachineInput) { in.LoggingConfiguration = withLogging("DEBUG", logArn) },
			check: func(t *testing.T, err error) { requireAPIError[*types.ValidationException](t, err) },
		},
		{
			name: "an empty tag key",
			edit: func(in *sfn.CreateStateMachineInput) {
				in.Tags = []types.Tag{{Key: aws.String(""), Value: aws.String("v")}}
			},
			check: func(t *testing.T, err error) { requireAPIError[*types.ValidationException](t, err) },
		},
		{
			name: "a tag value over 256 characters",
			edit: func(in *sfn.CreateStateMachineInput) {
				in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 257))}}
			},
			check: func(t *testing.T, err error) { requireAPIError[*types.ValidationException](t, err) },
		},
		{
			name:  "an empty role",
			edit:  func(in *sfn.CreateStateMachineInput) { in.RoleArn = aws.String("") },
			check: func(t *testing.T, err error) { requireAPIError[*types.ValidationException](t, err) },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			in := &sfn.CreateStateMachineInput{
				Name: aws.String("wf"), Definition: aws.String(passMachine), RoleArn: aws.String(roleArn),
			}
			tc.edit(in)
			_, err := h.client.CreateStateMachine(h.ctx(), in)
			tc.check(t, err)

			list, err := h.client.ListStateMachines(h.ctx(), &sfn.ListStateMachinesInput{})
			require.NoError(t, err)
			assert.Empty(t, list.StateMachines, "a refused request creates nothing")
		})
	}
}

func TestStateMachineArnRefusals(t *testing.T) {
	h := newHarness(t)
	missing := "arn:aws:states:us-east-1:123456789012:stateMachine:missing"
	tests := []struct {
		name  string
		arn   string
		check func(t *testing.T, err error)
	}{
		{name: "unknown", arn: missing, check: func(t *testing.T, err error) {
			e := requireAPIError[*types.StateMachineDoesNotExist](t, err)
			assert.Contains(t, e.ErrorMessage(), missing)
		}},
		{name: "not an ARN", arn: "missing", check: func(t *testing.T, err error) {
			requireAPIError[*types.InvalidArn](t, err)
		}},
		{name: "an execution ARN", arn: "arn:aws:states:us-east-1:123456789012:execution:m:e", check: func(t *testing.T, err error) {
			requireAPIError[*types.InvalidArn](t, err)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.client.DescribeStateMachine(h.ctx(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(tc.arn)})
			tc.check(t, err)
			_, err = h.client.UpdateStateMachine(h.ctx(), &sfn.UpdateStateMachineInput{
				StateMachineArn: aws.String(tc.arn), Definition: aws.String(passMachine),
			})
			tc.check(t, err)
			_, err = h.client.StartExecution(h.ctx(), &sfn.StartExecutionInput{StateMachineArn: aws.String(tc.arn)})
			tc.check(t, err)
			_, err = h.client.ListExecutions(h.ctx(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(tc.arn)})
			tc.check(t, err)
		})
	}
}

func TestUpdateStateMachine(t *testing.T) {
	h := newHarness(t)
	arn := h.create("wf", passMachine)
	other := `{"StartAt":"Q","States":{"Q":{"Type":"Pass","Result":"new","End":true}}}`
	otherRole := "arn:aws:iam::123456789012:role/Other"

	out, err := h.client.UpdateStateMachine(h.ctx(), &sfn.UpdateStateMachineInput{
		StateMachineArn: aws.String(arn), Definition: aws.String(other), RoleArn: aws.String(otherRole),
		LoggingConfiguration: &types.LoggingConfiguration{Level: types.LogLevelFatal, Destinations: []types.LogDestination{
			{CloudWatchLogsLogGroup: &types.CloudWatchLogsLogGroup{LogGroupArn: aws.String(logArn)}},
		}},
	})
	require.NoError(t, err)
	assert.NotNil(t, out.UpdateDate)
	desc, err := h.client.DescribeStateMachine(h.ctx(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, other, aws.ToString(desc.Definition))
	assert.Equal(t, otherRole, aws.ToString(desc.RoleArn))
	assert.Equal(t, types.LogLevelFatal, desc.LoggingConfiguration.Level)

	// Only what the request sets changes.
	_, err = h.client.UpdateStateMachine(h.ctx(), &sfn.UpdateStateMachineInput{
		StateMachineArn: aws.String(arn), TracingConfiguration: &types.TracingConfiguration{Enabled: true},
	})
	require.NoError(t, err)
	desc, err = h.client.DescribeStateMachine(h.ctx(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, other, aws.ToString(desc.Definition))
	assert.True(t, desc.TracingConfiguration.Enabled)

	t.Run("invalid definition", func(t *testing.T) {
		_, err := h.client.UpdateStateMachine(h.ctx(), &sfn.UpdateStateMachineInput{
			StateMachineArn: aws.String(arn), Definition: aws.String(`{"StartAt":"X"}`),
		})
		requireAPIError[*types.InvalidDefinition](t, err)
	})
	t.Run("empty role", func(t *testing.T) {
		_, err := h.client.UpdateStateMachine(h.ctx(), &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn), RoleArn: aws.String("")})
		requireAPIError[*types.ValidationException](t, err)
	})
	t.Run("invalid logging", func(t *testing.T) {
		_, err := h.client.UpdateStateMachine(h.ctx(), &sfn.UpdateStateMachineInput{
			StateMachineArn: aws.String(arn), LoggingConfiguration: &types.LoggingConfiguration{Level: types.LogLevelAll},
		})
		requireAPIError[*types.InvalidLoggingConfiguration](t, err)
	})
	t.Run("nothing to update", func(t *testing.T) {
		_, err := h.client.UpdateStateMachine(h.ctx(), &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn)})
		requireAPIError[*types.MissingRequiredParameter](t, err)
	})
	desc, err = h.client.DescribeStateMachine(h.ctx(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, other, aws.ToString(desc.Definition), "refused updates change nothing")
}

func TestDeleteStateMachine(t *testing.T) {
	h := newHarness(t)
	arn := h.create("wf", passMachine)
	_, err := h.client.DeleteStateMachine(h.ctx(), &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)

	_, err = h.client.DescribeStateMachine(h.ctx(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	requireAPIError[*types.StateMachineDoesNotExist](t, err)
	// Deleting what does not exist succeeds, as on AWS.
	_, err = h.client.DeleteStateMachine(h.ctx(), &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	_, err = h.client.DeleteStateMachine(h.ctx(), &sfn.DeleteStateMachineInput{StateMachineArn: aws.String("wf")})
	requireAPIError[*types.InvalidArn](t, err)

	// The name is free again.
	assert.Equal(t, arn, h.create("wf", `{"StartAt":"Q","States":{"Q":{"Type":"Pass","End":true}}}`))
}

func TestListStateMachinesPages(t *testing.T) {
	h := newHarness(t)
	var want []string
	for _, name := range []string{"c", "a", "e", "b", "d"} {
		want = append(want, h.create(name, passMachine))
	}
	_, err := h.client.DeleteStateMachine(h.ctx(), &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(want[2])})
	require.NoError(t, err)
	want = append(want[:2], want[3:]...)

	p := sfn.NewListStateMachinesPaginator(h.client, &sfn.ListStateMachinesInput{MaxResults: 2})
	var got []string
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(h.ctx())
		require.NoError(t, err)
		pages++
		assert.LessOrEqual(t, len(page.StateMachines), 2)
		for _, sm := range page.StateMachines {
			got = append(got, aws.ToString(sm.StateMachineArn))
			assert.Equal(t, types.StateMachineTypeStandard, sm.Type)
			assert.NotNil(t, sm.CreationDate)
		}
	}
	assert.Equal(t, want, got, "oldest first, deleted ones left out")
	assert.Equal(t, 2, pages)

	_, err = h.client.ListStateMachines(h.ctx(), &sfn.ListStateMachinesInput{NextToken: aws.String("bogus")})
	requireAPIError[*types.InvalidToken](t, err)
}

// In process, the engine's methods fail with *stepfunctions.Error, whose Code is the exception name.
func TestErrorsInProcess(t *testing.T) {
	e := stepfunctions.New(nil)
	arn := "arn:aws:states:us-east-1:123456789012:stateMachine:missing"
	_, err := e.DescribeStateMachine(arn)
	var apiErr *stepfunctions.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, stepfunctions.CodeStateMachineDoesNotExist, apiErr.Code)
	assert.EqualError(t, err, "StateMachineDoesNotExist: State Machine Does Not Exist: '"+arn+"'")

	// The SDK checks required members before sending; the engine checks them for in-process callers.
	_, err = e.DescribeExecution("")
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, stepfunctions.CodeValidationException, apiErr.Code)
}

func TestTags(t *testing.T) {
	h := newHarness(t)
	arn := aws.String(h.create("wf", passMachine))
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	list := func() []types.Tag {
		out, err := h.client.ListTagsForResource(h.ctx(), &sfn.ListTagsForResourceInput{ResourceArn: arn})
		require.NoError(t, err)
		return out.Tags
	}

	_, err := h.client.TagResource(h.ctx(), &sfn.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{tag("a", "1"), tag("b", "2")}})
	require.NoError(t, err)
	_, err = h.client.TagResource(h.ctx(), &sfn.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{tag("a", "3"), tag("c", "4")}})
	require.NoError(t, err)
	assert.Equal(t, []types.Tag{tag("a", "3"), tag("b", "2"), tag("c", "4")}, list())

	_, err = h.client.UntagResource(h.ctx(), &sfn.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"b", "zz"}})
	require.NoError(t, err)
	assert.Equal(t, []types.Tag{tag("a", "3"), tag("c", "4")}, list())

	many := make([]types.Tag, 49)
	for i := range many {
		many[i] = tag(strings.Repeat("x", i+1), "v")
	}
	_, err = h.client.TagResource(h.ctx(), &sfn.TagResourceInput{ResourceArn: arn, Tags: many})
	requireAPIError[*types.TooManyTags](t, err)
	assert.Len(t, list(), 2, "a refused request adds nothing")

	missing := aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:missing")
	_, err = h.client.TagResource(h.ctx(), &sfn.TagResourceInput{ResourceArn: missing, Tags: []types.Tag{tag("a", "1")}})
	requireAPIError[*types.ResourceNotFound](t, err)
	_, err = h.client.UntagResource(h.ctx(), &sfn.UntagResourceInput{ResourceArn: missing, TagKeys: []string{"a"}})
	requireAPIError[*types.ResourceNotFound](t, err)
	_, err = h.client.ListTagsForResource(h.ctx(), &sfn.ListTagsForResourceInput{ResourceArn: aws.String("nope")})
	requireAPIError[*types.InvalidArn](t, err)
}
