"""The written consent a Part 2 program needs before a 270, and its sealed record.

Every element of 42 CFR §2.31(a) (2024 revision) is one entry of ``ELEMENTS`` with its
paragraph, in English and Spanish. The text is versioned: a change to any word is a new
``VERSION``, and the sealed record keeps the words the person actually agreed to.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from verifier.coverage.facility import FacilityProfile
from verifier.domain import Condition, LevelOfCare
from verifier.store.records import seal

if TYPE_CHECKING:
    from verifier.payers.directory import PayerEntry

VERSION = "part2-2026-02-16.2"  # .2: the recipients name every clearinghouse used
SIGNATURE_FIELD = "part2_consent.signature"
AGREED_FIELD = "part2_consent.agreed"


@dataclass(frozen=True)
class Element:
    key: str
    paragraph: str  # where §2.31(a) asks for it
    text: Mapping[str, str]  # language -> str.format template


ELEMENTS: tuple[Element, ...] = (
    Element("patient", "§2.31(a)(1)", {
        "en": "Patient: {patient}.",
        "es": "Paciente: {patient}.",
    }),
    Element("discloser", "§2.31(a)(2)", {
        "en": "Who discloses: {facility}, its {program} program for substance use treatment.",
        "es": (
            "Quién divulga: {facility}, su programa de {program} para el tratamiento del uso "
            "de sustancias."
        ),
    }),
    Element("information", "§2.31(a)(3)", {
        "en": (
            "What is disclosed: the patient's name, date of birth, member ID and group "
            "number, the policyholder's name and date of birth when it is someone else, the "
            "date treatment would start, and — through the benefit codes asked about — that "
            "the patient is seeking substance use disorder treatment at this program. No "
            "diagnosis, treatment notes or other records."
        ),
        "es": (
            "Qué se divulga: el nombre, la fecha de nacimiento, el número de miembro y de "
            "grupo del paciente, el nombre y la fecha de nacimiento del titular si es otra "
            "persona, la fecha en que empezaría el tratamiento y, por los códigos de "
            "beneficios consultados, que el paciente busca tratamiento por trastorno de uso "
            "de sustancias en este programa. Ningún diagnóstico, nota de tratamiento ni otro "
            "registro."
        ),
    }),
    Element("recipients", "§2.31(a)(4)(i)", {
        "en": (
            "To whom: {payer}; any behavioral health administrator that plan names to "
            "manage these benefits{clearinghouse}."
        ),
        "es": (
            "A quién: {payer}; cualquier administrador de salud mental y conductual que ese "
            "plan designe para manejar estos beneficios{clearinghouse}."
        ),
    }),
    Element("hipaa_redisclosure", "§2.31(a)(4)(iii)", {
        "en": (
            "These recipients are health plans covered by HIPAA: they may redisclose this "
            "information as the HIPAA rules allow, except for use in civil, criminal, "
            "administrative or legislative proceedings against the patient."
        ),
        "es": (
            "Estos destinatarios son planes de salud sujetos a HIPAA: pueden volver a "
            "divulgar esta información según lo permitan las reglas de HIPAA, salvo para "
            "procedimientos civiles, penales, administrativos o legislativos contra el "
            "paciente."
        ),
    }),
    Element("purpose", "§2.31(a)(5)", {
        "en": (
            "Purpose: payment — to check whether the patient's insurance covers this "
            "treatment and what it may cost, now and again shortly before admission."
        ),
        "es": (
            "Propósito: pago — verificar si el seguro del paciente cubre este tratamiento y "
            "cuánto podría costar, ahora y otra vez poco antes del ingreso."
        ),
    }),
    Element("revocation", "§2.31(a)(6)", {
        "en": (
            "Right to revoke: you may revoke this consent at any time, in writing, except "
            "for checks already made relying on it. To revoke, write to {facility} or ask "
            "our admissions team at {phone}; we record it and stop every further check, "
            "including scheduled re-checks."
        ),
        "es": (
            "Derecho a revocar: puede revocar este consentimiento en cualquier momento, por "
            "escrito, salvo las verificaciones ya hechas basándose en él. Para revocarlo, "
            "escriba a {facility} o pídalo a nuestro equipo de admisiones al {phone}; lo "
            "registramos y detenemos toda verificación posterior, incluidas las programadas."
        ),
    }),
    Element("expiry", "§2.31(a)(7)", {
        "en": "Ends: {days} days after you sign it ({expires}), or sooner if you revoke it.",
        "es": "Termina: {days} días después de firmarlo ({expires}), o antes si lo revoca.",
    }),
    Element("signature", "§2.31(a)(8)", {
        "en": (
            "Signature: type your full name below. If you sign for the patient (as parent, "
            "guardian or legal representative), type your own name."
        ),
        "es": (
            "Firma: escriba su nombre completo abajo. Si firma por el paciente (como padre, "
            "madre, tutor o representante legal), escriba su propio nombre."
        ),
    }),
    Element("date", "§2.31(a)(9)", {
        "en": "Date signed: {today}.",
        "es": "Fecha de la firma: {today}.",
    }),
    Element("conditioning", "§2.31(a)(10)", {
        "en": (
            "Your choice: {facility} does not make treatment, payment, enrollment or "
            "eligibility for benefits depend on signing this consent. Without it, our "
            "admissions team can go over your benefits with you by phone."
        ),
        "es": (
            "Usted decide: {facility} no condiciona el tratamiento, el pago, la inscripción "
            "ni la elegibilidad para beneficios a que firme este consentimiento. Sin él, "
            "nuestro equipo de admisiones puede revisar sus beneficios con usted por teléfono."
        ),
    }),
    Element("redisclosure", "§2.31(a)(11)", {
        "en": (
            "Redisclosure: information disclosed with this consent may be redisclosed by a "
            "recipient and may then no longer be protected by 42 CFR Part 2."
        ),
        "es": (
            "Nueva divulgación: la información divulgada con este consentimiento puede ser "
            "divulgada de nuevo por un destinatario y quizá ya no esté protegida por la parte "
            "2 del título 42 del CFR (42 CFR Part 2)."
        ),
    }),
)

PROGRAM_NAMES: Mapping[str, Mapping[str, str]] = {
    "en": {
        "outpatient": "outpatient", "iop": "intensive outpatient", "php": "partial "
        "hospitalization", "inpatient": "inpatient and residential",
    },
    "es": {
        "outpatient": "atención ambulatoria", "iop": "ambulatorio intensivo",
        "php": "hospitalización parcial", "inpatient": "internación y residencial",
    },
}
BLANKS: Mapping[str, Mapping[str, str]] = {
    "en": {"patient": "the patient named in this form", "payer": "the insurance company "
           "chosen in this form", "clearinghouse": "; and {name}, the clearinghouse that "
           "carries our inquiries to them", "clearinghouses": "; and {names}, the "
           "clearinghouses that carry our inquiries to them", "and": " and "},
    "es": {"patient": "el paciente nombrado en este formulario", "payer": "la compañía de "
           "seguros elegida en este formulario", "clearinghouse": "; y {name}, la cámara de "
           "compensación que les lleva nuestras consultas", "clearinghouses": "; y {names}, "
           "las cámaras de compensación que les llevan nuestras consultas", "and": " y "},
}
# The clearinghouse behind each clearinghouse adapter: the consent names the recipient
# (§2.31(a)(4)(i)). The generic adapter's is the facility's ``[part2] clearinghouse``.
VENDORS: Mapping[str, str] = {"stedi": "Stedi, Inc.", "optum": "Optum"}
UNNAMED_CLEARINGHOUSE = "the facility's clearinghouse"


class ConsentRequired(ValueError):
    """A Part 2 program's check without the consent: a field error for the visitor."""

    def __init__(self, field: str, code: str, language: str = "en") -> None:
        self.field = field
        self.code = code  # required | version
        self.message = MESSAGES[language if language in MESSAGES else "en"][code]
        super().__init__(f"{field}: {self.message}")

    def say(self, language: str) -> str:
        return MESSAGES[language if language in MESSAGES else "en"][self.code]


@dataclass(frozen=True)
class Part2Consent:
    """What the visitor gave: the version they were shown and their typed name."""

    version: str
    signature: str
    language: str = "en"  # the language the consent was read in


def part2_consent_from(data: Mapping[str, Any] | None) -> Part2Consent | None:
    if not data:
        return None
    return Part2Consent(
        version=str(data["version"]),
        signature=str(data["signature"]),
        language=str(data.get("language") or "en"),
    )


def lines(
    facility: FacilityProfile,
    level: LevelOfCare,
    language: str,
    *,
    today: dt.date,
    patient: str | None = None,
    payer: str | None = None,
    program: str | None = None,
    clearinghouses: Sequence[str] | None = None,
) -> list[tuple[str, str, str]]:
    """The consent as (key, paragraph, sentence), with what is known filled in.

    ``clearinghouses``: who carries the 270 (``clearinghouse_of`` the chosen payer, or
    ``clearinghouses_in`` the directory before one is chosen); None: the facility's own.
    """
    language = language if language in BLANKS else "en"
    blanks = BLANKS[language]
    if clearinghouses is None:
        clearinghouses = [facility.part2_clearinghouse] if facility.part2_clearinghouse else []
    names = list(dict.fromkeys(clearinghouses))
    if len(names) == 1:
        clearinghouse = blanks["clearinghouse"].format(name=names[0])
    elif names:
        clearinghouse = blanks["clearinghouses"].format(names=blanks["and"].join(names))
    else:
        clearinghouse = ""
    expires = today + dt.timedelta(days=facility.part2_consent_days)
    fields = {
        "patient": patient or blanks["patient"],
        "facility": facility.name,
        "program": program or PROGRAM_NAMES[language][level.value],
        "payer": payer or blanks["payer"],
        "clearinghouse": clearinghouse,
        "phone": facility.phone,
        "days": facility.part2_consent_days,
        "expires": expires.isoformat(),
        "today": today.isoformat(),
    }
    return [
        (element.key, element.paragraph, element.text[language].format(**fields))
        for element in ELEMENTS
    ]


def clearinghouse_of(facility: FacilityProfile, entry: PayerEntry) -> str | None:
    """The clearinghouse a 270 to this payer passes through; None: sent direct."""
    if entry.adapter in VENDORS:
        return VENDORS[entry.adapter]
    if entry.adapter == "clearinghouse":
        return facility.part2_clearinghouse or UNNAMED_CLEARINGHOUSE
    return None


def clearinghouses_in(facility: FacilityProfile, entries: Iterable[PayerEntry]) -> list[str]:
    """Every clearinghouse the directory's payers are reached through, in directory order."""
    found = (clearinghouse_of(facility, entry) for entry in entries)
    return list(dict.fromkeys(name for name in found if name is not None))


class UnnamedRecipient(RuntimeError):
    """The configuration would have a Part 2 consent name a recipient it cannot name."""


def unnamed_clearinghouse_payers(
    facility: FacilityProfile, entries: Iterable[PayerEntry]
) -> list[str]:
    """Payer ids a Part 2 270 would reach through a clearinghouse the consent cannot name:
    the generic ``clearinghouse`` adapter with no ``[part2] clearinghouse`` set. Empty when
    the facility has no Part 2 program (nothing needs naming)."""
    if not facility.part2_programs or facility.part2_clearinghouse:
        return []
    return [entry.id for entry in entries if entry.adapter == "clearinghouse"]


def require_named_recipients(facility: FacilityProfile, entries: Iterable[PayerEntry]) -> None:
    """Refuse to start when a Part 2 consent could not name who receives the 270.

    §2.31(a)(4) asks for the name of each recipient; "the facility's clearinghouse" is not
    a name, and a consent without it does not cover the disclosure, so every check for a
    Part 2 program through those payers would disclose without a valid consent.
    """
    unnamed = unnamed_clearinghouse_payers(facility, entries)
    if unnamed:
        more = f" and {len(unnamed) - 5} more" if len(unnamed) > 5 else ""
        shown = ", ".join(unnamed[:5]) + more
        raise UnnamedRecipient(
            "42 CFR Part 2: payers " + shown + " are reached through the generic "
            "clearinghouse adapter, but config/facility.toml's [part2] clearinghouse does not "
            "name that company; a Part 2 consent must name every recipient (§2.31(a)(4)). "
            "Set [part2] clearinghouse = \"<the company's legal name>\", or route those "
            "payers through a named connection (stedi, optum)."
        )


def recipients(facility: FacilityProfile, entry: PayerEntry) -> list[str]:
    """Who the 270 goes to, as the consent names them."""
    named = [entry.name, "behavioral health administrator named by the plan"]
    through = clearinghouse_of(facility, entry)
    if through is not None:
        named.append(through)
    return named


def require(
    facility: FacilityProfile,
    level: LevelOfCare,
    condition: Condition,
    consent: Part2Consent | None,
) -> Part2Consent | None:
    """The consent a Part 2 program needs, or ConsentRequired naming the field.

    Other programs keep today's consent; a Part 2 consent given for one is not stored.
    """
    if not facility.is_part2(level, condition):
        return None
    if consent is None:
        raise ConsentRequired(SIGNATURE_FIELD, "required")
    if consent.version != VERSION:
        raise ConsentRequired(AGREED_FIELD, "version", consent.language)
    return consent


MESSAGES: Mapping[str, Mapping[str, str]] = {
    "en": {
        "required": (
            "Substance use treatment here needs your written consent before we contact "
            "your insurance: read it, type your full name and tick the box."
        ),
        "version": "The consent text changed. Please read it again and sign.",
    },
    "es": {
        "required": (
            "El tratamiento por uso de sustancias aquí necesita su consentimiento por "
            "escrito antes de contactar a su seguro: léalo, escriba su nombre completo y "
            "marque la casilla."
        ),
        "version": "El texto del consentimiento cambió. Por favor léalo de nuevo y firme.",
    },
}


def sealed_values(
    facility: FacilityProfile,
    entry: PayerEntry,
    verification_id: str,
    keyring: Any,
    *,
    level: LevelOfCare,
    patient: str,
    consent: Part2Consent,
    now: dt.datetime,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The verification's Part 2 columns: the consent as signed, sealed to the row.

    ``extra``: facts about how it was given, sealed with it (a paper consent's recorder)."""
    expires = now + dt.timedelta(days=facility.part2_consent_days)
    language = consent.language
    through = clearinghouse_of(facility, entry)
    words = lines(
        facility,
        level,
        language,
        today=now.date(),
        patient=patient,
        payer=entry.name,
        clearinghouses=[through] if through else [],
    )
    record = {
        "version": consent.version,
        "signed_at": now.isoformat(),
        "expires_at": expires.isoformat(),
        "signature": consent.signature,
        "patient": patient,
        "language": language,
        "program": level.value,
        "payer_id": entry.id,
        "recipients": recipients(facility, entry),
        "text": [{"element": key, "paragraph": para, "text": text} for key, para, text in words],
    } | dict(extra or {})
    text = json.dumps(record, sort_keys=True, ensure_ascii=False)
    return {
        "part2": True,
        "part2_consent_enc": seal(keyring, "part2.consent", verification_id, text),
        "part2_consent_version": f"{consent.version}"[:40],
        "part2_consented_at": now,
        "part2_expires_at": expires,
    }
