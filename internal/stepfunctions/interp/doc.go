// Package interp runs Amazon States Language state machines: the ones MIE's compiler produces
// (control-plane §5) and the JSONPath subset of ASL around them, with Lambda functions as the only task
// resources.
//
// Parse validates a definition once; a Machine is then immutable and Run may execute it any number of
// times concurrently. Everything outside the interpreter comes in through RunOptions: the Invoker that
// calls Lambda functions, the Clock every wait goes through (Wait states, retry intervals, timeouts), the
// execution's identity for the context object, and a callback that receives the execution history as
// Step Functions' GetExecutionHistory reports it.
//
// What Step Functions can run but this package cannot (Map, intrinsic functions, task tokens, service
// integrations, JSONata, variables, JSONPath beyond single-node references) is refused by Parse with a
// *DefinitionError naming it, so nothing is ever run differently from Step Functions.
package interp
