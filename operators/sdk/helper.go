package sdk

import "maps"

// OperationHelper builds an operator's full output object from its event, like the original's
// MediaInsightsOperationHelper (SDK-03 to SDK-06). Create one per invocation: a helper kept across invocations of a
// warm Lambda container would carry MetaData from one workflow into the next (SQ-05). It is not safe for
// concurrent use.
type OperationHelper struct {
	op Operation
}

// NewOperationHelper starts the output object from an event. Name, AssetId, WorkflowExecutionId, Input,
// Configuration and Status are taken as they are; MetaData and Media start as copies of the event's, so a MONITOR
// keeps what its START put there. Decoding the event (Operation.UnmarshalJSON) has already checked the required
// keys.
func NewOperationHelper(event Operation) *OperationHelper {
	event.MetaData = cloneObject(event.MetaData)
	event.Media = cloneObject(event.Media)
	return &OperationHelper{op: event}
}

// WorkflowInfo returns {"AssetId": ..., "WorkflowExecutionId": ...}, the identifiers operators that return a
// reduced output copy into MetaData for their MONITOR (SDK-04).
func (h *OperationHelper) WorkflowInfo() map[string]any {
	return map[string]any{"AssetId": h.op.AssetID, "WorkflowExecutionId": h.op.WorkflowExecutionID}
}

// ReturnOutputObject returns the eight-key output object (SDK-04). Its MetaData and Media are copies: later calls
// on the helper do not change an object already returned.
func (h *OperationHelper) ReturnOutputObject() *Operation {
	out := h.op
	out.MetaData = cloneObject(h.op.MetaData)
	out.Media = cloneObject(h.op.Media)
	return &out
}

// UpdateWorkflowStatus sets Status; any string is accepted (SDK-05).
func (h *OperationHelper) UpdateWorkflowStatus(status string) {
	h.op.Status = status
}

// AddWorkflowMetadata sets MetaData[key], replacing an existing value (SDK-05). MetaData keys are a workflow-wide
// namespace once the stage ends, so prefix them with the operator's name. Store errors as strings (err.Error()),
// never as error values.
func (h *OperationHelper) AddWorkflowMetadata(key string, value any) {
	h.op.MetaData[key] = value
}

// AddWorkflowMetadataJSON merges every entry of metadata into MetaData, replacing existing keys (SDK-05).
func (h *OperationHelper) AddWorkflowMetadataJSON(metadata map[string]any) {
	maps.Copy(h.op.MetaData, metadata)
}

// AddMediaObject sets Media[mediaType] = {"S3Bucket": bucket, "S3Key": key}, replacing any previous object of that
// type (SDK-06). Later stages receive it in Input.Media.
func (h *OperationHelper) AddMediaObject(mediaType, bucket, key string) {
	h.op.Media[mediaType] = mediaObject(bucket, key)
}

// MasExecutionError returns the handled failure carrying the current output object (SDK-08).
func (h *OperationHelper) MasExecutionError() *MasExecutionError {
	return NewMasExecutionError(h.ReturnOutputObject())
}

// OutputHelper builds the reduced output object {"Name", "Status", "MetaData", "Media"}, like the original's
// OutputHelper (SDK-07). It starts empty, with Status "", and does not see the event. Prefer OperationHelper: the
// reduced object drops AssetId, WorkflowExecutionId, Input and Configuration for every later state (SQ-04). Create
// one per invocation (SQ-05); it is not safe for concurrent use.
type OutputHelper struct {
	out ReducedOutput
}

// NewOutputHelper returns an empty reduced output for the given operator name.
func NewOutputHelper(name string) *OutputHelper {
	return &OutputHelper{out: ReducedOutput{Name: name, MetaData: map[string]any{}, Media: map[string]any{}}}
}

// ReturnOutputObject returns the reduced output object; its MetaData and Media are copies.
func (h *OutputHelper) ReturnOutputObject() *ReducedOutput {
	out := h.out
	out.MetaData = cloneObject(h.out.MetaData)
	out.Media = cloneObject(h.out.Media)
	return &out
}

// UpdateWorkflowStatus sets Status; any string is accepted.
func (h *OutputHelper) UpdateWorkflowStatus(status string) {
	h.out.Status = status
}

// AddWorkflowMetadata sets MetaData[key], replacing an existing value.
func (h *OutputHelper) AddWorkflowMetadata(key string, value any) {
	h.out.MetaData[key] = value
}

// AddMediaObject sets Media[mediaType] = {"S3Bucket": bucket, "S3Key": key}.
func (h *OutputHelper) AddMediaObject(mediaType, bucket, key string) {
	h.out.Media[mediaType] = mediaObject(bucket, key)
}

// MasExecutionError returns the handled failure carrying the current reduced output object (SDK-08).
func (h *OutputHelper) MasExecutionError() *MasExecutionError {
	return NewMasExecutionError(h.ReturnOutputObject())
}

// mediaObject is one entry of Media, shaped as decoded entries are so that readers see one type.
func mediaObject(bucket, key string) map[string]any {
	return map[string]any{"S3Bucket": bucket, "S3Key": key}
}
