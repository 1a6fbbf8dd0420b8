package verify

import (
	"fmt"

	"github.com/keygate/keygate/internal/credential"
)

// Fault is why a check failed: its cause, what was found, and the fix. It
// never holds the key; only the key's redacted form may appear in it.
type Fault struct {
	Cause  credential.Cause
	Detail string // what was found, one sentence
	Fix    string // what to do about it, one sentence
}

// Error returns the detail and the fix, the message a person reads.
func (f *Fault) Error() string {
	if f.Fix == "" {
		return f.Detail
	}
	return f.Detail + " " + f.Fix
}

func fault(cause credential.Cause, fix, format string, args ...any) *Fault {
	return &Fault{Cause: cause, Detail: fmt.Sprintf(format, args...), Fix: fix}
}
