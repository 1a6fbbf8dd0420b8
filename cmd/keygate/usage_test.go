package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/app"
	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/tenant"
)

func TestUsageCommand(t *testing.T) {
	cfgPath, _, _ := keysEnv(t)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := app.OpenStore(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	err = st.InsertUsage(context.Background(), []tenant.Usage{
		{RequestID: "req_1", Time: now, Alias: "gpt-4o-mini", PromptTokens: 100, CompletionTokens: 10, Cost: tenant.FromUSD(13), Status: 200},
		{RequestID: "req_2", Time: now, Alias: "gpt-4o-mini", PromptTokens: 50, CompletionTokens: 5, Cost: tenant.FromUSD(0.5), Status: 200},
		{RequestID: "req_3", Time: now.Add(-48 * time.Hour), Alias: "gpt-4o", PromptTokens: 7, Cost: tenant.FromUSD(4.5), Status: 200},
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "--config", cfgPath, "usage")
	if err != nil || !strings.Contains(out, "$13.50") || !strings.Contains(out, "$4.50") || !strings.Contains(out, "$18.00") {
		t.Fatalf("%v\n%s", err, out)
	}
	out, _, err = run(t, "--config", cfgPath, "usage", "--since", "24h", "--json")
	if err != nil || gjson.Get(out, "#").Int() != 1 || gjson.Get(out, "0.requests").Int() != 2 {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-11-01": time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		"24h":        now.Add(-24 * time.Hour),
		"7d":         now.Add(-7 * 24 * time.Hour),
	} {
		if got, err := parseSince(in, now); err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"yesterday", "-3d", "7x"} {
		if _, err := parseSince(bad, now); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
