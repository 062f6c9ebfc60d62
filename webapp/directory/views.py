"""The platform host's directory: a family finds its village and is sent to its portal."""
from flask import Blueprint, current_app, redirect, render_template, request

bp = Blueprint("directory", __name__)


def directory():
    """`/` on the platform host; `?q=` searches villages by name or postcode."""
    registry = current_app.extensions["tenancy"].registry
    query = request.args.get("q", "").strip()[:80]
    results = registry.find_villages(query) if query else []
    portals = {entry.tenant.slug for entry in results}
    if query and len(portals) == 1 and request.args.get("go") == "1":
        return redirect(results[0].tenant.base + "/", 303)
    return render_template("directory/directory.html", query=query, results=results, count=len(registry))
