package sdk

import (
	"context"
	"errors"
	"iter"
)

// PageWriter stores a large result as a series of pages of one paged metadata document (SDK-17; operator-sdk
// §10.2), choosing the query flags so that the refused combination (end without paginated, SQ-07) cannot be sent.
// A result that fits in the first page is stored single-shot. A paged result may span Lambda invocations: the next
// invocation creates its writer with paging set, from what the previous one recorded in MetaData (e.g. a page
// token). Pages must be written one after the other. A PageWriter is not safe for concurrent use.
type PageWriter struct {
	d                                 *DataPlane
	assetID, operatorName, workflowID string
	paging, ended                     bool
}

// NewPageWriter returns a writer for the results of operatorName in one workflow. paging reports whether earlier
// pages of this result were already stored, by a previous invocation.
func (d *DataPlane) NewPageWriter(assetID, operatorName, workflowID string, paging bool) *PageWriter {
	return &PageWriter{d: d, assetID: assetID, operatorName: operatorName, workflowID: workflowID, paging: paging}
}

// Paging reports whether pages have been stored and the result is not yet complete.
func (w *PageWriter) Paging() bool { return w.paging }

// Write stores one page; last marks the final page, which publishes the result. The first page, when also the
// last, is stored single-shot; otherwise pages go with paginated=true and the last with paginated=true&end=true.
// The response is the data plane's, as StoreAssetMetadata returns it; the writer advances only when it reports
// Success, so a refused page can be written again. Writing after the last page is an error.
func (w *PageWriter) Write(ctx context.Context, results any, last bool) (*Response, error) {
	if w.ended {
		return nil, errors.New("data plane page writer: the last page has already been written")
	}
	paginate := w.paging || !last
	end := w.paging && last
	resp, err := w.d.StoreAssetMetadata(ctx, w.assetID, w.operatorName, w.workflowID, results, paginate, end)
	if err != nil {
		return nil, err
	}
	if resp.Success() {
		w.paging = paginate && !end
		w.ended = last
	}
	return resp, nil
}

// MetadataPage is one page of metadata read by MetadataPages.
type MetadataPage struct {
	// Operator is the response's "operator": the operator the page belongs to, "" for the asset's globals, which
	// the first page of an asset-wide read holds.
	Operator string
	// Results is the page: a stored result, one page of a paged one, or the asset's globals.
	Results any
}

// MetadataPages reads metadata page after page, following the cursor until the data plane sends none (SDK-17):
// every operator's results of the asset when operatorName is "", else those of one operator. Each step yields a
// page or an error; a response without "results" (e.g. an unknown asset or operator) yields an *APIError and ends
// the iteration.
func (d *DataPlane) MetadataPages(ctx context.Context, assetID, operatorName string) iter.Seq2[MetadataPage, error] {
	return func(yield func(MetadataPage, error) bool) {
		cursor := ""
		for {
			resp, err := d.RetrieveAssetMetadata(ctx, assetID, operatorName, cursor)
			if err != nil {
				yield(MetadataPage{}, err)
				return
			}
			results, ok := resp.Body["results"]
			if !ok {
				yield(MetadataPage{}, resp.apiError())
				return
			}
			if !yield(MetadataPage{Operator: resp.StringField("operator"), Results: results}, nil) {
				return
			}
			if cursor = resp.StringField("cursor"); cursor == "" {
				return
			}
		}
	}
}
