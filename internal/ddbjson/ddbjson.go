// Package ddbjson converts between the ordered JSON values of package pyjson and DynamoDB attribute values, so
// items are stored as "the request as sent plus generated fields" with numbers kept as DynamoDB numbers (CP-45).
package ddbjson

import (
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// Marshal converts a JSON value to an attribute value. It accepts what pyjson.Decode yields (*pyjson.Map, []any,
// string, pyjson.Number, bool, nil) plus Go strings, bools, integers, floats, string-keyed maps and slices.
// Numbers become N with their spelling kept; NaN and infinities, which DynamoDB cannot hold, are errors.
func Marshal(v any) (types.AttributeValue, error) {
	switch x := v.(type) {
	case nil:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case string:
		return &types.AttributeValueMemberS{Value: x}, nil
	case bool:
		return &types.AttributeValueMemberBOOL{Value: x}, nil
	case pyjson.Number:
		return number(string(x))
	case *pyjson.Map:
		m, err := MarshalMap(x)
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	case []any:
		return list(len(x), func(i int) any { return x[i] })
	case types.AttributeValue:
		return x, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &types.AttributeValueMemberN{Value: strconv.FormatInt(rv.Int(), 10)}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &types.AttributeValueMemberN{Value: strconv.FormatUint(rv.Uint(), 10)}, nil
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("number %v cannot be stored in DynamoDB", f)
		}
		return &types.AttributeValueMemberN{Value: strconv.FormatFloat(f, 'g', -1, 64)}, nil
	case reflect.Slice, reflect.Array:
		return list(rv.Len(), func(i int) any { return rv.Index(i).Interface() })
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		m := make(map[string]types.AttributeValue, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			av, err := Marshal(iter.Value().Interface())
			if err != nil {
				return nil, fmt.Errorf("%s: %w", iter.Key().String(), err)
			}
			m[iter.Key().String()] = av
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return &types.AttributeValueMemberNULL{Value: true}, nil
		}
		return Marshal(rv.Elem().Interface())
	}
	return nil, fmt.Errorf("cannot store a value of type %T in DynamoDB", v)
}

func number(tok string) (types.AttributeValue, error) {
	// Python's json accepts NaN and Infinity, and tokens beyond a double's range; DynamoDB numbers hold none of
	// them (their range, 1e-130 to 1e126, is narrower than a double's).
	if f, err := strconv.ParseFloat(tok, 64); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("number %s cannot be stored in DynamoDB", tok)
	}
	return &types.AttributeValueMemberN{Value: tok}, nil
}

func list(n int, at func(int) any) (types.AttributeValue, error) {
	out := make([]types.AttributeValue, n)
	for i := range n {
		av, err := Marshal(at(i))
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		out[i] = av
	}
	return &types.AttributeValueMemberL{Value: out}, nil
}

// MarshalMap converts an object to an item.
func MarshalMap(m *pyjson.Map) (map[string]types.AttributeValue, error) {
	out := make(map[string]types.AttributeValue, m.Len())
	for k, v := range m.All() {
		av, err := Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = av
	}
	return out, nil
}

// Unmarshal converts an attribute value to a JSON value: M becomes a *pyjson.Map with keys sorted (DynamoDB keeps
// no order), N a pyjson.Number with DynamoDB's spelling, B a base64 string, and the set types arrays.
func Unmarshal(av types.AttributeValue) (any, error) {
	switch x := av.(type) {
	case *types.AttributeValueMemberS:
		return x.Value, nil
	case *types.AttributeValueMemberN:
		return pyjson.Number(x.Value), nil
	case *types.AttributeValueMemberBOOL:
		return x.Value, nil
	case *types.AttributeValueMemberNULL:
		return nil, nil
	case *types.AttributeValueMemberB:
		return base64.StdEncoding.EncodeToString(x.Value), nil
	case *types.AttributeValueMemberM:
		return UnmarshalMap(x.Value)
	case *types.AttributeValueMemberL:
		out := make([]any, len(x.Value))
		for i, e := range x.Value {
			v, err := Unmarshal(e)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case *types.AttributeValueMemberSS:
		out := make([]any, len(x.Value))
		for i, s := range x.Value {
			out[i] = s
		}
		return out, nil
	case *types.AttributeValueMemberNS:
		out := make([]any, len(x.Value))
		for i, s := range x.Value {
			out[i] = pyjson.Number(s)
		}
		return out, nil
	case *types.AttributeValueMemberBS:
		out := make([]any, len(x.Value))
		for i, b := range x.Value {
			out[i] = base64.StdEncoding.EncodeToString(b)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported DynamoDB attribute value %T", av)
}

// UnmarshalMap converts an item to an object with its keys sorted.
func UnmarshalMap(item map[string]types.AttributeValue) (*pyjson.Map, error) {
	keys := make([]string, 0, len(item))
	for k := range item {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := pyjson.NewMap()
	for _, k := range keys {
		v, err := Unmarshal(item[k])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out.Set(k, v)
	}
	return out, nil
}

// UnmarshalEvent converts an attribute value of a DynamoDB stream event, as aws-lambda-go decodes it, to a JSON
// value with the same rules as Unmarshal.
func UnmarshalEvent(av events.DynamoDBAttributeValue) (any, error) {
	switch av.DataType() {
	case events.DataTypeString:
		return av.String(), nil
	case events.DataTypeNumber:
		return pyjson.Number(av.Number()), nil
	case events.DataTypeBoolean:
		return av.Boolean(), nil
	case events.DataTypeNull:
		return nil, nil
	case events.DataTypeBinary:
		return base64.StdEncoding.EncodeToString(av.Binary()), nil
	case events.DataTypeMap:
		return UnmarshalEventMap(av.Map())
	case events.DataTypeList:
		out := make([]any, 0, len(av.List()))
		for _, e := range av.List() {
			v, err := UnmarshalEvent(e)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case events.DataTypeStringSet:
		out := make([]any, 0, len(av.StringSet()))
		for _, s := range av.StringSet() {
			out = append(out, s)
		}
		return out, nil
	case events.DataTypeNumberSet:
		out := make([]any, 0, len(av.NumberSet()))
		for _, s := range av.NumberSet() {
			out = append(out, pyjson.Number(s))
		}
		return out, nil
	case events.DataTypeBinarySet:
		out := make([]any, 0, len(av.BinarySet()))
		for _, b := range av.BinarySet() {
			out = append(out, base64.StdEncoding.EncodeToString(b))
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported DynamoDB stream attribute type %v", av.DataType())
}

// UnmarshalEventMap converts a stream image to an object with its keys sorted.
func UnmarshalEventMap(image map[string]events.DynamoDBAttributeValue) (*pyjson.Map, error) {
	keys := make([]string, 0, len(image))
	for k := range image {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := pyjson.NewMap()
	for _, k := range keys {
		v, err := UnmarshalEvent(image[k])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out.Set(k, v)
	}
	return out, nil
}

// FloatNumbers returns a copy of v in which every number is rendered as a Python float, as the original's API
// framework rendered numbers read from DynamoDB (CP-02, control-plane Q-27: `2` comes back as `2.0`).
func FloatNumbers(v any) (any, error) {
	switch x := v.(type) {
	case pyjson.Number:
		return pyjson.DynamoFloat(string(x))
	case *pyjson.Map:
		out := pyjson.NewMap()
		for k, e := range x.All() {
			f, err := FloatNumbers(e)
			if err != nil {
				return nil, err
			}
			out.Set(k, f)
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			f, err := FloatNumbers(e)
			if err != nil {
				return nil, err
			}
			out[i] = f
		}
		return out, nil
	}
	return v, nil
}
