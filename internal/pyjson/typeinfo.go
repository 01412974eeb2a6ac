package pyjson

import (
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// special says how the encoder treats a type before looking at its kind.
type special uint8

const (
	specialNone special = iota
	specialMap
	specialNumber
	specialJSONNumber
	specialRaw
	specialMarshaler     // the type implements json.Marshaler
	specialAddrMarshaler // only its pointer type does; used when the value is addressable
	specialText
	specialAddrText
)

// typeInfo is what the encoder needs to know about a type, computed once per type.
type typeInfo struct {
	special special
	bytes   bool    // a []byte-like slice, written as base64
	fields  []field // for structs: the encoded fields in output order
}

// field is one JSON member of a struct, possibly promoted from an embedded struct.
type field struct {
	name       string
	quotedName string // name as a JSON string, ready to write
	index      []int
	tagged     bool
	omitEmpty  bool
	omitZero   bool
	quoted     bool // the "string" tag option
}

var (
	mapType           = reflect.TypeFor[Map]()
	numberType        = reflect.TypeFor[Number]()
	jsonNumberType    = reflect.TypeFor[json.Number]()
	rawMessageType    = reflect.TypeFor[json.RawMessage]()
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	isZeroerType      = reflect.TypeFor[interface{ IsZero() bool }]()
)

// typeInfoCache maps reflect.Type to *typeInfo. It only memoizes facts derived from types, so sharing
// it between calls is safe.
var typeInfoCache sync.Map

func typeInfoFor(t reflect.Type) *typeInfo {
	if ti, ok := typeInfoCache.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := &typeInfo{special: specialFor(t)}
	switch t.Kind() {
	case reflect.Struct:
		ti.fields = structFields(t)
	case reflect.Slice:
		elem := reflect.PointerTo(t.Elem())
		ti.bytes = t.Elem().Kind() == reflect.Uint8 &&
			!elem.Implements(marshalerType) && !elem.Implements(textMarshalerType)
	}
	actual, _ := typeInfoCache.LoadOrStore(t, ti)
	return actual.(*typeInfo)
}

func specialFor(t reflect.Type) special {
	switch t {
	case mapType:
		return specialMap
	case numberType:
		return specialNumber
	case jsonNumberType:
		return specialJSONNumber
	case rawMessageType:
		return specialRaw
	}
	switch t.Kind() {
	case reflect.Interface:
		// The dynamic value decides.
		return specialNone
	case reflect.Pointer:
		// A pointer whose element has the method is dereferenced and handled as the element, so that
		// *Map, *Number and friends get their special treatment; only pointer-receiver methods are
		// called on the pointer itself.
		elem := t.Elem()
		switch {
		case elem.Implements(marshalerType):
			return specialNone
		case t.Implements(marshalerType):
			return specialMarshaler
		case elem.Implements(textMarshalerType):
			return specialNone
		case t.Implements(textMarshalerType):
			return specialText
		}
		return specialNone
	}
	switch {
	case t.Implements(marshalerType):
		return specialMarshaler
	case reflect.PointerTo(t).Implements(marshalerType):
		return specialAddrMarshaler
	case t.Implements(textMarshalerType):
		return specialText
	case reflect.PointerTo(t).Implements(textMarshalerType):
		return specialAddrText
	}
	return specialNone
}

// omit applies the omitempty and omitzero options.
func (f *field) omit(v reflect.Value) bool {
	if f.omitEmpty && isEmpty(v) {
		return true
	}
	return f.omitZero && isZero(v)
}

// isEmpty is encoding/json's notion of empty: false, 0, nil, or a zero-length string, slice, map or
// array. Structs are never empty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// isZero uses the type's IsZero method when it has one (as encoding/json's omitzero does), otherwise
// the Go zero value.
func isZero(v reflect.Value) bool {
	if v.Type().Implements(isZeroerType) {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return true
		}
		return v.Interface().(interface{ IsZero() bool }).IsZero()
	}
	if reflect.PointerTo(v.Type()).Implements(isZeroerType) {
		if !v.CanAddr() {
			// A copy makes the pointer-receiver method callable.
			boxed := reflect.New(v.Type()).Elem()
			boxed.Set(v)
			v = boxed
		}
		return v.Addr().Interface().(interface{ IsZero() bool }).IsZero()
	}
	return v.IsZero()
}

// structFields lists the JSON members of struct type t in output order, with encoding/json's rules:
// embedded structs without a tag name are flattened breadth first; of several fields with one name the
// shallowest wins, at equal depth a tagged one wins, and a remaining tie removes the name entirely.
func structFields(t reflect.Type) []field {
	type pending struct {
		typ   reflect.Type
		index []int
	}
	var candidates []field
	seen := map[reflect.Type]bool{}
	level := []pending{{typ: t}}
	for len(level) > 0 {
		var next []pending
		// Types are marked after the whole level, so the same struct embedded twice at one depth
		// produces conflicting fields that cancel out, as in encoding/json.
		var levelTypes []reflect.Type
		for _, p := range level {
			if seen[p.typ] {
				continue
			}
			levelTypes = append(levelTypes, p.typ)
			for i := range p.typ.NumField() {
				sf := p.typ.Field(i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if sf.Anonymous {
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTagName(name) {
					name = ""
				}
				index := append(slices.Clone(p.index), i)
				if sf.Anonymous && name == "" && ft.Kind() == reflect.Struct {
					next = append(next, pending{typ: ft, index: index})
					continue
				}
				f := field{
					name:   name,
					index:  index,
					tagged: name != "",
				}
				if f.name == "" {
					f.name = sf.Name
				}
				for opt := range strings.SplitSeq(opts, ",") {
					switch opt {
					case "omitempty":
						f.omitEmpty = true
					case "omitzero":
						f.omitZero = true
					case "string":
						f.quoted = quotableKind(ft.Kind())
					}
				}
				f.quotedName = string(appendString(nil, f.name))
				candidates = append(candidates, f)
			}
		}
		for _, lt := range levelTypes {
			seen[lt] = true
		}
		level = next
	}
	return dominantFields(candidates)
}

// dominantFields resolves name conflicts and returns the survivors in declaration order.
func dominantFields(candidates []field) []field {
	byName := map[string][]field{}
	for _, f := range candidates {
		byName[f.name] = append(byName[f.name], f)
	}
	var out []field
	for _, group := range byName {
		minDepth := len(group[0].index)
		for _, f := range group {
			minDepth = min(minDepth, len(f.index))
		}
		var shallow, tagged []field
		for _, f := range group {
			if len(f.index) == minDepth {
				shallow = append(shallow, f)
				if f.tagged {
					tagged = append(tagged, f)
				}
			}
		}
		switch {
		case len(shallow) == 1:
			out = append(out, shallow[0])
		case len(tagged) == 1:
			out = append(out, tagged[0])
		}
	}
	slices.SortFunc(out, func(a, b field) int { return slices.Compare(a.index, b.index) })
	return out
}

func quotableKind(k reflect.Kind) bool {
	switch k {
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.String:
		return true
	}
	return false
}

// validTagName accepts the tag names encoding/json accepts: letters, digits and a set of punctuation.
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}
