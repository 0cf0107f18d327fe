// Command giaydiduong is the office's desktop window: a Wails v2 shell around the Vue UI and
// the same service layer as gddctl.
package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"giaydiduong/backend/app"
	"giaydiduong/backend/datadir"
	"giaydiduong/backend/desktop"
	"giaydiduong/backend/token"
	"giaydiduong/backend/token/softfido"
	"giaydiduong/backend/version"
)

//go:embed all:frontend/dist
var assets embed.FS

var started = time.Now()

func main() {
	dataFlag := flag.String("data", "", "data directory (default $GDD_DATA or the OS user data directory)")
	demo := flag.Bool("demo", false, "set up the demo office on first run (users canbo, lanhdao, quantri; password demo1234)")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println("giaydiduong", version.String())
		return
	}
	if err := run(*dataFlag, *demo); err != nil {
		fmt.Fprintln(os.Stderr, "giaydiduong:", err)
		os.Exit(1)
	}
}

func run(dataFlag string, demo bool) error {
	ctx := context.Background()
	dir, err := datadir.Resolve(dataFlag)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, dir)
	if err != nil {
		return err
	}
	defer a.Close()
	if demo {
		office, err := a.Office(ctx)
		if err != nil {
			return err
		}
		if office == nil {
			if err := a.SeedDemo(ctx); err != nil {
				return fmt.Errorf("seed demo office: %w", err)
			}
		}
	}
	// The demo has a software FIDO key, touched 0.7 s after it asks, so a newcomer can enroll
	// and sign without hardware; real keys on the USB bus work beside it.
	var soft *softfido.Authenticator
	if office, err := a.Office(ctx); err == nil && office != nil && office.Demo {
		if soft, err = app.NewSoftKey(dir, 700*time.Millisecond); err != nil {
			return err
		}
	}
	a.Tokens = app.NewTokens(soft, slog.Default())
	defer a.Tokens.Close()
	svc := desktop.New(ctx, a, a.NewSession())
	return wails.Run(&options.App{
		Title: "Giấy đi đường",
		// Office PCs often have 1366×768 or 1024×768 screens: start maximised, and when the
		// window manager will not, a size that fits a 768-pixel screen with its taskbar.
		WindowStartState: options.Maximised,
		Width:            1280,
		Height:           720,
		MinWidth:         1024,
		MinHeight:        640,
		AssetServer: &assetserver.Options{
			Assets: assets,
		},
		OnStartup: func(ctx context.Context) {
			svc.SetContext(ctx)
			// Keys arriving and leaving reach the signing screen as they happen.
			go a.Tokens.Watch(ctx, func(ev token.Event) { runtime.EventsEmit(ctx, "token:changed", ev) })
			// Records reach the province in the background while the office is enrolled; the
			// clerk's work never waits for it.
			a.StartSyncLoop(ctx)
			a.StartRetentionSchedule(ctx) // personal data of long-expired permits is purged daily
			// The UI says when its first screen is drawn; support and the start-up benchmark read it.
			runtime.EventsOn(ctx, "ui:ready", func(data ...any) {
				slog.Info("ui ready", "screen", fmt.Sprint(data...), "since_start_ms", time.Since(started).Milliseconds())
			})
		},
		Bind: svc.All(),
	})
}
