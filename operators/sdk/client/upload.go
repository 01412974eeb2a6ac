package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
)

// NewUploadRequest returns the request that uploads size bytes of content with the presigned POST: a
// multipart/form-data POST of the presigned fields followed by the file, which S3 requires last. The content is
// streamed, not buffered; S3 refuses a request whose length differs from the one it announces.
func (p *PresignedPost) NewUploadRequest(ctx context.Context, filename string, content io.Reader, size int64) (*http.Request, error) {
	var head bytes.Buffer
	form := multipart.NewWriter(&head)
	names := make([]string, 0, len(p.Fields))
	for name := range p.Fields {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := form.WriteField(name, p.Fields[name]); err != nil {
			return nil, fmt.Errorf("presigned post form: %w", err)
		}
	}
	// Creating the part writes its header; the file's bytes follow it, then the closing boundary.
	if _, err := form.CreateFormFile("file", filename); err != nil {
		return nil, fmt.Errorf("presigned post form: %w", err)
	}
	prefix := slices.Clone(head.Bytes())
	head.Reset()
	if err := form.Close(); err != nil {
		return nil, fmt.Errorf("presigned post form: %w", err)
	}
	suffix := head.Bytes()
	body := io.MultiReader(bytes.NewReader(prefix), io.LimitReader(content, size), bytes.NewReader(suffix))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, body)
	if err != nil {
		return nil, fmt.Errorf("presigned post: %w", err)
	}
	req.ContentLength = int64(len(prefix)) + size + int64(len(suffix))
	req.Header.Set("Content-Type", form.FormDataContentType())
	return req, nil
}
