"""Settings: production refuses missing secrets and sandbox addresses, naming them."""

import pytest
from pydantic import SecretStr

from runtime.settings import ROOT_DIR, ConfigurationError, Settings, check_production

COMPLETE = {
    "app_env": "production",
    "secret_key": SecretStr("s" * 32),
    "encryption_keys": SecretStr("k"),
    "operator_password": SecretStr("p"),
    "database_url": "postgresql+psycopg://db/connector",
    "redis_url": "redis://redis:6379/0",
}


def production(**changes) -> Settings:
    settings = Settings(**COMPLETE)
    settings.sandbox.enabled = False
    settings.hubspot.client_id = "real-client-id"
    settings.hubspot.client_secret = SecretStr("real-secret")
    for name, value in changes.items():
        target, _, attribute = name.rpartition("__")
        setattr(getattr(settings, target) if target else settings, attribute, value)
    return settings


def test_complete_production_settings_pass():
    check_production(production())


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"secret_key": SecretStr("")}, "SECRET_KEY is not set"),
        ({"encryption_keys": SecretStr("")}, "ENCRYPTION_KEYS is not set"),
        ({"redis_url": ""}, "REDIS_URL is not set"),
        ({"database_url": ""}, "DATABASE_URL is not set"),
        ({"hubspot__client_secret": SecretStr("")}, "HUBSPOT_CLIENT_SECRET is not set"),
        ({"hubspot__client_id": "sandbox-client-id"}, "HUBSPOT_CLIENT_ID"),
        ({"hubspot__api_base": "http://127.0.0.1:8101"}, "HUBSPOT_API_BASE"),
        ({"sandbox__enabled": True}, "SANDBOX_ENABLED"),
    ],
    ids=[
        "secret",
        "keys",
        "redis",
        "database",
        "hs-secret",
        "hs-id",
        "sandbox-url",
        "sandbox",
    ],
)
def test_production_refuses_and_names_what_is_missing(changes, named):
    with pytest.raises(ConfigurationError, match=named):
        check_production(production(**changes))


def test_every_problem_is_listed_at_once():
    settings = production(secret_key=SecretStr(""), redis_url="")

    with pytest.raises(ConfigurationError) as raised:
        check_production(settings)

    assert "SECRET_KEY" in str(raised.value) and "REDIS_URL" in str(raised.value)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("", ROOT_DIR / "data"),
        (".", ROOT_DIR / "data"),
        ("data-2", ROOT_DIR / "data-2"),
    ],
    ids=["empty", "dot", "relative"],
)
def test_the_data_folder_is_always_inside_a_known_place(given, expected):
    assert Settings(data_dir=given).data_dir == expected
