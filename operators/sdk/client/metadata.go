package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// MetadataPage is one answer of a metadata read (R9, R10). Results is the page as stored, numbers as written.
type MetadataPage struct {
	AssetID string `json:"asset_id"`
	// Operator names the operator whose result Results holds; empty on the first page of GetMetadata, whose
	// Results are the asset's global attributes (see Globals).
	Operator string `json:"operator,omitempty"`
	// Cursor reads the next page; empty on the last page.
	Cursor  string          `json:"cursor,omitempty"`
	Results json.RawMessage `json:"results"`
	Extra   Extra           `json:"-"`
}

// UnmarshalJSON keeps unknown members in Extra.
func (p *MetadataPage) UnmarshalJSON(data []byte) error {
	type plain MetadataPage
	return decodeObject(data, (*plain)(p), &p.Extra)
}

// DecodeResults decodes Results into v; numbers decode as json.Number into untyped values.
func (p *MetadataPage) DecodeResults(v any) error {
	dec := json.NewDecoder(bytes.NewReader(p.Results))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("results of asset %s, operator %q: %w", p.AssetID, p.Operator, err)
	}
	return nil
}

// AssetGlobals are an asset's global attributes, the results of the first page of GetMetadata.
type AssetGlobals struct {
	MediaType string `json:"MediaType"`
	S3Key     string `json:"S3Key"`
	S3Bucket  string `json:"S3Bucket"`
	// Created is the creation time in epoch seconds as text, e.g. "1700000000.123456".
	Created string `json:"Created"`
	Extra   Extra  `json:"-"`
}

// UnmarshalJSON keeps unknown members in Extra.
func (g *AssetGlobals) UnmarshalJSON(data []byte) error {
	type plain AssetGlobals
	return decodeObject(data, (*plain)(g), &g.Extra)
}

// Globals decodes the asset's global attributes from the first page of GetMetadata.
func (p *MetadataPage) Globals() (*AssetGlobals, error) {
	if p.Operator != "" {
		return nil, fmt.Errorf("asset %s: the page holds results of operator %s, not the asset's attributes", p.AssetID, p.Operator)
	}
	var g AssetGlobals
	if err := p.DecodeResults(&g); err != nil {
		return nil, err
	}
	return &g, nil
}

// GetMetadata reads an asset's metadata (R9): without a cursor its global attributes, with the cursor of the
// previous page the next page of its operators' results, operator after operator. NewMetadataPaginator follows
// the cursors.
func (c *DataplaneAPI) GetMetadata(ctx context.Context, assetID, cursor string) (*MetadataPage, error) {
	return c.readMetadata(ctx, []string{"metadata", assetID}, cursor)
}

// GetOperatorMetadata reads one operator's current result of an asset (R10): without a cursor its first page,
// with the cursor of the previous page the next one.
func (c *DataplaneAPI) GetOperatorMetadata(ctx context.Context, assetID, operator, cursor string) (*MetadataPage, error) {
	return c.readMetadata(ctx, []string{"metadata", assetID, operator}, cursor)
}

func (c *DataplaneAPI) readMetadata(ctx context.Context, path []string, cursor string) (*MetadataPage, error) {
	var query url.Values
	if cursor != "" {
		query = url.Values{"cursor": {cursor}}
	}
	var out MetadataPage
	if err := c.api.call(ctx, request{method: http.MethodGet, path: path, query: query}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// MetadataReader reads metadata pages; *DataplaneAPI implements it.
type MetadataReader interface {
	GetMetadata(ctx context.Context, assetID, cursor string) (*MetadataPage, error)
	GetOperatorMetadata(ctx context.Context, assetID, operator, cursor string) (*MetadataPage, error)
}

// MetadataPaginator reads the pages of an asset's metadata, following their cursors:
//
//	p := client.NewMetadataPaginator(api, assetID, "")
//	for p.HasMorePages() {
//		page, err := p.NextPage(ctx)
//		...
//	}
type MetadataPaginator struct {
	reader   MetadataReader
	assetID  string
	operator string
	cursor   string
	started  bool
}

// NewMetadataPaginator returns a paginator over one operator's result of an asset, or, with operator "", over the
// asset's global attributes followed by every operator's result.
func NewMetadataPaginator(reader MetadataReader, assetID, operator string) *MetadataPaginator {
	return &MetadataPaginator{reader: reader, assetID: assetID, operator: operator}
}

// HasMorePages reports whether NextPage has a page to read.
func (p *MetadataPaginator) HasMorePages() bool {
	return !p.started || p.cursor != ""
}

// NextPage reads the next page.
func (p *MetadataPaginator) NextPage(ctx context.Context) (*MetadataPage, error) {
	if !p.HasMorePages() {
		return nil, errors.New("metadata paginator: no more pages")
	}
	var page *MetadataPage
	var err error
	if p.operator == "" {
		page, err = p.reader.GetMetadata(ctx, p.assetID, p.cursor)
	} else {
		page, err = p.reader.GetOperatorMetadata(ctx, p.assetID, p.operator, p.cursor)
	}
	if err != nil {
		return nil, err
	}
	p.started = true
	p.cursor = page.Cursor
	return page, nil
}

// Pages returns the remaining pages as a sequence; it ends after the first error.
func (p *MetadataPaginator) Pages(ctx context.Context) iter.Seq2[*MetadataPage, error] {
	return func(yield func(*MetadataPage, error) bool) {
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if !yield(page, err) || err != nil {
				return
			}
		}
	}
}

// EpochSeconds is a time in whole seconds since the Unix epoch, decoded from a JSON number or a numeric string.
type EpochSeconds int64

// UnmarshalJSON accepts 1700000100 and "1700000100".
func (s *EpochSeconds) UnmarshalJSON(data []byte) error {
	text := string(data)
	if unquoted, err := strconv.Unquote(text); err == nil {
		text = unquoted
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return fmt.Errorf("epoch seconds %s: %w", data, err)
	}
	*s = EpochSeconds(n)
	return nil
}

// Time returns the time in UTC.
func (s EpochSeconds) Time() time.Time { return time.Unix(int64(s), 0).UTC() }
