package target_test

import (
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/wsconform/wsconform/internal/waits"
	"github.com/wsconform/wsconform/steps/target"
)

func rec(i int) target.Record { return target.Record{"n": i} }

// receiveN reads n records from c, failing if one takes longer than a second.
func receiveN(c <-chan target.Record, n int) []int {
	got := make([]int, 0, n)
	for range n {
		select {
		case r := <-c:
			got = append(got, r["n"].(int))
		case <-time.After(waits.Event):
			Fail("no record after " + strconv.Itoa(len(got)))
		}
	}
	return got
}

var _ = Describe("RecordQueue", func() {
	var ignore goleak.Option

	BeforeEach(func() {
		ignore = goleak.IgnoreCurrent()
		DeferCleanup(func() {
			Expect(goleak.Find(ignore)).To(Succeed(), "a goroutine outlived Close")
		})
	})

	It("keeps every record, in order, pushed in batches before anyone reads", func() {
		q := target.NewRecordQueue(nil)
		defer q.Close()
		const n = 5000
		want := make([]int, 0, n)
		for i := 0; i < n; i += 100 {
			batch := make([]target.Record, 0, 100)
			for j := i; j < i+100; j++ {
				batch = append(batch, rec(j))
				want = append(want, j)
			}
			q.Push(batch...) // returns although nobody reads
		}
		Expect(receiveN(q.C(), n)).To(Equal(want))
		Expect(q.C()).NotTo(Receive())
	})

	It("keeps the order while the reader keeps up and while it falls behind", func() {
		q := target.NewRecordQueue(make(chan target.Record, 3))
		defer q.Close()
		q.Push(rec(0))
		Expect(receiveN(q.C(), 1)).To(Equal([]int{0}))
		q.Push(rec(1), rec(2))
		q.Push()
		q.Push(rec(3))
		q.Push(rec(4), rec(5), rec(6), rec(7))
		Expect(receiveN(q.C(), 7)).To(Equal([]int{1, 2, 3, 4, 5, 6, 7}))
	})

	It("fills the channel's buffer for a reader that polls without blocking", func() {
		out := make(chan target.Record, 4)
		q := target.NewRecordQueue(out)
		defer q.Close()
		Expect(q.C()).To(BeEquivalentTo((<-chan target.Record)(out)))
		q.Push(rec(0), rec(1), rec(2), rec(3), rec(4), rec(5))
		Eventually(func() int { return len(out) }).WithTimeout(waits.Event).Should(Equal(4))
		Expect(receiveN(q.C(), 6)).To(Equal([]int{0, 1, 2, 3, 4, 5}))
	})

	It("stops on Close while a delivery waits for a reader that never comes", func() {
		q := target.NewRecordQueue(nil)
		q.Push(rec(0), rec(1))
		closed := make(chan struct{})
		go func() {
			defer close(closed)
			q.Close()
		}()
		Eventually(closed).WithTimeout(waits.Event).Should(BeClosed())
		q.Close() // idempotent
		Expect(q.C()).NotTo(Receive(), "delivered after Close")
		q.Push(rec(2))
		Expect(q.C()).NotTo(Receive(), "delivered a record pushed after Close")
	})

	It("stops on Close when idle", func() {
		q := target.NewRecordQueue(make(chan target.Record, 1))
		q.Close()
		q.Close()
	})
})
