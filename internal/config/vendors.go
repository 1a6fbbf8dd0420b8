package config

import (
	"slices"
	"strings"
)

// Vendor is one upstream provider keygate can route to.
type Vendor struct {
	Name        string // canonical prefix, e.g. "openai" in "openai/gpt-4o-mini"
	APIBase     string // default api_base; "" when every entry must give one
	Protocol    string // "openai" (OpenAI-compatible wire) or "azure"
	KeyOptional bool   // local servers that run without a key
	KeyEnv      string // variable read for the key when an entry gives none (LiteLLM's convention)
}

// vendors is the table. Default bases are the ones each project documents:
//
//	[P] PicoClaw docs/guides/providers.md, "All Supported Vendors" (sipeed/picoclaw)
//	[L] LiteLLM litellm/litellm_core_utils/get_llm_provider_logic.py,
//	    _get_openai_compatible_provider_info, and the provider config classes it calls
//
// Where the two disagree, the comment says which was kept and why.
var vendors = []Vendor{
	{Name: "ai21_chat", APIBase: "https://api.ai21.com/studio/v1", Protocol: "openai", KeyEnv: "AI21_API_KEY"},                              // [L]
	{Name: "anthropic", APIBase: "https://api.anthropic.com/v1", Protocol: "openai", KeyEnv: "ANTHROPIC_API_KEY"},                           // [P]; Anthropic's OpenAI-compatible endpoint
	{Name: "anyscale", APIBase: "https://api.endpoints.anyscale.com/v1", Protocol: "openai", KeyEnv: "ANYSCALE_API_KEY"},                    // [L]
	{Name: "azure", Protocol: "azure", KeyEnv: "AZURE_API_KEY"},                                                                             // [P][L]: per-resource base, required
	{Name: "azure_ai", Protocol: "openai", KeyEnv: "AZURE_AI_API_KEY"},                                                                      // [L]: per-deployment base, required
	{Name: "byteplus", APIBase: "https://ark.ap-southeast.bytepluses.com/api/v3", Protocol: "openai"},                                       // [P]
	{Name: "cerebras", APIBase: "https://api.cerebras.ai/v1", Protocol: "openai", KeyEnv: "CEREBRAS_API_KEY"},                               // [P][L]
	{Name: "codestral", APIBase: "https://codestral.mistral.ai/v1", Protocol: "openai", KeyEnv: "CODESTRAL_API_KEY"},                        // [L]
	{Name: "dashscope", APIBase: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", Protocol: "openai", KeyEnv: "DASHSCOPE_API_KEY"}, // [L]; "qwen" is PicoClaw's mainland endpoint
	{Name: "deepinfra", APIBase: "https://api.deepinfra.com/v1/openai", Protocol: "openai", KeyEnv: "DEEPINFRA_API_KEY"},                    // [L]
	{Name: "deepseek", APIBase: "https://api.deepseek.com/v1", Protocol: "openai", KeyEnv: "DEEPSEEK_API_KEY"},                              // [P]; LiteLLM uses /beta, /v1 is DeepSeek's stable path
	{Name: "empower", APIBase: "https://app.empower.dev/api/v1", Protocol: "openai", KeyEnv: "EMPOWER_API_KEY"},                             // [L]
	{Name: "fireworks", APIBase: "https://api.fireworks.ai/inference/v1", Protocol: "openai", KeyEnv: "FIREWORKS_AI_API_KEY"},               // [L] fireworks_ai
	{Name: "friendliai", APIBase: "https://api.friendli.ai/serverless/v1", Protocol: "openai", KeyEnv: "FRIENDLIAI_API_KEY"},                // [L]
	{Name: "galadriel", APIBase: "https://api.galadriel.com/v1", Protocol: "openai", KeyEnv: "GALADRIEL_API_KEY"},                           // [L]
	{Name: "gemini", APIBase: "https://generativelanguage.googleapis.com/v1beta/openai", Protocol: "openai", KeyEnv: "GEMINI_API_KEY"},      // Google's OpenAI-compatible path under PicoClaw's [P] v1beta base
	{Name: "github", APIBase: "https://models.inference.ai.azure.com", Protocol: "openai", KeyEnv: "GITHUB_API_KEY"},                        // [L] GitHub Models
	{Name: "groq", APIBase: "https://api.groq.com/openai/v1", Protocol: "openai", KeyEnv: "GROQ_API_KEY"},                                   // [P][L]
	{Name: "hosted_vllm", Protocol: "openai", KeyOptional: true, KeyEnv: "HOSTED_VLLM_API_KEY"},                                             // [L]: base required
	{Name: "litellm", APIBase: "http://localhost:4000/v1", Protocol: "openai"},                                                              // [P] a LiteLLM proxy
	{Name: "litellm_proxy", Protocol: "openai", KeyEnv: "LITELLM_PROXY_API_KEY"},                                                            // [L]: base required
	{Name: "lmstudio", APIBase: "http://localhost:1234/v1", Protocol: "openai", KeyOptional: true, KeyEnv: "LM_STUDIO_API_KEY"},             // [P]; LiteLLM spells it lm_studio
	{Name: "longcat", APIBase: "https://api.longcat.chat/openai", Protocol: "openai"},                                                       // [P]
	{Name: "meta_llama", APIBase: "https://api.llama.com/compat/v1", Protocol: "openai", KeyEnv: "LLAMA_API_KEY"},                           // [L]
	{Name: "mimo", APIBase: "https://api.xiaomimimo.com/v1", Protocol: "openai"},                                                            // [P]
	{Name: "mistral", APIBase: "https://api.mistral.ai/v1", Protocol: "openai", KeyEnv: "MISTRAL_API_KEY"},                                  // [L] MistralConfig
	{Name: "modelscope", APIBase: "https://api-inference.modelscope.cn/v1", Protocol: "openai"},                                             // [P]
	{Name: "moonshot", APIBase: "https://api.moonshot.cn/v1", Protocol: "openai", KeyEnv: "MOONSHOT_API_KEY"},                               // [P]; LiteLLM defaults to api.moonshot.ai, set api_base for it
	{Name: "nearai", APIBase: "https://cloud-api.near.ai/v1", Protocol: "openai"},                                                           // [P]
	{Name: "nvidia", APIBase: "https://integrate.api.nvidia.com/v1", Protocol: "openai", KeyEnv: "NVIDIA_NIM_API_KEY"},                      // [P]; LiteLLM's nvidia_nim
	{Name: "ollama", APIBase: "http://localhost:11434/v1", Protocol: "openai", KeyOptional: true},                                           // [P]
	{Name: "openai", APIBase: "https://api.openai.com/v1", Protocol: "openai", KeyEnv: "OPENAI_API_KEY"},                                    // [P][L]
	{Name: "openai-compatible", Protocol: "openai"},                                                                                         // any OpenAI-compatible server: base required
	{Name: "openrouter", APIBase: "https://openrouter.ai/api/v1", Protocol: "openai", KeyEnv: "OPENROUTER_API_KEY"},                         // [P]
	{Name: "orcarouter", APIBase: "https://api.orcarouter.ai/v1", Protocol: "openai"},                                                       // [P]
	{Name: "perplexity", APIBase: "https://api.perplexity.ai", Protocol: "openai", KeyEnv: "PERPLEXITYAI_API_KEY"},                          // [L] PerplexityChatConfig
	{Name: "qwen", APIBase: "https://dashscope.aliyuncs.com/compatible-mode/v1", Protocol: "openai"},                                        // [P]
	{Name: "sambanova", APIBase: "https://api.sambanova.ai/v1", Protocol: "openai", KeyEnv: "SAMBANOVA_API_KEY"},                            // [L]
	{Name: "shengsuanyun", APIBase: "https://router.shengsuanyun.com/api/v1", Protocol: "openai"},                                           // [P]
	{Name: "together", APIBase: "https://api.together.xyz/v1", Protocol: "openai", KeyEnv: "TOGETHER_API_KEY"},                              // [L] together_ai
	{Name: "vivgrid", APIBase: "https://api.vivgrid.com/v1", Protocol: "openai"},                                                            // [P]
	{Name: "vllm", APIBase: "http://localhost:8000/v1", Protocol: "openai", KeyOptional: true},                                              // [P] a vLLM server
	{Name: "volcengine", APIBase: "https://ark.cn-beijing.volces.com/api/v3", Protocol: "openai", KeyEnv: "VOLCENGINE_API_KEY"},             // [P][L]
	{Name: "venice", APIBase: "https://api.venice.ai/api/v1", Protocol: "openai"},                                                           // [P]
	{Name: "xai", APIBase: "https://api.x.ai/v1", Protocol: "openai", KeyEnv: "XAI_API_KEY"},                                                // [L] XAIChatConfig
	{Name: "zhipu", APIBase: "https://open.bigmodel.cn/api/paas/v4", Protocol: "openai"},                                                    // [P]
}

// vendorAliases maps other projects' spellings to the canonical name.
var vendorAliases = map[string]string{
	"together_ai":   "together",  // LiteLLM
	"fireworks_ai":  "fireworks", // LiteLLM
	"lm_studio":     "lmstudio",  // LiteLLM
	"nvidia_nim":    "nvidia",    // LiteLLM
	"ollama_chat":   "ollama",    // LiteLLM's chat route to the same server
	"custom":        "openai-compatible",
	"custom_openai": "openai-compatible", // LiteLLM
	"openai_like":   "openai-compatible",
}

// unroutable are vendors PicoClaw or LiteLLM document that do not speak the
// OpenAI wire with an API key. Their entries are skipped with a warning, so
// documented configs that mention them still load; an unknown prefix is an
// error, since it is most likely a typo.
var unroutable = map[string]string{
	"antigravity":        "Google Antigravity uses OAuth",
	"github-copilot":     "GitHub Copilot uses its own protocol",
	"claude-cli":         "it runs a local CLI",
	"codex-cli":          "it runs a local CLI",
	"anthropic-messages": "it speaks Anthropic's native Messages API",
	"bedrock":            "AWS Bedrock uses AWS request signing",
	"sagemaker":          "AWS SageMaker uses AWS request signing",
	"sagemaker_chat":     "AWS SageMaker uses AWS request signing",
	"vertex_ai":          "Vertex AI uses Google Cloud credentials",
	"vertex_ai_beta":     "Vertex AI uses Google Cloud credentials",
	"palm":               "PaLM is retired",
	"huggingface":        "it speaks Hugging Face's own API",
	"replicate":          "it speaks Replicate's own API",
	"cohere":             "it speaks Cohere's own API",
	"cohere_chat":        "it speaks Cohere's own API",
	"ai21":               "it speaks AI21's own API (use ai21_chat)",
	"watsonx":            "it speaks IBM watsonx's own API",
	"predibase":          "it speaks Predibase's own API",
	"cloudflare":         "it speaks Cloudflare Workers AI's own API",
	"databricks":         "it needs Databricks workspace authentication",
	"petals":             "it runs in-process",
	"baseten":            "it speaks Baseten's own API",
	"nlp_cloud":          "it speaks NLP Cloud's own API",
	"aleph_alpha":        "it speaks Aleph Alpha's own API",
	"triton":             "it speaks Triton's own API",
	"oobabooga":          "it speaks its own API",
	"voyage":             "it serves embeddings through its own API",
	"jina_ai":            "it serves embeddings through its own API",
	"snowflake":          "it needs Snowflake JWT authentication",
}

// Vendors returns the vendor table, sorted by name.
func Vendors() []Vendor {
	out := slices.Clone(vendors)
	slices.SortFunc(out, func(a, b Vendor) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// LookupVendor finds a vendor by name or alias (case-insensitive), e.g.
// "together_ai" finds "together".
func LookupVendor(name string) (Vendor, bool) {
	name = strings.ToLower(name)
	if c, ok := vendorAliases[name]; ok {
		name = c
	}
	for _, v := range vendors {
		if v.Name == name {
			return v, true
		}
	}
	return Vendor{}, false
}

// vendorNames lists the names accepted as prefixes, for error messages.
func vendorNames() []string {
	names := make([]string, 0, len(vendors)+len(vendorAliases))
	for _, v := range vendors {
		names = append(names, v.Name)
	}
	for a := range vendorAliases {
		names = append(names, a)
	}
	slices.Sort(names)
	return names
}
