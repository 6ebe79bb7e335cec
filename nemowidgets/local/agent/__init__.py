"""The local backend's rule-based editing agent: a prompt and a draft in, edits and a reply out.

Pure and deterministic: it knows nothing of HTTP or storage; the server's
``/run_sse`` route calls :func:`respond` and streams the :class:`AgentReply`.
"""

from nemowidgets.local.agent.respond import AgentReply, ToolCall, respond

__all__ = ["AgentReply", "ToolCall", "respond"]
