package target

import "fmt"

// StatusFromMap reads a rule status object as eKuiper's GET
// /rules/{id}/status returns it: "status" becomes State, "message" Message
// (a null message stays ""), and every other key a metric, its value as is.
func StatusFromMap(m map[string]any) Status {
	st := Status{Metrics: map[string]any{}}
	for k, v := range m {
		switch k {
		case "status":
			st.State = fmt.Sprint(v)
		case "message":
			if v != nil {
				st.Message = fmt.Sprint(v)
			}
		default:
			st.Metrics[k] = v
		}
	}
	return st
}
