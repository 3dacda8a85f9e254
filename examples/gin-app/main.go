// Command gin-app is the small Go + Gin HTTP app that hotpod rebuilds and restarts in its demo
// and integration tests. Edit the greeting below, save, and hotpod rebuilds and restarts it.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
)

// greeting is what GET / answers (followed by "\n").
// edit me: change this line, save the file, and watch hotpod rebuild and restart the app.
const greeting = "Hello from hotpod!"

// shutdownTimeout bounds the graceful shutdown after SIGTERM/SIGINT; keep it below
// run.stop_timeout in hotpod.yaml so hotpod never has to fall back to SIGKILL.
const shutdownTimeout = 3 * time.Second

func getenv(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

func main() {
	addr := net.JoinHostPort(getenv("HOST", "127.0.0.1"), getenv("PORT", "8080"))

	gin.SetMode(gin.ReleaseMode)
	srv := &http.Server{
		Handler:           newRouter(),
		ReadHeaderTimeout: 5 * time.Second,
	}

	// Listen first, then announce: once the line below is printed, connections are accepted.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gin-app: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case err := <-serveErr:
		// Serve only returns early on a real error (ErrServerClosed needs Shutdown).
		fmt.Fprintf(os.Stderr, "gin-app: %v\n", err)
		os.Exit(1)
	case <-ctx.Done():
	}

	// SIGTERM (hotpod's stop_signal) or Ctrl-C: stop accepting, finish in-flight requests.
	stop()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintf(os.Stderr, "gin-app: shutdown: %v\n", err)
		os.Exit(1)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(os.Stderr, "gin-app: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("shut down cleanly")
}
