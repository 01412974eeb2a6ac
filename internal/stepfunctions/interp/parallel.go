package interp

import (
	"context"
	"fmt"
	"sync"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// parallelBody is a Parallel state: every branch runs concurrently on the effective input and the
// result is the array of their outputs in branch order. The first branch to fail fails the state and
// stops the others (their running states report …StateAborted).
type parallelBody struct {
	branches []*graph
}

func (p *parallelBody) execute(ctx context.Context, r *stateRun, input any) (any, string, error) {
	started := r.emit(HistoryEvent{Type: evParallelStarted})
	bctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	outs := make([]any, len(p.branches))
	lasts := make([]int64, len(p.branches))
	var (
		mu        sync.Mutex
		first     *failure
		firstLast int64
		wg        sync.WaitGroup
	)
	for i, g := range p.branches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			th := &thread{rec: r.ex.rec, last: started}
			out, err := r.ex.runGraph(bctx, g, th, input)
			outs[i], lasts[i] = out, th.last
			if f := asFailure(err); f != nil {
				mu.Lock()
				defer mu.Unlock()
				if first == nil {
					first, firstLast = f, th.last
					cancel(errBranchFailed)
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		r.th.last = firstLast
		return nil, "", first
	}
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	// The state's line continues from whichever branch finished last.
	for _, id := range lasts {
		r.th.last = max(r.th.last, id)
	}
	r.emit(HistoryEvent{Type: evParallelSucceeded})
	return outs, "", nil
}

func (ps *parser) parallel(f *fields, st *state) {
	body := &parallelBody{}
	st.body = body
	list, ok := f.array("Branches")
	switch {
	case !f.has("Branches"):
		ps.p.add(f.at, schemaFailed, "these fields are required: [Branches]")
	case ok && len(list) == 0:
		ps.p.add(f.loc("Branches"), schemaFailed, "Value cannot be empty")
	}
	for i, v := range list {
		at := fmt.Sprintf("%s/%d", f.loc("Branches"), i)
		m, isObj := v.(*pyjson.Map)
		if !isObj {
			ps.p.add(at, schemaFailed, "a branch must be an object")
			continue
		}
		bf := newFields(ps.p, m, at)
		body.branches = append(body.branches, ps.graph(bf))
		bf.done(refusedFields)
	}
}
