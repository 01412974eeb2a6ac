package resources

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Defaults of the stack parameters (infrastructure §2.2).
const (
	// DefaultFrameworkVersion is the version the original reports (`GET /version`, FRAMEWORK_VERSION).
	DefaultFrameworkVersion = "v5.1.11"
	// SolutionID is the AWS Solutions id of MIE, used in the user agent.
	SolutionID                    = "SO0163"
	DefaultMaxConcurrentWorkflows = 5
	DefaultKinesisShardCount      = 1
	// MaxStackNameLength is the README's rule for stack names (§10.1).
	MaxStackNameLength = 12
	// StageQueueWait is the stage-execution queue's long-poll wait on AWS (INF-14).
	StageQueueWait = 20 * time.Second
)

// Params are the values one deployment is built from. The zero value of every optional field means its default;
// Normalize fills them in and checks the rest.
type Params struct {
	// StackName is the root stack name `<S>`; at most 12 characters (§10.1).
	StackName string
	// ShortID is `<suid>`: 6 characters of [a-z0-9], generated once per stack and stable for its life.
	ShortID string
	// Region and Account of the deployment; Partition defaults to "aws".
	Region, Account, Partition string
	// FrameworkVersion defaults to DefaultFrameworkVersion.
	FrameworkVersion string
	// SolutionID defaults to SolutionID and SolutionVersion to FrameworkVersion; they only feed botoConfig.
	SolutionID, SolutionVersion string
	// MaxConcurrentWorkflows defaults to 5; the minimum is 1.
	MaxConcurrentWorkflows int
	// ExternalBucketArn is the optional S3 ARN of media outside the stack.
	ExternalBucketArn string
	// DeployAnalyticsPipeline defaults to true when nil.
	DeployAnalyticsPipeline *bool
	DeployTestResources     bool
	// KinesisShardCount defaults to 1.
	KinesisShardCount int
	// StageQueueReceiveWait overrides the stage-execution queue's 20 s long-poll wait. Only 0 and 1 s are
	// allowed: tests and the local runtime use them so that an empty receive returns at once.
	StageQueueReceiveWait *time.Duration
	// MediaConvertEndpoint is what the GetMediaConvertEndpoint custom resource finds on AWS; empty locally, where
	// the operators fall back to the regional endpoint (IQ-24).
	MediaConvertEndpoint string
}

var (
	// stackNamePattern is CloudFormation's rule for stack names.
	stackNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)
	shortIDPattern   = regexp.MustCompile(`^[a-z0-9]{6}$`)
	accountPattern   = regexp.MustCompile(`^[0-9]{12}$`)
)

// Normalize returns p with the defaults filled in, or an error naming the first value that is not allowed. The
// CDK app, whose stack name and short id are tokens, uses the parameters without normalizing them.
func (p Params) Normalize() (Params, error) {
	if !stackNamePattern.MatchString(p.StackName) {
		return p, fmt.Errorf("stack name %q: must start with a letter and hold only letters, digits and hyphens", p.StackName)
	}
	if len(p.StackName) > MaxStackNameLength {
		// §10.1: longer names push derived names past service limits, e.g. generated function names past
		// Lambda's 64 characters, where CloudFormation truncates them and can cut the OperatorLibrary substring
		// the Step Functions role's invoke grant depends on (§10.2).
		return p, fmt.Errorf("stack name %q has %d characters, at most %d are allowed: longer names push derived "+
			"resource names past service limits (Lambda and IAM role names: 64 characters) and can drop the "+
			"OperatorLibrary substring that the Step Functions role's invoke permission matches",
			p.StackName, len(p.StackName), MaxStackNameLength)
	}
	if !shortIDPattern.MatchString(p.ShortID) {
		return p, fmt.Errorf("short id %q: must be 6 characters of [a-z0-9]", p.ShortID)
	}
	if p.Region == "" {
		return p, fmt.Errorf("region is required")
	}
	if !accountPattern.MatchString(p.Account) {
		return p, fmt.Errorf("account %q: must be 12 digits", p.Account)
	}
	if p.Partition == "" {
		p.Partition = "aws"
	}
	if p.FrameworkVersion == "" {
		p.FrameworkVersion = DefaultFrameworkVersion
	}
	if p.SolutionID == "" {
		p.SolutionID = SolutionID
	}
	if p.SolutionVersion == "" {
		p.SolutionVersion = p.FrameworkVersion
	}
	switch {
	case p.MaxConcurrentWorkflows == 0:
		p.MaxConcurrentWorkflows = DefaultMaxConcurrentWorkflows
	case p.MaxConcurrentWorkflows < 1:
		return p, fmt.Errorf("MaxConcurrentWorkflows %d: the minimum is 1", p.MaxConcurrentWorkflows)
	}
	switch {
	case p.KinesisShardCount == 0:
		p.KinesisShardCount = DefaultKinesisShardCount
	case p.KinesisShardCount < 1:
		return p, fmt.Errorf("KinesisShardCount %d: the minimum is 1", p.KinesisShardCount)
	}
	if w := p.StageQueueReceiveWait; w != nil && *w != 0 && *w != time.Second {
		return p, fmt.Errorf("stage queue receive wait %s: only 0s or 1s may override the %s of AWS", *w, StageQueueWait)
	}
	return p, nil
}

// AnalyticsEnabled reports whether the analytics pipeline is deployed (default yes).
func (p Params) AnalyticsEnabled() bool {
	return p.DeployAnalyticsPipeline == nil || *p.DeployAnalyticsPipeline
}

// Deploys reports whether resources under condition c exist in this deployment. Anonymized metrics are never sent
// from a deployment built from Params (IQ-23).
func (p Params) Deploys(c Condition) bool {
	switch c {
	case Always:
		return true
	case AnalyticsCondition:
		return p.AnalyticsEnabled()
	case TestResourcesCondition:
		return p.DeployTestResources
	default:
		return false
	}
}

// StageQueueWait returns the stage-execution queue's receive wait: the override, or 20 s.
func (p Params) StageQueueWait() time.Duration {
	if p.StageQueueReceiveWait != nil {
		return *p.StageQueueReceiveWait
	}
	return StageQueueWait
}

// BotoConfig returns the `botoConfig` variable every function gets: the JSON text
// `{"user_agent_extra": "AwsSolution/<SolutionId>/<SolutionVersion>"}` spaced as Python's json.dumps renders it
// (INF-07). Empty fields take their defaults, so the CDK app can pass its parameter tokens.
func (p Params) BotoConfig() string {
	id, version := p.SolutionID, p.SolutionVersion
	if id == "" {
		id = SolutionID
	}
	if version == "" {
		version = p.FrameworkVersion
	}
	if version == "" {
		version = DefaultFrameworkVersion
	}
	return `{"user_agent_extra": ` + jsonString("AwsSolution/"+id+"/"+version) + `}`
}

// jsonString renders s as a JSON string without HTML escaping, as Python's json.dumps does.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // encoding a string cannot fail
	return strings.TrimSuffix(b.String(), "\n")
}

// Param is a stack-level value a definition refers to: a CloudFormation pseudo parameter, a stack parameter, or a
// value made once per stack (the short id).
type Param string

// The parameters definitions refer to.
const (
	ParamStackName              Param = "AWS::StackName"
	ParamRegion                 Param = "AWS::Region"
	ParamAccount                Param = "AWS::AccountId"
	ParamPartition              Param = "AWS::Partition"
	ParamShortID                Param = "ShortUUID"
	ParamBotoConfig             Param = "botoConfig"
	ParamFrameworkVersion       Param = "FrameworkVersion"
	ParamMaxConcurrentWorkflows Param = "MaxConcurrentWorkflows"
	ParamExternalBucketArn      Param = "ExternalBucketArn"
	ParamMediaConvertEndpoint   Param = "MediaConvertEndpoint"
	ParamKinesisShardCount      Param = "KinesisShardCount"
	// ParamExternalObjects is the S3Ext resource (§6.2): ExternalBucketArn when it is set, else the data plane
	// bucket's objects. The template expresses it as Fn::If on the AllowAccessToExternalBucket condition.
	ParamExternalObjects Param = "ExternalBucketArn|DataplaneObjects"
)

// value returns a parameter that needs nothing but p; ParamExternalObjects needs the deployment.
func (p Params) value(q Param) (string, bool) {
	switch q {
	case ParamStackName:
		return p.StackName, true
	case ParamRegion:
		return p.Region, true
	case ParamAccount:
		return p.Account, true
	case ParamPartition:
		return p.Partition, true
	case ParamShortID:
		return p.ShortID, true
	case ParamBotoConfig:
		return p.BotoConfig(), true
	case ParamFrameworkVersion:
		return p.FrameworkVersion, true
	case ParamMaxConcurrentWorkflows:
		return strconv.Itoa(p.MaxConcurrentWorkflows), true
	case ParamExternalBucketArn:
		return p.ExternalBucketArn, true
	case ParamMediaConvertEndpoint:
		return p.MediaConvertEndpoint, true
	case ParamKinesisShardCount:
		return strconv.Itoa(p.KinesisShardCount), true
	default:
		return "", false
	}
}
