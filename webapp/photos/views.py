"""/enfants/<id>/photo: the family sends, replaces or removes its child's photo; agents may look at it.

A family reaches only its own children (another child: 404); an agent of the commune may
read any child's photo, and each such reading goes to the audit journal (who, which child).
"""
import re

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tenancy.web import require_tenant
from webapp import clock
from webapp.audit.models import record
from webapp.auth.users import own_child
from webapp.db import db
from webapp.extensions import limiter
from webapp.families.models import Child
from webapp.photos.models import ChildPhoto, photos_of
from webapp.uploads import SENDS_PER_IP
from webapp.uploads import checks, storage
from webapp.uploads.errors import CheckedFileField, required_file
from webapp.uploads.models import StoredFile
from webapp.uploads.serving import commune_folder, send_stored

bp = Blueprint("photos", __name__)
bp.before_request(require_tenant)


class PhotoForm(FlaskForm):
    photo = CheckedFileField(_l("Photo (JPEG ou PNG, 5 Mo au plus)"), allowed=checks.IMAGE_TYPES,
                             validators=[required_file(_l("Choisissez une photo."))])


def photo_of(child_id: int) -> ChildPhoto | None:
    """One child's photo row, if any (pages listing children use models.photos_of: one query for all)."""
    return photos_of(db, [child_id]).get(child_id)


LOCAL_PATH = re.compile(r"/(?!/)[A-Za-z0-9/_.?=&%-]*")  # this site's pages only: no open redirect


def _back(child: Child):
    target = request.form.get("retour", "")
    if not LOCAL_PATH.fullmatch(target):  # match() let « /page\n » reach the header
        target = url_for("portal.home")
    return redirect(target, 303)


@bp.get("/enfants/<int:child_id>/photo")
@login_required
def show(child_id: int):
    agent = current_user.agent
    child = own_child(child_id) if agent is None else db.get(Child, child_id)
    if child is None:
        abort(404)
    row = db.execute(select(StoredFile).join(ChildPhoto, ChildPhoto.file_id == StoredFile.id)
                     .where(ChildPhoto.child_id == child_id)).scalar_one_or_none()
    if row is None:
        abort(404)
    if agent is not None:  # who looked at which child's photo, never the image
        record(db, "photo.read", now=clock.utcnow(), account_kind="agent", account_id=agent.id,
               identifier=f"family:{child.family_id} child:{child.id}", ip=request.remote_addr or "")
        db.commit()
    return send_stored(row)


@bp.post("/enfants/<int:child_id>/photo")
@limiter.limit(SENDS_PER_IP, methods=["POST"])
@login_required
def upload(child_id: int):
    child = own_child(child_id)
    form = PhotoForm()
    if not form.validate_on_submit():
        for error in form.photo.errors or [_("La photo n'a pas pu être envoyée. Réessayez.")]:
            flash(error, "error")
        return _back(child)
    now = clock.utcnow()
    stored = storage.store(db, commune_folder(), form.photo.cleaned, form.photo.filename, kind="photo", now=now)
    db.flush()
    photo = photo_of(child.id)
    replaced = []
    if photo is None:
        db.add(ChildPhoto(child_id=child.id, file_id=stored.id, updated_at=now))
    else:
        old = db.get(StoredFile, photo.file_id)
        photo.file_id, photo.updated_at = stored.id, now
        if old is not None:
            db.flush()
            replaced.append(old.stored_name)
            db.delete(old)
    try:
        db.commit()
    except IntegrityError:  # the same photo sent twice at once: the other request won
        db.rollback()
        storage.discard(commune_folder(), [stored.stored_name])
        flash(_("La photo n'a pas pu être envoyée. Réessayez."), "error")
        return _back(child)
    storage.discard(commune_folder(), replaced)
    flash(_("La photo de %(name)s est enregistrée.", name=child.first_name), "success")
    return _back(child)


@bp.post("/enfants/<int:child_id>/photo/supprimer")
@login_required
def delete(child_id: int):
    child = own_child(child_id)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    photo = photo_of(child.id)
    if photo is not None:
        old = db.get(StoredFile, photo.file_id)
        db.delete(photo)
        db.flush()
        names = [old.stored_name] if old is not None else []
        if old is not None:
            db.delete(old)
        db.commit()
        storage.discard(commune_folder(), names)
        flash(_("La photo de %(name)s est supprimée.", name=child.first_name), "success")
    return _back(child)
