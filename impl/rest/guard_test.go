package rest_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/rest"
)

var _ = Describe("the request guard", func() {
	It("turns a handler panic into a 500 error body and keeps serving", func() {
		calls := 0
		h := rest.Guard(slog.New(slog.NewTextHandler(GinkgoWriter, nil)), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls++
			if r.URL.Path == "/boom" {
				panic("kaboom")
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		srv := httptest.NewServer(h)
		defer srv.Close()
		api := &server{url: srv.URL, client: srv.Client()}
		defer srv.Client().CloseIdleConnections()

		r := api.do(http.MethodGet, "/boom", "")
		Expect(r.status).To(Equal(http.StatusInternalServerError))
		eb := r.errorBody()
		Expect(eb.Error).To(Equal(1000))
		Expect(eb.Message).To(ContainSubstring("kaboom"))

		Expect(api.do(http.MethodGet, "/fine", "").status).To(Equal(http.StatusNoContent))
		Expect(calls).To(Equal(2))
	})
})
