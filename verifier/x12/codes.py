"""X12 5010 code tables for eligibility (270/271) and acknowledgments (999/TA1). Data only.

Names follow the X12 element code lists (element numbers in each table's comment), as
allowed by the 005010X279A1 guide. Staff and payers speak in codes; these tables give each a
human description. ``retry_class`` rules live in ``verifier.x12.retry``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from verifier.domain import RequestError


def _frozen(table: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(table)


# EB01, element 1390: Eligibility or Benefit Information Code.
ELIGIBILITY_BENEFIT_INFO: Mapping[str, str] = _frozen({
    "1": "Active Coverage",
    "2": "Active - Full Risk Capitation",
    "3": "Active - Services Capitated",
    "4": "Active - Services Capitated to Primary Care Physician",
    "5": "Active - Pending Investigation",
    "6": "Inactive",
    "7": "Inactive - Pending Eligibility Update",
    "8": "Inactive - Pending Investigation",
    "A": "Co-Insurance",
    "B": "Co-Payment",
    "C": "Deductible",
    "CB": "Coverage Basis",
    "D": "Benefit Description",
    "E": "Exclusions",
    "F": "Limitations",
    "G": "Out of Pocket (Stop Loss)",
    "H": "Unlimited",
    "I": "Non-Covered",
    "J": "Cost Containment",
    "K": "Reserve",
    "L": "Primary Care Provider",
    "M": "Pre-existing Condition",
    "MC": "Managed Care Coordinator",
    "N": "Services Restricted to Following Provider",
    "O": "Not Deemed a Medical Necessity",
    "P": "Benefit Disclaimer",
    "Q": "Second Surgical Opinion Required",
    "R": "Other or Additional Payor",
    "S": "Prior Year(s) History",
    "T": "Card(s) Reported Lost/Stolen",
    "U": "Contact Following Entity for Eligibility or Benefit Information",
    "V": "Cannot Process",
    "W": "Other Source of Data",
    "X": "Health Care Facility",
    "Y": "Spend Down",
})

ACTIVE_INFO_CODES = frozenset({"1", "2", "3", "4", "5"})
INACTIVE_INFO_CODES = frozenset({"6", "7", "8"})

# EB02, element 1207: Coverage Level Code.
COVERAGE_LEVELS: Mapping[str, str] = _frozen({
    "CHD": "Children Only",
    "DEP": "Dependents Only",
    "ECH": "Employee and Children",
    "EMP": "Employee Only",
    "ESP": "Employee and Spouse",
    "FAM": "Family",
    "IND": "Individual",
    "SPC": "Spouse and Children",
    "SPO": "Spouse Only",
})

# EB03 / EQ01, element 1365: Service Type Code (the 5010 X279A1 allowed list).
SERVICE_TYPES: Mapping[str, str] = _frozen({
    "1": "Medical Care",
    "2": "Surgical",
    "3": "Consultation",
    "4": "Diagnostic X-Ray",
    "5": "Diagnostic Lab",
    "6": "Radiation Therapy",
    "7": "Anesthesia",
    "8": "Surgical Assistance",
    "9": "Other Medical",
    "10": "Blood Charges",
    "11": "Used Durable Medical Equipment",
    "12": "Durable Medical Equipment Purchase",
    "13": "Ambulatory Service Center Facility",
    "14": "Renal Supplies in the Home",
    "15": "Alternate Method Dialysis",
    "16": "Chronic Renal Disease (CRD) Equipment",
    "17": "Pre-Admission Testing",
    "18": "Durable Medical Equipment Rental",
    "19": "Pneumonia Vaccine",
    "20": "Second Surgical Opinion",
    "21": "Third Surgical Opinion",
    "22": "Social Work",
    "23": "Diagnostic Dental",
    "24": "Periodontics",
    "25": "Restorative",
    "26": "Endodontics",
    "27": "Maxillofacial Prosthetics",
    "28": "Adjunctive Dental Services",
    "30": "Health Benefit Plan Coverage",
    "32": "Plan Waiting Period",
    "33": "Chiropractic",
    "34": "Chiropractic Office Visits",
    "35": "Dental Care",
    "36": "Dental Crowns",
    "37": "Dental Accident",
    "38": "Orthodontics",
    "39": "Prosthodontics",
    "40": "Oral Surgery",
    "41": "Routine (Preventive) Dental",
    "42": "Home Health Care",
    "43": "Home Health Prescriptions",
    "44": "Home Health Visits",
    "45": "Hospice",
    "46": "Respite Care",
    "47": "Hospital",
    "48": "Hospital - Inpatient",
    "49": "Hospital - Room and Board",
    "50": "Hospital - Outpatient",
    "51": "Hospital - Emergency Accident",
    "52": "Hospital - Emergency Medical",
    "53": "Hospital - Ambulatory Surgical",
    "54": "Long Term Care",
    "55": "Major Medical",
    "56": "Medically Related Transportation",
    "57": "Air Transportation",
    "58": "Cabulance",
    "59": "Licensed Ambulance",
    "60": "General Benefits",
    "61": "In-vitro Fertilization",
    "62": "MRI/CAT Scan",
    "63": "Donor Procedures",
    "64": "Acupuncture",
    "65": "Newborn Care",
    "66": "Pathology",
    "67": "Smoking Cessation",
    "68": "Well Baby Care",
    "69": "Maternity",
    "70": "Transplants",
    "71": "Audiology Exam",
    "72": "Inhalation Therapy",
    "73": "Diagnostic Medical",
    "74": "Private Duty Nursing",
    "75": "Prosthetic Device",
    "76": "Dialysis",
    "77": "Otological Exam",
    "78": "Chemotherapy",
    "79": "Allergy Testing",
    "80": "Immunizations",
    "81": "Routine Physical",
    "82": "Family Planning",
    "83": "Infertility",
    "84": "Abortion",
    "85": "AIDS",
    "86": "Emergency Services",
    "87": "Cancer",
    "88": "Pharmacy",
    "89": "Free Standing Prescription Drug",
    "90": "Mail Order Prescription Drug",
    "91": "Brand Name Prescription Drug",
    "92": "Generic Prescription Drug",
    "93": "Podiatry",
    "94": "Podiatry - Office Visits",
    "95": "Podiatry - Nursing Home Visits",
    "96": "Professional (Physician)",
    "97": "Anesthesiologist",
    "98": "Professional (Physician) Visit - Office",
    "99": "Professional (Physician) Visit - Inpatient",
    "A0": "Professional (Physician) Visit - Outpatient",
    "A1": "Professional (Physician) Visit - Nursing Home",
    "A2": "Professional (Physician) Visit - Skilled Nursing Facility",
    "A3": "Professional (Physician) Visit - Home",
    "A4": "Psychiatric",
    "A5": "Psychiatric - Room and Board",
    "A6": "Psychotherapy",
    "A7": "Psychiatric - Inpatient",
    "A8": "Psychiatric - Outpatient",
    "A9": "Rehabilitation",
    "AA": "Rehabilitation - Room and Board",
    "AB": "Rehabilitation - Inpatient",
    "AC": "Rehabilitation - Outpatient",
    "AD": "Occupational Therapy",
    "AE": "Physical Medicine",
    "AF": "Speech Therapy",
    "AG": "Skilled Nursing Care",
    "AH": "Skilled Nursing Care - Room and Board",
    "AI": "Substance Abuse",
    "AJ": "Alcoholism",
    "AK": "Drug Addiction",
    "AL": "Vision (Optometry)",
    "AM": "Frames",
    "AN": "Routine Exam",
    "AO": "Lenses",
    "AQ": "Nonmedically Necessary Physical",
    "AR": "Experimental Drug Therapy",
    "B1": "Burn Care",
    "B2": "Brand Name Prescription Drug - Formulary",
    "B3": "Brand Name Prescription Drug - Non-Formulary",
    "BA": "Independent Medical Evaluation",
    "BB": "Partial Hospitalization (Psychiatric)",
    "BC": "Day Care (Psychiatric)",
    "BD": "Cognitive Therapy",
    "BE": "Massage Therapy",
    "BF": "Pulmonary Rehabilitation",
    "BG": "Cardiac Rehabilitation",
    "BH": "Pediatric",
    "BI": "Nursery",
    "BJ": "Skin",
    "BK": "Orthopedic",
    "BL": "Cardiac",
    "BM": "Lymphatic",
    "BN": "Gastrointestinal",
    "BP": "Endocrine",
    "BQ": "Neurology",
    "BR": "Eye",
    "BS": "Invasive Procedures",
    "BT": "Gynecological",
    "BU": "Obstetrical",
    "BV": "Obstetrical/Gynecological",
    "BW": "Mail Order Prescription Drug: Brand Name",
    "BX": "Mail Order Prescription Drug: Generic",
    "BY": "Physician Visit - Office: Sick",
    "BZ": "Physician Visit - Office: Well",
    "C1": "Coronary Care",
    "CA": "Private Duty Nursing - Inpatient",
    "CB": "Private Duty Nursing - Home",
    "CC": "Surgical Benefits - Professional (Physician)",
    "CD": "Surgical Benefits - Facility",
    "CE": "Mental Health Provider - Inpatient",
    "CF": "Mental Health Provider - Outpatient",
    "CG": "Mental Health Facility - Inpatient",
    "CH": "Mental Health Facility - Outpatient",
    "CI": "Substance Abuse Facility - Inpatient",
    "CJ": "Substance Abuse Facility - Outpatient",
    "CK": "Screening X-ray",
    "CL": "Screening laboratory",
    "CM": "Mammogram, High Risk Patient",
    "CN": "Mammogram, Low Risk Patient",
    "CO": "Flu Vaccination",
    "CP": "Eyewear and Eyewear Accessories",
    "CQ": "Case Management",
    "DG": "Dermatology",
    "DM": "Durable Medical Equipment",
    "DS": "Diabetic Supplies",
    "GF": "Generic Prescription Drug - Formulary",
    "GN": "Generic Prescription Drug - Non-Formulary",
    "GY": "Allergy",
    "IC": "Intensive Care",
    "MH": "Mental Health",
    "NI": "Neonatal Intensive Care",
    "ON": "Oncology",
    "PT": "Physical Therapy",
    "PU": "Pulmonary",
    "RN": "Renal",
    "RT": "Residential Psychiatric Treatment",
    "TC": "Transitional Care",
    "TN": "Transitional Nursery Care",
    "UC": "Urgent Care",
})

# Service types that carry behavioral-health benefits (DESIGN §7 ladders start from these).
BEHAVIORAL_HEALTH_SERVICE_TYPES = frozenset({
    "MH", "A4", "A5", "A6", "A7", "A8", "BB", "BC", "RT", "CE", "CF", "CG", "CH",
    "AI", "AJ", "AK", "CI", "CJ",
})

# EB04, element 1336: Insurance Type Code (5010 X279A1 allowed list).
INSURANCE_TYPES: Mapping[str, str] = _frozen({
    "12": "Medicare Secondary Working Aged Beneficiary or Spouse with Employer Group Health Plan",
    "13": "Medicare Secondary End-Stage Renal Disease Beneficiary in the Mandated Coordination "
          "Period with an Employer's Group Health Plan",
    "14": "Medicare Secondary, No-fault Insurance including Auto is Primary",
    "15": "Medicare Secondary Worker's Compensation",
    "16": "Medicare Secondary Public Health Service (PHS) or Other Federal Agency",
    "41": "Medicare Secondary Black Lung",
    "42": "Medicare Secondary Veteran's Administration",
    "43": "Medicare Secondary Disabled Beneficiary Under Age 65 with Large Group Health Plan "
          "(LGHP)",
    "47": "Medicare Secondary, Other Liability Insurance is Primary",
    "AP": "Auto Insurance Policy",
    "C1": "Commercial",
    "CO": "Consolidated Omnibus Budget Reconciliation Act (COBRA)",
    "CP": "Medicare Conditionally Primary",
    "D": "Disability",
    "DB": "Disability Benefits",
    "EP": "Exclusive Provider Organization",
    "FF": "Family or Friends",
    "GP": "Group Policy",
    "HM": "Health Maintenance Organization (HMO)",
    "HN": "Health Maintenance Organization (HMO) - Medicare Risk",
    "HS": "Special Low Income Medicare Beneficiary",
    "IN": "Indemnity",
    "IP": "Individual Policy",
    "LC": "Long Term Care",
    "LD": "Long Term Policy",
    "LI": "Life Insurance",
    "LT": "Litigation",
    "MA": "Medicare Part A",
    "MB": "Medicare Part B",
    "MC": "Medicaid",
    "MH": "Medigap Part A",
    "MI": "Medigap Part B",
    "MP": "Medicare Primary",
    "OT": "Other",
    "PE": "Property Insurance - Personal",
    "PL": "Personal",
    "PP": "Personal Payment (Cash - No Insurance)",
    "PR": "Preferred Provider Organization (PPO)",
    "PS": "Point of Service (POS)",
    "QM": "Qualified Medicare Beneficiary",
    "RP": "Property Insurance - Real",
    "SP": "Supplemental Policy",
    "TF": "Tax Equity Fiscal Responsibility Act (TEFRA)",
    "WC": "Workers Compensation",
    "WU": "Wrap Up Policy",
})

# EB06 / HSD05, element 615: Time Period Qualifier (5010 271 allows 6, 7, 13, 21-36).
TIME_PERIODS: Mapping[str, str] = _frozen({
    "6": "Hour",
    "7": "Day",
    "13": "24 Hours",
    "21": "Years",
    "22": "Service Year",
    "23": "Calendar Year",
    "24": "Year to Date",
    "25": "Contract",
    "26": "Episode",
    "27": "Visit",
    "28": "Outlier",
    "29": "Remaining",
    "30": "Exceeded",
    "31": "Not Exceeded",
    "32": "Lifetime",
    "33": "Lifetime Remaining",
    "34": "Month",
    "35": "Week",
    "36": "Admission",
})

# EB09, element 673: Quantity Qualifier (5010 X279A1 allowed list).
QUANTITY_QUALIFIERS: Mapping[str, str] = _frozen({
    "8H": "Minimum",
    "99": "Quantity Used",
    "CA": "Covered - Actual",
    "CE": "Covered - Estimated",
    "D3": "Number of Co-insurance Days",
    "DB": "Deductible Blood Units",
    "DY": "Days",
    "HS": "Hours",
    "LA": "Life-time Reserve - Actual",
    "LE": "Life-time Reserve - Estimated",
    "M2": "Maximum",
    "MN": "Month",
    "P6": "Number of Services or Procedures",
    "QA": "Quantity Approved",
    "S7": "Age, High Value",
    "S8": "Age, Low Value",
    "VS": "Visits",
    "YY": "Years",
})

# HSD01 (element 673 subset) and HSD03 (element 355 subset).
DELIVERY_QUANTITY_QUALIFIERS: Mapping[str, str] = _frozen({
    "DY": "Days", "FL": "Units", "HS": "Hours", "MN": "Month", "VS": "Visits",
})
DELIVERY_UNITS: Mapping[str, str] = _frozen({
    "DA": "Days", "MO": "Months", "VS": "Visit", "WK": "Week", "YR": "Years",
})

# EB11, element 1073: Authorization or Certification Indicator.
AUTHORIZATION_INDICATORS: Mapping[str, str] = _frozen({
    "Y": "Authorization or certification required",
    "N": "Authorization or certification not required",
    "U": "Unknown",
})

# EB12, element 1073: In Plan Network Indicator.
IN_PLAN_NETWORK: Mapping[str, str] = _frozen({
    "Y": "In Plan-Network",
    "N": "Out of Plan-Network",
    "W": "Not Applicable (applies to in- and out-of-network)",
    "U": "Unknown",
})

# EB13-1 / EQ02-1, element 235: Product/Service ID Qualifier (5010 X279A1 allowed list).
PROCEDURE_QUALIFIERS: Mapping[str, str] = _frozen({
    "AD": "American Dental Association Codes",
    "CJ": "Current Procedural Terminology (CPT) Codes",
    "HC": "Health Care Financing Administration Common Procedural Coding System (HCPCS) Codes",
    "ID": "International Classification of Diseases, 9th Revision, Clinical Modification "
          "(ICD-9-CM) - Procedure",
    "IV": "Home Infusion EDI Coalition (HIEC) Product/Service Code",
    "N4": "National Drug Code in 5-4-2 Format",
    "ZZ": "Mutually Defined",
})

# INS02, element 1069: Individual Relationship Code (the 271 values).
RELATIONSHIPS: Mapping[str, str] = _frozen({
    "01": "Spouse",
    "18": "Self",
    "19": "Child",
    "20": "Employee",
    "21": "Unknown",
    "39": "Organ Donor",
    "40": "Cadaver Donor",
    "53": "Life Partner",
    "G8": "Other Relationship",
})

# AAA03, element 901: Reject Reason Code (every code a 5010 271 allows, any loop).
REJECT_REASONS: Mapping[str, str] = _frozen({
    "04": "Authorized Quantity Exceeded",
    "15": "Required application data missing",
    "33": "Input Errors",
    "35": "Out of Network",
    "41": "Authorization/Access Restrictions",
    "42": "Unable to Respond at Current Time",
    "43": "Invalid/Missing Provider Identification",
    "44": "Invalid/Missing Provider Name",
    "45": "Invalid/Missing Provider Specialty",
    "46": "Invalid/Missing Provider Phone Number",
    "47": "Invalid/Missing Provider State",
    "48": "Invalid/Missing Referring Provider Identification Number",
    "49": "Provider is Not Primary Care Physician",
    "50": "Provider Ineligible for Inquiries",
    "51": "Provider Not on File",
    "52": "Service Dates Not Within Provider Plan Enrollment",
    "53": "Inquired Benefit Inconsistent with Provider Type",
    "54": "Inappropriate Product/Service ID Qualifier",
    "55": "Inappropriate Product/Service ID",
    "56": "Inappropriate Date",
    "57": "Invalid/Missing Date(s) of Service",
    "58": "Invalid/Missing Date-of-Birth",
    "60": "Date of Birth Follows Date(s) of Service",
    "61": "Date of Death Precedes Date(s) of Service",
    "62": "Date of Service Not Within Allowable Inquiry Period",
    "63": "Date of Service in Future",
    "64": "Invalid/Missing Patient ID",
    "65": "Invalid/Missing Patient Name",
    "66": "Invalid/Missing Patient Gender Code",
    "67": "Patient Not Found",
    "68": "Duplicate Patient ID Number",
    "69": "Inconsistent with Patient's Age",
    "70": "Inconsistent with Patient's Gender",
    "71": "Patient Birth Date Does Not Match That for the Patient on the Database",
    "72": "Invalid/Missing Subscriber/Insured ID",
    "73": "Invalid/Missing Subscriber/Insured Name",
    "74": "Invalid/Missing Subscriber/Insured Gender Code",
    "75": "Subscriber/Insured Not Found",
    "76": "Duplicate Subscriber/Insured ID Number",
    "77": "Subscriber Found, Patient Not Found",
    "78": "Subscriber/Insured Not in Group/Plan Identified",
    "79": "Invalid Participant Identification",
    "80": "No Response received - Transaction Terminated",
    "97": "Invalid or Missing Provider Address",
    "98": "Experimental Service or Procedure",
    "AA": "Authorization Number Not Found",
    "AE": "Requires Primary Care Physician Authorization",
    "AF": "Invalid/Missing Diagnosis Code(s)",
    "AG": "Invalid/Missing Procedure Code(s)",
    "AO": "Additional Patient Condition Information Required",
    "CI": "Certification Information Does Not Match Patient",
    "E8": "Requires Medical Review",
    "IA": "Invalid Authorization Number Format",
    "MA": "Missing Authorization",
    "T4": "Payer Name or Identifier Missing",
})

# AAA04, element 889: Follow-up Action Code.
FOLLOW_UP_ACTIONS: Mapping[str, str] = _frozen({
    "C": "Please Correct and Resubmit",
    "N": "Resubmission Not Allowed",
    "P": "Please Resubmit Original Transaction",
    "R": "Resubmission Allowed",
    "S": "Do Not Resubmit; Inquiry Initiated to a Third Party",
    "W": "Please Wait 30 Days and Resubmit",
    "X": "Please Wait 10 Days and Resubmit",
    "Y": "Do Not Resubmit; We Will Hold Your Request and Respond Again Shortly",
})

UNKNOWN_REJECT_REASON = "Unrecognized reject reason code"
UNKNOWN_FOLLOW_UP = "Unrecognized follow-up action code"

# Retry classes by AAA03 (DESIGN §7); values are verifier.domain.RetryClass values.
# 2110C/2110D AAAs are benefit-level whatever their code; unknown codes need a person.
RETRY_CLASS_BY_REASON: Mapping[str, str] = _frozen({
    **dict.fromkeys(("42", "80", "04"), "retry_later"),
    **dict.fromkeys(
        ("15", "33", "43", "44", "45", "46", "47", "48", "56", "57", "58",
         "60", "61", "62", "63", "64", "65", "66", "71", "72", "73", "74"),
        "fix_input",
    ),
    **dict.fromkeys(("67", "68", "75", "76", "77", "78"), "not_found"),
    **dict.fromkeys(("35", "41", "49", "50", "51", "52", "79", "97", "T4"), "configuration"),
    **dict.fromkeys(
        ("53", "54", "55", "69", "70", "98", "AA", "AE", "AF", "AG", "AO", "CI", "E8", "IA",
         "MA"),
        "benefit_level",
    ),
})

# AAA04 codes that override the code's class: the payer said explicitly what to do.
FOLLOW_UP_RETRY_LATER = frozenset({"W", "X", "Y"})
FOLLOW_UP_NO_RESUBMIT = frozenset({"N"})

# TA104, element I17: Interchange Acknowledgment Code.
TA1_ACKNOWLEDGMENTS: Mapping[str, str] = _frozen({
    "A": "The Transmitted Interchange Control Structure Header and Trailer Have Been Received "
         "and Have No Errors",
    "E": "The Transmitted Interchange Control Structure Header and Trailer Have Been Received "
         "and Are Accepted But Errors Are Noted",
    "R": "The Transmitted Interchange Control Structure Header and Trailer are Rejected "
         "Because of Errors",
})

# TA105, element I18: Interchange Note Code.
TA1_NOTES: Mapping[str, str] = _frozen({
    "000": "No error",
    "001": "The Interchange Control Number in the Header and Trailer Do Not Match",
    "002": "This Standard as Noted in the Control Standards Identifier is Not Supported",
    "003": "This Version of the Controls is Not Supported",
    "004": "The Segment Terminator is Invalid",
    "005": "Invalid Interchange ID Qualifier for Sender",
    "006": "Invalid Interchange Sender ID",
    "007": "Invalid Interchange ID Qualifier for Receiver",
    "008": "Invalid Interchange Receiver ID",
    "009": "Unknown Interchange Receiver ID",
    "010": "Invalid Authorization Information Qualifier Value",
    "011": "Invalid Authorization Information Value",
    "012": "Invalid Security Information Qualifier Value",
    "013": "Invalid Security Information Value",
    "014": "Invalid Interchange Date Value",
    "015": "Invalid Interchange Time Value",
    "016": "Invalid Interchange Standards Identifier Value",
    "017": "Invalid Interchange Version ID Value",
    "018": "Invalid Interchange Control Number Value",
    "019": "Invalid Acknowledgment Requested Value",
    "020": "Invalid Test Indicator Value",
    "021": "Invalid Number of Included Groups Value",
    "022": "Invalid Control Structure",
    "023": "Improper (Premature) End-of-File (Transmission)",
    "024": "Invalid Interchange Content (e.g., Invalid GS Segment)",
    "025": "Duplicate Interchange Control Number",
    "026": "Invalid Data Element Separator",
    "027": "Invalid Component Element Separator",
    "028": "Invalid Delivery Date in Deferred Delivery Request",
    "029": "Invalid Delivery Time in Deferred Delivery Request",
    "030": "Invalid Delivery Time Code in Deferred Delivery Request",
    "031": "Invalid Grade of Service Code",
})

# IK501 / AK901, elements 717 / 715: acknowledgment codes of a 999.
ACK_CODES: Mapping[str, str] = _frozen({
    "A": "Accepted",
    "E": "Accepted But Errors Were Noted",
    "M": "Rejected, Message Authentication Code (MAC) Failed",
    "P": "Partially Accepted, At Least One Transaction Set Was Rejected",
    "R": "Rejected",
    "W": "Rejected, Assurance Failed Validity Tests",
    "X": "Rejected, Content After Decryption Could Not Be Analyzed",
})
ACK_REJECTED = frozenset({"M", "R", "W", "X"})

# IK502-IK506, element 718: Transaction Set Syntax Error Code.
TRANSACTION_SET_ERRORS: Mapping[str, str] = _frozen({
    "1": "Transaction Set Not Supported",
    "2": "Transaction Set Trailer Missing",
    "3": "Transaction Set Control Number in Header and Trailer Do Not Match",
    "4": "Number of Included Segments Does Not Match Actual Count",
    "5": "One or More Segments in Error",
    "6": "Missing or Invalid Transaction Set Identifier",
    "7": "Missing or Invalid Transaction Set Control Number",
    "8": "Authentication Key Name Unknown",
    "9": "Encryption Key Name Unknown",
    "10": "Requested Service (Authentication or Encrypted) Not Available",
    "11": "Unknown Security Recipient",
    "12": "Incorrect Message Length (Encryption Only)",
    "13": "Message Authentication Code Failed",
    "15": "Unknown Security Originator",
    "16": "Syntax Error in Decrypted Text",
    "17": "Security Not Supported",
    "18": "Transaction Set not in Functional Group",
    "19": "Invalid Transaction Set Implementation Convention Reference",
    "23": "Transaction Set Control Number Not Unique within the Functional Group",
    "24": "S3E Security End Segment Missing for S3S Security Start Segment",
    "25": "S3S Security Start Segment Missing for S3E Security End Segment",
    "26": "S4E Security End Segment Missing for S4S Security Start Segment",
    "27": "S4S Security Start Segment Missing for S4E Security End Segment",
    "I5": "Implementation One or More Segments in Error",
    "I6": "Implementation Convention Not Supported",
})

# AK905-AK909, element 716: Functional Group Syntax Error Code.
FUNCTIONAL_GROUP_ERRORS: Mapping[str, str] = _frozen({
    "1": "Functional Group Not Supported",
    "2": "Functional Group Version Not Supported",
    "3": "Functional Group Trailer Missing",
    "4": "Group Control Number in the Functional Group Header and Trailer Do Not Agree",
    "5": "Number of Included Transaction Sets Does Not Match Actual Count",
    "6": "Group Control Number Violates Syntax",
    "10": "Authentication Key Name Unknown",
    "11": "Encryption Key Name Unknown",
    "12": "Requested Service (Authentication or Encryption) Not Available",
    "13": "Unknown Security Recipient",
    "14": "Unknown Security Originator",
    "15": "Syntax Error in Decrypted Text",
    "16": "Security Not Supported",
    "17": "Incorrect Message Length (Encryption Only)",
    "18": "Message Authentication Code Failed",
    "19": "Functional Group Control Number not Unique within Interchange",
    "23": "S3E Security End Segment Missing for S3S Security Start Segment",
    "24": "S3S Security Start Segment Missing for S3E Security End Segment",
    "25": "S4E Security End Segment Missing for S4S Security Start Segment",
    "26": "S4S Security Start Segment Missing for S4E Security End Segment",
})

# IK304, element 620: Implementation Segment Syntax Error Code.
SEGMENT_ERRORS: Mapping[str, str] = _frozen({
    "1": "Unrecognized segment ID",
    "2": "Unexpected segment",
    "3": "Required Segment Missing",
    "4": "Loop Occurs Over Maximum Times",
    "5": "Segment Exceeds Maximum Use",
    "6": "Segment Not in Defined Transaction Set",
    "7": "Segment Not in Proper Sequence",
    "8": "Segment Has Data Element Errors",
    "I4": "Implementation \"Not Used\" Segment Present",
    "I6": "Implementation Dependent Segment Missing",
    "I7": "Implementation Loop Occurs Under Minimum Times",
    "I8": "Implementation Segment Below Minimum Use",
    "I9": "Implementation Dependent \"Not Used\" Segment Present",
})

# IK403, element 621: Implementation Data Element Syntax Error Code.
ELEMENT_ERRORS: Mapping[str, str] = _frozen({
    "1": "Required Data Element Missing",
    "2": "Conditional Required Data Element Missing",
    "3": "Too Many Data Elements",
    "4": "Data Element Too Short",
    "5": "Data Element Too Long",
    "6": "Invalid Character In Data Element",
    "7": "Invalid Code Value",
    "8": "Invalid Date",
    "9": "Invalid Time",
    "10": "Exclusion Condition Violated",
    "12": "Too Many Repetitions",
    "13": "Too Many Components",
    "I6": "Code Value Not Used in Implementation",
    "I9": "Implementation Dependent Data Element Missing",
    "I10": "Implementation \"Not Used\" Data Element Present",
    "I11": "Implementation Too Few Repetitions",
    "I12": "Implementation Pattern Match Failure",
    "I13": "Implementation Dependent \"Not Used\" Data Element Present",
})


def aaa_error(loop: str, valid: str, reject_code: str, follow_up: str | None) -> RequestError:
    """A RequestError as an AAA segment would read (AAA01 ``valid`` is "Y" or "N").

    The one function in this data module: builders (sandbox payer, fake payers) make AAAs
    from codes, and the descriptions and retry class must be the reader's own.
    """
    from verifier.x12.retry import request_error  # retry imports these tables

    return request_error(loop, valid == "Y", reject_code, follow_up)
