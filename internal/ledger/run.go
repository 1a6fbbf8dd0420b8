package ledger

import (
	"time"

	"github.com/keygate/keygate/internal/tenant"
)

// run is the Writer's goroutine: it writes the full batches queued when
// Record says there are some, everything queued when FlushInterval ticks,
// and drains everything when Close stops it.
func (w *Writer) run() {
	defer close(w.done)
	defer w.cancel()
	tick := time.NewTicker(w.opts.FlushInterval)
	defer tick.Stop()
	batch := make([]tenant.Usage, 0, w.opts.BatchSize)
	for {
		ticked := false
		select {
		case <-w.full:
		case <-tick.C:
			ticked = true
		case <-w.stop:
			w.drain(batch)
			return
		}
		for ticked || w.queued() >= w.opts.BatchSize {
			batch = w.fill(batch)
			n := len(batch)
			if n == 0 {
				break
			}
			if !w.write(batch) {
				w.abandon(n)
				return
			}
			batch = batch[:0]
			if n < w.opts.BatchSize {
				break // the queue is empty; leave what came meanwhile for the next tick
			}
		}
	}
}

// queued is how many records wait in the channel and the overflow list.
func (w *Writer) queued() int { return len(w.ch) + int(w.overflowLen.Load()) }

// drain writes everything still queued once Close has stopped Record from
// adding more.
func (w *Writer) drain(batch []tenant.Usage) {
	for {
		if batch = w.fill(batch); len(batch) == 0 {
			return
		}
		if !w.write(batch) {
			w.abandon(len(batch))
			return
		}
		batch = batch[:0]
	}
}

// fill tops batch up to BatchSize from the channel, then from the overflow
// list, without waiting.
func (w *Writer) fill(batch []tenant.Usage) []tenant.Usage {
	for len(batch) < w.opts.BatchSize {
		select {
		case u := <-w.ch:
			batch = append(batch, u)
		default:
			return w.takeOverflow(batch)
		}
	}
	return batch
}

// takeOverflow moves the oldest overflowed records into batch, up to
// BatchSize.
func (w *Writer) takeOverflow(batch []tenant.Usage) []tenant.Usage {
	if w.overflowLen.Load() == 0 {
		return batch
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	n := min(len(w.overflow), w.opts.BatchSize-len(batch))
	batch = append(batch, w.overflow[:n]...)
	clear(w.overflow[:n]) // let the strings go
	w.overflow = w.overflow[n:]
	if len(w.overflow) == 0 {
		w.overflow = nil // release the backing array
	}
	w.overflowLen.Store(int64(len(w.overflow)))
	return batch
}

// write inserts batch, retrying with backoff until it succeeds (true) or
// the Writer's context ends because Close's did (false).
func (w *Writer) write(batch []tenant.Usage) bool {
	backoff := min(minBackoff, w.opts.MaxBackoff)
	for attempt := 1; ; attempt++ {
		err := w.sink.InsertUsage(w.ctx, batch)
		if err == nil {
			w.written.Add(int64(len(batch)))
			if attempt > 1 {
				w.log.Info("ledger: usage written after retrying", "records", len(batch), "attempts", attempt)
			}
			return true
		}
		if w.ctx.Err() != nil {
			return false
		}
		w.retries.Add(1)
		w.log.Warn("ledger: writing usage failed; will retry",
			"records", len(batch), "attempt", attempt, "retry_in", backoff, "err", err)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-w.ctx.Done():
			t.Stop()
			return false
		}
		backoff = min(2*backoff, w.opts.MaxBackoff)
	}
}

// abandon logs, once Close's context has ended, how many records will not
// be written: inBatch in the failed batch and all still queued.
func (w *Writer) abandon(inBatch int) {
	n := inBatch
	for len(w.ch) > 0 { // Close has stopped Record: nothing more arrives
		<-w.ch
		n++
	}
	w.mu.Lock()
	n += len(w.overflow)
	w.overflow = nil
	w.overflowLen.Store(0)
	w.mu.Unlock()
	w.log.Error("ledger: stopped before writing every usage record", "not_written", n)
}
