import pytest

from tests.conftest import Client, TokenFor
from tests.miniapps.gov_services.catalogue_support import Catalogue


@pytest.fixture
def catalogue(client: Client, token_for: TokenFor) -> Catalogue:
    return Catalogue(client, token_for)
