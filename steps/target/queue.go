package target

import "sync"

// RecordQueue hands records to a channel in the order they were pushed,
// queueing them without bound in between: Push never waits for the reader and
// no record is dropped while the queue is open. One goroutine, started by
// NewRecordQueue and ended by Close, sends the records. A RecordQueue is safe
// for concurrent use.
type RecordQueue struct {
	out  chan Record
	wake chan struct{} // holds a token when records were pushed since the last look
	quit chan struct{} // closed by Close
	done chan struct{} // closed when the sending goroutine returns
	once sync.Once

	mu      sync.Mutex
	pending []Record
}

// NewRecordQueue starts a queue that delivers to out, which must have no other
// sender; nil makes an unbuffered channel. The buffer of out decides how many
// records a reader polling without blocking finds ready; records beyond it
// wait in the queue. out is never closed.
func NewRecordQueue(out chan Record) *RecordQueue {
	if out == nil {
		out = make(chan Record)
	}
	q := &RecordQueue{
		out:  out,
		wake: make(chan struct{}, 1),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
	go q.deliver()
	return q
}

// C returns the channel the records are delivered on. It is never closed.
func (q *RecordQueue) C() <-chan Record { return q.out }

// Push appends recs to the queue without waiting for the reader. Records
// pushed after Close are discarded.
func (q *RecordQueue) Push(recs ...Record) {
	if len(recs) == 0 {
		return
	}
	select {
	case <-q.quit:
		return
	default:
	}
	q.mu.Lock()
	q.pending = append(q.pending, recs...)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Close stops delivery, unblocking a send the reader never takes, and waits
// for the sending goroutine to return. Records not yet delivered are
// discarded. Later calls only wait.
func (q *RecordQueue) Close() {
	q.once.Do(func() { close(q.quit) })
	<-q.done
}

// deliver sends the queued records in order until Close.
func (q *RecordQueue) deliver() {
	defer close(q.done)
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			q.pending = nil // let the backing array go
			q.mu.Unlock()
			select {
			case <-q.wake:
				continue
			case <-q.quit:
				return
			}
		}
		rec := q.pending[0]
		q.pending[0] = nil
		q.pending = q.pending[1:]
		q.mu.Unlock()
		select {
		case q.out <- rec:
		case <-q.quit:
			return
		}
	}
}
