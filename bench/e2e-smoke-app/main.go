// A tiny net/http app for the smoke run of bench/peers.py e2e (the full run uses
// examples/gin-app). GET / answers the greeting; the bench edits the constant.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
)

const greeting = "Hello from hotpod!"

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintf(w, "%s\n", greeting) })
	if err := http.ListenAndServe(net.JoinHostPort("127.0.0.1", port), nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
