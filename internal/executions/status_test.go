package executions

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTransitionTable(t *testing.T) {
	// CP-32, CP-33 (control-plane §8.1): every pair of statuses, legal or not, and what the legal ones do to the
	// slot. Started is the only status that holds a slot.
	all := []Status{Queued, Started, Waiting, Resumed, Complete, Error, "", "Unknown"}
	legal := map[[2]Status]Slot{
		{Queued, Started}:   Take,
		{Queued, Error}:     Keep,
		{Started, Started}:  Keep,
		{Started, Waiting}:  Release,
		{Started, Complete}: Release,
		{Started, Error}:    Release,
		{Waiting, Waiting}:  Keep,
		{Waiting, Resumed}:  Keep,
		{Waiting, Error}:    Keep,
		{Resumed, Started}:  Take,
		{Resumed, Error}:    Keep,
		{Error, Error}:      Keep,
	}
	for _, from := range all {
		for _, to := range all {
			slot, err := Transition(from, to)
			want, ok := legal[[2]Status{from, to}]
			if !ok {
				var te *TransitionError
				assert.ErrorAs(t, err, &te, "%q -> %q must be refused", from, to)
				continue
			}
			require.NoError(t, err, "%q -> %q", from, to)
			assert.Equal(t, want, slot, "%q -> %q", from, to)
		}
	}
}

func TestSlotsFollowStarted(t *testing.T) {
	// CP-33: a change takes a slot exactly when it enters Started from another status and releases one exactly when
	// it leaves Started, so that only Started executions count against the limit (Waiting does not, §8.1).
	for from, row := range transitions {
		for to, slot := range row {
			switch {
			case from != Started && to == Started:
				assert.Equal(t, Take, slot, "%s -> %s", from, to)
			case from == Started && to != Started:
				assert.Equal(t, Release, slot, "%s -> %s", from, to)
			default:
				assert.Equal(t, Keep, slot, "%s -> %s", from, to)
			}
		}
	}
}

func TestSources(t *testing.T) {
	assert.Equal(t, map[Slot][]Status{Release: {Started}, Keep: {Queued, Waiting, Resumed, Error}}, sources(Error))
	assert.Equal(t, map[Slot][]Status{Release: {Started}}, sources(Complete))
	assert.Equal(t, map[Slot][]Status{Take: {Queued, Resumed}, Keep: {Started}}, sources(Started))
	// R24's conditional update (Resume) is the table's only way into Resumed.
	assert.Equal(t, map[Slot][]Status{Keep: {Waiting}}, sources(Resumed))
	assert.Empty(t, sources(Queued), "only R23 writes Queued, with the record")
}

func TestTransitionErrorText(t *testing.T) {
	assert.EqualError(t, &TransitionError{ID: "x", From: Complete, To: Error}, "execution x cannot change from Complete to Error")
	assert.EqualError(t, &TransitionError{To: Started}, "an execution cannot change from no status to Started")
}
