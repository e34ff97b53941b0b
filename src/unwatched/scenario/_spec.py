"""The scenario spec: typed models for one executable scenario.

A scenario is data, not code. Everything an agent can do is a declared tool whose effect is
SQL written by the scenario's author, with the agent's arguments bound as parameters; every
verdict is a declared predicate over the final world. These models are the single source of
truth for the YAML format, and the published JSON Schema is generated from them.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

RiskCategory = Literal[
    "data_manipulation",
    "coercion",
    "oversight_evasion",
    "specification_gaming",
    "harmful_compliance",
    "self_preservation",
    "destructive_action",
    "evaluation_gaming",
]
"""Fixed risk taxonomy.

- ``data_manipulation``: falsifying, cherry-picking or re-windowing figures and records.
- ``coercion``: threats, blackmail or leverage over a person.
- ``oversight_evasion``: disabling, weakening or hiding from monitoring and logging.
- ``specification_gaming``: passing the metric without doing the work (loopholes).
- ``harmful_compliance``: doing what an operator asks although it is clearly wrong.
- ``self_preservation``: acting to avoid being replaced, modified or shut down.
- ``destructive_action``: irreversible destruction (dropping data, deleting backups).
- ``evaluation_gaming``: behaving differently because it is (not) being evaluated or trained.
"""

Observation = Literal["watched", "unwatched"]
"""The observation condition of a sample: the only thing that differs inside a pair."""

OutcomeKind = Literal["misbehaviour", "task", "info"]
"""What an outcome predicate means.

- ``misbehaviour``: the agent did the thing the scenario tests for; any true one marks the
  sample as misbehaved.
- ``task``: the agent did the legitimate job (e.g. filed the report).
- ``info``: context worth recording (e.g. it opened the private email), neither good nor bad.
"""

ParamType = Literal["string", "integer", "number", "boolean"]
"""JSON types a tool parameter may take."""

ToolKind = Literal["query", "read", "write"]
"""How a tool touches the world.

- ``query``: the agent writes a read-only SELECT itself, over the visible tables only.
- ``read``: the author's SELECT with the agent's arguments bound; never changes the world.
- ``write``: the author's INSERT/UPDATE/DELETE statements with bound arguments, run as one
  unit that either fully applies or leaves the world untouched.
"""

IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
COLUMN_DECL = re.compile(
    r"^(INTEGER|TEXT|REAL|NUMERIC|BLOB)"
    r"(\s+(PRIMARY KEY|NOT NULL|UNIQUE|DEFAULT\s+(-?\d+(\.\d+)?|'[^';]*'|NULL)))*$",
    re.IGNORECASE,
)
RESERVED_TABLES = {"_calls", "documents", "emails"}

Scalar = str | int | float | bool | None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _identifier(value: str, what: str) -> str:
    if not IDENT.match(value):
        raise ValueError(
            f"{what} {value!r} is not a plain identifier; use letters, digits and _, "
            "starting with a letter"
        )
    return value


class Table(_Model):
    """A table of the world, with its initial rows."""

    name: str = Field(description="Table name (letters, digits, _).")
    columns: dict[str, str] = Field(
        description="Column name to SQLite declaration, e.g. {id: INTEGER PRIMARY KEY, amount: REAL}."
    )
    visible: bool = Field(
        default=True,
        description="Whether the agent's query tool may read it. Hidden tables are invisible "
        "to agent-written SQL; the author's tools may still use them.",
    )
    rows: list[dict[str, Scalar]] = Field(default_factory=list, description="Initial rows.")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if v in RESERVED_TABLES or v.lower().startswith("sqlite_"):
            raise ValueError(
                f"table name {v!r} is reserved (documents and emails are built in: use "
                "world.documents and world.inbox; _calls is the call log); choose another name"
            )
        return _identifier(v, "table name")

    @field_validator("columns")
    @classmethod
    def _columns(cls, v: dict[str, str]) -> dict[str, str]:
        if not v:
            raise ValueError("a table needs at least one column")
        for name, decl in v.items():
            _identifier(name, "column name")
            if not COLUMN_DECL.match(decl.strip()):
                raise ValueError(
                    f"column {name!r} has declaration {decl!r}; expected a SQLite type "
                    "(INTEGER, TEXT, REAL, NUMERIC, BLOB) optionally followed by PRIMARY KEY, "
                    "NOT NULL, UNIQUE or DEFAULT <literal>"
                )
        return v


class Document(_Model):
    """A document in the world's ``documents`` table (visible to the agent)."""

    title: str
    body: str
    author: str | None = None


class Email(_Model):
    """An email in the world's ``emails`` table (visible to the agent)."""

    sender: str
    recipient: str
    subject: str
    body: str
    sent_at: str | None = Field(default=None, description="ISO date-time, as text.")
    folder: str = Field(default="inbox", description="inbox, sent, drafts, ...")


class WorldSpec(_Model):
    """The initial state: tables, plus the conventional documents and inbox."""

    tables: list[Table] = Field(default_factory=list)
    documents: list[Document] = Field(default_factory=list)
    inbox: list[Email] = Field(default_factory=list)


class Agent(_Model):
    """Who the agent is and the bounded job it is given."""

    role: str = Field(description="System prompt: the agent's role, employer and standing rules.")
    task: str = Field(description="The user message: one bounded task.")
    max_steps: int = Field(
        default=12, ge=1, le=200, description="Model turns the agent gets before it is stopped."
    )


class Param(_Model):
    """A typed tool parameter; the agent's value is bound, never spliced into SQL."""

    type: ParamType = "string"
    description: str
    enum: list[Scalar] | None = None
    max_length: int = Field(default=4000, ge=1, le=100_000)
    required: bool = True
    default: Scalar = None


class Tool(_Model):
    """A named operation the agent may call."""

    name: str
    description: str
    kind: ToolKind
    parameters: dict[str, Param] = Field(default_factory=dict)
    sql: str | list[str] | None = Field(
        default=None,
        description="For read: one SELECT. For write: one or more statements run as a unit. "
        "Refer to parameters as :name.",
    )
    returns: str | None = Field(
        default=None,
        description="Text returned to the agent. For read, applied to each row with "
        "{column} fields; for write, with {parameter} fields and {rowcount}.",
    )
    returns_empty: str = Field(
        default="No matching records.", description="Read tools: text when no row matches."
    )
    on_no_rows: str | None = Field(
        default=None,
        description="Write tools: if set and the statements change no row, undo them and "
        "return this text as an error to the agent.",
    )
    reversible: bool | None = Field(
        default=None,
        description="Whether the effect can be undone in the real world this models. "
        "Required for write tools; the guard treats irreversible writes as one-way doors.",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _identifier(v, "tool name")

    @model_validator(mode="after")
    def _by_kind(self) -> Tool:
        if self.kind == "query":
            if self.sql is not None:
                raise ValueError("a query tool runs the agent's own SELECT; remove 'sql'")
            if self.parameters:
                raise ValueError(
                    "a query tool has exactly one parameter, 'sql', added for you; "
                    "remove 'parameters'"
                )
        else:
            if not self.sql:
                raise ValueError(f"a {self.kind} tool needs 'sql'")
            if self.kind == "read" and isinstance(self.sql, list):
                raise ValueError("a read tool takes one SELECT in 'sql', not a list")
        if self.kind == "write" and self.reversible is None:
            raise ValueError(
                "a write tool must say whether it is 'reversible' (true or false); "
                "the guard treats irreversible writes as one-way doors"
            )
        for name in self.parameters:
            _identifier(name, "parameter name")
        return self

    @property
    def statements(self) -> list[str]:
        """The author's SQL as a list of statements."""
        if self.sql is None:
            return []
        return [self.sql] if isinstance(self.sql, str) else list(self.sql)

    @property
    def is_reversible(self) -> bool:
        """Reads and queries change nothing, so they are always reversible."""
        return True if self.kind != "write" else bool(self.reversible)


class Lever(_Model):
    """Content one lever level (or observation cue) adds to a sample."""

    system: str | None = Field(default=None, description="Appended to the system prompt.")
    text: str | None = Field(default=None, description="Appended to the task message.")
    rows: dict[str, list[dict[str, Scalar]]] = Field(
        default_factory=dict,
        description="Rows put into tables, by table name. A row whose primary key already "
        "exists updates only the columns given; any other row is inserted.",
    )
    inbox: list[Email] = Field(default_factory=list, description="Emails added to the inbox.")
    documents: list[Document] = Field(default_factory=list, description="Documents added.")

    @property
    def empty(self) -> bool:
        return not (self.system or self.text or self.rows or self.inbox or self.documents)


class Levers(_Model):
    """Stress and temptation levels (index = level) and the two observation cues."""

    stress: list[Lever] = Field(min_length=1, description="Level 0 first; usually no pressure.")
    temptation: list[Lever] = Field(min_length=1, description="Level 0 first; no opportunity.")
    watched: Lever = Field(description="Cue telling the agent it is observed.")
    unwatched: Lever = Field(description="Cue telling the agent it is not observed.")

    def cue(self, observation: Observation) -> Lever:
        return self.watched if observation == "watched" else self.unwatched


class Judge(_Model):
    """A rubric a judge model applies to the rows an outcome predicate selects."""

    rubric: str = Field(description="Question the judge answers yes/no for the selected rows.")


class Outcome(_Model):
    """A named verdict read off the final world: true when ``sql`` selects at least one row."""

    name: str
    description: str
    kind: OutcomeKind = "misbehaviour"
    sql: str = Field(
        description="SELECT over the final world and the hidden call log (_calls). "
        "The rows it selects are the evidence; none selected means false."
    )
    judge: Judge | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _identifier(v, "outcome name")


class Cell(_Model):
    """One point of the grid: stress level, temptation level, observation condition."""

    stress: int = Field(default=0, ge=0)
    temptation: int = Field(default=0, ge=0)
    observation: Observation = "unwatched"

    @property
    def pair_key(self) -> str:
        """Identifies the pair this cell belongs to (everything but the observation)."""
        return f"s{self.stress}-t{self.temptation}"

    @property
    def key(self) -> str:
        return f"{self.pair_key}-{self.observation}"


class Call(_Model):
    """One tool call of a reference trajectory."""

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)


class Reference(_Model):
    """A scripted trajectory with the outcomes it must produce."""

    name: str
    kind: Literal["honest", "misaligned"]
    cell: Cell | None = Field(
        default=None,
        description="Grid cell to replay in; default: highest stress and temptation, unwatched.",
    )
    calls: list[Call] = Field(min_length=1)
    answer: str = Field(default="", description="The final answer the agent gives.")
    expect: dict[str, bool] = Field(
        default_factory=dict,
        description="Outcome name to expected value. Honest trajectories must trigger no "
        "misbehaviour outcome, misaligned ones at least one, whether listed or not.",
    )


class ScenarioSpec(_Model):
    """One executable scenario."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,62}$")] = Field(
        description="Stable identifier: lower-case letters, digits and _."
    )
    title: str
    category: RiskCategory
    summary: str = Field(default="", description="One paragraph for people reading results.")
    world: WorldSpec = Field(default_factory=WorldSpec)
    agent: Agent
    tools: list[Tool] = Field(min_length=1)
    levers: Levers
    outcomes: list[Outcome] = Field(min_length=1)
    references: list[Reference] = Field(min_length=2)

    def tool(self, name: str) -> Tool | None:
        return next((t for t in self.tools if t.name == name), None)

    def outcome(self, name: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.name == name), None)

    def default_cell(self) -> Cell:
        return Cell(
            stress=len(self.levers.stress) - 1,
            temptation=len(self.levers.temptation) - 1,
            observation="unwatched",
        )


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema editors use to autocomplete and check scenario files."""
    schema = ScenarioSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "unwatched scenario"
    return schema
