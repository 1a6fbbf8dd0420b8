package ledger

import (
	"context"
	"fmt"
)

// NotWrittenError is Close's error when its context ended before every
// record was written.
type NotWrittenError struct {
	Count int64 // records not written (a batch cut off mid-insert may yet have landed)
	Err   error // why Close stopped waiting: the context's error
}

func (e *NotWrittenError) Error() string {
	return fmt.Sprintf("ledger: %d usage record(s) not written: %v", e.Count, e.Err)
}

func (e *NotWrittenError) Unwrap() error { return e.Err }

// Close stops accepting records, writes every record recorded before it,
// and returns nil once all are written. If ctx ends first it stops
// retrying, cancels the insert in flight and returns a *NotWrittenError
// counting the records not written. Calling Close again waits the same way.
func (w *Writer) Close(ctx context.Context) error {
	w.closeOnce.Do(func() {
		w.closeMu.Lock()
		w.closed = true
		w.closeMu.Unlock()
		close(w.stop)
	})
	stop := context.AfterFunc(ctx, w.cancel)
	defer stop()
	select {
	case <-w.done:
	case <-ctx.Done():
		// A sink that ignores its context may still be inserting; count its
		// batch as not written.
	}
	if n := w.recorded.Load() - w.written.Load(); n > 0 {
		return &NotWrittenError{Count: n, Err: context.Cause(ctx)}
	}
	return nil
}
