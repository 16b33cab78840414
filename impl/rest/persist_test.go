package rest_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/rest/store"
	"github.com/wsconform/wsconform/internal/waits"
)

var _ = Describe("persistence through the REST API", func() {
	var (
		dir string
		st  *store.Store
		api *server
	)
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		var err error
		st, err = store.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		api = serve(newEngine(), st)
	})

	It("records successful changes and only those", func() {
		const keys = "/metadata/sources/websocket/confKeys/"
		Expect(api.do(http.MethodPut, keys+"Remote", `{"addr":"127.0.0.1:18090"}`).status).To(Equal(http.StatusOK))
		Expect(api.do(http.MethodPut, keys+"bad", `{"addr":"nope"}`).status).To(Equal(http.StatusBadRequest))
		Expect(api.do(http.MethodPost, "/streams", sqlBody(demoSQL)).status).To(Equal(http.StatusCreated))
		Expect(api.do(http.MethodPost, "/streams", sqlBody(demoSQL)).status).To(Equal(http.StatusBadRequest))
		Expect(api.do(http.MethodPost, "/streams", sqlBody(`CREATE STREAM gone () WITH (DATASOURCE="/g")`)).status).To(Equal(http.StatusCreated))
		Expect(api.do(http.MethodDelete, "/streams/gone", "").status).To(Equal(http.StatusOK))
		Expect(api.do(http.MethodPost, "/rules", ruleBody("run", "SELECT * FROM s9")).status).To(Equal(http.StatusCreated))
		Expect(api.do(http.MethodPost, "/rules", ruleBody("halt", "SELECT * FROM s9")).status).To(Equal(http.StatusCreated))
		Expect(api.do(http.MethodPost, "/rules/halt/stop", "").status).To(Equal(http.StatusOK))
		Expect(api.do(http.MethodPost, "/rules", ruleBody("bad", "SELECT * FROM nope")).status).To(Equal(http.StatusBadRequest))
		Expect(api.do(http.MethodPost, "/rules", ruleBody("tmp", "SELECT * FROM s9")).status).To(Equal(http.StatusCreated))
		Expect(api.do(http.MethodDelete, "/rules/tmp", "").status).To(Equal(http.StatusOK))

		reopened, err := store.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		state := reopened.State()
		Expect(state.Streams).To(Equal(map[string]string{"s9": demoSQL}))
		Expect(state.Rules).To(HaveLen(2))
		Expect(state.Rules["run"].Triggered).To(BeTrue())
		Expect(state.Rules["run"].SQL).To(Equal("SELECT * FROM s9"))
		Expect(state.Rules["halt"].Triggered).To(BeFalse())
		Expect(state.ConfKeys).To(HaveLen(1))
		Expect(state.ConfKeys).To(HaveKeyWithValue("remote", HaveKeyWithValue("addr", "127.0.0.1:18090")))
	})

	It("restores streams, rules in their state and confKeys into a new engine", func() {
		const keys = "/metadata/sources/websocket/confKeys/"
		Expect(api.do(http.MethodPut, keys+"remote", `{"addr":"127.0.0.1:18090"}`).status).To(Equal(http.StatusOK))
		Expect(api.do(http.MethodPost, "/streams", sqlBody(demoSQL)).status).To(Equal(http.StatusCreated))
		Expect(api.do(http.MethodPost, "/rules", ruleBody("run", "SELECT * FROM s9")).status).To(Equal(http.StatusCreated))
		Expect(api.do(http.MethodPost, "/rules", ruleBody("halt", "SELECT * FROM s9")).status).To(Equal(http.StatusCreated))
		Expect(api.do(http.MethodPost, "/rules/halt/stop", "").status).To(Equal(http.StatusOK))

		reopened, err := store.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		e2 := newEngine()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		Expect(store.Restore(ctx, e2, reopened.State())).To(Succeed())
		Expect(e2.Streams()).To(Equal([]string{"s9"}))
		Expect(e2.ConfKeys()).To(HaveKeyWithValue("remote", HaveKeyWithValue("addr", "127.0.0.1:18090")))
		stRun, err := e2.RuleStatus("run")
		Expect(err).NotTo(HaveOccurred())
		Expect(stRun).To(HaveKeyWithValue("status", "running"))
		stHalt, err := e2.RuleStatus("halt")
		Expect(err).NotTo(HaveOccurred())
		Expect(stHalt).To(HaveKeyWithValue("status", "stopped"))
	})

	It("restores a stopped server-mode rule without ever opening the data server port", func() {
		Expect(api.do(http.MethodPost, "/streams", sqlBody(demoSQL)).status).To(Equal(http.StatusCreated))
		Expect(api.do(http.MethodPost, "/rules", ruleBody("halt", "SELECT * FROM s9")).status).To(Equal(http.StatusCreated))
		Expect(api.do(http.MethodPost, "/rules/halt/stop", "").status).To(Equal(http.StatusOK))

		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		port := ln.Addr().(*net.TCPAddr).Port
		addr := ln.Addr().String()
		Expect(ln.Close()).To(Succeed()) // free again for the restored engine's data server
		e2 := newEngineOn(port)
		reopened, err := store.Open(dir)
		Expect(err).NotTo(HaveOccurred())
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		Expect(store.Restore(ctx, e2, reopened.State())).To(Succeed())

		st, err := e2.RuleStatus("halt")
		Expect(err).NotTo(HaveOccurred())
		Expect(st).To(Equal(map[string]any{"status": "stopped", "message": "canceled manually"}),
			"no metrics: the rule never ran")
		Expect(e2.DataServerAddr()).To(BeEmpty())
		Consistently(func() error {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				_ = c.Close()
			}
			return err
		}, waits.Quiet, 20*time.Millisecond).Should(HaveOccurred(), "the data server port stays closed")

		Expect(e2.StartRule(ctx, "halt")).To(Succeed())
		Expect(e2.DataServerAddr()).To(Equal(addr))
	})

	It("answers 500 with error 1003 when the change cannot be saved", func() {
		// A non-empty directory where the state file belongs makes the rename fail.
		Expect(os.MkdirAll(filepath.Join(dir, store.FileName, "blocker"), 0o755)).To(Succeed())
		r := api.do(http.MethodPost, "/streams", sqlBody(demoSQL))
		Expect(r.status).To(Equal(http.StatusInternalServerError))
		eb := r.errorBody()
		Expect(eb.Error).To(Equal(1003))
		Expect(eb.Message).To(ContainSubstring(store.FileName))
	})
})
