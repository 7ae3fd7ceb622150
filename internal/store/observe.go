package store

import (
	"sync/atomic"
	"time"
)

// TxObserver hears about every committed write transaction, for metrics.
// The store imports no project package, so cmd/web hands it the metrics
// collector through this interface.
type TxObserver interface {
	// ObserveTx gets the time from begin to the end of the commit, the
	// commit's own time, and how many units of work the transaction
	// carried (more than one when commits are grouped).
	ObserveTx(total, commit time.Duration, units int)
}

// observer is kept in an atomic so that it can be set after Open while
// transactions run.
type observer struct{ p atomic.Pointer[TxObserver] }

// SetTxObserver makes o hear about every committed write transaction; nil
// stops it.
func (s *Store) SetTxObserver(o TxObserver) {
	if o == nil {
		s.obs.p.Store(nil)
		return
	}
	s.obs.p.Store(&o)
}

// observeTx reports one committed transaction to the observer, if any.
func (s *Store) observeTx(begin, commitStart time.Time, units int) {
	if o := s.obs.p.Load(); o != nil {
		end := time.Now()
		(*o).ObserveTx(end.Sub(begin), end.Sub(commitStart), units)
	}
}
