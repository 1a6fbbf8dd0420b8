package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// want is the part of a Deployment a fixture test checks, with keys revealed.
type want struct {
	alias, vendor, model, base string
	keys                       []string
	rpm, tpm                   int
	timeout                    time.Duration
}

func got(d Deployment) want {
	w := want{alias: d.Alias, vendor: d.Vendor, model: d.Model, base: d.APIBase, rpm: d.RPM, tpm: d.TPM, timeout: d.Timeout}
	for _, k := range d.APIKeys {
		w.keys = append(w.keys, k.Reveal())
	}
	return w
}

var fixtureEnv = map[string]string{
	"AZURE_API_KEY_EU":    "azure-eu-secret-1111",
	"AZURE_API_KEY_CA":    "azure-ca-secret-2222",
	"KEYGATE_MASTER_KEY":  "master-secret-3333",
	"KEYGATE_ADMIN_TOKEN": "admin-secret-4444",
	"OPENAI_API_KEY":      "sk-openai-secret-5555",
	"OPENAI_API_KEY_2":    "sk-openai-secret-6666",
	"AZURE_API_KEY":       "azure-secret-7777",
	"TOGETHER_API_KEY":    "together-secret-8888",
}

func TestFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		models    []want
		fallbacks map[string][]string
		timeout   time.Duration
		warnings  int
	}{
		{
			file: "testdata/picoclaw/config.json",
			models: []want{
				{alias: "gpt4", vendor: "openai", model: "gpt-5.2", base: "https://api.openai.com/v1", keys: []string{"sk-your-openai-key"}},
				{alias: "claude-sonnet-4.6", vendor: "anthropic", model: "claude-sonnet-4.6", base: "https://api.anthropic.com/v1", keys: []string{"sk-ant-your-key"}},
				// "gemini" (antigravity/, OAuth) is skipped with a warning.
				{alias: "deepseek", vendor: "deepseek", model: "deepseek-chat", base: "https://api.deepseek.com/v1", keys: []string{"sk-your-deepseek-key"}},
				{alias: "loadbalanced-gpt4", vendor: "openai", model: "gpt-5.2", base: "https://api1.example.com/v1", keys: []string{"sk-key1"}},
				{alias: "loadbalanced-gpt4", vendor: "openai", model: "gpt-5.2", base: "https://api2.example.com/v1", keys: []string{"sk-key2"}},
			},
			fallbacks: map[string][]string{},
			timeout:   DefaultRequestTimeout,
			warnings:  7,
		},
		{
			file: "testdata/picoclaw/providers.json",
			models: []want{
				{alias: "qwen-main", vendor: "openai", model: "qwen3.5:cloud", base: "https://api.example.com/v1", keys: []string{"sk-main"}},
				{alias: "deepseek-backup", vendor: "deepseek", model: "deepseek-chat", base: "https://api.deepseek.com/v1", keys: []string{"sk-backup-1"}},
				{alias: "gemini-backup", vendor: "gemini", model: "gemini-2.5-flash", base: "https://generativelanguage.googleapis.com/v1beta/openai", keys: []string{"sk-backup-2"}},
				{alias: "gpt-5.4", vendor: "openai", model: "gpt-5.4", base: "https://api1.example.com/v1", keys: []string{"sk-key1"}},
				{alias: "gpt-5.4", vendor: "openai", model: "gpt-5.4", base: "https://api2.example.com/v1", keys: []string{"sk-key2"}},
				// With "provider", model is sent as written, slash and all.
				{alias: "lmstudio-local", vendor: "lmstudio", model: "openai/gpt-oss-20b", base: "http://localhost:1234/v1"},
				{alias: "my-custom-model", vendor: "openai", model: "custom-model", base: "https://my-proxy.com/v1", keys: []string{"sk-..."}, timeout: 300 * time.Second},
			},
			fallbacks: map[string][]string{"qwen-main": {"deepseek-backup", "gemini-backup"}},
			timeout:   DefaultRequestTimeout,
			warnings:  3,
		},
		{
			file: "testdata/litellm/config.yaml",
			models: []want{
				{alias: "gpt-4o", vendor: "azure", model: "gpt-4o-eu", base: "https://my-endpoint-europe-berri-992.openai.azure.com", keys: []string{"azure-eu-secret-1111"}, rpm: 6},
				// bedrock-claude-v1 skipped (bedrock)
				{alias: "gpt-4o", vendor: "azure", model: "gpt-4o-ca", base: "https://my-endpoint-canada-berri992.openai.azure.com", keys: []string{"azure-ca-secret-2222"}, rpm: 6},
				// anthropic-claude skipped (bedrock)
				{alias: "vllm-models", vendor: "openai", model: "facebook/opt-125m", base: "http://0.0.0.0:4000/v1", keys: []string{"none"}, rpm: 1440},
				// "*" skipped (wildcard)
			},
			fallbacks: map[string][]string{},
			timeout:   DefaultRequestTimeout,
			warnings:  8,
		},
		{
			file: "testdata/litellm/load_balancing.yaml",
			models: []want{
				// three zephyr-beta entries skipped (huggingface)
				{alias: "gpt-4o", vendor: "openai", model: "gpt-4o", base: "https://api.openai.com/v1", keys: []string{"<my-openai-key>"}, rpm: 200},
				{alias: "gpt-3.5-turbo-16k", vendor: "openai", model: "gpt-3.5-turbo-16k", base: "https://api.openai.com/v1", keys: []string{"<my-openai-key>"}, rpm: 100},
			},
			fallbacks: map[string][]string{}, // zephyr-beta's chain names a skipped alias
			timeout:   30 * time.Second,      // router_settings.timeout wins over litellm_settings.request_timeout: 10
			warnings:  13,
		},
		{
			file: "testdata/keygate.yaml",
			models: []want{
				{alias: "gpt-4o-mini", vendor: "openai", model: "gpt-4o-mini", base: "https://api.openai.com/v1", keys: []string{"sk-openai-secret-5555"}, rpm: 500, tpm: 200000, timeout: 120 * time.Second},
				{alias: "gpt-4o-mini", vendor: "openai", model: "gpt-4o-mini", base: "https://api.openai.com/v1", keys: []string{"sk-openai-secret-6666", "sk-fallback-key-3333"}, rpm: 60},
				{alias: "gpt-4o", vendor: "azure", model: "gpt-4o-prod", base: "https://example-resource.openai.azure.com", keys: []string{"azure-secret-7777"}, timeout: 90500 * time.Millisecond},
				{alias: "llama-3-70b", vendor: "openrouter", model: "meta-llama/llama-3-70b-instruct", base: "https://openrouter.ai/api/v1"},
				{alias: "local", vendor: "ollama", model: "llama3", base: "http://localhost:11434/v1"},
				{alias: "mixtral", vendor: "together", model: "mistralai/Mixtral-8x7B-Instruct-v0.1", base: "https://api.together.xyz/v1", keys: []string{"together-secret-8888"}, tpm: 100000},
			},
			fallbacks: map[string][]string{"gpt-4o-mini": {"gpt-4o"}},
			timeout:   300 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			cfg, err := Parse(tt.file, mustRead(t, tt.file), envMap(fixtureEnv))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var gotModels []want
			for _, d := range cfg.Models {
				gotModels = append(gotModels, got(d))
			}
			if !reflect.DeepEqual(gotModels, tt.models) {
				t.Errorf("models:\n got %+v\nwant %+v", gotModels, tt.models)
			}
			if !reflect.DeepEqual(cfg.Fallbacks, tt.fallbacks) {
				t.Errorf("fallbacks = %v, want %v", cfg.Fallbacks, tt.fallbacks)
			}
			if cfg.RequestTimeout != tt.timeout {
				t.Errorf("RequestTimeout = %v, want %v", cfg.RequestTimeout, tt.timeout)
			}
			if len(cfg.Warnings) != tt.warnings {
				t.Errorf("%d warnings, want %d:\n%v", len(cfg.Warnings), tt.warnings, Errors(cfg.Warnings))
			}
			for _, w := range cfg.Warnings {
				if !strings.HasPrefix(w.Error(), tt.file+":") || w.Pos.Line == 0 {
					t.Errorf("warning without position: %v", w)
				}
			}
		})
	}
}

func TestKeygateFixtureTopLevel(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("keygate.yaml", mustRead(t, "testdata/keygate.yaml"), envMap(fixtureEnv))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Listen", cfg.Listen, "127.0.0.1:4000"},
		{"Database", cfg.Database, "sqlite://./keygate.db"},
		{"Redis", cfg.Redis, "redis://127.0.0.1:6379/0"},
		{"MasterKey", cfg.MasterKey.Reveal(), "master-secret-3333"},
		{"AdminToken", cfg.AdminToken.Reveal(), "admin-secret-4444"},
		{"ClientKeys", len(cfg.ClientKeys), 1},
		{"ClientKeys[0]", cfg.ClientKeys[0].Reveal(), "kg-local-dev-0001"},
		{"MaxRequestBytes", cfg.MaxRequestBytes, int64(1 << 20)},
		{"Requirements", cfg.Requirements, []Requirement{{Model: "gpt-3.5-turbo", RPM: 200, TPM: 50000}}},
		{"Organization", cfg.Models[0].Organization, "org-keygate"},
		{"Project", cfg.Models[0].Project, "proj_keygate"},
		{"Proxy", cfg.Models[0].Proxy, "socks5://127.0.0.1:1080"},
		{"APIVersion", cfg.Models[2].APIVersion, "2024-10-21"},
		{"Protocol", cfg.Models[2].Protocol, "azure"},
		{"Credential", cfg.Models[3].Credential, "openrouter-main"},
		{"Pos", cfg.Models[0].Pos, Pos{File: "keygate.yaml", Line: 16, Column: 5}},
		{"BudgetsFailOpen", cfg.BudgetsFailOpen, true},
		{"BudgetAlert", cfg.BudgetAlert, 0.9},
		{"PriceOverride[0]", cfg.Models[0].PriceOverride, PriceOverride{}},
		{"PriceOverride[4]", cfg.Models[4].PriceOverride, PriceOverride{Input: fp(0), Output: fp(0), ContextWindow: ip(8192)}},
		{"PriceOverride[5]", cfg.Models[5].PriceOverride, PriceOverride{Input: fp(6e-7), Output: fp(6e-7), MaxOutput: ip(4096)}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// TestLiteLLMGeneralSettings: LiteLLM's master_key is the bearer token its
// clients send, so it becomes a client key and the admin token.
func TestLiteLLMGeneralSettings(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("config.yaml", mustRead(t, "testdata/litellm/config.yaml"), envMap(fixtureEnv))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.ClientKeys) != 1 || cfg.ClientKeys[0].Reveal() != "sk-1234" || cfg.AdminToken.Reveal() != "sk-1234" {
		t.Errorf("ClientKeys = %v, AdminToken = %v; want sk-1234 in both", cfg.ClientKeys, cfg.AdminToken)
	}
	if !cfg.MasterKey.IsZero() {
		t.Error("LiteLLM's master_key must not become the encryption master key")
	}
}

func TestLoad(t *testing.T) {
	for k, v := range fixtureEnv {
		t.Setenv(k, v)
	}
	cfg, err := Load("testdata/litellm/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.File != "testdata/litellm/config.yaml" || len(cfg.Models) != 3 {
		t.Errorf("File = %q, %d models", cfg.File, len(cfg.Models))
	}
	if _, err := Load("testdata/does-not-exist.yaml"); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}

func TestDefault(t *testing.T) {
	t.Parallel()
	cfg := Default()
	if cfg.Listen != "127.0.0.1:4000" || cfg.MaxRequestBytes != 32<<20 || cfg.RequestTimeout != 600*time.Second ||
		cfg.Database != "sqlite://./keygate.db" || len(cfg.Models) != 0 || cfg.File != "" ||
		cfg.BudgetsFailOpen || cfg.BudgetAlert != 0.8 {
		t.Errorf("Default() = %+v", cfg)
	}
	empty, err := Parse("empty.yaml", nil, nil)
	if err != nil || !reflect.DeepEqual(empty.Models, cfg.Models) || empty.Listen != cfg.Listen || empty.BudgetAlert != cfg.BudgetAlert {
		t.Errorf("empty file: %+v, %v", empty, err)
	}
}

// TestSecretsDoNotLeak formats a loaded config every way a log line might.
func TestSecretsDoNotLeak(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("keygate.yaml", mustRead(t, "testdata/keygate.yaml"), envMap(fixtureEnv))
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, Errors(cfg.Warnings))
	for name, v := range fixtureEnv {
		if strings.Contains(out, v) {
			t.Errorf("the value of %s appears in formatted output", name)
		}
	}
}

// TestRepeatedAliasesKeepOrder: the router load-balances deployments that
// share an alias, in file order.
func TestRepeatedAliasesKeepOrder(t *testing.T) {
	t.Parallel()
	src := `model_list:
  - {model_name: m, model: openai/a, api_key: k1}
  - {model_name: other, model: openai/b, api_key: k2}
  - {model_name: m, model: groq/c, api_key: k3}
  - {model_name: m, model: deepseek/d, api_key: k4}
`
	cfg, err := Parse("c.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	var seq []string
	for _, d := range cfg.Models {
		if d.Alias == "m" {
			seq = append(seq, d.Vendor+"/"+d.Model)
		}
	}
	if want := []string{"openai/a", "groq/c", "deepseek/d"}; !reflect.DeepEqual(seq, want) {
		t.Errorf("deployments of m = %v, want %v", seq, want)
	}
}
