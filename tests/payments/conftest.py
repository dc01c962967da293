from tests.payments.kit import hoa, lan, partner_secrets  # noqa: F401 — shared fixtures
