package difftest

// Scripts for the publish side of pub/sub. Subscriptions put a
// connection into a push mode that this request/reply harness does not
// model; with no subscriber, PUBLISH and the PUBSUB introspection
// commands have deterministic replies.

func init() {
	addScripts(
		Script{Name: "pubsub/publish-introspection", Src: `
PUBLISH ch msg
PUBLISH ch ""
PUBLISH "bin\x00" "m\r\n"
SPUBLISH ch msg
PUBSUB CHANNELS
PUBSUB CHANNELS *
PUBSUB CHANNELS ch*
PUBSUB NUMSUB
PUBSUB NUMSUB a b a
PUBSUB NUMPAT
PUBSUB SHARDCHANNELS
PUBSUB SHARDCHANNELS x*
PUBSUB SHARDNUMSUB
PUBSUB SHARDNUMSUB a b
pubsub numsub A
PUBSUB HELP
PUBSUB FOO
PUBSUB
PUBSUB NUMPAT extra
PUBSUB CHANNELS a b
PUBLISH ch
PUBLISH ch a b
SPUBLISH ch
`},
	)
}
