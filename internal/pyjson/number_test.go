package pyjson

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Expected values are Python 3.11's repr(float).
func TestFloatRepr(t *testing.T) {
	cases := []struct {
		in   float64
		want string
	}{
		{2.0, "2.0"},
		{0.1, "0.1"},
		{3723.45, "3723.45"},
		{1e-05, "1e-05"},
		{0.0001, "0.0001"},
		{0.0001234, "0.0001234"},
		{1.23e-18, "1.23e-18"},
		{1e15, "1000000000000000.0"},
		{9999999999999998.0, "9999999999999998.0"},
		{1e16, "1e+16"},
		{1.5e16, "1.5e+16"},
		{1e22, "1e+22"},
		{123456789.123, "123456789.123"},
		{1.0 / 3, "0.3333333333333333"},
		{5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{-2.5, "-2.5"},
		{1704067260.5312345, "1704067260.5312345"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, FloatRepr(tc.in))
		})
	}
}

// DP-15: every row of data-plane.md §4.4's table and every example of its algorithm, checked against
// Python's str(Decimal(repr(float(token)))).
func TestDecimalStringDP15(t *testing.T) {
	cases := []struct {
		token string
		want  string
	}{
		// The table.
		{"54.41469192504883", "54.41469192504883"},
		{"2.50", "2.5"},
		{"1e2", "100.0"},
		{"1E+2", "100.0"},
		{"100.0", "100.0"},
		{"1e-5", "0.00001"},
		{"1e-7", "1E-7"},
		{"1e16", "1E+16"},
		{"9999999999999999.0", "1E+16"},
		{"12345678901234567.0", "12345678901234568"},
		{"123456789012345678.0", "1.2345678901234568E+17"},
		// The algorithm's examples.
		{"0.0001", "0.0001"},
		{"2.5", "2.5"},
		{"-0.0", "-0.0"},
		{"123456.0", "123456.0"},
		{"1.5e-6", "0.0000015"},
		{"1.2345678901234568e16", "12345678901234568"},
		{"1.25e-10", "1.25E-10"},
		{"1.5e16", "1.5E+16"},
		{"5e-324", "5E-324"},
		{"4.9e-324", "5E-324"},
		{"1.7976931348623157e308", "1.7976931348623157E+308"},
		// Further Python-checked spellings.
		{"-1.5E-3", "-0.0015"},
		{"123.456e1", "1234.56"},
		{"1e15", "1000000000000000.0"},
		{"0.1", "0.1"},
		{"1e-400", "0.0"},
		{"3", "3.0"},
	}
	for _, tc := range cases {
		t.Run(tc.token, func(t *testing.T) {
			got, err := DecimalString(tc.token)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// DP-15 / data-plane Q-29: tokens the original would store as non-JSON literals are refused.
func TestDecimalStringRejectsDP15(t *testing.T) {
	for _, tok := range []string{"1e400", "-1e400", "NaN", "Infinity", "-Infinity", "abc", "", "1.", "+1", "0x10", "inf"} {
		t.Run(tok, func(t *testing.T) {
			_, err := DecimalString(tok)
			assert.Error(t, err)
		})
	}
}

// DP-15: the request example of data-plane.md §4.4, plus integers beyond 2^53 kept digit for digit.
func TestCanonicalizeFloatsDP15(t *testing.T) {
	v, err := Decode([]byte(`{"Confidence": 54.41469192504883, "Count": 3, "Big": 123456789012345678901234567890,
		"Labels": [{"Score": 1e2, "Ids": [1, 2.50]}], "Name": "x", "Flag": true, "None": null}`))
	require.NoError(t, err)
	got, err := CanonicalizeFloats(v)
	require.NoError(t, err)
	assert.Same(t, v.(*Map), got.(*Map), "maps are changed in place")
	text, err := Python(got)
	require.NoError(t, err)
	assert.Equal(t, `{"Confidence": "54.41469192504883", "Count": 3, "Big": 123456789012345678901234567890, `+
		`"Labels": [{"Score": "100.0", "Ids": [1, "2.5"]}], "Name": "x", "Flag": true, "None": null}`, string(text))
}

func TestCanonicalizeFloatsScalarsAndErrors(t *testing.T) {
	got, err := CanonicalizeFloats(Number("1e-7"))
	require.NoError(t, err)
	assert.Equal(t, "1E-7", got)

	got, err = CanonicalizeFloats(Number("-0"))
	require.NoError(t, err)
	assert.Equal(t, Number("-0"), got)

	got, err = CanonicalizeFloats("1.5")
	require.NoError(t, err)
	assert.Equal(t, "1.5", got, "strings are not numbers")

	for _, in := range []string{`{"a": [1e400]}`, `[NaN]`, `{"x": {"y": -Infinity}}`} {
		v, err := Decode([]byte(in))
		require.NoError(t, err)
		_, err = CanonicalizeFloats(v)
		assert.Error(t, err, in)
	}
}

// CP-02, CP-45 (control-plane §3.3, Q-27): DynamoDB numbers come back as Python floats; expected values
// are Python's repr(float(Decimal(n))).
func TestDynamoFloatCP02CP45(t *testing.T) {
	cases := []struct {
		n    string
		want Number
	}{
		{"2", "2.0"},
		{"5", "5.0"},
		{"1.5", "1.5"},
		{"-3", "-3.0"},
		{"0", "0.0"},
		{"-0", "-0.0"},
		{"10000000000000000", "1e+16"},
		{"0.0001", "0.0001"},
		{"0.00001", "1e-05"},
		{"1E+2", "100.0"},
		{"123456789012345678901234567890123456789", "1.2345678901234568e+38"},
		{"9.99E+125", "9.99e+125"},
		{"1E-130", "1e-130"},
		{".5", "0.5"},
		{"5.", "5.0"},
	}
	for _, tc := range cases {
		t.Run(tc.n, func(t *testing.T) {
			got, err := DynamoFloat(tc.n)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	// GET /system/configuration (control-plane §6.4).
	item := NewMap()
	item.Set("Name", "MaxConcurrentWorkflows")
	value, err := DynamoFloat("2")
	require.NoError(t, err)
	item.Set("Value", value)
	body, err := Compact([]any{item})
	require.NoError(t, err)
	assert.Equal(t, `[{"Name":"MaxConcurrentWorkflows","Value":2.0}]`, string(body))

	for _, bad := range []string{"", ".", "-", "1e", "abc", "inf", "NaN", "0x1p3", "1_000", "1e400"} {
		_, err := DynamoFloat(bad)
		assert.Error(t, err, bad)
	}
}

// CP-45: a float sent in a request is kept as spelled when echoed, and a DynamoDB number read back is a
// float whose text decodes to the same value.
func TestNumberRoundTripCP45(t *testing.T) {
	req, err := DecodeObject([]byte(`{"Value": 1.50, "Count": 7}`))
	require.NoError(t, err)
	echo, err := Compact(req)
	require.NoError(t, err)
	assert.Equal(t, `{"Value":1.50,"Count":7}`, string(echo))

	for _, n := range []string{"1.50", "7", "0.1", "12345678.9"} {
		stored, err := DynamoFloat(n)
		require.NoError(t, err)
		want, err := Number(n).Float64()
		require.NoError(t, err)
		got, err := stored.Float64()
		require.NoError(t, err)
		assert.Equal(t, want, got, n)
	}
}

func TestEpochSeconds(t *testing.T) {
	cases := []struct {
		t    time.Time
		want string
	}{
		{time.Unix(1704067200, 0), "1704067200.0"},
		{time.Unix(1704067200, 100_000_000), "1704067200.1"},
		{time.Unix(1605822398, 292_371_000), "1605822398.292371"},
		{time.Unix(1700000000, 123_456_000), "1700000000.123456"},
		{time.Unix(1700000000, 1_000), "1700000000.000001"},
		// Sub-microsecond digits are dropped.
		{time.Unix(1700000000, 123_456_789), "1700000000.123456"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, EpochSeconds(tc.t))
		})
	}
}

func TestNumberMethods(t *testing.T) {
	floats := map[Number]bool{"1": false, "-0": false, "12345678901234567890": false,
		"1.0": true, "1e5": true, "1E5": true, "NaN": true, "Infinity": true, "-Infinity": true}
	for n, want := range floats {
		assert.Equal(t, want, n.IsFloat(), n)
	}

	i, err := Number("-42").Int64()
	require.NoError(t, err)
	assert.Equal(t, int64(-42), i)
	_, err = Number("1.5").Int64()
	assert.Error(t, err)

	f, err := Number("1e400").Float64()
	require.NoError(t, err, "Python's float() overflows to inf without an error")
	assert.True(t, math.IsInf(f, 1))
	f, err = Number("NaN").Float64()
	require.NoError(t, err)
	assert.True(t, math.IsNaN(f))
	_, err = Number("0x10").Float64()
	assert.Error(t, err)

	b, err := Number("2.50").MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, "2.50", string(b))
	_, err = Number("2.").MarshalJSON()
	assert.Error(t, err)

	var n Number
	require.NoError(t, n.UnmarshalJSON([]byte(" 1E+2 ")))
	assert.Equal(t, Number("1E+2"), n)
	assert.Error(t, n.UnmarshalJSON([]byte(`"1"`)))
	assert.Equal(t, "1E+2", n.String())
}
