package web

import "sync"

// EmbedScript returns embed.js, the script a practice's own website
// includes to show the booking page in a frame (served at /embed.js).
var EmbedScript = sync.OnceValue(func() []byte {
	b, err := embedded.ReadFile("static/embed.js")
	if err != nil {
		panic(err) // embedded at build time
	}
	return b
})
