package mockopenai

import (
	"encoding/json"
	"net/http"
	"sync"
)

// Recorded is one request as the mock received it, with the status it
// answered (0 when the connection was dropped before a response).
type Recorded struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
	Key    string
	Status int
}

// KeyStats counts the requests received with one API key.
type KeyStats struct {
	Requests int            `json:"requests"`
	ByPath   map[string]int `json:"by_path"`
	ByStatus map[int]int    `json:"by_status"`
}

// recorder keeps statistics per key and a bounded ring of recent requests.
// One mutex guards both: the critical section is a few map increments and a
// slot assignment, far below the cost of serving the request.
type recorder struct {
	mu    sync.Mutex
	stats map[string]*KeyStats
	ring  []Recorded
	next  int // slot the next request goes to
	full  bool
}

func (r *recorder) init(size int) {
	r.stats = map[string]*KeyStats{}
	r.ring = make([]Recorded, size)
}

// record stores a finished call. The body slice is the one read for the
// request, owned by the call, so nothing is copied but the headers.
func (r *recorder) record(c *call) {
	rec := Recorded{
		Method: c.r.Method,
		Path:   c.r.URL.Path,
		Header: c.r.Header.Clone(),
		Body:   c.body,
		Key:    c.key,
		Status: c.w.status,
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ks := r.stats[c.key]
	if ks == nil {
		ks = &KeyStats{ByPath: map[string]int{}, ByStatus: map[int]int{}}
		r.stats[c.key] = ks
	}
	ks.Requests++
	ks.ByPath[rec.Path]++
	ks.ByStatus[rec.Status]++
	r.ring[r.next] = rec
	r.next++
	if r.next == len(r.ring) {
		r.next, r.full = 0, true
	}
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.stats)
	clear(r.ring)
	r.next, r.full = 0, false
}

// Received returns the most recent requests, oldest first, up to
// Options.Record of them.
func (s *Server) Received() []Recorded {
	r := &s.rec
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.full {
		return append([]Recorded(nil), r.ring[:r.next]...)
	}
	out := make([]Recorded, 0, len(r.ring))
	out = append(out, r.ring[r.next:]...)
	return append(out, r.ring[:r.next]...)
}

// Stats returns a copy of the per-key statistics, keyed by the API key as
// received ("" for requests without one).
func (s *Server) Stats() map[string]KeyStats {
	r := &s.rec
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]KeyStats, len(r.stats))
	for k, ks := range r.stats {
		c := KeyStats{Requests: ks.Requests, ByPath: make(map[string]int, len(ks.ByPath)), ByStatus: make(map[int]int, len(ks.ByStatus))}
		for p, n := range ks.ByPath {
			c.ByPath[p] = n
		}
		for st, n := range ks.ByStatus {
			c.ByStatus[st] = n
		}
		out[k] = c
	}
	return out
}

// serveControl answers the /_mock/ routes, which let a benchmark in another
// process read and clear the mock's state.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_mock/stats" && r.Method == http.MethodGet:
		b, err := json.Marshal(s.Stats())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(append(b, '\n'))
	case r.URL.Path == "/_mock/reset" && r.Method == http.MethodPost:
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}
