"""Build the fictional demo directory: seed_data/demo_directory.json.

Run from the repository root:  python seed_data/build_demo.py

Everything here is invented. Organisation and service names start with
"Example", "Sample" or "Demo"; web and email addresses are on example.org;
phone numbers come only from ranges reserved for fiction (Ofcom drama numbers,
North American 555-01xx, ACMA drama numbers); street names are made up.

The output is HSDS 3.0 (organization -> locations / services ->
service_at_locations -> schedules) plus our extension fields:
  location.time_zone, location.confidential,
  service.vetting_status, service.last_verified_at.

Stdlib only and deterministic: ids are uuid5 of stable keys, dates are offsets
from REFERENCE_DATE, so re-running gives byte-identical output.
"""

import datetime
import json
import pathlib
import uuid

NAMESPACE = uuid.UUID("0c8a4b1e-51d7-4c52-9f3e-1a2b3c4d5e6f")
REFERENCE_DATE = datetime.date(2026, 11, 29)
ASSURER_EMAIL = "vetting@directory.example.org"

HERE = pathlib.Path(__file__).resolve().parent
OUTPUT = HERE / "demo_directory.json"
TAXONOMY_FILES = [HERE / "taxonomies" / "categories.json", HERE / "taxonomies" / "access_safety.json"]

# city key: (city, state_province, region, country, IANA time zone)
CITIES = {
    "london": ("London", "England", "Greater London", "GB", "Europe/London"),
    "manchester": ("Manchester", "England", "Greater Manchester", "GB", "Europe/London"),
    "glasgow": ("Glasgow", "Scotland", None, "GB", "Europe/London"),
    "toronto": ("Toronto", "Ontario", None, "CA", "America/Toronto"),
    "newyork": ("New York", "New York", None, "US", "America/New_York"),
    "sydney": ("Sydney", "New South Wales", None, "AU", "Australia/Sydney"),
    "melbourne": ("Melbourne", "Victoria", None, "AU", "Australia/Melbourne"),
}
CURRENCY = {"GB": "GBP", "CA": "CAD", "US": "USD", "AU": "AUD"}

LANGUAGES = {
    "en": "English", "es": "Spanish", "pt": "Portuguese", "ro": "Romanian", "th": "Thai",
    "zh": "Chinese", "pl": "Polish", "bg": "Bulgarian", "vi": "Vietnamese", "ko": "Korean",
    "fr": "French", "it": "Italian", "sq": "Albanian", "lt": "Lithuanian", "ur": "Urdu",
    "so": "Somali", "sk": "Slovak", "tl": "Tagalog", "ht": "Haitian Creole",
}

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DAY_NAMES = dict(zip(DAYS, ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]))

# --- Service areas (GeoJSON; exterior rings counter-clockwise, [lng, lat]) ------------

# Coarse outline of Great Britain and Northern Ireland (leaves out Dublin).
UK_POLYGON = {"type": "Polygon", "coordinates": [[
    [-6.5, 49.85], [1.8, 51.0], [1.9, 52.9], [0.3, 53.6], [-1.5, 55.9], [-1.7, 57.7],
    [-0.7, 60.9], [-7.8, 58.6], [-7.6, 56.7], [-6.3, 55.4], [-8.2, 55.3], [-8.2, 54.0],
    [-6.0, 54.0], [-4.8, 53.45], [-5.4, 51.8], [-6.5, 49.85],
]]}
# Coarse outline of mainland Australia and Tasmania.
AU_POLYGON = {"type": "Polygon", "coordinates": [[
    [114.9, -34.5], [117.9, -35.2], [123.5, -34.0], [131.0, -31.6], [137.5, -36.0],
    [140.5, -38.2], [144.5, -40.7], [145.0, -43.8], [148.5, -43.3], [148.4, -40.5],
    [150.0, -37.6], [153.7, -28.6], [153.6, -24.5], [146.0, -18.0], [145.3, -14.5],
    [142.6, -10.6], [141.5, -12.5], [136.6, -11.8], [130.0, -11.0], [129.0, -15.0],
    [122.0, -16.8], [113.5, -21.8], [113.1, -26.0], [114.9, -34.5],
]]}
# Circle: 8 km around Piccadilly Gardens, Manchester.
MANCHESTER_CIRCLE = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [-2.236952, 53.480948]},
    "properties": {"radius_km": 8},
}
# Hunts Point, Mott Haven and Port Morris (South Bronx).
SOUTH_BRONX_POLYGON = {"type": "Polygon", "coordinates": [[
    [-73.933, 40.799], [-73.871, 40.803], [-73.868, 40.825], [-73.902, 40.837],
    [-73.929, 40.825], [-73.933, 40.799],
]]}
# Kings Cross, Darlinghurst, Surry Hills, Woolloomooloo and Redfern (inner Sydney).
INNER_SYDNEY_POLYGON = {"type": "Polygon", "coordinates": [[
    [151.200, -33.900], [151.230, -33.898], [151.232, -33.870], [151.215, -33.865],
    [151.200, -33.875], [151.200, -33.900],
]]}

AREA_UK = ("United Kingdom", "Anyone in England, Scotland, Wales or Northern Ireland.", UK_POLYGON)
AREA_AU = ("Australia", "Anyone in any Australian state or territory.", AU_POLYGON)

FREE = [("Free", 0, "Free of charge.")]


def loc(slug, city, name, about, lat, lng, street, postcode, *, street2=None, region=None,
        transport=None, step_free=True, access=None, confidential=False):
    """One physical location (compact row)."""
    return {"slug": slug, "city": city, "name": name, "about": about, "lat": lat, "lng": lng,
            "street": street, "street2": street2, "postcode": postcode, "region": region,
            "transport": transport, "step_free": step_free, "access": access,
            "confidential": confidential}


def org(**row):
    """One organisation: slug, city (home city; sets the currency), domain, name, about,
    optional alt and phones, locations [loc(...)], services [svc(...)]."""
    return row


def svc(**row):
    """One service; keys are described above ORGANIZATIONS."""
    return row


# --- The directory -------------------------------------------------------------------
# Service keys: slug, name, about, cats (category codes), access (access & safety codes),
# langs, phones [(number, type, description[, languages])], sites [(location slug,
# description, [hours])] or hours [..] + area for phone-only / outreach services,
# cost [(option, amount, description)] (default free), days (days since last verified),
# vet (default "vetted"), and optional apply / who / fees / interp / min_age / alt /
# status / alert / mailbox (email local part, default "info") /
# contacts [(name, title, email local part)].
# Hours: "MO-FR 09:30-17:00" or "TU,TH 18:00-21:00 | note"; "MO-SU 00:00-00:00" = 24 hours;
# closes before opens = overnight (e.g. "FR,SA 22:00-06:00").

ORGANIZATIONS = [
    # ======================================================== London
    org(
        slug="lon-clinic", city="london", domain="clinic-soho.example.org",
        name="Example Sexual Health Clinics (Soho & Hackney)", alt="Example SHC",
        about="A fictional NHS-style sexual health service with two central London clinics and dedicated sessions for sex workers.",
        phones=[("+44 20 7946 0100", "voice", "Main switchboard")],
        locations=[
            loc("lon-soho", "london", "Example Sexual Health Clinic (Soho)",
                "Ground-floor clinic with a separate, discreet side entrance.",
                51.513476, -0.133561, "27 Example Street", "W1D 3QE", street2="Soho",
                transport="Tottenham Court Road (Central, Northern and Elizabeth lines) or Leicester Square, 5 minutes' walk.",
                access="Level entrance on the side street, lift to all floors and an accessible toilet."),
            loc("lon-hackney", "london", "Example Sexual Health Clinic (Hackney)",
                "Clinic on the first floor of a community health centre.",
                51.545812, -0.055903, "140 Sample Road", "E8 1EJ", street2="Hackney",
                transport="Hackney Central (Overground), 4 minutes' walk; buses 38, 55 and 254.",
                access="Lift from the main entrance and an accessible toilet on every floor."),
        ],
        services=[
            svc(slug="lon-soho-dropin", name="Example Sexual Health Clinic (Soho)", alt="Soho sex worker drop-in",
                 about="Drop-in sexual health clinic for sex workers of all genders; no name or ID needed; testing is always your choice. Full STI screening and treatment, hepatitis B vaccination, condoms and lube, and self-sampling kits to take away. Staff understand sex work and will never ask you to stop.",
                 cats=["sexual-health", "hiv"],
                 access=["anonymous", "no-id-required", "no-mandatory-testing", "free", "walk-in", "trans-inclusive", "interpreters", "wheelchair-accessible"],
                 langs="en pt ro es th",
                 interp="Portuguese, Romanian, Spanish and Thai interpreters in person on Wednesdays; telephone interpreters in any language at other times, arranged while you wait.",
                 apply="Walk in and give any name you like at reception. You'll be seen in order of arrival, usually within an hour.",
                 who="Anyone who sells or trades sex, of any gender, and their partners. No GP registration, address or ID needed.",
                 phones=[("+44 20 7946 0112", "voice", "Reception: book, ask about results or just ask a question"),
                         ("+44 20 7946 0812", "text", "Text for results and reminders; replies within one working day")],
                 sites=[("lon-soho", "Walk-in sessions; arrive at least 30 minutes before closing to be seen",
                         ["MO,TU,TH,FR 10:00-18:00", "WE 12:00-20:00 | late clinic, interpreters on site"])],
                 days=14),
            svc(slug="lon-evening-clinic", name="Example Evening Clinic for Sex Workers",
                 about="Evening sexual health and contraception clinic for sex workers: Soho on Tuesdays, Hackney on Thursdays. Book a slot or drop in for STI tests and treatment, contraception including implants and coils, emergency contraception and pregnancy tests. Everything is optional and confidential.",
                 cats=["sexual-health", "contraception-abortion"],
                 access=["anonymous", "no-id-required", "no-mandatory-testing", "free", "walk-in", "trans-inclusive", "wheelchair-accessible"],
                 langs="en ro pl bg",
                 apply="Drop in, or book a slot by phone or email. You can use any name.",
                 phones=[("+44 20 7946 0113", "voice", "Evening clinic bookings (daytime line, Monday to Friday)")],
                 sites=[("lon-soho", "Tuesday evening session at Soho", ["TU 18:00-21:00 | evening clinic"]),
                        ("lon-hackney", "Thursday evening session at Hackney", ["TH 18:00-21:00 | evening clinic"])],
                 contacts=[("Evening clinic lead nurse", "Clinical nurse specialist", "evenings")],
                 days=31),
            svc(slug="lon-prep-pep", name="Example PrEP & PEP Service (Soho)",
                 about="HIV prevention for sex workers: free PrEP (the pill that stops HIV), PEP after a condom breaks or a bad date, and HIV tests with results in 20 minutes. If you need PEP outside these hours, go to any A&E within 72 hours; the sooner the better.",
                 cats=["hiv"],
                 access=["anonymous", "no-id-required", "no-immigration-checks", "no-mandatory-testing", "free", "walk-in", "wheelchair-accessible"],
                 langs="en pt es",
                 apply="Walk in. For PEP tell reception it's urgent and you'll be seen first. Repeat PrEP can be collected without an appointment.",
                 who="Anyone who sells or trades sex, of any gender. You don't need to be registered with a GP or show proof of address or immigration status.",
                 phones=[("+44 20 7946 0114", "voice", "PrEP and PEP nurse line")],
                 sites=[("lon-soho", "PrEP and PEP in the same building as the Soho drop-in", ["MO-FR 10:00-18:00"])],
                 days=9),
        ],
    ),
    org(
        slug="lon-streetlegal", city="london", domain="streetlegal.example.org",
        name="Sample Street Legal Project", alt="SSLP",
        about="A fictional law centre giving free, confidential legal help to sex workers in London: arrests, immigration, money and rights at work.",
        locations=[
            loc("lon-holborn", "london", "Sample Street Legal Project office",
                "Second-floor office; ask for the legal project at the front desk.",
                51.517693, -0.118924, "3 Demo Court", "WC1V 6PB", street2="Holborn",
                transport="Holborn (Central and Piccadilly lines), 2 minutes' walk.",
                access="Level entrance and a lift to the second floor; accessible toilet."),
        ],
        services=[
            svc(slug="lon-legal-defence", name="Sample Police Station & Court Help",
                 about="Arrested, given a police notice, or asked to come in for an interview? Our solicitors represent sex workers at police stations and in court, free of charge. We explain your options plainly and never judge. Keep our number in your phone.",
                 cats=["criminal-defence", "know-your-rights"],
                 access=["no-police-sharing", "no-immigration-checks", "free", "trans-inclusive", "wheelchair-accessible"],
                 langs="en ro pt",
                 apply="Ring the office to book. If you are arrested, ask the custody sergeant to call our solicitor by name: free legal advice at the police station is your right.",
                 who="Sex workers of any gender in London, whether you work on the street, in a flat, online or in a parlour.",
                 phones=[("+44 20 7946 0231", "voice", "Office line for appointments"),
                         ("+44 20 7946 0831", "voice", "Out-of-hours solicitor for police station emergencies, answered 24 hours")],
                 sites=[("lon-holborn", "Appointments at our Holborn office", ["MO-FR 09:30-17:30"])],
                 days=45),
            svc(slug="lon-legal-immigration", name="Sample Migrant Sex Workers' Legal Clinic",
                 about="Free, confidential immigration advice from accredited advisers who understand sex work: visas, settled status, asylum, and protections for people who have been trafficked or exploited. We talk through the options and you decide what happens next. We never report anyone to the Home Office.",
                 cats=["immigration-advice", "legal-advice"],
                 access=["anonymous", "no-immigration-checks", "no-police-sharing", "interpreters", "free", "walk-in", "wheelchair-accessible"],
                 langs="en pt ro bg th es sq",
                 interp="Interpreters in person or by phone in any language at no cost; tell us when you book.",
                 apply="Book by phone or drop in on Thursday evenings. The first conversation can be anonymous; if you want us to act for you we need a name, and it stays with us.",
                 who="Migrant sex workers of any gender, whatever your immigration status.",
                 phones=[("+44 20 7946 0232", "voice", "Immigration clinic bookings")],
                 sites=[("lon-holborn", "Immigration clinic at our Holborn office",
                         ["TU,TH 10:00-16:00 | appointments", "TH 17:00-19:00 | drop-in questions, no appointment needed"])],
                 days=63),
            svc(slug="lon-legal-money", name="Sample Money, Tax & Benefits Advice",
                 about="Help with the money side of sex work: registering as self-employed, tax returns, Universal Credit, debts, and bank accounts that have been closed on you. Advisers won't ask you to change how you work.",
                 cats=["employment-benefits-rights"],
                 access=["no-police-sharing", "no-immigration-checks", "free", "wheelchair-accessible"],
                 langs="en pl ro",
                 phones=[("+44 20 7946 0233", "voice", "Money advice line, Monday, Wednesday and Friday")],
                 sites=[("lon-holborn", "Money advice appointments", ["MO,WE,FR 10:00-16:00"])],
                 days=88),
        ],
    ),
    org(
        slug="lon-collective", city="london", domain="collective-london.example.org",
        name="Demo Sex Worker Collective (London)",
        about="A fictional peer-led collective run by and for sex workers in London: a drop-in, rights workshops and support after violence.",
        locations=[
            loc("lon-kingscross", "london", "Demo Collective drop-in space",
                "Basement community room under a shared workspace; ring the bell marked 'Collective'.",
                51.531405, -0.120437, "61 Mock Lane", "N1 9DX", street2="King's Cross",
                transport="King's Cross St Pancras (six Underground lines and national rail), 6 minutes' walk.",
                step_free=False, access="Twelve steps down to the basement with a handrail; no lift. We can meet you at a step-free café nearby instead."),
        ],
        services=[
            svc(slug="lon-collective-dropin", name="Demo Peer Drop-in (King's Cross)",
                 about="A relaxed drop-in run by sex workers for sex workers: tea, hot food, condoms, phone charging and people who get it. Monthly 'know your rights' workshops cover police stops, searches and working together safely.",
                 cats=["know-your-rights", "mental-health"],
                 access=["peer-led", "anonymous", "no-id-required", "no-police-sharing", "free", "walk-in", "trans-inclusive"],
                 langs="en ro pt",
                 phones=[("+44 20 7946 0301", "voice", "Drop-in phone, answered during sessions")],
                 sites=[("lon-kingscross", "Peer drop-in",
                         ["WE 17:00-21:00 | evening drop-in",
                          "SA 13:00-17:00 | weekend drop-in; rights workshop on the first Saturday of the month"])],
                 days=22),
            svc(slug="lon-collective-violence", name="Demo Bad Date Reporting & Support",
                 about="If a client, partner or anyone else has hurt, robbed or threatened you, we can help you warn other workers anonymously, get medical care and, only if you want to, report to the police with a peer advocate beside you. Your choice at every step.",
                 cats=["report-violence"],
                 access=["peer-led", "anonymous", "no-police-sharing", "no-immigration-checks", "free", "phone-online", "trans-inclusive"],
                 langs="en ro pt bg",
                 apply="Text the report line any time, or come and meet an advocate. You don't have to give your name to warn others.",
                 phones=[("+44 20 7946 0801", "text", "Text to report a bad date or ask for an advocate; replies the same day"),
                         ("+44 20 7946 0302", "voice", "Advocate line")],
                 sites=[("lon-kingscross", "Meet an advocate at the drop-in space", ["MO,WE,FR 11:00-17:00"])],
                 days=17),
        ],
    ),
    org(
        slug="lon-safehousing", city="london", domain="safehousing-london.example.org",
        name="Example Women's Safe Housing (London)",
        about="A fictional housing charity offering refuge and housing advice to women who sell sex, including trans women.",
        locations=[
            loc("lon-lewisham-refuge", "london", "Example Safe House (South London)",
                "Refuge at a confidential address. Never shown publicly; staff arrange a safe place to meet first.",
                51.457214, -0.010936, "9 Placeholder Gardens", "SE13 5AB", street2="Lewisham",
                access="Ground-floor bedroom with level access and an accessible shower room.",
                confidential=True),
            loc("lon-brixton", "london", "Example Housing Advice Centre (Brixton)",
                "Shopfront advice centre on a busy high street.",
                51.462947, -0.114318, "88 Template Road", "SW9 8PS", street2="Brixton",
                transport="Brixton (Victoria line), 3 minutes' walk; many buses.",
                access="Level entrance, ground-floor interview rooms and an accessible toilet."),
        ],
        services=[
            svc(slug="lon-refuge", name="Example Safe House (South London)",
                 about="A women-only refuge for women who sell sex and are escaping violence, exploitation or an abusive partner, including trans women. Private rooms, a key worker, and help to plan what's next. You don't need to stop working or have recourse to public funds to be considered. The address is confidential and only shared once a place is agreed.",
                 cats=["refuge"],
                 access=["women-only", "trans-inclusive", "no-police-sharing", "no-immigration-checks", "free", "wheelchair-accessible"],
                 langs="en ro pt es", min_age=18,
                 apply="Call the referral line any time, day or night. A worker will talk through your situation and, if we have a room, arrange a safe place to meet you. Self-referrals are welcome.",
                 who="Women aged 18 or over, including trans women, who sell or have sold sex and need a safe place to stay. No recourse to public funds is not a barrier to being considered.",
                 phones=[("+44 20 7946 0404", "voice", "Referral line, answered 24 hours; you can refer yourself")],
                 sites=[("lon-lewisham-refuge", "Refuge at a confidential address, staffed around the clock", ["MO-SU 00:00-00:00"])],
                 contacts=[("Duty worker", "Refuge duty worker", "duty")],
                 days=52),
            svc(slug="lon-housing-advice", name="Example Housing Advice Surgery (Brixton)",
                 about="Drop-in housing advice for women who sell sex: homelessness applications, problems with landlords, eviction notices and getting deposits back. An adviser can come with you to the council.",
                 cats=["housing-advice"],
                 access=["women-only", "trans-inclusive", "no-id-required", "free", "walk-in", "wheelchair-accessible"],
                 langs="en es pt",
                 who="Women, including trans women, who sell or trade sex.",
                 phones=[("+44 20 7946 0405", "voice", "Housing advice line")],
                 sites=[("lon-brixton", "Housing advice drop-in",
                         ["MO,TH 10:00-16:00", "TU 16:00-19:00 | late session"])],
                 days=76),
        ],
    ),
    org(
        slug="lon-harmreduction", city="london", domain="harmreduction-e1.example.org",
        name="Example Harm Reduction Hub (Whitechapel)",
        about="A fictional harm-reduction and health hub in East London for people who use drugs and people who sell sex.",
        locations=[
            loc("lon-whitechapel", "london", "Example Harm Reduction Hub",
                "Hub with a needle exchange counter, a clinic room and a quiet lounge.",
                51.518946, -0.061211, "15 Specimen Street", "E1 1DU", street2="Whitechapel",
                transport="Whitechapel (District, Hammersmith & City, Overground and Elizabeth lines), 3 minutes' walk.",
                access="Level entrance, wide doors and an accessible toilet with a sharps bin."),
        ],
        services=[
            svc(slug="lon-hr-dropin", name="Example Harm Reduction Drop-in",
                 about="Needle and syringe exchange, foil, naloxone training and kits, drug-checking advice and wound care, with no lectures. Workers can help you get onto a script quickly if you want one, and will never make it a condition of anything else.",
                 cats=["harm-reduction"],
                 access=["anonymous", "no-id-required", "no-police-sharing", "free", "walk-in", "trans-inclusive", "wheelchair-accessible"],
                 langs="en pl ro lt",
                 phones=[("+44 20 7946 0510", "voice", "Hub reception")],
                 sites=[("lon-whitechapel", "Harm reduction drop-in",
                         ["MO-FR 10:00-16:00", "SA 12:00-15:00 | needle exchange only"])],
                 days=5),
            svc(slug="lon-hr-nurse", name="Example Nurse Clinic for Street-based Workers",
                 about="A nurse and a GP see people who sell sex on the street, no appointment needed: wound care, infections, blood tests, hepatitis C treatment, and help registering with a GP. In England you don't need proof of address or ID to register.",
                 cats=["primary-care", "harm-reduction"],
                 access=["anonymous", "no-id-required", "no-immigration-checks", "no-mandatory-testing", "free", "walk-in", "wheelchair-accessible"],
                 langs="en pl",
                 phones=[("+44 20 7946 0511", "voice", "Clinic room, during sessions")],
                 sites=[("lon-whitechapel", "Nurse and GP sessions in the hub's clinic room", ["TU,TH 13:00-17:00"])],
                 days=28),
        ],
    ),
    org(
        slug="lon-nightcafe", city="london", domain="nightcafe-camden.example.org",
        name="Example Night Café (Camden)",
        about="A fictional overnight café and emergency bed service in North London.",
        locations=[
            loc("lon-camden", "london", "Example Night Café",
                "Café on the ground floor with a rest room and showers upstairs.",
                51.538712, -0.141964, "204 Sample Parade", "NW1 7HJ", street2="Camden Town",
                transport="Camden Town (Northern line), 4 minutes' walk; night buses N5, N20 and N253.",
                step_free=False, access="Two steps at the front door; ring the bell and staff will bring a portable ramp. Showers and beds are upstairs with no lift."),
        ],
        services=[
            svc(slug="lon-night-shelter", name="Example Night Café & Emergency Beds",
                 about="An overnight space for anyone who sells sex and needs somewhere safe to be: hot food, showers, a quiet room to sleep and six emergency beds allocated on the night. No questions about why you're out, and you can come and go.",
                 cats=["emergency-accommodation"],
                 access=["anonymous", "no-id-required", "no-immigration-checks", "no-police-sharing", "walk-in", "trans-inclusive"],
                 langs="en pt ro",
                 cost=[("Free", 0, "Beds, showers and drinks are free."),
                       ("Hot meal", 1, "£1 for a hot meal if you can; nobody is turned away.")],
                 fees="Beds, showers and drinks are free. Hot meals are £1 if you can afford it; nobody is turned away for not paying.",
                 apply="Come to the door from 22:00. Beds are given out on the night, first come first served; call to ask how many are left.",
                 phones=[("+44 20 7946 0620", "voice", "Night café phone, answered 22:00 to 06:00; ask if beds are free")],
                 sites=[("lon-camden", "Night café; beds allocated from 22:00",
                         ["MO-SU 22:00-06:00"])],
                 days=11),
        ],
    ),
    org(
        slug="lon-transhealth", city="london", domain="transhealth.example.org",
        name="Example Trans Health Collective",
        about="A fictional community clinic for trans and non-binary people in West London, with services shaped by trans sex workers.",
        locations=[
            loc("lon-earlscourt", "london", "Example Trans Health Collective clinic",
                "Clinic and counselling rooms in a converted town house.",
                51.491946, -0.193671, "42 Model Road", "SW5 9AD", street2="Earl's Court",
                transport="Earl's Court (District and Piccadilly lines), 4 minutes' walk.",
                access="Ramp at the front, platform lift to the counselling rooms and an accessible toilet."),
        ],
        services=[
            svc(slug="lon-trans-care", name="Example Gender-affirming Care Clinic",
                 about="Gender-affirming care for trans and non-binary sex workers: bridging hormone prescriptions while you're on a waiting list, blood monitoring, help with safer use of hormones you already take, and referrals that don't depend on what you do for work.",
                 cats=["gender-affirming-care"],
                 access=["trans-inclusive", "no-id-required", "no-immigration-checks", "no-police-sharing", "free", "wheelchair-accessible"],
                 langs="en es pt",
                 apply="Book by phone or email. Bring any hormones you're currently using, or a list, so we can check doses together.",
                 who="Trans and non-binary people aged 16 or over; sex workers are prioritised.",
                 phones=[("+44 20 7946 0707", "voice", "Clinic bookings")],
                 sites=[("lon-earlscourt", "Clinic by appointment",
                         ["MO,WE 10:00-17:00", "WE 17:00-20:00 | evening appointments"])],
                 days=34),
            svc(slug="lon-trans-counselling", name="Example Counselling for Trans & Non-binary Sex Workers",
                 about="Up to 12 free counselling sessions with therapists who are trans or non-binary themselves and understand sex work, in person or by video. We talk about what you want to talk about.",
                 cats=["mental-health"],
                 access=["trans-inclusive", "no-police-sharing", "free", "phone-online", "wheelchair-accessible"],
                 langs="en",
                 apply="Email to ask for a first session; we reply within a week and offer in-person or video appointments.",
                 who="Trans and non-binary people who sell or trade sex, aged 18 or over.",
                 sites=[("lon-earlscourt", "Counselling rooms at the clinic; video sessions also available", ["TU,TH 11:00-19:00"])],
                 vet="pending", days=6),
        ],
    ),
    org(
        slug="uk-helpline", city="london", domain="helpline-uk.example.org",
        name="Sample National Sex Worker Helpline (UK)",
        about="A fictional national charity running phone and text lines for sex workers across the UK.",
        locations=[],
        services=[
            svc(slug="uk-helpline-24h", name="Sample National Sex Worker Helpline",
                 about="A free, confidential helpline for sex workers anywhere in the UK, open 24 hours. Talk to a trained worker (many have done sex work themselves) about a bad date, a health worry, housing, money or just a hard night. We can find vetted local services and stay on the line while you decide what to do.",
                 cats=["mental-health", "report-violence"],
                 access=["anonymous", "phone-online", "peer-led", "no-police-sharing", "no-immigration-checks", "free", "trans-inclusive", "interpreters"],
                 langs="en ro pt pl bg th es",
                 interp="Telephone interpreters in over 100 languages: say the language you'd like, in English, and hold.",
                 apply="Call or text any time. You don't have to give your name or say where you are.",
                 phones=[("+44 808 157 0123", "voice", "Freephone, 24 hours; free from mobiles and doesn't show on most bills", "en ro pt pl bg th es"),
                         ("+44 20 7946 0823", "text", "Text line, 24 hours", "en ro pt")],
                 hours=["MO-SU 00:00-00:00"], area=AREA_UK,
                 days=3),
            svc(slug="uk-legal-line", name="Sample Sex Work Legal Advice Line",
                 about="Free legal advice by phone from solicitors who work with sex workers: police, court, immigration, landlords, benefits and tax. If you need someone to act for you, we'll refer you to a vetted local lawyer.",
                 cats=["legal-advice", "know-your-rights"],
                 access=["anonymous", "phone-online", "no-police-sharing", "no-immigration-checks", "free"],
                 langs="en",
                 apply="Call during opening hours. You can ask a question without giving your name.",
                 phones=[("+44 808 157 0124", "voice", "Freephone legal advice line")],
                 hours=["MO-FR 10:00-18:00", "WE 18:00-20:00 | late line"], area=AREA_UK,
                 days=98),
        ],
    ),
    # ======================================================== Manchester
    org(
        slug="man-clinic", city="manchester", domain="sexualhealth-mcr.example.org",
        name="Example Manchester Sexual Health Service",
        about="A fictional sexual and community health service with clinics in the city centre and Moss Side.",
        locations=[
            loc("man-nq", "manchester", "Example Sexual Health Drop-in (Northern Quarter)",
                "City-centre clinic above a row of shops; the entrance is on the side street.",
                53.483942, -2.235612, "18 Example Street", "M4 1LE", street2="Northern Quarter",
                transport="Shudehill Interchange (Metrolink and buses), 3 minutes' walk.",
                access="Level entrance on the side street and a lift; accessible toilet."),
            loc("man-mossside", "manchester", "Example Community Health Clinic (Moss Side)",
                "Community health centre next to the leisure centre car park.",
                53.459384, -2.247651, "73 Demo Road", "M14 4PX", street2="Moss Side",
                transport="Buses 85 and 86 stop outside.",
                access="Automatic doors, level access throughout and an accessible toilet."),
        ],
        services=[
            svc(slug="man-nq-clinic", name="Example Sexual Health Drop-in (Northern Quarter)",
                 about="Walk-in sexual health clinic with a dedicated sex worker session every weekday afternoon: STI tests and treatment, contraception, emergency contraception, and pregnancy options including referral for abortion care. Use any name; testing is only ever your decision.",
                 cats=["sexual-health", "contraception-abortion"],
                 access=["anonymous", "no-id-required", "no-mandatory-testing", "free", "walk-in", "trans-inclusive", "wheelchair-accessible"],
                 langs="en ro pl ur",
                 phones=[("+44 161 496 0210", "voice", "Clinic reception"),
                         ("+44 161 496 0810", "text", "Text for results")],
                 sites=[("man-nq", "Sex worker sessions at the Northern Quarter clinic",
                         ["MO-FR 13:00-17:00", "SA 10:00-13:00 | walk-in"])],
                 days=19),
            svc(slug="man-mossside-health", name="Example Community Health Clinic (Moss Side)",
                 about="A nurse-led clinic for everyday health (infections, vaccinations, blood pressure, repeat prescriptions) and HIV care, with HIV tests and same-day PrEP. No need to be registered with a GP.",
                 cats=["primary-care", "hiv"],
                 access=["no-id-required", "no-immigration-checks", "no-mandatory-testing", "free", "walk-in", "wheelchair-accessible"],
                 langs="en ur so",
                 phones=[("+44 161 496 0211", "voice", "Clinic reception")],
                 sites=[("man-mossside", "Nurse-led clinic", ["MO,TU,TH 09:00-17:00", "WE 12:00-19:00"])],
                 days=240),
        ],
    ),
    org(
        slug="man-outreach", city="manchester", domain="outreach-mcr.example.org",
        name="Demo Manchester Outreach Collective",
        about="A fictional peer-led outreach project for sex workers in Manchester, with a night van and a drop-in space in Ancoats.",
        locations=[
            loc("man-ancoats", "manchester", "Demo Outreach Collective drop-in",
                "Ground-floor unit in a converted mill.",
                53.484519, -2.226003, "Unit 5, Sample Mill", "M4 6DE", street2="12 Mock Street, Ancoats",
                transport="New Islington (Metrolink), 5 minutes' walk.",
                access="Level access from the courtyard and an accessible toilet."),
        ],
        services=[
            svc(slug="man-outreach-van", name="Demo Night Outreach Van (Manchester)",
                 about="Our van is out three nights a week across central Manchester with peer workers, a nurse on Thursdays, hot drinks, condoms, needles and naloxone, and a safe place to sit for ten minutes. Text to find out where we'll be tonight.",
                 cats=["harm-reduction", "sexual-health"],
                 access=["outreach", "peer-led", "anonymous", "no-id-required", "no-police-sharing", "free", "trans-inclusive"],
                 langs="en ro pl",
                 apply="Look out for the van on its usual stops, or text to ask where it will be.",
                 phones=[("+44 161 496 0850", "text", "Text to find the van tonight; answered while the van is out")],
                 hours=["TU,TH,FR 21:00-02:00 | van on the road"],
                 area=("Central Manchester", "Within about 8 km of Piccadilly Gardens.", MANCHESTER_CIRCLE),
                 days=40),
            svc(slug="man-dropin", name="Demo Drop-in & Rights Advice (Ancoats)",
                 about="Daytime drop-in with a peer worker and a welfare rights adviser: benefits, tax, debts, and what to do if the police or your landlord come knocking.",
                 cats=["employment-benefits-rights", "know-your-rights"],
                 access=["peer-led", "anonymous", "no-id-required", "no-police-sharing", "free", "walk-in", "wheelchair-accessible"],
                 langs="en ro",
                 phones=[("+44 161 496 0251", "voice", "Drop-in phone")],
                 sites=[("man-ancoats", "Daytime drop-in", ["MO,WE 11:00-16:00"])],
                 days=57),
            svc(slug="man-peer-group", name="Demo Peer Support Group (Ancoats)",
                 about="A weekly evening group for sex workers to talk about stress, burnout, stigma and the good stuff too, facilitated by a peer worker with counselling training. Come when you like; you never have to speak.",
                 cats=["mental-health"],
                 access=["peer-led", "anonymous", "free", "walk-in", "trans-inclusive", "wheelchair-accessible"],
                 langs="en",
                 sites=[("man-ancoats", "Evening group in the drop-in space", ["TH 18:30-20:30"])],
                 days=33),
        ],
    ),
    org(
        slug="man-safestay", city="manchester", domain="safestay-mcr.example.org",
        name="Sample Safe Stay Manchester",
        about="A fictional housing project offering refuge, housing advice and move-on flats to sex workers of all genders in Manchester.",
        locations=[
            loc("man-canalst", "manchester", "Sample Safe Stay advice office",
                "Advice office above a café in the Village.",
                53.476951, -2.236214, "31 Placeholder Street", "M1 3HE", street2="Gay Village",
                transport="Piccadilly station, 5 minutes' walk; St Peter's Square (Metrolink), 8 minutes.",
                access="Lift from the street door; accessible toilet on the same floor."),
            loc("man-levenshulme-refuge", "manchester", "Sample Safe Stay refuge",
                "Refuge at a confidential address. Never shown publicly.",
                53.443617, -2.193528, "16 Template Avenue", "M19 3AB", street2="Levenshulme",
                step_free=False, access="Three steps to the front door; bedrooms on the first and second floors.",
                confidential=True),
            loc("man-cheetham", "manchester", "Sample Safe Stay move-on office",
                "Small office at the front of a housing block.",
                53.503812, -2.234917, "240 Specimen Road", "M8 8PE", street2="Cheetham Hill",
                transport="Buses 135 and 88 stop outside.",
                access="Level entrance and ground-floor office; accessible toilet."),
        ],
        services=[
            svc(slug="man-refuge", name="Sample Safe Stay Refuge (Manchester)",
                 about="A small refuge for sex workers of any gender escaping violence, exploitation or a dangerous place to live. Eight rooms, staff on site day and night, and support with health, benefits and next steps. Pets considered. Address confidential.",
                 cats=["refuge", "emergency-accommodation"],
                 access=["trans-inclusive", "no-id-required", "no-police-sharing", "no-immigration-checks", "free"],
                 langs="en ro pl", min_age=18,
                 apply="Call the referral line any time. We'll talk through what's happening and, if there's a room, arrange to meet you somewhere safe.",
                 who="Sex workers of any gender, aged 18 or over, who need a safe place to stay.",
                 phones=[("+44 161 496 0333", "voice", "Referral line, answered 24 hours")],
                 sites=[("man-levenshulme-refuge", "Refuge at a confidential address, staffed around the clock", ["MO-SU 00:00-00:00"])],
                 days=66),
            svc(slug="man-housing-advice", name="Sample Housing Advice (Canal Street)",
                 about="Advice on finding somewhere to live and keeping it: homelessness applications, private renting, deposits, and landlords who threaten you when they find out what you do for work. We can write to the council for you.",
                 cats=["housing-advice"],
                 access=["no-id-required", "no-police-sharing", "free", "walk-in", "trans-inclusive", "wheelchair-accessible"],
                 langs="en ro",
                 phones=[("+44 161 496 0334", "voice", "Advice line")],
                 sites=[("man-canalst", "Housing advice drop-in", ["TU,TH 10:00-16:00"])],
                 days=102),
            svc(slug="man-moveon", name="Sample Move-On Flats",
                 about="Supported flats for sex workers moving on from a refuge or from sleeping rough: your own tenancy, a support worker twice a week for up to two years, and no expectation that you stop working.",
                 cats=["supported-housing"],
                 access=["trans-inclusive", "no-police-sharing", "wheelchair-accessible"],
                 langs="en",
                 cost=[("Rent", 0, "Rent is usually covered in full by Housing Benefit or Universal Credit; we help with the claim."),
                       ("Weekly service charge", 10, "£10 a week towards heating and furniture.")],
                 fees="Rent is usually covered by Housing Benefit or Universal Credit. There is a £10 weekly service charge for heating and furniture.",
                 apply="Referral from our refuge, an outreach team or yourself: call to talk it through and arrange a viewing.",
                 phones=[("+44 161 496 0335", "voice", "Referrals and viewings")],
                 sites=[("man-cheetham", "Referrals and viewings at our Cheetham Hill office", ["MO-FR 09:00-17:00"])],
                 vet="suspended", days=35),
        ],
    ),
    org(
        slug="man-legal", city="manchester", domain="northernlegal.example.org",
        name="Example Northern Legal Advice Centre",
        about="A fictional community law centre in south Manchester with a criminal defence team and free evening advice.",
        locations=[
            loc("man-chorlton", "manchester", "Example Northern Legal Advice Centre",
                "Law centre on a parade of shops.",
                53.442197, -2.276834, "9 Model Parade", "M21 9HJ", street2="Chorlton",
                transport="Chorlton (Metrolink), 6 minutes' walk.",
                access="Level entrance, ground-floor interview rooms and an accessible toilet."),
        ],
        services=[
            svc(slug="man-legal-defence", name="Example Criminal Defence for Sex Workers (Manchester)",
                 about="Solicitors who will represent you if you're arrested or charged, including for offences linked to sex work such as loitering, or 'brothel-keeping' when two friends work together for safety. Free at the police station; legal aid available for court.",
                 cats=["criminal-defence"],
                 access=["no-police-sharing", "no-immigration-checks", "free", "wheelchair-accessible"],
                 langs="en",
                 fees="Free at the police station. At court, legal aid is means-tested; most people we represent pay nothing.",
                 phones=[("+44 161 496 0440", "voice", "Office, and police station line answered 24 hours")],
                 sites=[("man-chorlton", "Appointments", ["MO-FR 09:00-17:00"])],
                 vet="pending", days=4),
            svc(slug="man-legal-evenings", name="Example Legal Advice Evenings (Chorlton)",
                 about="Free evening drop-in with volunteer solicitors for any legal question: fines, family court, debts, immigration signposting, or being unfairly let go by a club or agency.",
                 cats=["legal-advice", "employment-benefits-rights"],
                 access=["anonymous", "no-police-sharing", "free", "walk-in", "wheelchair-accessible"],
                 langs="en",
                 phones=[("+44 161 496 0441", "voice", "Leave a message for the evening clinic")],
                 sites=[("man-chorlton", "Evening drop-in", ["TU 18:00-20:30"])],
                 days=71),
        ],
    ),
    # ======================================================== Glasgow
    org(
        slug="gla-womens", city="glasgow", domain="womensdropin-glasgow.example.org",
        name="Example Glasgow Women's Drop-in",
        about="A fictional day and night drop-in for women who sell sex in Glasgow, including trans women.",
        locations=[
            loc("gla-calton", "glasgow", "Example Women's Day Drop-in (Calton)",
                "Drop-in centre in a former church hall.",
                55.853946, -4.236127, "44 Example Street", "G40 2QH", street2="Calton",
                transport="Bridgeton station, 8 minutes' walk; buses 61 and 64.",
                step_free=False, access="Four steps at the main door; a side door with a ramp is opened on request."),
            loc("gla-anderston", "glasgow", "Example Night Drop-in (Anderston)",
                "Ground-floor night space with a kitchen and a rest room.",
                55.861534, -4.269076, "120 Demo Street", "G3 8DA", street2="Anderston",
                transport="Anderston station, 3 minutes' walk.",
                access="Level entrance and an accessible toilet."),
        ],
        services=[
            svc(slug="gla-day-dropin", name="Example Women's Day Drop-in (Calton)",
                 about="A daytime drop-in for women who sell sex, including trans women: showers, lunch, laundry, clothes, a nurse on Tuesdays for sexual health checks and contraception, and workers to help with whatever's going on.",
                 cats=["sexual-health", "harm-reduction"],
                 access=["women-only", "trans-inclusive", "anonymous", "no-id-required", "free", "walk-in"],
                 langs="en ro",
                 who="Women, including trans women, who sell or trade sex.",
                 status="temporarily closed",
                 alert="Temporarily closed for building repairs until 12 January 2027. The night drop-in in Anderston is open as usual, and the drop-in phone and text line are still answered during normal hours.",
                 phones=[("+44 141 496 0520", "voice", "Drop-in phone (still answered during the closure)"),
                         ("+44 141 496 0820", "text", "Text line")],
                 sites=[("gla-calton", "Day drop-in",
                         ["MO,WE,TH,FR 10:00-15:00", "TU 10:00-15:00 | nurse on site for sexual health and contraception"])],
                 days=12),
            svc(slug="gla-night-dropin", name="Example Night Drop-in (Anderston)",
                 about="An overnight drop-in for women working at night: a warm room, hot food, condoms, needles and naloxone, somewhere to charge your phone, and a worker who can help if something has gone wrong. Sleep on the sofas if you need to.",
                 cats=["emergency-accommodation", "harm-reduction"],
                 access=["women-only", "trans-inclusive", "anonymous", "no-id-required", "no-police-sharing", "free", "walk-in", "wheelchair-accessible"],
                 langs="en ro",
                 who="Women, including trans women, who sell or trade sex.",
                 phones=[("+44 141 496 0521", "voice", "Night drop-in phone, 22:00 to 06:00")],
                 sites=[("gla-anderston", "Night drop-in", ["TH,FR,SA,SU 22:00-06:00"])],
                 days=25),
        ],
    ),
    org(
        slug="gla-clinic", city="glasgow", domain="sexualhealth-glasgow.example.org",
        name="Sample Glasgow Sexual Health Centre",
        about="A fictional city-centre sexual health and counselling centre with dedicated clinics for sex workers.",
        locations=[
            loc("gla-merchant", "glasgow", "Sample Glasgow Sexual Health Centre",
                "Clinic on the first and second floors; counselling rooms on the second floor.",
                55.858947, -4.245613, "7 Sample Lane", "G1 1HD", street2="Merchant City",
                transport="Glasgow Queen Street and St Enoch (Subway), both about 6 minutes' walk.",
                access="Level entrance, lift to all floors and an accessible toilet."),
        ],
        services=[
            svc(slug="gla-sh-clinic", name="Sample Sexual Health Clinic (Merchant City)",
                 about="Confidential sexual health care with a sex worker clinic on Monday and Wednesday evenings: STI testing and treatment, HIV PrEP, contraception, and referral for abortion care. Use any name. You decide which tests, if any, you have.",
                 cats=["sexual-health", "hiv", "contraception-abortion"],
                 access=["anonymous", "no-id-required", "no-mandatory-testing", "free", "walk-in", "trans-inclusive", "interpreters", "wheelchair-accessible"],
                 langs="en ro pl bg",
                 interp="Telephone interpreters in any language, arranged while you wait.",
                 phones=[("+44 141 496 0610", "voice", "Appointments and advice")],
                 sites=[("gla-merchant", "Sex worker clinic",
                         ["MO,WE 17:00-20:00 | sex worker evening clinic",
                          "TU,TH,FR 09:00-12:30 | open clinic; ask for the sex worker nurse"])],
                 days=43),
            svc(slug="gla-counselling", name="Sample Counselling Service (Glasgow)",
                 about="Free counselling with a counsellor trained in trauma and sex work, for anything from anxiety to a bad experience at work. Up to 16 sessions, in person or by phone.",
                 cats=["mental-health"],
                 access=["free", "phone-online", "trans-inclusive", "no-police-sharing", "wheelchair-accessible"],
                 langs="en",
                 phones=[("+44 141 496 0611", "voice", "Counselling bookings")],
                 sites=[("gla-merchant", "Counselling rooms on the second floor; phone sessions also available", ["TU,TH 10:00-18:00"])],
                 days=290),
        ],
    ),
    org(
        slug="gla-rights", city="glasgow", domain="rights-glasgow.example.org",
        name="Demo Scottish Rights & Housing Project",
        about="A fictional advice project on Glasgow's south side offering housing, immigration and rights advice to sex workers.",
        locations=[
            loc("gla-govanhill", "glasgow", "Demo Rights & Housing Project office",
                "Advice centre in a shopfront on the main road.",
                55.836217, -4.255978, "310 Mock Road", "G42 7AB", street2="Govanhill",
                transport="Queens Park station, 6 minutes' walk; buses 5 and 6.",
                access="Level entrance, ground-floor rooms and an accessible toilet."),
        ],
        services=[
            svc(slug="gla-housing-advice", name="Demo Housing Advice (Govanhill)",
                 about="Housing advice for sex workers in Glasgow: homelessness applications, temporary accommodation that isn't safe, rent arrears and eviction. The council has legal duties to you under Scottish law, and we'll help you make them stick.",
                 cats=["housing-advice"],
                 access=["no-id-required", "no-police-sharing", "free", "walk-in", "interpreters", "wheelchair-accessible"],
                 langs="en ro sk",
                 interp="Romanian and Slovak interpreters in person; other languages by phone.",
                 phones=[("+44 141 496 0720", "voice", "Project office")],
                 sites=[("gla-govanhill", "Housing advice drop-in", ["MO,WE 10:00-16:00"])],
                 days=58),
            svc(slug="gla-immigration", name="Demo Migrant Rights Clinic (Govanhill)",
                 about="Immigration and trafficking-protection advice for migrant sex workers from an accredited adviser. We explain your options, including the National Referral Mechanism, which is always voluntary, and you decide.",
                 cats=["immigration-advice"],
                 access=["anonymous", "no-immigration-checks", "no-police-sharing", "interpreters", "free", "wheelchair-accessible"],
                 langs="en ro sk bg th",
                 interp="Interpreters for any language, booked with your appointment.",
                 who="Migrant sex workers of any gender, whatever your immigration status.",
                 phones=[("+44 141 496 0721", "voice", "Book an appointment")],
                 sites=[("gla-govanhill", "Appointments", ["TH 10:00-16:00"])],
                 vet="pending", days=2),
            svc(slug="gla-rights-sessions", name="Demo Know Your Rights Sessions (Glasgow)",
                 about="Short, friendly sessions on your rights if you're stopped, searched or arrested, or if police visit your flat, and on what Scottish law says about selling sex. Run with sex workers; ask anything.",
                 cats=["know-your-rights"],
                 access=["peer-led", "anonymous", "free", "walk-in", "wheelchair-accessible"],
                 langs="en ro",
                 sites=[("gla-govanhill", "Sessions in the project office", ["SA 14:00-16:00"])],
                 days=84),
        ],
    ),
    # ======================================================== Toronto
    org(
        slug="tor-chc", city="toronto", domain="chc-toronto.example.org",
        name="Example Community Health Centre (Toronto)",
        about="A fictional community health centre with sites in Regent Park and Church-Wellesley, serving people with or without OHIP.",
        phones=[("+1 416 555 0100", "voice", "Main line")],
        locations=[
            loc("tor-regentpark", "toronto", "Example Community Health Centre (Regent Park)",
                "Health centre on the ground floor of a community building.",
                43.659713, -79.362488, "55 Example Street", "M5A 2T4", street2="Regent Park",
                transport="505 Dundas and 506 Carlton streetcars stop nearby.",
                access="Automatic doors, level access and accessible washrooms."),
            loc("tor-churchwellesley", "toronto", "Example Community Health Centre (Church-Wellesley)",
                "Second-floor clinic above a pharmacy.",
                43.665384, -79.380751, "512 Sample Street", "M4Y 2E8", street2="Church-Wellesley Village",
                transport="Wellesley station (Line 1), 5 minutes' walk.",
                access="Elevator from the street entrance and an accessible washroom."),
        ],
        services=[
            svc(slug="tor-sh-walkin", name="Example Sexual Health Walk-in (Regent Park)",
                 about="Walk-in sexual health for sex workers: STI and HIV testing, treatment, contraception, emergency contraception and PrEP. No health card (OHIP) needed and no questions about immigration status. Nothing happens without your say-so.",
                 cats=["sexual-health", "hiv", "contraception-abortion"],
                 access=["anonymous", "no-id-required", "no-immigration-checks", "no-mandatory-testing", "free", "walk-in", "wheelchair-accessible"],
                 langs="en fr es zh tl",
                 phones=[("+1 416 555 0110", "voice", "Clinic front desk")],
                 sites=[("tor-regentpark", "Walk-in clinic",
                         ["MO,WE,FR 10:00-16:00", "TU 16:00-20:00 | evening walk-in"])],
                 days=20),
            svc(slug="tor-primary-care", name="Example Uninsured Primary Care Clinic",
                 about="Primary care for people without OHIP or any health coverage: check-ups, ongoing conditions, prescriptions at low or no cost, and referrals. Sex workers are welcome, and what you do for work stays between you and your provider.",
                 cats=["primary-care"],
                 access=["no-id-required", "no-immigration-checks", "free", "interpreters", "wheelchair-accessible"],
                 langs="en es pt zh ko vi",
                 interp="Professional interpreters in over 150 languages by phone, at no cost.",
                 phones=[("+1 416 555 0111", "voice", "Booking line for both sites")],
                 sites=[("tor-regentpark", "Mondays and Thursdays at Regent Park", ["MO,TH 09:00-17:00"]),
                        ("tor-churchwellesley", "Wednesdays at Church-Wellesley", ["WE 12:00-20:00"])],
                 days=47),
            svc(slug="tor-trans-health", name="Example Trans Health Program (Church-Wellesley)",
                 about="Gender-affirming primary care for trans and non-binary people who do sex work: hormone starts on an informed-consent basis, monitoring, and support with name and gender-marker changes. No assessment to prove who you are.",
                 cats=["gender-affirming-care", "primary-care"],
                 access=["trans-inclusive", "no-id-required", "no-immigration-checks", "free", "wheelchair-accessible"],
                 langs="en fr es",
                 phones=[("+1 416 555 0112", "voice", "Trans health intake")],
                 sites=[("tor-churchwellesley", "Trans health clinic", ["TU,TH 10:00-18:00"])],
                 days=210),
        ],
    ),
    org(
        slug="tor-legal", city="toronto", domain="legalclinic-toronto.example.org",
        name="Sample Sex Workers' Legal Clinic (Toronto)",
        about="A fictional community legal clinic for sex workers in Toronto: criminal, immigration and workers' rights.",
        locations=[
            loc("tor-yonge", "toronto", "Sample Sex Workers' Legal Clinic",
                "Office in a downtown building; the clinic is on the fourth floor.",
                43.656282, -79.380514, "200 Demo Avenue", "M5B 1W8", street2="Suite 410",
                transport="Dundas station (Line 1), 2 minutes' walk.",
                access="Elevator to the fourth floor and an accessible washroom."),
        ],
        services=[
            svc(slug="tor-criminal", name="Sample Criminal Defence Referral Service",
                 about="Charged, or worried you might be? We connect you with a criminal defence lawyer who has represented sex workers before and help you apply for Legal Aid Ontario. We also explain how the laws on selling and advertising sex actually work.",
                 cats=["criminal-defence", "know-your-rights"],
                 access=["anonymous", "no-police-sharing", "no-immigration-checks", "free", "wheelchair-accessible"],
                 langs="en fr",
                 phones=[("+1 416 555 0140", "voice", "Intake line")],
                 sites=[("tor-yonge", "Office appointments", ["MO-FR 09:30-17:00"])],
                 days=38),
            svc(slug="tor-immigration", name="Sample Migrant Worker Legal Support",
                 about="Confidential advice for migrant sex workers on status, work permits and refugee claims, and on what to do if immigration officers are involved, including in a raid. We will not share anything with the CBSA or police.",
                 cats=["immigration-advice"],
                 access=["anonymous", "no-immigration-checks", "no-police-sharing", "interpreters", "free", "walk-in", "wheelchair-accessible"],
                 langs="en zh ko es pt",
                 interp="Mandarin, Cantonese, Korean, Spanish and Portuguese in person or by phone; other languages by phone.",
                 who="Migrant sex workers of any gender, whatever your status.",
                 phones=[("+1 416 555 0141", "voice", "Migrant legal support line"),
                         ("+1 416 555 0142", "text", "Text in any language and we'll call back with an interpreter")],
                 sites=[("tor-yonge", "Appointments and Friday drop-in",
                         ["TU,TH 10:00-16:00", "FR 13:00-17:00 | drop-in"])],
                 days=15),
            svc(slug="tor-workers-rights", name="Sample Workers' Rights & Tax Help",
                 about="Help with the paperwork of independent work: filing taxes with the CRA, claiming expenses, getting or keeping Ontario Works or ODSP, and pay disputes with agencies or clubs.",
                 cats=["employment-benefits-rights"],
                 access=["no-police-sharing", "no-immigration-checks", "free", "wheelchair-accessible"],
                 langs="en fr",
                 phones=[("+1 416 555 0143", "voice", "Book a tax or benefits appointment")],
                 sites=[("tor-yonge", "Tax and benefits appointments", ["WE 12:00-19:00"])],
                 days=93),
        ],
    ),
    org(
        slug="tor-safehousing", city="toronto", domain="safehousing-toronto.example.org",
        name="Demo Safe Housing Toronto",
        about="A fictional shelter and housing help service for sex workers of all genders in Toronto.",
        locations=[
            loc("tor-parkdale", "toronto", "Demo Housing Help Desk (Parkdale)",
                "Storefront help desk on the main street.",
                43.639846, -79.437721, "1340 Mock Street West", "M6K 1L4", street2="Parkdale",
                transport="504 King streetcar stops outside.",
                access="Level entrance and an accessible washroom."),
            loc("tor-leslieville-shelter", "toronto", "Demo Safe Shelter",
                "Shelter at a confidential address. Never shown publicly.",
                43.662891, -79.331618, "87 Placeholder Avenue", "M4M 1H2", street2="Leslieville",
                access="Ramp at the side entrance; two accessible rooms on the ground floor.",
                confidential=True),
        ],
        services=[
            svc(slug="tor-shelter", name="Demo Safe Shelter (Toronto)",
                 about="A 24-hour shelter for sex workers of all genders who are fleeing violence or have nowhere safe to stay: 14 beds, meals, harm-reduction supplies and a case worker. Partners and pets can sometimes be accommodated. Confidential address; call and we'll meet you.",
                 cats=["emergency-accommodation", "refuge"],
                 access=["trans-inclusive", "no-id-required", "no-immigration-checks", "no-police-sharing", "free", "wheelchair-accessible"],
                 langs="en fr es pt", min_age=16,
                 apply="Call the intake line at any hour. If there's a bed we'll arrange to meet you at a safe spot and bring you in.",
                 who="Sex workers of any gender aged 16 or over.",
                 phones=[("+1 416 555 0160", "voice", "Shelter intake, answered 24 hours")],
                 sites=[("tor-leslieville-shelter", "Shelter at a confidential address, staffed around the clock", ["MO-SU 00:00-00:00"])],
                 contacts=[("Intake worker", "Shelter intake worker", "intake")],
                 days=29),
            svc(slug="tor-housing-help", name="Demo Housing Help Desk (Parkdale)",
                 about="Help finding and keeping housing: rental applications when you can't show the 'right kind' of job, Landlord and Tenant Board hearings, rent supplements, and applications for supportive housing.",
                 cats=["housing-advice", "supported-housing"],
                 access=["no-id-required", "no-police-sharing", "free", "walk-in", "wheelchair-accessible"],
                 langs="en fr es",
                 phones=[("+1 416 555 0161", "voice", "Housing help desk")],
                 sites=[("tor-parkdale", "Help desk", ["MO,WE 10:00-16:00", "TH 16:00-19:00 | evening hours"])],
                 days=54),
        ],
    ),
    org(
        slug="tor-peer", city="toronto", domain="peer-toronto.example.org",
        name="Demo Peer Outreach Toronto",
        about="A fictional peer-run drop-in and bad date reporting project in Toronto.",
        locations=[
            loc("tor-kensington", "toronto", "Demo Peer Drop-in",
                "Upstairs room above a café in Kensington Market.",
                43.654943, -79.400528, "24 Template Street", "M5T 2L6", street2="Kensington Market",
                transport="510 Spadina streetcar, 3 minutes' walk.",
                step_free=False, access="A steep staircase to the first floor; no elevator. Staff can meet you downstairs in the café."),
        ],
        services=[
            svc(slug="tor-peer-dropin", name="Demo Peer Drop-in (Kensington Market)",
                 about="Drop-in by and for sex workers: snacks, harm-reduction supplies, naloxone, drug-checking information, peer support, and a computer to update your ads. Thursday nights include a nurse for sexual health checks.",
                 cats=["harm-reduction", "sexual-health"],
                 access=["peer-led", "anonymous", "no-id-required", "no-police-sharing", "free", "walk-in", "trans-inclusive"],
                 langs="en es pt",
                 phones=[("+1 416 555 0180", "voice", "Drop-in phone")],
                 sites=[("tor-kensington", "Drop-in", ["TU,TH 16:00-21:00", "SU 13:00-17:00 | drop-in"])],
                 days=8),
            svc(slug="tor-bad-date", name="Demo Bad Date List & Violence Support",
                 about="Report a bad client or attacker anonymously so other workers are warned through our bad date list, and get support afterwards: a peer to talk to, a ride to the hospital, or an advocate if you choose to go to the police.",
                 cats=["report-violence"],
                 access=["peer-led", "anonymous", "no-police-sharing", "no-immigration-checks", "free", "phone-online", "trans-inclusive"],
                 langs="en es",
                 apply="Text a report any time, or talk to a support worker at the drop-in. Reports are shared without your name.",
                 phones=[("+1 416 555 0181", "text", "Text a bad date report any time; read daily"),
                         ("+1 416 555 0182", "voice", "Support worker")],
                 sites=[("tor-kensington", "Meet a support worker at the drop-in", ["TU,TH 16:00-21:00"])],
                 days=36),
        ],
    ),
    # ======================================================== New York
    org(
        slug="ny-clinic", city="newyork", domain="chc-nyc.example.org",
        name="Example Community Health Clinic (New York)",
        about="A fictional community health clinic with sites in Chelsea and Harlem, serving anyone regardless of insurance or immigration status.",
        phones=[("+1 212 555 0100", "voice", "Main line")],
        locations=[
            loc("ny-chelsea", "newyork", "Example Community Health Clinic (Chelsea)",
                "Clinic on the ground floor of a mid-block building.",
                40.746217, -74.001563, "225 Example Street", "10011", region="Manhattan", street2="Chelsea",
                transport="23 St station (C, E trains), 4 minutes' walk.",
                access="Level entrance, elevator and accessible restrooms."),
            loc("ny-harlem", "newyork", "Example Community Health Clinic (Harlem)",
                "Clinic and counseling rooms on the second floor.",
                40.809468, -73.947822, "138 Sample Avenue", "10027", region="Manhattan", street2="Harlem",
                transport="125 St station (2, 3 trains), 3 minutes' walk.",
                access="Elevator from the lobby and accessible restrooms."),
        ],
        services=[
            svc(slug="ny-sh-clinic", name="Example Sexual Health Clinic (Chelsea & Harlem)",
                 about="Free, confidential sexual health care for sex workers at two sites: STI and HIV testing, treatment, emergency contraception, and hepatitis and HPV vaccines. No insurance, ID or immigration papers needed. Your visit is your call; nothing is mandatory.",
                 cats=["sexual-health", "contraception-abortion"],
                 access=["no-id-required", "no-immigration-checks", "no-mandatory-testing", "free", "walk-in", "trans-inclusive", "interpreters", "wheelchair-accessible"],
                 langs="en es zh ht",
                 interp="Spanish-speaking staff at both sites; phone interpreters for all other languages.",
                 phones=[("+1 212 555 0120", "voice", "Appointments for both sites")],
                 sites=[("ny-chelsea", "Chelsea site", ["MO,WE,FR 09:00-17:00", "WE 17:00-20:00 | evening walk-in"]),
                        ("ny-harlem", "Harlem site", ["TU,TH 10:00-18:00", "SA 10:00-14:00 | walk-in"])],
                 days=13),
            svc(slug="ny-prep-pep", name="Example PrEP & PEP Navigation",
                 about="A navigator helps you start PrEP or PEP the same day and keep it going, paying nothing if you're uninsured through assistance programs. PEP works best within 72 hours; call as soon as you can.",
                 cats=["hiv"],
                 access=["no-id-required", "no-immigration-checks", "no-mandatory-testing", "free", "walk-in", "phone-online", "wheelchair-accessible"],
                 langs="en es",
                 phones=[("+1 212 555 0121", "voice", "PrEP/PEP navigator"),
                         ("+1 212 555 0122", "text", "Text the navigator")],
                 sites=[("ny-chelsea", "PrEP and PEP at the Chelsea site", ["MO-FR 09:00-17:00"])],
                 days=24),
            svc(slug="ny-counseling", name="Example Counseling for Sex Workers (Harlem)",
                 about="Short- and long-term counseling with therapists who are sex-worker affirming: trauma, anxiety, depression, relationships and burnout. In person or by telehealth. Sliding-scale fees; nobody is turned away for inability to pay.",
                 cats=["mental-health"],
                 access=["no-immigration-checks", "no-police-sharing", "trans-inclusive", "phone-online", "wheelchair-accessible"],
                 langs="en es",
                 cost=[("Sliding scale: no income", 0, "$0 per session if you have no income."),
                       ("Sliding scale: top rate", 20, "Up to $20 per session depending on income.")],
                 fees="Sliding scale from $0 to $20 per session, based on what you tell us you can afford. No proof of income needed.",
                 phones=[("+1 212 555 0123", "voice", "Counseling intake")],
                 sites=[("ny-harlem", "Counseling rooms at the Harlem site; telehealth also available", ["MO-TH 12:00-20:00"])],
                 days=400),
        ],
    ),
    org(
        slug="ny-justice", city="newyork", domain="justice-nyc.example.org",
        name="Sample Justice Project (New York)",
        about="A fictional legal services organization for people in the sex trades in New York City.",
        locations=[
            loc("ny-fidi", "newyork", "Sample Justice Project office",
                "Offices on the 12th floor; workshops in the ground-floor meeting room.",
                40.707311, -74.010871, "40 Demo Street", "10005", region="Manhattan", street2="12th Floor",
                transport="Wall St station (2, 3 trains), 2 minutes' walk.",
                access="Level lobby, elevators and accessible restrooms."),
            loc("ny-jacksonheights", "newyork", "Sample Justice Project (Queens)",
                "Second-floor office above a travel agency.",
                40.748106, -73.884012, "37-15 Mock Avenue", "11372", region="Queens", street2="Jackson Heights",
                transport="Jackson Hts-Roosevelt Av station (E, F, M, R, 7 trains), 5 minutes' walk.",
                step_free=False, access="Stairs to the second floor, no elevator. Tell us when you book and we'll meet you in a ground-floor partner office."),
        ],
        services=[
            svc(slug="ny-defense", name="Sample Criminal Defense for Sex Workers",
                 about="Free criminal defense if you've been arrested on prostitution-related charges or anything else. We also help seal old convictions and vacate convictions linked to trafficking, so your record stops following you.",
                 cats=["criminal-defence", "legal-advice"],
                 access=["no-police-sharing", "no-immigration-checks", "free", "trans-inclusive", "wheelchair-accessible"],
                 langs="en es",
                 phones=[("+1 212 555 0150", "voice", "Intake line; after hours, leave a message and a lawyer calls back")],
                 sites=[("ny-fidi", "Office appointments", ["MO-FR 09:00-18:00"])],
                 contacts=[("Intake attorney", "Duty attorney", "intake")],
                 days=61),
            svc(slug="ny-immigration", name="Sample Immigrant Rights Clinic (Jackson Heights)",
                 about="Immigration legal help for sex workers, massage workers and anyone in the sex trades: status, T and U visas for survivors of trafficking or crime, removal defense, and what to do if ICE contacts you. We never ask about status to decide whether to help.",
                 cats=["immigration-advice", "report-violence"],
                 access=["anonymous", "no-immigration-checks", "no-police-sharing", "interpreters", "free", "walk-in"],
                 langs="en es zh ko",
                 interp="Staff speak Spanish, Mandarin and Korean; interpreters for other languages by phone.",
                 who="Anyone in the sex trades or massage work, whatever your immigration status.",
                 phones=[("+1 212 555 0151", "voice", "Clinic line")],
                 sites=[("ny-jacksonheights", "Immigration clinic",
                         ["TU,TH 10:00-17:00", "SA 11:00-15:00 | walk-in"])],
                 days=19),
            svc(slug="ny-know-your-rights", name="Sample Know Your Rights Workshops (New York)",
                 about="Free workshops on what to do if you're stopped, searched or arrested or your workplace is raided, and how to document police misconduct. Run with sex worker organizers, in English, Spanish and Mandarin.",
                 cats=["know-your-rights"],
                 access=["peer-led", "anonymous", "free", "walk-in", "wheelchair-accessible"],
                 langs="en es zh",
                 sites=[("ny-fidi", "Evening workshops in the ground-floor meeting room", ["WE 18:00-20:00"])],
                 days=110),
        ],
    ),
    org(
        slug="ny-harm", city="newyork", domain="harmreduction-nyc.example.org",
        name="Demo Harm Reduction Collective (New York)",
        about="A fictional harm reduction program in the South Bronx with a drop-in center and a night outreach van.",
        locations=[
            loc("ny-huntspoint", "newyork", "Demo Harm Reduction Drop-in (Hunts Point)",
                "Drop-in center with showers, a kitchen and a clinic room.",
                40.816394, -73.886152, "812 Placeholder Avenue", "10474", region="Bronx", street2="Hunts Point",
                transport="Hunts Point Av station (6 train), 4 minutes' walk.",
                access="Level entrance, accessible shower and restroom."),
        ],
        services=[
            svc(slug="ny-hr-dropin", name="Demo Harm Reduction Drop-in (Hunts Point)",
                 about="Syringe services, naloxone, fentanyl test strips, wound care, showers and a hot meal, plus help with ID, Medicaid and shelter placements. No judgment and no requirement to stop using or working.",
                 cats=["harm-reduction", "primary-care"],
                 access=["anonymous", "no-id-required", "no-immigration-checks", "no-police-sharing", "free", "walk-in", "trans-inclusive", "wheelchair-accessible"],
                 langs="en es",
                 phones=[("+1 212 555 0170", "voice", "Drop-in front desk")],
                 sites=[("ny-huntspoint", "Drop-in", ["MO-FR 09:00-17:00", "FR 17:00-21:00 | evening drop-in"])],
                 days=26),
            svc(slug="ny-outreach-van", name="Demo Street Outreach Van (South Bronx)",
                 about="Our outreach van and walking team cover Hunts Point, Mott Haven and Port Morris at night with supplies, naloxone, a nurse on some nights, and a warm place to sit. Text to find us.",
                 cats=["harm-reduction", "sexual-health"],
                 access=["outreach", "peer-led", "anonymous", "no-police-sharing", "free", "trans-inclusive"],
                 langs="en es",
                 apply="Find the van at its usual stops, or text to ask where it is.",
                 phones=[("+1 212 555 0171", "text", "Text to find the van tonight")],
                 hours=["TU,TH,SA 20:00-02:00 | van on the road"],
                 area=("South Bronx", "Hunts Point, Mott Haven and Port Morris.", SOUTH_BRONX_POLYGON),
                 days=44),
        ],
    ),
    org(
        slug="ny-safehaven", city="newyork", domain="safehaven-nyc.example.org",
        name="Example Safe Haven NYC",
        about="A fictional safe house and housing drop-in for people in the sex trades in Brooklyn.",
        locations=[
            loc("ny-bushwick", "newyork", "Example Safe Haven housing drop-in",
                "Drop-in office in a community center.",
                40.694562, -73.921903, "1102 Template Avenue", "11221", region="Brooklyn", street2="Bushwick",
                transport="Halsey St station (L train), 5 minutes' walk.",
                access="Ramp at the entrance and accessible restrooms."),
            loc("ny-crownheights-safehouse", "newyork", "Example Safe House (Brooklyn)",
                "Safe house at a confidential address. Never shown publicly.",
                40.669874, -73.942163, "410 Specimen Place", "11213", region="Brooklyn", street2="Crown Heights",
                access="Lift to all floors and two accessible bedrooms.",
                confidential=True),
        ],
        services=[
            svc(slug="ny-safehouse", name="Example Safe House (Brooklyn)",
                 about="A 24-hour safe house for cis and trans women and non-binary people in the sex trades who are escaping violence or exploitation: private rooms, meals, a case manager and legal referrals. Stay up to 90 days while you plan what's next. Confidential address.",
                 cats=["refuge", "emergency-accommodation"],
                 access=["trans-inclusive", "no-id-required", "no-immigration-checks", "no-police-sharing", "free", "wheelchair-accessible"],
                 langs="en es", min_age=18,
                 apply="Call the intake line at any hour. We'll talk it through and, if there's room, meet you somewhere safe.",
                 who="Cis and trans women and non-binary people in the sex trades, aged 18 or over.",
                 phones=[("+1 212 555 0190", "voice", "Safe house intake, answered 24 hours")],
                 sites=[("ny-crownheights-safehouse", "Safe house at a confidential address, staffed around the clock", ["MO-SU 00:00-00:00"])],
                 days=35),
            svc(slug="ny-housing-dropin", name="Example Housing Drop-in (Bushwick)",
                 about="Drop-in help with housing: shelter applications, rental assistance vouchers, finding landlords who will accept them, and supportive housing applications for people living with HIV.",
                 cats=["housing-advice", "supported-housing"],
                 access=["no-id-required", "no-immigration-checks", "free", "walk-in", "trans-inclusive", "wheelchair-accessible"],
                 langs="en es",
                 phones=[("+1 212 555 0191", "voice", "Housing drop-in")],
                 sites=[("ny-bushwick", "Housing drop-in", ["MO,WE,TH 10:00-16:00"])],
                 vet="pending", days=1),
        ],
    ),
    # ======================================================== Sydney
    org(
        slug="syd-swop", city="sydney", domain="swop-sydney.example.org",
        name="Example Sex Worker Outreach Project (Sydney)",
        about="A fictional peer-based organisation for sex workers in New South Wales: outreach, legal information and multilingual support.",
        locations=[
            loc("syd-surryhills", "sydney", "Example Sex Worker Outreach Project office",
                "Office and drop-in room on the first floor.",
                -33.885946, 151.211307, "69 Example Street", "2010", street2="Surry Hills",
                transport="Central station, 8 minutes' walk; light rail to Surry Hills stop.",
                access="Lift from the street door and an accessible toilet."),
        ],
        services=[
            svc(slug="syd-outreach", name="Example Peer Outreach (Inner Sydney)",
                 about="Peer educators visit brothels, parlours and street-based workers across Kings Cross, Darlinghurst, Surry Hills and Redfern with condoms, lube, information and a friendly face. Outreach workers speak Thai, Chinese, Korean and Vietnamese.",
                 cats=["sexual-health", "know-your-rights"],
                 access=["outreach", "peer-led", "anonymous", "free", "interpreters", "trans-inclusive"],
                 langs="en th zh ko vi",
                 interp="Outreach workers speak Thai, Mandarin, Cantonese, Korean and Vietnamese.",
                 apply="Call to ask for a visit to your workplace, or look out for us on our evening rounds.",
                 phones=[("+61 2 5550 1010", "voice", "Outreach team")],
                 hours=["MO-FR 18:00-23:00 | evening outreach rounds"],
                 area=("Inner Sydney", "Kings Cross, Darlinghurst, Surry Hills, Woolloomooloo and Redfern.", INNER_SYDNEY_POLYGON),
                 contacts=[("Outreach coordinator", "Peer outreach coordinator", "outreach")],
                 days=16),
            svc(slug="syd-legal-info", name="Example Sex Work Legal Information Service",
                 about="Free legal information and referral for sex workers in NSW: your rights at work under decriminalisation, council and planning issues for private workers, workplace disputes, discrimination, and dealing with police. We refer you to lawyers we trust.",
                 cats=["legal-advice", "employment-benefits-rights"],
                 access=["peer-led", "anonymous", "free", "phone-online", "wheelchair-accessible"],
                 langs="en th zh",
                 phones=[("+61 2 5550 1011", "voice", "Legal information line")],
                 sites=[("syd-surryhills", "Appointments at our Surry Hills office", ["TU,TH 10:00-17:00"])],
                 days=70),
            svc(slug="syd-multilingual", name="Example Multilingual Support Drop-in",
                 about="A drop-in with Thai, Chinese, Korean and Vietnamese-speaking workers for migrant sex workers: health information, visa worries (with referral to a registered migration agent), tax, and help with anything that's gone wrong at work.",
                 cats=["immigration-advice", "know-your-rights"],
                 access=["peer-led", "anonymous", "no-immigration-checks", "no-police-sharing", "free", "walk-in", "interpreters", "wheelchair-accessible"],
                 langs="en th zh ko vi",
                 interp="Thai, Mandarin, Cantonese, Korean and Vietnamese spoken by staff.",
                 phones=[("+61 2 5550 1012", "voice", "Multilingual line (Thai, Chinese, Korean, Vietnamese)", "th zh ko vi")],
                 sites=[("syd-surryhills", "Multilingual drop-in", ["WE 12:00-18:00", "SA 11:00-15:00 | drop-in"])],
                 days=27),
        ],
    ),
    org(
        slug="syd-clinic", city="sydney", domain="sexualhealth-sydney.example.org",
        name="Sample Sydney Sexual Health Centre",
        about="A fictional public sexual health centre with a main clinic in Haymarket and an evening clinic in Kings Cross.",
        phones=[("+61 2 5550 2000", "voice", "Main line")],
        locations=[
            loc("syd-haymarket", "sydney", "Sample Sydney Sexual Health Centre (Haymarket)",
                "Main clinic on the ground floor of a health building.",
                -33.879612, 151.204156, "301 Sample Street", "2000", street2="Haymarket",
                transport="Central station or Paddy's Markets light rail, 4 minutes' walk.",
                access="Level entrance and accessible toilets."),
            loc("syd-kingscross", "sydney", "Sample Sydney Sexual Health Centre (Kings Cross)",
                "Small clinic in a lane off the main street.",
                -33.873682, 151.222534, "5 Placeholder Lane", "2011", street2="Potts Point",
                transport="Kings Cross station, 3 minutes' walk.",
                access="Level entrance and an accessible toilet."),
        ],
        services=[
            svc(slug="syd-sh-clinic", name="Sample Sexual Health Clinic (Haymarket & Kings Cross)",
                 about="Free sexual health checks and treatment for sex workers; no Medicare card needed. Full STI screening, HIV PrEP and PEP, and hepatitis B vaccination. Sex worker-only sessions at our Kings Cross clinic on Tuesday evenings.",
                 cats=["sexual-health", "hiv"],
                 access=["anonymous", "no-id-required", "no-immigration-checks", "no-mandatory-testing", "free", "walk-in", "interpreters", "wheelchair-accessible"],
                 langs="en th zh ko vi",
                 interp="Free telephone interpreters in any language; Thai and Chinese-speaking nurses on some days.",
                 phones=[("+61 2 5550 2020", "voice", "Clinic reception, both sites")],
                 sites=[("syd-haymarket", "Main clinic", ["MO-FR 09:00-17:00"]),
                        ("syd-kingscross", "Kings Cross clinic",
                         ["TU 17:00-21:00 | sex worker-only evening session", "SA 10:00-13:00"])],
                 days=10),
            svc(slug="syd-contraception", name="Sample Contraception & Pregnancy Options Clinic",
                 about="Contraception of every kind, emergency contraception, pregnancy tests and unbiased pregnancy options counselling, with referral for medical or surgical abortion. We'll always tell you about any cost before anything happens.",
                 cats=["contraception-abortion"],
                 access=["no-id-required", "no-immigration-checks", "interpreters", "wheelchair-accessible"],
                 langs="en th zh",
                 interp="Free telephone interpreters in any language.",
                 cost=[("Free", 0, "Appointments, emergency contraception and counselling are free."),
                       ("Contraceptive implant (no Medicare)", 35, "A$35 for the implant device if you don't have Medicare; fitting is free.")],
                 fees="Appointments, emergency contraception and counselling are free. Without Medicare, a contraceptive implant device costs A$35; fitting is free.",
                 phones=[("+61 2 5550 2021", "voice", "Book a contraception appointment")],
                 sites=[("syd-haymarket", "Contraception clinic at Haymarket", ["TU,TH 09:00-16:00"])],
                 days=82),
        ],
    ),
    org(
        slug="syd-housing", city="sydney", domain="housingconnect-sydney.example.org",
        name="Demo Housing Connect (Sydney)",
        about="A fictional housing service with a refuge for women sex workers and a housing help desk in Redfern.",
        locations=[
            loc("syd-redfern", "sydney", "Demo Housing Help (Redfern)",
                "Shopfront office near the station.",
                -33.892735, 151.204388, "12 Demo Lane", "2016", street2="Redfern",
                transport="Redfern station, 3 minutes' walk.",
                access="Level entrance and an accessible toilet."),
            loc("syd-marrickville-refuge", "sydney", "Demo Safe House (Inner West)",
                "Refuge at a confidential address. Never shown publicly.",
                -33.910846, 151.155902, "58 Mock Street", "2204", street2="Marrickville",
                step_free=False, access="Steps at the front; all bedrooms are upstairs.",
                confidential=True),
        ],
        services=[
            svc(slug="syd-refuge", name="Demo Safe House (Inner West)",
                 about="A women's refuge for sex workers, including trans women, escaping domestic or family violence or an unsafe workplace. Staff on site 24 hours, a caseworker for each resident, and children welcome. Confidential address.",
                 cats=["refuge"],
                 access=["women-only", "trans-inclusive", "no-immigration-checks", "no-police-sharing", "free"],
                 langs="en th zh vi", min_age=18,
                 apply="Call the intake line at any time. If we have a room we'll arrange to pick you up from somewhere safe.",
                 who="Women aged 18 or over, including trans women, who do sex work; children are welcome with you.",
                 phones=[("+61 2 5550 3030", "voice", "Refuge intake, answered 24 hours")],
                 sites=[("syd-marrickville-refuge", "Refuge at a confidential address, staffed around the clock", ["MO-SU 00:00-00:00"])],
                 days=39),
            svc(slug="syd-housing-help", name="Demo Housing Help (Redfern)",
                 about="Help with social housing applications, private rentals and tenancy problems, including landlords or strata committees targeting private sex workers. Same-day referrals to crisis accommodation.",
                 cats=["housing-advice", "emergency-accommodation"],
                 access=["no-id-required", "no-police-sharing", "free", "walk-in", "trans-inclusive", "wheelchair-accessible"],
                 langs="en",
                 phones=[("+61 2 5550 3031", "voice", "Housing help line")],
                 sites=[("syd-redfern", "Housing help desk", ["MO,TU,TH 09:30-16:30"])],
                 days=115),
        ],
    ),
    org(
        slug="au-helpline", city="sydney", domain="supportline-au.example.org",
        name="Sample Australian Sex Worker Support Line",
        about="A fictional national peer support and legal information line for sex workers across Australia.",
        locations=[],
        services=[
            svc(slug="au-support-line", name="Sample Sex Worker Support Line (Australia)",
                 about="A free national phone line for sex workers anywhere in Australia, answered by trained peer workers. Talk through a bad night or a health or visa worry, or get connected to vetted local services in your state.",
                 cats=["mental-health", "report-violence"],
                 access=["anonymous", "phone-online", "peer-led", "no-police-sharing", "no-immigration-checks", "free", "interpreters"],
                 langs="en th zh ko vi",
                 interp="Free telephone interpreters in more than 150 languages; a language line with Thai, Chinese, Korean and Vietnamese-speaking peer workers.",
                 apply="Call during opening hours. You don't have to give your name or say where you are.",
                 phones=[("+61 1800 975 707", "voice", "Freecall support line; free from mobiles", "en"),
                         ("+61 1800 975 708", "voice", "Freecall language line", "th zh ko vi")],
                 hours=["MO-FR 10:00-22:00 | Sydney time, AEST/AEDT", "SA,SU 14:00-22:00 | Sydney time, AEST/AEDT"],
                 area=AREA_AU,
                 days=21),
            svc(slug="au-legal-line", name="Sample Sex Work Legal Line (Australia)",
                 about="Free legal information by phone on sex work laws, which differ a lot between states and territories: licensing, registration, decriminalisation, advertising rules, and your rights with police. Referral to local lawyers.",
                 cats=["legal-advice", "know-your-rights"],
                 access=["anonymous", "phone-online", "no-police-sharing", "free"],
                 langs="en",
                 apply="Call during opening hours; you can ask questions without giving your name.",
                 phones=[("+61 1800 160 401", "voice", "Freecall legal line")],
                 hours=["TU,TH 10:00-16:00 | Sydney time, AEST/AEDT"],
                 area=AREA_AU,
                 days=62),
        ],
    ),
    # ======================================================== Melbourne
    org(
        slug="mel-health", city="melbourne", domain="sexualhealth-melbourne.example.org",
        name="Example Melbourne Sexual Health Hub",
        about="A fictional sexual health and community health service with clinics in the CBD and Footscray.",
        phones=[("+61 3 5550 4000", "voice", "Main line")],
        locations=[
            loc("mel-cbd", "melbourne", "Example Melbourne Sexual Health Hub (City)",
                "Clinic on level 2 of an office building.",
                -37.812843, 144.962215, "250 Example Street", "3000", street2="Level 2",
                transport="Melbourne Central station, 4 minutes' walk; trams on Swanston Street.",
                access="Lifts from the lobby and accessible toilets on level 2."),
            loc("mel-footscray", "melbourne", "Example Melbourne Sexual Health Hub (Footscray)",
                "Community health clinic near the market.",
                -37.800412, 144.899683, "91 Sample Street", "3011", street2="Footscray",
                transport="Footscray station, 5 minutes' walk.",
                access="Level entrance and an accessible toilet."),
        ],
        services=[
            svc(slug="mel-sh-clinic", name="Example Sexual Health Clinic (Melbourne CBD)",
                 about="Walk-in sexual health clinic for sex workers of all genders: STI testing and treatment, HIV PrEP and PEP, and hepatitis vaccination. Free with or without Medicare; use any name you like. Testing is never compulsory; it's always up to you.",
                 cats=["sexual-health", "hiv"],
                 access=["anonymous", "no-id-required", "no-immigration-checks", "no-mandatory-testing", "free", "walk-in", "wheelchair-accessible"],
                 langs="en zh th vi",
                 phones=[("+61 3 5550 4040", "voice", "Clinic reception")],
                 sites=[("mel-cbd", "City clinic", ["MO-FR 09:00-17:00", "TH 17:00-20:00 | late walk-in"])],
                 days=7),
            svc(slug="mel-footscray-health", name="Example Community Health & Harm Reduction (Footscray)",
                 about="Nurse-led primary care and harm reduction: wound care, vaccinations, hepatitis C treatment, a needle and syringe program, naloxone, and referrals to bulk-billing GPs. Vietnamese-speaking staff.",
                 cats=["primary-care", "harm-reduction"],
                 access=["anonymous", "no-id-required", "no-immigration-checks", "free", "walk-in", "interpreters", "wheelchair-accessible"],
                 langs="en vi zh",
                 interp="Vietnamese-speaking nurse on site; telephone interpreters for other languages.",
                 phones=[("+61 3 5550 4041", "voice", "Clinic phone")],
                 sites=[("mel-footscray", "Clinic", ["MO,WE,FR 10:00-17:00"])],
                 days=49),
        ],
    ),
    org(
        slug="mel-legal", city="melbourne", domain="legal-melbourne.example.org",
        name="Sample Victorian Sex Worker Legal Service",
        about="A fictional community legal service for sex workers in Victoria, with a tax help clinic.",
        locations=[
            loc("mel-fitzroy", "melbourne", "Sample Victorian Sex Worker Legal Service",
                "First-floor office in a terrace building.",
                -37.798546, 144.978312, "17 Demo Street", "3065", street2="Fitzroy",
                transport="Tram 86 or 11 on Gertrude Street, 2 minutes' walk.",
                step_free=False, access="Stairs to the first floor, no lift. Phone appointments are available, or we can meet at a step-free library nearby."),
        ],
        services=[
            svc(slug="mel-legal-advice", name="Sample Sex Worker Legal Advice (Fitzroy)",
                 about="Free legal advice for sex workers in Victoria: your rights at work since decriminalisation, discrimination complaints, fines and police matters, criminal charges, and problems with agencies or venues. Lawyers who understand the industry.",
                 cats=["legal-advice", "criminal-defence"],
                 access=["anonymous", "no-police-sharing", "no-immigration-checks", "free", "phone-online"],
                 langs="en",
                 phones=[("+61 3 5550 5050", "voice", "Advice line")],
                 sites=[("mel-fitzroy", "Advice appointments; phone appointments also available", ["MO,WE 10:00-17:00"])],
                 contacts=[("Duty lawyer", "Duty lawyer", "duty")],
                 days=95),
            svc(slug="mel-tax-help", name="Sample Tax & ABN Help for Sex Workers",
                 about="Help registering for an ABN, keeping records, claiming work expenses and lodging your tax return, from a tax agent who works with sex workers. The first appointment is free; a small fee applies if we lodge your return for you.",
                 cats=["employment-benefits-rights"],
                 access=["no-police-sharing", "no-immigration-checks", "phone-online"],
                 langs="en",
                 cost=[("Free", 0, "First appointment."),
                       ("Tax return lodgement", 40, "A$40 if we prepare and lodge your tax return.")],
                 fees="The first appointment is free. If you'd like us to prepare and lodge your tax return it's A$40; tell us if that's a barrier.",
                 phones=[("+61 3 5550 5051", "voice", "Book a tax appointment")],
                 sites=[("mel-fitzroy", "Tax clinic; phone appointments also available", ["TU 12:00-19:00"])],
                 days=118),
        ],
    ),
    org(
        slug="mel-safesteps", city="melbourne", domain="safesteps-melbourne.example.org",
        name="Demo Safe Steps Housing (Melbourne)",
        about="A fictional housing service for sex workers in Melbourne: a refuge, a St Kilda drop-in with crisis beds, and supported housing.",
        locations=[
            loc("mel-stkilda", "melbourne", "Demo St Kilda Drop-in",
                "Drop-in centre with a kitchen, showers and two crisis beds.",
                -37.867523, 144.980841, "33 Mock Street", "3182", street2="St Kilda",
                transport="Trams 16 and 96, 3 minutes' walk.",
                access="Level entrance, accessible shower and toilet."),
            loc("mel-brunswick-refuge", "melbourne", "Demo Refuge (Melbourne)",
                "Refuge at a confidential address. Never shown publicly.",
                -37.770418, 144.998265, "140 Placeholder Road", "3070", street2="Northcote",
                access="Level access and one accessible unit on the ground floor.",
                confidential=True),
            loc("mel-richmond", "melbourne", "Demo Supported Housing office (Richmond)",
                "Office at the front of a small housing complex.",
                -37.818432, 144.998917, "6 Template Street", "3121", street2="Richmond",
                transport="Richmond station, 7 minutes' walk; trams on Swan Street.",
                access="Level entrance; four ground-floor units are wheelchair accessible."),
        ],
        services=[
            svc(slug="mel-refuge", name="Demo Refuge for Sex Workers (Melbourne)",
                 about="A 24-hour refuge for sex workers of any gender escaping family violence, a violent client or an unsafe workplace: private rooms, meals, a caseworker and help with what comes next. Confidential address.",
                 cats=["refuge"],
                 access=["trans-inclusive", "no-id-required", "no-immigration-checks", "no-police-sharing", "free", "wheelchair-accessible"],
                 langs="en zh th", min_age=18,
                 apply="Call the intake line at any time. If we have a room we'll arrange to meet you somewhere safe.",
                 who="Sex workers of any gender, aged 18 or over.",
                 phones=[("+61 3 5550 6060", "voice", "Refuge intake, answered 24 hours")],
                 sites=[("mel-brunswick-refuge", "Refuge at a confidential address, staffed around the clock", ["MO-SU 00:00-00:00"])],
                 days=30),
            svc(slug="mel-stkilda-dropin", name="Demo St Kilda Drop-in & Crisis Beds",
                 about="Drop-in for street-based sex workers with meals, showers, harm-reduction supplies and a worker to help you find crisis accommodation. Two emergency beds on Friday and Saturday nights.",
                 cats=["emergency-accommodation", "harm-reduction"],
                 access=["anonymous", "no-id-required", "no-police-sharing", "free", "walk-in", "trans-inclusive", "wheelchair-accessible"],
                 langs="en",
                 phones=[("+61 3 5550 6061", "voice", "Drop-in phone")],
                 sites=[("mel-stkilda", "Drop-in and weekend crisis beds",
                         ["MO-FR 12:00-18:00", "FR,SA 22:00-06:00 | weekend crisis beds"])],
                 days=42),
            svc(slug="mel-supported-housing", name="Demo Supported Housing (Richmond)",
                 about="Medium-term supported housing for sex workers leaving a refuge, prison or sleeping rough: your own unit, a support worker, and help finding long-term public or community housing.",
                 cats=["supported-housing"],
                 access=["trans-inclusive", "no-police-sharing", "no-immigration-checks", "wheelchair-accessible"],
                 langs="en",
                 cost=[("Free", 0, "Support and case work are free."),
                       ("Weekly rent contribution", 50, "A$50 a week, or less if your income is lower.")],
                 fees="Support is free. Rent contribution is A$50 a week, reduced if your income is lower; it never stops you getting a place.",
                 apply="Referral from a refuge or support worker, or call us yourself to talk it through.",
                 phones=[("+61 3 5550 6062", "voice", "Referrals")],
                 sites=[("mel-richmond", "Referrals and viewings at the Richmond office", ["MO-FR 09:00-17:00"])],
                 days=77),
        ],
    ),
]

DEFAULT_WHO = "Anyone who sells or trades sex, of any gender."


# --- Expansion into HSDS objects -------------------------------------------------------

def uid(key):
    return str(uuid.uuid5(NAMESPACE, key))


def load_terms():
    terms = {}
    for path in TAXONOMY_FILES:
        for term in json.loads(path.read_text(encoding="utf-8"))["terms"]:
            terms[term["code"]] = term
    return terms


TERMS = load_terms()


def language(key, code):
    return {"id": uid(f"language:{key}:{code}"), "name": LANGUAGES[code], "code": code}


def phones(owner, rows):
    out = []
    for n, row in enumerate(rows, 1):
        number, kind, description = row[:3]
        key = f"phone:{owner}:{n}"
        phone = {"id": uid(key), "number": number, "type": kind, "description": description}
        if len(row) > 3:
            phone["languages"] = [language(key, c) for c in row[3].split()]
        out.append(phone)
    return out


def expand_days(spec):
    if spec == "DAILY":
        return DAYS[:]
    days = []
    for part in spec.split(","):
        if "-" in part:
            a, b = part.split("-")
            days.extend(DAYS[DAYS.index(a):DAYS.index(b) + 1])
        else:
            days.append(part)
    return days


def describe_days(days):
    if days == DAYS:
        return "every day"
    idx = [DAYS.index(d) for d in days]
    if len(days) >= 3 and idx == list(range(idx[0], idx[-1] + 1)):
        return f"{DAY_NAMES[days[0]]} to {DAY_NAMES[days[-1]]}"
    names = [DAY_NAMES[d] for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def schedules(owner, hours):
    """'MO-FR 09:30-17:00 | note' -> one HSDS schedule per line."""
    out = []
    for n, line in enumerate(hours, 1):
        spec, _, note = line.partition("|")
        day_spec, times = spec.split()
        opens, closes = times.split("-")
        days = expand_days(day_spec)
        if days == DAYS and opens == closes == "00:00":
            text = "Open 24 hours"
        else:
            overnight = closes < opens
            when = describe_days(days)
            if overnight:
                when = "every night" if days == DAYS else f"{when} nights"
            text = f"{when[0].upper()}{when[1:]}, {opens}–{closes}"
            notes = ["overnight, closing the next morning"] if overnight else []
            notes += [note.strip()] if note.strip() else []
            if notes:
                text += f" ({'; '.join(notes)})"
        out.append({"id": uid(f"schedule:{owner}:{n}"), "freq": "WEEKLY", "wkst": "MO",
                    "byday": ",".join(days), "opens_at": opens, "closes_at": closes, "description": text})
    return out


def location(row):
    city, state, region, country, tz = CITIES[row["city"]]
    slug = row["slug"]
    address = {"id": uid(f"address:{slug}"), "address_1": row["street"]}
    if row["street2"]:
        address["address_2"] = row["street2"]
    address["city"] = city
    if row["region"] or region:
        address["region"] = row["region"] or region
    address.update(state_province=state, postal_code=row["postcode"], country=country, address_type="physical")
    out = {"id": uid(f"location:{slug}"), "location_type": "physical", "name": row["name"],
           "description": row["about"], "latitude": row["lat"], "longitude": row["lng"]}
    if row["transport"]:
        out["transportation"] = row["transport"]
    out.update(time_zone=tz, confidential=row["confidential"], addresses=[address])
    out["accessibility"] = [{
        "id": uid(f"accessibility:{slug}:1"),
        "description": "Step-free access" if row["step_free"] else "Not step-free",
        "details": row["access"] or "Step-free entrance and an accessible toilet.",
    }]
    return out


def service(org, row):
    slug = row["slug"]
    key = f"service:{slug}"
    country = CITIES[org["city"]][3]
    verified = (REFERENCE_DATE - datetime.timedelta(days=row["days"])).isoformat()
    vet = row.get("vet", "vetted")
    cost = row.get("cost", FREE)

    out = {"id": uid(key), "name": row["name"]}
    if row.get("alt"):
        out["alternate_name"] = row["alt"]
    out.update(description=row["about"], url=f"https://{org['domain']}/services/{slug}",
               email=f"{row.get('mailbox', 'info')}@{org['domain']}", status=row.get("status", "active"))
    if row.get("alert"):
        out["alert"] = row["alert"]
    out["fees_description"] = row.get("fees") or ("Free." if cost == FREE else "; ".join(c[2] for c in cost))
    out["application_process"] = row.get("apply") or default_apply(row)
    out["eligibility_description"] = row.get("who", DEFAULT_WHO)
    if row.get("interp"):
        out["interpretation_services"] = row["interp"]
    if row.get("min_age"):
        out["minimum_age"] = row["min_age"]
    out.update(vetting_status=vet, last_verified_at=verified)
    if vet == "vetted":
        out.update(assured_date=verified, assurer_email=ASSURER_EMAIL)
    out["phones"] = phones(key, row.get("phones", []))
    out["languages"] = [language(slug, c) for c in row["langs"].split()]
    out["cost_options"] = [
        {"id": uid(f"cost:{slug}:{n}"), "option": option, "amount": amount,
         "currency": CURRENCY[country], "amount_description": text}
        for n, (option, amount, text) in enumerate(cost, 1)
    ]
    out["attributes"] = [
        {"id": uid(f"attribute:{slug}:{code}"), "taxonomy_term_id": TERMS[code]["id"],
         "link_entity": "service", "value": ""}
        for code in row["cats"] + row["access"]
    ]
    if row.get("contacts"):
        out["contacts"] = [
            {"id": uid(f"contact:{slug}:{n}"), "name": name, "title": title, "email": f"{box}@{org['domain']}"}
            for n, (name, title, box) in enumerate(row["contacts"], 1)
        ]
    if row.get("area"):
        name, description, geojson = row["area"]
        out["service_areas"] = [{"id": uid(f"service_area:{slug}:1"), "name": name, "description": description,
                                 "extent": json.dumps(geojson, separators=(",", ":")), "extent_type": "geojson"}]
    out["schedules"] = schedules(key, row.get("hours", []))
    out["service_at_locations"] = [
        {"id": uid(f"sal:{slug}:{loc_slug}"), "location_id": uid(f"location:{loc_slug}"),
         "description": description, "schedules": schedules(f"sal:{slug}:{loc_slug}", hours)}
        for loc_slug, description, hours in row.get("sites", [])
    ]
    return out


def default_apply(row):
    if "walk-in" in row["access"]:
        return "Just turn up during opening hours; no appointment or referral needed."
    return "Phone or email to book an appointment. Self-referrals are welcome."


def organization(row):
    out = {"id": uid(f"org:{row['slug']}"), "name": row["name"]}
    if row.get("alt"):
        out["alternate_name"] = row["alt"]
    out.update(description=row["about"], email=f"info@{row['domain']}", website=f"https://{row['domain']}")
    if row.get("phones"):
        out["phones"] = phones(f"org:{row['slug']}", row["phones"])
    out["locations"] = [location(loc_row) for loc_row in row["locations"]]
    out["services"] = [service(row, svc_row) for svc_row in row["services"]]
    return out


# --- Consistency checks on the source tables (keep the demo truthful) --------------------

def check(orgs):
    leaves = {c for c, t in TERMS.items() if t.get("parent_id") and t["taxonomy"] == "sw-categories"}
    access_codes = {c for c, t in TERMS.items() if t["taxonomy"] == "sw-access-safety"}
    used_leaves, slugs, numbers = set(), set(), set()
    for org in orgs:
        locs = {row["slug"]: row for row in org["locations"]}
        used_locs = set()
        for row in org.get("phones", []):
            assert row[0] not in numbers, row[0]
            numbers.add(row[0])
        for s in org["services"]:
            name, access, sites = s["slug"], s["access"], s.get("sites", [])
            assert name not in slugs, name
            slugs.add(name)
            assert 1 <= len(s["cats"]) <= 3 and set(s["cats"]) <= leaves, name
            assert 3 <= len(access) <= 8 and set(access) <= access_codes, name
            assert len(set(access)) == len(access), name
            used_leaves.update(s["cats"])
            for row in s.get("phones", []):
                assert row[0] not in numbers, row[0]
                numbers.add(row[0])
            cost = s.get("cost", FREE)
            assert ("free" in access) == all(c[0] == "Free" and c[1] == 0 for c in cost), name
            assert ("interpreters" in access) == bool(s.get("interp")), name
            assert ("outreach" in access) == (bool(s.get("area")) and not sites and "phone-online" not in access), name
            if not sites:  # phone-only or outreach: a service area and service-level hours
                assert s.get("area") and s.get("hours") and ("outreach" in access or "phone-online" in access), name
            else:
                assert not s.get("hours") and not s.get("area"), name
            assert "walk-in" not in access or sites, name
            assert "wheelchair-accessible" not in access or (sites and all(locs[x[0]]["step_free"] for x in sites)), name
            assert "women-only" not in access or "Women" in s.get("who", ""), name
            assert "refuge" not in s["cats"] or any(locs[x[0]]["confidential"] for x in sites), name
            assert s.get("vet", "vetted") in ("vetted", "pending", "suspended"), name
            for loc_slug, _, _ in sites:
                assert loc_slug in locs, (name, loc_slug)
                used_locs.add(loc_slug)
        assert used_locs == set(locs), org["slug"]
    assert used_leaves == leaves, leaves - used_leaves


def check_confidential(data):
    """A confidential place's street, postcode and exact point must not turn up anywhere else
    in the file (not even inside an id), so the API's redaction can be tested by text search."""
    for org in data["organizations"]:
        for place in org["locations"]:
            if not place["confidential"]:
                continue
            secrets = [repr(place["latitude"]), repr(place["longitude"])]
            secrets += [part for a in place["addresses"] for part in (a["address_1"], a["postal_code"])]
            redacted = json.loads(json.dumps(data))
            for other in (x for o in redacted["organizations"] for x in o["locations"]):
                if other["id"] == place["id"]:
                    other.update(addresses=[], latitude=None, longitude=None)
            text = json.dumps(redacted, ensure_ascii=False)
            for secret in secrets:
                assert secret not in text, (place["name"], secret)


def main():
    check(ORGANIZATIONS)
    data = {"reference_date": REFERENCE_DATE.isoformat(),
            "organizations": [organization(row) for row in ORGANIZATIONS]}
    check_confidential(data)
    OUTPUT.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    n_services = sum(len(o["services"]) for o in data["organizations"])
    print(f"wrote {OUTPUT.name}: {len(data['organizations'])} organizations, {n_services} services")


if __name__ == "__main__":
    main()
