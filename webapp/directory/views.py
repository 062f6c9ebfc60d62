"""The platform host's directory: a family finds its village and is sent to its portal.

A single matching portal is reached through the results page (its link, and a refresh at once),
not an HTTP redirect of the search form: browsers check a form's redirect against the page's
`form-action`, which on the platform host is `'self'` (webapp.security).
"""
from flask import Blueprint, current_app, render_template, request

bp = Blueprint("directory", __name__)


def directory():
    """`/` on the platform host; `?q=` searches villages by name or postcode."""
    registry = current_app.extensions["tenancy"].registry
    query = request.args.get("q", "").strip()[:80]
    results = registry.find_villages(query) if query else []
    portals = {entry.tenant.slug for entry in results}
    go_to = results[0].tenant.base + "/" if len(portals) == 1 and request.args.get("go") == "1" else None
    return render_template("directory/directory.html", query=query, results=results, count=len(registry),
                           go_to=go_to)
