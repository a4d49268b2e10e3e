import pytest

from tests.conftest import Client, TokenForPhone
from tests.miniapps.grid_events.test_chain import People


@pytest.fixture
def people(client: Client, token_for_phone: TokenForPhone) -> People:
    return People(client, token_for_phone)
