"""Every sentence a website visitor can read, in one place, ready for translation.

Templates use ``str.format`` fields. Each language has the same keys and the same fields per
key (a test checks it), so a translator works from one table. The estimate's assumptions live
here too because visitors see them next to the range.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_LANGUAGE = "en"

VISITOR: Mapping[str, Mapping[str, str]] = {
    "en": {
        "active": "Good news: your insurance coverage is active.",
        "active_plain": "Your insurance coverage is active.",
        "visits_exhausted": (
            "Your plan reports that the visits it covers for this care are used up: more "
            "sessions would cost the full amount unless your plan approves more."
        ),
        "out_of_network_only": (
            "Our center is not in your plan's network. The costs shown use your plan's "
            "out-of-network benefits, which are usually higher."
        ),
        "carve_out": (
            "Your plan's behavioral health benefits are managed by {administrator}; the "
            "details here are theirs."
        ),
        "carve_out_unconfirmed": (
            "Your plan says another company manages its behavioral health benefits; we will "
            "confirm the details with them."
        ),
        "not_found_check": (
            "Please check your insurance card: the member ID exactly as printed (with any "
            "letters or prefix), the name as it appears on the card, and the date of birth. "
            "If the card is in someone else's name, we need that person's details too."
        ),
        "inactive": (
            "Your insurance company reports that this coverage is not active right now. "
            "Coverage sometimes ends or changes; we can help you look at other options."
        ),
        "not_found": (
            "We could not find your coverage with the details you gave. A small difference "
            "in a name, date of birth or member ID is enough to cause this, and it is easy "
            "to fix."
        ),
        "confirm_card": (
            "Your insurance company found you after we adjusted how your details were "
            "written. Please confirm the details on your insurance card with our "
            "coordinator."
        ),
        "check_intro": "Please compare these with your insurance card:",
        # A Blue plan's id starts with 3 letters (the alpha prefix) the payer needs and we
        # never invent: the visitor is asked for them instead (issue 21).
        "check.member_id": (
            "The member ID, exactly as printed on the card, with any letters at the start."
        ),
        "check.name": "The name, spelled exactly as on the card.",
        "check.date_of_birth": "The date of birth (month, day and year).",
        "check.policyholder": (
            "Whether you are the policyholder, or covered under someone else's plan."
        ),
        "unavailable": (
            "Your insurance company's system did not answer just now. We will try again "
            "shortly; you do not need to do anything."
        ),
        "unknown": "We could not confirm your coverage online yet; we will look into it for you.",
        "covered": "Your plan appears to cover {program} {where}.",
        "not_covered": "Your plan reports that {program} is not covered {where}.",
        "covered_unknown": "Your plan did not give details for {program}; we will confirm them.",
        "network_unknown": "We are confirming whether we are in your plan's network.",
        "in_network": "in network",
        "out_of_network": "out of network",
        "preauth_required": (
            "Your plan requires approval before treatment starts (preauthorization). We "
            "request it for you."
        ),
        "preauth_not_required": "Your plan does not require approval before treatment starts.",
        "preauth_unknown": "We will check whether your plan needs approval before treatment.",
        "estimate_range": (
            "Estimated cost to you for the program: ${low} to ${high} for about {sessions} "
            "{unit}."
        ),
        "estimate_point": (
            "Estimated cost to you for the program: about ${low} for about {sessions} {unit}."
        ),
        "visits_remaining": "Your plan covers {remaining} more visits {period}.",
        "visits_allowed": "Your plan covers up to {allowed} visits {period}.",
        "next": "What happens next: a coordinator will call you to go over these results.",
        "phone": "Questions? Call us at {phone}.",
        "disclaimer": (
            "This is based on what your insurance company reported today. It is not a "
            "guarantee of payment."
        ),
        "program.outpatient": "outpatient therapy",
        "program.iop": "our intensive outpatient program (IOP)",
        "program.php": "our partial hospitalization program (PHP)",
        "program.inpatient": "inpatient treatment",
        "unit.session": "sessions",
        "unit.day": "days",
        "period.calendar_year": "this calendar year",
        "period.service_year": "this plan year",
        "period.year": "a year",
        "period.lifetime": "in your lifetime",
        "period.none": "",
    },
    "es": {
        "active": "Buenas noticias: su cobertura de seguro está activa.",
        "active_plain": "Su cobertura de seguro está activa.",
        "visits_exhausted": (
            "Su plan informa que ya se usaron las visitas que cubre para este tipo de "
            "atención: más sesiones costarían el monto completo, salvo que su plan apruebe más."
        ),
        "out_of_network_only": (
            "Nuestro centro no está dentro de la red de su plan. Los costos que se muestran "
            "usan los beneficios fuera de la red de su plan, que suelen ser más altos."
        ),
        "carve_out": (
            "Los beneficios de salud mental y adicciones de su plan los administra "
            "{administrator}; los detalles que se muestran son de esa compañía."
        ),
        "carve_out_unconfirmed": (
            "Su plan indica que otra compañía administra sus beneficios de salud mental y "
            "adicciones; confirmaremos los detalles con esa compañía."
        ),
        "not_found_check": (
            "Revise su tarjeta de seguro: el número de miembro tal como aparece (con letras o "
            "prefijo), el nombre tal como figura en la tarjeta y la fecha de nacimiento. Si la "
            "tarjeta está a nombre de otra persona, también necesitamos los datos de esa "
            "persona."
        ),
        "inactive": (
            "Su compañía de seguros informa que esta cobertura no está activa ahora. A veces "
            "la cobertura termina o cambia; podemos ayudarle a ver otras opciones."
        ),
        "not_found": (
            "No pudimos encontrar su cobertura con los datos que nos dio. Una pequeña "
            "diferencia en un nombre, la fecha de nacimiento o el número de miembro basta "
            "para que pase, y es fácil de corregir."
        ),
        "confirm_card": (
            "Su compañía de seguros le encontró después de que ajustamos cómo estaban "
            "escritos sus datos. Por favor confirme los datos de su tarjeta de seguro con "
            "nuestro coordinador."
        ),
        "check_intro": "Por favor compare estos datos con su tarjeta de seguro:",
        "check.member_id": (
            "El número de miembro, tal como aparece en la tarjeta, con las letras del "
            "principio si las tiene."
        ),
        "check.name": "El nombre, escrito exactamente como en la tarjeta.",
        "check.date_of_birth": "La fecha de nacimiento (mes, día y año).",
        "check.policyholder": (
            "Si usted es el titular de la póliza, o está cubierto por el plan de otra persona."
        ),
        "unavailable": (
            "El sistema de su compañía de seguros no respondió en este momento. Lo "
            "intentaremos de nuevo pronto; usted no necesita hacer nada."
        ),
        "unknown": (
            "Todavía no pudimos confirmar su cobertura en línea; lo revisaremos por usted."
        ),
        "covered": "Su plan parece cubrir {program} {where}.",
        "not_covered": "Su plan informa que {program} no está cubierto {where}.",
        "covered_unknown": "Su plan no dio detalles sobre {program}; los confirmaremos.",
        "network_unknown": "Estamos confirmando si estamos en la red de su plan.",
        "in_network": "dentro de la red",
        "out_of_network": "fuera de la red",
        "preauth_required": (
            "Su plan requiere aprobación antes de comenzar el tratamiento (autorización "
            "previa). Nosotros la solicitamos por usted."
        ),
        "preauth_not_required": (
            "Su plan no requiere aprobación antes de comenzar el tratamiento."
        ),
        "preauth_unknown": (
            "Verificaremos si su plan necesita aprobación antes del tratamiento."
        ),
        "estimate_range": (
            "Costo estimado para usted por el programa: de ${low} a ${high} por alrededor "
            "de {sessions} {unit}."
        ),
        "estimate_point": (
            "Costo estimado para usted por el programa: unos ${low} por alrededor de "
            "{sessions} {unit}."
        ),
        "visits_remaining": "Su plan cubre {remaining} visitas más {period}.",
        "visits_allowed": "Su plan cubre hasta {allowed} visitas {period}.",
        "next": "Qué sigue: un coordinador le llamará para revisar estos resultados.",
        "phone": "¿Preguntas? Llámenos al {phone}.",
        "disclaimer": (
            "Esto se basa en lo que su compañía de seguros informó hoy. No es una garantía "
            "de pago."
        ),
        "program.outpatient": "la terapia ambulatoria",
        "program.iop": "nuestro programa ambulatorio intensivo (IOP)",
        "program.php": "nuestro programa de hospitalización parcial (PHP)",
        "program.inpatient": "el tratamiento con internación",
        "unit.session": "sesiones",
        "unit.day": "días",
        "period.calendar_year": "este año calendario",
        "period.service_year": "este año del plan",
        "period.year": "al año",
        "period.lifetime": "de por vida",
        "period.none": "",
    },
}

# The estimate's assumptions. An estimate records each one as a key and language-neutral
# fields (``Assumption``) so a visitor's page can say it in the visitor's language; the
# English sentences are also stored for staff. Some fields hold a word, not a number: their
# value is a code ("in_network", "session") said through the table (see ``WORD_FIELDS``).
ESTIMATE: Mapping[str, Mapping[str, str]] = {
    "en": {
        "schedule_range": "{low} to {high} {unit} on the program's usual schedule.",
        "schedule_point": "{low} {unit} on the program's usual schedule.",
        "allowed": (
            "An allowed amount of ${amount} per {per} is the center's assumption, not a rate "
            "the payer reported."
        ),
        "not_covered": "The plan reports this program as not covered {where}: the full cost "
        "is shown.",
        "no_copay": "No copay was reported {where}: the high end allows for any cost share.",
        "no_coinsurance": (
            "No coinsurance was reported {where}: the high end allows for any cost share."
        ),
        "copay_period": (
            "The copay period was not stated {where}: the high end charges it every session."
        ),
        "no_deductible": (
            "The remaining deductible was not reported {where}: the low end takes it as met."
        ),
        "no_oop": "No out-of-pocket maximum was reported {where}: the high end has no cap.",
        "visits_remaining": (
            "Only {remaining} visits remain under the plan's limit: sessions beyond that are "
            "shown at the full allowed amount."
        ),
        "visits_used_unknown": (
            "The plan allows {allowed} visits but did not say how many are used: the high end "
            "takes them as used."
        ),
        "coverage_unconfirmed_tier": (
            "Coverage of this program {where} is not confirmed: the high end is the full cost."
        ),
        "inactive": "Coverage is not active on the date of service: no cost is estimated.",
        "no_benefits": "The payer returned no benefits, so no cost can be estimated.",
        "network_unknown": "Whether the center is in network is not known: the range spans both.",
        "balance_billing": (
            "Out of network, the provider may bill more than the allowed amount (balance "
            "billing); that is not included."
        ),
        "no_visit_limit": "No visit limit was reported; none is applied.",
        "coverage_unconfirmed": "Coverage is not confirmed: no cost is estimated until it is.",
        "visits_exhausted": (
            "No visits remain under the plan's limit: every session is shown at the full "
            "allowed amount."
        ),
        "in_network": "in network",
        "out_of_network": "out of network",
        "unit.session": "sessions",
        "unit.day": "days",
        "per.session": "session",
        "per.day": "day",
    },
    "es": {
        "schedule_range": (
            "Entre {low} y {high} {unit}, según el calendario habitual del programa."
        ),
        "schedule_point": "{low} {unit}, según el calendario habitual del programa.",
        "allowed": (
            "El monto permitido de ${amount} por {per} es una estimación del centro, no una "
            "tarifa informada por su compañía de seguros."
        ),
        "not_covered": (
            "Su plan informa que este programa no está cubierto {where}: se muestra el costo "
            "total."
        ),
        "no_copay": (
            "Su plan no informó un copago {where}: la cifra más alta incluye cualquier parte "
            "del costo que le toque pagar a usted."
        ),
        "no_coinsurance": (
            "Su plan no informó un coseguro {where}: la cifra más alta incluye cualquier parte "
            "del costo que le toque pagar a usted."
        ),
        "copay_period": (
            "Su plan no indicó cada cuánto se cobra el copago {where}: la cifra más alta lo "
            "cuenta en cada sesión."
        ),
        "no_deductible": (
            "Su plan no informó cuánto le falta del deducible {where}: la cifra más baja "
            "supone que usted ya lo cubrió."
        ),
        "no_oop": (
            "Su plan no informó un máximo de gastos de bolsillo {where}: la cifra más alta no "
            "tiene tope."
        ),
        "visits_remaining": (
            "Solo le quedan {remaining} visitas dentro del límite de su plan: las sesiones "
            "adicionales se muestran al monto permitido completo."
        ),
        "visits_used_unknown": (
            "Su plan permite {allowed} visitas, pero no indicó cuántas ya usó: la cifra más "
            "alta supone que ya las usó."
        ),
        "coverage_unconfirmed_tier": (
            "La cobertura de este programa {where} no está confirmada: la cifra más alta es el "
            "costo total."
        ),
        "inactive": (
            "La cobertura no está activa en la fecha del servicio: no se estima ningún costo."
        ),
        "no_benefits": (
            "Su compañía de seguros no informó beneficios, así que no podemos estimar un costo."
        ),
        "network_unknown": (
            "Todavía no sabemos si el centro está dentro de la red de su plan: el rango incluye "
            "ambos casos."
        ),
        "balance_billing": (
            "Fuera de la red, el proveedor puede cobrarle más que el monto permitido "
            "(facturación del saldo); eso no está incluido."
        ),
        "no_visit_limit": "Su plan no informó un límite de visitas; no se aplica ninguno.",
        "coverage_unconfirmed": (
            "La cobertura no está confirmada: no se estima ningún costo hasta confirmarla."
        ),
        "visits_exhausted": (
            "No quedan visitas dentro del límite de su plan: cada sesión se muestra al monto "
            "permitido completo."
        ),
        "in_network": "dentro de la red",
        "out_of_network": "fuera de la red",
        "unit.session": "sesiones",
        "unit.day": "días",
        "per.session": "sesión",
        "per.day": "día",
    },
}

# Assumption fields whose value is a code said through the ESTIMATE table, not shown as is:
# field name -> the key its code is looked up under.
WORD_FIELDS: Mapping[str, str] = {"where": "{}", "unit": "unit.{}", "per": "per.{}"}


def text(
    table: Mapping[str, Mapping[str, str]], language: str, key: str, **fields: object
) -> str:
    templates = table.get(language) or table[DEFAULT_LANGUAGE]
    template = templates.get(key, table[DEFAULT_LANGUAGE][key])
    return template.format(**fields)


def assumption_text(language: str, key: str, fields: Mapping[str, object]) -> str:
    """One estimate assumption in ``language``; word fields are said in that language too.

    Raises KeyError (unknown key or code) or ValueError/IndexError (a field missing or of the
    wrong kind) for data this table cannot say; callers holding stored data fall back.
    """
    words = {
        name: text(ESTIMATE, language, WORD_FIELDS[name].format(value))
        if name in WORD_FIELDS else value
        for name, value in fields.items()
    }
    return text(ESTIMATE, language, key, **words)
