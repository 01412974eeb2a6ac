package stepfunctions

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameLength is the longest state machine or execution name, in characters.
const maxNameLength = 80

// forbiddenNameChars are the brackets, wildcards and special characters the API refuses in a name.
const forbiddenNameChars = "<>{}[]?*\"#%\\^|~`$&,;:/"

// checkName applies the API's rules for state machine and execution names: 1 to 80 characters (the model's length
// constraint, a ValidationException), none of them white space, control characters, noncharacters or the ones in
// forbiddenNameChars (InvalidName). member names the request member for the validation message.
func checkName(member, name string) error {
	if n := utf8.RuneCountInString(name); n < 1 || n > maxNameLength {
		return validation(member, "Member must have length between 1 and 80")
	}
	for _, r := range name {
		if r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) || r == 0xFFFE || r == 0xFFFF ||
			strings.ContainsRune(forbiddenNameChars, r) {
			return apiError(CodeInvalidName, "Invalid Name: '%s'", name)
		}
	}
	return nil
}
