package config

import "testing"

func TestExpandEnv(t *testing.T) {
	t.Parallel()
	env := envMap(map[string]string{"KEY": "sk-abc", "EMPTY": "", "REF": "${KEY}", "HOST": "db"})
	tests := []struct {
		in, want, err string
	}{
		{in: "plain", want: "plain"},
		{in: "${KEY}", want: "sk-abc"},
		{in: "Bearer ${KEY}!", want: "Bearer sk-abc!"},
		{in: "${HOST}:${KEY}", want: "db:sk-abc"},
		{in: "${MISSING:-fallback}", want: "fallback"},
		{in: "${EMPTY:-fallback}", want: "fallback"}, // like the shell: empty counts as unset for :-
		{in: "${KEY:-fallback}", want: "sk-abc"},
		{in: "${MISSING:-}", want: ""},
		{in: "${MISSING:-a:-b}", want: "a:-b"},
		{in: "${EMPTY}", want: ""},
		{in: "${REF}", want: "${KEY}"},  // never re-expanded
		{in: "$${KEY}", want: "${KEY}"}, // escaped
		{in: "pa$$word$", want: "pa$$word$"},
		{in: "os.environ/KEY", want: "sk-abc"},
		{in: "os.environ/REF", want: "${KEY}"},
		{in: " os.environ/KEY", want: " os.environ/KEY"}, // only a whole scalar
		{in: "${MISSING}", err: "environment variable MISSING is not set (write ${MISSING:-default} to give a default)"},
		{in: "os.environ/MISSING", err: "environment variable MISSING is not set"},
		{in: "os.environ/", err: `invalid environment reference "os.environ/": expected os.environ/NAME`},
		{in: "${KEY", err: `unterminated environment reference "${KEY": expected ${NAME} or ${NAME:-default}`},
		{in: "${}", err: `invalid environment reference "${}": expected ${NAME} or ${NAME:-default}`},
		{in: "${1X}", err: `invalid environment reference "${1X}": expected ${NAME} or ${NAME:-default}`},
		{in: "${A-b}", err: `invalid environment reference "${A-b}": expected ${NAME} or ${NAME:-default}`},
	}
	for _, tt := range tests {
		got, msg := expandEnv(tt.in, env)
		if msg != tt.err || (tt.err == "" && got != tt.want) {
			t.Errorf("expandEnv(%q) = %q, %q; want %q, %q", tt.in, got, msg, tt.want, tt.err)
		}
	}
}

// TestEnvNeverInKeys: references in field names are not expanded, so they
// are unknown fields, not silently renamed ones.
func TestEnvNeverInKeys(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("c.yaml", []byte("${NAME}: x\n"), envMap(map[string]string{"NAME": "listen"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 || cfg.Warnings[0].Field != "${NAME}" || cfg.Listen != DefaultListen {
		t.Errorf("warnings %v, listen %q", cfg.Warnings, cfg.Listen)
	}
}

// TestEnvironmentVariablesSection: LiteLLM's environment_variables supply
// values for references; the process environment wins.
func TestEnvironmentVariablesSection(t *testing.T) {
	t.Parallel()
	src := `model_list:
  - model_name: a
    litellm_params: {model: openai/gpt-4o, api_key: os.environ/FROM_FILE, rpm: "${RPM}"}
environment_variables:
  FROM_FILE: file-value-0000
  RPM: "10"
`
	cfg, err := Parse("c.yaml", []byte(src), envMap(map[string]string{"RPM": "20"}))
	if err != nil {
		t.Fatal(err)
	}
	if k := cfg.Models[0].APIKeys[0].Reveal(); k != "file-value-0000" || cfg.Models[0].RPM != 20 {
		t.Errorf("key %q rpm %d", k, cfg.Models[0].RPM)
	}
}

// TestVendorKeyEnv: with no key in the entry, the vendor's conventional
// variable is read, as LiteLLM does.
func TestVendorKeyEnv(t *testing.T) {
	t.Parallel()
	src := "model_list:\n  - {model_name: a, model: groq/llama3}\n"
	cfg, err := Parse("c.yaml", []byte(src), envMap(map[string]string{"GROQ_API_KEY": "gsk_from_env_0000"}))
	if err != nil {
		t.Fatal(err)
	}
	if k := cfg.Models[0].APIKeys[0].Reveal(); k != "gsk_from_env_0000" {
		t.Errorf("key %q", k)
	}
}
