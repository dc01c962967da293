from tests.reconciliation.kit import frozen_now, hoa, lan  # noqa: F401 — shared fixtures
