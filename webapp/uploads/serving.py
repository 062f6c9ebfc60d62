"""Answering a download of a stored file, once the view has checked who may read it."""
from pathlib import Path
from urllib.parse import quote

from flask import Response, abort, current_app, g

from webapp.uploads.models import StoredFile
from webapp.uploads.storage import path_of


def commune_folder() -> Path:
    """instance/uploads/<commune>: outside static/, so nothing is served without a view."""
    return Path(current_app.instance_path) / "uploads" / g.tenant.slug


def send_stored(stored: StoredFile | None) -> Response:
    """The file with its stored type; PDFs as attachments, images inline; never cached, never sniffed."""
    if stored is None:
        abort(404)
    try:
        data = path_of(commune_folder(), stored).read_bytes()
    except (OSError, ValueError):
        current_app.logger.warning("stored file %s missing on disk", stored.id)
        abort(404)
    disposition = "inline" if stored.content_type.startswith("image/") else "attachment"
    response = Response(data, mimetype=stored.content_type)
    # RFC 6266 / 5987: an ASCII fallback and the UTF-8 name
    ascii_name = stored.original_name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(stored.original_name)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
