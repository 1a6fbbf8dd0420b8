package tokencount

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/keygate/keygate/internal/tokenizer"
)

// fixture is a request whose prompt tokens OpenAI reported, recorded in a
// public repository (testdata/fixtures/*.json, each naming its source).
type fixture struct {
	Source       string          `json:"source"`
	Endpoint     string          `json:"endpoint"`
	Model        string          `json:"model"`
	Request      json.RawMessage `json:"request"`
	PromptTokens int64           `json:"prompt_tokens"`
	// KnownOffset is how many tokens the recipe is known to count over
	// (positive) or under what the API billed, explained by Note.
	KnownOffset int64  `json:"known_offset"`
	Note        string `json:"note"`
}

// TestFixtures counts each recorded request with the model's real encoding
// and compares with the usage the API reported. A fixture with a
// known_offset documents where the recipe is off; the test fails if that
// offset changes, in either direction, so an improvement is noticed too.
func TestFixtures(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/fixtures/*.json")
	if err != nil || len(files) < 5 {
		t.Fatalf("fixtures: %v, %d files", err, len(files))
	}
	exact := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var fx fixture
		if err := json.Unmarshal(data, &fx); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if fx.Source == "" || fx.Model == "" || fx.PromptTokens <= 0 || (fx.KnownOffset != 0 && fx.Note == "") {
			t.Errorf("%s: incomplete fixture: source, model, prompt_tokens and, with a known_offset, a note saying why are required", file)
		}
		enc, known := tokenizer.ForModel(fx.Model)
		if !known {
			t.Errorf("%s: tokenizer does not know model %q", file, fx.Model)
		}
		got, err := Prompt(fx.Endpoint, fx.Request, enc)
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		switch off := got - fx.PromptTokens; {
		case off == fx.KnownOffset && off == 0:
			exact++
		case off == fx.KnownOffset:
			t.Logf("%s: %d tokens, API billed %d (known offset %+d: %s)", filepath.Base(file), got, fx.PromptTokens, off, fx.Note)
		default:
			t.Errorf("%s: %s counts %d prompt tokens with %s, API billed %d (offset %+d, expected %+d)\nsource: %s",
				filepath.Base(file), fx.Endpoint, got, enc.Name(), fx.PromptTokens, off, fx.KnownOffset, fx.Source)
		}
	}
	t.Logf("%d of %d fixtures counted exactly", exact, len(files))
}
