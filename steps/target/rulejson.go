package target

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// CollectAction is the action name that, in a rule JSON given to
// RuleJSONCreator, stands for the suite's record collector: the target
// replaces it with an action of its own (a rest sink posting to the
// suite), so that the rule's Records channel delivers what that action
// receives. Its properties must be an empty object.
const CollectAction = "collect"

// RuleJSONCreator is implemented by targets that can create a rule from a
// full eKuiper rule JSON (id, sql, actions, and any other key the engine
// reads), as eKuiper's POST /rules takes it.
type RuleJSONCreator interface {
	// CreateRuleJSON creates a rule from def, an eKuiper rule JSON object,
	// passed on as written except for at most one action {"collect":{}}
	// (CollectAction), which becomes the suite's collector. id is the rule
	// id the suite tracks and deletes at the scenario's end (def's "id"
	// when it has one). A rule the engine refuses returns an error carrying
	// the engine's message. The Rule's Records channel delivers the records
	// of the collect action; without one it delivers nothing.
	CreateRuleJSON(ctx context.Context, id string, def []byte) (Rule, error)
}

// RuleSummary is one entry of the engine's rule list.
type RuleSummary struct {
	// ID is the rule id.
	ID string
	// Status is the rule's state as the list reports it, e.g. "running".
	Status string
}

// RuleLister is implemented by targets that can list the engine's rules
// (eKuiper's GET /rules).
type RuleLister interface {
	// ListRules returns every rule the engine holds, the scenario's and
	// any other, in the engine's order.
	ListRules(ctx context.Context) ([]RuleSummary, error)
}

// SplitCollect decodes a rule JSON object and finds its collect action:
// it returns the object with numbers kept exact, and the index in
// "actions" of the action {"collect":{}}, or -1 without one. An action
// that names collect beside another sink, collect with properties, or a
// second collect action is an error: the suite cannot tell which records
// the collector should deliver. A def that is not a JSON object, or whose
// "actions" is not a list of objects, is returned as it is with index -1,
// for the engine to refuse.
func SplitCollect(def []byte) (map[string]any, int, error) {
	dec := json.NewDecoder(bytes.NewReader(def))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, -1, nil
	}
	actions, ok := m["actions"].([]any)
	if !ok {
		return m, -1, nil
	}
	at := -1
	for i, a := range actions {
		obj, ok := a.(map[string]any)
		if !ok {
			continue
		}
		props, ok := obj[CollectAction]
		if !ok {
			continue
		}
		if len(obj) != 1 {
			return nil, -1, fmt.Errorf("rule json: action %d names %q beside other sinks; give the collector an action of its own", i, CollectAction)
		}
		if p, ok := props.(map[string]any); !ok || len(p) != 0 {
			return nil, -1, fmt.Errorf("rule json: action %d: %q takes no properties, got %v", i, CollectAction, props)
		}
		if at >= 0 {
			return nil, -1, errors.New("rule json: more than one " + CollectAction + " action")
		}
		at = i
	}
	return m, at, nil
}
