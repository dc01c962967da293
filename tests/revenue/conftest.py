from tests.adoption.kit import frozen  # noqa: F401 — shared fixture
