package interp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// Retry and Catch (ASL "Error handling"): when a state fails, the first retrier whose ErrorEquals covers
// the error decides alone whether the state runs again — once it has used up its MaxAttempts, later
// retriers are not consulted — and only then is the first matching catcher taken.

type retrier struct {
	errorEquals []string
	interval    float64 // seconds before the first retry
	maxAttempts int
	backoff     float64
	maxDelay    float64 // seconds; 0 means no cap
	fullJitter  bool
}

type catcher struct {
	errorEquals []string
	next        string
	resultPath  optPath
}

// Retrier defaults and limits.
const (
	defaultInterval    = 1
	defaultMaxAttempts = 3
	defaultBackoff     = 2.0
	maxDelayLimit      = 31622400
)

// delay returns how long to wait before retry number attempt (0 for the first), with the cap and the
// jitter applied.
func (r *retrier) delay(attempt int) time.Duration {
	d := r.interval * math.Pow(r.backoff, float64(attempt))
	if r.maxDelay > 0 && d > r.maxDelay {
		d = r.maxDelay
	}
	if r.fullJitter {
		d *= rand.Float64()
	}
	return time.Duration(d * float64(time.Second))
}

// retryPolicy tracks the attempts of one state entry against its retriers.
type retryPolicy struct {
	retriers []*retrier
	used     []int
}

// next returns the wait before retrying after f, or false when f must go on to Catch.
func (p *retryPolicy) next(f *failure) (time.Duration, bool) {
	for i, r := range p.retriers {
		if !f.matches(r.errorEquals) {
			continue
		}
		if p.used == nil {
			p.used = make([]int, len(p.retriers))
		}
		if p.used[i] >= r.maxAttempts {
			return 0, false
		}
		d := r.delay(p.used[i])
		p.used[i]++
		return d, true
	}
	return 0, false
}

// catcherFor returns the first catcher covering f, or nil.
func catcherFor(catchers []*catcher, f *failure) *catcher {
	for _, c := range catchers {
		if f.matches(c.errorEquals) {
			return c
		}
	}
	return nil
}

func parseRetry(f *fields) []*retrier {
	list, _ := f.array("Retry")
	var out []*retrier
	for i, v := range list {
		at := fmt.Sprintf("%s/%d", f.loc("Retry"), i)
		m, ok := v.(*pyjson.Map)
		if !ok {
			f.p.add(at, schemaFailed, "a retrier must be an object")
			continue
		}
		rf := newFields(f.p, m, at)
		rf.str("Comment")
		r := &retrier{interval: defaultInterval, maxAttempts: defaultMaxAttempts, backoff: defaultBackoff}
		r.errorEquals = parseErrorEquals(rf, i == len(list)-1)
		if n, ok := rf.integer("IntervalSeconds", 1); ok {
			r.interval = float64(n)
		}
		if n, ok := rf.integer("MaxAttempts", 0); ok {
			r.maxAttempts = n
		}
		if v, ok := rf.get("BackoffRate"); ok {
			b, isNum := number(v)
			if !isNum || b < 1 {
				f.p.add(rf.loc("BackoffRate"), schemaFailed, "the field 'BackoffRate' must be a number not less than 1.0")
			}
			r.backoff = b
		}
		if n, ok := rf.integer("MaxDelaySeconds", 1); ok {
			if n > maxDelayLimit {
				f.p.add(rf.loc("MaxDelaySeconds"), schemaFailed, "the field 'MaxDelaySeconds' must be at most %d", maxDelayLimit)
			}
			r.maxDelay = float64(n)
		}
		if s, ok := rf.str("JitterStrategy"); ok {
			switch s {
			case "FULL":
				r.fullJitter = true
			case "NONE":
			default:
				f.p.add(rf.loc("JitterStrategy"), schemaFailed, "the field 'JitterStrategy' should have one of these values: [FULL, NONE]")
			}
		}
		rf.done(nil)
		out = append(out, r)
	}
	return out
}

func parseCatch(f *fields, st *state) []*catcher {
	list, _ := f.array("Catch")
	var out []*catcher
	for i, v := range list {
		at := fmt.Sprintf("%s/%d", f.loc("Catch"), i)
		m, ok := v.(*pyjson.Map)
		if !ok {
			f.p.add(at, schemaFailed, "a catcher must be an object")
			continue
		}
		cf := newFields(f.p, m, at)
		cf.str("Comment")
		c := &catcher{errorEquals: parseErrorEquals(cf, i == len(list)-1)}
		c.next = cf.required("Next")
		st.targets = append(st.targets, target{name: c.next, at: cf.loc("Next")})
		c.resultPath = cf.optPath("ResultPath")
		cf.done(nil)
		out = append(out, c)
	}
	return out
}

// parseErrorEquals reads a non-empty list of error names in which States.ALL may only appear alone and
// in the last retrier or catcher.
func parseErrorEquals(f *fields, last bool) []string {
	list, ok := f.array("ErrorEquals")
	if !f.has("ErrorEquals") {
		f.p.add(f.at, schemaFailed, "these fields are required: [ErrorEquals]")
	}
	if ok && len(list) == 0 {
		f.p.add(f.loc("ErrorEquals"), schemaFailed, "Value cannot be empty")
	}
	var names []string
	for i, v := range list {
		s, isStr := v.(string)
		if !isStr || s == "" {
			f.p.add(f.loc("ErrorEquals")+"/"+strconv.Itoa(i), schemaFailed, "an error name must be a non-empty string")
			continue
		}
		if s == errAll && (len(list) > 1 || !last) {
			f.p.add(f.loc("ErrorEquals"), schemaFailed, "States.ALL must appear alone, in the last retrier or catcher")
		}
		names = append(names, s)
	}
	return names
}
