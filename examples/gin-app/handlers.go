package main

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// newRouter wires the routes. gin.New() (not gin.Default()) keeps the log quiet: no
// per-request access lines, only panic recovery.
func newRouter() *gin.Engine {
	r := gin.New()
	r.Use(gin.Recovery())
	r.GET("/", handleRoot)
	r.GET("/healthz", handleHealthz)
	return r
}

// handleRoot answers with the greeting line from main.go.
func handleRoot(c *gin.Context) {
	c.String(http.StatusOK, "%s\n", greeting)
}

// handleHealthz is the readiness probe target (hotpod's readiness.url can point here).
func handleHealthz(c *gin.Context) {
	c.String(http.StatusOK, "ok")
}
