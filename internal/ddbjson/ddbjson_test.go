package ddbjson

import (
	"math"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// CP-45: numbers, including floats and integers beyond 2^53, survive a store and a read with their spelling.
func TestRoundTrip(t *testing.T) {
	doc := `{"Name": "op", "Configuration": {"MediaType": "Video", "Enabled": true, "MinConfidence": 80.5, "Big": 123456789012345678901}, "Tags": ["a", 1, null, {"x": false}], "Empty": {}}`
	v, err := pyjson.Decode([]byte(doc))
	require.NoError(t, err)
	item, err := MarshalMap(v.(*pyjson.Map))
	require.NoError(t, err)
	cfg := item["Configuration"].(*types.AttributeValueMemberM).Value
	assert.Equal(t, &types.AttributeValueMemberN{Value: "80.5"}, cfg["MinConfidence"])
	assert.Equal(t, &types.AttributeValueMemberN{Value: "123456789012345678901"}, cfg["Big"])
	assert.Equal(t, &types.AttributeValueMemberNULL{Value: true}, item["Tags"].(*types.AttributeValueMemberL).Value[2])

	back, err := UnmarshalMap(item)
	require.NoError(t, err)
	out, err := pyjson.Compact(back)
	require.NoError(t, err)
	// Keys come back sorted: DynamoDB keeps no order.
	assert.Equal(t, `{"Configuration":{"Big":123456789012345678901,"Enabled":true,"MediaType":"Video","MinConfidence":80.5},"Empty":{},"Name":"op","Tags":["a",1,null,{"x":false}]}`, string(out))
}

// CP-02, Q-27: numbers read from DynamoDB are rendered as Python floats in HTTP bodies.
func TestFloatNumbers(t *testing.T) {
	item := map[string]types.AttributeValue{
		"Name":  &types.AttributeValueMemberS{Value: "MaxConcurrentWorkflows"},
		"Value": &types.AttributeValueMemberN{Value: "2"},
		"L":     &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberN{Value: "10000000000000000"}, &types.AttributeValueMemberN{Value: "1.5"}}},
	}
	m, err := UnmarshalMap(item)
	require.NoError(t, err)
	f, err := FloatNumbers(m)
	require.NoError(t, err)
	out, err := pyjson.Compact(f)
	require.NoError(t, err)
	assert.Equal(t, `{"L":[1e+16,1.5],"Name":"MaxConcurrentWorkflows","Value":2.0}`, string(out))
}

func TestMarshalGoValues(t *testing.T) {
	cases := []struct {
		name string
		in   any
		want types.AttributeValue
	}{
		{"int", 5, &types.AttributeValueMemberN{Value: "5"}},
		{"uint", uint8(7), &types.AttributeValueMemberN{Value: "7"}},
		{"float", 0.25, &types.AttributeValueMemberN{Value: "0.25"}},
		{"string slice", []string{"a"}, &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "a"}}}},
		{"map", map[string]int{"n": 1}, &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"n": &types.AttributeValueMemberN{Value: "1"}}}},
		{"nil pointer", (*string)(nil), &types.AttributeValueMemberNULL{Value: true}},
		{"attribute value", &types.AttributeValueMemberS{Value: "x"}, &types.AttributeValueMemberS{Value: "x"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Marshal(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestMarshalRejects(t *testing.T) {
	for _, v := range []any{pyjson.Number("NaN"), pyjson.Number("Infinity"), pyjson.Number("1e400"), math.Inf(1), struct{}{}, map[int]int{1: 1}} {
		_, err := Marshal(v)
		assert.Error(t, err, "%#v", v)
	}
}

func TestUnmarshalSetsAndBinary(t *testing.T) {
	v, err := Unmarshal(&types.AttributeValueMemberNS{Value: []string{"1", "2.50"}})
	require.NoError(t, err)
	assert.Equal(t, []any{pyjson.Number("1"), pyjson.Number("2.50")}, v)
	v, err = Unmarshal(&types.AttributeValueMemberB{Value: []byte("hi")})
	require.NoError(t, err)
	assert.Equal(t, "aGk=", v)
	v, err = Unmarshal(&types.AttributeValueMemberSS{Value: []string{"a"}})
	require.NoError(t, err)
	assert.Equal(t, []any{"a"}, v)
}

func TestUnmarshalEvent(t *testing.T) {
	image := map[string]events.DynamoDBAttributeValue{
		"AssetId":  events.NewStringAttribute("a1"),
		"LockedAt": events.NewNumberAttribute("1700000001"),
		"labels": events.NewListAttribute([]events.DynamoDBAttributeValue{events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{
			"workflow": events.NewStringAttribute("w"), "pointer": events.NewStringAttribute("p")})}),
		"Flag": events.NewBooleanAttribute(true),
		"None": events.NewNullAttribute(),
		"NS":   events.NewNumberSetAttribute([]string{"1.50"}),
	}
	m, err := UnmarshalEventMap(image)
	require.NoError(t, err)
	out, err := pyjson.Python(m)
	require.NoError(t, err)
	assert.Equal(t, `{"AssetId": "a1", "Flag": true, "LockedAt": 1700000001, "NS": [1.50], "None": null, "labels": [{"pointer": "p", "workflow": "w"}]}`, string(out))
}
