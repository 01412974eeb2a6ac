package resources

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Deployment is the definitions bound to one set of parameters and to what an endpoint reported when they were
// provisioned (queue URLs, ARNs, stream ARNs). It resolves every Ref to a real value.
type Deployment struct {
	params Params
	set    *Set
	index  map[string]entry
	// reported holds the values the endpoint gave at provisioning; they win over computed ones.
	reported map[attrKey]string
}

type attrKey struct {
	id   string
	attr Attr
}

// newDeployment binds the definitions to normalized parameters.
func newDeployment(p Params, set *Set) *Deployment {
	return &Deployment{params: p, set: set, index: set.index(), reported: map[attrKey]string{}}
}

// Params returns the normalized parameters of the deployment.
func (d *Deployment) Params() Params { return d.params }

// Definitions returns the definitions the deployment was made from; they are shared with it, so read them only.
func (d *Deployment) Definitions() *Set { return d.set }

func (d *Deployment) report(id string, a Attr, value string) { d.reported[attrKey{id, a}] = value }

// Variable is a resolved environment variable.
type Variable struct {
	Name, Value string
}

// EnvList returns the environment of the function with the given ID, resolved, in definition order.
func (d *Deployment) EnvList(id string) ([]Variable, error) {
	f, ok := d.set.Function(id)
	if !ok {
		return nil, fmt.Errorf("no function %q", id)
	}
	if !d.params.Deploys(f.Condition) {
		return nil, fmt.Errorf("function %q is not deployed (condition %s)", id, f.Condition)
	}
	vars := make([]Variable, 0, len(f.Env))
	for _, v := range f.Env {
		value, err := d.Resolve(v.Value)
		if err != nil {
			return nil, fmt.Errorf("environment of %s: %s: %w", id, v.Name, err)
		}
		vars = append(vars, Variable{Name: v.Name, Value: value})
	}
	return vars, nil
}

// Env returns the environment of the function with the given ID as a map.
func (d *Deployment) Env(id string) (map[string]string, error) {
	vars, err := d.EnvList(id)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(vars))
	for _, v := range vars {
		m[v.Name] = v.Value
	}
	return m, nil
}

// Resolve returns the value of a reference.
func (d *Deployment) Resolve(r Ref) (string, error) {
	switch {
	case r.Param == ParamExternalObjects:
		if d.params.ExternalBucketArn != "" {
			return d.params.ExternalBucketArn, nil
		}
		bucket, err := d.attribute(DataplaneBucket, AttrArn)
		if err != nil {
			return "", err
		}
		return bucket + "/*", nil
	case r.Param != "":
		v, ok := d.params.value(r.Param)
		if !ok {
			return "", fmt.Errorf("unknown parameter %q", r.Param)
		}
		return v, nil
	case r.Resource != "":
		return d.attribute(r.Resource, r.Attr)
	default:
		return r.Literal, nil
	}
}

// ResolveExpr returns the value of an expression.
func (d *Deployment) ResolveExpr(e Expr) (string, error) {
	var b strings.Builder
	for _, r := range e {
		v, err := d.Resolve(r)
		if err != nil {
			return "", err
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// attribute resolves an attribute of a resource: the value the endpoint reported, else one computed from the name
// rules. URLs and stream ARNs exist only once provisioned.
func (d *Deployment) attribute(id string, a Attr) (string, error) {
	e, ok := d.index[id]
	if !ok {
		return "", fmt.Errorf("no resource %q", id)
	}
	if !d.params.Deploys(e.r.Condition) {
		return "", fmt.Errorf("resource %q is not deployed (condition %s)", id, e.r.Condition)
	}
	if v, ok := d.reported[attrKey{id, a}]; ok {
		return v, nil
	}
	name := e.r.Name.Resolve(d.params)
	switch {
	case e.kind == kindKey && (a == AttrID || a == AttrArn):
		// No KMS key is provisioned locally; operators leave the KMS fields out when the id is empty.
		return "", nil
	case e.kind == kindKey || e.kind == kindSubscription:
		return "", fmt.Errorf("resource %q has no %s here", id, a)
	case a == AttrName:
		return name, nil
	case a == AttrArn:
		return d.arn(e, name), nil
	default:
		return "", fmt.Errorf("%s of %q is known only once it is provisioned", a, id)
	}
}

// arn computes the ARN of a resource from its name, in the form CloudFormation's Arn attribute has.
func (d *Deployment) arn(e entry, name string) string {
	p := d.params
	here := func(service, resource string) string {
		return "arn:" + p.Partition + ":" + service + ":" + p.Region + ":" + p.Account + ":" + resource
	}
	switch e.kind {
	case kindTable:
		return here("dynamodb", "table/"+name)
	case kindBucket:
		return "arn:" + p.Partition + ":s3:::" + name
	case kindQueue:
		return here("sqs", name)
	case kindTopic:
		return here("sns", name)
	case kindStream:
		return here("kinesis", "stream/"+name)
	case kindLogGroup:
		return here("logs", "log-group:"+name+":*")
	case kindRole:
		path := d.rolePath(e.r.ID)
		return "arn:" + p.Partition + ":iam::" + p.Account + ":role" + path + name
	default: // kindFunction
		return here("lambda", "function:"+name)
	}
}

func (d *Deployment) rolePath(id string) string {
	if r, ok := d.set.Role(id); ok && r.Path != "" {
		return r.Path
	}
	return "/"
}

// policyDocument and policyStatement render IAM policy JSON.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string                         `json:"Sid,omitempty"`
	Effect    string                         `json:"Effect"`
	Principal map[string][]string            `json:"Principal,omitempty"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource,omitempty"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

func renderPolicy(statements []policyStatement) string {
	b, _ := json.Marshal(policyDocument{Version: "2012-10-17", Statement: statements}) // plain strings only
	return string(b)
}

// trustPolicy renders the trust policy of a role.
func trustPolicy(r Role) string {
	return renderPolicy([]policyStatement{{
		Effect:    "Allow",
		Principal: map[string][]string{"Service": r.Principals},
		Action:    []string{"sts:AssumeRole"},
	}})
}

// policy renders an inline policy with its references resolved, leaving out statements on resources that do not
// exist here.
func (d *Deployment) policy(p Policy) (string, error) {
	statements := make([]policyStatement, 0, len(p.Statements))
	for _, s := range p.Statements {
		ps := policyStatement{Sid: s.Sid, Effect: "Allow", Action: s.Actions}
		for _, e := range s.Resources {
			v, err := d.ResolveExpr(e)
			if err != nil {
				return "", err
			}
			// Only the KMS key resolves to nothing: it does not exist locally, and neither do grants on it.
			if v != "" {
				ps.Resource = append(ps.Resource, v)
			}
		}
		if len(s.Resources) > 0 && len(ps.Resource) == 0 {
			continue
		}
		for _, c := range s.Conditions {
			if ps.Condition == nil {
				ps.Condition = map[string]map[string][]string{}
			}
			if ps.Condition[c.Operator] == nil {
				ps.Condition[c.Operator] = map[string][]string{}
			}
			ps.Condition[c.Operator][c.Key] = c.Values
		}
		statements = append(statements, ps)
	}
	return renderPolicy(statements), nil
}
