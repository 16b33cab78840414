package target

import "context"

// NopRuleCreator is implemented by targets that can run a rule whose only
// sink discards its records (eKuiper's "nop" action). Load measurements use
// it, so that they measure the engine rather than the delivery of every
// record to the suite; the rule's status still counts what came in.
type NopRuleCreator interface {
	// CreateNopRule creates and starts a rule with a nop sink. The rule's
	// Records channel delivers nothing.
	CreateNopRule(ctx context.Context, id, sql string) (Rule, error)
}
