package rest

// Guard exposes the request guard to the specs.
var Guard = guard
