"""Security headers on every answer; no caching of pages that show personal data."""
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_login import current_user

from tenancy.web import describe

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def init_app(app: Flask) -> None:
    production = app.config["SETTINGS"].production

    @app.after_request
    def _headers(response):
        csp = CSP
        tenant = g.get("tenant")
        if tenant is not None:
            # Forms post to the commune's host; « Déconnexion » then redirects to the
            # commune's website, which browsers check against form-action too.
            csp += f"; form-action 'self' {_origin(str(tenant.website))}"
            if tenant.settings.payment_mode == "payfip":  # « Payer en ligne » redirects to PayFiP's page
                csp += f" {_origin(app.config['SETTINGS'].payfip_payment_url)}"
        else:
            # Platform host (and unknown hosts): every form stays on it. The directory's search
            # sends the family to its commune by a link and a refresh, not by redirecting the
            # form (webapp.directory.views): a list of 1,000 communes' origins would not fit a header.
            csp += "; form-action 'self'"
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if production:
            response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if response.status_code >= 400 or _signed_in_page():
            response.headers["Cache-Control"] = "no-store"
        return response


def _signed_in_page() -> bool:
    """Checked after the error answers (never cached, and they load no user): a hook that raised
    here would leave the answer without any of these headers."""
    if request.endpoint == "static":
        return False
    try:
        return bool(getattr(current_user, "is_authenticated", False))
    except Exception as error:  # not loaded (database away): nobody for this answer, and kept private
        current_app.logger.warning("signed-in user not loaded: %s", describe(error))
        return True
