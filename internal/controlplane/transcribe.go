package controlplane

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/transcribe"
	transcribetypes "github.com/aws/aws-sdk-go-v2/service/transcribe/types"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// Transcribe is what the Amazon Transcribe proxies call (CP-29, control-plane §6.30).
type Transcribe interface {
	GetVocabulary(ctx context.Context, in *transcribe.GetVocabularyInput, optFns ...func(*transcribe.Options)) (*transcribe.GetVocabularyOutput, error)
	ListVocabularies(ctx context.Context, in *transcribe.ListVocabulariesInput, optFns ...func(*transcribe.Options)) (*transcribe.ListVocabulariesOutput, error)
	DeleteVocabulary(ctx context.Context, in *transcribe.DeleteVocabularyInput, optFns ...func(*transcribe.Options)) (*transcribe.DeleteVocabularyOutput, error)
	CreateVocabulary(ctx context.Context, in *transcribe.CreateVocabularyInput, optFns ...func(*transcribe.Options)) (*transcribe.CreateVocabularyOutput, error)
	ListLanguageModels(ctx context.Context, in *transcribe.ListLanguageModelsInput, optFns ...func(*transcribe.Options)) (*transcribe.ListLanguageModelsOutput, error)
	DescribeLanguageModel(ctx context.Context, in *transcribe.DescribeLanguageModelInput, optFns ...func(*transcribe.Options)) (*transcribe.DescribeLanguageModelOutput, error)
}

// newTranscribe is the proxies' Transcribe client, sent to AWS_ENDPOINT_URL_TRANSCRIBE when that is set.
func newTranscribe(cfg awsconf.Config) *transcribe.Client {
	return transcribe.NewFromConfig(cfg.AWS, func(o *transcribe.Options) {
		if ep := cfg.Endpoint("TRANSCRIBE"); ep != nil {
			o.BaseEndpoint = ep
		}
	})
}

// getVocabulary is R30 (CP-29): GetVocabulary of the body's vocabulary_name.
func (h *Handler) getVocabulary(ctx context.Context, req *apigw.Request) (any, error) {
	in, err := vocabularyInput(req)
	if err != nil {
		return nil, err
	}
	out, err := h.clients.Transcribe.GetVocabulary(ctx, in)
	if err != nil {
		return nil, proxyError(err)
	}
	return botocoreOutput(out), nil
}

// vocabularyInput is the GetVocabulary input of R30 and R31.
func vocabularyInput(req *apigw.Request) (*transcribe.GetVocabularyInput, error) {
	f, err := bodyFields(req, "vocabulary_name")
	if err != nil {
		return nil, err
	}
	in := &transcribe.GetVocabularyInput{}
	return in, bind(args("VocabularyName", f[0]), in)
}

// downloadVocabulary is R31 (CP-29): the vocabulary's table, read from its DownloadUri.
func (h *Handler) downloadVocabulary(ctx context.Context, req *apigw.Request) (any, error) {
	in, err := vocabularyInput(req)
	if err != nil {
		return nil, err
	}
	out, err := h.clients.Transcribe.GetVocabulary(ctx, in)
	if err != nil {
		return nil, proxyError(err)
	}
	if out.DownloadUri == nil {
		return nil, keyError("DownloadUri")
	}
	text, err := h.urlopen(ctx, *out.DownloadUri)
	if err != nil {
		return nil, err
	}
	body := pyjson.NewMap()
	body.Set("vocabulary", parseVocabulary(text))
	return body, nil
}

// parseVocabulary reads a vocabulary table as R31 does (§6.30): the first line's tab-separated values name the
// columns; every later line with as many values becomes an object of them, any other line an empty object. Q-25
// (kept): so does the empty line after a final newline, and "\r" stays in the values.
func parseVocabulary(text string) []any {
	lines := strings.Split(text, "\n")
	columns := strings.Split(lines[0], "\t")
	entries := make([]any, 0, len(lines)-1)
	for _, line := range lines[1:] {
		entry := pyjson.NewMap()
		if values := strings.Split(line, "\t"); len(values) == len(columns) {
			for i, column := range columns {
				entry.Set(column, values[i])
			}
		}
		entries = append(entries, entry)
	}
	return entries
}

// listVocabularies is R32 (CP-29): every vocabulary, in pages of 100.
func (h *Handler) listVocabularies(ctx context.Context, _ *apigw.Request) (any, error) {
	pages := transcribe.NewListVocabulariesPaginator(h.clients.Transcribe, &transcribe.ListVocabulariesInput{MaxResults: aws.Int32(100)})
	out, err := allPages[transcribe.ListVocabulariesOutput, transcribe.Options](ctx, pages,
		func(o *transcribe.ListVocabulariesOutput) *[]transcribetypes.VocabularyInfo { return &o.Vocabularies })
	if err != nil {
		return nil, err
	}
	out.NextToken = nil
	return botocoreOutput(out), nil
}

// deleteVocabulary is R33 (CP-29).
func (h *Handler) deleteVocabulary(ctx context.Context, req *apigw.Request) (any, error) {
	f, err := bodyFields(req, "vocabulary_name")
	if err != nil {
		return nil, err
	}
	in := &transcribe.DeleteVocabularyInput{}
	if err := bind(args("VocabularyName", f[0]), in); err != nil {
		return nil, err
	}
	out, err := h.clients.Transcribe.DeleteVocabulary(ctx, in)
	if err != nil {
		return nil, proxyError(err)
	}
	return botocoreOutput(out), nil
}

// createVocabulary is R34 (CP-29): a vocabulary from the table at s3uri. The original answered a 502 here because
// it left LastModifiedTime unconverted (Q-24, fixed).
func (h *Handler) createVocabulary(ctx context.Context, req *apigw.Request) (any, error) {
	f, err := bodyFields(req, "vocabulary_name", "language_code", "s3uri")
	if err != nil {
		return nil, err
	}
	in := &transcribe.CreateVocabularyInput{}
	if err := bind(args("VocabularyName", f[0], "LanguageCode", f[1], "VocabularyFileUri", f[2]), in); err != nil {
		return nil, err
	}
	out, err := h.clients.Transcribe.CreateVocabulary(ctx, in)
	if err != nil {
		return nil, proxyError(err)
	}
	return botocoreOutput(out), nil
}

// listLanguageModels is R35 (CP-29): every custom language model. The original's first call left MaxResults to
// the service's default and only later pages asked for 100; as every page is returned, asking for 100
// from the first page changes only the number of calls.
func (h *Handler) listLanguageModels(ctx context.Context, _ *apigw.Request) (any, error) {
	pages := transcribe.NewListLanguageModelsPaginator(h.clients.Transcribe, &transcribe.ListLanguageModelsInput{MaxResults: aws.Int32(100)})
	out, err := allPages[transcribe.ListLanguageModelsOutput, transcribe.Options](ctx, pages,
		func(o *transcribe.ListLanguageModelsOutput) *[]transcribetypes.LanguageModel { return &o.Models })
	if err != nil {
		return nil, err
	}
	out.NextToken = nil
	return botocoreOutput(out), nil
}

// describeLanguageModel is R36 (CP-29): the body is DescribeLanguageModel's parameters.
func (h *Handler) describeLanguageModel(ctx context.Context, req *apigw.Request) (any, error) {
	in := &transcribe.DescribeLanguageModelInput{}
	if err := bodyKwargs(req, in); err != nil {
		return nil, err
	}
	out, err := h.clients.Transcribe.DescribeLanguageModel(ctx, in)
	if err != nil {
		return nil, proxyError(err)
	}
	return botocoreOutput(out), nil
}
