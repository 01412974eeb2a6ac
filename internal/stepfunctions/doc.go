// Package stepfunctions is an in-process Step Functions service: state machines and their executions, run by the
// ASL interpreter of package interp, behind the service's own JSON 1.0 wire protocol so that the real SDK client
// (or anything given AWS_ENDPOINT_URL_SFN) drives it.
//
// The Engine is the core: it keeps state machines and executions, runs every execution on its own goroutine, and
// tells subscribers of each execution status change in the shape of EventBridge's "Step Functions Execution
// Status Change" event. NewServer is the thin HTTP edge over it, one file per group of operations (api_*.go).
// Task states reach Lambda through an interp.Invoker: RegistryInvoker calls a lambdainvoke.Registry in process,
// ClientInvoker any Lambda endpoint through the SDK.
package stepfunctions
