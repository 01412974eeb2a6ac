package stepfunctions_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// passChain is a state machine of n Pass states in a row; its history has 2n+2 events.
func passChain(n int) string {
	states := make([]string, n)
	for i := range n {
		next := fmt.Sprintf(`"Next":"P%d"`, i+1)
		if i == n-1 {
			next = `"End":true`
		}
		states[i] = fmt.Sprintf(`"P%d":{"Type":"Pass",%s}`, i, next)
	}
	return `{"StartAt":"P0","States":{` + strings.Join(states, ",") + `}}`
}

func TestExecutionHistoryPages(t *testing.T) {
	h := newHarness(t)
	const states = 15
	const events = 2*states + 2
	machine := h.create("wf", passChain(states))
	arn := aws.ToString(h.run(machine, "run-1", `{"a":1}`).ExecutionArn)

	all, err := h.client.GetExecutionHistory(h.ctx(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	require.NoError(t, err)
	require.Len(t, all.Events, events)
	assert.Nil(t, all.NextToken)
	for i, ev := range all.Events {
		assert.Equal(t, int64(i+1), ev.Id, "ids count from 1")
		assert.NotNil(t, ev.Timestamp)
	}
	first, last := all.Events[0], all.Events[events-1]
	assert.Equal(t, types.HistoryEventTypeExecutionStarted, first.Type)
	require.NotNil(t, first.ExecutionStartedEventDetails)
	assert.Equal(t, `{"a":1}`, aws.ToString(first.ExecutionStartedEventDetails.Input))
	assert.Equal(t, roleArn, aws.ToString(first.ExecutionStartedEventDetails.RoleArn))
	assert.Equal(t, types.HistoryEventTypeExecutionSucceeded, last.Type)
	reversed := slices.Clone(all.Events)
	slices.Reverse(reversed)

	tests := []struct {
		name      string
		pageSize  int32
		reverse   bool
		want      []types.HistoryEvent
		wantPages int
	}{
		{name: "forward, 3 a page", pageSize: 3, want: all.Events, wantPages: 11},
		{name: "forward, one page of 1000", pageSize: 1000, want: all.Events, wantPages: 1},
		// How MIE's error handler reads it.
		{name: "newest first, 20 a page", pageSize: 20, reverse: true, want: reversed, wantPages: 2},
		{name: "newest first, 1 a page", pageSize: 1, reverse: true, want: reversed, wantPages: events},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := sfn.NewGetExecutionHistoryPaginator(h.client, &sfn.GetExecutionHistoryInput{
				ExecutionArn: aws.String(arn), MaxResults: tc.pageSize, ReverseOrder: tc.reverse,
			})
			var got []types.HistoryEvent
			pages := 0
			for p.HasMorePages() {
				page, err := p.NextPage(h.ctx())
				require.NoError(t, err)
				pages++
				got = append(got, page.Events...)
			}
			assert.Equal(t, ids(tc.want), ids(got))
			assert.Equal(t, eventTypes(tc.want), eventTypes(got))
			assert.Equal(t, tc.wantPages, pages)
		})
	}

	t.Run("tokens", func(t *testing.T) {
		page, err := h.client.GetExecutionHistory(h.ctx(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 5})
		require.NoError(t, err)
		require.NotNil(t, page.NextToken)
		// A forward token does not continue a reverse listing.
		_, err = h.client.GetExecutionHistory(h.ctx(), &sfn.GetExecutionHistoryInput{
			ExecutionArn: aws.String(arn), ReverseOrder: true, NextToken: page.NextToken,
		})
		requireAPIError[*types.InvalidToken](t, err)
		_, err = h.client.GetExecutionHistory(h.ctx(), &sfn.GetExecutionHistoryInput{
			ExecutionArn: aws.String(arn), NextToken: aws.String("bm90IGEgdG9rZW4"),
		})
		requireAPIError[*types.InvalidToken](t, err)
	})
}

func ids(events []types.HistoryEvent) []int64 {
	out := make([]int64, len(events))
	for i, ev := range events {
		out[i] = ev.Id
	}
	return out
}
