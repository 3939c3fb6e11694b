"""Load demo data for a first run, or a large reproducible population for benchmarks."""

import functools
import io
import random
import re
import time
from collections import namedtuple
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_noop
from PIL import Image, ImageDraw
from taggit.models import Tag

from contacts import search_text, services, text
from contacts.access import GROUP_PERMS_BY_ACCESS, OBJECT_PERMS
from contacts.db import counts, freshness
from contacts.db.statistics import refresh_statistics
from contacts.imports.writer import insert
from contacts.models import (
    CRM_ADMINS_GROUP,
    CRM_USERS_GROUP,
    Address,
    Contact,
    ContactGroupObjectPermission,
    ContactInfo,
    ContactType,
    ContactUserObjectPermission,
    TaggedContact,
)
from contacts.photos.files import process_photo
from contacts.services import ContactData
from contacts.webforms.services import WebFormData, web_form_save

PASSWORD = "demo1234"  # noqa: S105 - the documented demo password
DEMO_USERS = [
    # username, first name, last name, role
    ("admin", "Alex", "Laurent", "CRM admin, also a Django superuser"),
    ("marie", "Marie", "Dupont", "ordinary user"),
    ("paul", "Paul", "Martin", "ordinary user"),
]
# The tags a migration creates, named in the site's language like it does.
DEFAULT_TAGS = {"Lead", "Customer", "Supplier", "Staff"}
# Every tag the demo's contacts carry, those among them: named in the site's language too.
DEMO_TAGS = DEFAULT_TAGS | {
    gettext_noop("Partner"),
    gettext_noop("VIP"),
    gettext_noop("Newsletter"),
    gettext_noop("Press"),
    gettext_noop("Trade show 2025"),
}
# Contact types by their position in the rows the migration creates.
CLIENT, SUPPLIER, PARTNER, COMPETITOR = range(4)
DEFAULT_TYPES = ["Client", "Supplier", "Partner", "Competitor"]
CURRENCY_BY_COUNTRY = {
    "France": "EUR",
    "Germany": "EUR",
    "Italy": "EUR",
    "United States": "USD",
    "United Kingdom": "GBP",
    "Switzerland": "CHF",
    "Japan": "JPY",
}
SKIN_TONES = [(255, 219, 172), (241, 194, 125), (224, 172, 105), (198, 134, 66), (141, 85, 36)]
FREEMAIL = ["gmail.com", "orange.fr", "outlook.com", "free.fr", "yahoo.co.uk", "icloud.com"]

Company = namedtuple(
    "Company", "key name domain type currency tags access owners phone address about"
)
Person = namedtuple("Person", "first last job company access owners tags phones home links about")

# Addresses are (street, postcode, city, region, country); phones and links are
# (category, value) pairs; owners are the responsible users, the first one creates it.
COMPANIES = [Company(*row) for row in [
    ("lefevre", "Boulangeries Lefèvre SAS", "lefevre-boulangeries.fr", CLIENT, "EUR",
     ["Customer", "VIP"], "public_rw", ["marie"], "+33 1 43 57 21 90",
     ("12 rue de la Roquette", "75011", "Paris", "", "France"),
     "Fourteen bakeries in eastern Paris. Orders organic flour blends every quarter."),
    ("moreau", "Atelier Moreau & Fils", "atelier-moreau.fr", SUPPLIER, "EUR",
     ["Supplier"], "public_read", ["paul"], "04 78 42 15 63",
     ("27 quai Saint-Vincent", "69001", "Lyon", "", "France"),
     "Cabinet makers since 1952. Built the showroom counters; quotes within a week."),
    ("northwind", "Northwind Trading Ltd", "northwind-trading.co.uk", CLIENT, "GBP",
     ["Customer"], "public_read", ["paul"], "+44 20 7946 0321",
     ("48 Great Eastern Street", "EC2A 3EP", "London", "", "United Kingdom"),
     "Imports French gourmet products for the UK market."),
    ("helvetia", "Helvetia Präzision AG", "helvetia-praezision.ch", SUPPLIER, "CHF",
     ["Supplier"], "private", ["marie"], "+41 44 668 18 00",
     ("Hardturmstrasse 161", "8005", "Zürich", "", "Switzerland"),
     "Precision scales and dosing equipment. Framework contract renewed each January."),
    ("kobayashi", "Kobayashi Optics K.K.", "kobayashi-optics.co.jp", PARTNER, "JPY",
     ["Partner"], "public_read", ["paul"], "+81 3-6271-4402",
     ("2-11-3 Jingumae, Shibuya-ku", "150-0001", "Tokyo", "", "Japan"),
     "Distribution partner for Japan since 2021."),
    ("brightharbor", "Bright Harbor Analytics Inc.", "brightharbor.io", None, "USD",
     ["Lead"], "private", ["paul"], "+1 617-555-0148",
     ("200 Clarendon Street", "02116", "Boston", "MA", "United States"),
     "Met at the Web Summit; interested in a pilot in three stores."),
    ("laroque", "Vignobles Château Laroque", "chateau-laroque.fr", CLIENT, "EUR",
     ["Customer"], "public_rw", ["marie"], "05 57 24 68 10",
     ("Lieu-dit Laroque", "33330", "Saint-Émilion", "", "France"),
     "Family estate, 60 ha. Buys labels and gift boxes for the Christmas season."),
    ("girard", "Transports Girard", "transports-girard.fr", SUPPLIER, "EUR",
     ["Supplier"], "private", ["marie"], "03 20 55 47 12",
     ("5 avenue de la Marne", "59290", "Wasquehal", "", "France"),
     "Refrigerated transport in the north; our backup carrier."),
    ("mapleleaf", "Maple Leaf Logistics", "mapleleaf-logistics.com", SUPPLIER, "USD",
     ["Supplier"], "public_read", ["admin"], "+1 416-555-0193",
     ("155 Wellington Street West", "M5V 3H1", "Toronto", "ON", "Canada"), ""),
    ("rousseau", "Cabinet Rousseau Avocats", "rousseau-avocats.fr", PARTNER, "EUR",
     ["Partner"], "private", ["paul"], "01 45 63 78 20",
     ("84 boulevard Haussmann", "75008", "Paris", "", "France"),
     "Our commercial law firm. Call them before signing any distribution contract."),
    ("greenfield", "Greenfield Organics LLC", "greenfieldorganics.com", None, "USD",
     ["Lead", "Newsletter"], "public_read", ["marie"], "+1 (503) 555-0176",
     ("1120 NW Couch Street", "97209", "Portland", "OR", "United States"), ""),
    ("imprimerie", "Imprimerie du Centre", "imprimerie-du-centre.fr", SUPPLIER, "EUR",
     ["Supplier"], "public_read", ["paul"], "04 73 91 26 35",
     ("18 rue Blatin", "63000", "Clermont-Ferrand", "", "France"), ""),
    ("blueridge", "Blue Ridge Software", "blueridgesoftware.com", COMPETITOR, "USD",
     [], "public_read", ["marie"], "+1 512-555-0110",
     ("401 Congress Avenue", "78701", "Austin", "TX", "United States"),
     "Competitor: sells a cloud CRM to bakeries. Watch their pricing page."),
    ("delices", "Pâtisserie Aux Délices", "auxdelices-nantes.fr", CLIENT, "EUR",
     ["Customer"], "private", ["marie"], "02 40 48 12 77",
     ("3 rue Crébillon", "44000", "Nantes", "", "France"), ""),
    ("thames", "Thames Valley Consulting", "thamesvalleyconsulting.co.uk", None, "GBP",
     ["Lead"], "private", ["paul"], "+44 118 496 0725",
     ("Forbury Square", "RG1 3EB", "Reading", "", "United Kingdom"), ""),
    ("solaris", "Solaris Énergie", "solaris-energie.fr", CLIENT, "EUR",
     ["Customer", "Trade show 2025"], "public_rw", ["paul"], "04 67 58 90 21",
     ("1025 avenue Henri Becquerel", "34000", "Montpellier", "", "France"),
     "Installs solar panels on bakery roofs; we supply their ovens."),
    ("nordic", "Nordic Design Studio ApS", "nordicdesign.dk", PARTNER, "EUR",
     ["Partner"], "public_read", ["marie", "paul"], "+45 32 64 19 80",
     ("Islands Brygge 43", "2300", "Copenhagen", "", "Denmark"), ""),
    ("veto", "Clinique Vétérinaire des Alpes", "clinique-veto-alpes.fr", CLIENT, "EUR",
     ["Customer"], "private", ["marie"], "04 50 45 33 19",
     ("9 avenue de Genève", "74000", "Annecy", "", "France"), ""),
]]  # fmt: skip

PERSONS = [Person(*row) for row in [
    ("Sophie", "Lefèvre", "Managing director", "lefevre", "public_rw", ["marie"],
     ["Customer", "VIP"], [("work", "+33 1 43 57 21 91"), ("mobile", "06 12 45 78 90")], None,
     [("linkedin", "https://www.linkedin.com/in/sophie-lefevre")],
     "Decides alone on orders above €5,000. Prefers calls before 10 am."),
    ("Julien", "Lefèvre", "Purchasing manager", "lefevre", "public_rw", ["marie"],
     ["Customer"], [("mobile", "06 87 21 34 56")], None, [], ""),
    ("Antoine", "Moreau", "Master cabinet maker", "moreau", "public_read", ["paul"],
     ["Supplier"], [("work", "04 78 42 15 64"), ("mobile", "+33 6 71 22 83 94")], None,
     [("website", "https://www.atelier-moreau.fr/antoine")], ""),
    ("Camille", "Moreau", "Office manager", "moreau", "public_read", ["paul"],
     ["Supplier"], [("work", "04 78 42 15 60"), ("fax", "04 78 42 15 69")], None, [],
     "Sends the invoices; ask her for delivery dates."),
    ("James", "Whitaker", "Head of buying", "northwind", "public_read", ["paul"],
     ["Customer"], [("direct", "+44 20 7946 0322"), ("mobile", "+44 7700 900123")],
     ("14 Elgin Crescent", "W11 2HX", "London", "", "United Kingdom"),
     [("linkedin", "https://www.linkedin.com/in/jameswhitaker"),
      ("twitter", "https://x.com/jwhitaker")], ""),
    ("Emily", "Carter", "Category manager", "northwind", "public_read", ["paul"],
     ["Customer", "Newsletter"], [("work", "+44 20 7946 0330")], None,
     [("linkedin", "https://www.linkedin.com/in/emily-carter-uk")], ""),
    ("Lukas", "Brunner", "Sales engineer", "helvetia", "private", ["marie"],
     ["Supplier"], [("work", "+41 44 668 18 12"), ("mobile", "+41 79 555 12 34")], None, [],
     "Speaks French; comes to Paris every second month."),
    ("Hiroshi", "Tanaka", "Export director", "kobayashi", "public_read", ["paul"],
     ["Partner"], [("work", "+81 3-6271-4410")], None,
     [("linkedin", "https://www.linkedin.com/in/hiroshi-tanaka")], ""),
    ("Yuki", "Sato", "Account manager", "kobayashi", "public_read", ["paul"],
     ["Partner"], [("mobile", "+81 90-1234-5678")], None, [], ""),
    ("Rachel", "Goldberg", "Chief executive officer", "brightharbor", "private", ["paul"],
     ["Lead"], [("mobile", "+1 617-555-0172")],
     ("22 Beacon Street", "02108", "Boston", "MA", "United States"),
     [("linkedin", "https://www.linkedin.com/in/rachelgoldberg"),
      ("github", "https://github.com/rgoldberg")],
     "Wants a demo with real data before her board meeting in March."),
    ("Daniel", "Kim", "Data engineer", "brightharbor", "private", ["paul"],
     ["Lead"], [("work", "+1 617-555-0149")], None,
     [("github", "https://github.com/dkim-data")], ""),
    ("Pierre", "Laroque", "Owner", "laroque", "public_rw", ["marie"],
     ["Customer", "VIP"], [("work", "05 57 24 68 11"), ("mobile", "06 23 45 67 81")], None,
     [("website", "https://www.chateau-laroque.fr"),
      ("instagram", "https://www.instagram.com/chateaularoque")], ""),
    ("Hélène", "Laroque", "Marketing manager", "laroque", "public_rw", ["marie", "paul"],
     ["Customer"], [("mobile", "06 34 56 78 12")], None, [], ""),
    ("Marc", "Girard", "Fleet manager", "girard", "private", ["marie"],
     ["Supplier"], [("work", "03 20 55 47 10"), ("mobile", "07 81 92 03 14")], None, [], ""),
    ("Olivia", "Bennett", "Operations director", "mapleleaf", "public_read", ["admin"],
     ["Supplier"], [("work", "+1 416-555-0194")], None, [], ""),
    ("Élise", "Rousseau", "Partner", "rousseau", "private", ["paul"],
     ["Partner"], [("direct", "01 45 63 78 21")], None,
     [("linkedin", "https://www.linkedin.com/in/elise-rousseau-avocat")],
     "Handles our contracts. Billed by the hour: keep calls short."),
    ("Thomas", "Nguyen", "Associate", "rousseau", "private", ["paul", "marie"],
     [], [("work", "01 45 63 78 25")], None, [], ""),
    ("Megan", "O'Brien", "Founder", "greenfield", "public_read", ["marie"],
     ["Lead", "Newsletter"], [("mobile", "+1 (503) 555-0188")],
     ("2415 SE Clinton Street", "97202", "Portland", "OR", "United States"),
     [("linkedin", "https://www.linkedin.com/in/megan-obrien"),
      ("facebook", "https://www.facebook.com/greenfieldorganics")], ""),
    ("François", "Dubois", "Print shop manager", "imprimerie", "public_read", ["paul"],
     ["Supplier"], [("work", "04 73 91 26 30")], None, [], ""),
    ("Kevin", "Walsh", "Sales director", "blueridge", "public_read", ["marie"],
     [], [("work", "+1 512-555-0111")], None,
     [("linkedin", "https://www.linkedin.com/in/kevinwalsh"),
      ("twitter", "https://x.com/kwalsh")], ""),
    ("Nathalie", "Petit", "Owner", "delices", "private", ["marie"],
     ["Customer"], [("work", "02 40 48 12 78"), ("mobile", "06 45 67 89 01")], None, [],
     "Opening a second shop in Saint-Nazaire in the spring."),
    ("Oliver", "Hughes", "Principal consultant", "thames", "private", ["paul"],
     ["Lead"], [("mobile", "+44 7700 900456")], None, [], ""),
    ("Claire", "Fontaine", "Project manager", "solaris", "public_rw", ["paul"],
     ["Customer", "Trade show 2025"], [("mobile", "06 56 78 90 12"), ("work", "04 67 58 90 22")],
     None, [], ""),
    ("Mathieu", "Roux", "Field technician", "solaris", "public_rw", ["paul"],
     ["Customer"], [("mobile", "07 12 34 56 78")], None, [], ""),
    ("Freja", "Jensen", "Creative director", "nordic", "public_read", ["marie", "paul"],
     ["Partner"], [("work", "+45 32 64 19 81")], None,
     [("website", "https://www.nordicdesign.dk/freja"),
      ("instagram", "https://www.instagram.com/freja.designs")], ""),
    ("Isabelle", "Girard", "Veterinarian", "veto", "private", ["marie"],
     ["Customer"], [("work", "04 50 45 33 20")], None, [], ""),
    ("Jean", "Dupont", "Freelance photographer", None, "public_read", ["marie"],
     ["Supplier"], [("mobile", "06 98 76 54 32")],
     ("7 rue des Martyrs", "75009", "Paris", "", "France"),
     [("website", "https://www.jeandupont-photo.fr"),
      ("instagram", "https://www.instagram.com/jeandupontphoto")],
     "Shot the 2024 catalogue. Day rate €650."),
    ("Aurélie", "Dupuis", "Chartered accountant", None, "private", ["paul"],
     ["Supplier"], [("work", "01 48 87 65 43"), ("mobile", "06 11 22 33 44")],
     ("42 avenue Jean Jaurès", "92120", "Montrouge", "", "France"), [], ""),
    ("Sarah", "Mitchell", "Food journalist", None, "public_read", ["marie"],
     ["Press"], [("mobile", "+44 7700 900789")],
     ("3 Regent Street", "BS8 4HG", "Bristol", "", "United Kingdom"),
     [("twitter", "https://x.com/sarahmitchellfood"),
      ("website", "https://sarahmitchell.blog")], ""),
    ("Nicolas", "Bernard", "Sales representative", None, "public_read", ["admin"],
     ["Staff"], [("mobile", "06 22 33 44 55")],
     ("31 rue Mercière", "69002", "Lyon", "", "France"),
     [("linkedin", "https://www.linkedin.com/in/nicolas-bernard-sales")], ""),
    ("Léa", "Martin", "Customer support", None, "public_read", ["admin"],
     ["Staff"], [("work", "01 84 60 12 34")], None, [], ""),
    ("Hugo", "Lambert", "Bakery owner", None, "private", ["marie"],
     ["Lead"], [("mobile", "06 77 88 99 00")],
     ("15 place du Marché", "35000", "Rennes", "", "France"), [],
     "Asked for a quote for two deck ovens."),
    ("Chloé", "Garnier", "Pastry chef", None, "private", ["paul"],
     ["Lead", "Trade show 2025"], [("mobile", "07 66 55 44 33")],
     ("8 rue Sainte-Catherine", "33000", "Bordeaux", "", "France"),
     [("instagram", "https://www.instagram.com/chloe.patisse")], ""),
    ("William", "Turner", "Retired baker", None, "public_read", ["paul"],
     ["Newsletter"], [("home", "+44 161 496 0012")],
     ("27 Deansgate", "M3 4LQ", "Manchester", "", "United Kingdom"), [], ""),
    ("Anna", "Schmidt", "Buyer", None, "private", ["marie"],
     ["Lead"], [("mobile", "+49 151 23456789")],
     ("Torstraße 125", "10119", "Berlin", "", "Germany"), [], ""),
    ("Marco", "Rossi", "Distributor", None, "public_read", ["marie"],
     ["Partner"], [("mobile", "+39 347 123 4567")],
     ("Via Torino 21", "20123", "Milan", "", "Italy"), [], ""),
    ("Jessica", "Moore", "UX designer", None, "public_rw", ["paul"],
     [], [("mobile", "+1 415-555-0132")],
     ("680 Folsom Street", "94107", "San Francisco", "CA", "United States"),
     [("github", "https://github.com/jessmoore"),
      ("linkedin", "https://www.linkedin.com/in/jessica-moore-ux")], ""),
    ("Gabriel", "Fournier", "Developer", None, "public_rw", ["marie"],
     ["Staff"], [("mobile", "06 01 02 03 04")], None,
     [("github", "https://github.com/gfournier")], ""),
    ("Stéphane", "Mercier", "Wine merchant", None, "private", ["marie", "admin"],
     ["Customer", "VIP"], [("work", "03 80 22 14 56"), ("mobile", "06 44 55 66 77")],
     ("4 place Carnot", "21200", "Beaune", "", "France"), [], ""),
    ("Charlotte", "Davies", "Event organiser", None, "public_read", ["paul"],
     ["Trade show 2025"], [("work", "+44 20 7946 0875")], None,
     [("website", "https://www.bakeryexpo.co.uk")], ""),
    ("Yannick", "Morel", "Baker", None, "private", ["paul"],
     ["Lead"], [("mobile", "06 90 80 70 60"), ("home", "02 99 12 34 56")],
     ("22 rue de Saint-Malo", "35400", "Saint-Malo", "", "France"), [], ""),
    ("Laura", "Meier", "Buyer", None, "private", ["paul"],
     ["Lead"], [("mobile", "+41 76 555 43 21")],
     ("Rue du Rhône 65", "1204", "Geneva", "", "Switzerland"), [], ""),
]]  # fmt: skip

# Words for the large population. Several last names start with "dup" for the search case.
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
BULK_MODELS = [
    Contact,
    ContactInfo,
    Address,
    TaggedContact,
    Contact.responsible.through,
    ContactUserObjectPermission,
    ContactGroupObjectPermission,
]
CHUNK = 5000
# Parsing a phone number costs ~0.25 ms: 100k contacts draw their phones from a pool of
# numbers parsed once each, so that a number is shared by about 40 contacts.
PHONE_POOL = 5000


class Command(BaseCommand):
    help = "Load demo data, or with --contacts a large reproducible population for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any user exists."
        )
        parser.add_argument("--contacts", type=int, help="Bulk-create this many contacts.")
        parser.add_argument("--users", type=int, default=50, help="Users for --contacts.")
        parser.add_argument("--seed", type=int, default=0, help="Random seed for --contacts.")

    def handle(self, *args, **options):
        User = get_user_model()
        if options["contacts"] is not None:
            started = time.perf_counter()
            seed_population(options["contacts"], options["users"], options["seed"])
            refresh_statistics()
            self.stdout.write(
                f"Seeded {options['contacts']} contacts and {options['users']} users "
                f"in {time.perf_counter() - started:.1f} s."
            )
            self.print_logins([(f"user1 … user{options['users']}", "ordinary users")])
            return
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("Users exist already: no demo data loaded.")
        else:
            if User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).exists():
                raise CommandError("The demo users exist already: use an empty database.")
            count = seed_demo()
            self.stdout.write(f"Loaded {count} demo contacts.")
        self.print_logins([(name, role) for name, _, _, role in DEMO_USERS])

    def print_logins(self, logins):
        # SITE_URL: the address the e-mails link to, which make run's server answers on.
        url = settings.SITE_URL.rstrip("/") + "/"
        self.stdout.write(f"\nOpen {url} and log in with password {PASSWORD} as:")
        for name, role in logins:
            self.stdout.write(f"  {name:<20} {role}")


@transaction.atomic
def seed_demo():
    """Create the demo users and about 60 contacts through the services; return the count."""
    users = _demo_users()
    types = _default_types_in_site_language()
    with translation.override(settings.LANGUAGE_CODE):
        demo_tags = {name: gettext(name) for name in DEMO_TAGS}
    rng = random.Random(0)
    count = 0

    def create(kind, fields, row, infos, addresses, company=None):
        nonlocal count
        type_index = fields.pop("type", getattr(row, "type", None))
        if type_index is not None and type_index < len(types):
            fields["contact_type"] = types[type_index]
        data = ContactData(
            kind=kind,
            fields=fields,
            access=row.access,
            responsible=[users[name] for name in row.owners],
            tags=[demo_tags[tag] for tag in row.tags],
            infos=infos,
            addresses=addresses,
            company=company,
            photo=_photo(rng, kind, fields) if count % 3 == 0 else None,
        )
        count += 1
        # The first responsible user creates it: the others get an assignment notice.
        return services.contact_create(by=users[row.owners[0]], data=data)

    companies = {}
    for n, c in enumerate(COMPANIES):
        infos = [
            _info("email", "work", f"contact@{c.domain}"),
            _info("phone", "work", c.phone),
            _info("web", "website", f"https://www.{c.domain}/"),
            _info("web", "linkedin", f"https://www.linkedin.com/company/{c.key}"),
        ]
        if n % 4 == 0:
            infos.insert(1, _info("email", "other", f"accounts@{c.domain}"))
        fields = {"company_name": c.name, "currency": c.currency, "description": c.about}
        addresses = [_address("work", c.address)]
        companies[c.key] = c, create(Contact.Kind.COMPANY, fields, c, infos, addresses)
    for n, p in enumerate(PERSONS):
        company_row, company = companies.get(p.company, (None, None))
        local = re.sub(r"[^a-z.-]", "", text.fold(f"{p.first}.{p.last}"))
        infos = []
        if company:
            infos.append(_info("email", "work", f"{local}@{company_row.domain}"))
        if not company or n % 4 == 0:
            infos.append(_info("email", "home", f"{local}@{FREEMAIL[n % len(FREEMAIL)]}"))
        infos += [_info("phone", category, value) for category, value in p.phones]
        infos += [_info("web", category, url) for category, url in p.links]
        if p.home:
            addresses = [_address("home", p.home)]
        else:
            addresses = [_address("work", company_row.address)] if company else []
        country = p.home[4] if p.home else ""
        fields = {
            "first_name": p.first,
            "last_name": p.last,
            "job_title": p.job,
            "description": p.about,
            "type": company_row.type if company else None,
        }
        # The company's currency, the country's, or else the one every new contact gets.
        currency = company.currency if company else CURRENCY_BY_COUNTRY.get(country)
        if currency:
            fields["currency"] = currency
        create(Contact.Kind.PERSON, fields, p, infos, addresses, company=company)
    _demo_web_form(users, demo_tags)
    return count


def _default_types_in_site_language():
    """Return the contact types, the migration's own renamed in the site's language.

    The migration named them in the language the site had when it ran; a type an admin
    renamed since keeps its name.
    """
    types = list(ContactType.objects.order_by("position", "id"))
    for contact_type, default in zip(types, DEFAULT_TYPES, strict=False):
        names = set()
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(gettext(default))
        with translation.override(settings.LANGUAGE_CODE):
            title = gettext(default)
        taken = ContactType.objects.filter(title__iexact=title).exists()
        if contact_type.title in names and not taken:
            contact_type.title = title
            contact_type.save(update_fields=["title"])
    return types


def _demo_web_form(users, demo_tags):
    """Add a website form for persons, ready to paste into a site."""
    with translation.override(settings.LANGUAGE_CODE):
        name = gettext("Contact us")
    fields = [
        {"name": field, "required": field in ("last_name", "email"), "label": ""}
        for field in ("last_name", "company_name", "email", "phone", "description")
    ]
    web_form_save(
        data=WebFormData(
            name=name,
            kind=Contact.Kind.PERSON,
            language=settings.LANGUAGE_CODE,
            fields=fields,
            tags=[demo_tags["Lead"]],
            responsible=[users["marie"]],
            notify=[users["marie"]],
        )
    )


def _demo_users():
    User = get_user_model()
    users = {}
    for username, first, last, _ in DEMO_USERS:
        user = User(username=username, first_name=first, last_name=last)
        user.email = f"{username}@example.com"
        user.set_password(PASSWORD)
        # The CRM admin may also open Django's admin site.
        user.is_staff = user.is_superuser = username == "admin"
        user.save()
        users[username] = user
    users["admin"].groups.add(Group.objects.get_or_create(name=CRM_ADMINS_GROUP)[0])
    return users


def _info(kind, category, value):
    return {"kind": kind, "category": category, "value": value, "is_primary": False}


def _address(category, address):
    street, postcode, city, region, country = address
    return {
        "category": category,
        "street": street,
        "postcode": postcode,
        "city": city,
        "region": region,
        "country": country,
    }


def _photo(rng, kind, fields):
    """Draw a portrait or a logo and process it like an upload."""
    name = fields.get("company_name") or f"{fields['first_name']} {fields['last_name']}"
    size = (300, 400) if kind == "person" else (400, 400)
    top, bottom = (tuple(rng.randrange(40, 230) for _ in range(3)) for _ in range(2))
    mask = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)
    draw = ImageDraw.Draw(image)
    ink = tuple(rng.randrange(20, 160) for _ in range(3))
    if kind == "person":
        draw.ellipse((40, 230, 260, 500), fill=ink)
        draw.ellipse((100, 80, 200, 210), fill=rng.choice(SKIN_TONES))
    else:
        for _ in range(3):
            x, y, r = rng.randrange(80, 320), rng.randrange(80, 320), rng.randrange(30, 90)
            shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
            shape((x - r, y - r, x + r, y + r), fill=ink, outline="white", width=6)
    out = io.BytesIO()
    fmt, ext = ("PNG", "png") if kind == "company" else ("JPEG", "jpg")
    image.save(out, fmt)
    upload = SimpleUploadedFile(f"{slugify(name)}.{ext}", out.getvalue(), f"image/{fmt.lower()}")
    return process_photo(upload)


def seed_population(n_contacts, n_users, seed):
    """Create n_contacts contacts shared among n_users users, with the rows the services write."""
    rng = random.Random(seed)
    with _fast_sqlite(), _phone_cache(), transaction.atomic(), _indexes_rebuilt(BULK_MODELS):
        users = _bulk_users(n_users)
        world = {
            "rng": rng,
            "now": timezone.now(),
            "users": users,
            "tags": _bulk_tags(),
            "types": [*ContactType.objects.values_list("pk", flat=True), None],
            "phones": _phone_pool(rng),
            "perms": dict(
                Permission.objects.filter(
                    content_type__app_label="contacts", codename__in=OBJECT_PERMS
                ).values_list("codename", "pk")
            ),
            "group": Group.objects.get(name=CRM_USERS_GROUP).pk,
            "companies": [],
            # Ids are given here so that every row can point at its contact without a
            # round trip; the sequence is moved past them at the end.
            "next_id": (Contact.objects.aggregate(last=Max("pk"))["last"] or 0) + 1,
            "scratch": Contact(),
            "columns": [f.attname for f in Contact._meta.concrete_fields],
            "defaults": _column_defaults(Contact()),
        }
        # Companies first, so that persons can work at companies of the same run.
        n_companies = n_contacts * 3 // 10
        kinds = [
            (Contact.Kind.COMPANY, n_companies),
            (Contact.Kind.PERSON, n_contacts - n_companies),
        ]
        # The list's version changes once, and its counts are written once at the end.
        with freshness.bulk_writes():
            for kind, total in kinds:
                for start in range(0, total, CHUNK):
                    _insert(world, [_fake(world, kind) for _ in range(min(CHUNK, total - start))])
            counts.recount()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Contact]):
                cursor.execute(sql)


def _bulk_users(n_users):
    User = get_user_model()
    names = [f"user{n}" for n in range(1, n_users + 1)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    password = make_password(PASSWORD)
    rng = random.Random(n_users)
    User.objects.bulk_create(
        User(
            username=name,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            email=f"{name}@example.com",
            password=password,
        )
        for name in names
        if name not in existing
    )
    ids = list(User.objects.filter(username__in=names).order_by("pk").values_list("pk", flat=True))
    # bulk_create sends no post_save: add the group membership the signal would add.
    group = Group.objects.get_or_create(name=CRM_USERS_GROUP)[0]
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=uid, group_id=group.pk) for uid in ids],
        ignore_conflicts=True,
    )
    return ids


def _bulk_tags():
    with translation.override(settings.LANGUAGE_CODE):
        names = [gettext(name) for name in sorted(DEFAULT_TAGS)]
    names += [f"{topic} {place}" for topic in TAG_TOPICS for place in TAG_PLACES][:196]
    Tag.objects.bulk_create(
        [Tag(name=name, slug=slugify(name)) for name in names], ignore_conflicts=True
    )
    return list(Tag.objects.filter(name__in=names).order_by("pk").values_list("pk", flat=True))


def _phone_pool(rng):
    def digits(n):
        return f"{rng.randrange(10**n):0{n}d}"

    def pairs(n):
        return " ".join(digits(2) for _ in range(n))

    styles = [
        lambda: f"0{rng.choice('12345')} {pairs(4)}",
        lambda: f"0{rng.choice('67')} {pairs(4)}",
        lambda: f"+33 {rng.choice('1234567')} {pairs(4)}",
        lambda: f"+44 20 7946 {digits(4)}",
        lambda: f"+1 {rng.choice(['212', '415', '617', '312'])}-555-{digits(4)}",
        lambda: f"+41 {rng.choice(['22', '44', '79'])} {digits(3)} {pairs(2)}",
    ]
    return list(dict.fromkeys(rng.choice(styles)() for _ in range(PHONE_POOL)))


def _fake(world, kind):
    """Return one random contact's column values with the rows that belong to it."""
    rng = world["rng"]
    created = world["now"] - timedelta(seconds=rng.uniform(0, THREE_YEARS))
    created = Contact._meta.get_field("created_at").get_db_prep_save(created, connection)
    draw = rng.random()
    access = next(value for share, value in ACCESS_SHARES if draw < share)
    responsible = rng.sample(world["users"], min(rng.randint(1, 3), len(world["users"])))
    row = dict(world["defaults"])
    row.update(
        id=world["next_id"],
        kind=kind,
        access=access,
        contact_type_id=rng.choice(world["types"]),
        currency=rng.choices(CURRENCIES, CURRENCY_WEIGHTS)[0],
        description=rng.choice(DESCRIPTIONS) if rng.random() < 0.3 else "",
        created_at=created,
        updated_at=created,
        created_by_id=responsible[0],
        updated_by_id=responsible[0],
    )
    world["next_id"] += 1
    company = None
    if kind == Contact.Kind.PERSON:
        row["first_name"] = rng.choice(FIRST_NAMES)
        row["last_name"] = rng.choice(LAST_NAMES)
        row["job_title"] = rng.choice(JOB_TITLES)
        if world["companies"] and rng.random() < 0.5:
            company = rng.choice(world["companies"])
            row["company_id"] = company[0]
        local = text.fold(f"{row['first_name']}.{row['last_name']}")
        domain = company[2] if company else rng.choice(FREEMAIL)
    else:
        words = [rng.choice(COMPANY_WORDS), rng.choice(COMPANY_NOUNS), rng.choice(COMPANY_SUFFIXES)]
        row["company_name"] = " ".join(w for w in words if w)
        local, domain = "contact", text.fold(f"{words[0]}-{words[1]}.com")
    local, domain = (re.sub(r"[^a-z0-9.-]", "", s) for s in (local, domain))
    infos = []
    for kind_, categories in INFO_KINDS_CATEGORIES.items():
        for n in range(rng.randint(1, 3)):
            if kind_ == ContactInfo.Kind.EMAIL:
                value = (
                    f"{local}{rng.randrange(100) if n else ''}@{domain if n < 2 else 'gmail.com'}"
                )
            else:
                value = rng.choice(world["phones"])
            infos.append({"kind": kind_, "category": categories[n], "value": value})
    city, postcode, region, country = rng.choice(CITIES)
    street = f"{rng.randint(1, 180)} {rng.choice(STREETS)}"
    category = "work" if kind == Contact.Kind.COMPANY or company else "home"
    address = (category, street, city, region, postcode, country)
    # One reused instance computes the names as the model does: building a Contact per
    # row would cost more than everything else here.
    scratch = world["scratch"]
    for name in ("kind", "first_name", "last_name", "company_name", "job_title"):
        setattr(scratch, name, row[name])
    scratch.compute_names()
    row["display_name"], row["sort_name"] = scratch.display_name, scratch.sort_name
    row["search_text"] = search_text.search_text_for(scratch, infos, company[1] if company else "")
    if kind == Contact.Kind.COMPANY:
        world["companies"].append((row["id"], row["display_name"], domain))
    tags = rng.sample(world["tags"], rng.randint(0, min(4, len(world["tags"]))))
    return row, infos, address, tags, responsible


def _insert(world, rows):
    """Write a chunk of contacts and every row that goes with them."""
    contacts, infos, addresses, tagged, responsible, user_perms, group_perms = (
        [] for _ in range(7)
    )
    perms, group, columns = world["perms"], world["group"], world["columns"]
    for row, contact_infos, address, tags, users in rows:
        pk = row["id"]
        contacts.append([row[column] for column in columns])
        seen = set()
        for position, info in enumerate(contact_infos):
            kind, value = info["kind"], info["value"]
            normalized = services.normalized(kind, value)
            infos.append(
                (pk, kind, info["category"], value, normalized, kind not in seen, position)
            )
            seen.add(kind)
        addresses.append((pk, *address, True, 0))
        tagged += [(pk, tag) for tag in tags]
        responsible += [(pk, user) for user in users]
        user_perms += [(pk, user, perms[p]) for user in users for p in OBJECT_PERMS]
        group_perms += [(pk, group, perms[p]) for p in GROUP_PERMS_BY_ACCESS[row["access"]]]
    insert(Contact, columns, contacts)
    info_fields = ["contact", "kind", "category", "value", "normalized", "is_primary", "position"]
    insert(ContactInfo, info_fields, infos)
    address_fields = ["category", "street", "city", "region", "postcode", "country"]
    insert(Address, ["contact", *address_fields, "is_primary", "position"], addresses)
    insert(TaggedContact, ["content_object", "tag"], tagged)
    insert(Contact.responsible.through, ["contact", "user"], responsible)
    insert(ContactUserObjectPermission, ["content_object", "user", "permission"], user_perms)
    insert(ContactGroupObjectPermission, ["content_object", "group", "permission"], group_perms)


def _column_defaults(instance):
    return {
        f.attname: f.get_db_prep_save(getattr(instance, f.attname), connection)
        for f in instance._meta.concrete_fields
    }


@contextmanager
def _phone_cache():
    """Normalise each pooled phone number once instead of once per row."""
    saved = text.normalize_phone, text.phone_search_digits
    text.normalize_phone, text.phone_search_digits = (functools.cache(f) for f in saved)
    try:
        yield
    finally:
        text.normalize_phone, text.phone_search_digits = saved


@contextmanager
def _indexes_rebuilt(models):
    """On SQLite, drop the tables' indexes during the load and create them again after."""
    # Sorting once per index is ~5 times faster than 1.6 million random inserts into
    # them. A failure rolls the drop back with the rest of the transaction.
    if connection.vendor != "sqlite":
        yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'")
        indexes = [(name, sql) for name, table, sql in cursor.fetchall() if sql and table in tables]
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _, sql in indexes:
            cursor.execute(sql)


@contextmanager
def _fast_sqlite():
    """Skip fsync during the load: a crash only loses demo data."""
    # SQLite refuses to change this inside a transaction, as in tests.
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous=OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={int(before)}")
