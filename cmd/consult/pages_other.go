//go:build !linux

package main

import "runtime/debug"

// returnStartupMemory hands the heap's start-up garbage back to the
// system; the pages of the binary are Linux's concern (pages_linux.go).
func returnStartupMemory() { debug.FreeOSMemory() }
