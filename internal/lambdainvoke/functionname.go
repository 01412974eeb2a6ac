package lambdainvoke

import (
	"regexp"
	"strings"
)

// functionNameConstraint is the Lambda API model's pattern for the FunctionName of Invoke, quoted in the
// ValidationException it causes.
const functionNameConstraint = `Member must satisfy regular expression pattern: ` +
	`(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`

const qualifierConstraint = `Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)`

// maxNameLength is Lambda's limit on the name part of a function name or ARN.
const maxNameLength = 64

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d$`)

// functionRef is a parsed FunctionName: what the caller wrote, with absent parts left empty.
type functionRef struct {
	region, account, name, qualifier string
}

// target is an invocation's resolved function and the ARN it was invoked by: the handler sees that ARN, qualified
// when the caller gave a qualifier, as invokedFunctionArn.
type target struct {
	fn  *function
	arn string
}

// parseFunctionRef accepts every form Invoke accepts: a name ("f"), a name with qualifier ("f:prod"), a partial ARN
// ("123456789012:function:f") and a full ARN ("arn:aws:lambda:us-east-1:123456789012:function:f"), the ARNs with
// an optional ":qualifier". Like the model's pattern, each prefix is optional and taken when it fits.
func parseFunctionRef(s string) (functionRef, bool) {
	var ref functionRef
	parts := strings.Split(s, ":")
	if len(parts) > 3 && parts[0] == "arn" && parts[2] == "lambda" && (parts[1] == "" || strings.HasPrefix(parts[1], "aws")) {
		parts = parts[3:]
	}
	if len(parts) > 1 && regionPattern.MatchString(parts[0]) {
		ref.region, parts = parts[0], parts[1:]
	}
	if len(parts) > 1 && isAccountID(parts[0]) {
		ref.account, parts = parts[0], parts[1:]
	}
	if len(parts) > 1 && parts[0] == "function" {
		parts = parts[1:]
	}
	switch len(parts) {
	case 2:
		if !isQualifier(parts[1]) {
			return ref, false
		}
		ref.qualifier = parts[1]
	case 1:
	default:
		return ref, false
	}
	ref.name = parts[0]
	return ref, isFunctionName(ref.name)
}

// resolve finds the function that function (any accepted form) names; qualifier is the separate Qualifier
// parameter, "" when absent. Every qualifier reaches the one registered handler: the registry keeps no versions.
func (r *Registry) resolve(function, qualifier string) (target, error) {
	ref, ok := parseFunctionRef(function)
	if !ok {
		return target{}, &ValidationError{Field: "functionName", Value: function, Constraint: functionNameConstraint}
	}
	if qualifier != "" {
		if !isQualifier(qualifier) {
			return target{}, &ValidationError{Field: "qualifier", Value: qualifier, Constraint: qualifierConstraint}
		}
		if ref.qualifier != "" && ref.qualifier != qualifier {
			return target{}, &QualifierMismatchError{Derived: ref.qualifier, Specified: qualifier}
		}
		ref.qualifier = qualifier
	}
	region, account := ref.region, ref.account
	if region == "" {
		region = r.region
	}
	if account == "" {
		account = r.account
	}
	arn := functionARN(region, account, ref.name, ref.qualifier)
	// A function of another region or account is not in this registry, whatever its name.
	fn := r.lookup(ref.name)
	if fn == nil || region != r.region || account != r.account {
		return target{}, &FunctionNotFoundError{ARN: arn}
	}
	return target{fn: fn, arn: arn}, nil
}

func functionARN(region, account, name, qualifier string) string {
	arn := "arn:aws:lambda:" + region + ":" + account + ":function:" + name
	if qualifier != "" {
		arn += ":" + qualifier
	}
	return arn
}

func isFunctionName(s string) bool {
	return len(s) > 0 && len(s) <= maxNameLength && allChars(s, func(c byte) bool { return isWordChar(c) || c == '.' })
}

func isQualifier(s string) bool {
	return s == "$LATEST" || (len(s) > 0 && len(s) <= 128 && allChars(s, isWordChar))
}

func isAccountID(s string) bool {
	return len(s) == 12 && allChars(s, func(c byte) bool { return '0' <= c && c <= '9' })
}

func isWordChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

func allChars(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}
