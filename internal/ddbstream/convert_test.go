package ddbstream

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConvertValue(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   types.AttributeValue
		want string // DynamoDB JSON, as Lambda delivers it
	}{
		{"S", &types.AttributeValueMemberS{Value: "héllo"}, `{"S":"héllo"}`},
		{"N keeps its spelling", &types.AttributeValueMemberN{Value: "1.50"}, `{"N":"1.50"}`},
		{"N large", &types.AttributeValueMemberN{Value: "12345678901234567890.000001"}, `{"N":"12345678901234567890.000001"}`},
		{"B", &types.AttributeValueMemberB{Value: []byte("hi")}, `{"B":"aGk="}`},
		{"BOOL", &types.AttributeValueMemberBOOL{Value: true}, `{"BOOL":true}`},
		{"NULL", &types.AttributeValueMemberNULL{Value: true}, `{"NULL":true}`},
		{"SS", &types.AttributeValueMemberSS{Value: []string{"a", "b"}}, `{"SS":["a","b"]}`},
		{"NS", &types.AttributeValueMemberNS{Value: []string{"1.0", "2e3"}}, `{"NS":["1.0","2e3"]}`},
		{"BS", &types.AttributeValueMemberBS{Value: [][]byte{[]byte("a"), []byte("b")}}, `{"BS":["YQ==","Yg=="]}`},
		{"empty M", &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}}, `{"M":{}}`},
		{"empty L", &types.AttributeValueMemberL{Value: []types.AttributeValue{}}, `{"L":[]}`},
		{"nested", &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"S": &types.AttributeValueMemberN{Value: "5"}, // an attribute named like a type tag stays an attribute
			"L": &types.AttributeValueMemberL{Value: []types.AttributeValue{
				&types.AttributeValueMemberNULL{Value: true},
				&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"x": &types.AttributeValueMemberN{Value: "0.10"}}},
			}},
		}}, `{"M":{"S":{"N":"5"},"L":{"L":[{"NULL":true},{"M":{"x":{"N":"0.10"}}}]}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := convertValue(tc.in)
			require.NoError(t, err)
			b, err := json.Marshal(got)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(b))
		})
	}
}

func TestConvertValueRejectsUnknownTypes(t *testing.T) {
	_, err := convertValue(&types.AttributeValueMemberL{Value: []types.AttributeValue{&types.UnknownUnionMember{Tag: "X"}}})
	assert.EqualError(t, err, "element 0: unsupported attribute value type *types.UnknownUnionMember")
}
