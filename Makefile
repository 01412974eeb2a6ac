# mie-go: build, test and run Media Insights on AWS, ported to Go.
SHELL := /bin/bash
GO ?= go
BUILD_DIR ?= build
# Every directory under cmd/ is a main; cmd/mie is the command-line tool, all others are Lambda functions.
LAMBDA_MAINS := $(filter-out mie,$(notdir $(patsubst %/,%,$(wildcard cmd/*/))))
GO_TEST_FLAGS ?= -count=1 -timeout 20m

.PHONY: all deps build lambdas cli test vet fmt-check unit clean run ffmpeg

all: build

## deps: everything the build and the tests need (Go modules; moto_server is checked, not installed). On CI also
## ffmpeg, which the test of `make run` needs (elsewhere that test skips without it)
deps: $(if $(filter true,$(CI)),ffmpeg)
	$(GO) mod download
	@command -v moto_server >/dev/null || { \
	  echo "moto_server is missing: the integration tests need moto (pip install 'moto[server]')."; \
	  if [ "$$CI" = true ]; then exit 1; fi; }

## build: one linux/arm64 bootstrap per Lambda main under build/lambda/<name>/, and the mie CLI for this machine
build: lambdas cli

lambdas:
	@for m in $(LAMBDA_MAINS); do \
	  echo "build $(BUILD_DIR)/lambda/$$m/bootstrap"; \
	  GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -trimpath -tags lambda.norpc \
	    -ldflags='-s -w -buildid=' -o $(BUILD_DIR)/lambda/$$m/bootstrap ./cmd/$$m || exit 1; \
	done

cli:
	@if [ -d cmd/mie ]; then $(GO) build -trimpath -o $(BUILD_DIR)/mie ./cmd/mie; fi

## vet: go vet and gofmt over the whole module
vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(ls -d cmd internal operators cdk test 2>/dev/null)); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## test: what CI runs on a clean clone: install, vet, build every Lambda, run every test
test: deps vet lambdas
	$(GO) test $(GO_TEST_FLAGS) ./...

## run: build, start `mie local`, run a demo workflow of test operators on a video generated with ffmpeg (or on
## MEDIA=path), show it live, then keep serving until Ctrl-C; ONCE=1 stops when the execution ends.
## TIME_SCALE speeds up the workflows' 10 s waits (default 10: they last 1 s).
TIME_SCALE ?= 10
RUN_DIR ?= $(BUILD_DIR)/run
run: cli $(if $(MEDIA),,ffmpeg)
	@mkdir -p $(RUN_DIR) && rm -f $(RUN_DIR)/outputs.json
	@$(BUILD_DIR)/mie local --time-scale $(TIME_SCALE) --outputs $(RUN_DIR)/outputs.json --env $(RUN_DIR)/env.sh & pid=$$!; \
	  trap 'kill -INT $$pid 2>/dev/null; wait $$pid' EXIT; \
	  until [ -f $(RUN_DIR)/outputs.json ]; do kill -0 $$pid 2>/dev/null || exit 1; sleep 0.2; done; \
	  status=0; $(BUILD_DIR)/mie demo --outputs $(RUN_DIR)/outputs.json $(if $(MEDIA),--media "$(MEDIA)") || status=$$?; \
	  if [ -z "$(ONCE)" ]; then \
	    echo; echo "mie local keeps serving (outputs: $(RUN_DIR)/outputs.json; for a shell: source $(RUN_DIR)/env.sh). Ctrl-C to stop."; \
	    wait $$pid; \
	  fi; exit $$status

## ffmpeg: installed when missing; `make run` generates its demo video with it
ffmpeg:
	@command -v ffmpeg >/dev/null || { \
	  echo "ffmpeg is missing; installing it (the demo generates its video with it)"; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update && $$sudo apt-get install -y ffmpeg; }

clean:
	rm -rf $(BUILD_DIR)
