# GiayDiDuong. `make run` and `make test` do everything on a fresh Debian 12 machine as root.
SHELL := /bin/bash
GO_TAGS := webkit2_41
BIN := build/bin
export CGO_ENABLED := 1

.PHONY: run test build frontend deps-run deps-test go-test server-test frontend-test e2e desktop-smoke bench windows clean

run: deps-run build
	$(BIN)/giaydiduong --demo

build: frontend
	go tool wails build -s -skipbindings -tags $(GO_TAGS) -o giaydiduong
	go build -o $(BIN)/gddctl ./backend/cmd/gddctl
	go build -o $(BIN)/gdd-server ./backend/cmd/gdd-server

frontend:
	cd frontend && npm run build

deps-run:
	scripts/ensure-deps.sh run

deps-test:
	scripts/ensure-deps.sh test

test: deps-test build
	$(MAKE) --no-print-directory go-test frontend-test e2e desktop-smoke windows

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
	$(with-postgres) go test -race -tags $(GO_TAGS) -count=1 ./...

# Only the provincial server's packages, on SQLite and PostgreSQL.
server-test:
	$(with-postgres) go test -race -count=1 $(SERVER_PKGS)

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
