package interp

import (
	"context"
	"time"
)

// Clock is where the interpreter reads the time and waits: Wait states, retry intervals, task and
// execution timeouts. Tests pass a fake that never sleeps; the local runtime passes ScaledClock to run
// MIE's 10-second polls quickly.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or returns ctx's error as soon as ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
}

// ScaledClock returns a Clock on real time whose waits last d/scale: ScaledClock(1000) turns a 10 s
// Wait state into 10 ms. A scale of 1 or less than 1 waits in real time (slowing down is never wanted).
func ScaledClock(scale float64) Clock {
	if scale < 1 {
		scale = 1
	}
	return scaledClock{scale: scale}
}

type scaledClock struct{ scale float64 }

func (scaledClock) Now() time.Time { return time.Now() }

func (c scaledClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(time.Duration(float64(d) / c.scale))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
