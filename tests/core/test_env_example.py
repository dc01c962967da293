"""`.env.example` lists every environment variable the service reads and
nothing else, and only the settings (and the entry points and the web server's
configuration, market40/server.py) read the environment: every other module reads
`django.conf.settings`."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READERS = {"env_str", "env_bool", "env_int", "env_list", "env_percent", "env_time"}
# Where the environment may be read: the settings, the web server's configuration,
# and the entry points that choose the settings module.
CONFIG_FILES = [
    "market40/settings.py",
    "market40/settings_production.py",
    "market40/server.py",
    "manage.py",
    "market40/wsgi.py",
    "market40/asgi.py",
    "market40/celery.py",
]
# What drives the service from outside it.
NOT_THE_SERVICE = {".venv", "var", ".git", "tests", "bench", "proof"}
LISTED = re.compile(r"^(?:# )?([A-Z][A-Z0-9_]*)=")


def _is_os_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _name_in(node: ast.AST) -> str | None:
    """The variable's name when `node` reads one by a literal name."""
    if isinstance(node, ast.Subscript) and _is_os_environ(node.value) and isinstance(node.slice, ast.Constant):
        return node.slice.value
    if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
        return None
    func = node.func
    if isinstance(func, ast.Name) and func.id in READERS:
        return node.args[0].value
    if isinstance(func, ast.Attribute) and (
        (func.attr in {"get", "setdefault"} and _is_os_environ(func.value))
        or (func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os")
    ):
        return node.args[0].value
    return None


def variables_read(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {name for node in ast.walk(tree) if (name := _name_in(node))}


def reads_the_environment(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if _is_os_environ(node) or (isinstance(node, ast.Attribute) and node.attr == "getenv"):
            return True
        if isinstance(node, ast.ImportFrom) and (
            node.module == "market40.env"
            or (node.module == "os" and {alias.name for alias in node.names} & {"environ", "getenv"})
        ):
            return True
    return False


def variables_listed() -> set[str]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return {match.group(1) for line in lines if (match := LISTED.match(line))}


def test_every_variable_the_service_reads_is_in_env_example():
    read = set().union(*(variables_read(ROOT / path) for path in CONFIG_FILES))
    assert {"DATABASE_URL", "SECRET_KEY", "RECONCILIATION_AT", "SERVER_WORKERS"} <= read  # the parser finds them
    assert read - variables_listed() == set()


def test_env_example_lists_only_variables_the_service_reads():
    read = set().union(*(variables_read(ROOT / path) for path in CONFIG_FILES))
    assert variables_listed() - read == set()


def test_no_module_but_the_settings_reads_the_environment():
    allowed = {ROOT / path for path in CONFIG_FILES} | {ROOT / "market40" / "env.py"}
    modules = [
        path
        for path in ROOT.rglob("*.py")
        if not NOT_THE_SERVICE & set(path.relative_to(ROOT).parts) and path not in allowed
    ]
    assert len(modules) > 50
    assert [str(path.relative_to(ROOT)) for path in modules if reads_the_environment(path)] == []
