package controlplane

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/translate"
	translatetypes "github.com/aws/aws-sdk-go-v2/service/translate/types"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// Translate is what the Amazon Translate proxies call (CP-30, control-plane §6.31).
type Translate interface {
	GetTerminology(ctx context.Context, in *translate.GetTerminologyInput, optFns ...func(*translate.Options)) (*translate.GetTerminologyOutput, error)
	ListTerminologies(ctx context.Context, in *translate.ListTerminologiesInput, optFns ...func(*translate.Options)) (*translate.ListTerminologiesOutput, error)
	DeleteTerminology(ctx context.Context, in *translate.DeleteTerminologyInput, optFns ...func(*translate.Options)) (*translate.DeleteTerminologyOutput, error)
	ImportTerminology(ctx context.Context, in *translate.ImportTerminologyInput, optFns ...func(*translate.Options)) (*translate.ImportTerminologyOutput, error)
	GetParallelData(ctx context.Context, in *translate.GetParallelDataInput, optFns ...func(*translate.Options)) (*translate.GetParallelDataOutput, error)
	ListParallelData(ctx context.Context, in *translate.ListParallelDataInput, optFns ...func(*translate.Options)) (*translate.ListParallelDataOutput, error)
	DeleteParallelData(ctx context.Context, in *translate.DeleteParallelDataInput, optFns ...func(*translate.Options)) (*translate.DeleteParallelDataOutput, error)
	CreateParallelData(ctx context.Context, in *translate.CreateParallelDataInput, optFns ...func(*translate.Options)) (*translate.CreateParallelDataOutput, error)
}

// newTranslate is the proxies' Translate client, sent to AWS_ENDPOINT_URL_TRANSLATE when that is set.
func newTranslate(cfg awsconf.Config) *translate.Client {
	return translate.NewFromConfig(cfg.AWS, func(o *translate.Options) {
		if ep := cfg.Endpoint("TRANSLATE"); ep != nil {
			o.BaseEndpoint = ep
		}
	})
}

// csvTerminology is the GetTerminology input of R37 and R38: the body's terminology_name, in CSV.
func csvTerminology(req *apigw.Request) (*translate.GetTerminologyInput, error) {
	f, err := bodyFields(req, "terminology_name")
	if err != nil {
		return nil, err
	}
	in := &translate.GetTerminologyInput{}
	return in, bind(args("Name", f[0], "TerminologyDataFormat", "CSV"), in)
}

// getTerminology is R37 (CP-30): the only proxy whose answer has no ResponseMetadata.
func (h *Handler) getTerminology(ctx context.Context, req *apigw.Request) (any, error) {
	in, err := csvTerminology(req)
	if err != nil {
		return nil, err
	}
	out, err := h.clients.Translate.GetTerminology(ctx, in)
	if err != nil {
		return nil, proxyError(err)
	}
	body := botocoreOutput(out)
	body.Delete("ResponseMetadata")
	return body, nil
}

// downloadTerminology is R38 (CP-30): the terminology's CSV text, read from its data location, under the key
// `terminology` (Q-26, kept: the original's documentation says terminology_csv).
func (h *Handler) downloadTerminology(ctx context.Context, req *apigw.Request) (any, error) {
	in, err := csvTerminology(req)
	if err != nil {
		return nil, err
	}
	out, err := h.clients.Translate.GetTerminology(ctx, in)
	if err != nil {
		return nil, proxyError(err)
	}
	if out.TerminologyDataLocation == nil {
		return nil, keyError("TerminologyDataLocation")
	}
	return h.download(ctx, out.TerminologyDataLocation.Location, "terminology")
}

// download answers {key: <text at location>}, the body of R38 and R43; a missing location is the original's
// KeyError.
func (h *Handler) download(ctx context.Context, location *string, key string) (any, error) {
	if location == nil {
		return nil, keyError("Location")
	}
	text, err := h.urlopen(ctx, *location)
	if err != nil {
		return nil, err
	}
	body := pyjson.NewMap()
	body.Set(key, text)
	return body, nil
}

// listTerminologies is R39 (CP-30): every terminology, in pages of 100.
func (h *Handler) listTerminologies(ctx context.Context, _ *apigw.Request) (any, error) {
	pages := translate.NewListTerminologiesPaginator(h.clients.Translate, &translate.ListTerminologiesInput{MaxResults: aws.Int32(100)})
	out, err := allPages[translate.ListTerminologiesOutput, translate.Options](ctx, pages,
		func(o *translate.ListTerminologiesOutput) *[]translatetypes.TerminologyProperties {
			return &o.TerminologyPropertiesList
		})
	if err != nil {
		return nil, err
	}
	out.NextToken = nil
	return botocoreOutput(out), nil
}

// deleteTerminology is R40 (CP-30).
func (h *Handler) deleteTerminology(ctx context.Context, req *apigw.Request) (any, error) {
	f, err := bodyFields(req, "terminology_name")
	if err != nil {
		return nil, err
	}
	in := &translate.DeleteTerminologyInput{}
	if err := bind(args("Name", f[0]), in); err != nil {
		return nil, err
	}
	out, err := h.clients.Translate.DeleteTerminology(ctx, in)
	if err != nil {
		return nil, proxyError(err)
	}
	return botocoreOutput(out), nil
}

// createTerminology is R41 (CP-30): ImportTerminology of the body's CSV text, replacing a terminology of the same
// name.
func (h *Handler) createTerminology(ctx context.Context, req *apigw.Request) (any, error) {
	f, err := bodyFields(req, "terminology_name", "terminology_csv")
	if err != nil {
		return nil, err
	}
	in := &translate.ImportTerminologyInput{}
	kwargs := args("Name", f[0], "MergeStrategy", "OVERWRITE", "TerminologyData", args("File", f[1], "Format", "CSV"))
	if err := bind(kwargs, in); err != nil {
		return nil, err
	}
	out, err := h.clients.Translate.ImportTerminology(ctx, in)
	if err != nil {
		return nil, proxyError(err)
	}
	return botocoreOutput(out), nil
}

// parallelData is the GetParallelData call of R42 and R43, whose body is its parameters.
func (h *Handler) parallelData(ctx context.Context, req *apigw.Request) (*translate.GetParallelDataOutput, error) {
	in := &translate.GetParallelDataInput{}
	if err := bodyKwargs(req, in); err != nil {
		return nil, err
	}
	out, err := h.clients.Translate.GetParallelData(ctx, in)
	if err != nil {
		return nil, proxyError(err)
	}
	return out, nil
}

// getParallelData is R42 (CP-30). The original answered a 502 when LatestUpdateAttemptAt was present (Q-24, fixed).
func (h *Handler) getParallelData(ctx context.Context, req *apigw.Request) (any, error) {
	out, err := h.parallelData(ctx, req)
	if err != nil {
		return nil, err
	}
	return botocoreOutput(out), nil
}

// downloadParallelData is R43 (CP-30): the parallel data's text, read from its data location.
func (h *Handler) downloadParallelData(ctx context.Context, req *apigw.Request) (any, error) {
	out, err := h.parallelData(ctx, req)
	if err != nil {
		return nil, err
	}
	if out.DataLocation == nil {
		return nil, keyError("DataLocation")
	}
	return h.download(ctx, out.DataLocation.Location, "parallel_data_csv")
}

// listParallelData is R44 (CP-30): every parallel data set, in pages of 100.
func (h *Handler) listParallelData(ctx context.Context, _ *apigw.Request) (any, error) {
	pages := translate.NewListParallelDataPaginator(h.clients.Translate, &translate.ListParallelDataInput{MaxResults: aws.Int32(100)})
	out, err := allPages[translate.ListParallelDataOutput, translate.Options](ctx, pages,
		func(o *translate.ListParallelDataOutput) *[]translatetypes.ParallelDataProperties {
			return &o.ParallelDataPropertiesList
		})
	if err != nil {
		return nil, err
	}
	out.NextToken = nil
	return botocoreOutput(out), nil
}

// deleteParallelData is R45 (CP-30): the body is DeleteParallelData's parameters.
func (h *Handler) deleteParallelData(ctx context.Context, req *apigw.Request) (any, error) {
	in := &translate.DeleteParallelDataInput{}
	if err := bodyKwargs(req, in); err != nil {
		return nil, err
	}
	out, err := h.clients.Translate.DeleteParallelData(ctx, in)
	if err != nil {
		return nil, proxyError(err)
	}
	return botocoreOutput(out), nil
}

// createParallelData is R46 (CP-30): the body is CreateParallelData's parameters; the SDK fills a missing
// ClientToken with a new idempotency token, as boto3 did.
func (h *Handler) createParallelData(ctx context.Context, req *apigw.Request) (any, error) {
	in := &translate.CreateParallelDataInput{}
	if err := bodyKwargs(req, in); err != nil {
		return nil, err
	}
	out, err := h.clients.Translate.CreateParallelData(ctx, in)
	if err != nil {
		return nil, proxyError(err)
	}
	return botocoreOutput(out), nil
}
