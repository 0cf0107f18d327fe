# GiayDiDuong. `make run` and `make test` do everything on a fresh Debian 12 machine as root.
SHELL := /bin/bash
GO_TAGS := webkit2_41
BIN := build/bin
export CGO_ENABLED := 1
# Every binary carries the version (--version, the Windows version resource, the About box).
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
VERSION_LDFLAGS := -X giaydiduong/backend/version.Version=$(VERSION)
WIN_ENV := CC=x86_64-w64-mingw32-gcc GOOS=windows GOARCH=amd64

.PHONY: test-long run test build frontend deps-run deps-test deps-package go-test server-test frontend-test e2e desktop-smoke bench bench-counter windows package installers package-test wine-test clean

run: deps-run build
	$(BIN)/giaydiduong --demo

build: frontend
	go tool wails build -s -skipbindings -tags $(GO_TAGS) -ldflags "$(VERSION_LDFLAGS)" -o giaydiduong
	go build -ldflags "$(VERSION_LDFLAGS)" -o $(BIN)/gddctl ./backend/cmd/gddctl
	go build -ldflags "$(VERSION_LDFLAGS)" -o $(BIN)/gdd-server ./backend/cmd/gdd-server

frontend:
	cd frontend && npm run build

deps-run:
	scripts/ensure-deps.sh run

deps-test:
	scripts/ensure-deps.sh test

deps-package:
	scripts/ensure-deps.sh package

test: deps-test build
	$(MAKE) --no-print-directory go-test frontend-test e2e desktop-smoke installers package-test wine-test

# The provincial server's suite runs on SQLite and on PostgreSQL: with-postgres starts a
# throwaway PostgreSQL 15 on loopback (scripts/start-postgres.sh), hands its DSN to the tests
# in GDD_TEST_PG_DSN (without it they fail) and stops it afterwards, pass or fail.
with-postgres = d=$$(mktemp -d /tmp/gdd-pg.XXXXXX); chmod 755 $$d; \
	trap 'scripts/start-postgres.sh stop '"$$d"'/cluster >/dev/null 2>&1; rm -rf '"$$d" EXIT; \
	dsn=$$(scripts/start-postgres.sh start $$d/cluster) || exit 1; \
	GDD_TEST_PG_DSN=$$dsn

SERVER_PKGS := ./backend/pki/... ./backend/province/... ./backend/server/... ./backend/syncclient/... ./backend/cmd/gdd-server/...

go-test:
	gofmt -l backend main.go | tee /dev/stderr | (! read)
	go vet -tags $(GO_TAGS) ./...
	$(with-postgres) go test -race -tags $(GO_TAGS) -count=1 -timeout 30m ./...
	# The 100-page scan stacks (PDF, TIFF, 200 dpi): -race above runs them on 8 pages.
	go test -tags $(GO_TAGS) -count=1 -timeout 20m -run 'TestScan' ./backend/app/

# Only the provincial server's packages, on SQLite and PostgreSQL.
server-test:
	$(with-postgres) go test -race -count=1 $(SERVER_PKGS)

# The slow matrices kept out of `make test`: the office push of 1,000 applications through
# every fault of the loopback proxy (about 30 s without -race), and the lanes' matrix (records,
# the audit chain and 100 attachments through every fault, three rounds; about 2 min).
test-long:
	go test -tags $(GO_TAGS) -count=1 -run 'TestSyncMatrix|TestSyncLanesMatrix' ./backend/app -args -sync.long

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
	$(MAKE) --no-print-directory bench-counter

# The counter benchmark (issue 11): Playwright walks 20 citizens through the window on the
# real backend by keyboard, by mouse and by CCCD scan, and prints clerk-seconds per citizen.
bench-counter: build
	cd frontend && npx playwright test -c playwright.bench.config.ts

# Windows build (the main office platform), cross-compiled from Debian: needs
# gcc-mingw-w64-x86-64 for SQLite's cgo. Wails' own -platform switch uses $CC for a host
# step too, so this is the build it runs underneath, with its production tags. The icon,
# manifest and version resource come from build/windows through scripts/winres (.syso files
# that only a windows/amd64 link picks up, removed afterwards).
windows: frontend
	go run ./scripts/winres syso -version "$(VERSION)" -file giaydiduong.exe -out rsrc_windows_amd64.syso
	go run ./scripts/winres syso -version "$(VERSION)" -file gddctl.exe -desc "gddctl - công cụ dòng lệnh Giấy đi đường" -out backend/cmd/gddctl/rsrc_windows_amd64.syso
	$(WIN_ENV) go build -tags desktop,production -ldflags "-w -s -H windowsgui $(VERSION_LDFLAGS)" -o $(BIN)/giaydiduong.exe . ; s=$$?; \
	$(WIN_ENV) go build -ldflags "-w -s $(VERSION_LDFLAGS)" -o $(BIN)/gddctl.exe ./backend/cmd/gddctl; c=$$?; \
	rm -f rsrc_windows_amd64.syso backend/cmd/gddctl/rsrc_windows_amd64.syso; [ $$s -eq 0 ] && [ $$c -eq 0 ]

# Installers in build/bin: the Windows setup (NSIS) and the Linux .deb.
package: deps-package build windows
	scripts/package.sh "$(VERSION)"

# The same from the Linux binaries `make build` left (make test has built them already).
installers: windows
	scripts/package.sh "$(VERSION)"

# Checks what `make package` made: file lists, the version resource, the systemd unit.
package-test:
	GDD_BIN=$(CURDIR)/$(BIN) GDD_VERSION="$(VERSION)" go test -tags packaging -count=1 -v ./tests/packaging/

# The Windows build run under Wine: the installer, then gddctl.exe through a walk-in.
wine-test:
	GDD_BIN=$(CURDIR)/$(BIN) GDD_VERSION="$(VERSION)" go test -tags wine -count=1 -v -timeout 10m ./tests/windows/

clean:
	rm -rf $(BIN) frontend/dist
