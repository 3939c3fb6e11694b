import pytest

from contacts.relations.models import RelationType


def relation_type(label_en):
    return RelationType.objects.get(label_en=label_en)


@pytest.fixture
def assistant():
    return relation_type("assistant of")


@pytest.fixture
def spouse():
    return relation_type("spouse of")


@pytest.fixture
def subsidiary():
    return relation_type("subsidiary of")


@pytest.fixture
def marie(make_contact):
    """A private person of alice's."""
    return make_contact(first_name="Marie", last_name="Curie")


@pytest.fixture
def jean(make_contact):
    """A private person of alice's."""
    return make_contact(first_name="Jean", last_name="Dupont")
