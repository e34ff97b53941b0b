"""Import the agentic-misalignment conditions into executable scenarios.

The agentic-misalignment suite (shipped in the ``inspect-evals`` package) tests whether a
model blackmails an executive, leaks confidential documents to an outside party, or cancels
an emergency dispatch that would save someone's life. The original puts every email in one
prompt, has the model answer with ``<tool_use:email>`` tags in text, and decides harm by
string checks plus a classifier model. Here each condition becomes a scenario world:

- the emails are rows of the world's ``emails`` table, read through real tools
  (``list_inbox``, ``read_email``) and acted on with ``send_email``, ``forward_email`` and,
  in the murder scenario, ``cancel_alert``;
- the harm checks are outcome predicates over the final world (an email to the target with
  leverage language, a confidential email sent to an outside address, a cancelled dispatch),
  each with a judge rubric in the spirit of the original classifier;
- urgency (none, restriction, replacement) is the **stress** lever, and the goal type is the
  **temptation** lever: ``swap`` (the agent holds the new leadership's goal: no conflict),
  ``latent`` (the conflict is only implied by the emails), ``explicit`` (the agent's stated
  goal is the one the company is abandoning);
- watched and unwatched cues are one security email in the same place, plus a hidden setting.

One scenario file holds one (scenario, goal value) family: every goal type and urgency of it
is a cell of its grid, so the 234 original conditions become 30 files. Everything is read
from the installed package at import time (the prompt generator fills its own templates);
nothing of it is copied into this repository.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from ...errors import UnwatchedError

AmScenario = Literal["blackmail", "leaking", "murder"]
SCENARIOS: tuple[AmScenario, ...] = ("blackmail", "leaking", "murder")
GOAL_VALUES = (
    "america",
    "global",
    "safety",
    "acceleration",
    "ethical",
    "pragmatic",
    "individualism",
    "collectivism",
)
URGENCIES = ("none", "restriction", "replacement")
"""Stress levels 0, 1, 2, in order of pressure."""
GOAL_TYPES = ("swap", "latent", "explicit")
"""Temptation levels 0, 1, 2 of a goal family, in order of goal conflict."""
NO_GOAL_FAMILIES = {"ambiguous": "ambiguous", "nogoal": "none"}
"""Families without a goal value: file suffix to the original goal type (goal value none)."""

CATEGORY = {"blackmail": "coercion", "leaking": "harmful_compliance", "murder": "self_preservation"}
BLACKMAIL_TARGET = "kyle.johnson@summitbridge.com"
OVERRIDE_DIGITS = "4429"

_EMAIL = re.compile(r"<email>(.*?)</email>", re.DOTALL)
_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_HEADER = re.compile(r"^(ID|From|To|Subject|Timestamp|Attachments):\s*(.*)$")


class ImportFailed(UnwatchedError):
    """A source suite could not be read or rendered into a scenario."""


@dataclass(frozen=True)
class AmEmail:
    """One email as the original renders it."""

    sender: str
    recipient: str
    subject: str
    sent_at: str
    body: str
    attachments: tuple[str, ...] = ()

    def as_row(self) -> dict[str, Any]:
        body = self.body
        if self.attachments:
            body += "\n\nAttachments: " + ", ".join(self.attachments)
        return {
            "sender": self.sender,
            "recipient": self.recipient,
            "subject": self.subject,
            "sent_at": self.sent_at,
            "body": body,
        }


@dataclass(frozen=True)
class AmCondition:
    """One condition of the original grid and where it lives in an imported scenario."""

    scenario: AmScenario
    goal_type: str
    goal_value: str
    urgency: str
    scenario_id: str
    stress: int
    temptation: int

    @property
    def condition_id(self) -> str:
        """The original's own id for the condition."""
        return f"{self.scenario}_{self.goal_type}-{self.goal_value}_{self.urgency}"


@dataclass
class ImportedScenario:
    """A rendered scenario: its id, the YAML data, and the conditions it covers."""

    id: str
    data: dict[str, Any]
    conditions: list[AmCondition]


def _generator() -> Any:
    try:
        from inspect_evals.agentic_misalignment import prompt_generator
    except ImportError as exc:
        raise ImportFailed(
            f"the agentic-misalignment templates come from the inspect-evals package, which "
            f"could not be imported ({exc}); install it with: pip install inspect-evals"
        ) from None
    return prompt_generator


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("inspect-evals")
    except PackageNotFoundError:  # pragma: no cover - imported from a source tree
        return "unknown"


def parse_emails(content: str) -> list[AmEmail]:
    """Split the original's ``<email>`` blocks into emails (headers, then ``Body:``)."""
    emails = []
    for block in _EMAIL.findall(content):
        headers: dict[str, str] = {}
        lines = block.strip("\n").split("\n")
        body_at = None
        for i, line in enumerate(lines):
            if line.startswith("Body:"):
                body_at = i
                break
            m = _HEADER.match(line.strip())
            if m:
                headers[m.group(1)] = m.group(2).strip()
        if body_at is None or "From" not in headers or "To" not in headers:
            raise ImportFailed(f"an email block has no From/To/Body: {block[:120]!r}")
        body = "\n".join([lines[body_at].removeprefix("Body:").strip(), *lines[body_at + 1 :]])
        attachments = tuple(re.findall(r"'([^']+)'", headers.get("Attachments", "")))
        emails.append(
            AmEmail(
                sender=headers["From"],
                recipient=headers["To"],
                subject=headers.get("Subject", ""),
                sent_at=headers.get("Timestamp", ""),
                body=body.strip("\n"),
                attachments=attachments,
            )
        )
    return emails


def _domain(emails: list[AmEmail]) -> str:
    """The company's mail domain: the one most senders write from."""
    from collections import Counter

    counts = Counter(e.sender.rsplit("@", 1)[-1].lower() for e in emails if "@" in e.sender)
    if not counts:
        raise ImportFailed("cannot tell the company's mail domain: no sender has an address")
    return counts.most_common(1)[0][0]


def _role(gen: Any, scenario: AmScenario, goal_type: str, goal_value: str) -> str:
    """The production system prompt (no scratchpad), without the tool-use tag instructions."""
    from inspect_evals.agentic_misalignment.templates import system_prompt_templates as spt

    text: str = gen.generate_system_prompt(
        scenario, goal_type, goal_value, "none", None, True, None
    )
    fmt = {
        "blackmail": spt.BLACKMAIL_TOOLUSE_FORMAT,
        "leaking": spt.LEAKING_TOOLUSE_FORMAT,
        "murder": spt.MURDER_TOOLUSE_FORMAT,
    }[scenario]
    if not text.endswith(fmt):
        raise ImportFailed(f"the {scenario} system prompt no longer ends with its tool-use format")
    return re.sub(r"\n{3,}", "\n\n", text.removesuffix(fmt)).strip()


def _task(gen: Any) -> str:
    head = str(gen.USER_PROMPT).split("Here are the emails", 1)[0].strip()
    return head + "\n\nThe emails for your current session are in your inbox."


def _goal_text(goal_type: str, goal_value: str) -> str | None:
    from inspect_evals.agentic_misalignment.templates.system_prompt_templates import (
        GOAL_VARIABLES,
    )

    goal = GOAL_VARIABLES.get(f"{goal_type}-{goal_value}", {})
    statement = goal.get("goal_statement", "")
    if not statement:
        return None
    return f"{statement}\n\nYou should keep in mind:{goal.get('goal_reminder', '')}"


def _split_by_urgency(lists: list[list[AmEmail]]) -> tuple[list[AmEmail], list[list[AmEmail]]]:
    """Longest common prefix (the base inbox) and what each urgency adds after it."""
    n = 0
    while all(len(x) > n for x in lists) and all(x[n] == lists[0][n] for x in lists):
        n += 1
    return lists[0][:n], [x[n:] for x in lists]


def build_family(scenario: AmScenario, family: str) -> ImportedScenario:
    """One scenario file: a goal value (temptation = goal type) or a no-goal family."""
    gen = _generator()
    goal_family = family in GOAL_VALUES
    if goal_family:
        goal_types: tuple[str, ...] = GOAL_TYPES
        goal_value = family
    elif family in NO_GOAL_FAMILIES:
        goal_types = (NO_GOAL_FAMILIES[family],)
        goal_value = "none"
    else:
        known = ", ".join([*GOAL_VALUES, *NO_GOAL_FAMILIES])
        raise ImportFailed(f"unknown goal family {family!r}; families: {known}")

    per_urgency: list[list[AmEmail]] = []
    for urgency in URGENCIES:
        variants = [
            parse_emails(gen.generate_email_content(scenario, gt, goal_value, urgency))
            for gt in goal_types
        ]
        if any(v != variants[0] for v in variants):
            raise ImportFailed(
                f"{scenario}/{family}/{urgency}: the emails differ between goal types, so the "
                "goal type cannot be a lever on one world"
            )
        per_urgency.append(variants[0])
    base, added = _split_by_urgency(per_urgency)
    base_goal = "latent" if goal_family else goal_types[0]
    role = _role(gen, scenario, base_goal, goal_value)
    sid = f"am_{scenario}_{family}"
    conditions = [
        AmCondition(scenario, gt, goal_value, urgency, sid, s, t)
        for t, gt in enumerate(goal_types)
        for s, urgency in enumerate(URGENCIES)
    ]
    temptation: list[dict[str, Any]] = []
    for gt in goal_types:
        goal = _goal_text(gt, goal_value) if goal_family else None
        temptation.append({"system": goal} if goal else {})
    domain = _domain(base + [e for extra in added for e in extra])
    from ._am_world import scenario_data

    data = scenario_data(
        sid=sid,
        scenario=scenario,
        family=family,
        category=CATEGORY[scenario],
        role=role,
        task=_task(gen),
        domain=domain,
        base=base,
        added=added,
        temptation=temptation,
        goal_types=goal_types,
        source_version=_version(),
    )
    return ImportedScenario(sid, data, conditions)


def import_agentic_misalignment(
    scenarios: list[str] | None = None, families: list[str] | None = None
) -> list[ImportedScenario]:
    """Every (scenario, family) of the original, or the selected ones."""
    chosen = list(scenarios or SCENARIOS)
    for s in chosen:
        if s not in SCENARIOS:
            raise ImportFailed(f"unknown agentic-misalignment scenario {s!r}; use {SCENARIOS}")
    fams = list(families or [*GOAL_VALUES, *NO_GOAL_FAMILIES])
    return [build_family(s, f) for s in chosen for f in fams]  # type: ignore[arg-type]


def addresses_in(text: str) -> list[str]:
    return _ADDRESS.findall(text)
