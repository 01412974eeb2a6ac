package local

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mie-go/mie-go/internal/resources"
)

// Output is one stack output.
type Output struct {
	Key, Value, Description string
}

// Variable is one environment variable a caller of the runtime sets.
type Variable struct {
	Name, Value string
}

// Outputs returns the outputs a deployed stack prints (infrastructure §2.16, §6.5, §7) for what exists locally: the
// root outputs whose resources the runtime has (no KMS key, Lambda layers or nested stacks locally, and no
// placeholders for them), the operations registered at start-up, and the test operators' function ARNs under the
// test stack's output keys.
func (rt *Runtime) Outputs() ([]Output, error) {
	d := rt.deployment
	var outs []Output
	add := func(key, description string, ref resources.Ref) error {
		v, err := d.Resolve(ref)
		if err != nil {
			return fmt.Errorf("output %s: %w", key, err)
		}
		outs = append(outs, Output{Key: key, Value: v, Description: description})
		return nil
	}
	rows := []struct {
		key, description string
		ref              resources.Ref
		when             bool
	}{
		{"WorkflowApiEndpoint", "Endpoint for workflow Creation, Execution and Monitoring API", resources.Lit(rt.endpoints[workflowAPI] + "/api/"), true},
		{"DataplaneApiEndpoint", "Endpoint for data persistence API", resources.Lit(rt.endpoints[dataplaneAPI] + "/api/"), true},
		{"DataplaneBucket", "Bucket used to store transfomred media object from workflow execution", resources.NameOf(resources.DataplaneBucket), true},
		{"AnalyticsStreamArn", "Arn of the dataplane pipeline", resources.ArnOf(resources.AnalyticsStream), d.Params().AnalyticsEnabled()},
		{"MieSNSTopic", "ARN of the Media Insights on AWS SNS Workflow Execution Topic", resources.ArnOf(resources.WorkflowExecutionEventTopic), true},
		{"MieSQSQueue", "ARN of the Media Insights on AWS Workflow Execution Queue", resources.ArnOf(resources.WorkflowExecutionEventQueue), true},
		{"DataPlaneHandlerArn", "API Handler Lambda ARN for dataplane.", resources.ArnOf(resources.DataplaneAPIHandler), true},
		{"WorkflowCustomResourceArn", "Custom resource for creating operations, stages and workflows using CloudFormation", resources.ArnOf(resources.WorkflowCustomResource), true},
		{"WorkflowApiRestID", "REST API ID for workflow API", resources.Lit(workflowAPIID), true},
		{"DataplaneApiRestID", "REST API ID for dataplane API", resources.Lit(dataplaneAPIID), true},
		{"Version", "Media Insights on AWS Version", resources.ParamRef(resources.ParamFrameworkVersion), true},
	}
	for _, row := range rows {
		if !row.when {
			continue
		}
		if err := add(row.key, row.description, row.ref); err != nil {
			return nil, err
		}
	}
	for _, op := range resources.Operations() {
		outs = append(outs, Output{Key: op.OutputKey, Value: op.Name, Description: op.Description})
	}
	for _, f := range d.Definitions().Functions {
		if f.Stack == resources.TestResourcesStack {
			if err := add(f.LogicalID, "Test operator "+f.Handler, resources.ArnOf(f.ID)); err != nil {
				return nil, err
			}
		}
	}
	return outs, nil
}

// Environment returns the variables a program sets to call the runtime with the AWS SDK or the public client:
// the credentials the APIs accept, the region, and the endpoints of the data services, Lambda and Step Functions.
func (rt *Runtime) Environment() []Variable {
	base := rt.baseEnvironment()
	names := []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_SFN"}
	vars := make([]Variable, 0, len(names))
	for _, n := range names {
		vars = append(vars, Variable{Name: n, Value: base[n]})
	}
	return vars
}

// OutputsJSON renders the outputs and the environment as one JSON object, outputs first, in order.
func OutputsJSON(outs []Output, env []Variable) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{\n")
	n := 0
	write := func(k, v string) error {
		key, err := json.Marshal(k)
		if err != nil {
			return err
		}
		value, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if n > 0 {
			b.WriteString(",\n")
		}
		n++
		fmt.Fprintf(&b, "  %s: %s", key, value)
		return nil
	}
	for _, o := range outs {
		if err := write(o.Key, o.Value); err != nil {
			return nil, fmt.Errorf("encode output %s: %w", o.Key, err)
		}
	}
	for _, v := range env {
		if err := write(v.Name, v.Value); err != nil {
			return nil, fmt.Errorf("encode variable %s: %w", v.Name, err)
		}
	}
	b.WriteString("\n}\n")
	return b.Bytes(), nil
}

// ExportLines renders variables as `export NAME=value` lines a POSIX shell can eval, values single-quoted.
func ExportLines(vars []Variable) string {
	var b strings.Builder
	for _, v := range vars {
		fmt.Fprintf(&b, "export %s=%s\n", v.Name, shellQuote(v.Value))
	}
	return b.String()
}

// shellQuote single-quotes a value for a POSIX shell; a single quote inside ends the quoting, is escaped, and
// reopens it.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
