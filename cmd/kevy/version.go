package main

import (
	"runtime"
	"runtime/debug"

	"github.com/kevydb/kevy/server"
)

// version is kevy's version, set at release time with
// -ldflags "-X main.version=v1.2.3".
var version = "0.1.0-dev"

// versionString describes the build: kevy's version, the VCS revision
// when known, the Redis version it emulates, and the Go toolchain.
func versionString() string {
	s := "kevy " + version
	if info, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, kv := range info.Settings {
			switch kv.Key {
			case "vcs.revision":
				rev = kv.Value
			case "vcs.modified":
				if kv.Value == "true" {
					dirty = "-dirty"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			s += " (" + rev + dirty + ")"
		}
	}
	return s + " redis=" + server.RedisVersion + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}
