package rest_test

import (
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/rest"
)

const demoSQL = `CREATE STREAM s9 () WITH (FORMAT="json", DATASOURCE="/api/data", TYPE="websocket")`

var _ = Describe("the REST API", func() {
	var (
		e   *engine.Engine
		api *server
	)
	BeforeEach(func() {
		e = newEngine()
		api = serve(e, nil)
	})

	It("answers /ping with 200 and an empty body", func() {
		r := api.do(http.MethodGet, "/ping", "")
		Expect(r.status).To(Equal(http.StatusOK))
		Expect(r.body).To(BeEmpty())
	})

	Describe("streams", func() {
		It("creates a stream with 201 and eKuiper's text", func() {
			r := api.do(http.MethodPost, "/streams", sqlBody(demoSQL))
			Expect(r.status).To(Equal(http.StatusCreated))
			Expect(r.body).To(Equal("Stream s9 is created."))
			Expect(e.Streams()).To(Equal([]string{"s9"}))
		})

		It("refuses a duplicate name with eKuiper's 400 body", func() {
			Expect(api.do(http.MethodPost, "/streams", sqlBody(demoSQL)).status).To(Equal(http.StatusCreated))
			r := api.do(http.MethodPost, "/streams", sqlBody(demoSQL))
			Expect(r.status).To(Equal(http.StatusBadRequest))
			Expect(r.errorBody()).To(Equal(rest.ErrorBody{
				Error:   3000,
				Message: "Stream command error: Create stream fails: Item s9 already exists.",
			}))
		})

		It("refuses bad SQL with error 3000 and the parser's message", func() {
			r := api.do(http.MethodPost, "/streams", sqlBody(`CREATE STREAM bad (id`))
			Expect(r.status).To(Equal(http.StatusBadRequest))
			eb := r.errorBody()
			Expect(eb.Error).To(Equal(3000))
			Expect(eb.Message).To(HavePrefix("Stream command error: "))
			Expect(eb.Message).To(ContainSubstring("EOF"))
			Expect(e.Streams()).To(BeEmpty())
		})

		It("words a syntax error exactly as eKuiper does", func() {
			r := api.do(http.MethodPost, "/streams", sqlBody(`CREATE STREAM bad (id`))
			Expect(r.status).To(Equal(http.StatusBadRequest))
			Expect(r.errorBody()).To(Equal(rest.ErrorBody{
				Error: 3000,
				Message: `Stream command error: found "EOF", expect valid stream field types` +
					`(BIGINT | FLOAT | STRING | DATETIME | BOOLEAN | BYTEA | ARRAY | STRUCT).`,
			}))
		})

		It("refuses a malformed JSON body with 400 and error 1000", func() {
			for _, body := range []string{`{"sql":`, `[1,2]`, `{"sql":"x"} trailing`, ``} {
				r := api.do(http.MethodPost, "/streams", body)
				Expect(r.status).To(Equal(http.StatusBadRequest), "body %q", body)
				eb := r.errorBody()
				Expect(eb.Error).To(Equal(1000))
				Expect(eb.Message).To(HavePrefix("Invalid body: "))
			}
		})

		It("refuses a body larger than MaxBodyBytes with 413", func() {
			big := `{"sql":"` + strings.Repeat("x", rest.MaxBodyBytes) + `"}`
			r := api.do(http.MethodPost, "/streams", big)
			Expect(r.status).To(Equal(http.StatusRequestEntityTooLarge))
			Expect(r.errorBody().Error).To(Equal(1000))
		})

		It("lists stream names sorted, and [] when there is none", func() {
			r := api.do(http.MethodGet, "/streams", "")
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.body).To(Equal("[]"))
			for _, n := range []string{"s2", "s1"} {
				Expect(api.do(http.MethodPost, "/streams", sqlBody(strings.Replace(demoSQL, "s9", n, 1))).status).
					To(Equal(http.StatusCreated))
			}
			r = api.do(http.MethodGet, "/streams", "")
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.header.Get("Content-Type")).To(Equal("application/json"))
			Expect(r.body).To(Equal(`["s1","s2"]`))
		})

		It("describes a stream", func() {
			sql := `CREATE STREAM t9 (id BIGINT, name STRING) WITH (FORMAT="json", DATASOURCE="/t", TYPE="websocket", CONF_KEY="k1")`
			Expect(api.do(http.MethodPost, "/streams", sqlBody(sql)).status).To(Equal(http.StatusCreated))
			r := api.do(http.MethodGet, "/streams/t9", "")
			Expect(r.status).To(Equal(http.StatusOK))
			var d rest.StreamDescription
			r.jsonBody(&d)
			Expect(d.Name).To(Equal("t9"))
			Expect(d.StreamFields).To(Equal([]rest.FieldDescription{{Name: "id", FieldType: "BIGINT"}, {Name: "name", FieldType: "STRING"}}))
			Expect(d.Options).To(HaveKeyWithValue("DATASOURCE", "/t"))
			Expect(d.Options).To(HaveKeyWithValue("CONF_KEY", "k1"))
			Expect(d.Options).To(HaveKey("FORMAT"))
			Expect(d.Options).To(HaveKey("TYPE"))
			Expect(d.Statement).To(Equal(sql))

			Expect(api.do(http.MethodPost, "/streams", sqlBody(demoSQL)).status).To(Equal(http.StatusCreated))
			r = api.do(http.MethodGet, "/streams/s9", "")
			Expect(r.body).To(ContainSubstring(`"StreamFields":null`), "a schemaless stream has no fields")
		})

		It("answers 404 for an unknown stream", func() {
			r := api.do(http.MethodGet, "/streams/nope", "")
			Expect(r.status).To(Equal(http.StatusNotFound))
			Expect(r.errorBody()).To(Equal(rest.ErrorBody{Error: 1002, Message: "describe stream error: Stream nope is not found"}))
			r = api.do(http.MethodDelete, "/streams/nope", "")
			Expect(r.status).To(Equal(http.StatusNotFound))
			Expect(r.errorBody()).To(Equal(rest.ErrorBody{Error: 1002, Message: "delete stream error: Stream nope is not found"}))
		})

		It("drops a stream", func() {
			Expect(api.do(http.MethodPost, "/streams", sqlBody(demoSQL)).status).To(Equal(http.StatusCreated))
			r := api.do(http.MethodDelete, "/streams/s9", "")
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.body).To(Equal("Stream s9 is dropped."))
			Expect(e.Streams()).To(BeEmpty())
		})

		It("refuses to drop a stream a running rule reads, with a 400", func() {
			Expect(api.do(http.MethodPost, "/streams", sqlBody(demoSQL)).status).To(Equal(http.StatusCreated))
			Expect(api.do(http.MethodPost, "/rules", ruleBody("r9", "SELECT * FROM s9")).status).To(Equal(http.StatusCreated))
			r := api.do(http.MethodDelete, "/streams/s9", "")
			Expect(r.status).To(Equal(http.StatusBadRequest))
			eb := r.errorBody()
			Expect(eb.Error).To(Equal(3000))
			Expect(eb.Message).To(And(HavePrefix("delete stream error: "), ContainSubstring("r9")))
		})
	})

	Describe("rules", func() {
		BeforeEach(func() {
			Expect(api.do(http.MethodPost, "/streams", sqlBody(demoSQL)).status).To(Equal(http.StatusCreated))
		})

		status := func(id string) map[string]any {
			r := api.do(http.MethodGet, "/rules/"+id+"/status", "")
			ExpectWithOffset(1, r.status).To(Equal(http.StatusOK))
			var st map[string]any
			r.jsonBody(&st)
			return st
		}

		It("creates and starts a rule that receives the stream's messages", func() {
			r := api.do(http.MethodPost, "/rules", ruleBody("r9", "SELECT * FROM s9"))
			Expect(r.status).To(Equal(http.StatusCreated))
			Expect(r.body).To(Equal("Rule r9 was created successfully."))
			Expect(status("r9")).To(HaveKeyWithValue("status", "running"))

			d := websocket.Dialer{HandshakeTimeout: 3 * time.Second}
			c, _, err := d.Dial("ws://"+e.DataServerAddr()+"/api/data", nil)
			Expect(err).NotTo(HaveOccurred())
			defer c.Close()
			Expect(c.WriteMessage(websocket.TextMessage, []byte(`{"a":1}`))).To(Succeed())
			Eventually(func() any { return status("r9")["source_s9_0_records_in_total"] }, 5*time.Second).
				Should(BeNumerically("==", 1))
		})

		It("lists rules with their status and describes one", func() {
			Expect(api.do(http.MethodPost, "/rules", ruleBody("r9", "SELECT * FROM s9")).status).To(Equal(http.StatusCreated))
			Expect(api.do(http.MethodPost, "/rules", ruleBody("r1", "SELECT a FROM s9")).status).To(Equal(http.StatusCreated))
			Expect(api.do(http.MethodPost, "/rules/r1/stop", "").status).To(Equal(http.StatusOK))
			r := api.do(http.MethodGet, "/rules", "")
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.body).To(MatchJSON(`[{"id":"r1","status":"stopped"},{"id":"r9","status":"running"}]`))

			r = api.do(http.MethodGet, "/rules/r9", "")
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.body).To(MatchJSON(`{"id":"r9","sql":"SELECT * FROM s9","actions":[{"nop":{}}],"triggered":true}`))
			r = api.do(http.MethodGet, "/rules/r1", "")
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.body).To(MatchJSON(`{"id":"r1","sql":"SELECT a FROM s9","actions":[{"nop":{}}],"triggered":false}`))
		})

		It("hides the values of credential headers of a sink when it describes a rule", func() {
			body := `{"id":"r9","sql":"SELECT * FROM s9","triggered":false,"actions":[{"rest":{"url":"http://127.0.0.1:1/x","password":"pw-1",` +
				`"headers":{"Authorization":"Bearer t0k3n","X-Api-Key":"k-2","X-Site":"north"}}}]}`
			Expect(api.do(http.MethodPost, "/rules", body).status).To(Equal(http.StatusCreated))
			r := api.do(http.MethodGet, "/rules/r9", "")
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.body).To(MatchJSON(`{"id":"r9","sql":"SELECT * FROM s9","triggered":false,"actions":[{"rest":{"url":"http://127.0.0.1:1/x","password":"******",` +
				`"headers":{"Authorization":"******","X-Api-Key":"******","X-Site":"north"}}}]}`))
			def, err := e.Rule("r9")
			Expect(err).NotTo(HaveOccurred())
			Expect(def.Actions[0]["rest"]["headers"]).To(HaveKeyWithValue("Authorization", "Bearer t0k3n"), "the rule keeps the real value")
		})

		It("lists [] when there is no rule", func() {
			Expect(api.do(http.MethodGet, "/rules", "").body).To(Equal("[]"))
		})

		It("stops, starts and restarts a rule with eKuiper's texts", func() {
			Expect(api.do(http.MethodPost, "/rules", ruleBody("r9", "SELECT * FROM s9")).status).To(Equal(http.StatusCreated))

			r := api.do(http.MethodPost, "/rules/r9/stop", "")
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.body).To(Equal("Rule r9 was stopped."))
			st := status("r9")
			Expect(st).To(HaveKeyWithValue("status", "stopped"))
			Expect(st).To(HaveKeyWithValue("message", "canceled manually"))

			r = api.do(http.MethodPost, "/rules/r9/start", "")
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.body).To(Equal("Rule r9 was started"))
			Expect(status("r9")).To(HaveKeyWithValue("status", "running"))

			r = api.do(http.MethodPost, "/rules/r9/restart", "")
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.body).To(Equal("Rule r9 was restarted"))
			Expect(status("r9")).To(HaveKeyWithValue("status", "running"))
		})

		It("creates a rule stopped when triggered is false", func() {
			r := api.do(http.MethodPost, "/rules", `{"id":"r9","sql":"SELECT * FROM s9","actions":[{"nop":{}}],"triggered":false}`)
			Expect(r.status).To(Equal(http.StatusCreated))
			Expect(status("r9")).To(Equal(map[string]any{"status": "stopped", "message": "canceled manually"}),
				"no metrics: the rule never ran")
			Expect(e.DataServerAddr()).To(BeEmpty())

			Expect(api.do(http.MethodPost, "/rules/r9/start", "").status).To(Equal(http.StatusOK))
			Expect(status("r9")).To(HaveKeyWithValue("status", "running"))
			Expect(e.DataServerAddr()).NotTo(BeEmpty())
		})

		It("refuses an invalid rule with triggered false like any other", func() {
			r := api.do(http.MethodPost, "/rules", `{"id":"r9","sql":"SELECT * FROM nope","actions":[{"nop":{}}],"triggered":false}`)
			Expect(r.status).To(Equal(http.StatusBadRequest))
			Expect(r.errorBody().Message).To(ContainSubstring("nope"))
			Expect(e.Rules()).To(BeEmpty())
		})

		It("drops a rule", func() {
			Expect(api.do(http.MethodPost, "/rules", ruleBody("r9", "SELECT * FROM s9")).status).To(Equal(http.StatusCreated))
			r := api.do(http.MethodDelete, "/rules/r9", "")
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.body).To(Equal("Rule r9 is dropped."))
			Expect(e.Rules()).To(BeEmpty())
		})

		It("refuses a datasource that does not start with / with error 2201", func() {
			bad := `CREATE STREAM nods () WITH (FORMAT="json", DATASOURCE="api", TYPE="websocket")`
			Expect(api.do(http.MethodPost, "/streams", sqlBody(bad)).status).To(Equal(http.StatusCreated))
			r := api.do(http.MethodPost, "/rules", ruleBody("r9", "SELECT * FROM nods"))
			Expect(r.status).To(Equal(http.StatusBadRequest))
			Expect(r.errorBody()).To(Equal(rest.ErrorBody{Error: 2201, Message: "websocket endpoint should start with /"}))
			Expect(e.Rules()).To(BeEmpty())
		})

		It("refuses a duplicate rule id", func() {
			Expect(api.do(http.MethodPost, "/rules", ruleBody("r9", "SELECT * FROM s9")).status).To(Equal(http.StatusCreated))
			r := api.do(http.MethodPost, "/rules", ruleBody("r9", "SELECT * FROM s9"))
			Expect(r.status).To(Equal(http.StatusBadRequest))
			Expect(r.errorBody()).To(Equal(rest.ErrorBody{Error: 4000, Message: "Create rule error: Rule r9 already exists"}))
		})

		DescribeTable("refuses an invalid rule with 400",
			func(body string, code int, contains string) {
				r := api.do(http.MethodPost, "/rules", body)
				Expect(r.status).To(Equal(http.StatusBadRequest))
				eb := r.errorBody()
				Expect(eb.Error).To(Equal(code))
				Expect(eb.Message).To(ContainSubstring(contains))
				Expect(e.Rules()).To(BeEmpty())
			},
			Entry("malformed JSON", `{"id":`, 1000, "Invalid body"),
			Entry("wrong JSON type", `{"id":5}`, 1000, "Invalid body"),
			Entry("no id", `{"sql":"SELECT * FROM s9","actions":[{"nop":{}}]}`, 4000, "Missing rule id"),
			Entry("no sql", `{"id":"r9","actions":[{"nop":{}}]}`, 4000, "Missing rule r9 SQL"),
			Entry("no actions", `{"id":"r9","sql":"SELECT * FROM s9"}`, 4000, "Missing rule r9 actions"),
			Entry("unknown stream", ruleBody("r9", "SELECT * FROM nope"), 4000, "nope"),
			Entry("bad SELECT", ruleBody("r9", "SELEC * FROM s9"), 4000, "Create rule error: "),
			Entry("unknown action", `{"id":"r9","sql":"SELECT * FROM s9","actions":[{"mqtt":{}}]}`, 4000, "mqtt"),
		)

		DescribeTable("answers 404 with error 1002 for an unknown rule",
			func(method, path, message string) {
				r := api.do(method, path, "")
				Expect(r.status).To(Equal(http.StatusNotFound))
				Expect(r.errorBody()).To(Equal(rest.ErrorBody{Error: 1002, Message: message}))
			},
			Entry("status", http.MethodGet, "/rules/nope/status", "get rule status error: Rule nope is not found"),
			Entry("describe", http.MethodGet, "/rules/nope", "Describe rule error: Rule nope is not found"),
			Entry("drop", http.MethodDelete, "/rules/nope", "Delete rule error: Rule nope is not found"),
			Entry("start", http.MethodPost, "/rules/nope/start", "start rule error: Rule nope is not found"),
			Entry("stop", http.MethodPost, "/rules/nope/stop", "stop rule error: Rule nope is not found"),
			Entry("restart", http.MethodPost, "/rules/nope/restart", "restart rule error: Rule nope is not found"),
		)

		DescribeTable("answers 400 naming the stream when a stopped rule's stream was dropped",
			func(verb string) {
				Expect(api.do(http.MethodPost, "/rules", `{"id":"r9","sql":"SELECT * FROM s9","actions":[{"nop":{}}],"triggered":false}`).status).
					To(Equal(http.StatusCreated))
				Expect(api.do(http.MethodDelete, "/streams/s9", "").status).To(Equal(http.StatusOK))
				r := api.do(http.MethodPost, "/rules/r9/"+verb, "")
				Expect(r.status).To(Equal(http.StatusBadRequest), "the rule exists: %s", r.body)
				eb := r.errorBody()
				Expect(eb.Error).To(Equal(4000))
				Expect(eb.Message).To(HavePrefix(verb + " rule error: "))
				Expect(eb.Message).To(ContainSubstring("stream s9 is not found"))
			},
			Entry("start", "start"),
			Entry("restart", "restart"),
		)
	})

	Describe("websocket confKeys", func() {
		const path = "/metadata/sources/websocket/confKeys/"

		It("creates, replaces and deletes a confKey with 200 and empty bodies", func() {
			r := api.do(http.MethodPut, path+"Remote", `{"addr":"127.0.0.1:18090"}`)
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.body).To(BeEmpty())
			Expect(e.ConfKeys()).To(HaveKeyWithValue("remote", HaveKeyWithValue("addr", "127.0.0.1:18090")))

			r = api.do(http.MethodPut, path+"remote", `{"addr":"127.0.0.1:18091","maxMessageBytes":1024}`)
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(e.ConfKeys()).To(HaveKeyWithValue("remote", HaveKeyWithValue("addr", "127.0.0.1:18091")))

			r = api.do(http.MethodDelete, path+"remote", "")
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.body).To(BeEmpty())
			Expect(e.ConfKeys()).NotTo(HaveKey("remote"))
		})

		It("refuses properties that do not validate with error 5000", func() {
			r := api.do(http.MethodPut, path+"k", `{"addr":"no-port"}`)
			Expect(r.status).To(Equal(http.StatusBadRequest))
			eb := r.errorBody()
			Expect(eb.Error).To(Equal(5000))
			Expect(eb.Message).To(ContainSubstring("addr"))
			Expect(e.ConfKeys()).NotTo(HaveKey("k"))
		})

		It("refuses a body that is not a JSON object with error 1000", func() {
			for _, body := range []string{`[]`, `null`, `{"addr":`, `"x"`} {
				r := api.do(http.MethodPut, path+"k", body)
				Expect(r.status).To(Equal(http.StatusBadRequest), "body %q", body)
				Expect(r.errorBody().Error).To(Equal(1000))
			}
		})

		It("lists the confKeys the engine holds, default included, with their properties as set", func() {
			r := api.do(http.MethodGet, "/metadata/sources/yaml/websocket", "")
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.header.Get("Content-Type")).To(Equal("application/json"))
			Expect(r.body).To(MatchJSON(`{"default":{}}`))

			Expect(api.do(http.MethodPut, path+"Remote", `{"addr":"127.0.0.1:18090","maxMessageBytes":1024,"requestHeader":{"X-A":"b"}}`).status).
				To(Equal(http.StatusOK))
			Expect(api.do(http.MethodPut, path+"default", `{"addr":"","maxMessageBytes":12345678901234567}`).status).
				To(Equal(http.StatusOK))
			r = api.do(http.MethodGet, "/metadata/sources/yaml/websocket", "")
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.body).To(MatchJSON(`{
				"default": {"addr": "", "maxMessageBytes": 12345678901234567},
				"remote": {"addr": "127.0.0.1:18090", "maxMessageBytes": 1024, "requestHeader": {"X-A": "b"}}
			}`))
			Expect(r.body).To(ContainSubstring("12345678901234567"), "numbers keep every digit")

			r = api.do(http.MethodGet, "/metadata/sources/yaml/mqtt", "")
			Expect(r.status).To(Equal(http.StatusNotFound))
			Expect(r.errorBody().Error).To(Equal(1002))
			r = api.do(http.MethodPut, "/metadata/sources/yaml/websocket", "{}")
			Expect(r.status).To(Equal(http.StatusMethodNotAllowed))
			Expect(r.header.Get("Allow")).To(Equal("GET"))
		})

		It("answers 404 when deleting an unknown confKey", func() {
			r := api.do(http.MethodDelete, path+"nope", "")
			Expect(r.status).To(Equal(http.StatusNotFound))
			Expect(r.errorBody()).To(Equal(rest.ErrorBody{Error: 1002, Message: "delete websocket confKey error: confKey nope is not found"}))
		})
	})

	It("answers GET / with the version, platform and uptime, as eKuiper does", func() {
		r := api.do(http.MethodGet, "/", "")
		Expect(r.status).To(Equal(http.StatusOK))
		Expect(r.header.Get("Content-Type")).To(Equal("application/json"))
		var info map[string]any
		r.jsonBody(&info)
		Expect(info).To(HaveLen(4))
		Expect(info).To(HaveKeyWithValue("version", rest.DefaultVersion))
		Expect(info).To(HaveKeyWithValue("os", runtime.GOOS))
		Expect(info).To(HaveKeyWithValue("arch", runtime.GOARCH))
		Expect(info).To(HaveKeyWithValue("upTimeSeconds", BeNumerically("<", 10)))
		r = api.do(http.MethodPost, "/", "")
		Expect(r.status).To(Equal(http.StatusMethodNotAllowed))
		Expect(r.header.Get("Allow")).To(Equal("GET"))
	})

	It("reports the configured version and the seconds since the configured start", func() {
		other := serveConfig(rest.Config{Engine: e, Version: "1.2.3-test", Started: time.Now().Add(-90 * time.Second)})
		r := other.do(http.MethodGet, "/", "")
		Expect(r.status).To(Equal(http.StatusOK))
		var info rest.Info
		r.jsonBody(&info)
		Expect(info.Version).To(Equal("1.2.3-test"))
		Expect(info.OS).To(Equal(runtime.GOOS))
		Expect(info.Arch).To(Equal(runtime.GOARCH))
		Expect(info.UpTimeSeconds).To(BeNumerically("~", 90, 5))
	})

	It("answers an unknown path with 404 in the error shape", func() {
		r := api.do(http.MethodGet, "/nothing/here", "")
		Expect(r.status).To(Equal(http.StatusNotFound))
		Expect(r.errorBody()).To(Equal(rest.ErrorBody{Error: 1002, Message: "no such endpoint: GET /nothing/here"}))
	})

	It("answers a wrong method with 405, Allow and the error shape", func() {
		r := api.do(http.MethodPatch, "/streams", "")
		Expect(r.status).To(Equal(http.StatusMethodNotAllowed))
		Expect(r.header.Get("Allow")).To(Equal("GET, POST"))
		Expect(r.errorBody().Error).To(Equal(1000))
		r = api.do(http.MethodGet, "/rules/r9/stop", "")
		Expect(r.status).To(Equal(http.StatusMethodNotAllowed))
		Expect(r.header.Get("Allow")).To(Equal("POST"))
	})
})
