"""The commands that start gunicorn (Procfile, `make run`) as gunicorn itself reads them."""
import re
import shlex

from gunicorn.config import Config

from webapp.settings import ROOT


def _gunicorn_arguments(line: str) -> list[str]:
    command = re.split(r'gunicorn"?\s', line, maxsplit=1)[1]
    command = re.sub(r"\$[({]?\w+(:-\w+)?[)}]?", "1", command)  # shell and make variables: any value will do
    return shlex.split(command)


def _make_run_command() -> str:
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    return next(line for line in text.splitlines() if '"$(BIN)/gunicorn"' in line)


def _procfile_web_command() -> str:
    return next(line for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines() if line.startswith("web:"))


def test_no_gunicorn_control_socket_in_the_home_folder():
    """Defect: two demos on one machine shared ~/.gunicorn's control socket, and stopping one removed the other's."""
    for line in (_make_run_command(), _procfile_web_command()):
        parsed = Config().parser().parse_args(_gunicorn_arguments(line))
        assert parsed.control_socket_disable is True, line
