package target

import "context"

// Describer is implemented by targets that can say which engine they drive,
// for the header of reports.
type Describer interface {
	// Engine names the engine and its version, e.g. "eKuiper 2.4.0"
	// or "version 2.4.0-27-g0014e7fab (linux/amd64)"; "" when the engine
	// does not say.
	Engine(ctx context.Context) string
}
