"""Security headers on every answer; no caching of pages that show personal data."""
from flask import Flask, g, request
from flask_login import current_user

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    production = app.config["SETTINGS"].production

    @app.after_request
    def _headers(response):
        csp = CSP
        if g.get("tenant") is not None:
            # On a commune's host forms only post to itself. The platform's directory
            # form redirects to a commune's host, which form-action would block.
            csp += "; form-action 'self'"
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
