package steps

import (
	"strings"
	"testing"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/wsconform/wsconform/steps/target"
)

func metricsTable(rows ...[2]string) *godog.Table {
	t := &godog.Table{}
	for _, r := range rows {
		t.Rows = append(t.Rows, &messages.PickleTableRow{Cells: []*messages.PickleTableCell{{Value: r[0]}, {Value: r[1]}}})
	}
	return t
}

// Each kind of value in a metrics table holds for the values it names and
// fails, naming the key, for the others.
func TestMetricWantsCheckEachKindOfValue(t *testing.T) {
	t.Parallel()
	w := &World{names: map[string]string{}}
	wants, err := w.metricWants(metricsTable(
		[2]string{"metric", "value"},
		[2]string{"source_*_records_in_total", "4"},
		[2]string{"sink_*_exceptions_total", ">= 2"},
		[2]string{"source_*_last_exception", "empty"},
		[2]string{"op_*_decoder_*_last_exception", `mentions "bad"`},
		[2]string{"op_*_decoder_*_last_exception_time", "a time"},
		[2]string{"source_*_reconnects_total", "absent"},
	))
	if err != nil {
		t.Fatal(err)
	}
	if len(wants) != 6 {
		t.Fatalf("got %d rows, want 6 (the header row left out)", len(wants))
	}
	good := target.Status{Metrics: map[string]any{
		"source_s_0_records_in_total":         int64(4),
		"sink_rest_0_0_exceptions_total":      "3",
		"source_s_0_last_exception":           "",
		"op_2_decoder_0_last_exception":       "a bad message",
		"op_2_decoder_0_last_exception_time":  int64(1700000000000),
		"source_s_0_reconnect_attempts_total": int64(0),
	}}
	for _, m := range wants {
		if err := m.check(good); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
	bad := target.Status{Metrics: map[string]any{
		"source_s_0_records_in_total":        int64(5),
		"sink_rest_0_0_exceptions_total":     int64(1),
		"source_s_0_last_exception":          "x",
		"op_2_decoder_0_last_exception":      "other",
		"op_2_decoder_0_last_exception_time": int64(0),
		"source_s_0_reconnects_total":        int64(0),
	}}
	for _, m := range wants {
		err := m.check(bad)
		if err == nil {
			t.Errorf("%s holds for %v; want it to fail", m, bad.Metrics)
			continue
		}
		if !strings.Contains(err.Error(), strings.Split(m.pattern, "*")[0]) {
			t.Errorf("%s: error %q does not name the key", m, err)
		}
	}
	if err := wants[0].check(target.Status{Metrics: map[string]any{}}); err == nil || !strings.Contains(err.Error(), "no metric source_*_records_in_total") {
		t.Errorf("a missing metric gives %v; want an error naming the pattern", err)
	}
}

// A value the table does not know, or a row of the wrong width, is refused
// with an error quoting it.
func TestMetricWantsRefuseBadRows(t *testing.T) {
	t.Parallel()
	w := &World{names: map[string]string{}}
	for _, tc := range []struct {
		table *godog.Table
		want  string
	}{
		{metricsTable([2]string{"source_*_records_in_total", "four"}), `value "four"`},
		{metricsTable([2]string{"source_*_last_exception", "mentions bad"}), `value "mentions bad"`},
		{metricsTable([2]string{"source_[_total", "1"}), `metric pattern "source_[_total"`},
		{&godog.Table{Rows: []*messages.PickleTableRow{{Cells: []*messages.PickleTableCell{{Value: "x"}}}}}, "want 2 cells"},
		{&godog.Table{}, "want rows"},
	} {
		if _, err := w.metricWants(tc.table); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("metricWants gives %v; want an error containing %q", err, tc.want)
		}
	}
}
