// Package sdk is the operator SDK of mie-go: what an operator Lambda of Media Insights on AWS needs to read its
// event, report its result or failure, and persist results through the data plane. It is the Go counterpart of
// the original's MediaInsightsEngineLambdaHelper library, and operators written with either one run in the same
// workflows.
//
//	Python                        Go
//	Status                        the OperationStatus... (and Workflow..., Stage...) constants
//	MediaInsightsOperationHelper  OperationHelper, built from an Operation event
//	OutputHelper                  OutputHelper and its ReducedOutput
//	MasExecutionError             *MasExecutionError
//	DataPlane                     *DataPlane (NewDataPlane; NewRESTDataPlane for programs outside the stack)
//
// A minimal synchronous operator:
//
//	func handle(ctx context.Context, event sdk.Operation) (*sdk.Operation, error) {
//		op := sdk.NewOperationHelper(event)
//		results := map[string]any{"Words": 42}
//		resp, err := dataPlane.StoreAssetMetadata(ctx, event.AssetID, event.Name, event.WorkflowExecutionID, results, false, false)
//		if err != nil {
//			return nil, err
//		}
//		if !resp.Success() {
//			op.UpdateWorkflowStatus(sdk.OperationStatusError)
//			op.AddWorkflowMetadata("WordCountError", "Unable to upload metadata for asset: "+event.AssetID)
//			return nil, op.MasExecutionError()
//		}
//		op.UpdateWorkflowStatus(sdk.OperationStatusComplete)
//		return op.ReturnOutputObject(), nil
//	}
//
// # The state machine an operator runs in
//
// Each operation of a stage is one branch of the stage's Parallel state (operator-sdk §2, control-plane §5.1):
//
//	Filter <op> Media Type? (<stage>)  the engine's filter Lambda (FilterStatus): Status Started or Skipped
//	Skip <op>? (<stage>)               Started runs the operation; anything else ends the branch (success)
//	Execute <op> (<stage>)             the operator's START Lambda; its output replaces the state
//	<op> Wait (<stage>)                async only: wait 10 s
//	Get <op> Status (<stage>)          async only: the MONITOR Lambda, given the previous output
//	Did <op> Complete (<stage>)        Executing (async only) waits again; Complete succeeds; anything else fails
//	<op> Failed (<stage>)              the OperatorFailed Lambda turns the failure into an output
//
// What that means for an operator:
//
//   - The START Lambda receives the filter's output: the Operation with Status "Started" and empty MetaData and
//     Media. Its return value becomes the MONITOR's event, and each MONITOR output the next MONITOR's event.
//   - An async MONITOR runs even when START already returned Complete (e.g. an image processed at once): it must
//     accept an event whose Status is Complete and return Complete.
//   - Every Lambda task retries twice (after 2 s, then 4 s) on Lambda service errors and on MasExecutionError, so an
//     operator that fails with MasExecutionError runs up to three times with the same event: START and MONITOR must
//     be idempotent. Page writes are not (a retried page is stored twice).
//   - Any failure left after the retries is caught, and OperatorFailed receives the state that entered the failing
//     task plus Outputs {"Error": <errorType>, "Cause": <text>}. For a MasExecutionError it copies the MetaData of the
//     error's output object into an output with Status Error; for any other error type it records only the type
//     name, as MetaData {"<Name>Error": "<errorType>"}. Return *MasExecutionError for failures you handled; any other
//     error (a *KeyError for a missing event key, say) is not retried.
//   - A sync operator that returns Executing, or any status but Complete, is passed through OperatorFailed
//     unchanged, and its stage fails: only Complete and Skipped count as success.
//   - An operator returning the ReducedOutput of OutputHelper drops AssetId, WorkflowExecutionId, Input and
//     Configuration for everything after it: its MONITOR must find identifiers in MetaData (copy WorkflowInfo
//     there, and the job id), and if that MONITOR fails, OperatorFailed itself fails, as it needs those keys.
//     New operators should return the full Operation.
//   - When the stage ends, the engine merges every operation's Media and MetaData into the workflow globals, the
//     Input of the next stage. Two operations of one stage producing the same media type fail the stage.
//
// # Limits
//
//   - Outputs become Step Functions state and part of the workflow execution record: keep them far below Step
//     Functions' 256 KB payload limit, and the JSON of a MasExecutionError's output below the 32 768 characters of
//     an error cause. Store bulky results in the data plane and keep only identifiers and flags in MetaData.
//   - MetaData keys are one namespace for the whole workflow after the stage ends, and a later operation's value
//     replaces an earlier one: prefix keys with the operator's name (Mediainfo_num_audio_tracks, MediainfoError).
//   - A direct invocation carries at most 6 MB each way, the request event including the results as JSON text
//     inside JSON (escaping adds 10 to 20 %): store results larger than a few MB as pages (PageWriter), and read
//     them back page by page (MetadataPages).
//   - The data plane function runs for at most 120 s; a paged write re-reads and re-writes the whole stored array
//     on every page.
package sdk
