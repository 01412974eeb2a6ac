package lambdainvoke

import (
	"encoding/base64"
	"fmt"
	"math"
	"strings"
	"time"
)

// maxLogTail is how much of the end of the execution log the X-Amz-Log-Result header carries.
const maxLogTail = 4 << 10

// logResult is the X-Amz-Log-Result header for LogType Tail: the base64 of the last 4 KB of the invocation's log.
// Handlers log to the process, not to the invocation, so the log holds what the platform and the Go runtime write:
// the START, END and REPORT lines and, for a failure, the error object the runtime logs.
func logResult(res Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "START RequestId: %s Version: %s\n", res.RequestID, res.ExecutedVersion)
	if res.Error != nil {
		fmt.Fprintf(&b, "%s\n", res.Payload)
	}
	fmt.Fprintf(&b, "END RequestId: %s\n", res.RequestID)
	ms := float64(res.Duration) / float64(time.Millisecond)
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\t\n",
		res.RequestID, ms, int64(math.Ceil(ms)))
	text := b.String()
	return base64.StdEncoding.EncodeToString([]byte(text[max(len(text)-maxLogTail, 0):]))
}
