// Package clock is kevy's single source of time.
//
// # Basics
//
// Every deadline in kevy is an absolute Unix time in milliseconds, so it
// survives a restart. The engine never calls time.Now on its hot path: it
// reads a cached millisecond value that a background ticker refreshes
// (Redis caches its clock per command for the same reason). Tests replace
// the source with a function they control (see Manual) and advance it by
// hand, so no TTL test ever sleeps.
package clock
