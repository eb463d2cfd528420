"""What the visitor and the staff summary say for each state of an answer (issue 14 item 9).

One table, ``WORDS``: for each state, when it holds (read from a summary as stored, the
``CoverageSummary.to_dict()`` shape, so stored answers are said the same way), the visitor
sentence (a key of ``messages.VISITOR``), the staff sentence (a key of ``STAFF``) and what
must not be said in that state. ``plain.plain_text`` and the console follow it; tests hold
the sentences to it; ``docs/words.md`` is ``markdown_table()`` (a test keeps them equal).

The rules that protect a family: coverage inactive or unknown says no network status, no
cost and no "good news"; exhausted visits are said first, and the estimate then charges
the full allowed amount; out of network only is said; a carve-out names the administrator
whose benefits are shown; preauthorization required, not required and unknown are three
sentences; not found says what to check on the card. Every sentence in English and Spanish.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from verifier.coverage.messages import DEFAULT_LANGUAGE, VISITOR, text

NOT_FOUND_CODES = frozenset({"67", "68", "75", "76", "77", "78"})

Summary = Mapping[str, Any]

STAFF: Mapping[str, Mapping[str, str]] = {
    "en": {
        "active": "Coverage active on the date of service.",
        "inactive": (
            "Coverage inactive on the date of service: no network status, cost estimate or "
            "good news is given to the family."
        ),
        "unknown": (
            "Coverage not confirmed: no network status or cost estimate is given; see the "
            "notes and errors."
        ),
        "not_found": (
            "Member not found (AAA {codes}): check the member ID, name and date of birth "
            "against the card."
        ),
        "unavailable": "The payer did not answer (AAA {codes}): a retry is scheduled.",
        "visits_exhausted": (
            "Visit limit used up (0 remaining): the estimate charges every session at the "
            "full allowed amount."
        ),
        "out_of_network": (
            "Out of network (no facility contract): the out-of-network benefits are shown."
        ),
        "carve_out": "Carve-out: the benefits shown are {administrator}'s.",
        "carve_out_unconfirmed": (
            "Carve-out: the plan names {administrator} as administrator; its benefits are "
            "not shown yet."
        ),
        "preauth_required": "Preauthorization required (see the evidence).",
        "preauth_not_required": "Preauthorization not required for this program.",
        "preauth_unknown": "Preauthorization not reported for this program: confirm it.",
    },
    "es": {
        "active": "Cobertura activa en la fecha del servicio.",
        "inactive": (
            "Cobertura inactiva en la fecha del servicio: no se da a la familia estado de "
            "red, estimación de costo ni buenas noticias."
        ),
        "unknown": (
            "Cobertura no confirmada: no se da estado de red ni estimación de costo; vea las "
            "notas y los errores."
        ),
        "not_found": (
            "Miembro no encontrado (AAA {codes}): compare el número de miembro, el nombre y "
            "la fecha de nacimiento con la tarjeta."
        ),
        "unavailable": "La aseguradora no respondió (AAA {codes}): hay un reintento programado.",
        "visits_exhausted": (
            "Límite de visitas agotado (quedan 0): la estimación cobra cada sesión al monto "
            "permitido completo."
        ),
        "out_of_network": (
            "Fuera de la red (sin contrato del centro): se muestran los beneficios fuera de "
            "la red."
        ),
        "carve_out": "Carve-out: los beneficios que se muestran son de {administrator}.",
        "carve_out_unconfirmed": (
            "Carve-out: el plan indica que {administrator} administra los beneficios; todavía "
            "no se muestran."
        ),
        "preauth_required": "Se requiere autorización previa (vea la evidencia).",
        "preauth_not_required": "No se requiere autorización previa para este programa.",
        "preauth_unknown": (
            "La aseguradora no informó si se requiere autorización previa: confírmelo."
        ),
    },
}


@dataclass(frozen=True, slots=True)
class Row:
    state: str
    when: str  # the condition, in words, for the docs
    visitor: str | None  # a messages.VISITOR key
    staff: str  # a STAFF key
    withheld: str  # what is not said in this state ("" = nothing withheld)
    holds: Callable[[Summary, str | None], bool]


def _status(summary: Summary) -> str:
    return str((summary.get("coverage") or {}).get("status") or "unknown")


def _errors(summary: Summary) -> list[Mapping[str, Any]]:
    return [e for e in summary.get("errors") or [] if isinstance(e, Mapping)]


def _not_found(summary: Summary) -> bool:
    return _status(summary) != "active" and any(
        str(e.get("code")) in NOT_FOUND_CODES for e in _errors(summary))


def _unavailable(summary: Summary) -> bool:
    errors = _errors(summary)
    return (_status(summary) == "unknown" and not _not_found(summary) and bool(errors)
            and all(e.get("retryable") for e in errors))


def _active(summary: Summary) -> bool:
    return _status(summary) == "active"


def _exhausted(summary: Summary) -> bool:
    return _active(summary) and (summary.get("visit_limit") or {}).get("remaining") == 0


def _out_of_network(summary: Summary) -> bool:
    return _active(summary) and (summary.get("network") or {}).get("status") == "out_of_network"


def _administrator_name(summary: Summary) -> str | None:
    administrator = summary.get("administrator")
    if isinstance(administrator, Mapping) and administrator.get("name"):
        return str(administrator["name"])
    return None


def _preauth(value: bool | None) -> Callable[[Summary, str | None], bool]:
    def holds(summary: Summary, administered_by: str | None) -> bool:
        return _active(summary) and (summary.get("preauthorization") or {}).get(
            "required") is value
    return holds


WORDS: tuple[Row, ...] = (
    Row("visits_exhausted", "coverage active and the program's visits remaining = 0",
        "visits_exhausted", "visits_exhausted", "\"good news\"; said before anything else",
        lambda s, a: _exhausted(s)),
    Row("coverage_active", "coverage active at the date of service", "active", "active", "",
        lambda s, a: _active(s) and not _exhausted(s)),
    Row("coverage_active_no_visits", "coverage active, visits used up", "active_plain",
        "active", "\"good news\"", lambda s, a: _exhausted(s)),
    Row("coverage_inactive", "coverage inactive at the date of service", "inactive",
        "inactive", "network status, cost estimate, \"good news\"",
        lambda s, a: _status(s) == "inactive" and not _not_found(s)),
    Row("not_found", "an AAA 67/68/75-78 (member not found) and coverage not active",
        "not_found", "not_found", "network status, cost estimate, \"good news\"",
        lambda s, a: _not_found(s)),
    Row("not_found_check", "as not_found: what to check on the card", "not_found_check",
        "not_found", "", lambda s, a: _not_found(s)),
    Row("payer_unavailable", "coverage unknown and every AAA retryable (42, 80 ...)",
        "unavailable", "unavailable", "network status, cost estimate, \"good news\"",
        lambda s, a: _unavailable(s)),
    Row("coverage_unknown", "coverage unknown otherwise", "unknown", "unknown",
        "network status, cost estimate, \"good news\"",
        lambda s, a: _status(s) == "unknown" and not _not_found(s) and not _unavailable(s)),
    Row("carve_out", "the benefits shown are a carve-out administrator's (re-queried)",
        "carve_out", "carve_out", "the administrator's ids and phone",
        lambda s, a: _active(s) and a is not None),
    Row("carve_out_unconfirmed", "the plan names a carve-out administrator not re-queried",
        "carve_out_unconfirmed", "carve_out_unconfirmed", "the administrator's ids and phone",
        lambda s, a: _active(s) and a is None and _administrator_name(s) is not None),
    Row("out_of_network_only", "coverage active, no facility contract with the payer",
        "out_of_network_only", "out_of_network", "", lambda s, a: _out_of_network(s)),
    Row("preauth_required", "coverage active, preauthorization.required = true",
        "preauth_required", "preauth_required", "", _preauth(True)),
    Row("preauth_not_required", "coverage active, preauthorization.required = false",
        "preauth_not_required", "preauth_not_required", "", _preauth(False)),
    Row("preauth_unknown", "coverage active, preauthorization.required = null",
        "preauth_unknown", "preauth_unknown", "", _preauth(None)),
)

def states_of(summary: Summary, administered_by: str | None = None) -> list[str]:
    """The states that hold for a stored summary, in the order they are said."""
    return [row.state for row in WORDS if row.holds(summary, administered_by)]


def says_costs(summary: Summary) -> bool:
    """Whether network status and a cost estimate may be said (coverage is active)."""
    return _active(summary)


def _fields(summary: Summary, administered_by: str | None) -> dict[str, str]:
    codes = ", ".join(dict.fromkeys(str(e.get("code")) for e in _errors(summary))) or "-"
    name = administered_by or _administrator_name(summary) or ""
    return {"codes": codes, "administrator": name[:80]}


def staff_lines(summary: Summary, language: str = DEFAULT_LANGUAGE,
                administered_by: str | None = None) -> list[str]:
    """The staff summary's sentences for a stored summary, in ``language``."""
    fields = _fields(summary, administered_by)
    lines: list[str] = []
    for row in WORDS:
        if row.holds(summary, administered_by):
            line = text(STAFF, language, row.staff, **fields)
            if line not in lines:
                lines.append(line)
    return lines


def visitor_keys(summary: Summary, administered_by: str | None = None) -> list[str]:
    """The VISITOR keys of the states that hold, in order (plain.py adds the details)."""
    return [row.visitor for row in WORDS if row.visitor and row.holds(summary, administered_by)]


def markdown_table(languages: tuple[str, ...] = ("en", "es")) -> str:
    """The table as docs/words.md shows it."""
    lines = [
        "| state | when | visitor says | staff summary says | not said |",
        "|---|---|---|---|---|",
    ]
    fields = {"administrator": "{administrator}", "codes": "{codes}", "period": "{period}",
              "program": "{program}", "where": "{where}", "phone": "{phone}"}
    for row in WORDS:
        visitor = "<br>".join(
            f"{lang}: {VISITOR[lang][row.visitor].format(**fields)}" for lang in languages
        ) if row.visitor else ""
        staff = "<br>".join(f"{lang}: {STAFF[lang][row.staff].format(**fields)}"
                            for lang in languages)
        lines.append(f"| {row.state} | {row.when} | {visitor} | {staff} | "
                     f"{row.withheld or '-'} |")
    return "\n".join(lines) + "\n"
