package limits

import (
	"context"
	"hash/maphash"
	"math/bits"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keygate/keygate/internal/tenant"
)

const (
	memShards = 64
	// sweepEvery is how many writes a shard takes between sweeps of its
	// full buckets and ended budget windows.
	sweepEvery = 4096
	// windowGrace is how long a memory budget window outlives its end, so
	// that late settlements and Spent of the last window still find it.
	windowGrace = 24 * time.Hour
)

// Memory is a Limiter that keeps its buckets and budgets in this process.
// State is split over mutex-guarded shards by key; an admission locks only
// the shards of its charges, in a fixed order, and never across I/O.
type Memory struct {
	now    func() time.Time
	lease  time.Duration
	seed   maphash.Seed
	holdID atomic.Uint64
	shards [memShards]memShard
}

type memShard struct {
	mu      sync.Mutex
	buckets map[bucketID]*memBucket
	budgets map[budgetID]*memBudget
	// Writes since the last sweep of each map. They are swept apart because
	// buckets follow the limiter's clock and budgets the caller's now.
	bucketWrites, budgetWrites int
}

type bucketID struct {
	key  string
	kind Kind
}

// memBucket is the units in use at a time, and the refill rate of the last
// charge for sweeping.
type memBucket struct {
	used  float64
	at    time.Time
	limit int64
}

type budgetID struct{ key, window string }

type memBudget struct {
	spent, held tenant.Nanos
	holds       map[string]memHold
	end         time.Time // zero for Total
	// nextExpiry is no later than the earliest hold expiry; purging scans
	// the holds only once it has passed.
	nextExpiry time.Time
}

type memHold struct {
	amount  tenant.Nanos
	expires time.Time
}

// NewMemory returns an in-process Limiter. Its clock is time.Now unless
// WithClock says otherwise.
func NewMemory(opts ...Option) *Memory {
	o := newOptions(opts)
	if o.now == nil {
		o.now = time.Now
	}
	m := &Memory{now: o.now, lease: o.lease, seed: maphash.MakeSeed()}
	for i := range m.shards {
		m.shards[i].buckets = make(map[bucketID]*memBucket)
		m.shards[i].budgets = make(map[budgetID]*memBudget)
	}
	return m
}

func (m *Memory) shardOf(key string) int {
	return int(maphash.String(m.seed, key) % memShards)
}

// shardsOf returns the shard index of each charge, in buf if it fits, and
// the set of those shards as a bit mask (memShards is 64).
func (m *Memory) shardsOf(charges []Charge, buf []int) ([]int, uint64) {
	idx := buf[:0]
	var mask uint64
	for _, c := range charges {
		i := m.shardOf(c.Key)
		idx = append(idx, i)
		mask |= 1 << i
	}
	return idx, mask
}

// lock locks the shards in mask in ascending order, so that admissions over
// several shards cannot deadlock.
func (m *Memory) lock(mask uint64) {
	for ; mask != 0; mask &= mask - 1 {
		m.shards[bits.TrailingZeros64(mask)].mu.Lock()
	}
}

func (m *Memory) unlock(mask uint64) {
	for ; mask != 0; mask &= mask - 1 {
		m.shards[bits.TrailingZeros64(mask)].mu.Unlock()
	}
}

// Reserve implements Limiter.
func (m *Memory) Reserve(ctx context.Context, charges []Charge) (*Reservation, error) {
	if err := validate(charges); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var ibuf [8]int
	var ubuf [8]float64
	idx, mask := m.shardsOf(charges, ibuf[:])
	used := ubuf[:]
	if len(charges) > len(used) {
		used = make([]float64, len(charges))
	}
	now := m.now()

	m.lock(mask)
	for i, c := range charges {
		used[i] = m.level(idx[i], c, now)
		if !fits(used[i], c) {
			m.unlock(mask)
			return nil, deniedFor(c, used[i])
		}
	}
	for i, c := range charges {
		used[i] += float64(c.Amount)
		m.store(idx[i], c, used[i], now)
	}
	m.unlock(mask)

	own := append([]Charge(nil), charges...)
	states := make([]State, len(own))
	for i, c := range own {
		states[i] = stateOf(c, used[i])
	}
	return newReservation(m, own, states), nil
}

// level returns the units in use of c's bucket, in shard, at now. The shard
// is locked.
func (m *Memory) level(shard int, c Charge, now time.Time) float64 {
	b := m.shards[shard].buckets[bucketID{c.Key, c.Kind}]
	if b == nil {
		return 0
	}
	return drain(b.used, now.Sub(b.at), c.Limit, c.Kind.Period())
}

// store sets c's bucket, in shard, to u units in use at now. The shard is
// locked.
func (m *Memory) store(shard int, c Charge, u float64, now time.Time) {
	s := &m.shards[shard]
	id := bucketID{c.Key, c.Kind}
	b := s.buckets[id]
	if b == nil {
		b = &memBucket{}
		s.buckets[id] = b
	}
	b.used, b.limit = u, c.Limit
	if now.After(b.at) {
		b.at = now
	}
	if s.bucketWrites++; s.bucketWrites >= sweepEvery {
		s.bucketWrites = 0
		s.sweepBuckets(now)
	}
}

// adjust implements adjuster.
func (m *Memory) adjust(ctx context.Context, charges []Charge, deltas []int64) error {
	var ibuf [8]int
	idx, mask := m.shardsOf(charges, ibuf[:])
	now := m.now()
	m.lock(mask)
	defer m.unlock(mask)
	for i, c := range charges {
		if deltas[i] != 0 {
			m.store(idx[i], c, max(0, m.level(idx[i], c, now)+float64(deltas[i])), now)
		}
	}
	return nil
}

// ReserveBudget implements Limiter.
func (m *Memory) ReserveBudget(ctx context.Context, key string, limit, amount tenant.Nanos, period tenant.Period, now time.Time) (*BudgetReservation, error) {
	w, err := validateBudget(key, limit, amount, period, now)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := &m.shards[m.shardOf(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.budgets[budgetID{key, w.ID}]
	if b == nil {
		b = &memBudget{holds: make(map[string]memHold), end: w.End}
		s.budgets[budgetID{key, w.ID}] = b
	}
	b.purge(now)
	used := b.spent + b.held
	if limit > 0 && used+amount > limit {
		return nil, &BudgetDenied{Key: key, Period: period, Limit: limit, Used: b.spent + b.held, Amount: amount, ResetsAt: w.End}
	}
	id := strconv.FormatUint(m.holdID.Add(1), 36)
	h := memHold{amount: amount, expires: now.Add(m.lease)}
	b.holds[id] = h
	b.held += amount
	if b.nextExpiry.IsZero() || h.expires.Before(b.nextExpiry) {
		b.nextExpiry = h.expires
	}
	if s.budgetWrites++; s.budgetWrites >= sweepEvery {
		s.budgetWrites = 0
		s.sweepBudgets(now)
	}
	return &BudgetReservation{Key: key, Window: w, Amount: amount, Used: used, id: id, backend: m}, nil
}

// purge drops holds whose lease has ended at now.
func (b *memBudget) purge(now time.Time) {
	if b.nextExpiry.IsZero() || now.Before(b.nextExpiry) {
		return
	}
	b.nextExpiry = time.Time{}
	for id, h := range b.holds {
		if !now.Before(h.expires) {
			delete(b.holds, id)
			b.held -= h.amount
		} else if b.nextExpiry.IsZero() || h.expires.Before(b.nextExpiry) {
			b.nextExpiry = h.expires
		}
	}
}

// settleBudget implements budgetSettler.
func (m *Memory) settleBudget(ctx context.Context, r *BudgetReservation, cost tenant.Nanos) error {
	s := &m.shards[m.shardOf(r.Key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	id := budgetID{r.Key, r.Window.ID}
	b := s.budgets[id]
	if b == nil { // swept: its window ended long ago
		b = &memBudget{holds: make(map[string]memHold), end: r.Window.End}
		s.budgets[id] = b
	}
	if h, ok := b.holds[r.id]; ok {
		delete(b.holds, r.id)
		b.held -= h.amount
	}
	b.spent += cost
	return nil
}

// Spent implements Limiter.
func (m *Memory) Spent(ctx context.Context, key string, period tenant.Period, now time.Time) (tenant.Nanos, error) {
	w, err := WindowOf(period, now)
	if err != nil {
		return 0, err
	}
	s := &m.shards[m.shardOf(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.budgets[budgetID{key, w.ID}]; b != nil {
		return b.spent, nil
	}
	return 0, nil
}

// SeedBudget implements Limiter.
func (m *Memory) SeedBudget(ctx context.Context, key string, period tenant.Period, now time.Time, spent tenant.Nanos) error {
	w, err := validateBudget(key, 0, spent, period, now)
	if err != nil {
		return err
	}
	s := &m.shards[m.shardOf(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.budgets[budgetID{key, w.ID}]; !ok {
		s.budgets[budgetID{key, w.ID}] = &memBudget{holds: make(map[string]memHold), end: w.End, spent: spent}
	}
	return nil
}

// sweepBuckets forgets buckets that are full at now: an absent bucket is
// a full one. The shard is locked.
func (s *memShard) sweepBuckets(now time.Time) {
	for id, b := range s.buckets {
		if drain(b.used, now.Sub(b.at), b.limit, id.kind.Period()) == 0 {
			delete(s.buckets, id)
		}
	}
}

// sweepBudgets forgets budget windows that ended more than windowGrace
// before now and hold nothing. The shard is locked.
func (s *memShard) sweepBudgets(now time.Time) {
	for id, b := range s.budgets {
		b.purge(now)
		if !b.end.IsZero() && now.Sub(b.end) > windowGrace && len(b.holds) == 0 {
			delete(s.budgets, id)
		}
	}
}
