"""The arena: the Inspect task, its condition grid, the agent loop and the outcome scorer."""

from ._agent import SCRATCHPAD_PROMPT, ToolProtocol, arena_agent, split_scratchpad
from ._organisms import Organism, never, stress_triggered, unwatched_only
from ._protocol import describe_tools, parse_tool_calls, to_text_messages
from ._scorer import outcome_scorer
from ._scripted import Policy, kind_policy, scripted_agent
from ._task import arena, grid_samples, parse_levels, parse_observations
from ._tools import world_tools

__all__ = [
    "SCRATCHPAD_PROMPT",
    "Organism",
    "Policy",
    "ToolProtocol",
    "arena",
    "arena_agent",
    "describe_tools",
    "grid_samples",
    "kind_policy",
    "never",
    "outcome_scorer",
    "parse_levels",
    "parse_observations",
    "parse_tool_calls",
    "scripted_agent",
    "split_scratchpad",
    "stress_triggered",
    "to_text_messages",
    "unwatched_only",
    "world_tools",
]
