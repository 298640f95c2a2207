package main

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"os"
)

// A tiny program that links net/http and crypto (packages with stdlib advisories).
func main() {
	sum := sha256.Sum256([]byte(os.Args[0]))
	fmt.Printf("hello %x %s\n", sum[:4], http.StatusText(http.StatusOK))
}
