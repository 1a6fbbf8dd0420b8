package config

import (
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestErrors checks every kind of error with its exact rendering.
func TestErrors(t *testing.T) {
	t.Parallel()
	env := envMap(map[string]string{"FAST": "fast"})
	m := func(body string) string { return "model_list:\n  - model_name: a\n" + body }
	tests := []struct {
		name, file, src, want string
	}{
		{"rpm not a number", "keygate.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    rpm: fast\n"),
			`keygate.yaml:5:10: model_list[0].rpm: expected an integer, got "fast"`},
		{"rpm from env not a number", "keygate.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    rpm: ${FAST}\n"),
			`keygate.yaml:5:10: model_list[0].rpm: expected an integer, got "fast"`},
		{"rpm float", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    rpm: 1.5\n"),
			`k.yaml:5:10: model_list[0].rpm: expected an integer, got 1.5`},
		{"rpm unclean string", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    rpm: \" 60\"\n"),
			`k.yaml:5:10: model_list[0].rpm: expected an integer, got " 60"`},
		{"tpm negative", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    tpm: -5\n"),
			`k.yaml:5:10: model_list[0].tpm: must not be negative, got -5`},
		{"rpm list", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    rpm: [1]\n"),
			`k.yaml:5:10: model_list[0].rpm: expected an integer, got a list`},
		{"timeout zero", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    request_timeout: 0\n"),
			`k.yaml:5:22: model_list[0].request_timeout: must be positive, got 0`},
		{"timeout words", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    timeout: soon\n"),
			`k.yaml:5:14: model_list[0].timeout: expected a number of seconds, got "soon"`},
		{"both timeouts", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    request_timeout: 5\n    timeout: 6\n"),
			`k.yaml:6:5: model_list[0].timeout: both request_timeout (line 5) and timeout are set; keep one`},
		{"model missing", "k.yaml", m("    api_key: k\n"),
			`k.yaml:2:5: model_list[0].model: required: vendor/model-id, e.g. openai/gpt-4o-mini`},
		{"model_name missing", "k.yaml", "model_list:\n  - model: openai/gpt-4o\n    api_key: k\n",
			`k.yaml:2:5: model_list[0].model_name: required: the name clients send as "model"`},
		{"unknown vendor", "k.yaml", m("    model: opnai/gpt-4o\n    api_key: k\n"),
			`k.yaml:3:12: model_list[0].model: unknown vendor "opnai"; did you mean "openai"? known vendors: ` + strings.Join(vendorNames(), ", ")},
		{"vendor prefix only", "k.yaml", m("    model: openai/\n    api_key: k\n"),
			`k.yaml:3:12: model_list[0].model: expected vendor/model-id, got "openai/"`},
		{"base required", "k.yaml", m("    model: azure/gpt-4o\n    api_key: k\n"),
			`k.yaml:2:5: model_list[0].api_base: required for vendor azure (it has no default)`},
		{"base not a URL", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    api_base: api.openai.com/v1\n"),
			`k.yaml:5:15: model_list[0].api_base: expected an absolute http:// or https:// URL, got "api.openai.com/v1"`},
		{"base ftp", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    api_base: ftp://x/v1\n"),
			`k.yaml:5:15: model_list[0].api_base: expected an absolute http:// or https:// URL, got "ftp://x/v1"`},
		{"proxy scheme", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    proxy: socks4://127.0.0.1:1080\n"),
			`k.yaml:5:12: model_list[0].proxy: unsupported proxy scheme "socks4"; use http, https, socks5 or socks5h`},
		{"proxy password redacted", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    proxy: user:hunter2@proxy\n"),
			`k.yaml:5:12: model_list[0].proxy: expected a proxy URL such as http://host:port or socks5://host:port, got "(a URL with credentials)"`},
		{"no key", "k.yaml", m("    model: zhipu/glm-4.7\n"),
			`k.yaml:2:5: model_list[0].api_key: required for vendor zhipu: set api_key, api_keys or credential`},
		{"no key, env named", "k.yaml", m("    model: openai/gpt-4o\n"),
			`k.yaml:2:5: model_list[0].api_key: required for vendor openai: set api_key, api_keys or credential, or the OPENAI_API_KEY environment variable`},
		{"key and credential", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    credential: main\n"),
			`k.yaml:5:5: model_list[0].credential: a credential and api_key/api_keys are mutually exclusive; keep one`},
		{"api_keys not a list", "k.yaml", m("    model: openai/gpt-4o\n    api_keys: sk-not-shown-1234\n"),
			`k.yaml:4:15: model_list[0].api_keys: expected a list, got a string`},
		{"unset env", "k.yaml", m("    model: openai/gpt-4o\n    api_key: ${OPENAI_KEY}\n"),
			`k.yaml:4:14: model_list[0].api_key: environment variable OPENAI_KEY is not set (write ${OPENAI_KEY:-default} to give a default)`},
		{"unset os.environ", "k.yaml", m("    litellm_params:\n      model: openai/gpt-4o\n      api_key: os.environ/OPENAI_KEY\n"),
			`k.yaml:5:16: model_list[0].litellm_params.api_key: environment variable OPENAI_KEY is not set`},
		{"set twice across nesting", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    litellm_params:\n      model: openai/gpt-4o\n"),
			`k.yaml:6:7: model_list[0].litellm_params.model: also set at line 3 (model_list[0].model); set it once`},
		{"duplicate key", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    model: openai/gpt-4o\n"),
			`k.yaml:5:5: model_list[0].model: set twice (first at line 3)`},
		{"entry not a mapping", "k.yaml", "model_list:\n  - gpt-4o\n",
			`k.yaml:2:5: model_list[0]: expected a mapping, got "gpt-4o"`},
		{"model_list not a list", "k.yaml", "model_list: {}\n",
			`k.yaml:1:13: model_list: expected a list, got a mapping`},
		{"unknown fallback", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    fallbacks: [gpt-5]\n"),
			`k.yaml:5:5: model_list[0].fallbacks: unknown model_name "gpt-5"; model_list defines a`},
		{"litellm fallback typo", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n  - model_name: bb\n    model: openai/gpt-4o\n    api_key: k\nlitellm_settings:\n  fallbacks: [{\"a\": [\"bc\"]}]\n"),
			`k.yaml:9:16: litellm_settings.fallbacks[0].a: unknown model_name "bc"; did you mean "bb"?`},
		{"listen", "k.yaml", "listen: 4000\n",
			`k.yaml:1:9: listen: expected host:port, got "4000"`},
		{"database scheme", "k.yaml", "database: mysql://u:pw@h/db\n",
			`k.yaml:1:11: database: expected a sqlite:// or postgres:// URL, got "mysql://u:xxxxx@h/db"`},
		{"redis scheme", "k.yaml", "redis: http://127.0.0.1:6379\n",
			`k.yaml:1:8: redis: expected a redis:// or rediss:// URL, got "http://127.0.0.1:6379"`},
		{"max_request_bytes zero", "k.yaml", "max_request_bytes: 0\n",
			`k.yaml:1:20: max_request_bytes: must be positive, got 0`},
		{"requirement model", "k.yaml", "requirements:\n  - {rpm: 1}\n",
			`k.yaml:2:5: requirements[0].model: required`},
		{"auth_method", "k.yaml", m("    model: openai/gpt-4o\n    api_key: k\n    auth_method: kerberos\n"),
			`k.yaml:5:18: model_list[0].auth_method: unknown auth_method "kerberos"; keygate forwards API keys only`},
		{"top level not a mapping", "k.yaml", "- a\n",
			`k.yaml:1:1: expected a mapping of settings at the top level, got a list`},
		{"yaml syntax", "k.yaml", "model_list:\n  - model_name: a\n    model: b: c\n",
			`k.yaml:3: invalid YAML: mapping values are not allowed in this context`},
		{"two documents", "k.yaml", "listen: 127.0.0.1:1\n---\nlisten: 127.0.0.1:2\n",
			`k.yaml:2:1: a second YAML document; keygate reads one document per file`},
		{"json syntax", "c.json", "{\n  \"model_list\": [\n    {\"model_name\": \"a\",}\n  ]\n}\n",
			`c.json:3:24: invalid JSON: invalid character '}' looking for beginning of object key string`},
		{"json truncated", "c.json", "{\"model_list\": [",
			`c.json:1:16: invalid JSON: unexpected end of JSON input`},
		{"json string number", "c.json", "{\"model_list\": [{\"model_name\": \"a\", \"model\": \"openai/x\", \"api_key\": \"k\", \"rpm\": \"60x\"}]}",
			`c.json:1:81: model_list[0].rpm: expected an integer, got "60x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tt.file, []byte(tt.src), env)
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("Parse error = %v (%T), want Errors", err, err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			var one *Error
			if !errors.As(err, &one) || one.Pos.Line == 0 {
				t.Errorf("errors.As(*Error) = %v", one)
			}
		})
	}
}

// TestWarnings checks unknown and ignored fields, with "did you mean".
func TestWarnings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"typo in entry", "model_list:\n  - model_name: a\n    model: openai/x\n    api_key: k\n    api_bse: https://x/v1\n",
			`c.yaml:5:5: model_list[0].api_bse: unknown field; did you mean "api_base"?`},
		{"typo in litellm_params", "model_list:\n  - model_name: a\n    litellm_params:\n      model: openai/x\n      api_key: k\n      rmp: 5\n",
			`c.yaml:6:7: model_list[0].litellm_params.rmp: unknown field; did you mean "rpm"?`},
		{"typo at top level", "lisen: 127.0.0.1:1\n",
			`c.yaml:1:1: lisen: unknown field; did you mean "listen"?`},
		{"nothing close", "zzzzzz: 1\n",
			`c.yaml:1:1: zzzzzz: unknown field`},
		{"typo in litellm_settings", "litellm_settings:\n  request_timout: 5\n",
			`c.yaml:2:3: litellm_settings.request_timout: unknown field; did you mean "request_timeout"?`},
		{"model_info", "model_list:\n  - model_name: a\n    model: openai/x\n    api_key: k\n    model_info: {mode: chat}\n",
			`c.yaml:5:5: model_list[0].model_info: ignored: keygate reads only prices and token limits from model_info, not mode (LiteLLM model metadata)`},
		{"drop_params", "litellm_settings:\n  drop_params: true\n",
			`c.yaml:2:3: litellm_settings.drop_params: ignored: keygate does not use drop_params`},
		{"picoclaw channels", "channels: {}\n",
			`c.yaml:1:1: channels: ignored: keygate does not use channels (PicoClaw chat channels)`},
		{"picoclaw max_tokens_field", "model_list:\n  - model_name: a\n    model: openai/x\n    api_key: k\n    max_tokens_field: max_completion_tokens\n",
			`c.yaml:5:5: model_list[0].max_tokens_field: ignored: keygate does not use max_tokens_field (clients choose max_tokens or max_completion_tokens)`},
		{"unsupported vendor", "model_list:\n  - model_name: a\n    model: bedrock/claude\n",
			`c.yaml:3:12: model_list[0].model: vendor bedrock is not supported (AWS Bedrock uses AWS request signing); entry skipped`},
		{"disabled", "model_list:\n  - model_name: a\n    model: openai/x\n    enabled: false\n",
			`c.yaml:4:5: model_list[0].enabled: entry disabled (enabled: false); skipped`},
		{"bare non-OpenAI id", "model_list:\n  - model_name: a\n    model: claude-3-haiku\n    api_key: k\n",
			`c.yaml:3:12: model_list[0].model: "claude-3-haiku" has no vendor prefix and is sent to OpenAI; write vendor/claude-3-haiku to choose another vendor`},
		{"ollama without /v1", "model_list:\n  - model_name: a\n    model: ollama/llama3\n    api_base: http://localhost:11434\n",
			`c.yaml:4:15: model_list[0].api_base: Ollama's OpenAI-compatible API is under /v1; did you mean "http://localhost:11434/v1"?`},
		{"fallback to itself", "model_list:\n  - model_name: a\n    model: openai/x\n    api_key: k\n    fallbacks: [a]\n",
			`c.yaml:5:5: model_list[0].fallbacks: ignored fallback "a": a model cannot fall back to itself`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Parse("c.yaml", []byte(tt.src), nil)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := Errors(cfg.Warnings).Error(); got != tt.want {
				t.Errorf("warnings\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestBrokenGolden renders every error of a deliberately broken config.
// Run with -update to rewrite testdata/broken.golden.
func TestBrokenGolden(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("testdata/broken.yaml", mustRead(t, "testdata/broken.yaml"), envMap(map[string]string{"SET": "1"}))
	if err == nil {
		t.Fatal("broken.yaml parsed without error")
	}
	got := "# errors\n" + err.Error() + "\n# warnings\n" + Errors(cfg.Warnings).Error() + "\n"
	if *update {
		if err := os.WriteFile("testdata/broken.golden", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want := string(mustRead(t, "testdata/broken.golden")); got != want {
		t.Errorf("rendered errors differ from testdata/broken.golden (run go test -update):\n%s", got)
	}
}
