package stepfunctions

// The tagging operations: TagResource, UntagResource and ListTagsForResource.

type wireTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func coreTags(tags []wireTag) []Tag {
	out := make([]Tag, len(tags))
	for i, t := range tags {
		out[i] = Tag(t)
	}
	return out
}

type tagResourceRequest struct {
	ResourceArn string    `json:"resourceArn"`
	Tags        []wireTag `json:"tags"`
}

func tagResource(e *Engine, in tagResourceRequest) (emptyResponse, error) {
	return emptyResponse{}, e.TagResource(in.ResourceArn, coreTags(in.Tags))
}

type untagResourceRequest struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

func untagResource(e *Engine, in untagResourceRequest) (emptyResponse, error) {
	return emptyResponse{}, e.UntagResource(in.ResourceArn, in.TagKeys)
}

type listTagsForResourceRequest struct {
	ResourceArn string `json:"resourceArn"`
}

type listTagsForResourceResponse struct {
	Tags []wireTag `json:"tags"`
}

func listTagsForResource(e *Engine, in listTagsForResourceRequest) (listTagsForResourceResponse, error) {
	tags, err := e.ListTagsForResource(in.ResourceArn)
	if err != nil {
		return listTagsForResourceResponse{}, err
	}
	out := listTagsForResourceResponse{Tags: make([]wireTag, len(tags))}
	for i, t := range tags {
		out.Tags[i] = wireTag(t)
	}
	return out, nil
}
