"""The words the bench population is drawn from.

Several last names start with "dup" for the search case.
"""

from contacts.models import Contact, ContactInfo

FIRST_NAMES = (
    "Jean Marie Pierre Sophie Julien Camille Nicolas Julie Thomas Léa Antoine Chloé Hugo "
    "Manon Louis Emma Lucas Inès Mathieu Élodie François Hélène Stéphane Aurélie James "
    "Emily Oliver Sarah William Jessica Daniel Rachel George Olivia Henry Charlotte Jack "
    "Amelia Kevin Megan Lukas Anna Marco Giulia Hiroshi Yuki Freja Lars Laura Noah"
).split()
LAST_NAMES = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier "
    "Dupont Dupuis Duprat Lambert Bonnet François Fontaine Rousseau Smith Johnson Williams "
    "Brown Jones Taylor Davies Evans Wilson Walker Turner Carter Hughes Bennett Mitchell "
    "Whitaker O'Brien Kim Nguyen Schmidt Müller Rossi Tanaka Sato Jensen Meier Brunner"
).split()
JOB_TITLES = [
    "Managing director", "Purchasing manager", "Sales director", "Account manager",
    "Office manager", "Chief financial officer", "Head of buying", "Project manager",
    "Marketing manager", "Operations director", "Developer", "Accountant", "Consultant",
    "Responsable achats", "Directeur commercial", "Chef de projet", "Assistante de direction",
    "Gérant", "Comptable", "Ingénieur commercial", "Technicien", "Pastry chef", "Baker",
    "Store manager", "Logistics coordinator", "Customer success manager", "",
]  # fmt: skip
COMPANY_WORDS = (
    "Atlas Nova Boréal Horizon Summit Azur Lumière Granite Cedar Pioneer Vertex Orion "
    "Riviera Everest Harbor Alpine Mistral Delta Phoenix Maple Océane Sterling Zenith Iris"
).split()
COMPANY_NOUNS = [
    "Logistique",
    "Systems",
    "Boulangerie",
    "Consulting",
    "Industries",
    "Distribution",
    "Conseil",
    "Foods",
    "Énergie",
    "Analytics",
    "Transports",
    "Design",
    "Imprimerie",
    "Software",
    "Bâtiment",
    "Pâtisserie",
    "Trading",
    "Optique",
    "Media",
    "Santé",
]
COMPANY_SUFFIXES = ["SAS", "SARL", "SA", "Ltd", "Inc.", "LLC", "GmbH", "AG", "& Co", ""]
STREETS = [
    "rue de la République",
    "avenue Victor Hugo",
    "boulevard Voltaire",
    "rue Nationale",
    "place de la Mairie",
    "chemin des Vignes",
    "High Street",
    "Station Road",
    "Main Street",
    "Oak Avenue",
    "Bahnhofstrasse",
    "rue du Commerce",
]
CITIES = [
    ("Paris", "75011", "", "France"), ("Lyon", "69002", "", "France"),
    ("Marseille", "13001", "", "France"), ("Bordeaux", "33000", "", "France"),
    ("Lille", "59000", "", "France"), ("Nantes", "44000", "", "France"),
    ("Toulouse", "31000", "", "France"), ("Strasbourg", "67000", "", "France"),
    ("London", "EC1A 1BB", "", "United Kingdom"), ("Manchester", "M1 1AE", "", "United Kingdom"),
    ("New York", "10001", "NY", "United States"), ("Chicago", "60601", "IL", "United States"),
    ("Zürich", "8001", "", "Switzerland"), ("Geneva", "1201", "", "Switzerland"),
    ("Brussels", "1000", "", "Belgium"), ("Berlin", "10115", "", "Germany"),
]  # fmt: skip
DESCRIPTIONS = [
    "Met at the trade show; follow up after the summer.",
    "Prefers email to phone calls.",
    "Long-standing customer, pays within 30 days.",
    "Asked for a quote; waiting for their budget.",
    "Rencontré au salon, à rappeler en septembre.",
    "Client fidèle depuis 2019.",
]
TAG_TOPICS = (
    "Newsletter VIP Webinar Referral Reseller Press Investor Alumni Renewal Churned "
    "Prospect Event Partner Trial"
).split()
TAG_PLACES = (
    "Paris Lyon Lille Bordeaux Nantes London Manchester Berlin Zürich Geneva Brussels "
    "Milan Madrid Boston"
).split()
CURRENCIES, CURRENCY_WEIGHTS = ["EUR", "USD", "GBP", "CHF", "JPY"], [60, 30, 5, 3, 2]
INFO_KINDS_CATEGORIES = {
    ContactInfo.Kind.EMAIL: ["work", "home", "other"],
    ContactInfo.Kind.PHONE: ["work", "mobile", "home", "direct", "fax"],
}
ACCESS_SHARES = [
    (0.6, Contact.Access.PRIVATE),
    (0.9, Contact.Access.PUBLIC_READ),
    (1.0, Contact.Access.PUBLIC_RW),
]
THREE_YEARS = 3 * 365 * 24 * 3600
