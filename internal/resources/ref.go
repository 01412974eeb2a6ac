package resources

import "strings"

// Name is the rule for a physical name. Pattern holds the placeholders {stack} (the root stack name), {stack-lower}
// (the same in lower case, for S3) and {suid} (the short id).
type Name struct {
	// Explicit is true when the template sets the name. Otherwise CloudFormation generates one on AWS
	// (`<stack>-<logical id>-<random>`) and Pattern is the deterministic stand-in the local runtime uses; the
	// stand-ins keep the substrings IAM patterns depend on (§10.2).
	Explicit bool
	Pattern  string
}

// explicit and generated build the two kinds of Name.
func explicit(pattern string) Name  { return Name{Explicit: true, Pattern: pattern} }
func generated(pattern string) Name { return Name{Pattern: pattern} }

// generatedName is the local stand-in for a name CloudFormation generates: `<S>-<logical id>` in the root stack and
// `<S>-<nested stack>-<logical id>` in a nested one, which keeps `OperatorLibrary`, `CompleteStageLambda`, ... in
// the names as on AWS.
func generatedName(s Stack, logicalID string) Name {
	if s == RootStack {
		return generated("{stack}-" + logicalID)
	}
	return generated("{stack}-" + string(s) + "-" + logicalID)
}

// Resolve returns the name for the given parameters.
func (n Name) Resolve(p Params) string {
	return strings.NewReplacer(
		"{stack-lower}", strings.ToLower(p.StackName),
		"{stack}", p.StackName,
		"{suid}", p.ShortID,
	).Replace(n.Pattern)
}

// Attr is an attribute of a resource that a Ref can point to.
type Attr string

// The attributes a Ref can take.
const (
	AttrName Attr = "Name"
	AttrArn  Attr = "Arn"
	// AttrURL is a queue's URL.
	AttrURL Attr = "URL"
	// AttrStreamArn is a table's latest stream ARN.
	AttrStreamArn Attr = "StreamArn"
	// AttrID is the KMS key id.
	AttrID Attr = "Id"
)

// Ref is a value a deployment resolves: a literal, a parameter, or an attribute of another resource. Exactly one
// form is used: Param when set, else Resource and Attr when Resource is set, else Literal (the zero Ref is the
// empty literal). The CDK app maps refs to tokens; the local runtime to real values.
type Ref struct {
	Literal  string
	Param    Param
	Resource string
	Attr     Attr
}

// Lit is a literal value.
func Lit(s string) Ref { return Ref{Literal: s} }

// ParamRef refers to a parameter.
func ParamRef(p Param) Ref { return Ref{Param: p} }

// NameOf refers to the physical name of the resource with the given ID.
func NameOf(id string) Ref { return Ref{Resource: id, Attr: AttrName} }

// ArnOf refers to the ARN of the resource with the given ID.
func ArnOf(id string) Ref { return Ref{Resource: id, Attr: AttrArn} }

// URLOf refers to the URL of the queue with the given ID.
func URLOf(id string) Ref { return Ref{Resource: id, Attr: AttrURL} }

// StreamArnOf refers to the stream ARN of the table with the given ID.
func StreamArnOf(id string) Ref { return Ref{Resource: id, Attr: AttrStreamArn} }

// KeyIDOf refers to the id of the KMS key with the given ID.
func KeyIDOf(id string) Ref { return Ref{Resource: id, Attr: AttrID} }

// String renders the reference for messages.
func (r Ref) String() string {
	switch {
	case r.Param != "":
		return "param " + string(r.Param)
	case r.Resource != "":
		return string(r.Attr) + " of " + r.Resource
	default:
		return "literal " + `"` + r.Literal + `"`
	}
}

// Expr is a string built by concatenating references (Fn::Join with an empty delimiter), e.g. a policy resource
// `arn:<p>:lambda:<r>:<a>:function:*OperatorLibrary*`.
type Expr []Ref

// Join builds an Expr.
func Join(parts ...Ref) Expr { return Expr(parts) }

// arnHere builds `arn:<partition>:<service>:<region>:<account>:<resource>` in the stack's own region and account.
func arnHere(service, resource string) Expr {
	return Expr{Lit("arn:"), ParamRef(ParamPartition), Lit(":" + service + ":"), ParamRef(ParamRegion), Lit(":"),
		ParamRef(ParamAccount), Lit(":" + resource)}
}

// arnAnywhere builds `arn:<partition>:<service>:*:*:<resource>`, for grants the original gives in every region and
// account.
func arnAnywhere(service, resource string) Expr {
	return Expr{Lit("arn:"), ParamRef(ParamPartition), Lit(":" + service + ":*:*:" + resource)}
}

// suffixed appends literal text to the value of a reference.
func suffixed(r Ref, suffix string) Expr { return Expr{r, Lit(suffix)} }

// single wraps one reference as an Expr.
func single(r Ref) Expr { return Expr{r} }
