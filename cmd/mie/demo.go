package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/mie-go/mie-go/operators/sdk/client"
)

// demoStage is one stage of the demo workflow with its one operation, backed by test operators: they do no
// analysis and return fixed placeholder results. start and monitor are the test stack's output keys.
type demoStage struct {
	stage, operation, kind, start, monitor string
}

func demoStages() []demoStage {
	return []demoStage{
		{"DemoIngest", "DemoDetect", client.OperationSync, "VideoSyncOKLambda", ""},
		{"DemoAnalyze", "DemoTrack", client.OperationAsync, "VideoAsyncOKLambda", "VideoAsyncOKMonitorLambda"},
		{"DemoPublish", "DemoSummarize", client.OperationSync, "VideoSyncOKLambda", ""},
	}
}

const demoWorkflow = "DemoWorkflow"

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mie demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	outputsFile := fs.String("outputs", "", "the JSON file `mie local --outputs` wrote (required)")
	media := fs.String("media", "", "video file to analyze (default: a 5 s test video generated with ffmpeg)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *outputsFile == "" {
		fmt.Fprintln(stderr, "mie demo: --outputs is required: the file written by `mie local --outputs FILE`")
		return 2
	}
	if err := demo(ctx, *outputsFile, *media, stdout); err != nil {
		fmt.Fprintf(stderr, "mie demo: %v\n", err)
		return 1
	}
	return 0
}

func demo(ctx context.Context, outputsFile, media string, w io.Writer) error {
	raw, err := os.ReadFile(outputsFile)
	if err != nil {
		return fmt.Errorf("read the runtime's outputs: %w", err)
	}
	var outs map[string]string
	if err := json.Unmarshal(raw, &outs); err != nil {
		return fmt.Errorf("read the runtime's outputs %s: %w", outputsFile, err)
	}
	cfg := aws.Config{
		Region:      outs["AWS_REGION"],
		Credentials: credentials.NewStaticCredentialsProvider(outs["AWS_ACCESS_KEY_ID"], outs["AWS_SECRET_ACCESS_KEY"], ""),
	}
	workflow, err := client.NewWorkflowAPI(cfg, outs["WorkflowApiEndpoint"])
	if err != nil {
		return err
	}
	dataplane, err := client.NewDataplaneAPI(cfg, outs["DataplaneApiEndpoint"])
	if err != nil {
		return err
	}

	fmt.Fprintln(w, "Note: the demo's operators are MIE's test operators. They do no analysis and produce placeholder")
	fmt.Fprintln(w, "results until the operator library (Rekognition, Transcribe, ...) is ported.")
	fmt.Fprintln(w)

	if media == "" {
		dir, err := os.MkdirTemp("", "mie-demo-")
		if err != nil {
			return fmt.Errorf("make a directory for the test video: %w", err)
		}
		defer os.RemoveAll(dir)
		if media, err = generateVideo(ctx, dir); err != nil {
			return err
		}
		fmt.Fprintln(w, "Generated a 5 s test video with ffmpeg.")
	}
	object, err := upload(ctx, dataplane, outs["DataplaneBucket"], media)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Uploaded %s to s3://%s/%s\n", media, object.S3Bucket, object.S3Key)

	if err := defineWorkflow(ctx, workflow, outs); err != nil {
		return err
	}
	fmt.Fprintf(w, "Workflow %s: ", demoWorkflow)
	for i, s := range demoStages() {
		if i > 0 {
			fmt.Fprint(w, " -> ")
		}
		fmt.Fprintf(w, "%s [%s]", s.stage, s.operation)
	}
	fmt.Fprintln(w)

	started, err := workflow.StartExecution(ctx, client.ExecutionRequest{
		Name:  demoWorkflow,
		Input: client.ExecutionInput{Media: map[string]client.S3Object{"Video": object}},
	})
	if err != nil {
		return fmt.Errorf("start workflow %s: %w", demoWorkflow, err)
	}
	fmt.Fprintf(w, "Execution %s queued for asset %s.\n\n", started.ID, started.AssetID)
	final, err := follow(ctx, workflow, started.ID, w)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nExecution %s ended %s.\n", final.ID, final.Status)
	if final.Message != "" {
		fmt.Fprintf(w, "Message: %s\n", final.Message)
	}
	fmt.Fprintln(w, "\nWhere the results are (placeholder results of the test operators):")
	fmt.Fprintf(w, "  metadata:   GET %smetadata/%s   (signed; e.g. the public client's DataplaneAPI.GetMetadata)\n", outs["DataplaneApiEndpoint"], final.AssetID)
	fmt.Fprintf(w, "  execution:  GET %sworkflow/execution/%s\n", outs["WorkflowApiEndpoint"], final.ID)
	fmt.Fprintf(w, "  S3 objects: s3://%s/private/assets/%s/ at %s\n", outs["DataplaneBucket"], final.AssetID, outs["AWS_ENDPOINT_URL"])
	if final.Status != "Complete" {
		return fmt.Errorf("the execution ended %s", final.Status)
	}
	return nil
}

// generateVideo makes a small test video with ffmpeg: a test pattern with a tone.
func generateVideo(ctx context.Context, dir string) (string, error) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return "", errors.New("ffmpeg is not installed: install it (Debian: apt-get install ffmpeg) or give a video with --media (make run MEDIA=path)")
	}
	out := filepath.Join(dir, "mie-demo.mp4")
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc=duration=5:size=640x360:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=5",
		"-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("generate the test video with ffmpeg: %w: %s", err, msg)
	}
	return out, nil
}

// upload sends a file to the data plane bucket with the presigned POST the data plane API hands out.
func upload(ctx context.Context, api *client.DataplaneAPI, bucket, path string) (client.S3Object, error) {
	object := client.S3Object{S3Bucket: bucket, S3Key: "upload/" + filepath.Base(path)}
	f, err := os.Open(path)
	if err != nil {
		return object, fmt.Errorf("open the media: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return object, fmt.Errorf("open the media: %w", err)
	}
	post, err := api.PresignUpload(ctx, object)
	if err != nil {
		return object, err
	}
	req, err := post.NewUploadRequest(ctx, filepath.Base(path), f, info.Size())
	if err != nil {
		return object, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return object, fmt.Errorf("upload the media: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		body, _ := io.ReadAll(resp.Body)
		return object, fmt.Errorf("upload the media: %s: %s", resp.Status, body)
	}
	return object, nil
}

// defineWorkflow registers the demo's operations, stages and workflow, keeping those a previous run registered.
func defineWorkflow(ctx context.Context, api *client.WorkflowAPI, outs map[string]string) error {
	all := demoStages()
	stages := make(client.WorkflowStages, 0, len(all))
	for i, s := range all {
		_, err := api.CreateOperation(ctx, client.Operation{
			Name: s.operation, Type: s.kind,
			Configuration:  client.OperationConfiguration{MediaType: "Video", Enabled: true},
			StartLambdaARN: outs[s.start], MonitorLambdaARN: outs[s.monitor],
		})
		if err != nil && !isConflict(err) {
			return fmt.Errorf("register operation %s: %w", s.operation, err)
		}
		if _, err := api.CreateStage(ctx, client.Stage{Name: s.stage, Operations: []string{s.operation}}); err != nil && !isConflict(err) {
			return fmt.Errorf("register stage %s: %w", s.stage, err)
		}
		ws := client.WorkflowStage{Name: s.stage}
		if i+1 < len(all) {
			ws.Next = all[i+1].stage
		} else {
			ws.End = true
		}
		stages = append(stages, ws)
	}
	_, err := api.CreateWorkflow(ctx, client.Workflow{Name: demoWorkflow, StartAt: all[0].stage, Stages: stages})
	if err != nil && !isConflict(err) {
		return fmt.Errorf("register workflow %s: %w", demoWorkflow, err)
	}
	return nil
}

func isConflict(err error) bool {
	var apiErr *client.APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusConflict
}

// follow polls the execution and prints every change of its status, stage or operations, until it ends.
func follow(ctx context.Context, api *client.WorkflowAPI, id string, w io.Writer) (*client.Execution, error) {
	var last string
	for {
		e, err := api.GetExecution(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("read execution %s: %w", id, err)
		}
		line, err := summary(e)
		if err != nil {
			return nil, fmt.Errorf("read execution %s: %w", id, err)
		}
		if line != last {
			fmt.Fprintf(w, "  %s  %s\n", time.Now().Format("15:04:05.000"), line)
			last = line
		}
		if e.Status == "Complete" || e.Status == "Error" {
			return e, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// summary is one line: the execution's status, then each stage that has begun with its operations' statuses. What
// ran is in the members the execution adds to each stage of its copy of the workflow (control-plane §4.5).
func summary(e *client.Execution) (string, error) {
	parts := []string{e.Status}
	if e.Workflow == nil {
		return e.Status, nil
	}
	for _, s := range demoStages() {
		stage, ok := e.Workflow.Stages.Stage(s.stage)
		if !ok {
			continue
		}
		var status string
		var outputs []struct{ Name, Status string }
		if _, err := stage.Extra.Get("Status", &status); err != nil {
			return "", fmt.Errorf("stage %s: %w", s.stage, err)
		}
		if status == "" || status == "Not Started" {
			continue
		}
		if _, err := stage.Extra.Get("Outputs", &outputs); err != nil {
			return "", fmt.Errorf("stage %s: %w", s.stage, err)
		}
		ops := make([]string, 0, len(outputs))
		for _, o := range outputs {
			ops = append(ops, o.Name+"="+o.Status)
		}
		slices.Sort(ops)
		text := s.stage + ": " + status
		if len(ops) > 0 {
			text += " (" + strings.Join(ops, ", ") + ")"
		}
		parts = append(parts, text)
	}
	return strings.Join(parts, " | "), nil
}
