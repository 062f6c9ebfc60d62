"""Flask extensions, created unbound and bound in `create_app`."""
from flask import g, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_mail import Mail
from flask_wtf import CSRFProtect


def _commune_and_ip() -> str:
    """Rate-limit keys carry the commune: one commune's traffic never limits another's."""
    tenant = g.get("tenant")
    return f"{tenant.slug if tenant else '-'}:{request.remote_addr or '-'}"


babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=_commune_and_ip, default_limits=[])
login_manager = LoginManager()
mail = Mail()
