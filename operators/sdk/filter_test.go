package sdk_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk"
)

// SDK-10: the filter rule, with Python's truthiness for Enabled and its errors for missing keys.
func TestFilterStatus(t *testing.T) {
	videoInput := `{"Media": {"Video": {"S3Bucket": "b", "S3Key": "k"}}, "MetaData": {}}`
	cases := []struct {
		name, input, config string
		status              string
		errType             any
		errText             string
	}{
		{"media present, enabled", videoInput, `{"MediaType": "Video", "Enabled": true}`, sdk.OperationStatusStarted, nil, ""},
		{"media absent", videoInput, `{"MediaType": "Audio", "Enabled": true}`, sdk.OperationStatusSkipped, nil, ""},
		{"disabled", videoInput, `{"MediaType": "Video", "Enabled": false}`, sdk.OperationStatusSkipped, nil, ""},
		{"metadata only, no media", `{"Media": {}}`, `{"MediaType": "MetadataOnly", "Enabled": true}`, sdk.OperationStatusStarted, nil, ""},
		{"metadata only needs no Media key", `{}`, `{"MediaType": "MetadataOnly", "Enabled": true}`, sdk.OperationStatusStarted, nil, ""},
		{"metadata only, disabled", `{}`, `{"MediaType": "MetadataOnly", "Enabled": false}`, sdk.OperationStatusSkipped, nil, ""},
		{"string false is enabled", videoInput, `{"MediaType": "Video", "Enabled": "false"}`, sdk.OperationStatusStarted, nil, ""},
		{"empty string is disabled", videoInput, `{"MediaType": "Video", "Enabled": ""}`, sdk.OperationStatusSkipped, nil, ""},
		{"zero is disabled", videoInput, `{"MediaType": "Video", "Enabled": 0.0}`, sdk.OperationStatusSkipped, nil, ""},
		{"one is enabled", videoInput, `{"MediaType": "Video", "Enabled": 1}`, sdk.OperationStatusStarted, nil, ""},
		{"null is disabled", videoInput, `{"MediaType": "Video", "Enabled": null}`, sdk.OperationStatusSkipped, nil, ""},
		{"empty list is disabled", videoInput, `{"MediaType": "Video", "Enabled": []}`, sdk.OperationStatusSkipped, nil, ""},
		{"object is enabled", videoInput, `{"MediaType": "Video", "Enabled": {"a": 1}}`, sdk.OperationStatusStarted, nil, ""},
		{"skip decided before Enabled is read", videoInput, `{"MediaType": "Text"}`, sdk.OperationStatusSkipped, nil, ""},
		{"numeric media type never matches", videoInput, `{"MediaType": 1, "Enabled": true}`, sdk.OperationStatusSkipped, nil, ""},
		{"no MediaType", videoInput, `{"Enabled": true}`, "", &sdk.KeyError{}, "'MediaType'"},
		{"no Enabled", videoInput, `{"MediaType": "Video"}`, "", &sdk.KeyError{}, "'Enabled'"},
		{"no Media", `{"MetaData": {}}`, `{"MediaType": "Video", "Enabled": true}`, "", &sdk.KeyError{}, "'Media'"},
		{"configuration not an object", videoInput, `"Video"`, "", &sdk.TypeError{}, "string indices must be integers, not 'str'"},
		{"configuration a list", videoInput, `["Video"]`, "", &sdk.TypeError{}, "list indices must be integers or slices, not str"},
		{"configuration null", videoInput, `null`, "", &sdk.TypeError{}, "'NoneType' object is not subscriptable"},
		{"unhashable media type", videoInput, `{"MediaType": ["Video"], "Enabled": true}`, "", &sdk.TypeError{}, "unhashable type: 'list'"},
		{"media not an object", `{"Media": 3}`, `{"MediaType": "Video", "Enabled": true}`, "", &sdk.TypeError{}, "Input.Media must be a JSON object, not int"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			op := &sdk.Operation{Name: "op", Input: json.RawMessage(tc.input), Configuration: json.RawMessage(tc.config), Status: "$.Status"}
			status, err := sdk.FilterStatus(op)
			if tc.errText == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.status, status)
				return
			}
			assert.EqualError(t, err, tc.errText)
			switch tc.errType.(type) {
			case *sdk.KeyError:
				var ke *sdk.KeyError
				assert.ErrorAs(t, err, &ke)
			case *sdk.TypeError:
				var te *sdk.TypeError
				assert.ErrorAs(t, err, &te)
			}
		})
	}
}
