# GiayDiDuong. `make run` and `make test` do everything on a fresh Debian 12 machine as root.
SHELL := /bin/bash
GO_TAGS := webkit2_41
BIN := build/bin
export CGO_ENABLED := 1

.PHONY: run test build frontend deps-run deps-test go-test frontend-test e2e desktop-smoke bench windows clean

run: deps-run build
	$(BIN)/giaydiduong --demo

build: frontend
	go tool wails build -s -skipbindings -tags $(GO_TAGS) -o giaydiduong
	go build -o $(BIN)/gddctl ./backend/cmd/gddctl

frontend:
	cd frontend && npm run build

deps-run:
	scripts/ensure-deps.sh run

deps-test:
	scripts/ensure-deps.sh test

test: deps-test build
	$(MAKE) --no-print-directory go-test frontend-test e2e desktop-smoke windows

go-test:
	gofmt -l backend main.go | tee /dev/stderr | (! read)
	go vet -tags $(GO_TAGS) ./...
	go test -race -tags $(GO_TAGS) -count=1 ./...

frontend-test:
	cd frontend && npm test

e2e:
	cd frontend && npm run e2e

desktop-smoke:
	GDD_DESKTOP_BIN=$(CURDIR)/$(BIN)/giaydiduong go test -tags desktop -count=1 -v -run TestDesktopSmoke ./tests/desktop/

# Benchmarks behind docs/BENCHMARKS.md.
bench: build
	go test -tags $(GO_TAGS) -run '^$$' -bench . -count 5 ./backend/...
	GDD_DESKTOP_BIN=$(CURDIR)/$(BIN)/giaydiduong go test -tags desktop -run '^$$' -bench . -benchtime 5x -count 1 ./tests/desktop/

# Windows build (the main office platform), cross-compiled from Debian: needs
# gcc-mingw-w64-x86-64 for SQLite's cgo. Wails' own -platform switch uses $CC for a host
# step too, so this is the build it runs underneath, with its production tags.
windows: frontend
	CC=x86_64-w64-mingw32-gcc GOOS=windows GOARCH=amd64 go build -tags desktop,production -ldflags "-w -s -H windowsgui" -o $(BIN)/giaydiduong.exe .
	CC=x86_64-w64-mingw32-gcc GOOS=windows GOARCH=amd64 go build -o $(BIN)/gddctl.exe ./backend/cmd/gddctl

clean:
	rm -rf $(BIN) frontend/dist
