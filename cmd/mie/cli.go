package main

import (
	"context"
	"fmt"
	"io"
)

const usage = `Usage: mie <command> [flags]

Commands:
  local   run Media Insights on AWS on this machine (moto_server for the data services)
  demo    run a demo workflow of test operators against a running "mie local"

Run "mie <command> -h" for the flags of a command.
`

// run runs the command line args and returns the exit status; it writes results to stdout and messages to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "local":
		return runLocal(ctx, args[1:], stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "mie: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
