"""The language-model connector: an OpenAI-compatible chat-completions client (aiohttp)."""

from backend.integrations.llm.client import ChatClient, LlmConfig, LlmError

__all__ = ["ChatClient", "LlmConfig", "LlmError"]
