package target

import "context"

// Describer is implemented by targets that can say which engine they drive,
// for the header of reports.
type Describer interface {
	// Engine names the engine and its version, e.g. "version
	// 2.4.0-27-g0014e7fab (linux/amd64)" from an engine's GET /; "" when the
	// engine does not say.
	Engine(ctx context.Context) string
}
