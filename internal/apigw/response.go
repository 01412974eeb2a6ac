package apigw

// Response is the Lambda proxy response envelope in the original framework's key order (CP-02, DP-02):
// {"headers": {...}, "multiValueHeaders": {}, "statusCode": N, "body": "..."}.
type Response struct {
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	StatusCode        int                 `json:"statusCode"`
	Body              string              `json:"body"`
}

// Text is a handler result sent verbatim as the body, not JSON-quoted (data-plane R4, R12, R14).
type Text string

// Custom is a handler result with its own status and headers; Body is a JSON value (rendered compact) or a Text.
type Custom struct {
	Status  int
	Headers map[string]string
	Body    any
}
