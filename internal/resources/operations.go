package resources

// Operation is one row of the operator registration table: an operation the stack registers at deploy time through
// the workflow custom resource (infrastructure §6.5, CP-31). The CDK app makes one custom resource and one output of
// each row; the local runtime sends the same custom-resource request. The operator library adds its rows here.
type Operation struct {
	// LogicalID is the custom resource's logical id in the operator library stack.
	LogicalID string
	// Name is the operation's name in the Operation table.
	Name string
	// Type is "Sync" or "Async".
	Type string
	// Configuration is the operation's default configuration, in the order the original lists it: MediaType and
	// Enabled first, then the operation's own keys.
	Configuration []ConfigEntry
	// StartFunction and MonitorFunction are function IDs; MonitorFunction is empty for a Sync operation.
	StartFunction, MonitorFunction string
	// OutputKey, ExportName and Description describe the stack output whose value is the operation's name; the
	// export is `<operator library stack name>:<ExportName>`.
	OutputKey, ExportName, Description string
}

// ConfigEntry is one key of an operation's default configuration.
type ConfigEntry struct {
	Key   string
	Value any
}

// Operations returns the operator registration table (operators.md §14 for its first row, the Wait operation).
func Operations() []Operation {
	return []Operation{{
		LogicalID: "WaitOperation",
		Name:      "Wait",
		Type:      "Async",
		Configuration: []ConfigEntry{
			{Key: "MediaType", Value: "MetadataOnly"},
			{Key: "Enabled", Value: false},
		},
		StartFunction:   StartWaitOperationLambda,
		MonitorFunction: CheckWaitOperationLambda,
		OutputKey:       "WaitOperation",
		ExportName:      "Wait",
		Description:     "Wait operator - wait until /workflow/execution/continue API is called",
	}}
}
