package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mie-go/mie-go/internal/local"
	"github.com/mie-go/mie-go/internal/resources"
)

// readyLine ends the start-up report: whoever reads the output (a person, `make run`, a test) knows the runtime
// is serving.
const readyLine = "mie local is running. Press Ctrl-C to stop."

func runLocal(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mie local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts local.Options
	fs.StringVar(&opts.StackName, "stack-name", local.DefaultStackName, "stack name every resource name derives from (at most 12 characters)")
	fs.StringVar(&opts.AWSEndpoint, "aws-endpoint", "", "endpoint of running AWS emulators (e.g. LocalStack, http://127.0.0.1:4566) instead of starting moto_server")
	fs.IntVar(&opts.Port, "port", 0, "first of five consecutive ports: workflow API, data plane API, Lambda, Step Functions, moto_server (0: free ports)")
	fs.Float64Var(&opts.TimeScale, "time-scale", local.DefaultTimeScale, "speed-up of the workflows' waits, retry intervals and the scheduler's 1-minute tick (1: real time; 10: a 10 s wait lasts 1 s)")
	fs.IntVar(&opts.MaxConcurrentWorkflows, "max-concurrent-workflows", resources.DefaultMaxConcurrentWorkflows, "MaxConcurrentWorkflows seeded into the System table")
	fs.StringVar(&opts.Region, "region", local.DefaultRegion, "region of the deployment")
	outputsFile := fs.String("outputs", "", "also write the stack outputs, credentials and endpoints to this file as a JSON object")
	envFile := fs.String("env", "", "also write the credentials, endpoints and outputs to this file as `export NAME=value` lines")
	verbose := fs.Bool("verbose", false, "log every function's and the runtime's messages (default: warnings and errors only)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mie local: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	// The handlers log through slog's default logger, as they do on Lambda; keep it quiet unless asked.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)
	opts.Log = logger

	began := time.Now()
	rt, err := local.Start(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "mie local: %v\n", err)
		return 1
	}
	defer rt.Close()
	outs, err := rt.Outputs()
	if err != nil {
		fmt.Fprintf(stderr, "mie local: %v\n", err)
		return 1
	}
	env := rt.Environment()
	if err := writeFiles(*outputsFile, *envFile, outs, env); err != nil {
		fmt.Fprintf(stderr, "mie local: %v\n", err)
		return 1
	}
	report(stdout, opts, outs, env, rt.Unavailable(), time.Since(began))

	select {
	case <-ctx.Done():
		fmt.Fprintln(stdout, "mie local: stopping.")
		return 0
	case err := <-rt.Failed():
		fmt.Fprintf(stderr, "mie local: %v\n", err)
		return 1
	}
}

// writeFiles writes the machine-readable forms, each through a temporary file renamed into place, so that a reader
// waiting for the file never sees half of it.
func writeFiles(outputsFile, envFile string, outs []local.Output, env []local.Variable) error {
	if outputsFile != "" {
		raw, err := local.OutputsJSON(outs, env)
		if err != nil {
			return err
		}
		if err := writeAtomically(outputsFile, raw); err != nil {
			return err
		}
	}
	if envFile != "" {
		if err := writeAtomically(envFile, []byte(local.ExportLines(exports(outs, env)))); err != nil {
			return err
		}
	}
	return nil
}

// exports are the environment followed by the outputs, each as a variable of the output's name.
func exports(outs []local.Output, env []local.Variable) []local.Variable {
	vars := append([]local.Variable(nil), env...)
	for _, o := range outs {
		vars = append(vars, local.Variable{Name: o.Key, Value: o.Value})
	}
	return vars
}

func writeAtomically(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails once renamed, which is the point
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// report prints what a person needs: where everything is, what is missing, and how to call it from a shell.
func report(w io.Writer, opts local.Options, outs []local.Output, env []local.Variable, missing []local.Unavailable, took time.Duration) {
	data := "moto_server"
	for _, v := range env {
		if v.Name == "AWS_ENDPOINT_URL" {
			data += " at " + v.Value
		}
	}
	if opts.AWSEndpoint != "" {
		data = opts.AWSEndpoint
	}
	stack := opts.StackName
	if stack == "" {
		stack = local.DefaultStackName
	}
	fmt.Fprintf(w, "Media Insights on AWS (mie-go) runs locally as stack %q, data services: %s. Started in %s.\n\n", stack, data, took.Round(time.Millisecond))
	fmt.Fprintln(w, "Outputs:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, o := range outs {
		fmt.Fprintf(tw, "  %s\t%s\n", o.Key, o.Value)
	}
	_ = tw.Flush() // writes to w, whose errors have nowhere to go
	if len(missing) > 0 {
		fmt.Fprintf(w, "\nNot available locally yet (%d functions of the stack whose handlers are not ported yet):\n", len(missing))
		byMain := map[string][]string{}
		var mains []string
		for _, u := range missing {
			if _, seen := byMain[u.Main]; !seen {
				mains = append(mains, u.Main)
			}
			byMain[u.Main] = append(byMain[u.Main], u.Name)
		}
		for _, m := range mains {
			fmt.Fprintf(w, "  %s: %s\n", m, strings.Join(byMain[m], ", "))
		}
	}
	fmt.Fprintln(w, "\nTo call it from another shell (the APIs accept only these credentials):")
	fmt.Fprint(w, local.ExportLines(env))
	fmt.Fprintln(w)
	fmt.Fprintln(w, readyLine)
}
