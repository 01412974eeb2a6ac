// Package pyjson reads and writes JSON exactly as the original Python services do.
//
// The original engine is written in Python, and clients, state machines and stream consumers see the
// text that Python's json module produces. This package reproduces that text byte for byte in two modes:
//
//   - Compact: separators "," and ":" — the HTTP response bodies of both APIs (CP-02, DP-02).
//   - Python: json.dumps' default separators ", " and ": " — every stored or sent text: state machine
//     definitions, queue and SNS messages, cursors and Kinesis records (control-plane §3.8, DP-29, DP-33).
//
// Both modes escape every non-ASCII character as \uXXXX (lower-case hex, surrogate pairs above U+FFFF)
// and leave "/", "<", ">" and "&" alone, which encoding/json does not do.
//
// Decoding keeps what a Python dict keeps: key insertion order, unknown keys and (unlike Python) the
// exact spelling of every number, so a request can be stored as "request + generated fields" and echoed
// back unchanged. Syntax errors carry the message Python's json.loads gives for the same input, because
// handlers embed it in their error responses.
//
// The number helpers reproduce Python's float spellings: repr(float) for DynamoDB numbers rendered in
// responses (CP-02, Q-27) and for generated timestamps, and the float-to-string canonicalization the data
// plane applies to stored results (DP-15).
package pyjson
