package client

import (
	"context"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/transcribe"
	transcribetypes "github.com/aws/aws-sdk-go-v2/service/transcribe/types"
	"github.com/aws/aws-sdk-go-v2/service/translate"
	translatetypes "github.com/aws/aws-sdk-go-v2/service/translate/types"
)

// The workflow API's service proxies (control-plane §6.29-6.31, routes R30 to R46) call Amazon Transcribe and
// Amazon Translate with the stack's role and answer what the SDK returned. Their answers are decoded into the AWS
// SDK's own types: the member names are the same, and the proxies give timestamps in RFC 3339. The proxies'
// ResponseMetadata (the AWS request id, status and headers) is not kept. Every failure, a missing body field and
// an AWS error alike, is a 500 APIError whose Message is the traceback's last line, e.g.
// `botocore.exceptions.ClientError: An error occurred (BadRequestException) when calling the GetVocabulary
// operation: ...`.

// GetVocabulary describes a Transcribe custom vocabulary (R30), DownloadUri included.
func (c *WorkflowAPI) GetVocabulary(ctx context.Context, name string) (*transcribe.GetVocabularyOutput, error) {
	return send[transcribe.GetVocabularyOutput](ctx, c.api, http.MethodPost, vocabularyName(name), "service", "transcribe", "get_vocabulary")
}

// DownloadVocabulary returns the entries of a custom vocabulary's table (R31): one map per line after the header,
// from the header's column names (Phrase, IPA, SoundsLike, DisplayAs) to the line's values. A line whose number
// of values differs from the header's, the empty line after the last newline included, gives an empty map, and a
// "\r" before a newline stays in the last value.
func (c *WorkflowAPI) DownloadVocabulary(ctx context.Context, name string) ([]map[string]string, error) {
	out, err := send[struct {
		Vocabulary []map[string]string `json:"vocabulary"`
	}](ctx, c.api, http.MethodPost, vocabularyName(name), "service", "transcribe", "download_vocabulary")
	if err != nil {
		return nil, err
	}
	return out.Vocabulary, nil
}

// ListVocabularies returns every custom vocabulary of the stack's region (R32).
func (c *WorkflowAPI) ListVocabularies(ctx context.Context) ([]transcribetypes.VocabularyInfo, error) {
	out, err := get[transcribe.ListVocabulariesOutput](ctx, c.api, "service", "transcribe", "list_vocabularies")
	if err != nil {
		return nil, err
	}
	return out.Vocabularies, nil
}

// DeleteVocabulary deletes a custom vocabulary (R33).
func (c *WorkflowAPI) DeleteVocabulary(ctx context.Context, name string) error {
	return c.api.call(ctx, request{method: http.MethodPost, path: []string{"service", "transcribe", "delete_vocabulary"}, body: vocabularyName(name)}, nil)
}

// CreateVocabulary creates a custom vocabulary of a language from the table at an s3:// URI (R34). Transcribe
// builds it in the background: GetVocabulary tells when its state is READY.
func (c *WorkflowAPI) CreateVocabulary(ctx context.Context, name, languageCode, s3URI string) (*transcribe.CreateVocabularyOutput, error) {
	body := map[string]string{"vocabulary_name": name, "language_code": languageCode, "s3uri": s3URI}
	return send[transcribe.CreateVocabularyOutput](ctx, c.api, http.MethodPost, body, "service", "transcribe", "create_vocabulary")
}

// ListLanguageModels returns every custom language model of the stack's region (R35).
func (c *WorkflowAPI) ListLanguageModels(ctx context.Context) ([]transcribetypes.LanguageModel, error) {
	out, err := get[transcribe.ListLanguageModelsOutput](ctx, c.api, "service", "transcribe", "list_language_models")
	if err != nil {
		return nil, err
	}
	return out.Models, nil
}

// DescribeLanguageModel describes a custom language model (R36).
func (c *WorkflowAPI) DescribeLanguageModel(ctx context.Context, name string) (*transcribetypes.LanguageModel, error) {
	out, err := send[transcribe.DescribeLanguageModelOutput](ctx, c.api, http.MethodPost, map[string]string{"ModelName": name},
		"service", "transcribe", "describe_language_model")
	if err != nil {
		return nil, err
	}
	return out.LanguageModel, nil
}

// GetTerminology describes a Translate custom terminology and where to download it in CSV (R37).
func (c *WorkflowAPI) GetTerminology(ctx context.Context, name string) (*translate.GetTerminologyOutput, error) {
	return send[translate.GetTerminologyOutput](ctx, c.api, http.MethodPost, terminologyName(name), "service", "translate", "get_terminology")
}

// DownloadTerminology returns a custom terminology in CSV (R38).
func (c *WorkflowAPI) DownloadTerminology(ctx context.Context, name string) (string, error) {
	out, err := send[struct {
		Terminology string `json:"terminology"`
	}](ctx, c.api, http.MethodPost, terminologyName(name), "service", "translate", "download_terminology")
	if err != nil {
		return "", err
	}
	return out.Terminology, nil
}

// ListTerminologies returns every custom terminology of the stack's region (R39).
func (c *WorkflowAPI) ListTerminologies(ctx context.Context) ([]translatetypes.TerminologyProperties, error) {
	out, err := get[translate.ListTerminologiesOutput](ctx, c.api, "service", "translate", "list_terminologies")
	if err != nil {
		return nil, err
	}
	return out.TerminologyPropertiesList, nil
}

// DeleteTerminology deletes a custom terminology (R40).
func (c *WorkflowAPI) DeleteTerminology(ctx context.Context, name string) error {
	return c.api.call(ctx, request{method: http.MethodPost, path: []string{"service", "translate", "delete_terminology"}, body: terminologyName(name)}, nil)
}

// CreateTerminology imports a custom terminology from CSV text (R41), replacing one of the same name.
func (c *WorkflowAPI) CreateTerminology(ctx context.Context, name, csv string) (*translatetypes.TerminologyProperties, error) {
	body := map[string]string{"terminology_name": name, "terminology_csv": csv}
	out, err := send[translate.ImportTerminologyOutput](ctx, c.api, http.MethodPost, body, "service", "translate", "create_terminology")
	if err != nil {
		return nil, err
	}
	return out.TerminologyProperties, nil
}

// GetParallelData describes a Translate parallel data set and where to download it (R42).
func (c *WorkflowAPI) GetParallelData(ctx context.Context, name string) (*translate.GetParallelDataOutput, error) {
	return send[translate.GetParallelDataOutput](ctx, c.api, http.MethodPost, parallelDataName(name), "service", "translate", "get_parallel_data")
}

// DownloadParallelData returns the text of a parallel data set (R43).
func (c *WorkflowAPI) DownloadParallelData(ctx context.Context, name string) (string, error) {
	out, err := send[struct {
		ParallelDataCSV string `json:"parallel_data_csv"`
	}](ctx, c.api, http.MethodPost, parallelDataName(name), "service", "translate", "download_parallel_data")
	if err != nil {
		return "", err
	}
	return out.ParallelDataCSV, nil
}

// ListParallelData returns every parallel data set of the stack's region (R44).
func (c *WorkflowAPI) ListParallelData(ctx context.Context) ([]translatetypes.ParallelDataProperties, error) {
	out, err := get[translate.ListParallelDataOutput](ctx, c.api, "service", "translate", "list_parallel_data")
	if err != nil {
		return nil, err
	}
	return out.ParallelDataPropertiesList, nil
}

// DeleteParallelData starts the deletion of a parallel data set (R45) and returns its name and status.
func (c *WorkflowAPI) DeleteParallelData(ctx context.Context, name string) (*translate.DeleteParallelDataOutput, error) {
	return send[translate.DeleteParallelDataOutput](ctx, c.api, http.MethodPost, parallelDataName(name), "service", "translate", "delete_parallel_data")
}

// CreateParallelData starts the creation of a parallel data set (R46) from the members of in that are set; without
// a ClientToken one is generated for the call. It returns the set's name and status.
func (c *WorkflowAPI) CreateParallelData(ctx context.Context, in *translate.CreateParallelDataInput) (*translate.CreateParallelDataOutput, error) {
	return send[translate.CreateParallelDataOutput](ctx, c.api, http.MethodPost, createParallelDataBody(in), "service", "translate", "create_parallel_data")
}

func vocabularyName(name string) map[string]string { return map[string]string{"vocabulary_name": name} }
func terminologyName(name string) map[string]string {
	return map[string]string{"terminology_name": name}
}
func parallelDataName(name string) map[string]string {
	return map[string]string{"Name": name}
}

// createParallelDataBody is R46's body: CreateParallelData's parameters under their API names, the unset ones
// left out (the API refuses null values).
func createParallelDataBody(in *translate.CreateParallelDataInput) map[string]any {
	body := map[string]any{}
	setString := func(m map[string]any, name string, v *string) {
		if v != nil {
			m[name] = *v
		}
	}
	setString(body, "Name", in.Name)
	setString(body, "Description", in.Description)
	setString(body, "ClientToken", in.ClientToken)
	if cfg := in.ParallelDataConfig; cfg != nil {
		m := map[string]any{}
		setString(m, "S3Uri", cfg.S3Uri)
		if cfg.Format != "" {
			m["Format"] = string(cfg.Format)
		}
		body["ParallelDataConfig"] = m
	}
	if key := in.EncryptionKey; key != nil {
		m := map[string]any{}
		setString(m, "Id", key.Id)
		if key.Type != "" {
			m["Type"] = string(key.Type)
		}
		body["EncryptionKey"] = m
	}
	if in.Tags != nil {
		tags := make([]map[string]any, len(in.Tags))
		for i, tag := range in.Tags {
			tags[i] = map[string]any{}
			setString(tags[i], "Key", tag.Key)
			setString(tags[i], "Value", tag.Value)
		}
		body["Tags"] = tags
	}
	return body
}
