"""Security headers on every answer; no caching of pages that show personal data."""
from urllib.parse import urlsplit

from flask import Flask, g, request
from flask_login import current_user

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
            # commune's website, which browsers check against form-action too. The
            # platform's directory form redirects to any commune: no form-action there.
            csp += f"; form-action 'self' {_origin(str(tenant.website))}"
            if tenant.settings.payment_mode == "payfip":  # « Payer en ligne » redirects to PayFiP's page
                csp += f" {_origin(app.config['SETTINGS'].payfip_payment_url)}"
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if production:
            response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if request.endpoint != "static" and getattr(current_user, "is_authenticated", False):
            response.headers["Cache-Control"] = "no-store"
        return response
