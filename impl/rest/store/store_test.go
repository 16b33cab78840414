package store_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/wsconform/wsconform/impl/rest/store"
)

func TestStore(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	RegisterFailHandler(Fail)
	RunSpecs(t, "store")
	goleak.VerifyNone(t, ignore,
		// Ginkgo's interrupt handler outlives RunSpecs by design.
		goleak.IgnoreTopFunction("github.com/onsi/ginkgo/v2/internal/interrupt_handler.(*InterruptHandler).registerForInterrupts.func2"))
}

var _ = Describe("Store", func() {
	var dir string
	BeforeEach(func() { dir = filepath.Join(GinkgoT().TempDir(), "data", "nested") })

	It("starts empty in a new directory, creating it", func() {
		s, err := store.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		st := s.State()
		Expect(st.Streams).To(BeEmpty())
		Expect(st.Rules).To(BeEmpty())
		Expect(st.ConfKeys).To(BeEmpty())
		Expect(dir).To(BeADirectory())
		Expect(s.Path()).To(Equal(filepath.Join(dir, store.FileName)))
	})

	It("reads back every change after reopening", func() {
		s, err := store.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.PutStream("s1", "CREATE STREAM s1 () WITH (DATASOURCE=\"/a\")")).To(Succeed())
		Expect(s.PutStream("s2", "CREATE STREAM s2 () WITH (DATASOURCE=\"/b\")")).To(Succeed())
		Expect(s.DeleteStream("s2")).To(Succeed())
		r := store.Rule{ID: "r1", SQL: "SELECT * FROM s1", Actions: []map[string]map[string]any{{"nop": {}}}, Triggered: true}
		Expect(s.PutRule(r)).To(Succeed())
		Expect(s.PutRule(store.Rule{ID: "r2", SQL: "SELECT * FROM s1", Triggered: true})).To(Succeed())
		Expect(s.SetTriggered("r1", false)).To(Succeed())
		Expect(s.SetTriggered("unknown", true)).To(Succeed())
		Expect(s.DeleteRule("r2")).To(Succeed())
		s.SetFileConfKeys([]string{"FromEtc"})
		Expect(s.PutConfKey("Remote", map[string]any{"addr": "127.0.0.1:1"})).To(Succeed())
		Expect(s.PutConfKey("passing", map[string]any{"addr": "127.0.0.1:2"})).To(Succeed())
		Expect(s.DeleteConfKey("Passing")).To(Succeed())
		Expect(s.DeleteConfKey("fromEtc")).To(Succeed())

		again, err := store.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		st := again.State()
		Expect(st.Streams).To(Equal(map[string]string{"s1": "CREATE STREAM s1 () WITH (DATASOURCE=\"/a\")"}))
		r.Triggered = false
		Expect(st.Rules).To(Equal(map[string]store.Rule{"r1": r}))
		Expect(st.ConfKeys).To(HaveLen(2))
		Expect(st.ConfKeys).To(HaveKeyWithValue("remote", map[string]any{"addr": "127.0.0.1:1"}))
		Expect(st.ConfKeys).To(HaveKeyWithValue("frometc", BeNil()), "the deletion of a file confKey is remembered")
		Expect(st.ConfKeys).NotTo(HaveKey("passing"), "any other deleted confKey is forgotten")
	})

	It("leaves no temporary file behind", func() {
		s, err := store.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		for range 5 {
			Expect(s.PutStream("s", "x")).To(Succeed())
		}
		entries, err := os.ReadDir(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(HaveLen(1))
		Expect(entries[0].Name()).To(Equal(store.FileName))
	})

	It("keeps the previous state when a write fails", func() {
		s, err := store.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.PutStream("s1", "one")).To(Succeed())
		Expect(os.Remove(s.Path())).To(Succeed())
		Expect(os.MkdirAll(filepath.Join(s.Path(), "blocker"), 0o755)).To(Succeed())
		err = s.PutStream("s2", "two")
		Expect(err).To(MatchError(ContainSubstring(s.Path())))
		Expect(s.State().Streams).To(Equal(map[string]string{"s1": "one"}))
	})

	It("returns a copy that callers cannot use to change the store", func() {
		s, err := store.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.PutStream("s1", "one")).To(Succeed())
		st := s.State()
		st.Streams["s1"] = "changed"
		Expect(s.State().Streams).To(HaveKeyWithValue("s1", "one"))
	})

	It("refuses a corrupt state file, naming it", func() {
		Expect(os.MkdirAll(dir, 0o755)).To(Succeed())
		path := filepath.Join(dir, store.FileName)
		Expect(os.WriteFile(path, []byte("{not json"), 0o644)).To(Succeed())
		_, err := store.Open(dir)
		Expect(err).To(MatchError(ContainSubstring(path)))
	})

	It("refuses an empty directory name", func() {
		_, err := store.Open("")
		Expect(err).To(HaveOccurred())
	})
})
