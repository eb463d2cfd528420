"""Every word of the Verify Online pages, in one table per language, ready for translation.

The coverage engine's sentences stay in ``verifier.coverage.messages``; these are the page's
own: labels, hints, headings and errors. Each language has the same keys (a test checks it).
Templates use ``str.format`` fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from verifier.x12.charset import LATIN_SPELLING, NAME_CHARACTERS

LANGUAGES = ("en", "es")
DEFAULT = "en"

PAGE: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "Check your insurance benefits",
        "intro": (
            "Free and confidential. It takes about two minutes, and you will see the "
            "result on this page."
        ),
        "no_ssn": "We never ask for your Social Security number.",
        "skip": "Skip to the form",
        "required_note": "Fields marked optional can be left empty; all others are needed.",
        "optional": "(optional)",
        "patient": "About the patient",
        "first_name": "First name",
        "last_name": "Last name",
        "name_hint": "As printed on the insurance card.",
        "date_of_birth": "Date of birth",
        "date_hint": "Month, day and year.",
        "insurance": "Insurance",
        "payer_id": "Insurance company",
        "payer_search": "Search insurance companies",
        "payer_search_hint": "Type part of the name, then choose from the list below.",
        "payer_matches": "{count} insurance companies match.",
        "payer_choose": "Choose your insurance company",
        "member_id": "Member ID",
        "member_id_hint": "On the front of the insurance card; letters and numbers.",
        "group_number": "Group number",
        "policyholder": "Who is the policyholder?",
        "policyholder_hint": "The policyholder is the person the insurance is in the name of.",
        "relationship.self": "The patient",
        "relationship.spouse": "The patient's spouse or partner",
        "relationship.child": "The patient's parent (the patient is their child)",
        "relationship.other": "Someone else",
        "subscriber": "The policyholder",
        "subscriber_hint": "Only needed when the policyholder is not the patient.",
        "subscriber_first_name": "Policyholder's first name",
        "subscriber_last_name": "Policyholder's last name",
        "subscriber_date_of_birth": "Policyholder's date of birth",
        "treatment": "Treatment",
        "level_of_care": "Which kind of program?",
        "level_hint": "Not sure? Choose intensive outpatient; a coordinator will go over options.",
        "level.outpatient": "Outpatient therapy",
        "level.outpatient.hint": "Regular sessions, usually once a week.",
        "level.iop": "Intensive outpatient (IOP)",
        "level.iop.hint": "A few hours a day, several days a week, living at home.",
        "level.php": "Partial hospitalization (PHP)",
        "level.php.hint": "Treatment most of the day, most days, going home at night.",
        "level.inpatient": "Inpatient or residential",
        "level.inpatient.hint": "Staying with us around the clock.",
        "condition": "What is the treatment for?",
        "condition.mental_health": "Mental health",
        "condition.mental_health.hint": (
            "For example depression, anxiety, trauma, or gambling disorder."
        ),
        "condition.substance_use": "Substance use",
        "condition.substance_use.hint": "Alcohol or drugs.",
        "contact": "How can we reach you?",
        "contact_hint": "Optional, unless you ask for a call back.",
        "phone": "Phone number",
        "email": "Email",
        "best_time": "Best time to call",
        "best_time.any": "Any time",
        "best_time.morning": "Morning",
        "best_time.afternoon": "Afternoon",
        "best_time.evening": "Evening",
        "callback_requested": "Please call me back to go over my results.",
        "consent_legend": "Your permission",
        "consent": "I agree that {facility} may check my insurance benefits with my insurer.",
        "privacy": (
            "We use these details only to check your benefits and to contact you about them. "
            "They are encrypted, never sold, and only our admissions team can see them."
        ),
        "submit": "Check my benefits",
        "errors_title": "Please fix {count} thing(s) below:",
        "error.required": "Please fill this in.",
        "error.subscriber": (
            "Please give the policyholder's name and date of birth, or choose "
            "\"The patient\" above."
        ),
        "error.general": "Something went wrong on our side. Please try again, or call us.",
        "error.network": "We could not reach our server. Check your connection and try again.",
        "checking": "Checking with your insurance company…",
        "checking_hint": "This usually takes under a minute. Please keep this page open.",
        "check_again": "Check again",
        "retry_heading": "Your insurance company is slow to answer",
        "retry_hint": (
            "We will keep trying for you. You can leave this page open to see the result, "
            "or ask us to call you."
        ),
        "result_heading": "Your results",
        "not_found_heading": "We could not find your coverage yet",
        "not_found_hint": "You can check the details and try again, or we can call you.",
        "review_heading": "A coordinator will look at your benefits",
        "failed_heading": "We could not finish the check online",
        "at_a_glance": "At a glance",
        "fact.coverage": "Coverage",
        "fact.network": "Our network status with your plan",
        "fact.preauth": "Approval before treatment",
        "fact.estimate": "Estimated cost to you",
        "fact.visits": "Visits covered",
        "coverage.active": "Active",
        "coverage.inactive": "Not active",
        "coverage.unknown": "Not confirmed yet",
        "network.in_network": "In network",
        "network.out_of_network": "Out of network",
        "network.unknown": "Not confirmed yet",
        "preauth.true": "Needed (we request it for you)",
        "preauth.false": "Not needed",
        "preauth.none": "We will check",
        "estimate.range": "${low} to ${high} for about {sessions} sessions or days",
        "estimate.none": "A coordinator will go over costs with you",
        "visits.remaining": "{remaining} left of {allowed}",
        "visits.remaining_only": "{remaining} left",
        "visits.allowed": "Up to {allowed}",
        "visits.none": "No limit reported",
        "assumptions": "How we estimated this",
        "next_heading": "What happens next",
        "next": "A coordinator will call you to go over these results and answer questions.",
        "call_us": "Prefer to talk now? Call us at {phone}.",
        "print": "Print this summary",
        "start_over": "Check another insurance",
        "try_again": "Check the details and try again",
        "expired": (
            "This result is no longer available on this device. Please check again, "
            "or call us."
        ),
        "callback_title": "Request a phone call",
        "callback_intro": (
            "Leave a number and a good time, and someone from our admissions team will call "
            "you. It is free and confidential."
        ),
        "callback_link": "Prefer to talk? Request a phone call",
        "callback_offer": "Would you like us to call you?",
        "callback_name": "What should we call you?",
        "callback_submit": "Call me back",
        "callback_privacy": "We use your number only to call you about treatment options.",
        "callback_done": "Thank you. We will call you soon.",
        "callback_done_hint": "If you need to talk sooner, call us at {phone}.",
        "bad_request": "This form expired. Please go back, reload the page and try again.",
        "too_many": (
            "Too many tries from this connection. Please wait {minutes} minute(s) and try "
            "again, or call us at {phone}."
        ),
        "next.call_you": "We will call you at the number you gave (ending in {last4}), {when}.",
        "next.email_you": "We will write to you at the email address you gave.",
        "next.offer_known": (
            "To go over these results with a coordinator, we can call you at the number you "
            "gave (ending in {last4}): just ask below."
        ),
        "next.offer_email": (
            "To go over these results with a coordinator, leave a phone number below, or "
            "we can write to the email address you gave."
        ),
        "next.no_contact": (
            "You did not leave a phone number or email, so we will not call unless you ask: "
            "request a call below, or call us at {phone}."
        ),
        "next.callback_asked": "You asked us to call you: we will, {when}.",
        "when.any": "at any time of day",
        "when.morning": "in the morning",
        "when.afternoon": "in the afternoon",
        "when.evening": "in the evening",
        "callback_known": "We have your number ending in {last4}.",
        "callback_confirm": "Yes, please call me at that number",
        "callback_recorded": "Thank you. We will call you at the number ending in {last4}, {when}.",
        "callback_recorded_email": "Thank you. We will write to you at the email address you gave.",
        "landing_title": "Insurance benefit checks",
        "landing_intro": (
            "{facility} uses this service to check insurance benefits for behavioral health "
            "treatment: mental health and substance use programs. It asks your insurance "
            "company what your plan covers and shows the answer in plain words."
        ),
        "landing_verify": "Check your insurance benefits",
        "landing_verify_hint": "For patients and families: free, confidential, about two minutes.",
        "landing_staff": "For our team",
        "landing_console": "Staff console",
        "landing_docs": "API documentation",
        "part2_legend": "Consent for substance use treatment",
        "part2_intro": (
            "Federal law (42 CFR Part 2) protects the records of substance use treatment. "
            "Checking your benefits tells your insurance company that you asked about this "
            "treatment here, so we need your written consent first."
        ),
        "part2_when": "Needed only if you chose Substance use above.",
        "part2_version": "Consent version {version}",
        "part2_signature": "Type your full name to sign",
        "part2_signature_hint": "Your typed name is your signature.",
        "part2_agree": "I have read this consent and I agree to it.",
        "unavailable": (  # issue 19: the outage contract (verifier.ops.outage)
            "We cannot check coverage right now: part of our system is down. Nothing you "
            "sent is lost if you saw a confirmation. Please try again in a few minutes, or "
            "call us at {phone}."
        ),
        "close": "Close",
        "language_switch": "Español",
    },
    "es": {
        "title": "Verifique los beneficios de su seguro",
        "intro": (
            "Gratis y confidencial. Toma unos dos minutos y verá el resultado en esta página."
        ),
        "no_ssn": "Nunca le pedimos su número de Seguro Social.",
        "skip": "Ir al formulario",
        "required_note": (
            "Los campos marcados como opcionales pueden quedar vacíos; los demás son necesarios."
        ),
        "optional": "(opcional)",
        "patient": "Sobre el paciente",
        "first_name": "Nombre",
        "last_name": "Apellido",
        "name_hint": "Como aparece en la tarjeta del seguro.",
        "date_of_birth": "Fecha de nacimiento",
        "date_hint": "Día, mes y año.",
        "insurance": "Seguro",
        "payer_id": "Compañía de seguros",
        "payer_search": "Buscar compañías de seguros",
        "payer_search_hint": "Escriba parte del nombre y elija de la lista de abajo.",
        "payer_matches": "{count} compañías de seguros coinciden.",
        "payer_choose": "Elija su compañía de seguros",
        "member_id": "Número de miembro",
        "member_id_hint": "En el frente de la tarjeta del seguro; letras y números.",
        "group_number": "Número de grupo",
        "policyholder": "¿Quién es el titular de la póliza?",
        "policyholder_hint": "El titular es la persona a cuyo nombre está el seguro.",
        "relationship.self": "El paciente",
        "relationship.spouse": "El cónyuge o pareja del paciente",
        "relationship.child": "El padre o la madre del paciente (el paciente es su hijo)",
        "relationship.other": "Otra persona",
        "subscriber": "El titular de la póliza",
        "subscriber_hint": "Solo si el titular no es el paciente.",
        "subscriber_first_name": "Nombre del titular",
        "subscriber_last_name": "Apellido del titular",
        "subscriber_date_of_birth": "Fecha de nacimiento del titular",
        "treatment": "Tratamiento",
        "level_of_care": "¿Qué tipo de programa?",
        "level_hint": (
            "¿No está seguro? Elija ambulatorio intensivo; un coordinador revisará las opciones."
        ),
        "level.outpatient": "Terapia ambulatoria",
        "level.outpatient.hint": "Sesiones regulares, por lo general una vez por semana.",
        "level.iop": "Ambulatorio intensivo (IOP)",
        "level.iop.hint": "Unas horas al día, varios días por semana, viviendo en casa.",
        "level.php": "Hospitalización parcial (PHP)",
        "level.php.hint": "Tratamiento casi todo el día, casi todos los días; duerme en casa.",
        "level.inpatient": "Internación o residencial",
        "level.inpatient.hint": "Se queda con nosotros día y noche.",
        "condition": "¿Para qué es el tratamiento?",
        "condition.mental_health": "Salud mental",
        "condition.mental_health.hint": (
            "Por ejemplo depresión, ansiedad, trauma o trastorno por juego."
        ),
        "condition.substance_use": "Uso de sustancias",
        "condition.substance_use.hint": "Alcohol o drogas.",
        "contact": "¿Cómo podemos comunicarnos con usted?",
        "contact_hint": "Opcional, salvo que pida que le llamemos.",
        "phone": "Teléfono",
        "email": "Correo electrónico",
        "best_time": "Mejor hora para llamar",
        "best_time.any": "Cualquier hora",
        "best_time.morning": "Mañana",
        "best_time.afternoon": "Tarde",
        "best_time.evening": "Noche",
        "callback_requested": "Por favor llámenme para revisar mis resultados.",
        "consent_legend": "Su permiso",
        "consent": (
            "Acepto que {facility} verifique los beneficios de mi seguro con mi aseguradora."
        ),
        "privacy": (
            "Usamos estos datos solo para verificar sus beneficios y comunicarnos con usted. "
            "Están cifrados, nunca se venden y solo nuestro equipo de admisiones puede verlos."
        ),
        "submit": "Verificar mis beneficios",
        "errors_title": "Por favor corrija {count} cosa(s) abajo:",
        "error.required": "Por favor complete este campo.",
        "error.subscriber": (
            "Indique el nombre y la fecha de nacimiento del titular, o elija \"El paciente\"."
        ),
        "error.general": "Algo falló de nuestro lado. Inténtelo de nuevo o llámenos.",
        "error.network": "No pudimos comunicarnos con el servidor. Revise su conexión.",
        "checking": "Consultando con su compañía de seguros…",
        "checking_hint": "Suele tardar menos de un minuto. Por favor mantenga esta página abierta.",
        "check_again": "Consultar de nuevo",
        "retry_heading": "Su compañía de seguros tarda en responder",
        "retry_hint": (
            "Seguiremos intentando por usted. Puede dejar esta página abierta para ver el "
            "resultado, o pedirnos que le llamemos."
        ),
        "result_heading": "Sus resultados",
        "not_found_heading": "Todavía no encontramos su cobertura",
        "not_found_hint": "Puede revisar los datos e intentarlo de nuevo, o podemos llamarle.",
        "review_heading": "Un coordinador revisará sus beneficios",
        "failed_heading": "No pudimos terminar la verificación en línea",
        "at_a_glance": "Resumen",
        "fact.coverage": "Cobertura",
        "fact.network": "Nuestra red con su plan",
        "fact.preauth": "Aprobación antes del tratamiento",
        "fact.estimate": "Costo estimado para usted",
        "fact.visits": "Visitas cubiertas",
        "coverage.active": "Activa",
        "coverage.inactive": "No activa",
        "coverage.unknown": "Sin confirmar",
        "network.in_network": "Dentro de la red",
        "network.out_of_network": "Fuera de la red",
        "network.unknown": "Sin confirmar",
        "preauth.true": "Necesaria (nosotros la solicitamos)",
        "preauth.false": "No necesaria",
        "preauth.none": "Lo verificaremos",
        "estimate.range": "de ${low} a ${high} por alrededor de {sessions} sesiones o días",
        "estimate.none": "Un coordinador revisará los costos con usted",
        "visits.remaining": "Quedan {remaining} de {allowed}",
        "visits.remaining_only": "Quedan {remaining}",
        "visits.allowed": "Hasta {allowed}",
        "visits.none": "Sin límite informado",
        "assumptions": "Cómo lo estimamos",
        "next_heading": "Qué sigue",
        "next": "Un coordinador le llamará para revisar estos resultados y responder preguntas.",
        "call_us": "¿Prefiere hablar ahora? Llámenos al {phone}.",
        "print": "Imprimir este resumen",
        "start_over": "Verificar otro seguro",
        "try_again": "Revisar los datos e intentar de nuevo",
        "expired": (
            "Este resultado ya no está disponible en este dispositivo. Verifique de nuevo "
            "o llámenos."
        ),
        "callback_title": "Pida una llamada",
        "callback_intro": (
            "Deje un número y una buena hora, y alguien de nuestro equipo de admisiones le "
            "llamará. Es gratis y confidencial."
        ),
        "callback_link": "¿Prefiere hablar? Pida una llamada",
        "callback_offer": "¿Quiere que le llamemos?",
        "callback_name": "¿Cómo quiere que le llamemos?",
        "callback_submit": "Llámenme",
        "callback_privacy": (
            "Usamos su número solo para llamarle sobre opciones de tratamiento."
        ),
        "callback_done": "Gracias. Le llamaremos pronto.",
        "callback_done_hint": "Si necesita hablar antes, llámenos al {phone}.",
        "bad_request": (
            "Este formulario venció. Vuelva atrás, recargue la página e inténtelo de nuevo."
        ),
        "too_many": (
            "Demasiados intentos desde esta conexión. Espere {minutes} minuto(s) e inténtelo "
            "de nuevo, o llámenos al {phone}."
        ),
        "next.call_you": (
            "Le llamaremos al número que nos dio (termina en {last4}), {when}."
        ),
        "next.email_you": "Le escribiremos al correo electrónico que nos dio.",
        "next.offer_known": (
            "Para revisar estos resultados con un coordinador, podemos llamarle al número que "
            "nos dio (termina en {last4}): solo pídalo abajo."
        ),
        "next.offer_email": (
            "Para revisar estos resultados con un coordinador, deje un teléfono abajo, o "
            "podemos escribirle al correo electrónico que nos dio."
        ),
        "next.no_contact": (
            "No dejó teléfono ni correo electrónico, así que no le llamaremos salvo que lo "
            "pida: pida una llamada abajo, o llámenos al {phone}."
        ),
        "next.callback_asked": "Pidió que le llamemos: lo haremos {when}.",
        "when.any": "a cualquier hora del día",
        "when.morning": "por la mañana",
        "when.afternoon": "por la tarde",
        "when.evening": "por la noche",
        "callback_known": "Tenemos su número que termina en {last4}.",
        "callback_confirm": "Sí, llámenme a ese número",
        "callback_recorded": (
            "Gracias. Le llamaremos al número que termina en {last4}, {when}."
        ),
        "callback_recorded_email": (
            "Gracias. Le escribiremos al correo electrónico que nos dio."
        ),
        "landing_title": "Verificación de beneficios del seguro",
        "landing_intro": (
            "{facility} usa este servicio para verificar los beneficios del seguro para "
            "tratamientos de salud conductual: programas de salud mental y de uso de "
            "sustancias. Consulta a su compañía de seguros qué cubre su plan y muestra la "
            "respuesta en palabras sencillas."
        ),
        "landing_verify": "Verifique los beneficios de su seguro",
        "landing_verify_hint": (
            "Para pacientes y familias: gratis, confidencial, unos dos minutos."
        ),
        "landing_staff": "Para nuestro equipo",
        "landing_console": "Consola del personal",
        "landing_docs": "Documentación de la API",
        "part2_legend": "Consentimiento para el tratamiento por uso de sustancias",
        "part2_intro": (
            "La ley federal (42 CFR Part 2) protege los registros del tratamiento por uso de "
            "sustancias. Verificar sus beneficios le dice a su compañía de seguros que usted "
            "preguntó por este tratamiento aquí, así que primero necesitamos su "
            "consentimiento por escrito."
        ),
        "part2_when": "Solo si eligió Uso de sustancias arriba.",
        "part2_version": "Versión del consentimiento {version}",
        "part2_signature": "Escriba su nombre completo para firmar",
        "part2_signature_hint": "Su nombre escrito es su firma.",
        "part2_agree": "Leí este consentimiento y estoy de acuerdo.",
        "unavailable": (  # issue 19: the outage contract (verifier.ops.outage)
            "No podemos verificar la cobertura en este momento: una parte de nuestro sistema "
            "no funciona. Si vio una confirmación, no se perdió nada de lo que envió. "
            "Inténtelo de nuevo en unos minutos, o llámenos al {phone}."
        ),
        "close": "Cerrar",
        "language_switch": "English",
    },
}

# The schema's own words for a missing field read coldly; the page says it kindly.
SCHEMA_REQUIRED = "Missing data for required field."

# The API schema's messages (English, as the JSON API gives them) in the visitor's language.
SCHEMA_MESSAGES: Mapping[str, Mapping[str, str]] = {
    "es": {
        "Not a valid email address.": "El correo electrónico no es válido.",
        "Not a valid date.": "La fecha no es válida.",
        "Date of birth cannot be in the future.": "La fecha de nacimiento no puede ser futura.",
        "Date of birth must be after 1900-01-01.": (
            "La fecha de nacimiento debe ser posterior al 1 de enero de 1900."
        ),
        "Enter a phone number with 7 to 15 digits.": "Escriba un teléfono de 7 a 15 dígitos.",
        "Give a phone number or an email for the call back.": (
            "Indique un teléfono o un correo electrónico para la llamada."
        ),
        "Consent is needed to check your benefits.": (
            "Necesitamos su permiso para verificar sus beneficios."
        ),
        "Leave the policyholder out when the patient is the policyholder.": (
            "No indique un titular si el paciente es el titular."
        ),
        "must not be empty": "no puede quedar vacío",
        "must be at most 60 characters": "puede tener como máximo 60 caracteres",
        "must be at most 80 characters": "puede tener como máximo 80 caracteres",
        "may contain only " + NAME_CHARACTERS: (
            "solo puede contener letras, espacios, guiones, apóstrofos, puntos y comas, y "
            "debe empezar con una letra"
        ),
        "may contain only letters, digits and hyphens": (
            "solo puede contener letras, números y guiones"
        ),
        "must not contain control characters": "no puede contener caracteres de control",
        LATIN_SPELLING: "debe escribirse con letras latinas, como en la tarjeta del seguro",
        "Tick the box to sign the consent.": "Marque la casilla para firmar el consentimiento.",
        "Type your full name to sign.": "Escriba su nombre completo para firmar.",
        "Length must be between 1 and 120.": "Debe tener de 1 a 120 caracteres.",
        "Longer than maximum length 60.": "Puede tener como máximo 60 caracteres.",
    },
}


def schema_message(language: str, message: str) -> str:
    """One of the schema's messages in the visitor's language (English as given)."""
    return SCHEMA_MESSAGES.get(language, {}).get(message, message)


def choose(requested: str | None, accept: Iterable[tuple[str, float]] = ()) -> str:
    """``?lang=`` wins; then the browser's Accept-Language; then English."""
    if requested in LANGUAGES:
        return requested
    for value, _quality in accept:
        primary = value.split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT


def strings(language: str) -> Mapping[str, str]:
    return PAGE.get(language) or PAGE[DEFAULT]


def say(language: str, key: str, **fields: object) -> str:
    table = strings(language)
    template = table.get(key) or PAGE[DEFAULT][key]
    return template.format(**fields) if fields else template
