// Package lambdainvoke runs Lambda handlers in process, looked up by function name, and serves them through the
// Lambda Invoke API so that the real SDK client (or anything given AWS_ENDPOINT_URL_LAMBDA) can call them.
package lambdainvoke
