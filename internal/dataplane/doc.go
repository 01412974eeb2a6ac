// Package dataplane is the data plane API Lambda: assets, presigned media URLs, operator results stored as paged
// JSON documents in S3 with pointers in DynamoDB, cursors to read them back, and asset locks (data-plane.md R1-R15).
//
// One Handler serves every route. It is reached through API Gateway and, directly, through the events operators and
// the workflow API build by hand (DP-01, DP-37); both go through the route table in routes.go.
package dataplane
